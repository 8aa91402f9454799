"""Whose book a view covers, and who may see it.

The oversight metrics read across organisations (the regulator sees the whole market), so they run with
tenant criteria off and restrict the rows here instead: a `Scope` turns the viewer into a filter on
policies. Only aggregates leave the metrics; no view lists another firm's invoices or documents.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import Session

from tradecover.coinsurance.model import PoolMember
from tradecover.errors import PermissionDenied
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy
from tradecover.subsidies.model import Enrolment, SubsidyProgramme

EXEMPT = {"tenant_exempt": True}


class Audience(enum.StrEnum):
    """The four kinds of overseer and the book each watches."""

    REGULATOR = "regulator"  # the whole market, aggregates only
    INSURER = "insurer"  # its own policies and those of the pools it is a member of
    PROGRAMME = "programme"  # the firms enrolled in the officer's programmes
    BANK = "bank"  # the policies assigned to the bank as loss payee


AUDIENCE_ROLES: dict[Audience, tuple[Role, ...]] = {
    Audience.REGULATOR: (Role.REGULATOR, Role.PLATFORM_ADMIN),
    Audience.INSURER: (Role.UNDERWRITER, Role.CLAIMS_HANDLER, Role.INSURER_ADMIN),
    Audience.PROGRAMME: (Role.PROGRAMME_OFFICER,),
    Audience.BANK: (Role.BANK_OFFICER,),
}


@dataclass(frozen=True, slots=True)
class Scope:
    """The slice of the market a view covers, as filters on stored facts."""

    audience: Audience
    organisation_id: uuid.UUID | None  # the viewer's organisation; None for the operator's market view
    organisation_name: str
    insurer_ids: frozenset[uuid.UUID] | None = None  # INSURER: itself and its pools; otherwise None
    programme_ids: frozenset[uuid.UUID] | None = None  # PROGRAMME: the sponsor's programmes

    def policies(self) -> Select[uuid.UUID] | None:
        """The ids of the policies in scope, or None when every policy is."""
        match self.audience:
            case Audience.REGULATOR:
                return None
            case Audience.INSURER:
                return select(Policy.id).where(Policy.insurer_id.in_(self.insurer_ids or ()))
            case Audience.PROGRAMME:
                return select(Policy.id).where(Policy.policyholder_id.in_(self.policyholders()))
            case Audience.BANK:
                return select(Policy.id).where(Policy.loss_payee_id == self.organisation_id)

    def policyholders(self) -> Select[uuid.UUID]:
        """PROGRAMME: the firms enrolled in the sponsor's programmes."""
        return select(Enrolment.policyholder_id).where(Enrolment.programme_id.in_(self.programme_ids or ()))

    def restrict(self, policy_id: Any) -> ColumnElement[bool]:
        """A WHERE clause keeping the rows whose policy column is in scope."""
        policies = self.policies()
        return true() if policies is None else policy_id.in_(policies)


def scope_for(session: Session, actor: Actor, audience: Audience) -> Scope:
    """The scope an actor may view as `audience`; PermissionDenied when it holds none of the roles."""
    if not actor.has(*AUDIENCE_ROLES[audience]):
        raise PermissionDenied(
            f"the {audience.value} view needs one of the roles "
            + ", ".join(role.value for role in AUDIENCE_ROLES[audience])
        )
    name = _name(session, actor.organisation_id)
    match audience:
        case Audience.REGULATOR:
            return Scope(audience, actor.organisation_id, name)
        case Audience.INSURER:
            assert actor.organisation_id is not None
            pools = session.scalars(
                select(PoolMember.pool_id)
                .where(PoolMember.insurer_id == actor.organisation_id)
                .execution_options(**EXEMPT)
            )
            return Scope(
                audience, actor.organisation_id, name, insurer_ids=frozenset({actor.organisation_id, *pools})
            )
        case Audience.PROGRAMME:
            programmes = session.scalars(
                select(SubsidyProgramme.id)
                .where(SubsidyProgramme.sponsor_id == actor.organisation_id)
                .execution_options(**EXEMPT)
            )
            return Scope(audience, actor.organisation_id, name, programme_ids=frozenset(programmes))
        case Audience.BANK:
            return Scope(audience, actor.organisation_id, name)


def _name(session: Session, organisation_id: uuid.UUID | None) -> str:
    if organisation_id is None:
        return "Platform operator"
    found = session.scalar(
        select(Organisation.name).where(Organisation.id == organisation_id).execution_options(**EXEMPT)
    )
    return found or "Unknown organisation"
