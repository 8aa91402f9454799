"""Every mapped class, imported so that the metadata is complete (migrations, checks, tests)."""

from tradecover.audit.model import AuditEvent
from tradecover.buyers.model import Buyer
from tradecover.db.base import Base
from tradecover.ledger.model import Account, JournalEntry, Posting
from tradecover.parties.model import ApiKey, Organisation, User, UserRole

metadata = Base.metadata

__all__ = [
    "Account",
    "ApiKey",
    "AuditEvent",
    "Buyer",
    "JournalEntry",
    "Organisation",
    "Posting",
    "User",
    "UserRole",
    "metadata",
]
