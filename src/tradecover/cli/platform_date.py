"""The platform's date for a command: the machine's, or the one `TRADECOVER_TODAY` pins (demo, rehearsal)."""

from __future__ import annotations

import datetime as dt

from tradecover.clock import PinnedDateClock, get_clock, set_clock
from tradecover.settings import Settings


def pin_platform_date(settings: Settings, default: dt.date | None = None) -> dt.date:
    """Pin the process's clock to `TRADECOVER_TODAY`, else to `default`; returns the platform's date."""
    day = settings.today or default
    if day is not None:
        set_clock(PinnedDateClock(day))
    return get_clock().today()
