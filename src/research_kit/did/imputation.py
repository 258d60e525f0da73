"""Borusyak, Jaravel and Spiess (2024) imputation estimator for staggered adoption.

1. Fit ``y_it = a_i + b_t + e_it`` on the untreated observations only (never
   treated, and treated units before their first treated period). The unit and
   period effects are solved exactly (one small periods x periods system, as in
   :mod:`research_kit.tabular.within`), not by iterating.
2. Impute ``Y_it(0) = a_i + b_t`` for every treated observation and take
   ``tau_it = y_it - Y_it(0)``.
3. Average: ``tau_h`` is the mean of ``tau_it`` over treated observations ``h``
   periods after adoption; ``ATT`` the mean over all reported horizons.

Standard errors are BJS's conservative clustered variance (Theorem 3; R
``didimputation``, Stata ``did_imputation``): every estimate is a linear
combination ``sum_it v_it y_it`` with ``v_it`` the estimand weights on treated
observations and ``-Z (Z0'Z0)^-1 Z1' w`` on untreated ones, and

``Var = sum_clusters (sum_it v_it e~_it)^2``

where ``e~_it`` is the first-stage residual for untreated observations and
``tau_it - tau_bar`` for treated ones, ``tau_bar`` being the ``v^2``-weighted
average of ``tau`` in the observation's cohort x period cell (Stata's default
``avgeffectsby(Ei t)``). ``leave_out=True`` computes ``tau_bar`` without the
observation's own cluster (BJS's leave-out refinement, which removes the
downward bias of small cells).

The pre-trend test is BJS's: a separate regression, on untreated observations
only, of the outcome on dummies for 1..k periods before treatment plus unit and
period effects (CR1 clustered as ``fixest``), with a joint Wald test. It does not
change the post-treatment estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from research_kit.tabular.encode import (
    NEVER,
    DroppedUnitsWarning,
    check_missing,
    check_unique,
    cohort_positions,
    encode_time,
    per_unit,
    require_columns,
)
from research_kit.tabular.within import TwoWayDemeaner
from research_kit.did.twfe import Cluster, _numeric, fe_regression
from research_kit.inference import cluster_codes, cluster_sums, wald_test, warn_few_clusters, warn_user
from research_kit.results import Result
from research_kit._validation import check_level
from research_kit.did._inputs import checked_input
from research_kit._validation import missing_values

__all__ = ["imputation", "NotImputableWarning"]


class NotImputableWarning(UserWarning):
    """Some treated observations have no untreated counterpart in their period and were left out."""


def _first_stage(y0: np.ndarray, u0: np.ndarray, t0: np.ndarray) -> tuple[TwoWayDemeaner, np.ndarray, np.ndarray]:
    """Unit and period effects of the untreated-only two-way model (exact solve)."""
    dm = TwoWayDemeaner.build(u0, t0)
    alpha, gamma = _solve(dm, np.bincount(u0, weights=y0, minlength=dm.n_units)[:, None],
                          np.bincount(t0, weights=y0, minlength=dm.n_times)[:, None])
    return dm, alpha[:, 0], gamma[:, 0]


def _solve(dm: TwoWayDemeaner, b_unit: np.ndarray, b_time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve the normal equations ``Z0'Z0 (a, g) = (b_unit, b_time)`` of the two-way dummies.

    Concentrating out the unit effects leaves ``A g = b_time - P' D^-1 b_unit`` with
    ``A`` the demeaner's periods x periods matrix; then ``a = D^-1 (b_unit - P g)``.
    """
    means = b_unit * dm.inv_unit_weight[:, None]
    gamma = dm.a_pinv @ (b_time - np.asarray(dm.P.T @ means))
    alpha = means - np.asarray(dm.P @ gamma) * dm.inv_unit_weight[:, None]
    return alpha, gamma


