"""Claim documents: stored in the database with their SHA-256, size-limited, typed by their content.

The type is read from the bytes, never trusted from the name: PDF, PNG, JPEG, CSV or plain text, and
XLSX or DOCX (a zip with the parts of one); nothing executable, no macros, no HTML. Marking the
documents complete starts the decision's service level.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import Sequence
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from tradecover.audit.service import record
from tradecover.claims.model import OPEN_CLAIM_STATUSES, Claim, ClaimDocument, ClaimStatus
from tradecover.claims.queries import check_handler, get_claim
from tradecover.claims.rules.deadlines import decision_deadline
from tradecover.clock import get_clock, utcnow
from tradecover.coinsurance.service import administers
from tradecover.errors import NotFound, PermissionDenied, ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy
from tradecover.reference.calendars import calendar_for_currency

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS = 50
MAX_NAME = 255
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
CSV, TEXT = "text/csv", "text/plain"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {
    PDF: ".pdf",
    PNG: ".png",
    JPEG: ".jpg",
    CSV: ".csv",
    TEXT: ".txt",
    XLSX: ".xlsx",
    DOCX: ".docx",
}
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
_EXECUTABLE_NAMES = {
    ".exe", ".dll", ".com", ".bat", ".cmd", ".msi", ".scr", ".ps1", ".vbs", ".js", ".jar", ".sh", ".app",
    ".bin", ".elf", ".py", ".pl", ".php", ".html", ".htm", ".svg", ".xlsm", ".docm", ".hta", ".lnk",
}  # fmt: skip
_MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<?php")
TYPES_TEXT = "PDF, PNG, JPEG, CSV or plain text, XLSX or DOCX"


def _zip_type(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValidationError("the file is a damaged zip archive", field="file") from None
    if any(name.lower().endswith(("vbaproject.bin", ".exe", ".dll", ".bin", ".js")) for name in names):
        raise ValidationError("documents with macros or programs inside are not accepted", field="file")
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    raise ValidationError(f"a zip archive is accepted only as XLSX or DOCX; send {TYPES_TEXT}", field="file")


def _text_type(content: bytes, file_name: str) -> str:
    if b"\x00" in content:
        raise ValidationError(f"the file type is not accepted; send {TYPES_TEXT}", field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"the file type is not accepted; send {TYPES_TEXT}", field="file") from None
    if text.lstrip().lower().encode()[:16].startswith(_MARKUP):
        raise ValidationError("HTML, SVG and XML documents are not accepted", field="file")
    return CSV if file_name.lower().endswith(".csv") else TEXT


def sniff_content_type(content: bytes, file_name: str) -> str:
    """The document's type from its bytes; ValidationError for anything not accepted or executable."""
    if content.startswith(_EXECUTABLE_MAGIC):
        raise ValidationError("executable files are not accepted", field="file")
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _zip_type(content)
    return _text_type(content, file_name)


def clean_file_name(file_name: str | None) -> str:
    """The file's base name, checked: not empty, not too long, not an executable's name."""
    name = PurePath((file_name or "").replace("\\", "/")).name.strip()
    if not name or name in {".", ".."}:
        raise ValidationError("the file needs a name", field="file")
    if len(name) > MAX_NAME:
        raise ValidationError(f"the file name must be at most {MAX_NAME} characters", field="file")
    if any(ord(ch) < 32 for ch in name):
        raise ValidationError("the file name must not hold control characters", field="file")
    if PurePath(name).suffix.lower() in _EXECUTABLE_NAMES:
        raise ValidationError(f"files named {PurePath(name).suffix} are not accepted", field="file")
    return name


def _check_party(session: Session, actor: Actor, claim: Claim) -> None:
    if actor.is_platform_admin:
        return
    if actor.has(Role.POLICYHOLDER) and actor.organisation_id == claim.policyholder_id:
        return
    if actor.has(Role.CLAIMS_HANDLER, Role.INSURER_ADMIN) and administers(
        session, actor.organisation_id, claim.insurer_id
    ):
        return
    policy = session.get(Policy, claim.policy_id)
    bank = None if policy is None else policy.loss_payee_id
    if actor.has(Role.BANK_OFFICER) and bank is not None and bank == actor.organisation_id:
        return
    raise PermissionDenied(
        f"only the insured, its bank or the insurer's claims handlers add documents to {claim.number}"
    )


