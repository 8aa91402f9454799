"""Subsidy programmes: budgets; eligibility, enrolment, commitments, reimbursements, payments."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.subsidies import (
    BudgetIn,
    BudgetOut,
    CommitmentOut,
    DecisionIn,
    DirectPaymentIn,
    EligibilityOut,
    EnrolmentIn,
    EnrolmentOut,
    PaymentOut,
    ProgrammeIn,
    ProgrammeOut,
)
from tradecover.clock import get_clock
from tradecover.errors import NotFound, PermissionDenied
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.subsidies import enrolments, payments, programmes, reports
from tradecover.subsidies.eligibility import explain_eligibility
from tradecover.subsidies.model import CommitmentStatus

router = APIRouter(
    route_class=KeyFirstRoute, tags=["subsidies"], responses=error_responses(400, 401, 403, 404, 409, 422)
)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="A retry with the same key returns the first result and books nothing again.",
    ),
]
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "One line per row, with a header line."}
}


def _today() -> dt.date:
    return get_clock().today()


def _csv(content: str, name: str) -> Response:
    return Response(
        content=content,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/programmes", response_model=list[ProgrammeOut], summary="List programmes")
def list_programmes(session: UnitOfWork, actor: CurrentActor) -> list[ProgrammeOut]:
    """The programmes the caller's body runs (programme officers)."""
    return [ProgrammeOut.of(p) for p in programmes.list_programmes(session, actor)]


@router.post(
    "/programmes",
    response_model=ProgrammeOut,
    status_code=status.HTTP_201_CREATED,
    summary="Define a programme",
)
def create_programme(body: ProgrammeIn, session: UnitOfWork, actor: CurrentActor) -> ProgrammeOut:
    """A programme officer defines a programme of its body: rules, tiers, cap, mode and period."""
    programme = programmes.create_programme(session, actor, body.to_draft(), sponsor_id=body.sponsor_id)
    return ProgrammeOut.of(programme)


