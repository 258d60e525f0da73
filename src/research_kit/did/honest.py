"""Sensitivity of event-study conclusions to violations of parallel trends (Rambachan and Roth 2023).

Relative-magnitudes restriction ``Delta^RM(Mbar)``: the post-treatment violation of
parallel trends between consecutive periods is at most ``Mbar`` times the largest
pre-treatment one,

``|delta_{t+1} - delta_t| <= Mbar * max_{s<0} |delta_{s+1} - delta_s|`` for every ``t >= 0``,

with the event-study coefficients ``beta = tau + delta`` (``tau_pre = 0``) normalised to
0 in the reference period ``e = -1``. For ``theta = l' tau_post``:

* **Identified set** (exact, closed form). Given ``beta``, ``delta_pre = beta_pre`` is known, so
  ``m = max_s |delta_{s+1} - delta_s|`` over the ``T_pre`` pre-period differences (the last one
  is ``0 - beta_{-2}``) is known and every post difference lies in ``[-Mbar m, Mbar m]``;
  writing ``delta_t`` as a sum of differences, ``l' delta_post`` ranges over
  ``+- Mbar m sum_u |L_u|`` with ``L_u = sum_{t >= u} l_t``. The identified set is
  ``l' beta_post +- Mbar m sum_u |L_u|`` (the union over the polyhedral pieces
  ``Delta^RM_{s,+-}`` of HonestDiD collapses to this interval).
* **Robust confidence set, ``method="C-LF"``** (default): HonestDiD's
  ``createSensitivityResults_relativeMagnitudes`` (R package, ``method = "C-LF"``), reproduced
  step by step. ``Delta^RM(Mbar)`` is the union over the pre-period difference ``s`` that attains
  the maximum and its sign of polyhedra ``Delta^RM_{s,+-}``; for each piece, HonestDiD keeps the
  moments that involve post-period coefficients, ``+-(Delta beta_t - Delta tau_t) - Mbar sign
  Delta beta_s <= 0`` (``t >= 0``), and tests ``theta`` by the conditional-least-favourable hybrid
  of Andrews, Roth and Pakes (2023) with the other ``tau_post`` directions as nuisance
  parameters: the statistic ``eta`` is the largest studentised moment after profiling out the
  nuisance (a linear program); the test rejects if ``eta`` exceeds the least-favourable
  critical value (the ``1 - kappa`` quantile, ``kappa = alpha / 10``, of ``eta`` under
  ``mean 0``, from HonestDiD's 1,000 draws of ``mvtnorm::rmvnorm`` after ``set.seed(0)``,
  reproduced here bit for bit from R's Mersenne-Twister), otherwise compares ``eta`` with the
  ``1 - (alpha - kappa) / (1 - kappa)`` quantile of a normal truncated to the values for which the
  linear program keeps its optimal dual vertex (ARP's conditional test; the upper truncation at
  the least-favourable value). For these moments the dual polytope has the ``T_post + 2`` vertices
  ``w_t`` (the two moments of period ``t``) and ``u_+-`` (one moment per period, weighted by
  ``|L_t|``), so the linear program and its truncation bounds are solved in closed form for the
  whole grid at once. A ``theta`` is in the set if some piece accepts it; like HonestDiD, the
  interval reported is from the smallest to the largest accepted value on HonestDiD's grid of
  1,000 points on ``[-20 sd, 20 sd]`` (``sd`` of ``l' beta_hat_post``). With one post period
  HonestDiD's no-nuisance test is used (its size ``alpha``, no upper truncation), as in R.
  Where HonestDiD's grid would leave the set open (R warns "CI is open at one of the
  endpoints") the grid here is extended with the same spacing until the set closes, so the
  two agree whenever R's interval is closed.
* **``method="projection"``** (conservative): the identified set depends on ``beta`` only through
  ``z = (D beta_pre, l' beta_post)`` (``D``: the pre-period first differences). With ``c`` the
  1 - alpha sup-t critical value of ``z`` (simulated, fixed seed, 200,000 draws), the CI is the
  union of identified sets over the simultaneous band for ``z``:
  ``l' beta_hat_post +- (c se(l' beta_post) + Mbar sum_u |L_u| max_s (|D_s beta_hat_pre| + c se(D_s beta_pre)))``.
  It covers ``theta`` with probability >= 1 - alpha whenever ``delta`` is in ``Delta^RM(Mbar)``,
  but is 30-60% wider than C-LF on HonestDiD's Medicaid example. For ``Mbar = 0`` it is the
  original interval ``l' beta_hat_post +- z_{1-alpha/2} se``; the C-LF set at ``Mbar = 0``
  equals it up to the grid step and the simulation noise of the least-favourable value.

Checked in ``tests/did/test_honest.py`` against the intervals printed in HonestDiD's README
(Medicaid example), equal to all printed digits.

Examples
--------
>>> import numpy as np
>>> b = np.array([0.01, -0.005, 0.0, 0.05, 0.06])  # e = -4, -3, -2 (e = -1 is the reference), 0, 1
>>> tab = honest_rm(b, np.eye(5) * 1e-4, num_pre=3, num_post=2, mbar=(0, 1))
>>> tab[["mbar", "id_low", "id_high"]].round(4).values.tolist()
[[0.0, 0.05, 0.05], [1.0, 0.035, 0.065]]
>>> bool((tab["conf_low"] < tab["id_low"]).all() and (tab["conf_high"] > tab["id_high"]).all())
True
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import ndtri

from research_kit._validation import check_level, check_option

__all__ = ["METHODS", "HonestGridWarning", "HonestTable", "event_times_without_se", "honest_breakdown", "honest_did",
           "honest_rm", "rm_identified_set"]

Method = Literal["C-LF", "projection"]
METHODS: tuple[str, ...] = ("C-LF", "projection")
_SIM_DRAWS = 200_000
_SIM_SEED = 20230901
_LF_SIMS = 1000  # HonestDiD's .compute_least_favorable_cv(sims = 1000), after set.seed(0)
_GRID_HALF_WIDTH = 20.0  # HonestDiD: grid.lb = -20 sdTheta, grid.ub = 20 sdTheta
_MAX_EXTENSIONS = 24  # grid extensions before giving up (grid_points steps, doubling up to _MAX_CHUNK times that)
_MAX_CHUNK = 16


class HonestGridWarning(UserWarning):
    """The C-LF confidence set reaches an end of the grid of ``theta`` values (it may be open there) or is empty."""


def _first_differences(num_pre: int) -> np.ndarray:
    """``D`` (num_pre x num_pre): the pre-period differences, the last one to the reference (0)."""
    D = np.zeros((num_pre, num_pre))
    for s in range(num_pre):
        D[s, s] = -1.0
        if s + 1 < num_pre:
            D[s, s + 1] = 1.0
    return D


def _check_l(l_vec: Any, num_post: int) -> np.ndarray:
    lv = np.full(num_post, 0.0) if l_vec is None else np.asarray(l_vec, dtype=float).ravel()
    if l_vec is None:
        lv[0] = 1.0
    if lv.shape != (num_post,):
        raise ValueError(f"l_vec has {lv.size} entries; it needs one per post-treatment period ({num_post}).")
    return lv


def _post_weight(lv: np.ndarray) -> float:
    """``sum_u |L_u|`` with ``L_u = sum_{t >= u} l_t``: the worst-case ``l' delta_post`` per unit of slope bound."""
    return float(np.abs(np.cumsum(lv[::-1])[::-1]).sum())