def _tau_bar(tau: np.ndarray, v: np.ndarray, cell: np.ndarray, clus: np.ndarray, leave_out: bool) -> np.ndarray:
    """``v^2``-weighted cell means of ``tau`` (optionally leaving out the own cluster), one column per estimand."""
    out = np.empty_like(v)
    n_cell = int(cell.max()) + 1
    pair, _ = pd.factorize(cell.astype(np.int64) * (int(clus.max()) + 1) + clus)
    for h in range(v.shape[1]):
        v2 = v[:, h] ** 2
        s_c = np.bincount(cell, weights=v2 * tau, minlength=n_cell)
        w_c = np.bincount(cell, weights=v2, minlength=n_cell)
        full = np.divide(s_c, w_c, out=np.zeros_like(s_c), where=w_c > 0)[cell]
        if not leave_out:
            out[:, h] = full
            continue
        s_p = np.bincount(pair, weights=v2 * tau)[pair]
        w_p = np.bincount(pair, weights=v2)[pair]
        den = w_c[cell] - w_p
        out[:, h] = np.where(den > 1e-14 * np.maximum(w_c[cell], 1e-300),
                             (s_c[cell] - s_p) / np.where(den > 0, den, 1.0), full)
    return out


def _pretrend(df: pd.DataFrame, y: np.ndarray, rel: np.ndarray, untreated: np.ndarray, leads: Sequence[int],
              unit: str, time: str, cluster: Cluster) -> tuple[np.ndarray, np.ndarray, float | None, list[int]]:
    """BJS pre-trend regression on untreated observations: y ~ lead dummies | unit + time."""
    sub = df.loc[untreated]
    r = rel[untreated]
    leads = [e for e in leads if np.any(r == e)]
    if not leads:
        return np.empty(0), np.empty((0, 0)), None, []
    X = np.column_stack([(r == e).astype(float) for e in leads])
    try:
        fit = fe_regression(sub, y[untreated], X, [f"e={e}" for e in leads], unit=unit, time=time,
                            cluster=cluster, weights=None)
    except ValueError as err:
        raise ValueError(
            f"the pre-trend regression with leads {leads} is not identified: the lead dummies are collinear with "
            "the unit and period effects (without never-treated units the earliest leads cannot be told apart from "
            "the period effects). Use fewer pre-treatment periods (e.g. pretrends=3), or add never-treated units."
        ) from err
    return fit.coef, fit.vcov, fit.df, leads


