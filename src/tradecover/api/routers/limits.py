"""Credit limits: request, list, read, history, referral decisions, reductions, cancellations, the queue."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.limits import (
    ApprovalCreate,
    CancellationCreate,
    DeclineCreate,
    LimitEventOut,
    LimitOut,
    LimitQuery,
    LimitRequestCreate,
    ReductionCreate,
    WithdrawalCreate,
)
from tradecover.clock import get_clock
from tradecover.limits import changes, decisions, history, service

router = APIRouter(
    route_class=KeyFirstRoute, tags=["limits"], responses=error_responses(400, 401, 403, 404, 409, 422)
)


def _today() -> dt.date:
    return get_clock().today()


@router.post(
    "/limits", response_model=LimitOut, status_code=status.HTTP_201_CREATED, summary="Request a limit"
)
def request_limit(body: LimitRequestCreate, session: UnitOfWork, actor: CurrentActor) -> LimitOut:
    """Ask for cover on a buyer: approved, partly approved or declined at once by the rules, or referred."""
    limit = decisions.request_limit(session, actor, body.policy_id, body.buyer_id, body.amount.to_money())
    return LimitOut.of(limit, _today())


@router.get("/limits", response_model=list[LimitOut], summary="List limits")
def list_limits(
    session: UnitOfWork, actor: CurrentActor, query: Annotated[LimitQuery, Query()]
) -> list[LimitOut]:
    """The limits the caller's organisation holds or underwrites, newest first."""
    where = service.LimitFilter(policy_id=query.policy_id, buyer_id=query.buyer_id, status=query.status)
    today = _today()
    return [
        LimitOut.of(x, today)
        for x in service.list_limits(session, where, limit=query.limit, offset=query.offset)
    ]


@router.get("/limits/{limit_id}", response_model=LimitOut, summary="One limit")
def get_limit(
    limit_id: uuid.UUID,
    session: UnitOfWork,
    actor: CurrentActor,
    on: Annotated[
        dt.date | None, Query(description="The date of the amount in force (default today).")
    ] = None,
) -> LimitOut:
    """A limit, with the amount in force on a date (the old amount during a reduction's notice period)."""
    return LimitOut.of(history.get_limit(session, limit_id), on or _today())


@router.get("/limits/{limit_id}/history", response_model=list[LimitEventOut], summary="A limit's history")
def limit_history(limit_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> list[LimitEventOut]:
    """Every request, decision, approval, reduction and cancellation of the limit, oldest first."""
    limit = history.get_limit(session, limit_id)
    return [LimitEventOut.of(event, limit.currency) for event in limit.events]


@router.post("/limits/{limit_id}/approve", response_model=LimitOut, summary="Approve a referral")
def approve_referral(
    limit_id: uuid.UUID, body: ApprovalCreate, session: UnitOfWork, actor: CurrentActor
) -> LimitOut:
    """An underwriter of the insurer approves a referral (above the top band, two different ones)."""
    amount = body.amount.to_money() if body.amount else None
    limit = decisions.approve_referral(session, actor, limit_id, amount=amount, note=body.note)
    return LimitOut.of(limit, _today())


@router.post("/limits/{limit_id}/decline", response_model=LimitOut, summary="Decline a referral")
def decline_referral(
    limit_id: uuid.UUID, body: DeclineCreate, session: UnitOfWork, actor: CurrentActor
) -> LimitOut:
    """An underwriter of the insurer declines a referred limit with a reason."""
    return LimitOut.of(decisions.decline_referral(session, actor, limit_id, reason=body.reason), _today())


@router.post("/limits/{limit_id}/reduce", response_model=LimitOut, summary="Reduce a limit")
def reduce_limit(
    limit_id: uuid.UUID, body: ReductionCreate, session: UnitOfWork, actor: CurrentActor
) -> LimitOut:
    """The insurer lowers a limit, effective after the notice period."""
    limit = changes.reduce_limit(
        session, actor, limit_id, body.new_amount.to_money(), reason=body.reason, notice_days=body.notice_days
    )
    return LimitOut.of(limit, _today())


@router.post("/limits/{limit_id}/cancel", response_model=LimitOut, summary="Cancel a limit (insurer)")
def cancel_limit(
    limit_id: uuid.UUID, body: CancellationCreate, session: UnitOfWork, actor: CurrentActor
) -> LimitOut:
    """The insurer cancels a limit, effective after the notice period."""
    limit = changes.cancel_limit(session, actor, limit_id, reason=body.reason, notice_days=body.notice_days)
    return LimitOut.of(limit, _today())


@router.post("/limits/{limit_id}/withdraw", response_model=LimitOut, summary="Give up a limit (policyholder)")
def withdraw_limit(
    limit_id: uuid.UUID, body: WithdrawalCreate, session: UnitOfWork, actor: CurrentActor
) -> LimitOut:
    """The policyholder cancels its limit, or withdraws a referred request, at once."""
    limit = changes.cancel_limit_by_policyholder(session, actor, limit_id, reason=body.reason)
    return LimitOut.of(limit, _today())


@router.get("/underwriting/queue", response_model=list[LimitOut], summary="The referral queue")
def underwriter_queue(session: UnitOfWork, actor: CurrentActor) -> list[LimitOut]:
    """The referrals waiting for the caller's insurer, oldest first (underwriters)."""
    today = _today()
    return [LimitOut.of(x, today) for x in decisions.underwriter_queue(session, actor)]
