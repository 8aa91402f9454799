"""Overdues, extensions, claims, the indemnity computation, recoveries and claim service levels."""
