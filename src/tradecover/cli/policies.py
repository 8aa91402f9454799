"""`tradecover policies` and `tradecover products`: list and show policies, list insurers' products."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.output import print_table
from tradecover.cli.parties import find_organisation
from tradecover.errors import ValidationError
from tradecover.parties.actor import Actor
from tradecover.policies.model import PolicyStatus
from tradecover.policies.products import list_products
from tradecover.policies.quotes import organisation_names
from tradecover.policies.service import find_policy, list_policies
from tradecover.policies.terms import PRODUCT_KIND_TITLES, CauseOfLoss

policies_app = typer.Typer(help="Policies: list and show.", no_args_is_help=True)
products_app = typer.Typer(help="Insurers' products and their main terms.", no_args_is_help=True)

OrgFilter = Annotated[
    str | None, typer.Option("--org", help="Only this organisation's (its id or exact name).")
]


def _status(raw: str | None) -> PolicyStatus | None:
    if raw is None:
        return None
    try:
        return PolicyStatus(raw)
    except ValueError:
        allowed = ", ".join(s.value for s in PolicyStatus)
        raise ValidationError(f"{raw!r} is not one of {allowed}", field="status") from None


@policies_app.command("list")
def list_policies_command(
    org: OrgFilter = None,
    status: Annotated[str | None, typer.Option(help="in_force, expired or cancelled.")] = None,
) -> None:
    """List policies: number, product, policyholder, insurer, period and status."""
    actor = Actor.system()
    with open_engine() as engine, command_transaction(engine) as session:
        policies = list(list_policies(session, actor, status=_status(status)))
        if org is not None:
            organisation = find_organisation(session, actor, org)
            policies = [p for p in policies if organisation.id in (p.policyholder_id, p.insurer_id)]
        names = organisation_names(session, [o for p in policies for o in (p.policyholder_id, p.insurer_id)])
        table = Table(title=f"{len(policies)} policies")
        for column in ("Number", "Product", "Policyholder", "Insurer", "Currency", "Period", "Status", "Id"):
            table.add_column(column, no_wrap=column in ("Number", "Id", "Period"))
        for p in policies:
            table.add_row(
                p.number,
                PRODUCT_KIND_TITLES[p.product_kind],
                names.get(p.policyholder_id, ""),
                names.get(p.insurer_id, ""),
                p.currency,
                f"{p.period_start} – {p.period_end}",
                p.status.value.replace("_", " "),
                str(p.id),
            )
    print_table(table)


@policies_app.command("show")
def show_policy_command(
    policy: Annotated[str, typer.Argument(help="The policy's number (TC-2026-000001) or id.")],
) -> None:
    """Show one policy: parties, period, status, its current terms and every version."""
    actor = Actor.system()
    console = Console()
    with open_engine() as engine, command_transaction(engine) as session:
        found = find_policy(session, actor, policy)
        names = organisation_names(session, [found.policyholder_id, found.insurer_id])
        terms = found.current_version.terms
        summary = Table(title=f"Policy {found.number}", show_header=False)
        summary.add_column("Term")
        summary.add_column("Value")
        rows = [
            ("Product", PRODUCT_KIND_TITLES[found.product_kind]),
            ("Policyholder", names.get(found.policyholder_id, "")),
            ("Insurer", names.get(found.insurer_id, "")),
            ("Period", f"{found.period_start} – {found.period_end}"),
            ("Status", found.status.value.replace("_", " ")),
            ("Currency", found.currency),
            *(
                (f"Indemnity, {cause.value.replace('_', ' ')}", str(terms.indemnity.for_cause(cause)))
                for cause in CauseOfLoss
            ),
            ("Maximum credit period", f"{terms.max_credit_period_days} days"),
            ("DCL", str(terms.dcl)),
            ("Non-qualifying loss", str(terms.non_qualifying_loss)),
            ("Aggregate first loss", str(terms.aggregate_first_loss)),
            ("Maximum liability", str(terms.maximum_liability)),
            ("Minimum premium", str(terms.minimum_premium)),
        ]
        if found.cancelled_on is not None:
            rows.append(("Cancelled from", f"{found.cancelled_on}: {found.cancellation_reason}"))
        for label, value in rows:
            summary.add_row(label, value)
        versions = Table(title="Versions")
        for column in ("Version", "Effective from", "Reason"):
            versions.add_column(column)
        for version in found.versions:
            versions.add_row(str(version.version), str(version.effective_from), version.reason)
    print_table(summary, console)
    print_table(versions, console)


@products_app.command("list")
def list_products_command(org: OrgFilter = None) -> None:
    """List every insurer's products with their currency, credit period, DCL and minimum premium."""
    actor = Actor.system()
    with open_engine() as engine, command_transaction(engine) as session:
        products = list(list_products(session, actor))
        if org is not None:
            organisation = find_organisation(session, actor, org)
            products = [p for p in products if p.insurer_id == organisation.id]
        names = organisation_names(session, [p.insurer_id for p in products])
        table = Table(title=f"{len(products)} products")
        for column in (
            "Insurer",
            "Product",
            "Currency",
            "Max credit period",
            "DCL",
            "Minimum premium",
            "Quotes",
            "Id",
        ):
            table.add_column(column, no_wrap=column == "Id")
        for p in sorted(products, key=lambda p: (names.get(p.insurer_id, ""), p.kind.value)):
            terms = p.terms
            table.add_row(
                names.get(p.insurer_id, ""),
                p.name + ("" if p.is_active else " (inactive)"),
                terms.currency,
                f"{terms.max_credit_period_days} days",
                str(terms.dcl),
                str(terms.minimum_premium),
                "at once" if p.sends_quotes_automatically else "reviewed",
                str(p.id),
            )
    print_table(table)
