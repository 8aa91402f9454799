"""Loss-unit banding of a portfolio for CreditRisk+: losses as whole multiples of a unit amount."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from tradecover.risk.portfolio import Portfolio

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Rounding = Literal["half_up", "up"]

# The CSFB workbook puts the largest loss at exactly this many units.
DEFAULT_UNITS_FOR_LARGEST_LOSS = 100


@dataclass(frozen=True)
class Discretisation:
    """Each obligor's loss given default in whole loss units, and the default intensity used with it.

    Attributes
    ----------
    unit : float
        Currency amount of one loss unit L.
    units : ndarray of int64, shape (n,)
        ν_A, the loss given default in units (0 only where the loss is 0).
    pd : ndarray of float64, shape (n,)
        Default intensity per obligor: the portfolio's PD, or p·E·LGD/(ν·L) when expected loss is preserved.
    """

    unit: float
    units: IntArray
    pd: FloatArray

    @property
    def expected_loss(self) -> float:
        """Expected loss of the banded book in currency, L·Σ p ν."""
        return self.unit * float(np.dot(self.pd, self.units))


def default_unit(portfolio: Portfolio) -> float:
    """The CSFB loss unit: the largest loss given default ÷ 100, rounded up to a whole currency unit."""
    largest = float(portfolio.loss_given_default.max(initial=0.0))
    if largest <= 0:
        raise ValueError("the portfolio has no positive loss given default")
    return float(math.ceil(largest / DEFAULT_UNITS_FOR_LARGEST_LOSS))


def discretise(
    portfolio: Portfolio,
    unit: float,
    *,
    rounding: Rounding = "half_up",
    preserve_expected_loss: bool = False,
) -> Discretisation:
    """Band each obligor's loss given default into whole units of ``unit`` currency.

    Parameters
    ----------
    portfolio : Portfolio
        The book.
    unit : float
        Loss unit L in currency, > 0.
    rounding : {"half_up", "up"}
        ``"half_up"`` rounds E·LGD/L to the nearest integer with halves up; ``"up"`` takes the ceiling
        (the CSFB workbook's convention). Either way a positive loss gets at least 1 unit.
    preserve_expected_loss : bool
        If true, rescale each PD to p·E·LGD/(ν·L) so that the banded expected loss equals the exact one.

    Returns
    -------
    Discretisation
    """
    if not (math.isfinite(unit) and unit > 0):
        raise ValueError("the loss unit must be a positive amount")
    loss = portfolio.loss_given_default
    ratio = loss / unit
    if rounding == "half_up":
        units = np.floor(ratio + 0.5)
    elif rounding == "up":
        # Tolerate float noise so that an exact multiple is not pushed to the next unit.
        units = np.ceil(ratio - 1e-12 * np.maximum(ratio, 1.0))
    else:
        raise ValueError(f"unknown rounding {rounding!r}; use 'half_up' or 'up'")
    units = np.where(loss > 0, np.maximum(units, 1.0), 0.0)
    if units.max(initial=0.0) > np.iinfo(np.int32).max:
        raise ValueError("the loss unit is too small: a loss exceeds 2³¹ units")
    pd = portfolio.pd
    if preserve_expected_loss:
        with np.errstate(divide="ignore", invalid="ignore"):
            pd = np.where(units > 0, pd * loss / (units * unit), pd)
    return Discretisation(unit=float(unit), units=units.astype(np.int64), pd=np.asarray(pd, dtype=np.float64))
