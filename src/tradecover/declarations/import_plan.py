"""Planning and saving an accepted declarations file: each row judged in date order, then inserted in bulk.

Payments of a day come before its shipments, so that limits revolve within the file too. The rows are
planned in the form the databases store (`db.bulk`) with ascending UUIDv7 ids, and written with COPY on
PostgreSQL or one prepared INSERT on SQLite, in the caller's transaction.
"""

from __future__ import annotations

import bisect
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tradecover.clock import utcnow
from tradecover.db.bulk import RowStream, insert_rows, ordered_ids
from tradecover.declarations.cover import BuyerCover, CoverBook, chunked
from tradecover.declarations.import_rows import PROGRESS_EVERY, ImportRow, Progress
from tradecover.declarations.model import Payment, PaymentApplication, Shipment
from tradecover.declarations.rules import OpenInvoice, apply_payment, insured_part
from tradecover.parties.actor import Actor
from tradecover.policies.model import Policy
from tradecover.policies.stale import mark_stale

SHIPMENT_COLUMNS = (
    "id",
    "buyer_id",
    "invoice_number",
    "amount_minor",
    "shipment_date",
    "due_date",
    "insured_minor",
    "premium_minor",
    "paid_minor",
    "settled_on",
    "max_credit_days",
    "deadline",
    "cover_source",
    "cover_minor",
    "exposure_minor",
    "stopped_since",
    "loss_event_on",
)
PAYMENT_COLUMNS = ("id", "buyer_id", "amount_minor", "received_on", "reference", "unapplied_minor")
APPLICATION_COLUMNS = (
    "payment_id",
    "shipment_id",
    "buyer_id",
    "received_on",
    "paid_minor",
    "insured_released_minor",
)
_PAID = SHIPMENT_COLUMNS.index("paid_minor")
_SETTLED = SHIPMENT_COLUMNS.index("settled_on")


class _IsoDates(dict[dt.date, str]):
    """Each date's ISO text, worked out once (a file has a few hundred distinct dates)."""

    def __missing__(self, day: dt.date) -> str:
        text = self[day] = day.isoformat()
        return text


@dataclass(slots=True)
class _Open:
    """An invoice a payment in the file may settle: an earlier declared one, or one of the file."""

    id_hex: str
    shipment_date: dt.date
    due_date: dt.date
    invoice_number: str
    amount_minor: int
    insured_minor: int
    paid_minor: int
    settled_on: dt.date | None = None
    # The planned row of a shipment of the file (its paid amount and settlement date are kept up to date).
    row: list[object] | None = None
    touched: bool = False

    @property
    def order(self) -> tuple[dt.date, dt.date, str]:
        return (self.shipment_date, self.due_date, self.invoice_number)


@dataclass(slots=True)
class _Buyer:
    """A buyer of the file as its rows are judged."""

    cover: BuyerCover
    id_hex: str
    pays: bool
    # Its open invoices a payment may settle (only for a buyer that pays in the file), oldest first.
    open: list[_Open]
    # Insured outstanding added by the file's shipments so far, less what its payments freed.
    moved: int = 0


@dataclass(slots=True)
class ImportPlan:
    """An accepted file's rows (in the `*_COLUMNS` orders, storage form) still to insert once judged,
    how many shipments it has, and the earlier invoices its payments touch."""

    shipments: int = 0
    # Shipments on buyers that also pay in the file: their rows change until the last payment is planned.
    held: list[list[object]] = field(default_factory=list)
    payments: list[tuple[object, ...]] = field(default_factory=list)
    applications: list[tuple[object, ...]] = field(default_factory=list)
    shipment_constants: dict[str, object] = field(default_factory=dict)
    payment_constants: dict[str, object] = field(default_factory=dict)
    application_constants: dict[str, object] = field(default_factory=dict)
    earlier: dict[str, _Open] = field(default_factory=dict)


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
                    row.id.hex,
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


