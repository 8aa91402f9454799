"""Re-rendering a refused form: field messages, the values typed, HTTP 422, nothing saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse

from tradecover.errors import DomainError
from tradecover.web.dependencies import Page
from tradecover.web.rendering import render
from tradecover.web.security import CSRF_FIELD

FORM_ERROR = "__form__"
SECRET_FIELDS = frozenset({"password", "current_password", "new_password", "confirm_password"})


def field_errors(error: DomainError) -> dict[str, str]:
    """The refusal as {field: message}; a refusal without a field belongs to the whole form."""
    return {error.field or FORM_ERROR: error.message}


def typed_values(form: FormData) -> dict[str, Any]:
    """What the user typed, to fill the form again (never passwords or the CSRF token)."""
    values: dict[str, Any] = {}
    for key in form:
        if key in SECRET_FIELDS or key == CSRF_FIELD:
            continue
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        values[key] = items if len(items) > 1 else (items[0] if items else "")
    return values


def discard(session: Session) -> None:
    """Undo whatever the refused use case may have flushed, so that nothing partial is committed."""
    session.rollback()


def refused(
    page: Page,
    template: str,
    context: Callable[[], dict[str, Any]],
    errors: dict[str, str],
    form: FormData,
) -> HTMLResponse:
    """Roll back, then show the form again (context read after the rollback) with its messages."""
    discard(page.session)
    values = typed_values(form)
    return render(page.request, template, {**context(), "errors": errors, "values": values}, status=422)
