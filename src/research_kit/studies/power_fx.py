"""Study: power and minimum detectable effects of the FX-loans evaluation (task 2).

Text, tables and figures of ``notebooks/06_power_fx_loans.ipynb``. The design is
calibrated on the FX-loans analysis panel (SYNTHETIC demo data), and the
staggered design is simulated with :func:`research_kit.simulate.staggered_panel`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from research_kit.power import (
    POWER_LABELS,
    did_se,
    mde_did,
    power_curve,
    power_curve_plot,
    power_did,
)
from research_kit.report.labels import Labels, Lang, lower_first
from research_kit.report.tables import Table, format_number, table
from research_kit.studies import fx_loans

__all__ = [
    "Calibration",
    "SimulatedDesign",
    "analytic_figure",
    "calibrate",
    "calibration_paragraph",
    "calibration_table",
    "caption",
    "data_notice",
    "design_paragraph",
    "design_table",
    "front_matter",
    "interpolate_mde",
    "labels",
    "simulate",
    "simulation_figure",
    "simulation_paragraph",
]

EXTRA = {
    **POWER_LABELS,
    "clusters": {"zh": "聚类数 J", "en": "Clusters J"},
    "per_cluster": {"zh": "每类主体数 m", "en": "Businesses per cluster m"},
    "se": {"zh": "标准误", "en": "Std. error"},
    "mde_sd": {"zh": "MDE / 标准差", "en": "MDE / SD"},
    "power_truth": {"zh": "检出真实效应的功效", "en": "Power at the true effect"},
    "quantity": {"zh": "量", "en": "Quantity"},
    "estimated": {"zh": "由演示面板估计", "en": "Estimated from the demo panel"},
    "assumed": {"zh": "本文设定", "en": "Assumed in this paper"},
}


def labels(lang: Lang = "zh") -> Labels:
    return Labels(lang, extra=EXTRA)


@dataclass(frozen=True)
class Calibration:
    """Design quantities estimated from the analysis panel."""

    outcome: str
    sd: float  # SD of the TWFE residual
    autocorr: float  # lag-1 autocorrelation of the residual within a business
    icc: float  # ANOVA estimate of the county-month intra-cluster correlation (>= 0)
    control_mean: float  # mean outcome of untreated business-months
    n_businesses: int
    n_counties: int
    n_cells: int  # bank x county cells where the programme can start
    truth: float  # mean true effect over treated business-months (synthetic data only)
    synthetic: bool


def _twoway_resid(y: np.ndarray, a: np.ndarray, b: np.ndarray, iters: int = 200, tol: float = 1e-10) -> np.ndarray:
    """Residual of y on two sets of dummies (codes a, b) by alternating projections."""
    na, nb = np.bincount(a), np.bincount(b)
    r = y - y.mean()
    for _ in range(iters):
        step = np.bincount(a, r) / na
        r = r - step[a]
        step_b = np.bincount(b, r) / nb
        r = r - step_b[b]
        if max(np.abs(step).max(), np.abs(step_b).max()) < tol:
            break
    return r


def calibrate(panel: pd.DataFrame, outcome: str = "fx_loan_balance") -> Calibration:
    """Residual SD, serial correlation and ICC of ``outcome`` after business and month effects.

    The residual is that of the TWFE regression on the whole panel (treated months
    included), so its variance contains the heterogeneity of the programme effect,
    which a pre-programme calibration would miss (FX balances are near zero before
    the programme). The ICC is the one-way ANOVA estimator on county × month groups,
    scaled up by ``C / (C - 1)`` (C counties) because the month effects absorb the
    mean county shock of each month; ``sd`` includes that correction. Removing the
    business means from a finite panel still shrinks ``sd`` and ``autocorr`` slightly
    (by about ``(1 + φ) / ((1 - φ) T)`` and ``(1 + φ) / T`` for AR(1) errors over T months).
    """
    if outcome not in fx_loans.OUTCOMES:
        raise ValueError(f"outcome must be one of {list(fx_loans.OUTCOMES)}; got {outcome!r}.")
    d = panel.sort_values(["business_id", "month"]).reset_index(drop=True)
    a = pd.factorize(d["business_id"])[0]
    b = pd.factorize(d["month"])[0]
    y = d[outcome].to_numpy(float)
    D = d["treated"].to_numpy(float)
    ry, rD = _twoway_resid(y, a, b), _twoway_resid(D, a, b)
    r = ry - (rD @ ry) / (rD @ rD) * rD
    same = (a[1:] == a[:-1]) & ((d["t"].to_numpy()[1:] - d["t"].to_numpy()[:-1]) == 1)
    ac = float(np.corrcoef(r[1:][same], r[:-1][same])[0, 1])
    g = pd.factorize(d["county"].astype(str) + "|" + d["month"].astype(str))[0]
    n = np.bincount(g)
    means = np.bincount(g, r) / n
    N, k = len(r), len(n)
    msb = float((n * (means - r.mean()) ** 2).sum() / (k - 1))
    msw = float(((r - means[g]) ** 2).sum() / (N - k))
    n0 = (N - (n**2).sum() / N) / (k - 1)
    icc_res = max(0.0, (msb - msw) / (msb + (n0 - 1) * msw))
    # The month effects absorb the mean county shock of each month, shrinking the shock variance by
    # (1 - 1/C) in the residuals; undo that so icc and sd describe the shocks themselves.
    shrink = 1.0 - 1.0 / d["county"].nunique()
    v_res = float(r.var(ddof=1))
    v_c, v_e = icc_res * v_res / shrink, (1.0 - icc_res) * v_res
    return Calibration(
        outcome=outcome, sd=float(np.sqrt(v_c + v_e)), autocorr=ac, icc=v_c / (v_c + v_e),
        control_mean=float(d.loc[d["treated"] == 0, outcome].mean()),
        n_businesses=int(d["business_id"].nunique()), n_counties=int(d["county"].nunique()),
        n_cells=int(d.drop_duplicates(["county", "bank"]).shape[0]),
        truth=fx_loans.truth_overall(d, outcome), synthetic=fx_loans.data_is_synthetic(),
    )


def _design(cal: Calibration, J: int, *, icc: float, n_pre: int, n_post: int) -> dict[str, Any]:
    return {"cluster_size": cal.n_businesses / J, "n_pre": n_pre, "n_post": n_post, "icc": icc,
            "autocorr": cal.autocorr, "sd": cal.sd, "treated_share": 0.5}


def cluster_counts(cal: Calibration, n_clusters: int) -> list[int]:
    """Designs compared: the counties, the chosen number of clusters, and the bank × county cells."""
    return sorted({cal.n_counties, int(n_clusters), cal.n_cells})


def design_table(cal: Calibration, *, n_clusters: int, icc: float, alpha: float, power: float = 0.8,
                 n_pre: int = 12, n_post: int = 12, lang: Lang = "zh") -> Table:
    """MDE and power at the (simulated) true effect for each number of clusters."""
    lab = labels(lang)
    rows = []
    for J in cluster_counts(cal, n_clusters):
        des = _design(cal, J, icc=icc, n_pre=n_pre, n_post=n_post)
        m = mde_did(J, alpha=alpha, power=power, **des)
        row: dict[str, Any] = {lab("clusters"): J, lab("per_cluster"): cal.n_businesses / J, lab("se"): did_se(J, **des),
               lab("mde"): m, lab("mde_sd"): m / cal.sd}
        if cal.synthetic:
            row[lab("power_truth")] = f"{power_did(cal.truth, J, alpha=alpha, **des):.0%}"
        rows.append(row)
    return table(pd.DataFrame(rows), digits={lab("per_cluster"): 1, lab("se"): 3, lab("mde"): 3, lab("mde_sd"): 2},
                 caption=caption("design", lang, outcome=Labels(lang).get(cal.outcome), power=f"{power:.0%}"))


def calibration_table(cal: Calibration, *, icc: float, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    rows = [
        (lab.pick(zh="残差标准差 σ", en="Residual SD σ"), format_number(cal.sd, digits=3), lab("estimated")),
        (lab.pick(zh="一阶自相关（AR(1) 参数）", en="Lag-1 autocorrelation (AR(1) parameter)"),
         format_number(cal.autocorr, digits=3), lab("estimated")),
        (lab.pick(zh="县 × 月组内相关（ICC）", en="County × month intra-cluster correlation (ICC)"),
         format_number(cal.icc, digits=3), lab("estimated")),
        (lab.pick(zh="设计中使用的 ICC", en="ICC used in the design"), format_number(icc, digits=3), lab("assumed")),
        (lab.pick(zh="未开办主体-月的均值", en="Mean over untreated business-months"),
         format_number(cal.control_mean, digits=3), lab("estimated")),
        (lab.pick(zh="经营主体数", en="Businesses"), format_number(cal.n_businesses), lab("estimated")),
    ]
    if cal.synthetic:
        rows.append((lab("truth"), format_number(cal.truth, digits=3), lab.pick(zh="模拟设定", en="Set by the simulation")))
    body = pd.DataFrame(rows, columns=[lab("quantity"), lab("value"), ""])
    return Table(body=body, caption=caption("calibration", lang, outcome=Labels(lang).get(cal.outcome)), align="lrl")


def calibration_paragraph(cal: Calibration, *, icc: float, lang: Lang = "zh") -> str:
    lab = labels(lang)
    name = Labels(lang).get(cal.outcome)
    return lab.pick(
        zh=f"我们用外汇贷款研究的分析面板（{cal.n_businesses:,} 家个体工商户）标定设计参数：去除主体和月份固定效应及开办效应后，"
           f"{name}的残差标准差为 {cal.sd:.3f}，相邻月份残差的相关系数为 {cal.autocorr:.2f}（按 AR(1) 设定序列相关），"
           f"县 × 月的组内相关系数估计为 {cal.icc:.3f}。下文的设计使用 ICC = {icc:.3f}。",
        en=f"We calibrate the design on the FX-loans analysis panel ({cal.n_businesses:,} individual businesses): net of "
           f"business and month effects and of the programme effect, the residual SD of {lower_first(name)} is {cal.sd:.3f}, "
           f"residuals of adjacent months correlate at {cal.autocorr:.2f} (used as an AR(1) serial correlation) and the "
           f"county × month intra-cluster correlation is estimated at {cal.icc:.3f}. The designs below use "
           f"ICC = {icc:.3f}.",
    )


def design_paragraph(cal: Calibration, *, n_clusters: int, icc: float, alpha: float, power: float = 0.8,
                     n_pre: int = 12, n_post: int = 12, lang: Lang = "zh") -> str:
    lab = labels(lang)
    J = int(n_clusters)
    des = _design(cal, J, icc=icc, n_pre=n_pre, n_post=n_post)
    m = mde_did(J, alpha=alpha, power=power, **des)
    p_truth = power_did(cal.truth, J, alpha=alpha, **des)
    base = lab.pick(
        zh=f"以 {J} 个聚类（每类约 {cal.n_businesses / J:.0f} 家主体、一半聚类开办）、开办前后各 {n_pre}/{n_post} 个月、"
           f"显著性水平 {alpha:g} 的双侧检验计，检验功效达到 {power:.0%} 的最小可检测效应为 {m:.3f}（{m / cal.sd:.2f} 个残差标准差）。",
        en=f"With {J} clusters (about {cal.n_businesses / J:.0f} businesses each, half of them treated), {n_pre} months "
           f"before and {n_post} after the start and a two-sided test at level {alpha:g}, the minimum detectable effect "
           f"at {power:.0%} power is {m:.3f} ({m / cal.sd:.2f} residual SDs).",
    )
    if not cal.synthetic:
        return base
    return base + lab.pick(
        zh=f"模拟数据中的真实效应为 {cal.truth:.3f}，该设计检出它的概率为 {p_truth:.0%}。",
        en=f" The true effect in the simulated data is {cal.truth:.3f}; this design detects it with probability "
           f"{p_truth:.0%}.",
    )


def analytic_figure(cal: Calibration, *, n_clusters: int, icc: float, alpha: float, power: float = 0.8,
                    n_pre: int = 12, n_post: int = 12, lang: Lang = "zh"):
    lab = labels(lang)
    curves, mdes = {}, {}
    Js = cluster_counts(cal, n_clusters)
    top = 1.6 * max(mde_did(J, alpha=alpha, power=power, **_design(cal, J, icc=icc, n_pre=n_pre, n_post=n_post))
                    for J in Js)
    effects = np.linspace(0, max(top, 1.2 * abs(cal.truth) if cal.synthetic else top), 61)
    for J in Js:
        des = _design(cal, J, icc=icc, n_pre=n_pre, n_post=n_post)
        name = lab.pick(zh=f"J = {J} 个聚类", en=f"J = {J} clusters")
        curves[name] = power_curve(effects, method="did", n_clusters=J, alpha=alpha, **des)
        mdes[name] = mde_did(J, alpha=alpha, power=power, **des)
    fig = power_curve_plot(curves, lang=lang, target_power=power, xlabel=Labels(lang).get(cal.outcome), mde=mdes)
    if cal.synthetic:
        ax = fig.axes[0]
        ax.axvline(abs(cal.truth), color="black", lw=1.0, ls="-", label=lab("truth"))
        ax.legend(loc="lower right", fontsize=8)
    return fig


@dataclass(frozen=True)
class SimulatedDesign:
    """Simulated power curves of the staggered design (effects in outcome SDs)."""

    curves: dict[str, pd.DataFrame]
    mde: dict[str, float]
    design: dict[str, Any] = field(default_factory=dict)


def interpolate_mde(curve: pd.DataFrame, power: float = 0.8) -> float:
    """Smallest effect at which a (monotone-ish) power curve reaches ``power``, by linear interpolation."""
    d = curve.sort_values("effect")
    e, p = d["effect"].to_numpy(float), d["power"].to_numpy(float)
    above = np.nonzero(p >= power)[0]
    if len(above) == 0:
        return float("nan")
    i = above[0]
    if i == 0:
        return float(e[0])
    return float(e[i - 1] + (power - p[i - 1]) * (e[i] - e[i - 1]) / (p[i] - p[i - 1]))


def simulate(*, n_clusters: int, alpha: float, seed: int, reps: int = 100, n_units: int = 400, n_periods: int = 24,
             effects: tuple[float, ...] = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3), power: float = 0.8,
             lang: Lang = "zh") -> SimulatedDesign:
    """TWFE and Callaway–Sant'Anna power curves of a staggered roll-out (project simulator, unit-clustered SEs)."""
    lab = Labels(lang)
    design = {"n_units": n_units, "n_periods": n_periods, "n_clusters": int(n_clusters), "cluster": "unit",
              "reps": reps, "alpha": alpha, "seed": seed}
    curves = {lab("twfe"): power_curve(effects, method="simulation", estimator="twfe", **design),
              lab("callaway_santanna"): power_curve(effects, method="simulation", estimator="callaway_santanna",
                                                    **design)}
    return SimulatedDesign(curves=curves, mde={k: interpolate_mde(v, power) for k, v in curves.items()}, design=design)


