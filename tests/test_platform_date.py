"""The platform's date: the machine's by default, pinned by TRADECOVER_TODAY for a demo or rehearsal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tradecover.cli.platform_date import pin_platform_date
from tradecover.clock import PinnedDateClock, SystemClock, get_clock, set_clock
from tradecover.settings import Settings


@pytest.fixture(autouse=True)
def restore_clock() -> Iterator[None]:
    previous = get_clock()
    yield
    set_clock(previous)


def test_a_pinned_clock_keeps_its_date_while_the_time_of_day_runs() -> None:
    clock = PinnedDateClock(dt.date(2025, 6, 30))
    first = clock.now()
    assert clock.today() == dt.date(2025, 6, 30)
    assert first.date() == dt.date(2025, 6, 30)
    assert first.tzinfo is not None
    assert clock.now() >= first


def test_the_setting_pins_the_date_and_wins_over_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADECOVER_TODAY", "2025-07-15")
    assert pin_platform_date(Settings(), default=dt.date(2025, 6, 30)) == dt.date(2025, 7, 15)
    assert get_clock().today() == dt.date(2025, 7, 15)


def test_without_setting_or_default_the_machine_date_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRADECOVER_TODAY", raising=False)
    set_clock(SystemClock())
    assert pin_platform_date(Settings(_env_file=None)) == dt.datetime.now(dt.UTC).date()
    assert isinstance(get_clock(), SystemClock)


def test_a_malformed_date_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADECOVER_TODAY", "30/06/2025")
    with pytest.raises(ValueError, match="today"):
        Settings()
