"""Policies: list, read, versions, endorse, cancel."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.policies import CancellationCreate, EndorsementCreate, PolicyOut, PolicyVersionOut
from tradecover.policies import service
from tradecover.policies.model import Policy, PolicyStatus
from tradecover.policies.quotes import organisation_names
from tradecover.policies.terms import PolicyTerms

router = APIRouter(
    route_class=KeyFirstRoute, tags=["policies"], responses=error_responses(400, 401, 403, 404, 422)
)


def _out(session: Session, policy: Policy) -> PolicyOut:
    return PolicyOut.of(policy, organisation_names(session, [policy.policyholder_id, policy.insurer_id]))


@router.get("/policies", response_model=list[PolicyOut], summary="List policies")
def list_policies(
    session: UnitOfWork, actor: CurrentActor, status: PolicyStatus | None = None
) -> list[PolicyOut]:
    """The policies the caller's organisation holds or underwrites, newest first."""
    policies = service.list_policies(session, actor, status=status)
    names = organisation_names(session, [o for p in policies for o in (p.policyholder_id, p.insurer_id)])
    return [PolicyOut.of(p, names) for p in policies]


@router.get("/policies/{policy_id}", response_model=PolicyOut, summary="One policy")
def get_policy(policy_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> PolicyOut:
    """A policy with its current terms."""
    return _out(session, service.get_policy(session, actor, policy_id))


@router.get(
    "/policies/{policy_id}/versions", response_model=list[PolicyVersionOut], summary="A policy's versions"
)
def list_versions(policy_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> list[PolicyVersionOut]:
    """Every version of the terms, oldest first (version 1 is the terms at issue)."""
    return [PolicyVersionOut.of(v) for v in service.get_policy(session, actor, policy_id).versions]


@router.post(
    "/policies/{policy_id}/endorsements",
    response_model=PolicyVersionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Endorse a policy (new terms from a date)",
)
def endorse_policy(
    policy_id: uuid.UUID, body: EndorsementCreate, session: UnitOfWork, actor: CurrentActor
) -> PolicyVersionOut:
    """A new version of the terms from an effective date (the insurer's underwriter or admin)."""
    version = service.endorse_policy(
        session,
        actor,
        policy_id,
        terms=PolicyTerms.from_json(body.terms),
        effective_from=body.effective_from,
        reason=body.reason,
    )
    return PolicyVersionOut.of(version)


@router.post("/policies/{policy_id}/cancellation", response_model=PolicyOut, summary="Cancel a policy")
def cancel_policy(
    policy_id: uuid.UUID, body: CancellationCreate, session: UnitOfWork, actor: CurrentActor
) -> PolicyOut:
    """Cancel from a date with a reason (the insurer or the policyholder); no cover from that day."""
    policy = service.cancel_policy(
        session, actor, policy_id, effective_on=body.effective_on, reason=body.reason
    )
    return _out(session, policy)
