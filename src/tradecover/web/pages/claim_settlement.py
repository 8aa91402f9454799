"""Settling claims on the web: each member pays its part, recoveries, closing; the recoveries list and
the claim service-level dashboard. The claim page shows `claims/_settlement.html` with
`settlement_context(page, claim)`."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.claims import queries, recoveries, service_levels, settlement
from tradecover.claims.model import Claim
from tradecover.claims.rules.service_levels import DurationStats
from tradecover.clock import get_clock
from tradecover.coinsurance.service import administers, names_of
from tradecover.errors import DomainError, NotFound, PermissionDenied, ValidationError
from tradecover.money import Money
from tradecover.parties.roles import Role
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import discard
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import CLAIMS_PATH, RECOVERIES_PATH, SERVICE_LEVELS_PATH

router = APIRouter()

PAYERS = (Role.CLAIMS_HANDLER, Role.INSURER_ADMIN)
MAY_SEE_LEVELS = (
    Role.CLAIMS_HANDLER,
    Role.INSURER_ADMIN,
    Role.UNDERWRITER,
    Role.POLICYHOLDER,
    Role.BANK_OFFICER,
    Role.REGULATOR,
    Role.PLATFORM_ADMIN,
)
MAY_SEE_RECOVERIES = (
    Role.CLAIMS_HANDLER,
    Role.INSURER_ADMIN,
    Role.UNDERWRITER,
    Role.POLICYHOLDER,
    Role.BANK_OFFICER,
    Role.PLATFORM_ADMIN,
)
CHART_WIDTH = 640
BAR_HEIGHT = 14
STEPS = (
    ("to_documents", "Documents", "#5b7db1"),
    ("to_decision", "Decision", "#d98c1f"),
    ("to_payment", "Payment", "#6a9f4b"),
)


def _is_handler(page: Page, claim: Claim) -> bool:
    return page.actor.is_platform_admin or (
        page.actor.has(*queries.HANDLERS)
        and administers(page.session, page.actor.organisation_id, claim.insurer_id)
    )


def settlement_context(page: Page, claim: Claim) -> dict[str, Any]:
    """What the claim page's settlement section shows: members' payments, recoveries, forms."""
    view = settlement.settlement_of(page.session, claim.id)
    names = names_of(page.session, [part.member_id for part in view.members])
    payer = page.actor.has(*PAYERS) or page.actor.is_platform_admin
    handler = _is_handler(page, claim)
    found = recoveries.recoveries_of(page.session, claim.id)
    return {
        "settlement": {
            "view": view,
            "members": [
                {
                    "part": part,
                    "name": names.get(part.member_id, str(part.member_id)),
                    "to_bank": part.money(part.to_bank_minor),
                    "to_insured": part.money(part.to_insured_minor),
                    "may_pay": payer
                    and not part.is_paid
                    and (page.actor.is_platform_admin or page.actor.organisation_id == part.member_id),
                }
                for part in view.members
            ],
            "recoveries": [
                {
                    "recovery": r,
                    "amount": r.money(r.amount_minor),
                    "costs": r.money(r.costs_minor),
                    "net": r.money(r.net_minor),
                    "insurers": r.money(r.insurers_minor),
                    "insured": r.money(r.insured_minor),
                }
                for r in found
            ],
            "may_recover": handler and claim.status in recoveries.RECOVERABLE,
            "may_close": handler and claim.status in recoveries.CLOSABLE,
            "today": get_clock().today().isoformat(),
            "key": uuid.uuid4().hex,
        }
    }


def _date(form: FormData, name: str) -> dt.date:
    raw = text(form, name).strip()
    if not raw:
        return get_clock().today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError("enter a date as YYYY-MM-DD", field=name) from None


def _money(form: FormData, name: str, currency: str, *, required: bool) -> Money | None:
    raw = text(form, name).strip().replace(",", "")
    if not raw:
        if required:
            raise ValidationError("enter an amount", field=name)
        return None
    try:
        return Money.of(raw, currency)
    except DomainError as error:
        raise ValidationError(error.message, field=name) from None


def _back(page: Page, claim_id: uuid.UUID, error: DomainError) -> Response:
    """Undo what the refused action flushed and show the claim again with the reason."""
    discard(page.session)
    if isinstance(error, NotFound | PermissionDenied):
        raise error  # the error page: no claim to go back to, or not the caller's to change
    where = f" ({error.field.replace('_', ' ')})" if error.field else ""
    flash(page.request, f"{error.message}{where}", kind="error")
    return RedirectResponse(f"{CLAIMS_PATH}/{claim_id}#settlement", status_code=303)


@router.post(CLAIMS_PATH + "/{claim_id:uuid}/payments", response_class=HTMLResponse)
def pay(claim_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The member pays its part of the claim (a second submission of the same form books nothing)."""
    try:
        raw_member = text(form, "member_id").strip()
        member_id = uuid.UUID(raw_member) if raw_member else page.actor.organisation_id
        if member_id is None:
            raise ValidationError("choose the paying member", field="member_id")
        part = settlement.pay_member_share(
            page.session,
            page.actor,
            claim_id,
            member_id,
            paid_on=_date(form, "paid_on"),
            idempotency_key=text(form, "idempotency_key").strip() or None,
        )
    except ValueError:
        return _back(page, claim_id, ValidationError("choose the paying member", field="member_id"))
    except DomainError as error:
        return _back(page, claim_id, error)
    flash(page.request, f"Paid {part.amount}")
    return RedirectResponse(f"{CLAIMS_PATH}/{claim_id}#settlement", status_code=303)


