"""Demo study: one county pilots digital RMB (task 16 of the Jinhua plan, 开展数字人民币试点).

A synthetic control built from the other Jinhua counties and counties elsewhere
in Zhejiang estimates how much the pilot raised the share of merchants that
accept digital RMB (or wallets opened per 1,000 residents). The data are
SYNTHETIC (:func:`research_kit.simulate.digital_rmb_demo.digital_rmb_panel`), so the
estimates can be compared with the effect built into the simulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from research_kit.report.labels import Labels, Lang, check_lang
from research_kit.report.tables import Table, format_number, table
from research_kit.simulate.digital_rmb_demo import (
    DIGITAL_RMB_OUTCOMES,
    JINHUA_COUNTIES,
    DigitalRmbDemo,
    digital_rmb_panel,
)
from research_kit.synth import PlaceboResult, SyntheticControlResult, SyntheticDiDResult

__all__ = [
    "LABELS",
    "OUTCOMES",
    "RmbEstimates",
    "balance_table",
    "caption",
    "county_name",
    "data_notice",
    "data_paragraph",
    "estimate",
    "estimates_table",
    "figure_caption",
    "front_matter",
    "in_time_figure",
    "in_time_paragraph",
    "labels",
    "paths_figure",
    "placebo_figure",
    "placebo_paragraph",
    "predictors",
    "results_paragraph",
    "sdid_figure",
    "simulate",
    "simulation_note",
    "truth_paragraph",
    "weights_table",
]

OUTCOMES = tuple(DIGITAL_RMB_OUTCOMES)

LABELS: dict[str, dict[str, str]] = {
    "merchant_share": {"zh": "数字人民币受理商户占比（%）", "en": "Merchants accepting digital RMB (%)"},
    "wallets_per_1000": {"zh": "每千人数字人民币钱包数（个）", "en": "Digital RMB wallets per 1,000 residents"},
    "mobile_pay_share": {"zh": "移动支付受理商户占比（%）", "en": "Merchants accepting mobile payment (%)"},
    "online_retail_share": {"zh": "网络零售额占比（%）", "en": "Online share of retail sales (%)"},
    "retail_sales_pc": {"zh": "人均社会消费品零售额（万元）", "en": "Retail sales per resident (10k yuan)"},
    "synthetic_control": {"zh": "合成控制法（ADH）", "en": "Synthetic control (ADH)"},
    "synthetic_did": {"zh": "合成双重差分（SDID）", "en": "Synthetic DiD (SDID)"},
    "did_synthdid": {"zh": "双重差分（DiD）", "en": "Difference-in-differences (DiD)"},
    "weight": {"zh": "权重", "en": "Weight"},
    "donor": {"zh": "对照县（市、区）", "en": "Donor county"},
    "prefecture": {"zh": "所属地市", "en": "Prefecture"},
    "pilot_county": {"zh": "试点县", "en": "Pilot county"},
    "synthetic": {"zh": "合成对照", "en": "Synthetic control"},
    "donor_mean": {"zh": "对照县平均", "en": "Donor average"},
    "predictor": {"zh": "预测变量", "en": "Predictor"},
    "method": {"zh": "方法", "en": "Method"},
    "inference": {"zh": "推断", "en": "Inference"},
    "months_before": {"zh": "试点前 {n} 个月", "en": "{n} month(s) before the pilot"},
    "pre_mean": {"zh": "试点前均值", "en": "pre-pilot mean"},
}

CAPTIONS = {
    "paths": {"zh": "图 1  {county}与合成{county}的{outcome}（左）及两者之差（右）",
              "en": "Figure 1  {outcome}: {county} and synthetic {county} (left) and the gap (right)"},
    "weights": {"zh": "表 1  合成{county}的对照县权重（权重不低于 0.001）",
                "en": "Table 1  Donor weights of synthetic {county} (weights of at least 0.001)"},
    "balance": {"zh": "表 2  试点前预测变量：{county}、合成{county}与对照县平均",
                "en": "Table 2  Pre-pilot predictors: {county}, synthetic {county} and the donor average"},
    "placebo": {"zh": "图 2  安慰剂检验：{county}的差距与各对照县作为虚拟试点时的差距",
                "en": "Figure 2  Placebo test: the gap of {county} against the gaps of donor counties treated as placebos"},
    "estimates": {"zh": "表 3  试点效应估计（试点后各月平均）与模拟真实效应",
                  "en": "Table 3  Estimated pilot effect (average over post-pilot months) and the simulated true effect"},
    "sdid": {"zh": "图 3  合成双重差分：{county}与加权对照组（底部为时间权重）",
             "en": "Figure 3  Synthetic DiD: {county} and the weighted controls (time weights at the bottom)"},
    "in_time": {"zh": "图 4  时间安慰剂：假定试点提前至 {fake}", "en": "Figure 4  In-time placebo: pilot moved back to {fake}"},
}


def labels(lang: Lang = "zh") -> Labels:
    """Labels with this study's keys."""
    return Labels(check_lang(lang), extra=LABELS)


