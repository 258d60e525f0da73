"""Instrumental variables: 2SLS and LIML (thin wrappers over linearmodels) with diagnostics.

* :func:`tsls`, :func:`liml` -- estimators returning an :class:`IVResult`
  (robust, classical, clustered or HAC standard errors);
* :func:`first_stage` -- the first-stage regression with the excluded-instrument
  F statistic and partial R²;
* on the result: ``first_stage()``, ``overid(method=...)`` (Sargan, Basmann,
  Wooldridge score, Anderson–Rubin) and ``endogeneity(method=...)`` (Durbin,
  Wu–Hausman, Wooldridge regression / score);
* a :class:`WeakInstrumentWarning` when the first stage is below the Stock–Yogo or
  Montiel Olea–Pflueger threshold (:mod:`research_kit.iv.weak`).

>>> import research_kit.iv as rkiv
>>> sorted(rkiv.__all__)
['IVResult', 'WeakInstrumentWarning', 'first_stage', 'liml', 'tsls']
"""

from __future__ import annotations

from research_kit.iv.estimators import first_stage, liml, tsls
from research_kit.iv.results import IVResult
from research_kit.iv.weak import WeakInstrumentWarning

__all__ = ["IVResult", "WeakInstrumentWarning", "first_stage", "liml", "tsls"]
