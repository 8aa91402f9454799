"""Buyers (debtors) and their grades."""
