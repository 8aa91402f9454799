"""Importing a file of shipment and payment declarations: every row checked, the file taken whole or not.

The file is CSV (UTF-8, a header row; columns in `COLUMNS`). Each row is checked and either accepted or
rejected with its row number and reason. If any row is rejected nothing is imported: the batch is
recorded as rejected with its report, so the insured fixes the file and sends it again. Otherwise
every row is judged like a single declaration (in date order, payments of a day before its shipments,
so that limits revolve within the file too) and inserted in bulk in the caller's transaction; an error
part-way leaves nothing. A file already imported on the policy is refused by its content hash, and a
shipment whose invoice number is already declared is rejected.

Excel workbooks are not read: no xlsx reader is installed on the platform, so a `.xlsx` file is
refused with the advice to save it as CSV.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import hashlib
import io
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.buyers.model import Buyer
from tradecover.clock import get_clock, utcnow
from tradecover.declarations.cover import CoverBook, chunked
from tradecover.declarations.model import ImportBatch, ImportStatus, Payment, PaymentApplication, Shipment
from tradecover.declarations.payments import check_reference
from tradecover.declarations.rules import (
    MAX_INVOICE_NUMBER_LENGTH,
    CoverFacts,
    OpenInvoice,
    ShipmentFacts,
    apply_payment,
    check_shipment,
    insured_part,
)
from tradecover.declarations.service import get_policy, policy_for_declaring
from tradecover.errors import Conflict, NotFound, ValidationError
from tradecover.money import minor_unit_exponent
from tradecover.parties.actor import Actor
from tradecover.policies.model import Policy
from tradecover.policies.service import covers

COLUMNS = (
    "record",
    "buyer_country",
    "buyer_registration_number",
    "invoice_number",
    "amount",
    "currency",
    "shipment_date",
    "due_date",
    "received_on",
    "reference",
)
REQUIRED_COLUMNS = ("record", "buyer_country", "buyer_registration_number", "amount", "currency")
MAX_ROWS = 2_000_000
MAX_FILE_NAME = 255
INSERT_CHUNK = 20_000
PROGRESS_EVERY = 50_000

# stage ("checking" or "saving"), rows done, rows in all
Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    """Progress is not shown."""


@dataclass(slots=True)
class _Row:
    number: int
    is_payment: bool
    buyer_key: tuple[str, str]
    amount_minor: int
    day: dt.date
    invoice_number: str = ""
    due_date: dt.date | None = None
    reference: str | None = None
    buyer_id: uuid.UUID | None = None


@dataclass(slots=True)
class _Open:
    """An invoice a payment in the file may settle: an earlier declared one, or one of the file."""

    key: uuid.UUID
    shipment_date: dt.date
    due_date: dt.date
    invoice_number: str
    amount_minor: int
    insured_minor: int
    paid_minor: int
    settled_on: dt.date | None = None
    values: dict[str, object] | None = None
    touched: bool = False

    @property
    def order(self) -> tuple[dt.date, dt.date, str]:
        return (self.shipment_date, self.due_date, self.invoice_number)


@dataclass(slots=True)
class _Plan:
    shipments: list[dict[str, object]] = field(default_factory=list)
    payments: list[dict[str, object]] = field(default_factory=list)
    applications: list[dict[str, object]] = field(default_factory=list)
    earlier: dict[uuid.UUID, _Open] = field(default_factory=dict)


class _Rejections:
    def __init__(self) -> None:
        self.rows: dict[int, str] = {}

    def add(self, number: int, reason: str) -> None:
        self.rows.setdefault(number, reason)

    def report(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("row", "reason"))
        for number in sorted(self.rows):
            writer.writerow((number, self.rows[number]))
        return out.getvalue()


# reading the file ------------------------------------------------------------------------------------
def _text(content: bytes, file_name: str) -> str:
    lowered = file_name.lower()
    if lowered.endswith((".xlsx", ".xlsm", ".xls")):
        raise ValidationError(
            "Excel workbooks cannot be read here (no xlsx reader is installed); "
            "save the sheet as CSV (UTF-8)",
            field="file",
        )
    if not content.strip():
        raise ValidationError("the file is empty", field="file")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"the file is not UTF-8 text (byte {error.start}); save it as CSV (UTF-8)", field="file"
        ) from None


def _header(row: Sequence[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in row]
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        raise ValidationError(
            f"unknown column {unknown[0]!r}; the columns are {', '.join(COLUMNS)}", field="file"
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ValidationError(f"the header lacks the column {missing[0]!r}", field="file")
    if len(set(names) - {""}) != len([n for n in names if n]):
        raise ValidationError("a column appears twice in the header", field="file")
    return {name: index for index, name in enumerate(names) if name}


def _minor(text: str, exponent: int) -> int:
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(f"amount {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"amount {text!r} is not a number")
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"amount {text} has more than {exponent} decimal places")
    minor = int(scaled)
    if minor <= 0:
        raise ValueError("amount must be more than zero")
    return minor


def _date(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None


def _parse(text: str, policy: Policy, rejections: _Rejections, progress: Progress) -> tuple[list[_Row], int]:
    """The rows that parse, and how many data rows the file has (blank lines aside)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise ValidationError(f"the file has no readable header row ({error})", field="file") from None
    columns = _header(header)
    width = len(header)
    exponent = minor_unit_exponent(policy.currency)
    get = {name: columns.get(name) for name in COLUMNS}
    rows: list[_Row] = []
    number, counted = 1, 0
    try:
        for values in reader:
            number += 1
            if number - 1 > MAX_ROWS:
                raise ValidationError(f"the file has more than {MAX_ROWS:,} rows; split it", field="file")
            if not any(v.strip() for v in values):
                continue
            counted += 1
            if len(values) != width:
                rejections.add(number, f"{len(values)} fields where the header has {width}")
                continue
            try:
                rows.append(_row(number, values, get, policy.currency, exponent))
            except ValueError as error:
                rejections.add(number, str(error))
            if number % PROGRESS_EVERY == 0:
                progress("checking", number, 0)
    except csv.Error as error:
        raise ValidationError(f"row {number}: the CSV is malformed ({error})", field="file") from None
    if not rows and not rejections.rows:
        raise ValidationError("the file has a header but no rows", field="file")
    return rows, counted


