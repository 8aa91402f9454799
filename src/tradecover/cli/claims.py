"""`tradecover claims`: list, show (with the indemnity step by step), file, assess; pay, recover, close."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.claims.assessment import assess_claim, preview_assessment
from tradecover.claims.documents import mark_documents_complete, upload_document
from tradecover.claims.filing import file_claim
from tradecover.claims.model import Claim, ClaimStatus
from tradecover.claims.queries import find_claim, list_claims
from tradecover.cli.claim_settlement import (
    close_command,
    pay_command,
    recover_command,
    service_levels_command,
)
from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.output import print_table
from tradecover.declarations.model import Shipment
from tradecover.errors import ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind
from tradecover.parties.service import actor_by_email
from tradecover.policies.service import find_policy

claims_app = typer.Typer(
    help="Claims: list, show the indemnity step by step, file, assess, pay, recover, close, service levels.",
    no_args_is_help=True,
)
AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this user (e-mail); default: the platform.")
]


def _date(raw: str | None, field: str) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"{raw!r} is not a date (YYYY-MM-DD)", field=field) from None


def _status(raw: str | None) -> ClaimStatus | None:
    if raw is None:
        return None
    try:
        return ClaimStatus(raw)
    except ValueError:
        allowed = ", ".join(s.value for s in ClaimStatus)
        raise ValidationError(f"{raw!r} is not one of {allowed}", field="status") from None


@claims_app.command("list")
def list_command(
    status: Annotated[str | None, typer.Option(help="filed, documents_complete, assessed, paid, …")] = None,
    policy: Annotated[str | None, typer.Option("--policy", help="Only this policy's (number or id).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
) -> None:
    """List claims: number, policy, cause, date of loss, filed, status, indemnity, service deadline."""
    wanted = _status(status)
    with open_engine() as engine, command_transaction(engine) as session:
        policy_id = find_policy(session, Actor.system(), policy).id if policy else None
        found = list_claims(session, status=wanted, policy_id=policy_id, limit=limit)
        table = Table(title=f"{len(found)} claims")
        for column in ("Claim", "Cause", "Date of loss", "Filed", "Status", "Indemnity", "Deadline"):
            table.add_column(column, no_wrap=True)
        for c in found:
            table.add_row(
                c.number,
                c.cause.value,
                c.date_of_loss.isoformat(),
                c.filed_on.isoformat(),
                c.status.value,
                str(c.indemnity) if c.indemnity is not None else "",
                c.service_deadline.isoformat() if c.service_deadline else "",
            )
        print_table(table)


def _insurer_names(session: Session) -> dict[str, str]:
    """Insurers' names by id, for the members' table."""
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.kind == OrganisationKind.INSURER)
    )
    return {str(row.id): row.name for row in rows}


def _print_breakdown(
    console: Console, claim: Claim, breakdown: dict[str, Any], names: dict[str, str] | None = None
) -> None:
    lines = Table(title="Invoices")
    for column in (
        "Invoice",
        "Claimed",
        "Amount",
        "Credits",
        "Paid",
        "Unpaid",
        "Insured",
        "Unpaid insured",
        "Limit",
    ):
        lines.add_column(column, no_wrap=True)
    for line in breakdown["lines"]:
        lines.add_row(
            line["invoice_number"],
            "yes" if line["claimed"] else "no",
            line["amount"],
            line["credited"],
            line["paid"],
            line["unpaid"],
            line["insured"],
            line["unpaid_insured"],
            line["limit_in_force"],
        )
    print_table(lines, console)
    steps = Table(title=f"Indemnity step by step ({claim.currency})")
    for column in ("Step", "Amount", "How"):
        steps.add_column(column)
    for number, step in enumerate(breakdown["steps"], start=1):
        steps.add_row(f"{number}. {step['label']}", step["amount"], step.get("note", ""))
    print_table(steps, console)
    members = Table(title="Who pays")
    for column in ("Insurer", "Share", "Pays", "To the bank", "To the insured"):
        members.add_column(column, no_wrap=True)
    for m in breakdown.get("members", []):
        insurer = (names or {}).get(m["insurer_id"], m["insurer_id"])
        members.add_row(insurer, m["share"], m["amount"], m["to_bank"], m["to_insured"])
    print_table(members, console)


@claims_app.command("show")
def show_command(claim: Annotated[str, typer.Argument(help="The claim's number or id.")]) -> None:
    """A claim's facts, dates and the indemnity step by step (as decided, or as computed today)."""
    with open_engine() as engine, command_transaction(engine) as session:
        found = find_claim(session, claim)
        console = Console()
        console.print(
            f"{found.number}: {found.cause.value}, date of loss {found.date_of_loss}, "
            f"filed {found.filed_on}, "
            f"{found.status.value}"
            + (f", {found.outcome.value} {found.indemnity}" if found.outcome else "")
            + (f" — {found.decision_reason}" if found.decision_reason else "")
        )
        for label, day in (
            ("documents complete", found.documents_complete_on),
            ("decide by", found.decision_deadline),
            ("decided", found.decided_on),
            ("pay by", found.payment_deadline),
            ("paid", found.paid_on),
        ):
            if day is not None:
                console.print(f"  {label}: {day.isoformat()}")
        breakdown = found.breakdown_json or preview_assessment(session, Actor.system(), found.id).to_json()
        _print_breakdown(console, found, breakdown, _insurer_names(session))


