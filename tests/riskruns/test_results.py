"""The float boundary: measures rounded half up once; contributions split exactly, top N then the rest."""

from __future__ import annotations

import numpy as np
import pytest

from tradecover.riskruns.results import REST_KEY, TOP_N, grouped, to_minor


def test_an_engine_amount_is_its_shortest_decimal_rounded_half_up_to_the_cent() -> None:
    assert to_minor(143999.99999999988, "USD") == 14_400_000
    assert to_minor(0.125, "USD") == 13  # 0.125 exactly: half up
    assert to_minor(1234.5, "JPY") == 1235
    with pytest.raises(ValueError, match="non-finite"):
        to_minor(float("nan"), "USD")


def test_contributions_keep_the_top_groups_then_one_row_for_the_rest_and_add_up_exactly() -> None:
    rng = np.random.default_rng(3)
    labels = np.array([f"b{i:03d}" for i in range(60)] * 2)
    values = rng.uniform(0, 1000, size=120)
    exposure = rng.integers(1, 10_000_000, size=120).astype(np.int64)
    groups = grouped(values, labels, exposure, 3_456_789, "USD", {"b000": "Buyer zero"})
    assert len(groups) == TOP_N + 1
    assert sum(g.amount_minor for g in groups) == 3_456_789
    assert sum(g.exposure_minor for g in groups) == int(exposure.sum())
    assert groups[-1].key == REST_KEY
    assert groups[-1].label == f"all {60 - TOP_N} others"
    sums = {f"b{i:03d}": values[i] + values[60 + i] for i in range(60)}
    top = sorted(sums, key=lambda k: -sums[k])[:TOP_N]
    assert [g.key for g in groups[:-1]] == top
    assert [g.rank for g in groups] == list(range(1, TOP_N + 2))
    # Each part is its exact share of the total within a cent.
    whole = sum(sums.values())
    for g in groups[:-1]:
        assert abs(g.amount_minor - 3_456_789 * sums[g.key] / whole) < 1
