"""Text, tables and figures of the FX-loans paper, in Chinese and English.

Every number comes from :class:`FxEstimates` or the panel; nothing is typed in.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from research_kit.report.claims import (
    PretrendVerdict,
    bacon_gap,
    bacon_gap_sentence,
    balance_sentence,
    breakdown_sentence,
    cluster_inference_sentence,
    coverage_sentence,
    estimand_reason,
    join_names,
    p_text,
    parallel_trends_caveat,
    pretrend_sentence,
    pretrend_verdict,
    significance,
    significance_class,
)
from research_kit.report.labels import Lang, lower_first
from research_kit.report.tables import Table, table
from research_kit.results import Result
from research_kit.studies._common import (
    files_in_appendix_notice,
    fmt,
    paper_front_matter,
    synthetic_sentence,
    truth_sentence,
)
from research_kit.studies.fx_loans._data import LABELS, cohort_trends, county_label, labels, period_month, rollout_frame
from research_kit.studies.fx_loans._estimate import (
    BREAKDOWN_MAX,
    MIN_SECTOR_BUSINESSES,
    FxEstimates,
    data_is_synthetic,
    event_frame,
)

__all__ = [
    "CAPTIONS", "bacon_figure", "bacon_gap_share", "bacon_paragraph", "bacon_table", "balance_paragraph", "caption",
    "caveats", "cluster_name", "conclusion_paragraphs", "data_notice", "data_paragraph", "event_study_figure",
    "front_matter", "honest_figure", "honest_paragraph", "honest_table", "identification_paragraphs",
    "inference_paragraph", "method_inference_paragraph", "pretrend_paragraph", "pretrend_table", "pretrend_verdict_of", "results_paragraph",
    "results_table", "rollout_figure", "sector_paragraph", "sector_table", "trends_figure", "truth_paragraph", "truth_table", "wild_paragraph",
    "balance_table", "baseline_frame", "fx_by_county_sector",
]


def data_notice(lang: Lang = "zh", root: str | os.PathLike[str] | None = None) -> str:
    lab = labels(lang)
    if data_is_synthetic(root):
        return lab.pick(
            zh="> **数据说明：本文使用的是模拟（合成）演示数据**，按公开的试点方案生成，不代表任何真实经营主体、银行或地区。",
            en="> **Data notice: this paper uses synthetic demo data** generated from the published pilot plan; it "
               "describes no real business, bank or county. ",
        ) + truth_sentence(lab, plural=True)
    return files_in_appendix_notice(lab)


def _bracket(lo: float, hi: float, d: int = 3) -> str:
    """``[lo, hi]``, or an en dash when the interval could not be computed."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "–"
    return f"[{fmt(lo, d)}, {fmt(hi, d)}]"


