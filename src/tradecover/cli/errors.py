"""The one place where the CLI turns refusals into a single line on stderr and an exit code.

Domain errors (`tradecover.errors`, `DatabaseNotReady` included), usage errors and an unreachable
database all end the command with exit code 2 and one line, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from sqlalchemy.exc import OperationalError
from typer.core import TyperGroup

from tradecover.errors import DomainError

USER_ERROR_EXIT = 2


def one_line(text: str) -> str:
    """The text with its line breaks and runs of spaces folded into single spaces."""
    return " ".join(text.split())


def fail(message: str, exit_code: int = USER_ERROR_EXIT) -> NoReturn:
    """Print `error: message` as one line on stderr and end the command with the exit code."""
    typer.echo(f"error: {one_line(message)}", err=True)
    raise SystemExit(exit_code)


def _database_message(error: OperationalError) -> str:
    reason = str(error.orig) if error.orig is not None else str(error)
    return f"cannot use the database: {reason.strip().splitlines()[0] if reason.strip() else 'unknown error'}"


class CommandGroup(TyperGroup):
    """The root command group: runs a command and maps every user-facing failure to one line."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; in standalone mode exit with the command's code."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except DomainError as error:
            fail(str(error))
        except OperationalError as error:
            fail(_database_message(error))
        except typer.TyperException as error:
            fail(error.format_message(), getattr(error, "exit_code", USER_ERROR_EXIT))
        except typer.Abort:
            fail("aborted", 1)
        sys.exit(result if isinstance(result, int) else 0)
