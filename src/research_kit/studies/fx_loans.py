"""Flagship study: domestic foreign-currency loans to individual businesses
(task 2 of the Jinhua pilot plan, 个体工商户国内外汇贷款).

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
from research_kit.report.labels import Labels, Lang, lower_first

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


# --------------------------------------------------------------------------- estimation
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

from research_kit.results import Result  # noqa: E402


def event_frame(result: Result) -> pd.DataFrame:
    """Event-time rows (terms ``e=k``) of an event-study Result as a DataFrame."""
    tab = result.tidy()
    tab = tab.loc[tab["term"].str.startswith("e=")].copy()
    tab["event_time"] = tab["term"].str.slice(2).astype(float).astype(int)
    return tab[["event_time", "estimate", "std_error", "conf_low", "conf_high"]].reset_index(drop=True)


@dataclass(frozen=True)
class FxEstimates:
    """Everything the FX-loans paper reports, computed once."""

    county: str
    outcome: str
    estimator: str
    control_group: str
    leads: int
    lags: int
    twfe: Result
    cs: Result
    cs_dynamic: Result
    es_twfe: Result
    truth_att: float
    truth_event: pd.DataFrame
    n_businesses: int
    synthetic: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headline(self) -> Result:
        return self.cs if self.estimator == "callaway_santanna" else self.twfe


def estimate(panel: pd.DataFrame, *, outcome: str = "fx_loan_balance", estimator: str = "callaway_santanna",
             control_group: str = "not_yet", leads: int = 12, lags: int = 24, cluster: str = "business_id",
             alpha: float = 0.05, seed: int = 0, county: str | None = None) -> FxEstimates:
    """TWFE, the TWFE event study and Callaway–Sant'Anna (simple and dynamic) for one outcome."""
    from research_kit import did

    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}; got {outcome!r}.")
    if estimator not in ("callaway_santanna", "twfe"):
        raise ValueError(f"estimator must be 'callaway_santanna' or 'twfe'; got {estimator!r}.")
    if cluster not in ("business_id", "county"):
        raise ValueError(f"cluster must be 'business_id' or 'county'; got {cluster!r}.")
    if panel.empty:
        raise ValueError("the analysis panel is empty: check the county parameter and the processed data.")
    tw = did.twfe(panel, outcome=outcome, unit="business_id", time="t", treat="treated", cluster=cluster)
    es = did.event_study(panel, outcome=outcome, unit="business_id", time="t", cohort="cohort", method="twfe",
                         leads=leads, lags=lags, cluster=cluster, control_group=control_group)
    cs = did.callaway_santanna(panel, outcome=outcome, unit="business_id", time="t", cohort="cohort",
                               control_group=control_group, method="reg", cluster=cluster, alpha=alpha, seed=seed,
                               unbalanced="pairwise")
    simple = cs.aggregate("simple")
    dynamic = cs.aggregate("dynamic", min_e=-leads, max_e=lags)
    county_txt = "all" if county is None else county
    counties = panel["county"].unique()
    if county is None:
        county_txt = "all" if len(counties) > 1 else str(counties[0])
    return FxEstimates(
        county=county_txt, outcome=outcome, estimator=estimator, control_group=control_group, leads=leads,
        lags=lags, twfe=tw, cs=simple, cs_dynamic=dynamic, es_twfe=es,
        truth_att=truth_overall(panel, outcome),
        truth_event=truth_by_event_time(panel, outcome, leads=leads, lags=lags),
        n_businesses=int(panel["business_id"].nunique()), synthetic=data_is_synthetic(),
    )


# --------------------------------------------------------------------------- text, tables, figures
def data_is_synthetic(root: str | os.PathLike[str] | None = None) -> bool:
    """True if any dataset this study reads is declared ``synthetic`` in the catalog."""
    cat = data.load_catalog(root)
    return any(cat[name].synthetic for name in ("businesses", "fx_loans", "rollout"))


def data_notice(lang: Lang = "zh", root: str | os.PathLike[str] | None = None) -> str:
    lab = Labels(lang)
    if data_is_synthetic(root):
        return lab.pick(
            zh="> **数据说明：本文使用的是模拟（合成）演示数据**，由 `research_kit.simulate` 按公开的试点方案生成，"
               "不代表任何真实经营主体、银行或地区。文中的“真实效应”是模拟设定的已知效应，用于检验估计方法。",
            en="> **Data notice: this paper uses synthetic demo data** generated by `research_kit.simulate` from the "
               "published pilot plan; it describes no real business, bank or county. The \"true effects\" are the "
               "known effects built into the simulation, used to check the estimators.",
        )
    return lab.pick(zh="> 数据来源：见附录所列数据文件。", en="> Data: see the data files listed in the appendix.")


def _fmt(x: float, d: int = 2) -> str:
    from research_kit.report.tables import format_number

    return format_number(float(x), digits=d)


