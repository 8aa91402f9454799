"""The web application: pages at `/`, mounted beside the API on the platform's ASGI app.

The pages live in their own FastAPI application so that the session cookie, the CSRF check and the
HTML error pages apply to them and never to the API. `verify_csrf` is a dependency of that whole
application: every route it will ever have checks the token on unsafe methods.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from tradecover.settings import Settings
from tradecover.web.errors import install_error_pages
from tradecover.web.pages import (
    account,
    admin,
    alerts,
    appetite,
    buyers,
    claim_settlement,
    claims,
    declarations,
    financing,
    home,
    invoices,
    limits,
    overdues,
    oversight,
    policies,
    pools,
    products,
    quotes,
    risk,
    sign_in,
    subsidies,
)
from tradecover.web.security import verify_csrf

STATIC_DIR = Path(__file__).parent / "static"
SESSION_COOKIE = "tradecover_session"
SESSION_MAX_AGE_S = 12 * 60 * 60


def create_web(sessions: sessionmaker[Session], settings: Settings) -> FastAPI:
    """The pages as their own application, with sessions, CSRF checks and error pages."""
    web = FastAPI(
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(verify_csrf)],
    )
    web.state.sessions = sessions
    web.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    install_error_pages(web)
    web.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (
        sign_in,
        home,
        account,
        admin,
        buyers,
        alerts,
        quotes,
        policies,
        products,
        appetite,
        limits,
        pools,
        declarations,
        invoices,
        subsidies,
        risk,
        financing,
        claim_settlement,
        claims,
        overdues,
        oversight,
    ):
        web.include_router(module.router)
    return web


def install_web(app: FastAPI, sessions: sessionmaker[Session], settings: Settings) -> None:
    """Serve the pages at `/` of the platform app; mount it after the API so `/api/v1` stays the API's."""
    app.mount("/", create_web(sessions, settings), name="web")
