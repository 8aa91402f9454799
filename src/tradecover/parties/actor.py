"""The actor: who is acting, for which organisation, with which roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tradecover.db.tenancy import Tenant
from tradecover.errors import PermissionDenied
from tradecover.parties.roles import ROLE_TITLES, OrganisationKind, Role


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in user (or the system itself) as the services see it."""

    user_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    organisation_kind: OrganisationKind | None
    roles: frozenset[Role]

    @classmethod
    def system(cls) -> Actor:
        """The platform itself: CLI commands, scheduled jobs, the demo seeder."""
        return cls(None, None, None, frozenset({Role.PLATFORM_ADMIN}))

    @property
    def is_system(self) -> bool:
        """True for the platform itself rather than a person."""
        return self.user_id is None

    @property
    def is_platform_admin(self) -> bool:
        """True for the operator of the installation."""
        return Role.PLATFORM_ADMIN in self.roles

    @property
    def tenant(self) -> Tenant:
        """What this actor's queries may see: its own organisation, or everything for the operator."""
        if self.is_platform_admin or self.organisation_id is None:
            return Tenant.unrestricted()
        return Tenant.of(self.organisation_id)

    def has(self, *roles: Role) -> bool:
        """True when the actor holds any of the roles."""
        return bool(self.roles.intersection(roles))

    def require(self, *roles: Role) -> None:
        """Refuse with PermissionDenied unless the actor holds one of the roles."""
        if not self.has(*roles):
            wanted = " or ".join(ROLE_TITLES[r] for r in roles)
            raise PermissionDenied(f"this needs the role {wanted}")
