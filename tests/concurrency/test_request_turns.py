"""More concurrent requests than worker threads and connections all finish, on SQLite and PostgreSQL.

A request holds its connection (on SQLite, the writer's lock) across several worker-thread calls.
Before requests took their turns on the event loop (`db/turns.py`), a burst larger than the thread
pool left every thread waiting for a connection or the lock while the requests holding them waited for
a thread: each answered 500 once the wait timed out (64 clients were enough against the server's 40
threads). Here the pool has two threads and, on PostgreSQL, two connections, and a dozen requests race.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import anyio.to_thread
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool, QueuePool
from tests.conftest import BACKENDS, own_database
from tests.web.conftest import PASSWORD, csrf_of, web_settings

from tradecover.api.app import create_api
from tradecover.db import engine as engines
from tradecover.db.engine import make_engine
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.db.turns import connections_for_requests
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user, issue_api_key
from tradecover.web.app import install_web

THREADS = 2
CONNECTIONS = 2
REQUESTS = 12
WAIT_S = 5  # how long a connection or SQLite's lock is waited for before the request fails


@pytest.fixture(params=BACKENDS)
def small_engine(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A migrated database of its own with two pooled connections (PostgreSQL), and short waits."""
    monkeypatch.setattr(engines, "WRITER_WAIT_S", WAIT_S)
    options = {} if request.param == "sqlite" else {"pool_size": CONNECTIONS, "max_overflow": 0}
    with own_database(request.param, tmp_path, "tradecover_turns", pool_timeout=WAIT_S, **options) as engine:
        yield engine


def _token(engine: Engine) -> str:
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        exporter = create_organisation(
            session, Actor.system(), name="Turns Exporter", kind=OrganisationKind.POLICYHOLDER, country="CN"
        )
        user = create_user(
            session,
            Actor.system(),
            organisation_id=exporter.id,
            email="turns@example.org",
            full_name="Turns Exporter",
            roles=[Role.POLICYHOLDER],
            password=PASSWORD,
        )
        _, token = issue_api_key(session, actor_for(user), "turns")
    return token


def _run_apart(main: Callable[[], Awaitable[None]]) -> None:
    """Run `main` in an event loop of its own thread (a browser test may have left one in this one)."""
    with ThreadPoolExecutor(max_workers=1) as apart:
        apart.submit(anyio.run, main).result()


def _race(engine: Engine, paths: list[str], headers: dict[str, str]) -> list[int]:
    """The status of each of simultaneous GETs of the paths through an API with THREADS worker threads."""
    api = create_api(session_factory(engine))
    statuses: list[int] = []

    async def main() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as client:

            async def one(path: str) -> None:
                statuses.append((await client.get(path)).status_code)

            with anyio.fail_after(20 * WAIT_S):
                async with anyio.create_task_group() as group:
                    for path in paths:
                        group.start_soon(one, path)

    _run_apart(main)
    return statuses


def test_a_burst_of_authenticated_requests_larger_than_the_thread_pool_all_finish(
    small_engine: Engine,
) -> None:
    token = _token(small_engine)
    statuses = _race(small_engine, ["/me"] * REQUESTS, {"Authorization": f"Bearer {token}"})
    assert statuses == [200] * REQUESTS


def test_health_checks_mixed_into_the_burst_all_finish(small_engine: Engine) -> None:
    token = _token(small_engine)
    paths = ["/me", "/health"] * (REQUESTS // 2)
    assert _race(small_engine, paths, {"Authorization": f"Bearer {token}"}) == [200] * REQUESTS


def test_a_burst_of_signed_in_page_loads_larger_than_the_thread_pool_all_finish(
    small_engine: Engine, tmp_path: Path
) -> None:
    _token(small_engine)
    app = FastAPI()
    install_web(app, session_factory(small_engine), web_settings(tmp_path))
    statuses: list[int] = []

    async def main() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as browser:
            form = {"email": "turns@example.org", "password": PASSWORD}
            form["csrf_token"] = csrf_of((await browser.get("/sign-in")).text)
            assert (await browser.post("/sign-in", data=form)).status_code == 303

            async def one() -> None:
                statuses.append((await browser.get("/")).status_code)

            with anyio.fail_after(20 * WAIT_S):
                async with anyio.create_task_group() as group:
                    for _ in range(REQUESTS):
                        group.start_soon(one)

    _run_apart(main)
    assert statuses == [200] * REQUESTS


def test_requests_work_in_the_database_one_at_a_time_on_sqlite_and_as_many_as_the_pool_elsewhere(
    tmp_path: Path,
) -> None:
    assert connections_for_requests(make_engine(f"sqlite:///{tmp_path / 'turns.db'}")) == 1
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never connected to
    assert connections_for_requests(create_engine(url, poolclass=QueuePool, pool_size=3, max_overflow=4)) == 7
    assert connections_for_requests(create_engine(url, poolclass=QueuePool, max_overflow=-1)) is None
    assert connections_for_requests(create_engine(url, poolclass=NullPool)) is None
