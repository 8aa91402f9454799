"""`tradecover premiums`: invoice a month, list invoices, record a payment, credit, dun, true up."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.output import print_table
from tradecover.clock import get_clock
from tradecover.errors import ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.service import actor_by_email
from tradecover.policies.service import find_policy
from tradecover.premiums.credit_notes import credit_invoice
from tradecover.premiums.dunning import run_dunning
from tradecover.premiums.invoicing import issue_invoice, issue_invoices, true_up_minimum_premium
from tradecover.premiums.model import InvoiceStatus, PremiumInvoice
from tradecover.premiums.payments import record_premium_payment
from tradecover.premiums.rules import DUNNING_TITLES
from tradecover.premiums.service import InvoiceFilter, find_invoice, list_invoices

premiums_app = typer.Typer(
    help="Premium invoices: invoice a month, list, pay, credit, dunning, minimum-premium true-up.",
    no_args_is_help=True,
)
AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this user (e-mail); default: the platform.")
]
OnOption = Annotated[str | None, typer.Option("--on", help="The date, YYYY-MM-DD (default today).")]


def _date(raw: str | None, field: str = "on") -> dt.date:
    if raw is None:
        return get_clock().today()
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"{raw!r} is not a date (YYYY-MM-DD)", field=field) from None


def _line(invoice: PremiumInvoice) -> str:
    shares = "; ".join(
        f"{s['programme_name']}: {s['amount']} ({s['explanation']})" for s in invoice.subsidies
    )
    text = (
        f"{invoice.number} {invoice.period_start:%Y-%m}: premium {invoice.premium}, firm pays "
        f"{invoice.firm_share}, paid {invoice.paid}, {invoice.status.value.replace('_', ' ')}, "
        f"due {invoice.due_date}"
    )
    return f"{text} — {shares}" if shares else text


@premiums_app.command("invoice")
def invoice_command(
    month: Annotated[str, typer.Option("--month", help="The month to invoice, YYYY-MM.")],
    policy: Annotated[str | None, typer.Option("--policy", help="Only this policy (number or id).")] = None,
    on: OnOption = None,
    as_user: AsOption = None,
) -> None:
    """Invoice a month's insured declared turnover (every policy, or one); a second run changes nothing."""
    day = _date(on)
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        if policy is not None:
            found = find_policy(session, Actor.system(), policy)
            invoice = issue_invoice(session, actor, found.id, month, on=day)
            invoices = [invoice] if invoice else []
        else:
            invoices = list(issue_invoices(session, actor, month, on=day).invoices)
        console = Console()
        for invoice in invoices:
            console.print(_line(invoice))
        console.print(f"{len(invoices)} invoice(s) for {month}")


@premiums_app.command("list")
def list_command(
    policy: Annotated[str | None, typer.Option("--policy", help="Only this policy's (number or id).")] = None,
    status: Annotated[str | None, typer.Option(help="issued, partly_paid, paid or credited.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
) -> None:
    """List invoices: number, policy, month, premium, programme share, firm share, paid, status, dunning."""
    try:
        wanted = InvoiceStatus(status) if status else None
    except ValueError:
        allowed = ", ".join(s.value for s in InvoiceStatus)
        raise ValidationError(f"{status!r} is not one of {allowed}", field="status") from None
    with open_engine() as engine, command_transaction(engine) as session:
        policy_id = find_policy(session, Actor.system(), policy).id if policy else None
        found = list_invoices(session, InvoiceFilter(policy_id=policy_id, status=wanted), limit=limit)
        table = Table(title=f"{len(found)} invoices")
        for column in (
            "Invoice",
            "Month",
            "Premium",
            "Programmes",
            "Firm",
            "Paid",
            "Status",
            "Due",
            "Dunning",
        ):
            table.add_column(column, no_wrap=True)
        for x in found:
            table.add_row(
                x.number,
                f"{x.period_start:%Y-%m}",
                str(x.premium),
                str(x.subsidy),
                str(x.firm_share),
                str(x.paid),
                x.status.value.replace("_", " "),
                x.due_date.isoformat(),
                DUNNING_TITLES[x.dunning_level],
            )
    print_table(table)


@premiums_app.command("pay")
def pay_command(
    invoice: Annotated[str, typer.Argument(help="The invoice's number or id.")],
    amount: Annotated[str, typer.Argument(help="The amount received, in the invoice currency.")],
    on: Annotated[str, typer.Option("--on", help="The day it was received, YYYY-MM-DD.")],
    idempotency_key: Annotated[
        str | None, typer.Option("--idempotency-key", help="A retry with the same key records nothing again.")
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Record a payment of an invoice; more than what is open is held as the firm's credit."""
    day = _date(on, "on")
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = find_invoice(session, invoice)
        payment = record_premium_payment(
            session, actor, found.id, Money.of(amount, found.currency), day, idempotency_key
        )
        Console().print(
            f"payment {payment.id}: {payment.amount} — applied {payment.applied}, held as credit "
            f"{payment.over}; {_line(found)}"
        )


@premiums_app.command("credit")
def credit_command(
    invoice: Annotated[str, typer.Argument(help="The invoice's number or id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the invoice is cancelled.")],
    on: OnOption = None,
    as_user: AsOption = None,
) -> None:
    """Cancel an invoice in full with a credit note (its shipments are invoiced again on the next run)."""
    day = _date(on)
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = find_invoice(session, invoice)
        note = credit_invoice(session, actor, found.id, reason, on=day)
        Console().print(
            f"{note.number} cancels {found.number}: {note.amount}; to the firm's credit {note.to_credit}"
        )


@premiums_app.command("dunning")
def dunning_command(on: OnOption = None) -> None:
    """Set each unpaid invoice's dunning step for the day and apply the products' non-payment effect."""
    day = _date(on)
    with open_engine() as engine, command_transaction(engine) as session:
        run = run_dunning(session, day)
        console = Console()
        for number, level in run.changed:
            console.print(f"{number}: {DUNNING_TITLES[level]}")
        for policy in run.policies_in_arrears:
            console.print(f"{policy}: no new limits (premium unpaid)")
        console.print(
            f"{len(run.changed)} invoice(s) moved on {day}; {len(run.policies_in_arrears)} in arrears"
        )


@premiums_app.command("true-up")
def true_up_command(
    policy: Annotated[str, typer.Option("--policy", help="The policy's number or id.")],
    on: OnOption = None,
    as_user: AsOption = None,
) -> None:
    """Invoice what the policy year's net premium falls short of the minimum premium."""
    day = _date(on)
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = find_policy(session, Actor.system(), policy)
        invoice = true_up_minimum_premium(session, actor, found.id, on=day)
        if invoice is None:
            Console().print(f"{found.number}: the year's premium reached the minimum; no true-up")
        else:
            Console().print(_line(invoice))
