"""`tradecover serve` really serves the platform on a migrated database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.cli.conftest import Cli

STARTUP_LIMIT_S = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_serve_answers_the_api_and_the_web_pages_on_a_migrated_database(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").exit_code == 0
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from tradecover.cli.main import app; app()", "serve", "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "TRADECOVER_DATABASE_URL": cli.database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while health is None and time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None, f"the server did not answer; exit code {server.poll()}"
        assert health.status_code == 200
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert home.status_code in (200, 303)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
