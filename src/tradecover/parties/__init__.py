"""Parties: organisations, users, roles and API keys."""
