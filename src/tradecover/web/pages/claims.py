"""Claim pages: the list, filing a claim (with a document), one claim with its step-by-step indemnity,
documents and the claims handler's decision, and the handler's queue by service-level deadline."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.buyers.model import Buyer
from tradecover.claims import assessment, documents, filing, queries
from tradecover.claims.model import OPEN_CLAIM_STATUSES, Claim, ClaimInvoice, ClaimStatus
from tradecover.claims.overdue_model import LIVE_STATUSES, Overdue
from tradecover.clock import get_clock
from tradecover.coinsurance.service import administers, names_of
from tradecover.declarations.model import Shipment
from tradecover.errors import DomainError, ValidationError
from tradecover.money import Money
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy, PolicyStatus
from tradecover.policies.terms import CauseOfLoss
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.pages.claim_settlement import settlement_context
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import CLAIMS_PATH, CLAIMS_QUEUE_PATH

router = APIRouter()

MAY_SEE = (
    Role.POLICYHOLDER,
    Role.CLAIMS_HANDLER,
    Role.INSURER_ADMIN,
    Role.UNDERWRITER,
    Role.BANK_OFFICER,
    Role.PLATFORM_ADMIN,
)
MAY_FILE = (Role.POLICYHOLDER, Role.BANK_OFFICER)
STATUS_BADGES = {
    ClaimStatus.ASSESSED: "badge-ok",
    ClaimStatus.PAID: "badge-ok",
    ClaimStatus.CLOSED: "badge-muted",
    ClaimStatus.AWAITING_SECOND_APPROVAL: "badge-warn",
}
CAUSES = [(c.value, c.value.replace("_", " ")) for c in CauseOfLoss]
LISTED = 300


def _names(page: Page, claims: list[Claim]) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, str]]:
    policy_ids = {c.policy_id for c in claims}
    buyer_ids = {c.buyer_id for c in claims}
    policies = dict(
        page.session.execute(select(Policy.id, Policy.number).where(Policy.id.in_(policy_ids))).all()
    )
    buyers = dict(page.session.execute(select(Buyer.id, Buyer.name).where(Buyer.id.in_(buyer_ids))).all())
    return policies, buyers


def _rows(page: Page, claims: list[Claim]) -> list[dict[str, Any]]:
    today = get_clock().today()
    policies, buyers = _names(page, claims)
    return [
        {
            "claim": c,
            "policy": policies.get(c.policy_id, ""),
            "buyer": buyers.get(c.buyer_id, ""),
            "status": c.status.value.replace("_", " "),
            "badge": STATUS_BADGES.get(c.status, ""),
            "deadline": c.service_deadline,
            "days_left": queries.days_left(c, today),
        }
        for c in claims
    ]


@router.get(CLAIMS_PATH, response_class=HTMLResponse)
def claims_list(page: SignedIn, status: str = "") -> HTMLResponse:
    """The claims the organisation takes part in, newest first."""
    page.actor.require(*MAY_SEE)
    try:
        wanted = ClaimStatus(status) if status else None
    except ValueError:
        wanted = None
    found = list(queries.list_claims(page.session, status=wanted, limit=LISTED))
    return render(
        page.request,
        "claims/list.html",
        {
            "rows": _rows(page, found),
            "status": status,
            "statuses": [("", "All")] + [(s.value, s.value.replace("_", " ")) for s in ClaimStatus],
            "may_file": page.actor.has(*MAY_FILE),
        },
    )


@router.get(CLAIMS_QUEUE_PATH, response_class=HTMLResponse)
def claims_queue(page: SignedIn) -> HTMLResponse:
    """The claims waiting on the insurer, nearest service-level deadline first."""
    found = list(queries.claims_queue(page.session, page.actor))
    return render(
        page.request, "claims/queue.html", {"rows": _rows(page, found), "today": get_clock().today()}
    )


def _filing_context(page: Page, policy_id: str) -> dict[str, Any]:
    policies = list(
        page.session.scalars(
            select(Policy).where(Policy.status == PolicyStatus.IN_FORCE).order_by(Policy.number)
        ).all()
    )
    if not page.actor.is_platform_admin:
        org = page.actor.organisation_id
        policies = [p for p in policies if org in (p.policyholder_id, p.loss_payee_id)]
    chosen = next(
        (p for p in policies if str(p.id) == policy_id), policies[0] if len(policies) == 1 else None
    )
    invoices: list[dict[str, Any]] = []
    if chosen is not None:
        claimed = select(ClaimInvoice.live_shipment_id).where(ClaimInvoice.live_shipment_id.is_not(None))
        rows = page.session.execute(
            select(Shipment, Overdue)
            .join(Overdue, Overdue.shipment_id == Shipment.id)
            .where(
                Shipment.policy_id == chosen.id,
                Overdue.status.in_(LIVE_STATUSES),
                Shipment.id.not_in(claimed),
            )
            .order_by(Shipment.buyer_id, Shipment.shipment_date, Shipment.invoice_number)
        ).all()
        buyers = dict(
            page.session.execute(
                select(Buyer.id, Buyer.name).where(Buyer.id.in_({s.buyer_id for s, _ in rows}))
            ).all()
        )
        invoices = [
            {"shipment": s, "overdue": o, "buyer": buyers.get(s.buyer_id, ""), "unpaid": s.amount - s.paid}
            for s, o in rows
        ]
    return {
        "policies": [(str(p.id), p.number) for p in policies],
        "policy": chosen,
        "invoices": invoices,
        "causes": CAUSES,
    }


@router.get(CLAIMS_PATH + "/new", response_class=HTMLResponse)
def new_claim(page: SignedIn, policy_id: str = "") -> HTMLResponse:
    """The filing form: the policy, its overdue invoices of one buyer, the cause, dates and a document."""
    page.actor.require(*MAY_FILE)
    context = _filing_context(page, policy_id)
    values = {"policy_id": policy_id or (str(context["policy"].id) if context["policy"] else "")}
    return render(page.request, "claims/new.html", {**context, "values": values, "errors": {}})


def _date(form: FormData, name: str) -> dt.date | None:
    raw = text(form, name).strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError("enter a date as YYYY-MM-DD", field=name) from None


def _uuid(raw: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise ValidationError("choose one", field=field) from None


async def _upload(page: Page, claim_id: uuid.UUID, form: FormData, *, required: bool) -> None:
    sent = form.get("file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        if required:
            raise ValidationError("choose a file", field="file")
        return
    content = await sent.read(documents.MAX_DOCUMENT_BYTES + 1)
    documents.upload_document(
        page.session,
        page.actor,
        claim_id,
        file_name=sent.filename,
        content=content,
        description=text(form, "document_description") or None,
    )


@router.post(CLAIMS_PATH + "/new", response_class=HTMLResponse)
async def file_a_claim(page: SignedIn, form: PostedForm) -> Response:
    """File the claim, with its first document when one is attached."""
    policy_id = text(form, "policy_id")
    try:
        shipment_ids = [_uuid(v, "shipment_ids") for v in form.getlist("shipment_ids") if isinstance(v, str)]
        if not shipment_ids:
            raise ValidationError("tick at least one overdue invoice", field="shipment_ids")
        claim = filing.file_claim(
            page.session,
            page.actor,
            _uuid(policy_id, "policy_id"),
            cause=text(form, "cause"),
            shipment_ids=shipment_ids,
            insolvency_date=_date(form, "insolvency_date"),
            event_date=_date(form, "event_date"),
            description=text(form, "description") or None,
        )
        await _upload(page, claim.id, form, required=False)
    except DomainError as error:
        return refused(
            page, "claims/new.html", lambda: _filing_context(page, policy_id), field_errors(error), form
        )
    flash(page.request, f"Claim {claim.number} filed")
    return RedirectResponse(f"{CLAIMS_PATH}/{claim.id}", status_code=303)


def _claim_context(page: Page, claim: Claim) -> dict[str, Any]:
    policy = page.session.get(Policy, claim.policy_id)
    buyer = page.session.get(Buyer, claim.buyer_id)
    handler = page.actor.is_platform_admin or (
        page.actor.has(*queries.HANDLERS)
        and administers(page.session, page.actor.organisation_id, claim.insurer_id)
    )
    if claim.breakdown_json is not None:
        breakdown = claim.breakdown_json
        computed_now = False
    else:
        try:
            breakdown = assessment.preview_assessment(page.session, page.actor, claim.id).to_json()
        except DomainError as error:
            breakdown = {"error": error.message}
        computed_now = True
    members = breakdown.get("members", []) if isinstance(breakdown, dict) else []
    names = names_of(page.session, [uuid.UUID(m["insurer_id"]) for m in members])
    paid = {m.member_id: m for m in claim.members}
    context: dict[str, Any] = settlement_context(page, claim) if claim.members else {}
    return {
        **context,
        "claim": claim,
        "policy": policy,
        "buyer": buyer,
        "status": claim.status.value.replace("_", " "),
        "badge": STATUS_BADGES.get(claim.status, ""),
        "breakdown": breakdown,
        "computed_now": computed_now,
        "member_rows": [
            {
                **m,
                "name": names.get(uuid.UUID(m["insurer_id"]), m["insurer_id"]),
                "paid": paid.get(uuid.UUID(m["insurer_id"])),
            }
            for m in members
        ],
        "documents": documents.list_documents(page.session, claim.id),
        "may_upload": claim.status in OPEN_CLAIM_STATUSES,
        "is_handler": handler,
        "may_complete": handler and claim.status is ClaimStatus.FILED,
        "may_decide": handler and claim.status is ClaimStatus.DOCUMENTS_COMPLETE,
        "may_approve": handler
        and claim.status is ClaimStatus.AWAITING_SECOND_APPROVAL
        and claim.decided_by_user_id != page.actor.user_id,
        "outcomes": [("approved", "Approve"), ("partly_approved", "Partly approve"), ("rejected", "Reject")],
        "indemnity": claim.money(claim.indemnity_minor),
        "values": {},
        "errors": {},
    }


@router.get(CLAIMS_PATH + "/{claim_id:uuid}", response_class=HTMLResponse)
def claim_page(claim_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """One claim: facts, invoices, documents, the indemnity step by step, the decision."""
    page.actor.require(*MAY_SEE)
    return render(
        page.request, "claims/claim.html", _claim_context(page, queries.get_claim(page.session, claim_id))
    )


def _again(page: Page, claim_id: uuid.UUID, error: DomainError, form: FormData) -> HTMLResponse:
    return refused(
        page,
        "claims/claim.html",
        lambda: _claim_context(page, queries.get_claim(page.session, claim_id)),
        field_errors(error),
        form,
    )


@router.post(CLAIMS_PATH + "/{claim_id:uuid}/documents", response_class=HTMLResponse)
async def add_document(claim_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Store a document with the claim."""
    try:
        queries.get_claim(page.session, claim_id)
        await _upload(page, claim_id, form, required=True)
    except DomainError as error:
        return _again(page, claim_id, error, form)
    flash(page.request, "Document added")
    return RedirectResponse(f"{CLAIMS_PATH}/{claim_id}", status_code=303)


