"""The ledger side of premiums: who takes part in a policy's premium, and the entries premiums posts.

Entries span organisations (the firm, each insurer or pool member, programme bodies), so they are built
and posted with the whole books in view (`whole_books`), whatever the tenant of the caller's session:
each organisation still reads only its own postings afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from tradecover.coinsurance.rules import PoolTerms, apportion, split_premium
from tradecover.coinsurance.service import pool_terms_of
from tradecover.db.tenancy import TENANT_KEY, Tenant, set_tenant
from tradecover.ledger.chart import Chart, account
from tradecover.ledger.model import Account
from tradecover.ledger.rules import PostingLine
from tradecover.money import Money

INVOICE_DOCUMENT = "premium_invoice"
PAYMENT_DOCUMENT = "premium_payment"
CREDIT_NOTE_DOCUMENT = "premium_credit_note"
ACCOUNTS_KEY = "tradecover.premiums.accounts"


@contextmanager
def whole_books(session: Session) -> Iterator[None]:
    """See every organisation's accounts while posting one cross-organisation entry."""
    previous = session.info.get(TENANT_KEY)
    set_tenant(session, Tenant.unrestricted())
    try:
        yield
    finally:
        if previous is None:
            session.info.pop(TENANT_KEY, None)
        else:
            session.info[TENANT_KEY] = previous


@dataclass(frozen=True, slots=True)
class Underwriters:
    """Who underwrites a policy's premium: one insurer, or a pool's members (leader first)."""

    insurer_id: uuid.UUID
    leader_id: uuid.UUID
    members: tuple[tuple[uuid.UUID, Decimal, int], ...]  # (member id, share, position)
    pool: PoolTerms | None

    @property
    def holder_id(self) -> uuid.UUID:
        """Who holds the firm's credit (overpayments): the insurer, or the pool's leader."""
        return self.leader_id


def underwriters_of(session: Session, insurer_id: uuid.UUID) -> Underwriters:
    """The insurer alone, or the pool's members by share when the insurer is a pool."""
    terms = pool_terms_of(session, insurer_id)
    if terms is None:
        return Underwriters(insurer_id, insurer_id, ((insurer_id, Decimal(1), 0),), None)
    members = tuple((m.insurer_id, m.share, m.position) for m in terms.members)
    return Underwriters(insurer_id, terms.leader_id, members, terms)


@dataclass(frozen=True, slots=True)
class MemberPart:
    """One underwriter's part of an invoice: firm part, programme part and leadership commission."""

    member_id: uuid.UUID
    share: Decimal
    position: int
    firm: Money
    subsidy: Money
    commission: Money

    @property
    def premium(self) -> Money:
        """What the member books as premium income: its firm and programme parts."""
        return self.firm + self.subsidy


def member_parts(who: Underwriters, premium: Money, subsidy: Money) -> list[MemberPart]:
    """Split the firm's share and the programme share by member, with each member's commission."""
    firm = premium - subsidy
    if who.pool is None:
        member_id = who.insurer_id
        zero = Money.zero(premium.currency)
        return [MemberPart(member_id, Decimal(1), 0, firm, subsidy, zero)]
    members = who.pool.members
    firm_parts = apportion(firm, members)
    subsidy_parts = apportion(subsidy, members)
    commissions = {s.insurer_id: s.commission for s in split_premium(premium, who.pool)}
    return [
        MemberPart(m.insurer_id, m.share, m.position, f, s, commissions[m.insurer_id])
        for m, f, s in zip(members, firm_parts, subsidy_parts, strict=True)
    ]