def simulation_figure(sim: SimulatedDesign, *, lang: Lang = "zh", power: float = 0.8):
    lab = labels(lang)
    return power_curve_plot(sim.curves, lang=lang, target_power=power,
                            xlabel=lab.pick(zh="真实效应（结果标准差）", en="True effect (outcome SDs)"))


def simulation_paragraph(sim: SimulatedDesign, *, lang: Lang = "zh", power: float = 0.8) -> str:
    lab = labels(lang)
    d = sim.design
    txt = []
    for name, m in sim.mde.items():
        if np.isfinite(m):
            txt.append(lab.pick(zh=f"{name} 约为 {m:.2f}", en=f"{name}: about {m:.2f}"))
        else:
            txt.append(lab.pick(zh=f"{name} 超出所模拟的范围", en=f"{name}: beyond the simulated range"))
    size = {k: float(v.loc[v["effect"] == 0, "power"].iloc[0]) for k, v in sim.curves.items() if (v["effect"] == 0).any()}
    size_txt = "; ".join(f"{k} {v:.0%}" for k, v in size.items())
    return lab.pick(
        zh=f"在项目模拟器生成的交错开办面板上（{d['n_units']} 个主体 × {d['n_periods']} 期，{d['n_clusters']} 个聚类的共同冲击，"
           f"四批开办，每个效应值模拟 {d['reps']} 次），功效达到 {power:.0%} 的最小效应（单位为结果的标准差）："
           f"{'；'.join(txt)}。效应为零时的拒绝率（检验的实际水平）为：{size_txt}。",
        en=f"On staggered panels from the project's simulator ({d['n_units']} units × {d['n_periods']} periods, common "
           f"shocks in {d['n_clusters']} clusters, four adoption cohorts, {d['reps']} replications per effect size), the "
           f"smallest effect detected with {power:.0%} power (in outcome SDs) is — {'; '.join(txt)}. With no effect the "
           f"rejection rates (the tests' actual size) are: {size_txt}.",
    )


