"""Tenant scoping in the query layer: what an organisation has no part in is simply not found.

Every session carries a `Tenant`. Each mapped class that belongs to organisations mixes in
`TenantScoped` and says, in `tenant_criteria`, which of its rows an organisation may see. A session
event adds those criteria to every ORM SELECT, UPDATE and DELETE (and the relationship loads that
follow), so services and handlers never filter by hand and cannot forget to.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

TENANT_KEY = "tradecover.tenant"


@dataclass(frozen=True, slots=True)
class Tenant:
    """Whose eyes a session sees through: one organisation, or unrestricted (operator, system jobs)."""

    organisation_id: uuid.UUID | None

    @classmethod
    def of(cls, organisation_id: uuid.UUID) -> Tenant:
        """Scope to one organisation."""
        return cls(organisation_id)

    @classmethod
    def unrestricted(cls) -> Tenant:
        """See everything: for the platform operator, the CLI and scheduled jobs."""
        return cls(None)

    @property
    def is_unrestricted(self) -> bool:
        """True when no organisation filter applies."""
        return self.organisation_id is None


class MissingTenant(RuntimeError):
    """A query on tenant-owned data ran in a session that was never given a tenant."""


class TenantScoped:
    """Mixin for mapped classes whose rows belong to organisations."""

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The rows that `organisation_id` may see (subclasses define it)."""
        raise NotImplementedError(f"{cls.__name__} must define tenant_criteria")


def set_tenant(session: Session, tenant: Tenant) -> None:
    """Scope every later query of the session to the tenant."""
    session.info[TENANT_KEY] = tenant


def get_tenant(session: Session) -> Tenant:
    """The session's tenant; a session without one refuses to read tenant-owned data."""
    tenant = session.info.get(TENANT_KEY)
    if not isinstance(tenant, Tenant):
        raise MissingTenant("this session has no tenant: call set_tenant() before querying")
    return tenant


def _scoped_classes() -> list[type[TenantScoped]]:
    found: list[type[TenantScoped]] = []
    stack = list(TenantScoped.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if hasattr(cls, "__table__"):
            found.append(cls)
    return found


@event.listens_for(Session, "do_orm_execute")
def _apply_tenant_criteria(state: ORMExecuteState) -> None:
    if state.is_column_load or state.is_relationship_load:
        return  # the options of the statement that loaded the parent already apply
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get("tenant_exempt", False):
        return
    tenant = state.session.info.get(TENANT_KEY)
    if tenant is None:
        if any(_touches(state, cls) for cls in _scoped_classes()):
            raise MissingTenant("this session has no tenant: call set_tenant() before querying")
        return
    if tenant.is_unrestricted:
        return
    state.statement = state.statement.options(
        *_criteria_options(tenant.organisation_id, tuple(_scoped_classes()))
    )


@functools.lru_cache(maxsize=4096)
def _criteria_options(organisation_id: uuid.UUID, classes: tuple[type[TenantScoped], ...]) -> tuple[Any, ...]:
    # Building the criteria of every scoped class costs more than most queries: build them once per
    # organisation (the options are immutable and safe to share between statements and threads).
    return tuple(
        with_loader_criteria(cls, cls.tenant_criteria(organisation_id), include_aliases=True)
        for cls in classes
    )


def _touches(state: ORMExecuteState, cls: type) -> bool:
    return any(getattr(mapper, "class_", None) is cls for mapper in state.all_mappers)
