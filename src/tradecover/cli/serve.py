"""`tradecover serve`: the API and web pages on one port, refused on an outdated database."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from tradecover.cli.database import open_engine
from tradecover.db.migrate import ensure_current
from tradecover.server import create_app
from tradecover.settings import Settings, get_settings

Host = Annotated[
    str | None, typer.Option(help="Address to listen on [default: TRADECOVER_HOST or 127.0.0.1]")
]
Port = Annotated[
    int | None, typer.Option(min=1, max=65535, help="Port to listen on [default: TRADECOVER_PORT or 8000]")
]


def address(settings: Settings, host: str | None, port: int | None) -> tuple[str, int]:
    """The host and port to listen on: the options, else the settings."""
    return host or settings.host, port or settings.port


def browser_url(host: str, port: int) -> str:
    """The address a browser on this machine opens for a server listening on host:port."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - only the shown address
    return f"http://{shown}:{port}"


def run_server(settings: Settings, host: str | None, port: int | None) -> None:
    """Check the database, then serve the platform until interrupted."""
    with open_engine(settings.database_url) as engine:
        ensure_current(engine)
    listen_host, listen_port = address(settings, host, port)
    app = create_app(settings)
    uvicorn.run(app, host=listen_host, port=listen_port, log_level="info")


def serve(host: Host = None, port: Port = None) -> None:
    """Serve the API (/api/v1) and the web pages; the database must be migrated (`tradecover db upgrade`)."""
    run_server(get_settings(), host, port)
