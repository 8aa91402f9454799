"""Importing declaration files: rows accepted or rejected with reasons, whole or nothing, never twice."""

from __future__ import annotations

import datetime as dt
import sqlite3

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.limits.conftest import TODAY, Book, new_buyer, usd

from tradecover.db import bulk
from tradecover.declarations import import_plan
from tradecover.declarations.import_rows import COLUMNS
from tradecover.declarations.imports import get_batch, import_declarations
from tradecover.declarations.model import ImportBatch, ImportStatus, Payment, PaymentApplication, Shipment
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment, exposure
from tradecover.errors import Conflict, ValidationError
from tradecover.limits.decisions import request_limit

HEADER = ",".join(COLUMNS) + "\n"


def line(
    book: Book, record: str, invoice: str, amount: str, shipped: str = "", due: str = "", received: str = ""
) -> str:
    """One CSV row on the book's buyer."""
    buyer = book.buyer
    who = (buyer.country, buyer.registration_number)
    cells = (record, *who, invoice, amount, "USD", shipped, due, received, "")
    return ",".join(cells) + "\n"


@pytest.fixture
def limited(db: Session, book: Book) -> Book:
    """The book with a limit of USD 100,000 approved today on its buyer."""
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
    return book


def count(db: Session, cls: type) -> int:
    """Rows of a mapped class."""
    return db.scalar(select(func.count()).select_from(cls)) or 0


def test_a_file_of_shipments_and_payments_is_imported_with_limits_revolving_inside_it(
    db: Session, limited: Book
) -> None:
    day = TODAY.isoformat()
    due = (TODAY + dt.timedelta(days=60)).isoformat()
    content = (
        HEADER
        + line(limited, "shipment", "F-1", "70000.00", day, due)
        + line(limited, "shipment", "F-2", "50000.00", day, due)
        + line(limited, "payment", "", "70000.00", received=day)
    ).encode()
    progress: list[tuple[str, int, int]] = []
    batch = import_declarations(
        db, limited.exporter, limited.policy.id, "june.csv", content, progress=lambda *a: progress.append(a)
    )
    assert (batch.status, batch.rows, batch.accepted, batch.rejected) == (ImportStatus.IMPORTED, 3, 3, 0)
    assert (batch.shipments, batch.payments) == (2, 1)
    insured = dict(db.execute(select(Shipment.invoice_number, Shipment.insured_minor)).all())
    # The payment of the day comes first and finds nothing shipped yet; then F-1 uses 70,000 of the limit,
    # F-2 gets the remaining 30,000.
    assert insured == {"F-1": 7_000_000, "F-2": 3_000_000}
    assert count(db, PaymentApplication) == 0
    assert db.scalar(select(Payment.unapplied_minor)) == 7_000_000
    assert exposure(db, limited.policy.id, limited.buyer.id, on=TODAY) == usd(100_000)
    assert progress[-1][0] == "saving"


def test_imported_rows_read_back_like_a_declared_shipment(db: Session, limited: Book) -> None:
    due = TODAY + dt.timedelta(days=60)
    declared = declare_shipment(
        db,
        limited.exporter,
        limited.policy.id,
        ShipmentDeclaration(limited.buyer.id, "ONE", usd(1_000), TODAY, due),
    )
    content = HEADER + line(limited, "shipment", "FILE", "1000.00", TODAY.isoformat(), due.isoformat())
    batch = import_declarations(db, limited.exporter, limited.policy.id, "one.csv", content.encode())
    db.expire_all()
    one, filed = (
        db.scalars(select(Shipment).where(Shipment.invoice_number == n)).one() for n in ("ONE", "FILE")
    )
    assert filed.id.version == 7
    assert filed.import_batch_id == batch.id
    assert filed.declared_by_user_id == limited.exporter.user_id
    assert filed.declared_at == one.declared_at == dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    same = (
        "policy_id",
        "buyer_id",
        "currency",
        "shipment_date",
        "due_date",
        "declared_on",
        "max_credit_days",
        "deadline",
        "cover_source",
        "cover_minor",
        "stopped_since",
        "loss_event_on",
        "paid_minor",
        "settled_on",
        "premium_minor",
    )
    assert {name: getattr(filed, name) for name in same} == {name: getattr(one, name) for name in same}
    # The second shipment finds the first one's insured part outstanding.
    assert (filed.exposure_minor, filed.insured_minor) == (declared.insured_minor, 100_000)


