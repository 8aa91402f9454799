"""Quote pages: get quotes (policyholder), compare and accept; the underwriter's queue, adjust and send."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.clock import get_clock
from tradecover.errors import DomainError, ValidationError
from tradecover.money import Money, to_decimal
from tradecover.parties.roles import Role
from tradecover.policies.model import Quote, QuoteRequest, QuoteStatus
from tradecover.policies.quotes import (
    TurnoverLine,
    accept_quote,
    adjust_quote,
    get_quote,
    get_quote_request,
    list_quote_requests,
    list_quotes,
    organisation_names,
    pending_quote_count,
    refuse_quote,
    send_quote,
    submit_quote_request,
)
from tradecover.policies.terms import PRODUCT_KIND_TITLES, ProductKind
from tradecover.reference.currencies import platform_currencies
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import POLICIES_PATH, QUOTES_PATH

router = APIRouter(prefix=QUOTES_PATH)

TURNOVER_ROWS = 5
STATUS_TITLES = {
    QuoteStatus.DRAFT: "Draft",
    QuoteStatus.SENT: "Offered",
    QuoteStatus.REFUSED: "Declined",
    QuoteStatus.ACCEPTED: "Accepted",
    QuoteStatus.NOT_TAKEN: "Not taken",
}


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).normalize():f}%"


def _row(quote: Quote, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    terms = quote.terms
    estimated = quote.estimated_premium
    return {
        "quote": quote,
        "insurer": names.get(quote.insurer_id, "An insurer"),
        "status": STATUS_TITLES[quote.status],
        "rate": _percent(quote.average_rate),
        "indemnity": "—" if terms is None else _percent(terms.indemnity.insolvency.value),
        "max_liability": (
            None if terms is None or estimated is None else terms.maximum_liability.for_premium(estimated)
        ),
        "max_liability_rule": "" if terms is None else str(terms.maximum_liability),
        "dcl": None if terms is None else terms.dcl,
        "minimum_premium": None if terms is None else terms.minimum_premium,
        "estimated_premium": estimated,
        "max_credit_days": None if terms is None else terms.max_credit_period_days,
    }


# lists -------------------------------------------------------------------------------------------
@router.get("", response_class=HTMLResponse)
def quote_requests(page: SignedIn) -> HTMLResponse:
    """The policyholder's requests, or the requests an insurer was invited to answer (its queue)."""
    page.actor.require(Role.POLICYHOLDER, Role.UNDERWRITER, Role.INSURER_ADMIN)
    requests = list_quote_requests(page.session, page.actor)
    names = organisation_names(page.session, [r.policyholder_id for r in requests])
    is_insurer = page.actor.has(Role.UNDERWRITER, Role.INSURER_ADMIN)
    own: dict[uuid.UUID, Quote] = {}
    if is_insurer:
        for request in requests:
            for quote in list_quotes(page.session, page.actor, request.id):
                own[request.id] = quote
    return render(
        page.request,
        "quote_requests.html",
        {
            "requests": requests,
            "names": names,
            "is_insurer": is_insurer,
            "own": own,
            "kind_titles": PRODUCT_KIND_TITLES,
            "status_titles": STATUS_TITLES,
        },
    )


# get quotes --------------------------------------------------------------------------------------
def _form_context(page: Page) -> dict[str, Any]:
    return {
        "kinds": [(k.value, PRODUCT_KIND_TITLES[k]) for k in ProductKind if k is not ProductKind.PLATFORM],
        "currencies": [(c.code, c.code) for c in platform_currencies()],
        "rows": range(1, TURNOVER_ROWS + 1),
    }


def _defaults() -> dict[str, Any]:
    start = get_clock().today() + dt.timedelta(days=1)
    return {
        "product_kind": "export_whole_turnover",
        "currency": "USD",
        "period_start": start.isoformat(),
        "typical_credit_days": "90",
    }


@router.get("/new", response_class=HTMLResponse)
def new_request(page: SignedIn) -> HTMLResponse:
    """The "Get quotes" form."""
    page.actor.require(Role.POLICYHOLDER)
    return render(page.request, "quote_request_new.html", {**_form_context(page), "values": _defaults()})


