"""`tradecover reconcile`: check every ledger invariant over the whole database."""

from __future__ import annotations

import typer
from sqlalchemy import func, select

from tradecover.cli.database import command_transaction, open_engine
from tradecover.ledger.model import JournalEntry, Posting
from tradecover.ledger.reconcile import find_violations

VIOLATIONS_EXIT = 1


def reconcile() -> None:
    """Check that the books agree: exit 0 when they do, 1 with the list of violations when not."""
    with open_engine() as engine, command_transaction(engine) as session:
        violations = find_violations(session)
        entries = session.scalar(select(func.count()).select_from(JournalEntry)) or 0
        postings = session.scalar(select(func.count()).select_from(Posting)) or 0
    if violations:
        typer.echo(f"ledger does not reconcile: {len(violations)} violation(s)")
        for violation in violations:
            typer.echo(f"  {violation}")
        raise typer.Exit(VIOLATIONS_EXIT)
    typer.echo(f"ledger reconciles: {entries} entries, {postings} postings checked")
