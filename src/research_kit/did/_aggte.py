"""Aggregation of group-time effects, R ``did::aggte``.

Every aggregate is a weighted average of ATT(g, t) cells. Its influence function
is the same weighted average of the cells' influence functions plus, where the
weights are estimated cohort shares, the term for estimating them (R's ``wif``):
for cells ``k`` with shares ``p_k`` summing to ``S``,

``wif_i = sum_k att_k [(1{G_i = g_k} - p_k) / S - p_k / S^2 * sum_l (1{G_i = g_l} - p_l)]``.

That term depends on a unit only through its cohort, so it is computed once per
cohort and gathered to units.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from research_kit.did._influence import GroupAffineInfluence, PairInfluence
from research_kit.tabular.encode import check_option
from research_kit.results import Result

if TYPE_CHECKING:
    from research_kit.did.callaway_santanna import CSFit

__all__ = ["aggregate"]

_LABEL = {"dynamic": ("e", "event_time"), "group": ("g", "cohort"), "calendar": ("t", "time")}
_EXTRA = {"dynamic": "event_time", "group": "by_cohort", "calendar": "by_time"}


def _wif(fit: "CSFit", cells: np.ndarray, shares: np.ndarray, cohort_of: np.ndarray, att: np.ndarray) -> np.ndarray:
    """Estimated-weights term of the influence function, per cohort (length n_cohorts + 1)."""
    n_coh = len(fit.cohorts)
    ind = (np.arange(n_coh + 1)[:, None] == cohort_of[None, :]).astype(float)  # cohort x kept cell
    S = shares.sum()
    dev = ind - shares[None, :]
    if1 = dev / S
    if2 = dev.sum(axis=1, keepdims=True) * (shares / S**2)[None, :]
    return (if1 - if2) @ att


def _components(
    fit: "CSFit", kind: str, min_e: float, max_e: float, balance_e: int | None
) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """Labels, estimates and influence functions (n x m) of the aggregate's components."""
    g, t, att = fit.cell_g, fit.cell_t, fit.att
    e = t - g
    coh = np.searchsorted(fit.cohorts, g)
    pg = fit.pg[coh]
    post = (g <= t) & (t <= g + max_e)
    labels: list[Any] = []
    A = np.zeros((len(att), 0))
    W = np.zeros((len(fit.cohorts) + 1, 0))

    def add(which: np.ndarray, weights: np.ndarray, with_wif: bool) -> None:
        nonlocal A, W
        col = np.zeros(len(att))
        col[which] = weights
        A = np.column_stack([A, col])
        wcol = _wif(fit, which, pg[which], coh[which], att[which]) if with_wif else np.zeros(len(fit.cohorts) + 1)
        W = np.column_stack([W, wcol])

    if kind == "simple":
        which = np.flatnonzero(post)
        add(which, pg[which] / pg[which].sum(), True)
        labels.append(None)
    elif kind == "group":
        for c in np.unique(g):
            which = np.flatnonzero(post & (g == c))
            if which.size:
                add(which, np.full(which.size, 1 / which.size), False)
                labels.append(int(c))
    elif kind == "dynamic":
        include = np.ones(len(att), dtype=bool)
        if balance_e is not None:
            tmax, tmin = int(t.max()), int(t.min())
            include = ((tmax - g) >= balance_e) & (e <= balance_e) & (e >= balance_e - (tmax - tmin))
        for ev in np.unique(e[include]):
            if ev < min_e or ev > max_e:
                continue
            which = np.flatnonzero((e == ev) & include)
            add(which, pg[which] / pg[which].sum(), True)
            labels.append(int(ev))
    else:  # calendar
        for tt in np.unique(t[t >= g.min()]):
            which = np.flatnonzero((t == tt) & (g <= t))
            if which.size:
                add(which, pg[which] / pg[which].sum(), True)
                labels.append(int(tt))
    if not labels:
        raise ValueError(f"no group-time effects to aggregate for kind={kind!r} with these options.")
    est = A.T @ att
    return labels, est, _plus_cohort_terms(fit.psi @ A, W, fit)


