"""The overdues page: the insured reports, extends and withdraws; the insurer decides referred extensions.

Everyone signed in sees the overdues of the policies they have a part in (the insured, the insurer and
each pool member, the loss-payee bank); the forms appear only to those who may use them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.claims import overdues
from tradecover.claims.overdue_model import OverdueStatus
from tradecover.clock import get_clock
from tradecover.declarations.service import get_policy
from tradecover.errors import DomainError, ValidationError
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy, PolicyStatus
from tradecover.policies.service import list_policies
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import FORM_ERROR, field_errors, refused
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import OVERDUES_PATH

router = APIRouter(prefix=OVERDUES_PATH)

DECIDES = (Role.CLAIMS_HANDLER, Role.UNDERWRITER, Role.INSURER_ADMIN)
MAX_UPLOAD_BYTES = 1024 * 1024


def _policies(page: Page) -> list[Policy]:
    if not page.actor.has(Role.POLICYHOLDER):
        return []
    return list(list_policies(page.session, page.actor, status=PolicyStatus.IN_FORCE))


def _context(page: Page, policy_id: str = "", status: str = "") -> dict[str, Any]:
    today = get_clock().today()
    policies = _policies(page)
    chosen: Policy | None = None
    if policy_id:
        try:
            chosen = get_policy(page.session, uuid.UUID(policy_id))
        except (ValueError, DomainError):
            chosen = None
    if chosen is None and policies:
        chosen = policies[0]
    wanted = OverdueStatus(status) if status in {s.value for s in OverdueStatus} else None
    listed = overdues.list_overdues(page.session, status=wanted, limit=200)
    return {
        "stoppages": overdues.buyers_in_stoppage(page.session, today),
        "today": today,
        "policy": chosen,
        "policies": [(str(p.id), f"{p.number} ({p.currency})") for p in policies],
        "reportable": [
            (
                s.invoice_number,
                f"{s.invoice_number} · due {s.due_date.isoformat()} · {s.amount} ({s.paid} paid)",
            )
            for s in (overdues.reportable_invoices(page.session, chosen.id, today) if chosen else [])
        ],
        "overdues": listed,
        "status": wanted.value if wanted else "",
        "statuses": [("", "All")] + [(s.value, s.value.replace("_", " ")) for s in OverdueStatus],
        "may_report": page.actor.has(Role.POLICYHOLDER),
        "may_decide": page.actor.has(*DECIDES),
        "values": {"policy_id": str(chosen.id) if chosen else ""},
        "errors": {},
    }


@router.get("", response_class=HTMLResponse)
def overdues_page(page: SignedIn, policy_id: str = "", status: str = "") -> HTMLResponse:
    """The overdues the organisation sees, the report form (insured) and the decisions (insurer)."""
    return render(page.request, "overdues/list.html", _context(page, policy_id.strip(), status.strip()))


# Fields of the report form; a refusal on a row's form (extension, decision) is shown above the page.
_REPORT_FIELDS = ("policy_id", "invoice_number", "file")


def _refused(page: Page, form: FormData, error: DomainError) -> Response:
    errors = field_errors(error) if error.field in _REPORT_FIELDS else {FORM_ERROR: error.message}
    return refused(
        page,
        "overdues/list.html",
        lambda: _context(page, text(form, "policy_id").strip()),
        errors,
        form,
    )


def _uuid(form: FormData, name: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(text(form, name).strip())
    except ValueError:
        raise ValidationError(f"choose a {what}", field=name) from None


@router.post("", response_class=HTMLResponse)
def report(page: SignedIn, form: PostedForm) -> Response:
    """Report one invoice overdue (today)."""
    try:
        policy_id = _uuid(form, "policy_id", "policy")
        invoice = text(form, "invoice_number").strip()
        if not invoice:
            raise ValidationError("choose an invoice", field="invoice_number")
        overdue = overdues.report_overdue(page.session, page.actor, policy_id, invoice)
    except DomainError as error:
        return _refused(page, form, error)
    late = "" if overdue.reported_in_time else " — after the reporting deadline: the invoice is out of cover"
    flash(
        page.request,
        f"Overdue of invoice {overdue.invoice_number} reported; the buyer is in stoppage{late}.",
        kind="success" if overdue.reported_in_time else "error",
    )
    return RedirectResponse(f"{OVERDUES_PATH}?policy_id={policy_id}", status_code=303)


@router.post("/file", response_class=HTMLResponse)
async def report_file(page: SignedIn, form: PostedForm) -> Response:
    """Report every invoice of a CSV file (column invoice_number) overdue: all of them, or none."""
    try:
        policy_id = _uuid(form, "policy_id", "policy")
        sent = form.get("file")
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise ValidationError("choose a CSV file", field="file")
        content = await sent.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            raise ValidationError("the file is over 1 MB; report it with the CLI", field="file")
        reported = overdues.report_overdues(
            page.session, page.actor, policy_id, overdues.read_overdue_file(content)
        )
    except DomainError as error:
        return _refused(page, form, error)
    late = sum(1 for overdue in reported if not overdue.reported_in_time)
    after = f"; {late} after the deadline (out of cover)" if late else ""
    flash(page.request, f"{len(reported)} overdue(s) reported{after}.", kind="error" if late else "success")
    return RedirectResponse(f"{OVERDUES_PATH}?policy_id={policy_id}", status_code=303)


@router.post("/{overdue_id}/extension", response_class=HTMLResponse)
def extension(overdue_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Ask for an extension of the due date."""
    try:
        raw = text(form, "extended_due_date").strip()
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise ValidationError("enter a date (YYYY-MM-DD)", field="extended_due_date") from None
        overdue = overdues.request_extension(
            page.session, page.actor, overdue_id, day, text(form, "note") or None
        )
    except DomainError as error:
        return _refused(page, form, error)
    if overdue.status is OverdueStatus.EXTENDED:
        flash(page.request, f"Invoice {overdue.invoice_number} extended to {day.isoformat()}.")
    else:
        flash(page.request, f"Extension of invoice {overdue.invoice_number} referred to the insurer.")
    return RedirectResponse(OVERDUES_PATH, status_code=303)


@router.post("/{overdue_id}/decision", response_class=HTMLResponse)
def decision(overdue_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The insurer approves or declines a referred extension."""
    try:
        choice = text(form, "decision")
        if choice not in ("approve", "decline"):
            raise ValidationError("approve or decline", field="decision")
        overdue = overdues.decide_extension(
            page.session, page.actor, overdue_id, approve=choice == "approve", note=text(form, "note") or None
        )
    except DomainError as error:
        return _refused(page, form, error)
    flash(page.request, f"Extension of invoice {overdue.invoice_number} {choice}d.")
    return RedirectResponse(OVERDUES_PATH, status_code=303)


@router.post("/{overdue_id}/withdrawal", response_class=HTMLResponse)
def withdrawal(overdue_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Withdraw a report once the invoice is paid."""
    try:
        overdue = overdues.withdraw_overdue(page.session, page.actor, overdue_id)
    except DomainError as error:
        return _refused(page, form, error)
    flash(page.request, f"Overdue of invoice {overdue.invoice_number} withdrawn.")
    return RedirectResponse(OVERDUES_PATH, status_code=303)
