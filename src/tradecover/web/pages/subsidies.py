"""Subsidy pages: the officer's programmes (budget use, enrolments, commitments, payments, CSV), the form
to define or change one, and the firm's "Subsidies" (eligibility with reasons, enrolment, applications).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.clock import get_clock
from tradecover.errors import DomainError, ValidationError
from tradecover.money import Money, to_decimal
from tradecover.parties.roles import Role
from tradecover.subsidies.eligibility import explain_eligibility
from tradecover.subsidies.enrolments import enrol, list_enrolments
from tradecover.subsidies.model import TAKING_BUDGET, CommitmentStatus, SubsidyProgramme
from tradecover.subsidies.payments import (
    apply_for_reimbursement,
    decide_reimbursement,
    get_commitment,
    list_payments,
    pay_direct_subsidies,
    payable_direct,
)
from tradecover.subsidies.programmes import (
    MAY_RUN_PROGRAMMES,
    ProgrammeDraft,
    budget_in_view,
    budgets_of,
    create_programme,
    get_programme,
    list_programmes,
    platform_products,
    set_budget,
    update_programme,
)
from tradecover.subsidies.reports import (
    commitments_csv,
    enrolments_csv,
    list_commitments,
    organisation_names,
    payments_csv,
    policy_numbers,
)
from tradecover.subsidies.rules import Mode, ProgrammeKind, money_text, percent_text, tiers_text
from tradecover.web.dependencies import Page, PostedForm, SignedIn, text
from tradecover.web.forms import field_errors, refused
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import BENEFICIARIES_PATH, PROGRAMMES_PATH, SUBSIDIES_PATH

router = APIRouter()

LISTED = 200
PRODUCT_CHOICES = (
    ("export_whole_turnover", "Export whole-turnover"),
    ("domestic_whole_turnover", "Domestic whole-turnover"),
    ("single_buyer", "Single-buyer"),
    ("platform", "Platform (cohort) policy"),
)
STATUS_BADGES = {
    CommitmentStatus.PAID: "badge-ok",
    CommitmentStatus.APPROVED: "badge-ok",
    CommitmentStatus.COMMITTED: "badge-ok",
    CommitmentStatus.OPEN: "badge-ok",
    CommitmentStatus.APPLIED: "badge-ok",
}


def _today() -> dt.date:
    return get_clock().today()


def _officer(page: Page) -> None:
    page.actor.require(*MAY_RUN_PROGRAMMES)


# parsing the programme form ---------------------------------------------------------------------
def _rules(raw: str) -> list[dict[str, str]]:
    """'prior_year_exports_usd <= 8000000' per line → rule dicts (the rules module checks them)."""
    rules = []
    for number, line in enumerate(raw.splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        if len(words) >= 4 and words[1] == "not" and words[2] == "in":
            fact, op, value = words[0], "not in", " ".join(words[3:])
        elif len(words) >= 3:
            fact, op, value = words[0], words[1], " ".join(words[2:])
        else:
            raise ValidationError(f"line {number}: write 'fact comparison value'", field="rules")
        rules.append({"fact": fact, "op": op, "value": value})
    return rules


def _tiers(raw: str) -> list[dict[str, str | None]]:
    """'100 below 5000000' / '80' per line (percent, and an exports bound in USD) → tier dicts."""
    tiers: list[dict[str, str | None]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        words = line.replace("%", " ").split()
        if not words:
            continue
        try:
            rate = format(to_decimal(words[0], field="tiers") / 100, "f")
        except DomainError:
            raise ValidationError(f"line {number}: {words[0]!r} is not a percentage", field="tiers") from None
        if len(words) == 1:
            tiers.append({"rate": rate, "exports_below_usd": None})
        elif len(words) == 3 and words[1].lower() == "below":
            tiers.append({"rate": rate, "exports_below_usd": words[2].replace(",", "")})
        else:
            raise ValidationError(f"line {number}: write '80' or '100 below 5000000'", field="tiers")
    return tiers


def _date(form: FormData, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text(form, name).strip())
    except ValueError:
        raise ValidationError("give a date (YYYY-MM-DD)", field=name) from None


def _draft(form: FormData) -> ProgrammeDraft:
    currency = text(form, "currency").strip().upper() or "CNY"
    cap_raw = text(form, "cap").strip()
    try:
        cap = Money.of(cap_raw, currency) if cap_raw else None
    except DomainError as error:
        raise ValidationError(error.message, field="cap") from None
    product_raw = text(form, "platform_product_id").strip()
    try:
        product_id = uuid.UUID(product_raw) if product_raw else None
    except ValueError:
        raise ValidationError("choose a platform product", field="platform_product_id") from None
    return ProgrammeDraft(
        name=text(form, "name"),
        description=text(form, "description"),
        region=text(form, "region") or None,
        kind=text(form, "kind") or ProgrammeKind.PREMIUM.value,
        currency=currency,
        product_kinds=[v for v in form.getlist("product_kinds") if isinstance(v, str)],
        rules=_rules(text(form, "rules")),
        tiers=_tiers(text(form, "tiers")),
        cap=cap,
        mode=text(form, "mode"),
        enrolment_required=text(form, "enrolment_required") == "on",
        starts_on=_date(form, "starts_on"),
        ends_on=_date(form, "ends_on"),
        platform_product_id=product_id,
    )


def _form_values(programme: SubsidyProgramme) -> dict[str, Any]:
    tiers = []
    for tier in programme.tiers:
        percent = format((tier.rate * 100).normalize(), "f")
        if tier.exports_below_usd is None:
            tiers.append(percent)
        else:
            tiers.append(f"{percent} below {format(tier.exports_below_usd, 'f')}")
    return {
        "name": programme.name,
        "description": programme.description,
        "region": programme.region or "",
        "kind": programme.kind.value,
        "currency": programme.currency,
        "product_kinds": list(programme.product_kinds),
        "rules": "\n".join(f"{r.fact.value} {r.op.value} {r.value}" for r in programme.rules),
        "tiers": "\n".join(tiers),
        "cap": "" if programme.cap is None else format(programme.cap.amount, "f"),
        "mode": programme.mode.value,
        "enrolment_required": "on" if programme.enrolment_required else "",
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "platform_product_id": ""
        if programme.platform_product_id is None
        else str(programme.platform_product_id),
    }


def _form_context(page: Page, programme: SubsidyProgramme | None) -> dict[str, Any]:
    products = platform_products(page.session)
    names = organisation_names(page.session, {p.insurer_id for p in products})
    return {
        "programme": programme,
        "product_choices": PRODUCT_CHOICES,
        "kind_choices": [(k.value, k.value.replace("_", " ")) for k in ProgrammeKind],
        "mode_choices": [(m.value, m.value) for m in Mode],
        "platform_choices": [("", "None")]
        + [(str(p.id), f"{p.name} — {names.get(p.insurer_id, '')}") for p in products],
    }


# the officer's pages ----------------------------------------------------------------------------
@router.get(PROGRAMMES_PATH, response_class=HTMLResponse)
def programmes(page: SignedIn) -> HTMLResponse:
    """The body's programmes with this year's budget use."""
    _officer(page)
    year = _today().year
    rows = []
    for programme in list_programmes(page.session, page.actor):
        budget = budget_in_view(budgets_of(page.session, programme.id), year)
        rows.append({"programme": programme, "rates": tiers_text(programme.tiers), "budget": budget})
    return render(page.request, "programmes.html", {"rows": rows, "year": year})


@router.get(BENEFICIARIES_PATH, response_class=HTMLResponse)
def beneficiaries(page: SignedIn) -> HTMLResponse:
    """Firms enrolled in the body's programmes or subsidised by them this year."""
    _officer(page)
    year = _today().year
    programmes_by_id = {p.id: p for p in list_programmes(page.session, page.actor)}
    rows: dict[tuple[uuid.UUID, uuid.UUID], dict[str, Any]] = {}
    enrolled = list_enrolments(page.session)
    numbers = policy_numbers(page.session, {e.policy_id for e in enrolled if e.policy_id})
    for e in enrolled:
        if e.programme_id in programmes_by_id:
            rows[e.programme_id, e.policyholder_id] = {
                "enrolled_on": e.enrolled_on.isoformat(),
                "policy": numbers.get(e.policy_id) if e.policy_id else None,
                "committed": None,
            }
    for c in list_commitments(page.session):
        if c.year != year or c.programme_id not in programmes_by_id or c.status not in TAKING_BUDGET:
            continue
        row = rows.setdefault(
            (c.programme_id, c.policyholder_id), {"enrolled_on": None, "policy": None, "committed": None}
        )
        row["committed"] = (
            c.amount_in_programme + row["committed"] if row["committed"] else c.amount_in_programme
        )
    names = organisation_names(page.session, {holder for _, holder in rows})
    listed = [
        {**row, "firm": names.get(holder, ""), "programme": programmes_by_id[programme_id]}
        for (programme_id, holder), row in rows.items()
    ]
    listed.sort(key=lambda r: (r["programme"].name, r["firm"]))
    return render(page.request, "programme_beneficiaries.html", {"rows": listed, "year": year})


