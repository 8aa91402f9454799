"""Benchmark: each audience's oversight view for a year on a book of 5,000,000 declarations.

Run: ``.venv/bin/python benchmarks/oversight.py [--backend sqlite|postgresql|both] [--shipments 5000000]
[--buyers 100000] [--holders 2000] [--repeats 5] [--keep PATH_OR_URL ...]
[--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]``. Not part of the tests.

For each database (a new SQLite file; a private PostgreSQL database created on the server and dropped
afterwards) it migrates, generates the book of `oversight_book/` (two years, 2024–2025) and times
`tradecover.oversight.views.build_view` for the regulator, an insurer (a pool member), a programme
officer and a bank for 2025 in CNY: one warm-up, then the median of `--repeats` runs, each in its own
read-only session. The in-run baseline is the same views with the oversight indexes of migration 0013
dropped (they are built again afterwards), beside the time of one full `SELECT count(*) FROM shipments`.
Each section's median time is printed too. Targets (issue 7): ≤ 300 ms per view on PostgreSQL, ≤ 1 s on
SQLite.

`--keep PATH_OR_URL` (an SQLite file path, or a PostgreSQL URL naming the database) keeps the generated
book there and reuses it on the next run instead of generating it again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, Select, extract, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))

from oversight_book.build import Book, build_book
from oversight_book.checks import check_book, find_book

from tradecover.buyers.model import Buyer
from tradecover.db.engine import make_engine
from tradecover.db.migrate import upgrade
from tradecover.db.session import session_factory, unit_of_work
from tradecover.declarations.model import Shipment
from tradecover.models import metadata
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience, Scope, scope_for
from tradecover.oversight.totals_refresh import refresh_totals, settle_totals
from tradecover.oversight.views import SECTIONS, SectionBuilder, build_view
from tradecover.parties.actor import Actor
from tradecover.policies.model import Policy
from tradecover.server import freeze_startup_objects

console = Console()
PERIOD = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
TODAY = dt.date(2025, 12, 31)
CURRENCY = "CNY"
TARGET_MS = {"sqlite": 1000.0, "postgresql": 300.0}
# The indexes of migration 0013 (what the baseline runs without).
OVERSIGHT_INDEXES = (
    "ix_shipments_oversight",
    "ix_claims_filed_on",
    "ix_claims_paid_on",
    "ix_premium_invoices_issued_on",
    "ix_credit_limits_decided_on",
    "ix_limit_events_kind_effective_on",
)
AUDIENCES = (
    ("regulator", Audience.REGULATOR),
    ("insurer", Audience.INSURER),
    ("programme", Audience.PROGRAMME),
    ("bank", Audience.BANK),
)


@dataclass(frozen=True)
class Timing:
    """Median milliseconds of a view and of each of its sections."""

    view_ms: float
    sections_ms: dict[str, float]


def _median_ms(run: Callable[[], None], repeats: int) -> float:
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def time_views(engine: Engine, book: Book, repeats: int, sections: bool) -> dict[str, Timing]:
    """Each audience's view: median of `repeats` after a warm-up (and each section's, when asked)."""
    sessions = session_factory(engine)
    # As the server does once started: what is loaded by now is left out of the collector's walks.
    freeze_startup_objects()
    found: dict[str, Timing] = {}
    for key, audience in AUDIENCES:
        actor = book.actors[key]

        def whole(actor: Actor = actor, audience: Audience = audience) -> None:
            with unit_of_work(sessions, actor.tenant) as session:
                build_view(session, actor, audience, PERIOD, CURRENCY, today=TODAY)

        view_ms = _median_ms(whole, repeats)
        parts: dict[str, float] = {}
        if sections:
            with unit_of_work(sessions, actor.tenant) as session:
                scope = scope_for(session, actor, audience)
                for build in SECTIONS[audience]:

                    def one(
                        build: SectionBuilder = build, session: Session = session, scope: Scope = scope
                    ) -> None:
                        build(session, scope, PERIOD, CURRENCY)

                    parts[build.__name__.removesuffix("_section")] = _median_ms(one, repeats)
        found[key] = Timing(view_ms, parts)
        detail = ", ".join(f"{name} {ms:,.0f}" for name, ms in parts.items())
        console.print(f"  {key}: {view_ms:,.0f} ms" + (f"  ({detail})" if detail else ""))
    return found


def _month(day: Any) -> Any:
    return extract("year", day) * 100 + extract("month", day)


def raw_queries(insurer_id: uuid.UUID) -> dict[str, Select[Any]]:
    """The sums the coverage and premium sections make, written out: what the shipments index serves."""
    ym = _month(Shipment.shipment_date).label("ym")
    in_period = Shipment.shipment_date.between(PERIOD.start, PERIOD.end)
    insurer_policies = select(Policy.id).where(Policy.insurer_id == insurer_id)
    return {
        "insured by month, currency": select(ym, Shipment.currency, func.sum(Shipment.insured_minor))
        .where(in_period)
        .group_by(ym, Shipment.currency),
        "… and policy": select(ym, Shipment.currency, Shipment.policy_id, func.sum(Shipment.insured_minor))
        .where(in_period)
        .group_by(ym, Shipment.currency, Shipment.policy_id),
        "… by buyer country, sector": select(
            ym, Shipment.currency, Buyer.country, Buyer.sector, func.sum(Shipment.insured_minor)
        )
        .join(Buyer, Buyer.id == Shipment.buyer_id)
        .where(in_period)
        .group_by(ym, Shipment.currency, Buyer.country, Buyer.sector),
        "premium earned by month": select(ym, Shipment.currency, func.sum(Shipment.premium_minor))
        .where(in_period, Shipment.premium_minor.is_not(None))
        .group_by(ym, Shipment.currency),
        "one insurer's insured by month": select(ym, Shipment.currency, func.sum(Shipment.insured_minor))
        .where(in_period, Shipment.policy_id.in_(insurer_policies))
        .group_by(ym, Shipment.currency),
    }


def time_queries(engine: Engine, book: Book, repeats: int) -> dict[str, float]:
    """Median milliseconds of each raw query."""
    assert book.actors["insurer"].organisation_id is not None
    found = {}
    for label, query in raw_queries(book.actors["insurer"].organisation_id).items():

        def one(query: Select[Any] = query) -> None:
            with engine.connect() as connection:
                connection.execute(query).all()

        found[label] = _median_ms(one, repeats)
    return found


def scan_ms(engine: Engine, repeats: int) -> float:
    """A full `SELECT count(*) FROM shipments` (median after a warm-up)."""

    def count() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM shipments")).scalar_one()

    return _median_ms(count, repeats)


def rebuild_totals(engine: Engine, book: Book) -> tuple[int, float]:
    """Rebuild the totals of the policies marked stale (after generation: all); count and seconds."""
    sessions = session_factory(engine)
    start = time.perf_counter()
    with unit_of_work(sessions, book.actors["regulator"].tenant) as session:
        rebuilt = refresh_totals(session)
    settle_totals(engine)  # as `tradecover db upgrade` does after a rebuild
    return rebuilt, time.perf_counter() - start


def drop_oversight_indexes(engine: Engine) -> None:
    """Drop the indexes of migration 0013 (for the baseline)."""
    with engine.begin() as connection:
        for name in OVERSIGHT_INDEXES:
            connection.execute(text(f"DROP INDEX IF EXISTS {name}"))
        connection.execute(text("ANALYZE"))


def create_oversight_indexes(engine: Engine) -> None:
    """Build the indexes of migration 0013 again, as the models declare them."""
    wanted = set(OVERSIGHT_INDEXES)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            for index in table.indexes:
                if index.name in wanted:
                    index.create(connection, checkfirst=True)
        connection.execute(text("ANALYZE"))


def prepare(engine: Engine, args: argparse.Namespace) -> Book:
    """The book in this database: found from an earlier run, or generated now."""
    upgrade(engine)
    book = find_book(engine)
    if book is not None:
        console.print(f"[{engine.dialect.name}] reusing the book already in {engine.url.database}")
        return book
    console.print(
        f"[{engine.dialect.name}] generating {args.shipments:,} shipments, {args.buyers:,} buyers, "
        f"{args.holders:,} policyholders …"
    )
    book = build_book(
        engine, shipments=args.shipments, buyers=args.buyers, holders=args.holders, log=console.print
    )
    console.print(f"[{engine.dialect.name}] generated in {book.seconds['total']:.0f} s: {book.counts}")
    orphans = check_book(engine)
    console.print(f"[{engine.dialect.name}] rows with a dangling foreign key: {orphans}")
    return book


def run(engine: Engine, args: argparse.Namespace) -> list[tuple[str, str, float, float, float]]:
    """Time the views, and the baseline of the same run; rows for the summary table."""
    name = engine.dialect.name
    book = prepare(engine, args)
    with engine.connect() as connection:
        shipments = connection.execute(text("SELECT count(*) FROM shipments")).scalar_one()
    scan = scan_ms(engine, args.repeats)
    console.print(f"[{name}] {shipments:,} shipments; one full count(*) scan of them: {scan:,.0f} ms")
    rebuilt, seconds = rebuild_totals(engine, book)
    if rebuilt:
        console.print(f"[{name}] monthly totals of {rebuilt:,} stale policies rebuilt in {seconds:.1f} s")
    if not args.skip_queries:
        queries = time_queries(engine, book, args.repeats)
        drop_oversight_indexes(engine)
        try:
            bare_queries = time_queries(engine, book, args.repeats)
        finally:
            create_oversight_indexes(engine)
        console.print(f"[{name}] raw sums over the year's shipments, median ms with / without the indexes:")
        for label, ms in queries.items():
            console.print(
                f"  {label}: {ms:,.0f} / {bare_queries[label]:,.0f}  (×{bare_queries[label] / ms:.1f})"
            )
    if args.skip_views:
        return []
    console.print(f"[{name}] views with the oversight indexes:")
    indexed = time_views(engine, book, args.repeats, args.sections)
    if args.baseline == "scan":
        return [(name, key, t.view_ms, scan, TARGET_MS[name]) for key, t in indexed.items()]
    drop_oversight_indexes(engine)
    try:
        console.print(f"[{name}] views without them (baseline):")
        bare = time_views(engine, book, args.repeats, args.sections)
    finally:
        create_oversight_indexes(engine)
    return [(name, key, t.view_ms, bare[key].view_ms, TARGET_MS[name]) for key, t in indexed.items()]


@contextmanager
def sqlite_engine(keep: str | None) -> Iterator[Engine]:
    """The kept SQLite file, or a new one in a temporary folder."""
    if keep:
        engine = make_engine(f"sqlite:///{Path(keep).resolve()}")
        yield engine
        engine.dispose()
        return
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'oversight.db'}")
        yield engine
        engine.dispose()


@contextmanager
def postgres_engine(base_url: str, keep: str | None) -> Iterator[Engine]:
    """The kept PostgreSQL database (created when missing), or a private one dropped afterwards."""
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    name = make_url(keep).database if keep else f"tradecover_bench_oversight_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(base_url).set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    """Parse the options, run on the chosen databases, print the summary."""
    global PERIOD  # the views' period, which the timing functions read
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--shipments", type=int, default=5_000_000)
    parser.add_argument("--buyers", type=int, default=100_000)
    parser.add_argument("--holders", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", action="append", default=[], help="SQLite file or PostgreSQL URL to keep")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--baseline",
        choices=("views", "scan"),
        default="views",
        help="views: the same views without the oversight indexes; scan: one full count(*) of shipments",
    )
    parser.add_argument("--sections", action="store_true", help="also time each section of each view")
    parser.add_argument("--skip-views", action="store_true", help="time only the raw sums")
    parser.add_argument("--skip-queries", action="store_true", help="time only the views")
    parser.add_argument(
        "--to",
        type=dt.date.fromisoformat,
        default=PERIOD.end,
        help="the views' last day (default 2025-12-31; a day mid-month times a year to date)",
    )
    args = parser.parse_args()
    PERIOD = Period(PERIOD.start, args.to)
    keep_pg = next((k for k in args.keep if k.startswith("postgres")), None)
    keep_sqlite = next((k for k in args.keep if not k.startswith("postgres")), None)
    rows = []
    if args.backend in ("sqlite", "both"):
        with sqlite_engine(keep_sqlite) as engine:
            rows += run(engine, args)
    if args.backend in ("postgresql", "both"):
        with postgres_engine(args.postgres, keep_pg) as engine:
            rows += run(engine, args)
    baseline = "without indexes ms" if args.baseline == "views" else "count(*) scan ms"
    ratio = "ratio without / with" if args.baseline == "views" else "view / scan"
    table = Table(title=f"Oversight views for {PERIOD.label} in {CURRENCY}, median of {args.repeats}")
    for column in ("database", "view", "view ms", baseline, ratio, "target ms", "result"):
        table.add_column(column, justify="right")
    for database, view, view_ms, base_ms, target in rows:
        share = base_ms / view_ms if args.baseline == "views" else view_ms / base_ms
        table.add_row(
            database,
            view,
            f"{view_ms:,.0f}",
            f"{base_ms:,.0f}",
            f"×{share:.1f}",
            f"{target:,.0f}",
            "pass" if view_ms <= target else "FAIL",
        )
    console.print(table)


if __name__ == "__main__":
    main()
