"""Financing pages: facilities (set up, assign, draw, repay, close), the borrowing base, assigned policies."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.clock import get_clock
from tradecover.errors import DomainError, ValidationError
from tradecover.financing import borrowing, drawings, facilities
from tradecover.financing.model import Facility, FacilityStatus
from tradecover.financing.rules import BorrowingBase, available
from tradecover.money import Money
from tradecover.parties.roles import Role
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import ASSIGNED_POLICIES_PATH, BORROWING_BASE_PATH, FACILITIES_PATH

router = APIRouter()

MAY_SEE = (Role.BANK_OFFICER, Role.POLICYHOLDER, Role.PLATFORM_ADMIN)


def _amount(form: FormData, name: str, currency: str) -> Money:
    raw = text(form, name).strip().replace(",", "")
    if not raw:
        raise ValidationError("enter an amount", field=name)
    try:
        return Money.of(raw, currency)
    except DomainError as error:
        raise ValidationError(error.message, field=name) from None


def _date(raw: str, name: str, default: dt.date | None = None) -> dt.date:
    raw = raw.strip()
    if not raw and default is not None:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError("enter a date as YYYY-MM-DD", field=name) from None


def _status(facility: Facility) -> str:
    if facility.status is FacilityStatus.CLOSED:
        return "closed"
    return "active" if facility.assigned_on is not None else "awaiting assignment"


def _row(page: Page, facility: Facility) -> dict[str, Any]:
    return {
        "facility": facility,
        "status": _status(facility),
        "policy": facilities.policy_of(page.session, facility),
        "outstanding": facilities.outstanding(page.session, facility),
    }


def _list_context(page: Page) -> dict[str, Any]:
    return {
        "rows": [_row(page, f) for f in facilities.list_facilities(page.session, page.actor)],
        "is_bank": page.actor.has(Role.BANK_OFFICER),
        "today": get_clock().today(),
    }


@router.get(FACILITIES_PATH, response_class=HTMLResponse)
def facilities_page(page: SignedIn) -> HTMLResponse:
    """The bank's facilities (and the set-up form), or the insured's facilities with its banks."""
    page.actor.require(*MAY_SEE)
    return render(page.request, "financing/facilities.html", _list_context(page))


@router.post(FACILITIES_PATH, response_class=HTMLResponse)
def set_up(page: SignedIn, form: PostedForm) -> Response:
    """A bank officer sets up a facility for the insured of a policy it names by number."""
    try:
        policy_id = facilities.policy_id_by_number(page.session, text(form, "policy_number"))
        policy_currency = facilities.currency_of_policy(page.session, policy_id)
        facility = facilities.create_facility(
            page.session,
            page.actor,
            policy_id=policy_id,
            limit=_amount(form, "limit", policy_currency),
            advance_rate=_advance_rate(text(form, "advance_rate")),
            starts_on=_date(text(form, "starts_on"), "starts_on"),
            matures_on=_date(text(form, "matures_on"), "matures_on"),
        )
    except DomainError as error:
        return refused(
            page, "financing/facilities.html", lambda: _list_context(page), field_errors(error), form
        )
    flash(page.request, f"Facility {facility.reference} set up; the insured now assigns the policy to it.")
    return RedirectResponse(f"{FACILITIES_PATH}/{facility.id}", status_code=303)


def _advance_rate(raw: str) -> Decimal:
    # People type percentages ("80" or "80%"); the service takes a fraction (0.8 stays 0.8).
    value = raw.strip().rstrip("%").strip()
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationError("enter a percentage such as 80", field="advance_rate") from None
    if not number.is_finite():
        raise ValidationError("enter a percentage such as 80", field="advance_rate")
    return number / 100 if number > 1 else number


def _facility_context(page: Page, facility_id: uuid.UUID) -> dict[str, Any]:
    facility = facilities.get_facility(page.session, facility_id)
    row = _row(page, facility)
    today = get_clock().today()
    base: BorrowingBase | None = None
    if facility.assigned_on is not None and facility.status is FacilityStatus.ACTIVE:
        base = borrowing.base_of(page.session, facility, today)
    owed = row["outstanding"]
    return {
        **row,
        "base": base,
        "available": available(outstanding=owed, base=base.base, limit=facility.limit) if base else None,
        "movements": drawings.movements_of(page.session, facility.id),
        "is_bank": page.actor.has(Role.BANK_OFFICER, Role.PLATFORM_ADMIN)
        and (page.actor.is_platform_admin or page.actor.organisation_id == facility.bank_id),
        "is_holder": page.actor.organisation_id == facility.policyholder_id,
        "today": today,
    }


@router.get(FACILITIES_PATH + "/{facility_id}", response_class=HTMLResponse)
def facility_page(facility_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """One facility: terms, outstanding, borrowing base today, drawings and repayments, and the forms."""
    page.actor.require(*MAY_SEE)
    return render(page.request, "financing/facility.html", _facility_context(page, facility_id))


def _act(page: Page, facility_id: uuid.UUID, form: FormData, action: str) -> Response:
    facility = facilities.get_facility(page.session, facility_id)
    try:
        if action == "draw":
            on = _date(text(form, "draw_on"), "on", get_clock().today())
            moved = drawings.draw(
                page.session, page.actor, facility_id, _amount(form, "draw_amount", facility.currency), on=on
            )
            message = f"Drew {moved.amount} under facility {facility.reference}."
        elif action == "repay":
            on = _date(text(form, "repay_on"), "on", get_clock().today())
            moved = drawings.repay(
                page.session, page.actor, facility_id, _amount(form, "repay_amount", facility.currency), on=on
            )
            message = f"Recorded a repayment of {moved.amount} under facility {facility.reference}."
        elif action == "assign":
            facilities.assign_policy(page.session, page.actor, facility_id)
            message = f"Your policy is assigned to facility {facility.reference}; the bank is loss payee."
        else:
            facilities.close_facility(page.session, page.actor, facility_id)
            message = f"Facility {facility.reference} closed; the policy's assignment is released."
    except DomainError as error:
        # The page has a drawing and a repayment form: the message goes to the field of the one sent.
        errors = {
            (f"{action}_{field}" if field in ("amount", "on") else field): message
            for field, message in field_errors(error).items()
        }
        return refused(
            page, "financing/facility.html", lambda: _facility_context(page, facility_id), errors, form
        )
    flash(page.request, message)
    return RedirectResponse(f"{FACILITIES_PATH}/{facility_id}", status_code=303)


@router.post(FACILITIES_PATH + "/{facility_id}/draw", response_class=HTMLResponse)
def draw(facility_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The bank draws under the facility (refused above the borrowing base)."""
    return _act(page, facility_id, form, "draw")


