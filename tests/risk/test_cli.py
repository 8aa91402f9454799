"""The `risk run` command prints the measures of a CSV book and refuses bad input with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tradecover.cli.risk import risk_app
from tradecover.risk.creditriskplus import credit_risk_plus
from tradecover.risk.discretisation import discretise
from tradecover.risk.measures import expected_shortfall, value_at_risk
from tradecover.risk.portfolio import load_portfolio_csv

BOOK = """id,exposure,pd,lgd,sector,country
a,100000,0.02,0.5,0,US
b,250000,0.01,0.6,1,DE
c,40000,0.05,0.4,0,US
d,75000,0.03,0.45,1,FR
"""


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.csv"
    path.write_text(BOOK)
    return path


def test_json_output_has_the_measures_in_currency(book: Path, tmp_path: Path) -> None:
    variances = tmp_path / "v.json"
    variances.write_text(json.dumps({"sector_variances": [0.5, 1.0], "note": "ignored"}))
    result = CliRunner().invoke(
        risk_app,
        ["run", "--portfolio", str(book), "--sector-variances", str(variances), "--unit", "1000", "--json"],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["model"] == "creditriskplus"
    assert out["method"] == "analytic"
    assert out["unit"] == 1000.0
    # Banded to whole units of 1,000 with PDs unchanged: d's 33,750 loss counts as 34,000.
    assert out["expected_loss"] == pytest.approx(1000 * (50 * 0.02 + 150 * 0.01 + 16 * 0.05 + 34 * 0.03))
    portfolio = load_portfolio_csv(book)
    distribution = credit_risk_plus(
        portfolio, np.array([0.5, 1.0]), discretise(portfolio, 1000.0)
    ).distribution
    for level in ("0.99", "0.995", "0.999"):
        assert out["var"][level] == value_at_risk(distribution, float(level))
        assert out["es"][level] == pytest.approx(expected_shortfall(distribution, float(level)))
    assert out["std"] > 0


def test_the_table_names_each_measure(book: Path) -> None:
    result = CliRunner().invoke(risk_app, ["run", "--portfolio", str(book)])
    assert result.exit_code == 0, result.output
    for label in ("expected loss", "standard deviation", "VaR 99.5%", "ES 99.9%"):
        assert label in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,exposure,pd,lgd\na,1,0.1,1\n", "missing column"),
        ("id,exposure,pd,lgd,sector\na,1,1.5,1,0\n", "pd must lie in [0, 1]"),
        ("id,exposure,pd,lgd,sector\na,x,0.1,1,0\n", "non-number"),
    ],
)
def test_a_bad_portfolio_is_one_line_on_stderr_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = CliRunner().invoke(risk_app, ["run", "--portfolio", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_too_few_sector_variances_are_refused(book: Path, tmp_path: Path) -> None:
    variances = tmp_path / "v.json"
    variances.write_text(json.dumps({"sector_variances": [0.5]}))
    result = CliRunner().invoke(
        risk_app, ["run", "--portfolio", str(book), "--sector-variances", str(variances)]
    )
    assert result.exit_code == 2
    assert "1 sector variances for 2 sectors" in result.stderr


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(risk_app, ["run", "--portfolio", str(tmp_path / "none.csv")])
    assert result.exit_code == 2
    assert "error:" in result.stderr
