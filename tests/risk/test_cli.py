"""The `risk run` command prints the measures of a CSV book and refuses bad input with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import distributed
import numpy as np
import pytest
from typer.testing import CliRunner

from tradecover.cli.risk import risk_app
from tradecover.risk.copula import copula_from_weights
from tradecover.risk.creditriskplus import credit_risk_plus
from tradecover.risk.discretisation import discretise
from tradecover.risk.measures import expected_shortfall, value_at_risk
from tradecover.risk.montecarlo import simulate_gaussian
from tradecover.risk.onefactor import one_factor_distribution
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


BOOK_WITH_FACTORS = """id,exposure,pd,lgd,sector,country,w_US,w_CN
a,100000,0.02,0.5,toys_leisure,US,0.5,0
b,250000,0.01,0.6,electronics,US,0.4,0
c,40000,0.05,0.4,machinery,US,0.3,0
d,75000,0.03,0.45,furniture_home,CN,0,0.5
e,60000,0.02,0.5,electronics,DE,0.2,0.2
"""


@pytest.fixture
def factor_book(tmp_path: Path) -> Path:
    path = tmp_path / "factors.csv"
    path.write_text(BOOK_WITH_FACTORS)
    return path


@pytest.fixture
def correlations(tmp_path: Path) -> Path:
    path = tmp_path / "correlations.json"
    path.write_text(json.dumps({"factors": ["CN", "US"], "correlation": [[1.0, 0.3], [0.3, 1.0]]}))
    return path


def invoke(*args: str) -> Any:
    return CliRunner().invoke(risk_app, ["run", *args])


def test_gaussian_monte_carlo_prints_standard_errors_and_repeats_for_a_seed(
    factor_book: Path, correlations: Path
) -> None:
    args = ["--portfolio", str(factor_book), "--model", "gaussian", "--method", "montecarlo"]
    args += ["--correlations", str(correlations), "--simulations", "4000", "--seed", "7", "--json"]
    first, second = invoke(*args), invoke(*args)
    assert first.exit_code == 0, first.output
    out = json.loads(first.stdout)
    assert out == json.loads(second.stdout)
    assert out["model"] == "gaussian"
    assert out["method"] == "montecarlo"
    assert set(out["es"]) == {"0.99", "0.995", "0.999"}
    assert out["standard_errors"]["es"]["0.999"] > 0
    low, high = out["intervals"]["es"]["0.999"]
    assert low < out["es"]["0.999"] < high
    assert set(out["intervals"]["var"]) == {"0.99", "0.995", "0.999"}
    book = load_portfolio_csv(factor_book)
    copula = copula_from_weights(book, np.array([[1.0, 0.3], [0.3, 1.0]]))  # the file's order is CN, US
    assert book.factor_names == ("US", "CN")
    direct = simulate_gaussian(
        book, copula, scenarios=4000, seed=7, levels=(0.99, 0.995, 0.999), contributions=True
    )
    assert out["es"]["0.999"] == direct.measures.es[0.999].value


def test_creditriskplus_monte_carlo_agrees_with_the_analytic_expected_loss(book: Path) -> None:
    analytic = json.loads(invoke("--portfolio", str(book), "--unit", "1000", "--json").stdout)
    result = invoke(
        "--portfolio",
        str(book),
        "--unit",
        "1000",
        "--method",
        "montecarlo",
        "--simulations",
        "20000",
        "--json",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (
        abs(out["expected_loss"] - analytic["expected_loss"]) <= 3 * out["standard_errors"]["expected_loss"]
    )
    assert out["unit"] == 1000.0


def test_the_one_factor_gaussian_analytic_method_is_the_exact_quadrature(tmp_path: Path, book: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"correlation": [[1.0, 0.0], [0.0, 1.0]], "asset_correlation": 0.2}))
    result = invoke("--portfolio", str(book), "--model", "gaussian", "--correlations", str(one), "--json")
    # The CSV's integer sectors make two factors: the exact method refuses, naming the way out.
    assert result.exit_code == 2
    assert "--method montecarlo" in result.stderr
    single = tmp_path / "single.csv"
    single.write_text(BOOK.replace(",1,", ",0,"))
    factor = tmp_path / "f.json"
    factor.write_text(json.dumps({"correlation": [[1.0]], "asset_correlation": 0.2}))
    result = invoke(
        "--portfolio",
        str(single),
        "--model",
        "gaussian",
        "--correlations",
        str(factor),
        "--unit",
        "1000",
        "--json",
    )
    assert result.exit_code == 0, result.output
    portfolio = load_portfolio_csv(single)
    exact = one_factor_distribution(
        portfolio, copula_from_weights(portfolio, np.eye(1), 0.2), discretise(portfolio, 1000.0)
    )
    assert json.loads(result.stdout)["es"]["0.999"] == pytest.approx(expected_shortfall(exact, 0.999))


def test_a_scenario_prints_base_against_stressed_with_the_change_by_country_and_sector(
    factor_book: Path,
) -> None:
    result = invoke("--portfolio", str(factor_book), "--scenario", "us-tariffs-145", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["scenario"] == "us-tariffs-145"
    assert out["stressed"]["expected_loss"] > out["base"]["expected_loss"]
    assert out["contribution_basis"] == "es 0.995"
    for side in ("base", "stressed"):
        by_country = sum(row[side] for row in out["by_country"].values())
        by_sector = sum(row[side] for row in out["by_sector"].values())
        assert by_country == pytest.approx(out[side]["es"]["0.995"], rel=1e-9)
        assert by_sector == pytest.approx(out[side]["es"]["0.995"], rel=1e-9)
    assert set(out["by_country"]) == {"US", "CN", "DE"}
    assert set(out["by_sector"]) == {"toys_leisure", "electronics", "machinery", "furniture_home"}
    table = invoke("--portfolio", str(factor_book), "--scenario", "recession")
    assert table.exit_code == 0, table.output
    assert "by country" in table.stdout
    assert "stressed" in table.stdout


def test_a_gaussian_scenario_run_reports_es_contributions(factor_book: Path, correlations: Path) -> None:
    result = invoke(
        "--portfolio", str(factor_book), "--model", "gaussian", "--method", "montecarlo", "--correlations",
        str(correlations), "--simulations", "2000", "--scenario", "exporters-turn-domestic", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["by_country"]["CN"]["change"] > 0
    assert out["stressed"]["standard_errors"]["es"]["0.99"] > 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "gaussian"], "--correlations"),
        (["--scenario", "no-such-scenario"], "unknown scenario"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--method montecarlo"),
        (["--simulations", "1000"], "--simulations is for Monte Carlo"),
        (["--seed", "4"], "--seed is for Monte Carlo"),
        (["--correlations", "c.json"], "--correlations is for the gaussian model"),
    ],
)
def test_bad_option_combinations_are_one_line_and_exit_2(book: Path, extra: list[str], message: str) -> None:
    result = invoke("--portfolio", str(book), *extra)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_correlation_matrix_that_is_not_positive_semi_definite_is_refused(
    factor_book: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"factors": ["US", "CN"], "correlation": [[1.0, 1.5], [1.5, 1.0]]}))
    result = invoke(
        "--portfolio",
        str(factor_book),
        "--model",
        "gaussian",
        "--method",
        "montecarlo",
        "--correlations",
        str(bad),
    )
    assert result.exit_code == 2
    assert "positive semi-definite" in result.stderr


def test_the_scheduler_option_runs_on_that_cluster_with_the_in_process_numbers(book: Path) -> None:
    args = [
        "--portfolio",
        str(book),
        "--method",
        "montecarlo",
        "--simulations",
        "2000",
        "--seed",
        "3",
        "--json",
    ]
    local = invoke(*args)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=None
    ) as cluster:
        remote = invoke(*args, "--scheduler", cluster.scheduler_address)
    assert remote.exit_code == 0, remote.output
    assert cluster.scheduler_address.startswith("tcp://")
    assert json.loads(remote.stdout) == json.loads(local.stdout)
