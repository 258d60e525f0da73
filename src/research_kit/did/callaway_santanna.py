"""Callaway and Sant'Anna (2021) group-time average treatment effects.

A port of R ``did::att_gt`` / ``did::aggte`` for balanced panels:

* every group-time effect ``ATT(g, t)`` is a 2x2 DiD of cohort ``g`` against a
  comparison group (never treated, or not yet treated by ``max(t, base) +
  anticipation``) between period ``t`` and a base period -- ``g - 1 -
  anticipation`` for post-treatment cells, and ``t - 1`` (``base_period =
  "varying"``) or ``g - 1 - anticipation`` (``"universal"``) for pre-treatment
  cells;
* the 2x2 estimators are those of R ``DRDID`` (see :mod:`._drdid`);
* standard errors come from the influence functions (R ``bstrap = FALSE``), summed
  within clusters when ``cluster`` is coarser than the unit; optionally the
  multiplier bootstrap with uniform (sup-t) confidence bands (``bootstrap = B``);
* :meth:`CallawaySantAnnaResult.aggregate` is ``aggte`` (simple, dynamic, group,
  calendar), including the influence-function term for estimated weights.

Periods are positions on the sorted grid of observed periods, so ``anticipation``
and event time count periods (identical to R for consecutive integer periods).
Covariates enter at the earlier period of each 2x2 comparison (as R's
``panel2cs2``); time-invariant covariates are the safe choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from scipy import stats

from research_kit._validation import check_level, missing_values
from research_kit.did._drdid import CellProblem, did_2x2_panel
from research_kit.did._influence import GroupAffineInfluence, PairInfluence, _PairData, group_sums
from research_kit.did._inputs import checked_input
from research_kit.inference import cluster_codes, cluster_sums, wald_test, warn_few_clusters, warn_user
from research_kit.results import Result
from research_kit.tabular.encode import (
    NEVER,
    WidePanel,
    build_wide_panel,
    check_option,
    drop_first_period_treated,
)

__all__ = ["callaway_santanna", "CallawaySantAnnaResult", "CellSkippedWarning"]

ControlGroup = Literal["never", "not_yet"]
EstMethod = Literal["dr", "ipw", "reg"]
BasePeriod = Literal["varying", "universal"]
Unbalanced = Literal["error", "pairwise"]
Aggregation = Literal["simple", "dynamic", "group", "calendar"]


class CellSkippedWarning(UserWarning):
    """A group-time cell could not be estimated (no overlap, no comparison units) and was left out."""


@dataclass(frozen=True, eq=False, repr=False)
class CSFit:
    """Everything :func:`aggregate` needs: cells, their influence functions and the design."""

    times: np.ndarray  # period labels on the grid
    cell_g: np.ndarray  # cohort position of each cell
    cell_t: np.ndarray  # period position of each cell
    att: np.ndarray  # K
    psi: np.ndarray | GroupAffineInfluence | PairInfluence  # n x K influence functions (R did scale)
    cohort_index: np.ndarray  # n, index into `cohorts` (len(cohorts) = not an estimated cohort)
    cohorts: np.ndarray  # positions of the estimated cohorts (R's glist)
    pg: np.ndarray  # P(G = g) for each estimated cohort
    cluster: np.ndarray | None  # n cluster codes, None = unit
    n_clusters: int
    alpha: float
    bootstrap: int | None
    seed: int | None
    n_obs: int | None = None  # observed unit-periods (None: balanced, n x T)

    @property
    def n(self) -> int:
        return self.psi.shape[0]

    def cluster_totals(self, inf: np.ndarray | GroupAffineInfluence | PairInfluence) -> np.ndarray:
        """Cluster sums of influence functions (n x m -> G x m)."""
        if isinstance(inf, (GroupAffineInfluence, PairInfluence)):
            return np.asarray(inf) if self.cluster is None else inf.cluster_totals(self.cluster, self.n_clusters)
        return inf if self.cluster is None else cluster_sums(inf, self.cluster, self.n_clusters)

    def standard_errors(self, inf: np.ndarray | GroupAffineInfluence | PairInfluence,
                        rng_key: int = 0) -> tuple[np.ndarray, float]:
        """Standard errors of the columns of ``inf`` and the critical value for their joint band.

        Analytic (``sqrt(sum_c s_c^2) / n``, pointwise normal critical value), or the
        multiplier bootstrap when the fit asked for it.
        """
        if self.bootstrap is None:
            if isinstance(inf, (GroupAffineInfluence, PairInfluence)) and self.cluster is None:
                sumsq = inf.column_sumsq()
            else:
                S = self.cluster_totals(inf)
                sumsq = np.einsum("ij,ij->j", S, S)
            se = np.sqrt(np.maximum(sumsq, 0.0)) / self.n
            se[se <= np.sqrt(np.finfo(float).eps) * 10] = np.nan
            return se, float(stats.norm.ppf(1 - self.alpha / 2))
        return _multiplier_bootstrap(self.cluster_totals(inf), self.n, self.bootstrap, self.alpha,
                                     np.random.default_rng([self.seed or 0, rng_key]))

    def covariance(self, inf: np.ndarray | GroupAffineInfluence | PairInfluence) -> np.ndarray:
        """Analytic covariance matrix of the estimates whose influence functions are the columns of ``inf``."""
        if isinstance(inf, (GroupAffineInfluence, PairInfluence)) and self.cluster is None:
            return inf.gram() / self.n**2
        S = self.cluster_totals(inf)
        return S.T @ S / self.n**2


def _multiplier_bootstrap(S: np.ndarray, n: int, B: int, alpha: float, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Rademacher multiplier bootstrap over cluster sums (R ``did::mboot``): IQR standard errors, sup-t critical value."""
    G, m = S.shape
    draws = np.empty((B, m))
    chunk = max(1, int(2e7 // max(G, 1)))
    for start in range(0, B, chunk):
        stop = min(B, start + chunk)
        U = rng.choice(np.array([-1.0, 1.0]), size=(stop - start, G))
        draws[start:stop] = U @ S / n
    q75, q25 = np.quantile(draws, [0.75, 0.25], axis=0, method="inverted_cdf")
    se = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    ok = se > np.sqrt(np.finfo(float).eps) * 10
    se = np.where(ok, se, np.nan)
    if not ok.any():
        return se, float(stats.norm.ppf(1 - alpha / 2))
    t_max = np.max(np.abs(draws[:, ok] / se[ok]), axis=1)
    crit = float(np.quantile(t_max, 1 - alpha, method="inverted_cdf"))
    return se, max(crit, float(stats.norm.ppf(1 - alpha / 2)))


@dataclass(frozen=True, eq=False, repr=False)
class CallawaySantAnnaResult(Result):
    """Result of :func:`callaway_santanna`: the overall ATT plus every ATT(g, t).

    The table's first row (term ``"ATT"``, the headline) is the simple
    aggregation; then one row per cell, term ``"ATT(g,t)"``.
    """

    fit: CSFit | None = field(default=None, repr=False)

    @property
    def group_time(self) -> pd.DataFrame:
        """Group-time effects: cohort, time, estimate, std_error, conf_low, conf_high."""
        return self.extra["group_time"].copy()

    def aggregate(
        self,
        kind: Aggregation = "group",
        *,
        min_e: float = -np.inf,
        max_e: float = np.inf,
        balance_e: int | None = None,
    ) -> Result:
        """Aggregate the ATT(g, t) as R ``did::aggte`` (see :func:`._aggte.aggregate`).

        Examples
        --------
        >>> import research_kit as rk
        >>> from research_kit.did._example import small_staggered_panel
        >>> r = rk.did.callaway_santanna(small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g")
        >>> r.aggregate("dynamic").tidy()["term"].tolist()[:3]
        ['ATT', 'e=-3', 'e=-2']
        """
        from research_kit.did._aggte import aggregate

        if self.fit is None:
            raise ValueError("this result carries no fit to aggregate.")
        return aggregate(self.fit, kind, min_e=min_e, max_e=max_e, balance_e=balance_e,
                         info={k: self.info[k] for k in _AGG_INFO if k in self.info})


_AGG_INFO = ("control_group", "method", "anticipation", "base_period", "cluster", "n_clusters", "vcov",
             "n_units", "bootstrap")


def _cells(T: int, cohorts: np.ndarray, base_period: str, anticipation: int) -> list[tuple[int, int, int]]:
    """(g, t, base) positions of every group-time cell, in R's order."""
    out = []
    for g in cohorts:
        post_base = g - 1 - anticipation
        for t in range(0 if base_period == "universal" else 1, T):
            base = post_base if (t >= g or base_period == "universal") else t - 1
            out.append((int(g), t, int(base)))
    return out


def _design(panel: WidePanel, control_group: str, anticipation: int, cohort_col: str) -> tuple[np.ndarray, int]:
    """Estimated cohorts (R's glist) and the number of usable periods."""
    G = panel.cohort
    T = len(panel.times)
    has_never = bool(np.any(G == NEVER))
    treated = np.unique(G[G != NEVER])
    if not has_never:
        if control_group == "never":
            raise ValueError(
                f"no never-treated units in {cohort_col!r} (coded 0 or NaN), so control_group='never' has no "
                "comparison group; use control_group='not_yet' (the last cohort then serves only as a control)."
            )
        gmax = int(treated.max())
        T = gmax - anticipation  # periods after the last cohort starts have no comparison units
        treated = treated[treated < gmax]
    cohorts = treated[(treated > anticipation) & (treated < T)]
    if T < 2 or cohorts.size == 0:
        raise ValueError(
            f"no cohort in {cohort_col!r} has both a pre-treatment base period and a comparison group; "
            "check the cohort coding (first treated period; 0 or NaN = never treated) and anticipation."
        )
    return cohorts, T


@missing_values
def callaway_santanna(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    control_group: ControlGroup = "never",
    covariates: Sequence[str] | None = None,
    method: EstMethod = "dr",
    anticipation: int = 0,
    base_period: BasePeriod = "varying",
    cluster: str | None = None,
    bootstrap: int | None = None,
    seed: int | None = 0,
    level: float = 0.95,
    alpha: float | None = None,
    unbalanced: Unbalanced = "error",
) -> CallawaySantAnnaResult:
    """Group-time average treatment effects of Callaway and Sant'Anna (2021).

    Parameters
    ----------
    df
        Balanced long panel: one row per unit and period.
    outcome, unit, time
        Column names.
    cohort
        Column with the first treated period of the unit (constant within a unit);
        0 or NaN (NaT for dates) = never treated; a period after the last observed
        one also counts as never treated (as in R ``did``).
    control_group
        ``"never"`` (never-treated units) or ``"not_yet"`` (never treated plus not
        yet treated).
    covariates
        Columns for conditional parallel trends (an intercept is added).
    method
        ``"dr"`` doubly robust (default), ``"ipw"`` or ``"reg"`` outcome regression.
    anticipation
        Number of periods before treatment in which units may already react.
    base_period
        ``"varying"`` (R default) or ``"universal"``.
    cluster
        Column to cluster on (constant within unit); default: the unit.
    bootstrap
        Number of multiplier-bootstrap draws (R ``biters``); None = analytic
        standard errors and pointwise intervals. With draws, intervals for the
        cells are uniform (sup-t) bands.
    seed
        Seed for the bootstrap (default 0: the same call gives the same draws; None: fresh entropy).
    level
        Confidence level of the intervals (default 0.95); ``alpha=`` (1 - level) is deprecated.
    unbalanced
        ``"error"`` (default, as R ``did`` with ``panel = TRUE``): every unit must be
        observed in every period. ``"pairwise"``: each ATT(g, t) compares the units of
        the cohort and of the comparison group observed in both of its periods, and its
        influence function is zero for the others (missing unit-periods are assumed
        unrelated to the outcome changes); aggregation weights stay the cohort shares
        of all units. On a balanced panel both give identical results.

    Returns
    -------
    CallawaySantAnnaResult
        ``r.group_time``, ``r.aggregate(...)``; ``r.info["pretest"]`` holds the
        Wald test that all pre-treatment ATT(g, t) are zero (R's ``W``/``Wpval``).

    Examples
    --------
    >>> import research_kit as rk
    >>> from research_kit.did._example import small_staggered_panel
    >>> r = rk.did.callaway_santanna(small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g")
    >>> r.group_time.columns.tolist()
    ['cohort', 'time', 'estimate', 'std_error', 'conf_low', 'conf_high']
    """
    df = checked_input(df, outcome=outcome, unit=unit, time=time, cohort=cohort, cluster=cluster,
                       covariates=covariates)
    check_option("control_group", control_group, ("never", "not_yet"))
    check_option("method", method, ("dr", "ipw", "reg"))
    check_option("base_period", base_period, ("varying", "universal"))
    check_option("unbalanced", unbalanced, ("error", "pairwise"))
    if not isinstance(anticipation, (int, np.integer)) or anticipation < 0:
        raise ValueError(f"anticipation={anticipation!r} must be a non-negative integer number of periods.")
    if bootstrap is not None and (not isinstance(bootstrap, (int, np.integer)) or bootstrap < 2):
        raise ValueError(f"bootstrap={bootstrap!r} must be None or a number of draws (e.g. 999).")
    alpha = 1 - check_level(level, alpha)
    covariates = list(covariates or [])
    panel = build_wide_panel(df, outcome=outcome, unit=unit, time=time, cohort=cohort,
                             covariates=covariates, cluster=cluster, balanced=unbalanced == "error")
    panel = drop_first_period_treated(panel, cohort)
    cohorts, T = _design(panel, control_group, anticipation, cohort)
    G = panel.cohort
    n = len(G)
    cells = _cells(T, cohorts, base_period, anticipation)
    never = G == NEVER
    psi: Any  # n x K influence functions: an array, or a structured form on the fast paths
    if panel.x is None and panel.observed is None:
        att, psi, keep = _unconditional_cells(panel, cells, control_group, anticipation)
    elif panel.x is None:
        att, psi, keep = _pairwise_cells(panel, cells, control_group, anticipation)
    else:
        psi = np.zeros((n, len(cells)), order="F")
        att = np.full(len(cells), np.nan)
        keep = np.ones(len(cells), dtype=bool)
        for k, (g, t, base) in enumerate(cells):
            if t == base:  # universal base period: normalised to zero
                att[k] = 0.0
                continue
            treated = G == g
            ctrl = never if control_group == "never" else never | ((G > max(t, base) + anticipation) & (G != g))
            try:
                att[k], psi[:, k] = _cell(panel, treated, ctrl, t, base, method, n)
            except CellProblem as problem:
                keep[k] = False
                _skipped(panel, g, t, problem)
        if not keep.all():
            psi = psi[:, keep]
    cells = [c for c, ok in zip(cells, keep) if ok]
    att = att[keep]
    codes, n_clusters = (None, n) if panel.cluster is None else cluster_codes(panel.cluster, name=cluster or unit)
    if codes is not None:
        warn_few_clusters(n_clusters, str(cluster))
    cohort_index = np.searchsorted(cohorts, G)
    cohort_index[(cohort_index >= len(cohorts)) | (cohorts[np.minimum(cohort_index, len(cohorts) - 1)] != G)] = len(cohorts)
    pg = np.bincount(cohort_index, minlength=len(cohorts) + 1)[: len(cohorts)] / n
    fit = CSFit(times=panel.times, cell_g=np.array([c[0] for c in cells]), cell_t=np.array([c[1] for c in cells]),
                att=att, psi=psi, cohort_index=cohort_index, cohorts=cohorts, pg=pg, cluster=codes,
                n_clusters=n_clusters, alpha=alpha, bootstrap=bootstrap, seed=seed, n_obs=panel.n_obs)
    return _result(fit, panel, df, dict(
        estimator="callaway_santanna", control_group=control_group, method=method, anticipation=anticipation,
        base_period=base_period, covariates=covariates or None, cluster=cluster or unit, n_clusters=n_clusters,
        unbalanced=unbalanced if panel.observed is not None else None,
        vcov="influence function" + ("" if bootstrap is None else f", multiplier bootstrap ({bootstrap} draws)"),
        n_units=n, n_periods=len(panel.times), bootstrap=bootstrap,
    ))


def _skipped(panel: WidePanel, g: int, t: int, problem: Exception) -> None:
    warn_user(f"ATT(g={panel.times[g]!r}, t={panel.times[t]!r}) left out: {problem}.", CellSkippedWarning)


def _unconditional_cells(
    panel: WidePanel, cells: list[tuple[int, int, int]], control_group: str, anticipation: int,
) -> tuple[np.ndarray, GroupAffineInfluence, np.ndarray]:
    """ATT(g, t) and influence functions of every cell at once, for a balanced panel without covariates.

    Each 2x2 is a difference of mean changes (every ``method`` agrees there), so the
    estimates come from the cohort x period means, and the influence function of
    a unit is an affine function of its outcome row that depends only on its
    cohort: ``psi_i = (y_i - ybar_c) B_c + alpha_c``. That structure is kept
    (:class:`._influence.GroupAffineInfluence`): the n x cells matrix is never formed
    (R did's scale: ``n / n_treated`` and ``n / n_control``).
    """
    Y, n, T = panel.y, panel.y.shape[0], panel.y.shape[1]
    codes, gvals = pd.factorize(panel.cohort)
    counts = np.bincount(codes, minlength=len(gvals)).astype(float)
    means = group_sums(Y, codes, len(gvals)) / counts[:, None]
    K = len(cells)
    att = np.full(K, np.nan)
    keep = np.ones(K, dtype=bool)
    B = np.zeros((len(gvals), T, K))
    alpha = np.zeros((len(gvals), K))
    never = gvals == NEVER
    for k, (g, t, base) in enumerate(cells):
        if t == base:
            att[k] = 0.0
            continue
        tr = gvals == g
        ctrl = never if control_group == "never" else never | ((gvals > max(t, base) + anticipation) & ~tr)
        n_t, n_c = counts[tr].sum(), counts[ctrl].sum()
        if n_t == 0 or n_c == 0:
            keep[k] = False
            _skipped(panel, g, t, CellProblem("no treated or no comparison units"))
            continue
        change = means[:, t] - means[:, base]
        m1 = counts[tr] @ change[tr] / n_t
        m0 = counts[ctrl] @ change[ctrl] / n_c
        att[k] = m1 - m0
        for rows, scale, m in ((tr, n / n_t, m1), (ctrl, -n / n_c, m0)):
            B[rows, t, k] = scale
            B[rows, base, k] = -scale
            alpha[rows, k] = scale * (change[rows] - m)  # the cohort's mean change enters through ybar_c
    return att, GroupAffineInfluence.from_data(Y, codes, len(gvals), B[:, :, keep], alpha[:, keep]), keep


def _pairwise_cells(
    panel: WidePanel, cells: list[tuple[int, int, int]], control_group: str, anticipation: int,
) -> tuple[np.ndarray, PairInfluence, np.ndarray]:
    """:func:`_unconditional_cells` for an unbalanced panel (``unbalanced="pairwise"``), without covariates.

    A cell compares the units of its cohort and of its comparison group that are
    observed in both of its periods ``(t, base)``; the counts and sums of changes
    it needs come from each cohort's period x period cross-products, and the
    influence functions are kept per cohort and period pair
    (:class:`._influence.PairInfluence`): the n x cells matrix is never formed.
    Same numbers as the cell-by-cell computation (:func:`_cell`).
    """
    n = panel.y.shape[0]
    codes, gvals = pd.factorize(panel.cohort)
    codes = codes.astype(np.intp, copy=False)
    pairs = sorted({(t, base) for _, t, base in cells if t != base})
    where = {p: j for j, p in enumerate(pairs)}
    data = _PairData(panel.y, cast(np.ndarray, panel.observed), codes, len(gvals), np.array(pairs, dtype=np.intp).reshape(-1, 2))
    K, H = len(cells), len(gvals)
    att = np.full(K, np.nan)
    keep = np.ones(K, dtype=bool)
    C = np.zeros((H, len(pairs), K))
    D = np.zeros((H, len(pairs), K))
    never = gvals == NEVER
    for k, (g, t, base) in enumerate(cells):
        if t == base:
            att[k] = 0.0
            continue
        p = where[(t, base)]
        tr = gvals == g
        ctrl = never if control_group == "never" else never | ((gvals > max(t, base) + anticipation) & ~tr)
        n_t, n_c = data.count[tr, p].sum(), data.count[ctrl, p].sum()
        if n_t == 0 or n_c == 0:
            keep[k] = False
            _skipped(panel, g, t, CellProblem("no treated or no comparison units"))
            continue
        m1 = data.total[tr, p].sum() / n_t
        m0 = data.total[ctrl, p].sum() / n_c
        att[k] = m1 - m0
        for rows, scale, m in ((tr, n / n_t, m1), (ctrl, -n / n_c, m0)):
            C[rows, p, k] = scale
            D[rows, p, k] = scale * (data.mu[rows, p] - m)
    return att, PairInfluence(data, C[:, :, keep], D[:, :, keep], np.zeros((H, int(keep.sum())))), keep


def _cell(panel: WidePanel, treated: np.ndarray, ctrl: np.ndarray, t: int, base: int, method: str, n: int):
    """ATT and full-length influence function of one cell (scaled by n / n1 as in R did)."""
    y = panel.y
    if panel.observed is not None:  # pairwise: only units observed in both periods of this 2x2
        both = panel.observed[:, t] & panel.observed[:, base]
        treated, ctrl = treated & both, ctrl & both
    if panel.x is None:
        dy = y[:, t] - y[:, base]
        n_t, n_c = int(treated.sum()), int(ctrl.sum())
        if n_t == 0 or n_c == 0:
            raise CellProblem("no treated or no comparison units")
        m1 = dy[treated].mean()
        m0 = dy[ctrl].mean()
        if panel.observed is not None:
            dy = np.where(treated | ctrl, dy, 0.0)
        psi = n * (treated * (dy - m1) / n_t - ctrl * (dy - m0) / n_c)
        return m1 - m0, psi
    idx = np.flatnonzero(treated | ctrl)
    dy = y[idx, t] - y[idx, base]
    X = np.column_stack([np.ones(idx.size), panel.x[idx, min(t, base), :]])
    a, local = did_2x2_panel(dy, treated[idx], X, method)  # type: ignore[arg-type]
    psi = np.zeros(n)
    psi[idx] = (n / idx.size) * local
    return a, psi


def _result(fit: CSFit, panel: WidePanel, df: pd.DataFrame, info: dict[str, Any]) -> CallawaySantAnnaResult:
    from research_kit.did._aggte import aggregate

    se, crit = fit.standard_errors(fit.psi, rng_key=0)
    times = panel.times
    gt = pd.DataFrame({
        "cohort": times[fit.cell_g], "time": times[fit.cell_t], "estimate": fit.att, "std_error": se,
        "conf_low": fit.att - crit * se, "conf_high": fit.att + crit * se,
    })
    pre = np.flatnonzero((fit.cell_g > fit.cell_t) & np.isfinite(se))
    info["pretest"] = wald_test(fit.att[pre], fit.covariance(fit.psi[:, pre])) if pre.size else None
    info["band"] = "pointwise" if fit.bootstrap is None else "uniform"
    simple = aggregate(fit, "simple", info={})
    terms = ["ATT"] + [f"ATT({a},{b})" for a, b in zip(gt["cohort"], gt["time"])]
    base = Result.from_arrays(
        terms, np.r_[simple.estimate, fit.att], np.r_[simple.std_error, se], nobs=panel.n_obs,
        estimator="callaway_santanna", level=1 - fit.alpha,
        conf_low=np.r_[simple.conf_low, gt["conf_low"]], conf_high=np.r_[simple.conf_high, gt["conf_high"]],
        info=info, extra={"group_time": gt, "critical_value": crit},
    )
    return CallawaySantAnnaResult(**{f.name: getattr(base, f.name) for f in fields(Result)}, fit=fit)

