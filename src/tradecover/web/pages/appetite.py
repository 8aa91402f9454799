"""Appetite & capacity (insurer admin): the countries and sectors the insurer refers or declines, and its
capacity in total, per country and per sector; each line added, changed or removed on one page."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.errors import BusinessRuleViolation, Conflict, DomainError, ValidationError
from tradecover.limits import appetite as service
from tradecover.limits.rules import AppetiteAction, AppetiteKind, CapacityScope
from tradecover.money import Money
from tradecover.reference.countries import get_country
from tradecover.reference.sectors import all_sectors, get_sector
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import FORM_ERROR, refused
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import APPETITE_PATH

router = APIRouter(prefix=APPETITE_PATH)

KINDS = [(AppetiteKind.COUNTRY.value, "Country"), (AppetiteKind.SECTOR.value, "Sector")]
ACTIONS = [(AppetiteAction.REFER.value, "Refer to an underwriter"), (AppetiteAction.DECLINE.value, "Decline")]
SCOPES = [
    (CapacityScope.TOTAL.value, "Total"),
    (CapacityScope.COUNTRY.value, "Country"),
    (CapacityScope.SECTOR.value, "Sector"),
]
# The add-capacity form names its key field apart from the add-rule form's, so a message lands on its form.
_CAPACITY_FIELDS = {"key": "capacity_key", "amount": "capacity_amount", "scope": "scope"}


def _place(kind: str, key: str) -> str:
    """A line's country or sector in words: 'United States (US)', 'Construction', 'Total'."""
    if kind == "total":
        return "Total"
    try:
        if kind == "country":
            return f"{get_country(key).name} ({key})"
        return get_sector(key).name
    except DomainError:
        return key


def _context(page: Page) -> dict[str, Any]:
    rules = service.list_appetite(page.session, page.actor)
    capacities = service.list_capacities(page.session, page.actor)
    return {
        "rules": [(rule, _place(rule.kind.value, rule.key)) for rule in rules],
        "capacities": [(capacity, _place(capacity.scope.value, capacity.key)) for capacity in capacities],
        "kinds": KINDS,
        "actions": ACTIONS,
        "scopes": SCOPES,
        "sectors": all_sectors(),
    }


@router.get("", response_class=HTMLResponse)
def appetite_page(page: SignedIn) -> HTMLResponse:
    """The insurer's appetite rules and capacities, with the forms to change them."""
    context = _context(page)
    return render(page.request, "appetite.html", {**context, "errors": {}, "values": {}})


def _usd(form: FormData, name: str, *, optional: bool = False) -> Money | None:
    raw = text(form, name).strip().replace(",", "")
    if not raw and optional:
        return None
    if not raw:
        raise ValidationError("enter an amount in USD", field=name)
    try:
        return Money.of(raw, "USD")
    except _REFUSALS as error:
        raise ValidationError(error.message, field=name) from None


# What a form may get wrong; another insurer's line (not found) or a missing role shows the error page.
_REFUSALS = (ValidationError, Conflict, BusinessRuleViolation)


def _again(page: Page, form: FormData, errors: dict[str, str]) -> HTMLResponse:
    return refused(page, "appetite.html", lambda: _context(page), errors, form)


@router.post("/rules", response_class=HTMLResponse)
def add_rule(page: SignedIn, form: PostedForm) -> Response:
    """Add an appetite rule."""
    try:
        rule = service.add_appetite(
            page.session,
            page.actor,
            text(form, "kind"),
            text(form, "key"),
            text(form, "action"),
            _usd(form, "max_total", optional=True),
        )
    except _REFUSALS as error:
        return _again(page, form, {error.field or FORM_ERROR: error.message})
    flash(page.request, f"{_place(rule.kind.value, rule.key)}: the rule applies to requests from now on.")
    return RedirectResponse(APPETITE_PATH, status_code=303)


def _line_error(label: str, error: DomainError) -> dict[str, str]:
    return {FORM_ERROR: f"{label}: {error.field + ' ' if error.field else ''}{error.message}"}


@router.post("/rules/{rule_id}", response_class=HTMLResponse)
def change_rule(rule_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Change a rule's action and total."""
    try:
        rule = service.change_appetite(
            page.session,
            page.actor,
            rule_id,
            text(form, "action"),
            _usd(form, "max_total", optional=True),
        )
    except _REFUSALS as error:
        return _again(page, form, _line_error("The rule was not changed", error))
    flash(page.request, f"{_place(rule.kind.value, rule.key)}: the rule is changed.")
    return RedirectResponse(APPETITE_PATH, status_code=303)


@router.post("/rules/{rule_id}/remove", response_class=HTMLResponse)
def remove_rule(rule_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Remove a rule."""
    try:
        service.remove_appetite(page.session, page.actor, rule_id)
    except _REFUSALS as error:
        return _again(page, form, _line_error("The rule was not removed", error))
    flash(page.request, "The rule is removed.")
    return RedirectResponse(APPETITE_PATH, status_code=303)


@router.post("/capacities", response_class=HTMLResponse)
def add_capacity(page: SignedIn, form: PostedForm) -> Response:
    """Add a capacity."""
    try:
        amount = _usd(form, "capacity_amount")
        assert amount is not None
        scope = text(form, "scope")
        key = "" if scope == CapacityScope.TOTAL.value else text(form, "capacity_key")
        capacity = service.add_capacity(page.session, page.actor, scope, key, amount)
    except _REFUSALS as error:
        field = _CAPACITY_FIELDS.get(error.field or "", error.field or FORM_ERROR)
        return _again(page, form, {field: error.message})
    flash(page.request, f"{_place(capacity.scope.value, capacity.key)}: capacity {capacity.amount_usd} set.")
    return RedirectResponse(APPETITE_PATH, status_code=303)


@router.post("/capacities/{capacity_id}", response_class=HTMLResponse)
def change_capacity(capacity_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Change a capacity's amount, never below what limits take of it."""
    try:
        amount = _usd(form, "amount")
        assert amount is not None
        capacity = service.change_capacity(page.session, page.actor, capacity_id, amount)
    except _REFUSALS as error:
        return _again(page, form, _line_error("The capacity was not changed", error))
    flash(page.request, f"{_place(capacity.scope.value, capacity.key)}: capacity {capacity.amount_usd} set.")
    return RedirectResponse(APPETITE_PATH, status_code=303)


@router.post("/capacities/{capacity_id}/remove", response_class=HTMLResponse)
def remove_capacity(capacity_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Remove a capacity."""
    try:
        service.remove_capacity(page.session, page.actor, capacity_id)
    except _REFUSALS as error:
        return _again(page, form, _line_error("The capacity was not removed", error))
    flash(page.request, "The capacity is removed.")
    return RedirectResponse(APPETITE_PATH, status_code=303)
