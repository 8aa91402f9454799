"""Risk runs: measure a book (an insurer's, a pool's, the market's) with the engine and keep the results.

Who may run what:

- insurer staff (admin, underwriter): their own insurer's book (its own limits and its shares of pool
  limits), and their insurer's share of a pool's book it is a member of;
- the regulator: the whole market, seeing aggregates only (by country, sector and insurer; no
  policyholder contributions are computed or stored for it);
- the platform operator (and the CLI): any insurer's book, a whole pool's, or the market;
- policyholders, banks and programme bodies: none (PermissionDenied).

Runs are seen only by the organisation that ran them (tenant criteria on `RiskRun`).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.clock import get_clock
from tradecover.coinsurance.model import PoolMember
from tradecover.errors import DomainError, NotFound, PermissionDenied, ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.reference.countries import country_name
from tradecover.reference.sectors import get_sector
from tradecover.risk.scenarios import Scenario, available_scenarios, load_scenario
from tradecover.riskruns.book import ExposureBasis, PlatformBook, Scope, load_book
from tradecover.riskruns.engine import (
    CONTRIBUTION_LEVEL,
    Evaluation,
    ModelParameters,
    executor_for,
    run_engine,
)
from tradecover.riskruns.model import (
    Dimension,
    RiskContribution,
    RiskMeasure,
    RiskMethod,
    RiskRun,
    RunStatus,
    ScopeKind,
)
from tradecover.riskruns.results import grouped, probability_text, to_minor
from tradecover.settings import get_settings

REPORTING_CURRENCY = "USD"
ALL_SCENARIOS = "all"
MAX_LISTED = 200
INSURER_STAFF = (Role.INSURER_ADMIN, Role.UNDERWRITER)
RUNNERS = (*INSURER_STAFF, Role.REGULATOR, Role.PLATFORM_ADMIN)
BASIS = f"es {CONTRIBUTION_LEVEL}"


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What to run: the scope, the method, a scenario (a shipped name, "all", or None), the date, and
    whether exposure is the limits in force or the insured outstanding."""

    scope: Scope
    method: RiskMethod = RiskMethod.CREDITRISKPLUS
    scenario: str | None = None
    as_of: dt.date | None = None
    exposure: ExposureBasis = ExposureBasis.LIMITS


def _organisation(session: Session, organisation_id: uuid.UUID, kind: OrganisationKind) -> Organisation:
    found = session.execute(
        select(Organisation).where(Organisation.id == organisation_id).execution_options(tenant_exempt=True)
    ).scalar_one_or_none()
    if found is None or found.kind is not kind:
        raise NotFound(f"no such {kind.value}: {organisation_id}", field="organisation_id")
    return found


def _pool_scope(session: Session, actor: Actor, pool_id: uuid.UUID | None) -> tuple[Scope, str]:
    """A member runs its share of the pool's book; the platform operator the whole pool."""
    if pool_id is None:
        raise ValidationError("name the pool whose book to run", field="organisation_id")
    member = session.execute(
        select(PoolMember.insurer_id)
        .where(PoolMember.pool_id == pool_id, PoolMember.insurer_id == actor.organisation_id)
        .execution_options(tenant_exempt=True)
    ).first()
    if member is None and not actor.is_platform_admin:
        raise NotFound(f"no such pool: {pool_id}", field="organisation_id")
    if member is not None and not actor.has(*INSURER_STAFF):
        raise PermissionDenied("a pool's book is run by its members' staff")
    pool = _organisation(session, pool_id, OrganisationKind.POOL)
    if actor.is_platform_admin:
        return Scope(ScopeKind.POOL, pool.id), pool.name
    return Scope(ScopeKind.POOL, pool.id, actor.organisation_id), f"{pool.name} (our share)"


def _checked_scope(session: Session, actor: Actor, scope: Scope) -> tuple[Scope, str]:
    """The scope the actor may run, with its label; refuses what the actor may not see."""
    actor.require(*RUNNERS)
    if scope.kind is ScopeKind.MARKET:
        if not actor.has(Role.REGULATOR, Role.PLATFORM_ADMIN):
            raise PermissionDenied("the whole market's book is for the regulator and the platform operator")
        return Scope(ScopeKind.MARKET), "the market"
    if scope.kind is ScopeKind.POOL:
        return _pool_scope(session, actor, scope.organisation_id)
    organisation_id = scope.organisation_id
    if organisation_id is None:
        if not actor.has(*INSURER_STAFF) or actor.organisation_id is None:
            raise ValidationError("name the insurer whose book to run", field="organisation_id")
        organisation_id = actor.organisation_id
    if not actor.is_platform_admin and organisation_id != actor.organisation_id:
        # Another insurer's book: as if it did not exist.
        raise NotFound(f"no such insurer: {organisation_id}", field="organisation_id")
    if not actor.is_platform_admin and not actor.has(*INSURER_STAFF):
        raise PermissionDenied("an insurer's book is run by its own staff")
    insurer = _organisation(session, organisation_id, OrganisationKind.INSURER)
    return Scope(ScopeKind.INSURER, insurer.id), insurer.name


