"""The platform's chart of accounts: the standard accounts every money-moving use case books to.

Each organisation keeps its own accounts (per currency), so several liability is visible: a pool
member's premium receivable is its own, never the pool's. Premiums, subsidies, coinsurance, claims and
financing book only to these codes; `account(...)` opens one on first use.
"""

from __future__ import annotations

import enum
import uuid

from sqlalchemy.orm import Session

from tradecover.ledger.model import Account
from tradecover.ledger.rules import AccountType
from tradecover.ledger.service import get_or_open_account


class Chart(enum.Enum):
    """A standard account: its code, name and type."""

    # every organisation
    BANK = ("1000", "Bank", AccountType.ASSET)
    # insurers (each pool member in its own books)
    PREMIUM_RECEIVABLE = ("1100", "Premium receivable from policyholders", AccountType.ASSET)
    SUBSIDY_RECEIVABLE = ("1110", "Subsidy receivable from programmes", AccountType.ASSET)
    COMMISSION_RECEIVABLE = ("1120", "Leadership commission receivable", AccountType.ASSET)
    COMMISSION_PAYABLE = ("2100", "Leadership commission payable to the pool leader", AccountType.LIABILITY)
    POLICYHOLDER_CREDIT = ("2200", "Premium received in advance (policyholder credit)", AccountType.LIABILITY)
    PREMIUM_INCOME = ("4000", "Premium income", AccountType.INCOME)
    COMMISSION_INCOME = ("4100", "Leadership commission income", AccountType.INCOME)
    COMMISSION_EXPENSE = ("5100", "Leadership commission expense", AccountType.EXPENSE)
    CLAIMS_PAYABLE = ("2500", "Claims payable (indemnity decided, not yet paid)", AccountType.LIABILITY)
    CLAIMS_EXPENSE = ("5300", "Claims incurred (indemnity)", AccountType.EXPENSE)
    # policyholders
    PREMIUM_PAID_IN_ADVANCE = ("1200", "Premium paid in advance", AccountType.ASSET)
    REIMBURSEMENT_RECEIVABLE = ("1210", "Subsidy reimbursement receivable", AccountType.ASSET)
    PREMIUM_PAYABLE = ("2000", "Premium payable", AccountType.LIABILITY)
    SUBSIDY_INCOME = ("4200", "Subsidy received on premium", AccountType.INCOME)
    PREMIUM_EXPENSE = ("5000", "Credit insurance premium", AccountType.EXPENSE)
    INDEMNITY_RECEIVABLE = ("1400", "Indemnity receivable from insurers", AccountType.ASSET)
    LOANS_PAYABLE = ("2400", "Loans from banks against insured receivables", AccountType.LIABILITY)
    INDEMNITY_INCOME = ("4300", "Indemnity for credit losses", AccountType.INCOME)
    # insurers and policyholders: their shares of money recovered from a buyer after a claim was paid
    RECOVERY_INCOME = ("4400", "Recoveries after claims paid", AccountType.INCOME)
    # programme bodies
    SUBSIDY_PAYABLE = ("2300", "Subsidy payable", AccountType.LIABILITY)
    SUBSIDY_EXPENSE = ("5200", "Premium subsidy", AccountType.EXPENSE)
    # banks: drawings under a facility, one facility's balance = postings whose document is the facility
    LOANS_RECEIVABLE = ("1300", "Loans against insured receivables", AccountType.ASSET)

    @property
    def code(self) -> str:
        """The account code, unique per organisation and currency."""
        return self.value[0]

    @property
    def title(self) -> str:
        """The account's name as statements show it."""
        return self.value[1]

    @property
    def type(self) -> AccountType:
        """Asset, liability, income or expense."""
        return self.value[2]


def account(session: Session, organisation_id: uuid.UUID, entry: Chart, currency: str) -> Account:
    """The organisation's standard account `entry` in `currency`, opened on first use."""
    return get_or_open_account(
        session,
        organisation_id=organisation_id,
        code=entry.code,
        name=entry.title,
        type=entry.type,
        currency=currency,
    )


def loan_account(session: Session, bank_id: uuid.UUID, facility_id: uuid.UUID, currency: str) -> Account:
    """The bank's loan account of one facility: its balance is what the facility has outstanding.

    One account per facility (code `1300-<facility id>`), so that claims can pay a bank's outstanding
    drawing first without knowing more of financing than this account.
    """
    return get_or_open_account(
        session,
        organisation_id=bank_id,
        code=f"{Chart.LOANS_RECEIVABLE.code}-{facility_id.hex}",
        name=f"{Chart.LOANS_RECEIVABLE.title}, facility {facility_id.hex[:8].upper()}",
        type=Chart.LOANS_RECEIVABLE.type,
        currency=currency,
    )
