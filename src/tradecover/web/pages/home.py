"""The home page: one per role, with the organisation, its people, its keys and its recent activity."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.responses import HTMLResponse

from tradecover.audit.model import AuditEvent
from tradecover.audit.service import recent_events
from tradecover.money import Money
from tradecover.parties.roles import Role
from tradecover.parties.service import get_organisation, list_api_keys, list_organisations, list_users
from tradecover.web.dependencies import SignedIn
from tradecover.web.rendering import render
from tradecover.web.workspaces import KIND_TITLES

router = APIRouter()

ACTION_TITLES = {
    "organisation.created": "Organisation registered",
    "user.created": "User added",
    "user.password_set": "Password changed",
    "api_key.issued": "API key issued",
    "api_key.revoked": "API key revoked",
}


@dataclass(frozen=True, slots=True)
class ActivityLine:
    """One audit event as a sentence."""

    at: object
    what: str
    who: str
    object_type: str


def describe(events: list[AuditEvent], names: dict[uuid.UUID, str]) -> list[ActivityLine]:
    """Audit events in words; people of other organisations are not named."""
    lines = []
    for event in events:
        if event.actor_user_id is None:
            who = "tradecover (system)"
        else:
            who = names.get(event.actor_user_id, "Someone outside your organisation")
        what = ACTION_TITLES.get(event.action, event.action.replace(".", " ").replace("_", " ").capitalize())
        lines.append(ActivityLine(event.at, what, who, event.object_type))
    return lines


@router.get("/", response_class=HTMLResponse)
def home(page: SignedIn) -> HTMLResponse:
    """The signed-in user's home: its role's workspace with the data that exists now."""
    session, actor = page.session, page.actor
    organisation = get_organisation(session, actor, page.user.organisation_id)
    users = list_users(session, actor, organisation.id)
    names = {user.id: user.full_name for user in users}
    keys = [key for key in list_api_keys(session, actor) if key.organisation_id == organisation.id]
    is_admin = actor.has(Role.PLATFORM_ADMIN, Role.INSURER_ADMIN)
    context: dict[str, object] = {
        "organisation": organisation,
        "kind_title": KIND_TITLES[organisation.kind],
        "prior_year_exports": (
            Money.from_minor(organisation.prior_year_exports_usd_minor, "USD")
            if organisation.prior_year_exports_usd_minor is not None
            else None
        ),
        "users": users if is_admin else [],
        "user_count": len(users),
        "active_keys": [key for key in keys if key.revoked_at is None],
        "activity": describe(list(recent_events(session, limit=8)), names),
        "workspace": page.viewer.workspace,
    }
    if actor.is_platform_admin:
        organisations = list_organisations(session, actor)
        context["organisations_by_kind"] = sorted(
            Counter(KIND_TITLES[o.kind] for o in organisations).items(), key=lambda item: item[0]
        )
        context["organisation_count"] = len(organisations)
        context["latest_organisations"] = sorted(organisations, key=lambda o: o.created_at, reverse=True)[:5]
    return render(page.request, "home.html", context)
