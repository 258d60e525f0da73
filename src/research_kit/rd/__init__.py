"""Regression discontinuity (RD): estimation, plots, manipulation and falsification tests.

**Implementation: this package wraps the reference implementations** by
Cattaneo and co-authors rather than re-implementing them:

* ``rdrobust`` (PyPI ``rdrobust``, Calonico, Cattaneo, Farrell and Titiunik) for
  :func:`rdd` (sharp and fuzzy RD, local polynomial estimates, MSE/CER-optimal
  bandwidths, robust bias-corrected inference, covariates, clusters) and the
  bins of :func:`rd_plot`;
* ``rddensity`` (PyPI ``rddensity``, Cattaneo, Jansson and Ma) for the local
  polynomial density manipulation test :func:`density_test`.

The wrappers check options and data, never print (the packages' printed
messages become named warnings), and return :class:`~research_kit.results.Result`
objects and tidy tables. Both packages are tested here with numpy 2 and
pandas 3, and their output is checked against the published Stata output of
``rdrobust vote margin`` on the U.S. Senate data and against independent
computations (``tests/rd``).

Functions
---------
rdd
    Sharp or fuzzy RD estimate: rows Conventional, Bias-Corrected, Robust (headline).
rd_plot, rd_plot_data
    Binned-scatter RD plot (evenly- or quantile-spaced bins, polynomial fit each side).
density_test
    Cattaneo–Jansson–Ma density (manipulation) test at the cutoff.
covariate_balance, placebo_cutoffs, bandwidth_sensitivity
    Falsification and robustness tables.

Examples
--------
>>> import numpy as np, pandas as pd
>>> import research_kit.rd as rd
>>> rng = np.random.default_rng(0)
>>> x = rng.uniform(-1, 1, 2000)
>>> df = pd.DataFrame({"x": x, "y": 1 + x + 0.5 * (x >= 0) + rng.normal(0, 0.3, 2000)})
>>> r = rd.rdd(df, outcome="y", running="x")
>>> r.term, r.info["bwselect"]
('Robust", "mserd')
"""

from __future__ import annotations

from typing import Any

from research_kit.rd._common import (
    DroppedObservationsWarning,
    MassPointsWarning,
    ReferenceWarning,
)
from research_kit.rd.density import DensityResult, density_test
from research_kit.rd.estimate import TERMS, RDResult, rdd
from research_kit.rd.falsification import (
    PlaceboSkippedWarning,
    bandwidth_sensitivity,
    covariate_balance,
    placebo_cutoffs,
)
from research_kit.rd.plot import RDPlotData, rd_plot_data

__all__ = [
    "TERMS",
    "DensityResult",
    "DroppedObservationsWarning",
    "MassPointsWarning",
    "PlaceboSkippedWarning",
    "RDPlotData",
    "RDResult",
    "ReferenceWarning",
    "bandwidth_sensitivity",
    "covariate_balance",
    "density_test",
    "placebo_cutoffs",
    "rd_plot",
    "rd_plot_data",
    "rdd",
]


def __getattr__(name: str) -> Any:
    """Plots live in the plotting layer (:mod:`research_kit.report.rd_plots`), loaded on first use."""
    if name in ("rd_plot",):
        from research_kit.report import rd_plots

        return getattr(rd_plots, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