def data_notice(lang: Lang = "zh", root: str | os.PathLike[str] | None = None) -> str:
    return fx_loans.data_notice(lang, root)


CAPTIONS = {
    "calibration": {"zh": "表 1  设计参数的标定（{outcome}）", "en": "Table 1  Calibration of the design ({outcome})"},
    "design": {"zh": "表 2  不同聚类数下的最小可检测效应（{outcome}，功效 {power}）",
               "en": "Table 2  Minimum detectable effect by number of clusters ({outcome}, power {power})"},
    "analytic": {"zh": "图 1  聚类双重差分设计的功效曲线（菱形：最小可检测效应；竖线：模拟真实效应）",
                 "en": "Figure 1  Power of the clustered DiD design (diamonds: MDE; solid line: simulated true effect)"},
    "simulation": {"zh": "图 2  交错开办设计的模拟功效（误差线为 ±2 个蒙特卡洛标准误）",
                   "en": "Figure 2  Simulated power of the staggered design (bars: ±2 Monte Carlo standard errors)"},
}


def caption(key: str, lang: Lang = "zh", **kw: str) -> str:
    return CAPTIONS[key][lang].format(**kw)


def front_matter(cal: Calibration, *, n_clusters: int, icc: float, alpha: float, power: float = 0.8,
                 n_pre: int = 12, n_post: int = 12, lang: Lang = "zh") -> dict[str, Any]:
    lab = labels(lang)
    J = int(n_clusters)
    m = mde_did(J, alpha=alpha, power=power, **_design(cal, J, icc=icc, n_pre=n_pre, n_post=n_post))
    title = lab.pick(zh="个体工商户外汇贷款试点评估的统计功效", en="How much can the FX-loans evaluation detect? A power analysis")
    abstract = lab.pick(
        zh=f"本文为第 2 项任务（推广个体工商户国内外汇贷款）的效果评估计算统计功效和最小可检测效应。以演示面板标定的残差方差、序列相关和组内相关计，"
           f"{J} 个聚类的双重差分设计在 {power:.0%} 功效下可检测的最小效应为 {m:.3f}。" + ("本文数据为模拟演示数据。" if cal.synthetic else ""),
        en=f"We compute the power and the minimum detectable effect of the evaluation of task 2 (domestic FX loans to "
           f"individual businesses). With the residual variance, serial correlation and intra-cluster correlation "
           f"calibrated on the demo panel, a difference-in-differences design with {J} clusters detects effects of "
           f"{m:.3f} or more with {power:.0%} power." + (" The data are synthetic demo data." if cal.synthetic else ""),
    )
    return {"title": title, "abstract": abstract, "lang": lang,
            "task": lab.pick(zh="任务 2：推广个体工商户国内外汇贷款融资", en="Task 2: FX loans to individual businesses"),
            "synthetic": cal.synthetic}
