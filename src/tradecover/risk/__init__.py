"""The portfolio risk engine: a pure numeric package (NumPy/SciPy/Numba; Dask in its executor).

Public API::

    from tradecover.risk import Portfolio, load_portfolio_csv, discretise, credit_risk_plus, risk_measures
    from tradecover.risk import GaussianCopula, simulate_gaussian, one_factor_distribution, load_scenario
    from tradecover.risk.executors import DaskExecutor   # imports distributed, so kept out of this module
"""

from tradecover.risk.contributions import (
    csfb_risk_contributions,
    standard_deviation_contributions,
    tail_contributions,
)
from tradecover.risk.copula import GaussianCopula, copula_from_weights, label_loadings
from tradecover.risk.creditriskplus import (
    CreditRiskPlusResult,
    analytic_moments,
    credit_risk_plus,
    sector_variances_from_pd_sd,
)
from tradecover.risk.discretisation import Discretisation, default_unit, discretise
from tradecover.risk.execution import Executor, InProcessExecutor
from tradecover.risk.mcmeasures import Estimate, MonteCarloMeasures, aggregate_by_label, batch_means
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
from tradecover.risk.montecarlo import (
    ImportanceSampling,
    MonteCarloResult,
    TailContributions,
    plan_importance_sampling,
    simulate_credit_risk_plus,
    simulate_gaussian,
)
from tradecover.risk.onefactor import one_factor_contributions, one_factor_distribution
from tradecover.risk.portfolio import Portfolio, load_portfolio_csv
from tradecover.risk.scenarios import (
    Scenario,
    ScenarioComparison,
    apply_scenario,
    available_scenarios,
    compare_scenario,
    load_scenario,
    stress_copula,
    stress_sector_variances,
)

__all__ = [
    "CreditRiskPlusResult",
    "Discretisation",
    "Estimate",
    "Executor",
    "GaussianCopula",
    "ImportanceSampling",
    "InProcessExecutor",
    "LossDistribution",
    "MonteCarloMeasures",
    "MonteCarloResult",
    "Portfolio",
    "RiskMeasures",
    "Scenario",
    "ScenarioComparison",
    "TailContributions",
    "aggregate_by_label",
    "analytic_moments",
    "apply_scenario",
    "available_scenarios",
    "batch_means",
    "compare_scenario",
    "copula_from_weights",
    "credit_risk_plus",
    "csfb_risk_contributions",
    "default_unit",
    "discretise",
    "expected_loss",
    "expected_shortfall",
    "interpolated_percentile",
    "label_loadings",
    "load_portfolio_csv",
    "load_scenario",
    "one_factor_contributions",
    "one_factor_distribution",
    "plan_importance_sampling",
    "risk_measures",
    "sector_variances_from_pd_sd",
    "simulate_credit_risk_plus",
    "simulate_gaussian",
    "standard_deviation",
    "standard_deviation_contributions",
    "stress_copula",
    "stress_sector_variances",
    "tail_contributions",
    "value_at_risk",
]
