"""Rendering pages in the common layout, with the CSRF token, the viewer and flash messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from tradecover.money import Money
from tradecover.reference.countries import country_name
from tradecover.web.security import CSRF_FIELD, csrf_token
from tradecover.web.viewer import Viewer

TEMPLATES_DIR = Path(__file__).parent / "templates"
FLASH_KEY = "flash"

templates = Jinja2Templates(directory=TEMPLATES_DIR)


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%d %b %Y, %H:%M UTC") if value else "—"


def _country(code: str | None) -> str:
    return f"{country_name(code)} ({code})" if code else "—"


def _money(value: Money | None) -> str:
    return f"{value.currency} {value.amount:,}" if value is not None else "—"


def _sentence(value: str) -> str:
    return value[:1].upper() + value[1:] if value else value


templates.env.filters["when"] = _when
templates.env.filters["sentence"] = _sentence
templates.env.filters["country"] = _country
templates.env.filters["money"] = _money


def flash(request: Request, message: str, *, kind: str = "success") -> None:
    """Queue a message for the next page the browser shows."""
    messages = list(request.session.get(FLASH_KEY, []))
    messages.append({"kind": kind, "message": message})
    request.session[FLASH_KEY] = messages


def current_viewer(request: Request) -> Viewer | None:
    """The signed-in viewer of this request, once the sign-in dependency has run."""
    viewer = getattr(request.state, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else None


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    """A page in the layout: the template with viewer, CSRF token and pending flash messages."""
    has_session = "session" in request.scope  # absent only when the failure came before the middleware
    full: dict[str, Any] = {
        "viewer": current_viewer(request),
        # Set with the viewer by the sign-in dependency: the top bar's unread-alerts badge.
        "unread_alerts": getattr(request.state, "unread_alerts", None),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request) if has_session else "",
        "flashes": request.session.pop(FLASH_KEY, []) if has_session else [],
        "path": request.url.path,
        "errors": {},
        "values": {},
    }
    full.update(context or {})
    return templates.TemplateResponse(request, template, full, status_code=status)