def county_name(county: str, lang: Lang = "zh", panel: pd.DataFrame | None = None) -> str:
    """Display name of a county (the panel's English name in English papers)."""
    if lang == "zh":
        return county
    for zh, en in JINHUA_COUNTIES:
        if zh == county:
            return en
    if panel is not None:
        hit = panel.loc[panel["county"] == county, "county_en"]
        if len(hit):
            return str(hit.iloc[0])
    return county


def _month(ts: Any) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m")


def simulate(*, treated: str = "义乌市", treatment_time: str = "2023-01", effect: float = 10.0, seed: int = 0
             ) -> DigitalRmbDemo:
    """The SYNTHETIC demo panel (72 months from 2020-01, 8 Jinhua + 16 other Zhejiang donor counties)."""
    return digital_rmb_panel(treated=treated, treatment_time=treatment_time, effect=effect, seed=seed)


def predictors(outcome: str, treatment_time: Any) -> list[Any]:
    """The covariates (pre-pilot means) and the outcome 18, 6 and 1 months before the pilot."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}; got {outcome!r}.")
    t0 = pd.Timestamp(treatment_time)
    lags = [t0 - pd.DateOffset(months=m) for m in (18, 6, 1)]
    return ["mobile_pay_share", "online_retail_share", "retail_sales_pc"] + [(outcome, lag) for lag in lags]


@dataclass(frozen=True)
class RmbEstimates:
    """Everything the paper reports, computed once."""

    demo: DigitalRmbDemo
    outcome: str
    sc: SyntheticControlResult
    placebo: PlaceboResult
    in_time: SyntheticControlResult
    sdid: SyntheticDiDResult
    did: SyntheticDiDResult
    truth: float
    in_time_months: int


def estimate(demo: DigitalRmbDemo, *, outcome: str = "merchant_share", v_search: Literal["global", "synth"] = "global",
             pre_rmspe_cutoff: float | None = 2.0, in_time_months: int = 12, reps: int = 200,
             seed: int = 0) -> RmbEstimates:
    """Synthetic control (with in-space and in-time placebos), SDID and DiD for one outcome."""
    from research_kit import synth

    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}; got {outcome!r}.")
    kw: dict[str, Any] = {"outcome": outcome, "unit": "county", "time": "month", "treated": demo.treated,
                          "treatment_time": demo.treatment_time}
    sc = synth.synthetic_control(demo.panel, predictors=predictors(outcome, demo.treatment_time), v_search=v_search,
                                 seed=seed, **kw)
    placebo = sc.placebo_test(pre_rmspe_cutoff=pre_rmspe_cutoff)
    fake = demo.treatment_time - pd.DateOffset(months=int(in_time_months))
    in_time = sc.in_time_placebo(fake, predictors=predictors(outcome, fake))
    sdid = synth.synthetic_did(demo.panel, method="sdid", se="placebo", reps=reps, seed=seed, **kw)
    did = synth.synthetic_did(demo.panel, method="did", se="placebo", reps=reps, seed=seed, **kw)
    return RmbEstimates(demo=demo, outcome=outcome, sc=sc, placebo=placebo, in_time=in_time, sdid=sdid, did=did,
                        truth=demo.true_att(outcome), in_time_months=int(in_time_months))


# --------------------------------------------------------------------------- text
def _fmt(x: float, d: int = 2) -> str:
    return format_number(float(x), digits=d)


def _fmt_p(p: float) -> str:
    return "<0.001" if p < 0.001 else _fmt(p, 3)


def caption(key: str, lang: Lang = "zh", **kw: Any) -> str:
    return CAPTIONS[key][lang].format(**kw)


def figure_caption(key: str, est: RmbEstimates, lang: Lang = "zh") -> str:
    """Caption of a figure or table of this paper, filled in from the estimates."""
    return caption(key, lang, county=county_name(est.demo.treated, lang), outcome=labels(lang)(est.outcome),
                   fake=_month(est.in_time.info["treatment_time"]))


def data_notice(lang: Lang = "zh") -> str:
    lab = labels(lang)
    return lab.pick(
        zh="> **数据说明：本文使用模拟（合成）演示数据**，由 `research_kit.simulate.synth.digital_rmb_panel` 生成。"
           "县名是真实的，但所有数值均为模拟结果，不代表任何县（市、区）的实际情况。文中的“真实效应”是模拟设定的已知效应，用于检验估计方法。",
        en="> **Data notice: this paper uses synthetic demo data** generated by "
           "`research_kit.simulate.synth.digital_rmb_panel`. The county names are real; every number is simulated and "
           "describes no real county. The \"true effect\" is the effect built into the simulation, used to check the estimators.",
    )


def data_paragraph(est: RmbEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    d = est.demo.panel
    donors = d.loc[d["county"] != est.demo.treated]
    n_jh = donors.loc[donors["prefecture"] == "金华市", "county"].nunique()
    n_other = donors["county"].nunique() - n_jh
    first, last = _month(d["month"].min()), _month(d["month"].max())
    n_pre = int(est.sc.info["pre_periods"])
    n_post = int(est.sc.info["post_periods"])
    name = county_name(est.demo.treated, lang)
    return lab.pick(
        zh=f"面板为 {first} 至 {last} 的县级月度数据。试点县为{name}，自 {_month(est.demo.treatment_time)} 起开展数字人民币试点；"
           f"对照县（供体池）包括金华市其余 {n_jh} 个县（市、区）和浙江省其他地市的 {n_other} 个县（市），均未开展试点。"
           f"试点前共 {n_pre} 个月，试点后 {n_post} 个月。结果变量为{lab(est.outcome)}。",
        en=f"The panel is monthly county data from {first} to {last}. The pilot county is {name}, which starts the "
           f"digital RMB pilot in {_month(est.demo.treatment_time)}; the donor pool consists of the other {n_jh} Jinhua "
           f"counties and {n_other} counties elsewhere in Zhejiang, none of which pilot. There are {n_pre} pre-pilot and "
           f"{n_post} post-pilot months. The outcome: {lab(est.outcome)}.",
    )


def results_paragraph(est: RmbEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    sc, name = est.sc, county_name(est.demo.treated, lang)
    w = sc.weights.sort_values(ascending=False)
    top = w.loc[w >= 0.001]
    top_txt = ("、" if lang == "zh" else ", ").join(
        f"{county_name(u, lang, est.demo.panel)}（{_fmt(v, 3)}）" if lang == "zh" else f"{county_name(u, lang, est.demo.panel)} ({_fmt(v, 3)})"
        for u, v in top.head(4).items())
    gap = sc.gap
    last = gap.index[-1]
    return lab.pick(
        zh=f"合成{name}由 {len(top)} 个对照县加权构成，权重最大的是{top_txt}。试点前两者的均方根预测误差（RMSPE）为 {_fmt(sc.pre_rmspe)}，"
           f"试点后为 {_fmt(sc.post_rmspe)}。试点后各月{name}与合成{name}之差的平均值为 {_fmt(sc.estimate)}，"
           f"到 {_month(last)} 差距为 {_fmt(gap.iloc[-1])}。",
        en=f"Synthetic {name} is a weighted average of {len(top)} donor counties, the largest weights on {top_txt}. "
           f"The root mean squared prediction error (RMSPE) between the two is {_fmt(sc.pre_rmspe)} before the pilot and "
           f"{_fmt(sc.post_rmspe)} after it. The gap between {name} and its synthetic control averages {_fmt(sc.estimate)} "
           f"over the post-pilot months and reaches {_fmt(gap.iloc[-1])} in {_month(last)}.",
    )


def placebo_paragraph(est: RmbEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    p, name = est.placebo, county_name(est.demo.treated, lang)
    n_units, rank, n_exc = int(p.info["n_units"]), int(p.info["rank"]), int(p.info["n_excluded"])
    cut = p.info["pre_rmspe_cutoff"]
    exc = ""
    if cut is not None:
        exc = lab.pick(zh=f"（剔除试点前 RMSPE 超过{name} {_fmt(cut, 1)} 倍的 {n_exc} 个对照县后）",
                       en=f" (after excluding {n_exc} donor{'s' if n_exc != 1 else ''} whose pre-pilot RMSPE exceeds "
                          f"{_fmt(cut, 1)} times {name}'s)")
    return lab.pick(
        zh=f"安慰剂检验把每个对照县依次当作“试点县”，用其余对照县构造合成控制{exc}。{name}试点后与试点前 RMSPE 之比为 "
           f"{_fmt(p.info['rmspe_ratio'])}，在 {n_units} 个县中排第 {rank} 位，置换检验 p 值为 {_fmt_p(p.p_value)}。",
        en=f"The placebo test treats each donor county in turn as if it had piloted and builds its synthetic control from "
           f"the other donors{exc}. {name}'s ratio of post- to pre-pilot RMSPE is {_fmt(p.info['rmspe_ratio'])}, rank {rank} "
           f"of {n_units} counties: a permutation p-value of {_fmt_p(p.p_value)}.",
    )


def in_time_paragraph(est: RmbEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    it, name = est.in_time, county_name(est.demo.treated, lang)
    fake = _month(it.info["treatment_time"])
    return lab.pick(
        zh=f"时间安慰剂检验只用真实试点前的数据，把试点时间假定为 {fake}（提前 {est.in_time_months} 个月）。"
           f"虚拟试点后至真实试点前，{name}与合成{name}之差的平均值为 {_fmt(it.estimate)}，而真实试点后为 {_fmt(est.sc.estimate)}。",
        en=f"The in-time placebo uses only the data before the real pilot and pretends it started in {fake} "
           f"({est.in_time_months} months early). Between the fake and the real start the gap between {name} and its "
           f"synthetic control averages {_fmt(it.estimate)}, against {_fmt(est.sc.estimate)} after the real pilot.",
    )


def simulation_note(est: RmbEstimates, *, lang: Lang = "zh") -> str:
    """Where the data come from (no data file is read: the panel is simulated in memory)."""
    d = est.demo
    call = (f"`research_kit.simulate.synth.digital_rmb_panel(treated=\"{d.treated}\", "
            f"treatment_time=\"{_month(d.treatment_time)}\", effect={d.effect:g}, seed={d.seed})`")
    n_rows = len(d.panel)
    return labels(lang).pick(
        zh=f"数据：本文不读取数据文件，面板（{n_rows:,} 行）由 {call} 在运行时模拟生成，给定参数即可完全复现。",
        en=f"Data: no data file is read; the panel ({n_rows:,} rows) is simulated at run time by {call} and is "
           "reproduced exactly from these arguments.",
    )


def truth_paragraph(est: RmbEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    covered = est.sdid.conf_low <= est.truth <= est.sdid.conf_high
    return lab.pick(
        zh=f"模拟数据中试点后各月的平均真实效应为 {_fmt(est.truth)}。合成控制估计与之相差 {_fmt(est.sc.estimate - est.truth)}，"
           f"SDID 相差 {_fmt(est.sdid.estimate - est.truth)}（真实效应{'落在' if covered else '不在'}其 95% 置信区间内），"
           f"DiD 相差 {_fmt(est.did.estimate - est.truth)}。",
        en=f"In the simulated data the true effect averages {_fmt(est.truth)} over the post-pilot months. The synthetic "
           f"control estimate differs from it by {_fmt(est.sc.estimate - est.truth)}, SDID by "
           f"{_fmt(est.sdid.estimate - est.truth)} (its 95% interval {'covers' if covered else 'does not cover'} the "
           f"truth) and DiD by {_fmt(est.did.estimate - est.truth)}.",
    )


# --------------------------------------------------------------------------- tables
def weights_table(est: RmbEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    w = est.sc.weights.sort_values(ascending=False)
    w = w.loc[w >= 0.001]
    pref = est.demo.panel.drop_duplicates("county").set_index("county")["prefecture"]
    df = pd.DataFrame({
        lab("donor"): [county_name(u, lang, est.demo.panel) for u in w.index],
        lab("prefecture"): [pref[u] if lang == "zh" else _PREF_EN.get(pref[u], pref[u]) for u in w.index],
        lab("weight"): w.to_numpy(),
    })
    name = county_name(est.demo.treated, lang)
    return table(df, digits=3, caption=caption("weights", lang, county=name))


_PREF_EN = {"金华市": "Jinhua", "绍兴市": "Shaoxing", "嘉兴市": "Jiaxing", "湖州市": "Huzhou", "衢州市": "Quzhou",
            "丽水市": "Lishui", "温州市": "Wenzhou", "台州市": "Taizhou", "宁波市": "Ningbo", "杭州市": "Hangzhou"}


def _predictor_label(label: str, est: RmbEstimates, lab: Labels) -> str:
    if "(" not in label:
        return f"{lab(label)}，{lab('pre_mean')}" if lab.lang == "zh" else f"{lab(label)}, {lab('pre_mean')}"
    col, when = label.split("(", 1)
    when = when.rstrip(")")
    months = (est.demo.treatment_time.year - pd.Timestamp(when).year) * 12 + (
        est.demo.treatment_time.month - pd.Timestamp(when).month)
    sep = "，" if lab.lang == "zh" else ", "
    text = lab("months_before").format(n=months)
    if lab.lang == "en":
        text = text.replace("(s)", "" if months == 1 else "s")
    return f"{lab(col)}{sep}{text}"


def balance_table(est: RmbEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    b = est.sc.balance
    name = county_name(est.demo.treated, lang)
    df = pd.DataFrame({
        lab("predictor"): [_predictor_label(i, est, lab) for i in b.index],
        name: b["treated"].to_numpy(),
        lab("synthetic"): b["synthetic"].to_numpy(),
        lab("donor_mean"): b["donor_mean"].to_numpy(),
        "V": est.sc.predictor_weights.to_numpy(),
    })
    return table(df, digits={name: 2, lab("synthetic"): 2, lab("donor_mean"): 2, "V": 3},
                 caption=caption("balance", lang, county=name),
                 notes=(lab.pick(zh="V 为嵌套优化得到的预测变量权重。", en="V: predictor weights from the nested optimisation."),))


def estimates_table(est: RmbEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    rows = []
    for key, r, inf in (
        ("synthetic_control", est.sc, lab.pick(zh="置换检验 p 值", en="permutation p-value")),
        ("synthetic_did", est.sdid, lab.pick(zh="安慰剂标准误", en="placebo standard error")),
        ("did_synthdid", est.did, lab.pick(zh="安慰剂标准误", en="placebo standard error")),
    ):
        se = r.std_error
        p = est.placebo.p_value if key == "synthetic_control" else r.p_value
        ci = "" if not np.isfinite(se) else f"[{_fmt(r.conf_low)}, {_fmt(r.conf_high)}]"
        rows.append({lab("method"): lab(key), lab("estimate"): r.estimate, lab("std_error"): se,
                     lab("conf_int"): ci, lab("p_value"): _fmt_p(p), lab("inference"): inf})
    rows.append({lab("method"): lab("truth"), lab("estimate"): est.truth, lab("std_error"): np.nan,
                 lab("conf_int"): "", lab("p_value"): "", lab("inference"): ""})
    return table(pd.DataFrame(rows), digits={lab("estimate"): 2, lab("std_error"): 2},
                 caption=caption("estimates", lang))


# --------------------------------------------------------------------------- figures
def paths_figure(est: RmbEstimates, *, lang: Lang = "zh") -> Any:
    from research_kit.report.synth_plots import labels as synth_labels

    lab = labels(lang)
    name = county_name(est.demo.treated, lang)
    axes = est.sc.plot(lang=lang, ylabel=lab(est.outcome))
    axes[0].lines[0].set_label(name)
    axes[0].lines[1].set_label(synth_labels(lang)("synthetic_of").format(unit=name))
    axes[0].legend(loc="upper left", fontsize=8)
    truth = est.demo.true_path(est.outcome)
    axes[1].plot(truth.index, truth.to_numpy(), color="black", lw=1.0, ls="--", label=lab("truth"))
    axes[1].legend(loc="upper left", fontsize=8)
    for ax in axes:
        ax.tick_params(axis="x", labelrotation=30)
    fig = axes[0].figure
    fig.tight_layout()
    return fig


def placebo_figure(est: RmbEstimates, *, lang: Lang = "zh") -> Any:
    lab = labels(lang)
    ax = est.placebo.plot(kind="gaps", lang=lang, ylabel=lab(est.outcome))
    for line in ax.lines:
        if line.get_label() == est.demo.treated:
            line.set_label(county_name(est.demo.treated, lang))
    ax.legend(loc="upper left", fontsize=8)
    ax.tick_params(axis="x", labelrotation=30)
    ax.figure.tight_layout()
    return ax.figure


def sdid_figure(est: RmbEstimates, *, lang: Lang = "zh") -> Any:
    lab = labels(lang)
    ax = est.sdid.plot(lang=lang, ylabel=lab(est.outcome))
    ax.lines[0].set_label(county_name(est.demo.treated, lang))
    ax.legend(loc="upper left", fontsize=8)
    ax.tick_params(axis="x", labelrotation=30)
    ax.figure.tight_layout()
    return ax.figure


def in_time_figure(est: RmbEstimates, *, lang: Lang = "zh") -> Any:
    from research_kit.report.synth_plots import labels as synth_labels

    lab = labels(lang)
    ax = est.in_time.plot(kind="paths", lang=lang, ylabel=lab(est.outcome))
    name = county_name(est.demo.treated, lang)
    ax.lines[0].set_label(name)
    ax.lines[1].set_label(synth_labels(lang)("synthetic_of").format(unit=name))
    ax.legend(loc="upper left", fontsize=8)
    ax.tick_params(axis="x", labelrotation=30)
    ax.figure.tight_layout()
    return ax.figure


def front_matter(est: RmbEstimates, *, lang: Lang = "zh") -> dict[str, Any]:
    lab = labels(lang)
    name = county_name(est.demo.treated, lang)
    title = lab.pick(zh=f"数字人民币试点的效果评估：{name}的合成控制分析",
                     en=f"The digital RMB pilot in {name}: a synthetic control evaluation")
    abstract = lab.pick(
        zh=f"本文评估金华市开放经济金融服务改革试点第 16 项任务（开展数字人民币试点）。以{name}为试点县、金华及浙江其他县（市、区）为对照，"
           f"合成控制法估计试点使{lab(est.outcome)}平均变化 {_fmt(est.sc.estimate)}（置换检验 p 值 {_fmt(est.placebo.p_value, 3)}），"
           f"合成双重差分估计为 {_fmt(est.sdid.estimate)}（95% 置信区间 {_fmt(est.sdid.conf_low)} 至 {_fmt(est.sdid.conf_high)}）。"
           "本文数据为模拟演示数据。",
        en=f"We evaluate task 16 of the Jinhua open-economy financial services reform pilot (the digital RMB pilot). "
           f"With {name} as the pilot county and other Jinhua and Zhejiang counties as donors, the synthetic control "
           f"estimate of the effect on the outcome \"{lab(est.outcome)}\" is {_fmt(est.sc.estimate)} (permutation p = "
           f"{_fmt(est.placebo.p_value, 3)}); synthetic DiD gives {_fmt(est.sdid.estimate)} (95% CI "
           f"{_fmt(est.sdid.conf_low)} to {_fmt(est.sdid.conf_high)}). The data are synthetic demo data.",
    )
    return {"title": title, "abstract": abstract, "lang": lang,
            "task": lab.pick(zh="任务 16：开展数字人民币试点", en="Task 16: digital RMB pilot"),
            "county": name, "synthetic": True}
