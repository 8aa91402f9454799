"""Benchmark: importing 1,000,000 shipment declarations over 2,000 buyers into a fresh database.

Run: ``.venv/bin/python benchmarks/declarations_import.py [--rows 1000000] [--buyers 2000]
[--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--skip-postgres]``. Not part of the tests.

For each database (a new SQLite file; a private PostgreSQL database created on the server and dropped
afterwards) it migrates, sets up an insurer with an export whole-turnover product and rate table, an
exporter with a USD policy for 2026 priced by that table, 2,000 registered buyers and a credit limit on
every second one (the rest rely on the DCL or are uninsured), then times `import_declarations` on a CSV
of `--rows` shipments — parsed, checked row by row, judged against limits/DCL/exposure with limits
revolving, rated (premium per line from the policy's rate table), bulk inserted and committed — and
prints rows/s. In the same run it writes 200,000 of the imported rows again through `db.bulk` alone
(new ids and invoice numbers, rolled back: what the database and its driver cost, the floor of any
import) and inserts a sample of 20,000 of the same rows one ORM object at a time (`session.add` + flush
per row, no checks at all), and prints both rates and the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import BuyerRegistration, register_buyers
from tradecover.clock import FixedClock, set_clock
from tradecover.db.bulk import insert_rows, ordered_ids
from tradecover.db.engine import make_engine
from tradecover.db.migrate import upgrade
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.declarations.import_rows import COLUMNS
from tradecover.declarations.imports import import_declarations
from tradecover.declarations.model import Shipment
from tradecover.declarations.rules import CoverSource
from tradecover.limits.decisions import request_limit
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user
from tradecover.policies.model import Product
from tradecover.policies.products import install_products, rate_table_for
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind

TODAY = dt.date(2026, 12, 31)
YEAR_START = dt.date(2026, 1, 1)
SAMPLE = 20_000
FLOOR = 200_000
COUNTRIES = ("US", "DE", "GB", "FR", "JP", "VN", "TH", "AE", "BR", "MX")


@dataclass(frozen=True, slots=True)
class Setup:
    """The book the import goes into."""

    policy_id: uuid.UUID
    exporter: Actor
    buyers: list[tuple[str, str]]


def setup_book(engine: Engine, buyers: int) -> Setup:
    """Insurer, product and rate table, exporter, policy, buyers and limits (not timed)."""
    system = Actor.system()
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        insurer = create_organisation(
            session, system, name="Bench Insurer", kind=OrganisationKind.INSURER, country="CN"
        )
        exporter_org = create_organisation(
            session, system, name="Bench Exporter", kind=OrganisationKind.POLICYHOLDER, country="CN"
        )
        admin = actor_for(
            create_user(
                session,
                system,
                organisation_id=insurer.id,
                email="admin@bench.example",
                full_name="Bench Admin",
                roles=[Role.INSURER_ADMIN],
            )
        )
        exporter = actor_for(
            create_user(
                session,
                system,
                organisation_id=exporter_org.id,
                email="exporter@bench.example",
                full_name="Bench Exporter",
                roles=[Role.POLICYHOLDER],
            )
        )
        install_products(session, admin, insurer.id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER])
        product = session.scalars(select(Product).where(Product.insurer_id == insurer.id)).one()
        policy = issue_policy(
            session,
            admin,
            product=product,
            policyholder_id=exporter_org.id,
            terms=product.terms,
            period_start=YEAR_START,
            period_end=TODAY,
            rate_table_id=rate_table_for(session, product).id,
        )
        rng = random.Random(7)
        registrations = [
            BuyerRegistration(
                name=f"Bench Buyer {n}",
                country=COUNTRIES[n % len(COUNTRIES)],
                registration_number=f"BB{n:06d}",
                kind=BuyerKind.COMPANY,
                sector="electronics",
                grade=rng.randint(1, 7),
            )
            for n in range(buyers)
        ]
        ids = register_buyers(session, system, registrations)
        keys = [(r.country, r.registration_number) for r in registrations]
    # Limits are decided on their request date, so request them at the start of the year.
    set_clock(FixedClock(dt.datetime.combine(YEAR_START, dt.time(9), tzinfo=dt.UTC)))
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        for buyer_id in ids[::2]:
            request_limit(
                session,
                exporter,
                policy.id,
                buyer_id,
                Money.of(rng.choice((100_000, 250_000, 400_000)), "USD"),
            )
    set_clock(FixedClock(dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)))
    return Setup(policy.id, exporter, keys)


def declarations_csv(buyers: list[tuple[str, str]], rows: int, seed: int = 11) -> bytes:
    """`rows` shipments spread over the buyers and the year, 30–150 days' credit, USD 1,000–50,000."""
    rng = random.Random(seed)
    days = (TODAY - YEAR_START).days
    lines = [",".join(COLUMNS)]
    for n in range(rows):
        country, registration = buyers[n % len(buyers)]
        shipped = YEAR_START + dt.timedelta(days=rng.randrange(days))
        due = shipped + dt.timedelta(days=rng.choice((30, 60, 90, 120, 150)))
        amount = f"{rng.randrange(1_000, 50_000)}.{rng.randrange(100):02d}"
        lines.append(f"shipment,{country},{registration},INV-{n:08d},{amount},USD,{shipped},{due},,")
    return ("\n".join(lines) + "\n").encode()