def data_paragraph(panel: pd.DataFrame, *, lang: Lang = "zh") -> str:
    lab = Labels(lang)
    n_b = panel["business_id"].nunique()
    n_o = len(panel)
    first, last = panel["month"].min().strftime("%Y-%m"), panel["month"].max().strftime("%Y-%m")
    cohorts = sorted(c for c in panel["cohort"].unique() if c > 0)
    waves = ", ".join(period_month(c).strftime("%Y-%m") for c in cohorts)
    never = panel.loc[panel["cohort"] == 0, "business_id"].nunique()
    expected = n_b * (panel["t"].max() - panel["t"].min() + 1)
    return lab.pick(
        zh=f"分析样本包括 {n_b:,} 家个体工商户在 {first} 至 {last} 的 {n_o:,} 个主体-月观测"
           f"（面板不平衡：观测数为完全平衡面板的 {n_o / expected:.0%}）。业务开办批次为 {waves}；"
           f"{never:,} 家个体工商户的开户银行截至 {last} 未在其所在县开办该业务。",
        en=f"The sample has {n_o:,} business-months of {n_b:,} individual businesses from {first} to {last} "
           f"(unbalanced: {n_o / expected:.0%} of a balanced panel). The programme started in waves in {waves}; "
           f"the banks of {never:,} businesses had not started it in their county by {last}.",
    )


CAPTIONS = {
    "descriptives": {"zh": "表 1  分县描述统计（不足 5 家主体的单元格不予显示）",
                     "en": "Table 1  Descriptive statistics by county (cells with fewer than 5 businesses suppressed)"},
    "rollout": {"zh": "图 1  外汇贷款业务开办时间（县 × 银行；“—”为截至 2025 年末未开办）",
                "en": "Figure 1  Programme start by county and bank (\"—\": not started by end-2025)"},
    "trends": {"zh": "图 2  各开办批次的{outcome}月度均值（虚线为开办月份）",
               "en": "Figure 2  Monthly mean of {outcome} by adoption cohort (dotted lines: start months)"},
    "results": {"zh": "表 2  平均处理效应估计", "en": "Table 2  Average treatment effect estimates"},
    "event_study": {"zh": "图 3  事件研究：开办前后各月的效应（{outcome}）",
                    "en": "Figure 3  Event study: effects by months since the programme start ({outcome})"},
    "truth": {"zh": "表 3  估计值与模拟真实效应的比较", "en": "Table 3  Estimates against the simulated true effect"},
}


def caption(key: str, lang: Lang = "zh", **kw: str) -> str:
    lab = Labels(lang)
    fill = {k: lab.get(v) for k, v in kw.items()}
    return CAPTIONS[key][lang].format(**fill)


def _bank_labels(lang: Lang) -> dict[str, str]:
    names = {"boc": ("中国银行", "Bank of China"), "icbc": ("工商银行", "ICBC"), "ccb": ("建设银行", "CCB"),
             "abc": ("农业银行", "ABC"), "jhb": ("金华银行", "Bank of Jinhua"), "rcb": ("农商银行", "Rural commercial bank")}
    return {k: v[0] if lang == "zh" else v[1] for k, v in names.items()}


def rollout_figure(*, lang: Lang = "zh", root: str | os.PathLike[str] | None = None):
    from research_kit.report.figures import rollout_plot

    roll = rollout_frame(root=root)
    counties = {c: county_label(c, lang) for c in roll["county"].unique()}
    return rollout_plot(roll, row="county", col="bank", start="start_month", lang=lang,
                        row_labels=counties, col_labels=_bank_labels(lang))


def trends_figure(panel: pd.DataFrame, outcome: str, *, lang: Lang = "zh"):
    from research_kit.report.figures import trends_plot

    lab = Labels(lang)
    tr = cohort_trends(panel, outcome)
    names = {c: (lab("never_treated") if c == 0 else period_month(c).strftime("%Y-%m")) for c in tr["cohort"].unique()}
    markers = {c: period_month(c) for c in tr["cohort"].unique() if c > 0}
    return trends_plot(tr, time="month", group="cohort", value="value", lang=lang, ylabel=lab(outcome),
                       group_labels=names, markers=markers)


def _design_label(est: FxEstimates, lang: Lang) -> str:
    lab = Labels(lang)
    return lab.pick(zh=f"Callaway–Sant'Anna（对照组：{lab(est.control_group)}）",
                    en=f"Callaway–Sant'Anna (controls: {lab(est.control_group)})")


def results_table(est: FxEstimates, *, lang: Lang = "zh"):
    from research_kit.report.tables import regression_table

    lab = Labels(lang)
    tw = est.twfe
    term = tw.term or "treated"
    cs = est.cs
    return regression_table(
        [tw, cs], lang=lang, stat="ci",
        labels={term: lab("ATT"), "ATT": lab("ATT"), "business_id": lab("business_id"), "county": lab("county"),
                "t": lab("month")},
        model_names=[lab("twfe"), _design_label(est, lang)], caption=caption("results", lang),
    )


