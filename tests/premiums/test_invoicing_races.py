"""Invoices issued in parallel: the programme budget is committed first come, first served and never
overspent, numbers never collide, and a month invoiced twice at once yields one invoice.

Each invoicing runs in its own thread, session, connection and committed transaction against a database
made for the test (not the rolled-back `db` fixture), so only the locks keep them apart.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.conftest import BACKENDS, drop_postgres_database, fresh_database_url, postgres_base_url
from tests.premiums.conftest import open_premium_book, usd
from tests.premiums.test_subsidies_and_pools import programme

from tradecover.db.engine import make_engine
from tradecover.db.migrate import upgrade
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.errors import Conflict
from tradecover.ledger.reconcile import find_violations
from tradecover.parties.actor import Actor
from tradecover.premiums.invoicing import issue_invoice
from tradecover.premiums.model import PremiumInvoice
from tradecover.subsidies.model import ProgrammeBudget

FIRMS = 6


@pytest.fixture(params=BACKENDS)
def committed_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of its own for one test, whose transactions really commit."""
    name = f"tradecover_invoice_race_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = make_engine(fresh_database_url(request.param, name, tmp_path))
    upgrade(engine)
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(postgres_base_url() or "", name)


def _race(engine: Engine, policy_ids: list[uuid.UUID]) -> list[BaseException]:
    """Invoice May for each policy at once, each in its own committed transaction."""
    sessions = session_factory(engine)
    errors: list[BaseException] = []
    start = threading.Barrier(len(policy_ids))

    def invoice(policy_id: uuid.UUID) -> None:
        try:
            start.wait()
            with unit_of_work(sessions, Tenant.unrestricted()) as session:
                issue_invoice(session, Actor.system(), policy_id, "2026-05")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=invoice, args=(p,)) for p in policy_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_parallel_invoices_never_overspend_the_budget_and_the_last_ones_say_why(
    committed_engine: Engine,
) -> None:
    with unit_of_work(session_factory(committed_engine), Tenant.unrestricted()) as session:
        yiwu = programme(session, "700.00")
        policy_ids = []
        for n in range(FIRMS):
            book = open_premium_book(session, region="Yiwu", exports_usd=3_000_000)
            book.ship(f"R-{n}", "100000.00", book.policy.period_start.replace(month=5, day=4))
            policy_ids.append(book.policy.id)
        programme_id = yiwu.id

    assert _race(committed_engine, policy_ids) == []

    with unit_of_work(session_factory(committed_engine), Tenant.unrestricted()) as session:
        invoices = session.scalars(select(PremiumInvoice)).all()
        assert len(invoices) == FIRMS
        assert len({i.number for i in invoices}) == FIRMS
        budget = session.scalars(
            select(ProgrammeBudget).where(ProgrammeBudget.programme_id == programme_id)
        ).one()
        asked = [i.premium * 0 + usd(str(i.subsidies[0]["requested"])) for i in invoices]
        granted = sum((i.subsidy for i in invoices), usd(0))
        assert granted == usd("700.00").min(sum(asked, usd(0)))
        assert budget.committed_minor == granted.minor_units <= budget.amount_minor
        short = [i for i in invoices if i.subsidy < usd(str(i.subsidies[0]["requested"]))]
        assert short, "the budget fits only some of the invoices"
        assert all("budget" in i.subsidies[0]["explanation"] for i in short)
        assert all(i.firm_share == i.premium - i.subsidy for i in invoices)
        assert find_violations(session) == []


def test_a_month_invoiced_twice_at_once_gives_one_invoice(committed_engine: Engine) -> None:
    with unit_of_work(session_factory(committed_engine), Tenant.unrestricted()) as session:
        book = open_premium_book(session)
        book.ship("TWICE-1", "100000.00", book.policy.period_start.replace(month=5, day=4))
        policy_id = book.policy.id

    errors = _race(committed_engine, [policy_id] * 4)
    assert all(isinstance(error, Conflict) for error in errors), errors

    with unit_of_work(session_factory(committed_engine), Tenant.unrestricted()) as session:
        (invoice,) = session.scalars(select(PremiumInvoice)).all()
        assert len(invoice.lines) == 1
        assert find_violations(session) == []


def test_parallel_invoices_without_a_programme_take_distinct_numbers(committed_engine: Engine) -> None:
    with unit_of_work(session_factory(committed_engine), Tenant.unrestricted()) as session:
        policy_ids = []
        for n in range(FIRMS):
            book = open_premium_book(session)
            book.ship(f"N-{n}", "50000.00", book.policy.period_start.replace(month=5, day=4))
            policy_ids.append(book.policy.id)

    assert _race(committed_engine, policy_ids) == []

    with unit_of_work(session_factory(committed_engine), Tenant.unrestricted()) as session:
        numbers = session.scalars(select(PremiumInvoice.number)).all()
        assert sorted(numbers) == [f"INV-2026-{n:06d}" for n in range(1, FIRMS + 1)]
