"""Claims: file, list, read, documents, documents complete, assessment (preview or decide), approval."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.claims import (
    ApprovalIn,
    AssessmentIn,
    ClaimCreate,
    ClaimOut,
    ClaimQuery,
    DocumentOut,
    QueueItemOut,
)
from tradecover.claims import assessment, documents, filing, queries
from tradecover.clock import get_clock
from tradecover.errors import ValidationError

router = APIRouter(
    route_class=KeyFirstRoute, tags=["claims"], responses=error_responses(400, 401, 403, 404, 409, 422)
)


@router.post("/claims", response_model=ClaimOut, status_code=status.HTTP_201_CREATED, summary="File a claim")
def file_claim(body: ClaimCreate, session: UnitOfWork, actor: CurrentActor) -> ClaimOut:
    """File a claim (the insured, or the bank the policy is assigned to) on reported overdues of one buyer."""
    claim = filing.file_claim(
        session,
        actor,
        body.policy_id,
        cause=body.cause,
        shipment_ids=body.shipment_ids,
        insolvency_date=body.insolvency_date,
        event_date=body.event_date,
        credits=[filing.Credit(c.received_on, c.amount.to_money(), c.invoice_number) for c in body.credits],
        description=body.description,
    )
    return ClaimOut.of(claim)


@router.get("/claims", response_model=list[ClaimOut], summary="List claims")
def list_claims(
    session: UnitOfWork, actor: CurrentActor, query: Annotated[ClaimQuery, Query()]
) -> list[ClaimOut]:
    """The claims the caller takes part in (insured, insurer, pool member, loss-payee bank), newest first."""
    found = queries.list_claims(
        session,
        status=query.status,
        policy_id=query.policy_id,
        buyer_id=query.buyer_id,
        limit=query.limit,
        offset=query.offset,
    )
    return [ClaimOut.of(claim) for claim in found]


@router.get("/claims-queue", response_model=list[QueueItemOut], summary="The claims handler's queue")
def claims_queue(session: UnitOfWork, actor: CurrentActor) -> list[QueueItemOut]:
    """Claims waiting on the insurer, nearest service-level deadline first."""
    today = get_clock().today()
    return [
        QueueItemOut(
            claim=ClaimOut.of(claim),
            service_deadline=claim.service_deadline,
            days_left=queries.days_left(claim, today),
        )
        for claim in queries.claims_queue(session, actor)
    ]


@router.get("/claims/{claim_id}", response_model=ClaimOut, summary="One claim")
def get_claim(claim_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> ClaimOut:
    """A claim with its invoices, members' shares and the stored step-by-step breakdown."""
    return ClaimOut.of(queries.get_claim(session, claim_id))


@router.get("/claims/{claim_id}/documents", response_model=list[DocumentOut], summary="A claim's documents")
def list_documents(claim_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> list[DocumentOut]:
    """The documents filed with the claim (metadata; content at each document's address)."""
    return [DocumentOut.of(d) for d in documents.list_documents(session, claim_id)]


@router.post(
    "/claims/{claim_id}/documents",
    response_model=DocumentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a document",
)
def upload_document(
    claim_id: uuid.UUID,
    session: UnitOfWork,
    actor: CurrentActor,
    file: Annotated[UploadFile | None, File(description="PDF, PNG, JPEG, CSV/text, XLSX or DOCX.")] = None,
    description: Annotated[str | None, Form(max_length=500)] = None,
) -> DocumentOut:
    """Store a document with the claim (at most 10 MB; its type is read from its content)."""
    queries.get_claim(session, claim_id)  # another organisation's claim is not found, whatever was sent
    if file is None:
        raise ValidationError("send the file as multipart form data in the field 'file'", field="file")
    content = file.file.read(documents.MAX_DOCUMENT_BYTES + 1)
    document = documents.upload_document(
        session, actor, claim_id, file_name=file.filename, content=content, description=description
    )
    return DocumentOut.of(document)


@router.get(
    "/claims/{claim_id}/documents/{document_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The document's bytes."}},
    summary="A document's content",
)
def download_document(
    claim_id: uuid.UUID, document_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor
) -> Response:
    """The document as stored (an attachment; its SHA-256 in the ETag)."""
    document = documents.get_document(session, claim_id, document_id)
    extension = documents.EXTENSIONS[document.content_type]
    return Response(
        content=document.content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.id}{extension}"',
            "ETag": f'"{document.sha256}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/claims/{claim_id}/documents-complete", response_model=ClaimOut, summary="Documents complete")
def documents_complete(claim_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> ClaimOut:
    """The claims handler confirms the documents are complete: the decision's service level starts."""
    return ClaimOut.of(documents.mark_documents_complete(session, actor, claim_id))


@router.post("/claims/{claim_id}/assessment", summary="Preview or decide the indemnity")
def assess(
    claim_id: uuid.UUID, body: AssessmentIn, session: UnitOfWork, actor: CurrentActor
) -> dict[str, Any]:
    """`{"preview": true}`: the full step-by-step breakdown, nothing stored. Otherwise decide the claim
    (approve / partly approve with an amount / reject with a reason) and answer the claim."""
    if body.preview:
        if body.outcome is not None or body.amount is not None:
            raise ValidationError("a preview takes no outcome or amount", field="preview")
        return assessment.preview_assessment(session, actor, claim_id).to_json()
    if body.outcome is None:
        raise ValidationError("give the outcome, or ask for a preview", field="outcome")
    claim = assessment.assess_claim(
        session,
        actor,
        claim_id,
        outcome=body.outcome,
        reason=body.reason,
        amount=None if body.amount is None else body.amount.to_money(),
    )
    return ClaimOut.of(claim).model_dump(mode="json")


@router.post("/claims/{claim_id}/approval", response_model=ClaimOut, summary="Second approval")
def approve(
    claim_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor, body: ApprovalIn | None = None
) -> ClaimOut:
    """A second claims handler approves a large decision (no body, or `approve: true`), or sends it back
    for a new decision (`approve: false` with a reason)."""
    if body is not None and not body.approve:
        return ClaimOut.of(assessment.refuse_approval(session, actor, claim_id, reason=body.reason))
    return ClaimOut.of(assessment.approve_claim(session, actor, claim_id))
