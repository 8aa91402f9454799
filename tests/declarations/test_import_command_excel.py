"""`tradecover import declarations` with an Excel workbook: imported whole, or exit 2 naming the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from tests.cli.conftest import Cli, cli_backend  # noqa: F401
from tests.declarations.workbooks import workbook
from tests.limits.conftest import TODAY, open_book

from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.declarations.model import ImportBatch, Shipment

DUE = TODAY + dt.timedelta(days=60)


def _book(cli: Cli) -> tuple[str, str, str]:
    """Migrate the CLI's database and open a book in it: (policy number, buyer country, registration)."""
    assert cli("db", "upgrade").exit_code == 0
    with unit_of_work(session_factory(cli.engine()), Tenant.unrestricted()) as session:
        book = open_book(session)
        return book.policy.number, book.buyer.country, book.buyer.registration_number


def _count(cli: Cli, cls: type) -> int:
    with unit_of_work(session_factory(cli.engine()), Tenant.unrestricted()) as session:
        return session.scalar(select(func.count()).select_from(cls)) or 0


def test_a_workbook_is_imported_and_a_bad_or_malformed_one_is_exit_2(
    cli_backend: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    number, country, registration = _book(cli_backend)
    good = tmp_path / "june.xlsx"
    good.write_bytes(
        workbook(
            {
                2: ["shipment", country, registration, "J-1", 1200.5, "USD", TODAY, DUE],
                3: ["shipment", country, registration, "J-2", "800.00", "USD", TODAY.isoformat(), DUE],
            }
        )
    )
    result = cli_backend("import", "declarations", str(good), "--policy", number)
    assert result.exit_code == 0, result.output
    assert "2 rows, 2 shipments, 0 payments" in result.stdout
    bad = tmp_path / "july.xlsx"
    bad.write_bytes(
        workbook(
            {
                2: ["shipment", country, registration, "J-3", 1, "USD", TODAY, DUE],
                3: ["shipment", country, registration, "J-4", 0.001, "USD", TODAY, DUE],
            }
        )
    )
    refused = cli_backend("import", "declarations", str(bad), "--policy", number)
    assert refused.exit_code == 2
    assert "row 3: amount 0.001 has more than 2 decimal places" in refused.stderr
    assert (tmp_path / "july.xlsx.rejections.csv").read_text().splitlines() == [
        "row,reason",
        "3,amount 0.001 has more than 2 decimal places",
    ]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a zip")
    malformed = cli_backend("import", "declarations", str(broken), "--policy", number)
    assert (malformed.exit_code, malformed.stderr.count("\n")) == (2, 1)
    assert malformed.stderr.startswith(
        "error: file: broken.xlsx is not a readable Excel workbook (File is not a zip file)"
    )
    with unit_of_work(session_factory(cli_backend.engine()), Tenant.unrestricted()) as session:
        amounts = sorted(session.scalars(select(Shipment.amount_minor)))
    assert amounts == [80_000, 120_050]
    assert _count(cli_backend, ImportBatch) == 1
