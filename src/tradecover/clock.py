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