def _date(raw: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError("give a date as YYYY-MM-DD", field=field) from None


def _days(raw: str) -> int:
    raw = raw.strip()
    if not raw.isdigit():
        raise ValidationError("must be a whole number of days", field="typical_credit_days")
    return int(raw)


def _lines(form: FormData, currency: str) -> list[TurnoverLine]:
    lines: list[TurnoverLine] = []
    for row in range(1, TURNOVER_ROWS + 1):
        country, amount = text(form, f"country_{row}").strip(), text(form, f"amount_{row}").strip()
        if not country and not amount:
            continue
        if not country:
            raise ValidationError("give the buyers' country", field=f"country_{row}")
        try:
            money = Money.of(to_decimal(amount or "0", field=f"amount_{row}"), currency)
        except DomainError as error:
            raise ValidationError(error.message, field=f"amount_{row}") from None
        lines.append(TurnoverLine(country.upper(), money))
    return lines


def _form_field(error: DomainError) -> DomainError:
    """Name the form's row for an error about the n-th turnover line (turnover.0.amount → amount_1)."""
    parts = (error.field or "").split(".")
    if len(parts) == 3 and parts[0] == "turnover" and parts[1].isdigit():
        name = "country" if parts[2] == "country" else "amount"
        return ValidationError(error.message, field=f"{name}_{int(parts[1]) + 1}")
    if error.field == "turnover":
        return ValidationError(error.message, field="amount_1")
    return error


@router.post("/new", response_class=HTMLResponse)
def submit_request(page: SignedIn, form: PostedForm) -> Response:
    """Submit the request: every insurer that writes the product answers at once."""
    page.actor.require(Role.POLICYHOLDER)
    try:
        currency = text(form, "currency").strip().upper() or "USD"
        try:
            kind = ProductKind(text(form, "product_kind"))
        except ValueError:
            raise ValidationError("choose a product", field="product_kind") from None
        request = submit_quote_request(
            page.session,
            page.actor,
            product_kind=kind,
            currency=currency,
            turnover=_lines(form, currency),
            period_start=_date(text(form, "period_start"), "period_start"),
            typical_credit_days=_days(text(form, "typical_credit_days")),
        )
    except DomainError as error:
        return refused(
            page,
            "quote_request_new.html",
            lambda: _form_context(page),
            field_errors(_form_field(error)),
            form,
        )
    flash(
        page.request,
        "Your request went to every insurer that writes this cover. Compare their answers below.",
    )
    return RedirectResponse(f"{QUOTES_PATH}/requests/{request.id}", status_code=303)


# one request -------------------------------------------------------------------------------------
def _request_context(page: Page, request: QuoteRequest) -> dict[str, Any]:
    quotes = list_quotes(page.session, page.actor, request.id)
    names = organisation_names(page.session, [q.insurer_id for q in quotes] + [request.policyholder_id])
    is_holder = page.actor.organisation_id == request.policyholder_id
    offered = sorted(
        (q for q in quotes if q.estimated_premium is not None),
        key=lambda q: (q.status is not QuoteStatus.SENT, q.estimated_premium_minor or 0),
    )
    declined = [q for q in quotes if q.estimated_premium is None]
    return {
        "quote_request": request,
        "policyholder": names.get(request.policyholder_id, ""),
        "kind_title": PRODUCT_KIND_TITLES[request.product_kind],
        "rows": [_row(q, names) for q in offered + declined],
        "pending": pending_quote_count(page.session, request) if is_holder else 0,
        "is_holder": is_holder,
        "may_underwrite": page.actor.has(Role.UNDERWRITER, Role.INSURER_ADMIN) and not is_holder,
        "turnover": [
            (line["country"], Money.of(line["amount"], request.currency)) for line in request.turnover_lines
        ],
    }


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def quote_request(request_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """Side by side: each insurer's rate, indemnity, maximum liability, DCL, minimum and estimated premium."""
    request = get_quote_request(page.session, page.actor, request_id)
    return render(page.request, "quote_request.html", _request_context(page, request))


@router.post("/{quote_id}/accept", response_class=HTMLResponse)
def accept(quote_id: uuid.UUID, page: SignedIn) -> Response:
    """Accept a quote: the policy is issued and shown."""
    quote = get_quote(page.session, page.actor, quote_id)
    try:
        policy = accept_quote(page.session, page.actor, quote_id)
    except DomainError as error:
        request = get_quote_request(page.session, page.actor, quote.request_id)
        return refused(
            page,
            "quote_request.html",
            lambda: _request_context(page, request),
            field_errors(error),
            FormData(),
        )
    flash(page.request, f"Policy {policy.number} is issued and in force from {policy.period_start:%d %b %Y}.")
    return RedirectResponse(f"{POLICIES_PATH}/{policy.id}", status_code=303)


def _underwriter_action(page: Page, quote_id: uuid.UUID, form: FormData, action: str) -> Response:
    quote = get_quote(page.session, page.actor, quote_id)
    request_id = quote.request_id
    try:
        if action == "adjust":
            raw = text(form, "rate_adjustment_percent").strip()
            adjustment = None if not raw else to_decimal(raw, field="rate_adjustment") / 100
            adjust_quote(
                page.session,
                page.actor,
                quote_id,
                rate_adjustment=adjustment,
                note=text(form, "note") or None,
            )
            message = "The draft was priced again."
        elif action == "send":
            send_quote(page.session, page.actor, quote_id)
            message = "The quote was sent to the policyholder."
        else:
            refuse_quote(page.session, page.actor, quote_id, reason=text(form, "reason"))
            message = "The policyholder will see that you declined, and why."
    except DomainError as error:
        request = get_quote_request(page.session, page.actor, request_id)
        return refused(
            page, "quote_request.html", lambda: _request_context(page, request), field_errors(error), form
        )
    flash(page.request, message)
    return RedirectResponse(f"{QUOTES_PATH}/requests/{request_id}", status_code=303)


@router.post("/{quote_id}/adjust", response_class=HTMLResponse)
def adjust(quote_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Adjust a draft's rates (a percentage up or down) and note why."""
    return _underwriter_action(page, quote_id, form, "adjust")


@router.post("/{quote_id}/send", response_class=HTMLResponse)
def send(quote_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Send a draft to the policyholder."""
    return _underwriter_action(page, quote_id, form, "send")


@router.post("/{quote_id}/refuse", response_class=HTMLResponse)
def refuse(quote_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Decline to quote, with a reason."""
    return _underwriter_action(page, quote_id, form, "refuse")