def rm_identified_set(
    beta: Sequence[float] | np.ndarray, *, num_pre: int, num_post: int, mbar: float, l_vec: Any = None
) -> tuple[float, float]:
    """Identified set of ``l' tau_post`` under ``Delta^RM(mbar)`` given the population coefficients ``beta``.

    ``beta`` stacks the pre-period coefficients (``e = -num_pre-1 .. -2``; ``e = -1`` is the
    omitted reference) and the post-period ones (``e = 0 .. num_post-1``).

    Examples
    --------
    >>> [round(v, 6) for v in rm_identified_set([0.0, 0.02, 0.1], num_pre=2, num_post=1, mbar=2)]
    [0.06, 0.14]
    """
    b = np.asarray(beta, dtype=float).ravel()
    _check_sizes(b.size, num_pre, num_post)
    lv = _check_l(l_vec, num_post)
    m = float(np.max(np.abs(_first_differences(num_pre) @ b[:num_pre])))
    centre = float(lv @ b[num_pre:])
    half = float(mbar) * m * _post_weight(lv)
    return centre - half, centre + half


def _check_sizes(k: int, num_pre: int, num_post: int) -> None:
    if num_pre < 1 or num_post < 1:
        raise ValueError(f"num_pre={num_pre}, num_post={num_post}: need at least one pre- and one post-period "
                         "coefficient besides the reference period.")
    if k != num_pre + num_post:
        raise ValueError(f"betahat has {k} entries but num_pre + num_post = {num_pre + num_post}; give the "
                         "event-study coefficients without the reference period.")


_CRITICAL_CACHE: dict[tuple[bytes, float], float] = {}


