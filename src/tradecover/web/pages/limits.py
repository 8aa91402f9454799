"""Credit limit pages: the policyholder's "Buyer limits", one limit with its history, the referral queue."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.buyers.service import find_buyers
from tradecover.clock import get_clock
from tradecover.coinsurance.service import administers
from tradecover.errors import DomainError, ValidationError
from tradecover.limits.changes import cancel_limit, cancel_limit_by_policyholder, reduce_limit
from tradecover.limits.decisions import approve_referral, decline_referral, request_limit, underwriter_queue
from tradecover.limits.history import get_limit, in_force_on
from tradecover.limits.model import COVERING_STATUSES, CreditLimit, LimitStatus
from tradecover.limits.service import LimitFilter, list_limits
from tradecover.money import Money
from tradecover.parties.roles import Role
from tradecover.policies.model import PolicyStatus
from tradecover.policies.service import list_policies
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import LIMITS_PATH, REFERRALS_PATH

router = APIRouter()

STATUS_BADGES = {
    LimitStatus.APPROVED: "badge-ok",
    LimitStatus.PARTLY_APPROVED: "badge-ok",
    LimitStatus.REDUCED: "badge-ok",
}
LISTED = 200


def _row(limit: CreditLimit, today: dt.date) -> dict[str, Any]:
    return {
        "limit": limit,
        "status": limit.status.value.replace("_", " "),
        "badge": STATUS_BADGES.get(limit.status, "badge-muted"),
        "in_force": in_force_on(limit, today),
        "is_live": limit.status in (*COVERING_STATUSES, LimitStatus.REFERRED),
    }


def _amount(form: FormData, name: str, currency: str) -> Money:
    raw = text(form, name).strip()
    if not raw:
        raise ValidationError("enter an amount", field=name)
    try:
        return Money.of(raw, currency)
    except DomainError as error:
        raise ValidationError(error.message, field=name) from None


def _uuid(form: FormData, name: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(text(form, name).strip())
    except ValueError:
        raise ValidationError(f"choose a {what}", field=name) from None


def _limits_context(page: Page, query: str = "") -> dict[str, Any]:
    today = get_clock().today()
    is_holder = page.actor.has(Role.POLICYHOLDER)
    policies = (
        [p for p in list_policies(page.session, page.actor, status=PolicyStatus.IN_FORCE)]
        if is_holder
        else []
    )
    buyers = find_buyers(page.session, name=query or None, limit=50) if is_holder else []
    return {
        "rows": [_row(x, today) for x in list_limits(page.session, LimitFilter(), limit=LISTED)],
        "today": today,
        "is_holder": is_holder,
        "policies": [(str(p.id), f"{p.number} ({p.currency})") for p in policies],
        "buyers": [(str(b.id), f"{b.name} · {b.country} · grade {b.grade}") for b in buyers],
        "query": query,
    }


@router.get(LIMITS_PATH, response_class=HTMLResponse)
def limits(page: SignedIn, q: str = "", buyer_id: str = "") -> HTMLResponse:
    """The organisation's limits (status, reason, amount in force, review date) and the request form."""
    page.actor.require(Role.POLICYHOLDER, Role.UNDERWRITER, Role.INSURER_ADMIN)
    context = _limits_context(page, q.strip()[:100])
    context["values"] = {"buyer_id": buyer_id}
    return render(page.request, "limits.html", context)


@router.post(LIMITS_PATH, response_class=HTMLResponse)
def ask_for_limit(page: SignedIn, form: PostedForm) -> Response:
    """Request a limit: the decision (or referral) is shown at once with its reason."""
    try:
        policy_id = _uuid(form, "policy_id", "policy")
        buyer_id = _uuid(form, "buyer_id", "buyer")
        currency = text(form, "currency").strip().upper() or "USD"
        limit = request_limit(
            page.session, page.actor, policy_id, buyer_id, _amount(form, "amount", currency)
        )
    except DomainError as error:
        return refused(page, "limits.html", lambda: _limits_context(page), field_errors(error), form)
    kind = "success" if limit.status in COVERING_STATUSES or limit.status is LimitStatus.REFERRED else "error"
    flash(page.request, f"Limit {limit.reference} on {limit.buyer.name}: {limit.reason}", kind=kind)
    return RedirectResponse(f"{LIMITS_PATH}/{limit.id}", status_code=303)


