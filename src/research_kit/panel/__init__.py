"""Linear panel-data estimators (thin wrappers over linearmodels) and specification tests.

* :func:`pooled`, :func:`fe`, :func:`re`, :func:`first_difference` -- pooled OLS,
  fixed effects (entity and/or time), random effects, first differences; classical,
  robust, clustered (one- or two-way) or Driscoll–Kraay standard errors.
* :func:`hausman` -- Hausman test of FE against RE (classical variance).
* :func:`mundlak` -- correlated-random-effects (Mundlak) test, cluster-robust.

All take the data positionally and everything else by keyword, and return a
:class:`~research_kit.results.Result` (``extra["linearmodels"]`` keeps the fit).

>>> import research_kit.panel as rkp
>>> sorted(rkp.__all__)[:4]
['CovType', 'DroppedRegressorsWarning', 'HausmanWarning', 'Kernel']
"""

from __future__ import annotations

from research_kit.panel._common import (
    CovType,
    DroppedRegressorsWarning,
    Kernel,
    MissingValuesWarning,
    NoInterceptWarning,
)
from research_kit.panel.estimators import fe, first_difference, pooled, re
from research_kit.panel.hausman import HausmanWarning, hausman
from research_kit.panel.mundlak import mundlak

__all__ = [
    "CovType",
    "DroppedRegressorsWarning",
    "HausmanWarning",
    "Kernel",
    "MissingValuesWarning",
    "NoInterceptWarning",
    "fe",
    "first_difference",
    "hausman",
    "mundlak",
    "pooled",
    "re",
]