def _sup_t_critical(corr: np.ndarray, alpha: float) -> float:
    """``c`` with ``P(max_k |Z_k| <= c) = 1 - alpha`` for ``Z ~ N(0, corr)`` (simulated, fixed seed; cached)."""
    key = (np.round(corr, 12).tobytes(), float(alpha))
    if key not in _CRITICAL_CACHE:
        if len(_CRITICAL_CACHE) > 256:
            _CRITICAL_CACHE.clear()
        _CRITICAL_CACHE[key] = _simulate_critical(corr, alpha)
    return _CRITICAL_CACHE[key]


def _simulate_critical(corr: np.ndarray, alpha: float) -> float:
    rng = np.random.default_rng(_SIM_SEED)
    w, U = np.linalg.eigh(corr)
    root = U * np.sqrt(np.clip(w, 0.0, None))
    Z = rng.standard_normal((_SIM_DRAWS, corr.shape[0])) @ root.T
    return float(np.quantile(np.abs(Z).max(axis=1), 1 - alpha))


def _projection_rows(b: np.ndarray, V: np.ndarray, num_pre: int, lv: np.ndarray, mbars: np.ndarray,
                     alpha: float) -> tuple[list[tuple[float, float]], float]:
    """Sup-t projection intervals for each ``Mbar`` and the critical value ``c``."""
    D = _first_differences(num_pre)
    # z = (D beta_pre, l' beta_post): its covariance, correlation and sup-t critical value
    Lz = np.zeros((num_pre + 1, b.size))
    Lz[:num_pre, :num_pre] = D
    Lz[num_pre, num_pre:] = lv
    Vz = Lz @ V @ Lz.T
    sz = np.sqrt(np.clip(np.diag(Vz), 0.0, None))
    safe = np.where(sz > 0, sz, 1.0)
    c = _sup_t_critical(Vz / np.outer(safe, safe), alpha)
    z_hat = Lz @ b
    theta, se_theta = float(z_hat[-1]), float(sz[-1])
    m_band = float(np.max(np.abs(z_hat[:num_pre]) + c * sz[:num_pre]))
    z1 = float(stats.norm.ppf(1 - alpha / 2))
    out = []
    for mb in mbars:
        half = z1 * se_theta if mb == 0 else c * se_theta + mb * _post_weight(lv) * m_band
        out.append((theta - half, theta + half))
    return out, c


# --- C-LF: HonestDiD's conditional-least-favourable hybrid test over the pieces Delta^RM_{s,+-} ---------------

_R_NORMALS: dict[int, np.ndarray] = {}


def _r_rnorm(n: int) -> np.ndarray:
    """``set.seed(0); rnorm(n)`` of R (Mersenne-Twister, inversion), bit for bit; cached.

    R seeds the generator by scrambling the seed with ``seed = 69069 seed + 1`` (50 times, then
    once per state word) and draws a normal as ``qnorm((floor(2^27 u1) + u2) / 2^27)``.
    """
    if n not in _R_NORMALS:
        seed = 0
        key = np.empty(625, dtype=np.uint32)
        for j in range(50 + 625):
            seed = (69069 * seed + 1) % 2**32
            if j >= 50:
                key[j - 50] = seed
        gen = np.random.MT19937()
        gen.state = {"bit_generator": "MT19937", "state": {"key": key[1:], "pos": 624}}  # key[0] is R's mti
        u = gen.random_raw(2 * n).astype(np.float64) * 2.3283064365386963e-10
        u = np.where(u <= 0.0, 0.5 * 2.328306437080797e-10, u)  # R's fixup(): the draw is in (0, 1)
        big = 134217728.0
        if len(_R_NORMALS) > 16:
            _R_NORMALS.clear()
        _R_NORMALS[n] = ndtri((np.floor(big * u[0::2]) + u[1::2]) / big)
    return _R_NORMALS[n]


def _r_mvnorm(sigma: np.ndarray, n: int) -> np.ndarray:
    """``set.seed(0); mvtnorm::rmvnorm(n, sigma = sigma)`` (its default symmetric square root by ``eigen``)."""
    w, U = np.linalg.eigh(sigma)
    root = (U * np.sqrt(np.clip(w, 0.0, None))) @ U.T
    return _r_rnorm(n * sigma.shape[0]).reshape(n, sigma.shape[0]) @ root