def _cell(values: list[str], index: int | None) -> str:
    return values[index].strip() if index is not None else ""


def _row(number: int, values: list[str], get: dict[str, int | None], currency: str, exponent: int) -> _Row:
    kind = _cell(values, get["record"]).lower()
    if kind not in ("shipment", "payment"):
        raise ValueError(f"record {_cell(values, get['record'])!r} is not 'shipment' or 'payment'")
    code = _cell(values, get["currency"]).upper()
    if code != currency:
        raise ValueError(f"currency {code or '(blank)'} is not the policy currency {currency}")
    key = (_cell(values, get["buyer_country"]).upper(), _cell(values, get["buyer_registration_number"]))
    if not key[0] or not key[1]:
        raise ValueError("the buyer's country and registration number are both needed")
    amount = _minor(_cell(values, get["amount"]), exponent)
    if kind == "payment":
        try:
            reference = check_reference(_cell(values, get["reference"]))
        except ValidationError as error:
            raise ValueError(f"reference {error.message}") from None
        received = _date(_cell(values, get["received_on"]), "received_on")
        return _Row(number, True, key, amount, received, reference=reference)
    invoice = _cell(values, get["invoice_number"])
    if not invoice or len(invoice) > MAX_INVOICE_NUMBER_LENGTH or "\x00" in invoice:
        raise ValueError(f"invoice_number must be 1 to {MAX_INVOICE_NUMBER_LENGTH} printable characters")
    return _Row(
        number,
        False,
        key,
        amount,
        _date(_cell(values, get["shipment_date"]), "shipment_date"),
        invoice_number=invoice,
        due_date=_date(_cell(values, get["due_date"]), "due_date"),
    )


# checking against the book ---------------------------------------------------------------------------
def _resolve_buyers(session: Session, rows: list[_Row], rejections: _Rejections) -> None:
    by_country: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        by_country[row.buyer_key[0]].add(row.buyer_key[1])
    found: dict[tuple[str, str], uuid.UUID] = {}
    for country, numbers in by_country.items():
        ordered = sorted(numbers)
        for start in range(0, len(ordered), 500):
            query = select(Buyer.id, Buyer.registration_number).where(
                Buyer.country == country, Buyer.registration_number.in_(ordered[start : start + 500])
            )
            for buyer_id, registration in session.execute(query):
                found[(country, registration)] = buyer_id
    for row in rows:
        row.buyer_id = found.get(row.buyer_key)
        if row.buyer_id is None:
            rejections.add(
                row.number,
                f"no buyer {row.buyer_key[1]} in {row.buyer_key[0]} in the registry; register it first",
            )


