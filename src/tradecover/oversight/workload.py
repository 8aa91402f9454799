"""An insurer's workload: limits referred to its underwriters, quotes to answer, claims waiting at each step,
and overdues reported on its policies (open until withdrawn or claimed).

Each queue counts what arrived in the period and what was waiting at the period's end, from the dates
stored (a limit referred and not decided by then; a claim filed and not complete, complete and not
decided, approved and not wholly paid by then). Quotes keep no date of their answer beyond the sending,
so a quote counts as waiting at the period's end when it was asked for by then and was still a draft then
or sent later; a refused quote counts as answered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from tradecover.claims.model import Claim, ClaimOutcome
from tradecover.claims.overdue_model import Overdue
from tradecover.limits.model import CreditLimit, LimitEvent, LimitEventKind
from tradecover.oversight.claims import within
from tradecover.oversight.period import Period
from tradecover.oversight.scope import EXEMPT, Scope
from tradecover.policies.model import Quote, QuoteRequest, QuoteRequestStatus, QuoteStatus


@dataclass(frozen=True, slots=True)
class Queue:
    """One kind of work: how much arrived in the period and how much waited at its end."""

    key: str
    label: str
    arrived: int
    waiting: int


def _count(session: Session, query: object) -> int:
    return int(session.scalar(query.execution_options(**EXEMPT)) or 0)  # type: ignore[attr-defined]


def _limits(session: Session, scope: Scope, period: Period) -> Queue:
    referred = LimitEvent.kind == LimitEventKind.REFERRED
    arrived = (
        select(func.count(func.distinct(LimitEvent.limit_id)))
        .join(CreditLimit, CreditLimit.id == LimitEvent.limit_id)
        .where(referred, within(LimitEvent.effective_on, period), scope.restrict(CreditLimit.policy_id))
    )
    day = period.end
    was_referred = exists().where(
        LimitEvent.limit_id == CreditLimit.id, referred, LimitEvent.effective_on <= day
    )
    waiting = select(func.count(CreditLimit.id)).where(
        was_referred,
        or_(CreditLimit.decided_on.is_(None), CreditLimit.decided_on > day),
        or_(CreditLimit.ends_on.is_(None), CreditLimit.ends_on > day),
        scope.restrict(CreditLimit.policy_id),
    )
    return Queue(
        "limits-referred",
        "Limit requests referred to an underwriter",
        _count(session, arrived),
        _count(session, waiting),
    )


def _quotes(session: Session, scope: Scope, period: Period) -> Queue:
    mine = Quote.insurer_id.in_(scope.insurer_ids or ())
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    arrived = select(func.count(Quote.id)).where(mine, Quote.created_at >= start, Quote.created_at < end)
    unanswered = or_(
        and_(Quote.status == QuoteStatus.DRAFT, Quote.decided_at.is_(None)),
        Quote.sent_at >= end,
    )
    open_request = select(QuoteRequest.id).where(QuoteRequest.status == QuoteRequestStatus.OPEN)
    waiting = select(func.count(Quote.id)).where(
        mine,
        Quote.created_at < end,
        unanswered,
        or_(Quote.request_id.in_(open_request), Quote.sent_at >= end),
    )
    return Queue("quotes", "Quote requests to answer", _count(session, arrived), _count(session, waiting))


def _claims(session: Session, scope: Scope, period: Period) -> list[Queue]:
    day = period.end
    mine = scope.restrict(Claim.policy_id)

    def count(*where: ColumnElement[bool]) -> int:
        return _count(session, select(func.count(Claim.id)).where(mine, *where))

    documents = Queue(
        "claims-documents",
        "Claims awaiting complete documents",
        count(within(Claim.filed_on, period)),
        count(
            Claim.filed_on <= day,
            or_(Claim.documents_complete_on.is_(None), Claim.documents_complete_on > day),
            or_(Claim.decided_on.is_(None), Claim.decided_on > day),
        ),
    )
    decision = Queue(
        "claims-decision",
        "Claims awaiting a decision",
        count(within(Claim.documents_complete_on, period)),
        count(Claim.documents_complete_on <= day, or_(Claim.decided_on.is_(None), Claim.decided_on > day)),
    )
    approved = (Claim.outcome != ClaimOutcome.REJECTED, Claim.indemnity_minor > 0)
    payment = Queue(
        "claims-payment",
        "Claims approved, awaiting payment",
        count(within(Claim.decided_on, period), *approved),
        count(Claim.decided_on <= day, *approved, or_(Claim.paid_on.is_(None), Claim.paid_on > day)),
    )
    return [documents, decision, payment]


def _overdues(session: Session, scope: Scope, period: Period) -> Queue:
    day, mine = period.end, scope.restrict(Overdue.policy_id)
    reported = select(func.count(Overdue.id)).where(within(Overdue.reported_on, period), mine)
    still_open = select(func.count(Overdue.id)).where(
        Overdue.reported_on <= day,
        or_(Overdue.withdrawn_on.is_(None), Overdue.withdrawn_on > day),
        or_(Overdue.claimed_on.is_(None), Overdue.claimed_on > day),
        mine,
    )
    return Queue(
        "overdues",
        "Overdues reported, not withdrawn or claimed",
        _count(session, reported),
        _count(session, still_open),
    )


def workload(session: Session, scope: Scope, period: Period) -> tuple[Queue, ...]:
    """The insurer's queues over the period: limits, quotes, claims at each step, overdues reported."""
    return (
        _limits(session, scope, period),
        _quotes(session, scope, period),
        *_claims(session, scope, period),
        _overdues(session, scope, period),
    )
