"""Power and minimum detectable effects of the pilot's evaluation designs.

* analytic: :func:`power_two_sample` / :func:`mde_two_sample` (two-sample comparison,
  as statsmodels' ``TTestIndPower`` / ``NormalIndPower``) and :func:`power_did` /
  :func:`mde_did` / :func:`did_se` (2×2 DiD with clustered assignment, intra-cluster
  correlation and serial correlation: the Burlig–Preonas–Woerman variance of the
  collapsed DiD with Bloom's ICC design effect; see :mod:`research_kit.power.analytic`);
* simulation: :func:`simulate_power` (staggered DiD with the project's simulator and
  estimators);
* :func:`power_curve` and :func:`power_curve_plot`.

Every power and MDE function returns a :class:`PowerResult` (the number itself, with the test and
design as typed fields, a one-line repr and ``summary()``); :func:`simulate_power` a
:class:`SimulatedPower`. ``alpha`` is the size of the test in every function (not an interval level).

Examples
--------
>>> from research_kit.power import mde_did
>>> round(mde_did(9, cluster_size=130, n_pre=12, n_post=12, icc=0.05, autocorr=0.6), 3)
0.373
"""

from typing import Any

from research_kit.power.analytic import (
    Alternative,
    Correlation,
    Dist,
    did_se,
    mde_did,
    mde_from_se,
    mde_two_sample,
    power_did,
    power_from_se,
    power_two_sample,
    serial_corr_matrix,
)
from research_kit.power.curve import POWER_LABELS, power_curve
from research_kit.power.result import PowerResult, SimulatedPower
from research_kit.power.simulation import SimCluster, SimEstimator, simulate_power

__all__ = [
    "POWER_LABELS",
    "Alternative",
    "Correlation",
    "Dist",
    "PowerResult",
    "SimCluster",
    "SimulatedPower",
    "SimEstimator",
    "did_se",
    "mde_did",
    "mde_from_se",
    "mde_two_sample",
    "power_curve",
    "power_curve_plot",
    "power_did",
    "power_from_se",
    "power_two_sample",
    "serial_corr_matrix",
    "simulate_power",
]


def __getattr__(name: str) -> Any:
    """Plots live in the plotting layer (:mod:`research_kit.report.power_plots`), loaded on first use."""
    if name in ("power_curve_plot",):
        from research_kit.report import power_plots

        return getattr(power_plots, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
