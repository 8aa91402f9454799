"""Monthly (and for part months daily) totals per policy that the oversight views sum instead of millions
of declarations.

Each table holds, for every policy, what its stored facts add up to in each calendar month or day. They are
not counters kept by the writers: `totals_refresh.refresh_totals` deletes and recomputes a policy's rows
with SQL aggregates over its shipments and limit events whenever the policy is marked stale
(`policies/stale.py`), and the tests compare them with the same sums over the facts.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base


class MonthlyTurnover(Base):
    """A policy's shipments dated in one month, in one currency: insured amount and premium."""

    __tablename__ = "monthly_turnover"
    __table_args__ = (
        # The market's sums read a month range with no policy filter.
        Index(
            "ix_monthly_turnover_month",
            "month",
            "currency",
            "policy_id",
            "insured_minor",
            "premium_minor",
        ),
    )

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # the month's first day
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    insured_minor: Mapped[int] = mapped_column(BigInteger)
    premium_minor: Mapped[int] = mapped_column(BigInteger)


class MonthlyBuyerTurnover(Base):
    """A policy's insured amount shipped in one month and currency to buyers of one country and sector."""

    __tablename__ = "monthly_buyer_turnover"
    __table_args__ = (
        # A programme's or a bank's view reads its policies' rows from this index alone; the market's
        # and insurers' read the per-insurer sums below.
        Index(
            "ix_monthly_buyer_turnover_policy",
            "policy_id",
            "month",
            "currency",
            "buyer_country",
            "buyer_sector",
            "insured_minor",
        ),
    )

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    buyer_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    buyer_sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    insured_minor: Mapped[int] = mapped_column(BigInteger)


class MonthlyLimitChange(Base):
    """The net change, over the days of one month, of the credit limits in force under a policy."""

    __tablename__ = "monthly_limit_changes"
    __table_args__ = (
        Index("ix_monthly_limit_changes_month", "month", "currency", "policy_id", "change_minor"),
    )

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    change_minor: Mapped[int] = mapped_column(BigInteger)


class MonthlyCarrierBuyerTurnover(Base):
    """`MonthlyBuyerTurnover` summed over the policies of one insurer or pool: what the market views read."""

    __tablename__ = "monthly_carrier_buyer_turnover"

    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    buyer_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    buyer_sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    insured_minor: Mapped[int] = mapped_column(BigInteger)


class MonthlyExposureChange(Base):
    """The net change, over the days of one month, of a policy's live insured exposure on one buyer country.

    A shipment adds its insured amount in the month it is dated, each payment takes off what it releases
    in the month received, and the month the shipment leaves the exposure (settled, cover lost, or on a
    claim paid) takes off what is left; summed up to a month's end they give the exposure at that day.
    """

    __tablename__ = "monthly_exposure_changes"

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    buyer_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    change_minor: Mapped[int] = mapped_column(BigInteger)


class MonthlyCarrierExposureChange(Base):
    """`MonthlyExposureChange` summed over the policies of one insurer or pool."""

    __tablename__ = "monthly_carrier_exposure_changes"

    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    buyer_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    change_minor: Mapped[int] = mapped_column(BigInteger)


class DailyTurnover(Base):
    """A policy's shipments dated on one day, in one currency: insured amount and premium.

    `MonthlyTurnover` holds these summed per month; the views read from here only the days of a month
    a period covers in part.
    """

    __tablename__ = "daily_turnover"
    __table_args__ = (
        # The market's sums read a day range with no policy filter.
        Index("ix_daily_turnover_day", "day", "currency", "policy_id", "insured_minor", "premium_minor"),
    )

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    insured_minor: Mapped[int] = mapped_column(BigInteger)
    premium_minor: Mapped[int] = mapped_column(BigInteger)


class DailyCarrierBuyerTurnover(Base):
    """The insured amount an insurer's or pool's policies shipped on one day to buyers of one country and
    sector: the edge days of the market's and insurers' buyer breakdowns.

    Summed from the shipments of every day on which a rebuilt policy's daily turnover changed
    (`totals_refresh.py`), not from a per-policy daily table, which would be as large as the shipments.
    """

    __tablename__ = "daily_carrier_buyer_turnover"
    __table_args__ = (
        # The market's sums read a day range over every insurer.
        Index(
            "ix_daily_carrier_buyer_turnover_day",
            "day",
            "currency",
            "buyer_country",
            "buyer_sector",
            "insured_minor",
        ),
    )

    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    buyer_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    buyer_sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    insured_minor: Mapped[int] = mapped_column(BigInteger)


class DailyLimitChange(Base):
    """The net change, on one day, of the credit limits in force under a policy.

    The views sum whole months from `MonthlyLimitChange` and only the days of a month a period ends in
    part-way from here.
    """

    __tablename__ = "daily_limit_changes"
    __table_args__ = (Index("ix_daily_limit_changes_day", "day", "currency", "policy_id", "change_minor"),)

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    change_minor: Mapped[int] = mapped_column(BigInteger)


class DailyExposureChange(Base):
    """The net change, on one day, of a policy's live insured exposure on one buyer country.

    `MonthlyExposureChange` holds these summed per month; the views read a day's exposure as the months
    before it plus the days of its own month up to it.
    """

    __tablename__ = "daily_exposure_changes"

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    buyer_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    change_minor: Mapped[int] = mapped_column(BigInteger)


class DailyCarrierExposureChange(Base):
    """`DailyExposureChange` summed over the policies of one insurer or pool."""

    __tablename__ = "daily_carrier_exposure_changes"

    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    buyer_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    change_minor: Mapped[int] = mapped_column(BigInteger)