@router.get(CLAIMS_PATH + "/{claim_id:uuid}/documents/{document_id:uuid}")
def download(claim_id: uuid.UUID, document_id: uuid.UUID, page: SignedIn) -> Response:
    """A document's content, as an attachment."""
    document = documents.get_document(page.session, claim_id, document_id)
    extension = documents.EXTENSIONS[document.content_type]
    return Response(
        content=document.content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.id}{extension}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post(CLAIMS_PATH + "/{claim_id:uuid}/documents-complete", response_class=HTMLResponse)
def complete(claim_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The handler confirms the documents are complete."""
    try:
        claim = documents.mark_documents_complete(page.session, page.actor, claim_id)
    except DomainError as error:
        return _again(page, claim_id, error, form)
    deadline = claim.decision_deadline.isoformat() if claim.decision_deadline else ""
    flash(page.request, f"Documents complete: decide by {deadline}")
    return RedirectResponse(f"{CLAIMS_PATH}/{claim_id}", status_code=303)


@router.post(CLAIMS_PATH + "/{claim_id:uuid}/assessment", response_class=HTMLResponse)
def decide(claim_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The handler's decision: approve, partly approve with an amount, or reject with a reason."""
    try:
        claim = queries.get_claim(page.session, claim_id)
        raw = text(form, "amount").strip()
        try:
            amount = Money.of(raw, claim.currency) if raw else None
        except DomainError as error:
            raise ValidationError(error.message, field="amount") from None
        claim = assessment.assess_claim(
            page.session,
            page.actor,
            claim_id,
            outcome=text(form, "outcome"),
            reason=text(form, "reason") or None,
            amount=amount,
        )
    except DomainError as error:
        return _again(page, claim_id, error, form)
    if claim.status is ClaimStatus.AWAITING_SECOND_APPROVAL:
        flash(page.request, f"Claim {claim.number} waits for a second claims handler's approval")
    else:
        flash(
            page.request,
            f"Claim {claim.number} decided: {claim.outcome.value.replace('_', ' ') if claim.outcome else ''}",
        )
    return RedirectResponse(f"{CLAIMS_PATH}/{claim_id}", status_code=303)


@router.post(CLAIMS_PATH + "/{claim_id:uuid}/approval", response_class=HTMLResponse)
def second_approval(claim_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """A second claims handler approves a large decision, or sends it back with a reason."""
    try:
        if text(form, "approve") == "no":
            claim = assessment.refuse_approval(
                page.session, page.actor, claim_id, reason=text(form, "reason")
            )
            message = f"Claim {claim.number} sent back for a new decision"
        else:
            claim = assessment.approve_claim(page.session, page.actor, claim_id)
            message = f"Claim {claim.number} approved"
    except DomainError as error:
        return _again(page, claim_id, error, form)
    flash(page.request, message)
    return RedirectResponse(f"{CLAIMS_PATH}/{claim_id}", status_code=303)
