"""The buyer registry pages: search and register buyers, a buyer's grades and history, regrading."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.buyers.grades import MAY_CHANGE_GRADES, buyer_grade_history, country_grade, country_grades
from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.buyers.service import (
    MAY_REGISTER_BUYERS,
    BuyerSearch,
    get_buyer,
    register_buyer,
    search_buyers,
)
from tradecover.errors import DomainError, ValidationError
from tradecover.limits.service import regrade_buyer
from tradecover.money import Money, to_decimal
from tradecover.reference.countries import country_grade_pd, get_country
from tradecover.reference.grades import all_buyer_grades, get_buyer_grade
from tradecover.reference.sectors import all_sectors, get_sector
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import BUYERS_PATH

router = APIRouter(prefix=BUYERS_PATH)

PAGE_SIZE = 25
KIND_TITLES: dict[BuyerKind, str] = {
    BuyerKind.COMPANY: "Company",
    BuyerKind.LOCAL_GOVERNMENT: "Local government",
    BuyerKind.STATE_OWNED_ENTERPRISE: "State-owned enterprise",
}
SEARCH_FIELDS = ("name", "country", "registration_number", "kind", "grade_min", "grade_max")


def _whole_number(raw: str, field: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError("must be a whole number", field=field)
    return int(raw)


def _percent(value: Decimal) -> str:
    return f"{value * 100:.2f}%"


def _registry_context(page: Page) -> dict[str, Any]:
    return {
        "kinds": [(kind.value, KIND_TITLES[kind]) for kind in BuyerKind],
        "kind_titles": KIND_TITLES,
        "grades": [(str(g.grade), f"{g.grade} · {g.label}") for g in all_buyer_grades()],
        "sectors": [(s.code, s.name) for s in all_sectors()],
        "may_register": page.actor.has(*MAY_REGISTER_BUYERS),
    }


def _search_context(page: Page, criteria: dict[str, str]) -> dict[str, Any]:
    context = _registry_context(page)
    try:
        search = BuyerSearch(
            name=criteria["name"] or None,
            country=criteria["country"] or None,
            registration_number=criteria["registration_number"] or None,
            kind=criteria["kind"] or None,
            grade_min=_whole_number(criteria["grade_min"], "grade_min"),
            grade_max=_whole_number(criteria["grade_max"], "grade_max"),
        )
        number = _whole_number(criteria["page"], "page") or 1
        found = search_buyers(page.session, search, page=number, page_size=PAGE_SIZE)
    except DomainError as error:
        return {**context, "found": None, "search_errors": field_errors(error), "criteria": criteria}
    query = "&".join(f"{k}={criteria[k]}" for k in SEARCH_FIELDS if criteria[k])
    return {
        **context,
        "found": found,
        "country_grades": country_grades(page.session),
        "criteria": criteria,
        "search_errors": {},
        "query": query,
    }


@router.get("", response_class=HTMLResponse)
def buyers(page: SignedIn) -> HTMLResponse:
    """Search the shared buyer registry; underwriters and policyholders may register a buyer."""
    params = page.request.query_params
    criteria = {name: params.get(name, "").strip() for name in (*SEARCH_FIELDS, "page")}
    return render(page.request, "buyers.html", _search_context(page, criteria))


def _annual_sales(raw: str) -> Money | None:
    if not raw.strip():
        return None
    try:
        return Money.of(to_decimal(raw, field="annual_sales"), "USD")
    except ValidationError as error:
        raise ValidationError(error.message, field="annual_sales") from None


def _register(page: Page, form: FormData) -> Buyer:
    grade = _whole_number(text(form, "grade"), "grade")
    if grade is None:
        raise ValidationError("choose the buyer's grade", field="grade")
    return register_buyer(
        page.session,
        page.actor,
        name=text(form, "name"),
        country=text(form, "country"),
        registration_number=text(form, "registration_number"),
        kind=text(form, "kind"),
        sector=text(form, "sector"),
        grade=grade,
        city=text(form, "city").strip() or None,
        annual_sales=_annual_sales(text(form, "annual_sales")),
    )


@router.post("", response_class=HTMLResponse)
def register(page: SignedIn, form: PostedForm) -> Response:
    """Register a buyer; a refused form comes back with its messages and nothing is saved."""
    page.actor.require(*MAY_REGISTER_BUYERS)
    try:
        buyer = _register(page, form)
    except DomainError as error:
        empty = dict.fromkeys((*SEARCH_FIELDS, "page"), "")
        return refused(page, "buyers.html", lambda: _search_context(page, empty), field_errors(error), form)
    flash(page.request, f"{buyer.name} was added to the buyer registry.")
    return RedirectResponse(f"{BUYERS_PATH}/{buyer.id}", status_code=303)


def _buyer_context(page: Page, buyer_id: uuid.UUID) -> dict[str, Any]:
    buyer = get_buyer(page.session, buyer_id)
    grade = get_buyer_grade(buyer.grade)
    country = get_country(buyer.country)
    in_force = country_grade(page.session, buyer.country)
    return {
        "buyer": buyer,
        "kind_title": KIND_TITLES[buyer.kind],
        "sector": get_sector(buyer.sector).name,
        "grade": grade,
        "grade_pd": _percent(grade.pd),
        "country_grade": in_force,
        "country_reference_grade": country.grade,
        "country_pd": _percent(country_grade_pd(in_force)),
        "annual_sales": (
            Money.from_minor(buyer.annual_sales_usd_minor, "USD")
            if buyer.annual_sales_usd_minor is not None
            else None
        ),
        "history": buyer_grade_history(page.session, buyer.id),
        "grades": [(str(g.grade), f"{g.grade} · {g.label}") for g in all_buyer_grades()],
        "may_regrade": page.actor.has(*MAY_CHANGE_GRADES),
    }


@router.get("/{buyer_id}", response_class=HTMLResponse)
def buyer(page: SignedIn, buyer_id: uuid.UUID) -> HTMLResponse:
    """One buyer: its grade and PD, its country's grade, its grade history and the regrade form."""
    return render(page.request, "buyer.html", _buyer_context(page, buyer_id))


@router.post("/{buyer_id}/grade", response_class=HTMLResponse)
def regrade(page: SignedIn, buyer_id: uuid.UUID, form: PostedForm) -> Response:
    """Change the buyer's grade with a reason; every organisation holding a limit on it is alerted."""
    page.actor.require(*MAY_CHANGE_GRADES)
    found = get_buyer(page.session, buyer_id)
    try:
        grade = _whole_number(text(form, "grade"), "grade")
        if grade is None:
            raise ValidationError("choose the new grade", field="grade")
        change = regrade_buyer(page.session, page.actor, found.id, grade=grade, reason=text(form, "reason"))
    except DomainError as error:
        return refused(page, "buyer.html", lambda: _buyer_context(page, buyer_id), field_errors(error), form)
    flash(page.request, f"{found.name} is now grade {change.new_grade} (was {change.old_grade}).")
    return RedirectResponse(f"{BUYERS_PATH}/{found.id}", status_code=303)
