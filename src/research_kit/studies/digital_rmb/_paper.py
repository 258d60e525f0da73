"""Text, tables and figures of the digital RMB paper, in Chinese and English."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from research_kit.report.labels import Labels, Lang
from research_kit.report.tables import Table, table
from research_kit.studies._common import (
    SIMULATE_COMMAND,
    code_list,
    fill_caption,
    fmt,
    fmt_p,
    month,
    paper_front_matter,
    study_labels,
    truth_sentence,
)
from research_kit.studies.digital_rmb._data import CITY_EN, PROVINCE_EN, CityData
from research_kit.studies.digital_rmb._estimate import RmbEstimates

__all__ = ["balance_table", "caption", "CAPTIONS", "city_name", "CLOSE_FIT", "conclusion_paragraph", "data_notice", "data_paragraph", "donor_table", "estimates_table", "figure_caption", "fit_sentence", "front_matter", "in_time_figure", "in_time_paragraph", "LABELS", "labels", "paths_figure", "pilot_table", "placebo_figure", "placebo_paragraph", "provenance_note", "results_paragraph", "sdid_figure", "STATUS", "truth_paragraph", "weights_table"]


LABELS: dict[str, dict[str, str]] = {
    "retail_pc": {"zh": "人均社会消费品零售额（元/月）", "en": "Retail sales per resident (yuan per month)"},
    "online_pc": {"zh": "人均网上零售额（元/月）", "en": "Online retail sales per resident (yuan per month)"},
    "retail_pc_text": {"zh": "人均社会消费品零售额", "en": "retail sales per resident"},
    "online_pc_text": {"zh": "人均网上零售额", "en": "online retail sales per resident"},
    "synthetic_did": {"zh": "合成双重差分", "en": "Synthetic difference-in-differences"},
    "did_synthdid": {"zh": "双重差分", "en": "Difference-in-differences"},
    "weight": {"zh": "权重", "en": "Weight"},
    "donor": {"zh": "对照城市", "en": "Donor city"},
    "city": {"zh": "城市", "en": "City"},
    "province": {"zh": "省份", "en": "Province"},
    "status": {"zh": "在本研究中的角色", "en": "Role in this study"},
    "n_cities": {"zh": "城市数", "en": "Cities"},
    "cities": {"zh": "城市", "en": "Cities"},
    "synthetic": {"zh": "合成对照", "en": "Synthetic control"},
    "donor_mean": {"zh": "对照城市平均", "en": "Donor average"},
    "predictor": {"zh": "预测变量", "en": "Predictor"},
    "predictor_weight": {"zh": "预测变量权重", "en": "Predictor weight"},
    "method": {"zh": "方法", "en": "Method"},
    "inference": {"zh": "推断", "en": "Inference"},
    "months_before": {"zh": "试点前 {n} 个月", "en": "{n} month(s) before the pilot"},
    "pre_mean": {"zh": "试点前均值", "en": "pre-pilot mean"},
    "area": {"zh": "试点地区", "en": "Pilot area"},
    "start": {"zh": "纳入试点", "en": "Pilot from"},
    "batch": {"zh": "批次", "en": "Batch"},
}

STATUS = {
    "treated": {"zh": "试点城市（处理组）", "en": "Pilot city (treated)"},
    "donor": {"zh": "对照城市（供体池）", "en": "Donor (never a pilot area in the sample)"},
    "pilot": {"zh": "剔除：本身为试点地区", "en": "Excluded: itself a pilot area"},
    "province_pilot": {"zh": "剔除：所在省全域试点", "en": "Excluded: province-wide pilot"},
    "neighbour": {"zh": "剔除：与试点城市相邻", "en": "Excluded: borders the pilot city"},
    "same_province": {"zh": "剔除：与试点城市同省", "en": "Excluded: same province as the pilot city"},
}

CAPTIONS = {
    "pilots": {"zh": "表 1  数字人民币试点地区及纳入时间", "en": "Table 1  e-CNY pilot areas and the month each joined"},
    "donors": {"zh": "表 2  候选城市及其在本研究中的角色", "en": "Table 2  Candidate cities and their role in this study"},
    "paths": {"zh": "图 1  {city}与合成{city}的{outcome}（左）及两者之差（右）",
              "en": "Figure 1  {outcome}: {city} and synthetic {city} (left) and the gap (right)"},
    "weights": {"zh": "表 3  合成{city}的对照城市权重（权重不低于 0.001）",
                "en": "Table 3  Donor weights of synthetic {city} (weights of at least 0.001)"},
    "balance": {"zh": "表 4  试点前预测变量：{city}、合成{city}与对照城市平均",
                "en": "Table 4  Pre-pilot predictors: {city}, synthetic {city} and the donor average"},
    "placebo": {"zh": "图 2  安慰剂检验：{city}的差距与各对照城市作为虚拟试点时的差距",
                "en": "Figure 2  Placebo test: the gap of {city} against the gaps of donor cities treated as placebos"},
    "in_time": {"zh": "图 3  时间安慰剂：假定试点提前至 {fake}", "en": "Figure 3  In-time placebo: pilot moved back to {fake}"},
    "estimates": {"zh": "表 5  试点效应估计（试点后各月平均）与模拟真实效应",
                  "en": "Table 5  Estimated pilot effect (average over pilot months) and the simulated true effect"},
    "sdid": {"zh": "图 4  合成双重差分：{city}与加权对照组（底部为时间权重）",
             "en": "Figure 4  Synthetic DiD: {city} and the weighted controls (time weights at the bottom)"},
}

#: Pre-pilot fit is called close when the pre-pilot root mean squared prediction error is at most this
#: share of the treated city's pre-pilot mean outcome.
CLOSE_FIT = 0.02


def labels(lang: Lang = "zh") -> Labels:
    """Labels with this study's keys."""
    return study_labels(LABELS, lang)


