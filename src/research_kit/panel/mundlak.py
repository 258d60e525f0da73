"""Mundlak (1978) / correlated random effects test: a cluster-robust Hausman test.

Adds the entity means of the time-varying regressors to a random-effects (or
pooled) regression, ``y_it = x_it b + xbar_i g + a_i + u_it``, and tests
``g = 0`` with a Wald test using the cluster-robust (by entity) covariance
(Wooldridge 2010, *Econometric Analysis of Cross Section and Panel Data*,
section 10.7.3). Under the null the entity effects are uncorrelated with the
regressors, as in :func:`research_kit.panel.hausman`, but the test stays valid
with heteroskedasticity and serial correlation. In a balanced panel the
coefficients on ``x_it`` equal the fixed-effects estimates.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from linearmodels import PooledOLS, RandomEffects

from research_kit.panel._common import (
    check_few_clusters,
    check_option,
    hypothesis_result,
    quiet_linearmodels,
    to_result,
)
from research_kit.panel.estimators import _panel_frame, pooled, re
from research_kit.results import Result

__all__ = ["mundlak"]

_CONSTANTS = {"intercept", "const", "_cons"}


def _identified(exog: pd.DataFrame, means: pd.DataFrame) -> list[str]:
    """Means that add to the rank of the design (e.g. not the means of period dummies in a balanced panel)."""
    X = exog.to_numpy(float)
    scale = np.abs(X).max(axis=0)
    X = X / np.where(scale > 0, scale, 1.0)
    rank = np.linalg.matrix_rank(X)
    keep: list[str] = []
    for c in means.columns:
        m = means[c].to_numpy(float)
        cand = np.column_stack([X, m / max(float(np.abs(m).max()), 1e-300)])
        r = np.linalg.matrix_rank(cand)
        if r > rank:
            X, rank = cand, r
            keep.append(str(c))
    return keep


def mundlak(
    df: pd.DataFrame,
    formula: str,
    *,
    entity: str,
    time: str,
    estimator: Literal["re", "pooled"] = "re",
    cluster: str | None = None,
) -> Result:
    """Correlated-random-effects (Mundlak) test that the entity effects are uncorrelated with the regressors.

    Parameters
    ----------
    df
        Long panel, one row per entity and period.
    formula
        The random-effects formula, e.g. ``"y ~ 1 + x1 + x2 + educ"``; the means
        of the regressors that vary within entities are added.
    entity, time
        Column names of the entity and the period.
    estimator
        ``"re"`` (random effects, default) or ``"pooled"`` (pooled OLS) for the
        augmented regression; the test is the same in large samples.
    cluster
        Column to cluster on (default: the entity).

    Returns
    -------
    Result
        One row, term ``"mundlak"``: the Wald statistic (chi-squared with one
        degree of freedom per mean), p-value and ``info`` as in
        :func:`research_kit.panel.hausman` (``terms`` lists the tested means);
        ``extra["model"]`` is the augmented regression's Result.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import research_kit.panel as rkp
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(200), 4), "t": np.tile(np.arange(4), 200)})
    >>> a = np.repeat(rng.normal(size=200), 4)
    >>> df["x"] = a + rng.normal(size=800)
    >>> df["y"] = df["x"] + a + rng.normal(size=800)
    >>> m = rkp.mundlak(df, "y ~ 1 + x", entity="id", time="t")
    >>> m.info["terms"], m.p_value < 0.001
    (('mean(x)',), True)
    """
    check_option("estimator", estimator, ("re", "pooled"))
    cl = entity if cluster is None else cluster
    base_fit = re if estimator == "re" else pooled
    base = base_fit(df, formula, entity=entity, time=time, cluster=cl)
    lm = base.fit
    used = lm.resids.index
    frame = _panel_frame(df, entity, time, {"cluster": cl}).loc[used]
    exog = lm.model.exog.dataframe.loc[used]
    dep = lm.model.dependent.dataframe.loc[used]
    ids = frame.index.get_level_values(0)
    varying = [
        c for c in exog.columns
        if str(c).lower() not in _CONSTANTS and bool((exog[c].groupby(ids).transform("std").fillna(0) > 1e-12).any())
    ]
    if not varying:
        raise ValueError(f"no regressor of {formula!r} varies within entities; there is nothing to test.")
    means = exog[varying].groupby(ids).transform("mean")
    means.columns = [f"mean({c})" for c in varying]
    means = means[_identified(exog, means)]
    if means.empty:
        raise ValueError(
            f"the entity means of the regressors of {formula!r} are collinear with the regressors (e.g. means "
            "of period dummies in a balanced panel); there is nothing to test."
        )
    aug = pd.concat([exog, means], axis=1)
    model_cls = RandomEffects if estimator == "re" else PooledOLS
    fit_kw = {"cluster_entity": True} if cl == entity else {"clusters": frame[[cl]]}
    with quiet_linearmodels():
        res = model_cls(dep, aug).fit(cov_type="clustered", debiased=True, group_debias=True, **fit_kw)
    n_cl = int(frame[cl].nunique())
    check_few_clusters(n_cl, cl)
    names = list(means.columns)
    g = res.params[names].to_numpy(float)
    V = res.cov.loc[names, names].to_numpy(float)
    stat = float(g @ np.linalg.solve(V, g))
    model = to_result(
        res, estimator=f"mundlak_{estimator}", term=names[0], debiased=True,
        info={**{k: base.info[k] for k in ("formula", "dependent", "n_entities", "n_periods", "entity", "time")},
              "cov_type": "clustered", "cluster": cl, "n_clusters": n_cl, "fixed_effects": None},
    )
    return hypothesis_result(
        "mundlak",
        stat,
        df=len(names),
        nobs=int(res.nobs),
        null="the entity effects are uncorrelated with the regressors (coefficients on the entity means are 0)",
        info={"terms": tuple(names), "cluster": cl, "n_clusters": n_cl, "estimator": estimator},
        extra={"model": model},
    )
