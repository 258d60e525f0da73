"""Sun and Abraham (2021) interaction-weighted event study.

The TWFE regression is saturated in cohort x relative-period interactions,

``y_it = a_i + b_t + sum_{g not control} sum_{e != ref} delta_{g,e} 1{G_i = g, t - g = e} + u_it``,

so that each ``delta_{g,e}`` is a clean DiD of cohort ``g`` against the control
cohort(s) -- the never treated, or the last-treated cohort -- and the
event-study coefficient for relative period ``e`` is the cohort-share weighted
average ``sum_g w_{g,e} delta_{g,e}``. As in R ``fixest::sunab()``, the weights
are the cohorts' shares of the sample observations in relative period ``e``
(treated as known), and the standard errors come from the delta method on the
clustered (CR1, fixest small-sample rules) covariance: ``se_e = sqrt(w' V w)``.

Units treated in the first period (no pre-period) are dropped, as ``fixest``
does. With ``control_group="last_cohort"`` the latest-treated cohort serves as
control (together with any never-treated units) and the periods from its first
treated period on are dropped (Sun and Abraham 2021, Section 4).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from research_kit.tabular.encode import (
    NEVER,
    DroppedUnitsWarning,
    check_missing,
    check_option,
    cohort_positions,
    encode_time,
    per_unit,
    require_columns,
)
from research_kit.did._onehot import OneHotDesign
from research_kit.did.twfe import Cluster, _numeric, fe_regression
from research_kit.inference import wald_test, warn_user
from research_kit.results import Result
from research_kit._validation import check_level
from research_kit.did._inputs import checked_input
from research_kit._validation import missing_values

__all__ = ["sun_abraham"]


def _aggregate(names: list[tuple[int, int]], counts: np.ndarray, coef: np.ndarray,
               events: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Weight matrix (len(events) + 1 x k) of the per-period averages and the overall post-period ATT."""
    R = np.zeros((len(events) + 1, len(names)))
    for i, e in enumerate(events):
        idx = [j for j, (_, ee) in enumerate(names) if ee == e]
        R[i, idx] = counts[idx] / counts[idx].sum()
    post = [j for j, (_, ee) in enumerate(names) if ee >= 0]
    R[-1, post] = counts[post] / counts[post].sum()
    return R, R @ coef