def _check_invoices(session: Session, policy: Policy, rows: list[_Row], rejections: _Rejections) -> None:
    first: dict[str, int] = {}
    for row in rows:
        if row.is_payment:
            continue
        earlier = first.setdefault(row.invoice_number, row.number)
        if earlier != row.number:
            rejections.add(row.number, f"invoice {row.invoice_number} appears on row {earlier} too")
    if not first:
        return
    declared = session.scalars(select(Shipment.invoice_number).where(Shipment.policy_id == policy.id))
    for number in declared:
        if number in first:
            rejections.add(first[number], f"invoice {number} is already declared on this policy")


def _check_dates(
    rows: list[_Row], policy: Policy, book: CoverBook, today: dt.date, rejections: _Rejections
) -> None:
    covered_on: dict[dt.date, bool] = {}
    for row in rows:
        if row.number in rejections.rows:
            continue
        try:
            if row.is_payment:
                if row.day > today:
                    raise ValidationError(f"{row.day.isoformat()} is in the future", field="received_on")
                if row.day < policy.period_start:
                    raise ValidationError(
                        f"{row.day.isoformat()} is before the policy starts", field="received_on"
                    )
                continue
            assert row.due_date is not None
            covered = covered_on.get(row.day)
            if covered is None:
                covered = covered_on[row.day] = covers(policy, row.day)
            if not covered:
                raise ValidationError(
                    f"{row.day.isoformat()} is outside the policy's cover", field="shipment_date"
                )
            facts = ShipmentFacts(
                row.invoice_number, policy.currency, row.amount_minor, row.day, row.due_date, today
            )
            check_shipment(
                facts, max_credit_days_with_consent=book.terms(row.day).max_credit_period_with_consent_days
            )
            book.deadline(row.day)
        except ValidationError as error:
            rejections.add(row.number, str(error))


# planning the inserts --------------------------------------------------------------------------------
def _earlier_open_invoices(
    session: Session, policy: Policy, buyer_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[_Open]]:
    found: dict[uuid.UUID, list[_Open]] = defaultdict(list)
    for chunk in chunked(set(buyer_ids)):
        query = select(
            Shipment.id,
            Shipment.buyer_id,
            Shipment.shipment_date,
            Shipment.due_date,
            Shipment.invoice_number,
            Shipment.amount_minor,
            Shipment.insured_minor,
            Shipment.paid_minor,
        ).where(
            Shipment.policy_id == policy.id,
            Shipment.buyer_id.in_(chunk),
            Shipment.paid_minor < Shipment.amount_minor,
        )
        for row in session.execute(query):
            found[row.buyer_id].append(
                _Open(
                    row.id,
                    row.shipment_date,
                    row.due_date,
                    row.invoice_number,
                    row.amount_minor,
                    row.insured_minor,
                    row.paid_minor,
                )
            )
    for invoices in found.values():
        invoices.sort(key=lambda i: i.order)
    return found


