"""Importing declarations from an Excel workbook: the CSV's columns, verdicts, row numbers and refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.declarations.workbooks import empty_workbook, workbook, workbook_without_sheets, zip_of_text
from tests.limits.conftest import TODAY, Book, usd

from tradecover.declarations.imports import import_declarations
from tradecover.declarations.model import ImportBatch, ImportStatus, Payment, Shipment
from tradecover.declarations.service import exposure
from tradecover.errors import Conflict, ValidationError
from tradecover.limits.decisions import request_limit

DUE = TODAY + dt.timedelta(days=60)


@pytest.fixture
def limited(db: Session, book: Book) -> Book:
    """The book with a limit of USD 100,000 approved today on its buyer."""
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
    return book


def row(book: Book, record: str, invoice: str, amount: object, *dates: object) -> list[object]:
    """A sheet row on the book's buyer: shipment and due dates, or the received date for a payment."""
    buyer = book.buyer
    if record == "payment":
        return [record, buyer.country, buyer.registration_number, None, amount, "USD", None, None, *dates]
    return [record, buyer.country, buyer.registration_number, invoice, amount, "USD", *dates]


def count(db: Session, cls: type) -> int:
    """Rows of a mapped class."""
    return db.scalar(select(func.count()).select_from(cls)) or 0


def test_a_workbook_with_excel_dates_and_numbers_or_iso_text_is_imported_exactly(
    db: Session, limited: Book
) -> None:
    content = workbook(
        {
            # A real Excel date and a float amount read by its shortest repr: exactly 70,000.10.
            2: row(limited, "shipment", "X-1", 70000.1, TODAY, DUE),
            # Text read as the CSV reads it.
            3: row(limited, "shipment", "X-2", "29999.90", TODAY.isoformat(), DUE.isoformat()),
            # A whole number is the amount in units.
            4: row(limited, "payment", "", 5000, TODAY),
        }
    )
    batch = import_declarations(db, limited.exporter, limited.policy.id, "june.xlsx", content)
    assert (batch.status, batch.rows, batch.accepted, batch.rejected) == (ImportStatus.IMPORTED, 3, 3, 0)
    assert (batch.shipments, batch.payments, batch.file_name) == (2, 1, "june.xlsx")
    found = db.execute(
        select(
            Shipment.invoice_number, Shipment.amount_minor, Shipment.insured_minor, Shipment.paid_minor
        ).order_by(Shipment.invoice_number)
    ).all()
    # The payment of the day comes first and finds nothing shipped; X-1 is wholly insured, and X-2 finds
    # 100,000 − 70,000.10 = 29,999.90 available: wholly insured, to the cent.
    assert [tuple(f) for f in found] == [
        ("X-1", 7_000_010, 7_000_010, 0),
        ("X-2", 2_999_990, 2_999_990, 0),
    ]
    assert db.execute(select(Payment.amount_minor, Payment.unapplied_minor)).one() == (500_000, 500_000)
    assert exposure(db, limited.policy.id, limited.buyer.id, on=TODAY) == usd("100000.00")


def test_bad_rows_are_reported_with_the_sheet_row_numbers_and_nothing_is_imported(
    db: Session, limited: Book
) -> None:
    content = workbook(
        {
            2: row(limited, "shipment", "X-1", 100.0, TODAY, DUE),
            3: row(limited, "shipment", "X-2", 12.345, TODAY, DUE),
            # Row 4 is left blank: skipped, and the rows after it keep their numbers.
            5: row(limited, "shipment", "X-3", 10, dt.datetime.combine(TODAY, dt.time(10, 30)), DUE),
            6: row(limited, "shipment", "X-4", TODAY, TODAY, DUE),
            7: row(limited, "shipment", "X-5", -5, TODAY, DUE),
            8: row(limited, "shipment", "X-1", "1.00", TODAY, DUE),
        }
    )
    batch = import_declarations(db, limited.exporter, limited.policy.id, "bad.xlsx", content)
    assert (batch.status, batch.rows, batch.accepted, batch.rejected) == (ImportStatus.REJECTED, 6, 1, 5)
    assert batch.report.splitlines() == [
        "row,reason",
        "3,amount 12.345 has more than 2 decimal places",
        "5,shipment_date '2026-06-15 10:30:00' is not a date (YYYY-MM-DD)",
        "6,amount '2026-06-15' is not a number",
        "7,amount must be more than zero",
        "8,invoice X-1 appears on row 2 too",
    ]
    assert (count(db, Shipment), count(db, Payment)) == (0, 0)


def test_a_workbook_is_imported_once_and_its_invoices_are_not_declared_twice(
    db: Session, limited: Book
) -> None:
    content = workbook({2: row(limited, "shipment", "X-1", 100, TODAY, DUE)})
    import_declarations(db, limited.exporter, limited.policy.id, "a.xlsx", content)
    with pytest.raises(Conflict) as refused:
        import_declarations(db, limited.exporter, limited.policy.id, "a-again.xlsx", content)
    assert refused.value.field == "file"
    other = workbook(
        {
            2: row(limited, "shipment", "X-1", 100, TODAY, DUE),
            3: row(limited, "shipment", "X-2", 1, TODAY, DUE),
        }
    )
    again = import_declarations(db, limited.exporter, limited.policy.id, "b.xlsx", other)
    assert again.status is ImportStatus.REJECTED
    assert again.report.splitlines()[1:] == ["2,invoice X-1 is already declared on this policy"]
    assert count(db, Shipment) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("book.xlsx", b"PK\x03\x04", "book.xlsx is not a readable Excel workbook (File is not a zip file)"),
        (
            "text.xlsx",
            b"record,amount\n",
            "text.xlsx is not a readable Excel workbook (File is not a zip file)",
        ),
        ("notes.xlsx", zip_of_text(), "notes.xlsx is not a readable Excel workbook (There is no item named"),
        ("bare.xlsx", workbook_without_sheets(), "bare.xlsx has no worksheet"),
        ("blank.xlsx", empty_workbook(), "blank.xlsx: the first sheet is empty"),
        ("empty.xlsx", b"", "empty.xlsx is empty"),
        ("header.xlsx", workbook({}), "header.xlsx: the file has a header but no rows"),
        (
            "cols.xlsx",
            workbook({2: ["shipment", 1]}, header=["record", "amount"]),
            "cols.xlsx: the header lacks the column 'buyer_country'",
        ),
        ("odd.xlsx", workbook({}, header=["record", "colour"]), "odd.xlsx: unknown column 'colour'"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "old.xls: only .xlsx workbooks are read"),
        ("named.csv", zip_of_text(), "named.csv is a zip file, not CSV text"),
    ],
)
def test_a_malformed_workbook_is_refused_naming_the_file_and_nothing_is_recorded(
    db: Session, limited: Book, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        import_declarations(db, limited.exporter, limited.policy.id, name, content)
    assert refused.value.field == "file"
    assert refused.value.message.startswith(message), refused.value.message
    assert count(db, ImportBatch) == 0
