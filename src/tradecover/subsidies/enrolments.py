"""Enrolment: a firm joins a programme that requires it (and gets its platform policy); officers list them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.model import Product
from tradecover.policies.service import issue_platform_policy, one_year_from
from tradecover.subsidies.eligibility import facts_of
from tradecover.subsidies.model import Enrolment, SubsidyProgramme
from tradecover.subsidies.rules import ProgrammeKind, failed_rules


def _programme_for_enrolment(session: Session, programme_id: uuid.UUID) -> SubsidyProgramme:
    # A firm may enrol in a programme it cannot read as a row: programmes are published for firms to join.
    programme = session.scalar(
        select(SubsidyProgramme)
        .where(SubsidyProgramme.id == programme_id)
        .execution_options(tenant_exempt=True)
    )
    if programme is None:
        raise NotFound("no such programme", field="programme_id")
    return programme


def enrol(
    session: Session,
    actor: Actor,
    programme_id: uuid.UUID,
    on: dt.date,
    *,
    policyholder_id: uuid.UUID | None = None,
) -> Enrolment:
    """Enrol a firm (itself, or by the sponsor's officer): eligibility checked, a platform policy issued."""
    programme = _programme_for_enrolment(session, programme_id)
    if actor.has(Role.POLICYHOLDER) and not actor.is_platform_admin:
        if policyholder_id not in (None, actor.organisation_id):
            raise PermissionDenied("a firm enrols itself only")
        policyholder_id = actor.organisation_id
    elif actor.has(Role.PROGRAMME_OFFICER) and not actor.is_platform_admin:
        if actor.organisation_id != programme.sponsor_id:
            raise NotFound("no such programme", field="programme_id")
    elif not actor.is_platform_admin:
        raise PermissionDenied("a firm enrols itself, or the programme's officer enrols it")
    if policyholder_id is None:
        raise NotFound("no such policyholder", field="policyholder_id")
    if not programme.enrolment_required:
        raise BusinessRuleViolation(
            f"{programme.name} needs no enrolment: it applies to every eligible invoice", field="programme_id"
        )
    if not programme.is_open_on(on):
        raise BusinessRuleViolation(f"{programme.name} is not open on {on.isoformat()}", field="programme_id")
    reasons = failed_rules(programme.rules, facts_of(session, policyholder_id))
    if reasons:
        raise BusinessRuleViolation(
            f"not eligible for {programme.name}: " + "; ".join(reasons), field="programme_id"
        )
    taken = session.scalar(
        select(Enrolment.id)
        .where(Enrolment.programme_id == programme.id, Enrolment.policyholder_id == policyholder_id)
        .execution_options(tenant_exempt=True)
    )
    if taken is not None:
        raise Conflict(f"already enrolled in {programme.name}", field="programme_id")
    policy_id = None
    if programme.kind is ProgrammeKind.PLATFORM_POLICY and programme.platform_product_id is not None:
        product = session.scalar(
            # The programme names the insurer's product; the firm is issued a policy under it.
            select(Product)
            .where(Product.id == programme.platform_product_id)
            .execution_options(tenant_exempt=True)
        )
        assert product is not None  # checked when the programme was defined
        policy = issue_platform_policy(
            session,
            actor,
            product=product,
            policyholder_id=policyholder_id,
            period_start=on,
            period_end=min(programme.ends_on, one_year_from(on))
            if programme.ends_on > on
            else one_year_from(on),
        )
        policy_id = policy.id
    enrolment = Enrolment(
        programme_id=programme.id,
        sponsor_id=programme.sponsor_id,
        policyholder_id=policyholder_id,
        policy_id=policy_id,
        enrolled_on=on,
        enrolled_by_user_id=actor.user_id,
    )
    try:
        with session.begin_nested():
            session.add(enrolment)
    except IntegrityError:
        raise Conflict(f"already enrolled in {programme.name}", field="programme_id") from None
    for subject in {programme.sponsor_id, policyholder_id}:
        record(
            session,
            actor_user_id=actor.user_id,
            actor_organisation_id=actor.organisation_id,
            subject_organisation_id=subject,
            action="subsidy.enrolled",
            object_type="Enrolment",
            object_id=enrolment.id,
            details={"programme": programme.name, "policy_id": None if policy_id is None else str(policy_id)},
        )
    return enrolment


def list_enrolments(session: Session, programme_id: uuid.UUID | None = None) -> Sequence[Enrolment]:
    """Enrolments the session may see (a programme's, when given), newest first."""
    query = select(Enrolment)
    if programme_id is not None:
        query = query.where(Enrolment.programme_id == programme_id)
    return session.scalars(query.order_by(Enrolment.enrolled_on.desc(), Enrolment.created_at.desc())).all()