@router.get("/programmes/{programme_id}", response_model=ProgrammeOut, summary="One programme")
def get_programme(programme_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> ProgrammeOut:
    """A programme of the caller's body."""
    return ProgrammeOut.of(programmes.get_programme(session, actor, programme_id))


@router.put("/programmes/{programme_id}", response_model=ProgrammeOut, summary="Change a programme")
def update_programme(
    programme_id: uuid.UUID, body: ProgrammeIn, session: UnitOfWork, actor: CurrentActor
) -> ProgrammeOut:
    """Change a programme's terms; a refused change leaves it as it was."""
    return ProgrammeOut.of(programmes.update_programme(session, actor, programme_id, body.to_draft()))


@router.get(
    "/programmes/{programme_id}/budgets", response_model=list[BudgetOut], summary="Budgets and their use"
)
def list_budgets(programme_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> list[BudgetOut]:
    """Each year's budget: amount, committed, paid and remaining."""
    programme = programmes.get_programme(session, actor, programme_id)
    return [BudgetOut.of(b) for b in programmes.budgets_of(session, programme.id)]


@router.post("/programmes/{programme_id}/budgets", response_model=BudgetOut, summary="Set a year's budget")
def set_budget(
    programme_id: uuid.UUID, body: BudgetIn, session: UnitOfWork, actor: CurrentActor
) -> BudgetOut:
    """Set the budget of a year; never below what is already committed."""
    return BudgetOut.of(
        programmes.set_budget(session, actor, programme_id, body.year, body.amount.to_money())
    )


@router.get(
    "/programmes/{programme_id}/commitments",
    response_model=list[CommitmentOut],
    summary="A programme's commitments",
)
def programme_commitments(
    programme_id: uuid.UUID,
    session: UnitOfWork,
    actor: CurrentActor,
    status: CommitmentStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=reports.MAX_LISTED)] = 500,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[CommitmentOut]:
    """Every invoice share committed against the programme, newest first."""
    programme = programmes.get_programme(session, actor, programme_id)
    found = reports.list_commitments(
        session, programme_id=programme.id, status=status, limit=limit, offset=offset
    )
    return [CommitmentOut.of(c) for c in found]


@router.get(
    "/programmes/{programme_id}/commitments.csv",
    response_class=Response,
    responses=CSV,
    summary="A programme's commitments (CSV)",
)
def programme_commitments_csv(programme_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> Response:
    """The programme's commitments as CSV, for the officer's own books."""
    programme = programmes.get_programme(session, actor, programme_id)
    return _csv(reports.commitments_csv(session, programme.id), "commitments.csv")


@router.get(
    "/programmes/{programme_id}/enrolments",
    response_model=list[EnrolmentOut],
    summary="A programme's enrolments",
)
def programme_enrolments(
    programme_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor
) -> list[EnrolmentOut]:
    """The firms enrolled in the programme, newest first."""
    programme = programmes.get_programme(session, actor, programme_id)
    return [EnrolmentOut.of(e) for e in enrolments.list_enrolments(session, programme.id)]


@router.get(
    "/programmes/{programme_id}/enrolments.csv",
    response_class=Response,
    responses=CSV,
    summary="A programme's enrolments (CSV)",
)
def programme_enrolments_csv(programme_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> Response:
    """The programme's enrolments as CSV."""
    programme = programmes.get_programme(session, actor, programme_id)
    return _csv(reports.enrolments_csv(session, programme.id), "enrolments.csv")


@router.get(
    "/programmes/{programme_id}/payments", response_model=list[PaymentOut], summary="A programme's payments"
)
def programme_payments(programme_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> list[PaymentOut]:
    """What the programme paid to insurers and firms, newest first."""
    programme = programmes.get_programme(session, actor, programme_id)
    return [PaymentOut.of(p) for p in payments.list_payments(session, programme.id)]


@router.get(
    "/programmes/{programme_id}/payments.csv",
    response_class=Response,
    responses=CSV,
    summary="A programme's payments (CSV)",
)
def programme_payments_csv(programme_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> Response:
    """The programme's payments as CSV."""
    programme = programmes.get_programme(session, actor, programme_id)
    return _csv(reports.payments_csv(session, programme.id), "payments.csv")


@router.post(
    "/programmes/{programme_id}/payments",
    response_model=list[PaymentOut],
    status_code=status.HTTP_201_CREATED,
    summary="Pay direct subsidies",
)
def pay_direct(
    programme_id: uuid.UUID,
    body: DirectPaymentIn,
    session: UnitOfWork,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> list[PaymentOut]:
    """Pay the insurers (each pool member its part) the direct shares committed up to a date."""
    paid = payments.pay_direct_subsidies(
        session, actor, programme_id, body.up_to, on=body.paid_on or _today(), idempotency_key=idempotency_key
    )
    return [PaymentOut.of(p) for p in paid]


def _holder_for(actor: Actor, policyholder_id: uuid.UUID | None) -> uuid.UUID:
    if actor.is_platform_admin or actor.has(Role.PROGRAMME_OFFICER):
        if policyholder_id is None:
            raise NotFound("no such policyholder: name one with policyholder_id", field="policyholder_id")
        return policyholder_id
    actor.require(Role.POLICYHOLDER)
    assert actor.organisation_id is not None
    if policyholder_id not in (None, actor.organisation_id):
        raise PermissionDenied("a firm sees its own eligibility only")
    return actor.organisation_id


@router.get(
    "/eligibility", response_model=list[EligibilityOut], summary="Which programmes a firm qualifies for"
)
def eligibility(
    session: UnitOfWork,
    actor: CurrentActor,
    on: Annotated[dt.date | None, Query(description="The date (default today).")] = None,
    policyholder_id: Annotated[uuid.UUID | None, Query(description="Officers: the firm to check.")] = None,
) -> list[EligibilityOut]:
    """Every active programme: eligible with its rate and the cap left, or each failed rule's reason."""
    holder = _holder_for(actor, policyholder_id)
    return [EligibilityOut.of(a) for a in explain_eligibility(session, holder, on or _today())]


@router.post("/enrolments", response_model=EnrolmentOut, status_code=status.HTTP_201_CREATED, summary="Enrol")
def enrol(body: EnrolmentIn, session: UnitOfWork, actor: CurrentActor) -> EnrolmentOut:
    """Enrol in a programme that requires it; a platform-policy programme issues the firm its policy."""
    enrolment = enrolments.enrol(
        session, actor, body.programme_id, _today(), policyholder_id=body.policyholder_id
    )
    return EnrolmentOut.of(enrolment)


@router.get("/enrolments", response_model=list[EnrolmentOut], summary="Enrolments")
def list_enrolments(session: UnitOfWork, actor: CurrentActor) -> list[EnrolmentOut]:
    """The caller's enrolments (a firm), or those in its programmes (an officer)."""
    return [EnrolmentOut.of(e) for e in enrolments.list_enrolments(session)]


@router.get("/subsidy-commitments", response_model=list[CommitmentOut], summary="Subsidy commitments")
def list_commitments(
    session: UnitOfWork,
    actor: CurrentActor,
    status: CommitmentStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=reports.MAX_LISTED)] = 500,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[CommitmentOut]:
    """What the caller sees: a firm its own, an insurer those on its invoices, an officer its programmes'."""
    found = reports.list_commitments(session, status=status, limit=limit, offset=offset)
    return [CommitmentOut.of(c) for c in found]


@router.get("/subsidy-commitments/{commitment_id}", response_model=CommitmentOut, summary="One commitment")
def get_commitment(commitment_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> CommitmentOut:
    """A programme's share of one invoice and where it stands."""
    return CommitmentOut.of(payments.get_commitment(session, commitment_id))


@router.post(
    "/subsidy-commitments/{commitment_id}/application",
    response_model=CommitmentOut,
    summary="Apply for a reimbursement",
)
def apply(commitment_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> CommitmentOut:
    """The firm, having paid its invoice, applies for the programme's share."""
    return CommitmentOut.of(payments.apply_for_reimbursement(session, actor, commitment_id, _today()))


@router.post(
    "/subsidy-commitments/{commitment_id}/decision",
    response_model=CommitmentOut,
    summary="Decide an application",
)
def decide(
    commitment_id: uuid.UUID,
    body: DecisionIn,
    session: UnitOfWork,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> CommitmentOut:
    """The officer approves (booking the subsidy) or rejects with a reason (the budget is given back)."""
    commitment = payments.decide_reimbursement(
        session,
        actor,
        commitment_id,
        approve=body.approve,
        reason=body.reason,
        on=_today(),
        idempotency_key=idempotency_key,
    )
    return CommitmentOut.of(commitment)


@router.post(
    "/subsidy-commitments/{commitment_id}/payment",
    response_model=PaymentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Pay an approved reimbursement",
)
def pay_reimbursement(
    commitment_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor, idempotency_key: IdempotencyKey = None
) -> PaymentOut:
    """Pay the firm an approved reimbursement."""
    payment = payments.pay_reimbursement(
        session, actor, commitment_id, _today(), idempotency_key=idempotency_key
    )
    return PaymentOut.of(payment)
