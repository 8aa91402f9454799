"""Declaration pages for the insured: exposure per buyer, declare a shipment or a payment, upload a file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.buyers.service import find_buyers
from tradecover.clock import get_clock
from tradecover.declarations.imports import get_batch, import_declarations, list_batches
from tradecover.declarations.payments import PaymentDeclaration, declare_payment
from tradecover.declarations.service import (
    ShipmentDeclaration,
    declare_shipment,
    exposure_by_buyer,
    get_policy,
    get_shipment,
    list_shipments,
)
from tradecover.errors import DomainError, ValidationError
from tradecover.money import Money
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy, PolicyStatus
from tradecover.policies.service import list_policies
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import DECLARATIONS_PATH

router = APIRouter(prefix=DECLARATIONS_PATH)

RECENT = 20
MAX_UPLOAD_BYTES = 64 * 1024 * 1024


def _policies(page: Page) -> list[Policy]:
    return list(list_policies(page.session, page.actor, status=PolicyStatus.IN_FORCE))


def _chosen(page: Page, policy_id: str) -> Policy | None:
    if policy_id:
        try:
            return get_policy(page.session, uuid.UUID(policy_id))
        except ValueError:
            raise ValidationError("choose a policy", field="policy_id") from None
    found = _policies(page)
    return found[0] if found else None


def _context(page: Page, policy: Policy | None, query: str = "") -> dict[str, Any]:
    today = get_clock().today()
    if policy is None:
        return {"policy": None, "policies": [], "today": today}
    rows = exposure_by_buyer(page.session, page.actor, policy.id, on=today)
    known = [(str(r.buyer_id), f"{r.buyer_name} · {r.buyer_country}") for r in rows]
    found = [
        (str(b.id), f"{b.name} · {b.country} · grade {b.grade}")
        for b in (find_buyers(page.session, name=query, limit=50) if query else [])
    ]
    return {
        "policy": policy,
        "policies": [(str(p.id), f"{p.number} ({p.currency})") for p in _policies(page)],
        "rows": rows,
        "buyers": known + [choice for choice in found if choice not in known],
        "shipments": list_shipments(page.session, page.actor, policy.id, page_size=RECENT).items,
        "batches": list_batches(page.session, policy.id, limit=10),
        "today": today,
        "query": query,
    }


def _values(policy: Policy | None, today: dt.date) -> dict[str, str]:
    return {
        "policy_id": str(policy.id) if policy else "",
        "shipment_date": today.isoformat(),
        "received_on": today.isoformat(),
    }


@router.get("", response_class=HTMLResponse)
def declarations(page: SignedIn, policy_id: str = "", q: str = "") -> HTMLResponse:
    """Exposure per buyer (limit, exposure, available), the recent shipments, and the declaration forms."""
    page.actor.require(Role.POLICYHOLDER)
    policy = _chosen(page, policy_id.strip())
    context = _context(page, policy, q.strip()[:100])
    context["values"] = _values(policy, context["today"])
    return render(page.request, "declarations.html", context)


def _uuid(form: FormData, name: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(text(form, name).strip())
    except ValueError:
        raise ValidationError(f"choose a {what}", field=name) from None


def _date(form: FormData, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text(form, name).strip())
    except ValueError:
        raise ValidationError("enter a date (YYYY-MM-DD)", field=name) from None


def _amount(form: FormData, policy: Policy, name: str = "amount") -> Money:
    raw = text(form, name).strip()
    if not raw:
        raise ValidationError("enter an amount", field=name)
    try:
        return Money.of(raw, policy.currency)
    except DomainError as error:
        raise ValidationError(error.message, field=name) from None


# The payment form sits beside the shipment form: its fields have their own names (and element ids).
PAYMENT_FIELDS = {"buyer_id": "payer_id", "amount": "paid_amount"}


def _refused(page: Page, form: FormData, error: DomainError) -> Response:
    def context() -> dict[str, Any]:
        try:
            policy = _chosen(page, text(form, "policy_id").strip())
        except DomainError:
            policy = None
        return _context(page, policy)

    return refused(page, "declarations.html", context, field_errors(error), form)


@router.post("/shipments", response_class=HTMLResponse)
def declare_a_shipment(page: SignedIn, form: PostedForm) -> Response:
    """Declare one shipment; its page shows the verdict per rule."""
    try:
        policy = get_policy(page.session, _uuid(form, "policy_id", "policy"))
        declaration = ShipmentDeclaration(
            buyer_id=_uuid(form, "buyer_id", "buyer"),
            invoice_number=text(form, "invoice_number"),
            amount=_amount(form, policy),
            shipment_date=_date(form, "shipment_date"),
            due_date=_date(form, "due_date"),
        )
        shipment = declare_shipment(page.session, page.actor, policy.id, declaration)
    except DomainError as error:
        return _refused(page, form, error)
    verdict = shipment.verdict
    flash(
        page.request,
        f"Invoice {shipment.invoice_number}: {verdict.summary}",
        kind="success" if shipment.insured_minor else "error",
    )
    return RedirectResponse(f"{DECLARATIONS_PATH}/shipments/{shipment.id}", status_code=303)


@router.get("/shipments/{shipment_id}", response_class=HTMLResponse)
def shipment_page(shipment_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """One shipment: insured part, premium, payments, and the verdict of every rule."""
    shipment = get_shipment(page.session, shipment_id)
    return render(page.request, "shipment.html", {"shipment": shipment, "verdict": shipment.verdict})


@router.post("/payments", response_class=HTMLResponse)
def declare_a_payment(page: SignedIn, form: PostedForm) -> Response:
    """Declare a payment: it settles the buyer's oldest open invoices and frees the limit."""
    try:
        policy = get_policy(page.session, _uuid(form, "policy_id", "policy"))
        declaration = PaymentDeclaration(
            buyer_id=_uuid(form, "payer_id", "buyer"),
            amount=_amount(form, policy, "paid_amount"),
            received_on=_date(form, "received_on"),
            reference=text(form, "reference") or None,
        )
        payment = declare_payment(page.session, page.actor, policy.id, declaration)
    except DomainError as error:
        field = PAYMENT_FIELDS.get(error.field or "", error.field)
        return _refused(page, form, type(error)(error.message, field=field))
    message = f"Payment of {payment.amount} recorded"
    if payment.unapplied_minor:
        message += f"; {payment.unapplied} found no open invoice"
    flash(page.request, message)
    return RedirectResponse(f"{DECLARATIONS_PATH}?policy_id={policy.id}", status_code=303)


