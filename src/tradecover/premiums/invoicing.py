"""Issuing premium invoices: monthly from insured declared turnover, and the minimum-premium true-up.

A monthly invoice of a policy takes every insured shipment shipped by the end of the month that is on
no live invoice yet (so a late declaration for a past month lands on the next invoice), rates each one
at its rate-table cell — buyer grade and country grade on the declaration date, credit-period band —
and books one balanced entry with the programmes' and the firm's shares (`premiums.books`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from tradecover.audit.service import record
from tradecover.buyers.model import Buyer, BuyerGradeChange, CountryGrade
from tradecover.clock import get_clock
from tradecover.declarations.model import Shipment
from tradecover.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.ledger.service import post_entry
from tradecover.money import Money, Rate
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.model import Policy, PolicyStatus
from tradecover.policies.rules import RateGrid
from tradecover.policies.service import rate_grid_of
from tradecover.premiums.books import (
    INVOICE_DOCUMENT,
    Lines,
    ProgrammePart,
    Underwriters,
    invoice_lines,
    member_parts,
    underwriters_of,
    whole_books,
)
from tradecover.premiums.model import (
    InvoiceKind,
    InvoiceLine,
    InvoiceMemberSplit,
    InvoiceStatus,
    PremiumInvoice,
)
from tradecover.premiums.payments import apply_held_credit
from tradecover.premiums.rules import LineFacts, due_date, month_bounds, rate_line, true_up
from tradecover.reference.countries import all_countries
from tradecover.subsidies.service import SubsidyShare, commit_subsidy, premium_paid

MAY_INVOICE = (Role.INSURER_ADMIN, Role.UNDERWRITER, Role.PLATFORM_ADMIN)
DIRECT = "direct"
NUMBER_ATTEMPTS = 20


def get_policy(session: Session, policy_id: uuid.UUID) -> Policy:
    """A policy the session's organisation sees; NotFound otherwise."""
    policy = session.scalars(select(Policy).where(Policy.id == policy_id)).first()
    if policy is None:
        raise NotFound(f"no such policy: {policy_id}", field="policy_id")
    return policy


def check_insurer_side(actor: Actor, policy: Policy, who: Underwriters) -> None:
    """Only the insurer's staff (a pool's leader's) or the platform issue and correct invoices."""
    actor.require(*MAY_INVOICE)
    if actor.is_platform_admin:
        return
    if actor.organisation_id not in (policy.insurer_id, who.leader_id):
        raise PermissionDenied(f"only the insurer of policy {policy.number} invoices its premium")


def next_number(session: Session, prefix: str, column: InstrumentedAttribute[str], year: int) -> str:
    """The next document number of a year: '<prefix>-2025-000001'."""
    stem = f"{prefix}-{year}-"
    latest = session.scalar(
        select(func.max(column)).where(column.like(f"{stem}%")).execution_options(tenant_exempt=True)
    )
    sequence = int(latest.removeprefix(stem)) + 1 if latest else 1
    return f"{stem}{sequence:06d}"


class GradeBook:
    """Buyer and country grades on any day, from their histories loaded once (rating many lines)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._countries: dict[str, list[CountryGrade]] = defaultdict(list)
        for row in session.scalars(
            select(CountryGrade).order_by(CountryGrade.effective_from, CountryGrade.id)
        ):
            self._countries[row.country].append(row)
        self._reference = {country.code: country.grade for country in all_countries()}
        self._buyers: dict[uuid.UUID, tuple[int, str]] = {}
        self._grids: dict[uuid.UUID, RateGrid] = {}
        self._changes: dict[uuid.UUID, list[BuyerGradeChange]] = defaultdict(list)

    def load(self, buyer_ids: Iterable[uuid.UUID]) -> None:
        """Read the grade histories of buyers not read yet."""
        wanted = sorted(set(buyer_ids) - set(self._buyers))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for buyer_id, grade, country in self.session.execute(
                select(Buyer.id, Buyer.grade, Buyer.country).where(Buyer.id.in_(chunk))
            ):
                self._buyers[buyer_id] = (grade, country)
            for change in self.session.scalars(
                select(BuyerGradeChange)
                .where(BuyerGradeChange.buyer_id.in_(chunk))
                .order_by(BuyerGradeChange.effective_at, BuyerGradeChange.id)
            ):
                self._changes[change.buyer_id].append(change)

    def grid(self, policy: Policy) -> RateGrid:
        """The policy's rate grid (read once per rate table)."""
        key = policy.rate_table_id
        if key is None:
            return rate_grid_of(self.session, policy)  # refuses: the policy has no rate table
        if key not in self._grids:
            self._grids[key] = rate_grid_of(self.session, policy)
        return self._grids[key]

    def buyer_grade(self, buyer_id: uuid.UUID, on: dt.date) -> int:
        """The buyer's grade in force at the end of a day (as `buyers.grades.buyer_grade`)."""
        end_of_day = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        changes = self._changes.get(buyer_id, [])
        grade = changes[0].old_grade if changes else self._buyers[buyer_id][0]
        for change in changes:
            if change.effective_at < end_of_day:
                grade = change.new_grade
        return grade

    def country_grade(self, buyer_id: uuid.UUID, on: dt.date) -> int:
        """The grade of the buyer's country in force on a day (as `buyers.grades.country_grade`)."""
        code = self._buyers[buyer_id][1]
        rows = self._countries.get(code, [])
        grade = rows[0].old_grade if rows else self._reference.get(code, 0)
        for row in rows:
            if row.effective_from <= on:
                grade = row.grade
        return grade


