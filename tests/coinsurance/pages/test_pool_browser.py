"""In a real browser: a pool member opens its share view and reads its part of the pool's limit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from tests.coinsurance.pages.web_pool import WebPool, seed_pool
from tests.web.conftest import (
    LiveServer,
    browser_type_launch_args,
    migrated_sqlite,
    seed_world,
    serving,
    sign_in_page,
)

from tradecover.parties.roles import Role

__all__ = ["browser_type_launch_args"]  # the fixture that points Playwright at Debian's chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pool_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, WebPool]]:
    """A server over a fresh SQLite file: the web world plus a two-member pool with one limit."""
    folder = tmp_path_factory.mktemp("pool")
    engine, sessions = migrated_sqlite(folder, "pool.db")
    world = seed_world(sessions)
    seeded = seed_pool(sessions, world)
    with serving(folder, sessions, world) as server:
        yield server, seeded
    engine.dispose()


def test_a_following_member_reads_its_share_of_the_pools_policy_and_limit(
    page: Page, pool_server: tuple[LiveServer, WebPool]
) -> None:
    server, seeded = pool_server
    sign_in_page(page, server, server.world.other_insurer_admin_email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coinsurance pools").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coinsurance pools")
    expect(page.get_by_test_id("pool-row")).to_have_count(1)
    page.get_by_role("link", name="Domestic Trade Credit Coinsurance Pool").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Domestic Trade Credit Coinsurance Pool")
    expect(page.get_by_test_id("my-share")).to_have_text("40%")
    expect(page.get_by_test_id("member-row")).to_have_count(2)
    expect(page.get_by_test_id("member-used").first).to_have_text("CNY 600,000.01")
    expect(page.get_by_test_id("member-used").last).to_have_text("CNY 400,000.00")
    expect(page.get_by_test_id("policy-share-row")).to_contain_text(seeded.policy_number)
    expect(page.get_by_test_id("policy-my-part")).to_have_text("CNY 400,000.00")
    expect(page.get_by_test_id("limit-share-row")).to_contain_text(seeded.buyer_name)
    expect(page.get_by_test_id("limit-my-part")).to_have_text("CNY 400,000.00")
    page.get_by_test_id("limit-share-row").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(seeded.buyer_name)


def test_the_home_of_an_insurer_admin_links_to_the_pools(
    page: Page, pool_server: tuple[LiveServer, WebPool]
) -> None:
    server, _ = pool_server
    sign_in_page(page, server, server.world.emails[Role.INSURER_ADMIN])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coinsurance pools").click()
    expect(page.get_by_test_id("pool-row")).to_contain_text("You lead")