@missing_values
def sun_abraham(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    leads: int | None = None,
    lags: int | None = None,
    reference: int = -1,
    cluster: Cluster = None,
    control_group: Literal["never", "last_cohort"] = "never",
    bin_endpoints: bool = True,
    level: float = 0.95,
) -> Result:
    """Interaction-weighted event study of Sun and Abraham (2021).

    Parameters
    ----------
    df
        Long panel, one row per unit and period (balanced or not).
    outcome, unit, time
        Column names.
    cohort
        First treated period of the unit; 0 or NaN = never treated.
    leads, lags
        Report relative periods ``-leads .. lags``; None = every relative
        period in the data (``fixest::sunab()``'s default).
    reference
        The omitted relative period of every cohort (default -1).
    cluster
        Column(s) to cluster on; default the unit.
    control_group
        ``"never"`` (never-treated units) or ``"last_cohort"`` (the latest-treated
        cohort, with the periods from its treatment on dropped).
    bin_endpoints
        Pool relative periods beyond the window into the endpoints (True), or
        keep their interactions in the regression without reporting them (False).

    Returns
    -------
    Result
        Rows ``"e=k"`` (the reference row is 0 with NaN standard error) and
        ``"ATT"`` (the cohort-share weighted average of all post-treatment
        interactions, ``fixest``'s ``agg = "ATT"``); headline ``"e=0"``.
        ``extra["event_time"]``, ``extra["cohort_effects"]`` (cohort, event_time,
        estimate, std_error, weight, n_obs), ``extra["vcov_matrix"]`` (reported
        periods and ATT); ``info["pretrend"]`` is the chi-squared Wald test of the
        pre-period coefficients.

    Examples
    --------
    >>> from research_kit.did._example import small_staggered_panel
    >>> r = sun_abraham(small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g")
    >>> r.tidy()["term"].tolist()
    ['e=-4', 'e=-3', 'e=-2', 'e=-1', 'e=0', 'e=1', 'e=2', 'e=3', 'ATT']
    >>> abs(r.estimate - 1.0) < 3 * r.std_error   # true effect at e=0 is 1
    True
    """
    df = checked_input(df, outcome=outcome, unit=unit, time=time, cohort=cohort)
    level = check_level(level)
    check_option("control_group", control_group, ("never", "last_cohort"))
    for name, value in (("leads", leads), ("lags", lags)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 0):
            raise ValueError(f"{name}={value!r} must be None or a non-negative integer number of periods.")
    require_columns(df, {"outcome": outcome, "unit": unit, "time": time, "cohort": cohort})
    for col, role in ((unit, "unit"), (time, "time")):
        check_missing(df, col, role)
    y = _numeric(df, outcome, "outcome", binary=False)
    ucodes, units = pd.factorize(df[unit], sort=True)
    tcodes, times = encode_time(df[time])
    g_unit = cohort_positions(per_unit(df[cohort].to_numpy(), ucodes, len(units), cohort, "cohort"), times, cohort)
    keep = np.ones(len(df), dtype=bool)
    if np.any(g_unit == 0):
        warn_user(f"dropped {int((g_unit == 0).sum())} units treated from the first period ({times[0]!r}); they "
                  "have no pre-treatment period (fixest::sunab drops them too).", DroppedUnitsWarning)
        keep &= g_unit[ucodes] != 0
    treated_cohorts = np.unique(g_unit[(g_unit != NEVER) & (g_unit > 0)])
    if treated_cohorts.size == 0:
        raise ValueError(f"no unit is ever treated (after the first period) according to {cohort!r}; "
                         "there is no event to study.")
    control = g_unit == NEVER
    if control_group == "last_cohort":
        last = int(treated_cohorts.max())
        if treated_cohorts.size < 2:
            raise ValueError("control_group='last_cohort' needs at least two treated cohorts: the last one is the "
                             "control.")
        control = control | (g_unit == last)
        keep &= tcodes < last
        treated_cohorts = treated_cohorts[:-1]
    elif not control.any():
        raise ValueError(
            f"no never-treated unit in {cohort!r} (0 or NaN = never): the Sun-Abraham estimator needs a control "
            "cohort. Use control_group='last_cohort' to take the latest-treated cohort as control (its treated "
            "periods are then dropped)."
        )
    data = df.loc[keep] if not keep.all() else df
    y, uc, tc = y[keep], ucodes[keep], tcodes[keep]
    g = g_unit[uc]
    is_tr = ~control[uc]
    rel = np.where(is_tr, tc - np.where(is_tr, g, 0), 0)
    lo = int(rel[is_tr].min()) if leads is None else -int(leads)
    hi = int(rel[is_tr].max()) if lags is None else int(lags)
    if not lo <= reference <= hi:
        raise ValueError(f"reference={reference} is outside the window [{lo}, {hi}] set by leads/lags.")
    if bin_endpoints:
        rel = np.where(is_tr, np.clip(rel, lo, hi), 0)
    key = pd.Series(list(zip(g[is_tr], rel[is_tr]))).value_counts()
    cells = sorted((int(c), int(e)) for c, e in key.index if e != reference)
    if not cells:
        raise ValueError("no cohort x relative-period cell is left besides the reference period.")
    # one non-zero per row: the cohort x relative-period cell, never a dense N x cells matrix
    rows = np.flatnonzero(is_tr & (rel != reference))
    codes = np.full(len(y), -1, dtype=np.intp)
    pairs = pd.MultiIndex.from_arrays([g[rows], rel[rows]])
    lookup = pd.Series(np.arange(len(cells)), index=pd.MultiIndex.from_tuples(cells))
    codes[rows] = lookup.reindex(pairs).to_numpy(dtype=np.intp)
    X = OneHotDesign(codes, len(cells))
    counts = np.bincount(codes[rows], minlength=len(cells)).astype(float)
    names = [f"g={times[c]}:e={e}" for c, e in cells]
    fit = fe_regression(data, y, X, names, unit=unit, time=time, cluster=unit if cluster is None else cluster,
                        weights=None)
    in_window = [(c, e) for c, e in cells if lo <= e <= hi]
    events = sorted({e for _, e in in_window})
    R, agg = _aggregate(cells, counts, fit.coef, events)
    Vagg = R @ fit.vcov @ R.T
    se = np.sqrt(np.diag(Vagg))
    pre = [i for i, e in enumerate(events) if e < 0]
    pretrend = wald_test(agg[pre], Vagg[np.ix_(pre, pre)]) if pre else None
    ev = sorted(set(events) | {reference})
    est = np.array([agg[events.index(e)] if e in events else 0.0 for e in ev] + [agg[-1]])
    ses = np.array([se[events.index(e)] if e in events else np.nan for e in ev] + [se[-1]])
    crit = stats.t.ppf(0.5 + level / 2, fit.df) if fit.df else stats.norm.ppf(0.5 + level / 2)
    table = pd.DataFrame({"event_time": np.array(ev, dtype=int), "estimate": est[:-1], "std_error": ses[:-1],
                          "conf_low": est[:-1] - crit * ses[:-1], "conf_high": est[:-1] + crit * ses[:-1]})
    w_cell = R[:-1].sum(axis=0)
    cohort_effects = pd.DataFrame({
        "cohort": [times[c] for c, _ in cells], "event_time": [e for _, e in cells], "estimate": fit.coef,
        "std_error": np.sqrt(np.diag(fit.vcov)), "weight": w_cell, "n_obs": counts.astype(int),
    })
    post = [e for e in ev if e >= 0]
    info = {"estimator": "sun_abraham", "method": "sun_abraham", "reference": reference, "window": (lo, hi),
            "bin_endpoints": bin_endpoints, "control_group": control_group, "pretrend": pretrend, **fit.info}
    extra = {"event_time": table, "cohort_effects": cohort_effects, "vcov_matrix": Vagg, "cohort_vcov": fit.vcov}
    return Result.from_arrays([f"e={e}" for e in ev] + ["ATT"], est, ses, nobs=len(y), estimator="sun_abraham", level=level,
                              df=fit.df, term=f"e={post[0] if post else ev[-1]}", info=info, extra=extra)
