"""Goodman-Bacon (2021) decomposition of the two-way fixed effects estimator.

With staggered adoption of a binary, absorbing treatment on a balanced panel,
the TWFE coefficient of ``y ~ D | unit + time`` is a weighted average of every
2x2 difference-in-differences between timing groups (Goodman-Bacon 2021,
Theorem 1):

* ``"Treated vs Untreated"`` -- a timing group against the never treated;
* ``"Earlier vs Later Treated"`` -- an earlier group (treated) against a later
  one before the later one is treated;
* ``"Later vs Earlier Treated"`` -- a later group against an earlier one that is
  already treated (the "forbidden" comparison: its control's outcomes contain
  treatment effects);
* ``"Later vs Always Treated"`` -- a group against units treated in every period.

The labels are those of R ``bacondecomp``. Weights are the paper's
``s_kU``, ``s_kl^k`` and ``s_kl^l`` (unit shares times the variance of the
treatment in each 2x2 subsample), normalised to sum to one; then
``sum(weight * estimate)`` equals the TWFE coefficient exactly.

Examples
--------
>>> from research_kit.did._example import small_staggered_panel
>>> tab = bacon_decomposition(small_staggered_panel(), outcome="y", unit="id", time="t", treat="d")
>>> sorted(tab["type"].unique())
['Earlier vs Later Treated', 'Later vs Earlier Treated', 'Treated vs Untreated']
>>> round(float(tab["weight"].sum()), 12)
1.0
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from research_kit._validation import missing_values
from research_kit.did.twfe import _numeric
from research_kit.tabular.encode import check_missing, check_unique, encode_time, require_columns

__all__ = ["BaconTable", "bacon_decomposition", "bacon_summary", "BACON_TYPES"]

#: Comparison types, in the order they are reported (R ``bacondecomp`` labels).
BACON_TYPES = ("Earlier vs Later Treated", "Later vs Earlier Treated", "Treated vs Untreated",
               "Later vs Always Treated")


def _cohorts(d: np.ndarray, treat: str) -> np.ndarray:
    """First treated period index per unit (``T`` = never); raise if treatment switches off."""
    T = d.shape[1]
    ever = d.max(axis=1) > 0
    first = np.where(ever, d.argmax(axis=1), T)
    absorbing = d == (np.arange(T)[None, :] >= first[:, None])
    if not absorbing.all():
        bad = int((~absorbing.all(axis=1)).sum())
        raise ValueError(
            f"treatment {treat!r} switches off (or is not 0/1 in a single block) for {bad} units; the "
            "Goodman-Bacon decomposition needs an absorbing treatment: 0 before the unit's first treated "
            "period and 1 from then on. Check the coding, or keep only units whose treatment never reverts."
        )
    return first


class BaconTable(pd.DataFrame):
    """The table of :func:`bacon_decomposition`: one row per 2x2 comparison, a DataFrame with typed totals.

    ``twfe`` is the weighted sum of the comparisons (the TWFE estimate on the cells), ``variance_of_treatment``
    the variance of the residualised treatment that scales the weights.
    """

    @property
    def _constructor(self) -> type[BaconTable]:
        return BaconTable

    @property
    def twfe(self) -> float:
        """The TWFE estimate: the weighted sum of the comparisons' estimates."""
        return float(self.attrs["twfe"]) if "twfe" in self.attrs else float((self["weight"] * self["estimate"]).sum())

    @property
    def variance_of_treatment(self) -> float | None:
        """Variance of the two-way demeaned treatment."""
        v = self.attrs.get("variance_of_treatment")
        return None if v is None else float(v)


