"""Fixtures for the financing pages: the web test world (sessions, seeded users, a browser-like client)."""

from __future__ import annotations

from tests.web.conftest import client, sessions, world  # noqa: F401
