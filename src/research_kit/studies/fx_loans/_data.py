"""FX-loans study data: the analysis panel, timing, truth and descriptive aggregates.

The programme starts at a bank in a county at a given month (the roll-out
table); a business is treated from the month its main bank offers the
programme in its county. Cohort = the first treated month as a period index
(1 = 2019-01); 0 = never treated by 2025-12.

The outcomes come from the sources as delivered (:func:`linked_sources`): the FX-loan
balance from the PBoC loan ledger and its repayments (``rk.data.ledger_to_panel``,
EUR loans converted with the declared rate table), export receipts from SAFE, the
hedged share of receipts from the banks' hedging contracts, all linked to the sampled
businesses by USCC (``rk.data.link``; old 注册号 mapped through the registry). The
banks' monthly report supplies the rows (business-months surveyed), financing cost
and loan access.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from research_kit import data
from research_kit.report.labels import Labels, Lang
from research_kit.studies._common import study_labels

__all__ = [
    "LABELS", "OUTCOMES", "TRADE_OUTCOMES", "START", "analysis_panel", "period_index", "period_month", "county_label", "descriptives",
    "cohort_trends", "truth_by_event_time", "truth_overall", "rollout_frame", "SourceLinks", "linked_sources", "labels",
]

#: The study's variables and places (the project labels hold no study's names).
LABELS: dict[str, dict[str, str]] = {
    "fx_loan_balance": {"zh": "外汇贷款余额（万美元）", "en": "FX loan balance (USD 10k)"},
    "financing_cost": {"zh": "融资成本（%）", "en": "Financing cost (%)"},
    "loan_access": {"zh": "获得贷款（0/1）", "en": "Loan access (0/1)"},
    "export_receipts": {"zh": "出口收汇（万美元）", "en": "Export receipts (USD 10k)"},
    "all_jinhua": {"zh": "金华全市", "en": "All of Jinhua"},
}


def labels(lang: Lang = "zh") -> Labels:
    """The project labels plus this study's (:data:`LABELS`)."""
    return study_labels(LABELS, lang)

START = pd.Timestamp("2019-01-01")
OUTCOMES = ("fx_loan_balance", "financing_cost", "loan_access")
#: Outcomes from the trade sources (SAFE receipts, hedging contracts), reported by :mod:`._sources`.
TRADE_OUTCOMES = ("export_receipts", "hedged_share")


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
        return labels(lang)("all_jinhua")
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


@dataclass(frozen=True)
class SourceLinks:
    """The outcomes built from the delivered sources, and how the sources matched.

    Attributes
    ----------
    outcomes : pandas.DataFrame
        business_id, month, fx_loan_balance (ledger, 万美元, month end), export_receipts
        (SAFE, 万美元), hedged_notional (万美元 of contracts maturing in the month),
        hedged_share (hedged_notional / export_receipts, at most 1; 0 without receipts).
    reports : dict of str → MatchReport
        ``ledger_registry`` (loans ↔ registry, 注册号 mapped), ``sample_registry``,
        ``ledger_sample`` (loans, by their registry code ↔ sample), ``safe_sample``, ``hedges_sample``.
    balance_agreement : float
        Share of the monthly report's business-months whose reported FX-loan balance equals the
        ledger's to within 0.01 万美元 (1.0 on the demo data).
    n_loans, n_repayments : int
    """

    outcomes: pd.DataFrame
    reports: dict[str, data.MatchReport]
    balance_agreement: float
    n_loans: int
    n_repayments: int


_CACHE: dict[tuple[str, float], SourceLinks] = {}


