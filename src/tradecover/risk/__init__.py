"""The portfolio risk engine: a pure numeric package (NumPy/SciPy/Numba; Dask in its executor).

Public API::

    from tradecover.risk import Portfolio, load_portfolio_csv, discretise, credit_risk_plus, risk_measures
"""

from tradecover.risk.contributions import (
    csfb_risk_contributions,
    standard_deviation_contributions,
    tail_contributions,
)
from tradecover.risk.creditriskplus import (
    CreditRiskPlusResult,
    analytic_moments,
    credit_risk_plus,
    sector_variances_from_pd_sd,
)
from tradecover.risk.discretisation import Discretisation, default_unit, discretise
from tradecover.risk.measures import (
    LossDistribution,
    RiskMeasures,
    expected_loss,
    expected_shortfall,
    interpolated_percentile,
    risk_measures,
    standard_deviation,
    value_at_risk,
)
from tradecover.risk.portfolio import Portfolio, load_portfolio_csv

__all__ = [
    "CreditRiskPlusResult",
    "Discretisation",
    "LossDistribution",
    "Portfolio",
    "RiskMeasures",
    "analytic_moments",
    "credit_risk_plus",
    "csfb_risk_contributions",
    "default_unit",
    "discretise",
    "expected_loss",
    "expected_shortfall",
    "interpolated_percentile",
    "load_portfolio_csv",
    "risk_measures",
    "sector_variances_from_pd_sd",
    "standard_deviation",
    "standard_deviation_contributions",
    "tail_contributions",
    "value_at_risk",
]
