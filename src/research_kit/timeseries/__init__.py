"""Indicator tracking and forecasting: the plan's 2025 targets.

* :func:`check_targets` — the checks of a targets table (the plan's own is read by
  :func:`research_kit.studies.targets.load_targets`);
* :func:`track_targets` — forecast each indicator to its deadline (ETS or local
  linear trend chosen by AICc), the probability of reaching the target and an
  on-track / at-risk / off-track status; ``.plot()`` draws the dashboard;
* :func:`fit_forecast` — the forecast of one series with the joint covariance of
  its future values.

Examples
--------
>>> from research_kit.studies.targets import load_targets
>>> t = load_targets()
>>> len(t), sorted(t["kind"].unique())
(20, ['annual_growth', 'cumulative', 'level', 'share'])
"""

from typing import Any

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
from research_kit.timeseries.targets import (
    TARGET_COLUMNS,
    TargetKind,
    check_targets,
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
    "probability_status",
    "track_targets",
]

_PLOTTING = ("STATUS_COLORS", "TS_LABELS", "dashboard_plot")


def __getattr__(name: str) -> Any:
    """The dashboard lives in the plotting layer (:mod:`research_kit.report.dashboard`); loaded on first use."""
    if name in _PLOTTING:
        from research_kit.report import dashboard

        return getattr(dashboard, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