def _dual_vertices(sd: np.ndarray, L: np.ndarray) -> np.ndarray:
    """Vertices (columns) of ``{lambda >= 0: lambda' sd = 1, lambda' X = 0}`` for the post-period moments.

    Moments are ordered ``(t, +)`` then ``(t, -)``; profiling out ``tau_post`` subject to
    ``l' tau_post = theta`` requires ``lambda_{t,+} - lambda_{t,-} = mu L_t``. The vertices are
    ``w_t`` (both moments of period ``t``, ``mu = 0``) and ``u_+``, ``u_-`` (``mu`` of either sign).
    With one post period there is no nuisance parameter: the vertices are the studentised moments.
    """
    T = L.size
    if T == 1:
        return np.diag(1.0 / sd)
    Vx = np.zeros((2 * T, T + 2))
    t = np.arange(T)
    Vx[t, t] = Vx[T + t, t] = 1.0 / (sd[:T] + sd[T:])
    pos, neg = np.clip(L, 0.0, None), np.clip(-L, 0.0, None)
    for col, u in ((T, np.r_[pos, neg]), (T + 1, np.r_[neg, pos])):
        Vx[:, col] = u / (u @ sd)
    return Vx


def _conditional_bounds(y: np.ndarray, SY: np.ndarray, Vx: np.ndarray) -> tuple[np.ndarray, ...]:
    """ARP statistic and truncation for each row of ``y`` (moments at one ``theta``).

    ``eta = max_v v'y`` over the dual vertices; with ``lambda`` the maximising vertex, ``y`` is split
    into ``S + b eta`` (``b = SY lambda / lambda' SY lambda``) and ``[vlo, vup]`` is the range of
    ``eta`` over which ``lambda`` stays optimal given ``S`` (HonestDiD's primal formulas, or its
    dual bisection, give the same bounds). Returns ``eta, sigma_B^2, vlo, vup``.
    """
    rows = np.arange(y.shape[0])
    proj = y @ Vx
    j = proj.argmax(axis=1)
    eta = proj[rows, j]
    Mv = Vx.T @ SY @ Vx
    s2 = Mv[j, j]
    vb = Mv[j, :] / np.where(s2 > 0, s2, 1.0)[:, None]
    num = proj - vb * eta[:, None]
    den = 1.0 - vb
    den[rows, j] = 0.0
    ratio = num / np.where(den == 0, 1.0, den)
    vlo = np.where(den > 1e-10, ratio, -np.inf).max(axis=1)
    vup = np.where(den < -1e-10, ratio, np.inf).min(axis=1)
    return eta, s2, vlo, vup


def _lf_hybrid_accept(eta: np.ndarray, s2: np.ndarray, vlo: np.ndarray, vup: np.ndarray, *, lf_cv: float,
                      alpha: float, nuisance: bool) -> np.ndarray:
    """HonestDiD's LF hybrid decision (``.lp_conditional_test_fn``; ``.testInIdentifiedSet_LF_Hybrid`` without nuisance)."""
    kappa = alpha / 10
    degenerate = s2 < np.finfo(float).eps
    sb = np.sqrt(np.where(degenerate, 1.0, s2))
    if nuisance:
        size, zup, floor = (alpha - kappa) / (1 - kappa), np.minimum(vup, lf_cv) / sb, 0.0
    else:  # R's no-nuisance LF hybrid keeps size alpha and the untruncated vup
        size, zup, floor = alpha, vup / sb, -np.inf
    zlo, stat = vlo / sb, eta / sb
    inside = (zlo <= stat) & (stat <= zup) & ~degenerate
    cv = np.full(eta.shape, np.inf)
    if inside.any():
        q = stats.truncnorm.ppf(1 - size, zlo[inside], zup[inside])
        cv[inside] = np.maximum(floor, np.where(np.isnan(q), zlo[inside], q))
    reject = (eta > lf_cv) | (degenerate & (eta > 0)) | (inside & (stat > cv))
    return ~reject


@dataclass(frozen=True)
class _PieceTest:
    """HonestDiD's C-LF test of ``theta`` for one piece: moments ``Y - theta a1`` with covariance ``SY``."""

    Y: np.ndarray
    a1: np.ndarray
    SY: np.ndarray
    Vx: np.ndarray
    lf_cv: float
    alpha: float
    nuisance: bool

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        y = self.Y[None, :] - np.asarray(theta)[:, None] * self.a1[None, :]
        acc = np.zeros(y.shape[0], dtype=bool)
        stage2 = (y @ self.Vx).max(axis=1) <= self.lf_cv  # the rest is rejected by the least-favourable first stage
        if stage2.any():
            bounds = _conditional_bounds(y[stage2], self.SY, self.Vx)
            acc[stage2] = _lf_hybrid_accept(*bounds, lf_cv=self.lf_cv, alpha=self.alpha, nuisance=self.nuisance)
        return acc


