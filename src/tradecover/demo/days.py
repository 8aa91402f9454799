"""Seeding on a day: the clock stands at 10:00 UTC on that date, and is put back afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from tradecover.clock import FixedClock, set_clock


@contextmanager
def on_day(day: dt.date) -> Iterator[None]:
    """Run the block as if it were 10:00 UTC on `day`; the previous clock comes back after it."""
    previous = set_clock(FixedClock(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)))
    try:
        yield
    finally:
        set_clock(previous)
