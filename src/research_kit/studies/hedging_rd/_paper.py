"""Text, tables and figures of the hedging-guarantee paper, in Chinese and English."""

from __future__ import annotations

import warnings
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from research_kit import rd
from research_kit.report.labels import Labels, Lang
from research_kit.report.tables import Table, regression_table, table
from research_kit.report.theme import PALETTE, themed
from research_kit.simulate.hedging_demo import HedgingRDData
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
from research_kit.studies.hedging_rd._data import COVARIATES
from research_kit.studies.hedging_rd._estimate import BWSELECT, KERNELS, HedgingEstimates

__all__ = ["adjustment_matters", "balance_table", "caption", "CAPTIONS", "data_notice", "data_paragraph", "density_figure", "DESC_WINDOW", "descriptives", "first_stage_figure", "front_matter", "LABELS", "labels", "placebo_table", "provenance_note", "rd_figure", "results_paragraph", "results_table", "sensitivity_figure", "TARGET_HEDGE_RATE", "target_paragraph", "truth_paragraph", "truth_table", "validity_paragraph", "WINDOW"]


#: Half-width (万元 of revenue) of the window around the threshold shown in the figures.
WINDOW = 2500.0
#: Half-width (万元) of the window of the descriptive table.
DESC_WINDOW = 1000.0
#: The plan's 2025 target for the FX-hedging rate of small and micro firms (%).
TARGET_HEDGE_RATE = 30.0


LABELS: dict[str, dict[str, str]] = {
    "hedge_ratio": {"zh": "汇率避险比例（%）", "en": "Hedging ratio (%)"},
    "fx_loss": {"zh": "汇兑损失（占收汇 %）", "en": "FX loss (% of receipts)"},
    "running": {"zh": "5000 万元减上年营业收入（万元）", "en": "5,000 minus prior-year revenue (10k yuan)"},
    "guaranteed": {"zh": "获得避险担保（0/1）", "en": "Guarantee taken up (0/1)"},
    "firm_age": {"zh": "企业成立年限（年）", "en": "Firm age (years)"},
    "employees": {"zh": "从业人数", "en": "Employees"},
    "hedge_ratio_2021": {"zh": "2021 年避险比例（%）", "en": "Hedging ratio in 2021 (%)"},
    "hedge_ratio_text": {"zh": "汇率避险比例", "en": "hedging ratio"},
    "fx_loss_text": {"zh": "汇兑损失率", "en": "FX loss rate"},
    "firm_age_text": {"zh": "企业成立年限", "en": "firm age"},
    "employees_text": {"zh": "从业人数", "en": "employees"},
    "hedge_ratio_2021_text": {"zh": "2021 年避险比例", "en": "2021 hedging ratio"},
    "Conventional": {"zh": "常规估计", "en": "Conventional"},
    "Bias-Corrected": {"zh": "偏差校正估计", "en": "Bias-corrected"},
    "Robust": {"zh": "稳健偏差校正（推断）", "en": "Robust bias-corrected"},
    "sharp": {"zh": "精确断点（资格效应）", "en": "Sharp RD (effect of eligibility)"},
    "fuzzy": {"zh": "模糊断点（担保效应）", "en": "Fuzzy RD (effect of the guarantee)"},
    "sharp_cov": {"zh": "精确断点，控制协变量", "en": "Sharp RD, covariate-adjusted"},
    "fuzzy_cov": {"zh": "模糊断点，控制协变量", "en": "Fuzzy RD, covariate-adjusted"},
    "below": {"zh": "门槛以上（中型，不符合条件）", "en": "Above threshold (medium-sized, not eligible)"},
    "above": {"zh": "门槛以下（小型，符合条件）", "en": "Below threshold (small, eligible)"},
    "n_firms": {"zh": "企业数", "en": "Firms"},
    "share_guaranteed": {"zh": "获得担保占比", "en": "Share with guarantee"},
    "covariate": {"zh": "协变量", "en": "Covariate"},
    "cutoff": {"zh": "断点", "en": "Cutoff"},
    "bandwidth": {"zh": "带宽（万元）", "en": "Bandwidth (10k yuan)"},
    "n_eff": {"zh": "带宽内观测（不符合/符合）", "en": "Obs. within bandwidth (not eligible/eligible)"},
    "multiplier": {"zh": "带宽倍数", "en": "Bandwidth multiple"},
    "bins": {"zh": "分箱均值", "en": "Bin means"},
    "fit": {"zh": "多项式拟合", "en": "Polynomial fit"},
    "density": {"zh": "密度", "en": "Density"},
    "true_cutoff": {"zh": "真实门槛", "en": "True threshold"},
    "placebo": {"zh": "安慰剂断点", "en": "Placebo cutoff"},
    "conventional_est": {"zh": "常规点估计", "en": "Conventional estimate"},
    "robust_ci": {"zh": "稳健 95% 置信区间", "en": "Robust 95% CI"},
    "itt": {"zh": "资格效应", "en": "Effect of eligibility"},
    "late": {"zh": "担保效应", "en": "Effect of the guarantee"},
}


