"""What the officer reads and exports: a programme's commitments, enrolments and payments, as rows and CSV."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.parties.model import Organisation
from tradecover.policies.model import Policy
from tradecover.subsidies.enrolments import list_enrolments
from tradecover.subsidies.model import CommitmentStatus, SubsidyCommitment
from tradecover.subsidies.payments import list_payments

MAX_LISTED = 10_000


def list_commitments(
    session: Session,
    *,
    programme_id: uuid.UUID | None = None,
    status: CommitmentStatus | None = None,
    limit: int = MAX_LISTED,
    offset: int = 0,
) -> Sequence[SubsidyCommitment]:
    """The commitments the session may see (sponsor, firm, insurer), newest first."""
    query = select(SubsidyCommitment)
    if programme_id is not None:
        query = query.where(SubsidyCommitment.programme_id == programme_id)
    if status is not None:
        query = query.where(SubsidyCommitment.status == status)
    return session.scalars(
        query.order_by(
            SubsidyCommitment.committed_on.desc(), SubsidyCommitment.created_at.desc(), SubsidyCommitment.id
        )
        .limit(limit)
        .offset(offset)
    ).all()


def organisation_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Names of the firms and insurers on a programme's documents (public names on the platform)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(ids))
        .execution_options(tenant_exempt=True)
    ).all()
    return {row[0]: row[1] for row in rows}


def policy_numbers(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The numbers of the policies on a programme's documents."""
    if not ids:
        return {}
    rows = session.execute(
        # The officer sees the numbers of the policies its programme subsidises, nothing more of them.
        select(Policy.id, Policy.number).where(Policy.id.in_(ids)).execution_options(tenant_exempt=True)
    ).all()
    return {row[0]: row[1] for row in rows}


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def commitments_csv(session: Session, programme_id: uuid.UUID) -> str:
    """A programme's commitments as CSV, one row per invoice share."""
    commitments = list_commitments(session, programme_id=programme_id)
    names = organisation_names(
        session, {c.policyholder_id for c in commitments} | {c.insurer_id for c in commitments}
    )
    numbers = policy_numbers(session, {c.policy_id for c in commitments})
    return _csv(
        (
            "reference",
            "committed_on",
            "policyholder",
            "insurer",
            "policy",
            "invoice_id",
            "currency",
            "premium",
            "rate",
            "requested",
            "amount",
            "programme_currency",
            "amount_in_programme_currency",
            "fx_rate",
            "mode",
            "status",
            "explanation",
        ),
        [
            (
                c.reference,
                c.committed_on.isoformat(),
                names.get(c.policyholder_id, ""),
                names.get(c.insurer_id, ""),
                numbers.get(c.policy_id, ""),
                str(c.invoice_id),
                c.currency,
                format(c.premium.amount, "f"),
                format(c.rate, "f"),
                format(c.requested.amount, "f"),
                format(c.amount.amount, "f"),
                c.programme_currency,
                format(c.amount_in_programme.amount, "f"),
                format(c.fx_rate, "f"),
                c.mode.value,
                c.status.value,
                c.explanation,
            )
            for c in commitments
        ],
    )


def enrolments_csv(session: Session, programme_id: uuid.UUID) -> str:
    """A programme's enrolments as CSV."""
    enrolments = list_enrolments(session, programme_id)
    names = organisation_names(session, {e.policyholder_id for e in enrolments})
    numbers = policy_numbers(session, {e.policy_id for e in enrolments if e.policy_id is not None})
    return _csv(
        ("enrolled_on", "policyholder", "policy"),
        [
            (
                e.enrolled_on.isoformat(),
                names.get(e.policyholder_id, ""),
                "" if e.policy_id is None else numbers.get(e.policy_id, ""),
            )
            for e in enrolments
        ],
    )


def payments_csv(session: Session, programme_id: uuid.UUID) -> str:
    """A programme's payments as CSV."""
    payments = list_payments(session, programme_id)
    names = organisation_names(session, {p.payee_id for p in payments})
    return _csv(
        ("paid_on", "kind", "payee", "currency", "amount", "payment_id"),
        [
            (
                p.paid_on.isoformat(),
                p.kind.value,
                names.get(p.payee_id, ""),
                p.currency,
                format(p.amount.amount, "f"),
                str(p.id),
            )
            for p in payments
        ],
    )