def _plan(
    session: Session,
    actor: Actor,
    policy: Policy,
    book: CoverBook,
    rows: list[_Row],
    batch_id: uuid.UUID,
    declared_on: dt.date,
    progress: Progress,
) -> _Plan:
    plan = _Plan()
    payer_ids = {row.buyer_id for row in rows if row.is_payment and row.buyer_id is not None}
    open_by_buyer = _earlier_open_invoices(session, policy, payer_ids)
    for invoices in open_by_buyer.values():
        for invoice in invoices:
            plan.earlier[invoice.key] = invoice
    moved: dict[uuid.UUID, int] = defaultdict(int)
    now = utcnow()
    common = {"policy_id": policy.id, "currency": policy.currency}
    parties = {"policyholder_id": policy.policyholder_id, "insurer_id": policy.insurer_id}
    ordered = sorted(rows, key=lambda r: (r.day, not r.is_payment, r.number))
    total = len(ordered)
    for done, row in enumerate(ordered, start=1):
        buyer_id = row.buyer_id
        assert buyer_id is not None
        if row.is_payment:
            _plan_payment(
                plan,
                row,
                buyer_id,
                open_by_buyer[buyer_id],
                moved,
                {**common, **parties},
                batch_id,
                actor,
                now,
            )
        else:
            assert row.due_date is not None
            exposure = book.exposure_minor(buyer_id, row.day) + moved[buyer_id]
            cover = book.cover(buyer_id, row.day, exposure, declared_on)
            credit_days = (row.due_date - row.day).days
            insured = insured_part(row.amount_minor, credit_days, row.day, declared_on, cover)
            moved[buyer_id] += insured
            shipment_id = uuid.uuid4()
            values: dict[str, object] = {
                **common,
                "id": shipment_id,
                "buyer_id": buyer_id,
                "invoice_number": row.invoice_number,
                "amount_minor": row.amount_minor,
                "shipment_date": row.day,
                "due_date": row.due_date,
                "declared_on": declared_on,
                "declared_at": now,
                "declared_by_user_id": actor.user_id,
                "import_batch_id": batch_id,
                "insured_minor": insured,
                "premium_minor": book.premium_minor(buyer_id, credit_days, insured),
                "paid_minor": 0,
                "settled_on": None,
                **_facts(cover),
            }
            plan.shipments.append(values)
            if payer_ids and buyer_id in payer_ids:
                invoice = _Open(
                    shipment_id,
                    row.day,
                    row.due_date,
                    row.invoice_number,
                    row.amount_minor,
                    insured,
                    0,
                    values=values,
                )
                bisect.insort(open_by_buyer[buyer_id], invoice, key=lambda i: i.order)
        if done % PROGRESS_EVERY == 0:
            progress("judging", done, total)
    return plan


def _facts(cover: CoverFacts) -> dict[str, object]:
    return {
        "max_credit_days": cover.max_credit_days,
        "deadline": cover.deadline,
        "cover_source": cover.source,
        "cover_minor": cover.cover_minor,
        "exposure_minor": cover.exposure_minor,
        "stopped_since": cover.stopped_since,
        "loss_event_on": cover.loss_event_on,
    }


def _plan_payment(
    plan: _Plan,
    row: _Row,
    buyer_id: uuid.UUID,
    invoices: list[_Open],
    moved: dict[uuid.UUID, int],
    common: dict[str, object],
    batch_id: uuid.UUID,
    actor: Actor,
    now: dt.datetime,
) -> None:
    candidates = [i for i in invoices if i.shipment_date <= row.day and i.paid_minor < i.amount_minor]
    by_key = {i.key: i for i in candidates}
    applications, unapplied = apply_payment(
        row.amount_minor,
        [
            OpenInvoice(
                i.key,
                i.shipment_date,
                i.due_date,
                i.invoice_number,
                i.amount_minor,
                i.paid_minor,
                i.insured_minor,
            )
            for i in candidates
        ],
    )
    payment_id = uuid.uuid4()
    plan.payments.append(
        {
            **common,
            "id": payment_id,
            "buyer_id": buyer_id,
            "amount_minor": row.amount_minor,
            "received_on": row.day,
            "reference": row.reference,
            "unapplied_minor": unapplied,
            "declared_at": now,
            "declared_by_user_id": actor.user_id,
            "import_batch_id": batch_id,
        }
    )
    for application in applications:
        invoice = by_key[application.key]  # type: ignore[index]
        invoice.paid_minor += application.paid_minor
        invoice.touched = True
        if application.settles:
            invoice.settled_on = row.day
        if invoice.values is not None:
            invoice.values["paid_minor"] = invoice.paid_minor
            invoice.values["settled_on"] = invoice.settled_on
        moved[buyer_id] -= application.insured_released_minor
        plan.applications.append(
            {
                "payment_id": payment_id,
                "shipment_id": invoice.key,
                "policy_id": common["policy_id"],
                "buyer_id": buyer_id,
                "received_on": row.day,
                "paid_minor": application.paid_minor,
                "insured_released_minor": application.insured_released_minor,
            }
        )
    invoices[:] = [i for i in invoices if i.paid_minor < i.amount_minor]


