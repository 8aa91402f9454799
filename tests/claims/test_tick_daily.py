"""The server's daily tick: once per platform date, in a thread the server starts and stops."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.api.conftest import sessions  # noqa: F401

from tradecover.claims.tick_daily import DailyTick
from tradecover.clock import FixedClock, set_clock
from tradecover.db.engine import make_engine
from tradecover.db.migrate import upgrade
from tradecover.server import create_app
from tradecover.settings import Settings


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    """Noon on 1 June 2026."""
    fixed = FixedClock(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


def test_the_daily_tick_runs_once_per_date(
    sessions: sessionmaker[Session],  # noqa: F811
    clock: FixedClock,
) -> None:
    daily = DailyTick(sessions)
    first = daily.run_once()
    assert first is not None
    assert first.on == dt.date(2026, 6, 1)
    assert daily.run_once() is None
    clock.advance(dt.timedelta(days=1))
    later = daily.run_once()
    assert later is not None
    assert later.on == dt.date(2026, 6, 2)


@pytest.mark.parametrize("enabled", [True, False])
def test_the_server_runs_the_daily_tick_unless_turned_off(
    tmp_path: Path, clock: FixedClock, enabled: bool
) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings(database_url=url, secret_key="k" * 40, daily_tick=enabled)
    app = create_app(settings, engine=engine)
    daily = app.state.daily_tick
    assert (daily is not None) is enabled
    with TestClient(app):
        if daily is not None:
            assert daily.running
    if daily is not None:
        assert not daily.running
        assert daily.last_day == dt.date(2026, 6, 1)
    engine.dispose()