@router.post("/imports", response_class=HTMLResponse)
async def upload(page: SignedIn, form: PostedForm) -> Response:
    """Import a CSV or .xlsx of declarations: the result page shows the counts and the rejection report."""
    try:
        policy = get_policy(page.session, _uuid(form, "policy_id", "policy"))
        sent = form.get("file")
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise ValidationError("choose a CSV or Excel (.xlsx) file", field="file")
        content = await sent.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            raise ValidationError("the file is over 64 MB; import it with the CLI", field="file")
        batch = import_declarations(page.session, page.actor, policy.id, sent.filename, content)
    except DomainError as error:
        return _refused(page, form, error)
    return RedirectResponse(f"{DECLARATIONS_PATH}/imports/{batch.id}", status_code=303)


@router.get("/imports/{batch_id}", response_class=HTMLResponse)
def batch_page(batch_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """An imported file: imported whole or rejected whole, with the rows rejected and why."""
    batch = get_batch(page.session, batch_id)
    rejections = list(csv.reader(io.StringIO(batch.report)))[1:101]
    return render(page.request, "declarations_import.html", {"batch": batch, "rejections": rejections})


@router.get("/imports/{batch_id}/rejections.csv")
def rejection_report(batch_id: uuid.UUID, page: SignedIn) -> Response:
    """The rejection report as a CSV download (row, reason)."""
    batch = get_batch(page.session, batch_id)
    return Response(
        content=batch.report or "row,reason\n",
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{batch.reference}-rejections.csv"'},
    )
