"""What a shipment is judged against, loaded in a few queries for one buyer or thousands at once.

`CoverBook` answers, for a policy and a set of buyers: the limit amount in force on a date (the largest
of the buyer's limits, the old amount during a reduction's notice period), whether the DCL applies, the
insured outstanding (exposure) on a date, the terms and the declaration deadline, stoppages and loss
events on the buyer (`declarations.events`), and the premium of an insured part. A single declaration
and a file of a million rows use the same book, so they are judged the same way.
"""

from __future__ import annotations

import bisect
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.buyers.grades import country_grades
from tradecover.buyers.model import Buyer
from tradecover.declarations.dcl import SettledPurchase, paid_on_time
from tradecover.declarations.events import BuyerStoppage, loss_events_of, stoppages_of
from tradecover.declarations.model import PaymentApplication, Shipment
from tradecover.declarations.rules import CoverFacts, CoverSource, declaration_deadline
from tradecover.errors import DomainError
from tradecover.limits.history import in_force_on
from tradecover.limits.model import CreditLimit
from tradecover.limits.rules import dcl_verdict
from tradecover.money import Rate, minor_unit_exponent
from tradecover.policies.model import Policy, RateTable
from tradecover.policies.products import rate_grid
from tradecover.policies.rules import RateGrid, effective_rate
from tradecover.policies.service import terms_on
from tradecover.policies.terms import PolicyTerms
from tradecover.reference.calendars import Calendar, calendar_for_currency

# Buyers per IN (...) list: well below SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500


