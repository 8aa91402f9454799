"""Fixtures for the oversight metric tests: the hand-built book of `tests.oversight.book`."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from tests.oversight.book import OversightBook, open_oversight_book


@pytest.fixture
def book(db: Session) -> OversightBook:
    """The small book with known answers (see tests/oversight/book.py)."""
    return open_oversight_book(db)
