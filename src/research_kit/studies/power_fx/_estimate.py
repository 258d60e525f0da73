"""Numbers of the power study: analytic designs and the vectorised simulation of the staggered design."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from research_kit.report.labels import Labels, Lang
from research_kit.studies.power_fx._data import Calibration

__all__ = ["cluster_counts", "cs_batch", "design_icc", "interpolate_mde", "simulate", "SimulatedDesign", "staggered_design", "StaggeredDesign", "twfe_batch"]


def design_icc(cal: Calibration, icc: float) -> float:
    """The ICC of the design: the larger of the assumed value and the panel's estimate (conservative)."""
    return max(float(icc), float(cal.icc))


def _design(cal: Calibration, J: int, *, icc: float, n_pre: int, n_post: int) -> dict[str, Any]:
    return {"cluster_size": cal.n_businesses / J, "n_pre": n_pre, "n_post": n_post, "icc": icc,
            "autocorr": cal.autocorr, "sd": cal.sd, "treated_share": 0.5}


def cluster_counts(cal: Calibration, n_clusters: int) -> list[int]:
    """Designs compared: the counties, the chosen number of clusters, and the bank × county cells."""
    return sorted({cal.n_counties, int(n_clusters), cal.n_cells})


@dataclass(frozen=True)
class SimulatedDesign:
    """Simulated power curves of the staggered design (effects in outcome SDs)."""

    curves: dict[str, pd.DataFrame]
    mde: dict[str, float]
    design: dict[str, Any] = field(default_factory=dict)


def interpolate_mde(curve: pd.DataFrame, power: float = 0.8) -> float:
    """Smallest effect at which a (monotone-ish) power curve reaches ``power``, by linear interpolation."""
    d = curve.sort_values("effect")
    e, p = d["effect"].to_numpy(float), d["power"].to_numpy(float)
    above = np.nonzero(p >= power)[0]
    if len(above) == 0:
        return float("nan")
    i = above[0]
    if i == 0:
        return float(e[0])
    return float(e[i - 1] + (power - p[i - 1]) * (e[i] - e[i - 1]) / (p[i] - p[i - 1]))


# --------------------------------------------------------------------------- vectorised simulation
@dataclass(frozen=True)
class StaggeredDesign:
    """A fixed staggered design: each unit's cohort (0 = never) and cluster, and the error structure.

    The untreated outcome is ``alpha_i + lambda_t + s_{c(i)t} + e_it`` as in
    :func:`research_kit.simulate.staggered_panel` (``s ~ N(0, 0.3²)``, ``e ~ N(0, 1)``). Unit and period
    effects cancel exactly in both estimators below, so only ``s + e`` is drawn.
    """

    cohort: np.ndarray  # (n,) first treated period, 1-based; 0 = never
    cluster: np.ndarray  # (n,) 0..J-1
    n_periods: int
    shock_sd: float = 0.3


def staggered_design(n_units: int = 400, n_periods: int = 24, *, n_clusters: int = 9, never_share: float = 0.3,
                     seed: int = 0) -> StaggeredDesign:
    """Cohorts and clusters drawn as :func:`research_kit.simulate.staggered_panel` draws them (default cohorts)."""
    from research_kit.simulate import default_cohorts

    rng = np.random.default_rng(seed)
    cohorts = default_cohorts(n_periods)
    n_never = int(round(never_share * n_units))
    c = np.zeros(n_units, dtype=np.int64)
    c[n_never:] = np.asarray(cohorts)[np.arange(n_units - n_never) % len(cohorts)]
    return StaggeredDesign(cohort=rng.permutation(c), cluster=rng.integers(0, n_clusters, size=n_units),
                           n_periods=int(n_periods))


def _draw_errors(design: StaggeredDesign, reps: int, rng: np.random.Generator) -> np.ndarray:
    n, T = len(design.cohort), design.n_periods
    J = int(design.cluster.max()) + 1
    y = rng.standard_normal((reps, n, T))
    y += design.shock_sd * rng.standard_normal((reps, J, T))[:, design.cluster, :]
    return y


def _treated(design: StaggeredDesign) -> np.ndarray:
    t = np.arange(1, design.n_periods + 1)
    g = design.cohort
    return ((g[:, None] > 0) & (t[None, :] >= g[:, None])).astype(float)


def twfe_batch(y: np.ndarray, design: StaggeredDesign) -> tuple[np.ndarray, np.ndarray]:
    """TWFE estimates and unit-clustered (CR1) standard errors for a stack of balanced panels ``y`` (R, n, T).

    Equals :func:`research_kit.did.twfe` with ``cluster`` = unit on each panel (tested). The effect enters
    linearly, so one stack serves every constant effect size: add the effect to the estimate, the standard
    error does not change.
    """
    D = _treated(design)
    Dt = D - D.mean(1, keepdims=True) - D.mean(0, keepdims=True) + D.mean()
    ss = float((Dt * Dt).sum())
    yt = y - y.mean(2, keepdims=True) - y.mean(1, keepdims=True) + y.mean((1, 2), keepdims=True)
    beta = np.einsum("rnt,nt->r", yt, Dt) / ss
    resid = yt - beta[:, None, None] * Dt[None]
    score = np.einsum("rnt,nt->rn", resid, Dt)
    n, T = D.shape
    # CR1 as fixest / pyfixest: G/(G-1) (N-1)/(N-K), K = the coefficient and the T-1 period effects (unit
    # effects are nested in the unit clusters and not counted)
    scale = n / (n - 1) * (n * T - 1) / (n * T - T - 1)
    se = np.sqrt(scale * (score**2).sum(1)) / ss
    return beta, se


