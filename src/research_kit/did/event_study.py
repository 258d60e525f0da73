"""Event studies: effects by period relative to treatment, with a pre-trend test.

* ``method="twfe"`` -- the dynamic two-way fixed effects regression
  ``y ~ sum_e 1{t - g = e} | unit + time`` with the reference period omitted and,
  by default, the endpoints binned (relative periods beyond the window are pooled
  into the first and last ones). Never-treated units have no relative-period
  dummies. Biased under heterogeneous effects with staggered adoption.
* ``method="callaway_santanna"`` -- the dynamic aggregation of Callaway and
  Sant'Anna group-time effects (:func:`research_kit.did.callaway_santanna`).
* ``method="sun_abraham"`` / ``"imputation"`` -- interaction-weighted (Sun and
  Abraham 2021) and imputation (Borusyak, Jaravel and Spiess 2024) event studies.

The TWFE dummies depend only on a unit's cohort and the period, so they are
never built row by row: the regression runs on the cohort x period table
(:class:`research_kit.did._onehot.CellDesign`), a few passes over the rows.

The TWFE and Callaway--Sant'Anna methods return a
:class:`~research_kit.results.Result` with one row per relative period (terms
``"e=-3"`` ... ``"e=2"``), ``extra["event_time"]`` (columns event_time, estimate,
std_error, conf_low, conf_high) and a joint Wald test that all pre-treatment
coefficients are zero in ``info["pretrend"]``.
"""

from __future__ import annotations

from typing import Literal, NoReturn

import numpy as np
import pandas as pd

from research_kit._validation import check_level, missing_values
from research_kit.did._inputs import checked_input
from research_kit.did._onehot import CellDesign
from research_kit.did.callaway_santanna import callaway_santanna
from research_kit.did.twfe import Cluster, _numeric, fe_regression
from research_kit.inference import wald_test
from research_kit.results import Result
from research_kit.tabular.encode import (
    NEVER,
    check_missing,
    check_option,
    cohort_positions,
    factorize,
    panel_index,
    per_unit,
    require_columns,
)

__all__ = ["event_study", "PENDING_METHODS_ISSUE"]

#: Where the missing estimators are tracked.
PENDING_METHODS_ISSUE = "issue 3 (Difference-in-differences family with inference that holds with 9 clusters)"

EventMethod = Literal["twfe", "sun_abraham", "callaway_santanna", "imputation"]


def _frame(e: np.ndarray, est: np.ndarray, se: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"event_time": e.astype(int), "estimate": est, "std_error": se,
                         "conf_low": lo, "conf_high": hi})


def _headline(events: np.ndarray) -> str:
    post = events[events >= 0]
    return f"e={int(post.min()) if post.size else int(events.max())}"


