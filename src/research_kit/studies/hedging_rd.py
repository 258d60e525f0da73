"""Study: the FX-hedging guarantee for small firms and its eligibility threshold.

Task 19 of the Jinhua pilot plan (小微企业和个体工商户汇率避险担保增信政策).

Regression discontinuity at the eligibility threshold: firms just above it can
get the government-backed guarantee for their FX hedging, firms just below
cannot. The sharp RD estimates the effect of eligibility (intention to treat);
the fuzzy RD, with take-up as the treatment, the effect of the guarantee on the
firms that take it up. The demo data are synthetic
(:func:`research_kit.simulate.hedging_demo.hedging_guarantee_demo`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from research_kit import rd
from research_kit.report.labels import Labels, Lang
from research_kit.report.tables import Table, format_number, regression_table, table
from research_kit.simulate.hedging_demo import HedgingRDData, hedging_guarantee_demo

__all__ = [
    "COVARIATES",
    "LABELS",
    "OUTCOMES",
    "HedgingEstimates",
    "balance_table",
    "caption",
    "data_notice",
    "data_paragraph",
    "density_figure",
    "descriptives",
    "estimate",
    "first_stage_figure",
    "front_matter",
    "labels",
    "placebo_table",
    "rd_figure",
    "results_paragraph",
    "results_table",
    "sensitivity_figure",
    "simulate",
    "truth_paragraph",
    "truth_table",
    "validity_paragraph",
]

OUTCOMES = ("hedge_ratio", "fx_loss")
COVARIATES = ("firm_age", "employees", "hedge_ratio_2021")
#: Half-width (万美元) of the window around the threshold shown in the figures.
WINDOW = 40.0

LABELS: dict[str, dict[str, str]] = {
    "hedge_ratio": {"zh": "汇率避险比例（%）", "en": "Hedging ratio (%)"},
    "fx_loss": {"zh": "汇兑损失（占收汇 %）", "en": "FX loss (% of receipts)"},
    "running": {"zh": "上年出口收汇减资格门槛（万美元）", "en": "Prior-year export receipts minus threshold (USD 10k)"},
    "guaranteed": {"zh": "获得避险担保（0/1）", "en": "Guarantee taken up (0/1)"},
    "firm_age": {"zh": "企业年龄（年）", "en": "Firm age (years)"},
    "employees": {"zh": "从业人数", "en": "Employees"},
    "hedge_ratio_2021": {"zh": "2021 年避险比例（%）", "en": "Hedging ratio in 2021 (%)"},
    "hedge_ratio_text": {"zh": "汇率避险比例", "en": "hedging ratio"},
    "fx_loss_text": {"zh": "汇兑损失率", "en": "FX loss rate"},
    "firm_age_text": {"zh": "企业年龄", "en": "firm age"},
    "employees_text": {"zh": "从业人数", "en": "employees"},
    "hedge_ratio_2021_text": {"zh": "2021 年避险比例", "en": "2021 hedging ratio"},
    "Conventional": {"zh": "常规估计", "en": "Conventional"},
    "Bias-Corrected": {"zh": "偏差校正估计", "en": "Bias-corrected"},
    "Robust": {"zh": "稳健偏差校正（推断）", "en": "Robust bias-corrected"},
    "sharp": {"zh": "精确断点（资格效应）", "en": "Sharp RD (effect of eligibility)"},
    "fuzzy": {"zh": "模糊断点（担保效应）", "en": "Fuzzy RD (effect of the guarantee)"},
    "below": {"zh": "门槛以下（不符合条件）", "en": "Below threshold (not eligible)"},
    "above": {"zh": "门槛以上（符合条件）", "en": "Above threshold (eligible)"},
    "n_firms": {"zh": "企业数", "en": "Firms"},
    "share_guaranteed": {"zh": "获得担保占比", "en": "Share with guarantee"},
    "covariate": {"zh": "协变量", "en": "Covariate"},
    "cutoff": {"zh": "断点", "en": "Cutoff"},
    "bandwidth": {"zh": "带宽 h", "en": "Bandwidth h"},
    "n_eff": {"zh": "带宽内观测（左/右）", "en": "Obs. within h (left/right)"},
    "multiplier": {"zh": "带宽倍数", "en": "Bandwidth multiple"},
    "bins": {"zh": "分箱均值", "en": "Bin means"},
    "fit": {"zh": "多项式拟合", "en": "Polynomial fit"},
    "density": {"zh": "密度", "en": "Density"},
    "true_cutoff": {"zh": "真实门槛", "en": "True threshold"},
    "placebo": {"zh": "安慰剂断点", "en": "Placebo cutoff"},
    "conventional_est": {"zh": "常规点估计", "en": "Conventional estimate"},
    "robust_ci": {"zh": "稳健 95% 置信区间", "en": "Robust 95% CI"},
    "itt": {"zh": "资格效应（ITT）", "en": "Effect of eligibility (ITT)"},
    "late": {"zh": "担保效应（LATE）", "en": "Effect of the guarantee (LATE)"},
}


def labels(lang: Lang = "zh") -> Labels:
    """The project labels plus this study's."""
    return Labels(lang, extra=LABELS)


