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

from sqlalchemy import ColumnElement, Executable, event
from sqlalchemy import inspect as sqlalchemy_inspect
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.cache_key import HasCacheKey

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


@functools.cache
def _scoped_classes() -> tuple[type[TenantScoped], ...]:
    found: list[type[TenantScoped]] = []
    stack = list(TenantScoped.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if hasattr(cls, "__table__"):
            found.append(cls)
    return tuple(found)


@event.listens_for(Mapper, "after_configured")
def _forget_mappings() -> None:
    # Classes mapped after the caches were filled (none in the platform, but possible) must be seen.
    _scoped_classes.cache_clear()
    _scoped_classes_in.cache_clear()
    _mappers_in_criteria.cache_clear()


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
    classes = _scoped_classes_reached(state.statement)
    if classes:
        state.statement = state.statement.options(*_criteria_options(tenant.organisation_id, classes))


def _scoped_classes_reached(statement: Executable) -> tuple[type[TenantScoped], ...]:
    """The scoped classes whose criteria can bear on the statement or on loads from what it returns.

    Adding the criteria of every scoped class to every statement made the statement's cache key (built
    for each execution) cost more than the query itself. A class's criteria change nothing where the
    class does not occur, so only the classes whose entities the statement's cache key names, and those
    that can follow from them (see `_mappers_reached`), are given theirs.
    """
    key = statement._generate_cache_key() if isinstance(statement, HasCacheKey) else None
    if key is None:
        return _scoped_classes()  # an uncacheable construct: no telling what it reads, so all of them
    return _scoped_classes_in(key.key)


@functools.lru_cache(maxsize=4096)
def _scoped_classes_in(cache_key: tuple[Any, ...]) -> tuple[type[TenantScoped], ...]:
    reached = _mappers_reached(_mappers_named(cache_key))
    return tuple(cls for cls in _scoped_classes() if sqlalchemy_inspect(cls) in reached)


def _mappers_named(cache_key: tuple[Any, ...]) -> set[Mapper[Any]]:
    """The mappers a cache key names: those of the ORM entities and columns in the statement.

    Loader criteria apply only to ORM entities, never to a plain table (which the criteria themselves
    use where they must not be filtered again), and every entity's mapper is part of the key.
    """
    named: set[Mapper[Any]] = set()
    stack: list[Any] = [cache_key]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, Mapper):
            named.add(item)
    return named


def _mappers_reached(mappers: set[Mapper[Any]]) -> set[Mapper[Any]]:
    """The mappers and every mapper whose criteria can follow from them.

    That is their inheritance relatives, the mappers their relationships load and the mappers named in
    their own criteria (the criteria of a class apply inside another class's criteria too).
    """
    reached: set[Mapper[Any]] = set()
    stack = list(mappers)
    while stack:
        mapper = stack.pop()
        if mapper in reached:
            continue
        reached.add(mapper)
        stack.extend(mapper.iterate_to_root())
        stack.extend(mapper.self_and_descendants)
        stack.extend(relationship.mapper for relationship in mapper.relationships)
        stack.extend(_mappers_in_criteria(mapper))
    return reached


@functools.cache
def _mappers_in_criteria(mapper: Mapper[Any]) -> tuple[Mapper[Any], ...]:
    cls = mapper.class_
    if not issubclass(cls, TenantScoped):
        return ()
    # The criteria's shape does not depend on the organisation, only their parameters do.
    key = cls.tenant_criteria(uuid.UUID(int=0))._generate_cache_key()
    if key is None:
        return tuple(sqlalchemy_inspect(scoped) for scoped in _scoped_classes())
    return tuple(_mappers_named(key.key))


@functools.lru_cache(maxsize=4096)
def _criteria_options(organisation_id: uuid.UUID, classes: tuple[type[TenantScoped], ...]) -> tuple[Any, ...]:
    # Building the criteria of the scoped classes costs more than most queries: build them once per
    # organisation (the options are immutable and safe to share between statements and threads).
    return tuple(
        with_loader_criteria(cls, cls.tenant_criteria(organisation_id), include_aliases=True)
        for cls in classes
    )


def _touches(state: ORMExecuteState, cls: type) -> bool:
    return any(getattr(mapper, "class_", None) is cls for mapper in state.all_mappers)
