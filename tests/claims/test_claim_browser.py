"""In a real browser: the policyholder files a claim on an overdue invoice with a document, then reads
the indemnity computed step by step on the claim page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from tests.claims.conftest import WebClaims, seed_web_claims
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
def claim_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, WebClaims]]:
    """A server over a fresh SQLite file: the web world plus a policy with two reported overdues."""
    folder = tmp_path_factory.mktemp("claim")
    engine, sessions = migrated_sqlite(folder, "claim.db")
    world = seed_world(sessions)
    seeded = seed_web_claims(
        sessions, world.organisations[Role.INSURER_ADMIN], world.organisations[Role.POLICYHOLDER]
    )
    with serving(folder, sessions, world) as server:
        yield server, seeded
    engine.dispose()


def test_the_policyholder_files_a_claim_with_a_document(
    page: Page, claim_server: tuple[LiveServer, WebClaims], tmp_path_factory: pytest.TempPathFactory
) -> None:
    server, seeded = claim_server
    statement = tmp_path_factory.mktemp("upload") / "statement-of-account.pdf"
    statement.write_bytes(b"%PDF-1.4\n% statement of account of the buyer\n")
    sign_in_page(page, server, server.world.emails[Role.POLICYHOLDER])
    page.goto(server.url + "/claims")
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims")
    page.get_by_test_id("file-claim").click()
    page.get_by_label("Policy").select_option(str(seeded.policy_id))
    page.get_by_role("button", name="Show its overdue invoices").click()
    page.get_by_test_id("invoice-INV-1").check()
    page.get_by_label("Cause of loss").select_option("protracted_default")
    page.get_by_label("What happened").fill("The buyer has paid nothing since April.")
    page.get_by_test_id("claim-file").set_input_files(str(statement))
    page.get_by_test_id("file-button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CLM-")
    expect(page.get_by_test_id("claim-status")).to_have_text("Filed")
    expect(page.get_by_test_id("document-row")).to_have_count(1)
    expect(page.get_by_test_id("documents")).to_contain_text("statement-of-account.pdf")
    expect(page.get_by_test_id("step-indemnity")).to_contain_text("90000.00")
    expect(page.get_by_test_id("claim-indemnity")).to_contain_text("90000.00")