def per_row_orm(engine: Engine, setup: Setup, template: Shipment, count: int) -> float:
    """Seconds to insert `count` shipments one ORM object at a time (add + flush each), then commit."""
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        start = time.perf_counter()
        for n in range(count):
            session.add(
                Shipment(
                    policy_id=template.policy_id,
                    buyer_id=template.buyer_id,
                    invoice_number=f"ORM-{n:08d}",
                    currency="USD",
                    amount_minor=template.amount_minor,
                    shipment_date=template.shipment_date,
                    due_date=template.due_date,
                    declared_on=TODAY,
                    declared_at=template.declared_at,
                    declared_by_user_id=None,
                    import_batch_id=None,
                    insured_minor=template.insured_minor,
                    premium_minor=template.premium_minor,
                    paid_minor=0,
                    settled_on=None,
                    max_credit_days=template.max_credit_days,
                    deadline=template.deadline,
                    cover_source=CoverSource(template.cover_source),
                    cover_minor=template.cover_minor,
                    exposure_minor=template.exposure_minor,
                )
            )
            session.flush()
        session.commit()
        return time.perf_counter() - start


def write_floor(engine: Engine, count: int) -> float:
    """Seconds to write `count` of the imported shipments again through `db.bulk` alone, rolled back.

    The rows are read back as the driver gives them, with new ids and invoice numbers: what the database
    and the driver cost for the rows, without any parsing, checking or judging.
    """
    table = Shipment.metadata.tables[Shipment.__tablename__]
    columns = [column.name for column in table.c]
    at_id, at_invoice = columns.index("id"), columns.index("invoice_number")
    with session_factory(engine)() as session:
        stored = session.connection().exec_driver_sql(
            f"SELECT {', '.join(columns)} FROM shipments LIMIT {int(count)}"  # noqa: S608 - our own names
        )
        rows = [list(row) for row in stored]
        for row, new_id in zip(rows, ordered_ids(len(rows)), strict=True):
            row[at_id], row[at_invoice] = new_id, f"FLOOR-{new_id}"
        start = time.perf_counter()
        insert_rows(session, table, columns, rows)
        elapsed = time.perf_counter() - start
        session.rollback()
    return elapsed


def run(engine: Engine, name: str, rows: int, buyers: int) -> tuple[str, int, float, float, float]:
    """Set up, import, write floor, per-row ORM; returns (database, rows, bulk, floor and per-row rows/s)."""
    upgrade(engine)
    setup = setup_book(engine, buyers)
    content = declarations_csv(setup.buyers, rows)
    console = Console(stderr=True)
    console.print(f"[{name}] importing {rows:,} rows ({len(content) / 1e6:.0f} MB)…")
    start = time.perf_counter()
    with unit_of_work(session_factory(engine), setup.exporter.tenant) as session:
        batch = import_declarations(session, setup.exporter, setup.policy_id, "bench.csv", content)
    elapsed = time.perf_counter() - start
    assert batch.shipments == rows, batch.report[:500]
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        stored = session.scalar(select(func.count()).select_from(Shipment))
        insured = session.scalar(select(func.count()).select_from(Shipment).where(Shipment.insured_minor > 0))
        priced = session.scalar(select(func.count()).select_from(Shipment).where(Shipment.premium_minor > 0))
        template = session.scalars(select(Shipment).limit(1)).one()
        session.expunge(template)
    console.print(
        f"[{name}] stored {stored:,}: {insured:,} insured, {priced:,} with a premium; {elapsed:.1f} s"
    )
    floor_rows = min(FLOOR, rows)
    floor_seconds = write_floor(engine, floor_rows)
    sample = min(SAMPLE, rows)
    orm_seconds = per_row_orm(engine, setup, template, sample)
    return name, rows, rows / elapsed, floor_rows / floor_seconds, sample / orm_seconds


@contextmanager
def private_postgres(base_url: str) -> Iterator[Engine]:
    """A fresh database on the server, dropped afterwards."""
    database = f"tradecover_bench_declarations_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    engine = make_engine(make_url(base_url).set(database=database).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    """Parse the options, run on SQLite then PostgreSQL, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--buyers", type=int, default=2_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        results.append(run(engine, "SQLite", args.rows, args.buyers))
        engine.dispose()
    if not args.skip_postgres:
        with private_postgres(args.postgres) as engine:
            results.append(run(engine, "PostgreSQL", args.rows, args.buyers))
    table = Table(title=f"Declarations import: {args.rows:,} shipments over {args.buyers:,} buyers")
    headings = (
        "database",
        "rows",
        "bulk import rows/s",
        f"write alone rows/s ({FLOOR:,})",
        f"per-row ORM rows/s ({SAMPLE:,})",
        "÷ write alone",
        "× per-row ORM",
    )
    for column in headings:
        table.add_column(column, justify="right")
    for name, rows, bulk, floor, orm in results:
        table.add_row(
            name,
            f"{rows:,}",
            f"{bulk:,.0f}",
            f"{floor:,.0f}",
            f"{orm:,.0f}",
            f"{bulk / floor:.2f}",
            f"×{bulk / orm:.1f}",
        )
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
