"""Fixtures for the pool pages: the web test world (one user per role)."""

from __future__ import annotations

# The web fixtures: sessions on the test's connection, the seeded world, a browser-like client.
from tests.web.conftest import client, sessions, world  # noqa: F401
