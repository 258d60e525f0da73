r"""Analytic power and minimum detectable effects (MDE).

Two designs:

* **two-sample comparison** of means (no clustering): the standard error is
  ``sd * sqrt(1/n1 + 1/n2)``; the t version is the pooled two-sample t test with
  ``n1 + n2 - 2`` degrees of freedom, the same as statsmodels'
  ``TTestIndPower`` (``NormalIndPower`` for ``dist="normal"``);
* **2×2 difference in differences with clustered assignment**: ``n_clusters``
  clusters (a share ``treated_share`` treated) of ``cluster_size`` units each,
  observed ``n_pre`` periods before and ``n_post`` periods after the start. The
  outcome is ``y_ijt = a_ij + d_t + b D_jt + c_jt + e_ijt`` with unit effects
  ``a_ij`` (differenced out), a cluster-period shock ``c_jt`` of variance
  ``icc * sd^2`` and an idiosyncratic error ``e_ijt`` of variance
  ``(1 - icc) * sd^2``; over time each error has correlation matrix ``R``
  (AR(1) ``autocorr^|s-t|`` or exchangeable ``autocorr``; the cluster shock may
  have its own ``cluster_autocorr``). The DiD estimate is the difference between
  treated and control clusters of the cluster-mean change
  ``Δ_j = mean_post - mean_pre``, whose variance is

  .. math:: V_Δ = sd^2 \left[icc\, a'R_c a + \frac{1 - icc}{m}\, a'R_e a\right],
            \qquad a = (-1/n_{pre}, \dots, 1/n_{post}, \dots),

  so :math:`SE = \sqrt{V_Δ / (P(1-P)J)}` and the test is a t test with
  ``J - 2`` degrees of freedom (clusters are the units of inference). This is
  the serial-correlation-robust variance of Burlig, Preonas and Woerman (2020,
  *J. Dev. Econ.* 144) for the collapsed (cluster-mean) DiD, with the between
  -cluster covariance parameterised by the ICC as in Bloom (1995) and Duflo,
  Glennerster and Kremer (2007). Special cases: exchangeable correlation gives
  McKenzie (2012), ``(1 - autocorr) (1/n_pre + 1/n_post)``; ``n_pre = 0`` is a
  post-only comparison of cluster means with Bloom's design effect
  ``icc + (1 - icc)/m``.

Every power and MDE function returns a :class:`~research_kit.power.result.PowerResult`: the
solved number itself (a ``float``) with the test and the design as typed fields. ``alpha`` is the
size of the test in every one of them (not an interval level; see :mod:`research_kit.power.result`).

Power uses the noncentral t (or normal) distribution with noncentrality
``effect / SE`` and counts both tails for two-sided tests; the MDE solves
``power(MDE) = power`` exactly (root finding), which is within 1e-6 of Bloom's
multiplier ``(t_{1-α/2} + t_{power}) SE`` for large df.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, Literal, get_args

import numpy as np
from scipy import optimize, stats

from research_kit.power.result import PowerResult, Solved

__all__ = [
    "Alternative",
    "Correlation",
    "Dist",
    "did_se",
    "mde_did",
    "mde_from_se",
    "mde_two_sample",
    "power_did",
    "power_from_se",
    "power_two_sample",
    "serial_corr_matrix",
]

Alternative = Literal["two-sided", "larger", "smaller"]
Dist = Literal["t", "normal"]
Correlation = Literal["ar1", "exchangeable"]


def _check(name: str, value: object, allowed: tuple[object, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}.")


def _prob(name: str, value: float, *, open_low: bool = True) -> float:
    v = float(value)
    inside = (0.0 < v < 1.0) if open_low else (0.0 <= v < 1.0)
    if not inside:
        raise ValueError(f"{name} must be in {'(0, 1)' if open_low else '[0, 1)'}; got {value!r}.")
    return v


def power_from_se(effect: float, se: float, *, alpha: float = 0.05, alternative: Alternative = "two-sided",
                  dist: Dist = "t", df: float | None = None) -> PowerResult:
    """Power of a test of ``effect = 0`` whose estimate has standard error ``se``.

    ``alpha`` is the size of the test (not an interval level). Returns a :class:`PowerResult`
    whose value is the power.

    Examples
    --------
    >>> round(power_from_se(2.8, 1.0, dist="normal"), 3)
    0.8
    """
    p = _power(effect, se, alpha=alpha, alternative=alternative, dist=dist, df=df)
    return _result(p, "power", power=p, effect=effect, se=se, df=df, alpha=alpha, alternative=alternative, dist=dist,
                   method="from_se", design={"std_error": float(se)})


def _result(value: float, solved_for: Solved, *, power: float, effect: float, se: float, df: float | None,
            alpha: float, alternative: str, dist: str, method: str, design: dict[str, Any]) -> PowerResult:
    return PowerResult(value, solved_for=solved_for, power=power, effect=effect, std_error=se,
                       df=None if dist == "normal" else df, alpha=alpha, alternative=alternative, method=method,
                       design=design)


def _power(effect: float, se: float, *, alpha: float, alternative: str, dist: str, df: float | None) -> float:
    _check("alternative", alternative, get_args(Alternative))
    _check("dist", dist, get_args(Dist))
    alpha = _prob("alpha", alpha)
    if not se > 0:
        raise ValueError(f"se must be positive; got {se!r}.")
    nc = float(effect) / float(se)
    if dist == "t":
        if df is None or not df > 0:
            raise ValueError(f"dist='t' needs positive degrees of freedom; got df={df!r}.")
        crit = stats.t(df).ppf

        def upper(c: float, shift: float) -> float:  # P(T' > c) for noncentrality ``shift``
            return float(stats.nct.sf(c, df, shift))
    else:
        crit = stats.norm.ppf

        def upper(c: float, shift: float) -> float:
            return float(stats.norm.sf(c - shift))

    # The lower tail P(T' < -c; nc) is computed as P(T' > c; -nc): scipy's nct.cdf
    # returns NaN far in the lower tail (e.g. df = 873, nc = 6.7), its sf does not.
    if alternative == "two-sided":
        c = crit(1 - alpha / 2)
        return upper(c, nc) + upper(c, -nc)
    c = crit(1 - alpha)
    return upper(c, nc) if alternative == "larger" else upper(c, -nc)


def mde_from_se(se: float, *, alpha: float = 0.05, power: float = 0.8, alternative: Alternative = "two-sided",
                dist: Dist = "t", df: float | None = None) -> PowerResult:
    """Smallest effect detected with probability ``power`` (positive; for ``"smaller"``, its size).

    ``alpha`` is the size of the test. Returns a :class:`PowerResult` whose value is the MDE.

    Examples
    --------
    >>> round(mde_from_se(1.0, dist="normal"), 4)  # Bloom's multiplier 1.96 + 0.84
    2.8016
    """
    m = _mde(se, alpha=alpha, power=power, alternative=alternative, dist=dist, df=df)
    return _result(m, "mde", power=power, effect=m, se=se, df=df, alpha=alpha, alternative=alternative, dist=dist,
                   method="from_se", design={"std_error": float(se)})


def _mde(se: float, *, alpha: float, power: float, alternative: str, dist: str, df: float | None) -> float:
    power = _prob("power", power)
    sign = -1.0 if alternative == "smaller" else 1.0
    if power <= alpha / (2 if alternative == "two-sided" else 1):
        raise ValueError(f"power ({power}) must exceed the test's size under no effect; raise power or lower alpha.")

    def gap(e: float) -> float:
        return _power(sign * e, se, alpha=alpha, alternative=alternative, dist=dist, df=df) - power

    hi = float(se)
    while gap(hi) < 0:
        hi *= 2
    return float(optimize.brentq(gap, 0.0, hi, xtol=1e-14 * max(1.0, hi), rtol=4 * np.finfo(float).eps, maxiter=500))


def _check_n(name: str, value: float, minimum: float) -> float:
    if isinstance(value, bool) or not np.isfinite(value) or value < minimum:
        raise ValueError(f"{name} must be a number >= {minimum}; got {value!r}.")
    return float(value)


def power_two_sample(effect: float, nobs1: float, *, ratio: float = 1.0, sd: float = 1.0, alpha: float = 0.05,
                     alternative: Alternative = "two-sided", dist: Dist = "t") -> PowerResult:
    """Power of a two-sample comparison of means (no clustering).

    Parameters
    ----------
    effect
        Difference in means (group 1 minus group 2), in outcome units.
    nobs1
        Size of group 1; group 2 has ``ratio * nobs1``.
    sd
        Outcome standard deviation (common to both groups).
    alpha, alternative
        Test size (not an interval level) and direction (``"larger"``: effect > 0).
    dist
        ``"t"`` (pooled t test, df = n1 + n2 - 2; statsmodels ``TTestIndPower``)
        or ``"normal"`` (statsmodels ``NormalIndPower``).

    Returns
    -------
    PowerResult
        The power (the value itself), with the effect, standard error, test and design as fields.

    Examples
    --------
    >>> round(power_two_sample(0.5, 64), 4)  # Cohen's d = 0.5, 64 per group
    0.8015
    """
    n1 = _check_n("nobs1", nobs1, 2)
    n2 = _check_n("ratio * nobs1", ratio * n1, 1)
    se = float(sd) * np.sqrt(1 / n1 + 1 / n2)
    p = _power(effect, se, alpha=alpha, alternative=alternative, dist=dist, df=n1 + n2 - 2)
    return _result(p, "power", power=p, effect=effect, se=se, df=n1 + n2 - 2, alpha=alpha, alternative=alternative,
                   dist=dist, method="two_sample", design={"nobs1": n1, "nobs2": n2, "sd": float(sd)})


def mde_two_sample(nobs1: float, *, ratio: float = 1.0, sd: float = 1.0, alpha: float = 0.05, power: float = 0.8,
                   alternative: Alternative = "two-sided", dist: Dist = "t") -> PowerResult:
    """Minimum detectable difference in means of a two-sample comparison (see :func:`power_two_sample`).

    Examples
    --------
    >>> round(mde_two_sample(64), 4)
    0.4991
    """
    n1 = _check_n("nobs1", nobs1, 2)
    n2 = _check_n("ratio * nobs1", ratio * n1, 1)
    se = float(sd) * np.sqrt(1 / n1 + 1 / n2)
    m = _mde(se, alpha=alpha, power=power, alternative=alternative, dist=dist, df=n1 + n2 - 2)
    return _result(m, "mde", power=power, effect=m, se=se, df=n1 + n2 - 2, alpha=alpha, alternative=alternative,
                   dist=dist, method="two_sample", design={"nobs1": n1, "nobs2": n2, "sd": float(sd)})


def serial_corr_matrix(n_periods: int, autocorr: float, correlation: Correlation = "ar1") -> np.ndarray:
    """Correlation over ``n_periods`` periods: AR(1) ``autocorr^|s-t|`` or exchangeable.

    Examples
    --------
    >>> serial_corr_matrix(3, 0.5).round(2).tolist()
    [[1.0, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 1.0]]
    """
    _check("correlation", correlation, get_args(Correlation))
    if not -1.0 < float(autocorr) < 1.0:
        raise ValueError(f"autocorr must be in (-1, 1); got {autocorr!r}.")
    k = np.arange(n_periods)
    lag = np.abs(np.subtract.outer(k, k))
    if correlation == "ar1":
        return float(autocorr) ** lag
    return np.where(lag == 0, 1.0, float(autocorr))


def did_se(n_clusters: float, *, cluster_size: float = 1, n_pre: int = 1, n_post: int = 1, icc: float = 0.0,
           autocorr: float = 0.0, cluster_autocorr: float | None = None, correlation: Correlation = "ar1",
           sd: float = 1.0, treated_share: float = 0.5, corr_matrix: np.ndarray | None = None) -> float:
    """Standard error of the 2×2 DiD estimate with clustered assignment (model in the module docstring).

    Parameters
    ----------
    n_clusters
        Number of clusters ``J`` (all units of a cluster share its treatment).
    cluster_size
        Units per cluster ``m`` (1: unit-level assignment).
    n_pre, n_post
        Periods before (may be 0: post-only comparison) and after the start.
    icc
        Intra-cluster correlation: share of the outcome variance from the cluster-period shock.
    autocorr, cluster_autocorr, correlation
        Serial correlation of the idiosyncratic error and of the cluster shock
        (default: the same), AR(1) or exchangeable.
    sd
        Standard deviation of the outcome net of unit and period effects.
    treated_share
        Share ``P`` of clusters treated.
    corr_matrix
        A full ``(n_pre + n_post)``-square correlation matrix used for both errors
        instead of ``autocorr`` (e.g. estimated from pre-programme data, as
        Burlig, Preonas and Woerman recommend).

    Examples
    --------
    >>> round(did_se(100, n_pre=1, n_post=1), 4)  # sqrt(2 / (0.25 * 100))
    0.2828
    """
    J = _check_n("n_clusters", n_clusters, 3)
    m = _check_n("cluster_size", cluster_size, 1)
    if isinstance(n_pre, bool) or int(n_pre) != n_pre or n_pre < 0 or int(n_post) != n_post or n_post < 1:
        raise ValueError(f"n_pre must be an integer >= 0 and n_post an integer >= 1; got {n_pre!r}, {n_post!r}.")
    icc = _prob("icc", icc, open_low=False)
    P = _prob("treated_share", treated_share)
    T = int(n_pre) + int(n_post)
    a = np.r_[np.full(int(n_pre), -1.0 / max(int(n_pre), 1)), np.full(int(n_post), 1.0 / int(n_post))]
    if corr_matrix is not None:
        Rm = np.asarray(corr_matrix, dtype=float)
        if Rm.shape != (T, T) or not np.allclose(Rm, Rm.T) or not np.allclose(np.diag(Rm), 1.0):
            raise ValueError(f"corr_matrix must be a symmetric {T}x{T} correlation matrix (ones on the diagonal).")
        Re = Rc = Rm
    else:
        Re = serial_corr_matrix(T, autocorr, correlation)
        Rc = serial_corr_matrix(T, autocorr if cluster_autocorr is None else cluster_autocorr, correlation)
    v_delta = float(sd) ** 2 * (icc * a @ Rc @ a + (1 - icc) / m * a @ Re @ a)
    if not v_delta > 0:
        raise ValueError("the DiD variance is not positive for these correlations; check autocorr / corr_matrix.")
    return float(np.sqrt(v_delta / (P * (1 - P) * J)))


def _did_design(n_clusters: float, design: Mapping[str, Any]) -> dict[str, Any]:
    """Every input of :func:`did_se` (defaults filled in), for the result's ``design``."""
    bound = inspect.signature(did_se).bind(n_clusters, **design)
    bound.apply_defaults()
    out = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in bound.arguments.items()}
    if out.get("corr_matrix") is None:
        out.pop("corr_matrix", None)
    return out


