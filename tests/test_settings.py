"""Settings from TRADECOVER_* variables; the secret key is generated once and kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tradecover.clock import FixedClock, get_clock, set_clock, utcnow
from tradecover.settings import Settings


def test_settings_come_from_tradecover_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADECOVER_DATABASE_URL", "postgresql+psycopg://u@db/tc")
    monkeypatch.setenv("TRADECOVER_PORT", "9001")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@db/tc"
    assert settings.port == 9001


def test_the_default_database_is_the_sqlite_file_in_the_working_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRADECOVER_DATABASE_URL", raising=False)
    assert Settings(_env_file=None).database_url == "sqlite:///./tradecover.db"  # type: ignore[call-arg]


def test_a_missing_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    key_file = tmp_path / "secret"
    first = Settings(secret_key=None, secret_key_file=key_file).resolved_secret_key()
    second = Settings(secret_key=None, secret_key_file=key_file).resolved_secret_key()
    assert first == second
    assert len(first) >= 48
    assert key_file.stat().st_mode & 0o077 == 0


def test_a_given_secret_key_wins(tmp_path: Path) -> None:
    settings = Settings(secret_key="s" * 40, secret_key_file=tmp_path / "unused")  # type: ignore[arg-type]
    assert settings.resolved_secret_key() == "s" * 40
    assert not (tmp_path / "unused").exists()


def test_a_port_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADECOVER_PORT", "70000")
    with pytest.raises(ValueError, match="port"):
        Settings()


def test_the_clock_can_be_fixed_and_moved() -> None:
    clock = FixedClock(dt.datetime(2025, 4, 2, 9, 0, tzinfo=dt.UTC))
    previous = set_clock(clock)
    try:
        assert utcnow() == dt.datetime(2025, 4, 2, 9, 0, tzinfo=dt.UTC)
        clock.advance(dt.timedelta(days=40))
        assert get_clock().today() == dt.date(2025, 5, 12)
    finally:
        set_clock(previous)


def test_a_naive_datetime_cannot_set_the_clock() -> None:
    with pytest.raises(ValueError, match="timezone"):
        FixedClock(dt.datetime(2025, 1, 1))  # noqa: DTZ001
