"""`tradecover policies list|show` and `tradecover products list` on a database of their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from tests.cli.conftest import Cli, cli

from tradecover.clock import get_clock
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user
from tradecover.policies.products import install_products
from tradecover.policies.quotes import TurnoverLine, accept_quote, submit_quote_request
from tradecover.policies.terms import ProductKind

__all__ = ["cli"]  # fixture used here


def _seed(session: Session) -> str:
    system = Actor.system()
    insurer = create_organisation(
        session, system, name="Alpha Credit", kind=OrganisationKind.INSURER, country="CN"
    )
    install_products(session, system, insurer.id, rate_level=Decimal("1.1"))
    holder = create_organisation(
        session, system, name="Yiwu Lamps", kind=OrganisationKind.POLICYHOLDER, country="CN"
    )
    user = create_user(
        session,
        system,
        organisation_id=holder.id,
        email="o@yiwu.example",
        full_name="Owner",
        roles=[Role.POLICYHOLDER],
    )
    request = submit_quote_request(
        session,
        actor_for(user),
        product_kind=ProductKind.EXPORT_WHOLE_TURNOVER,
        currency="USD",
        turnover=[TurnoverLine("DE", Money.of("1000000", "USD"))],
        period_start=get_clock().today() + dt.timedelta(days=3),
    )
    return accept_quote(session, actor_for(user), request.quotes[0].id).number


@pytest.fixture
def seeded(cli: Cli) -> str:
    """A migrated database with one insurer's products and one policy issued through a quote."""
    assert cli("db", "upgrade").exit_code == 0
    engine = cli.engine()
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        number = _seed(session)
    engine.dispose()
    return number


def test_policies_are_listed_and_one_is_shown_with_its_terms_and_versions(cli: Cli, seeded: str) -> None:
    listed = cli("policies", "list", "--org", "Yiwu Lamps")
    assert listed.exit_code == 0, listed.output
    assert seeded in listed.stdout
    assert "Alpha Credit" in listed.stdout
    shown = cli("policies", "show", seeded)
    assert shown.exit_code == 0, shown.output
    assert "Export whole-turnover" in shown.stdout
    assert "USD 50,000.00" in shown.stdout  # the DCL
    assert "issued" in shown.stdout
    assert cli("policies", "list", "--status", "expired").stdout.count(seeded) == 0


def test_products_are_listed_per_insurer(cli: Cli, seeded: str) -> None:
    listed = cli("products", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.count("Alpha Credit") == 4
    assert "Domestic whole-turnover" in listed.stdout


def test_an_unknown_policy_or_status_is_one_line_and_exit_code_2(cli: Cli, seeded: str) -> None:
    unknown = cli("policies", "show", "TC-1999-000001")
    assert unknown.exit_code == 2
    assert "no policy has the number or id 'TC-1999-000001'" in unknown.stderr
    bad = cli("policies", "list", "--status", "sleeping")
    assert bad.exit_code == 2
    assert "'sleeping' is not one of" in bad.stderr