def upload_document(
    session: Session,
    actor: Actor,
    claim_id: uuid.UUID,
    *,
    file_name: str | None,
    content: bytes,
    description: str | None = None,
) -> ClaimDocument:
    """Store a document with the claim; refused when too big, of a type not accepted, or a repeat."""
    claim = get_claim(session, claim_id)
    _check_party(session, actor, claim)
    if claim.status not in OPEN_CLAIM_STATUSES:
        raise ValidationError(f"claim {claim.number} is decided: no more documents", field="file")
    name = clean_file_name(file_name)
    if not content:
        raise ValidationError("the file is empty", field="file")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            f"the file is {len(content):,} bytes; at most {MAX_DOCUMENT_BYTES:,} are accepted", field="file"
        )
    content_type = sniff_content_type(content, name)
    note = (description or "").strip() or None
    if note is not None and len(note) > 500:
        raise ValidationError("must be at most 500 characters", field="description")
    digest = hashlib.sha256(content).hexdigest()
    existing = session.execute(
        select(ClaimDocument.id, ClaimDocument.file_name).where(ClaimDocument.claim_id == claim.id)
    ).all()
    if len(existing) >= MAX_DOCUMENTS:
        raise ValidationError(f"a claim holds at most {MAX_DOCUMENTS} documents", field="file")
    same = session.scalar(
        select(ClaimDocument.file_name).where(
            ClaimDocument.claim_id == claim.id, ClaimDocument.sha256 == digest
        )
    )
    if same is not None:
        raise ValidationError(f"this document is already on the claim (as {same})", field="file")
    document = ClaimDocument(
        id=uuid.uuid4(),
        claim_id=claim.id,
        file_name=name,
        content_type=content_type,
        size_bytes=len(content),
        sha256=digest,
        content=content,
        description=note,
        uploaded_at=utcnow(),
        uploaded_by_user_id=actor.user_id,
        uploaded_by_organisation_id=actor.organisation_id or claim.policyholder_id,
    )
    session.add(document)
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="claim.document_uploaded",
        object_type="claim",
        object_id=claim.id,
        subject_organisation_id=claim.policyholder_id,
        details={"document_id": str(document.id), "file_name": name, "sha256": digest, "size": len(content)},
    )
    return document


def get_document(session: Session, claim_id: uuid.UUID, document_id: uuid.UUID) -> ClaimDocument:
    """One document of a claim with its content (NotFound when the session may not see it)."""
    claim = get_claim(session, claim_id)
    document = session.scalars(
        select(ClaimDocument)
        .where(ClaimDocument.id == document_id, ClaimDocument.claim_id == claim.id)
        .options(undefer(ClaimDocument.content))
    ).one_or_none()
    if document is None:
        raise NotFound(f"no such document: {document_id}", field="document_id")
    return document


def list_documents(session: Session, claim_id: uuid.UUID) -> Sequence[ClaimDocument]:
    """The claim's documents, oldest first (content not loaded)."""
    claim = get_claim(session, claim_id)
    return session.scalars(
        select(ClaimDocument).where(ClaimDocument.claim_id == claim.id).order_by(ClaimDocument.uploaded_at)
    ).all()


def mark_documents_complete(session: Session, actor: Actor, claim_id: uuid.UUID) -> Claim:
    """The claims handler confirms the documents are complete: the decision's service level starts."""
    claim = get_claim(session, claim_id, lock=True)
    check_handler(session, actor, claim)
    if claim.status is not ClaimStatus.FILED:
        raise ValidationError(
            f"claim {claim.number} is {claim.status.value.replace('_', ' ')}, not waiting for documents",
            field="status",
        )
    count = session.scalar(select(ClaimDocument.id).where(ClaimDocument.claim_id == claim.id).limit(1))
    if count is None:
        raise ValidationError(f"claim {claim.number} has no documents yet", field="documents")
    policy = session.get(Policy, claim.policy_id)
    if policy is None:  # pragma: no cover - a claim's policy is seen by whoever sees the claim
        raise NotFound(f"no such policy: {claim.policy_id}")
    today = get_clock().today()
    claim.documents_complete_on = today
    claim.decision_deadline = decision_deadline(
        policy.current_version.terms, calendar_for_currency(claim.currency), today
    )
    claim.status = ClaimStatus.DOCUMENTS_COMPLETE
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="claim.documents_complete",
        object_type="claim",
        object_id=claim.id,
        subject_organisation_id=claim.policyholder_id,
        details={"decision_deadline": claim.decision_deadline.isoformat()},
    )
    return claim
