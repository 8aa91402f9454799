"""The signed-in person as the layout shows them: a plain snapshot, safe to render after a rollback."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tradecover.parties.model import User
from tradecover.parties.roles import ROLE_TITLES, Role
from tradecover.web.workspaces import (
    API_KEYS_PATH,
    KIND_TITLES,
    PASSWORD_PATH,
    WORKSPACES,
    Workspace,
    ordered_roles,
    primary_role,
)


@dataclass(frozen=True, slots=True)
class NavItem:
    """One navigation entry; `href` None means the area is not available yet."""

    label: str
    href: str | None
    description: str = ""


@dataclass(frozen=True, slots=True)
class NavGroup:
    """A titled group of navigation entries."""

    title: str
    items: tuple[NavItem, ...]


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is signed in, for which organisation, and what their navigation holds."""

    user_id: uuid.UUID
    full_name: str
    email: str
    organisation_id: uuid.UUID
    organisation_name: str
    organisation_kind: str
    roles: tuple[Role, ...]
    workspace: Workspace
    navigation: tuple[NavGroup, ...]

    @property
    def role_titles(self) -> str:
        """The roles as one readable line."""
        return ", ".join(ROLE_TITLES[role] for role in self.roles)

    @property
    def initials(self) -> str:
        """Up to two initials for the avatar."""
        parts = [p for p in self.full_name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"


def viewer_of(user: User) -> Viewer:
    """Snapshot a signed-in user and build the navigation its roles allow."""
    roles = ordered_roles(user.roles)
    workspace = WORKSPACES[primary_role(user.roles)]
    groups: list[NavGroup] = [NavGroup("Overview", (NavItem("Home", "/"),))]
    for role in roles:
        items = tuple(
            NavItem(
                section.label,
                section.href.format(organisation_id=user.organisation_id) if section.href else None,
                section.description,
            )
            for section in WORKSPACES[role].sections
        )
        groups.append(NavGroup(ROLE_TITLES[role], items))
    groups.append(
        NavGroup("Account", (NavItem("API keys", API_KEYS_PATH), NavItem("Password", PASSWORD_PATH)))
    )
    return Viewer(
        user_id=user.id,
        full_name=user.full_name,
        email=user.email,
        organisation_id=user.organisation_id,
        organisation_name=user.organisation.name,
        organisation_kind=KIND_TITLES[user.organisation.kind],
        roles=roles,
        workspace=workspace,
        navigation=tuple(groups),
    )