@router.post(FACILITIES_PATH + "/{facility_id}/repay", response_class=HTMLResponse)
def repay(facility_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The bank records a repayment."""
    return _act(page, facility_id, form, "repay")


@router.post(FACILITIES_PATH + "/{facility_id}/assign", response_class=HTMLResponse)
def assign(facility_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The insured assigns its policy to the facility."""
    return _act(page, facility_id, form, "assign")


@router.post(FACILITIES_PATH + "/{facility_id}/close", response_class=HTMLResponse)
def close(facility_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The bank closes a fully repaid facility."""
    return _act(page, facility_id, form, "close")


def _lines(base: BorrowingBase) -> list[dict[str, Any]]:
    def money(minor: int) -> Money:
        return Money.from_minor(minor, base.currency)

    return [
        {
            "line": line,
            "unpaid": money(line.receivable.unpaid_minor),
            "insured": money(line.receivable.insured_unpaid_minor),
            "counts": money(line.eligible_minor),
        }
        for line in base.lines
    ]


@router.get(BORROWING_BASE_PATH, response_class=HTMLResponse)
def borrowing_base_page(page: SignedIn, facility_id: str = "", on: str = "") -> HTMLResponse:
    """The borrowing base of a facility on a date, receivable by receivable, with why each is in or out."""
    page.actor.require(*MAY_SEE)
    today = get_clock().today()
    choices = [f for f in facilities.list_facilities(page.session, page.actor) if f.assigned_on is not None]
    errors: dict[str, str] = {}
    chosen: Facility | None = None
    base: BorrowingBase | None = None
    day = today
    try:
        day = _date(on, "on", today)
        if facility_id:
            chosen = facilities.get_facility(page.session, uuid.UUID(facility_id))
        elif choices:
            chosen = choices[0]
        if chosen is not None:
            base = borrowing.facility_borrowing_base(page.session, page.actor, chosen.id, on=day)
    except ValueError:
        errors = {"facility_id": "choose a facility"}
    except DomainError as error:
        errors = field_errors(error)
    owed = facilities.outstanding(page.session, chosen) if chosen is not None else None
    context = {
        "choices": [(str(f.id), f"{f.reference} · {f.limit}") for f in choices],
        "chosen": chosen,
        "base": base,
        "lines": _lines(base) if base is not None else [],
        "outstanding": owed,
        "available": available(outstanding=owed, base=base.base, limit=chosen.limit)
        if base is not None and chosen is not None and owed is not None
        else None,
        "values": {"facility_id": str(chosen.id) if chosen else "", "on": day.isoformat()},
        "errors": errors,
        "today": today,
    }
    return render(page.request, "financing/borrowing_base.html", context, status=422 if errors else 200)


@router.get(ASSIGNED_POLICIES_PATH, response_class=HTMLResponse)
def assigned_policies(page: SignedIn) -> HTMLResponse:
    """The policies assigned to the bank: the loss-payee endorsements it holds."""
    page.actor.require(Role.BANK_OFFICER, Role.PLATFORM_ADMIN)
    policies = facilities.assigned_policies(page.session, page.actor)
    return render(page.request, "financing/policies.html", {"policies": policies})
