"""Multiple-testing corrections: Bonferroni, Holm, Benjamini--Hochberg/Yekutieli, Romano--Wolf.

* :func:`adjust_pvalues` -- adjusted p-values (family-wise error rate: ``"bonferroni"``,
  ``"holm"``; false discovery rate: ``"bh"``, ``"by"``), the same numbers as
  ``statsmodels.stats.multitest.multipletests`` (methods ``bonferroni``, ``holm``,
  ``fdr_bh``, ``fdr_by``).
* :func:`romano_wolf_pvalues` -- the Romano and Wolf (2005) stepdown from observed
  t-statistics and bootstrap t-statistics drawn under the null (jointly, with the same
  draws for every hypothesis), computed as in Clarke, Romano and Wolf (2020, Stata
  ``rwolf``) and ``pyfixest.rwolf``: ``p = (#{b: max_j |t*_jb| >= |t_(s)|} + 1) / (B + 1)``
  over the hypotheses not yet rejected, made monotone.
* :func:`romano_wolf` -- a family of outcomes regressed on the same treatment with unit
  and time fixed effects, clustered (e.g. 9 counties): restricted wild cluster bootstrap
  t-statistics with shared draws (:mod:`research_kit.inference.bootstrap`), then the stepdown.

Examples
--------
>>> adjust_pvalues([0.01, 0.04, 0.03], method="holm").round(2).tolist()
[0.03, 0.06, 0.06]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = ["adjust_pvalues", "romano_wolf", "romano_wolf_pvalues"]

AdjustMethod = Literal["holm", "bonferroni", "bh", "by"]
_METHODS = ("holm", "bonferroni", "bh", "by")
_TIE = 1e-10


def adjust_pvalues(p: Sequence[float] | np.ndarray, method: AdjustMethod = "holm") -> np.ndarray:
    """Adjusted p-values for a family of tests.

    Parameters
    ----------
    p
        Unadjusted p-values (in [0, 1], no missing values).
    method
        ``"bonferroni"``: ``min(1, m p)``; ``"holm"``: stepdown Bonferroni;
        ``"bh"``: Benjamini--Hochberg (FDR, independent or positively dependent
        tests); ``"by"``: Benjamini--Yekutieli (FDR under any dependence).

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.02, 0.03, 0.5], method="bh").tolist()
    [0.04, 0.04, 0.04, 0.5]
    """
    if method not in _METHODS:
        raise ValueError(f"method={method!r} is not supported; choose one of {', '.join(map(repr, _METHODS))}.")
    pv = np.asarray(p, dtype=float)
    if pv.ndim != 1:
        pv = pv.ravel()
    if np.isnan(pv).any():
        raise ValueError(f"{int(np.isnan(pv).sum())} p-values are missing (NaN); drop those tests from the family "
                         "or fill them before adjusting.")
    if pv.size and (pv.min() < 0 or pv.max() > 1):
        raise ValueError(f"p-values must lie in [0, 1]; got values from {pv.min()} to {pv.max()}.")
    m = pv.size
    if m == 0:
        return pv.copy()
    if method == "bonferroni":
        return np.minimum(1.0, m * pv)
    order = np.argsort(pv, kind="mergesort")
    ps = pv[order]
    out = np.empty(m)
    if method == "holm":
        adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * ps))
    else:
        scale = 1.0 if method == "bh" else float(np.sum(1.0 / np.arange(1, m + 1)))
        raw = ps * m * scale / np.arange(1, m + 1)
        adj = np.minimum(1.0, np.minimum.accumulate(raw[::-1])[::-1])
    out[order] = adj
    return out


def romano_wolf_pvalues(statistics: Sequence[float] | np.ndarray, boot_statistics: np.ndarray) -> np.ndarray:
    """Romano--Wolf stepdown adjusted p-values (two-sided).

    Parameters
    ----------
    statistics
        Observed t-statistics, one per hypothesis (length S).
    boot_statistics
        Bootstrap t-statistics under the null, B x S, drawn *jointly* (the same
        resample for every hypothesis in a row).

    Returns
    -------
    numpy.ndarray
        Adjusted p-values (length S): for the hypotheses ordered by ``|t|``
        (largest first), ``(#{b: max over the not-yet-ordered j of |t*_jb| >= |t_(s)|} + 1)/(B + 1)``,
        then the running maximum. Bootstrap values within 1e-10 (relative) of ``|t_(s)|``
        count as ``>=``.

    Examples
    --------
    >>> import numpy as np
    >>> tb = np.random.default_rng(0).normal(size=(999, 3))
    >>> romano_wolf_pvalues([3.5, 0.2, -2.4], tb).round(3).tolist()
    [0.003, 0.857, 0.028]
    """
    t = np.abs(np.asarray(statistics, dtype=float).ravel())
    tb = np.abs(np.asarray(boot_statistics, dtype=float))
    if tb.ndim != 2 or tb.shape[1] != t.size:
        raise ValueError(f"boot_statistics must be B x S with S = {t.size} hypotheses; got shape {tb.shape}.")
    B, S = tb.shape
    order = np.argsort(-t, kind="mergesort")
    # max over the hypotheses ranked s..S-1, for every draw: running max from the right
    tail_max = np.maximum.accumulate(tb[:, order][:, ::-1], axis=1)[:, ::-1]
    count = (tail_max >= t[order][None, :] * (1 - _TIE)).sum(axis=0)
    p_step = np.minimum(1.0, (count + 1) / (B + 1))
    out = np.empty(S)
    out[order] = np.maximum.accumulate(p_step)
    return out


def romano_wolf(
    df: pd.DataFrame,
    *,
    outcomes: Sequence[str],
    unit: str,
    time: str,
    treat: str,
    cluster: str,
    weights: Literal["rademacher", "webb"] = "webb",
    reps: int = 9999,
    seed: Any = 0,
) -> pd.DataFrame:
    """Romano--Wolf adjusted p-values for the effect of one treatment on a family of outcomes.

    Each outcome is regressed on ``treat`` with unit and time fixed effects
    (:func:`research_kit.did.twfe`), clustered by ``cluster``; the joint null
    distribution of the t-statistics comes from the restricted wild cluster
    bootstrap with the *same* cluster weights for every outcome.

    Parameters
    ----------
    df
        Long panel with every outcome observed in every row.
    outcomes
        Outcome columns (the family).
    unit, time, treat, cluster
        As in :func:`research_kit.inference.bootstrap.wild_bootstrap_twfe`.
    weights, reps, seed
        Bootstrap weights, number of draws and seed.

    Returns
    -------
    pandas.DataFrame
        One row per outcome: outcome, estimate, std_error (CR1), statistic,
        p_value (bootstrap, unadjusted, ``(#{|t*| >= |t|} + 1)/(B + 1)``),
        p_holm (Holm on those), p_romano_wolf.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(90), 6), "t": np.tile(np.arange(6), 90)})
    >>> df["county"] = df["id"] % 9
    >>> df["d"] = ((df["county"] < 4) & (df["t"] >= 3)).astype(int)
    >>> for k in range(3):
    ...     df[f"y{k}"] = 0.8 * (k == 0) * df["d"] + rng.normal(size=len(df))
    >>> rw = romano_wolf(df, outcomes=["y0", "y1", "y2"], unit="id", time="t", treat="d",
    ...                  cluster="county", reps=999, seed=1)
    >>> list(rw.columns)
    ['outcome', 'estimate', 'std_error', 'statistic', 'p_value', 'p_holm', 'p_romano_wolf']
    """
    from research_kit.inference.bootstrap import bootstrap_weights, twfe_design
    from research_kit.tabular.encode import check_missing, require_columns

    outcomes = list(outcomes)
    if len(outcomes) < 1:
        raise ValueError("outcomes is empty; give the family of outcome columns to test.")
    if len(set(outcomes)) != len(outcomes):
        raise ValueError(f"outcomes {outcomes} repeat a column; each outcome must appear once.")
    require_columns(df, {"outcome": outcomes})
    for col in outcomes:
        check_missing(df, col, "outcome", " Romano-Wolf needs every outcome on the same rows.")
    design, _ = twfe_design(df, outcome=None, unit=unit, time=time, treat=treat, cluster=cluster)
    raw = df[outcomes].to_numpy(dtype=float)
    Y = raw if design.absorb is None else design.absorb(raw)
    V, _ = bootstrap_weights(design.G, weights=weights, reps=reps, seed=seed)
    t, tb = design.bootstrap_t(Y, V, null=0.0, impose_null=True)
    beta, se = design.fit(Y)
    B = tb.shape[1]
    p_single = (np.sum(np.abs(tb) >= np.abs(t)[:, None] * (1 - _TIE), axis=1) + 1) / (B + 1)
    return pd.DataFrame({
        "outcome": outcomes,
        "estimate": beta,
        "std_error": se,
        "statistic": t,
        "p_value": p_single,
        "p_holm": adjust_pvalues(p_single, "holm"),
        "p_romano_wolf": romano_wolf_pvalues(t, tb.T),
    })
