"""Web session keys, CSRF tokens and safe redirect targets.

The session is a signed cookie (Starlette's SessionMiddleware). It holds the signed-in user's id, a
fingerprint of the password hash it signed in with (so that changing the password ends every other
browser's session), the CSRF token and flash messages. Every unsafe request must carry the session's
CSRF token in the form field `csrf_token`; `verify_csrf` is installed as a dependency of the whole
web application, so no POST route can be added without it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request

USER_ID_KEY = "user_id"
PASSWORD_FINGERPRINT_KEY = "pwd"  # noqa: S105 - the name of a session entry, not a secret
CSRF_KEY = "csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CsrfRejected(Exception):
    """An unsafe request arrived without the session's CSRF token."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (also for anonymous sessions)."""
    session: dict[str, Any] = request.session
    token = session.get(CSRF_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_KEY] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse any unsafe request whose form does not carry the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(CSRF_KEY)
    content_type = request.headers.get("content-type", "")
    sent: object = None
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get(CSRF_FIELD)
    if not isinstance(expected, str) or not isinstance(sent, str) or not expected:
        raise CsrfRejected
    if not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfRejected


def password_fingerprint(password_hash: str | None) -> str:
    """A short digest of the stored password hash; it changes whenever the password does."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:24]


def start_signed_in_session(request: Request, user_id: uuid.UUID, password_hash: str | None) -> None:
    """Replace whatever the session held (no fixation) with the signed-in user and a new CSRF token."""
    request.session.clear()
    request.session[USER_ID_KEY] = str(user_id)
    request.session[PASSWORD_FINGERPRINT_KEY] = password_fingerprint(password_hash)
    request.session[CSRF_KEY] = secrets.token_urlsafe(32)


def signed_in_user_id(request: Request) -> uuid.UUID | None:
    """The user id the session claims, or None."""
    raw = request.session.get(USER_ID_KEY)
    if not isinstance(raw, str):
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (other hosts, schemes) becomes `/`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target
