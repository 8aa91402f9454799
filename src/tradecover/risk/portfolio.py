"""A credit portfolio held as arrays: exposure, PD, LGD and factor weights per obligor."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
StrArray = NDArray[np.str_]

_WEIGHT_PREFIX = "w_"
_REQUIRED_COLUMNS = ("id", "exposure", "pd", "lgd", "sector")
# Weight rows may exceed 1 by float rounding of the inputs only.
_WEIGHT_SUM_SLACK = 1e-9


@dataclass(frozen=True)
class Portfolio:
    """Obligors of a credit book as aligned NumPy arrays.

    Parameters
    ----------
    ids : ndarray of str, shape (n,)
        Obligor identifiers, unique.
    exposure : ndarray of float64, shape (n,)
        Exposure at default in currency, ≥ 0.
    pd : ndarray of float64, shape (n,)
        Probability of default over the horizon (the CreditRisk+ default intensity), in [0, 1].
    lgd : ndarray of float64, shape (n,)
        Loss given default as a fraction of exposure, in [0, 1].
    weights : ndarray of float64, shape (n, K)
        Loading of each obligor on the K systematic factors (sectors), each in [0, 1], each row summing
        to at most 1; the remainder ``1 - sum(row)`` is the obligor's specific (idiosyncratic) share.
    factor_names : tuple of str, length K
        A name for each factor (column of ``weights``).
    countries, sectors : ndarray of str, shape (n,), optional
        Labels used to aggregate contributions and to select obligors in stress scenarios; they do not
        enter the model (ISO alpha-2 country codes and the platform's sector codes).
    grades : ndarray of int64, shape (n,), optional
        Buyer grade 1 (best) … 10 (defaulted), used by stress scenarios only.
    """

    ids: StrArray
    exposure: FloatArray
    pd: FloatArray
    lgd: FloatArray
    weights: FloatArray
    factor_names: tuple[str, ...]
    countries: StrArray | None = None
    sectors: StrArray | None = None
    grades: NDArray[np.int64] | None = None

    def __post_init__(self) -> None:
        """Coerce the arrays to their dtypes and reject inconsistent shapes or out-of-range values."""
        n = _as_1d(self, "ids", np.str_).shape[0]
        for name in ("exposure", "pd", "lgd"):
            values = _as_1d(self, name, np.float64)
            if values.shape[0] != n:
                raise ValueError(f"{name} has {values.shape[0]} entries but there are {n} obligors")
            if not np.all(np.isfinite(values)):
                raise ValueError(f"{name} must be finite")
        if np.any(self.exposure < 0):
            raise ValueError("exposure must be non-negative")
        for name in ("pd", "lgd"):
            values = getattr(self, name)
            if np.any((values < 0) | (values > 1)):
                raise ValueError(f"{name} must lie in [0, 1]")
        weights = np.asarray(self.weights, dtype=np.float64)
        if weights.ndim == 1 and n == 0:
            weights = weights.reshape(0, len(self.factor_names))
        if weights.ndim != 2 or weights.shape[0] != n:
            raise ValueError(f"weights must have shape (n, K) with n={n}, got {weights.shape}")
        if weights.shape[1] != len(self.factor_names):
            raise ValueError(
                f"weights has {weights.shape[1]} columns but {len(self.factor_names)} factor names"
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or np.any(weights > 1):
            raise ValueError("weights must lie in [0, 1]")
        if np.any(weights.sum(axis=1) > 1 + _WEIGHT_SUM_SLACK):
            raise ValueError("the weights of an obligor must sum to at most 1")
        object.__setattr__(self, "weights", weights)
        if len(set(self.ids.tolist())) != n:
            raise ValueError("obligor ids must be unique")
        for name in ("countries", "sectors"):
            if getattr(self, name) is not None and _as_1d(self, name, np.str_).shape[0] != n:
                raise ValueError(f"{name} must have one label per obligor")
        if self.grades is not None and _as_1d(self, "grades", np.int64).shape[0] != n:
            raise ValueError("grades must have one grade per obligor")

    @property
    def size(self) -> int:
        """Number of obligors n."""
        return int(self.ids.shape[0])

    @property
    def factor_count(self) -> int:
        """Number of systematic factors K."""
        return len(self.factor_names)

    @property
    def loss_given_default(self) -> FloatArray:
        """Loss in currency if each obligor defaults, exposure × LGD, shape (n,)."""
        return self.exposure * self.lgd

    @property
    def specific_weight(self) -> FloatArray:
        """Share of each obligor in the specific (idiosyncratic) sector, shape (n,)."""
        share: FloatArray = np.clip(1.0 - self.weights.sum(axis=1), 0.0, 1.0)
        return share

    @property
    def expected_loss(self) -> float:
        """Expected loss in currency, Σ exposure × LGD × PD."""
        return float(np.dot(self.loss_given_default, self.pd))


def _as_1d(portfolio: Portfolio, name: str, dtype: type[np.generic]) -> NDArray[np.generic]:
    values = np.asarray(getattr(portfolio, name), dtype=dtype)
    if values.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {values.shape}")
    object.__setattr__(portfolio, name, values)
    return values


def load_portfolio_csv(path: Path | str) -> Portfolio:
    """Read a portfolio from CSV with columns ``id,exposure,pd,lgd,sector[,country][,grade][,w_<factor>...]``.

    Without ``w_`` columns the integer ``sector`` (0, 1, ...) places each obligor wholly in that factor,
    so there are ``max(sector) + 1`` factors named by their index. With ``w_<factor>`` columns those give
    the factor weights (in column order) and ``sector`` is only a label. Raises ValueError on bad input.
    """
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = [column.strip() for column in reader.fieldnames or []]
        missing = [column for column in _REQUIRED_COLUMNS if column not in header]
        if missing:
            raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
        rows = [{key.strip(): (value or "").strip() for key, value in row.items() if key} for row in reader]
    weight_columns = [column for column in header if column.startswith(_WEIGHT_PREFIX)]
    try:
        exposure = np.array([float(row["exposure"]) for row in rows], dtype=np.float64)
        pd = np.array([float(row["pd"]) for row in rows], dtype=np.float64)
        lgd = np.array([float(row["lgd"]) for row in rows], dtype=np.float64)
        weight_values = np.array(
            [[float(row[column]) for column in weight_columns] for row in rows], dtype=np.float64
        ).reshape(len(rows), len(weight_columns))
    except ValueError as exc:
        raise ValueError(f"{path.name}: a numeric column holds a non-number ({exc})") from exc
    sector_labels = [row["sector"] for row in rows]
    if weight_columns:
        weights = weight_values
        factor_names = tuple(column[len(_WEIGHT_PREFIX) :] for column in weight_columns)
    else:
        if not all(label.isdigit() for label in sector_labels):
            raise ValueError(f"{path.name}: without w_ columns, sector must be an integer 0, 1, ...")
        index = np.array([int(label) for label in sector_labels], dtype=np.int64)
        factor_count = int(index.max()) + 1 if index.size else 0
        weights = np.zeros((len(rows), factor_count), dtype=np.float64)
        weights[np.arange(len(rows)), index] = 1.0
        factor_names = tuple(str(k) for k in range(factor_count))
    countries = np.array([row["country"] for row in rows], dtype=np.str_) if "country" in header else None
    grades = None
    if "grade" in header:
        if not all(row["grade"].isdigit() for row in rows):
            raise ValueError(f"{path.name}: grade must be a whole number")
        grades = np.array([int(row["grade"]) for row in rows], dtype=np.int64)
    return Portfolio(
        ids=np.array([row["id"] for row in rows], dtype=np.str_),
        exposure=exposure,
        pd=pd,
        lgd=lgd,
        weights=weights,
        factor_names=factor_names,
        countries=countries,
        sectors=np.array(sector_labels, dtype=np.str_),
        grades=grades,
    )
