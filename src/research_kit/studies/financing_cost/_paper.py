"""Text, tables and figures of the financing-cost paper, in Chinese and English."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from research_kit.report.labels import Labels, Lang
from research_kit.report.tables import Table, regression_table, table
from research_kit.report.theme import PALETTE, themed
from research_kit.simulate.panel_iv import FinancingCostData
from research_kit.studies._common import (
    datasets_sentence,
    fill_caption,
    fmt,
    p_equals,
    paper_front_matter,
    real_data_notice,
    study_labels,
    synthetic_data_notice,
    synthetic_sentence,
)
from research_kit.studies.financing_cost._data import ENTITY, TIME
from research_kit.studies.financing_cost._estimate import FinancingEstimates

__all__ = ["caption", "CAPTIONS", "data_notice", "data_paragraph", "descriptives", "estimates_figure", "exclusion_paragraph", "first_stage_figure", "front_matter", "LABELS", "labels", "pct_effect", "provenance_note", "results_paragraph", "results_table", "strength_sentence", "tests_paragraph", "tests_table", "truth_paragraph", "variance_table", "WEAK_F"]


LABELS: dict[str, dict[str, str]] = {
    "loan_rate": {"zh": "贷款利率（%）", "en": "Loan rate (%)"},
    "log_credit": {"zh": "贷款余额（对数）", "en": "Log loan balance"},
    "log_exports": {"zh": "出口收汇（对数）", "en": "Log export receipts"},
    "relending": {"zh": "主办行再贷款额度（占贷款 %）", "en": "Main bank's relending quota (% of loans)"},
    "rediscount": {"zh": "主办行再贴现额度（占贷款 %）", "en": "Main bank's rediscount quota (% of loans)"},
    "pooled_ols": {"zh": "混合最小二乘", "en": "Pooled OLS"},
    "random_effects": {"zh": "随机效应", "en": "Random effects"},
    "fixed_effects": {"zh": "双向固定效应", "en": "Two-way fixed effects"},
    "fe_2sls": {"zh": "固定效应两阶段最小二乘", "en": "Fixed-effects 2SLS"},
    "unadjusted": {"zh": "常规（同方差）", "en": "Classical (homoskedastic)"},
    "robust": {"zh": "异方差稳健", "en": "Heteroskedasticity-robust"},
    "clustered": {"zh": "按企业聚类", "en": "Clustered by firm"},
    "driscoll_kraay": {"zh": "Driscoll–Kraay（截面相关稳健）", "en": "Driscoll–Kraay (cross-section robust)"},
    "variance": {"zh": "标准误类型", "en": "Standard errors"},
    "test": {"zh": "检验", "en": "Test"},
    "distribution": {"zh": "分布", "en": "Distribution"},
    "first_stage_f": {"zh": "一阶段 F 统计量（排除工具变量）", "en": "First-stage F (excluded instruments)"},
    "partial_r2": {"zh": "一阶段偏决定系数", "en": "First-stage partial R²"},
    "overid": {"zh": "过度识别检验（Wooldridge 稳健得分）", "en": "Over-identification (Wooldridge robust score)"},
    "demand_check": {"zh": "额度对上季度信贷增长的回归（银行 × 季度）", "en": "Quota on last quarter's credit growth (bank × quarter)"},
    "endogeneity": {"zh": "利率外生性检验（Wooldridge 回归）", "en": "Exogeneity of the rate (Wooldridge regression)"},
    "hausman": {"zh": "Hausman 检验（固定效应与随机效应）", "en": "Hausman test (FE vs RE)"},
    "mundlak": {"zh": "Mundlak 检验（聚类稳健）", "en": "Mundlak test (cluster-robust)"},
    "n_firms": {"zh": "企业数", "en": "Firms"},
    "n_quarters": {"zh": "季度数", "en": "Quarters"},
    "bank_quarter_mean": {"zh": "银行 × 季度均值", "en": "Bank × quarter means"},
    "truth_line": {"zh": "模拟真实效应", "en": "True effect (simulation)"},
    "estimator": {"zh": "估计方法", "en": "Estimator"},
    "covers": {"zh": "覆盖真实值", "en": "Covers truth"},
    "conf_low": {"zh": "95% 置信下限", "en": "95% CI, lower"},
    "conf_high": {"zh": "95% 置信上限", "en": "95% CI, upper"},
    "firm_id": {"zh": "企业", "en": "firm"},
}


def labels(lang: Lang = "zh") -> Labels:
    """The project labels plus this study's."""
    return study_labels(LABELS, lang)