def plan_rows(
    session: Session,
    actor: Actor,
    policy: Policy,
    book: CoverBook,
    rows: list[ImportRow],
    batch_id: uuid.UUID,
    declared_on: dt.date,
    progress: Progress,
) -> ImportPlan:
    """Judge every row like a single declaration; shipments are written as they are judged.

    A shipment on a buyer that also pays in the file is held back (a later payment may settle it); the
    rest stream to the database while the next rows are judged. `save_plan` writes what is held.
    """
    now = utcnow()
    plan = ImportPlan(
        shipment_constants={
            "policy_id": policy.id,
            "currency": policy.currency,
            "declared_on": declared_on,
            "declared_at": now,
            "declared_by_user_id": actor.user_id,
            "import_batch_id": batch_id,
        },
        payment_constants={
            "policy_id": policy.id,
            "currency": policy.currency,
            "policyholder_id": policy.policyholder_id,
            "insurer_id": policy.insurer_id,
            "declared_at": now,
            "declared_by_user_id": actor.user_id,
            "import_batch_id": batch_id,
        },
        application_constants={"policy_id": policy.id},
    )
    payer_ids = {row.buyer_id for row in rows if row.is_payment and row.buyer_id is not None}
    open_by_buyer = _earlier_open_invoices(session, policy, payer_ids)
    for invoices in open_by_buyer.values():
        for invoice in invoices:
            plan.earlier[invoice.id_hex] = invoice
    iso = _IsoDates()
    buyers = {
        buyer_id: _Buyer(book.buyer(buyer_id), buyer_id.hex, buyer_id in payer_ids, open_by_buyer[buyer_id])
        for buyer_id in {row.buyer_id for row in rows}
        if buyer_id is not None
    }
    ordered = sorted(rows, key=lambda r: (r.day, not r.is_payment, r.number))
    shipment_ids = iter(ordered_ids(sum(1 for row in ordered if not row.is_payment), now))
    payment_ids = iter(ordered_ids(sum(1 for row in ordered if row.is_payment), now))
    total = len(ordered)
    # The terms of every shipment date (the policy's versions) are loaded before the stream holds the
    # connection, which nothing else may use meanwhile.
    for day in {row.day for row in ordered if not row.is_payment}:
        book.terms(day)
    mark_stale(session, {policy.id})
    with RowStream(
        session, Shipment.metadata.tables[Shipment.__tablename__], SHIPMENT_COLUMNS, plan.shipment_constants
    ) as stream:
        for done, row in enumerate(ordered, start=1):
            assert row.buyer_id is not None
            buyer = buyers[row.buyer_id]
            if row.is_payment:
                _plan_payment(plan, row, next(payment_ids), buyer, iso)
            else:
                due_date = row.due_date
                assert due_date is not None
                day = row.day
                cover = buyer.cover.cover(day, buyer.cover.exposure.at(day) + buyer.moved, declared_on)
                credit_days = (due_date - day).days
                insured = insured_part(row.amount_minor, credit_days, day, declared_on, cover)
                buyer.moved += insured
                shipment_id = next(shipment_ids)
                values: list[object] = [
                    shipment_id,
                    buyer.id_hex,
                    row.invoice_number,
                    row.amount_minor,
                    iso[day],
                    iso[due_date],
                    insured,
                    buyer.cover.premium_minor(credit_days, insured),
                    0,
                    None,
                    cover.max_credit_days,
                    iso[cover.deadline],
                    cover.source.value,
                    cover.cover_minor,
                    cover.exposure_minor,
                    None if cover.stopped_since is None else iso[cover.stopped_since],
                    None if cover.loss_event_on is None else iso[cover.loss_event_on],
                ]
                plan.shipments += 1
                if not buyer.pays:
                    stream.put(values)
                else:
                    plan.held.append(values)
                    invoice = _Open(
                        shipment_id,
                        day,
                        due_date,
                        row.invoice_number,
                        row.amount_minor,
                        insured,
                        0,
                        row=values,
                    )
                    bisect.insort(buyer.open, invoice, key=lambda i: i.order)
            if done % PROGRESS_EVERY == 0:
                progress("judging", done, total)
    return plan


def _plan_payment(plan: ImportPlan, row: ImportRow, payment_id: str, buyer: _Buyer, iso: _IsoDates) -> None:
    candidates = [i for i in buyer.open if i.shipment_date <= row.day and i.paid_minor < i.amount_minor]
    by_key = {i.id_hex: i for i in candidates}
    applications, unapplied = apply_payment(
        row.amount_minor,
        [
            OpenInvoice(
                i.id_hex,
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
    received_on = iso[row.day]
    plan.payments.append((payment_id, buyer.id_hex, row.amount_minor, received_on, row.reference, unapplied))
    for application in applications:
        invoice = by_key[cast("str", application.key)]
        invoice.paid_minor += application.paid_minor
        invoice.touched = True
        if application.settles:
            invoice.settled_on = row.day
        if invoice.row is not None:
            invoice.row[_PAID] = invoice.paid_minor
            invoice.row[_SETTLED] = None if invoice.settled_on is None else iso[invoice.settled_on]
        buyer.moved -= application.insured_released_minor
        plan.applications.append(
            (
                payment_id,
                invoice.id_hex,
                buyer.id_hex,
                received_on,
                application.paid_minor,
                application.insured_released_minor,
            )
        )
    buyer.open[:] = [i for i in buyer.open if i.paid_minor < i.amount_minor]


def save_plan(session: Session, plan: ImportPlan, progress: Progress) -> None:
    """Insert the held shipments, the payments and their applications; update the earlier invoices."""
    tables = Shipment.metadata.tables
    progress("saving", 0, len(plan.held) + len(plan.payments))
    insert_rows(
        session,
        tables[Shipment.__tablename__],
        SHIPMENT_COLUMNS,
        plan.held,
        constants=plan.shipment_constants,
    )
    insert_rows(
        session,
        tables[Payment.__tablename__],
        PAYMENT_COLUMNS,
        plan.payments,
        constants=plan.payment_constants,
    )
    insert_rows(
        session,
        tables[PaymentApplication.__tablename__],
        APPLICATION_COLUMNS,
        plan.applications,
        constants=plan.application_constants,
    )
    changed = [i for i in plan.earlier.values() if i.touched]
    if changed:
        session.execute(
            update(Shipment),
            [
                {"id": uuid.UUID(i.id_hex), "paid_minor": i.paid_minor, "settled_on": i.settled_on}
                for i in changed
            ],
        )
    progress("saving", len(plan.held) + len(plan.payments), len(plan.held) + len(plan.payments))
