"""Smoke tests of the `tradecover` command: help, database, demo, reconcile, users, serve."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from tests.cli.conftest import Cli

from tradecover.buyers.model import Buyer
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.demo.world import DEMO_PASSWORD
from tradecover.ledger.model import Account, AccountType, JournalEntry, Posting
from tradecover.parties.model import Organisation, User
from tradecover.parties.roles import ROLE_TITLES, OrganisationKind, Role

DEMO_EMAILS = {
    Role.POLICYHOLDER: "policyholder@demo.tradecover.org",
    Role.UNDERWRITER: "underwriter@demo.tradecover.org",
    Role.CLAIMS_HANDLER: "claims@demo.tradecover.org",
    Role.INSURER_ADMIN: "insurer-admin@demo.tradecover.org",
    Role.BANK_OFFICER: "bank@demo.tradecover.org",
    Role.PROGRAMME_OFFICER: "programme@demo.tradecover.org",
    Role.REGULATOR: "regulator@demo.tradecover.org",
    Role.PLATFORM_ADMIN: "admin@demo.tradecover.org",
}
SMALL_DEMO = ("demo", "--no-serve", "--buyers", "50", "--policyholders", "5")


def _stale_policies(cli: Cli) -> int:
    engine = cli.engine()
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM stale_policies")).scalar_one()
    engine.dispose()
    return int(count)


def _counts(cli: Cli) -> tuple[int, int, int]:
    engine = cli.engine()
    with Session(engine) as session:
        set_tenant(session, Tenant.unrestricted())
        counts = (
            session.scalar(select(func.count()).select_from(Organisation)) or 0,
            session.scalar(select(func.count()).select_from(User)) or 0,
            session.scalar(select(func.count()).select_from(Buyer)) or 0,
        )
    engine.dispose()
    return counts


def _one_error_line(result: object) -> str:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("demo",),
        ("serve",),
        ("db",),
        ("db", "upgrade"),
        ("db", "current"),
        ("reconcile",),
        ("orgs",),
        ("orgs", "list"),
        ("users",),
        ("users", "create"),
        ("users", "list"),
    ],
)
def test_every_command_explains_itself_with_help(cli: Cli, command: tuple[str, ...]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout
    assert "--help" in result.stdout


def test_db_upgrade_migrates_an_empty_database_and_db_current_says_it_is_newest(cli: Cli) -> None:
    before = cli("db", "current")
    assert before.exit_code == 0
    assert "run `tradecover db upgrade`" in before.stdout
    first = cli("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert "migrated from empty" in first.stdout
    again = cli("db", "upgrade")
    assert again.exit_code == 0
    assert "already at the newest migration" in again.stdout
    current = cli("db", "current")
    assert current.exit_code == 0
    assert "(newest)" in current.stdout


def test_the_demo_seeds_once_prints_a_sign_in_per_role_reconciles_and_starts_over(cli_backend: Cli) -> None:
    cli = cli_backend
    seeded = cli(*SMALL_DEMO)
    assert seeded.exit_code == 0, seeded.output
    for role, email in DEMO_EMAILS.items():
        line = next(line for line in seeded.stdout.splitlines() if f" {email} " in line)
        assert ROLE_TITLES[role] in line
        assert DEMO_PASSWORD in line
    assert "http://127.0.0.1:8000" in seeded.stdout
    organisations, users, buyers = _counts(cli)
    assert organisations == 9 + 5 + 1  # institutions, policyholders and the coinsurance pool
    assert buyers == 50

    reused = cli(*SMALL_DEMO)
    assert reused.exit_code == 0, reused.output
    assert "Reusing the demo world" in reused.stdout
    assert all(email in reused.stdout for email in DEMO_EMAILS.values())
    assert _counts(cli) == (organisations, users, buyers)

    reconciled = cli("reconcile")
    assert reconciled.exit_code == 0, reconciled.output
    assert reconciled.stdout.startswith("ledger reconciles: ")

    # The demo leaves the oversight totals built; `db upgrade` rebuilds any a migration marks stale.
    assert _stale_policies(cli) == 0
    engine = cli.engine()
    with engine.begin() as connection:
        marked = connection.execute(
            text("INSERT INTO stale_policies (policy_id, changes) SELECT id, 1 FROM policies")
        ).rowcount
    engine.dispose()
    upgraded = cli("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert f"oversight monthly totals rebuilt for {marked} policies" in upgraded.stdout
    assert marked > 0
    assert _stale_policies(cli) == 0

    created = cli(
        "users",
        "create",
        "--org",
        "Silk Road Commercial Bank (demo)",
        "--email",
        "second.officer@example.org",
        "--name",
        "Second Officer",
        "--role",
        "bank_officer",
        "--password",
        "a-long-enough-password",
    )
    assert created.exit_code == 0, created.output
    assert "second.officer@example.org" in created.stdout
    assert _counts(cli) == (organisations, users + 1, buyers)

    reset = cli(*SMALL_DEMO, "--reset", "--seed", "9")
    assert reset.exit_code == 0, reset.output
    assert "Seeded the demo world (seed 9)" in reset.stdout
    reset_organisations, reset_users, reset_buyers = _counts(cli)
    assert (reset_organisations, reset_buyers) == (organisations, buyers)
    # Another seed's world may lack an unenrolled Shenzhen SME, and so its demo user.
    assert reset_users in (users, users - 1)


def test_users_are_listed_and_organisations_found_by_id(cli: Cli) -> None:
    assert cli(*SMALL_DEMO).exit_code == 0
    listed = cli("orgs", "list")
    assert listed.exit_code == 0, listed.output
    line = next(line for line in listed.stdout.splitlines() if "Yiwu Municipal Commerce Bureau" in line)
    organisation_id = line.split("│")[-2].strip()
    users = cli("users", "list", "--org", organisation_id)
    assert users.exit_code == 0, users.output
    assert "programme@demo.tradecover.org" in users.stdout
    assert "Programme officer" in users.stdout


def test_users_create_asks_for_the_password_twice_when_it_is_not_given(cli: Cli) -> None:
    assert cli(*SMALL_DEMO).exit_code == 0
    created = cli(
        "users",
        "create",
        "--org",
        "Huaxia Export Credit Insurance Corporation (demo)",
        "--email",
        "New.Underwriter@Example.org",
        "--name",
        "New Underwriter",
        "--role",
        "underwriter",
        "--role",
        "claims_handler",
        input="prompted-password-1\nprompted-password-1\n",
    )
    assert created.exit_code == 0, created.output
    assert "new.underwriter@example.org (Underwriter, Claims handler)" in created.stdout
    assert "prompted-password-1" not in created.output


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (("--role", "bogus"), "'bogus' is not one of"),
        (("--role", "bank_officer"), "cannot have the role(s) Bank officer"),
        (("--role", "underwriter", "--password", "short"), "password: must have at least 10 characters"),
        (("--role", "underwriter", "--email", "not-an-email"), "is not an e-mail address"),
    ],
)
def test_a_refused_user_creation_is_one_line_on_stderr_and_exit_code_2(
    cli: Cli, options: tuple[str, ...], expected: str
) -> None:
    assert cli(*SMALL_DEMO).exit_code == 0
    given = {"--email": "someone@example.org", "--password": "a-long-enough-password"}
    args = [
        "users",
        "create",
        "--org",
        "Huaxia Export Credit Insurance Corporation (demo)",
        "--name",
        "Someone",
    ]
    rest = list(options)
    for option, value in given.items():
        if option not in rest:
            rest += [option, value]
    result = cli(*args, *rest)
    assert result.exit_code == 2
    assert expected in _one_error_line(result)


def test_an_unknown_organisation_is_one_line_and_exit_code_2(cli: Cli) -> None:
    assert cli("db", "upgrade").exit_code == 0
    result = cli("users", "list", "--org", "Nobody Ltd")
    assert result.exit_code == 2
    assert "no organisation has the id or name 'Nobody Ltd'" in _one_error_line(result)


@pytest.mark.parametrize("command", [("serve",), ("reconcile",), ("orgs", "list")])
def test_a_command_on_an_unmigrated_database_is_refused_with_the_command_to_run(
    cli: Cli, command: tuple[str, ...]
) -> None:
    result = cli(*command)
    assert result.exit_code == 2
    assert _one_error_line(result) == (
        "error: the database has no tradecover tables: run `tradecover db upgrade` first"
    )


def test_an_unreachable_database_is_one_line_and_exit_code_2() -> None:
    result = Cli("postgresql+psycopg://nobody@127.0.0.1:1/nothing")("db", "current")
    assert result.exit_code == 2
    assert _one_error_line(result).startswith("error: cannot use the database: ")


def test_an_unknown_command_is_one_line_and_exit_code_2(cli: Cli) -> None:
    result = cli("frobnicate")
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in _one_error_line(result)


def test_reconcile_lists_the_violations_and_exits_1_when_the_books_do_not_agree(cli: Cli) -> None:
    assert cli("db", "upgrade").exit_code == 0
    engine = cli.engine()
    with Session(engine) as session:
        set_tenant(session, Tenant.unrestricted())
        insurer = Organisation(name="Lopsided Insurance", kind=OrganisationKind.INSURER, country="CN")
        session.add(insurer)
        session.flush()
        account = Account(
            organisation_id=insurer.id, code="cash", name="Cash", type=AccountType.ASSET, currency="CNY"
        )
        entry = JournalEntry(effective_date=dt.date(2025, 6, 30), kind="test", description="one-legged")
        session.add_all([account, entry])
        session.flush()
        session.add(Posting(entry_id=entry.id, account_id=account.id, amount_minor=100, currency="CNY"))
        entry_id = entry.id
        session.commit()
    engine.dispose()
    result = cli("reconcile")
    assert result.exit_code == 1
    assert "ledger does not reconcile" in result.stdout
    assert f"journal entry {entry_id}" in result.stdout
    assert "balanced" in result.stdout
