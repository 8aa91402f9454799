"""An injectable clock: every rule about dates asks it, so tests move time instead of waiting."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    """Tells the current instant (always timezone-aware, UTC)."""

    def now(self) -> dt.datetime:
        """The current instant in UTC."""
        ...

    def today(self) -> dt.date:
        """The current date in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        """The current instant in UTC."""
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        """The current date in UTC."""
        return self.now().date()


class FixedClock:
    """A clock that stands still until moved; for tests and reproducible demo runs."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        """The instant the clock is set to."""
        return self._at

    def today(self) -> dt.date:
        """The date the clock is set to."""
        return self._at.date()

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward (or back, with a negative delta)."""
        self._at = self._at + delta

    def set(self, at: dt.datetime) -> None:
        """Put the clock at an instant."""
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(dt.UTC)


class PinnedDateClock:
    """A clock on a chosen date whose time of day runs with the machine's (a demo or a rehearsal).

    The demo world is a book as of one date; served on that date, its deadlines, overdues and claims
    read as they would have then, while instants still move forward within the day.
    """

    def __init__(self, day: dt.date) -> None:
        self._day = day

    def now(self) -> dt.datetime:
        """The machine's time of day on the pinned date, in UTC."""
        return dt.datetime.combine(self._day, dt.datetime.now(dt.UTC).timetz())

    def today(self) -> dt.date:
        """The pinned date."""
        return self._day


_clock: Clock = SystemClock()


def get_clock() -> Clock:
    """The clock in use for this process."""
    return _clock


def set_clock(clock: Clock) -> Clock:
    """Install a clock for this process; returns the one it replaced."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def utcnow() -> dt.datetime:
    """The current instant according to the installed clock."""
    return _clock.now()
