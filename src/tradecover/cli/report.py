"""`tradecover report`: the printable PDF report of an oversight view for a period.

The command acts as the platform: `--as regulator` reports the market; `--as insurer|programme|bank`
reports what that organisation's officer sees, so `--organisation` names the organisation.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.cli.database import command_transaction, open_engine
from tradecover.errors import NotFound, ValidationError
from tradecover.oversight.period import Period
from tradecover.oversight.report import build_report
from tradecover.oversight.scope import Audience
from tradecover.oversight.views import build_view
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.reference.currencies import get_currency

# The kind of organisation each audience is, and the role its officer reads the view with.
OFFICER: dict[Audience, tuple[OrganisationKind, Role]] = {
    Audience.REGULATOR: (OrganisationKind.REGULATOR, Role.REGULATOR),
    Audience.INSURER: (OrganisationKind.INSURER, Role.INSURER_ADMIN),
    Audience.PROGRAMME: (OrganisationKind.PROGRAMME_BODY, Role.PROGRAMME_OFFICER),
    Audience.BANK: (OrganisationKind.BANK, Role.BANK_OFFICER),
}


def _audience(raw: str) -> Audience:
    try:
        return Audience(raw.strip().lower())
    except ValueError:
        allowed = ", ".join(a.value for a in Audience)
        raise ValidationError(f"{raw!r} is not one of {allowed}", field="--as") from None


def _day(raw: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"{raw!r} is not a date (YYYY-MM-DD)", field=option) from None


def _period(date_from: str, date_to: str) -> Period:
    first, last = _day(date_from, "--from"), _day(date_to, "--to")
    if last < first:
        raise ValidationError(f"{last.isoformat()} is before --from {first.isoformat()}", field="--to")
    try:
        return Period.of(first, last)
    except ValidationError as error:
        raise ValidationError(error.message, field="--to") from None


def _currency(raw: str) -> str:
    try:
        return get_currency(raw.strip()).code
    except ValidationError as error:
        raise ValidationError(error.message, field="--currency") from None


def _target(out: Path) -> Path:
    """The file to write, refused now (before any work) when it cannot be written."""
    target = out.expanduser().absolute()
    if target.is_dir():
        raise ValidationError(f"{out} is a folder: name the PDF file, e.g. report.pdf", field="--out")
    if not target.parent.is_dir():
        raise ValidationError(f"the folder {target.parent} does not exist", field="--out")
    if not os.access(target.parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise ValidationError(f"cannot write {out}: permission denied", field="--out")
    return target


def _organisation(session: Session, raw: str, audience: Audience) -> Organisation:
    text = raw.strip()
    try:
        found = session.scalars(select(Organisation).where(Organisation.id == uuid.UUID(text))).all()
    except ValueError:
        found = session.scalars(select(Organisation).where(Organisation.name == text)).all()
    if not found:
        raise NotFound(f"no organisation has the id or name {text!r}", field="--organisation")
    if len(found) > 1:
        raise ValidationError(
            f"{len(found)} organisations are called {text!r}: give its id", field="--organisation"
        )
    kind = OFFICER[audience][0]
    if found[0].kind is not kind:
        actual, wanted = found[0].kind.value.replace("_", " "), kind.value.replace("_", " ")
        raise ValidationError(f"{found[0].name} is {_a(actual)}, not {_a(wanted)}", field="--organisation")
    return found[0]


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _actor(session: Session, audience: Audience, organisation: str | None) -> Actor:
    """Whose eyes the report is read with: the platform for the market, else the organisation's officer."""
    if organisation is None:
        return Actor.system()
    found = _organisation(session, organisation, audience)
    return Actor(None, found.id, found.kind, frozenset({OFFICER[audience][1]}))


def _write(target: Path, content: bytes, out: Path) -> None:
    """Write through a temporary file beside the target, so a failed write leaves no half a PDF."""
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise ValidationError(f"cannot write {out}: {error.strerror or error}", field="--out") from None


def report(
    audience: Annotated[str, typer.Option("--as", help="regulator, insurer, programme or bank.")],
    date_from: Annotated[str, typer.Option("--from", help="The first day, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="The last day, YYYY-MM-DD (included).")],
    out: Annotated[Path, typer.Option("--out", help="The PDF file to write.")],
    currency: Annotated[str, typer.Option("--currency", help="The reporting currency.")] = "CNY",
    organisation: Annotated[
        str | None,
        typer.Option(
            "--organisation",
            help="The insurer, programme body or bank (name or id); for --as regulator, optional.",
        ),
    ] = None,
) -> None:
    """Write the printable PDF report of an oversight view: the market, or one organisation's book."""
    wanted = _audience(audience)
    period = _period(date_from, date_to)
    code = _currency(currency)
    if wanted is not Audience.REGULATOR and organisation is None:
        raise ValidationError(
            f"name the {wanted.value} whose report this is (name or id)", field="--organisation"
        )
    target = _target(out)
    with open_engine() as engine, command_transaction(engine) as session:
        try:
            view = build_view(session, _actor(session, wanted, organisation), wanted, period, code)
        except ValidationError as error:
            if error.field != "date":
                raise
            # No reference FX rate for a month of the period: the dates asked for are at fault.
            raise ValidationError(error.message, field="--from/--to") from None
    rendered = build_report(view)
    _write(target, rendered.pdf, out)
    pages = "page" if rendered.pages == 1 else "pages"
    typer.echo(f"{out}: {view.title} for {view.viewer}, {period.label}, {rendered.pages} {pages}")
