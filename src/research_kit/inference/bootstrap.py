"""Wild cluster bootstrap for one coefficient of a least-squares regression.

The restricted wild cluster bootstrap (WCR, the null imposed) of Cameron,
Gelbach and Miller (2008), computed the "fast and wild" way of Roodman,
MacKinnon, Nielsen and Webb (2019, Stata ``boottest``): every bootstrap
t-statistic is a ratio of a linear and a quadratic form in the G cluster weights,

``t*_b = c'v_b / sqrt(ssc * ||K v_b||^2)``

with a G-vector ``c`` and a G x G matrix ``K`` computed once, so a batch of draws
costs one matrix product. Both are affine in the tested value ``beta0``, which
makes the p-value function ``p(beta0)`` cheap to evaluate and the confidence
interval (the set of ``beta0`` with ``p(beta0) >= alpha``, found by bisection on
each side, as ``boottest`` does) exact up to the bisection tolerance.

* Weights: Rademacher (+-1) or Webb's six-point distribution. With Rademacher
  weights and ``2**G <= reps`` all ``2**G`` sign vectors are enumerated (as
  ``boottest`` does) and :class:`BootstrapEnumerationWarning` is emitted: with 9
  clusters there are only 512 distinct draws and Webb weights are advised.
* The t-statistics use CR1 (``G/(G-1) (N-1)/(N-K)``); the symmetric bootstrap
  p-value is the share of draws with ``|t*| > |t|``, strictly (as ``fwildclusterboot``
  and ``wildboottest``); draws within 1e-10 (relative) of ``|t|`` -- under WCR the
  all-ones and all-minus-ones draws reproduce ``t`` exactly -- count as ties, not
  as more extreme, so the result does not hinge on rounding.
* Absorbed fixed effects: pass ``absorb``, the residual maker that was applied
  to ``X`` and ``y``. The bootstrap residuals are then re-residualized on the
  fixed effects in every draw, so results equal those of the regression with
  explicit dummies (the ``boottest``/``fwildclusterboot``/``pyfixest`` model), also
  when the fixed effects are not nested in the clusters.

:func:`wild_bootstrap_twfe` runs it for :func:`research_kit.did.twfe`;
:class:`WildBootstrapDesign` exposes the precomputed design for simulations
(many outcome vectors, one design).

Examples
--------
>>> import numpy as np, warnings
>>> rng = np.random.default_rng(0)
>>> g = np.repeat(np.arange(12), 30)
>>> X = np.column_stack([np.ones(360), rng.normal(size=360)])
>>> y = X @ [1.0, 0.0] + rng.normal(size=12)[g] + rng.normal(size=360)
>>> r = wild_cluster_bootstrap(X, y, g, coef_index=1, weights="webb", reps=999, seed=1)
>>> bool(0 <= r.p_value <= 1 and r.conf_low < r.estimate < r.conf_high)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from research_kit.inference import cluster_codes, cluster_sums, warn_user
from research_kit.results import Result

__all__ = [
    "BootstrapEnumerationWarning",
    "BootstrapResult",
    "WildBootstrapDesign",
    "bootstrap_weights",
    "twfe_design",
    "wild_bootstrap_twfe",
    "wild_cluster_bootstrap",
]

WeightType = Literal["rademacher", "webb"]
_WEIGHTS = ("rademacher", "webb")
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
_TIE = 1e-10
_MAX_GN = 50_000_000


class BootstrapEnumerationWarning(UserWarning):
    """All ``2**G`` Rademacher draws were enumerated: the p-value takes few distinct values."""


def _check_weights(weights: str) -> None:
    if weights not in _WEIGHTS:
        raise ValueError(f"weights={weights!r} is not supported; choose one of {', '.join(map(repr, _WEIGHTS))}.")


def bootstrap_weights(
    n_clusters: int, *, weights: WeightType = "rademacher", reps: int = 9999, seed: Any = 0, warn: bool = True
) -> tuple[np.ndarray, bool]:
    """Cluster-level bootstrap weights, ``n_clusters x B``, and whether they are a full enumeration.

    Rademacher weights with ``2**G <= reps`` enumerate all ``2**G`` sign vectors
    (the all-ones draw included), as ``boottest`` does; otherwise ``reps`` draws are
    sampled with ``numpy.random.default_rng(seed)``.

    Examples
    --------
    >>> V, full = bootstrap_weights(3, reps=999, warn=False)
    >>> V.shape, full
    ((3, 8), True)
    """
    _check_weights(weights)
    if int(reps) < 1:
        raise ValueError(f"reps={reps!r}: the number of bootstrap draws must be a positive integer (e.g. 9999).")
    G = int(n_clusters)
    if weights == "rademacher" and G < 31 and 2**G <= reps:
        codes = np.arange(2**G, dtype=np.int64)
        V = 1.0 - 2.0 * ((codes[None, :] >> np.arange(G)[:, None]) & 1)
        if warn:
            warn_user(
                f"with {G} clusters there are only 2^{G} = {2**G} distinct Rademacher draws (reps={reps}); all "
                f"are enumerated and the p-value is a multiple of 1/{2**G}. Webb weights (weights='webb') "
                "are advised with this few clusters: they give 6^G distinct draws.",
                BootstrapEnumerationWarning,
            )
        return V, True
    rng = np.random.default_rng(seed)
    if weights == "rademacher":
        return rng.integers(0, 2, size=(G, int(reps))) * 2.0 - 1.0, False
    return _WEBB[rng.integers(0, 6, size=(G, int(reps)))], False


@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """Wild cluster bootstrap test and confidence interval for one coefficient.

    Attributes
    ----------
    estimate, std_error, statistic
        The coefficient, its CR1 standard error and ``(estimate - null) / std_error``.
    p_value
        Symmetric bootstrap p-value of ``H0: coefficient = null``.
    conf_low, conf_high
        Bootstrap confidence interval by test inversion (``level``); infinite
        ends when the p-value never falls below ``1 - level``.
    t_boot
        Bootstrap t-statistics under the null, one per draw.
    """

    estimate: float
    std_error: float
    statistic: float
    p_value: float
    conf_low: float
    conf_high: float
    null: float
    level: float
    reps: int
    weights: str
    impose_null: bool
    full_enumeration: bool
    n_clusters: int
    nobs: int
    t_boot: np.ndarray
    _pfun: Callable[[np.ndarray], np.ndarray] = field(repr=False)

    def pvalue_at(self, beta0: float | Sequence[float] | np.ndarray) -> np.ndarray | float:
        """Bootstrap p-value of ``H0: coefficient = beta0`` (same draws; vectorized over ``beta0``)."""
        b = np.asarray(beta0, dtype=float)
        out = self._pfun(np.atleast_1d(b))
        return float(out[0]) if b.ndim == 0 else out


class WildBootstrapDesign:
    """The parts of a wild cluster bootstrap that depend only on the design.

    For a fixed regressor matrix ``X`` (already residualized on any absorbed
    fixed effects), clusters and tested coefficient, :meth:`pvalues` gives the
    bootstrap p-values of many outcome vectors at once, sharing the draws: each
    simulation x draw costs a few small matrix products. :func:`wild_cluster_bootstrap`
    is built on it.

    Parameters
    ----------
    X
        n x k regressors (residualized by ``absorb`` if given).
    cluster
        Cluster identifier per row.
    coef_index
        Column of ``X`` whose coefficient is tested.
    absorb
        Residual maker of the absorbed fixed effects (``v -> M v`` for n x m
        arrays), or None.
    n_params
        ``K`` in the CR1 factor ``(N-1)/(N-K)``; default the number of columns of ``X``.
    small_sample
        Apply the CR1 factor ``G/(G-1) (N-1)/(N-K)`` (it changes the reported
        standard error and t-statistic, not the bootstrap p-value).

    Examples
    --------
    >>> import numpy as np
    >>> g = np.repeat(np.arange(8), 10)
    >>> X = np.arange(80.0)[:, None] % 7 - 3
    >>> d = WildBootstrapDesign(X, g, coef_index=0)
    >>> Y = np.random.default_rng(0).normal(size=(80, 5))
    >>> d.pvalues(Y, null=0.0, reps=999, seed=0, warn=False).shape
    (5,)
    """

    def __init__(
        self,
        X: np.ndarray,
        cluster: Any,
        *,
        coef_index: int = 0,
        absorb: Callable[[np.ndarray], np.ndarray] | None = None,
        n_params: int | None = None,
        small_sample: bool = True,
    ) -> None:
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        n, k = X.shape
        if not -k <= int(coef_index) < k:
            raise IndexError(f"coef_index={coef_index} is out of range for X with {k} columns.")
        self.j = int(coef_index) % k
        self.codes, self.G = cluster_codes(cluster)
        if self.codes.shape[0] != n:
            raise ValueError(f"cluster has {self.codes.shape[0]} values but X has {n} rows; give one per row.")
        if self.G * n > _MAX_GN:
            raise ValueError(
                f"{self.G} clusters x {n} rows is too large for this wild bootstrap (it forms a G x N matrix); "
                "with this many clusters CR1 standard errors are reliable, use them instead."
            )
        self.X, self.n, self.k = X, n, k
        XtX = X.T @ X
        if np.linalg.cond(XtX) > 1e12:
            raise ValueError("X is (nearly) rank deficient; drop collinear columns before bootstrapping.")
        self.A = np.linalg.inv(XtX)
        a = self.A[:, self.j]
        self.aAa = float(a[self.j])
        self.q = X @ a  # row contributions to the tested coefficient: beta_j = q'y
        K = k if n_params is None else int(n_params)
        self.n_params = K
        self.ssc = self.G / (self.G - 1) * (n - 1) / (n - K) if small_sample else 1.0
        self.absorb = absorb
        # L[h, l]: contribution of residual l (of cluster g(l)) to cluster h's score of beta_j
        Hq = np.zeros((n, self.G))
        Hq[np.arange(n), self.codes] = self.q
        P = (Hq if absorb is None else np.asarray(absorb(Hq), dtype=float)).T
        Q = cluster_sums(X * self.q[:, None], self.codes, self.G) @ self.A @ X.T
        self.L = P - Q
        self._members = [np.flatnonzero(self.codes == g) for g in range(self.G)]

    # ------------------------------------------------------------ pieces
    def fit(self, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients and CR1 standard errors of the tested coefficient, one per column of ``Y``."""
        Y = np.asarray(Y, dtype=float).reshape(self.n, -1)
        beta = self.A @ (self.X.T @ Y)
        c = self._c(Y - self.X @ beta)
        return beta[self.j], np.sqrt(self.ssc * np.einsum("gs,gs->s", c, c))

    def _c(self, R: np.ndarray) -> np.ndarray:
        return cluster_sums(self.q[:, None] * R, self.codes, self.G)  # G x S

    def _K(self, R: np.ndarray) -> np.ndarray:
        out = np.empty((self.G, self.G, R.shape[1]))
        for g, idx in enumerate(self._members):
            out[:, g, :] = self.L[:, idx] @ R[idx]
        return out  # K[h, g, s]

    def _residuals(self, Y: np.ndarray, null: float | np.ndarray, impose_null: bool) -> tuple[np.ndarray, np.ndarray]:
        beta = self.A @ (self.X.T @ Y)
        uhat = Y - self.X @ beta
        if not impose_null:
            return uhat, beta[self.j]
        delta = beta[self.j] - null  # restricted fit: beta_tilde = beta - A a (a'beta - null) / a'Aa
        return uhat + np.outer(self.q / self.aAa, delta), beta[self.j]

    def bootstrap_t(
        self, Y: np.ndarray, V: np.ndarray, *, null: float | np.ndarray = 0.0, impose_null: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """t-statistics (S) and bootstrap t-statistics (S x B) of each column of ``Y`` on the draws ``V`` (G x B).

        All columns share the draws, so the bootstrap keeps the dependence between
        them (what a Romano--Wolf stepdown needs). Under WCR (``impose_null``) the
        bootstrap t-statistics are centred at the null; under WCU they are
        ``(b* - b) / se*``.
        """
        Y = np.asarray(Y, dtype=float).reshape(self.n, -1)
        V = np.asarray(V, dtype=float)
        if V.ndim != 2 or V.shape[0] != self.G:
            raise ValueError(f"V must be G x B with G = {self.G} clusters; got shape {V.shape}.")
        S = Y.shape[1]
        null_arr = np.broadcast_to(np.asarray(null, dtype=float), (S,))
        beta, se = self.fit(Y)
        R, _ = self._residuals(Y, null_arr, impose_null)
        c, K = self._c(R), self._K(R)
        B = V.shape[1]
        tb = np.empty((S, B))
        step = max(1, int(4e6 // max(1, self.G * S)))
        for b0 in range(0, B, step):
            Vb = V[:, b0:b0 + step]
            KV = np.einsum("hgs,gb->hsb", K, Vb, optimize=True)
            tb[:, b0:b0 + step] = (c.T @ Vb) / np.sqrt(self.ssc * np.einsum("hsb,hsb->sb", KV, KV))
        return (beta - null_arr) / se, tb

    def pvalues(
        self,
        Y: np.ndarray,
        *,
        null: float | np.ndarray = 0.0,
        weights: WeightType = "rademacher",
        reps: int = 9999,
        seed: Any = 0,
        impose_null: bool = True,
        warn: bool = True,
    ) -> np.ndarray:
        """Symmetric bootstrap p-values of ``H0: beta_j = null`` for each column of ``Y``.

        ``Y`` (n x S) must be residualized like ``X``; ``null`` is a scalar or one
        value per column. All columns share the same bootstrap draws.
        """
        Y = np.asarray(Y, dtype=float).reshape(self.n, -1)
        null_arr = np.broadcast_to(np.asarray(null, dtype=float), (Y.shape[1],))
        V, _ = bootstrap_weights(self.G, weights=weights, reps=reps, seed=seed, warn=warn)
        out = np.empty(Y.shape[1])
        chunk = max(1, int(5e6 // V.shape[1]))  # bounds the S x B block of bootstrap t-statistics
        for s0 in range(0, Y.shape[1], chunk):
            sl = slice(s0, s0 + chunk)
            t, tb = self.bootstrap_t(Y[:, sl], V, null=null_arr[sl], impose_null=impose_null)
            out[sl] = (np.abs(tb) > np.abs(t)[:, None] * (1 + _TIE)).mean(axis=1)
        return out


class _PValueFunction:
    """``p(beta0)`` on fixed draws, using that the restricted residuals are affine in ``beta0``.

    With ``delta = beta - beta0``, ``u(beta0) = uhat + delta * w`` with ``w = q / a'Aa``, so the
    bootstrap numerator is ``n0 + delta n1`` and the squared denominator
    ``ssc (d0 + 2 delta d1 + delta^2 d2)``; under WCU ``n1 = d1 = d2 = 0``.
    """

    def __init__(self, design: WildBootstrapDesign, y: np.ndarray, V: np.ndarray, impose_null: bool,
                 beta: float, se: float) -> None:
        Y = y[:, None]
        uhat = Y - design.X @ (design.A @ (design.X.T @ Y))
        R = np.hstack([uhat, (design.q / design.aAa)[:, None]])
        c, K = design._c(R), design._K(R)
        self.n0, self.n1 = c[:, 0] @ V, c[:, 1] @ V
        KV0, KV1 = K[:, :, 0] @ V, K[:, :, 1] @ V
        self.d0 = np.einsum("hb,hb->b", KV0, KV0)
        self.d1 = np.einsum("hb,hb->b", KV0, KV1)
        self.d2 = np.einsum("hb,hb->b", KV1, KV1)
        if not impose_null:
            self.n1, self.d1, self.d2 = (np.zeros_like(self.n1), np.zeros_like(self.d1), np.zeros_like(self.d2))
        self.ssc, self.beta, self.se = design.ssc, beta, se

    def t_boot(self, beta0: np.ndarray) -> np.ndarray:
        """Bootstrap t-statistics, ``len(beta0) x B``."""
        delta = self.beta - np.asarray(beta0, dtype=float)[:, None]
        den = self.ssc * np.maximum(self.d0 + 2 * delta * self.d1 + delta**2 * self.d2, 0.0)
        return (self.n0 + delta * self.n1) / np.sqrt(den)

    def __call__(self, beta0: np.ndarray) -> np.ndarray:
        beta0 = np.asarray(beta0, dtype=float)
        t = np.abs(self.beta - beta0) / self.se
        return (np.abs(self.t_boot(beta0)) > t[:, None] * (1 + _TIE)).mean(axis=1)


def _invert(pfun: Callable[[np.ndarray], np.ndarray], beta: float, se: float, alpha: float, df: int) -> tuple[float, float]:
    """Ends of ``{beta0 : p(beta0) >= alpha}`` by expansion then bisection on each side."""
    width = max(stats.t.ppf(1 - alpha / 2, max(df, 1)) * se, 1e-12 * max(1.0, abs(beta)))
    ends = []
    for sign in (-1.0, 1.0):
        inner, outer = beta, beta + sign * width
        for _ in range(60):
            if pfun(np.array([outer]))[0] < alpha:
                break
            inner, outer = outer, beta + 2 * (outer - beta)
        else:
            ends.append(sign * np.inf)
            continue
        tol = 1e-9 * max(se, 1e-12)
        for _ in range(200):
            if abs(outer - inner) <= tol:
                break
            mid = 0.5 * (inner + outer)
            if pfun(np.array([mid]))[0] >= alpha:
                inner = mid
            else:
                outer = mid
        ends.append(0.5 * (inner + outer))
    return ends[0], ends[1]


def wild_cluster_bootstrap(
    X: np.ndarray,
    y: np.ndarray,
    cluster: Any,
    *,
    coef_index: int,
    null: float = 0.0,
    weights: WeightType = "rademacher",
    reps: int = 9999,
    seed: Any = 0,
    impose_null: bool = True,
    small_sample: bool = True,
    level: float = 0.95,
    absorb: Callable[[np.ndarray], np.ndarray] | None = None,
    n_params: int | None = None,
) -> BootstrapResult:
    """Wild cluster bootstrap test and confidence interval for one OLS coefficient.

    Parameters
    ----------
    X, y
        Regressors (n x k) and outcome; residualized on ``absorb``'s fixed
        effects when ``absorb`` is given (e.g. ``TwoWayDemeaner.demean``).
    cluster
        Cluster identifier per row (the bootstrap and CR1 cluster).
    coef_index
        Column of ``X`` whose coefficient is tested.
    null
        Value of the coefficient under the null hypothesis.
    weights
        ``"rademacher"`` or ``"webb"`` (six-point; advised with fewer than ~12 clusters).
    reps
        Number of draws; with Rademacher weights and ``2**G <= reps`` all
        ``2**G`` draws are enumerated (deterministic).
    seed
        Seed for ``numpy.random.default_rng`` (default 0: the same call gives the same draws; None: fresh
        entropy).
    impose_null
        True: WCR (restricted residuals, the recommended default); False: WCU.
    small_sample
        CR1 factor ``G/(G-1) (N-1)/(N-K)`` in the reported standard error.
    level
        Confidence level of the interval (test inversion).
    absorb
        Residual maker of absorbed fixed effects (see module docstring).
    n_params
        ``K`` of the CR1 factor (default: columns of ``X``).

    Returns
    -------
    BootstrapResult

    Warns
    -----
    BootstrapEnumerationWarning
        When all ``2**G`` Rademacher draws are enumerated.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> g = np.repeat(np.arange(20), 10)
    >>> X = np.column_stack([np.ones(200), rng.normal(size=200)])
    >>> y = X @ [0.0, 0.5] + rng.normal(size=200)
    >>> r = wild_cluster_bootstrap(X, y, g, coef_index=1, reps=999, seed=0)
    >>> r.p_value < 0.05
    True
    """
    _check_weights(weights)
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    design = WildBootstrapDesign(X, cluster, coef_index=coef_index, absorb=absorb, n_params=n_params,
                                 small_sample=small_sample)
    return _run(design, y, null=null, weights=weights, reps=reps, seed=seed, impose_null=impose_null, level=level)


def _run(design: WildBootstrapDesign, y: np.ndarray, *, null: float, weights: WeightType, reps: int, seed: Any,
         impose_null: bool, level: float) -> BootstrapResult:
    y = np.asarray(y, dtype=float).ravel()
    if y.shape[0] != design.n:
        raise ValueError(f"y has {y.shape[0]} values but X has {design.n} rows.")
    V, full = bootstrap_weights(design.G, weights=weights, reps=reps, seed=seed)
    beta_arr, se_arr = design.fit(y[:, None])
    beta, se = float(beta_arr[0]), float(se_arr[0])
    pfun = _PValueFunction(design, y, V, impose_null, beta, se)
    lo, hi = _invert(pfun, beta, se, 1 - level, design.G - 1)
    return BootstrapResult(
        estimate=beta, std_error=se, statistic=(beta - null) / se, p_value=float(pfun(np.array([null]))[0]),
        conf_low=lo, conf_high=hi, null=float(null), level=level, reps=V.shape[1], weights=weights,
        impose_null=impose_null, full_enumeration=full, n_clusters=design.G, nobs=design.n,
        t_boot=pfun.t_boot(np.array([null]))[0], _pfun=pfun,
    )


def wild_bootstrap_twfe(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treat: str,
    cluster: str,
    null: float = 0.0,
    weights: WeightType = "webb",
    reps: int = 9999,
    seed: Any = 0,
    impose_null: bool = True,
    level: float = 0.95,
) -> Result:
    """Two-way fixed effects DiD (``y ~ treat | unit + time``) with wild cluster bootstrap inference.

    The estimate and CR1 standard error are those of :func:`research_kit.did.twfe`
    (same small-sample factor); the p-value (of ``H0: ATT = null``) and the
    interval come from the restricted wild cluster bootstrap on the exactly
    two-way demeaned data, with the bootstrap residuals demeaned again in every
    draw (equal to bootstrapping the regression with unit and time dummies).

    Parameters
    ----------
    df
        Long panel, one row per unit and period.
    outcome, unit, time, treat
        Column names (``treat`` is 0/1).
    cluster
        Cluster column, e.g. the county (9 in Jinhua).
    null, weights, reps, seed, impose_null, level
        See :func:`wild_cluster_bootstrap`. Default weights are Webb's, which
        suit few clusters.

    Returns
    -------
    Result
        Term ``"ATT"``; ``p_value``, ``conf_low`` and ``conf_high`` are the
        bootstrap ones; ``info`` has ``reps``, ``weights``, ``n_clusters``,
        ``full_enumeration``, ``null``; ``extra["bootstrap"]`` the :class:`BootstrapResult`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(90), 6), "t": np.tile(np.arange(6), 90)})
    >>> df["county"] = df["id"] % 9
    >>> df["d"] = ((df["county"] < 4) & (df["t"] >= 3)).astype(int)
    >>> df["y"] = 0.5 * df["d"] + rng.normal(size=9)[df["county"]] + rng.normal(size=len(df))
    >>> r = wild_bootstrap_twfe(df, outcome="y", unit="id", time="t", treat="d", cluster="county",
    ...                         reps=999, seed=1)
    >>> r.n_clusters
    9
    """
    design, y = twfe_design(df, outcome=outcome, unit=unit, time=time, treat=treat, cluster=cluster)
    _check_weights(weights)
    b = _run(design, np.asarray(y, dtype=float), null=null, weights=weights, reps=reps, seed=seed, impose_null=impose_null, level=level)
    info = {"estimator": "twfe_wild_bootstrap", "treatment": treat, "fixed_effects": (unit, time),
            "vcov": "CR1", "cluster": cluster, "n_clusters": b.n_clusters, "inference": "wild cluster bootstrap",
            "weights": weights, "reps": b.reps, "full_enumeration": b.full_enumeration,
            "impose_null": impose_null, "null": null}
    return Result.from_arrays(["ATT"], [b.estimate], [b.std_error], nobs=len(df), estimator="twfe_wild_bootstrap",
                              df=float(b.n_clusters - 1), level=level, conf_low=[b.conf_low],
                              conf_high=[b.conf_high], p_values=[b.p_value], info=info, extra={"bootstrap": b})


def twfe_design(
    df: pd.DataFrame, *, outcome: str | None, unit: str, time: str, treat: str, cluster: str
) -> tuple[WildBootstrapDesign, np.ndarray | None]:
    """The :class:`WildBootstrapDesign` of ``y ~ treat | unit + time`` clustered by ``cluster``.

    Returns the design (``X`` = demeaned ``treat``; ``absorb`` = the two-way
    demeaner; ``n_params`` = fixest's K with nested fixed effects not counted) and
    the demeaned outcome (None when ``outcome`` is None). For simulations, demean
    new outcomes with ``design.absorb``.
    """
    from research_kit.tabular.encode import (
        check_missing,
        check_unique,
        encode_time,
        require_columns,
    )
    from research_kit.tabular.encode import nested as _nested
    from research_kit.tabular.encode import numeric_column as _numeric
    from research_kit.tabular.within import TwoWayDemeaner

    require_columns(df, {"outcome": outcome, "unit": unit, "time": time, "treat": treat, "cluster": cluster})
    for col, role in ((unit, "unit"), (time, "time"), (cluster, "cluster")):
        check_missing(df, col, role)
    ucodes, units = pd.factorize(df[unit], sort=False)
    tcodes, times = encode_time(df[time])
    check_unique(df, unit, time, (ucodes, len(units), tcodes, len(times)))
    dm = TwoWayDemeaner.build(ucodes, tcodes)
    d = _numeric(df, treat, "treat", binary=False)
    Xt = dm.demean(d[:, None])
    if float(np.sqrt(Xt[:, 0] @ Xt[:, 0])) < 1e-10 * max(1.0, float(np.sqrt(d @ d))):
        raise ValueError(f"treat column {treat!r} has no variation left after unit and time effects.")
    ccodes, _ = cluster_codes(df[cluster].to_numpy(), name=cluster)
    K = 1 + len(units) + dm.n_time_effects()
    for levels in (ucodes, tcodes):
        if _nested(levels, ccodes):
            K -= int(levels.max()) + 1 - 1
    design = WildBootstrapDesign(Xt, ccodes, coef_index=0, absorb=dm.demean, n_params=K)
    y = None if outcome is None else dm.demean(_numeric(df, outcome, "outcome", binary=False))
    return design, y