class Lines:
    """Posting lines under construction; zero amounts are left out (the ledger refuses them)."""

    def __init__(self, session: Session, currency: str) -> None:
        self.session = session
        self.currency = currency
        self.lines: list[PostingLine[Account]] = []

    def add(self, organisation_id: uuid.UUID, entry: Chart, amount: Money, memo: str | None = None) -> None:
        """Debit (positive) or credit (negative) one organisation's standard account."""
        if amount.is_zero:
            return
        self.lines.append(PostingLine(self._account(organisation_id, entry), amount, memo))

    def _account(self, organisation_id: uuid.UUID, entry: Chart) -> Account:
        # Accounts found earlier in this session, so that a run of invoices does not look each one up
        # again; an account rolled back with a savepoint is no longer in the session and is looked up.
        cache: dict[tuple[uuid.UUID, str, str], Account] = self.session.info.setdefault(ACCOUNTS_KEY, {})
        key = (organisation_id, entry.code, self.currency)
        found = cache.get(key)
        if found is None or found not in self.session:
            found = cache[key] = account(self.session, organisation_id, entry, self.currency)
        return found

    def pair(self, organisation_id: uuid.UUID, debit: Chart, credit: Chart, amount: Money) -> None:
        """Debit one account and credit another of the same organisation."""
        self.add(organisation_id, debit, amount)
        self.add(organisation_id, credit, -amount)


@dataclass(frozen=True, slots=True)
class ProgrammePart:
    """A direct-mode programme's share of an invoice, booked as its expense and payable."""

    sponsor_id: uuid.UUID
    amount: Money


def invoice_lines(
    lines: Lines,
    *,
    policyholder_id: uuid.UUID,
    who: Underwriters,
    parts: Sequence[MemberPart],
    programmes: Sequence[ProgrammePart],
) -> None:
    """The invoice entry of interfaces.md: firm, members (firm + programme parts), programmes, commission."""
    firm = sum((p.firm for p in parts), Money.zero(lines.currency))
    lines.pair(policyholder_id, Chart.PREMIUM_EXPENSE, Chart.PREMIUM_PAYABLE, firm)
    for part in parts:
        lines.add(part.member_id, Chart.PREMIUM_RECEIVABLE, part.firm)
        lines.add(part.member_id, Chart.SUBSIDY_RECEIVABLE, part.subsidy)
        lines.add(part.member_id, Chart.PREMIUM_INCOME, -part.premium)
    for programme in programmes:
        lines.pair(programme.sponsor_id, Chart.SUBSIDY_EXPENSE, Chart.SUBSIDY_PAYABLE, programme.amount)
    commission = Money.zero(lines.currency)
    for part in parts:
        if part.member_id != who.leader_id:
            lines.pair(part.member_id, Chart.COMMISSION_EXPENSE, Chart.COMMISSION_PAYABLE, part.commission)
            commission += part.commission
    lines.pair(who.leader_id, Chart.COMMISSION_RECEIVABLE, Chart.COMMISSION_INCOME, commission)


def settle_lines(
    lines: Lines,
    *,
    who: Underwriters,
    member_amounts: Sequence[tuple[uuid.UUID, Money]],
    from_credit: bool,
) -> None:
    """Members' receivables settled: by cash received, or out of the firm's credit the holder keeps.

    Credit is held by the insurer or the pool's leader; a member's part of it passes from the holder's
    bank to the member's.
    """
    for member_id, amount in member_amounts:
        if amount.is_zero:
            continue
        lines.add(member_id, Chart.PREMIUM_RECEIVABLE, -amount)
        if not from_credit:
            lines.add(member_id, Chart.BANK, amount)
            continue
        lines.add(who.holder_id, Chart.POLICYHOLDER_CREDIT, amount)
        if member_id != who.holder_id:
            lines.add(who.holder_id, Chart.BANK, -amount)
            lines.add(member_id, Chart.BANK, amount)


def to_credit_lines(
    lines: Lines,
    *,
    who: Underwriters,
    policyholder_id: uuid.UUID,
    member_paid: Sequence[tuple[uuid.UUID, Money]],
) -> None:
    """A credited invoice's payments become the firm's credit, held by the insurer or pool leader."""
    total = sum((amount for _, amount in member_paid), Money.zero(lines.currency))
    lines.pair(policyholder_id, Chart.PREMIUM_PAID_IN_ADVANCE, Chart.PREMIUM_PAYABLE, total)
    for member_id, amount in member_paid:
        if amount.is_zero:
            continue
        lines.add(member_id, Chart.PREMIUM_RECEIVABLE, amount)
        if member_id != who.holder_id:
            lines.add(member_id, Chart.BANK, -amount)
            lines.add(who.holder_id, Chart.BANK, amount)
        lines.add(who.holder_id, Chart.POLICYHOLDER_CREDIT, -amount)
