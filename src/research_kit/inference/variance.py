"""Variance estimators shared by every estimator.

Everything here works on arrays: a design matrix ``X`` (n x k), residuals or
per-observation scores, and cluster identifiers. Estimators call these
functions; users rarely need to.

* :func:`cluster_robust_vcov` -- CR1, the Stata / R ``fixest`` default for
  clustered standard errors: ``G/(G-1) * (N-1)/(N-K) * (X'WX)^-1 M (X'WX)^-1``.
* :func:`hc1_vcov` -- heteroskedasticity-robust HC1: ``N/(N-K)`` times the
  White sandwich.
* :func:`twoway_cluster_vcov` -- Cameron, Gelbach and Miller (2011) two-way
  clustering, ``V1 + V2 - V12``.
* :func:`influence_function_se` -- standard errors from influence functions
  (Callaway--Sant'Anna style), optionally clustered.
* :func:`wald_test` -- joint chi-squared test that a vector of estimates is zero.

With fewer than :data:`FEW_CLUSTERS` clusters a :class:`FewClustersWarning` is
emitted; cluster-robust inference is then unreliable and the wild cluster
bootstrap is the better tool.

Examples
--------
>>> import numpy as np
>>> from research_kit.inference import cluster_robust_vcov
>>> rng = np.random.default_rng(0)
>>> X = np.column_stack([np.ones(200), rng.normal(size=200)])
>>> y = X @ np.array([1.0, 2.0]) + rng.normal(size=200)
>>> beta = np.linalg.lstsq(X, y, rcond=None)[0]
>>> V = cluster_robust_vcov(X, y - X @ beta, np.repeat(np.arange(40), 5))
>>> V.shape
(2, 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from research_kit._validation import warn_user

__all__ = [
    "FEW_CLUSTERS",
    "FewClustersWarning",
    "cluster_codes",
    "cluster_sums",
    "cluster_robust_vcov",
    "hc1_vcov",
    "twoway_cluster_vcov",
    "influence_function_se",
    "wald_test",
    "warn_few_clusters",
    "warn_user",
]

#: Below this many clusters a :class:`FewClustersWarning` is emitted.
FEW_CLUSTERS = 30

class FewClustersWarning(UserWarning):
    """Fewer than :data:`FEW_CLUSTERS` clusters: cluster-robust standard errors are unreliable."""


def cluster_codes(cluster: Any, *, name: str = "cluster") -> tuple[np.ndarray, int]:
    """Integer codes ``0..G-1`` for cluster identifiers, and the number of clusters ``G``.

    Raises
    ------
    ValueError
        If an identifier is missing or there is only one cluster.
    """
    arr = np.asarray(cluster)
    if np.issubdtype(arr.dtype, np.integer) and arr.size and arr.min() >= 0:
        counts = np.bincount(arr)
        if counts.size >= 2 and np.all(counts > 0):  # already dense codes 0..G-1
            return arr.astype(np.intp, copy=False), int(counts.size)
    values = pd.Series(arr)
    if values.isna().any():
        raise ValueError(
            f"cluster variable {name!r} has {int(values.isna().sum())} missing values; "
            "drop those rows or fill the cluster identifier."
        )
    codes, uniques = pd.factorize(values, sort=False)
    n_clusters = len(uniques)
    if n_clusters < 2:
        raise ValueError(
            f"cluster variable {name!r} has a single cluster; cluster-robust variance needs at least "
            "two (use a finer cluster, or heteroskedasticity-robust standard errors with cluster=None)."
        )
    return codes.astype(np.intp), n_clusters


def warn_few_clusters(n_clusters: int, name: str) -> None:
    """Emit :class:`FewClustersWarning` (at the user's line) when ``n_clusters < FEW_CLUSTERS``."""
    if n_clusters < FEW_CLUSTERS:
        warn_user(
            f"only {n_clusters} clusters in {name!r}: cluster-robust standard errors are unreliable "
            f"with fewer than {FEW_CLUSTERS} clusters; consider the wild cluster bootstrap.",
            FewClustersWarning,
        )


def cluster_sums(scores: np.ndarray, codes: np.ndarray, n_clusters: int) -> np.ndarray:
    """Sum the rows of ``scores`` (n x k) within clusters; returns ``n_clusters x k``."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        return np.bincount(codes, weights=scores, minlength=n_clusters)[:, None]
    if scores.shape[1] <= 16:
        out = np.empty((n_clusters, scores.shape[1]), order="F")
        for j in range(scores.shape[1]):
            out[:, j] = np.bincount(codes, weights=scores[:, j], minlength=n_clusters)
        return out
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    out = np.zeros((n_clusters, scores.shape[1]))
    out[sorted_codes[starts]] = np.add.reduceat(scores[order], starts, axis=0)
    return out


# -------------------------------------------------------------------- sandwich
def _bread(X: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    XtWX = X.T @ (X if weights is None else X * weights[:, None])
    return np.linalg.inv(XtWX)


def _scores(X: np.ndarray, residuals: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    u = residuals if weights is None else residuals * weights
    return X * u[:, None]


def _meat(scores: np.ndarray, cluster: Any, name: str) -> tuple[np.ndarray, int]:
    codes, n_clusters = cluster_codes(cluster, name=name)
    S = cluster_sums(scores, codes, n_clusters)
    return S.T @ S, n_clusters


def cluster_robust_vcov(
    X: np.ndarray,
    residuals: np.ndarray,
    cluster: Any,
    *,
    weights: np.ndarray | None = None,
    n_params: int | None = None,
    name: str = "cluster",
) -> np.ndarray:
    """CR1 cluster-robust variance (Stata ``vce(cluster)``, ``fixest`` default).

    Parameters
    ----------
    X
        Design matrix, n x k (after any within transformation).
    residuals
        Regression residuals, length n.
    cluster
        Cluster identifier per observation, length n.
    weights
        Regression weights (the same as in the fit), or None.
    n_params
        ``K`` in the small-sample factor ``(N-1)/(N-K)``; defaults to ``k``.
        Estimators with absorbed fixed effects pass ``k`` plus the fixed-effect
        parameters that are not nested in the clusters (``fixest``'s
        ``fixef.K = "nested"`` rule).
    name
        Name of the cluster variable, used in messages.

    Returns
    -------
    numpy.ndarray
        k x k variance matrix.

    Warns
    -----
    FewClustersWarning
        With fewer than :data:`FEW_CLUSTERS` clusters.

    Examples
    --------
    >>> import numpy as np
    >>> import warnings
    >>> X = np.column_stack([np.ones(6), [0, 1, 0, 1, 0, 1.0]])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FewClustersWarning)
    ...     V = cluster_robust_vcov(X, np.array([.1, -.2, .3, 0, -.1, .1]), [1, 1, 2, 2, 3, 3])
    >>> V.shape
    (2, 2)
    """
    X = np.asarray(X, dtype=float)
    resid = np.asarray(residuals, dtype=float)
    w = None if weights is None else np.asarray(weights, dtype=float)
    n, k = X.shape
    K = k if n_params is None else int(n_params)
    meat, G = _meat(_scores(X, resid, w), cluster, name)
    warn_few_clusters(G, name)
    B = _bread(X, w)
    factor = G / (G - 1) * (n - 1) / (n - K)
    return factor * B @ meat @ B


def hc1_vcov(
    X: np.ndarray,
    residuals: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    n_params: int | None = None,
) -> np.ndarray:
    """HC1 heteroskedasticity-robust variance: ``N/(N-K)`` times the White sandwich.

    ``n_params`` is ``K``; with absorbed fixed effects pass ``k`` plus the number
    of fixed-effect parameters (``fixest``'s ``"hetero"`` default).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.column_stack([np.ones(4), [0, 1, 2, 3.0]])
    >>> hc1_vcov(X, np.array([.1, -.2, .2, -.1])).shape
    (2, 2)
    """
    X = np.asarray(X, dtype=float)
    resid = np.asarray(residuals, dtype=float)
    w = None if weights is None else np.asarray(weights, dtype=float)
    n, k = X.shape
    K = k if n_params is None else int(n_params)
    s = _scores(X, resid, w)
    B = _bread(X, w)
    return n / (n - K) * B @ (s.T @ s) @ B


def twoway_cluster_vcov(
    X: np.ndarray,
    residuals: np.ndarray,
    cluster1: Any,
    cluster2: Any,
    *,
    weights: np.ndarray | None = None,
    n_params: int | None = None,
    names: tuple[str, str] = ("cluster1", "cluster2"),
) -> np.ndarray:
    """Two-way cluster-robust variance of Cameron, Gelbach and Miller (2011).

    ``V = V1 + V2 - V12`` where ``V12`` clusters on the intersection. Every term
    uses the small-sample factor ``G/(G-1) * (N-1)/(N-K)`` with ``G`` the smaller
    of the two cluster counts (``fixest``'s default ``cluster.df = "min"``, which
    ``pyfixest`` follows).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> X = np.column_stack([np.ones(400), rng.normal(size=400)])
    >>> V = twoway_cluster_vcov(X, rng.normal(size=400), np.arange(400) % 40, np.arange(400) // 10)
    >>> V.shape
    (2, 2)
    """
    X = np.asarray(X, dtype=float)
    resid = np.asarray(residuals, dtype=float)
    w = None if weights is None else np.asarray(weights, dtype=float)
    n, k = X.shape
    K = k if n_params is None else int(n_params)
    s = _scores(X, resid, w)
    c1, g1 = cluster_codes(cluster1, name=names[0])
    c2, g2 = cluster_codes(cluster2, name=names[1])
    c12, g12 = cluster_codes(c1.astype(np.int64) * g2 + c2, name=f"{names[0]} x {names[1]}")
    G = min(g1, g2)
    warn_few_clusters(G, f"{names[0]} / {names[1]}")
    meat = np.zeros((k, k))
    for codes, g, sign in ((c1, g1, 1.0), (c2, g2, 1.0), (c12, g12, -1.0)):
        S = cluster_sums(s, codes, g)
        meat += sign * (S.T @ S)
    B = _bread(X, w)
    return G / (G - 1) * (n - 1) / (n - K) * B @ meat @ B


# --------------------------------------------------------- influence functions
def influence_function_se(
    psi: np.ndarray,
    cluster: Any = None,
    *,
    name: str = "cluster",
) -> np.ndarray:
    """Standard errors of estimators with influence functions ``psi`` (n x k).

    ``se = sqrt(sum_c (sum_{i in c} psi_i)^2) / n`` with ``c`` running over
    clusters (each observation its own cluster when ``cluster`` is None). This is
    the analytic variance of R ``did`` (``bstrap = FALSE``), including its
    cluster-sum version; there is no small-sample factor.

    Examples
    --------
    >>> import numpy as np
    >>> psi = np.array([[1.0], [-1.0], [2.0], [-2.0]])
    >>> influence_function_se(psi)
    array([0.79056942])
    """
    psi = np.asarray(psi, dtype=float)
    if psi.ndim == 1:
        psi = psi[:, None]
    n = psi.shape[0]
    if cluster is None:
        return np.sqrt(np.einsum("ij,ij->j", psi, psi)) / n
    codes, G = cluster_codes(cluster, name=name)
    warn_few_clusters(G, name)
    S = cluster_sums(psi, codes, G)
    return np.sqrt(np.einsum("ij,ij->j", S, S)) / n


def wald_test(estimates: np.ndarray, vcov: np.ndarray) -> dict[str, float]:
    """Joint Wald test that all ``estimates`` are zero, chi-squared with ``len(estimates)`` df.

    Returns a dict with ``statistic``, ``df`` and ``p_value``. A singular ``vcov``
    gives NaN statistic and p-value.

    Examples
    --------
    >>> wald_test([1.0, 0.0], [[1.0, 0.0], [0.0, 1.0]])["statistic"]
    1.0
    """
    b = np.asarray(estimates, dtype=float).ravel()
    V = np.atleast_2d(np.asarray(vcov, dtype=float))
    q = b.size
    if q == 0:
        return {"statistic": float("nan"), "df": 0, "p_value": float("nan")}
    try:
        if np.linalg.cond(V) > 1e12:
            raise np.linalg.LinAlgError
        stat = float(b @ np.linalg.solve(V, b))
    except np.linalg.LinAlgError:
        return {"statistic": float("nan"), "df": q, "p_value": float("nan")}
    return {"statistic": stat, "df": q, "p_value": float(stats.chi2.sf(stat, q))}
