"""One view per audience: which sections the regulator, an insurer, a programme officer and a bank see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from tradecover.clock import get_clock
from tradecover.oversight.memo import view_memo
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience, Scope, scope_for
from tradecover.oversight.sections_book import exposure_section, pool_section, workload_section
from tradecover.oversight.sections_claims import claims_section, service_times_section
from tradecover.oversight.sections_coverage import coverage_section, premium_section, subsidised_firms_section
from tradecover.oversight.sections_money import financing_section, subsidy_section
from tradecover.oversight.view import OversightView, Section
from tradecover.parties.actor import Actor
from tradecover.reference.currencies import get_currency

WORK_MEM = "64MB"  # PostgreSQL's memory per sort or hash of the view's queries, for its transaction only

SectionBuilder = Callable[[Session, Scope, Period, str], Section]

AUDIENCE_TITLES: dict[Audience, str] = {
    Audience.REGULATOR: "Market oversight",
    Audience.INSURER: "Insurer book oversight",
    Audience.PROGRAMME: "Subsidy programme oversight",
    Audience.BANK: "Financed receivables oversight",
}

# In reading order: what each audience watches first comes first.
SECTIONS: dict[Audience, tuple[SectionBuilder, ...]] = {
    Audience.REGULATOR: (
        coverage_section,
        premium_section,
        claims_section,
        service_times_section,
        exposure_section,
        pool_section,
        subsidy_section,
        financing_section,
    ),
    Audience.INSURER: (
        coverage_section,
        premium_section,
        workload_section,
        claims_section,
        service_times_section,
        exposure_section,
        pool_section,
    ),
    Audience.PROGRAMME: (
        subsidy_section,
        subsidised_firms_section,
        coverage_section,
        premium_section,
        claims_section,
    ),
    Audience.BANK: (
        financing_section,
        coverage_section,
        claims_section,
        exposure_section,
    ),
}


def build_view(
    session: Session,
    actor: Actor,
    audience: Audience,
    period: Period,
    currency: str = "CNY",
    today: dt.date | None = None,
) -> OversightView:
    """The oversight view of `audience` for a period, in a reporting currency, as `actor` may see it."""
    code = get_currency(currency).code
    scope = scope_for(session, actor, audience)
    if session.get_bind().dialect.name == "postgresql":
        # The month-by-group sums sort and hash some 10⁵ rows: in memory, not spilled at the 4 MB default.
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    with view_memo(session):
        sections = tuple(build(session, scope, period, code) for build in SECTIONS[audience])
    return OversightView(
        audience=audience.value,
        title=AUDIENCE_TITLES[audience],
        viewer=scope.organisation_name,
        period=period,
        currency=code,
        generated_on=get_clock().today() if today is None else today,
        sections=sections,
    )