# --------------------------------------------------------------------------- text
def _dist(text: str | None) -> str:
    """A test's reference distribution as printed: chi2(2) -> χ²(2)."""
    return str(text).replace("chi2", "χ²")


#: First-stage F below which the instruments are called weak (Staiger-Stock rule of thumb; Stock-Yogo
#: critical values for 10% maximal 2SLS bias are close to it for one endogenous regressor).
WEAK_F = 10.0


def pct_effect(b: float, conf_low: float, conf_high: float, *, change: float = -1.0) -> tuple[float, float, float]:
    """Exact percentage change of the level for a change of ``change`` in the regressor of a log model.

    ``100 (exp(change b) - 1)``, with the interval ends transformed the same way (the map is monotone,
    so the interval keeps its coverage). Returns (effect, low, high) in percent, low <= high.

    >>> [round(v, 1) for v in pct_effect(-0.25, -0.3, -0.2)]
    [28.4, 22.1, 35.0]
    """
    ends = sorted(100.0 * (np.exp(change * np.array([conf_low, conf_high])) - 1.0))
    return 100.0 * float(np.exp(change * b) - 1.0), float(ends[0]), float(ends[1])


def data_notice(synthetic: bool, lang: Lang = "zh") -> str:
    lab = labels(lang)
    if not synthetic:
        return real_data_notice(lab, zh="银行报送的企业季度数据", en="quarterly firm data reported by banks")
    return synthetic_data_notice(
        lab, zh="企业、银行、利率与再贷款、再贴现额度均为虚构，不代表任何真实企业或银行。",
        en="The firms, banks, rates and relending and rediscount quotas are invented and describe no real firm or bank.")


def data_paragraph(data: FinancingCostData, *, lang: Lang = "zh") -> str:
    p = data.panel
    n, T = p[ENTITY].nunique(), p[TIME].nunique()
    q0, q1 = p["quarter"].iloc[0], p["quarter"].iloc[T - 1]
    z0, z1 = (f"{q[:4]} 年第 {q[-1]} 季度" for q in (q0, q1))
    return labels(lang).pick(
        zh=f"样本为 {n:,} 家开放型企业 {z0}至{z1}共 {T} 个季度的平衡面板（{len(p):,} 个企业—季度观测）。每家企业有一家主办银行；"
           f"主办行获得的央行再贷款、再贴现额度（占其贷款的百分比）随银行和季度变化。平均贷款利率为 {fmt(p['loan_rate'].mean())}%。",
        en=f"The sample is a balanced panel of {n:,} open-economy firms over {T} quarters, {q0}–{q1} ({len(p):,} "
           f"firm-quarters). Each firm has one main bank; the bank's central-bank relending and rediscount quotas (% of "
           f"its loans) vary by bank and quarter. The average loan rate is {fmt(p['loan_rate'].mean())}%.",
    )


def descriptives(data: FinancingCostData, *, lang: Lang = "zh") -> Table:
    """Means and standard deviations of the model variables (aggregates only)."""
    lab = labels(lang)
    p = data.panel
    cols = ["log_credit", "loan_rate", "log_exports", "relending", "rediscount"]
    out = pd.DataFrame({"": [lab(c) for c in cols], lab("mean"): [p[c].mean() for c in cols],
                        lab("sd"): [p[c].std() for c in cols]})
    return table(out, digits=2, caption=caption("descriptives", lang))