def scenarios_for(name: str | None) -> list[Scenario]:
    """The scenarios a run compares: none, one shipped scenario, or every shipped one ("all")."""
    if name is None or not name.strip():
        return []
    name = name.strip()
    shipped = available_scenarios()
    if name == ALL_SCENARIOS:
        return [load_scenario(n) for n in shipped]
    if name not in shipped:
        raise ValidationError(
            f"no such scenario {name!r}; one of {', '.join(shipped)} or all", field="scenario"
        )
    return [load_scenario(name)]


def _measures(run: RiskRun, evaluation: Evaluation) -> None:
    key = "" if evaluation.scenario is None else evaluation.scenario.name
    for measure, level, value, error in evaluation.figures.measures():
        run.measures.append(
            RiskMeasure(
                scenario=key,
                measure=measure,
                level=level,
                amount_minor=to_minor(value, run.currency),
                standard_error_minor=None if error is None else to_minor(error, run.currency),
            )
        )


def _es_minor(run: RiskRun, scenario: str) -> int:
    level = str(CONTRIBUTION_LEVEL)
    return next(
        m.amount_minor
        for m in run.measures
        if m.scenario == scenario and m.measure == "es" and m.level == level
    )


def _names(labels: NDArray[np.str_] | None, name: Callable[[str], str]) -> dict[str, str]:
    """Display names of the distinct codes (a code the reference data lacks shows as itself)."""
    names: dict[str, str] = {}
    for code in [] if labels is None else np.unique(labels).tolist():
        try:
            names[code] = name(code)
        except DomainError:
            names[code] = code
    return names


def _contributions(run: RiskRun, book: PlatformBook, evaluation: Evaluation) -> None:
    key = "" if evaluation.scenario is None else evaluation.scenario.name
    portfolio, values = evaluation.portfolio, evaluation.figures.contributions
    total = _es_minor(run, key)
    exposure = book.exposure_minor if evaluation.scenario is None else portfolio.exposure
    dimensions = [
        (Dimension.COUNTRY, portfolio.countries, _names(portfolio.countries, country_name)),
        (Dimension.SECTOR, portfolio.sectors, _names(portfolio.sectors, lambda code: get_sector(code).name)),
    ]
    found = [
        (dimension, grouped(values, labels, exposure, total, run.currency, names))
        for dimension, labels, names in dimensions
        if labels is not None
    ]
    if evaluation.scenario is None:
        parts = values[book.part_buyer] * book.part_loss_share
        found.append(
            (
                Dimension.INSURER,
                grouped(parts, book.part_insurer, book.part_exposure_minor, total, run.currency,
                        book.organisation_names),
            )
        )  # fmt: skip
        if run.shows_policyholders:
            found.append(
                (
                    Dimension.POLICYHOLDER,
                    grouped(parts, book.part_policyholder, book.part_exposure_minor, total, run.currency,
                            book.organisation_names),
                )
            )  # fmt: skip
            buyer_names = dict(zip(book.buyer_ids.tolist(), book.names.tolist(), strict=True))
            found.append(
                (
                    Dimension.BUYER,
                    grouped(values, book.buyer_ids, book.exposure_minor, total, run.currency, buyer_names),
                )
            )
    for dimension, groups in found:
        for group in groups:
            run.contributions.append(
                RiskContribution(
                    scenario=key,
                    dimension=dimension,
                    key=group.key,
                    label=group.label[:200],
                    basis=BASIS,
                    rank=group.rank,
                    amount_minor=group.amount_minor,
                    exposure_minor=group.exposure_minor,
                )
            )


@dataclass(frozen=True)
class RunPlan:
    """What a recorded run measures: the scope, scenarios, parameters and exposure basis."""

    scope: Scope
    scenarios: list[Scenario]
    parameters: ModelParameters
    basis: ExposureBasis


def _new_run(
    session: Session, actor: Actor, request: RunRequest, parameters: ModelParameters | None
) -> tuple[RiskRun, RunPlan]:
    """A checked, unsaved run (status running, nothing measured yet) and what it will measure."""
    scope, label = _checked_scope(session, actor, request.scope)
    scenarios = scenarios_for(request.scenario)
    method = RiskMethod(request.method)
    parameters = parameters or ModelParameters()
    basis = ExposureBasis(request.exposure)
    recorded: dict[str, Any] = {"exposure": basis.value, **parameters.as_json(method)}
    if scope.member_id is not None:
        recorded["member_id"] = str(scope.member_id)
    run = RiskRun(
        organisation_id=actor.organisation_id,
        requested_by_user_id=actor.user_id,
        scope=scope.kind,
        scope_organisation_id=scope.organisation_id,
        scope_label=label[:200],
        method=method,
        scenario=request.scenario.strip() if request.scenario and request.scenario.strip() else None,
        as_of=request.as_of or get_clock().today(),
        currency=REPORTING_CURRENCY,
        parameters_json=recorded,
        status=RunStatus.RUNNING,
        obligors=0,
        exposure_minor=0,
        duration_ms=0,
        progress=0,
        chart_json=[],
        # The regulator sees aggregates only: no firm below the insurer is named in its runs.
        shows_policyholders=not (actor.has(Role.REGULATOR) and not actor.is_platform_admin),
    )
    return run, RunPlan(scope, scenarios, parameters, basis)