@missing_values
def event_study(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    method: EventMethod = "twfe",
    leads: int | None = None,
    lags: int | None = None,
    reference: int = -1,
    cluster: Cluster = None,
    control_group: Literal["never", "not_yet"] = "never",
    bin_endpoints: bool = True,
    level: float = 0.95,
    unbalanced: Literal["error", "pairwise"] = "error",
) -> Result:
    """Event-study estimates by period relative to first treatment.

    Parameters
    ----------
    df
        Long panel, one row per unit and period.
    outcome, unit, time
        Column names.
    cohort
        First treated period of the unit; 0 or NaN = never treated.
    method
        ``"twfe"``, ``"callaway_santanna"``, ``"sun_abraham"``
        (:func:`research_kit.did.sun_abraham.sun_abraham`) or ``"imputation"``
        (:func:`research_kit.did.imputation.imputation`; it takes no ``reference``,
        ``control_group`` or ``bin_endpoints``). The last two raise
        ``NotImplementedError`` where their modules are not installed.
    leads, lags
        Window: relative periods ``-leads .. lags`` are reported; None = every
        relative period in the data.
    reference
        The omitted relative period of the TWFE regression (reported as 0).
        Callaway--Sant'Anna uses varying base periods and needs ``reference=-1``.
    cluster
        Column(s) to cluster on; default the unit.
    control_group
        Comparison group for Callaway--Sant'Anna (``"never"`` or ``"not_yet"``).
    bin_endpoints
        TWFE only: pool relative periods outside the window into the endpoints
        (True), or give each its own dummy and report only the window (False).

    Returns
    -------
    Result
        Rows ``"e=k"``; ``extra["event_time"]``; ``info["pretrend"]`` with
        ``statistic``, ``df`` and ``p_value`` (chi-squared Wald test of all
        pre-treatment coefficients). Headline term: ``"e=0"``.

    Examples
    --------
    >>> import research_kit as rk
    >>> from research_kit.did._example import small_staggered_panel
    >>> es = rk.did.event_study(small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g")
    >>> es.extra["event_time"]["event_time"].tolist()
    [-4, -3, -2, -1, 0, 1, 2, 3]
    """
    df = checked_input(df, outcome=outcome, unit=unit, time=time, cohort=cohort)
    level = check_level(level)
    check_option("method", method, ("twfe", "sun_abraham", "callaway_santanna", "imputation"))
    check_option("unbalanced", unbalanced, ("error", "pairwise"))
    if unbalanced != "error" and method != "callaway_santanna":
        raise ValueError(f"unbalanced={unbalanced!r} applies to method='callaway_santanna'; the regression "
                         f"methods ({method!r}) use every observed unit-period of an unbalanced panel as it is.")
    for name, value in (("leads", leads), ("lags", lags)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 0):
            raise ValueError(f"{name}={value!r} must be None or a non-negative integer number of periods.")
    if method == "sun_abraham":
        try:
            from research_kit.did.sun_abraham import sun_abraham
        except ImportError:
            _pending(method)
        return sun_abraham(df, outcome=outcome, unit=unit, time=time, cohort=cohort, leads=leads, lags=lags,
                           reference=reference, cluster=cluster, control_group=control_group,
                           bin_endpoints=bin_endpoints, level=level)
    if method == "imputation":
        try:
            from research_kit.did.imputation import imputation
        except ImportError:
            _pending(method)
        return imputation(df, outcome=outcome, unit=unit, time=time, cohort=cohort, leads=leads, lags=lags,
                          cluster=cluster, level=level)
    check_option("control_group", control_group, ("never", "not_yet"))
    if method == "callaway_santanna":
        return _cs_event_study(df, outcome, unit, time, cohort, leads, lags, reference, cluster, control_group,
                               level=level, unbalanced=unbalanced)
    return _twfe_event_study(df, outcome, unit, time, cohort, leads, lags, reference, cluster, bin_endpoints,
                             level=level)


def _pending(method: str) -> NoReturn:
    raise NotImplementedError(
        f"method={method!r} is not implemented yet; it is tracked in the issue {PENDING_METHODS_ISSUE!r}. "
        "Use method='callaway_santanna' for a heterogeneity-robust event study meanwhile."
    )