def _clf_tests(b: np.ndarray, V: np.ndarray, num_pre: int, num_post: int, mbar: float, lv: np.ndarray,
               alpha: float) -> list[_PieceTest]:
    """One test of ``theta`` per piece ``Delta^RM_{s,+-}(mbar)`` (all pieces coincide at ``mbar = 0``)."""
    n = num_pre + num_post
    Dpost = np.zeros((num_post, n))
    for t in range(num_post):
        Dpost[t, num_pre + t] = 1.0
        if t > 0:
            Dpost[t, num_pre + t - 1] = -1.0
    Dpre = np.zeros((num_pre, n))
    Dpre[:, :num_pre] = _first_differences(num_pre)
    tau1 = np.zeros(n)
    tau1[num_pre:] = lv / (lv @ lv)  # any tau_post with l' tau_post = 1
    L = np.cumsum(lv[::-1])[::-1]
    pieces = [(s, sign) for s in range(num_pre) for sign in (1.0, -1.0)] if mbar > 0 else [(0, 1.0)]
    pieces.sort(key=lambda p: -p[1] * float(Dpre[p[0]] @ b))  # likeliest first: the union stops at acceptance
    tests = []
    for s, sign in pieces:
        A = np.vstack([Dpost - mbar * sign * Dpre[s], -Dpost - mbar * sign * Dpre[s]])
        Y, a1, SY = A @ b, A @ tau1, A @ V @ A.T
        Vx = _dual_vertices(np.sqrt(np.diag(SY)), L)
        lf_cv = float(np.quantile((_r_mvnorm(SY, _LF_SIMS) @ Vx).max(axis=1), 1 - alpha / 10))
        tests.append(_PieceTest(Y, a1, SY, Vx, lf_cv, alpha, num_post > 1))
    return tests


def _clf_interval(tests: list[_PieceTest], *, theta_hat: float, sd_theta: float,
                  grid_points: int, grid_lb: float | None, grid_ub: float | None) -> tuple[float, float]:
    """Smallest and largest accepted ``theta`` on HonestDiD's grid (extended where R's set would stay open)."""

    def accept(theta: np.ndarray) -> np.ndarray:
        acc = np.zeros(theta.size, dtype=bool)
        for test in tests:  # union over the pieces: test only what no piece has accepted yet
            todo = ~acc
            if not todo.any():
                break
            acc[todo] = test(theta[todo])
        return acc

    fixed = grid_lb is not None or grid_ub is not None
    lo = -_GRID_HALF_WIDTH * sd_theta if grid_lb is None else float(grid_lb)
    hi = _GRID_HALF_WIDTH * sd_theta if grid_ub is None else float(grid_ub)
    if not lo < hi:
        raise ValueError(f"the theta grid runs from {lo!r} to {hi!r}; give grid_lb < grid_ub.")
    grid = np.linspace(lo, hi, grid_points)
    step = grid[1] - grid[0]
    if not fixed:  # HonestDiD's grid is centred at 0: reach theta_hat +- 20 sd with the same spacing
        k_lo = int(np.ceil(max(0.0, lo - (theta_hat - _GRID_HALF_WIDTH * sd_theta)) / step))
        k_hi = int(np.ceil(max(0.0, theta_hat + _GRID_HALF_WIDTH * sd_theta - hi) / step))
        grid = np.r_[lo - step * np.arange(k_lo, 0, -1), grid, hi + step * np.arange(1, k_hi + 1)]
    acc = accept(grid)
    chunk = grid_points
    for _ in range(0 if fixed else _MAX_EXTENSIONS):
        if not acc.any() or not (acc[0] or acc[-1]):
            break
        if acc[0]:
            new = grid[0] - step * np.arange(chunk, 0, -1)
            grid, acc = np.r_[new, grid], np.r_[accept(new), acc]
        if acc[-1]:
            new = grid[-1] + step * np.arange(1, chunk + 1)
            grid, acc = np.r_[grid, new], np.r_[acc, accept(new)]
        chunk = min(2 * chunk, _MAX_CHUNK * grid_points)
    if not acc.any():
        warnings.warn("the C-LF test rejects every theta on the grid: the data reject Delta^RM(Mbar) itself at this "
                      "level (or the grid misses the set; set grid_lb and grid_ub); conf_low and conf_high are NaN.",
                      HonestGridWarning, stacklevel=3)
        return float("nan"), float("nan")
    if acc[0] or acc[-1]:
        warnings.warn(f"the C-LF confidence set reaches an end of the theta grid [{grid[0]:.6g}, {grid[-1]:.6g}] and "
                      "may be open there; widen grid_lb / grid_ub (or leave both unset to extend automatically).",
                      HonestGridWarning, stacklevel=3)
    return float(grid[acc].min()), float(grid[acc].max())