def cs_batch(y: np.ndarray, design: StaggeredDesign) -> tuple[np.ndarray, np.ndarray]:
    """Callaway–Sant'Anna simple ATT (never-treated controls, no covariates) and its analytic standard error.

    Group-time effects ``ATT(g, t) = [mean_g - mean_never](y_t - y_{g-1})`` for ``t >= g``, aggregated with
    weights proportional to group size, and the influence-function standard error of R ``did`` including the
    estimated weights (``wif``). Equals :func:`research_kit.did.callaway_santanna` ``.aggregate("simple")``
    with ``method="reg"`` on each panel (tested).
    """
    g = design.cohort
    n, T = len(g), design.n_periods
    groups = np.array(sorted(set(g[g > 0].tolist())))
    cells = [(gi, t) for gi in groups for t in range(gi, T + 1)]
    K = len(cells)
    n_g = {gi: int((g == gi).sum()) for gi in groups}
    n_c = int((g == 0).sum())
    pg = np.array([n_g[gi] / n for gi, _ in cells])
    S = pg.sum()
    w = pg / S
    # group-period means (R, G+1, T); index 0 = never treated
    codes = np.searchsorted(np.concatenate([[0], groups]), g)
    M = np.stack([y[:, codes == j, :].mean(1) for j in range(len(groups) + 1)], axis=1)
    theta = np.empty((y.shape[0], K))
    gidx = {gi: j + 1 for j, gi in enumerate(groups)}
    for k, (gi, t) in enumerate(cells):
        j = gidx[gi]
        theta[:, k] = (M[:, j, t - 1] - M[:, j, gi - 2]) - (M[:, 0, t - 1] - M[:, 0, gi - 2])
    att = theta @ w
    # influence function: the psi part is a linear functional of y centred by its group-period mean
    a = np.zeros((len(groups) + 1, T))
    for k, (gi, t) in enumerate(cells):
        j = gidx[gi]
        a[j, t - 1] += w[k]
        a[j, gi - 2] -= w[k]
    a[0] = a[1:].sum(0)
    yc = y - M[:, codes, :]
    lin = np.einsum("rnt,nt->rn", yc, a[codes])
    factor = np.where(codes == 0, -n / n_c, n / np.array([n_g.get(gi, 1) for gi in g]))
    inf = lin * factor[None, :]
    # estimated-weights part: depends on the unit's group only
    cell_group = np.array([gidx[gi] for gi, _ in cells])
    wif = np.zeros((len(groups) + 1, K))
    for j in range(len(groups) + 1):
        ind = (cell_group == j).astype(float)
        wif[j] = (ind - pg) / S - (ind - pg).sum() * pg / S**2
    inf += (theta @ wif.T)[:, codes]
    se = np.sqrt((inf**2).sum(1)) / n
    return att, se


def simulate(*, n_clusters: int, alpha: float, seed: int, reps: int = 4000, n_units: int = 400, n_periods: int = 24,
             effects: tuple[float, ...] = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4), power: float = 0.8,
             chunk: int = 500, lang: Lang = "zh") -> SimulatedDesign:
    """TWFE and Callaway–Sant'Anna power curves of a staggered roll-out, vectorised over replications.

    One stack of ``reps`` simulated panels serves every effect size (the estimators are linear in the
    effect and their standard errors do not depend on it); the Monte Carlo standard error of each power
    figure is ``sqrt(p (1 - p) / reps)``, at most ``0.5 / sqrt(reps)`` (0.0079 for 4,000 replications).
    """
    from scipy import stats

    lab = Labels(lang)
    design = staggered_design(n_units, n_periods, n_clusters=n_clusters, seed=seed)
    rng = np.random.default_rng(seed + 1)
    est: dict[str, list[Any]] = {"twfe": [], "cs": []}
    for start in range(0, int(reps), int(chunk)):
        y = _draw_errors(design, min(int(chunk), int(reps) - start), rng)
        est["twfe"].append(twfe_batch(y, design))
        est["cs"].append(cs_batch(y, design))
    crit = {"twfe": stats.t.ppf(1 - alpha / 2, n_units - 1), "cs": stats.norm.ppf(1 - alpha / 2)}
    curves = {}
    for key, name in (("twfe", lab("twfe")), ("cs", lab("callaway_santanna"))):
        b = np.concatenate([e[0] for e in est[key]])
        s = np.concatenate([e[1] for e in est[key]])
        rows = []
        for e in effects:
            p = float((np.abs(b + e) / s > crit[key]).mean())
            rows.append({"effect": float(e), "power": p, "std_error": float(np.sqrt(p * (1 - p) / len(b)))})
        curves[name] = pd.DataFrame(rows)
    info = {"n_units": n_units, "n_periods": n_periods, "n_clusters": int(n_clusters), "cluster": "unit",
            "reps": int(reps), "alpha": alpha, "seed": seed}
    return SimulatedDesign(curves=curves, mde={k: interpolate_mde(v, power) for k, v in curves.items()}, design=info)