@router.get(PROGRAMMES_PATH + "/new", response_class=HTMLResponse)
def new_programme(page: SignedIn) -> HTMLResponse:
    """The form to define a programme."""
    _officer(page)
    year = _today().year
    values = {
        "currency": "CNY",
        "mode": "direct",
        "kind": "premium",
        "tiers": "80",
        "starts_on": f"{year}-01-01",
        "ends_on": f"{year}-12-31",
        "product_kinds": ["export_whole_turnover"],
    }
    return render(page.request, "programme_form.html", {**_form_context(page, None), "values": values})


@router.post(PROGRAMMES_PATH, response_class=HTMLResponse)
def define_programme(page: SignedIn, form: PostedForm) -> Response:
    """Define a programme; a refused form is shown again with the field at fault."""
    _officer(page)
    try:
        programme = create_programme(page.session, page.actor, _draft(form))
    except DomainError as error:
        return refused(
            page, "programme_form.html", lambda: _form_context(page, None), field_errors(error), form
        )
    flash(page.request, f"Programme {programme.name} defined. Now set its budget.")
    return RedirectResponse(f"{PROGRAMMES_PATH}/{programme.id}", status_code=303)


@router.get(PROGRAMMES_PATH + "/{programme_id}/edit", response_class=HTMLResponse)
def edit_programme(programme_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """The form to change a programme."""
    _officer(page)
    programme = get_programme(page.session, page.actor, programme_id)
    context = {**_form_context(page, programme), "values": _form_values(programme)}
    return render(page.request, "programme_form.html", context)


@router.post(PROGRAMMES_PATH + "/{programme_id}/edit", response_class=HTMLResponse)
def change_programme(programme_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Change a programme; nothing changes when the form is refused."""
    _officer(page)
    try:
        programme = update_programme(page.session, page.actor, programme_id, _draft(form))
    except DomainError as error:
        return refused(
            page,
            "programme_form.html",
            lambda: _form_context(page, get_programme(page.session, page.actor, programme_id)),
            field_errors(error),
            form,
        )
    flash(page.request, f"Programme {programme.name} changed.")
    return RedirectResponse(f"{PROGRAMMES_PATH}/{programme.id}", status_code=303)


def _programme_context(page: Page, programme_id: uuid.UUID) -> dict[str, Any]:
    programme = get_programme(page.session, page.actor, programme_id)
    commitments = list_commitments(page.session, programme_id=programme.id, limit=LISTED)
    enrolments = list_enrolments(page.session, programme.id)
    payments = list_payments(page.session, programme.id)
    ids = {c.policyholder_id for c in commitments} | {c.insurer_id for c in commitments}
    ids |= {e.policyholder_id for e in enrolments} | {p.payee_id for p in payments}
    names = organisation_names(page.session, ids)
    numbers = policy_numbers(
        page.session, {c.policy_id for c in commitments} | {e.policy_id for e in enrolments if e.policy_id}
    )
    budgets = []
    for budget in budgets_of(page.session, programme.id):
        used = 0 if budget.amount_minor == 0 else round(100 * budget.committed_minor / budget.amount_minor)
        budgets.append({"budget": budget, "used_percent": used})
    today = _today()
    return {
        "programme": programme,
        "rates": tiers_text(programme.tiers),
        "budgets": budgets,
        "commitments": commitments,
        "applications": [c for c in commitments if c.status is CommitmentStatus.APPLIED],
        "enrolments": enrolments,
        "payments": payments,
        "names": names,
        "numbers": numbers,
        "payable": len(payable_direct(page.session, programme.id, today))
        if programme.mode is Mode.DIRECT
        else 0,
        # One key per rendered form: submitting it twice pays once; a later page pays what came since.
        "payment_key": f"web-{uuid.uuid4()}",
        "today": today,
        "badges": STATUS_BADGES,
        "percent": percent_text,
        "money_text": money_text,
        "values": {"year": str(today.year)},
    }


@router.get(PROGRAMMES_PATH + "/{programme_id}", response_class=HTMLResponse)
def programme_page(programme_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """One programme: budget, committed, paid and remaining per year; enrolments, commitments, payments."""
    _officer(page)
    return render(page.request, "programme.html", _programme_context(page, programme_id))


@router.post(PROGRAMMES_PATH + "/{programme_id}/budgets", response_class=HTMLResponse)
def budget(programme_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Set a year's budget (never below what is committed)."""
    _officer(page)
    try:
        programme = get_programme(page.session, page.actor, programme_id)
        raw_year = text(form, "year").strip()
        if not raw_year.isdigit():
            raise ValidationError("give a year, e.g. 2025", field="year")
        raw = text(form, "amount").strip()
        try:
            amount = Money.of(raw, programme.currency)
        except DomainError as error:
            raise ValidationError(error.message, field="amount") from None
        set_budget(page.session, page.actor, programme.id, int(raw_year), amount)
    except DomainError as error:
        return refused(
            page, "programme.html", lambda: _programme_context(page, programme_id), field_errors(error), form
        )
    flash(page.request, f"Budget {raw_year} set to {money_text(amount)}.")
    return RedirectResponse(f"{PROGRAMMES_PATH}/{programme_id}", status_code=303)


@router.post(PROGRAMMES_PATH + "/{programme_id}/pay", response_class=HTMLResponse)
def pay(programme_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """Pay the insurers the direct shares committed up to today (a resubmitted form pays once)."""
    _officer(page)
    try:
        paid = pay_direct_subsidies(
            page.session, page.actor, programme_id, _today(), idempotency_key=text(form, "key") or None
        )
    except DomainError as error:
        return refused(
            page, "programme.html", lambda: _programme_context(page, programme_id), field_errors(error), form
        )
    flash(page.request, f"{len(paid)} payment{'' if len(paid) == 1 else 's'} made to insurers.")
    return RedirectResponse(f"{PROGRAMMES_PATH}/{programme_id}", status_code=303)


@router.post(SUBSIDIES_PATH + "/commitments/{commitment_id}/decision", response_class=HTMLResponse)
def decision(commitment_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The officer approves or rejects (with a reason) a reimbursement application."""
    _officer(page)
    commitment = get_commitment(page.session, commitment_id)
    programme_id = commitment.programme_id
    try:
        decide_reimbursement(
            page.session,
            page.actor,
            commitment_id,
            approve=text(form, "verdict") == "approve",
            reason=text(form, "reason"),
            on=_today(),
            idempotency_key=text(form, "key") or None,
        )
    except DomainError as error:
        return refused(
            page, "programme.html", lambda: _programme_context(page, programme_id), field_errors(error), form
        )
    flash(page.request, f"Application {commitment.reference}: {commitment.status.value}.")
    return RedirectResponse(f"{PROGRAMMES_PATH}/{programme_id}", status_code=303)


def _csv(content: str, name: str) -> Response:
    return Response(
        content=content,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(PROGRAMMES_PATH + "/{programme_id}/commitments.csv")
def commitments_export(programme_id: uuid.UUID, page: SignedIn) -> Response:
    """The programme's commitments as CSV."""
    _officer(page)
    programme = get_programme(page.session, page.actor, programme_id)
    return _csv(commitments_csv(page.session, programme.id), "commitments.csv")


@router.get(PROGRAMMES_PATH + "/{programme_id}/enrolments.csv")
def enrolments_export(programme_id: uuid.UUID, page: SignedIn) -> Response:
    """The programme's enrolments as CSV."""
    _officer(page)
    programme = get_programme(page.session, page.actor, programme_id)
    return _csv(enrolments_csv(page.session, programme.id), "enrolments.csv")


@router.get(PROGRAMMES_PATH + "/{programme_id}/payments.csv")
def payments_export(programme_id: uuid.UUID, page: SignedIn) -> Response:
    """The programme's payments as CSV."""
    _officer(page)
    programme = get_programme(page.session, page.actor, programme_id)
    return _csv(payments_csv(page.session, programme.id), "payments.csv")


# the firm's page --------------------------------------------------------------------------------
def _firm_context(page: Page, on: dt.date | None = None) -> dict[str, Any]:
    assert page.actor.organisation_id is not None
    today = on or _today()
    commitments = list_commitments(page.session, limit=LISTED)
    return {
        "answers": explain_eligibility(page.session, page.actor.organisation_id, today),
        "commitments": commitments,
        "numbers": policy_numbers(page.session, {c.policy_id for c in commitments}),
        "enrolments": list_enrolments(page.session),
        "today": today,
        "percent": percent_text,
        "money_text": money_text,
        "badges": STATUS_BADGES,
    }


@router.get(SUBSIDIES_PATH, response_class=HTMLResponse)
def subsidies(page: SignedIn, on: str = "") -> HTMLResponse:
    """The programmes a firm qualifies for (rate, cap left) and, for the others, which rule failed."""
    page.actor.require(Role.POLICYHOLDER)
    try:
        day = dt.date.fromisoformat(on.strip()) if on.strip() else None
    except ValueError:
        day = None
    return render(page.request, "subsidies.html", _firm_context(page, day))


@router.post(SUBSIDIES_PATH + "/enrol", response_class=HTMLResponse)
def enrol_firm(page: SignedIn, form: PostedForm) -> Response:
    """Enrol in a programme (a platform-policy programme issues the firm its policy)."""
    page.actor.require(Role.POLICYHOLDER)
    try:
        try:
            programme_id = uuid.UUID(text(form, "programme_id").strip())
        except ValueError:
            raise ValidationError("choose a programme", field="programme_id") from None
        enrolment = enrol(page.session, page.actor, programme_id, _today())
    except DomainError as error:
        return refused(page, "subsidies.html", lambda: _firm_context(page), field_errors(error), form)
    issued = " and issued your platform policy" if enrolment.policy_id else ""
    flash(page.request, f"Enrolled{issued}.")
    return RedirectResponse(SUBSIDIES_PATH, status_code=303)


@router.post(SUBSIDIES_PATH + "/commitments/{commitment_id}/apply", response_class=HTMLResponse)
def apply(commitment_id: uuid.UUID, page: SignedIn, form: PostedForm) -> Response:
    """The firm applies for the reimbursement of a paid invoice's subsidy."""
    page.actor.require(Role.POLICYHOLDER)
    try:
        commitment = apply_for_reimbursement(page.session, page.actor, commitment_id, _today())
    except DomainError as error:
        return refused(page, "subsidies.html", lambda: _firm_context(page), field_errors(error), form)
    flash(page.request, f"Applied for {money_text(commitment.amount)} ({commitment.reference}).")
    return RedirectResponse(SUBSIDIES_PATH, status_code=303)
