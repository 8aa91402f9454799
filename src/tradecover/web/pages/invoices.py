"""Premium invoice pages: the list, one invoice (lines and rate cells, programme and firm shares, the
member's split, payments, dunning), the pay form and the insurer's credit note."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.buyers.model import Buyer
from tradecover.clock import get_clock
from tradecover.coinsurance.service import administers, names_of
from tradecover.errors import DomainError, ValidationError
from tradecover.money import Money
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy
from tradecover.premiums.credit_notes import credit_invoice, credit_note_of
from tradecover.premiums.model import InvoiceStatus, PremiumInvoice
from tradecover.premiums.payments import get_invoice, payments_of, record_premium_payment
from tradecover.premiums.rules import DUNNING_TITLES
from tradecover.premiums.service import InvoiceFilter, days_past_due, list_invoices, own_split
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import INVOICES_PATH

router = APIRouter()

MAY_SEE = (Role.POLICYHOLDER, Role.UNDERWRITER, Role.INSURER_ADMIN, Role.PLATFORM_ADMIN)
STATUS_BADGES = {InvoiceStatus.PAID: "badge-ok", InvoiceStatus.CREDITED: "badge-muted"}
LISTED = 300


def _row(invoice: PremiumInvoice, today: dt.date, policies: dict[uuid.UUID, str]) -> dict[str, Any]:
    return {
        "invoice": invoice,
        "policy": policies.get(invoice.policy_id, ""),
        "status": invoice.status.value.replace("_", " "),
        "badge": STATUS_BADGES.get(invoice.status, ""),
        "dunning": DUNNING_TITLES[invoice.dunning_level],
        "late": days_past_due(invoice, today),
    }


def _policy_numbers(page: Page, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = page.session.execute(select(Policy.id, Policy.number).where(Policy.id.in_(ids)))
    return {policy_id: number for policy_id, number in rows}


@router.get(INVOICES_PATH, response_class=HTMLResponse)
def invoices(page: SignedIn, status: str = "") -> HTMLResponse:
    """The organisation's premium invoices, newest first, with what is open and the dunning step."""
    page.actor.require(*MAY_SEE)
    try:
        wanted = InvoiceStatus(status) if status else None
    except ValueError:
        wanted = None
    found = list_invoices(page.session, InvoiceFilter(status=wanted), limit=LISTED)
    today = get_clock().today()
    policies = _policy_numbers(page, {i.policy_id for i in found})
    return render(
        page.request,
        "invoices.html",
        {
            "rows": [_row(x, today, policies) for x in found],
            "status": status,
            "statuses": [("", "All")] + [(s.value, s.value.replace("_", " ")) for s in InvoiceStatus],
        },
    )


def _invoice_context(page: Page, invoice: PremiumInvoice) -> dict[str, Any]:
    today = get_clock().today()
    lines = list(invoice.lines)
    rows = page.session.execute(
        select(Buyer.id, Buyer.name).where(Buyer.id.in_({line.buyer_id for line in lines}))
    )
    buyers = {buyer_id: name for buyer_id, name in rows}
    members = sorted(invoice.members, key=lambda m: m.position)
    names = names_of(page.session, [m.member_id for m in members])
    is_holder = page.actor.organisation_id == invoice.policyholder_id
    is_insurer = page.actor.is_platform_admin or administers(
        page.session, page.actor.organisation_id, invoice.insurer_id
    )
    mine = own_split(page.actor, invoice)
    policy = _policy_numbers(page, {invoice.policy_id}).get(invoice.policy_id, "")
    return {
        **_row(invoice, today, {invoice.policy_id: policy}),
        "lines": [
            {
                "line": line,
                "buyer": buyers.get(line.buyer_id, ""),
                "effective": line.rate * (1 + line.rate_adjustment) * (1 - line.discount),
            }
            for line in lines
        ],
        "shares": [
            {
                **share,
                "amount_money": Money.of(share["amount"], invoice.currency),
                "requested_money": Money.of(share["requested"], invoice.currency),
                "percent": _percent(share["rate"]),
            }
            for share in invoice.subsidies
        ],
        "members": [
            {
                "split": m,
                "name": names.get(m.member_id, str(m.member_id)),
                "premium": m.money(m.premium_minor),
                "firm": m.money(m.firm_minor),
                "subsidy": m.money(m.subsidy_minor),
                "commission": m.money(m.commission_minor),
                "paid": m.money(m.paid_minor),
                "share": _percent(str(m.share)),
            }
            for m in members
        ],
        "is_pool": any(m.member_id != invoice.insurer_id for m in members),
        "mine": mine,
        "payments": payments_of(page.session, invoice.id),
        "credit_note": credit_note_of(page.session, invoice.id),
        "may_pay": (is_holder or is_insurer) and invoice.status is not InvoiceStatus.CREDITED,
        "may_credit": is_insurer and invoice.status is not InvoiceStatus.CREDITED,
        "pay_key": uuid.uuid4().hex,
        "today": today,
    }


def _percent(rate: str) -> str:
    return f"{(Decimal(rate) * 100).normalize():f}%"


@router.get(INVOICES_PATH + "/{invoice_id}", response_class=HTMLResponse)
def invoice_page(invoice_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """One invoice: its lines with their rate cells, who pays what and why, payments and dunning."""
    page.actor.require(*MAY_SEE)
    return render(page.request, "invoice.html", _invoice_context(page, get_invoice(page.session, invoice_id)))


def _amount(raw: str, currency: str) -> Money:
    if not raw.strip():
        raise ValidationError("enter the amount received", field="amount")
    try:
        return Money.of(raw.strip(), currency)
    except DomainError as error:
        raise ValidationError(error.message, field="amount") from None


def _day(raw: str) -> dt.date:
    if not raw.strip():
        return get_clock().today()
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError("enter a date as YYYY-MM-DD", field="received_on") from None


@router.post(INVOICES_PATH + "/{invoice_id}/payments", response_class=HTMLResponse)
def pay(invoice_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Record a payment of the invoice (a second submit of the same form records nothing again)."""
    invoice = get_invoice(page.session, invoice_id)
    try:
        payment = record_premium_payment(
            page.session,
            page.actor,
            invoice_id,
            _amount(text(form, "amount"), invoice.currency),
            _day(text(form, "received_on")),
            text(form, "idempotency_key") or None,
        )
    except DomainError as error:
        return refused(
            page,
            "invoice.html",
            lambda: _invoice_context(page, get_invoice(page.session, invoice_id)),
            field_errors(error),
            form,
        )
    note = f"; {payment.over} held as credit for the next invoice" if payment.over.is_positive else ""
    flash(page.request, f"Payment of {payment.amount} recorded on {invoice.number}{note}")
    return RedirectResponse(f"{INVOICES_PATH}/{invoice_id}", status_code=303)


@router.post(INVOICES_PATH + "/{invoice_id}/credit-notes", response_class=HTMLResponse)
def credit(invoice_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The insurer cancels the invoice in full with a credit note."""
    try:
        note = credit_invoice(page.session, page.actor, invoice_id, text(form, "reason"))
    except DomainError as error:
        return refused(
            page,
            "invoice.html",
            lambda: _invoice_context(page, get_invoice(page.session, invoice_id)),
            field_errors(error),
            form,
        )
    flash(
        page.request, f"Credit note {note.number} cancels the invoice; its shipments go on the next invoice"
    )
    return RedirectResponse(f"{INVOICES_PATH}/{invoice_id}", status_code=303)
