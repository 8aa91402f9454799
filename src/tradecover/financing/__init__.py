"""Bank facilities against insured receivables: assignments, borrowing base, drawings and repayments."""
