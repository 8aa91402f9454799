"""Risk runs end to end: stored measures equal the engine's on the same portfolio; scenarios; tenants."""

from __future__ import annotations

import distributed
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.riskruns.conftest import TODAY, RiskBook

from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import NotFound, PermissionDenied, ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.risk.contributions import tail_contributions
from tradecover.risk.creditriskplus import credit_risk_plus
from tradecover.risk.discretisation import default_unit, discretise
from tradecover.risk.measures import risk_measures
from tradecover.riskruns import service
from tradecover.riskruns.book import Scope, load_book
from tradecover.riskruns.engine import ModelParameters, creditriskplus_model
from tradecover.riskruns.model import Dimension, RiskMethod, RiskRun, RunStatus, ScopeKind
from tradecover.riskruns.service import RunRequest, get_risk_run, list_risk_runs, start_risk_run
from tradecover.settings import Settings

MEASURES = ("expected_loss", "std", "var", "es")


def _usd(value: float) -> int:
    return Money.rounded(repr(float(value)), "USD").minor_units


def _figures(run: RiskRun, scenario: str = "") -> dict[tuple[str, str], int]:
    return {(m.measure, m.level): m.amount_minor for m in run.measures if m.scenario == scenario}


def test_a_run_stores_the_engines_measures_on_the_same_portfolio(db: Session, risk_book: RiskBook) -> None:
    run = start_risk_run(db, risk_book.admin, RunRequest(Scope(ScopeKind.INSURER), as_of=TODAY))
    assert run.status is RunStatus.SUCCEEDED
    assert (run.scope, run.scope_organisation_id, run.scope_label) == (
        ScopeKind.INSURER, risk_book.insurer_id, risk_book.insurer_name,
    )  # fmt: skip
    assert run.obligors == 3
    assert run.organisation_id == risk_book.insurer_id
    portfolio, variances = creditriskplus_model(
        load_book(db, Scope(ScopeKind.INSURER, risk_book.insurer_id), TODAY), ModelParameters()
    )
    result = credit_risk_plus(portfolio, variances, discretise(portfolio, default_unit(portfolio)))
    direct = risk_measures(result.distribution)
    expected = {("expected_loss", ""): _usd(direct.expected_loss), ("std", ""): _usd(direct.std)}
    for level in (0.99, 0.995, 0.999):
        expected["var", str(level)] = _usd(direct.var[level])
        expected["es", str(level)] = _usd(direct.es[level])
    assert _figures(run) == expected
    assert all(m.standard_error_minor is None for m in run.measures)
    # Contributions to ES 99.5% by country add up exactly to the stored ES; the US buyer's is the engine's.
    es = expected["es", "0.995"]
    _, per_buyer = tail_contributions(portfolio, variances, result, 0.995)
    for dimension in Dimension:
        rows = [c for c in run.contributions if c.dimension is dimension]
        assert rows, dimension
        assert sum(c.amount_minor for c in rows) == es, dimension
    by_country = {c.key: c.amount_minor for c in run.contributions if c.dimension is Dimension.COUNTRY}
    us = portfolio.ids.tolist().index(str(risk_book.us_buyer.id))
    assert abs(by_country["US"] - _usd(per_buyer[us])) <= 1
    buyers = {c.key: c for c in run.contributions if c.dimension is Dimension.BUYER}
    assert buyers[str(risk_book.us_buyer.id)].label == risk_book.us_buyer.name
    assert buyers[str(risk_book.us_buyer.id)].amount_minor == by_country["US"]
    holders = {c.key: c for c in run.contributions if c.dimension is Dimension.POLICYHOLDER}
    assert holders[str(risk_book.policy_a.policyholder_id)].exposure_minor == 15_000_000
    assert run.chart_json
    assert sum(float(p) for _, p in run.chart_json) == pytest.approx(1.0, abs=1e-5)


def test_a_tariff_shock_raises_expected_loss_on_a_book_with_us_buyers(
    db: Session, risk_book: RiskBook
) -> None:
    run = start_risk_run(
        db, risk_book.admin, RunRequest(Scope(ScopeKind.INSURER), scenario="us-tariffs-145", as_of=TODAY)
    )
    base, stressed = _figures(run), _figures(run, "us-tariffs-145")
    assert set(stressed) == set(base)
    assert stressed["expected_loss", ""] > base["expected_loss", ""]
    stressed_us = next(
        c for c in run.contributions
        if c.scenario == "us-tariffs-145" and c.dimension is Dimension.COUNTRY and c.key == "US"
    )  # fmt: skip
    # US limits cut 30%: 160,000 → 112,000.
    assert stressed_us.exposure_minor == 11_200_000


