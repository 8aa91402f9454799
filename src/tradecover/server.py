"""The ASGI application: the API under /api/v1 and the web pages at /, on one database."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tradecover import __version__
from tradecover.api.app import create_api
from tradecover.claims.tick_daily import DailyTick
from tradecover.db.engine import make_engine
from tradecover.db.migrate import ensure_current
from tradecover.db.session import session_factory
from tradecover.settings import Settings, get_settings
from tradecover.web.app import install_web


def freeze_startup_objects() -> None:
    """Move what start-up loaded (modules, mappings, reference tables) out of the garbage collector's sight.

    A request that reads many rows (an oversight view) triggers full collections; without this each
    would walk every object of the loaded application, some 100 ms on the 2-core machine.
    """
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    sessions: sessionmaker[Session] | None = None,
    check_schema: bool = True,
) -> FastAPI:
    """Build the whole platform; refuses an unmigrated or outdated database (DatabaseNotReady)."""
    settings = settings or get_settings()
    # The daily tick runs only in a server that owns its database (not one handed test sessions).
    daily_tick: DailyTick | None = None
    owns_process = sessions is None
    if sessions is None:
        engine = engine or make_engine(settings.database_url)
        if check_schema:
            ensure_current(engine)
        sessions = session_factory(engine)
        if settings.daily_tick:
            daily_tick = DailyTick(sessions)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if owns_process:
            freeze_startup_objects()
        if daily_tick is not None:
            daily_tick.start()
        try:
            yield
        finally:
            if daily_tick is not None:
                daily_tick.stop()

    app = FastAPI(
        title="tradecover",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.daily_tick = daily_tick
    app.mount("/api/v1", create_api(sessions))
    install_web(app, sessions, settings)
    return app