@missing_values
def imputation(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    leads: int | None = None,
    lags: int | None = None,
    cluster: str | None = None,
    horizons: Sequence[int] | None = None,
    pretrends: int | Sequence[int] | None = None,
    leave_out: bool = False,
    level: float = 0.95,
) -> Result:
    """Event study by the imputation estimator of Borusyak, Jaravel and Spiess (2024).

    Parameters
    ----------
    df
        Long panel, one row per unit and period (balanced or not).
    outcome, unit, time
        Column names.
    cohort
        First treated period of the unit; 0 or NaN = never treated.
    leads
        Number of pre-treatment periods in the pre-trend test (dummies for
        1..leads periods before treatment); None = every one in the data but
        the earliest (dummies for all of them would be collinear with the unit
        effects of the treated units).
    lags
        Report horizons ``0..lags``; None = every horizon in the data.
    cluster
        Column to cluster on (default: the unit).
    horizons
        Explicit list of non-negative horizons to report (overrides ``lags``).
    pretrends
        Explicit pre-trend leads: an int ``k`` (= leads 1..k) or a list of
        negative relative periods; ``0`` or ``[]`` skips the test. Overrides ``leads``.
    leave_out
        Average the treatment effects for the variance without the observation's
        own cluster (BJS leave-out version; default False as in R ``didimputation``
        and Stata's default).

    Returns
    -------
    Result
        Rows ``"e=-k" .. "e=-1"`` (pre-trend coefficients, CR1 clustered, t(G-1)
        intervals), ``"e=0" ..`` (imputation estimates, BJS standard errors,
        normal intervals as in R/Stata) and ``"ATT"`` (mean effect over all
        reported horizons). Headline ``"e=0"``. ``extra["event_time"]``,
        ``extra["vcov_matrix"]`` (post horizons and ATT), ``extra["effects"]``
        (one row per treated observation: unit, time, event_time, effect) and
        ``info["pretrend"]`` (chi-squared Wald test of the pre-trend coefficients).

    Examples
    --------
    >>> from research_kit.did._example import small_staggered_panel
    >>> r = imputation(small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g", pretrends=2)
    >>> r.tidy()["term"].tolist()
    ['e=-2', 'e=-1', 'e=0', 'e=1', 'e=2', 'e=3', 'ATT']
    >>> abs(r.estimate - 1.0) < 3 * r.std_error   # true effect at e=0 is 1
    True
    """
    df = checked_input(df, outcome=outcome, unit=unit, time=time, cohort=cohort, cluster=cluster)
    level = check_level(level)
    require_columns(df, {"outcome": outcome, "unit": unit, "time": time, "cohort": cohort, "cluster": cluster})
    for col, role in ((unit, "unit"), (time, "time")):
        check_missing(df, col, role)
    if not isinstance(leave_out, (bool, np.bool_)):
        raise TypeError(f"leave_out must be True or False, got {leave_out!r}.")
    for name, value in (("leads", leads), ("lags", lags)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 0):
            raise ValueError(f"{name}={value!r} must be None or a non-negative integer number of periods.")
    y_all = _numeric(df, outcome, "outcome", binary=False)
    ucodes, units = pd.factorize(df[unit], sort=True)
    tcodes, times = encode_time(df[time])
    check_unique(df, unit, time, (ucodes, len(units), tcodes, len(times)))
    g_unit = cohort_positions(per_unit(df[cohort].to_numpy(), ucodes, len(units), cohort, "cohort"), times, cohort)
    if np.all(g_unit == NEVER):
        raise ValueError(f"no unit is ever treated according to {cohort!r} (0 or NaN = never); nothing to estimate.")
    always = g_unit == 0
    keep = ~always[ucodes]
    if always.all():
        raise ValueError(f"every unit is treated from the first period ({times[0]!r}); no untreated observation "
                         "is left to impute Y(0). Add earlier periods or check the cohort coding.")
    if always.any():
        warn_user(f"dropped {int(always.sum())} units treated from the first period ({times[0]!r}): their Y(0) "
                  "cannot be imputed without an untreated period.", DroppedUnitsWarning)
    data = df.loc[keep] if always.any() else df
    y, u, t = y_all[keep], pd.factorize(ucodes[keep], sort=True)[0], tcodes[keep]
    g = g_unit[ucodes[keep]]
    treated = (g != NEVER) & (t >= g)
    rel = np.where(g != NEVER, t - np.where(g != NEVER, g, 0), np.iinfo(np.int64).min)
    untreated = ~treated
    # a treated observation needs untreated observations of its unit and of its period
    u_index = np.unique(u[untreated])
    t_index = np.unique(t[untreated])
    u_map = np.full(int(u.max()) + 1, -1)
    u_map[u_index] = np.arange(len(u_index))
    t_map = np.full(len(times), -1)
    t_map[t_index] = np.arange(len(t_index))
    bad = treated & ((u_map[u] < 0) | (t_map[t] < 0))
    if bad.any():
        warn_user(f"{int(bad.sum())} treated observations have no untreated observation of their unit (first "
                  "observed after treatment) or of their period (every unit already treated); their Y(0) cannot "
                  "be imputed and they are left out of the estimates (Stata's autosample).", NotImputableWarning)
    # horizons to report
    avail = np.unique(rel[treated & ~bad])
    if horizons is not None:
        hs = sorted({int(h) for h in horizons})
        if not hs or hs[0] < 0:
            raise ValueError(f"horizons={list(horizons)!r} must be non-negative integers.")
        missing = [h for h in hs if h not in set(avail.tolist())]
        if missing:
            raise ValueError(f"horizons {missing} have no imputable treated observations; available: {avail.tolist()}.")
    else:
        hs = [int(h) for h in avail if lags is None or h <= lags]
    # first stage on untreated observations
    u0, t0 = u_map[u[untreated]], t_map[t[untreated]]
    dm, alpha, gamma = _first_stage(y[untreated], u0, t0)
    resid0 = y[untreated] - alpha[u0] - gamma[t0]
    tr = np.flatnonzero(treated & ~bad & np.isin(rel, hs))
    tau = y[tr] - alpha[u_map[u[tr]]] - gamma[t_map[t[tr]]]
    # estimand weights on treated rows: one column per horizon, then the ATT
    W = np.column_stack([(rel[tr] == h) / np.sum(rel[tr] == h) for h in hs] + [np.full(len(tr), 1.0 / len(tr))])
    estimates = W.T @ tau
    # v* for untreated rows: -Z0 (Z0'Z0)^-1 Z1' w
    b_unit = np.column_stack([np.bincount(u_map[u[tr]], weights=W[:, j], minlength=dm.n_units)
                              for j in range(W.shape[1])])
    b_time = np.column_stack([np.bincount(t_map[t[tr]], weights=W[:, j], minlength=dm.n_times)
                              for j in range(W.shape[1])])
    a_w, g_w = _solve(dm, b_unit, b_time)
    v0 = -(a_w[u0] + g_w[t0])
    # clusters
    cl_values = data[cluster].to_numpy() if cluster is not None else u
    ccodes, G = cluster_codes(cl_values, name=cluster or unit)
    warn_few_clusters(G, cluster or unit)
    cell = pd.factorize(g[tr].astype(np.int64) * (len(times) + 1) + t[tr])[0]
    tbar = _tau_bar(tau, W, cell, ccodes[tr], bool(leave_out))
    scores = np.zeros((len(y), W.shape[1]))
    scores[np.flatnonzero(untreated)] = v0 * resid0[:, None]
    scores[tr] = W * (tau[:, None] - tbar)
    S = cluster_sums(scores, ccodes, G)
    V = S.T @ S
    se = np.sqrt(np.diag(V))
    # pre-trend test
    if pretrends is None:
        lead_list = sorted({int(e) for e in np.unique(rel[untreated & (g != NEVER)]) if e < 0
                            and (leads is None or e >= -leads)})
        if leads is None:  # every lead but the earliest: with all of them the unit effects are not identified
            lead_list = lead_list[1:]
    elif isinstance(pretrends, (int, np.integer)):
        lead_list = list(range(-int(pretrends), 0))
    else:
        lead_list = sorted({int(e) for e in pretrends})
        if any(e >= 0 for e in lead_list):
            raise ValueError(f"pretrends={list(pretrends)!r}: pre-trend leads must be negative relative periods.")
    pre_coef, pre_V, pre_df, lead_list = _pretrend(data, y, rel, untreated, lead_list, unit, time,
                                                   unit if cluster is None else cluster)
    pre_se = np.sqrt(np.diag(pre_V))
    crit_pre = stats.t.ppf(0.5 + level / 2, pre_df) if pre_df else stats.norm.ppf(0.5 + level / 2)
    z = stats.norm.ppf(0.5 + level / 2)
    ev = np.array(lead_list + hs, dtype=int)
    est = np.concatenate([pre_coef, estimates])
    ses = np.concatenate([pre_se, se])
    crit = np.concatenate([np.full(len(lead_list), crit_pre), np.full(len(hs) + 1, z)])
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / ses
    dist_p = np.concatenate([2 * stats.t.sf(np.abs(stat[:len(lead_list)]), pre_df) if pre_df else
                             2 * stats.norm.sf(np.abs(stat[:len(lead_list)])),
                             2 * stats.norm.sf(np.abs(stat[len(lead_list):]))])
    lo, hi = est - crit * ses, est + crit * ses
    n_ev = len(ev)
    table = pd.DataFrame({"event_time": ev, "estimate": est[:n_ev], "std_error": ses[:n_ev],
                          "conf_low": lo[:n_ev], "conf_high": hi[:n_ev]})
    effects = pd.DataFrame({unit: data[unit].to_numpy()[tr], time: data[time].to_numpy()[tr],
                            "event_time": rel[tr], "effect": tau})
    names = [f"e={e}" for e in ev] + ["ATT"]
    info: dict[str, Any] = {
        "estimator": "imputation", "method": "imputation", "pretrend": wald_test(pre_coef, pre_V) if lead_list
        else None, "vcov": "BJS conservative (clustered)", "cluster": cluster or unit, "n_clusters": G,
        "leave_out": bool(leave_out), "horizons": hs, "pretrend_leads": lead_list, "fixed_effects": (unit, time),
        "n_treated_obs": len(tr), "n_untreated_obs": int(untreated.sum()), "pretrend_df": pre_df,
    }
    extra = {"event_time": table, "vcov_matrix": V, "pretrend_vcov": pre_V, "effects": effects}
    return Result.from_arrays(names, est, ses, nobs=len(y), estimator="imputation", level=level, conf_low=lo, conf_high=hi,
                              p_values=dist_p, term=f"e={hs[0]}", info=info, extra=extra)
