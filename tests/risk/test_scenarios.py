"""Stress scenarios: the shipped files parse, and each kind of shock changes exactly what it says."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from tradecover.risk.copula import GaussianCopula
from tradecover.risk.portfolio import Portfolio
from tradecover.risk.scenarios import (
    DOMESTIC_SUFFIX,
    apply_scenario,
    available_scenarios,
    load_scenario,
    parse_scenario,
    stress_copula,
    stress_sector_variances,
)

SECTORS_CSV = (
    Path(__file__).resolve().parents[2] / "src" / "tradecover" / "reference" / "data" / "sectors.csv"
)


def book() -> Portfolio:
    """Five buyers: three in the US (two in consumer-goods sectors), one in Germany, one in China."""
    return Portfolio(
        ids=np.array(["us-toys", "us-elec", "us-mach", "de-mach", "cn-home"]),
        exposure=np.array([100.0, 200.0, 300.0, 400.0, 50.0]),
        pd=np.array([0.01, 0.02, 0.01, 0.005, 0.03]),
        lgd=np.array([0.5, 0.5, 0.6, 0.4, 0.5]),
        weights=np.array([[0.6, 0.0], [0.6, 0.0], [0.6, 0.0], [0.0, 0.0], [0.0, 0.7]]),
        factor_names=("US", "CN"),
        countries=np.array(["US", "US", "US", "DE", "CN"]),
        sectors=np.array(["toys_leisure", "electronics", "machinery", "machinery", "furniture_home"]),
        grades=np.array([3, 4, 5, 2, 6]),
    )


def test_every_shipped_scenario_parses_and_uses_the_platform_sector_codes() -> None:
    with SECTORS_CSV.open(newline="") as handle:
        codes = {row["code"] for row in csv.DictReader(handle)}
    names = available_scenarios()
    assert {
        "us-tariffs-145",
        "geneva-truce",
        "recession",
        "exporters-turn-domestic",
        "large-credit-default",
    } <= set(names)
    for name in names:
        scenario = load_scenario(name)
        assert scenario.name == name
        for rule in scenario.pd_multipliers + scenario.exposure_cuts:  # type: ignore[operator]
            assert rule.selector.sectors is None or rule.selector.sectors <= codes


def test_us_tariffs_triple_consumer_goods_double_the_rest_of_the_us_and_cut_us_limits() -> None:
    base = book()
    stressed = apply_scenario(base, load_scenario("us-tariffs-145"))
    np.testing.assert_allclose(stressed.pd, [0.03, 0.06, 0.02, 0.005, 0.03])
    np.testing.assert_allclose(stressed.exposure, [70.0, 140.0, 210.0, 400.0, 50.0])
    np.testing.assert_allclose(base.pd, [0.01, 0.02, 0.01, 0.005, 0.03])  # the input is unchanged


def test_recession_doubles_every_pd_and_raises_factor_variances() -> None:
    scenario = load_scenario("recession")
    stressed = apply_scenario(book(), scenario)
    np.testing.assert_allclose(stressed.pd, 2 * book().pd)
    np.testing.assert_allclose(stress_sector_variances([0.4, 1.0], ("US", "CN"), scenario), [0.6, 1.5])
    copula = GaussianCopula(np.array([[1.0, 0.3], [0.3, 1.0]]), book().weights, ("US", "CN"))
    stressed_copula = stress_copula(copula, book(), scenario)
    np.testing.assert_allclose(stressed_copula.systematic_share, 1.5 * copula.systematic_share)


def test_exporters_turning_domestic_move_a_fifth_of_foreign_exposure_to_chinese_pseudo_buyers() -> None:
    base = book()
    scenario = load_scenario("exporters-turn-domestic")
    stressed = apply_scenario(base, scenario)
    assert stressed.size == 9
    np.testing.assert_allclose(stressed.exposure[:5], [80.0, 160.0, 240.0, 320.0, 50.0])
    np.testing.assert_allclose(stressed.exposure[5:], [20.0, 40.0, 60.0, 80.0])
    assert stressed.exposure.sum() == pytest.approx(base.exposure.sum())
    assert stressed.ids[5] == "us-toys" + DOMESTIC_SUFFIX
    assert stressed.countries is not None
    assert list(stressed.countries[5:]) == ["CN"] * 4
    np.testing.assert_allclose(stressed.pd[5:], 0.02)
    # The weight on the US factor moves to the CN factor; Germany has no factor, so nothing moves.
    np.testing.assert_allclose(stressed.weights[5:], [[0.0, 0.6], [0.0, 0.6], [0.0, 0.6], [0.0, 0.0]])
    copula = GaussianCopula(np.eye(2), base.weights, ("US", "CN"))
    assert stress_copula(copula, base, scenario).loadings.shape == (9, 2)


def test_the_large_credit_default_event_makes_the_two_largest_exposures_default_at_ten_percent() -> None:
    stressed = apply_scenario(book(), load_scenario("large-credit-default"))
    np.testing.assert_allclose(stressed.pd, [0.01, 0.02, 1.0, 1.0, 0.03])
    np.testing.assert_allclose(stressed.lgd, [0.5, 0.5, 0.1, 0.1, 0.5])


def test_rules_select_by_grade_and_the_first_matching_rule_wins() -> None:
    scenario = parse_scenario(
        {
            "name": "grades",
            "pd_multipliers": [{"grade": [5, 6], "multiplier": 4.0}, {"country": ["US"], "multiplier": 2.0}],
        }
    )
    np.testing.assert_allclose(apply_scenario(book(), scenario).pd, [0.02, 0.04, 0.04, 0.005, 0.12])


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"pd_multipliers": []}, "name"),
        ({"name": "x", "pd_multipliers": [{"multiplier": -1}]}, "multiplier"),
        ({"name": "x", "exposure_cuts": [{"fraction": 1.5}]}, "fraction"),
        ({"name": "x", "pd_multipliers": [{"country": "US", "multiplier": 2}]}, "list of str"),
        ({"name": "x", "tariff": 1}, "unknown scenario key"),
    ],
)
def test_a_malformed_scenario_is_refused(document: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_scenario(document)


def test_a_scenario_file_by_path_and_an_unknown_name(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"name": "mine", "pd_multipliers": [{"multiplier": 1.25}]}))
    assert load_scenario(path).name == "mine"
    with pytest.raises(ValueError, match="unknown scenario"):
        load_scenario("no-such-scenario")


def test_selecting_by_country_needs_countries() -> None:
    plain = Portfolio(
        ids=np.array(["a"]), exposure=np.array([1.0]), pd=np.array([0.1]), lgd=np.array([1.0]),
        weights=np.zeros((1, 0)), factor_names=(),
    )  # fmt: skip
    with pytest.raises(ValueError, match="countries"):
        apply_scenario(plain, load_scenario("geneva-truce"))
