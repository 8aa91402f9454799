"""Premiums: monthly invoices from declared turnover, true-up, credit notes, payments, dunning."""