def test_payments_in_a_file_settle_earlier_declared_invoices_oldest_first(db: Session, limited: Book) -> None:
    # Shipped the same day: the one due first is the oldest.
    for number, credit_days in (("A-1", 30), ("A-2", 20)):
        due = TODAY + dt.timedelta(days=credit_days)
        declaration = ShipmentDeclaration(limited.buyer.id, number, usd(40_000), TODAY, due)
        declare_shipment(db, limited.exporter, limited.policy.id, declaration)
    content = (HEADER + line(limited, "payment", "", "50000.00", received=TODAY.isoformat())).encode()
    import_declarations(db, limited.exporter, limited.policy.id, "payments.csv", content)
    paid = dict(db.execute(select(Shipment.invoice_number, Shipment.paid_minor)).all())
    assert paid == {"A-1": 1_000_000, "A-2": 4_000_000}
    settled = db.scalar(select(Shipment.settled_on).where(Shipment.invoice_number == "A-2"))
    assert settled == TODAY
    assert exposure(db, limited.policy.id, limited.buyer.id, on=TODAY) == usd(30_000)


def test_a_file_with_a_bad_row_is_rejected_whole_with_every_bad_row_and_its_reason(
    db: Session, limited: Book
) -> None:
    day, due = TODAY.isoformat(), (TODAY + dt.timedelta(days=60)).isoformat()
    unknown = f"shipment,US,NO-SUCH-BUYER,F-9,10.00,USD,{day},{due},,\n"
    content = (
        HEADER
        + line(limited, "shipment", "F-1", "100.00", day, due)
        + line(limited, "shipment", "F-2", "-5.00", day, due)
        + line(limited, "shipment", "F-3", "100.00", day, (TODAY - dt.timedelta(days=1)).isoformat())
        + line(limited, "shipment", "F-1", "100.00", day, due)
        + unknown
        + line(limited, "refund", "F-4", "100.00", day, due)
        + line(limited, "shipment", "F-5", "100.00", "15/06/2026", due)
    ).encode()
    batch = import_declarations(db, limited.exporter, limited.policy.id, "bad.csv", content)
    assert (batch.status, batch.rows, batch.accepted, batch.rejected) == (ImportStatus.REJECTED, 7, 1, 6)
    assert batch.report.splitlines() == [
        "row,reason",
        "3,amount must be more than zero",
        "4,due_date: 2026-06-14 is before the shipment date 2026-06-15",
        "5,invoice F-1 appears on row 2 too",
        "6,no buyer NO-SUCH-BUYER in US in the registry; register it first",
        "7,record 'refund' is not 'shipment' or 'payment'",
        "8,shipment_date '15/06/2026' is not a date (YYYY-MM-DD)",
    ]
    assert count(db, Shipment) == 0
    # The fixed file goes in.
    fixed = (HEADER + line(limited, "shipment", "F-1", "100.00", day, due)).encode()
    assert (
        import_declarations(db, limited.exporter, limited.policy.id, "bad.csv", fixed).status
        is ImportStatus.IMPORTED
    )
    assert get_batch(db, batch.id).status is ImportStatus.REJECTED


