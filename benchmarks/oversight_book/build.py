"""Building the book: the generator made of its steps, the load's order and timings, the risk run."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, text

from oversight_book.claims import ClaimsStep
from oversight_book.declarations import DeclarationsStep
from oversight_book.financing import FinancingStep
from oversight_book.institutions import make_setup
from oversight_book.limits import LimitsStep
from oversight_book.market import AS_OF, SYSTEM
from oversight_book.parties import PartiesStep
from oversight_book.premiums import PremiumsStep
from oversight_book.writer import Writer
from tradecover.clock import FixedClock, set_clock
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.actor import Actor


@dataclass
class Book:
    """What the generator made, as the benchmark needs it (ids of the viewers and counts)."""

    backend: str
    actors: dict[str, Actor] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class Generator(PartiesStep, LimitsStep, DeclarationsStep, PremiumsStep, ClaimsStep, FinancingStep):
    """Builds the rows of the book and hands them to a `Writer`."""


BIG_TABLES = ("shipments", "credit_limits", "limit_events", "premium_invoices", "claims")


def build_book(
    engine: Engine,
    *,
    shipments: int,
    buyers: int,
    holders: int = 2000,
    seed: int = 7,
    log: Callable[[str], None] = print,
) -> Book:
    """Generate the book into a freshly migrated database; the viewers' actors, row counts and timings."""
    book = Book(engine.dialect.name)
    started = time.perf_counter()
    setup = make_setup(engine)
    writer = Writer(engine)
    writer.drop_indexes(BIG_TABLES)
    generator = Generator(writer, setup, shipments=shipments, buyers=buyers, holders=holders, seed=seed)
    for step in ("parties", "policies", "limits", "shipments", "invoices", "claims", "facilities", "ledger"):
        begun = time.perf_counter()
        getattr(generator, step)()
        book.seconds[step] = time.perf_counter() - begun
        log(f"  {step}: {book.seconds[step]:.1f} s")
    begun = time.perf_counter()
    writer.finish()
    book.seconds["indexes and statistics"] = time.perf_counter() - begun
    log(f"  indexes and statistics: {book.seconds['indexes and statistics']:.1f} s")
    with engine.begin() as connection:
        # The rows went in past the services, which would have marked each policy for its oversight totals.
        connection.execute(text("INSERT INTO stale_policies (policy_id, changes) SELECT id, 1 FROM policies"))
    begun = time.perf_counter()
    risk_run(engine) if os.environ.get("BENCH_RISK", "1") == "1" else None
    book.seconds["risk run"] = time.perf_counter() - begun
    log(f"  market risk run, every scenario: {book.seconds['risk run']:.1f} s")
    book.seconds["total"] = time.perf_counter() - started
    book.counts = dict(writer.counts)
    book.actors = setup.actors
    return book


def risk_run(engine: Engine) -> None:
    """A market risk run with every shipped scenario on the book's last day (through the service)."""
    from tradecover.riskruns.book import Scope as RunScope
    from tradecover.riskruns.model import ScopeKind
    from tradecover.riskruns.service import RunRequest, start_risk_run

    set_clock(FixedClock(dt.datetime.combine(AS_OF, dt.time(20), tzinfo=dt.UTC)))
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        start_risk_run(
            session, SYSTEM, RunRequest(scope=RunScope(ScopeKind.MARKET), scenario="all", as_of=AS_OF)
        )
