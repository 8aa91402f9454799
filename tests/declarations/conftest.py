"""Fixtures for declaration tests: the limit tests' book (insurer, exporter, USD export policy, buyer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session
from tests.api.conftest import api, client, sessions, world  # noqa: F401
from tests.limits.conftest import TODAY, Book, open_book

from tradecover.clock import FixedClock, set_clock


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """The platform clock stands at noon on 15 June 2026 (a Monday) during each declaration test."""
    fixed = FixedClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


@pytest.fixture
def book(db: Session) -> Book:
    """An insurer, an exporter with a USD export policy for 2026, and a US buyer of grade 4."""
    return open_book(db)
