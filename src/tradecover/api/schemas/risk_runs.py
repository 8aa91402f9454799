"""Bodies for risk runs: what to run, and a run's measures and contributions as exact amounts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.riskruns.book import ExposureBasis, Scope
from tradecover.riskruns.model import Dimension, RiskMethod, RiskRun, RunStatus, ScopeKind
from tradecover.riskruns.service import MAX_LISTED, RunRequest, visible_contributions

ScenarioName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]


class RiskRunCreate(BaseModel):
    """Run the risk engine on a book: an insurer's (default: your own), a pool's (your share), the market."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"scope": "insurer", "method": "creditriskplus", "scenario": "us-tariffs-145", "as_of": None}
            ]
        },
    )

    scope: ScopeKind = Field(description="insurer, pool or market (the market: regulator and operator).")
    organisation_id: uuid.UUID | None = Field(
        default=None, description="The insurer or pool (default for an insurer's staff: their insurer)."
    )
    method: RiskMethod = Field(
        default=RiskMethod.CREDITRISKPLUS,
        description="creditriskplus (analytic, sector factors) or montecarlo (Gaussian copula).",
    )
    scenario: ScenarioName | None = Field(
        default=None, description="A shipped stress scenario's name, or `all`; compared with the base."
    )
    as_of: dt.date | None = Field(default=None, description="Limits in force on this date (default today).")
    exposure: ExposureBasis = Field(
        default=ExposureBasis.LIMITS,
        description="limits (in force on the date) or outstanding (insured outstanding from declarations).",
    )
    background: bool = Field(
        default=False,
        description="Answer 202 at once with the run `running`; read its `progress` and results later.",
    )

    def to_request(self) -> RunRequest:
        """The service's request."""
        return RunRequest(
            Scope(self.scope, self.organisation_id), self.method, self.scenario, self.as_of, self.exposure
        )


class RiskRunQuery(BaseModel):
    """Which page of runs to list, newest first."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"limit": 20, "offset": 0}]})

    limit: int = Field(default=50, ge=1, le=MAX_LISTED)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class MeasureOut(BaseModel):
    """One measure: expected_loss, std, var or es (at a level); base (scenario null) or a scenario's."""

    scenario: str | None
    measure: str
    level: str | None = Field(description='"0.99", "0.995" or "0.999" for VaR and ES; null otherwise.')
    amount: MoneyAmount
    standard_error: MoneyAmount | None = Field(description="Monte Carlo: the batch-means standard error.")


class ContributionOut(BaseModel):
    """A group's share of ES at 99.5% (the rows of a dimension add up to it exactly)."""

    scenario: str | None
    dimension: Dimension
    key: str = Field(description='A country or sector code, an organisation id, or "*" for all others.')
    label: str
    rank: int
    basis: str
    amount: MoneyAmount
    exposure: MoneyAmount


class RiskRunOut(BaseModel):
    """A risk run: what was run, by whom, how long it took."""

    id: uuid.UUID
    reference: str
    scope: ScopeKind
    scope_organisation_id: uuid.UUID | None
    scope_label: str
    method: RiskMethod
    scenario: str | None
    as_of: dt.date
    status: RunStatus
    progress: int = Field(description="Percent of the evaluations done (100 once the run has ended).")
    error: str | None = Field(description="Why a failed run failed.")
    obligors: int
    exposure: MoneyAmount
    parameters: dict[str, object]
    duration_ms: int
    created_at: dt.datetime
    requested_by_user_id: uuid.UUID | None

    @classmethod
    def of(cls, run: RiskRun) -> RiskRunOut:
        """The wire form of a run's header."""
        return cls(
            id=run.id,
            reference=run.reference,
            scope=run.scope,
            scope_organisation_id=run.scope_organisation_id,
            scope_label=run.scope_label,
            method=run.method,
            scenario=run.scenario,
            as_of=run.as_of,
            status=run.status,
            progress=run.progress,
            error=run.error,
            obligors=run.obligors,
            exposure=MoneyAmount.of(run.exposure),
            parameters=dict(run.parameters_json),
            duration_ms=run.duration_ms,
            created_at=run.created_at,
            requested_by_user_id=run.requested_by_user_id,
        )


class RiskRunDetailOut(RiskRunOut):
    """A run with its measures and contributions."""

    measures: list[MeasureOut]
    contributions: list[ContributionOut]

    @classmethod
    def detail(cls, run: RiskRun, actor: Actor) -> RiskRunDetailOut:
        """The wire form of a run with what the actor may read of its results."""

        def money(minor: int) -> MoneyAmount:
            return MoneyAmount.of(Money.from_minor(minor, run.currency))

        return cls(
            **RiskRunOut.of(run).model_dump(),
            measures=[
                MeasureOut(
                    scenario=m.scenario or None,
                    measure=m.measure,
                    level=m.level or None,
                    amount=money(m.amount_minor),
                    standard_error=None if m.standard_error_minor is None else money(m.standard_error_minor),
                )
                for m in run.measures
            ],
            contributions=[
                ContributionOut(
                    scenario=c.scenario or None,
                    dimension=c.dimension,
                    key=c.key,
                    label=c.label,
                    rank=c.rank,
                    basis=c.basis,
                    amount=money(c.amount_minor),
                    exposure=money(c.exposure_minor),
                )
                for c in visible_contributions(run, actor)
            ],
        )