class HonestTable(pd.DataFrame):
    """The table of :func:`honest_rm` / :func:`honest_did`: a DataFrame whose settings are typed properties.

    One row per ``Mbar``: mbar, conf_low, conf_high, method, id_low, id_high. ``original`` is the original (non-robust) interval, ``level`` its confidence level, ``target`` the
    targeted effect (``honest_did``) and ``critical_value`` the sup-t value (``method="projection"``).
    """

    @property
    def _constructor(self) -> type[HonestTable]:
        return HonestTable

    @property
    def original(self) -> tuple[float, float] | None:
        """The original interval of the target (normal, at ``level``)."""
        o = self.attrs.get("original")
        return None if o is None else (float(o[0]), float(o[1]))

    @property
    def level(self) -> float | None:
        """Confidence level of the intervals."""
        v = self.attrs.get("level")
        return None if v is None else float(v)

    @property
    def target(self) -> str | None:
        """The targeted effect of :func:`honest_did` (``"e=0"``, ``"average"``, ...); None for :func:`honest_rm`."""
        v = self.attrs.get("target")
        return None if v is None else str(v)

    @property
    def critical_value(self) -> float | None:
        """The sup-t critical value of ``method="projection"`` (None for C-LF)."""
        v = self.attrs.get("critical_value")
        return None if v is None else float(v)


def honest_rm(
    betahat: Sequence[float] | np.ndarray,
    sigma: np.ndarray,
    *,
    num_pre: int,
    num_post: int,
    mbar: Sequence[float] = (0, 0.5, 1, 1.5, 2),
    l_vec: Any = None,
    level: float = 0.95,
    alpha: float | None = None,
    method: Method = "C-LF",
    grid_points: int = 1000,
    grid_lb: float | None = None,
    grid_ub: float | None = None,
) -> HonestTable:
    """Relative-magnitudes sensitivity table from event-study coefficients and their covariance.

    Parameters
    ----------
    betahat
        Coefficients for ``e = -num_pre-1 .. -2`` and ``e = 0 .. num_post-1`` (reference ``e = -1`` omitted),
        as HonestDiD's ``betahat``.
    sigma
        Their covariance matrix.
    num_pre, num_post
        Numbers of pre- and post-period coefficients.
    mbar
        Values of ``Mbar``.
    l_vec
        Weights of the target ``theta = l' tau_post``; default the first post period.
    level
        Confidence level of the intervals (default 0.95); ``alpha=`` (1 - level) is deprecated.
    method
        ``"C-LF"`` (HonestDiD's default conditional-least-favourable hybrid) or ``"projection"``
        (the conservative sup-t projection); see the module docstring.
    grid_points, grid_lb, grid_ub
        C-LF only: the grid of ``theta`` values tested, as HonestDiD's ``gridPoints``, ``grid.lb``,
        ``grid.ub`` (default 1,000 points on ``[-20 sd, 20 sd]``, extended with the same spacing
        while the set touches an end; a grid given by ``grid_lb`` / ``grid_ub`` is not extended and
        a set reaching its end raises :class:`HonestGridWarning`).

    Returns
    -------
    pandas.DataFrame
        Columns mbar, conf_low, conf_high (robust CI), method, id_low, id_high (identified set at ``betahat``);
        ``attrs["original"]`` holds the usual CI ``(conf_low, conf_high)`` of ``theta``.

    Examples
    --------
    >>> import numpy as np
    >>> tab = honest_rm([0.0, 0.01, 0.05], np.diag([1e-4, 1e-4, 1e-4]), num_pre=2, num_post=1, mbar=(0, 1))
    >>> bool((tab["conf_low"] <= tab["id_low"]).all() and (tab["conf_high"] >= tab["id_high"]).all())
    True
    >>> tab["method"].tolist()
    ['C-LF', 'C-LF']
    """
    alpha = 1 - check_level(level, alpha)
    b = np.asarray(betahat, dtype=float).ravel()
    _check_sizes(b.size, num_pre, num_post)
    V = np.asarray(sigma, dtype=float)
    if V.shape != (b.size, b.size):
        raise ValueError(f"sigma has shape {V.shape}; it must be {b.size} x {b.size} like betahat.")
    check_option("method", method, METHODS)
    if isinstance(grid_points, bool) or not isinstance(grid_points, (int, np.integer)) or grid_points < 2:
        raise ValueError(f"grid_points={grid_points!r} must be an integer >= 2, e.g. 1000 (HonestDiD's default).")
    mbars = np.asarray(list(mbar), dtype=float)
    if mbars.size == 0 or np.any(mbars < 0) or np.any(~np.isfinite(mbars)):
        raise ValueError(f"mbar={list(mbar)!r}: give one or more finite values >= 0, e.g. (0, 0.5, 1, 1.5, 2).")
    lv = _check_l(l_vec, num_post)
    se_theta = float(np.sqrt(max(lv @ V[num_pre:, num_pre:] @ lv, 0.0)))
    if se_theta <= 0:
        raise ValueError("the target l' beta_post has zero variance; check sigma and l_vec.")
    theta = float(lv @ b[num_pre:])
    m_hat = float(np.max(np.abs(_first_differences(num_pre) @ b[:num_pre])))
    w = _post_weight(lv)
    z1 = float(stats.norm.ppf(1 - alpha / 2))
    out_attrs: dict[str, Any] = {}
    if method == "projection":
        intervals, out_attrs["critical_value"] = _projection_rows(b, V, num_pre, lv, mbars, alpha)
    else:
        intervals = []
        for mb in mbars:
            tests = _clf_tests(b, V, num_pre, num_post, float(mb), lv, alpha)
            intervals.append(_clf_interval(tests, theta_hat=theta, sd_theta=se_theta, grid_points=int(grid_points),
                                           grid_lb=grid_lb, grid_ub=grid_ub))
    rows = [{"mbar": float(mb), "conf_low": lo, "conf_high": hi, "method": method,
             "id_low": theta - mb * w * m_hat, "id_high": theta + mb * w * m_hat}
            for mb, (lo, hi) in zip(mbars, intervals)]
    out = HonestTable(rows)
    out.attrs["original"] = (theta - z1 * se_theta, theta + z1 * se_theta)
    out.attrs["level"] = 1 - alpha
    out.attrs["method"] = method
    out.attrs.update(out_attrs)
    return out