def linked_sources(*, root: str | os.PathLike[str] | None = None) -> SourceLinks:
    """Link ledger, repayments, registry, SAFE receipts and hedging contracts to the sample.

    Cached per project root and ``data/processed/manifest.json`` version.
    """
    from research_kit import paths

    manifest = paths.processed_dir(root) / "manifest.json"
    key = (str(paths.project_root(root)), manifest.stat().st_mtime if manifest.is_file() else 0.0)
    if key in _CACHE:
        return _CACHE[key]
    lang_names = {"ledger": "贷款台账", "registry": "主体名录", "sample": "样本", "safe": "外汇收支", "hedges": "套保合约"}
    biz = data.load("businesses", root=root)[["business_id", "uscc"]]
    registry = data.load("entity_registry", root=root)[["uscc", "registration_number"]]
    ledger = data.load("loan_ledger", root=root)
    repay = data.load("loan_repayments", root=root)
    rates = data.load("fx_rates", root=root)
    reports: dict[str, data.MatchReport] = {}
    mapping = registry[["registration_number", "uscc"]]
    led, reports["ledger_registry"] = data.link(ledger, registry[["uscc"]], on=("borrower_code", "uscc"),
                                                mapping=mapping, names=(lang_names["ledger"], lang_names["registry"]))
    _, reports["sample_registry"] = data.link(biz, registry[["uscc"]], on="uscc",
                                              names=(lang_names["sample"], lang_names["registry"]))
    led = led.loc[led["link_key"].notna()]  # rows without a code: counted in the report (missing)
    _, reports["ledger_sample"] = data.link(led[["link_key"]], biz, on=("link_key", "uscc"), how="inner",
                                            key="sample_key", names=(lang_names["ledger"], lang_names["sample"]))
    months = data.load("fx_loans", root=root)[["business_id", "month", "fx_loan_balance"]]
    last = months["month"].max()
    bal = data.ledger_to_panel(led, repay, entity="link_key", loan_id="loan_id", issue_date="issue_date",
                               maturity_date="maturity_date", amount="amount", repay_date="date",
                               repay_amount="amount", currency="currency", rates=rates, to="USD", end=last)
    bal = bal.rename(columns={"entity": "uscc", "balance": "fx_loan_balance"})
    bal["month"] = bal["month"].dt.start_time.astype("datetime64[ns]")
    bal, _ = data.link(bal[["uscc", "month", "fx_loan_balance"]], biz, on="uscc", how="inner", key="uscc_key")
    safe = data.load("safe_receipts", root=root)
    safe, reports["safe_sample"] = data.link(safe, biz, on="uscc", how="inner", key="uscc_key",
                                             names=(lang_names["safe"], lang_names["sample"]))
    hedges = data.load("hedging_contracts", root=root)
    hedges, reports["hedges_sample"] = data.link(hedges, biz, on="uscc", how="inner", key="uscc_key",
                                                 names=(lang_names["hedges"], lang_names["sample"]))
    hedges["month"] = hedges["maturity_date"].dt.to_period("M").dt.start_time.astype("datetime64[ns]")
    hedged = hedges.groupby(["business_id", "month"], observed=True, as_index=False)["notional"].sum()
    keys = ["business_id", "month"]
    out = months[keys].astype({"business_id": str})
    for frame, cols in ((bal, ["fx_loan_balance"]), (safe.rename(columns={"receipts": "export_receipts"}), ["export_receipts"]),
                        (hedged.rename(columns={"notional": "hedged_notional"}), ["hedged_notional"])):
        frame = frame.astype({"business_id": str}).groupby(keys, as_index=False)[cols].sum()
        out = out.merge(frame, on=keys, how="left", validate="one_to_one")
        out[cols] = out[cols].fillna(0.0)
    out["fx_loan_balance"] = out["fx_loan_balance"].round(6)
    receipts = out["export_receipts"].to_numpy()
    out["hedged_share"] = np.where(receipts > 0, np.minimum(1.0, out["hedged_notional"] / np.where(receipts > 0, receipts, 1.0)), 0.0)
    agree = float((out["fx_loan_balance"] - months["fx_loan_balance"].to_numpy()).abs().le(0.005 + 1e-9).mean())
    links = SourceLinks(outcomes=out, reports=reports, balance_agreement=agree, n_loans=len(ledger),
                        n_repayments=len(repay))
    _CACHE.clear()
    _CACHE[key] = links
    return links


def analysis_panel(county: str = "all", *, root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Business × month panel with treatment timing and (synthetic) true effects.

    Columns: business_id, month, t, county, bank, sector, size, weight, the outcomes
    (fx_loan_balance from the loan ledger, financing_cost, loan_access), export_receipts
    (SAFE), hedged_notional and hedged_share (hedging contracts), start_month, cohort
    (0 = never), event_time (NaN if never), treated (0/1), te_<outcome> (0 where untreated).
    Rows: the business-months of the banks' monthly report (``fx_loans``).
    """
    loans = data.load("fx_loans", root=root).drop(columns=["fx_loan_balance", "export_receipts"])
    loans["business_id"] = loans["business_id"].astype(str)
    links = linked_sources(root=root)
    loans = loans.merge(links.outcomes, on=["business_id", "month"], how="left", validate="one_to_one")
    biz = data.load("businesses", root=root)
    biz["business_id"] = biz["business_id"].astype(str)
    roll = rollout_frame(root=root)[["county", "bank", "start_month"]]
    truth = data.load("true_effects", root=root)
    truth_trade = data.load("true_effects_trade", root=root)
    truth = truth.astype({"business_id": str}).merge(truth_trade.astype({"business_id": str}),
                                                     on=["business_id", "month"], how="outer", validate="one_to_one")
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
    lab = labels(lang)
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


