"""Settling claims: members' payments (Idempotency-Key), recoveries, closing, and claim service levels."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, status

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.claim_payments import (
    CloseIn,
    MemberPaymentOut,
    PaymentIn,
    RecoveryIn,
    RecoveryOut,
    ServiceLevelOut,
    ServiceLevelQuery,
    SettlementOut,
)
from tradecover.claims import recoveries, service_levels, settlement
from tradecover.clock import get_clock
from tradecover.errors import ValidationError

router = APIRouter(
    route_class=KeyFirstRoute, tags=["claims"], responses=error_responses(400, 401, 403, 404, 409, 422)
)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        description="A retry with the same key returns the first answer and books nothing again.",
    ),
]


def _today() -> dt.date:
    return get_clock().today()


@router.get("/claims/{claim_id}/settlement", response_model=SettlementOut, summary="A claim's settlement")
def get_settlement(claim_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> SettlementOut:
    """Each member's part of the decided indemnity, to the bank and to the insured, paid or outstanding."""
    return SettlementOut.of(settlement.settlement_of(session, claim_id))


@router.post(
    "/claims/{claim_id}/payments",
    response_model=MemberPaymentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Pay a member's part of a claim",
)
def pay_claim(
    claim_id: uuid.UUID,
    body: PaymentIn,
    session: UnitOfWork,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> MemberPaymentOut:
    """The caller's organisation pays its part: to the loss-payee bank first, then the insured."""
    member_id = body.member_id or actor.organisation_id
    if member_id is None:
        raise ValidationError("name the paying member", field="member_id")
    part = settlement.pay_member_share(
        session, actor, claim_id, member_id, paid_on=body.paid_on or _today(), idempotency_key=idempotency_key
    )
    return MemberPaymentOut.of(part, settlement.settlement_of(session, claim_id).claim.status)


@router.get("/claims/{claim_id}/recoveries", response_model=list[RecoveryOut], summary="A claim's recoveries")
def list_recoveries(claim_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> list[RecoveryOut]:
    """The recoveries of a claim, oldest first, with how each was shared."""
    settlement.settlement_of(session, claim_id)  # NotFound for a claim the caller does not see
    return [RecoveryOut.of(r) for r in recoveries.recoveries_of(session, claim_id)]


@router.post(
    "/claims/{claim_id}/recoveries",
    response_model=RecoveryOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record a recovery",
)
def record_recovery(
    claim_id: uuid.UUID,
    body: RecoveryIn,
    session: UnitOfWork,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> RecoveryOut:
    """Money recovered after payment, less collection costs, shared between the insurers and the insured."""
    recovery = recoveries.record_recovery(
        session,
        actor,
        claim_id,
        amount=body.amount.to_money(),
        costs=None if body.costs is None else body.costs.to_money(),
        received_on=body.received_on or _today(),
        note=body.note,
        idempotency_key=idempotency_key,
    )
    return RecoveryOut.of(recovery)


@router.post("/claims/{claim_id}/close", response_model=SettlementOut, summary="Close a paid claim")
def close_claim(
    claim_id: uuid.UUID, body: CloseIn, session: UnitOfWork, actor: CurrentActor
) -> SettlementOut:
    """Close a paid claim when no more recoveries are expected."""
    recoveries.close_claim(session, actor, claim_id, reason=body.reason)
    return SettlementOut.of(settlement.settlement_of(session, claim_id))


@router.get("/claim-service-levels", response_model=list[ServiceLevelOut], summary="Claim service levels")
def claim_service_levels(
    session: UnitOfWork, actor: CurrentActor, query: Annotated[ServiceLevelQuery, Query()]
) -> list[ServiceLevelOut]:
    """Days from filing to complete documents, decision and payment, per insurer and programme."""
    date_to = query.date_to or _today()
    date_from = query.date_from or date_to - dt.timedelta(days=365)
    rows = service_levels.service_levels(
        session,
        actor,
        insurer_id=query.insurer_id,
        programme_id=query.programme_id,
        date_from=date_from,
        date_to=date_to,
    )
    return [ServiceLevelOut.of(row) for row in rows]
