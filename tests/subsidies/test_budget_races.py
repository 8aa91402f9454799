"""Invoices racing for one programme budget never overspend it, on SQLite and on PostgreSQL.

Each invoice commits in its own thread, session, connection and committed transaction (in the firm's
tenant session, as invoicing does) against a database made for the test, so only the budget row's
lock keeps them apart: the ones that fit get their whole share, the first that does not gets what is
left, the rest nothing, "budget exhausted".
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from tests.conftest import BACKENDS, own_database

from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.ledger.reconcile import find_violations
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind
from tradecover.parties.service import create_organisation
from tradecover.policies.model import Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind
from tradecover.subsidies.model import ProgrammeBudget, SubsidyCommitment
from tradecover.subsidies.programmes import ProgrammeDraft, create_programme, set_budget
from tradecover.subsidies.service import SubsidyShare, commit_subsidy

INVOICES = 20
PREMIUM = Money.of(1_000, "CNY")  # 80%: CNY 800 each
BUDGET = Money.of(5_000, "CNY")  # 6 whole shares, then CNY 200
DAY = dt.date(2025, 6, 16)


@pytest.fixture(params=BACKENDS)
def committed_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of its own for one test, whose transactions really commit."""
    with own_database(request.param, tmp_path, "tradecover_budget_race") as engine:
        yield engine


def _prepare(engine: Engine) -> tuple[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID]]]:
    """A programme with its budget, and INVOICES firms each with a policy: (programme, [(firm, policy)])."""
    system = Actor.system()
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        body = create_organisation(
            session, system, name="Racing bureau", kind=OrganisationKind.PROGRAMME_BODY, country="CN"
        )
        insurer = create_organisation(
            session, system, name="Racing insurer", kind=OrganisationKind.INSURER, country="CN"
        )
        install_products(session, system, insurer.id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER])
        product = session.scalars(select(Product).where(Product.insurer_id == insurer.id)).one()
        programme = create_programme(
            session,
            system,
            ProgrammeDraft(
                name="Racing subsidy",
                currency="CNY",
                product_kinds=["export_whole_turnover"],
                tiers=[{"rate": "0.8"}],
                mode="direct",
                starts_on=dt.date(2025, 1, 1),
                ends_on=dt.date(2025, 12, 31),
            ),
            sponsor_id=body.id,
        )
        set_budget(session, system, programme.id, 2025, BUDGET)
        firms = []
        for n in range(INVOICES):
            firm = create_organisation(
                session, system, name=f"Racing firm {n}", kind=OrganisationKind.POLICYHOLDER, country="CN"
            )
            policy = issue_policy(
                session,
                system,
                product=product,
                policyholder_id=firm.id,
                terms=product.terms,
                period_start=dt.date(2025, 1, 1),
                period_end=dt.date(2025, 12, 31),
                rate_table_id=None,
            )
            firms.append((firm.id, policy.id))
        return programme.id, firms


def test_racing_invoices_commit_first_come_first_served_and_never_overspend(committed_engine: Engine) -> None:
    programme_id, firms = _prepare(committed_engine)
    factory = session_factory(committed_engine)
    start = threading.Barrier(INVOICES)
    shares: list[SubsidyShare] = []
    failures: list[BaseException] = []

    def invoice(firm_id: uuid.UUID, policy_id: uuid.UUID) -> None:
        try:
            start.wait()
            with unit_of_work(factory, Tenant.of(firm_id)) as session:
                shares.extend(
                    commit_subsidy(
                        session,
                        invoice_id=uuid.uuid4(),
                        policy_id=policy_id,
                        policyholder_id=firm_id,
                        product_kind="export_whole_turnover",
                        premium=PREMIUM,
                        on=DAY,
                    )
                )
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=invoice, args=firm) for firm in firms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(shares) == INVOICES
    amounts = sorted((s.amount for s in shares), reverse=True)
    assert amounts[:6] == [Money.of(800, "CNY")] * 6
    assert amounts[6] == Money.of(200, "CNY")
    assert amounts[7:] == [Money.zero("CNY")] * (INVOICES - 7)
    for share in shares:
        if share.amount.is_zero:
            assert share.explanation.endswith("capped: budget for 2025 exhausted — firm pays the rest")
    with unit_of_work(factory, Tenant.unrestricted()) as session:
        budget = session.scalars(
            select(ProgrammeBudget).where(ProgrammeBudget.programme_id == programme_id)
        ).one()
        held = session.scalar(select(func.sum(SubsidyCommitment.amount_programme_minor)))
        assert budget.committed_minor == held == BUDGET.minor_units
        assert find_violations(session) == []