def labels(lang: Lang = "zh") -> Labels:
    """The project labels plus this study's."""
    return study_labels(LABELS, lang)


# --------------------------------------------------------------------------- text
def data_notice(synthetic: bool = True, lang: Lang = "zh") -> str:
    lab = labels(lang)
    if not synthetic:
        return real_data_notice(lab, zh="真实的企业与担保数据", en="real firm and guarantee data")
    return synthetic_data_notice(
        lab, plural=True,
        zh="企业、担保办理和效应均为虚构，不代表任何真实企业、银行或担保机构；资格规则按真实政策的形式设定（见第 1 节）。",
        en="The firms, their take-up of the guarantee and the effects are invented and describe no real firm, bank or "
           "guarantor; the eligibility rule has the form of the real policy (Section 1).")


def data_paragraph(data: HedgingRDData, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    f = data.firms
    n, elig = len(f), int(f["eligible"].sum())
    take = float(f.loc[f["eligible"] == 1, "guaranteed"].mean())
    thr = fmt(data.threshold, 0)
    return lab.pick(
        zh=f"样本包括 {n:,} 家从业人员不少于 20 人、有出口收汇的批发企业。其中上年营业收入低于 {thr} 万元的 {elig:,} 家为小型企业，"
           f"符合担保条件，其中 {take:.0%} 实际办理了汇率避险担保；营业收入达到 {thr} 万元的企业为中型企业，不能获得担保。"
           f"驱动变量为 {thr} 万元减上年营业收入（万元），大于 0 即符合条件。",
        en=f"The sample has {n:,} exporting wholesale firms with at least 20 employees. The {elig:,} firms with prior-year "
           f"operating revenue below {thr} (10k yuan, i.e. 50 million yuan) are small and eligible for the guarantee, and "
           f"{take:.0%} of them took it up; firms at or above it are medium-sized and cannot get it. The running variable "
           f"is {thr} minus prior-year revenue (10k yuan); positive values are eligible.",
    )


def descriptives(data: HedgingRDData, *, lang: Lang = "zh", window: float = DESC_WINDOW, min_units: int = 5) -> Table:
    """Means on each side of the threshold, within ``window`` (万元) of it; small cells suppressed."""
    lab = labels(lang)
    f = data.firms.loc[data.firms["running"].abs() <= window]
    sides = {lab("below"): f.loc[f["running"] < 0], lab("above"): f.loc[f["running"] >= 0]}
    rows: list[dict[str, object]] = [{"": lab("n_firms"), **{k: len(v) for k, v in sides.items()}}]
    for col in ("guaranteed", "hedge_ratio", "fx_loss", *COVARIATES):
        name = lab("share_guaranteed") if col == "guaranteed" else lab(col)
        rows.append({"": name, **{k: (float(v[col].mean()) if len(v) >= min_units else np.nan)
                                  for k, v in sides.items()}})
    return table(pd.DataFrame(rows, dtype=object), digits=2,
                 caption=caption("descriptives", lang, window=fmt(window, 0)))


def results_paragraph(est: HedgingEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    s, fz = est.sharp, est.fuzzy
    y = lab(f"{est.outcome}_text")
    fs = float(fz.first_stage_jump if fz.first_stage_jump is not None else float("nan"))  # fuzzy design: set
    unit = lab.pick(zh=" 个百分点", en=" percentage points")
    bw = BWSELECT[est.options["bwselect"]][lang]
    return lab.pick(
        zh=f"在数据选择的带宽（{bw}）{fmt(s.h[0], 0)} 万元内（门槛以上 {s.n_effective[0]:,} 家、以下 {s.n_effective[1]:,} 家企业），"
           f"符合担保条件使{y}变化 {fmt(s.conventional)}{unit}（常规估计；稳健偏差校正 95% 置信区间 "
           f"{fmt(s.conf_low)} 至 {fmt(s.conf_high)}，{p_equals(s.p_value)}）。门槛处担保办理率跳升 {fmt(fs)}；"
           f"以是否办理担保为处理变量的模糊断点估计为 {fmt(fz.conventional)}{unit}（稳健 95% 置信区间 {fmt(fz.conf_low)} 至 "
           f"{fmt(fz.conf_high)}），这是担保对门槛附近“符合条件即办理”的企业的局部平均处理效应。",
        en=f"Within the data-driven bandwidth ({bw}) of {fmt(s.h[0], 0)} (10k yuan) ({s.n_effective[0]:,} firms above and "
           f"{s.n_effective[1]:,} below the threshold), eligibility changes the {y} by "
           f"{fmt(s.conventional)}{unit} (conventional estimate; robust bias-corrected 95% CI {fmt(s.conf_low)} to "
           f"{fmt(s.conf_high)}, {p_equals(s.p_value)}). Take-up of the guarantee jumps by {fmt(fs)} at the threshold; "
           f"the fuzzy RD estimate, with take-up as the treatment, is {fmt(fz.conventional)}{unit} (robust 95% CI "
           f"{fmt(fz.conf_low)} to {fmt(fz.conf_high)}): the local average effect of the guarantee on the firms near "
           f"the threshold that take it up once eligible.",
    )


def validity_paragraph(est: HedgingEstimates, *, lang: Lang = "zh", level: float = 0.05) -> str:
    """Density test, covariate balance and placebo cutoffs; a branch for each result of each check."""
    lab = labels(lang)
    d = est.density
    k = len(est.balance)
    worst = est.balance.loc[est.balance["p_value"].idxmin()]
    bonf = min(1.0, k * float(worst["p_value"]))
    plac = est.placebo.loc[est.placebo["placebo"]]
    n_sig = int((plac["p_value"] < level).sum())
    name = lab(worst["covariate"] + "_text")
    dens = lab.pick(
        zh=f"驱动变量密度检验（Cattaneo–Jansson–Ma [@cattaneo2020]）{p_equals(d.p_value)}，"
           + ("未发现企业为符合条件而压低申报营业收入的证据。" if d.p_value >= level else
              "门槛处密度存在跳跃：企业可能为获得担保而压低申报的营业收入，断点估计需谨慎解读。"),
        en=f"The density test of the running variable (Cattaneo–Jansson–Ma [@cattaneo2020]) gives {p_equals(d.p_value)}: "
           + ("no evidence that firms understate revenue to qualify. " if d.p_value >= level else
              "the density jumps at the threshold, so firms may understate revenue to qualify and the RD estimates must "
              "be read with care. "))
    adj = est.sharp_cov
    cov_txt = lab.pick(
        zh=f"{k} 个前定协变量在门槛处的跳跃中，最小的稳健 p 值为 {worst['p_value']:.3f}（{name}），按 Bonferroni 方法校正 {k} 次检验后为 {bonf:.3f}。",
        en=f"Among the jumps of the {k} predetermined covariates the smallest robust p-value is {worst['p_value']:.3f} "
           f"({name}), {bonf:.3f} after a Bonferroni correction for {k} tests. ")
    if worst["p_value"] < level:
        cov_txt += lab.pick(
            zh=f"{name}在门槛处有跳跃，不能简单归因于偶然：若它也影响避险行为，未控制它的估计会混入这一差异。",
            en=f"{name} jumps at the threshold and this need not be chance: if it also drives hedging, the unadjusted "
               "estimate mixes it in. ")
    else:
        cov_txt += lab.pick(zh="没有协变量在 5% 水平上显著跳跃。", en="No covariate jumps significantly at 5%. ")
    cov_txt += lab.pick(
        zh=f"把三个协变量加入局部回归 [@calonico2019] 后，资格效应为 {fmt(adj.conventional)}（稳健 95% 置信区间 "
           f"{fmt(adj.conf_low)} 至 {fmt(adj.conf_high)}），未控制时为 {fmt(est.sharp.conventional)}；",
        en=f"With the three covariates in the local regression [@calonico2019] the effect of eligibility is "
           f"{fmt(adj.conventional)} (robust 95% CI {fmt(adj.conf_low)} to {fmt(adj.conf_high)}), against "
           f"{fmt(est.sharp.conventional)} unadjusted; ")
    moved = adjustment_matters(est)
    cov_txt += (lab.pick(zh="两者之差超过未调整估计标准误的一半，本文以控制协变量的估计为准，并应核查协变量与资格门槛的关系。",
                         en="the two differ by more than half the unadjusted standard error, so this paper prefers the "
                            "adjusted estimate, and the relation of the covariates to the threshold should be checked. ")
                if moved else
                lab.pick(zh="两者之差不到未调整估计标准误的一半，控制协变量没有实质改变结论。",
                         en="the two differ by less than half the unadjusted standard error: adjusting for the covariates "
                            "does not change the conclusion materially. "))
    plac_txt = lab.pick(zh=f"在 {len(plac)} 个安慰剂断点中，有 {n_sig} 个在 5% 水平上显著。",
                        en=f"{n_sig} of the {len(plac)} placebo cutoffs are significant at 5%.")
    return dens + cov_txt + plac_txt


def adjustment_matters(est: HedgingEstimates) -> bool:
    """Whether the covariate-adjusted effect of eligibility moves by more than half the unadjusted standard error."""
    return bool(abs(est.sharp_cov.conventional - est.sharp.conventional) > 0.5 * est.sharp.std_error)


def target_paragraph(est: HedgingEstimates, *, lang: Lang = "zh") -> str:
    """The local effect against the plan's 30% hedging-rate target (three branches)."""
    lab = labels(lang)
    if est.outcome != "hedge_ratio":
        return ""
    base = est.level_not_eligible
    itt = (est.sharp_cov if adjustment_matters(est) else est.sharp).conventional
    with_g = base + itt
    s0, s1 = est.share_hedging
    tgt = TARGET_HEDGE_RATE
    head = lab.pick(
        zh=f"方案提出到 2025 年小微企业汇率避险率达到 {tgt:g}%。本文把避险率理解为已避险的外汇收汇占收汇的比例（套保比率）；"
           f"若按“办理避险业务的企业占比”理解，带宽内门槛以上和以下分别有 {s0:.0%} 和 {s1:.0%} 的企业有避险交易。"
           f"门槛以上（不符合条件）企业的平均避险比例为 {fmt(base, 1)}%，加上资格效应（{fmt(itt)} 个百分点），门槛附近符合条件企业的避险比例约为 {fmt(with_g, 1)}%。",
        en=f"The plan aims at an FX-hedging rate of {tgt:g}% among small and micro firms by 2025. We read the rate as the "
           f"hedged share of FX receipts (the hedge ratio); read as the share of firms that hedge at all, {s0:.0%} of the "
           f"firms above and {s1:.0%} below the threshold within the bandwidth hedge. Firms just above the threshold (not "
           f"eligible) hedge {fmt(base, 1)}% of receipts on average; adding the effect of eligibility ({fmt(itt)} "
           f"percentage points), eligible firms near "
           f"the threshold hedge about {fmt(with_g, 1)}%. ")
    if base >= tgt:
        return head + lab.pick(zh="门槛附近的企业在没有担保时已达到目标，担保的作用是进一步提高避险比例。",
                               en="Firms near the threshold meet the target even without the guarantee; the guarantee raises "
                                  "hedging further.")
    if with_g >= tgt:
        return head + lab.pick(zh="在门槛附近，担保资格足以把避险比例提高到目标以上。",
                               en="Near the threshold, eligibility for the guarantee is enough to lift hedging above the target.")
    return head + lab.pick(
        zh=f"即使计入担保的效应，门槛附近仍比目标低 {fmt(tgt - with_g, 1)} 个百分点；提高办理率或降低避险成本等其他措施仍然需要。"
           "这一比较只适用于营业收入接近 5000 万元的企业，规模更小的企业避险比例更低，效应也可能不同。",
        en=f"Even with the guarantee's effect, firms near the threshold fall {fmt(tgt - with_g, 1)} percentage points short "
           "of the target; higher take-up or cheaper hedging is still needed. The comparison holds only for firms with "
           "revenue near 50 million yuan; smaller firms hedge less and may respond differently.")


def truth_paragraph(est: HedgingEstimates, *, lang: Lang = "zh") -> str:
    if not est.truth:
        return ""
    lab = labels(lang)
    t = est.truth
    itt, late = t[f"itt_{est.outcome}"], t[f"late_{est.outcome}"]
    cov_s = est.sharp.conf_low <= itt <= est.sharp.conf_high
    cov_f = est.fuzzy.conf_low <= late <= est.fuzzy.conf_high
    return lab.pick(
        zh=f"模拟数据中门槛附近的真实资格效应为 {fmt(itt)}，真实担保效应为 {fmt(late)}；"
           f"精确断点的稳健置信区间{'覆盖' if cov_s else '未覆盖'}前者，模糊断点的稳健置信区间{'覆盖' if cov_f else '未覆盖'}后者。",
        en=f"In the simulated data the true effect of eligibility at the threshold is {fmt(itt)} and the true effect "
           f"of the guarantee is {fmt(late)}; the robust interval of the sharp RD {'covers' if cov_s else 'misses'} "
           f"the first and that of the fuzzy RD {'covers' if cov_f else 'misses'} the second.",
    )


def provenance_note(est: HedgingEstimates, *, lang: Lang = "zh") -> str:
    o = est.options
    lab = labels(lang)
    return datasets_sentence(lab, ["hedging_guarantee_firms", "hedging_guarantee_truth"],
                             generator="research_kit.simulate.hedging_demo.smallfirm_guarantee_demo") + lab.pick(
        zh=f"估计：`rdrobust`，kernel=`{o['kernel']}`，bwselect=`{o['bwselect']}`，p={o['p']}，协变量 {', '.join(COVARIATES)}。",
        en=f" Estimation: `rdrobust`, kernel=`{o['kernel']}`, bwselect=`{o['bwselect']}`, p={o['p']}, covariates "
           f"{', '.join(COVARIATES)}.",
    )


# --------------------------------------------------------------------------- tables
def results_table(est: HedgingEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    terms = {t: lab(t) for t in rd.TERMS}
    o = est.options
    kern, bw = KERNELS[o["kernel"]][lang], BWSELECT[o["bwselect"]][lang]
    hs = [fmt(r.h[0], 0) for r in (est.sharp, est.fuzzy, est.sharp_cov, est.fuzzy_cov)]
    note = lab.pick(
        zh=f"局部多项式阶数为 {o['p']}（{'局部线性' if o['p'] == 1 else '局部多项式'}），{kern}加权，带宽为{bw}；"
           f"各列带宽依次为 {'、'.join(hs)} 万元。第 3、4 列在局部回归中加入企业成立年限、从业人数和 2021 年避险比例。"
           "“稳健偏差校正”行的点估计为偏差校正估计，区间为 Calonico–Cattaneo–Titiunik 稳健置信区间 [@calonico2014]。",
        en=f"Local polynomial of order {o['p']}, {kern}, {bw}; bandwidths by column: {', '.join(hs)} (10k yuan). Columns "
           "3 and 4 add firm age, employees and the 2021 hedging ratio to the local regressions. The robust row shows the "
           "bias-corrected estimate with the Calonico–Cattaneo–Titiunik robust interval [@calonico2014].",
    )
    return regression_table([est.sharp, est.fuzzy, est.sharp_cov, est.fuzzy_cov], lang=lang, stat="ci", labels=terms,
                            model_names=[lab("sharp"), lab("fuzzy"), lab("sharp_cov"), lab("fuzzy_cov")],
                            caption=caption("results", lang), notes=[note])


def _robust_ci(row: pd.Series) -> str:
    return f"[{fmt(row['conf_low'])}, {fmt(row['conf_high'])}]"


def balance_table(est: HedgingEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    b = est.balance
    out = pd.DataFrame({
        lab("covariate"): [lab(c) for c in b["covariate"]],
        lab("conventional_est"): b["conventional"],
        lab("robust_ci"): [_robust_ci(r) for _, r in b.iterrows()],
        lab("p_value"): b["p_value"],
        lab("bandwidth"): b["h_left"],
        lab("n_eff"): [f"{int(n_l):,} / {int(n_r):,}" for n_l, n_r in zip(b["n_eff_left"], b["n_eff_right"], strict=True)],
    })
    return table(out, digits={lab("p_value"): 3}, caption=caption("balance", lang))


def placebo_table(est: HedgingEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    pl = est.placebo
    out = pd.DataFrame({
        lab("cutoff"): pl["cutoff"],
        "": [lab("true_cutoff") if not p else lab("placebo") for p in pl["placebo"]],
        lab("conventional_est"): pl["conventional"],
        lab("robust_ci"): [_robust_ci(r) for _, r in pl.iterrows()],
        lab("p_value"): pl["p_value"],
        lab("n_eff"): [f"{int(n_l):,} / {int(n_r):,}" for n_l, n_r in zip(pl["n_eff_left"], pl["n_eff_right"], strict=True)],
    })
    return table(out, digits={lab("p_value"): 3}, caption=caption("placebo", lang))


def truth_table(est: HedgingEstimates, *, lang: Lang = "zh") -> Table | None:
    if not est.truth:
        return None
    lab = labels(lang)
    rows = []
    for key, r, name in (("itt", est.sharp, lab("itt")), ("late", est.fuzzy, lab("late"))):
        truth = est.truth[f"{key}_{est.outcome}"]
        rows.append({lab("term"): name, lab("conventional_est"): r.conventional, lab("truth"): truth,
                     lab("robust_ci"): f"[{fmt(r.conf_low)}, {fmt(r.conf_high)}]",
                     lab.pick(zh="覆盖真实值", en="Covers truth"): lab("yes") if r.conf_low <= truth <= r.conf_high
                     else lab("no")})
    return table(pd.DataFrame(rows), digits=2, caption=caption("truth", lang))


# --------------------------------------------------------------------------- figures
def rd_figure(est: HedgingEstimates, *, lang: Lang = "zh", window: float = WINDOW):
    """Binned scatter of the outcome with a quartic fit on each side, within ``window`` of the threshold."""
    lab = labels(lang)
    ax = est.sharp.plot(window=window, xlabel=lab("running"), ylabel=lab(est.outcome),
                        labels=(lab("bins"), lab("fit")))
    ax.figure.tight_layout()
    return ax.figure


def first_stage_figure(data: HedgingRDData, *, lang: Lang = "zh", window: float = WINDOW):
    """Take-up of the guarantee by bins of the running variable (the first stage of the fuzzy RD)."""
    lab = labels(lang)
    firms = data.firms.loc[data.firms["running"].abs() <= window]
    with warnings.catch_warnings():
        # take-up is 0 below the threshold by design (one-sided compliance): rdplot notes the lack of variability
        warnings.filterwarnings("ignore", message=".*not enough variability", category=rd.ReferenceWarning)
        ax = rd.rd_plot(firms, outcome="guaranteed", running="running", p=1, nbins=(15, 15),
                        xlabel=lab("running"), ylabel=lab("guaranteed"))
    ax.figure.tight_layout()
    return ax.figure


def density_figure(est: HedgingEstimates, *, lang: Lang = "zh"):
    lab = labels(lang)
    ax = est.density.plot(xlabel=lab("running"), ylabel=lab("density"))
    ax.figure.tight_layout()
    return ax.figure


@themed
def sensitivity_figure(est: HedgingEstimates, *, lang: Lang = "zh") -> Figure:
    """Estimates and robust intervals at multiples of the MSE-optimal bandwidth."""
    lab = labels(lang)
    s = est.sensitivity
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    ax.errorbar(s["h_left"], s["estimate"], yerr=[s["estimate"] - s["conf_low"], s["conf_high"] - s["estimate"]],
                fmt="o", color=PALETTE[0], capsize=3, label=lab("Robust"))
    ax.plot(s["h_left"], s["conventional"], "s", color=PALETTE[1], ms=4, label=lab("Conventional"))
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel(lab("bandwidth"))
    ax.set_ylabel(lab(est.outcome))
    ax.legend(loc="best")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- captions, metadata
CAPTIONS = {
    "descriptives": {"zh": "表 1  门槛两侧 {window} 万元内的企业特征均值",
                     "en": "Table 1  Means of firms within {window} (10k yuan) of revenue on each side of the threshold"},
    "first_stage": {"zh": "图 1  担保办理率与驱动变量（一阶段；门槛两侧 {window} 万元内）",
                    "en": "Figure 1  Take-up of the guarantee against the running variable (first stage; within {window} "
                          "(10k yuan) of the threshold)"},
    "rd_plot": {"zh": "图 2  {outcome}与驱动变量（门槛两侧 {window} 万元内的分箱均值与两侧四次多项式拟合）",
                "en": "Figure 2  {outcome} against the running variable (bin means and a quartic fit on each side, "
                      "within {window} (10k yuan) of the threshold)"},
    "results": {"zh": "表 2  断点回归估计", "en": "Table 2  Regression discontinuity estimates"},
    "density": {"zh": "图 3  驱动变量的分布与门槛两侧的密度估计（95% 置信区间）",
                "en": "Figure 3  Distribution of the running variable and density estimates at the threshold (95% CI)"},
    "balance": {"zh": "表 3  前定协变量在门槛处的跳跃", "en": "Table 3  Jumps of predetermined covariates at the threshold"},
    "placebo": {"zh": "表 4  安慰剂断点检验", "en": "Table 4  Placebo cutoffs"},
    "sensitivity": {"zh": "图 4  不同带宽下的估计（稳健 95% 置信区间）",
                    "en": "Figure 4  Estimates at other bandwidths (robust 95% CI)"},
    "truth": {"zh": "表 5  估计值与模拟真实效应", "en": "Table 5  Estimates against the simulated true effects"},
}


def caption(key: str, lang: Lang = "zh", **kw: str) -> str:
    lab = labels(lang)
    fill = {"window": fmt(WINDOW, 0)}
    fill.update({k: (lab.get(v) if k == "outcome" else v) for k, v in kw.items()})
    return fill_caption(CAPTIONS, key, lang, **fill)


def front_matter(est: HedgingEstimates, *, lang: Lang = "zh") -> dict[str, Any]:
    lab = labels(lang)
    s, fz, sc = est.sharp, est.fuzzy, est.sharp_cov
    synthetic = bool(est.truth)
    title = lab.pick(zh="小微企业汇率避险担保增信政策的效果：基于企业规模门槛的断点回归",
                     en="The FX-hedging guarantee for small firms: a regression discontinuity at the small-firm threshold")
    abstract = lab.pick(
        zh=f"本文评估金华市开放经济金融服务改革创新试点第 19 项任务（建立汇率避险政府性融资担保增信服务机制）。担保只面向按工信部联企业〔2011〕300号"
           f"划型的小微企业；对从业人员不少于 20 人的批发企业，上年营业收入低于 5000 万元即为小型企业。利用 {est.n_firms:,} 家企业在这一门槛两侧的差异，"
           f"断点回归估计显示，符合条件使{lab(est.outcome + '_text')}变化 {fmt(s.conventional)} 个百分点"
           f"（稳健 95% 置信区间 {fmt(s.conf_low)} 至 {fmt(s.conf_high)}；控制协变量后为 {fmt(sc.conventional)}），"
           f"办理担保的效应为 {fmt(fz.conventional)}（{fmt(fz.conf_low)} 至 {fmt(fz.conf_high)}）。"
           + synthetic_sentence(lab, synthetic),
        en=f"We evaluate task 19 of the Jinhua open-economy financial services reform pilot (a government-backed "
           f"guarantee for the FX hedging of small firms). The guarantee is for small and micro firms as classified by "
           f"MIIT rule No. 300 (2011); a wholesale firm with at least 20 employees is small if its prior-year revenue is "
           f"below 50 million yuan. Comparing {est.n_firms:,} firms on either side of that threshold, eligibility changes "
           f"the {lab(est.outcome + '_text')} by {fmt(s.conventional)} percentage points (robust 95% CI "
           f"{fmt(s.conf_low)} to {fmt(s.conf_high)}; {fmt(sc.conventional)} with covariates) and the guarantee itself "
           f"by {fmt(fz.conventional)} ({fmt(fz.conf_low)} to {fmt(fz.conf_high)})."
           + synthetic_sentence(lab, synthetic),
    )
    return paper_front_matter(lab, title=title, abstract=abstract, synthetic=synthetic,
                              task=lab.pick(zh="任务 19：建立汇率避险政府性融资担保增信服务机制",
                                            en="Task 19: government-backed guarantees for FX hedging"))
