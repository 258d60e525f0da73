"""Text, tables and figures of the power paper, in Chinese and English."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from research_kit.power import (
    POWER_LABELS,
    did_se,
    mde_did,
    power_curve,
    power_curve_plot,
)
from research_kit.report.labels import Labels, Lang, lower_first
from research_kit.report.tables import Table, format_number, table
from research_kit.studies import fx_loans
from research_kit.studies._common import (
    files_in_appendix_notice,
    fill_caption,
    paper_front_matter,
    study_labels,
    synthetic_sentence,
)
from research_kit.studies.power_fx._data import Calibration
from research_kit.studies.power_fx._estimate import SimulatedDesign, _design, cluster_counts, design_icc

__all__ = ["analytic_figure", "calibration_paragraph", "calibration_table", "caption", "CAPTIONS", "data_notice", "design_paragraph", "design_table", "EXTRA", "front_matter", "icc_sentence", "labels", "mc_table", "provenance_note", "simulation_figure", "simulation_paragraph"]


EXTRA = {
    **POWER_LABELS,
    **fx_loans.LABELS,
    "clusters": {"zh": "聚类数", "en": "Clusters J"},
    "per_cluster": {"zh": "每类主体数", "en": "Businesses per cluster m"},
    "se": {"zh": "标准误", "en": "Std. error"},
    "mde_sd": {"zh": "最小可检测效应 / 标准差", "en": "MDE / SD"},
    "mde_est_icc": {"zh": "最小可检测效应（按估计的组内相关系数）", "en": "MDE at the estimated ICC"},
    "effect_sd": {"zh": "真实效应（标准差）", "en": "True effect (SDs)"},
    "power_col": {"zh": "：功效", "en": ": power"},
    "mc_se_col": {"zh": "：蒙特卡洛标准误", "en": ": Monte Carlo SE"},
    "quantity": {"zh": "量", "en": "Quantity"},
    "estimated": {"zh": "由演示面板估计", "en": "Estimated from the demo panel"},
    "assumed": {"zh": "本文设定", "en": "Assumed in this paper"},
}


def labels(lang: Lang = "zh") -> Labels:
    """The project labels plus this study's."""
    return study_labels(EXTRA, lang)


def design_table(cal: Calibration, *, n_clusters: int, icc: float, alpha: float, power: float = 0.8,
                 n_pre: int = 12, n_post: int = 12, lang: Lang = "zh") -> Table:
    """MDE for each number of clusters, at the design ICC and at the panel's estimated ICC."""
    lab = labels(lang)
    used = design_icc(cal, icc)
    rows = []
    for J in cluster_counts(cal, n_clusters):
        des = _design(cal, J, icc=used, n_pre=n_pre, n_post=n_post)
        m = mde_did(J, alpha=alpha, power=power, **des)
        m_est = mde_did(J, alpha=alpha, power=power, **_design(cal, J, icc=cal.icc, n_pre=n_pre, n_post=n_post))
        rows.append({lab("clusters"): J, lab("per_cluster"): cal.n_businesses / J, lab("se"): did_se(J, **des),
                     lab("mde"): m, lab("mde_sd"): m / cal.sd, lab("mde_est_icc"): m_est})
    return table(pd.DataFrame(rows), digits={lab("per_cluster"): 1, lab("se"): 3, lab("mde"): 3, lab("mde_sd"): 2,
                                             lab("mde_est_icc"): 3},
                 caption=caption("design", lang, outcome=labels(lang).get(cal.outcome), power=f"{power:.0%}"),
                 notes=(lab.pick(zh=f"设计采用的组内相关系数为 {used:.3f}；最后一列改用演示面板的估计值 {cal.icc:.3f}。",
                                 en=f"The design uses an intra-cluster correlation of {used:.3f}; the last column uses the "
                                    f"demo panel's estimate, {cal.icc:.3f}."),))