def city_name(city: str, lang: Lang = "zh") -> str:
    """Display name of a city or pilot area (pinyin in English papers)."""
    return city if lang == "zh" else CITY_EN.get(city, city)


# --------------------------------------------------------------------------- text
def caption(key: str, lang: Lang = "zh", **kw: Any) -> str:
    """Caption ``key`` of this paper, its fields filled from ``kw``."""
    return fill_caption(CAPTIONS, key, lang, **kw)


def figure_caption(key: str, est: RmbEstimates, lang: Lang = "zh") -> str:
    """Caption of a figure or table of this paper, filled in from the estimates."""
    return caption(key, lang, city=city_name(est.treated, lang), outcome=labels(lang)(est.outcome),
                   fake=month(est.in_time.treatment_time))


def data_notice(synthetic: bool, lang: Lang = "zh") -> str:
    """Which inputs are synthetic (the outcome panel) and which are real (the pilot list)."""
    lab = labels(lang)
    if not synthetic:
        return lab.pick(zh="> **数据说明：** 城市面板与试点名单均为真实数据，来源见附录。",
                        en="> **Data notice:** the city panel and the pilot list are real data; sources in the appendix.")
    return lab.pick(
        zh="> **数据说明：本文的城市月度面板是模拟（合成）演示数据。** 城市名称真实，但零售额、网上零售额与人口均为模拟值，"
           "不代表任何城市的实际情况；" + truth_sentence(lab)
           + "试点地区名单及纳入时间是真实信息，依据人民银行公告整理（表 1）。",
        en="> **Data notice: the monthly city panel of this paper is synthetic demo data.** The city names are real; "
           "retail sales, online sales and population are simulated and describe no real city. The \"true effect\" "
           "is the effect built into the simulation, used to check the estimators. The list of pilot areas and "
           "their dates is real, compiled from the People's Bank of China announcements (Table 1).",
    )


