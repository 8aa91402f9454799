"""Quote requests and quotes: ask every insurer at once, compare, adjust and send, accept one."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.policies import (
    PolicyOut,
    QuoteAdjustment,
    QuoteOut,
    QuoteRefusal,
    QuoteRequestCreate,
    QuoteRequestOut,
)
from tradecover.parties.actor import Actor
from tradecover.policies import quotes as service
from tradecover.policies.model import Quote, QuoteRequestStatus
from tradecover.policies.terms import PolicyTerms

router = APIRouter(
    route_class=KeyFirstRoute, tags=["quotes"], responses=error_responses(400, 401, 403, 404, 422)
)


def _quote_out(session: Session, quote: Quote) -> QuoteOut:
    return QuoteOut.of(quote, service.organisation_names(session, [quote.insurer_id]))


def _request_out(session: Session, actor: Actor, request_id: uuid.UUID) -> QuoteRequestOut:
    request = service.get_quote_request(session, actor, request_id)
    return QuoteRequestOut.of(request, service.organisation_names(session, [request.policyholder_id]))


@router.post(
    "/quote-requests",
    response_model=QuoteRequestOut,
    status_code=status.HTTP_201_CREATED,
    summary="Ask every insurer for a quote",
)
def create_quote_request(
    body: QuoteRequestCreate, session: UnitOfWork, actor: CurrentActor
) -> QuoteRequestOut:
    """One request (policyholder): every insurer that writes the product kind answers at once."""
    currency = body.currency.upper()
    request = service.submit_quote_request(
        session,
        actor,
        product_kind=body.product_kind,
        currency=currency,
        turnover=[service.TurnoverLine(line.country, line.turnover.to_money()) for line in body.turnover],
        period_start=body.period_start,
        period_end=body.period_end,
        typical_credit_days=body.typical_credit_days,
        named_buyer_ids=body.named_buyer_ids,
    )
    return _request_out(session, actor, request.id)


@router.get("/quote-requests", response_model=list[QuoteRequestOut], summary="List quote requests")
def list_quote_requests(
    session: UnitOfWork, actor: CurrentActor, status: QuoteRequestStatus | None = None
) -> list[QuoteRequestOut]:
    """The caller's requests (policyholder) or those it was invited to answer (insurer), newest first."""
    requests = service.list_quote_requests(session, actor, status=status)
    names = service.organisation_names(session, [r.policyholder_id for r in requests])
    return [QuoteRequestOut.of(r, names) for r in requests]


@router.get("/quote-requests/{quote_request_id}", response_model=QuoteRequestOut, summary="One quote request")
def get_quote_request(
    quote_request_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor
) -> QuoteRequestOut:
    """A request the caller made or was invited to answer."""
    return _request_out(session, actor, quote_request_id)


@router.post(
    "/quote-requests/{quote_request_id}/withdraw",
    response_model=QuoteRequestOut,
    summary="Withdraw a request",
)
def withdraw_quote_request(
    quote_request_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor
) -> QuoteRequestOut:
    """Withdraw an open request (its policyholder); the quotes still open close as not taken."""
    service.withdraw_quote_request(session, actor, quote_request_id)
    return _request_out(session, actor, quote_request_id)


@router.get(
    "/quote-requests/{quote_request_id}/quotes",
    response_model=list[QuoteOut],
    summary="The answers to a request",
)
def list_quotes(quote_request_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> list[QuoteOut]:
    """Side by side for the policyholder (drafts hidden); an insurer sees only its own answer."""
    quotes = service.list_quotes(session, actor, quote_request_id)
    names = service.organisation_names(session, [q.insurer_id for q in quotes])
    return [QuoteOut.of(q, names) for q in quotes]


@router.get("/quotes/{quote_id}", response_model=QuoteOut, summary="One quote")
def get_quote(quote_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> QuoteOut:
    """A quote of the caller's insurer, or one sent to the caller."""
    return _quote_out(session, service.get_quote(session, actor, quote_id))


@router.post("/quotes/{quote_id}/adjust", response_model=QuoteOut, summary="Adjust a draft quote")
def adjust_quote(
    quote_id: uuid.UUID, body: QuoteAdjustment, session: UnitOfWork, actor: CurrentActor
) -> QuoteOut:
    """Change a draft's rate loading or terms (the quoting insurer's underwriter); it is priced again."""
    quote = service.adjust_quote(
        session,
        actor,
        quote_id,
        rate_adjustment=None if body.rate_adjustment is None else Decimal(body.rate_adjustment),
        terms=None if body.terms is None else PolicyTerms.from_json(body.terms),
        note=body.note,
    )
    return _quote_out(session, quote)


@router.post("/quotes/{quote_id}/send", response_model=QuoteOut, summary="Send a draft quote")
def send_quote(quote_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> QuoteOut:
    """Send a draft to the policyholder (the quoting insurer's underwriter)."""
    return _quote_out(session, service.send_quote(session, actor, quote_id))


@router.post("/quotes/{quote_id}/refuse", response_model=QuoteOut, summary="Decline to quote")
def refuse_quote(
    quote_id: uuid.UUID, body: QuoteRefusal, session: UnitOfWork, actor: CurrentActor
) -> QuoteOut:
    """Decline a draft with a reason the policyholder reads."""
    return _quote_out(session, service.refuse_quote(session, actor, quote_id, reason=body.reason))


@router.post(
    "/quotes/{quote_id}/accept",
    response_model=PolicyOut,
    status_code=status.HTTP_201_CREATED,
    summary="Accept a quote: the policy is issued",
)
def accept_quote(quote_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> PolicyOut:
    """Accept a sent quote (the requesting policyholder); the others close as not taken."""
    policy = service.accept_quote(session, actor, quote_id)
    return PolicyOut.of(
        policy, service.organisation_names(session, [policy.policyholder_id, policy.insurer_id])
    )
