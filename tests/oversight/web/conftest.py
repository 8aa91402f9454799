"""Fixtures of the oversight web and API tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from tests.oversight.web.sample import sample_view

from tradecover.api.routers import oversight as oversight_api
from tradecover.clock import FixedClock, set_clock
from tradecover.oversight.period import Period
from tradecover.oversight.view import OversightView
from tradecover.web.pages import oversight as oversight_pages


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The sample view in place of the composed one, for the pages and the API, on 15 July 2025;
    records what each request asked for."""
    calls: list[dict[str, Any]] = []

    def fake(
        session: Any, actor: Any, audience: Any, period: Period, currency: str = "CNY", today: Any = None
    ) -> OversightView:
        calls.append({"audience": audience, "period": period, "currency": currency, "today": today})
        return sample_view(audience.value, period, currency)

    monkeypatch.setattr(oversight_api, "build_view", fake)
    monkeypatch.setattr(oversight_pages, "build_view", fake)
    previous = set_clock(FixedClock(dt.datetime(2025, 7, 15, 9, 30, tzinfo=dt.UTC)))
    yield calls
    set_clock(previous)
