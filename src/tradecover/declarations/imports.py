"""Importing a file of shipment and payment declarations: every row checked, the file taken whole or not.

The file is CSV (UTF-8, a header row; columns in `import_rows.COLUMNS`) or an Excel workbook (.xlsx) with
the same columns on its first sheet (`import_excel`). Each row is checked and either
accepted or rejected with its row number and reason. If any row is rejected nothing is imported: the batch
is recorded as rejected with its report, so the insured fixes the file and sends it again. Otherwise
every row is judged like a single declaration (in date order, payments of a day before its shipments,
so that limits revolve within the file too) and inserted in bulk in the caller's transaction; an error
part-way leaves nothing. A file already imported on the policy is refused by its content hash, and a
shipment whose invoice number is already declared is rejected.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.clock import get_clock, utcnow
from tradecover.declarations.cover import CoverBook
from tradecover.declarations.import_checks import check_dates, check_invoices, resolve_buyers
from tradecover.declarations.import_excel import is_workbook, parse_workbook
from tradecover.declarations.import_plan import plan_rows, save_plan
from tradecover.declarations.import_report import Rejections
from tradecover.declarations.import_rows import Progress, decode_text, no_progress, parse_csv
from tradecover.declarations.model import ImportBatch, ImportStatus
from tradecover.declarations.service import get_policy, policy_for_declaring
from tradecover.errors import Conflict, NotFound
from tradecover.parties.actor import Actor
from tradecover.policies.model import Policy

MAX_FILE_NAME = 255


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
    report_progress = progress or no_progress
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
    with _collector_paused():
        return _import(session, actor, policy, name, content, digest, today, report_progress)


def _import(
    session: Session,
    actor: Actor,
    policy: Policy,
    name: str,
    content: bytes,
    digest: str,
    today: dt.date,
    report_progress: Progress,
) -> ImportBatch:
    rejections = Rejections()
    if is_workbook(name):
        rows, counted = parse_workbook(content, name, policy, rejections, report_progress)
    else:
        rows, counted = parse_csv(decode_text(content, name), policy, rejections, report_progress)
    resolve_buyers(session, rows, rejections)
    check_invoices(session, policy, rows, rejections)
    buyer_ids = {row.buyer_id for row in rows if row.buyer_id is not None}
    book = CoverBook(session, policy, buyer_ids)
    check_dates(rows, policy, book, today, rejections)
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
        plan = plan_rows(session, actor, policy, book, rows, batch.id, today, report_progress)
        save_plan(session, plan, report_progress)
        batch.shipments, batch.payments = plan.shipments, len(plan.payments)
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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a file's rows are made: a million rows hold several million
    objects, none in a cycle, which each full collection would scan again (about 2 s a million rows)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
