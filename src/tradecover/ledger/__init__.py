"""Ledger: accounts per organisation and currency, balanced immutable journal entries, reconciliation."""