def _save(session: Session, plan: _Plan, progress: Progress) -> None:
    total = len(plan.shipments) + len(plan.payments)
    done = 0
    for start in range(0, len(plan.shipments), INSERT_CHUNK):
        chunk = plan.shipments[start : start + INSERT_CHUNK]
        # Core insert into the table: the rows are complete, so the ORM's per-row bookkeeping is skipped.
        session.execute(insert(Shipment.metadata.tables[Shipment.__tablename__]), chunk)
        done += len(chunk)
        progress("saving", done, total)
    for start in range(0, len(plan.payments), INSERT_CHUNK):
        chunk = plan.payments[start : start + INSERT_CHUNK]
        session.execute(insert(Payment), chunk)
        done += len(chunk)
        progress("saving", done, total)
    for start in range(0, len(plan.applications), INSERT_CHUNK):
        session.execute(
            insert(PaymentApplication.metadata.tables[PaymentApplication.__tablename__]),
            plan.applications[start : start + INSERT_CHUNK],
        )
    changed = [i for i in plan.earlier.values() if i.touched]
    if changed:
        session.execute(
            update(Shipment),
            [{"id": i.key, "paid_minor": i.paid_minor, "settled_on": i.settled_on} for i in changed],
        )


# the use case ----------------------------------------------------------------------------------------
def content_hash(content: bytes) -> str:
    """The SHA-256 of a file's bytes, which identifies it for re-import refusal."""
    return hashlib.sha256(content).hexdigest()


def import_declarations(
    session: Session,
    actor: Actor,
    policy_id: uuid.UUID,
    file_name: str,
    content: bytes,
    *,
    progress: Progress | None = None,
    declared_on: dt.date | None = None,
) -> ImportBatch:
    """Import a declarations file whole, or record it as rejected with a report of every bad row.

    `declared_on` is today for everyone but the demo seeder, which backdates a year of declarations.
    """
    report_progress = progress or _no_progress
    policy = policy_for_declaring(session, actor, policy_id)
    name = (file_name or "").strip().replace("\x00", "")[:MAX_FILE_NAME] or "declarations.csv"
    digest = content_hash(content)
    already = session.scalar(
        select(ImportBatch).where(ImportBatch.policy_id == policy.id, ImportBatch.imported_sha256 == digest)
    )
    if already is not None:
        raise Conflict(
            f"this file was already imported on {already.imported_at:%Y-%m-%d} as {already.reference}",
            field="file",
        )
    today = get_clock().today() if declared_on is None else declared_on
    rejections = _Rejections()
    rows, counted = _parse(_text(content, name), policy, rejections, report_progress)
    _resolve_buyers(session, rows, rejections)
    _check_invoices(session, policy, rows, rejections)
    buyer_ids = {row.buyer_id for row in rows if row.buyer_id is not None}
    book = CoverBook(session, policy, buyer_ids)
    _check_dates(rows, policy, book, today, rejections)
    batch = ImportBatch(
        id=uuid.uuid4(),
        policy_id=policy.id,
        policyholder_id=policy.policyholder_id,
        insurer_id=policy.insurer_id,
        file_name=name,
        content_sha256=digest,
        rows=counted,
        rejected=len(rejections.rows),
        accepted=counted - len(rejections.rows),
        imported_at=utcnow(),
        imported_by_user_id=actor.user_id,
        report=rejections.report() if rejections.rows else "",
        status=ImportStatus.REJECTED if rejections.rows else ImportStatus.IMPORTED,
        imported_sha256=None if rejections.rows else digest,
        shipments=0,
        payments=0,
    )
    session.add(batch)
    session.flush()
    if not rejections.rows:
        plan = _plan(session, actor, policy, book, rows, batch.id, today, report_progress)
        _save(session, plan, report_progress)
        batch.shipments, batch.payments = len(plan.shipments), len(plan.payments)
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=policy.policyholder_id,
        action=f"declarations.{batch.status.value}",
        object_type="ImportBatch",
        object_id=batch.id,
        details={
            "file_name": name,
            "rows": batch.rows,
            "accepted": batch.accepted,
            "rejected": batch.rejected,
        },
    )
    return batch


def get_batch(session: Session, batch_id: uuid.UUID) -> ImportBatch:
    """One imported (or rejected) file the session's organisation has a part in; NotFound otherwise."""
    batch = session.scalars(select(ImportBatch).where(ImportBatch.id == batch_id)).first()
    if batch is None:
        raise NotFound(f"no such declarations file: {batch_id}", field="batch_id")
    return batch


def list_batches(session: Session, policy_id: uuid.UUID, *, limit: int = 50) -> Sequence[ImportBatch]:
    """The policy's declaration files, newest first."""
    policy = get_policy(session, policy_id)
    return session.scalars(
        select(ImportBatch)
        .where(ImportBatch.policy_id == policy.id)
        .order_by(ImportBatch.imported_at.desc(), ImportBatch.id)
        .limit(limit)
    ).all()
