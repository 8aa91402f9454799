"""The server's daily tick: a background thread that runs `run_tick` once per platform date.

Each run is one job and one transaction. The thread wakes every so often (an hour by default), runs the
tick when the platform's date has moved on since its last run, and logs a failure instead of dying, so
the next wake tries again. `run_tick` is idempotent, so two servers on one database do no harm.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from tradecover.claims.tick import TickReport, run_tick
from tradecover.clock import get_clock
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 3600.0


class DailyTick:
    """Runs the tick once per platform date in a daemon thread until stopped."""

    def __init__(self, sessions: sessionmaker[Session], *, check_every: float = CHECK_EVERY_SECONDS) -> None:
        self.sessions = sessions
        self.check_every = check_every
        self.last_day: dt.date | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> TickReport | None:
        """Run the tick for today unless it already ran today; the report, or None when nothing ran."""
        today = get_clock().today()
        if today == self.last_day:
            return None
        with unit_of_work(self.sessions, Tenant.unrestricted()) as session:
            report = run_tick(session, today)
        self.last_day = today
        log.info("daily tick: %s", "; ".join(report.lines()))
        return report

    def _loop(self) -> None:
        while True:
            try:
                self.run_once()
            except Exception:  # a failed run must not end the server's thread; the next wake retries
                log.exception("daily tick failed")
            if self._stop.wait(self.check_every):
                return

    def start(self) -> None:
        """Start the thread (it runs the first tick at once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="tradecover-daily-tick", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for a run in progress to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None

    @property
    def running(self) -> bool:
        """True while the thread is alive."""
        return self._thread is not None and self._thread.is_alive()