def results_paragraph(est: FxEstimates, *, lang: Lang = "zh") -> str:
    from research_kit.report.text import sentence

    lab = Labels(lang)
    unit = lab.pick(zh=" 万美元", en=" (USD 10k)") if est.outcome != "loan_access" else ""
    if est.outcome == "financing_cost":
        unit = lab.pick(zh=" 个百分点", en=" percentage points")
    s_cs = sentence(est.cs, lang=lang, design=_design_label(est, lang), unit=unit)
    s_tw = sentence(est.twfe, lang=lang, design=lab("twfe"), unit=unit)
    pretrend = est.es_twfe.info.get("pretrend") or {}
    pre = pretrend.get("p_value")
    pre_txt = ""
    if pre is not None:
        pre_txt = lab.pick(zh=f"TWFE 事件研究中开办前各期系数联合为零的 Wald 检验 p 值为 {float(pre):.3f}。",
                           en=f"The joint Wald test that the TWFE event-study pre-period coefficients are zero has p = {float(pre):.3f}.")
    return f"{s_cs} {s_tw} {pre_txt}".strip()


def event_study_figure(est: FxEstimates, *, lang: Lang = "zh"):
    from research_kit.report.figures import event_study_plot

    lab = Labels(lang)
    series = {lab("callaway_santanna"): event_frame(est.cs_dynamic), lab("twfe"): event_frame(est.es_twfe)}
    truth = est.truth_event if est.synthetic else None
    if truth is not None:
        lo = truth["event_time"].min()
        pre = pd.DataFrame({"event_time": np.arange(-est.leads, 0), "estimate": 0.0})
        truth = pd.concat([pre.loc[pre["event_time"] < lo], truth], ignore_index=True)
    return event_study_plot(series, lang=lang, ylabel=lab(est.outcome), truth=truth)


def truth_paragraph(est: FxEstimates, *, lang: Lang = "zh") -> str:
    lab = Labels(lang)
    if not est.synthetic:
        return ""
    b_cs, b_tw = est.cs.estimate - est.truth_att, est.twfe.estimate - est.truth_att
    covered = est.cs.conf_low <= est.truth_att <= est.cs.conf_high
    return lab.pick(
        zh=f"模拟数据中已开办主体-月的平均真实效应为 {_fmt(est.truth_att)}。Callaway–Sant'Anna 估计与之相差 {_fmt(b_cs)}，"
           f"真实效应{'落在' if covered else '不在'}其 95% 置信区间内；TWFE 相差 {_fmt(b_tw)}。",
        en=f"In the simulated data the mean true effect over treated business-months is {_fmt(est.truth_att)}. "
           f"The Callaway–Sant'Anna estimate differs from it by {_fmt(b_cs)} and its 95% interval "
           f"{'covers' if covered else 'does not cover'} the truth; TWFE differs by {_fmt(b_tw)}.",
    )


def truth_table(est: FxEstimates, *, lang: Lang = "zh"):
    from research_kit.report.tables import table

    lab = Labels(lang)
    rows = []
    for name, r in ((lab("twfe"), est.twfe), (_design_label(est, lang), est.cs)):
        rows.append({lab("term"): name, lab("estimate"): r.estimate, lab("truth"): est.truth_att,
                     lab.pick(zh="偏差", en="Bias"): r.estimate - est.truth_att,
                     lab("conf_int"): f"[{_fmt(r.conf_low)}, {_fmt(r.conf_high)}]"})
    return table(pd.DataFrame(rows), digits=3, caption=caption("truth", lang))


def front_matter(est: FxEstimates, *, lang: Lang = "zh") -> dict[str, Any]:
    lab = Labels(lang)
    where = county_label(est.county, lang)
    h = est.headline
    title = lab.pick(zh=f"个体工商户国内外汇贷款试点的效果评估：{where}",
                     en=f"Domestic FX loans to individual businesses: programme effects in {where}")
    abstract = lab.pick(
        zh=f"本文评估金华市开放经济金融服务改革试点第 2 项任务（推广个体工商户国内外汇贷款）。利用 {est.n_businesses:,} 家个体工商户的月度面板"
           f"和银行 × 县的交错开办时间，{_design_label(est, lang)} 估计显示，业务开办使{lab(est.outcome)}平均变化 {_fmt(h.estimate)}"
           f"（95% 置信区间 {_fmt(h.conf_low)} 至 {_fmt(h.conf_high)}），TWFE 估计为 {_fmt(est.twfe.estimate)}。"
           + ("本文数据为模拟演示数据。" if est.synthetic else ""),
        en=f"We evaluate task 2 of the Jinhua open-economy financial services reform pilot (domestic FX loans to individual "
           f"businesses). Using a monthly panel of {est.n_businesses:,} individual businesses and the staggered start of the "
           f"programme by bank and county, the {_design_label(est, lang)} estimate of the effect on "
           f"{lower_first(lab(est.outcome))} is {_fmt(h.estimate)} (95% CI {_fmt(h.conf_low)} to {_fmt(h.conf_high)}); "
           f"TWFE gives {_fmt(est.twfe.estimate)}." + (" The data are synthetic demo data." if est.synthetic else ""),
    )
    return {"title": title, "abstract": abstract, "lang": lang,
            "task": lab.pick(zh="任务 2：推广个体工商户国内外汇贷款融资", en="Task 2: FX loans to individual businesses"),
            "county": where, "synthetic": est.synthetic}