def _twfe_event_study(df, outcome, unit, time, cohort, leads, lags, reference, cluster, bin_endpoints,
                      level=0.95) -> Result:
    require_columns(df, {"outcome": outcome, "unit": unit, "time": time, "cohort": cohort})
    for col, role in ((unit, "unit"), (time, "time")):
        check_missing(df, col, role)
    y = _numeric(df, outcome, "outcome", binary=False)
    idx = panel_index(df, unit, time)
    units, times = idx.units, idx.times
    g_unit = per_unit(df[cohort].to_numpy(), None if idx.grid else idx.ucodes, len(units), cohort, "cohort",
                      grid=idx.grid)
    # the dummies depend only on the cohort and the period: work on the cohort x period table
    group, gpos = factorize(cohort_positions(g_unit, times, cohort))
    treated = gpos != NEVER
    if not treated.any():
        raise ValueError(f"no unit is ever treated according to {cohort!r}; there is no event to study.")
    T, n_groups = len(times), len(gpos)
    if len(df) == len(units) * T:  # unique unit-periods: every unit is observed in every period
        observed = np.broadcast_to(treated[:, None], (n_groups, T))
    else:
        from research_kit.did._cellsums import group_period_seen

        observed = group_period_seen(np.asarray(group, dtype=np.intp), idx.ucodes, idx.tcodes, n_groups, T)
        observed &= treated[:, None]
    rel = np.arange(T)[None, :] - np.where(treated, gpos, 0)[:, None]  # groups x periods
    lo = int(rel[observed].min()) if leads is None else -int(leads)
    hi = int(rel[observed].max()) if lags is None else int(lags)
    if not lo <= reference <= hi:
        raise ValueError(f"reference={reference} is outside the window [{lo}, {hi}] set by leads/lags.")
    if bin_endpoints:
        rel = np.clip(rel, lo, hi)
    seen = set(np.unique(rel[observed]).tolist())
    window = [e for e in range(lo, hi + 1) if e != reference and e in seen]
    outside = [] if bin_endpoints else sorted(e for e in seen if not lo <= e <= hi)
    events = window + outside
    table = np.full((n_groups, T), -1, dtype=np.intp)
    for j, e in enumerate(events):
        table[(rel == e) & treated[:, None]] = j
    design = CellDesign(group, table, len(events))
    names = [f"e={e}" for e in events]
    fit = fe_regression(df, y, design, names, unit=unit, time=time, cluster=unit if cluster is None else cluster,
                        weights=None, index=idx)
    k = len(window)
    coef, V = fit.coef[:k], fit.vcov[:k, :k]
    se = np.sqrt(np.diag(V))
    pre = [j for j, e in enumerate(window) if e < 0]
    pretrend = wald_test(coef[pre], V[np.ix_(pre, pre)]) if pre else None
    ev = np.array(sorted(window + [reference]))
    pos = {e: j for j, e in enumerate(window)}
    est = np.array([coef[pos[e]] if e in pos else 0.0 for e in ev])
    ses = np.array([se[pos[e]] if e in pos else np.nan for e in ev])
    from scipy import stats

    crit = stats.t.ppf(0.5 + level / 2, fit.df) if fit.df else stats.norm.ppf(0.5 + level / 2)
    table = _frame(ev, est, ses, est - crit * ses, est + crit * ses)
    info = {"estimator": "event_study", "method": "twfe", "reference": reference, "window": (lo, hi),
            "bin_endpoints": bin_endpoints, "pretrend": pretrend, **fit.info}
    extra = {"event_time": table, "vcov_matrix": V}
    if outside:
        extra["outside_window"] = _frame(np.array(outside), fit.coef[k:], np.sqrt(np.diag(fit.vcov))[k:],
                                         fit.coef[k:] - crit * np.sqrt(np.diag(fit.vcov))[k:],
                                         fit.coef[k:] + crit * np.sqrt(np.diag(fit.vcov))[k:])
    return Result.from_arrays([f"e={e}" for e in ev], est, ses, nobs=len(df), estimator="twfe", level=level,
                              df=fit.df, term=_headline(ev), info=info, extra=extra)


def _cs_event_study(df, outcome, unit, time, cohort, leads, lags, reference, cluster, control_group,
                    level=0.95, unbalanced="error") -> Result:
    if reference != -1:
        raise ValueError(
            "reference applies to method='twfe'; Callaway-Sant'Anna compares each period with a base period "
            "(base_period='varying'), so leave reference=-1."
        )
    if cluster is not None and not isinstance(cluster, str):
        raise ValueError("method='callaway_santanna' supports one cluster column (constant within unit).")
    cs = callaway_santanna(df, outcome=outcome, unit=unit, time=time, cohort=cohort,
                           control_group=control_group, cluster=cluster, level=level, unbalanced=unbalanced)
    agg = cs.aggregate("dynamic", min_e=-np.inf if leads is None else -leads, max_e=np.inf if lags is None else lags)
    table = agg.event_time
    if table is None:  # pragma: no cover - aggregate("dynamic") always fills it
        raise RuntimeError("the dynamic aggregation has no event-time table.")
    inf = agg.extra["influence_function"]  # filled by the same package's aggregation (research_kit.did._aggte)
    pre = np.flatnonzero(table["event_time"].to_numpy() < 0)
    pretrend = None
    if pre.size and cs.fit is not None:
        pretrend = wald_test(table["estimate"].to_numpy()[pre], cs.fit.covariance(inf[:, pre]))
    ev = table["event_time"].to_numpy()
    info = {**agg.info, "estimator": "event_study", "method": "callaway_santanna", "pretrend": pretrend,
            "overall_post": agg.estimate, "overall_post_std_error": agg.std_error}
    return Result.from_arrays([f"e={e}" for e in ev], table["estimate"], table["std_error"], nobs=agg.nobs,
                              estimator="callaway_santanna", level=level, conf_low=table["conf_low"], conf_high=table["conf_high"],
                              term=_headline(ev), info=info, extra={"event_time": table, "group_time": cs.group_time})
