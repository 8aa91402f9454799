"""Every mapped class, imported so that the metadata is complete (migrations, checks, tests)."""

import tradecover.claims.settlement_reconcile  # registers the claim settlement reconciliation checks
import tradecover.premiums.reconcile  # registers the premium reconciliation checks
import tradecover.subsidies.reconciliation  # noqa: F401  (registers the subsidy reconciliation checks)
from tradecover.alerts.model import Alert
from tradecover.audit.model import AuditEvent
from tradecover.buyers.model import Buyer, BuyerGradeChange, CountryGrade
from tradecover.claims.model import (
    Claim,
    ClaimDocument,
    ClaimInvoice,
    ClaimMemberShare,
    Recovery,
    RecoveryShare,
)
from tradecover.claims.overdue_model import Overdue
from tradecover.coinsurance.model import Pool, PoolLimitTake, PoolMember
from tradecover.db.base import Base
from tradecover.declarations.events import BuyerStoppage, LossEvent
from tradecover.declarations.model import ImportBatch, Payment, PaymentApplication, Shipment
from tradecover.financing.model import Facility, FacilityMovement
from tradecover.ledger.model import Account, JournalEntry, Posting
from tradecover.limits.model import Appetite, Capacity, CreditLimit, LimitEvent
from tradecover.oversight.model import (
    MonthlyBuyerTurnover,
    MonthlyCarrierBuyerTurnover,
    MonthlyCarrierExposureChange,
    MonthlyExposureChange,
    MonthlyLimitChange,
    MonthlyTurnover,
)
from tradecover.parties.model import ApiKey, Organisation, User, UserRole
from tradecover.policies.model import Policy, PolicyVersion, Product, Quote, QuoteRequest, RateCell, RateTable
from tradecover.policies.stale import StalePolicy
from tradecover.premiums.model import (
    CreditNote,
    InvoiceLine,
    InvoiceMemberSplit,
    PremiumInvoice,
    PremiumPayment,
)
from tradecover.riskruns.model import RiskContribution, RiskMeasure, RiskRun
from tradecover.subsidies.model import (
    Enrolment,
    ProgrammeBudget,
    SubsidyCommitment,
    SubsidyPayment,
    SubsidyPaymentLine,
    SubsidyProgramme,
)

metadata = Base.metadata

__all__ = [
    "Account",
    "Alert",
    "ApiKey",
    "Appetite",
    "AuditEvent",
    "Buyer",
    "BuyerGradeChange",
    "BuyerStoppage",
    "Capacity",
    "Claim",
    "ClaimDocument",
    "ClaimInvoice",
    "ClaimMemberShare",
    "CountryGrade",
    "CreditLimit",
    "CreditNote",
    "Enrolment",
    "Facility",
    "FacilityMovement",
    "ImportBatch",
    "InvoiceLine",
    "InvoiceMemberSplit",
    "JournalEntry",
    "LimitEvent",
    "LossEvent",
    "MonthlyBuyerTurnover",
    "MonthlyCarrierBuyerTurnover",
    "MonthlyCarrierExposureChange",
    "MonthlyExposureChange",
    "MonthlyLimitChange",
    "MonthlyTurnover",
    "Organisation",
    "Overdue",
    "Payment",
    "PaymentApplication",
    "Policy",
    "PolicyVersion",
    "Pool",
    "PoolLimitTake",
    "PoolMember",
    "Posting",
    "PremiumInvoice",
    "PremiumPayment",
    "Product",
    "ProgrammeBudget",
    "Quote",
    "QuoteRequest",
    "RateCell",
    "RateTable",
    "Recovery",
    "RecoveryShare",
    "RiskContribution",
    "RiskMeasure",
    "RiskRun",
    "Shipment",
    "StalePolicy",
    "SubsidyCommitment",
    "SubsidyPayment",
    "SubsidyPaymentLine",
    "SubsidyProgramme",
    "User",
    "UserRole",
    "metadata",
]
