"""The alerts page: what happened to the buyers and limits of the signed-in user's organisation."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tradecover.alerts.service import list_alerts, mark_all_read, mark_read, unread_count
from tradecover.web.dependencies import SignedIn
from tradecover.web.rendering import flash, render
from tradecover.web.workspaces import ALERTS_PATH, BUYERS_PATH

router = APIRouter(prefix=ALERTS_PATH)

# Where an alert's subject is shown, by subject type; subjects without a page are shown unlinked.
SUBJECT_PATHS = {"Buyer": BUYERS_PATH + "/{subject_id}"}


@router.get("", response_class=HTMLResponse)
def alerts(page: SignedIn) -> HTMLResponse:
    """The organisation's alerts, newest first, unread ones marked."""
    unread_only = page.request.query_params.get("unread") == "1"
    return render(
        page.request,
        "alerts.html",
        {
            "alerts": list_alerts(page.session, page.actor, unread_only=unread_only),
            "unread": unread_count(page.session, page.actor),
            "unread_only": unread_only,
            "subject_paths": SUBJECT_PATHS,
        },
    )


@router.post("/read-all", response_class=HTMLResponse)
def read_all(page: SignedIn) -> Response:
    """Mark every unread alert of the organisation read."""
    marked = mark_all_read(page.session, page.actor)
    flash(page.request, f"{marked} alert{'s' if marked != 1 else ''} marked read.")
    return RedirectResponse(ALERTS_PATH, status_code=303)


@router.post("/{alert_id}/read", response_class=HTMLResponse)
def read(page: SignedIn, alert_id: uuid.UUID) -> Response:
    """Mark one alert read."""
    mark_read(page.session, page.actor, alert_id)
    return RedirectResponse(ALERTS_PATH, status_code=303)