def strength_sentence(f_stat: float, *, lang: Lang = "zh") -> str:
    """Instrument strength from the first-stage F (two branches)."""
    lab = labels(lang)
    if f_stat >= WEAK_F:
        return lab.pick(zh=f"一阶段排除工具变量的 F 统计量为 {fmt(f_stat, 1)}，高于经验门槛 {WEAK_F:g}，工具变量不弱 [@stock2005]。",
                        en=f"The first-stage F statistic of the excluded instruments is {fmt(f_stat, 1)}, above the rule-of-"
                           f"thumb threshold of {WEAK_F:g}: the instruments are not weak [@stock2005].")
    return lab.pick(zh=f"一阶段排除工具变量的 F 统计量仅为 {fmt(f_stat, 1)}，低于经验门槛 {WEAK_F:g}：工具变量偏弱，"
                       "两阶段估计会偏向普通最小二乘，其置信区间也不可靠 [@stock2005]。",
                    en=f"The first-stage F statistic of the excluded instruments is only {fmt(f_stat, 1)}, below the rule-of-"
                       f"thumb threshold of {WEAK_F:g}: the instruments are weak, the 2SLS estimate is biased towards OLS and "
                       "its interval unreliable [@stock2005].")


def results_paragraph(est: FinancingEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    f, r = est.fe_iv, est.fe
    fs = f.first_stage().iloc[0]
    pct, lo, hi = pct_effect(f.estimate, f.conf_low, f.conf_high)
    both = est.options["instruments"] == "both"
    smaller = abs(r.estimate) < abs(f.estimate)
    cmp_zh = "绝对值更小" if smaller else "绝对值更大"
    cmp_en = "smaller" if smaller else "larger"
    return lab.pick(
        zh=f"以主办行再贷款{'与再贴现' if both else ''}额度为工具变量的固定效应两阶段最小二乘估计表明，贷款利率每下降 1 个百分点，"
           f"企业贷款余额增加 {fmt(pct, 1)}%（对数系数 {fmt(f.estimate, 3)}，换算为百分比 $100(e^{{-\\beta}}-1)$；"
           f"95% 置信区间 {fmt(lo, 1)}% 至 {fmt(hi, 1)}%）。" + strength_sentence(fs["f_stat"], lang=lang)
           + f"双向固定效应（普通最小二乘）的系数为 {fmt(r.estimate, 3)}，{cmp_zh}；混合最小二乘为 {fmt(est.pooled.estimate, 3)}。",
        en=f"Fixed-effects 2SLS with the main bank's relending{' and rediscount' if both else ''} quotas as instruments "
           f"finds that a one percentage point lower loan rate raises a firm's loan balance by {fmt(pct, 1)}% (log "
           f"coefficient {fmt(f.estimate, 3)}, converted as $100(e^{{-\\beta}}-1)$; 95% CI {fmt(lo, 1)}% to "
           f"{fmt(hi, 1)}%). " + strength_sentence(fs["f_stat"], lang=lang)
           + f" Two-way fixed effects (OLS) give {fmt(r.estimate, 3)}, {cmp_en} in absolute value, and pooled OLS "
           f"{fmt(est.pooled.estimate, 3)}.",
    )


def tests_paragraph(est: FinancingEstimates, *, lang: Lang = "zh", level: float = 0.05) -> str:
    """Specification tests, one branch per outcome of each test."""
    lab = labels(lang)
    h, m, f = est.hausman, est.mundlak, est.fe_iv
    endo = f.endogeneity("wooldridge_regression")
    over = f.overid("wooldridge") if len(f.instruments) > 1 else None
    re_bad = m.p_value < level
    head = lab.pick(
        zh=f"Hausman 检验统计量为 {fmt(h.statistic)}（{_dist(h.distribution)}，两模型均用随机效应的误差方差，{p_equals(h.p_value)}），"
           f"聚类稳健的 Mundlak 检验为 {fmt(m.statistic)}（{p_equals(m.p_value)}）：",
        en=f"The Hausman statistic is {fmt(h.statistic)} ({_dist(h.distribution)}, both models scaled by the "
           f"random-effects error variance, {p_equals(h.p_value)}) and the cluster-robust Mundlak test {fmt(m.statistic)} "
           f"({p_equals(m.p_value)}): ")
    re_txt = (lab.pick(zh="企业的不可观测特征与利率相关，随机效应估计不一致。",
                       en="the firms' unobserved characteristics are correlated with the rate and random effects is inconsistent. ")
              if re_bad else
              lab.pick(zh="没有证据表明企业效应与利率相关，随机效应与固定效应都一致，随机效应更有效。",
                       en="no evidence that the firm effects are correlated with the rate; random and fixed effects are both "
                          "consistent and random effects is more efficient. "))
    endo_txt = (lab.pick(zh=f"利率外生性检验 {p_equals(endo.p_value)}：控制企业固定效应后利率仍是内生的，需要工具变量。",
                         en=f"The test of the exogeneity of the rate gives {p_equals(endo.p_value)}: even with firm fixed effects "
                            "the rate is endogenous and an instrument is needed. ")
                if endo.p_value < level else
                lab.pick(zh=f"利率外生性检验 {p_equals(endo.p_value)}：不能拒绝利率外生，固定效应估计与两阶段估计无显著差异。",
                         en=f"The test of the exogeneity of the rate gives {p_equals(endo.p_value)}: exogeneity is not rejected and "
                            "the fixed-effects and 2SLS estimates do not differ significantly. "))
    if over is None:
        over_txt = lab.pick(zh="模型恰好识别，无法进行过度识别检验。",
                            en="The model is exactly identified, so over-identification cannot be tested.")
    elif over.p_value >= level:
        over_txt = lab.pick(zh=f"过度识别检验 {p_equals(over.p_value)}：两个工具变量给出的估计彼此一致；这不能证明它们有效（见第 5 节）。",
                            en=f"The over-identification test gives {p_equals(over.p_value)}: the two instruments agree with each "
                               "other; this does not show that they are valid (Section 5).")
    else:
        over_txt = lab.pick(zh=f"过度识别检验 {p_equals(over.p_value)}：两个工具变量给出的估计不一致，至少有一个违反排除性约束。",
                            en=f"The over-identification test gives {p_equals(over.p_value)}: the two instruments disagree, so at "
                               "least one of them violates the exclusion restriction.")
    return head + re_txt + endo_txt + over_txt


def exclusion_paragraph(est: FinancingEstimates, *, lang: Lang = "zh", level: float = 0.05) -> str:
    """The falsification check of the exclusion restriction: do quotas follow the bank's borrowers' demand."""
    lab = labels(lang)
    c = est.demand_check
    head = lab.pick(
        zh=f"检验：在银行 × 季度层面，把再贷款额度对该行借款企业上一季度贷款余额的平均增长率回归（控制银行和季度效应），系数为 "
           f"{fmt(c.estimate, 3)}（95% 置信区间 {fmt(c.conf_low, 3)} 至 {fmt(c.conf_high, 3)}，{p_equals(c.p_value)}，{c.nobs} 个银行—季度）。",
        en=f"Check: at the bank × quarter level, regressing the relending quota on the average growth of its borrowers' "
           f"loan balances in the previous quarter (bank and quarter effects) gives {fmt(c.estimate, 3)} (95% CI "
           f"{fmt(c.conf_low, 3)} to {fmt(c.conf_high, 3)}, {p_equals(c.p_value)}, {c.nobs} bank-quarters). ")
    if c.p_value < level:
        return head + lab.pick(zh="额度随借款企业的信贷需求变化，排除性约束不成立，两阶段估计有偏，不应作为利率效应引用。",
                               en="Quotas follow the borrowers' credit demand: the exclusion restriction fails, the 2SLS "
                                  "estimate is biased and should not be cited as the rate effect.")
    return head + lab.pick(zh="没有发现额度跟随上一季度信贷需求的证据；但这一检验只能发现滞后的需求，不能排除额度与当季需求同时变化。",
                           en="There is no evidence that quotas follow last quarter's credit demand; the check detects only "
                              "lagged demand and cannot rule out quotas that move with demand in the same quarter.")


def truth_paragraph(est: FinancingEstimates, *, lang: Lang = "zh") -> str:
    """Each estimator against the simulated truth; the direction of each bias is read from the numbers."""
    if est.truth is None:
        return ""
    lab = labels(lang)
    b = est.truth["rate_effect"]
    f = est.fe_iv
    cov = f.conf_low <= b <= f.conf_high

    def side(x: float, zh_name: str, en_name: str) -> str:
        more = abs(x) > abs(b)
        return lab.pick(zh=f"{zh_name}（{fmt(x, 3)}）{'高估' if more else '低估'}了效应的大小",
                        en=f"{en_name} ({fmt(x, 3)}) {'overstates' if more else 'understates'} its size")

    sep = "，" if lang == "zh" else "; "
    return lab.pick(
        zh=f"模拟数据中利率的真实效应为 {fmt(b, 3)}。固定效应两阶段最小二乘的 95% 置信区间{'覆盖' if cov else '未覆盖'}真实值；"
           + sep.join([side(est.pooled.estimate, "混合最小二乘", ""), side(est.fe.estimate, "固定效应普通最小二乘", "")]) + "。",
        en=f"The true effect in the simulated data is {fmt(b, 3)}. The 95% interval of fixed-effects 2SLS "
           f"{'covers' if cov else 'misses'} it; "
           + sep.join([side(est.pooled.estimate, "", "pooled OLS"), side(est.fe.estimate, "", "fixed-effects OLS")]) + ".",
    )


def provenance_note(est: FinancingEstimates, *, lang: Lang = "zh") -> str:
    """Internals for the appendix."""
    o = est.options
    lab = labels(lang)
    return datasets_sentence(lab, ["financing_cost_panel", "financing_cost_truth"],
                             generator="research_kit.simulate.panel_iv.financing_cost_demo", command=True) + lab.pick(
        zh=f"工具变量 `{o['instruments']}`，标准误 `{o['se']}`。",
        en=f" Instruments `{o['instruments']}`, standard errors `{o['se']}`.",
    )


# --------------------------------------------------------------------------- tables
def results_table(est: FinancingEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    names = [lab("pooled_ols"), lab("random_effects"), lab("fixed_effects"), lab("fe_2sls")]
    iv_res = est.fe_iv.with_info(fixed_effects=est.fe.fixed_effects)  # the FE rows are labelled effect by effect
    se_note = lab(est.options["se"]) if est.options["se"] == "driscoll_kraay" else lab("clustered")
    note = lab.pick(
        zh=f"前三列标准误：{se_note}；两阶段最小二乘按企业聚类。混合最小二乘与随机效应包含季度虚拟变量（未列出）。"
           "两阶段最小二乘的决定系数无通常含义，不报告。",
        en=f"Standard errors of the first three columns: {se_note.lower()}; 2SLS clustered by firm. Pooled OLS and "
           "random effects include quarter dummies (not shown). The 2SLS R² has no usual meaning and is not shown.",
    )
    iv_res = iv_res.with_info(r2=None)
    t = regression_table([est.pooled, est.re, est.fe, iv_res], lang=lang, model_names=names,
                         keep=["loan_rate", "log_exports"],
                         labels={**{k: lab(k) for k in LABELS}, ENTITY: lab(ENTITY),
                                 TIME: lab.pick(zh="季度", en="quarter")},
                         caption=caption("results", lang), notes=[note])
    if lang == "zh":  # the shared row label is the symbol R²; a Chinese page names it
        first = t.body.columns[0]
        t.body[first] = t.body[first].replace({"R²": "决定系数"})
    return t


def variance_table(est: FinancingEstimates, *, lang: Lang = "zh") -> Table:
    """The two-way FE estimate of the rate effect under four variance estimators."""
    lab = labels(lang)
    rows = []
    for name, r in est.variances.items():
        rows.append({lab("variance"): lab(name), lab("estimate"): r.estimate, lab("std_error"): r.std_error,
                     lab("conf_low"): r.conf_low, lab("conf_high"): r.conf_high})
    return table(pd.DataFrame(rows), digits=3, caption=caption("variances", lang))


def tests_table(est: FinancingEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    f = est.fe_iv
    fs = f.first_stage().iloc[0]
    rows = [
        (lab("first_stage_f"), fs["f_stat"], f"F({int(fs['f_df1'])}, {int(fs['f_df2'])})", fs["f_pvalue"]),
        (lab("partial_r2"), fs["partial_r2"], "", np.nan),
    ]
    if len(f.instruments) > 1:
        o = f.overid("wooldridge")
        rows.append((lab("overid"), o.statistic, _dist(o.distribution), o.p_value))
    e = f.endogeneity("wooldridge_regression")
    c = est.demand_check
    rows += [(lab("endogeneity"), e.statistic, _dist(e.distribution), e.p_value),
             (lab("hausman"), est.hausman.statistic, _dist(est.hausman.distribution), est.hausman.p_value),
             (lab("mundlak"), est.mundlak.statistic, _dist(est.mundlak.distribution), est.mundlak.p_value),
             (lab("demand_check"), c.estimate / c.std_error, "t", c.p_value)]
    out = pd.DataFrame(rows, columns=[lab("test"), lab("statistic"), lab("distribution"), lab("p_value")])
    return table(out, digits={lab("statistic"): 2, lab("p_value"): 3}, caption=caption("tests", lang))


# --------------------------------------------------------------------------- figures
@themed
def estimates_figure(est: FinancingEstimates, *, lang: Lang = "zh") -> Figure:
    """Estimates of the rate effect with 95% intervals, against the true effect."""
    lab = labels(lang)
    res = [("pooled_ols", est.pooled), ("random_effects", est.re), ("fixed_effects", est.fe), ("fe_2sls", est.fe_iv)]
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    y = np.arange(len(res))[::-1]
    for yi, (_, r) in zip(y, res, strict=True):
        ax.errorbar(r.estimate, yi, xerr=[[r.estimate - r.conf_low], [r.conf_high - r.estimate]], fmt="o",
                    color=PALETTE[0], capsize=3)
    if est.truth is not None:
        ax.axvline(est.truth["rate_effect"], color=PALETTE[1], ls="--", lw=1.2, label=lab("truth_line"))
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(y, [lab(k) for k, _ in res])
    ax.set_xlabel(lab.pick(zh="利率每 1 个百分点对贷款余额（对数）的效应", en="Effect of 1 pp of loan rate on log loan balance"))
    if est.truth is not None:
        ax.legend(loc="upper center")
    fig.tight_layout()
    return fig


@themed
def first_stage_figure(data: FinancingCostData, *, lang: Lang = "zh") -> Figure:
    """Bank × quarter mean loan rate against the bank's relending funds (aggregates, no firm rows)."""
    lab = labels(lang)
    g = data.panel.groupby(["bank", TIME], as_index=False)[["loan_rate", "relending"]].mean()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.scatter(g["relending"], g["loan_rate"], s=14, color=PALETTE[0], alpha=0.7, label=lab("bank_quarter_mean"))
    slope, icpt = np.polyfit(g["relending"], g["loan_rate"], 1)
    xs = np.linspace(g["relending"].min(), g["relending"].max(), 50)
    ax.plot(xs, icpt + slope * xs, color=PALETTE[1], lw=1.5)
    ax.set_xlabel(lab("relending"))
    ax.set_ylabel(lab("loan_rate"))
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- captions, metadata
CAPTIONS = {
    "descriptives": {"zh": "表 1  变量的均值与标准差（企业—季度）", "en": "Table 1  Means and standard deviations (firm-quarters)"},
    "first_stage": {"zh": "图 1  主办行再贷款资金与平均贷款利率（银行 × 季度均值）",
                    "en": "Figure 1  Main bank's relending funds and the mean loan rate (bank × quarter means)"},
    "results": {"zh": "表 2  利率对企业贷款的效应", "en": "Table 2  Effect of the loan rate on firms' credit"},
    "estimates": {"zh": "图 2  各估计方法的利率效应（95% 置信区间）与模拟真实效应",
                  "en": "Figure 2  The rate effect by estimator (95% CI) and the simulated true effect"},
    "variances": {"zh": "表 4  双向固定效应估计在不同标准误下的推断",
                  "en": "Table 4  Inference on the two-way FE estimate under different standard errors"},
    "tests": {"zh": "表 3  工具变量诊断与设定检验", "en": "Table 3  Instrument diagnostics and specification tests"},
}


def caption(key: str, lang: Lang = "zh") -> str:
    """Caption ``key`` of this paper."""
    return fill_caption(CAPTIONS, key, lang)


def front_matter(est: FinancingEstimates, *, lang: Lang = "zh", synthetic: bool = True) -> dict[str, Any]:
    lab = labels(lang)
    f = est.fe_iv
    pct, lo, hi = pct_effect(f.estimate, f.conf_low, f.conf_high)
    weak = f.first_stage().iloc[0]["f_stat"] < WEAK_F
    title = lab.pick(zh="融资成本与开放型企业的银行信贷：面板与工具变量估计",
                     en="Financing cost and bank credit of open-economy firms: panel and instrumental-variable estimates")
    abstract = lab.pick(
        zh=f"本文服务于金华市开放经济金融服务改革创新试点第 1 项任务（用好央行再贷款、再贴现工具，促进开放经济企业低成本融资）。"
           f"利用 {est.n_firms:,} 家企业 {est.n_quarters} 个季度的面板，以主办行的再贷款、再贴现额度为贷款利率的工具变量，"
           f"固定效应两阶段最小二乘估计显示利率每降低 1 个百分点，贷款余额增加 {fmt(pct, 1)}%（95% 置信区间 {fmt(lo, 1)}% 至 {fmt(hi, 1)}%）"
           + ("，但工具变量偏弱，这一估计不可靠。" if weak else "。")
           + "这一估计依赖额度不随企业信贷需求变化的假定，第 5 节讨论了它何时不成立。" + synthetic_sentence(lab, synthetic),
        en=f"For task 1 of the Jinhua open-economy financial services reform pilot (use central-bank relending and "
           f"rediscounting to lower open-economy firms' financing costs) we estimate, on a panel of {est.n_firms:,} "
           f"firms over {est.n_quarters} quarters and with the main bank's relending and rediscount quotas as "
           f"instruments for the loan rate, that a one percentage point lower rate raises the loan balance by "
           f"{fmt(pct, 1)}% (95% CI {fmt(lo, 1)}% to {fmt(hi, 1)}%)" + ("; the instruments are weak and the estimate "
                                                                         "unreliable." if weak else ".")
           + " The estimate rests on quotas that do not follow firms' credit demand; Section 5 discusses when that fails."
           + synthetic_sentence(lab, synthetic),
    )
    return paper_front_matter(
        lab, title=title, abstract=abstract, synthetic=synthetic,
        task=lab.pick(zh="任务 1：开展境内外双循环一体化融资创新", en="Task 1: integrated domestic-overseas financing innovation"))
