"""The API application: mounted at /api/v1 by `tradecover.server`."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from tradecover import __version__
from tradecover.api.deps import KeyFirstRoute
from tradecover.api.errors import install_error_handlers
from tradecover.api.routers import (
    alerts,
    api_keys,
    appetite,
    buyers,
    claim_payments,
    claims,
    declarations,
    financing,
    health,
    invoices,
    limits,
    me,
    organisations,
    overdues,
    oversight,
    policies,
    pools,
    products,
    quotes,
    risk_runs,
    subsidies,
    users,
)

DESCRIPTION = """\
The tradecover platform API. Authenticate with an API key: `Authorization: Bearer tc_...`
(issue one with `POST /api-keys`). Every error answers `{"errors": [{"field": ..., "message": ...}]}`.
Objects of organisations the caller has no part in are not found (404).
"""


def create_api(sessions: sessionmaker[Session]) -> FastAPI:
    """The API on a session factory: one router per area, one error format, OpenAPI at /openapi.json."""
    api = FastAPI(
        title="tradecover API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    api.state.sessions = sessions
    install_error_handlers(api)
    for area in (
        health,
        me,
        organisations,
        users,
        api_keys,
        buyers,
        alerts,
        products,
        quotes,
        policies,
        pools,
        appetite,
        limits,
        declarations,
        overdues,
        subsidies,
        invoices,
        risk_runs,
        financing,
        claims,
        claim_payments,
        oversight,
    ):
        if area.router.route_class is not KeyFirstRoute:
            # Without it, a caller with no key and a malformed body gets 422 instead of 401.
            raise TypeError(f"{area.__name__}.router must use route_class=KeyFirstRoute")
        api.include_router(area.router)
    return api
