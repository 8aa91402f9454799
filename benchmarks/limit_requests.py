"""Benchmark: instant credit-limit decisions through the HTTP API on loopback, beside GET /health.

Run: ``.venv/bin/python benchmarks/limit_requests.py [--requests 4000] [--clients 32]
[--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--skip-postgres]``. Not part of the tests.

For each database (a new SQLite file; a private PostgreSQL database created on the server and dropped
afterwards) it migrates, sets up an insurer with capacity rows (total, the buyers' country and sector,
all locked by every decision) and a country appetite line, an exporter with a USD export policy in force
today, an API key for the exporter and one registered buyer per request. It then starts the platform
(`uvicorn --factory tradecover.server:create_app`, one process) on 127.0.0.1 and, with `--clients`
concurrent httpx AsyncClients, first calls `GET /api/v1/health` `--requests` times, then sends
`--requests` `POST /api/v1/limits` requests within the instant band (each on its own buyer, so each is
a new limit decided by the rules under the capacity locks and committed before the answer). It prints
requests/s and p50/p99 latency of both, and checks that every request got an instant decision.
Target (issue 3): at least 300 decisions/s with p99 at most 100 ms on each database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import BuyerRegistration, register_buyers
from tradecover.db.engine import make_engine
from tradecover.db.migrate import upgrade
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.limits.capacity import set_appetite, set_capacity
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user, issue_api_key
from tradecover.policies.model import Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind

console = Console()


@dataclass(frozen=True)
class Setting:
    """What the requests need: the exporter's key, its policy, one buyer per request."""

    token: str
    policy_id: uuid.UUID
    buyer_ids: list[uuid.UUID]


@dataclass(frozen=True)
class Figures:
    """Throughput and latency of one phase."""

    what: str
    count: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        """Requests completed per second of wall time."""
        return self.count / self.seconds

    def percentile(self, p: float) -> float:
        """A latency percentile in milliseconds."""
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _prepare(url: str, requests: int) -> Setting:
    engine = make_engine(url)
    upgrade(engine)
    system = Actor.system()
    today = dt.date.today()  # noqa: DTZ011 - the server decides by the machine's clock too
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        insurer = create_organisation(
            session, system, name="Bench Insurer", kind=OrganisationKind.INSURER, country="CN"
        )
        exporter = create_organisation(
            session, system, name="Bench Exporter", kind=OrganisationKind.POLICYHOLDER, country="CN"
        )
        install_products(session, system, insurer.id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER])
        product = session.query(Product).filter(Product.insurer_id == insurer.id).one()
        policy = issue_policy(
            session,
            system,
            product=product,
            policyholder_id=exporter.id,
            terms=product.terms,
            period_start=today - dt.timedelta(days=30),
            period_end=today + dt.timedelta(days=300),
            rate_table_id=None,
        )
        for scope, key in (("total", ""), ("country", "US"), ("sector", "electronics")):
            set_capacity(session, system, insurer.id, scope, key, Money.of(10**12, "USD"))
        set_appetite(session, system, insurer.id, "country", "US", "refer", Money.of(10**12, "USD"))
        user = create_user(
            session,
            system,
            organisation_id=exporter.id,
            email="bench@example.org",
            full_name="Bench Exporter",
            roles=[Role.POLICYHOLDER],
        )
        _, token = issue_api_key(session, actor_for(user), "benchmark")
        buyer_ids = register_buyers(
            session,
            system,
            [
                BuyerRegistration(
                    f"Bench Buyer {n}", "US", f"BENCH-{n:07d}", BuyerKind.COMPANY, "electronics", 3
                )
                for n in range(requests + 500)
            ],
        )
        setting = Setting(token, policy.id, buyer_ids)
    engine.dispose()
    return setting


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server(url: str, folder: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "TRADECOVER_DATABASE_URL": url,
        "TRADECOVER_SECRET_KEY": "benchmark-secret-" + "x" * 32,
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "tradecover.server:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=folder)  # noqa: S603 - our own interpreter and args
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _run(base: str, what: str, calls: list[tuple[str, str, dict[str, object] | None]],
               clients: int, headers: dict[str, str], expect: int) -> Figures:  # fmt: skip
    queue: asyncio.Queue[tuple[str, str, dict[str, object] | None]] = asyncio.Queue()
    for call in calls:
        queue.put_nowait(call)
    latencies: list[float] = []
    outcomes: dict[str, int] = {}

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
            while not queue.empty():
                method, path, body = queue.get_nowait()
                start = time.perf_counter()
                response = await client.request(method, path, json=body)
                latencies.append((time.perf_counter() - start) * 1000)
                if response.status_code != expect:
                    raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:200]}")
                if body is not None:
                    status = response.json()["status"]
                    outcomes[status] = outcomes.get(status, 0) + 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    seconds = time.perf_counter() - start
    if outcomes:
        console.print(f"  decisions: {outcomes}")
    return Figures(what, len(calls), seconds, latencies)


def _bench(url: str, label: str, requests: int, clients: int, folder: Path) -> list[Figures]:
    console.print(f"[bold]{label}[/bold]: preparing {requests + 500} buyers, a policy and a key …")
    setting = _prepare(url, requests)
    headers = {"Authorization": f"Bearer {setting.token}"}
    rng = random.Random(1)
    bodies = [
        {
            "policy_id": str(setting.policy_id),
            "buyer_id": str(buyer_id),
            "amount": {"amount": f"{rng.randrange(10, 400) * 1000}.00", "currency": "USD"},
        }
        for buyer_id in setting.buyer_ids
    ]
    warm, timed = bodies[:500], bodies[500 : 500 + requests]
    with _server(url, folder) as base:
        asyncio.run(_run(base, "warm-up", [("GET", "/health", None)] * 200, clients, headers, 200))
        asyncio.run(_run(base, "warm-up", [("POST", "/limits", b) for b in warm], clients, headers, 201))
        health = asyncio.run(
            _run(base, "GET /health", [("GET", "/health", None)] * requests, clients, headers, 200)
        )
        limits = asyncio.run(
            _run(base, "POST /limits", [("POST", "/limits", b) for b in timed], clients, headers, 201)
        )
    return [health, limits]


@contextmanager
def _postgres(base_url: str) -> Iterator[str]:
    name = f"tradecover_bench_limits_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    """Run the benchmark on SQLite and PostgreSQL and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    results: list[tuple[str, Figures]] = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite:///{Path(folder) / 'bench.db'}"
        results += [
            ("SQLite", f) for f in _bench(sqlite_url, "SQLite", args.requests, args.clients, Path(folder))
        ]
        if not args.skip_postgres:
            with _postgres(args.postgres) as url:
                results += [
                    ("PostgreSQL", f)
                    for f in _bench(url, "PostgreSQL", args.requests, args.clients, Path(folder))
                ]
    table = Table(
        title=f"{args.requests} requests per phase, {args.clients} concurrent clients, loopback HTTP"
    )
    for column in ("Database", "Request", "Requests/s", "p50 ms", "p99 ms", "Mean ms"):
        table.add_column(column, justify="right" if column not in ("Database", "Request") else "left")
    for database, figures in results:
        table.add_row(
            database,
            figures.what,
            f"{figures.per_second:,.0f}",
            f"{figures.percentile(50):.1f}",
            f"{figures.percentile(99):.1f}",
            f"{statistics.fmean(figures.latencies_ms):.1f}",
        )
    console.print(table)
    console.print("Target: POST /limits ≥ 300 decisions/s and p99 ≤ 100 ms on each database.")


if __name__ == "__main__":
    main()
