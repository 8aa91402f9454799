"""Request dependencies of the pages: the unit of work, the signed-in user, the posted form."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from tradecover.alerts.service import unread_count
from tradecover.db.session import commit
from tradecover.db.tenancy import set_tenant
from tradecover.db.turns import request_turn
from tradecover.parties.actor import Actor
from tradecover.parties.model import User
from tradecover.parties.service import actor_for, load_signed_in_user
from tradecover.web.security import PASSWORD_FINGERPRINT_KEY, password_fingerprint, signed_in_user_id
from tradecover.web.viewer import Viewer, viewer_of


class SignInRequired(Exception):
    """The page needs a signed-in user; the browser goes to the sign-in page and comes back."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


async def database_turn(request: Request) -> AsyncIterator[None]:
    """The request's turn at the database (`db.turns`), waited for before it takes a worker thread."""
    async with request_turn(request.app.state.sessions):
        yield


def open_work(
    request: Request, _turn: Annotated[None, Depends(database_turn, scope="function")]
) -> Iterator[Session]:
    """One request, one transaction: committed after the handler returns, before the response is sent.

    The session starts without a tenant, so it can read nothing tenant-owned until the signed-in user
    is known (`signed_in` sets the tenant) — except the tenant-exempt sign-in queries.
    """
    sessions: sessionmaker[Session] = request.app.state.sessions
    session = sessions()
    try:
        yield session
        commit(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


Work = Annotated[Session, Depends(open_work, scope="function")]


@dataclass(frozen=True, slots=True)
class Page:
    """What a signed-in page handler works with."""

    request: Request
    session: Session
    user: User
    actor: Actor
    viewer: Viewer


def signed_in(request: Request, session: Work) -> Page:
    """The signed-in user, re-checked against the database on every request; else go and sign in."""
    user_id = signed_in_user_id(request)
    user = load_signed_in_user(session, user_id) if user_id is not None else None
    if user is not None and request.session.get(PASSWORD_FINGERPRINT_KEY) != password_fingerprint(
        user.password_hash
    ):
        user = None  # the password changed since this browser signed in
    if user is None:
        if user_id is not None:
            request.session.clear()
        target = request.url.path if request.method == "GET" else "/"
        if request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        raise SignInRequired(target)
    actor = actor_for(user)
    set_tenant(session, actor.tenant)
    viewer = viewer_of(user)
    request.state.viewer = viewer
    request.state.unread_alerts = unread_count(session, actor)
    return Page(request, session, user, actor, viewer)


SignedIn = Annotated[Page, Depends(signed_in)]


async def read_form(request: Request) -> FormData:
    """The posted form (read once; the CSRF check has already parsed it)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(read_form)]


def text(form: FormData, name: str) -> str:
    """A text field of the form, '' when absent or not text."""
    value = form.get(name)
    return value if isinstance(value, str) else ""
