"""Fixtures for the web pages: a seeded world, a test client on the test's transaction, and a real
server driven by Debian's chromium through Playwright (never `playwright install`)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Page
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from tradecover.db.engine import make_engine
from tradecover.db.migrate import upgrade
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation, create_user
from tradecover.server import create_app
from tradecover.settings import Settings
from tradecover.web.app import install_web

CHROMIUM = "/usr/bin/chromium"
REQUIRE_BROWSER_VAR = "TRADECOVER_TEST_REQUIRE_BROWSER"
PASSWORD = "correct-horse-battery"

# One organisation per kind; the three insurer roles share the insurer.
ORGANISATION_OF_ROLE: dict[Role, tuple[OrganisationKind, str, str]] = {
    Role.POLICYHOLDER: (OrganisationKind.POLICYHOLDER, "Yiwu Bright Lanterns Co., Ltd.", "CN"),
    Role.UNDERWRITER: (OrganisationKind.INSURER, "Harbour Credit Insurance", "CN"),
    Role.CLAIMS_HANDLER: (OrganisationKind.INSURER, "Harbour Credit Insurance", "CN"),
    Role.INSURER_ADMIN: (OrganisationKind.INSURER, "Harbour Credit Insurance", "CN"),
    Role.BANK_OFFICER: (OrganisationKind.BANK, "Zhejiang Merchants Bank", "CN"),
    Role.PROGRAMME_OFFICER: (OrganisationKind.PROGRAMME_BODY, "Yiwu Commerce Bureau", "CN"),
    Role.REGULATOR: (OrganisationKind.REGULATOR, "Financial Supervisory Authority", "CN"),
    Role.PLATFORM_ADMIN: (OrganisationKind.PLATFORM_OPERATOR, "tradecover Operations", "CN"),
}


@dataclass(frozen=True)
class World:
    """What was seeded: each role's e-mail and organisation, and a second insurer to be kept out of."""

    emails: dict[Role, str]
    organisations: dict[Role, uuid.UUID]
    other_insurer_id: uuid.UUID
    other_insurer_admin_email: str


def seed_world(sessions: sessionmaker[Session]) -> World:
    """One organisation and one user per role, through the parties services, in one unit of work."""
    system = Actor.system()
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        by_name: dict[str, uuid.UUID] = {}
        emails: dict[Role, str] = {}
        organisations: dict[Role, uuid.UUID] = {}
        for role, (kind, name, country) in ORGANISATION_OF_ROLE.items():
            if name not in by_name:
                by_name[name] = create_organisation(
                    session, system, name=name, kind=kind, country=country, region="Zhejiang"
                ).id
            email = f"{role.value.replace('_', '.')}@example.com"
            create_user(
                session,
                system,
                organisation_id=by_name[name],
                email=email,
                full_name=f"{role.value.replace('_', ' ').title()} Person",
                roles=[role],
                password=PASSWORD,
            )
            emails[role], organisations[role] = email, by_name[name]
        other = create_organisation(
            session, system, name="Other Mutual Insurance", kind=OrganisationKind.INSURER, country="DE"
        )
        other_admin = "admin@other-mutual.example.com"
        create_user(
            session,
            system,
            organisation_id=other.id,
            email=other_admin,
            full_name="Other Admin",
            roles=[Role.INSURER_ADMIN],
            password=PASSWORD,
        )
    return World(emails, organisations, other.id, other_admin)


def web_settings(tmp_path: Path) -> Settings:
    """Settings with a fixed secret, nothing written to the working folder."""
    return Settings(secret_key="test-secret-key-" + "x" * 32, secret_key_file=tmp_path / "secret")


# --- in-process client on the test's transaction (both databases) -------------------------------
@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions on the test's connection: a request's commit only releases a savepoint."""
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    """The seeded organisations and users."""
    return seed_world(sessions)


@pytest.fixture
def client(sessions: sessionmaker[Session], world: World, tmp_path: Path) -> Iterator[TestClient]:
    """A browser-like client (cookies kept) of the web pages."""
    app = FastAPI()
    install_web(app, sessions, web_settings(tmp_path))
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page put in its forms."""
    match = _CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    """Sign in through the form, as a browser would."""
    token = csrf_of(client.get("/sign-in").text)
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


# --- a real server for the browser -----------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class LiveServer:
    """A running server and what it was seeded with."""

    url: str
    world: World


@contextmanager
def serving(folder: Path, sessions: sessionmaker[Session], world: World) -> Iterator[LiveServer]:
    """The whole platform in uvicorn on a background thread and a free port, stopped afterwards."""
    app = create_app(web_settings(folder), sessions=sessions)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", world)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def migrated_sqlite(folder: Path, name: str) -> tuple[Engine, sessionmaker[Session]]:
    """A fresh SQLite file in the folder, migrated, with its session factory."""
    engine = make_engine(f"sqlite:///{folder / name}")
    upgrade(engine)
    return engine, session_factory(engine)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn in a background thread on a free port, over a migrated SQLite file with a seeded world."""
    folder = tmp_path_factory.mktemp("live")
    engine, sessions = migrated_sqlite(folder, "web.db")
    with serving(folder, sessions, seed_world(sessions)) as server:
        yield server
    engine.dispose()


def sign_in_page(page: Page, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form in a real browser."""
    page.goto(server.url + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's chromium, headless, with everything that would reach the network switched off."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get(REQUIRE_BROWSER_VAR) == "1":
            pytest.fail(f"{CHROMIUM} is missing but {REQUIRE_BROWSER_VAR}=1", pytrace=False)
        pytest.skip(f"browser tests need {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }
