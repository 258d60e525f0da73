"""Instrumental variables: 2SLS and LIML (thin wrappers over linearmodels) with diagnostics.

* :func:`tsls`, :func:`liml` -- estimators returning an :class:`IVResult`
  (robust, classical, clustered or HAC standard errors);
* :func:`first_stage` -- the first-stage regression with the excluded-instrument
  F statistic and partial R²;
* on the result: ``first_stage()``, ``overid(method=...)`` (Sargan, Basmann,
  Wooldridge score, Anderson–Rubin) and ``endogeneity(method=...)`` (Durbin,
  Wu–Hausman, Wooldridge regression / score).

>>> import research_kit.iv as rkiv
>>> sorted(rkiv.__all__)
['IVResult', 'first_stage', 'liml', 'tsls']
"""

from __future__ import annotations

from research_kit.iv.estimators import first_stage, liml, tsls
from research_kit.iv.results import IVResult

__all__ = ["IVResult", "first_stage", "liml", "tsls"]
