"""Indicator tracking and forecasting: the plan's 2025 targets.

* :func:`load_targets` — the plan's quantitative 2025 targets
  (``data/targets/targets_2025.csv``, transcribed from its 主要目标 section);
* :func:`track_targets` — forecast each indicator to its deadline (ETS or local
  linear trend chosen by AICc), the probability of reaching the target and an
  on-track / at-risk / off-track status; ``.plot()`` draws the dashboard;
* :func:`fit_forecast` — the forecast of one series with the joint covariance of
  its future values.

Examples
--------
>>> from research_kit.timeseries import load_targets
>>> t = load_targets()
>>> len(t), sorted(t["kind"].unique())
(20, ['annual_growth', 'cumulative', 'level', 'share'])
"""

from research_kit.timeseries.forecast import (
    ETS_MODELS,
    MIN_OBS,
    Criterion,
    Forecast,
    ForecastFitWarning,
    ModelName,
    ets_psi,
    fit_forecast,
)
from research_kit.timeseries.plot import STATUS_COLORS, TS_LABELS, dashboard_plot
from research_kit.timeseries.targets import (
    TARGET_COLUMNS,
    TargetKind,
    check_targets,
    load_targets,
    targets_file,
)
from research_kit.timeseries.tracking import (
    STATUSES,
    TargetDataWarning,
    TargetTracking,
    as_period_series,
    probability_status,
    track_targets,
)

__all__ = [
    "ETS_MODELS",
    "MIN_OBS",
    "STATUSES",
    "STATUS_COLORS",
    "TARGET_COLUMNS",
    "TS_LABELS",
    "Criterion",
    "Forecast",
    "ForecastFitWarning",
    "ModelName",
    "TargetDataWarning",
    "TargetKind",
    "TargetTracking",
    "as_period_series",
    "check_targets",
    "dashboard_plot",
    "ets_psi",
    "fit_forecast",
    "load_targets",
    "probability_status",
    "targets_file",
    "track_targets",
]
