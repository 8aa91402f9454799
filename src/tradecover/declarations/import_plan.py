"""Planning and saving an accepted declarations file: each row judged in date order, then inserted in bulk.

Payments of a day come before its shipments, so that limits revolve within the file too; the rows are
inserted with Core inserts in chunks, in the caller's transaction.
"""

from __future__ import annotations

import bisect
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tradecover.clock import utcnow
from tradecover.declarations.cover import CoverBook, chunked
from tradecover.declarations.import_rows import PROGRESS_EVERY, ImportRow, Progress
from tradecover.declarations.model import Payment, PaymentApplication, Shipment
from tradecover.declarations.rules import CoverFacts, OpenInvoice, apply_payment, insured_part
from tradecover.parties.actor import Actor
from tradecover.policies.model import Policy
from tradecover.policies.stale import mark_stale

INSERT_CHUNK = 20_000


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
class ImportPlan:
    """The rows to insert for an accepted file, and the earlier invoices its payments touch."""

    shipments: list[dict[str, object]] = field(default_factory=list)
    payments: list[dict[str, object]] = field(default_factory=list)
    applications: list[dict[str, object]] = field(default_factory=list)
    earlier: dict[uuid.UUID, _Open] = field(default_factory=dict)


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
    """Judge every row like a single declaration and plan the rows to insert."""
    plan = ImportPlan()
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
    plan: ImportPlan,
    row: ImportRow,
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


def save_plan(session: Session, plan: ImportPlan, progress: Progress) -> None:
    """Insert the planned rows in chunks and update the earlier invoices the payments settle."""
    total = len(plan.shipments) + len(plan.payments)
    done = 0
    rows = (*plan.shipments, *plan.payments)
    mark_stale(session, {cast("uuid.UUID", row["policy_id"]) for row in rows})
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
