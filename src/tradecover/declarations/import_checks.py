"""Checking parsed declaration rows against the book: buyers known, invoices new, dates within the policy."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer
from tradecover.declarations.cover import CoverBook
from tradecover.declarations.import_report import Rejections
from tradecover.declarations.import_rows import ImportRow
from tradecover.declarations.model import Shipment
from tradecover.declarations.rules import ShipmentFacts, check_shipment
from tradecover.errors import ValidationError
from tradecover.policies.model import Policy
from tradecover.policies.service import covers


def resolve_buyers(session: Session, rows: list[ImportRow], rejections: Rejections) -> None:
    """Find each row's buyer in the registry; a row naming an unknown buyer is rejected."""
    by_country: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        by_country[row.buyer_key[0]].add(row.buyer_key[1])
    found: dict[tuple[str, str], uuid.UUID] = {}
    for country, numbers in by_country.items():
        ordered = sorted(numbers)
        for start in range(0, len(ordered), 500):
            query = select(Buyer.id, Buyer.registration_number).where(
                Buyer.country == country, Buyer.registration_number.in_(ordered[start : start + 500])
            )
            for buyer_id, registration in session.execute(query):
                found[(country, registration)] = buyer_id
    for row in rows:
        row.buyer_id = found.get(row.buyer_key)
        if row.buyer_id is None:
            rejections.add(
                row.number,
                f"no buyer {row.buyer_key[1]} in {row.buyer_key[0]} in the registry; register it first",
            )


def check_invoices(session: Session, policy: Policy, rows: list[ImportRow], rejections: Rejections) -> None:
    """Reject an invoice number that repeats in the file or is already declared on the policy."""
    first: dict[str, int] = {}
    for row in rows:
        if row.is_payment:
            continue
        earlier = first.setdefault(row.invoice_number, row.number)
        if earlier != row.number:
            rejections.add(row.number, f"invoice {row.invoice_number} appears on row {earlier} too")
    if not first:
        return
    declared = session.scalars(select(Shipment.invoice_number).where(Shipment.policy_id == policy.id))
    for number in declared:
        if number in first:
            rejections.add(first[number], f"invoice {number} is already declared on this policy")


def check_dates(
    rows: list[ImportRow], policy: Policy, book: CoverBook, today: dt.date, rejections: Rejections
) -> None:
    """Reject rows whose dates or credit period the policy does not allow."""
    covered_on: dict[dt.date, bool] = {}
    # Read once: attributes of a mapped object cost a descriptor call each.
    period_start, currency = policy.period_start, policy.currency
    for row in rows:
        if row.number in rejections.rows:
            continue
        try:
            if row.is_payment:
                if row.day > today:
                    raise ValidationError(f"{row.day.isoformat()} is in the future", field="received_on")
                if row.day < period_start:
                    raise ValidationError(
                        f"{row.day.isoformat()} is before the policy starts", field="received_on"
                    )
                continue
            assert row.due_date is not None
            covered = covered_on.get(row.day)
            if covered is None:
                covered = covered_on[row.day] = covers(policy, row.day)
            if not covered:
                raise ValidationError(
                    f"{row.day.isoformat()} is outside the policy's cover", field="shipment_date"
                )
            facts = ShipmentFacts(
                row.invoice_number, currency, row.amount_minor, row.day, row.due_date, today
            )
            check_shipment(
                facts, max_credit_days_with_consent=book.terms(row.day).max_credit_period_with_consent_days
            )
            book.deadline(row.day)
        except ValidationError as error:
            rejections.add(row.number, str(error))