def _ci_words(lo: float, hi: float, lang: Lang, d: int = 3, p: float | None = None) -> str:
    """"95% 置信区间 a 至 b，p = …" / "95% CI a to b, p = …", or that no interval could be computed."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "置信区间无法计算" if lang == "zh" else "no confidence interval could be computed"
    tail = "" if p is None else ("，" if lang == "zh" else ", ") + p_text(p)
    if lang == "zh":
        return f"95% 置信区间 {fmt(lo, d)} 至 {fmt(hi, d)}{tail}"
    return f"95% CI {fmt(lo, d)} to {fmt(hi, d)}{tail}"


def _target_sentence(panel: pd.DataFrame, lang: Lang) -> str:
    """The plan's FX-loan indicator at the panel's last month.

    Cumulative issuance since 2022-01 (one definition in data/targets/) at the panel's last month, from the same function as the departments' filings (all of Jinhua only).
    """
    from research_kit.data import load
    from research_kit.data.indicators import FX_INDICATOR, fx_loan_issuance_total, load_definitions

    if panel["county"].nunique() < 9:
        return ""
    try:
        d = load_definitions().targets.loc[FX_INDICATOR]
        loans, firms = load("fx_loans"), load("businesses")
    except (FileNotFoundError, KeyError):
        return ""
    month = panel["month"].max().strftime("%Y-%m")
    issued = fx_loan_issuance_total(loans, firms, start=str(d["window_start"]), end=month)  # 亿美元
    goal = float(d["target"])
    last = panel.loc[panel["month"] == panel["month"].max()]
    balance = float((last["fx_loan_balance"] * last["weight"]).sum()) / 1e4  # 亿美元, expanded by weight
    lab = labels(lang)
    return lab.pick(
        zh=f"方案目标“向个体工商户发放外汇贷款 3 亿美元”的指标口径为：{d['definition_zh']}；月度余额数据只能给出发放额的下限"
           f"（各户余额的月度增加额之和）。按抽样权数推算，{d['window_start']} 至 {month} 累计发放 {issued:.2f} 亿美元，"
           f"为目标的 {issued / goal:.0%}；{month} 末余额为 {balance:.2f} 亿美元。",
        en=f" The plan's target of USD 300 million of FX loans issued to individual businesses is measured as: "
           f"{d['definition_en']}; monthly balances give a lower bound on issuance (the sum of each business's balance "
           f"increases). Expanded by the sampling weights, issuance from {d['window_start']} to {month} is USD "
           f"{issued * 100:.0f} million, {issued / goal:.0%} of the target; the balance at the end of {month} is "
           f"USD {balance * 100:.0f} million.",
    )


def data_paragraph(panel: pd.DataFrame, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    n_b = panel["business_id"].nunique()
    n_o = len(panel)
    first, last = panel["month"].min().strftime("%Y-%m"), panel["month"].max().strftime("%Y-%m")
    cohorts = sorted(c for c in panel["cohort"].unique() if c > 0)
    waves = ("、" if lang == "zh" else ", ").join(period_month(c).strftime("%Y-%m") for c in cohorts)
    never = panel.loc[panel["cohort"] == 0, "business_id"].nunique()
    expected = n_b * (panel["t"].max() - panel["t"].min() + 1)
    return lab.pick(
        zh=f"分析样本包括 {n_b:,} 家个体工商户在 {first} 至 {last} 的 {n_o:,} 个主体-月观测"
           f"（面板不平衡：观测数为完全平衡面板的 {n_o / expected:.0%}）。业务开办批次为 {waves}；"
           + (f"{never:,} 家个体工商户的开户银行截至 {last} 未在其所在县开办该业务。" if never else f"截至 {last}，所有个体工商户的开户银行都已开办该业务。"),
        en=f"The sample has {n_o:,} business-months of {n_b:,} individual businesses from {first} to {last} "
           f"(unbalanced: {n_o / expected:.0%} of a balanced panel). The programme started in waves in {waves}; "
           + (f"the banks of {never:,} businesses had not started it in their county by {last}." if never else
              f"by {last} the banks of all businesses had started it."),
    ) + _target_sentence(panel, lang)


#: Table captions are numbered in this order; figure captions are numbered by the renderer.
TABLES = ("descriptives", "balance", "safe", "results", "pretrends", "bacon", "honest", "truth", "sectors")
CAPTIONS = {
    "descriptives": {"zh": "分县描述统计（不足 5 家主体的单元格不予显示）",
                     "en": "Descriptive statistics by county (cells with fewer than 5 businesses suppressed)"},
    "balance": {"zh": "{year} 年（开办前）基线平衡：截至 2025 年末开办与未开办的个体工商户",
                "en": "Baseline balance in {year} (before the programme): businesses whose bank starts it by end-2025 vs the others"},
    "safe": {"zh": "{month} 外汇贷款余额合计（万美元），按县与行业（已做统计披露控制）",
             "en": "FX loan balances in {month} (USD 10k), by county and sector (with disclosure control)"},
    "rollout": {"zh": "外汇贷款业务开办时间（县 × 银行；灰色为截至 2025 年末未开办）",
                "en": "Programme start by county and bank (grey: not started by end-2025)"},
    "trends": {"zh": "各开办批次的{outcome}月度均值（虚线为开办月份）",
               "en": "Monthly mean of {outcome} by adoption cohort (dotted lines: start months)"},
    "results": {"zh": "三项结果的平均处理效应估计", "en": "Average treatment effects on the three outcomes"},
    "event_study": {"zh": "事件研究：开办前后各月的效应（{outcome}）",
                    "en": "Event study: effects by months since the programme start ({outcome})"},
    "pretrends": {"zh": "开办前系数（平行趋势）的联合检验（{outcome}）", "en": "Joint tests of the pre-programme coefficients ({outcome})"},
    "bacon": {"zh": "单元层面 TWFE 估计的 Goodman-Bacon 分解（县 × 银行单元，{outcome}）",
              "en": "Goodman-Bacon decomposition of the cell-level TWFE estimate (county × bank cells, {outcome})"},
    "bacon_figure": {"zh": "Goodman-Bacon 分解：各 2×2 比较的估计值与权重",
                     "en": "Goodman-Bacon decomposition: each 2×2 estimate against its weight"},
    "honest": {"zh": "平行趋势偏离的敏感性（相对幅度约束，开办后平均效应，{outcome}）",
               "en": "Sensitivity to violations of parallel trends (relative magnitudes, average post effect, {outcome})"},
    "honest_figure": {"zh": "相对幅度约束 M̄ 下的稳健置信区间", "en": "Robust confidence intervals under relative magnitudes M̄"},
    "sectors": {"zh": "按行业的 Callaway–Sant'Anna 估计（{outcome}）", "en": "Callaway–Sant'Anna estimates by sector ({outcome})"},
    "truth": {"zh": "估计值与模拟真实效应的比较（{outcome}）", "en": "Estimates against the simulated true effect ({outcome})"},
}


def caption(key: str, lang: Lang = "zh", **kw: str) -> str:
    """Caption text; tables get their number from :data:`TABLES`."""
    lab = labels(lang)
    fill = {k: lab.get(v) for k, v in kw.items()}  # label keys are translated; other values pass through
    if "{outcome}" in CAPTIONS[key][lang] and "outcome" not in fill:
        fill["outcome"] = ""
    text = CAPTIONS[key][lang].format(**fill).replace("（）", "").replace(" ()", "").replace("，）", "）").replace(", )", ")")
    if key in TABLES:
        n = TABLES.index(key) + 1
        text = (f"表 {n}  " if lang == "zh" else f"Table {n}  ") + text
    return text


def _bank_labels(lang: Lang) -> dict[str, str]:
    names = {"boc": ("中国银行", "Bank of China"), "icbc": ("工商银行", "ICBC"), "ccb": ("建设银行", "CCB"),
             "abc": ("农业银行", "ABC"), "jhb": ("金华银行", "Bank of Jinhua"), "rcb": ("农商银行", "Rural commercial bank")}
    return {k: v[0] if lang == "zh" else v[1] for k, v in names.items()}


def rollout_figure(*, lang: Lang = "zh", root: str | os.PathLike[str] | None = None) -> Any:
    from research_kit.report.figures import rollout_plot

    roll = rollout_frame(root=root)
    counties = {c: county_label(c, lang) for c in roll["county"].unique()}
    return rollout_plot(roll, row="county", col="bank", start="start_month", lang=lang,
                        row_labels=counties, col_labels=_bank_labels(lang))


def trends_figure(panel: pd.DataFrame, outcome: str, *, lang: Lang = "zh") -> Any:
    from research_kit.report.figures import trends_plot

    lab = labels(lang)
    tr = cohort_trends(panel, outcome)
    names = {c: (lab("never_treated") if c == 0 else period_month(c).strftime("%Y-%m")) for c in tr["cohort"].unique()}
    markers = {c: period_month(c) for c in tr["cohort"].unique() if c > 0}
    return trends_plot(tr, time="month", group="cohort", value="value", lang=lang, ylabel=lab(outcome),
                       group_labels=names, markers=markers)


def _unit(est: FxEstimates, lang: Lang) -> str:
    lab = labels(lang)
    if est.outcome == "financing_cost":
        return lab.pick(zh=" 个百分点", en=" percentage points")
    if est.outcome == "loan_access":
        return ""
    return lab.pick(zh=" 万美元", en=" (USD 10k)")


def _cs_label(est: FxEstimates, lang: Lang) -> str:
    lab = labels(lang)
    return lab.pick(zh=f"Callaway–Sant'Anna（对照组：{lab(est.control_group)}）",
                    en=f"Callaway–Sant'Anna (controls: {lab(est.control_group)})")


def _estimators(est: FxEstimates, lang: Lang) -> list[tuple[str, Result]]:
    """(display name, overall estimate) of every estimator, TWFE first."""
    lab = labels(lang)
    return [(lab("twfe"), est.twfe), (_cs_label(est, lang), est.cs), (lab("sun_abraham"), est.sa_att),
            (lab("imputation"), est.imputation_att)]


_CLUSTER_NAMES = {"cell": ("县 × 银行单元", "county × bank cell"), "county": ("县", "county"),
                  "business_id": ("经营主体", "business")}


def cluster_name(level: str, lang: Lang = "zh") -> str:
    """Reader-facing name of a clustering level."""
    zh, en = _CLUSTER_NAMES.get(level, (level, level))
    return zh if lang == "zh" else en


def _ci(r: Result, d: int = 3) -> str:
    return f"{fmt(r.estimate, d)} {_bracket(r.conf_low, r.conf_high, d)}"


def _outcome_name(outcome: str, lang: Lang) -> str:
    return labels(lang)(outcome)


def results_table(est: FxEstimates, *, lang: Lang = "zh") -> Table:
    """Headline table: every outcome × TWFE and the three heterogeneity-robust estimators (estimate [95% CI])."""
    lab = labels(lang)
    head = [lab.pick(zh="结果变量", en="Outcome"), "TWFE", _cs_label(est, lang), lab("sun_abraham"), lab("imputation"),
            lab.pick(zh=f"Callaway–Sant'Anna：{cluster_name(_boot_level(est), lang)}级乘数自助法区间",
                     en=f"Callaway–Sant'Anna, {cluster_name(_boot_level(est), lang)}-level multiplier bootstrap CI")]
    rows = []
    for oc, o in est.outcomes.items():
        boot = "" if o.cs_boot is None else _bracket(o.cs_boot.conf_low, o.cs_boot.conf_high)
        rows.append([_outcome_name(oc, lang), _ci(o.twfe), _ci(o.cs), _ci(o.sa_att), _ci(o.imputation_att), boot])
    body = pd.DataFrame(rows, columns=head)
    g = _n_clusters(est)
    notes = [lab.pick(
        zh=f"估计值及 95% 置信区间。前四列的标准误按{cluster_name(est.cluster, lang)}聚类（{g} 个聚类）："
           f"业务正是按县 × 银行开办的。最后一列：与 Callaway 和 Sant'Anna 的原始软件相同的乘数自助法，"
           f"每个{cluster_name(_boot_level(est), lang)}抽取一个取值 ±1 的随机权数（{_n_boot_clusters(est)} 个聚类，"
           f"{_boot_reps(est):,} 次抽样），区间为估计值 ± 1.96 × 自助法标准误。",
        en=f"Estimates with 95% intervals. Standard errors in the first four columns are clustered by "
           f"{cluster_name(est.cluster, lang)} ({g} clusters), the level at which the programme starts. Last column: the "
           f"multiplier bootstrap of Callaway and Sant'Anna's own software, one random ±1 weight per "
           f"{cluster_name(_boot_level(est), lang)} ({_n_boot_clusters(est)} clusters, {_boot_reps(est):,} draws); "
           f"interval = estimate ± 1.96 × bootstrap standard error.")]
    if est.wild is not None:
        notes.append(lab.pick(
            zh=f"主要结果变量（{_outcome_name(est.outcome, lang)}）的 TWFE 以 9 个县为聚类的野聚类自助法（施加原假设、Webb 权重、"
               f"{int(est.wild.bootstrap_reps or 0):,} 次抽样）：{p_text(est.wild.p_value)}，95% 置信区间 "
               f"[{fmt(est.wild.conf_low, 3)}, {fmt(est.wild.conf_high, 3)}]。",
            en=f"Wild cluster bootstrap of TWFE for the main outcome ({lower_first(_outcome_name(est.outcome, lang))}), "
               f"9 counties as clusters (null imposed, Webb weights, {int(est.wild.bootstrap_reps or 0):,} draws): "
               f"{p_text(est.wild.p_value)}, 95% CI [{fmt(est.wild.conf_low, 3)}, {fmt(est.wild.conf_high, 3)}]."))
    return Table(body=body, caption=caption("results", lang), notes=tuple(notes))


def _boot_level(est: FxEstimates) -> str:
    o = est.outcomes.get(est.outcome)
    return (o.boot_level if o is not None else None) or "county"


def _boot_reps(est: FxEstimates) -> int:
    o = est.outcomes.get(est.outcome)
    return int((o.cs_boot.bootstrap_reps if o is not None and o.cs_boot is not None else 0) or 0)


def _n_boot_clusters(est: FxEstimates) -> int:
    o = est.outcomes.get(est.outcome)
    return int((o.cs_boot.n_clusters if o is not None and o.cs_boot is not None else 0) or 0)


def _n_clusters(est: FxEstimates) -> int:
    return int(est.cs.n_clusters or 0)


def _effect_clause(oc: str, r: Result, lang: Lang) -> str:
    """'raises the FX-loan balance by 0.75 (USD 10k)' or the zero/unknown branch, chosen by the interval."""
    lab = labels(lang)
    kind = significance_class(r.conf_low, r.conf_high)
    size = abs(r.estimate)
    if oc == "loan_access":
        amount = lab.pick(zh=f"{100 * size:.1f} 个百分点", en=f"{100 * size:.1f} percentage points")
    elif oc == "financing_cost":
        amount = lab.pick(zh=f"{fmt(size)} 个百分点", en=f"{fmt(size)} percentage points")
    else:
        amount = lab.pick(zh=f"{fmt(size)} 万美元", en=f"USD {fmt(size * 1e4, 0)}")
    what = {"fx_loan_balance": ("外汇贷款余额", "the FX-loan balance"), "financing_cost": ("融资成本", "the financing cost"),
            "loan_access": ("获得贷款的概率", "the probability of having a loan")}[oc]
    if kind == "positive":
        return lab.pick(zh=f"使{what[0]}平均提高 {amount}", en=f"raises {what[1]} by {amount} on average")
    if kind == "negative":
        return lab.pick(zh=f"使{what[0]}平均降低 {amount}", en=f"lowers {what[1]} by {amount} on average")
    if kind == "unknown":
        return lab.pick(zh=f"对{what[0]}的影响无法判断（没有可用的置信区间）",
                        en=f"has an effect on {what[1]} that cannot be assessed (no confidence interval)")
    return lab.pick(zh=f"对{what[0]}没有可辨别的影响", en=f"has no discernible effect on {what[1]}")


def results_paragraph(est: FxEstimates, *, lang: Lang = "zh") -> str:
    """One sentence per outcome (Callaway–Sant'Anna, its interval and what it supports), then TWFE against the others."""
    lab = labels(lang)
    parts = []
    for oc, o in est.outcomes.items():
        name = _outcome_name(oc, lang)
        sig = significance(o.cs.conf_low, o.cs.conf_high, level=float(o.cs.level), lang=lang)
        has_ci = significance_class(o.cs.conf_low, o.cs.conf_high) != "unknown"  # else ``sig`` says there is none
        ci = _ci_words(o.cs.conf_low, o.cs.conf_high, lang, p=o.cs.p_value)
        parts.append(lab.pick(
            zh=f"{name}：Callaway–Sant'Anna 估计为 {fmt(o.cs.estimate, 3)}"
               f"{f'（{ci}）' if has_ci else ''}，{sig}；TWFE 为 {fmt(o.twfe.estimate, 3)}。",
            en=f"{name}: the Callaway–Sant'Anna estimate is {fmt(o.cs.estimate, 3)}"
               f"{f' ({ci})' if has_ci else ''}, {sig}; TWFE gives {fmt(o.twfe.estimate, 3)}."))
    main = est.outcomes[est.outcome]
    robust = [r.estimate for r in main.robust.values()]
    lo, hi = min(robust), max(robust)
    gap = main.twfe.estimate - float(np.mean(robust))
    tail = lab.pick(
        zh=f"就{_outcome_name(est.outcome, lang)}而言，三种异质性稳健估计量给出 {fmt(lo, 3)} 至 {fmt(hi, 3)}，"
           f"TWFE 比它们的平均值{'低' if gap < 0 else '高'} {fmt(abs(gap), 3)}（第 5.4 节分析其来源）。",
        en=f"For {lower_first(_outcome_name(est.outcome, lang))}, the three heterogeneity-robust estimators range from "
           f"{fmt(lo, 3)} to {fmt(hi, 3)}; TWFE is {fmt(abs(gap), 3)} {'below' if gap < 0 else 'above'} their mean "
           f"(Section 5.4 traces where this comes from).")
    intro = lab.pick(zh=f"表 {TABLES.index('results') + 1} 报告三项结果的估计。", en=f"Table {TABLES.index('results') + 1} reports the estimates for the three outcomes.")
    sep = "" if lang == "zh" else " "
    return intro + sep + sep.join(parts) + sep + tail


def inference_paragraph(est: FxEstimates, *, lang: Lang = "zh") -> str:
    """Assignment-level inference: cell clusters, the multiplier bootstrap at the county level, the wild bootstrap."""
    lab = labels(lang)
    o = est.outcomes[est.outcome]
    g = _n_clusters(est)
    name = _outcome_name(est.outcome, lang)
    parts = [lab.pick(
        zh=f"业务按县 × 银行开办，同一单元内的个体工商户同时进入处理组，并受共同冲击影响，因此标准误按{cluster_name(est.cluster, lang)}聚类（{g} 个聚类）。",
        en=f"The programme starts by county × bank: all businesses of a cell are treated together and share shocks, so "
           f"standard errors are clustered by {cluster_name(est.cluster, lang)} ({g} clusters).")]
    boot, level = o.cs_boot, o.boot_level or "county"
    if est.n_counties < 2:
        parts.append(cluster_inference_sentence(1, cluster_name=cluster_name("county", lang), lang=lang))
    if boot is not None and "unknown" in (significance_class(boot.conf_low, boot.conf_high),
                                          significance_class(o.cs.conf_low, o.cs.conf_high)):
        parts.append(lab.pick(
            zh=f"{name}的 Callaway–Sant'Anna 解析区间或乘数自助法区间无法计算（该结果在样本中几乎没有变异），因此不比较两者。",
            en=f"The analytic or the multiplier-bootstrap Callaway–Sant'Anna interval for {lower_first(name)} cannot be "
               "computed (the outcome barely varies in this sample), so the two are not compared."))
        boot = None
    if boot is not None:
        gb = int(boot.n_clusters or 0)
        w_boot, w_main = boot.conf_high - boot.conf_low, o.cs.conf_high - o.cs.conf_low
        if level == est.cluster:
            parts.append(lab.pick(
                zh=f"在同一层级（{gb} 个聚类）上，乘数自助法给出{name}的 Callaway–Sant'Anna 区间 {fmt(boot.conf_low, 3)} 至 "
                   f"{fmt(boot.conf_high, 3)}，" + ("比解析区间更宽。" if w_boot > w_main else "比解析区间更窄。"),
                en=f"At the same level ({gb} clusters), the multiplier bootstrap gives a Callaway–Sant'Anna interval for "
                   f"{lower_first(name)} of {fmt(boot.conf_low, 3)} to {fmt(boot.conf_high, 3)}, "
                   + ("wider than the analytic one." if w_boot > w_main else "narrower than the analytic one.")))
        else:
            parts.append(lab.pick(
                zh=f"以{cluster_name(level, lang)}为聚类（{gb} 个）的乘数自助法给出{name}的 Callaway–Sant'Anna 区间 "
                   f"{fmt(boot.conf_low, 3)} 至 {fmt(boot.conf_high, 3)}，"
                   + (f"比按{cluster_name(est.cluster, lang)}聚类的区间更窄：同一县内已开办与尚未开办单元的冲击在估计中相互抵消；我们仍以较宽的区间为准。"
                      if w_boot < w_main else f"比按{cluster_name(est.cluster, lang)}聚类的区间更宽：县级共同冲击不可忽略，应以这一较宽的区间解读结果。"),
                en=f"The multiplier bootstrap with {cluster_name(level, lang)} clusters ({gb}) gives a Callaway–Sant'Anna "
                   f"interval for {lower_first(name)} of {fmt(boot.conf_low, 3)} to {fmt(boot.conf_high, 3)}, "
                   + (f"narrower than the one clustered by {cluster_name(est.cluster, lang)}: within a county, shocks to "
                      "treated and not-yet-treated cells offset each other in the estimate; we keep the wider interval as the headline."
                      if w_boot < w_main else f"wider than the one clustered by {cluster_name(est.cluster, lang)}: "
                      "county-level shocks matter, and the results should be read with this wider interval.")))
        same = significance_class(boot.conf_low, boot.conf_high) == significance_class(o.cs.conf_low, o.cs.conf_high)
        parts.append(lab.pick(
            zh="两种区间对效应是否显著的结论一致。" if same else
               f"两种区间的结论不一致：按{cluster_name(level, lang)}聚类时，该估计{significance(boot.conf_low, boot.conf_high, lang=lang)}。",
            en="Both intervals support the same conclusion about significance." if same else
               f"The two intervals disagree: with {cluster_name(level, lang)} clusters the estimate is "
               f"{significance(boot.conf_low, boot.conf_high, lang=lang)}."))
        if gb < 42:
            parts.append(lab.pick(
                zh=f"只有 {gb} 个聚类时，这一自助法区间依赖正态近似，可能仍然偏窄。",
                en=f"With only {gb} clusters this bootstrap interval still relies on a normal approximation and may be too narrow."))
    if est.wild is not None:
        w = est.wild
        parts.append(lab.pick(
            zh=f"对 TWFE，施加原假设的野聚类自助法（9 个县、Webb 权重、{int(w.bootstrap_reps or 0):,} 次抽样）在少量聚类下更可靠："
               f"{p_text(w.p_value)}，95% 置信区间 {fmt(w.conf_low, 3)} 至 {fmt(w.conf_high, 3)}，即 TWFE 估计{significance(w.conf_low, w.conf_high, lang=lang)}。",
            en=f"For TWFE, the wild cluster bootstrap with the null imposed (9 counties, Webb weights, "
               f"{int(w.bootstrap_reps or 0):,} draws), which is reliable with few clusters, gives {p_text(w.p_value)} and a 95% "
               f"interval of {fmt(w.conf_low, 3)} to {fmt(w.conf_high, 3)}: the TWFE estimate is "
               f"{significance(w.conf_low, w.conf_high, lang=lang)}."))
    return ("" if lang == "zh" else " ").join(parts)


def wild_paragraph(est: FxEstimates, *, lang: Lang = "zh") -> str:
    """Kept for the notebook API: the assignment-level inference paragraph."""
    return inference_paragraph(est, lang=lang)


def event_study_figure(est: FxEstimates, *, lang: Lang = "zh") -> Any:
    from research_kit.report.figures import event_study_plot

    lab = labels(lang)
    series = {lab("callaway_santanna"): event_frame(est.cs_dynamic), "Sun–Abraham": event_frame(est.sa),
              lab.pick(zh="插补估计", en="Imputation"): event_frame(est.imputation), "TWFE": event_frame(est.es_twfe)}
    truth = est.truth_event if est.synthetic else None
    if truth is not None:
        lo = truth["event_time"].min()
        pre = pd.DataFrame({"event_time": np.arange(-est.leads, 0), "estimate": 0.0})
        truth = pd.concat([pre.loc[pre["event_time"] < lo], truth], ignore_index=True)
    return event_study_plot(series, lang=lang, ylabel=lab(est.outcome), truth=truth)


def method_inference_paragraph(est: FxEstimates, *, lang: Lang = "zh") -> str:
    """The method section's paragraph on inference, by the number of counties in the sample."""
    lab = labels(lang)
    g = _n_clusters(est)
    name = cluster_name(est.cluster, lang)
    if est.n_counties > 1:
        return lab.pick(
            zh=f"业务按县 × 银行开办，因此标准误按{name}聚类（{g} 个聚类）[@bertrand2004]。县只有 {est.n_counties} 个，以县为聚类时，"
               f"对 Callaway–Sant'Anna 估计使用其原始软件的乘数自助法（每个县抽取一个取值 ±1 的随机权数），"
               f"对 TWFE 使用施加原假设的野聚类自助法[@cameron2008; @roodman2019]。",
            en=f"The programme starts by county × bank, so standard errors are clustered by {name} ({g} clusters) "
               f"[@bertrand2004]. With only {est.n_counties} counties, county-clustered inference uses, for "
               f"Callaway–Sant'Anna, the multiplier bootstrap of its authors' software (one random ±1 weight per county) "
               f"and, for TWFE, the wild cluster bootstrap with the null imposed [@cameron2008; @roodman2019].")
    return lab.pick(
        zh=f"业务按县 × 银行开办，因此标准误按{name}聚类（{g} 个聚类）[@bertrand2004]。样本只有一个县，无法以县为聚类；"
           f"对 Callaway–Sant'Anna 估计另用其原始软件的乘数自助法，在同一层级上每个聚类抽取一个取值 ±1 的随机权数。",
        en=f"The programme starts by county × bank, so standard errors are clustered by {name} ({g} clusters) "
           f"[@bertrand2004]. The sample has a single county, so no county-clustered inference is possible; for "
           f"Callaway–Sant'Anna we also report the multiplier bootstrap of its authors' software, with one random ±1 "
           f"weight per cluster at the same level.")


def _pretrend_rows(est: FxEstimates, lang: Lang) -> list[tuple[str, dict[str, Any] | None, int]]:
    """(name, test, number of clusters behind its covariance) for every joint pre-trend test."""
    lab = labels(lang)
    rows = [("TWFE", est.es_twfe), ("Sun–Abraham", est.sa), (lab.pick(zh="插补估计（BJS）", en="Imputation (BJS)"), est.imputation)]
    out: list[tuple[str, dict[str, Any] | None, int]] = [
        (name, r.pretrend_test, int(r.n_clusters or 0)) for name, r in rows]
    out.append(("Callaway–Sant'Anna", est.cs_pretest, int(est.cs.n_clusters or 0)))
    means = est.pre_mean
    for key, name, r in (("twfe", "TWFE", est.es_twfe), ("sun_abraham", "Sun–Abraham", est.sa)):
        if means.get(key):
            out.append((lab.pick(zh=f"{name}：开办前系数均值", en=f"{name}: mean of pre-programme coefficients"),
                        means[key], int(r.n_clusters or 0)))
    return out


def pretrend_verdict_of(est: FxEstimates, *, lang: Lang = "zh") -> PretrendVerdict:
    rows = _pretrend_rows(est, lang)
    return pretrend_verdict([(n, t) for n, t, _ in rows], n_clusters={n: g for n, _, g in rows if g},
                            alpha=1 - float(est.cs.level))


def pretrend_table(est: FxEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    v = pretrend_verdict_of(est, lang=lang)
    bad = {n: r for n, r, _, _ in v.uninformative}
    reason = {"missing": lab.pick(zh="否（协方差奇异）", en="No (singular covariance)"),
              "rank": lab.pick(zh="否（约束数 ≥ 聚类数 − 1）", en="No (restrictions ≥ clusters − 1)"),
              "lower_tail": lab.pick(zh="否（统计量远低于原假设分布）", en="No (statistic far below its null distribution)")}
    stat, df_, info = lab.pick(zh="Wald 统计量", en="Wald statistic"), lab.pick(zh="自由度", en="df"), \
        lab.pick(zh="有信息量", en="Informative")
    blank = lambda name, key: name in bad and bad[name] == "rank"  # noqa: E731  # singular: no statistic to print
    frame = pd.DataFrame([{lab("term"): name,
                           stat: np.nan if blank(name, "s") else float((t or {}).get("statistic", np.nan)),
                           df_: int((t or {}).get("df", 0) or 0),
                           lab("p_value"): np.nan if blank(name, "p") else float((t or {}).get("p_value", np.nan)),
                           lab("n_clusters"): g, info: reason[bad[name]] if name in bad else lab("yes")}
                          for name, t, g in _pretrend_rows(est, lang)])
    note = lab.pick(zh="原假设：开办前各期效应均为零。Callaway–Sant'Anna 检验所有开办前的 ATT(g,t)。“开办前系数均值”一行只检验开办前系数的平均值（1 个约束），"
                       "在聚类数少于系数个数、联合检验的协方差矩阵奇异时仍可计算。",
                    en="Null: all pre-programme effects are zero. The Callaway–Sant'Anna test covers every pre-programme ATT(g,t). "
                       "The rows on the mean of the pre-programme coefficients test only their average (one restriction), which "
                       "can be computed when there are fewer clusters than coefficients and the joint covariance is singular.")
    return table(frame, digits={stat: 2, lab("p_value"): 3}, caption=caption("pretrends", lang, outcome=est.outcome), notes=(note,))


def pretrend_paragraph(est: FxEstimates, *, lang: Lang = "zh") -> str:
    n = TABLES.index("pretrends") + 1
    v = pretrend_verdict_of(est, lang=lang)
    text = pretrend_sentence(v, lang=lang, ref=f"（表 {n}）" if lang == "zh" else f" (Table {n})")
    if v.status == "reject" and est.cluster != "county" and est.n_counties > 1:
        text += labels(lang).pick(
            zh=f"需要注意，这些检验按{cluster_name(est.cluster, lang)}聚类，没有考虑同一县内各单元共同受到的冲击（如全县的出口波动）；"
               f"最先开办的批次只来自少数县，其开办前系数会带上这些县的共同冲击，检验因此可能过度拒绝。",
            en=f" Note that these tests cluster by {cluster_name(est.cluster, lang)} and ignore shocks common to the cells of "
               f"a county (such as county-wide swings in exports); the earliest cohorts come from a few counties, so their "
               f"pre-programme coefficients carry those counties' shocks and the tests may over-reject.")
    return text


def _bacon_labels(lang: Lang) -> dict[str, str]:
    zh = {"Earlier vs Later Treated": "较早开办对较晚开办（尚未开办作对照）",
          "Later vs Earlier Treated": "较晚开办对较早开办（已开办作对照，不当比较）",
          "Treated vs Untreated": "开办对从未开办", "Later vs Always Treated": "较晚开办对始终开办（不当比较）"}
    en = {"Earlier vs Later Treated": "Earlier vs later treated (not-yet-treated controls)",
          "Later vs Earlier Treated": "Later vs earlier treated (already-treated controls, forbidden)",
          "Treated vs Untreated": "Treated vs never treated", "Later vs Always Treated": "Later vs always treated (forbidden)"}
    return zh if lang == "zh" else en


def bacon_table(est: FxEstimates, *, lang: Lang = "zh") -> Table | None:
    from research_kit.did import bacon_summary

    if est.bacon is None:
        return None
    lab = labels(lang)
    summ = bacon_summary(est.bacon)
    frame = pd.DataFrame({
        lab.pick(zh="比较类型", en="Comparison"): summ["type"].map(_bacon_labels(lang)),
        lab.pick(zh="权重", en="Weight"): summ["weight"].to_numpy(),
        lab.pick(zh="加权平均估计", en="Weighted mean estimate"): summ["avg_est"].to_numpy(),
    })
    note = lab.pick(zh=f"单元层面 TWFE 估计 = 各比较估计的加权和 = {fmt(est.bacon.twfe, 3)}。",
                    en=f"Cell-level TWFE estimate = weighted sum of the comparisons = {fmt(est.bacon.twfe, 3)}.")
    return table(frame, digits=3, caption=caption("bacon", lang, outcome=est.outcome), notes=(note,))


def bacon_figure(est: FxEstimates, *, lang: Lang = "zh") -> Any:
    from research_kit.did import bacon_plot

    return None if est.bacon is None else bacon_plot(est.bacon, lang=lang)


def bacon_paragraph(est: FxEstimates, *, lang: Lang = "zh") -> str:
    from research_kit.did import bacon_summary

    lab = labels(lang)
    if est.bacon is None:
        return lab.pick(zh="该样本中县 × 银行单元的开办时间没有足够的变化，无法进行 Goodman-Bacon 分解。",
                        en="The county × bank cells of this sample have too little variation in timing for a "
                           "Goodman-Bacon decomposition.")
    n_cells, n_all = est.n_cells, est.n_cells_all
    intro = lab.pick(
        zh=f"Goodman-Bacon 分解要求平衡面板，因此分解的是 {n_cells} 个县 × 银行单元（共 {n_all} 个单元中每月都有观测的单元）月度均值上的 TWFE 回归（表 {TABLES.index('bacon') + 1}）。",
        en=f"The Goodman-Bacon decomposition needs a balanced panel, so it decomposes the TWFE regression on the monthly "
           f"means of the {n_cells} county × bank cells observed every month (of {n_all}) (Table {TABLES.index('bacon') + 1}).")
    g = bacon_gap(bacon_summary(est.bacon), twfe_unit=est.twfe.estimate, twfe_cells=float(est.bacon.twfe),
                  robust=est.cs.estimate)
    s = bacon_gap_sentence(g, robust_name="Callaway–Sant'Anna", unit_name=lab.pick(zh="个体工商户", en="business"),
                           cell_name=lab.pick(zh="县 × 银行单元", en="county × bank cell"), lang=lang,
                           tolerance=0.1 * float(est.cs.std_error))
    return intro + ("" if lang == "zh" else " ") + s


def honest_table(est: FxEstimates, *, lang: Lang = "zh") -> Table | None:
    if est.honest is None:
        return None
    lab = labels(lang)
    h = est.honest
    frame = pd.DataFrame({"M̄": h["mbar"].to_numpy(),
                          lab.pick(zh="识别集下界", en="Identified set, lower"): h["id_low"].to_numpy(),
                          lab.pick(zh="识别集上界", en="Identified set, upper"): h["id_high"].to_numpy(),
                          lab.pick(zh="稳健 95% 区间下界", en="Robust 95% CI, lower"): h["conf_low"].to_numpy(),
                          lab.pick(zh="稳健 95% 区间上界", en="Robust 95% CI, upper"): h["conf_high"].to_numpy()})
    note = lab.pick(
        zh="基于 Sun–Abraham 事件研究。M̄：开办后相邻月份间对平行趋势的偏离不超过开办前最大偏离的 M̄ 倍（Rambachan 与 Roth, 2023）。"
           "稳健区间为 HonestDiD 的条件—最不利混合区间（C-LF）。",
        en="From the Sun–Abraham event study. M̄: post-programme month-to-month violations of parallel trends are at most "
           "M̄ times the largest pre-programme one (Rambachan and Roth, 2023). Robust intervals: HonestDiD's "
           "conditional-least-favourable hybrid (C-LF).")
    return table(frame, digits={"M̄": 1} | {c: 3 for c in frame.columns[1:]}, caption=caption("honest", lang, outcome=est.outcome), notes=(note,))


def honest_figure(est: FxEstimates, *, lang: Lang = "zh") -> Any:
    from research_kit.did import honest_plot

    if est.honest is None:
        return None
    return honest_plot(est.honest, original=est.honest.original, lang=lang)


def honest_paragraph(est: FxEstimates, *, lang: Lang = "zh") -> str:
    """The breakdown value of M̄ (searched beyond the table) and what it means, or why it is not computed."""
    if est.honest is None:
        if not est.honest_missing_se:
            return ""
        times = "、".join(str(e) for e in est.honest_missing_se) if lang == "zh" else \
            ", ".join(str(e) for e in est.honest_missing_se)
        return labels(lang).pick(
            zh=f"本样本中事件时间 {times} 的 Sun–Abraham 系数无法估计标准误（该处观测或聚类过少），"
               "相对幅度敏感性分析需要全部事件时间的协方差，因此本文不报告该分析及其临界值 M̄；"
               "事前趋势的判断仅依据上文的检验，结论应相应谨慎。",
            en=f"In this sample the Sun–Abraham coefficients at event time(s) {times} have no standard error (too "
               "few observations or clusters there). The relative-magnitudes sensitivity analysis needs the "
               "covariance of every event time, so this paper reports neither it nor its breakdown value of M̄; "
               "the judgement on pre-trends rests on the tests above alone, and the conclusions should be read "
               "with that caution.")
    n = TABLES.index("honest") + 1
    return breakdown_sentence(est.breakdown, grid_max=float(est.honest["mbar"].max()), search_max=BREAKDOWN_MAX,
                              lang=lang, ref=f"（表 {n}）" if lang == "zh" else f" (Table {n})")


def truth_paragraph(est: FxEstimates, *, lang: Lang = "zh") -> str:
    """Which robust intervals cover the simulated truth, and why not when none does (synthetic data only)."""
    lab = labels(lang)
    if not est.synthetic:
        return ""
    o = est.main
    named = _estimators(est, lang)[1:]
    keys = ("callaway_santanna", "sun_abraham", "imputation")
    intervals = [(n, r.conf_low, r.conf_high) for n, r in named]
    head = lab.pick(zh=f"模拟数据中，已开办主体-月的平均真实效应为 {fmt(est.truth_att, 3)}。",
                    en=f"In the simulated data the mean true effect over treated business-months is {fmt(est.truth_att, 3)}.")
    missed = [n for n, lo, hi in intervals if not lo <= est.truth_att <= hi]
    reason = ""
    if missed and o.estimands:
        context = ""
        nc = est.no_comparison
        if nc.get("share", 0) > 0 and nc.get("from_t") is not None:
            month = period_month(int(nc["from_t"])).strftime("%Y-%m")
            context = lab.pick(
                zh=f"本样本没有从未开办的个体工商户，而且到 {month} 所有银行都已开办，此后的已开办主体-月（占 {nc['share']:.0%}）没有任何对照，"
                   f"任何估计量都无法使用；这些月份的真实效应平均为 {fmt(nc['truth_without'], 3)}，而有对照的月份为 "
                   f"{fmt(nc['truth_with'], 3)}——效应随开办时间增长，真实效应的总体平均因此更高。",
                en=f"This sample has no never-treated business and every bank had started by {month}; the treated "
                   f"business-months from then on ({nc['share']:.0%}) have no comparison at all and no estimator can use "
                   f"them. Their true effect averages {fmt(nc['truth_without'], 3)}, against {fmt(nc['truth_with'], 3)} "
                   f"in the months that do have a comparison: effects grow with time since the start, so the overall "
                   f"true average is higher.")
        own = [(n, o.estimands[k], r.conf_low, r.conf_high) for (n, r), k in zip(named, keys) if k in o.estimands]
        reason = estimand_reason(est.truth_att, own, lang=lang) + (("" if lang == "zh" else " ") + context if context else "")
    cover = coverage_sentence(est.truth_att, intervals, lang=lang, reason=reason)
    b_tw = est.twfe.estimate - est.truth_att
    tw = lab.pick(zh=f"TWFE 的偏差为 {fmt(b_tw, 3)}（表 {TABLES.index('truth') + 1}）。",
                  en=f"The bias of TWFE is {fmt(b_tw, 3)} (Table {TABLES.index('truth') + 1}).")
    sep = "" if lang == "zh" else " "
    return head + sep + cover + sep + tw


def truth_table(est: FxEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    o = est.main
    keys = ("twfe", "callaway_santanna", "sun_abraham", "imputation")
    own_col = lab.pick(zh="该估计量的估计目标", en="Its own estimand")
    rows = [{lab("term"): name, lab("estimate"): r.estimate, lab("truth"): est.truth_att,
             lab.pick(zh="偏差", en="Bias"): r.estimate - est.truth_att,
             own_col: o.estimands.get(k, np.nan),
             lab("conf_int"): _bracket(r.conf_low, r.conf_high)}
            for (name, r), k in zip(_estimators(est, lang), keys)]
    note = lab.pick(zh="真实效应：全部已开办主体-月的平均真实效应。估计目标：把同一估计量用于模拟的真实效应本身所得的值（即它在本样本中所估计的加权平均）。",
                    en="True effect: the mean true effect over all treated business-months. Own estimand: the same "
                       "estimator applied to the simulated true effects themselves (the weighted average it targets in this sample).")
    return table(pd.DataFrame(rows), digits=3, caption=caption("truth", lang, outcome=est.outcome), notes=(note,))


def _sector_name(sector: str, lang: Lang) -> str:
    return _SECTORS.get(sector, (sector, sector))[0 if lang == "zh" else 1]


def sector_table(est: FxEstimates, *, lang: Lang = "zh") -> Table | None:
    """Callaway–Sant'Anna by sector (sectors with enough businesses), with the simulated truth when synthetic."""
    sec = est.sectors
    if sec is None or sec.empty:
        return None
    lab = labels(lang)
    frame = pd.DataFrame({
        lab("sector"): [_sector_name(x, lang) for x in sec["sector"]],
        lab("n_businesses"): sec["n_businesses"].astype(int).to_numpy(),
        lab("estimate"): sec["estimate"].to_numpy(),
        lab("conf_int"): [_bracket(lo, hi) for lo, hi in zip(sec["conf_low"], sec["conf_high"])],
    })
    if est.synthetic:
        frame[lab("truth")] = sec["truth"].to_numpy()
    note = lab.pick(zh=f"每个行业单独估计，标准误按{cluster_name(est.cluster, lang)}聚类；不足 {MIN_SECTOR_BUSINESSES} 家个体工商户的行业不单独估计。",
                    en=f"Each sector estimated on its own, standard errors clustered by {cluster_name(est.cluster, lang)}; "
                       f"sectors with fewer than {MIN_SECTOR_BUSINESSES} businesses are not estimated separately.")
    return table(frame, digits=3, caption=caption("sectors", lang, outcome=est.outcome), notes=(note,))


def sector_paragraph(est: FxEstimates, *, lang: Lang = "zh") -> str:
    """Which sectors gain most, and whether the sector differences are distinguishable (overlapping intervals)."""
    lab = labels(lang)
    sec = est.sectors
    n = TABLES.index("sectors") + 1
    ref = f"（表 {n}）" if lang == "zh" else f" (Table {n})"
    if sec is None or len(sec) < 2:
        return lab.pick(zh="样本中没有足够多的行业可以分别估计效应。",
                        en="The sample has too few sectors with enough businesses to estimate effects separately.")
    sec = sec.sort_values("estimate", ascending=False)
    top, bottom = sec.iloc[0], sec.iloc[-1]
    sig = [_sector_name(x, lang) for x, lo, hi in zip(sec["sector"], sec["conf_low"], sec["conf_high"])
           if significance_class(lo, hi) != "zero"]
    overlap = bool(sec["conf_low"].max() <= sec["conf_high"].min())
    head = lab.pick(
        zh=f"分行业估计{ref}中，效应最大的是{_sector_name(top['sector'], lang)}（{fmt(top['estimate'], 3)}），最小的是"
           f"{_sector_name(bottom['sector'], lang)}（{fmt(bottom['estimate'], 3)}）；"
           + (f"{join_names(sig, lang)}的区间不含零。" if sig else "没有一个行业的区间不含零。"),
        en=f"By sector{ref}, the effect is largest for {lower_first(_sector_name(top['sector'], lang))} "
           f"({fmt(top['estimate'], 3)}) and smallest for {lower_first(_sector_name(bottom['sector'], lang))} "
           f"({fmt(bottom['estimate'], 3)}); "
           + (f"the intervals of {join_names([lower_first(x) for x in sig], lang)} exclude zero." if sig else
              "no sector's interval excludes zero."))
    tail = lab.pick(
        zh="各行业的置信区间有共同部分，行业间的差异在统计上不能区分，不宜据此确定推广重点。" if overlap else
           "并非所有行业的置信区间都有共同部分，行业间的差异至少部分是可区分的，可作为确定推广重点的参考。",
        en=" All sector intervals share a common range, so the sector differences are not statistically distinguishable "
           "and should not guide where to focus the roll-out." if overlap else
           " Not all sector intervals overlap, so some of the sector differences are distinguishable and can inform "
           "where to focus the roll-out.")
    return head + tail


def front_matter(est: FxEstimates, *, lang: Lang = "zh") -> dict[str, Any]:
    lab = labels(lang)
    where = county_label(est.county, lang)
    sep = "" if lang == "zh" else "; "
    effects = sep.join(_effect_clause(oc, o.cs, lang) for oc, o in est.outcomes.items())
    if lang == "zh":
        effects = "；".join(_effect_clause(oc, o.cs, lang) for oc, o in est.outcomes.items())
    title = lab.pick(zh=f"个体工商户国内外汇贷款试点的效果评估：{where}",
                     en=f"Domestic FX loans to individual businesses: programme effects in {where}")
    main = est.outcomes[est.outcome]
    g = bacon_gap_share(est)
    bacon_txt = ""
    if g is not None:
        bacon_txt = lab.pick(
            zh=f"双向固定效应（TWFE）估计为 {fmt(main.twfe.estimate)}，与前者之差中有 {g:.0%} 来自以较早开办者作对照的不当比较。",
            en=f" Two-way fixed effects (TWFE) give {fmt(main.twfe.estimate)}; {g:.0%} of the gap comes from "
               f"comparisons that use earlier adopters as controls.")
    abstract = lab.pick(
        zh=f"本文评估金华市开放经济金融服务改革创新试点第 2 项任务（推广个体工商户国内外汇贷款）。利用 {est.n_businesses:,} 家个体工商户的月度面板"
           f"和银行 × 县的交错开办时间，Callaway–Sant'Anna 估计显示，业务开办{effects}"
           f"（标准误按县 × 银行单元聚类）。{_outcome_name(est.outcome, lang)}的估计为 {fmt(main.cs.estimate)}"
           f"（{_ci_words(main.cs.conf_low, main.cs.conf_high, lang, d=2)}）；{bacon_txt}"
           + synthetic_sentence(lab, est.synthetic),
        en=f"We evaluate task 2 of the Jinhua open-economy financial services reform pilot (domestic FX loans to individual "
           f"businesses). Using a monthly panel of {est.n_businesses:,} individual businesses and the staggered start of the "
           f"programme by bank and county, Callaway–Sant'Anna estimates show that the programme {effects} (standard "
           f"errors clustered by county × bank cell). For {lower_first(_outcome_name(est.outcome, lang))} the estimate is "
           f"{fmt(main.cs.estimate)} ({_ci_words(main.cs.conf_low, main.cs.conf_high, lang, d=2)}).{bacon_txt}"
           + synthetic_sentence(lab, est.synthetic),
    )
    return paper_front_matter(
        lab, title=title, abstract=abstract, synthetic=est.synthetic, county=where,
        task=lab.pick(zh="任务 2：推广个体工商户国内外汇贷款融资", en="Task 2: FX loans to individual businesses"))


def bacon_gap_share(est: FxEstimates) -> float | None:
    """Share of the TWFE–CS gap due to forbidden comparisons (None without a decomposition or a gap)."""
    from research_kit.did import bacon_summary

    if est.bacon is None:
        return None
    g = bacon_gap(bacon_summary(est.bacon), twfe_unit=est.twfe.estimate, twfe_cells=float(est.bacon.twfe),
                  robust=est.cs.estimate)
    if abs(g.gap) <= 0.1 * float(est.cs.std_error) or g.weight_forbidden == 0:
        return None
    return g.forbidden / g.gap


def identification_paragraphs(panel: pd.DataFrame, est: FxEstimates, *, lang: Lang = "zh",
                              root: str | os.PathLike[str] | None = None) -> str:
    """Why the roll-out timing may be as good as random, and what would bias the estimates.

    The facts about the roll-out (which county started first, how many waves, how many cells had not
    started) are computed from the roll-out table restricted to the sample's counties.
    """
    lab = labels(lang)
    roll = rollout_frame(root=root)
    roll = roll.loc[roll["county"].isin(set(panel["county"].astype(str)))]
    started = roll.loc[roll["start_month"].notna()]
    last = panel["month"].max()
    started = started.loc[started["start_month"] <= last]
    n_cells = len(roll)
    if started.empty:
        return lab.pick(zh="样本期内没有任何县 × 银行单元开办业务，无法识别效应。",
                        en="No county × bank cell started the programme in the sample period; no effect is identified.")
    first = started["start_month"].min()
    first_c = [county_label(c, lang) for c in sorted(started.loc[started["start_month"] == first, "county"].unique())]
    waves = started["start_month"].nunique()
    n_never = n_cells - len(started)
    fm = first.strftime("%Y-%m")
    facts = lab.pick(
        zh=(f"样本中的 {n_cells} 个县 × 银行单元里，{join_names(first_c, lang)}的银行最先于 {fm} 开办，此后又分 "
            f"{waves - 1} 个批次扩大；" if waves > 1 else
            f"样本中的 {n_cells} 个县 × 银行单元里，开办的单元都在同一批次（{fm}）开办，没有更晚的批次可作比较；")
           + f"到 {last.strftime('%Y-%m')} 仍有 {n_never} 个单元未开办（图 1）。",
        en=(f"Of the sample's {n_cells} county × bank cells, banks in {join_names(first_c, lang)} started first, in "
            f"{fm}, and the programme then spread in {waves - 1} more {'wave' if waves == 2 else 'waves'}; "
            if waves > 1 else
            f"Of the sample's {n_cells} county × bank cells, all that started did so in one wave ({fm}), so there "
            "is no later wave to compare with; ")
           + f"by {last.strftime('%Y-%m')}, {n_never} {'cell' if n_never == 1 else 'cells'} had not started (Figure 1).")
    why = lab.pick(
        zh="识别依赖于这样一个假设：若没有这项业务，先开办与后开办（或未开办）单元中个体工商户的结果会平行变化。"
           "开办时间主要取决于试点方案的推进顺序和各银行总行的授权进度，而不是单个个体工商户当月的融资需求；"
           "个体固定效应吸收了长期不变的差异（如行业、规模、出口依赖度），月份固定效应吸收了全市共同的冲击（汇率、利率、出口景气）。"
           "在这一意义上，开办时间可能近似随机。",
        en="Identification rests on parallel trends: without the programme, outcomes of businesses in cells that start "
           "early and in cells that start later (or never) would have moved in parallel. Start dates follow the pilot's "
           "sequence and banks' head-office approvals rather than a business's loan demand in a given month; business "
           "fixed effects absorb persistent differences (sector, size, export dependence) and month fixed effects absorb "
           "city-wide shocks (exchange rate, interest rates, export cycle). In that sense the timing may be as good as random.")
    full = rollout_frame(root=root)
    city_first = full.loc[full["start_month"].notna(), "start_month"].min()
    leaders = [county_label(c, lang) for c in sorted(full.loc[full["start_month"] == city_first, "county"].unique())]
    leader = join_names(leaders, lang)
    if est.n_counties > 1:
        first_threat = lab.pick(
            zh=f"第一，{leader}最先开办（{city_first.strftime('%Y-%m')}）并非随机：试点方案把{leader}作为先行地区，其个体工商户出口依赖度更高，"
               f"若其外汇融资需求本已处于上升趋势，早期估计会把这一趋势误作业务效应（向上偏误）；反之，若出口在开办后转弱，则低估效应。",
            en=f"First, {leader} going first ({city_first.strftime('%Y-%m')}) was not random: the plan made it the lead "
               f"area and its businesses depend more on exports; if their demand for FX finance was already rising, early "
               f"estimates would credit that trend to the programme (upward bias); if exports weakened after the start, the "
               f"effect would be understated.")
    else:
        first_threat = lab.pick(
            zh=f"第一，本文只比较同一县内不同银行开办时间的差异，县级因素（例如{leader}率先试点）不影响估计；但同一县内先开办的银行可能服务出口依赖度更高的客户，"
               f"若这些客户的外汇融资需求本已在上升，估计会偏高。",
            en=f"First, this paper compares only banks within one county, so county-level choices (such as {leader} going "
               f"first) do not affect the estimates; but the banks that started first may serve more export-dependent "
               f"customers, and if those customers' demand for FX finance was already rising the estimates are biased up.")
    threats = lab.pick(
        zh="但有三个理由怀疑这一点。" + first_threat + "第二，银行自主选择开办的县和时间："
           "若银行先在预期需求增长最快的地方开办，处理组的结果本来就会增长更快，估计偏高。第三，同期政策：试点方案的其他任务"
           "（如汇率避险担保、跨境人民币结算便利化、数字人民币试点）在同一时期推出；只有当它们与本业务按县 × 银行同步推出时才会混淆估计，"
           "在全市同时推出的政策被月份固定效应吸收。此外，若个体工商户为获得外汇贷款而转到已开办的银行，或未开办银行为竞争而降低利率，"
           "对照组也受到影响，估计会偏向零。开办前系数的检验（第 5.2 节）、基线平衡（表 2）和对平行趋势偏离的敏感性分析（第 5.5 节）"
           "分别检查这些威胁的一部分。",
        en="There are three reasons to doubt it. " + first_threat + " Second, "
           "banks chose where and when to start: if they started where they expected demand to grow fastest, treated "
           "outcomes would have grown faster anyway, biasing the estimates up. Third, concurrent policies: other tasks of "
           "the plan (the FX-hedging guarantee, cross-border RMB settlement, the digital RMB pilot) started in the same "
           "period; they confound the estimates only if they were rolled out by county × bank together with this "
           "programme — policies introduced city-wide at once are absorbed by the month fixed effects. Finally, if "
           "businesses moved to participating banks to get FX loans, or non-participating banks cut rates to compete, the "
           "comparison group is affected too and the estimates are biased towards zero. The pre-programme tests "
           "(Section 5.2), the baseline balance (Table 2) and the sensitivity analysis (Section 5.5) each check part of these threats.")
    return facts + "\n\n" + why + "\n\n" + threats


def _target_amount() -> float | None:
    """The plan's 2025 FX-loan target in 万美元 (None when the targets file does not have it)."""
    from research_kit.data.indicators import FX_INDICATOR, load_definitions

    try:
        target = load_definitions().targets.loc[FX_INDICATOR]
    except (FileNotFoundError, KeyError):
        return None
    return float(target["target"]) * (1e4 if target["unit"] == "亿美元" else 1.0)


def conclusion_paragraphs(panel: pd.DataFrame, est: FxEstimates, *, lang: Lang = "zh") -> str:
    """Conclusion and policy implications, each conditioned on the estimates."""
    from research_kit.report.tables import format_amount

    lab = labels(lang)
    where = county_label(est.county, lang)
    eff = ("；" if lang == "zh" else "; ").join(_effect_clause(oc, o.cs, lang) for oc, o in est.outcomes.items())
    paras = [lab.pick(zh=f"在{where}，业务开办{eff}。",
                      en=f"In {lower_first(where) if est.county == 'all' else where}, the programme {eff}.")]
    fx = est.outcomes.get("fx_loan_balance")
    goal = _target_amount()
    last = panel.loc[panel["month"] == panel["month"].max()]
    n_treated_w = float(last.loc[last["treated"] == 1, "weight"].sum())
    if fx is not None and goal and est.n_counties >= 9:
        kind = significance_class(fx.cs.conf_low, fx.cs.conf_high)
        month = panel["month"].max().strftime("%Y-%m")
        if kind == "positive":
            tot, lo, hi = (x * n_treated_w for x in (fx.cs.estimate, fx.cs.conf_low, fx.cs.conf_high))
            fmt = lambda v: format_amount(v, "万美元", lang=lang)  # noqa: E731
            share = tot / goal
            paras.append(lab.pick(
                zh=f"按抽样权数推算，{month} 约有 {n_treated_w:,.0f} 户个体工商户的开户银行已开办业务；按 Callaway–Sant'Anna 估计，"
                   f"业务使其外汇贷款余额合计增加约 {fmt(tot)}（按置信区间为 {fmt(lo)} 至 {fmt(hi)}），相当于方案目标（{fmt(goal)}）的 {share:.0%}"
                   f"（{lo / goal:.0%} 至 {hi / goal:.0%}）。只要业务不推迟原有贷款的归还，某一时点新增的余额不会超过业务带来的累计发放，"
                   f"因此这也是业务对累计发放贡献的下限。"
                   + ("仅凭这一增量即可达到目标。" if lo / goal >= 1 else
                      "这一增量本身不足以达到目标，其余部分须来自业务之外的增长或进一步扩大覆盖。" if hi / goal < 1 else
                      "这一增量能否单独达到目标，取决于置信区间内的取值。"),
                en=f"Expanded by the sampling weights, about {n_treated_w:,.0f} individual businesses banked with a "
                   f"participating bank in {month}; by the Callaway–Sant'Anna estimate the programme added about {fmt(tot)} "
                   f"to their FX-loan balances ({fmt(lo)} to {fmt(hi)} over the confidence interval), {share:.0%} of the "
                   f"plan's target of {fmt(goal)} ({lo / goal:.0%} to {hi / goal:.0%}). As long as the programme does not "
                   f"delay the repayment of existing loans, added balances at a date cannot exceed the added cumulative "
                   f"issuance, so this is also a lower bound on the programme's contribution to issuance. "
                   + ("This increment alone reaches the target." if lo / goal >= 1 else
                      "This increment alone does not reach the target; the rest must come from growth outside the "
                      "programme or from wider coverage." if hi / goal < 1 else
                      "Whether this increment alone reaches the target depends on where in the interval the effect lies.")))
        else:
            paras.append(lab.pick(
                zh=f"由于外汇贷款余额的效应在统计上不能与零区分，本文的估计不能说明这项业务对方案目标（{format_amount(goal, '万美元', lang=lang)}）有多大贡献。",
                en=f"Because the effect on FX-loan balances cannot be distinguished from zero, these estimates do not say "
                   f"how much the programme contributes to the plan's target of {format_amount(goal, '万美元', lang=lang)}."))
    roll = rollout_frame()
    roll = roll.loc[roll["county"].isin(set(panel["county"].astype(str)))]
    not_started = roll.loc[roll["start_month"].isna() | (roll["start_month"] > panel["month"].max())]
    main_kind = significance_class(est.cs.conf_low, est.cs.conf_high)
    if len(not_started) and main_kind != "zero":
        counts = not_started.groupby("county").size().sort_values(ascending=False)
        top = [county_label(c, lang) for c in counts.index[:3]]
        paras.append(lab.pick(
            zh=f"到样本期末仍有 {len(not_started)} 个县 × 银行单元未开办，主要在{join_names(top, lang)}。本文的估计只针对已开办单元的客户；"
               f"若在这些单元推广，应先按相同设计评估首批推广的效果，再决定是否全面铺开。",
            en=f"By the end of the sample {len(not_started)} county × bank cells had not started, mostly in "
               f"{join_names(top, lang)}. The estimates describe customers of cells that did start; extending the "
               f"programme to these cells should be evaluated with the same design on the first extensions before a full roll-out."))
    v = pretrend_verdict_of(est, lang=lang)
    fragile = bool(np.isfinite(est.breakdown) and est.breakdown <= 1)
    if v.status == "reject" or fragile:
        why = []
        if v.status == "reject":
            why.append(lab.pick(zh="部分开办前联合检验拒绝了平行趋势", en="some joint pre-programme tests reject parallel trends"))
        if fragile:
            why.append(lab.pick(zh=f"敏感性分析的临界值 M̄ = {est.breakdown:.2f} 不超过 1",
                                en=f"the breakdown value of the sensitivity analysis, M̄ = {est.breakdown:.2f}, is at most 1"))
        paras.append(lab.pick(
            zh=f"由于{'，且'.join(why)}，上述数字应视为初步结果；在据此调整目标或扩大推广之前，应使用更长的开办前数据或真实贷款台账重复本分析。",
            en=f"Because {' and '.join(why)}, these figures are preliminary; before targets or the roll-out are adjusted "
               f"on their basis, the analysis should be repeated with a longer pre-programme period or with actual loan ledgers."))
    else:
        paras.append(lab.pick(
            zh="下一步应使用银行的真实贷款台账重复本分析（设计与代码不变），并在行业差异（第 5.7 节）之外按企业规模估计效应的差异，以确定推广的重点对象。",
            en="The next step is to repeat this analysis on the banks' actual loan ledgers (same design and code) and, "
               "beyond the sector differences (Section 5.7), to estimate how the effects differ by business size, to "
               "decide where to focus the roll-out."))
    if est.synthetic:
        paras.append(lab.pick(zh="以上结论基于模拟演示数据，仅用于说明分析方法，不能作为政策依据。",
                              en="These conclusions rest on synthetic demo data; they illustrate the method and are no basis for policy."))
    return "\n\n".join(paras)


def caveats(est: FxEstimates, *, lang: Lang = "zh") -> str:
    """The caveats section as a Markdown list, each item consistent with the run's numbers."""
    lab = labels(lang)
    v = pretrend_verdict_of(est, lang=lang)
    items = [parallel_trends_caveat(v, lang=lang)]
    g = _n_clusters(est)
    if est.n_counties > 1:
        items.append(lab.pick(
            zh=f"业务按“银行 × 县”开办，本文按 {g} 个县 × 银行单元聚类；同一县内的单元也可能受共同冲击影响，而县只有 {est.n_counties} 个，"
               f"因此另报告以县为聚类的自助法结果（对 TWFE 为施加原假设的野聚类自助法）。",
            en=f"The programme starts by bank × county and standard errors are clustered by the {g} county × bank cells; "
               f"cells in the same county may share shocks too, and with only {est.n_counties} counties we also report "
               f"bootstrap inference with county clusters (for TWFE, the wild cluster bootstrap with the null imposed)."))
    else:
        items.append(lab.pick(
            zh=f"样本只有一个县，只能按该县的 {g} 个银行单元聚类；聚类数很少，置信区间可能偏窄，县级共同冲击无法与效应区分。",
            en=f"The sample has a single county, so standard errors can only be clustered by its {g} bank cells; with so "
               f"few clusters the intervals may be too narrow, and county-wide shocks cannot be separated from the effect."))
    items.append(lab.pick(
        zh="面板不平衡（新登记、退出、缺失月份）：每个 $ATT(g,t)$ 只使用在两个比较月份都有记录的个体；插补估计不使用在开办后才首次出现的个体；"
           "Goodman-Bacon 分解要求平衡面板，因此使用县 × 银行单元的月度均值。",
        en="The panel is unbalanced (new registrations, exits, missing months): each $ATT(g,t)$ uses the businesses observed "
           "in both months it compares; the imputation estimator leaves out businesses first observed after their bank "
           "started the programme; the Goodman-Bacon decomposition, which needs a balanced panel, uses county × bank cell means."))
    items.append(lab.pick(zh="效应只对已开办业务的银行客户成立，不能直接外推到尚未开办的地区。",
                          en="The effects describe customers of banks that started the programme; they do not carry over "
                             "directly to areas that have not."))
    return "\n".join(f"- {i}" for i in items)


def balance_paragraph(panel: pd.DataFrame, *, lang: Lang = "zh", year: int = 2022) -> str:
    """Names the baseline covariates outside the conventional balance bounds (|SMD| > 0.1 / 0.25, VR outside [0.5, 2])."""
    from research_kit.report.descriptive import balance_frame

    frame = baseline_frame(panel, year=year)
    if frame["ever_treated"].nunique() < 2:
        frame = frame.assign(ever_treated=(frame["cohort"] == frame["cohort"].min()).astype(int))
    bal = balance_frame(frame, list(_BALANCE_VARS), treated="ever_treated", unit_id="business_id")
    bal = bal.loc[~bal["suppressed"].astype(bool)]
    labels = {v: _SHORT_LABELS[v][0 if lang == "zh" else 1] for v in _BALANCE_VARS}
    n = TABLES.index("balance") + 1
    return balance_sentence(bal, labels=labels, lang=lang, ref=f"（表 {n}）" if lang == "zh" else f" (Table {n})")


# --------------------------------------------------------------------------- baseline balance and a safe table
_VAR_LABELS = {
    **{k: LABELS[k] for k in ("export_receipts", "financing_cost", "loan_access", "fx_loan_balance")},
    "small": {"zh": "小型（非微型）", "en": "Small (not micro)"},
}
_SHORT_LABELS = {"export_receipts": ("出口收汇", "export receipts"), "financing_cost": ("融资成本", "financing cost"),
                  "loan_access": ("获得贷款", "loan access"), "fx_loan_balance": ("外汇贷款余额", "FX-loan balance"),
                  "small": ("小型（非微型）主体占比", "the share of small (not micro) businesses")}
_BALANCE_VARS = ("export_receipts", "financing_cost", "loan_access", "fx_loan_balance", "small")
_SECTORS = {"small_commodities": ("小商品", "Small commodities"), "hardware": ("五金机电", "Hardware"),
            "textiles": ("纺织服装", "Textiles"), "electronics": ("电子电器", "Electronics"),
            "food": ("食品农产品", "Food"), "other": ("其他", "Other")}


def baseline_frame(panel: pd.DataFrame, *, year: int = 2022) -> pd.DataFrame:
    """One row per business: its mean outcomes in ``year`` (before any start) and whether it is ever treated."""
    base = panel.loc[panel["month"].dt.year == year]
    out = base.groupby("business_id", observed=True).agg(
        export_receipts=("export_receipts", "mean"), financing_cost=("financing_cost", "mean"),
        loan_access=("loan_access", "mean"), fx_loan_balance=("fx_loan_balance", "mean"),
        cohort=("cohort", "first"), size=("size", "first")).reset_index()
    out["ever_treated"] = (out["cohort"] > 0).astype(int)
    out["small"] = (out["size"].astype(str) == "small").astype(float)
    return out


def balance_table(panel: pd.DataFrame, *, lang: Lang = "zh", year: int = 2022) -> Table:
    """Businesses whose bank starts the programme by 2025-12 vs the others, in ``year``."""
    from research_kit.report.descriptive import balance_table as _balance

    frame = baseline_frame(panel, year=year)
    if frame["ever_treated"].nunique() < 2:
        frame = frame.assign(ever_treated=(frame["cohort"] == frame["cohort"].min()).astype(int))
    return _balance(frame, list(_BALANCE_VARS),
                    treated="ever_treated", unit_id="business_id", lang=lang, extra=_VAR_LABELS,
                    caption=caption("balance", lang, year=str(year)))


def fx_by_county_sector(panel: pd.DataFrame, *, lang: Lang = "zh") -> Table:
    """FX-loan balances in the last month by county × sector, with disclosure control (k = 5, 85% dominance)."""
    from research_kit.report.disclosure import safe_table

    last = panel.loc[panel["month"] == panel["month"].max()].copy()
    last["county_name"] = [county_label(c, lang) for c in last["county"]]
    last["sector_name"] = [(_SECTORS.get(str(s), (str(s), str(s)))[0 if lang == "zh" else 1]) for s in last["sector"]]
    st = safe_table(last, rows="county_name", cols="sector_name", value="fx_loan_balance", unit_id="business_id",
                    agg="sum", k=5, dominance_p=0.85)
    extra = {**LABELS, "county_name": {"zh": "县（市、区）", "en": "County"}}
    return st.to_table(lang=lang, digits=1, extra=extra,
                       caption=caption("safe", lang, month=panel["month"].max().strftime("%Y-%m")))
