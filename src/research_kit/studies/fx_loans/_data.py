"""FX-loans study data: the analysis panel, timing, truth and descriptive aggregates.

The programme starts at a bank in a county at a given month (the roll-out
table); a business is treated from the month its main bank offers the
programme in its county. Cohort = the first treated month as a period index
(1 = 2019-01); 0 = never treated by 2025-12.
"""

from __future__ import annotations

import os
from typing import Literal

import numpy as np
import pandas as pd

from research_kit import data
from research_kit.report.labels import Labels, Lang

__all__ = [
    "OUTCOMES", "START", "analysis_panel", "period_index", "period_month", "county_label", "descriptives",
    "cohort_trends", "truth_by_event_time", "truth_overall", "rollout_frame",
]

START = pd.Timestamp("2019-01-01")
OUTCOMES = ("fx_loan_balance", "financing_cost", "loan_access")


def period_index(month: pd.Series) -> pd.Series:
    """Month → integer period, 2019-01 = 1."""
    m = pd.to_datetime(month)
    return ((m.dt.year - START.year) * 12 + (m.dt.month - START.month) + 1).astype("int64")


def period_month(t: int | np.ndarray) -> pd.Timestamp | pd.DatetimeIndex:
    """Integer period → month start (inverse of :func:`period_index`)."""
    if np.ndim(t) == 0:
        return START + pd.DateOffset(months=int(t) - 1)
    return pd.DatetimeIndex([START + pd.DateOffset(months=int(x) - 1) for x in np.asarray(t)])


def county_label(county: str, lang: Lang = "zh") -> str:
    """Display name of a county code, or of ``"all"`` (all of Jinhua)."""
    if county in ("all", "", None):
        return Labels(lang)("all_jinhua")
    return data.county_name(data.county_code(county) if not str(county).isdigit() else county, lang=lang)


def _county_filter(county: str) -> str | None:
    if county in ("all", "", None):
        return None
    code = str(county) if str(county).isdigit() else data.county_code(county)
    if code is None or code not in set(data.COUNTIES["code"]):
        raise ValueError(
            f"county {county!r} is not one of Jinhua's 9 county-level divisions; use 'all' or one of "
            f"{list(data.COUNTIES['name_zh'])}."
        )
    return code


def rollout_frame(*, root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The programme roll-out table (county × bank → start month)."""
    return data.load("rollout", root=root)


def analysis_panel(county: str = "all", *, root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Business × month panel with treatment timing and (synthetic) true effects.

    Columns: business_id, month, t, county, bank, sector, size, weight, the outcomes,
    export_receipts, start_month, cohort (0 = never), event_time (NaN if never),
    treated (0/1), te_<outcome> (0 where untreated).
    """
    loans = data.load("fx_loans", root=root)
    biz = data.load("businesses", root=root)
    roll = rollout_frame(root=root)[["county", "bank", "start_month"]]
    truth = data.load("true_effects", root=root)
    panel = loans.merge(biz[["business_id", "county", "bank", "sector", "size", "weight"]], on="business_id",
                        how="inner", validate="many_to_one")
    panel = panel.merge(roll, on=["county", "bank"], how="left", validate="many_to_one")
    panel = panel.merge(truth, on=["business_id", "month"], how="left", validate="one_to_one")
    code = _county_filter(county)
    if code is not None:
        panel = panel.loc[panel["county"] == code]
    panel = panel.sort_values(["business_id", "month"], kind="stable").reset_index(drop=True)
    panel["t"] = period_index(panel["month"])
    start = panel["start_month"]
    panel["cohort"] = np.where(start.notna(), period_index(start.fillna(START)), 0).astype("int64")
    panel["event_time"] = np.where(panel["cohort"] > 0, panel["t"] - panel["cohort"], np.nan)
    panel["treated"] = ((panel["cohort"] > 0) & (panel["t"] >= panel["cohort"])).astype("int64")
    for c in [c for c in panel.columns if c.startswith("te_")]:
        panel[c] = panel[c].fillna(0.0)
    return panel


def truth_by_event_time(panel: pd.DataFrame, outcome: str, *, leads: int, lags: int) -> pd.DataFrame:
    """Mean true effect by event time over treated business-months (0 before adoption)."""
    te = f"te_{outcome}"
    d = panel.loc[panel["cohort"] > 0, ["event_time", te]]
    d = d.loc[(d["event_time"] >= -leads) & (d["event_time"] <= lags)]
    out = d.groupby("event_time", as_index=False)[te].mean().rename(columns={te: "estimate"})
    return out


def truth_overall(panel: pd.DataFrame, outcome: str) -> float:
    """Mean true effect over all treated business-months (the simple ATT's target)."""
    return float(panel.loc[panel["treated"] == 1, f"te_{outcome}"].mean())


def cohort_trends(panel: pd.DataFrame, outcome: str, *, min_units: int = 5) -> pd.DataFrame:
    """Monthly means of ``outcome`` by adoption cohort; cells with fewer than ``min_units`` businesses are dropped."""
    g = panel.groupby(["cohort", "month"]).agg(value=(outcome, "mean"), n=("business_id", "nunique")).reset_index()
    return g.loc[g["n"] >= min_units]


def descriptives(panel: pd.DataFrame, *, lang: Lang = "zh", by: Literal["county", "cohort"] = "county",
                 min_units: int = 5) -> pd.DataFrame:
    """Counts and means by county (or cohort); cells under ``min_units`` businesses are suppressed."""
    lab = Labels(lang)
    last = panel["month"].max()
    g = panel.groupby(by)
    out = pd.DataFrame({
        lab("n_businesses"): g["business_id"].nunique(),
        lab("n_obs"): g.size(),
        lab("share_treated"): panel.loc[panel["month"] == last].groupby(by)["treated"].mean(),
        lab("fx_loan_balance"): g["fx_loan_balance"].mean(),
        lab("financing_cost"): g["financing_cost"].mean(),
        lab("export_receipts"): g["export_receipts"].mean(),
    })
    small = out[lab("n_businesses")] < min_units
    out.loc[small, out.columns[1:]] = np.nan
    out.loc[small, lab("n_businesses")] = np.nan
    for c in (lab("n_businesses"), lab("n_obs")):
        out[c] = out[c].round().astype("Int64")
    if by == "county":
        out.index = [county_label(c, lang) for c in out.index]
    else:
        out.index = [lab("never_treated") if c == 0 else str(period_month(c).strftime("%Y-%m")) for c in out.index]
    out.index.name = lab(by)
    return out


