"""Seeding for the financing pages: the web world's policyholder, insured and financed by the world's bank.

The policyholder's USD export policy has a USD 100,000 limit on a buyer and two unpaid invoices declared on
15 June 2026 (WEB-1 USD 60,000 due in 60 days, WEB-2 USD 30,000 due in 90 days); the bank's facility
(limit USD 200,000, 80 %) has the policy assigned to it, so its borrowing base that day is USD 72,000.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.limits.conftest import issue_export_policy, new_buyer, usd
from tests.web.conftest import World

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.financing.facilities import assign_policy, create_facility
from tradecover.limits.decisions import request_limit
from tradecover.parties.actor import Actor
from tradecover.parties.model import User
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_for

DAY = dt.date(2026, 6, 15)


@dataclass(frozen=True)
class WebFacility:
    """What the pages show: the facility's id and reference, and the assigned policy."""

    facility_id: uuid.UUID
    reference: str
    policy_id: uuid.UUID
    policy_number: str


def seed_financing(sessions: sessionmaker[Session], world: World, *, assign: bool = True) -> WebFacility:
    """Policy, limit, two invoices, the bank's facility and (unless told) the policy's assignment to it."""
    with unit_of_work(sessions, Tenant.unrestricted()) as session:

        def actor(role: Role) -> Actor:
            return actor_for(session.scalars(select(User).where(User.email == world.emails[role])).one())

        holder = actor(Role.POLICYHOLDER)
        policy = issue_export_policy(
            session,
            actor(Role.INSURER_ADMIN),
            world.organisations[Role.INSURER_ADMIN],
            holder.organisation_id,
        )
        buyer = new_buyer(session)
        request_limit(session, holder, policy.id, buyer.id, usd(100_000))
        for invoice, amount, days in (("WEB-1", 60_000, 60), ("WEB-2", 30_000, 90)):
            declare_shipment(
                session,
                holder,
                policy.id,
                ShipmentDeclaration(buyer.id, invoice, usd(amount), DAY, DAY + dt.timedelta(days=days)),
            )
        facility = create_facility(
            session,
            actor(Role.BANK_OFFICER),
            policy_id=policy.id,
            limit=usd(200_000),
            advance_rate=Decimal("0.8"),
            starts_on=dt.date(2026, 6, 1),
            matures_on=dt.date(2027, 5, 31),
        )
        if assign:
            assign_policy(session, holder, facility.id)
        return WebFacility(facility.id, facility.reference, policy.id, policy.number)
