"""In a real browser: the officer defines a programme, budgets it, and watches invoices use the budget
until it refuses the first invoice it cannot cover; the firm sees its eligibility."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.web.conftest import (
    LiveServer,
    browser_type_launch_args,
    migrated_sqlite,
    seed_world,
    serving,
    sign_in_page,
)

from tradecover.clock import FixedClock, set_clock
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.model import Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind
from tradecover.subsidies.service import commit_subsidy

__all__ = ["browser_type_launch_args"]  # the fixture that points Playwright at Debian's chromium

pytestmark = pytest.mark.browser

DAY = dt.date(2025, 6, 16)


@pytest.fixture(scope="module")
def programme_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, sessionmaker[Session]]]:
    """A server over a fresh SQLite file with the web world, on 16 June 2025."""
    previous = set_clock(FixedClock(dt.datetime(2025, 6, 16, 9, tzinfo=dt.UTC)))
    folder = tmp_path_factory.mktemp("programmes")
    engine, sessions = migrated_sqlite(folder, "programmes.db")
    world = seed_world(sessions)
    with serving(folder, sessions, world) as server:
        yield server, sessions
    engine.dispose()
    set_clock(previous)


def _invoice(sessions: sessionmaker[Session], server: LiveServer, premium: str) -> None:
    """The insurer invoices the policyholder (CNY); the programme commits its share as premiums would."""
    world = server.world
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        insurer_id = world.organisations[Role.INSURER_ADMIN]
        product = session.scalars(select(Product).where(Product.insurer_id == insurer_id)).first()
        if product is None:
            (product,) = install_products(
                session, Actor.system(), insurer_id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER]
            )
        policy = issue_policy(
            session,
            Actor.system(),
            product=product,
            policyholder_id=world.organisations[Role.POLICYHOLDER],
            terms=product.terms,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            rate_table_id=None,
        )
        commit_subsidy(
            session,
            invoice_id=uuid.uuid4(),
            policy_id=policy.id,
            policyholder_id=world.organisations[Role.POLICYHOLDER],
            product_kind="export_whole_turnover",
            premium=Money.of(premium, "CNY"),
            on=DAY,
        )


def _sign_in(page: Page, server: LiveServer, role: Role) -> None:
    sign_in_page(page, server, server.world.emails[role])


def test_the_officer_sees_budget_use_fall_and_the_budget_refuse_what_it_cannot_cover(
    page: Page, programme_server: tuple[LiveServer, sessionmaker[Session]]
) -> None:
    server, sessions = programme_server
    _sign_in(page, server, Role.PROGRAMME_OFFICER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programmes").click()
    page.get_by_test_id("new-programme").click()
    form = page.get_by_test_id("programme-form")
    form.get_by_label("Name").fill("Zhejiang export premium support")
    form.locator("textarea[name=rules]").fill("region == Zhejiang")
    form.locator("textarea[name=tiers]").fill("80")
    page.get_by_test_id("save-programme").click()
    expect(page.get_by_role("heading", name="Zhejiang export premium support")).to_be_visible()
    budget_form = page.get_by_test_id("set-budget")
    budget_form.get_by_label("Year").fill("2025")
    budget_form.get_by_label("Budget, CNY").fill("1000")
    budget_form.get_by_role("button", name="Set the budget").click()
    expect(page.get_by_test_id("budget-remaining")).to_have_text("CNY 1,000.00")

    _invoice(sessions, server, "1000")
    page.reload()
    expect(page.get_by_test_id("budget-committed")).to_have_text("CNY 800.00")
    expect(page.get_by_test_id("budget-remaining")).to_have_text("CNY 200.00")
    _invoice(sessions, server, "1000")
    _invoice(sessions, server, "1000")
    page.reload()
    expect(page.get_by_test_id("budget-remaining")).to_have_text("CNY 0.00")
    commitments = page.get_by_test_id("commitments")
    expect(commitments).to_contain_text(
        "capped at the CNY 200 left of the budget for 2025 — firm pays the rest"
    )
    expect(commitments).to_contain_text("capped: budget for 2025 exhausted — firm pays the rest")

    budget_form = page.get_by_test_id("set-budget")
    budget_form.get_by_label("Year").fill("2025")
    budget_form.get_by_label("Budget, CNY").fill("10")
    budget_form.get_by_role("button", name="Set the budget").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text("Budget 2025 cannot be CNY 10 — CNY 1,000 is already committed")).to_be_visible()

    page.context.clear_cookies()
    _sign_in(page, server, Role.POLICYHOLDER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Subsidies").click()
    row = page.get_by_test_id("programme-eligibility")
    expect(row).to_contain_text("Zhejiang export premium support")
    expect(row).to_contain_text("eligible")