def test_the_same_file_is_not_imported_twice_and_declared_invoices_are_rejected(
    db: Session, limited: Book
) -> None:
    day, due = TODAY.isoformat(), (TODAY + dt.timedelta(days=60)).isoformat()
    content = (HEADER + line(limited, "shipment", "F-1", "100.00", day, due)).encode()
    import_declarations(db, limited.exporter, limited.policy.id, "a.csv", content)
    with pytest.raises(Conflict) as refused:
        import_declarations(db, limited.exporter, limited.policy.id, "a-again.csv", content)
    assert refused.value.field == "file"
    # Same invoice in a different file (another byte makes another hash): the row is rejected.
    again = import_declarations(db, limited.exporter, limited.policy.id, "b.csv", content + b"\n")
    assert again.status is ImportStatus.REJECTED
    assert "invoice F-1 is already declared on this policy" in again.report
    assert count(db, Shipment) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("header.csv", HEADER.encode(), "the file has a header but no rows"),
        ("cols.csv", b"record,amount\nshipment,1\n", "the header lacks the column 'buyer_country'"),
        ("odd.csv", b"record,colour\n", "unknown column 'colour'"),
        ("latin.csv", HEADER.encode() + b"shipment,US,\xff\xfe,1,1,USD,,,,\n", "not UTF-8"),
        ("book.xlsx", b"PK\x03\x04", "save the sheet as CSV"),
    ],
)
def test_a_malformed_file_is_refused_and_nothing_is_recorded(
    db: Session, limited: Book, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        import_declarations(db, limited.exporter, limited.policy.id, name, content)
    assert refused.value.field == "file"
    assert message in refused.value.message
    assert count(db, ImportBatch) == 0


def test_a_failure_part_way_through_a_file_leaves_nothing(
    db: Session, limited: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Shipments stream to the database while the next rows are judged: fail after some were written.
    monkeypatch.setattr(bulk, "CHUNK", 2)
    monkeypatch.setattr(import_plan, "PROGRESS_EVERY", 3)
    day, due = TODAY.isoformat(), (TODAY + dt.timedelta(days=60)).isoformat()
    other = new_buyer(db)
    content = HEADER + "".join(line(limited, "shipment", f"F-{n}", "100.00", day, due) for n in range(5))
    content += f"shipment,{other.country},{other.registration_number},G-1,5.00,USD,{day},{due},,\n"

    def fail_after_first_chunk(stage: str, done: int, total: int) -> None:
        if stage == "judging" and done >= 3:
            raise RuntimeError("the connection dropped")

    savepoint = db.begin_nested()
    with pytest.raises(RuntimeError):
        import_declarations(
            db,
            limited.exporter,
            limited.policy.id,
            "big.csv",
            content.encode(),
            progress=fail_after_first_chunk,
        )
    # What the entry point does with the unit of work on any error.
    savepoint.rollback()
    assert count(db, Shipment) == 0
    assert count(db, ImportBatch) == 0
    # And the file can be sent again.
    batch = import_declarations(db, limited.exporter, limited.policy.id, "big.csv", content.encode())
    assert batch.shipments == 6


def test_a_row_the_database_refuses_mid_stream_fails_the_import_and_leaves_nothing(
    db: Session, limited: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 2)
    judged: list[int] = []

    def broken_insured_part(amount_minor: int, *args: object) -> int:
        # A bug that insures the fifth row for more than its amount, which the CHECK constraint refuses.
        judged.append(amount_minor)
        return amount_minor + 1 if len(judged) == 5 else 0

    monkeypatch.setattr(import_plan, "insured_part", broken_insured_part)
    day, due = TODAY.isoformat(), (TODAY + dt.timedelta(days=60)).isoformat()
    content = HEADER + "".join(line(limited, "shipment", f"F-{n}", "100.00", day, due) for n in range(8))
    savepoint = db.begin_nested()
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.CheckViolation), match="insured_range"):
        import_declarations(db, limited.exporter, limited.policy.id, "bad.csv", content.encode())
    savepoint.rollback()
    assert count(db, Shipment) == 0
    assert count(db, ImportBatch) == 0