@router.post(CLAIMS_PATH + "/{claim_id:uuid}/recoveries", response_class=HTMLResponse)
def recover(claim_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The claims handler records money recovered after payment, with the collection costs."""
    try:
        claim = queries.get_claim(page.session, claim_id)
        amount = _money(form, "amount", claim.currency, required=True) or Money.zero(claim.currency)
        recovery = recoveries.record_recovery(
            page.session,
            page.actor,
            claim_id,
            amount=amount,
            costs=_money(form, "costs", claim.currency, required=False),
            received_on=_date(form, "received_on"),
            note=text(form, "note") or None,
            idempotency_key=text(form, "idempotency_key").strip() or None,
        )
    except DomainError as error:
        return _back(page, claim_id, error)
    insurers, insured = recovery.money(recovery.insurers_minor), recovery.money(recovery.insured_minor)
    flash(page.request, f"Recovery recorded: {insurers} to the insurers, {insured} to the insured")
    return RedirectResponse(f"{CLAIMS_PATH}/{claim_id}#settlement", status_code=303)


@router.post(CLAIMS_PATH + "/{claim_id:uuid}/close", response_class=HTMLResponse)
def close(claim_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The claims handler closes a paid claim."""
    try:
        claim = recoveries.close_claim(
            page.session, page.actor, claim_id, reason=text(form, "reason") or None
        )
    except DomainError as error:
        return _back(page, claim_id, error)
    flash(page.request, f"Claim {claim.number} closed")
    return RedirectResponse(f"{CLAIMS_PATH}/{claim_id}", status_code=303)


@router.get(RECOVERIES_PATH, response_class=HTMLResponse)
def recoveries_page(page: SignedIn) -> HTMLResponse:
    """The recoveries on the claims the organisation takes part in, newest first."""
    page.actor.require(*MAY_SEE_RECOVERIES)
    rows = [
        {
            "recovery": r,
            "claim": c,
            "amount": r.money(r.amount_minor),
            "costs": r.money(r.costs_minor),
            "net": r.money(r.net_minor),
            "insurers": r.money(r.insurers_minor),
            "insured": r.money(r.insured_minor),
        }
        for r, c in recoveries.list_recoveries(page.session)
    ]
    return render(page.request, "claims/recoveries.html", {"rows": rows})


def _days(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():f}"


def _share(stats: DurationStats) -> str:
    share = stats.within_share
    return "—" if share is None else f"{(share * 100).quantize(Decimal('0.1'))}%"


def _chart(rows: list[service_levels.ServiceLevelRow]) -> dict[str, Any] | None:
    """Median days of each step per row as horizontal bars (SVG shapes)."""
    medians = [
        [(label, colour, getattr(row.summary, key).median_days) for key, label, colour in STEPS]
        for row in rows
    ]
    top = max((m for group in medians for _, _, m in group if m is not None), default=None)
    if top is None:
        return None
    label_width = 220
    scale = (CHART_WIDTH - label_width - 60) / max(float(top), 1.0)
    bars: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    y = 0
    for row, group in zip(rows, medians, strict=True):
        labels.append({"y": y + BAR_HEIGHT + 4, "text": row.programme_name or row.insurer_name})
        for label, colour, median in group:
            width = 0.0 if median is None else round(float(median) * scale, 2)
            bars.append(
                {
                    "x": label_width,
                    "y": y,
                    "w": width,
                    "h": BAR_HEIGHT - 2,
                    "colour": colour,
                    "title": f"{label}: {_days(median)} days (median)",
                    "text": _days(median),
                }
            )
            y += BAR_HEIGHT
        y += 10
    legend = [
        {"x": label_width + i * 110, "colour": colour, "text": label}
        for i, (_, label, colour) in enumerate(STEPS)
    ]
    return {
        "width": CHART_WIDTH,
        "height": y,
        "bars": bars,
        "labels": labels,
        "legend": legend,
        "label_width": label_width,
    }


def _query_date(raw: str, default: dt.date, field: str) -> dt.date:
    if not raw.strip():
        return default
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError("enter a date as YYYY-MM-DD", field=field) from None


@router.get(SERVICE_LEVELS_PATH, response_class=HTMLResponse)
def service_levels_page(page: SignedIn, date_from: str = "", date_to: str = "") -> HTMLResponse:
    """Days from filing to documents, decision and payment, per insurer and programme, with a chart."""
    page.actor.require(*MAY_SEE_LEVELS)
    today = get_clock().today()
    errors: dict[str, str] = {}
    try:
        last = _query_date(date_to, today, "date_to")
        first = _query_date(date_from, last - dt.timedelta(days=365), "date_from")
        rows = service_levels.service_levels(page.session, page.actor, date_from=first, date_to=last)
    except DomainError as error:
        errors = {error.field or "form": error.message}
        first, last, rows = today - dt.timedelta(days=365), today, []
    table = [
        {
            "row": row,
            "steps": [
                {
                    "label": label,
                    "count": getattr(row.summary, key).count,
                    "median": _days(getattr(row.summary, key).median_days),
                    "p90": _days(getattr(row.summary, key).p90_days),
                    "within": _share(getattr(row.summary, key)),
                    "breached": getattr(row.summary, key).breached_open,
                }
                for key, label, _ in STEPS
            ],
        }
        for row in rows
    ]
    return render(
        page.request,
        "claims/service_levels.html",
        {
            "table": table,
            "chart": _chart(rows),
            "values": {"date_from": first.isoformat(), "date_to": last.isoformat()},
            "errors": errors,
        },
        status=422 if errors else 200,
    )
