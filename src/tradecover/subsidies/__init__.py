"""Subsidy programmes: eligibility, budgets, commitments on invoices, reimbursements and payments."""