def power_did(effect: float, n_clusters: float, *, alpha: float = 0.05, alternative: Alternative = "two-sided",
              dist: Dist = "t", **design: float) -> PowerResult:
    """Power of the clustered 2×2 DiD (design options of :func:`did_se`; t with ``J - 2`` df).

    ``alpha`` is the size of the test. Returns a :class:`PowerResult` whose value is the power.

    Examples
    --------
    >>> round(power_did(0.3, 40, cluster_size=20, n_pre=6, n_post=6, icc=0.05, autocorr=0.5), 3)
    0.95
    """
    se = did_se(n_clusters, **design)  # type: ignore[arg-type]
    df = float(n_clusters) - 2
    p = _power(effect, se, alpha=alpha, alternative=alternative, dist=dist, df=df)
    return _result(p, "power", power=p, effect=effect, se=se, df=df, alpha=alpha, alternative=alternative, dist=dist,
                   method="did", design=_did_design(n_clusters, design))


def mde_did(n_clusters: float, *, alpha: float = 0.05, power: float = 0.8, alternative: Alternative = "two-sided",
            dist: Dist = "t", **design: float) -> PowerResult:
    """Minimum detectable effect of the clustered 2×2 DiD (design options of :func:`did_se`).

    ``alpha`` is the size of the test. Returns a :class:`PowerResult` whose value is the MDE
    (``m.std_error``, ``m.df`` and ``m.design`` hold the rest).

    Examples
    --------
    >>> round(mde_did(40, cluster_size=20, n_pre=6, n_post=6, icc=0.05, autocorr=0.5), 3)
    0.233
    """
    se = did_se(n_clusters, **design)  # type: ignore[arg-type]
    df = float(n_clusters) - 2
    m = _mde(se, alpha=alpha, power=power, alternative=alternative, dist=dist, df=df)
    return _result(m, "mde", power=power, effect=m, se=se, df=df, alpha=alpha, alternative=alternative, dist=dist,
                   method="did", design=_did_design(n_clusters, design))