@dataclass(frozen=True, slots=True)
class InvoiceRun:
    """What an invoicing run did: the invoices issued (or found already issued) and policies skipped."""

    month: str
    invoices: tuple[PremiumInvoice, ...]
    skipped: tuple[str, ...]


def _uninvoiced(session: Session, policy_id: uuid.UUID, last_day: dt.date) -> list[Shipment]:
    on_live = select(InvoiceLine.live_shipment_id).where(
        InvoiceLine.policy_id == policy_id, InvoiceLine.live_shipment_id.is_not(None)
    )
    return list(
        session.scalars(
            select(Shipment)
            .where(
                Shipment.policy_id == policy_id,
                Shipment.shipment_date <= last_day,
                Shipment.insured_minor > 0,
                Shipment.premium_minor.is_not(None),
                Shipment.id.not_in(on_live),
            )
            .order_by(Shipment.shipment_date, Shipment.invoice_number)
        )
    )


def _rated_lines(
    policy: Policy, grid: RateGrid, grades: GradeBook, shipments: Sequence[Shipment]
) -> list[dict[str, Any]]:
    """One row per shipment with a rate-table cell (InvoiceLine columns, bulk inserted with the invoice)."""
    grades.load(s.buyer_id for s in shipments)
    discount = Rate(policy.preferential_discount)
    lines: list[dict[str, Any]] = []
    for shipment in shipments:
        buyer_grade = grades.buyer_grade(shipment.buyer_id, shipment.declared_on)
        credit_days = (shipment.due_date - shipment.shipment_date).days
        facts = LineFacts(
            shipment.insured,
            buyer_grade,
            grades.country_grade(shipment.buyer_id, shipment.declared_on),
            credit_days,
        )
        try:
            rated = rate_line(grid, facts, adjustment=policy.rate_adjustment, discount=discount)
        except BusinessRuleViolation:
            continue  # the table has no cell for it (the shipment carries no premium either)
        lines.append(
            dict(
                policy_id=policy.id,
                shipment_id=shipment.id,
                live_shipment_id=shipment.id,
                buyer_id=shipment.buyer_id,
                invoice_number=shipment.invoice_number,
                shipment_date=shipment.shipment_date,
                buyer_grade=buyer_grade,
                buyer_grade_band=rated.buyer_grade_band,
                country_grade=rated.country_grade,
                credit_days=credit_days,
                credit_day_band=rated.credit_day_band,
                rate=rated.rate,
                rate_adjustment=rated.adjustment,
                discount=rated.discount,
                currency=policy.currency,
                insured_minor=shipment.insured_minor,
                premium_minor=rated.premium.minor_units,
            )
        )
    return lines


def _share_json(share: SubsidyShare) -> dict[str, Any]:
    return {
        "commitment_id": str(share.commitment_id),
        "programme_id": str(share.programme_id),
        "programme_name": share.programme_name,
        "sponsor_id": str(share.sponsor_id),
        "mode": share.mode,
        "rate": format(share.rate, "f"),
        "requested": format(share.requested.amount, "f"),
        "amount": format(share.amount.amount, "f"),
        "explanation": share.explanation,
    }


def _live_invoice(
    session: Session, policy_id: uuid.UUID, kind: InvoiceKind, period_start: dt.date
) -> PremiumInvoice | None:
    return session.scalars(
        select(PremiumInvoice).where(
            PremiumInvoice.policy_id == policy_id,
            PremiumInvoice.kind == kind,
            PremiumInvoice.live_period_start == period_start,
        )
    ).first()