def plan_of(run: RiskRun) -> RunPlan:
    """What a recorded run measures, read back from its row (for the background job)."""
    recorded = run.parameters_json
    member = recorded.get("member_id")
    scope = Scope(run.scope, run.scope_organisation_id, uuid.UUID(member) if member else None)
    known = {f.name for f in fields(ModelParameters)}
    parameters = ModelParameters(**{k: v for k, v in recorded.items() if k in known})
    basis = ExposureBasis(recorded.get("exposure", ExposureBasis.LIMITS.value))
    return RunPlan(scope, scenarios_for(run.scenario), parameters, basis)


def load_run_book(session: Session, run: RiskRun, plan: RunPlan) -> PlatformBook:
    """The book a run measures, on its date."""
    return load_book(session, plan.scope, run.as_of, run.currency, plan.basis)


def evaluate_run(
    run: RiskRun,
    book: PlatformBook,
    plan: RunPlan,
    evaluated: Callable[[int, int], None] | None = None,
) -> list[Evaluation]:
    """Run the engine (in process, or on the configured Dask cluster); no database is touched."""
    if book.size == 0:
        return []
    executor = executor_for(get_settings().risk_scheduler)
    try:
        return run_engine(book, run.method, plan.parameters, plan.scenarios, executor, evaluated)
    except ValueError as error:
        raise ValidationError(f"the risk engine refused the book: {error}", field="scope") from None
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()


def record_results(run: RiskRun, book: PlatformBook, evaluations: list[Evaluation], duration_ms: int) -> None:
    """Store the measures, contributions and chart on the run; it has ended (succeeded, or empty)."""
    run.obligors = book.size
    run.exposure_minor = book.total_exposure_minor
    run.status = RunStatus.SUCCEEDED if evaluations else RunStatus.EMPTY
    for evaluation in evaluations:
        _measures(run, evaluation)
        _contributions(run, book, evaluation)
    if evaluations:
        chart = evaluations[0].figures.chart
        run.chart_json = [[to_minor(x, run.currency), probability_text(p)] for x, p in chart]
    run.duration_ms = duration_ms
    run.progress = 100


def _audit(session: Session, actor: Actor, run: RiskRun, action: str) -> None:
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=actor.organisation_id,
        action=action,
        object_type="RiskRun",
        object_id=run.id,
        details={"scope": run.scope.value, "scope_label": run.scope_label, "method": run.method.value,
                 "scenario": run.scenario, "as_of": run.as_of.isoformat()},
    )  # fmt: skip


def start_risk_run(
    session: Session, actor: Actor, request: RunRequest, parameters: ModelParameters | None = None
) -> RiskRun:
    """Run the engine on the scope's book on the date now and store the measures and contributions."""
    started = time.perf_counter()
    run, plan = _new_run(session, actor, request, parameters)
    book = load_run_book(session, run, plan)
    evaluations = evaluate_run(run, book, plan)
    record_results(run, book, evaluations, round((time.perf_counter() - started) * 1000))
    session.add(run)
    session.flush()
    _audit(session, actor, run, "risk_run.completed")
    return run


def queue_risk_run(
    session: Session, actor: Actor, request: RunRequest, parameters: ModelParameters | None = None
) -> RiskRun:
    """Check and record a run (status running) for `riskruns.jobs.measure_queued_run` to measure."""
    run, _ = _new_run(session, actor, request, parameters)
    session.add(run)
    session.flush()
    _audit(session, actor, run, "risk_run.queued")
    return run


def list_risk_runs(session: Session, *, limit: int = 50, offset: int = 0) -> Sequence[RiskRun]:
    """The runs the session's organisation made, newest first."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LISTED:
        raise ValidationError(f"must be a whole number from 1 to {MAX_LISTED}", field="limit")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError("must be a whole number, zero or more", field="offset")
    query = select(RiskRun).order_by(RiskRun.created_at.desc(), RiskRun.id).limit(limit).offset(offset)
    return session.scalars(query).all()


def get_risk_run(session: Session, run_id: uuid.UUID) -> RiskRun:
    """One run the session's organisation made; NotFound otherwise."""
    run = session.scalars(select(RiskRun).where(RiskRun.id == run_id)).first()
    if run is None:
        raise NotFound(f"no such risk run: {run_id}", field="run_id")
    return run


def visible_contributions(run: RiskRun, actor: Actor) -> list[RiskContribution]:
    """The run's contribution rows the actor may read: never policyholders or buyers for the regulator."""
    hide = actor.has(Role.REGULATOR) and not actor.is_platform_admin
    firms = (Dimension.POLICYHOLDER, Dimension.BUYER)
    return [c for c in run.contributions if not (hide and c.dimension in firms)]