def data_paragraph(est: RmbEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    pool, d = est.pool, est.data.panel
    counts = pool["status"].value_counts()
    n_donor = int(counts.get("donor", 0))
    n_excl = int(len(pool) - n_donor - 1)
    first, last = month(d["month"].min()), month(d["month"].max())
    n_pre, n_post = est.sc.pre_periods, est.sc.post_periods
    name = city_name(est.treated, lang)
    donor_prov = sorted(set(pool.loc[pool["status"] == "donor", "province"]))
    prov_txt = "、".join(donor_prov) if lang == "zh" else ", ".join(PROVINCE_EN.get(p, p) for p in donor_prov)
    return lab.pick(
        zh=f"面板为 {first} 至 {last} 的地级市月度数据，共 {len(pool)} 个候选城市。处理单位是{name}，"
           f"按人民银行公告自 {month(est.treatment_time)} 起为数字人民币试点地区。"
           f"按表 2 的规则剔除 {n_excl} 个城市后，供体池为 {n_donor} 个在样本期内从未成为试点地区的城市，分布在{prov_txt}。"
           f"试点前共 {n_pre} 个月，试点后 {n_post} 个月。结果变量是{lab(est.outcome + '_text')}："
           "当月社会消费品零售总额（或网上零售额）除以当年常住人口，单位为元。",
        en=f"The panel is monthly data on prefecture-level cities from {first} to {last}: {len(pool)} candidate cities. "
           f"The treated unit is {name}, a digital RMB pilot area from {month(est.treatment_time)} according to the "
           f"People's Bank of China. After the rules of Table 2 exclude {n_excl} cities, the donor pool consists of "
           f"{n_donor} cities that were never pilot areas during the sample, in {prov_txt}. There are {n_pre} pre-pilot "
           f"and {n_post} pilot months. The outcome is {lab(est.outcome + '_text')}: the month's retail sales of "
           "consumer goods (or online retail sales) divided by the year's resident population, in yuan.",
    )


def fit_sentence(pre_rmspe: float, pre_mean: float, *, lang: Lang = "zh") -> str:
    """Whether the synthetic control reproduces the treated city before the pilot (two branches)."""
    lab = labels(lang)
    share = pre_rmspe / abs(pre_mean)
    if share <= CLOSE_FIT:
        return lab.pick(
            zh=f"试点前的均方根预测误差为 {fmt(pre_rmspe)} 元，相当于试点前均值的 {share:.1%}，合成对照较好地再现了试点前的走势。",
            en=f"The pre-pilot root mean squared prediction error is {fmt(pre_rmspe)} yuan, {share:.1%} of the pre-pilot "
               "mean: the synthetic control reproduces the pre-pilot path closely.")
    return lab.pick(
        zh=f"试点前的均方根预测误差为 {fmt(pre_rmspe)} 元，达到试点前均值的 {share:.1%}，合成对照未能很好地再现试点前的走势，"
           "下文的效应估计不可靠。",
        en=f"The pre-pilot root mean squared prediction error is {fmt(pre_rmspe)} yuan, {share:.1%} of the pre-pilot "
           "mean: the synthetic control does not reproduce the pre-pilot path well, and the effect estimates below "
           "are not reliable.")


def results_paragraph(est: RmbEstimates, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    sc, name = est.sc, city_name(est.treated, lang)
    w = sc.weights.sort_values(ascending=False)
    top = w.loc[w >= 0.001]
    sep = "、" if lang == "zh" else ", "
    top_txt = sep.join(f"{city_name(u, lang)}（{fmt(v, 3)}）" if lang == "zh" else f"{city_name(u, lang)} ({fmt(v, 3)})"
                       for u, v in top.head(4).items())
    syn = sc.synthetic
    counterfactual = float(syn.loc[syn.index >= np.datetime64(est.treatment_time)].mean())
    rel = sc.estimate / counterfactual
    gap = sc.gap
    return lab.pick(
        zh=f"合成{name}由 {len(top)} 个对照城市加权构成，权重最大的是{top_txt}。" + fit_sentence(sc.pre_rmspe, est.pre_mean, lang=lang)
           + f"试点后各月{name}与合成{name}之差平均为 {fmt(sc.estimate)} 元，相当于合成对照水平的 {rel:.1%}；"
           f"{month(gap.index[-1])} 的差距为 {fmt(gap.iloc[-1])} 元。",
        en=f"Synthetic {name} is a weighted average of {len(top)} donor cities, the largest weights on {top_txt}. "
           + fit_sentence(sc.pre_rmspe, est.pre_mean, lang=lang)
           + f" After the pilot starts, the gap between {name} and its synthetic control averages {fmt(sc.estimate)} "
           f"yuan, {rel:.1%} of the synthetic control's level; in {month(gap.index[-1])} it is {fmt(gap.iloc[-1])} yuan.",
    )


def placebo_paragraph(est: RmbEstimates, *, lang: Lang = "zh", level: float = 0.10) -> str:
    """The permutation test, with a branch for a rank that is and is not unusual at ``level``."""
    lab = labels(lang)
    p, name = est.placebo, city_name(est.treated, lang)
    n_units, rank, n_exc = p.n_units, p.rank, p.n_excluded
    cut = p.pre_rmspe_cutoff
    exc = ""
    if cut is not None and n_exc > 0:
        exc = lab.pick(zh=f"（剔除试点前拟合误差超过{name} {fmt(cut, 1)} 倍的 {n_exc} 个对照城市后）",
                       en=f" (after excluding {n_exc} donor{'s' if n_exc != 1 else ''} whose pre-pilot fit error exceeds "
                          f"{fmt(cut, 1)} times {name}'s)")
    head = lab.pick(
        zh=f"安慰剂检验把每个对照城市依次当作“试点城市”，用其余对照城市构造合成控制{exc}。{name}试点后与试点前均方根预测误差之比为 "
           f"{fmt(p.rmspe_ratio)}，在 {n_units} 个城市中排第 {rank} 位，置换检验 p 值为 {fmt_p(p.p_value)}"
           f"（这一检验可能达到的最小 p 值为 {fmt(1 / n_units, 3)}）。",
        en=f"The placebo test treats each donor city in turn as if it had piloted and builds its synthetic control from "
           f"the other donors{exc}. {name}'s ratio of post- to pre-pilot root mean squared prediction error is "
           f"{fmt(p.rmspe_ratio)}, rank {rank} of {n_units} cities: a permutation p-value of {fmt_p(p.p_value)} "
           f"(the smallest attainable is {fmt(1 / n_units, 3)}).",
    )
    if p.p_value <= level:
        return head + lab.pick(
            zh=f"在 {level:.0%} 水平上，{name}的差距大于几乎所有虚拟试点城市，不太可能是偶然。",
            en=f" At the {level:.0%} level {name}'s gap is larger than almost every placebo's and unlikely to be chance.")
    return head + lab.pick(
        zh=f"在 {level:.0%} 水平上不能拒绝“试点没有效应”：不少未试点城市也出现了同样大的差距。",
        en=f" At the {level:.0%} level the hypothesis of no effect cannot be rejected: several cities that never piloted "
           "show gaps as large.")


def in_time_paragraph(est: RmbEstimates, *, lang: Lang = "zh") -> str:
    """The in-time placebo: a gap before the real pilot is small (branch 1) or not (branch 2) next to the effect."""
    lab = labels(lang)
    it, name = est.in_time, city_name(est.treated, lang)
    fake = month(it.treatment_time)
    head = lab.pick(
        zh=f"时间安慰剂检验只用真实试点前的数据，把试点时间假定为 {fake}（提前 {est.in_time_months} 个月）。"
           f"虚拟试点后至真实试点前，{name}与合成{name}之差平均为 {fmt(it.estimate)} 元，而真实试点后为 {fmt(est.sc.estimate)} 元。",
        en=f"The in-time placebo uses only the data before the real pilot and pretends it started in {fake} "
           f"({est.in_time_months} months early). Between the fake and the real start the gap between {name} and its "
           f"synthetic control averages {fmt(it.estimate)} yuan, against {fmt(est.sc.estimate)} yuan after the real pilot.",
    )
    small = abs(it.estimate) <= max(2 * est.sc.pre_rmspe, abs(est.sc.estimate) / 3)
    if small:
        return head + lab.pick(zh="虚拟试点没有产生可比的差距，与试点前不存在预先分化相符。",
                               en=" The fake pilot opens no comparable gap, consistent with no divergence before the pilot.")
    return head + lab.pick(zh="虚拟试点期间已出现可观的差距：差距可能在试点前就已开始，真实试点后的差距不能全部归因于试点。",
                           en=" A sizeable gap opens already after the fake start: the divergence may predate the pilot, "
                              "and the gap after the real start cannot all be attributed to it.")


def truth_paragraph(est: RmbEstimates, *, lang: Lang = "zh") -> str:
    """Distance of each estimate from the simulated truth; empty for real data."""
    if est.truth is None:
        return ""
    lab = labels(lang)
    covered = est.sdid.conf_low <= est.truth <= est.sdid.conf_high
    return lab.pick(
        zh=f"模拟数据中试点后各月的平均真实效应为 {fmt(est.truth)} 元。合成控制估计与之相差 {fmt(est.sc.estimate - est.truth)}，"
           f"合成双重差分相差 {fmt(est.sdid.estimate - est.truth)}（真实效应{'落在' if covered else '不在'}其 95% 置信区间内），"
           f"双重差分相差 {fmt(est.did.estimate - est.truth)}。",
        en=f"In the simulated data the true effect averages {fmt(est.truth)} yuan over the pilot months. The synthetic "
           f"control estimate differs from it by {fmt(est.sc.estimate - est.truth)}, synthetic DiD by "
           f"{fmt(est.sdid.estimate - est.truth)} (its 95% interval {'covers' if covered else 'does not cover'} the "
           f"truth) and DiD by {fmt(est.did.estimate - est.truth)}.",
    )


def conclusion_paragraph(est: RmbEstimates, *, lang: Lang = "zh", level: float = 0.10) -> str:
    """What the numbers allow the paper to say about the pilot (four branches: fit x significance x sign)."""
    lab = labels(lang)
    name, y = city_name(est.treated, lang), lab(est.outcome + "_text")
    close = est.sc.pre_rmspe / abs(est.pre_mean) <= CLOSE_FIT
    sig = est.placebo.p_value <= level
    sdid_excludes_zero = not (est.sdid.conf_low <= 0 <= est.sdid.conf_high)
    if not close:
        return lab.pick(
            zh=f"由于合成对照未能再现{name}试点前的走势，本文不对试点效应下结论；应扩大候选城市范围或改用试点内部的强度差异设计。",
            en=f"Because the synthetic control does not reproduce {name}'s pre-pilot path, this paper draws no conclusion "
               "on the pilot's effect; the candidate pool should be widened or a within-pilot design on intensity used.")
    if sig and sdid_excludes_zero:
        direction = lab.pick(zh="提高", en="raised") if est.sc.estimate > 0 else lab.pick(zh="降低", en="lowered")
        return lab.pick(
            zh=f"两种方法一致表明，试点{direction}了{name}的{y}（合成控制 {fmt(est.sc.estimate)} 元/月，合成双重差分 "
               f"{fmt(est.sdid.estimate)} 元/月）。这一效应包含了与试点同时发生的其他变化（例如 2023 年亚运会），应结合试点措施的时间线判断。",
            en=f"Both methods agree that the pilot {direction} {name}'s {y} (synthetic control {fmt(est.sc.estimate)} yuan "
               f"per month, synthetic DiD {fmt(est.sdid.estimate)}). The effect includes anything else that changed with "
               "the pilot (the 2023 Asian Games, for one) and should be read against the timeline of the pilot's measures.")
    return lab.pick(
        zh=f"现有数据不足以确认试点改变了{name}的{y}：置换检验 p 值为 {fmt_p(est.placebo.p_value)}，合成双重差分的 95% 置信区间为 "
           f"{fmt(est.sdid.conf_low)} 至 {fmt(est.sdid.conf_high)} 元。这不等于试点没有效应：在现有精度下，效应与零无法区分，"
           "只有这一区间以外的效应可以基本排除。",
        en=f"The data do not establish that the pilot changed {name}'s {y}: the permutation p-value is "
           f"{fmt_p(est.placebo.p_value)} and the synthetic DiD 95% interval runs from {fmt(est.sdid.conf_low)} to "
           f"{fmt(est.sdid.conf_high)} yuan. This is not evidence of no effect: at this precision the effect cannot be told "
           "apart from zero, and only effects outside that interval can be largely ruled out.")


def provenance_note(est: RmbEstimates, *, lang: Lang = "zh") -> str:
    """Internals for the appendix: datasets, generator, options."""
    sim = (f"`research_kit.simulate.digital_rmb_demo.digital_rmb_city_panel` (`{SIMULATE_COMMAND}`)"
           if est.data.synthetic else "")
    datasets = ["digital_rmb_cities", "ecny_pilot_areas", *(["digital_rmb_true_effects"] if est.data.synthetic else [])]
    return labels(lang).pick(
        zh="数据集：" + code_list(datasets, "zh")
           + (f"；模拟数据由 {sim} 生成" if sim else "") + "。供体池规则见 `research_kit.studies.digital_rmb.donor_pool`。",
        en="Datasets: " + code_list(datasets, "en")
           + (f"; the synthetic data come from {sim}" if sim else "")
           + ". Donor-pool rules: `research_kit.studies.digital_rmb.donor_pool`.",
    )


# --------------------------------------------------------------------------- tables
def pilot_table(data: CityData, *, lang: Lang = "zh") -> Table:
    """Pilot areas by batch (real facts, from the pilot list)."""
    lab = labels(lang)
    p = data.pilots.sort_values(["start_month", "area"])
    g = p.groupby(["start_month", "batch"], sort=True)["area"].apply(list).reset_index()
    sep = "、" if lang == "zh" else ", "
    batch_en = {"第一批": "1st", "第二批": "2nd", "第三批": "3rd", "第四批": "4th"}

    def batch(b: str) -> str:
        if lang == "zh":
            return b
        core = batch_en.get(b[:3], b)
        if "亚运" in b:
            return f"{core} (Asian Games host cities)"
        if "冬奥" in b:
            return f"{core} (Winter Olympics venues become pilot areas)"
        return core

    out = pd.DataFrame({lab("start"): [month(m) for m in g["start_month"]], lab("batch"): [batch(b) for b in g["batch"]],
                        lab("area"): [sep.join(city_name(a, lang) for a in areas) for areas in g["area"]]})
    note = lab.pick(zh="依据：人民银行 2020 年 4 月、2020 年 10 月公布的试点地区，2022 年 3 月 31 日座谈会（4 月 2 日公布）新增地区，"
                       "以及 2022 年底的扩大试点（据媒体报道，月份待以人民银行公告核实）。",
                    en="Sources: the pilot areas announced by the People's Bank of China in April and October 2020, those added "
                       "at its meeting of 31 March 2022 (announced 2 April), and the extension at the end of 2022 (press "
                       "reports; the month is to be checked against the PBoC notice).")
    return table(out, caption=caption("pilots", lang), notes=(note,))


def donor_table(est: RmbEstimates, *, lang: Lang = "zh") -> Table:
    """Candidate cities grouped by their role (treated, donor, or the rule that excludes them)."""
    lab = labels(lang)
    sep = "、" if lang == "zh" else ", "
    rows = []
    for key in ("treated", "donor", "pilot", "province_pilot", "neighbour", "same_province"):
        sub = est.pool.loc[est.pool["status"] == key]
        if sub.empty:
            continue
        rows.append({lab("status"): STATUS[key][lang], lab("n_cities"): len(sub),
                     lab("cities"): sep.join(city_name(c, lang) for c in sub["city"])})
    note = lab.pick(zh="剔除规则依次为：样本期内本身为试点地区；所在省份全域试点；与试点城市相邻（溢出）；与试点城市同省（全省推广）。",
                    en="Exclusion rules, in order: a pilot area itself during the sample; in a province-wide pilot; bordering "
                       "the pilot city (spill-overs); in the pilot city's province (province-wide promotion).")
    return table(pd.DataFrame(rows), caption=caption("donors", lang), notes=(note,))


def weights_table(est: RmbEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    w = est.sc.weights.sort_values(ascending=False)
    w = w.loc[w >= 0.001]
    prov = est.pool.set_index("city")["province"]
    df = pd.DataFrame({
        lab("donor"): [city_name(u, lang) for u in w.index],
        lab("province"): [prov[u] if lang == "zh" else PROVINCE_EN.get(prov[u], prov[u]) for u in w.index],
        lab("weight"): w.to_numpy(),
    })
    return table(df, digits=3, caption=figure_caption("weights", est, lang))


def _predictor_label(label: str, est: RmbEstimates, lab: Labels) -> str:
    sep = "，" if lab.lang == "zh" else ", "
    if "(" not in label:
        return f"{lab(label)}{sep}{lab('pre_mean')}"
    col, when = label.split("(", 1)
    when = when.rstrip(")")
    t0 = est.treatment_time
    months = (t0.year - pd.Timestamp(when).year) * 12 + (t0.month - pd.Timestamp(when).month)
    text = lab("months_before").format(n=months)
    if lab.lang == "en":
        text = text.replace("(s)", "" if months == 1 else "s")
    return f"{lab(col)}{sep}{text}"


def balance_table(est: RmbEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    b = est.sc.balance
    name = city_name(est.treated, lang)
    df = pd.DataFrame({
        lab("predictor"): [_predictor_label(i, est, lab) for i in b.index],
        name: b["treated"].to_numpy(),
        lab("synthetic"): b["synthetic"].to_numpy(),
        lab("donor_mean"): b["donor_mean"].to_numpy(),
        lab("predictor_weight"): est.sc.predictor_weights.to_numpy(),
    })
    return table(df, digits={name: 1, lab("synthetic"): 1, lab("donor_mean"): 1, lab("predictor_weight"): 3},
                 caption=figure_caption("balance", est, lang),
                 notes=(lab.pick(zh="预测变量权重由嵌套优化得到（使试点前各月结果变量的拟合误差最小）。",
                                 en="Predictor weights from the nested optimisation (minimising the pre-pilot fit error "
                                    "of the outcome)."),))


def estimates_table(est: RmbEstimates, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    rows = []
    for key, r, inf in (
        ("synthetic_control", est.sc, lab.pick(zh="置换检验", en="permutation test")),
        ("synthetic_did", est.sdid, lab.pick(zh="安慰剂标准误", en="placebo standard error")),
        ("did_synthdid", est.did, lab.pick(zh="安慰剂标准误", en="placebo standard error")),
    ):
        se = r.std_error
        p = est.placebo.p_value if key == "synthetic_control" else r.p_value
        ci = "" if not np.isfinite(se) else f"[{fmt(r.conf_low)}, {fmt(r.conf_high)}]"
        rows.append({lab("method"): lab(key), lab("estimate"): r.estimate, lab("std_error"): se,
                     lab("conf_int"): ci, lab("p_value"): fmt_p(p), lab("inference"): inf})
    if est.truth is not None:
        rows.append({lab("method"): lab("truth"), lab("estimate"): est.truth, lab("std_error"): np.nan,
                     lab("conf_int"): "", lab("p_value"): "", lab("inference"): ""})
    return table(pd.DataFrame(rows), digits={lab("estimate"): 2, lab("std_error"): 2}, caption=caption("estimates", lang),
                 notes=(lab.pick(zh="单位：元/人·月。", en="Unit: yuan per resident per month."),))


# --------------------------------------------------------------------------- figures
def paths_figure(est: RmbEstimates, *, lang: Lang = "zh") -> Any:
    from research_kit.report.synth_plots import labels as synth_labels

    lab = labels(lang)
    name = city_name(est.treated, lang)
    axes = est.sc.plot(lang=lang, ylabel=lab(est.outcome))
    axes[0].lines[0].set_label(name)
    axes[0].lines[1].set_label(synth_labels(lang)("synthetic_of").format(unit=name))
    axes[0].legend(loc="upper left", fontsize=8)
    if est.truth is not None and est.data.truth is not None:
        t = est.data.truth.loc[est.data.truth["city"] == est.treated].set_index("month")[f"te_{est.outcome}"]
        axes[1].plot(t.index, t.to_numpy(), color="black", lw=1.0, ls="--", label=lab("truth"))
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
        if line.get_label() == est.treated:
            line.set_label(city_name(est.treated, lang))
    ax.legend(loc="upper left", fontsize=8)
    ax.tick_params(axis="x", labelrotation=30)
    ax.figure.tight_layout()
    return ax.figure


def sdid_figure(est: RmbEstimates, *, lang: Lang = "zh") -> Any:
    lab = labels(lang)
    ax = est.sdid.plot(lang=lang, ylabel=lab(est.outcome))
    ax.lines[0].set_label(city_name(est.treated, lang))
    ax.legend(loc="upper left", fontsize=8)
    ax.tick_params(axis="x", labelrotation=30)
    ax.figure.tight_layout()
    return ax.figure


def in_time_figure(est: RmbEstimates, *, lang: Lang = "zh") -> Any:
    from research_kit.report.synth_plots import labels as synth_labels

    lab = labels(lang)
    ax = est.in_time.plot(kind="paths", lang=lang, ylabel=lab(est.outcome))
    name = city_name(est.treated, lang)
    ax.lines[0].set_label(name)
    ax.lines[1].set_label(synth_labels(lang)("synthetic_of").format(unit=name))
    ax.legend(loc="upper left", fontsize=8)
    ax.tick_params(axis="x", labelrotation=30)
    ax.figure.tight_layout()
    return ax.figure


def front_matter(est: RmbEstimates, *, lang: Lang = "zh") -> dict[str, Any]:
    lab = labels(lang)
    name = city_name(est.treated, lang)
    n_donor = int((est.pool["status"] == "donor").sum())
    title = lab.pick(zh=f"数字人民币试点对{name}消费的影响：城市层面的合成控制分析",
                     en=f"The digital RMB pilot and consumption in {name}: a city-level synthetic control")
    abstract = lab.pick(
        zh=f"本文评估金华市开放经济金融服务改革创新试点第 16 项任务（开展数字人民币试点）。{name}全域自 {month(est.treatment_time)} 起"
           f"成为数字人民币试点地区，市内没有未试点的县可作对照；本文以 {n_donor} 个样本期内从未试点、且不与{name}相邻的地级市构造合成{name}。"
           f"合成控制法估计试点后{lab(est.outcome + '_text')}平均变化 {fmt(est.sc.estimate)} 元/月（置换检验 p 值 "
           f"{fmt_p(est.placebo.p_value)}），合成双重差分估计为 {fmt(est.sdid.estimate)} 元/月（95% 置信区间 "
           f"{fmt(est.sdid.conf_low)} 至 {fmt(est.sdid.conf_high)}）。"
           + ("本文的城市面板为模拟演示数据。" if est.data.synthetic else ""),
        en=f"We evaluate task 16 of the Jinhua open-economy financial services reform pilot (the digital RMB pilot). All of "
           f"{name} became an e-CNY pilot area in {month(est.treatment_time)}, so no county of the city is untreated; we "
           f"build a synthetic {name} from {n_donor} prefecture-level cities that were never pilot areas during the sample "
           f"and do not border it. The synthetic control estimate of the change in {lab(est.outcome + '_text')} is "
           f"{fmt(est.sc.estimate)} yuan per month (permutation p = {fmt_p(est.placebo.p_value)}); synthetic DiD gives "
           f"{fmt(est.sdid.estimate)} (95% CI {fmt(est.sdid.conf_low)} to {fmt(est.sdid.conf_high)})."
           + (" The city panel is synthetic demo data." if est.data.synthetic else ""),
    )
    return paper_front_matter(lab, title=title, abstract=abstract, synthetic=est.data.synthetic, county=name,
                              task=lab.pick(zh="任务 16：开展数字人民币试点", en="Task 16: digital RMB pilot"))