def _issue(
    session: Session,
    actor: Actor,
    policy: Policy,
    who: Underwriters,
    *,
    kind: InvoiceKind,
    period: tuple[dt.date, dt.date],
    premium: Money,
    lines: Sequence[dict[str, Any]],
    on: dt.date,
) -> PremiumInvoice:
    """Commit the subsidies, book the entry and save the invoice with its lines and member splits."""
    invoice_id = uuid.uuid4()
    shares = commit_subsidy(
        session,
        invoice_id=invoice_id,
        policy_id=policy.id,
        policyholder_id=policy.policyholder_id,
        product_kind=policy.product_kind.value,
        premium=premium,
        on=on,
    )
    direct = [s for s in shares if s.mode == DIRECT and s.amount.is_positive]
    subsidy = sum((s.amount for s in direct), Money.zero(premium.currency))
    parts = member_parts(who, premium, subsidy)
    entry_lines = Lines(session, premium.currency)
    invoice_lines(
        entry_lines,
        policyholder_id=policy.policyholder_id,
        who=who,
        parts=parts,
        programmes=[ProgrammePart(s.sponsor_id, s.amount) for s in direct],
    )
    entry = post_entry(
        session,
        effective_date=on,
        kind="premium.invoiced",
        # The entry names the invoice by its id (document_id); its number is taken when it is saved.
        description=f"Premium invoice of policy {policy.number}, {period[0]} to {period[1]}",
        lines=entry_lines.lines,
        document_type=INVOICE_DOCUMENT,
        document_id=invoice_id,
        booked_by_user_id=actor.user_id,
        booked_by_organisation_id=actor.organisation_id,
    )
    invoice = PremiumInvoice(
        id=invoice_id,
        policy_id=policy.id,
        policyholder_id=policy.policyholder_id,
        insurer_id=policy.insurer_id,
        kind=kind,
        period_start=period[0],
        period_end=period[1],
        live_period_start=period[0],
        issued_on=on,
        due_date=due_date(on, policy.current_version.terms.premium_payment_days),
        currency=premium.currency,
        premium_minor=premium.minor_units,
        subsidy_minor=subsidy.minor_units,
        firm_share_minor=(premium - subsidy).minor_units,
        paid_minor=0,
        status=InvoiceStatus.ISSUED,
        subsidies=[_share_json(s) for s in shares],
        entry_id=entry.id,
        issued_by_user_id=actor.user_id,
        members=[
            InvoiceMemberSplit(
                policyholder_id=policy.policyholder_id,
                member_id=p.member_id,
                leader_id=who.leader_id,
                position=p.position,
                share=p.share,
                currency=premium.currency,
                premium_minor=p.premium.minor_units,
                firm_minor=p.firm.minor_units,
                subsidy_minor=p.subsidy.minor_units,
                commission_minor=p.commission.minor_units,
                paid_minor=0,
            )
            for p in parts
        ],
    )
    _save(session, invoice, lines, on.year)
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="premium.invoiced",
        object_type="premium_invoice",
        object_id=invoice.id,
        subject_organisation_id=policy.policyholder_id,
        details={
            "number": invoice.number,
            "policy": policy.number,
            "premium": str(premium),
            "lines": len(lines),
        },
    )
    if invoice.firm_share_minor == 0:
        invoice.status = InvoiceStatus.PAID  # the programmes pay it all
        premium_paid(session, invoice_id=invoice.id, on=on)
    else:
        apply_held_credit(session, actor, invoice, who, on=on)
    return invoice


def _taken_meanwhile(session: Session, invoice: PremiumInvoice, lines: Sequence[dict[str, Any]]) -> bool:
    """True when another transaction invoiced the same period or one of the shipments first."""
    if _live_invoice(session, invoice.policy_id, invoice.kind, invoice.period_start) is not None:
        return True
    shipment_ids = [line["shipment_id"] for line in lines]
    return (
        bool(shipment_ids)
        and session.scalar(
            select(func.count())
            .select_from(InvoiceLine)
            .where(InvoiceLine.live_shipment_id.in_(shipment_ids))
            .execution_options(tenant_exempt=True)
        )
        != 0
    )


def _save(session: Session, invoice: PremiumInvoice, lines: Sequence[dict[str, Any]], year: int) -> None:
    """Insert the invoice and its lines under the next free number of the year."""
    for _ in range(NUMBER_ATTEMPTS):
        invoice.number = next_number(session, "INV", PremiumInvoice.number, year)
        try:
            with session.begin_nested():
                session.add(invoice)
                session.flush()
                if lines:
                    # Thousands of lines on a busy policy's month: one bulk insert, not an ORM object each.
                    rows = [{**line, "invoice_id": invoice.id} for line in lines]
                    session.execute(insert(InvoiceLine), rows)
            return
        except IntegrityError:
            if _taken_meanwhile(session, invoice, lines):
                raise Conflict(
                    f"the period from {invoice.period_start} was invoiced at the same time; run it again",
                    field="month",
                ) from None
            # Otherwise a concurrent invoice took the number first: take the next one.
    raise Conflict("no invoice number was free; run it again", field="month")


def _checked_day(month_end: dt.date, on: dt.date | None) -> dt.date:
    day = get_clock().today() if on is None else on
    if day < month_end:
        raise ValidationError(f"the month runs until {month_end}; invoice it from then on", field="month")
    return day


