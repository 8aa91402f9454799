"""Request dependencies: one unit of work per request, committed before the answer, and the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Annotated, Any, cast

from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from tradecover.db.session import commit
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.db.turns import request_turn
from tradecover.errors import AuthenticationRequired, ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.model import User
from tradecover.parties.service import authenticate_api_key, get_user

NO_KEY = "send an API key: Authorization: Bearer tc_..."

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="tc_<prefix>_<secret>",
    description="An API key: `Authorization: Bearer tc_xxxxxxxx_...` (issue one with POST /api-keys).",
)


def session_maker(request: Request) -> sessionmaker[Session]:
    """The session factory the API was built with."""
    return cast("sessionmaker[Session]", request.app.state.sessions)


async def database_turn(request: Request) -> AsyncIterator[None]:
    """The request's turn at the database (`db.turns`), waited for before it takes a worker thread."""
    async with request_turn(session_maker(request)):
        yield


Turn = Annotated[None, Depends(database_turn, scope="function")]


def transaction(request: Request, _turn: Turn) -> Iterator[Session]:
    """One request = one unit of work: committed when the endpoint returns, rolled back on any error.

    Used with scope="function", so the commit runs before the response is sent and a failed commit
    becomes an error answer instead of a success that did not happen.
    """
    session = session_maker(request)()
    # Unrestricted only until the caller is known: authentication must look keys up across tenants.
    set_tenant(session, Tenant.unrestricted())
    try:
        yield session
        commit(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


UnitOfWork = Annotated[Session, Depends(transaction, scope="function")]


def current_actor(
    session: UnitOfWork,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The caller behind the API key; scopes the unit of work to what its organisation may see."""
    if credentials is None:
        raise AuthenticationRequired(NO_KEY)
    actor = authenticate_api_key(session, credentials.credentials)
    set_tenant(session, actor.tenant)
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def current_user(session: UnitOfWork, actor: CurrentActor) -> User:
    """The user the caller acts as."""
    assert actor.user_id is not None  # API keys always belong to a user
    return get_user(session, actor, actor.user_id)


CurrentUser = Annotated[User, Depends(current_user)]


def _needs_key(dependant: Dependant) -> bool:
    return any(d.call is current_actor or _needs_key(d) for d in dependant.dependencies)


def _presents_bearer(request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


def _query_names(dependant: Dependant) -> frozenset[str]:
    """Every query parameter the route and its dependencies declare (a query model's fields included)."""
    names: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        stack.extend(current.dependencies)
        for field in current.query_params:
            annotation = field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                names.update(info.alias or name for name, info in annotation.model_fields.items())
            else:
                names.add(field.alias)
    return frozenset(names)


class KeyFirstRoute(APIRoute):
    """A route that refuses a call without an API key before it reads the body, and unknown query names.

    FastAPI parses the body before it runs dependencies, so without this a caller with no key and a
    malformed body would learn about the body (422) instead of being told to authenticate (401). A
    misspelt query parameter (`?statu=open`) would otherwise be ignored silently and answer as if no
    filter had been asked for.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The usual handler, preceded by the key check on routes that need the caller."""
        handler = super().get_route_handler()
        needs_key = _needs_key(self.dependant)
        known = _query_names(self.dependant)

        async def checked(request: Request) -> Response:
            if needs_key and not _presents_bearer(request):
                raise AuthenticationRequired(NO_KEY)
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                takes = ", ".join(sorted(known)) or "none"
                raise ValidationError(
                    f"unknown query parameter {unknown[0]!r}; this operation takes: {takes}",
                    field=f"query.{unknown[0]}",
                )
            return await handler(request)

        return checked