def calibration_table(cal: Calibration, *, icc: float, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    rows = [
        (lab.pick(zh="残差标准差", en="Residual SD σ"), format_number(cal.sd, digits=3), lab("estimated")),
        (lab.pick(zh="相邻月份残差的相关系数（一阶自相关）", en="Lag-1 autocorrelation (AR(1) parameter)"),
         format_number(cal.autocorr, digits=3), lab("estimated")),
        (lab.pick(zh="县 × 月组内相关系数", en="County × month intra-cluster correlation (ICC)"),
         format_number(cal.icc, digits=3), lab("estimated")),
        (lab.pick(zh="设定的组内相关系数下限", en="Assumed floor of the ICC"), format_number(icc, digits=3), lab("assumed")),
        (lab.pick(zh="设计采用的组内相关系数（两者中较大者）", en="ICC used in the design (the larger of the two)"),
         format_number(design_icc(cal, icc), digits=3), lab("assumed")),
        (lab.pick(zh="未开办主体-月的均值", en="Mean over untreated business-months"),
         format_number(cal.control_mean, digits=3), lab("estimated")),
        (lab.pick(zh="经营主体数", en="Businesses"), format_number(cal.n_businesses), lab("estimated")),
    ]
    body = pd.DataFrame(rows, columns=[lab("quantity"), lab("value"), ""])
    return Table(body=body, caption=caption("calibration", lang, outcome=labels(lang).get(cal.outcome)), align="lrl")


def calibration_paragraph(cal: Calibration, *, icc: float, lang: Lang = "zh") -> str:
    lab = labels(lang)
    name = labels(lang).get(cal.outcome)
    return lab.pick(
        zh=f"我们用外汇贷款研究的分析面板（{cal.n_businesses:,} 家个体工商户）标定设计参数：去除主体和月份固定效应及开办效应后，"
           f"{name}的残差标准差为 {cal.sd:.3f}，相邻月份残差的相关系数为 {cal.autocorr:.2f}（按一阶自回归设定序列相关），"
           f"县 × 月的组内相关系数估计为 {cal.icc:.3f}。" + icc_sentence(cal, icc, lang=lang),
        en=f"We calibrate the design on the FX loan study's analysis panel ({cal.n_businesses:,} individual businesses): net of "
           f"business and month effects and of the programme effect, the residual SD of {lower_first(name)} is {cal.sd:.3f}, "
           f"residuals of adjacent months correlate at {cal.autocorr:.2f} (used as an AR(1) serial correlation) and the "
           f"county × month intra-cluster correlation is estimated at {cal.icc:.3f}. " + icc_sentence(cal, icc, lang=lang),
    )


def icc_sentence(cal: Calibration, icc: float, *, lang: Lang = "zh") -> str:
    """Why the design uses the ICC it uses (two branches: the assumed floor binds, or the estimate does)."""
    lab = labels(lang)
    if icc >= cal.icc:
        return lab.pick(
            zh=f"设计采用 {icc:.3f}，高于这一估计：它只来自 {cal.n_counties} 个县的演示数据，估计误差大，且真实数据中县内共同冲击"
               f"（政策、市场行情）可能更强；取较大的组内相关系数使最小可检测效应偏保守。表 2 同时给出按估计值计算的结果。",
            en=f"The design uses {icc:.3f}, above the estimate: the estimate comes from {cal.n_counties} counties of demo data "
               "and is imprecise, and common shocks within a county (policy, market conditions) may be stronger in real "
               "data; the larger value makes the minimum detectable effect conservative. Table 2 also shows the results "
               "at the estimate.")
    return lab.pick(
        zh=f"设定的下限 {icc:.3f} 低于这一估计，设计因此采用估计值 {cal.icc:.3f}，以免低估最小可检测效应。",
        en=f"The assumed floor of {icc:.3f} is below this estimate, so the design uses the estimate, {cal.icc:.3f}, so as not "
           "to understate the minimum detectable effect.")


def design_paragraph(cal: Calibration, *, n_clusters: int, icc: float, alpha: float, power: float = 0.8,
                     n_pre: int = 12, n_post: int = 12, lang: Lang = "zh") -> str:
    lab = labels(lang)
    J = int(n_clusters)
    des = _design(cal, J, icc=design_icc(cal, icc), n_pre=n_pre, n_post=n_post)
    m = mde_did(J, alpha=alpha, power=power, **des)
    m_est = mde_did(J, alpha=alpha, power=power, **_design(cal, J, icc=cal.icc, n_pre=n_pre, n_post=n_post))
    return lab.pick(
        zh=f"以 {J} 个聚类（每类约 {cal.n_businesses / J:.0f} 家主体、一半聚类开办）、开办前后各 {n_pre}/{n_post} 个月、"
           f"显著性水平 {alpha:g} 的双侧检验计，检验功效达到 {power:.0%} 的最小可检测效应为 {m:.3f}（{m / cal.sd:.2f} 个残差标准差）；"
           f"按估计的组内相关系数为 {m_est:.3f}。小于这一幅度的真实效应有相当大的概率检验不显著，"
           "评估结果不显著时不能据此认为业务没有效果。",
        en=f"With {J} clusters (about {cal.n_businesses / J:.0f} businesses each, half of them treated), {n_pre} months "
           f"before and {n_post} after the start and a two-sided test at level {alpha:g}, the minimum detectable effect "
           f"at {power:.0%} power is {m:.3f} ({m / cal.sd:.2f} residual SDs); {m_est:.3f} at the estimated ICC. True "
           "effects smaller than this are likely to come out insignificant, so an insignificant evaluation result is not "
           "evidence that the programme had no effect.",
    )


def analytic_figure(cal: Calibration, *, n_clusters: int, icc: float, alpha: float, power: float = 0.8,
                    n_pre: int = 12, n_post: int = 12, lang: Lang = "zh"):
    lab = labels(lang)
    curves, mdes = {}, {}
    Js = cluster_counts(cal, n_clusters)
    used = design_icc(cal, icc)
    top = 1.6 * max(mde_did(J, alpha=alpha, power=power, **_design(cal, J, icc=used, n_pre=n_pre, n_post=n_post))
                    for J in Js)
    effects = np.linspace(0, top, 61)
    for J in Js:
        des = _design(cal, J, icc=used, n_pre=n_pre, n_post=n_post)
        name = lab.pick(zh=f"{J} 个聚类", en=f"J = {J} clusters")
        curves[name] = power_curve(effects, method="did", n_clusters=J, alpha=alpha, **des)
        mdes[name] = mde_did(J, alpha=alpha, power=power, **des)
    return power_curve_plot(curves, lang=lang, target_power=power, xlabel=labels(lang).get(cal.outcome), mde=mdes)


def simulation_figure(sim: SimulatedDesign, *, lang: Lang = "zh", power: float = 0.8):
    lab = labels(lang)
    return power_curve_plot(sim.curves, lang=lang, target_power=power,
                            xlabel=lab.pick(zh="真实效应（结果标准差）", en="True effect (outcome SDs)"))


def mc_table(sim: SimulatedDesign, *, lang: Lang = "zh") -> Table:
    """Every simulated power figure with its Monte Carlo standard error."""
    lab = labels(lang)
    names = list(sim.curves)
    first = sim.curves[names[0]]
    df = pd.DataFrame({lab("effect_sd"): first["effect"].to_numpy()})
    for name in names:
        c = sim.curves[name]
        df[f"{name}{lab('power_col')}"] = c["power"].to_numpy()
        df[f"{name}{lab('mc_se_col')}"] = c["std_error"].to_numpy()
    return table(df, digits=3, caption=caption("mc", lang, reps=f"{sim.design['reps']:,}"))


def simulation_paragraph(sim: SimulatedDesign, *, lang: Lang = "zh", power: float = 0.8, size_tol: float = 0.02) -> str:
    """MDEs of the two estimators, the largest Monte Carlo SE, and the actual size (two branches)."""
    lab = labels(lang)
    d = sim.design
    txt = []
    for name, m in sim.mde.items():
        if np.isfinite(m):
            txt.append(lab.pick(zh=f"{name}约为 {m:.2f}", en=f"{name}: about {m:.2f}"))
        else:
            txt.append(lab.pick(zh=f"{name}超出所模拟的范围", en=f"{name}: beyond the simulated range"))
    max_se = max(float(c["std_error"].max()) for c in sim.curves.values())
    size = {k: float(v.loc[v["effect"] == 0, "power"].iloc[0]) for k, v in sim.curves.items() if (v["effect"] == 0).any()}
    sep = "；" if lang == "zh" else "; "
    size_txt = sep.join(f"{k} {v:.1%}" for k, v in size.items())
    alpha = float(d["alpha"])
    off = [k for k, v in size.items() if abs(v - alpha) > size_tol]
    head = lab.pick(
        zh=f"在交错开办的模拟面板上（{d['n_units']} 个主体 × {d['n_periods']} 期，{d['n_clusters']} 个聚类的共同冲击，四批开办，"
           f"{d['reps']:,} 次重复），功效达到 {power:.0%} 的最小效应（单位为结果的标准差）：{'；'.join(txt)}。"
           f"每个功效数字的蒙特卡洛标准误不超过 {max_se:.4f}（表 3）。效应为零时的拒绝率为：{size_txt}。",
        en=f"On simulated staggered panels ({d['n_units']} units × {d['n_periods']} periods, common shocks in "
           f"{d['n_clusters']} clusters, four adoption cohorts, {d['reps']:,} replications), the smallest effect detected "
           f"with {power:.0%} power (in outcome SDs) is — {'; '.join(txt)}. The Monte Carlo standard error of every "
           f"power figure is at most {max_se:.4f} (Table 3). With no effect the rejection rates are: {size_txt}. ")
    if not off:
        return head + lab.pick(zh=f"两者都接近名义水平 {alpha:.0%}，功效比较是公平的。",
                               en=f"Both are close to the nominal {alpha:.0%}, so the power comparison is fair.")
    return head + lab.pick(
        zh=f"{'、'.join(off)}的实际水平偏离名义水平 {alpha:.0%} 超过 {size_tol:.0%}，其功效不能与另一方法直接比较。",
        en=f"{', '.join(off)} departs from the nominal {alpha:.0%} by more than {size_tol:.0%}, so its power is not "
           "directly comparable.")


def data_notice(lang: Lang = "zh", root: str | os.PathLike[str] | None = None) -> str:
    lab = labels(lang)
    if fx_loans.data_is_synthetic(root):
        return lab.pick(
            zh="> **数据说明：本文的标定使用模拟（合成）演示数据**，不代表任何真实经营主体、银行或地区；设计参数应以真实数据重新标定。",
            en="> **Data notice: the calibration uses synthetic demo data**, which describe no real business, bank or "
               "county; the design parameters should be re-estimated on real data.")
    return files_in_appendix_notice(lab)


def provenance_note(sim: SimulatedDesign, *, lang: Lang = "zh") -> str:
    d = sim.design
    return labels(lang).pick(
        zh=f"标定面板：`research_kit.studies.fx_loans.analysis_panel()`。模拟：与 `research_kit.simulate.staggered_panel` 相同的设计"
           f"（常数效应），由 `research_kit.studies.power_fx.simulate` 向量化计算，seed={d['seed']}，reps={d['reps']}；"
           "估计量与 `research_kit.did.twfe`、`research_kit.did.callaway_santanna(...).aggregate(\"simple\")` 逐位一致（见测试）。",
        en=f"Calibration panel: `research_kit.studies.fx_loans.analysis_panel()`. Simulation: the design of "
           f"`research_kit.simulate.staggered_panel` (constant effect), computed vectorised by "
           f"`research_kit.studies.power_fx.simulate`, seed={d['seed']}, reps={d['reps']}; the estimators equal "
           "`research_kit.did.twfe` and `research_kit.did.callaway_santanna(...).aggregate(\"simple\")` (tested).")


CAPTIONS = {
    "calibration": {"zh": "表 1  设计参数的标定（{outcome}）", "en": "Table 1  Calibration of the design ({outcome})"},
    "design": {"zh": "表 2  不同聚类数下的最小可检测效应（{outcome}，功效 {power}）",
               "en": "Table 2  Minimum detectable effect by number of clusters ({outcome}, power {power})"},
    "analytic": {"zh": "图 1  聚类双重差分设计的功效曲线（菱形：最小可检测效应）",
                 "en": "Figure 1  Power of the clustered DiD design (diamonds: minimum detectable effect)"},
    "simulation": {"zh": "图 2  交错开办设计的模拟功效（误差线为 ±2 个蒙特卡洛标准误）",
                   "en": "Figure 2  Simulated power of the staggered design (bars: ±2 Monte Carlo standard errors)"},
    "mc": {"zh": "表 3  模拟功效及其蒙特卡洛标准误（{reps} 次重复）",
           "en": "Table 3  Simulated power and its Monte Carlo standard error ({reps} replications)"},
}


def caption(key: str, lang: Lang = "zh", **kw: str) -> str:
    """Caption ``key`` of this paper, its fields filled from ``kw``."""
    return fill_caption(CAPTIONS, key, lang, **kw)


def front_matter(cal: Calibration, *, n_clusters: int, icc: float, alpha: float, power: float = 0.8,
                 n_pre: int = 12, n_post: int = 12, lang: Lang = "zh") -> dict[str, Any]:
    lab = labels(lang)
    J = int(n_clusters)
    m = mde_did(J, alpha=alpha, power=power, **_design(cal, J, icc=design_icc(cal, icc), n_pre=n_pre, n_post=n_post))
    title = lab.pick(zh="个体工商户外汇贷款试点评估的统计功效", en="How much can the FX loan evaluation detect? A power analysis")
    abstract = lab.pick(
        zh=f"本文在评估之前，为第 2 项任务（推广个体工商户国内外汇贷款）的效果评估计算统计功效和最小可检测效应。以演示面板标定的残差方差、序列相关和组内相关系数计，"
           f"{J} 个聚类的双重差分设计在 {power:.0%} 功效下可检测的最小效应为 {m:.3f}。" + synthetic_sentence(lab, cal.synthetic),
        en=f"Before the evaluation, we compute the power and the minimum detectable effect of the evaluation of task 2 "
           f"(domestic FX loans to individual businesses). With the residual variance, serial correlation and "
           f"intra-cluster correlation calibrated on the demo panel, a difference-in-differences design with {J} clusters "
           f"detects effects of {m:.3f} or more with {power:.0%} power." + synthetic_sentence(lab, cal.synthetic),
    )
    return paper_front_matter(
        lab, title=title, abstract=abstract, synthetic=cal.synthetic,
        task=lab.pick(zh="任务 2：推广个体工商户国内外汇贷款融资", en="Task 2: FX loans to individual businesses"))