def _invoice_policy(
    session: Session, actor: Actor, policy: Policy, month: str, on: dt.date, grades: GradeBook
) -> PremiumInvoice | None:
    first, last = month_bounds(month)
    who = underwriters_of(session, policy.insurer_id)
    check_insurer_side(actor, policy, who)
    with whole_books(session):
        existing = _live_invoice(session, policy.id, InvoiceKind.MONTHLY, first)
        if existing is not None:
            return existing
        lines = _rated_lines(policy, grades.grid(policy), grades, _uninvoiced(session, policy.id, last))
        premium = Money.from_minor(sum(line["premium_minor"] for line in lines), policy.currency)
        if not premium.is_positive:
            return None
        return _issue(
            session,
            actor,
            policy,
            who,
            kind=InvoiceKind.MONTHLY,
            period=(first, last),
            premium=premium,
            lines=lines,
            on=on,
        )


def issue_invoice(
    session: Session, actor: Actor, policy_id: uuid.UUID, month: str, *, on: dt.date | None = None
) -> PremiumInvoice | None:
    """Invoice one policy's month (idempotent: the live invoice if there is one; None at zero premium)."""
    last = month_bounds(month)[1]
    day = _checked_day(last, on)
    policy = get_policy(session, policy_id)
    return _invoice_policy(session, actor, policy, month, day, GradeBook(session))


def issue_invoices(session: Session, actor: Actor, month: str, *, on: dt.date | None = None) -> InvoiceRun:
    """Invoice the month for every policy the actor invoices that has uninvoiced insured turnover."""
    actor.require(*MAY_INVOICE)
    first, last = month_bounds(month)
    day = _checked_day(last, on)
    on_live = select(InvoiceLine.live_shipment_id).where(InvoiceLine.live_shipment_id.is_not(None))
    candidates = select(Shipment.policy_id).where(
        Shipment.shipment_date <= last,
        Shipment.insured_minor > 0,
        Shipment.premium_minor.is_not(None),
        Shipment.id.not_in(on_live),
    )
    invoiced = select(PremiumInvoice.policy_id).where(
        PremiumInvoice.kind == InvoiceKind.MONTHLY, PremiumInvoice.live_period_start == first
    )
    policies = session.scalars(
        select(Policy)
        .where(or_(Policy.id.in_(candidates), Policy.id.in_(invoiced)), Policy.period_start <= last)
        .order_by(Policy.number)
    ).all()
    grades = GradeBook(session)
    issued: list[PremiumInvoice] = []
    skipped: list[str] = []
    for policy in policies:
        try:
            invoice = _invoice_policy(session, actor, policy, month, day, grades)
        except PermissionDenied:
            skipped.append(policy.number)  # a pool policy another member leads
            continue
        if invoice is not None:
            issued.append(invoice)
    return InvoiceRun(month, tuple(issued), tuple(skipped))


def net_premium(session: Session, policy: Policy) -> Money:
    """The policy's premium invoiced and not credited (invoices less credit notes) over its period."""
    total = session.scalar(
        select(func.coalesce(func.sum(PremiumInvoice.premium_minor), 0)).where(
            PremiumInvoice.policy_id == policy.id,
            PremiumInvoice.status != InvoiceStatus.CREDITED,
            PremiumInvoice.kind == InvoiceKind.MONTHLY,
        )
    )
    return Money.from_minor(int(total or 0), policy.currency)


def true_up_minimum_premium(
    session: Session, actor: Actor, policy_id: uuid.UUID, *, on: dt.date | None = None
) -> PremiumInvoice | None:
    """At the end of the policy year, invoice what the year's net premium falls short of the minimum."""
    day = get_clock().today() if on is None else on
    policy = get_policy(session, policy_id)
    who = underwriters_of(session, policy.insurer_id)
    check_insurer_side(actor, policy, who)
    if policy.status is PolicyStatus.CANCELLED:
        raise BusinessRuleViolation(f"policy {policy.number} was cancelled; no minimum premium applies")
    if day < policy.period_end:
        raise BusinessRuleViolation(
            f"policy {policy.number}'s year runs until {policy.period_end}; true it up from then on",
            field="on",
        )
    with whole_books(session):
        existing = _live_invoice(session, policy.id, InvoiceKind.TRUE_UP, policy.period_start)
        if existing is not None:
            return existing
        minimum = policy.current_version.terms.minimum_premium
        shortfall = true_up(net_premium(session, policy), minimum)
        if shortfall.is_zero:
            return None
        return _issue(
            session,
            actor,
            policy,
            who,
            kind=InvoiceKind.TRUE_UP,
            period=(policy.period_start, policy.period_end),
            premium=shortfall,
            lines=[],
            on=day,
        )
