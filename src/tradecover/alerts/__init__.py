"""Alerts addressed to organisations: a grade changed, a limit was cut, an overdue was reported."""