@claims_app.command("file")
def file_command(
    policy: Annotated[str, typer.Option("--policy", help="The policy (number or id).")],
    cause: Annotated[
        str, typer.Option("--cause", help="insolvency, protracted_default, repudiation, political.")
    ],
    invoice: Annotated[list[str], typer.Option("--invoice", help="An overdue invoice number (repeat).")],
    insolvency_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD, for insolvency.")] = None,
    event_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD, for a political event or repudiation.")
    ] = None,
    description: Annotated[str | None, typer.Option(help="What happened.")] = None,
    document: Annotated[
        list[Path] | None, typer.Option("--document", help="A document to attach (repeat).")
    ] = None,
    as_user: AsOption = None,
) -> None:
    """File a claim on reported overdue invoices of one buyer, with documents."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = find_policy(session, Actor.system(), policy)
        shipment_ids = []
        for number in invoice:
            shipment = session.scalars(
                select(Shipment).where(
                    Shipment.policy_id == found.id, Shipment.invoice_number == number.strip()
                )
            ).one_or_none()
            if shipment is None:
                raise ValidationError(f"no invoice {number} under policy {found.number}", field="invoice")
            shipment_ids.append(shipment.id)
        claim = file_claim(
            session,
            actor,
            found.id,
            cause=cause,
            shipment_ids=shipment_ids,
            insolvency_date=_date(insolvency_date, "insolvency_date"),
            event_date=_date(event_date, "event_date"),
            description=description,
        )
        for path in document or []:
            try:
                content = path.read_bytes()
            except OSError as error:
                raise ValidationError(f"cannot read {path}: {error.strerror}", field="document") from None
            upload_document(session, actor, claim.id, file_name=path.name, content=content)
        Console().print(
            f"{claim.number} filed: date of loss {claim.date_of_loss}, {len(claim.invoices)} invoice(s)"
        )


@claims_app.command("complete")
def complete_command(
    claim: Annotated[str, typer.Argument(help="The claim's number or id.")],
    as_user: AsOption = None,
) -> None:
    """Declare the claim's documents complete: the 30-day decision clock starts."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = mark_documents_complete(session, actor, find_claim(session, claim).id)
        Console().print(f"{found.number}: documents complete; decide by {found.decision_deadline}")


@claims_app.command("assess")
def assess_command(
    claim: Annotated[str, typer.Argument(help="The claim's number or id.")],
    preview: Annotated[bool, typer.Option("--preview", help="Compute and show; decide nothing.")] = False,
    outcome: Annotated[str | None, typer.Option(help="approved, partly_approved or rejected.")] = None,
    reason: Annotated[str | None, typer.Option(help="Why (needed to reject or partly approve).")] = None,
    amount: Annotated[str | None, typer.Option(help="The amount for a partial approval.")] = None,
    as_user: AsOption = None,
) -> None:
    """Preview the indemnity step by step, or decide the claim as a claims handler."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = find_claim(session, claim)
        console = Console()
        if preview or outcome is None:
            if not preview:
                raise ValidationError(
                    "give --outcome, or --preview to compute without deciding", field="outcome"
                )
            breakdown = preview_assessment(session, actor, found.id).to_json()
            _print_breakdown(console, found, breakdown, _insurer_names(session))
            return
        decided = assess_claim(
            session,
            actor,
            found.id,
            outcome=outcome,
            reason=reason,
            amount=None if amount is None else Money.of(amount, found.currency),
        )
        console.print(
            f"{decided.number}: {decided.status.value}, {decided.outcome.value if decided.outcome else ''} "
            f"{decided.indemnity}"
        )


claims_app.command("pay")(pay_command)
claims_app.command("recover")(recover_command)
claims_app.command("close")(close_command)
claims_app.command("service-levels")(service_levels_command)
