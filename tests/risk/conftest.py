"""Fixtures for the risk engine tests: the CSFB CreditRisk+ example portfolios as the workbook runs them."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tradecover.risk.creditriskplus import sector_variances_from_pd_sd
from tradecover.risk.discretisation import Discretisation, default_unit, discretise
from tradecover.risk.portfolio import Portfolio

CSFB_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "csfb"

EXAMPLE_WEIGHTS = {
    "1A": ["ex1a_w_general"],
    "1B": ["ex1a_w_general"],
    "2": ["ex2_w_us", "ex2_w_japan", "ex2_w_europe"],
    # The specific column is left out: it is the remainder of each row, the zero-variance sector.
    "3": ["ex3_w_us", "ex3_w_japan", "ex3_w_europe"],
}


@dataclass(frozen=True)
class CsfbExample:
    """One worked example of the CSFB workbook, set up with its conventions."""

    name: str
    portfolio: Portfolio
    banding: Discretisation
    sector_variances: np.ndarray
    published: dict[str, float]
    printed_distribution: np.ndarray
    risk_contributions: np.ndarray | None


def _read(name: str) -> list[dict[str, str]]:
    with (CSFB_DIR / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def _example(name: str) -> CsfbExample:
    if name == "1C":
        rows = _read("example_1c_obligor_years.csv")
        ids, exposure_column, weight_columns = "row_label", "exposure", ["w_general"]
        contributions = np.array([float(row["risk_contribution_99_pub"]) for row in rows])
    else:
        rows = [row for row in _read("portfolio.csv") if name != "1B" or row["in_example_1b"] == "1"]
        ids, exposure_column, weight_columns = "obligor", "exposure", EXAMPLE_WEIGHTS[name]
        published_contributions = [row for row in _read("risk_contributions.csv") if row["example"] == name]
        contributions = np.array([float(row["risk_contribution_99"]) for row in published_contributions])
    portfolio = Portfolio(
        ids=np.array([row[ids] for row in rows]),
        exposure=np.array([float(row[exposure_column]) for row in rows]),
        pd=np.array([float(row["default_rate"]) for row in rows]),
        lgd=np.ones(len(rows)),  # CSFB exposures are already net of recovery
        weights=np.array([[float(row[column]) for column in weight_columns] for row in rows]),
        factor_names=tuple(weight_columns),
    )
    banding = discretise(portfolio, default_unit(portfolio), rounding="up", preserve_expected_loss=True)
    pd_sd = np.array([float(row["default_rate_sd"]) for row in rows])
    published = {
        row["statistic"]: float(row["value"]) for row in _read("results.csv") if row["example"] == name
    }
    printed = np.array([float(row["probability"]) for row in _read(f"loss_distribution_{name}.csv")])
    return CsfbExample(
        name=name,
        portfolio=portfolio,
        banding=banding,
        sector_variances=sector_variances_from_pd_sd(portfolio, pd_sd, banding),
        published=published,
        printed_distribution=printed,
        risk_contributions=contributions,
    )


@pytest.fixture(scope="session", params=["1A", "1B", "1C", "2", "3"])
def csfb_example(request: pytest.FixtureRequest) -> CsfbExample:
    """Each of the five CSFB examples in turn; skipped when the validation data are not beside the repo."""
    if not (CSFB_DIR / "README.md").exists():
        missing = f"CSFB validation data not found at {CSFB_DIR} (expected <repo>/../shared/data/csfb)"
        if os.environ.get("TRADECOVER_TEST_REQUIRE_CSFB") == "1":
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)
    return _example(str(request.param))
