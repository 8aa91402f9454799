"""`tradecover report`: refusals name the option and write nothing; real reports of a small seeded book."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import Engine
from tests.claims.conftest import TODAY, ClaimsWorld, open_claims_world
from tests.cli.conftest import Cli, cli_backend  # noqa: F401 (the fixture: a new database per backend)

from tradecover.clock import FixedClock, set_clock
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience
from tradecover.oversight.views import AUDIENCE_TITLES, build_view
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation

FROM, TO = "2026-01-01", "2026-09-15"
REGULATOR = "Financial Supervisory Authority"


@dataclass(frozen=True)
class Book:
    """A migrated database with the claims world (an insurer's USD policy, two unpaid shipments)."""

    cli: Cli
    engine: Engine
    insurer_id: str
    insurer_name: str
    bank_id: str


@pytest.fixture
def book(cli_backend: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Book]:  # noqa: F811
    """The book on SQLite and PostgreSQL, with the platform's date pinned to 15 September 2026."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRADECOVER_TODAY", TODAY.isoformat())
    previous = set_clock(FixedClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)))
    assert cli_backend("db", "upgrade").exit_code == 0
    engine = cli_backend.engine()
    try:
        with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
            world: ClaimsWorld = open_claims_world(session)
            system = Actor.system()
            create_organisation(
                session, system, name=REGULATOR, kind=OrganisationKind.REGULATOR, country="CN"
            )
            bank = create_organisation(
                session, system, name="Silk Road Bank", kind=OrganisationKind.BANK, country="CN"
            )
            insurer = session.get_one(Organisation, world.insurer_id)
            seeded = Book(cli_backend, engine, str(insurer.id), insurer.name, str(bank.id))
        yield seeded
    finally:
        engine.dispose()
        set_clock(previous)


def _report(book: Book, out: Path, *options: str) -> tuple[int, str]:
    result = book.cli("report", "--from", FROM, "--to", TO, "--out", str(out), *options)
    return result.exit_code, result.output


def _texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


@pytest.mark.parametrize(
    ("options", "option"),
    [
        (("--as", "auditor"), "--as"),
        (("--as", "insurer"), "--organisation"),
        (("--as", "bank", "--organisation", "No Such Bank"), "--organisation"),
        (("--as", "regulator", "--currency", "XYZ"), "--currency"),
    ],
)
def test_bad_options_are_refused_with_one_line_naming_the_option(
    book: Book, tmp_path: Path, options: tuple[str, ...], option: str
) -> None:
    out = tmp_path / "report.pdf"
    code, output = _report(book, out, *options)
    assert code == 2
    assert output.strip().splitlines() == [output.strip()]
    assert output.startswith(f"error: {option}: ")
    assert not out.exists()


def test_dates_and_the_output_file_are_checked(book: Book, tmp_path: Path) -> None:
    backwards = book.cli(
        "report", "--as", "regulator", "--from", "2025-12-31", "--to", "2025-01-01", "--out", "r.pdf"
    )
    assert (backwards.exit_code, backwards.output) == (
        2,
        "error: --to: 2025-01-01 is before --from 2025-12-31\n",
    )
    bad_day = book.cli("report", "--as", "regulator", "--from", "2025-02-30", "--to", TO, "--out", "r.pdf")
    assert (bad_day.exit_code, bad_day.output) == (
        2,
        "error: --from: '2025-02-30' is not a date (YYYY-MM-DD)\n",
    )
    code, output = _report(book, tmp_path / "missing" / "r.pdf", "--as", "regulator")
    assert code == 2
    assert output.startswith("error: --out: the folder ")
    code, output = _report(book, tmp_path, "--as", "regulator")
    assert code == 2
    assert output.startswith("error: --out: ")
    assert not Path("r.pdf").exists()


def test_an_organisation_of_the_wrong_kind_is_refused(book: Book, tmp_path: Path) -> None:
    code, output = _report(book, tmp_path / "r.pdf", "--as", "bank", "--organisation", book.insurer_id)
    assert code == 2
    assert output == f"error: --organisation: {book.insurer_name} is an insurer, not a bank\n"


def _sections(book: Book, audience: Audience, actor: Actor, currency: str) -> list[str]:
    """The section titles `build_view` gives this audience on the book (the report must show them all)."""
    period = Period.of(dt.date.fromisoformat(FROM), dt.date.fromisoformat(TO))
    with unit_of_work(session_factory(book.engine), Tenant.unrestricted()) as session:
        view = build_view(session, actor, audience, period, currency)
    return [section.title for section in view.sections]


def test_the_regulator_report_has_the_market_sections(book: Book, tmp_path: Path) -> None:
    out = tmp_path / "market.pdf"
    code, output = _report(book, out, "--as", "regulator", "--organisation", REGULATOR)
    assert code == 0, output
    texts = _texts(out.read_bytes())
    assert output == (
        f"{out}: Market oversight for {REGULATOR}, 2026-01-01 – 2026-09-15, {len(texts)} pages\n"
    )
    first = " ".join(texts[0].split())
    assert AUDIENCE_TITLES[Audience.REGULATOR] in first
    assert f"Organisation: {REGULATOR}" in first
    assert "Period: 2026-01-01 – 2026-09-15" in first
    assert "Currency: CNY" in first
    assert "Generated: 2026-09-15" in first
    regulator = Actor(None, None, None, frozenset({Role.REGULATOR}))
    titles = _sections(book, Audience.REGULATOR, regulator, "CNY")
    assert titles
    lines = [line.strip() for text in texts for line in text.splitlines()]
    for number, title in enumerate(titles, start=1):
        assert f"{number}. {title}" in lines
    assert lines.count(f"tradecover · Market oversight · page {len(texts)}") == 1
    image = pdfium.PdfDocument(out.read_bytes())[0].render(scale=1).to_pil()
    image.save(tmp_path / "page-1.png")
    assert sum(image.convert("L").histogram()[:200]) > 500  # text and drawings, not a blank page


def test_an_insurer_report_is_that_insurers_book_in_the_currency_asked(book: Book, tmp_path: Path) -> None:
    out = tmp_path / "insurer.pdf"
    code, output = _report(
        book, out, "--as", "insurer", "--organisation", book.insurer_name, "--currency", "usd"
    )
    assert code == 0, output
    texts = _texts(out.read_bytes())
    first = " ".join(texts[0].split())
    assert AUDIENCE_TITLES[Audience.INSURER] in first
    assert f"Organisation: {book.insurer_name}" in first
    assert "Currency: USD" in first
    # INV-1 and INV-2 (USD 100,000 and 50,000, shipped in February) under the USD 400,000 limit.
    assert "USD 150,000.00" in first
    assert "USD 400,000.00" in first
    officer = Actor(
        None, uuid.UUID(book.insurer_id), OrganisationKind.INSURER, frozenset({Role.INSURER_ADMIN})
    )
    titles = _sections(book, Audience.INSURER, officer, "USD")
    lines = [line.strip() for text in texts for line in text.splitlines()]
    for number, title in enumerate(titles, start=1):
        assert f"{number}. {title}" in lines


def test_a_bank_report_names_the_bank(book: Book, tmp_path: Path) -> None:
    out = tmp_path / "bank.pdf"
    code, output = _report(book, out, "--as", "bank", "--organisation", book.bank_id)
    assert code == 0, output
    assert "Financed receivables oversight for Silk Road Bank" in output
    assert "Organisation: Silk Road Bank" in " ".join(_texts(out.read_bytes())[0].split())


def test_a_period_beyond_the_reference_rates_is_refused_naming_the_dates(book: Book, tmp_path: Path) -> None:
    out = tmp_path / "later.pdf"
    result = book.cli(
        "report", "--as", "insurer", "--organisation", book.insurer_id, "--from", "2027-01-01", "--to",
        "2027-06-30", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output.startswith("error: --from/--to: no FX rate near 2027-")
    assert not out.exists()


def test_the_command_explains_itself(tmp_path: Path) -> None:
    result = Cli(f"sqlite:///{tmp_path / 'unused.db'}")("report", "--help")
    assert result.exit_code == 0
    for option in ("--as", "--from", "--to", "--out", "--currency", "--organisation"):
        assert option in result.output
