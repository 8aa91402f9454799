"""Who qualifies for which programme, and why not: the facts, the rules, enrolment and what is left.

Programmes, budgets and enrolments belong to their sponsor; a firm sees them only through this
explanation. The reads are therefore exempt from tenant scoping and filtered explicitly by the firm.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.errors import NotFound
from tradecover.money import Money
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind
from tradecover.policies.terms import PRODUCT_KIND_TITLES
from tradecover.subsidies.budgets import cap_used
from tradecover.subsidies.model import Enrolment, ProgrammeBudget, SubsidyProgramme
from tradecover.subsidies.rules import Facts, Mode, ProgrammeKind, failed_rules, tier_rate, tiers_text


def facts_of(session: Session, policyholder_id: uuid.UUID) -> Facts:
    """The policyholder's facts that eligibility reads (its own record, whoever asks)."""
    holder = session.scalars(
        select(Organisation)
        .where(Organisation.id == policyholder_id)
        # A programme officer or an insurer's invoice run reads the firm's facts to apply the rules.
        .execution_options(tenant_exempt=True)
    ).one_or_none()
    if holder is None or holder.kind is not OrganisationKind.POLICYHOLDER:
        raise NotFound("no such policyholder", field="policyholder_id")
    exports = holder.prior_year_exports_usd_minor
    return Facts(
        region=holder.region,
        is_sme=holder.is_sme,
        prior_year_exports_usd=None if exports is None else Money.from_minor(exports, "USD").amount,
        sector=holder.sector,
    )


def open_programmes(session: Session, on: dt.date) -> list[SubsidyProgramme]:
    """Every active programme whose period includes `on`, in the order they are applied to invoices."""
    return list(
        session.scalars(
            select(SubsidyProgramme)
            .where(
                SubsidyProgramme.is_active.is_(True),
                SubsidyProgramme.starts_on <= on,
                SubsidyProgramme.ends_on >= on,
            )
            .order_by(SubsidyProgramme.starts_on, SubsidyProgramme.name, SubsidyProgramme.id)
            .execution_options(tenant_exempt=True)
        )
    )


def enrolled_programme_ids(session: Session, policyholder_id: uuid.UUID) -> set[uuid.UUID]:
    """The programmes the firm is enrolled in."""
    return set(
        session.scalars(
            select(Enrolment.programme_id)
            .where(Enrolment.policyholder_id == policyholder_id)
            .execution_options(tenant_exempt=True)
        )
    )


def product_titles(kinds: Sequence[str]) -> str:
    """'Export whole-turnover, Platform (cohort) policy'."""
    titles = {kind.value: title for kind, title in PRODUCT_KIND_TITLES.items()}
    return ", ".join(titles.get(k, k) for k in kinds)


@dataclass(frozen=True, slots=True)
class ProgrammeEligibility:
    """One programme as a firm sees it: whether it qualifies, at what rate, what is left, or why not."""

    programme_id: uuid.UUID
    name: str
    sponsor_name: str
    kind: ProgrammeKind
    mode: Mode
    products: str
    rates: str
    eligible: bool
    reasons: tuple[str, ...]
    rate: Decimal | None
    cap: Money | None
    cap_left: Money | None
    enrolment_required: bool
    enrolled: bool
    budget_left: Money | None


def _sponsor_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(ids))
        # Sponsors' names are public: they are printed on every subsidised invoice.
        .execution_options(tenant_exempt=True)
    ).all()
    return {row[0]: row[1] for row in rows}


def explain_eligibility(
    session: Session, policyholder_id: uuid.UUID, on: dt.date
) -> list[ProgrammeEligibility]:
    """Every active programme for the firm on a date: eligible with rate and cap left, or why not."""
    facts = facts_of(session, policyholder_id)
    programmes = open_programmes(session, on)
    enrolled = enrolled_programme_ids(session, policyholder_id)
    names = _sponsor_names(session, {p.sponsor_id for p in programmes})
    budgets = {
        row.programme_id: row
        for row in session.scalars(
            select(ProgrammeBudget)
            .where(
                ProgrammeBudget.programme_id.in_([p.id for p in programmes]), ProgrammeBudget.year == on.year
            )
            .execution_options(tenant_exempt=True)
        )
    }
    answers = []
    for programme in programmes:
        reasons = failed_rules(programme.rules, facts)
        budget = budgets.get(programme.id)
        if budget is None:
            reasons.append(f"no budget for {on.year}")
        is_enrolled = programme.id in enrolled
        cap_left = None
        if programme.cap is not None:
            used = cap_used(session, programme.id, policyholder_id, on.year, programme.currency)
            cap_left = (programme.cap - used).max(Money.zero(programme.currency))
        eligible = not reasons
        answers.append(
            ProgrammeEligibility(
                programme_id=programme.id,
                name=programme.name,
                sponsor_name=names.get(programme.sponsor_id, ""),
                kind=programme.kind,
                mode=programme.mode,
                products=product_titles(programme.product_kinds),
                rates=tiers_text(programme.tiers),
                eligible=eligible,
                reasons=tuple(reasons),
                rate=tier_rate(programme.tiers, facts.prior_year_exports_usd) if eligible else None,
                cap=programme.cap,
                cap_left=cap_left,
                enrolment_required=programme.enrolment_required,
                enrolled=is_enrolled,
                budget_left=None if budget is None else budget.remaining,
            )
        )
    return answers