def simulate(n_firms: int, *, threshold: float, take_up: float, manipulation: float, seed: int) -> HedgingRDData:
    """The synthetic demo firms (see :func:`research_kit.simulate.hedging_demo.hedging_guarantee_demo`)."""
    return hedging_guarantee_demo(n_firms, threshold=threshold, take_up=take_up, manipulation=manipulation, seed=seed)


@dataclass(frozen=True)
class HedgingEstimates:
    """Everything the paper reports, computed once."""

    outcome: str
    threshold: float
    sharp: rd.RDResult
    fuzzy: rd.RDResult
    density: rd.DensityResult
    balance: pd.DataFrame
    placebo: pd.DataFrame
    sensitivity: pd.DataFrame
    truth: dict[str, float]
    n_firms: int
    options: dict[str, Any]


def estimate(data: HedgingRDData, *, outcome: str = "hedge_ratio", kernel: str = "triangular",
             bwselect: str = "mserd", p: int = 1, level: float = 0.95) -> HedgingEstimates:
    """Sharp and fuzzy RD, the density test, covariate balance, placebo cutoffs and bandwidth sensitivity."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}; got {outcome!r}.")
    f = data.firms
    opts: dict[str, Any] = dict(kernel=kernel, bwselect=bwselect, p=p, level=level)
    sharp = rd.rdd(f, outcome=outcome, running="running", **opts)
    fuzzy = rd.rdd(f, outcome=outcome, running="running", fuzzy="guaranteed", **opts)
    return HedgingEstimates(
        outcome=outcome, threshold=data.threshold, sharp=sharp, fuzzy=fuzzy,
        density=rd.density_test(f, running="running", kernel=opts["kernel"], level=level),
        balance=rd.covariate_balance(f, covariates=list(COVARIATES), running="running", **opts),
        placebo=rd.placebo_cutoffs(f, outcome=outcome, running="running", **opts),
        sensitivity=rd.bandwidth_sensitivity(f, outcome=outcome, running="running", **opts),
        truth=dict(data.truth), n_firms=len(f), options=opts,
    )


# --------------------------------------------------------------------------- text
def _fmt(x: float, d: int = 2) -> str:
    return format_number(float(x), digits=d)


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def data_notice(lang: Lang = "zh") -> str:
    lab = labels(lang)
    return lab.pick(
        zh="> **数据说明：本文使用的是模拟（合成）演示数据**，由 `research_kit.simulate.rd.hedging_guarantee_demo` 生成，"
           "资格门槛、企业和效应均为虚构，不代表任何真实企业、银行或担保政策。文中的“真实效应”是模拟设定的已知效应，用于检验估计方法。",
        en="> **Data notice: this paper uses synthetic demo data** generated by "
           "`research_kit.simulate.rd.hedging_guarantee_demo`; the eligibility threshold, the firms and the effects are "
           "invented and describe no real firm, bank or guarantee scheme. The \"true effects\" are the known effects "
           "built into the simulation, used to check the estimators.",
    )


def data_paragraph(data: HedgingRDData, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    f = data.firms
    n, elig = len(f), int(f["eligible"].sum())
    take = float(f.loc[f["eligible"] == 1, "guaranteed"].mean())
    return lab.pick(
        zh=f"样本包括 {n:,} 家有出口收汇的小微企业。上年出口收汇不低于 {_fmt(data.threshold, 0)} 万美元的 {elig:,} 家企业"
           f"符合担保条件，其中 {take:.0%} 实际办理了汇率避险担保；门槛以下的企业不能获得担保。"
           f"驱动变量为上年出口收汇与门槛之差（万美元），断点为 0。",
        en=f"The sample has {n:,} small exporting firms. The {elig:,} firms with prior-year export receipts of at least "
           f"USD {_fmt(data.threshold * 10, 0)}k are eligible for the guarantee, and {take:.0%} of them took it up; "
           f"firms below the threshold cannot get it. The running variable is prior-year export receipts minus the "
           f"threshold (USD 10k), with the cutoff at 0.",
    )


def descriptives(data: HedgingRDData, *, lang: Lang = "zh", window: float = 20.0, min_units: int = 5) -> Table:
    """Means on each side of the threshold, within ``window`` (万美元) of it; small cells suppressed."""
    lab = labels(lang)
    f = data.firms.loc[data.firms["running"].abs() <= window]
    sides = {lab("below"): f.loc[f["running"] < 0], lab("above"): f.loc[f["running"] >= 0]}
    rows: list[dict[str, object]] = [{"": lab("n_firms"), **{k: len(v) for k, v in sides.items()}}]
    for col in ("guaranteed", "hedge_ratio", "fx_loss", *COVARIATES):
        name = lab("share_guaranteed") if col == "guaranteed" else lab(col)
        rows.append({"": name, **{k: (float(v[col].mean()) if len(v) >= min_units else np.nan)
                                  for k, v in sides.items()}})
    return table(pd.DataFrame(rows, dtype=object), digits=2,
                 caption=caption("descriptives", lang, window=_fmt(window, 0), window_k=_fmt(window * 10, 0)))


def results_paragraph(est: HedgingEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    s, fz = est.sharp, est.fuzzy
    y = lab(f"{est.outcome}_text")
    fs = fz.info["first_stage_jump"]
    unit = lab.pick(zh=" 个百分点", en=" percentage points")
    return lab.pick(
        zh=f"在 MSE 最优带宽 h = {_fmt(s.h[0])} 万美元内（门槛左侧 {s.n_effective[0]:,} 家、右侧 {s.n_effective[1]:,} 家企业），"
           f"符合担保条件使{y}变化 {_fmt(s.conventional)}{unit}（常规估计；稳健偏差校正 95% 置信区间 "
           f"{_fmt(s.conf_low)} 至 {_fmt(s.conf_high)}，{_p(s.p_value)}）。门槛处担保办理率跳升 {_fmt(fs)}；"
           f"以是否办理担保为处理变量的模糊断点估计为 {_fmt(fz.conventional)}{unit}（稳健 95% 置信区间 {_fmt(fz.conf_low)} 至 "
           f"{_fmt(fz.conf_high)}），这是担保对门槛附近“符合条件即办理”的企业的局部平均处理效应。",
        en=f"Within the MSE-optimal bandwidth of h = {_fmt(s.h[0])} (USD 10k) ({s.n_effective[0]:,} firms left and "
           f"{s.n_effective[1]:,} right of the threshold), eligibility changes the {y} by "
           f"{_fmt(s.conventional)}{unit} (conventional estimate; robust bias-corrected 95% CI {_fmt(s.conf_low)} to "
           f"{_fmt(s.conf_high)}, {_p(s.p_value)}). Take-up of the guarantee jumps by {_fmt(fs)} at the threshold; "
           f"the fuzzy RD estimate, with take-up as the treatment, is {_fmt(fz.conventional)}{unit} (robust 95% CI "
           f"{_fmt(fz.conf_low)} to {_fmt(fz.conf_high)}): the local average effect of the guarantee on the firms near "
           f"the threshold that take it up once eligible.",
    )


def validity_paragraph(est: HedgingEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    d = est.density
    k = len(est.balance)
    worst = est.balance.loc[est.balance["p_value"].idxmin()]
    bonf = min(1.0, k * float(worst["p_value"]))
    plac = est.placebo.loc[est.placebo["placebo"]]
    n_sig = int((plac["p_value"] < 0.05).sum())
    ok_density = d.p_value >= 0.05
    return lab.pick(
        zh=f"驱动变量密度检验（Cattaneo–Jansson–Ma）的统计量为 {_fmt(d.statistic)}，{_p(d.p_value)}，"
           + ("未发现企业在门槛附近操纵申报收汇的证据。" if ok_density else
              "门槛处密度存在跳跃，企业可能为获得担保而调整申报收汇，断点估计需谨慎解读。")
           + f"{k} 个前定协变量在门槛处的跳跃中，最小的稳健 p 值为 {worst['p_value']:.3f}（{lab(worst['covariate'] + '_text')}），"
           f"按 Bonferroni 方法校正 {k} 次检验后为 {bonf:.3f}。在 {len(plac)} 个安慰剂断点中，有 {n_sig} 个在 5% 水平上显著。",
        en=f"The Cattaneo–Jansson–Ma density test of the running variable gives T = {_fmt(d.statistic)}, "
           f"{_p(d.p_value)}: "
           + ("no evidence that firms manipulate reported receipts around the threshold. " if ok_density else
              "the density jumps at the threshold, so firms may misreport receipts to qualify and the RD estimates "
              "must be read with care. ")
           + f"Among the jumps of the {k} predetermined covariates the smallest robust p-value is "
           f"{worst['p_value']:.3f} ({lab(worst['covariate'] + '_text')}), {bonf:.3f} after a Bonferroni correction for "
           f"{k} tests. {n_sig} of the {len(plac)} placebo cutoffs are significant at 5%.",
    )


def truth_paragraph(est: HedgingEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    t = est.truth
    itt, late = t[f"itt_{est.outcome}"], t[f"late_{est.outcome}"]
    cov_s = est.sharp.conf_low <= itt <= est.sharp.conf_high
    cov_f = est.fuzzy.conf_low <= late <= est.fuzzy.conf_high
    return lab.pick(
        zh=f"模拟数据中门槛附近的真实资格效应为 {_fmt(itt)}，真实担保效应为 {_fmt(late)}；"
           f"精确断点的稳健置信区间{'覆盖' if cov_s else '未覆盖'}前者，模糊断点的稳健置信区间{'覆盖' if cov_f else '未覆盖'}后者。",
        en=f"In the simulated data the true effect of eligibility at the threshold is {_fmt(itt)} and the true effect "
           f"of the guarantee is {_fmt(late)}; the robust interval of the sharp RD {'covers' if cov_s else 'misses'} "
           f"the first and that of the fuzzy RD {'covers' if cov_f else 'misses'} the second.",
    )


# --------------------------------------------------------------------------- tables
def results_table(est: HedgingEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    terms = {t: lab(t) for t in rd.TERMS}
    note = lab.pick(
        zh=f"局部多项式阶数 p = {est.options['p']}，{est.options['kernel']} 核，带宽选择 {est.options['bwselect']}；"
           f"带宽 h：精确 {_fmt(est.sharp.h[0])}，模糊 {_fmt(est.fuzzy.h[0])}（万美元）。"
           "“稳健偏差校正”行的点估计为偏差校正估计，区间为 Calonico–Cattaneo–Titiunik 稳健置信区间。",
        en=f"Local polynomial of order p = {est.options['p']}, {est.options['kernel']} kernel, bandwidth selector "
           f"{est.options['bwselect']}; bandwidth h: sharp {_fmt(est.sharp.h[0])}, fuzzy {_fmt(est.fuzzy.h[0])} "
           "(USD 10k). The robust row shows the bias-corrected estimate with the Calonico–Cattaneo–Titiunik robust "
           "interval.",
    )
    return regression_table([est.sharp, est.fuzzy], lang=lang, stat="ci", labels=terms,
                            model_names=[lab("sharp"), lab("fuzzy")], caption=caption("results", lang), notes=[note])


def _robust_ci(row: pd.Series) -> str:
    return f"[{_fmt(row['conf_low'])}, {_fmt(row['conf_high'])}]"


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


def truth_table(est: HedgingEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    rows = []
    for key, r, name in (("itt", est.sharp, lab("itt")), ("late", est.fuzzy, lab("late"))):
        truth = est.truth[f"{key}_{est.outcome}"]
        rows.append({lab("term"): name, lab("conventional_est"): r.conventional, lab("truth"): truth,
                     lab("robust_ci"): f"[{_fmt(r.conf_low)}, {_fmt(r.conf_high)}]",
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


def sensitivity_figure(est: HedgingEstimates, *, lang: Lang = "zh"):
    """Estimates and robust intervals at multiples of the MSE-optimal bandwidth."""
    from research_kit.report.figures import _axes
    from research_kit.report.theme import PALETTE

    lab = labels(lang)
    s = est.sensitivity
    fig, ax = _axes(None, (7.0, 3.8))
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
    "descriptives": {"zh": "表 1  门槛两侧 {window} 万美元内的企业特征均值",
                     "en": "Table 1  Means of firms within USD {window_k}k on each side of the threshold"},
    "first_stage": {"zh": "图 1  担保办理率与驱动变量（一阶段；门槛两侧 {window} 万美元内）",
                    "en": "Figure 1  Take-up of the guarantee against the running variable (first stage; within USD {window_k}k "
                          "of the threshold)"},
    "rd_plot": {"zh": "图 2  {outcome}与驱动变量（门槛两侧 {window} 万美元内的分箱均值与两侧四次多项式拟合）",
                "en": "Figure 2  {outcome} against the running variable (bin means and a quartic fit on each side, "
                      "within USD {window_k}k of the threshold)"},
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
    fill = {"window": _fmt(WINDOW, 0), "window_k": _fmt(WINDOW * 10, 0)}
    fill.update({k: (lab.get(v) if k == "outcome" else v) for k, v in kw.items()})
    return CAPTIONS[key][lang].format(**fill)


def front_matter(est: HedgingEstimates, *, lang: Lang = "zh") -> dict[str, Any]:
    lab = labels(lang)
    s, fz = est.sharp, est.fuzzy
    title = lab.pick(zh="小微企业汇率避险担保增信政策的效果：基于资格门槛的断点回归",
                     en="The FX-hedging guarantee for small firms: a regression discontinuity at the eligibility threshold")
    abstract = lab.pick(
        zh=f"本文评估金华市开放经济金融服务改革试点第 19 项任务（建立汇率避险政府性融资担保增信服务机制）。利用 {est.n_firms:,} 家小微企业"
           f"在担保资格门槛附近的差异，断点回归估计显示，符合条件使{lab(est.outcome + '_text')}变化 {_fmt(s.conventional)} 个百分点"
           f"（稳健 95% 置信区间 {_fmt(s.conf_low)} 至 {_fmt(s.conf_high)}），办理担保的效应为 {_fmt(fz.conventional)}"
           f"（{_fmt(fz.conf_low)} 至 {_fmt(fz.conf_high)}）。本文数据为模拟演示数据。",
        en=f"We evaluate task 19 of the Jinhua open-economy financial services reform pilot (a government-backed "
           f"guarantee for the FX hedging of small firms). Comparing {est.n_firms:,} small firms just above and below "
           f"the eligibility threshold, eligibility changes the {lab(est.outcome + '_text')} by {_fmt(s.conventional)} "
           f"percentage points (robust 95% CI {_fmt(s.conf_low)} to {_fmt(s.conf_high)}) and the guarantee itself by "
           f"{_fmt(fz.conventional)} ({_fmt(fz.conf_low)} to {_fmt(fz.conf_high)}). The data are synthetic demo data.",
    )
    return {"title": title, "abstract": abstract, "lang": lang,
            "task": lab.pick(zh="任务 19：建立汇率避险政府性融资担保增信服务机制",
                             en="Task 19: government-backed guarantees for FX hedging"),
            "synthetic": True}
