"""Policy pages: "My policies" (or the insurer's book) and one policy with its terms and versions."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from starlette.responses import HTMLResponse

from tradecover.money import Money
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy
from tradecover.policies.quotes import organisation_names
from tradecover.policies.service import get_policy, list_policies
from tradecover.policies.terms import PRODUCT_KIND_TITLES, CauseOfLoss, PolicyTerms
from tradecover.web.dependencies import SignedIn
from tradecover.web.rendering import render
from tradecover.web.workspaces import POLICIES_PATH

router = APIRouter(prefix=POLICIES_PATH)


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def _dcl_conditions(terms: PolicyTerms) -> str:
    conditions = terms.dcl_conditions
    text = f"{conditions.min_paid_purchases} purchases paid on time in {conditions.lookback_months} months"
    return text + (" or a credit report" if conditions.credit_report_suffices else "")


def terms_rows(terms: PolicyTerms) -> list[tuple[str, str]]:
    """The terms as (label, value) lines a person reads."""

    def money(value: Money | None) -> str:
        return "—" if value is None else f"{value.currency} {value.amount:,}"

    indemnity = terms.indemnity
    rows = [
        (f"Indemnity: {c.value.replace('_', ' ')}", _percent(indemnity.for_cause(c).value))
        for c in CauseOfLoss
    ]
    if indemnity.public_body is not None:
        rows.append(("Indemnity on public-body buyers", _percent(indemnity.public_body.value)))
    rows += [
        (
            "Maximum credit period",
            f"{terms.max_credit_period_days} days ({terms.max_credit_period_with_consent_days} with consent)",
        ),
        ("Declaration deadline", f"{terms.declaration_deadline_working_days} working days after shipment"),
        ("Overdue reporting", f"{terms.overdue_reporting_days} days after the (extended) due date"),
        ("Extension without consent", f"{terms.extension_without_consent_days} days"),
        ("Waiting period, protracted default", f"{terms.protracted_default_waiting_months} months"),
        ("Waiting period, political events", f"{terms.political_waiting_months} months"),
        ("Claim filing deadline", f"{terms.claim_filing_months} months after the date of loss"),
        ("Discretionary credit limit (DCL)", money(terms.dcl)),
        ("DCL conditions", _dcl_conditions(terms)),
        ("Non-qualifying loss", money(terms.non_qualifying_loss)),
        ("Aggregate first loss", money(terms.aggregate_first_loss)),
        ("Maximum liability", str(terms.maximum_liability)),
        ("Minimum premium", money(terms.minimum_premium)),
        ("Limit reduction notice", f"{terms.limit_reduction_notice_days} days"),
        ("Worst buyer grade covered", str(terms.max_buyer_grade)),
        ("Worst country grade covered", str(terms.max_country_grade)),
        ("Countries not covered", ", ".join(terms.refused_countries) or "—"),
        (
            "Limit decisions",
            f"instant up to {money(terms.decision_bands.instant_up_to)}; "
            f"two approvals above {money(terms.decision_bands.two_approvals_above)}",
        ),
    ]
    if terms.per_buyer_maximum is not None:
        rows.append(("Maximum per buyer", money(terms.per_buyer_maximum)))
    return rows


@router.get("", response_class=HTMLResponse)
def policies(page: SignedIn) -> HTMLResponse:
    """The policies the organisation holds (policyholder) or underwrites (insurer)."""
    page.actor.require(Role.POLICYHOLDER, Role.UNDERWRITER, Role.INSURER_ADMIN, Role.CLAIMS_HANDLER)
    found = list_policies(page.session, page.actor)
    names = organisation_names(page.session, [o for p in found for o in (p.policyholder_id, p.insurer_id)])
    return render(
        page.request,
        "policies.html",
        {
            "policies": found,
            "names": names,
            "kind_titles": PRODUCT_KIND_TITLES,
            "is_holder": page.actor.has(Role.POLICYHOLDER),
        },
    )


def _context(policy: Policy, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    current = policy.current_version
    return {
        "policy": policy,
        "insurer": names.get(policy.insurer_id, ""),
        "policyholder": names.get(policy.policyholder_id, ""),
        "kind_title": PRODUCT_KIND_TITLES[policy.product_kind],
        "terms": terms_rows(current.terms),
        "versions": list(reversed(policy.versions)),
        "discount": _percent(policy.preferential_discount),
        "adjustment": _percent(policy.rate_adjustment),
    }


@router.get("/{policy_id}", response_class=HTMLResponse)
def policy(policy_id: uuid.UUID, page: SignedIn) -> HTMLResponse:
    """One policy: its status, period, current terms and every version."""
    found = get_policy(page.session, page.actor, policy_id)
    names = organisation_names(page.session, [found.policyholder_id, found.insurer_id])
    return render(page.request, "policy.html", _context(found, names))
