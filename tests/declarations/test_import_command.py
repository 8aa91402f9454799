"""`tradecover import declarations`: a file imported whole, or refused with exit 2 and nothing kept."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from tests.cli.conftest import Cli, cli_backend  # noqa: F401
from tests.limits.conftest import TODAY, open_book

from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.declarations.import_rows import COLUMNS
from tradecover.declarations.model import ImportBatch, Shipment


def _book(cli: Cli) -> tuple[str, str, str]:
    """Migrate the CLI's database and open a book in it: (policy number, buyer country, registration)."""
    assert cli("db", "upgrade").exit_code == 0
    with unit_of_work(session_factory(cli.engine()), Tenant.unrestricted()) as session:
        book = open_book(session)
        return book.policy.number, book.buyer.country, book.buyer.registration_number


def _count(cli: Cli, cls: type) -> int:
    with unit_of_work(session_factory(cli.engine()), Tenant.unrestricted()) as session:
        return session.scalar(select(func.count()).select_from(cls)) or 0


def test_a_file_is_imported_once_and_a_file_with_bad_rows_leaves_nothing(
    cli_backend: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    number, country, registration = _book(cli_backend)
    header = ",".join(COLUMNS)
    good = tmp_path / "june.csv"
    good.write_text(
        f"{header}\nshipment,{country},{registration},J-1,1200.00,USD,{TODAY},2026-08-14,,\n"
        f"shipment,{country},{registration},J-2,800.00,USD,{TODAY},2026-08-14,,\n"
    )
    result = cli_backend("import", "declarations", str(good), "--policy", number)
    assert result.exit_code == 0, result.output
    assert "2 rows, 2 shipments, 0 payments" in result.stdout
    again = cli_backend("import", "declarations", str(good), "--policy", number)
    assert again.exit_code == 2
    assert "already imported" in again.stderr
    bad = tmp_path / "july.csv"
    bad.write_text(
        f"{header}\nshipment,{country},{registration},J-3,1.00,USD,{TODAY},2026-08-14,,\n"
        f"shipment,{country},{registration},J-4,0,USD,{TODAY},2026-08-14,,\n"
    )
    refused = cli_backend("import", "declarations", str(bad), "--policy", number)
    assert refused.exit_code == 2
    assert refused.stderr.strip().splitlines()[-1].startswith("error: 1 of 2 rows rejected, nothing imported")
    assert "row 3: amount must be more than zero" in refused.stderr
    assert (tmp_path / "july.csv.rejections.csv").read_text().splitlines()[
        1
    ] == "3,amount must be more than zero"
    assert (_count(cli_backend, Shipment), _count(cli_backend, ImportBatch)) == (2, 1)


def test_a_missing_file_or_policy_or_a_malformed_file_is_one_line_and_exit_2(
    cli_backend: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    number, _, _ = _book(cli_backend)
    missing = cli_backend("import", "declarations", str(tmp_path / "nope.csv"), "--policy", number)
    assert (missing.exit_code, missing.stderr.count("\n")) == (2, 1)
    odd = tmp_path / "odd.csv"
    odd.write_text("colour,size\nred,2\n")
    malformed = cli_backend("import", "declarations", str(odd), "--policy", number)
    assert malformed.exit_code == 2
    assert malformed.stderr.startswith("error: file: unknown column 'colour'")
    unknown = cli_backend("import", "declarations", str(odd), "--policy", "P-NOPE")
    assert unknown.exit_code == 2
    assert _count(cli_backend, ImportBatch) == 0
