"""Risk runs of a book: who ran what on which scope and date, and the stored measures and contributions.

Amounts are integer minor units of the run's reporting currency: the engine's floats are converted once,
at the boundary (`riskruns.results`), rounded half up to the minor unit.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import BigIntPK, str_enum
from tradecover.money import Money


class ScopeKind(enum.StrEnum):
    """Whose book a run measures."""

    INSURER = "insurer"
    POOL = "pool"
    MARKET = "market"


class RiskMethod(enum.StrEnum):
    """The engine's model and method a run uses."""

    CREDITRISKPLUS = "creditriskplus"
    MONTECARLO = "montecarlo"


class RunStatus(enum.StrEnum):
    """Where a run stands: measuring in the background, measured, nothing to measure, or failed."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    EMPTY = "empty"
    FAILED = "failed"


class Dimension(enum.StrEnum):
    """What contributions are aggregated by."""

    COUNTRY = "country"
    SECTOR = "sector"
    POLICYHOLDER = "policyholder"
    BUYER = "buyer"
    INSURER = "insurer"


class RiskRun(TenantScoped, HasId, HasCreatedAt, Base):
    """One run of the risk engine on a book: scope, method, date, parameters, and how it went."""

    __tablename__ = "risk_runs"
    __table_args__ = (
        CheckConstraint("obligors >= 0", name="obligors"),
        CheckConstraint("exposure_minor >= 0", name="exposure"),
        CheckConstraint("duration_ms >= 0", name="duration"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
    )

    # The organisation that ran it and sees it (an insurer, a pool member, the regulator, the operator).
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    scope: Mapped[ScopeKind] = mapped_column(str_enum(ScopeKind))
    # The insurer or the pool measured (None for the market).
    scope_organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    scope_label: Mapped[str] = mapped_column(String(200))
    method: Mapped[RiskMethod] = mapped_column(str_enum(RiskMethod))
    # A shipped scenario's name, "all" for every shipped one, or None for the base book only.
    scenario: Mapped[str | None] = mapped_column(String(64))
    as_of: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    parameters_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The base loss distribution for the page: [[bin start in minor units, probability as text], ...].
    chart_json: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus))
    obligors: Mapped[int] = mapped_column(Integer)
    exposure_minor: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int] = mapped_column(Integer)
    # Percent of the evaluations (base, then each scenario) done; 100 once the run has ended.
    progress: Mapped[int] = mapped_column(Integer, default=100)
    error: Mapped[str | None] = mapped_column(String(500))
    # Whether policyholder and buyer contributions were stored (never for the regulator: aggregates only).
    shows_policyholders: Mapped[bool] = mapped_column(default=True)

    measures: Mapped[list[RiskMeasure]] = relationship(
        back_populates="run", lazy="selectin", order_by="RiskMeasure.id", cascade="all, delete-orphan"
    )
    contributions: Mapped[list[RiskContribution]] = relationship(
        back_populates="run", lazy="selectin", order_by="RiskContribution.id", cascade="all, delete-orphan"
    )

    @property
    def exposure(self) -> Money:
        """The exposure of the book measured (the insurers' share of limits in force)."""
        return Money.from_minor(self.exposure_minor, self.currency)

    @property
    def reference(self) -> str:
        """A short reference people can quote: 'RR-1A2B3C4D'."""
        return f"RR-{self.id.hex[:8].upper()}"

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The organisation that ran it."""
        return cls.organisation_id == organisation_id


def _runs_of(organisation_id: uuid.UUID) -> Any:
    return select(RiskRun.id).where(RiskRun.organisation_id == organisation_id)


class RiskMeasure(TenantScoped, Base):
    """One measure of a run: expected loss, standard deviation, or VaR/ES at a level; base or a scenario."""

    __tablename__ = "risk_measures"
    __table_args__ = (UniqueConstraint("run_id", "scenario", "measure", "level"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("risk_runs.id"), index=True)
    # "" for the base book, else the scenario's name.
    scenario: Mapped[str] = mapped_column(String(64))
    measure: Mapped[str] = mapped_column(String(16))
    # "" for expected loss and standard deviation, else "0.99", "0.995", "0.999".
    level: Mapped[str] = mapped_column(String(8))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    # Monte Carlo only: the batch-means standard error.
    standard_error_minor: Mapped[int | None] = mapped_column(BigInteger)

    run: Mapped[RiskRun] = relationship(back_populates="measures")

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """Whoever sees the run."""
        return cls.run_id.in_(_runs_of(organisation_id))


class RiskContribution(TenantScoped, Base):
    """A country's, sector's, insurer's, policyholder's or buyer's share of a run's ES (top N, then rest)."""

    __tablename__ = "risk_contributions"
    __table_args__ = (UniqueConstraint("run_id", "scenario", "dimension", "key"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("risk_runs.id"), index=True)
    scenario: Mapped[str] = mapped_column(String(64))
    dimension: Mapped[Dimension] = mapped_column(str_enum(Dimension))
    # A country or sector code, an organisation or buyer id, or "*" for the rest beyond the top N.
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    # What the contributions add up to: "es 0.995" or "expected_loss".
    basis: Mapped[str] = mapped_column(String(32))
    rank: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    exposure_minor: Mapped[int] = mapped_column(BigInteger)

    run: Mapped[RiskRun] = relationship(back_populates="contributions")

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """Whoever sees the run."""
        return cls.run_id.in_(_runs_of(organisation_id))