def event_times_without_se(event_time: pd.DataFrame) -> tuple[int, ...]:
    """Event times (the reference period -1 aside) whose coefficient has no standard error.

    :func:`honest_did` needs the covariance of every event time and refuses a table with any of these;
    a paper can check first and say why it reports no sensitivity analysis.

    Examples
    --------
    >>> import pandas as pd
    >>> event_times_without_se(pd.DataFrame({"event_time": [-2, -1, 0, 1], "std_error": [0.1, None, 0.2, None]}))
    (1,)
    """
    lost = event_time.loc[event_time["std_error"].isna() & (event_time["event_time"] != -1), "event_time"]
    return tuple(sorted(int(e) for e in lost))


def honest_did(
    event_study_result: Any,
    *,
    mbar: Sequence[float] = (0, 0.5, 1, 1.5, 2),
    target: str = "e=0",
    level: float = 0.95,
    alpha: float | None = None,
    method: Method = "C-LF",
) -> HonestTable:
    """Relative-magnitudes sensitivity of an event study (TWFE or Sun–Abraham, reference period -1).

    Parameters
    ----------
    event_study_result
        Result of ``rk.did.event_study(..., method="twfe", reference=-1)``: it carries the
        coefficient covariance (``extra["vcov_matrix"]``) that the analysis needs.
    mbar
        Values of ``Mbar`` (post violations at most ``Mbar`` times the largest pre one).
    target
        ``"e=k"`` for the effect ``k`` periods after treatment, or ``"average"`` for the
        mean of the post-period effects in the window.
    level
        Confidence level of the intervals (default 0.95); ``alpha=`` (1 - level) is deprecated.
    method
        ``"C-LF"`` (HonestDiD's default) or ``"projection"``; see :func:`honest_rm`.

    Returns
    -------
    pandas.DataFrame
        mbar, conf_low, conf_high, method, id_low, id_high; ``attrs["original"]`` the usual CI.

    Examples
    --------
    >>> import research_kit as rk
    >>> from research_kit.did._example import small_staggered_panel
    >>> es = rk.did.event_study(small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g")
    >>> honest_did(es, mbar=(0, 1))["mbar"].tolist()
    [0.0, 1.0]
    """
    alpha = 1 - check_level(level, alpha)
    check_option("method", method, METHODS)
    info = getattr(event_study_result, "info", {}) or {}
    extra = getattr(event_study_result, "extra", {}) or {}
    if "vcov_matrix" not in extra or "event_time" not in extra:
        raise NotImplementedError(
            "honest_did needs the event-study covariance matrix, which rk.did.event_study(..., method='twfe') "
            "stores; for other estimators call honest_rm(betahat, sigma, num_pre=, num_post=) directly "
            "(Callaway-Sant'Anna needs a universal base period for this analysis)."
        )
    if info.get("reference", -1) != -1:
        raise ValueError(f"the event study uses reference period {info.get('reference')}; the relative-magnitudes "
                         "analysis needs reference=-1 (the period just before treatment).")
    tab = extra["event_time"]
    lost = event_times_without_se(tab)
    if lost:
        raise ValueError(
            f"the event study has no standard error for event time(s) {list(lost)} (too few "
            "observations or clusters there); the relative-magnitudes analysis needs the covariance of every "
            "event time. Shorten the window (leads=, lags=) to the event times that have standard errors.")
    est = tab.loc[tab["std_error"].notna()].sort_values("event_time")
    events = est["event_time"].to_numpy()
    V = np.asarray(extra["vcov_matrix"], dtype=float)
    terms = list(event_study_result.tidy()["term"]) if hasattr(event_study_result, "tidy") else []
    if V.shape == (len(events) + 1, len(events) + 1) and terms and terms[-1] == "ATT":
        V = V[:-1, :-1]  # Sun-Abraham / imputation append the overall ATT after the event times
    if V.shape != (len(events), len(events)) or not np.allclose(np.sqrt(np.diag(V)), est["std_error"], rtol=1e-8):
        raise ValueError("the event study's covariance matrix does not match its coefficient table.")
    pre, post = events[events < -1], events[events >= 0]
    expected = np.r_[np.arange(-len(pre) - 1, -1), np.arange(len(post))]
    if len(pre) < 1 or len(post) < 1 or not np.array_equal(events, expected):
        raise ValueError(f"event times {events.tolist()} must run consecutively from a lead to a lag around the "
                         "reference -1, with at least one pre- and one post-period; set leads= and lags=.")
    if target == "average":
        lv = np.full(len(post), 1.0 / len(post))
    elif isinstance(target, str) and target.startswith("e=") and target[2:].lstrip("-").isdigit():
        k = int(target[2:])
        if k not in set(post.tolist()):
            raise ValueError(f"target={target!r}: post-period effects are e=0..e={post.max()}.")
        lv = (post == k).astype(float)
    else:
        raise ValueError(f"target={target!r} is not supported; use 'e=0', 'e=1', ... or 'average'.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = honest_rm(est["estimate"].to_numpy(), V, num_pre=len(pre), num_post=len(post), mbar=mbar, l_vec=lv,
                        level=1 - alpha, method=method)
    for w in caught:  # re-issued at the caller's line
        warnings.warn(w.message, w.category, stacklevel=2)
    out.attrs["target"] = target
    return out


