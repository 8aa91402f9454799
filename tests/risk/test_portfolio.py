"""Portfolio arrays are validated, and CSV books load with one-hot sectors or explicit factor weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tradecover.risk.portfolio import Portfolio, load_portfolio_csv


def make(**changes: object) -> Portfolio:
    fields: dict[str, object] = {
        "ids": np.array(["a", "b"]),
        "exposure": np.array([10.0, 20.0]),
        "pd": np.array([0.1, 0.2]),
        "lgd": np.array([0.5, 1.0]),
        "weights": np.array([[0.5, 0.2], [0.0, 1.0]]),
        "factor_names": ("x", "y"),
    }
    fields.update(changes)
    return Portfolio(**fields)  # type: ignore[arg-type]


def test_the_specific_share_is_the_remainder_of_the_weights() -> None:
    np.testing.assert_allclose(make().specific_weight, [0.3, 0.0])
    assert make().expected_loss == pytest.approx(10 * 0.5 * 0.1 + 20 * 0.2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pd": np.array([0.1, 1.2])}, "pd must lie in"),
        ({"lgd": np.array([-0.1, 0.5])}, "lgd must lie in"),
        ({"exposure": np.array([10.0, -1.0])}, "non-negative"),
        ({"exposure": np.array([10.0])}, "2 obligors"),
        ({"exposure": np.array([10.0, np.nan])}, "finite"),
        ({"weights": np.array([[0.7, 0.5], [0.0, 1.0]])}, "sum to at most 1"),
        ({"weights": np.array([[0.5], [0.0]])}, "1 columns but 2 factor names"),
        ({"ids": np.array(["a", "a"])}, "unique"),
        ({"countries": np.array(["US"])}, "one label per obligor"),
    ],
)
def test_inconsistent_arrays_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(**changes)


def test_integer_sectors_place_each_obligor_wholly_in_one_factor(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text("id,exposure,pd,lgd,sector,country\na,100,0.1,0.5,2,US\nb,50,0.2,1,0,DE\n")
    book = load_portfolio_csv(path)
    assert book.factor_names == ("0", "1", "2")
    np.testing.assert_array_equal(book.weights, [[0, 0, 1], [1, 0, 0]])
    assert book.countries is not None
    assert book.countries.tolist() == ["US", "DE"]


def test_weight_columns_give_the_factor_loadings(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text(
        "id,exposure,pd,lgd,sector,w_us,w_eu\na,100,0.1,0.5,retail,0.6,0.1\nb,50,0.2,1,food,0,0.9\n"
    )
    book = load_portfolio_csv(path)
    assert book.factor_names == ("us", "eu")
    np.testing.assert_allclose(book.specific_weight, [0.3, 0.1])
    assert book.sectors is not None
    assert book.sectors.tolist() == ["retail", "food"]


def test_a_non_integer_sector_without_weights_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text("id,exposure,pd,lgd,sector\na,100,0.1,0.5,retail\n")
    with pytest.raises(ValueError, match="sector must be an integer"):
        load_portfolio_csv(path)


def test_a_grade_column_is_read_as_whole_numbers(tmp_path: Path) -> None:
    path = tmp_path / "graded.csv"
    path.write_text("id,exposure,pd,lgd,sector,country,grade\na,10,0.01,0.5,0,US,4\nb,20,0.02,0.5,0,CN,7\n")
    book = load_portfolio_csv(path)
    assert book.grades is not None
    assert book.grades.tolist() == [4, 7]
    path.write_text("id,exposure,pd,lgd,sector,grade\na,10,0.01,0.5,0,B+\n")
    with pytest.raises(ValueError, match="grade must be a whole number"):
        load_portfolio_csv(path)
