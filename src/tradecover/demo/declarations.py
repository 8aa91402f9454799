"""Demo declarations: a year of shipments and payments on the demo limits, some invoices left overdue.

`plan_declarations` is pure: from a seed and the limits with cover (policy, buyer, amount), each buyer
gets a shipment every two to five weeks through the 2025 policy year, each a slice of its limit at 30,
60 or 90 days' credit, paid on or a little after its due date; about one buyer in twelve stops paying
part-way, which leaves its later invoices overdue, and gets no new shipments a month after the first
unpaid one. The tariff shock shows: shipments to US buyers fall by more than half in April and May, and
one US buyer in ten stops paying in the months after. Seeding sends the declarations as files through
`import_declarations`, in bulk (the flagship exporter weekly and on time, the others monthly), and the
rules judge every shipment against the limits of its date.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer
from tradecover.clock import FixedClock, get_clock, set_clock
from tradecover.declarations.import_rows import COLUMNS
from tradecover.declarations.imports import import_declarations
from tradecover.limits.model import CreditLimit
from tradecover.money import minor_unit_exponent
from tradecover.parties.actor import Actor
from tradecover.policies.model import Policy, PolicyStatus

YEAR_START = dt.date(2025, 1, 6)
YEAR_END = dt.date(2025, 12, 31)
CREDIT_DAYS = (30, 60, 60, 90)
STOPS_PAYING_ONE_IN = 12
# The tariff shock: US shipments dip in April and May 2025, and one US buyer in ten stops paying after it.
TARIFF_DIP = (dt.date(2025, 4, 1), dt.date(2025, 5, 31))
US_DEFAULTS_ONE_IN = 10


@dataclass(frozen=True, slots=True)
class CoveredBuyer:
    """A buyer with a limit under a policy: who, under which policy, and the limit decided (minor units)."""

    policy_id: uuid.UUID
    currency: str
    country: str
    registration_number: str
    limit_minor: int
    period_start: dt.date
    period_end: dt.date


@dataclass(frozen=True, slots=True)
class PlannedRow:
    """One row of a declarations file: a shipment (with due date) or a payment, on a date."""

    policy_id: uuid.UUID
    day: dt.date
    line: str


def _amount(minor: int, currency: str) -> str:
    places = minor_unit_exponent(currency)
    if places == 0:
        return str(minor)
    unit = 10**places
    return f"{minor // unit}.{minor % unit:0{places}d}"


@dataclass(frozen=True, slots=True)
class Year:
    """The window a plan covers: its days, until when payments are declared, and the invoice prefix."""

    start: dt.date
    end: dt.date
    paid_until: dt.date
    prefix: str


DEMO_YEAR = Year(YEAR_START, YEAR_END, YEAR_END, "D")


def tariff_shock(amount: int, day: dt.date, country: str) -> int:
    """The 2025 story: exports to US buyers fall by more than half in April and May after the tariffs."""
    if country == "US" and TARIFF_DIP[0] <= day <= TARIFF_DIP[1]:
        return amount * 45 // 100
    return amount


def _tariff_default(seed: int, serial: int, buyer: CoveredBuyer, year: Year) -> dt.date | None:
    # Its own random stream per buyer, so the other draws (and every other buyer's rows) stay as they were.
    if buyer.country != "US" or not year.start <= TARIFF_DIP[0] <= year.end:
        return None
    rng = random.Random(f"demo:{seed}:tariff:{serial}")
    if rng.randrange(US_DEFAULTS_ONE_IN) != 0:
        return None
    return TARIFF_DIP[0] + dt.timedelta(days=rng.randrange(20, 150))


def buyer_rows(
    rng: random.Random,
    buyer: CoveredBuyer,
    serial: int,
    year: Year = DEMO_YEAR,
    amount_of: Callable[[int, dt.date, str], int] = tariff_shock,
    tariff_stop: dt.date | None = None,
) -> list[PlannedRow]:
    rows: list[PlannedRow] = []
    who = f"{buyer.country},{buyer.registration_number}"
    stops_on = (
        year.start + dt.timedelta(days=rng.randrange(120, 330))
        if rng.randrange(STOPS_PAYING_ONE_IN) == 0 and year is DEMO_YEAR
        else tariff_stop
    )
    first, last = max(year.start, buyer.period_start), min(year.end, buyer.period_end)
    day = first + dt.timedelta(days=rng.randrange(0, 21))
    number = 0
    # A buyer that stops paying gets no new shipments a month after its first unpaid one: the exporter
    # holds deliveries, and reports the overdue before the next would ship (see demo/claims.py).
    held_from: dt.date | None = None
    while day <= last and (held_from is None or day < held_from):
        if day.weekday() < 5:
            number += 1
            credit_days = rng.choice(CREDIT_DAYS)
            amount = max(amount_of(buyer.limit_minor * rng.randrange(8, 30) // 100, day, buyer.country), 100)
            due = day + dt.timedelta(days=credit_days)
            invoice = f"{year.prefix}{serial:05d}-{number:03d}"
            money = _amount(amount, buyer.currency)
            shipped = (
                "shipment",
                who,
                invoice,
                money,
                buyer.currency,
                day.isoformat(),
                due.isoformat(),
                "",
                "",
            )
            rows.append(PlannedRow(buyer.policy_id, day, ",".join(shipped)))
            paid_on = due + dt.timedelta(days=rng.choice((-5, 0, 0, 3, 10, 25)))
            if (stops_on is None or paid_on < stops_on) and paid_on <= last + (year.paid_until - year.end):
                paid_on = max(paid_on, day)
                paid = ("payment", who, "", money, buyer.currency, "", "", paid_on.isoformat(), "")
                rows.append(PlannedRow(buyer.policy_id, paid_on, ",".join(paid)))
            elif stops_on is not None and paid_on >= stops_on and held_from is None:
                held_from = day + dt.timedelta(days=30)
        day += dt.timedelta(days=rng.randrange(14, 36))
    return rows


def plan_declarations(seed: int, buyers: Sequence[CoveredBuyer]) -> list[PlannedRow]:
    """Every shipment and payment row of the demo year, for each covered buyer (same seed, same rows)."""
    rng = random.Random(f"demo:{seed}:declarations")
    rows: list[PlannedRow] = []
    for serial, buyer in enumerate(buyers):
        tariff_stop = _tariff_default(seed, serial, buyer, DEMO_YEAR)
        rows.extend(buyer_rows(rng, buyer, serial, tariff_stop=tariff_stop))
    return rows


def _monday_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=7 - day.weekday())


def month_after(day: dt.date) -> dt.date:
    first_of_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_of_next + dt.timedelta(days=2)


def covered_buyers(session: Session) -> list[CoveredBuyer]:
    rows = session.execute(
        select(
            CreditLimit.policy_id,
            Policy.currency,
            Buyer.country,
            Buyer.registration_number,
            CreditLimit.amount_minor,
            Policy.period_start,
            Policy.period_end,
        )
        .join(Policy, Policy.id == CreditLimit.policy_id)
        .join(Buyer, Buyer.id == CreditLimit.buyer_id)
        .where(CreditLimit.amount_minor > 0, Policy.status == PolicyStatus.IN_FORCE)
        .order_by(Policy.number, Buyer.country, Buyer.registration_number, CreditLimit.created_at)
    ).all()
    seen: set[tuple[uuid.UUID, str, str]] = set()
    found: list[CoveredBuyer] = []
    for policy_id, currency, country, registration, amount, start, end in rows:
        if (policy_id, country, registration) not in seen:
            seen.add((policy_id, country, registration))
            found.append(CoveredBuyer(policy_id, currency, country, registration, amount, start, end))
    return found


def seed_demo_declarations(
    session: Session, seed: int, flagship_id: uuid.UUID, *, until: dt.date | None = None
) -> int:
    """Import the planned year as files, declared after each week (the flagship) or month; rows imported.

    The flagship exporter (the one the demo signs in as) declares weekly, on time; the others send a
    monthly file, so their early-month shipments show the late-declaration remark. With `until` (the
    demo's date), what would be sent later is sent on that date instead, up to the day before it, so
    the book knows every payment received by then.
    """
    weekly = set(session.scalars(select(Policy.id).where(Policy.policyholder_id == flagship_id)))
    rows = plan_declarations(seed, covered_buyers(session))
    files: dict[tuple[uuid.UUID, dt.date], list[str]] = defaultdict(list)
    for row in rows:
        declared_on = _monday_after(row.day) if row.policy_id in weekly else month_after(row.day)
        if until is not None and declared_on > until:
            if row.day >= until:
                continue
            declared_on = until
        files[row.policy_id, declared_on].append(row.line)
    header = ",".join(COLUMNS)
    system = Actor.system()
    previous = get_clock()
    imported = 0
    try:
        for (policy_id, declared_on), lines in sorted(
            files.items(), key=lambda item: (item[0][1], str(item[0][0]))
        ):
            set_clock(FixedClock(dt.datetime.combine(declared_on, dt.time(9), tzinfo=dt.UTC)))
            content = (header + "\n" + "\n".join(lines) + "\n").encode()
            batch = import_declarations(
                session,
                system,
                policy_id,
                f"week-{declared_on.isoformat()}.csv",
                content,
                declared_on=declared_on,
            )
            if batch.rejected:
                raise RuntimeError(f"the demo's own declarations were rejected: {batch.report[:300]}")
            imported += batch.rows
    finally:
        set_clock(previous)
    return imported
