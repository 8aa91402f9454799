"""Every mapped class, imported so that the metadata is complete (migrations, checks, tests)."""

from tradecover.alerts.model import Alert
from tradecover.audit.model import AuditEvent
from tradecover.buyers.model import Buyer, BuyerGradeChange, CountryGrade
from tradecover.db.base import Base
from tradecover.declarations.model import ImportBatch, Payment, PaymentApplication, Shipment
from tradecover.ledger.model import Account, JournalEntry, Posting
from tradecover.limits.model import Appetite, Capacity, CreditLimit, LimitEvent
from tradecover.parties.model import ApiKey, Organisation, User, UserRole
from tradecover.policies.model import Policy, PolicyVersion, Product, Quote, QuoteRequest, RateCell, RateTable

metadata = Base.metadata

__all__ = [
    "Account",
    "Alert",
    "ApiKey",
    "Appetite",
    "AuditEvent",
    "Buyer",
    "BuyerGradeChange",
    "Capacity",
    "CountryGrade",
    "CreditLimit",
    "ImportBatch",
    "JournalEntry",
    "LimitEvent",
    "Organisation",
    "Payment",
    "PaymentApplication",
    "Policy",
    "PolicyVersion",
    "Posting",
    "Product",
    "Quote",
    "QuoteRequest",
    "RateCell",
    "RateTable",
    "Shipment",
    "User",
    "UserRole",
    "metadata",
]
