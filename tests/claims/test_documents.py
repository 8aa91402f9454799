"""Claim documents: content hash, size limit, types by content, nothing executable, complete documents."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from tests.claims.conftest import ClaimsWorld, filed_claim

from tradecover.claims import documents
from tradecover.claims.documents import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    XLSX,
    get_document,
    mark_documents_complete,
    sniff_content_type,
    upload_document,
)
from tradecover.claims.model import ClaimStatus
from tradecover.errors import PermissionDenied, ValidationError


def office(*parts: str) -> bytes:
    """A zip with the named parts (an Office file's skeleton)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in parts:
            archive.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"%PDF-1.7 ...", "a.pdf", PDF),
        (b"\x89PNG\r\n\x1a\n....", "scan.png", PNG),
        (b"\xff\xd8\xff\xe0....", "photo.jpg", JPEG),
        (b"invoice,amount\nINV-1,100\n", "ledger.csv", "text/csv"),
        ("Letter to the buyer, 催款函\n".encode(), "letter.txt", "text/plain"),
        (office("[Content_Types].xml", "xl/workbook.xml"), "book.xlsx", XLSX),
        (office("[Content_Types].xml", "word/document.xml"), "letter.docx", DOCX),
        (b"%PDF-1.4 named wrongly", "report.txt", PDF),
    ],
)
def test_the_type_is_read_from_the_content(content: bytes, name: str, expected: str) -> None:
    assert sniff_content_type(content, name) == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00\x03", "executable"),
        (b"\x7fELF\x02\x01", "executable"),
        (b"#!/bin/sh\nrm -rf /\n", "executable"),
        (b"<html><script>alert(1)</script></html>", "HTML"),
        (office("[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin"), "macros"),
        (office("payload.exe"), "macros or programs"),
        (office("notes.txt"), "XLSX or DOCX"),
        (b"GIF89a\x00\x00\x00", "not accepted"),
    ],
)
def test_executables_macros_and_other_types_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        sniff_content_type(content, "file.pdf")


def test_an_upload_is_stored_with_its_hash_and_read_back(claims_world: ClaimsWorld) -> None:
    claim = filed_claim(claims_world)
    content = b"%PDF-1.4 the statement of account"
    document = upload_document(
        claims_world.db, claims_world.exporter, claim.id, file_name="C:\\docs\\statement.pdf", content=content
    )
    assert document.file_name == "statement.pdf"
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size_bytes == len(content)
    assert get_document(claims_world.db, claim.id, document.id).content == content
    with pytest.raises(ValidationError, match="already on the claim"):
        upload_document(
            claims_world.db, claims_world.exporter, claim.id, file_name="again.pdf", content=content
        )


def test_too_big_empty_or_executable_names_are_refused(
    claims_world: ClaimsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = filed_claim(claims_world)
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 16)
    with pytest.raises(ValidationError, match="at most 16"):
        upload_document(
            claims_world.db, claims_world.exporter, claim.id, file_name="a.pdf", content=b"%PDF-" + b"x" * 20
        )
    with pytest.raises(ValidationError, match="empty"):
        upload_document(claims_world.db, claims_world.exporter, claim.id, file_name="a.pdf", content=b"")
    with pytest.raises(ValidationError, match=r"\.exe"):
        upload_document(
            claims_world.db, claims_world.exporter, claim.id, file_name="a.exe", content=b"%PDF-1"
        )


def test_documents_complete_starts_the_decision_service_level(claims_world: ClaimsWorld) -> None:
    claim = filed_claim(claims_world)
    with pytest.raises(ValidationError, match="no documents"):
        mark_documents_complete(claims_world.db, claims_world.handler, claim.id)
    upload_document(claims_world.db, claims_world.exporter, claim.id, file_name="a.pdf", content=b"%PDF-1")
    with pytest.raises(PermissionDenied):
        mark_documents_complete(claims_world.db, claims_world.exporter, claim.id)
    mark_documents_complete(claims_world.db, claims_world.handler, claim.id)
    assert claim.status is ClaimStatus.DOCUMENTS_COMPLETE
    assert claim.documents_complete_on is not None
    assert claim.decision_deadline is not None
    assert (claim.decision_deadline - claim.documents_complete_on).days >= 30


def test_another_policyholder_cannot_add_documents(
    claims_world: ClaimsWorld, pool_world: ClaimsWorld
) -> None:
    claim = filed_claim(claims_world)
    with pytest.raises(PermissionDenied):
        upload_document(claims_world.db, pool_world.exporter, claim.id, file_name="a.pdf", content=b"%PDF-1")