def test_every_shipped_scenario_runs_when_asked_for_all(db: Session, risk_book: RiskBook) -> None:
    run = start_risk_run(db, risk_book.admin, RunRequest(Scope(ScopeKind.INSURER), scenario="all"))
    assert {m.scenario for m in run.measures} >= {"", "us-tariffs-145", "recession", "geneva-truce"}


def test_monte_carlo_stores_standard_errors(db: Session, risk_book: RiskBook) -> None:
    run = start_risk_run(
        db,
        risk_book.underwriter,
        RunRequest(Scope(ScopeKind.INSURER), method=RiskMethod.MONTECARLO),
        ModelParameters(simulations=2_000),
    )
    assert run.parameters_json["simulations"] == 2_000
    assert all(m.standard_error_minor is not None for m in run.measures)
    figures = _figures(run)
    assert 0 <= figures["var", "0.99"] <= figures["es", "0.99"] <= figures["es", "0.999"]
    assert figures["var", "0.999"] > 0


def test_the_regulator_runs_the_market_and_sees_no_policyholder(db: Session, risk_book: RiskBook) -> None:
    run = start_risk_run(db, risk_book.regulator, RunRequest(Scope(ScopeKind.MARKET)))
    assert run.scope is ScopeKind.MARKET
    assert not run.shows_policyholders
    dimensions = {c.dimension for c in run.contributions}
    assert Dimension.POLICYHOLDER not in dimensions
    assert Dimension.BUYER not in dimensions
    assert {Dimension.COUNTRY, Dimension.SECTOR, Dimension.INSURER} <= dimensions


@pytest.mark.parametrize("who", ["exporter_a", "other_insurer", "regulator"])
def test_who_may_not_run_the_insurers_book(db: Session, risk_book: RiskBook, who: str) -> None:
    actor: Actor = getattr(risk_book, who)
    request = RunRequest(Scope(ScopeKind.INSURER, risk_book.insurer_id))
    with pytest.raises(PermissionDenied if who == "exporter_a" else NotFound):
        start_risk_run(db, actor, request)


def test_insurers_may_not_run_the_market_and_bad_input_is_refused(db: Session, risk_book: RiskBook) -> None:
    with pytest.raises(PermissionDenied):
        start_risk_run(db, risk_book.admin, RunRequest(Scope(ScopeKind.MARKET)))
    with pytest.raises(ValidationError) as refused:
        start_risk_run(db, risk_book.admin, RunRequest(Scope(ScopeKind.INSURER), scenario="meteor"))
    assert refused.value.field == "scenario"
    assert db.scalars(select(RiskRun)).all() == []


def test_an_organisation_sees_only_its_own_runs(db: Session, risk_book: RiskBook) -> None:
    mine = start_risk_run(db, risk_book.admin, RunRequest(Scope(ScopeKind.INSURER)))
    theirs = start_risk_run(db, risk_book.regulator, RunRequest(Scope(ScopeKind.MARKET)))
    db.flush()
    assert risk_book.admin.organisation_id is not None
    set_tenant(db, Tenant.of(risk_book.admin.organisation_id))
    assert [r.id for r in list_risk_runs(db)] == [mine.id]
    assert get_risk_run(db, mine.id).id == mine.id
    with pytest.raises(NotFound):
        get_risk_run(db, theirs.id)


def test_an_empty_book_is_recorded_without_measures(db: Session, risk_book: RiskBook) -> None:
    run = start_risk_run(
        db, risk_book.other_insurer, RunRequest(Scope(ScopeKind.INSURER), scenario="recession")
    )
    assert run.status is RunStatus.EMPTY
    assert run.obligors == 0
    assert run.measures == []
    assert run.exposure_minor == 0


def test_a_configured_dask_scheduler_runs_the_monte_carlo_with_the_same_result(
    db: Session, risk_book: RiskBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = RunRequest(Scope(ScopeKind.INSURER), method=RiskMethod.MONTECARLO)
    parameters = ModelParameters(simulations=1_000, seed=4)
    here = start_risk_run(db, risk_book.admin, request, parameters)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        monkeypatch.setattr(
            service, "get_settings", lambda: Settings(risk_scheduler=cluster.scheduler_address)
        )
        there = start_risk_run(db, risk_book.admin, request, parameters)
    assert _figures(there) == _figures(here)
    assert [(c.key, c.amount_minor) for c in there.contributions] == [
        (c.key, c.amount_minor) for c in here.contributions
    ]