@missing_values
def bacon_decomposition(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treat: str,
) -> BaconTable:
    """All 2x2 comparisons behind the TWFE estimate, with their weights.

    Parameters
    ----------
    df
        Balanced long panel, one row per unit and period.
    outcome, unit, time
        Column names.
    treat
        0/1 treatment column; it must be absorbing (once 1, always 1).

    Returns
    -------
    pandas.DataFrame
        One row per comparison with columns ``type`` (see :data:`BACON_TYPES`),
        ``treated`` and ``control`` (the first treated period of each group;
        ``control`` is NaN for the never treated), ``estimate`` (the 2x2 DiD) and
        ``weight`` (sums to 1). ``attrs["twfe"]`` holds ``sum(weight * estimate)``,
        equal to the TWFE coefficient.

    Raises
    ------
    ValueError
        If the panel is unbalanced, the treatment switches off, or no 2x2
        comparison exists (e.g. everybody treated at the same time).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": [1, 1, 1, 2, 2, 2, 3, 3, 3], "t": [1, 2, 3] * 3,
    ...                    "d": [0, 1, 1, 0, 0, 1, 0, 0, 0],
    ...                    "y": [1.0, 3.0, 3.5, 1.0, 1.2, 4.0, 0.5, 0.7, 0.6]})
    >>> bacon_decomposition(df, outcome="y", unit="id", time="t", treat="d")[["type", "treated", "control"]]
                           type  treated  control
    0  Earlier vs Later Treated        2      3.0
    1  Later vs Earlier Treated        3      2.0
    2      Treated vs Untreated        2      NaN
    3      Treated vs Untreated        3      NaN
    """
    require_columns(df, {"outcome": outcome, "unit": unit, "time": time, "treat": treat})
    for col, role in ((unit, "unit"), (time, "time")):
        check_missing(df, col, role)
    y_long = _numeric(df, outcome, "outcome", binary=False)
    d_long = _numeric(df, treat, "treat", binary=True)
    ucodes, units = pd.factorize(df[unit], sort=True)
    tcodes, times = encode_time(df[time])
    n, T = len(units), len(times)
    check_unique(df, unit, time, (ucodes, n, tcodes, T))
    counts = np.bincount(ucodes, minlength=n)
    if np.any(counts != T):
        raise ValueError(
            f"the panel is unbalanced: {int((counts != T).sum())} of {n} units (column {unit!r}) are not observed "
            f"in all {T} periods of {time!r}. The Goodman-Bacon decomposition requires a balanced panel; keep the "
            f"units observed in every period, e.g. df[df.groupby({unit!r})[{time!r}].transform('size') == {T}]."
        )
    Y = np.empty((n, T))
    D = np.empty((n, T))
    Y[ucodes, tcodes] = y_long
    D[ucodes, tcodes] = d_long
    first = _cohorts(D, treat)
    groups, size = np.unique(first, return_counts=True)
    share = size / n
    dbar = (T - groups) / T  # share of periods treated (0 = never, 1 = always)
    ybar = np.vstack([Y[first == g].mean(axis=0) for g in groups])  # group x period means

    def did(k: int, c: int, lo: int, hi: int, switch: int) -> float:
        """2x2 DiD of group k against c on periods [lo, hi), k switching on at ``switch``."""
        pre, post = slice(lo, switch), slice(switch, hi)
        return float((ybar[k, post].mean() - ybar[k, pre].mean()) - (ybar[c, post].mean() - ybar[c, pre].mean()))

    rows: list[dict[str, Any]] = []
    timing = [i for i, g in enumerate(groups) if 0 < g < T]
    never = [i for i, g in enumerate(groups) if g == T]
    always = [i for i, g in enumerate(groups) if g == 0]
    for k in timing:
        for c in timing + always:
            if c == k:
                continue
            nkl = share[k] / (share[k] + share[c])
            if groups[k] < groups[c]:  # earlier k against later c, before c is treated
                w = ((share[k] + share[c]) * (1 - dbar[c])) ** 2 * nkl * (1 - nkl) \
                    * (dbar[k] - dbar[c]) / (1 - dbar[c]) * (1 - dbar[k]) / (1 - dbar[c])
                est = did(k, c, 0, groups[c], groups[k])
                kind = "Earlier vs Later Treated"
            else:  # later k against already-treated c
                w = ((share[k] + share[c]) * dbar[c]) ** 2 * nkl * (1 - nkl) \
                    * (dbar[k] / dbar[c]) * (dbar[c] - dbar[k]) / dbar[c]
                est = did(k, c, groups[c], T, groups[k])
                kind = "Later vs Always Treated" if groups[c] == 0 else "Later vs Earlier Treated"
            rows.append({"type": kind, "treated": k, "control": c, "estimate": est, "weight": w})
        for c in never:
            nku = share[k] / (share[k] + share[c])
            w = (share[k] + share[c]) ** 2 * nku * (1 - nku) * dbar[k] * (1 - dbar[k])
            rows.append({"type": "Treated vs Untreated", "treated": k, "control": c,
                         "estimate": did(k, c, 0, T, groups[k]), "weight": w})
    if not rows:
        raise ValueError(
            f"no 2x2 comparison exists: {treat!r} has {len(timing)} timing groups, {len(never)} never-treated and "
            f"{len(always)} always-treated groups. The decomposition needs either two groups treated at different "
            "times, or a timing group and a never-/always-treated group."
        )
    tab = pd.DataFrame(rows)
    total = tab["weight"].sum()
    tab["weight"] = tab["weight"] / total
    labels = np.append(np.asarray(times), np.nan if not np.issubdtype(np.asarray(times).dtype, np.datetime64)
                       else np.datetime64("NaT"))
    tab["treated"] = labels[groups[tab["treated"].to_numpy()]]
    ctrl = groups[tab["control"].to_numpy()]
    tab["control"] = labels[np.where(ctrl == T, T, ctrl)]
    tab["type"] = pd.Categorical(tab["type"], categories=list(BACON_TYPES))
    tab = tab.sort_values(["type", "treated", "control"], kind="stable").reset_index(drop=True)
    tab["type"] = tab["type"].astype(str)
    if pd.api.types.is_float_dtype(tab["treated"]) and np.all(np.mod(tab["treated"], 1) == 0):
        tab["treated"] = tab["treated"].astype(np.int64)
    out = BaconTable(tab)
    out.attrs["twfe"] = float((tab["weight"] * tab["estimate"]).sum())
    out.attrs["variance_of_treatment"] = float(total)
    return out


def bacon_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Total weight and weighted-average estimate by comparison type (R ``bacon_summary``).

    Examples
    --------
    >>> from research_kit.did._example import small_staggered_panel
    >>> tab = bacon_decomposition(small_staggered_panel(), outcome="y", unit="id", time="t", treat="d")
    >>> list(bacon_summary(tab).columns)
    ['type', 'weight', 'avg_est']
    """
    g = table.assign(wb=table["weight"] * table["estimate"]).groupby("type", sort=False)
    out = pd.DataFrame({"weight": g["weight"].sum(), "avg_est": g["wb"].sum() / g["weight"].sum()})
    order = [t for t in BACON_TYPES if t in out.index]
    return out.loc[order].reset_index()