def chunked(values: Collection[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    """The values in lists of at most 500, for IN (...) queries."""
    items = list(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


@dataclass(slots=True)
class _Steps:
    """A step function of dates: the value from each date on (zero before the first)."""

    dates: list[dt.date] = field(default_factory=list)
    values: list[int] = field(default_factory=list)

    def at(self, day: dt.date) -> int:
        index = bisect.bisect_right(self.dates, day) - 1
        return self.values[index] if index >= 0 else 0


@dataclass(slots=True)
class _Dcl:
    barred: bool = False
    # Settled invoices: the purchases paid on time among them count for the DCL.
    settled: list[SettledPurchase] = field(default_factory=list)


class CoverBook:
    """Limits, DCL standing, exposure history and rating inputs of some buyers under one policy."""

    def __init__(self, session: Session, policy: Policy, buyer_ids: Collection[uuid.UUID]) -> None:
        self.policy = policy
        self.currency = policy.currency
        self.exponent = minor_unit_exponent(policy.currency)
        self.calendar: Calendar = calendar_for_currency(policy.currency)
        self._terms: dict[dt.date, PolicyTerms] = {}
        self._deadlines: dict[dt.date, dt.date] = {}
        self._limits: dict[uuid.UUID, _Steps] = {}
        self._exposure: dict[uuid.UUID, _Steps] = {}
        self._dcl: dict[uuid.UUID, _Dcl] = defaultdict(_Dcl)
        self._dcl_amounts: dict[tuple[int, bool, bool], int] = {}
        self._buyers: dict[uuid.UUID, BuyerCover] = {}
        self._rates: dict[tuple[int, int, int], tuple[int, int] | None] = {}
        self.grades: dict[uuid.UUID, tuple[int, str]] = {}
        self._load_limits(session, buyer_ids)
        self._load_exposure(session, buyer_ids)
        self._load_settled(session, buyer_ids)
        self._load_rating(session, buyer_ids)
        self._stoppages: dict[uuid.UUID, list[BuyerStoppage]] = stoppages_of(session, policy.id, buyer_ids)
        self._loss_events: dict[uuid.UUID, list[dt.date]] = loss_events_of(session, policy.id, buyer_ids)

    # loading -------------------------------------------------------------------------------------
    def _load_limits(self, session: Session, buyer_ids: Collection[uuid.UUID]) -> None:
        by_buyer: dict[uuid.UUID, list[CreditLimit]] = defaultdict(list)
        for chunk in chunked(buyer_ids):
            query = (
                select(CreditLimit)
                .where(CreditLimit.policy_id == self.policy.id, CreditLimit.buyer_id.in_(chunk))
                .order_by(CreditLimit.created_at, CreditLimit.id)
            )
            for limit in session.scalars(query):
                by_buyer[limit.buyer_id].append(limit)
        for buyer_id, limits in by_buyer.items():
            dates = sorted(
                {e.effective_on for limit in limits for e in limit.events if e.amount_minor is not None}
            )
            steps = _Steps()
            for day in dates:
                steps.dates.append(day)
                steps.values.append(max(in_force_on(limit, day).minor_units for limit in limits))
            self._limits[buyer_id] = steps
            decided = [limit for limit in limits if limit.decided_on is not None]
            if decided:
                latest = decided[-1]
                # As limits.service.dcl_available: a zero limit bars the DCL.
                self._dcl[buyer_id].barred = latest.bars_dcl

    def _load_exposure(self, session: Session, buyer_ids: Collection[uuid.UUID]) -> None:
        deltas: dict[uuid.UUID, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
        for chunk in chunked(buyer_ids):
            shipped = session.execute(
                select(Shipment.buyer_id, Shipment.shipment_date, func.sum(Shipment.insured_minor))
                .where(Shipment.policy_id == self.policy.id, Shipment.buyer_id.in_(chunk))
                .group_by(Shipment.buyer_id, Shipment.shipment_date)
            )
            for buyer_id, day, total in shipped:
                deltas[buyer_id][day] += int(total)
            released = session.execute(
                select(
                    PaymentApplication.buyer_id,
                    PaymentApplication.received_on,
                    func.sum(PaymentApplication.insured_released_minor),
                )
                .where(PaymentApplication.policy_id == self.policy.id, PaymentApplication.buyer_id.in_(chunk))
                .group_by(PaymentApplication.buyer_id, PaymentApplication.received_on)
            )
            for buyer_id, day, total in released:
                deltas[buyer_id][day] -= int(total)
        for buyer_id, by_day in deltas.items():
            steps, running = _Steps(), 0
            for day in sorted(by_day):
                running += by_day[day]
                steps.dates.append(day)
                steps.values.append(running)
            self._exposure[buyer_id] = steps

    def _load_settled(self, session: Session, buyer_ids: Collection[uuid.UUID]) -> None:
        for chunk in chunked(buyer_ids):
            rows = session.execute(
                select(
                    Shipment.buyer_id, Shipment.shipment_date, Shipment.settled_on, Shipment.due_date
                ).where(
                    Shipment.policy_id == self.policy.id,
                    Shipment.buyer_id.in_(chunk),
                    Shipment.settled_on.is_not(None),
                    Shipment.settled_on <= Shipment.due_date,
                )
            )
            for buyer_id, shipped, settled, due in rows:
                if settled is not None:
                    self._dcl[buyer_id].settled.append(SettledPurchase(shipped, settled, due))

    def _load_rating(self, session: Session, buyer_ids: Collection[uuid.UUID]) -> None:
        for chunk in chunked(buyer_ids):
            for buyer_id, grade, country in session.execute(
                select(Buyer.id, Buyer.grade, Buyer.country).where(Buyer.id.in_(chunk))
            ):
                self.grades[buyer_id] = (grade, country)
        self._country_grades = country_grades(session)
        self.grid: RateGrid | None = None
        if self.policy.rate_table_id is not None:
            # The insured prices its shipments with its insurer's table, which it may not read itself.
            table = session.scalar(
                select(RateTable)
                .where(RateTable.id == self.policy.rate_table_id)
                .execution_options(tenant_exempt=True)
            )
            if table is not None and table.cells:
                self.grid = rate_grid(table)

    # answers -------------------------------------------------------------------------------------
    def terms(self, day: dt.date) -> PolicyTerms:
        """The policy's terms on a date of its period."""
        terms = self._terms.get(day)
        if terms is None:
            terms = self._terms[day] = terms_on(self.policy, day)
        return terms

    def deadline(self, shipment_date: dt.date) -> dt.date:
        """The last day to declare a shipment made on a date."""
        deadline = self._deadlines.get(shipment_date)
        if deadline is None:
            working_days = self.terms(shipment_date).declaration_deadline_working_days
            deadline = declaration_deadline(shipment_date, self.calendar, working_days)
            self._deadlines[shipment_date] = deadline
        return deadline

    def buyer(self, buyer_id: uuid.UUID) -> BuyerCover:
        """The buyer's part of the book (made once), for many questions about the same buyer."""
        found = self._buyers.get(buyer_id)
        if found is None:
            grade = self.grades.get(buyer_id)
            found = self._buyers[buyer_id] = BuyerCover(
                self,
                self._limits.get(buyer_id, _NO_STEPS),
                self._exposure.get(buyer_id, _NO_STEPS),
                self._dcl[buyer_id],
                self._stoppages.get(buyer_id, []),
                self._loss_events.get(buyer_id, []),
                None if grade is None else (grade[0], self._country_grades.get(grade[1], -1)),
            )
        return found

    def limit_minor(self, buyer_id: uuid.UUID, day: dt.date) -> int:
        """The largest limit amount in force on the buyer on a date (zero when none)."""
        return self.buyer(buyer_id).limits.at(day)

    def exposure_minor(self, buyer_id: uuid.UUID, day: dt.date) -> int:
        """The buyer's insured outstanding at the end of a date, from what is recorded."""
        return self.buyer(buyer_id).exposure.at(day)

    def dcl_minor(self, buyer_id: uuid.UUID, day: dt.date) -> int:
        """The discretionary limit usable on the buyer on a date (zero when it does not apply)."""
        return self.buyer(buyer_id).dcl_minor(day)

    def stopped_since(self, buyer_id: uuid.UUID, day: dt.date) -> dt.date | None:
        """The start of the stoppage on the buyer in force on a date (None when none is)."""
        return self.buyer(buyer_id).stopped_since(day)

    def loss_event_on(self, buyer_id: uuid.UUID, known_on: dt.date | None = None) -> dt.date | None:
        """The earliest loss event on the buyer known by a date (any date when None)."""
        return self.buyer(buyer_id).loss_event_on(known_on)

    def cover(
        self,
        buyer_id: uuid.UUID,
        shipment_date: dt.date,
        exposure_minor: int,
        declared_on: dt.date | None = None,
    ) -> CoverFacts:
        """The cover facts of a shipment on the buyer, given its exposure before the shipment."""
        return self.buyer(buyer_id).cover(shipment_date, exposure_minor, declared_on)

    def premium_minor(self, buyer_id: uuid.UUID, credit_days: int, insured_minor: int) -> int | None:
        """The premium on an insured part (rounded half up once); None when the table cannot rate it."""
        return self.buyer(buyer_id).premium_minor(credit_days, insured_minor)

    def dcl_amount(self, terms: PolicyTerms, standing: _Dcl, paid_on_time_count: int) -> int:
        """The DCL amount under the terms for a buyer's standing and purchases paid on time."""
        conditions = terms.dcl_conditions
        # The verdict turns on the terms, the bar and whether enough purchases were paid on time.
        key = (id(terms), standing.barred, paid_on_time_count >= conditions.min_paid_purchases)
        amount = self._dcl_amounts.get(key)
        if amount is None:
            verdict = dcl_verdict(
                terms.dcl,
                barred_by_zero_limit=standing.barred,
                purchases_paid_on_time_12m=paid_on_time_count,
                has_credit_report=False,
                min_paid_purchases=conditions.min_paid_purchases,
                credit_report_suffices=conditions.credit_report_suffices,
            )
            amount = self._dcl_amounts[key] = verdict.amount.minor_units
        return amount

    def rate_ratio(self, key: tuple[int, int, int]) -> tuple[int, int] | None:
        """The effective rate as numerator and denominator for (grade, country grade, credit days)."""
        return self._rates[key] if key in self._rates else self._rate(key)

    def _rate(self, key: tuple[int, int, int]) -> tuple[int, int] | None:
        assert self.grid is not None
        try:
            base = self.grid.rate_for(key[0], key[1], max(key[2], 1))
        except DomainError:
            self._rates[key] = None
            return None
        rate = effective_rate(base, self.policy.rate_adjustment, Rate(self.policy.preferential_discount))
        self._rates[key] = rate.as_integer_ratio()
        return self._rates[key]


_NO_STEPS = _Steps()


class BuyerCover:
    """One buyer's part of a `CoverBook`, looked up once: what a file of many rows on the buyer asks."""

    __slots__ = ("_book", "_dcl_on", "dcl", "exposure", "grades", "limits", "loss_events", "stoppages")

    def __init__(
        self,
        book: CoverBook,
        limits: _Steps,
        exposure: _Steps,
        dcl: _Dcl,
        stoppages: list[BuyerStoppage],
        loss_events: list[dt.date],
        grades: tuple[int, int] | None,
    ) -> None:
        self._book = book
        self.limits, self.exposure, self.dcl = limits, exposure, dcl
        self.stoppages, self.loss_events, self.grades = stoppages, loss_events, grades
        self._dcl_on: dict[dt.date, int] = {}

    def dcl_minor(self, day: dt.date) -> int:
        """The discretionary limit usable on the buyer on a date (zero when it does not apply)."""
        found = self._dcl_on.get(day)
        if found is None:
            terms = self._book.terms(day)
            settled = self.dcl.settled
            lookback = terms.dcl_conditions.lookback_months
            count = paid_on_time(settled, day, lookback) if settled else 0
            found = self._dcl_on[day] = self._book.dcl_amount(terms, self.dcl, count)
        return found

    def stopped_since(self, day: dt.date) -> dt.date | None:
        """The start of the stoppage on the buyer in force on a date (None when none is)."""
        for stoppage in self.stoppages:
            if stoppage.in_force_on(day):
                return stoppage.since
        return None

    def loss_event_on(self, known_on: dt.date | None = None) -> dt.date | None:
        """The earliest loss event on the buyer known by a date (any date when None)."""
        for event_on in self.loss_events:
            if known_on is None or event_on <= known_on:
                return event_on
            break
        return None

    def cover(self, shipment_date: dt.date, exposure_minor: int, declared_on: dt.date | None) -> CoverFacts:
        """The cover facts of a shipment on the buyer, given its exposure before the shipment."""
        book = self._book
        limit = self.limits.at(shipment_date)
        if limit > 0:
            source, amount = CoverSource.LIMIT, limit
        else:
            dcl = self.dcl_minor(shipment_date)
            source, amount = (CoverSource.DCL, dcl) if dcl > 0 else (CoverSource.NONE, 0)
        return CoverFacts(
            max_credit_days=book.terms(shipment_date).max_credit_period_days,
            deadline=book.deadline(shipment_date),
            source=source,
            cover_minor=amount,
            exposure_minor=exposure_minor,
            stopped_since=self.stopped_since(shipment_date) if self.stoppages else None,
            loss_event_on=self.loss_event_on(declared_on) if self.loss_events else None,
        )

    def premium_minor(self, credit_days: int, insured_minor: int) -> int | None:
        """The premium on an insured part (rounded half up once); None when the table cannot rate it."""
        if self._book.grid is None:
            return None
        if self.grades is None:
            # Every buyer of the book is read from the registry; one without grades is a caller's bug.
            raise LookupError("the buyer is not in the cover book")
        ratio = self._book.rate_ratio((*self.grades, credit_days))
        if ratio is None:
            return None
        # insured × rate, half up to the minor unit, in exact integers: rate = numerator / denominator.
        numerator, denominator = ratio
        return (2 * insured_minor * numerator + denominator) // (2 * denominator)