def _plus_cohort_terms(inf: Any, W: np.ndarray, fit: "CSFit") -> Any:
    """``inf + W[cohort_index]`` for a dense or a group-affine influence matrix."""
    if isinstance(inf, (GroupAffineInfluence, PairInfluence)):
        return inf.plus_unit_constant(W, fit.cohort_index)
    return inf + W[fit.cohort_index]


def aggregate(
    fit: "CSFit",
    kind: str,
    *,
    min_e: float = -np.inf,
    max_e: float = np.inf,
    balance_e: int | None = None,
    info: Mapping[str, Any] | None = None,
) -> Result:
    """Aggregate ATT(g, t) into an overall effect and its components.

    Parameters
    ----------
    fit
        The fit stored on a :class:`~research_kit.did.callaway_santanna.CallawaySantAnnaResult`.
    kind
        ``"simple"`` (post-treatment cells weighted by cohort size), ``"dynamic"``
        (by event time; the overall effect averages event times >= 0), ``"group"``
        (by cohort; overall weighted by cohort size) or ``"calendar"`` (by period;
        overall is the mean over periods).
    min_e, max_e
        Event-time window (``max_e`` also limits the post periods used by
        ``"simple"`` and ``"group"``).
    balance_e
        For ``"dynamic"``: keep only cohorts observed for at least ``balance_e``
        periods after treatment.

    Returns
    -------
    Result
        First row ``"ATT"`` (the overall effect, headline), then one row per
        component (terms ``"e=k"``, ``"g=..."`` or ``"t=..."``). With the
        multiplier bootstrap the components' intervals are uniform bands.
    """
    check_option("kind", kind, ("simple", "dynamic", "group", "calendar"))
    labels, est, inf = _components(fit, kind, min_e, max_e, balance_e)
    key = ("simple", "dynamic", "group", "calendar").index(kind) + 1
    se, crit = fit.standard_errors(inf, rng_key=key)
    z = float(stats.norm.ppf(1 - fit.alpha / 2))
    if kind == "simple":
        overall_est, overall_inf = est, inf
    else:
        wif = np.zeros((len(fit.cohorts) + 1, 1))
        if kind == "group":
            coh = np.searchsorted(fit.cohorts, np.array(labels))
            shares = fit.pg[coh]
            w = shares / shares.sum()
            wif[:, 0] = _wif(fit, np.arange(len(labels)), shares, coh, est)
        else:
            keep = np.array([lab >= 0 for lab in labels]) if kind == "dynamic" else np.ones(len(labels), bool)
            w = keep / keep.sum()
        overall_est = np.array([w @ est])
        overall_inf = _plus_cohort_terms(inf @ w[:, None], wif, fit)
    overall_se, _ = fit.standard_errors(overall_inf, rng_key=10 + key)
    terms = ["ATT"]
    if kind != "simple":
        prefix, column = _LABEL[kind]
        shown = [lab if kind == "dynamic" else fit.times[lab] for lab in labels]
        terms += [f"{prefix}={s}" for s in shown]
    ests = np.r_[overall_est, est if kind != "simple" else []]
    ses = np.r_[overall_se, se if kind != "simple" else []]
    crits = np.r_[z, np.full(len(ests) - 1, crit)]
    meta = {**dict(info or {}), "estimator": "callaway_santanna", "aggregation": kind,
            "band": "pointwise" if fit.bootstrap is None else "uniform"}
    extra: dict[str, Any] = {"influence_function": inf if kind != "simple" else overall_inf}
    if kind != "simple":
        extra[_EXTRA[kind]] = pd.DataFrame({
            column: shown, "estimate": est, "std_error": se, "conf_low": est - crit * se, "conf_high": est + crit * se,
        })
        extra["critical_value"] = crit
    return Result.from_arrays(terms, ests, ses, nobs=fit.n_obs if fit.n_obs is not None else fit.psi.shape[0] * len(fit.times),
                              estimator="callaway_santanna", level=1 - fit.alpha,
                              conf_low=ests - crits * ses, conf_high=ests + crits * ses, info=meta, extra=extra)