def _limit_context(page: Page, limit: CreditLimit) -> dict[str, Any]:
    today = get_clock().today()
    is_insurer = administers(page.session, page.actor.organisation_id, limit.insurer_id)
    return {
        **_row(limit, today),
        "events": [
            {
                "event": event,
                "amount": None
                if event.amount_minor is None
                else Money.from_minor(event.amount_minor, limit.currency),
            }
            for event in reversed(limit.events)
        ],
        "is_holder": page.actor.organisation_id == limit.policyholder_id,
        "may_decide": is_insurer
        and page.actor.has(Role.UNDERWRITER)
        and limit.status is LimitStatus.REFERRED,
        "may_cut": is_insurer
        and page.actor.has(Role.UNDERWRITER, Role.INSURER_ADMIN)
        and limit.status in COVERING_STATUSES,
        "first_approval_by_me": limit.first_approver_user_id == page.actor.user_id,
    }


@router.get(LIMITS_PATH + "/{limit_id}", response_class=HTMLResponse)
def limit_page(limit_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """One limit: its decision and reason, the amount in force today, and its whole history."""
    return render(page.request, "limit.html", _limit_context(page, get_limit(page.session, limit_id)))


def _back(form: FormData, limit_id: uuid.UUID) -> str:
    target = text(form, "next")
    # Only back to our own pages: never an address from elsewhere.
    if target == REFERRALS_PATH:
        return target
    return f"{LIMITS_PATH}/{limit_id}"


def _act(page: Page, limit_id: uuid.UUID, form: FormData, action: str) -> Response:
    limit = get_limit(page.session, limit_id)
    try:
        if action == "approve":
            raw = text(form, "amount").strip()
            amount = _amount(form, "amount", limit.currency) if raw else None
            approve_referral(page.session, page.actor, limit_id, amount=amount, note=text(form, "note"))
        elif action == "decline":
            decline_referral(page.session, page.actor, limit_id, reason=text(form, "reason"))
        elif action == "reduce":
            reduce_limit(
                page.session,
                page.actor,
                limit_id,
                _amount(form, "new_amount", limit.currency),
                reason=text(form, "reason"),
            )
        elif action == "cancel":
            cancel_limit(page.session, page.actor, limit_id, reason=text(form, "reason"))
        else:
            cancel_limit_by_policyholder(page.session, page.actor, limit_id, reason=text(form, "reason"))
    except DomainError as error:
        if text(form, "next") == REFERRALS_PATH:
            return refused(page, "referrals.html", lambda: _queue_context(page), field_errors(error), form)
        return refused(
            page,
            "limit.html",
            lambda: _limit_context(page, get_limit(page.session, limit_id)),
            field_errors(error),
            form,
        )
    flash(page.request, f"Limit {limit.reference} on {limit.buyer.name}: {limit.reason}")
    return RedirectResponse(_back(form, limit_id), status_code=303)


@router.post(LIMITS_PATH + "/{limit_id}/approve", response_class=HTMLResponse)
def approve(limit_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """An underwriter approves a referral (the whole amount, or less)."""
    return _act(page, limit_id, form, "approve")


@router.post(LIMITS_PATH + "/{limit_id}/decline", response_class=HTMLResponse)
def decline(limit_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """An underwriter declines a referral with a reason."""
    return _act(page, limit_id, form, "decline")


@router.post(LIMITS_PATH + "/{limit_id}/reduce", response_class=HTMLResponse)
def reduce(limit_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The insurer reduces a limit with the policy's notice."""
    return _act(page, limit_id, form, "reduce")


@router.post(LIMITS_PATH + "/{limit_id}/cancel", response_class=HTMLResponse)
def cancel(limit_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The insurer cancels a limit with the policy's notice."""
    return _act(page, limit_id, form, "cancel")


@router.post(LIMITS_PATH + "/{limit_id}/withdraw", response_class=HTMLResponse)
def withdraw(limit_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The policyholder gives up a limit or withdraws a referred request."""
    return _act(page, limit_id, form, "withdraw")


def _queue_context(page: Page) -> dict[str, Any]:
    today = get_clock().today()
    rows = []
    for limit in underwriter_queue(page.session, page.actor):
        row = _row(limit, today)
        row["age_days"] = (today - limit.requested_on).days
        row["first_approval_by_me"] = limit.first_approver_user_id == page.actor.user_id
        rows.append(row)
    return {"rows": rows, "today": today}


@router.get(REFERRALS_PATH, response_class=HTMLResponse)
def referrals(page: SignedIn) -> HTMLResponse:
    """The referral queue: oldest first, with approve and decline (a second approver above the top band)."""
    return render(page.request, "referrals.html", _queue_context(page))