def honest_breakdown(
    event_study_result: Any,
    *,
    target: str = "average",
    level: float = 0.95,
    alpha: float | None = None,
    method: Method = "C-LF",
    search_max: float = 20.0,
    tol: float = 0.01,
) -> float:
    """Breakdown value of ``Mbar``: the smallest ``Mbar`` whose robust interval includes zero.

    Searched by bisection on :func:`honest_did` (the robust sets are nested in ``Mbar``), not
    limited to a table's grid. Returns ``0.0`` when the interval at ``Mbar = 0`` already includes
    zero and ``inf`` when it still excludes zero at ``search_max``; otherwise a value within ``tol``
    above the true breakdown point (the interval at the returned value includes zero, the one at
    ``value - tol`` does not). An interval that is empty (the data reject ``Delta^RM(Mbar)``
    itself) counts as excluding zero.

    Examples
    --------
    >>> import research_kit as rk
    >>> from research_kit.did._example import small_staggered_panel
    >>> es = rk.did.event_study(small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g")
    >>> honest_breakdown(es, target="e=0") >= 0
    True
    """
    alpha = 1 - check_level(level, alpha)
    if not (search_max > 0 and tol > 0):
        raise ValueError(f"search_max={search_max!r} and tol={tol!r} must be positive.")

    def includes_zero(m: float) -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HonestGridWarning)
            row = honest_did(event_study_result, mbar=(float(m),), target=target, level=1 - alpha, method=method).iloc[0]
        lb, ub = float(row["conf_low"]), float(row["conf_high"])
        return bool(np.isfinite(lb) and np.isfinite(ub) and lb <= 0 <= ub)

    if includes_zero(0.0):
        return 0.0
    if not includes_zero(search_max):
        return float("inf")
    lo, hi = 0.0, float(search_max)  # lo excludes zero, hi includes it
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if includes_zero(mid):
            hi = mid
        else:
            lo = mid
    return hi
