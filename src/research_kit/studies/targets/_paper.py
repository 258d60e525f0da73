"""Text, tables and figures of the targets dashboard paper, in Chinese and English."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from research_kit.report.dashboard import STATUS_COLORS, TS_LABELS
from research_kit.report.labels import Labels, Lang, check_lang
from research_kit.report.tables import Table, format_number, table
from research_kit.report.theme import themed
from research_kit.studies._common import (
    fill_caption,
    paper_front_matter,
    study_labels,
    synthetic_sentence,
)
from research_kit.studies.targets._estimate import TargetsRun, prob_text

__all__ = [
    "caption",
    "CAPTIONS",
    "changes_paragraph",
    "changes_table",
    "county_table",
    "data_notice",
    "detail_figure",
    "EXTRA_LABELS",
    "front_matter",
    "fx_indicator",
    "fx_indicator_sentence",
    "inputs_table",
    "KIND_TEXT",
    "labels",
    "milestone_table",
    "MODEL_TEXT",
    "progress_figure",
    "status_table",
    "summary_paragraph",
    "uncertainty_paragraph",
    "UNIT_EN",
    "unit_table",
]

EXTRA_LABELS: dict[str, dict[str, str]] = {
    **TS_LABELS,
    "indicator": {"zh": "指标", "en": "Indicator"},
    "target_col": {"zh": "2025 年目标", "en": "2025 target"},
    "kind_col": {"zh": "口径", "en": "Measure"},
    "current": {"zh": "最新值", "en": "Latest"},
    "period_col": {"zh": "报告期", "en": "Period"},
    "forecast_col": {"zh": "2025 年末预测（95% 区间）", "en": "End-2025 forecast (95% interval)"},
    "prob_col": {"zh": "达标概率", "en": "P(target)"},
    "status_col": {"zh": "状态", "en": "Status"},
    "model_col": {"zh": "预测模型", "en": "Model"},
    "lead_col": {"zh": "牵头单位", "en": "Lead unit"},
    "deadline_col": {"zh": "截止", "en": "Deadline"},
    "done_col": {"zh": "完成日期", "en": "Done on"},
    "done": {"zh": "已完成", "en": "done"},
    "pending": {"zh": "未到期", "en": "not yet due"},
    "overdue": {"zh": "逾期", "en": "overdue"},
    "before": {"zh": "上次", "en": "Before"},
    "now": {"zh": "本次", "en": "Now"},
}
#: English names of the lead units (reader text in English papers).
UNIT_EN = {"人行金华市中心支行": "PBoC Jinhua Central Sub-branch", "市金融办": "City Financial Affairs Office",
           "金义新区（金东区）": "Jinyi New Area (Jindong)", "市交投集团": "City Transport Investment Group",
           "市商务局": "City Commerce Bureau", "市城投集团": "City Urban Investment Group", "义乌市": "Yiwu",
           "市财政局": "City Finance Bureau"}
MODEL_TEXT = {"ANN": {"zh": "水平模型", "en": "level"}, "AAN": {"zh": "线性趋势", "en": "linear trend"},
              "AAdN": {"zh": "阻尼趋势", "en": "damped trend"}, "LLT": {"zh": "局部线性趋势", "en": "local linear trend"},
              "": {"zh": "", "en": ""}}
KIND_TEXT = {"level": {"zh": "期末值", "en": "level at end-2025"},
             "share": {"zh": "期末占比", "en": "share at end-2025"},
             "cumulative": {"zh": "累计（自 {w} 起）", "en": "sum since {w}"},
             "annual_growth": {"zh": "年均增长（以 {w} 年为基期）", "en": "average annual growth from {w}"}}


def labels(lang: Lang = "zh") -> Labels:
    """The labels of this study."""
    return study_labels(EXTRA_LABELS, lang)


def data_notice(r: TargetsRun, lang: Lang = "zh") -> str:
    lab = labels(lang)
    files = r.now.filings.drop_duplicates("file")
    synth = files["synthetic"].astype(str).isin(["True", "true", "1"])
    n_syn, n_real = int(synth.sum()), int((~synth).sum())
    if n_syn and not n_real:
        return lab.pick(
            zh=f"> **数据说明：本文使用的填报数据是模拟（合成）演示数据**：{n_syn} 份按填报模板生成的模拟报表，"
               "不代表金华市任何指标的真实数值。目标和里程碑摘自《实施方案》（金政发〔2022〕38号）。",
            en=f"> **Data notice: the filings in this paper are synthetic demo data**: {n_syn} simulated reporting "
               "templates; they are not Jinhua's real figures. Targets and milestones are those of the plan "
               "(Jin Zheng Fa [2022] No. 38).")
    if n_syn:
        return lab.pick(
            zh=f"> **数据说明：本文使用的 {n_syn + n_real} 份填报表中，{n_syn} 份是模拟（合成）演示数据，{n_real} 份为正式报送**；"
               "结论受模拟数据影响，不能作为真实评价。",
            en=f"> **Data notice: of the {n_syn + n_real} filings used, {n_syn} are synthetic demo data and {n_real} "
               "real filings**; the ratings depend on the synthetic data and are not a real assessment.")
    return lab.pick(zh=f"> 数据来源：各责任单位报送的 {n_real} 份指标填报表。",
                    en=f"> Data: {n_real} filings of the responsible units.")


def _name(row: Any, lang: Lang) -> str:
    return str(row["name_zh"] if lang == "zh" else row["name_en"])


def _num(x: float, unit: str = "") -> str:
    if not np.isfinite(x):
        return ""
    digits = 0 if abs(x) >= 100 or unit == "家" else (1 if abs(x) >= 10 else 2)
    return format_number(float(x), digits=digits)


def _unit_name(unit: str, lang: Lang) -> str:
    return unit if lang == "zh" else UNIT_EN.get(unit, unit)


def _target_text(target: float, unit: str, unit_en: str, lang: Lang) -> str:
    if lang == "zh" or unit == "%":
        return f"{target:g}{'' if unit == '%' else ' '}{unit}"
    if unit_en in ("USD 100m", "CNY 100m"):
        cur = unit_en[:3]
        return f"{cur} {target / 10:g} billion" if target >= 10 else f"{cur} {target * 100:g} million"
    if unit_en.startswith("10k "):
        return f"{target * 10_000:,.0f} {unit_en[4:]}"
    if unit_en == "CNY trillion":
        return f"CNY {target:g} trillion"
    return f"{target:g} {unit_en}"


def _kind_text(row: Any, lang: Lang) -> str:
    return KIND_TEXT[row["kind"]][lang].format(w=row["window_start"])


def summary_paragraph(r: TargetsRun, *, lang: Lang = "zh") -> str:
    """Counts of targets and milestones by status, with the as-of date and the last reporting period."""
    check_lang(lang)
    lab = labels(lang)
    t, m = r.now.targets, r.now.milestones
    c = {k: int((t["status"] == k).sum()) for k in ("achieved", "on_track", "at_risk", "off_track", "missed", "no_data")}
    mc = {k: int((m["status"] == k).sum()) for k in ("done", "pending", "overdue")}
    periods = t.loc[t["last_period"] != "", "last_period"]
    last = periods.max() if len(periods) else ""
    off = [_name(x, lang) for x in t.loc[t["status"] == "off_track"].to_dict("records")]
    nod = [_name(x, lang) for x in t.loc[t["status"] == "no_data"].to_dict("records")]
    over = [_name(x, lang) for x in m.loc[m["status"] == "overdue"].to_dict("records")]
    zh = (f"本文依据截至 {r.as_of} 报送的填报数据（最近一次填报 {r.now.last_filed}，最新报告期 {last}）。"
          f"{len(t)} 项量化目标中，{c['achieved']} 项已达标，{c['on_track']} 项进展顺利，{c['at_risk']} 项存在风险，"
          f"{c['off_track']} 项明显滞后" + (f"，{c['missed']} 项到期未完成" if c["missed"] else "")
          + (f"，{c['no_data']} 项尚无填报数据（{'、'.join(nod)}），本文不对其作判断" if c["no_data"] else "") + "。"
          + (f"明显滞后的是：{'、'.join(off)}。" if off else "")
          + f"{len(m)} 项里程碑中，{mc['done']} 项已完成，{mc['pending']} 项未到期，{mc['overdue']} 项逾期"
          + (f"（{'、'.join(over)}）" if over else "") + "。")
    en = (f"This paper uses the filings made up to {r.as_of} (last filing {r.now.last_filed}, latest reporting period "
          f"{last}). Of {len(t)} quantitative targets, {c['achieved']} are achieved, {c['on_track']} on track, "
          f"{c['at_risk']} at risk and {c['off_track']} off track"
          + (f"; {c['missed']} missed" if c["missed"] else "")
          + (f"; {c['no_data']} have no filed data ({'; '.join(nod)}) and are not rated" if c["no_data"] else "") + "."
          + (f" Off track: {'; '.join(off)}." if off else "")
          + f" Of {len(m)} milestones, {mc['done']} are done, {mc['pending']} not yet due and {mc['overdue']} overdue"
          + (f" ({'; '.join(over)})" if over else "") + ".")
    return lab.pick(zh=zh, en=en)


def uncertainty_paragraph(r: TargetsRun, *, lang: Lang = "zh") -> str:
    """What the probabilities rest on (model uncertainty), with how many are printed as < 1% / > 99%."""
    t = r.now.targets
    p = t["probability"].to_numpy(float)
    rated = t["status"].isin(["on_track", "at_risk", "off_track"]).to_numpy()
    extreme = int(((p[rated] < 0.01) | (p[rated] > 0.99)).sum()) if rated.any() else 0
    lab = labels(lang)
    if not rated.any() and (t["status"] == "no_data").all():
        return lab.pick(zh="本期没有可预测的目标：填报数据尚不足以拟合预测模型。",
                        en="No target can be forecast yet: the filings are too few to fit a forecasting model.")
    if not rated.any():
        return lab.pick(zh="所有目标均已到期或已由实际值判定，本期没有预测。",
                        en="Every target is decided by observed values; there is no forecast in this report.")
    return lab.pick(
        zh=f"达标概率来自每个指标所选的一个预测模型，没有计入模型选择和参数估计的不确定性，因此偏于自信："
           f"{int(rated.sum())} 项有预测的目标中，{extreme} 项的概率印作“< 1%”或“> 99%”，应理解为“在该模型下几乎确定”，"
           "而不是实际的确定性。状态判断同时看预测值与区间：预测值距目标不足 5% 或区间覆盖目标时，最多判为“存在风险”。",
        en=f"The probabilities come from the one model selected for each indicator and leave out the uncertainty of "
           f"model choice and of the estimated parameters, so they are overconfident: of {int(rated.sum())} targets "
           f"with a forecast, {extreme} print as \"< 1%\" or \"> 99%\", which means near-certain under that model, not "
           "in fact. Statuses use the forecast and its interval as well: a forecast within 5% of the target, or an "
           "interval that covers it, is at worst at risk.")


def status_table(r: TargetsRun, *, lang: Lang = "zh") -> Table:
    """One row per target: target, measure, latest value and period, forecast with interval, probability, status."""
    lab = labels(lang)
    rows = []
    for x in r.now.targets.to_dict("records"):
        u = x["unit"]
        have = x["status"] != "no_data"
        decided = x["status"] in ("achieved", "missed") and not (x["pi_upper"] > x["pi_lower"])
        fc = "" if not have or decided else f"{_num(x['forecast'], u)} [{_num(x['pi_lower'], u)}, {_num(x['pi_upper'], u)}]"
        if have and not decided and x["kind"] == "annual_growth" and np.isfinite(x["forecast_growth"]):
            fc = lab.pick(zh=f"年均增长 {x['forecast_growth']:.1f}%", en=f"{x['forecast_growth']:.1f}% a year")
        rows.append({
            lab("indicator"): _name(x, lang),
            lab("target_col"): _target_text(x["target"], u, str(r.now.defs.targets.loc[x["id"], "unit_en"]), lang),
            lab("kind_col"): _kind_text(x, lang),
            lab("current"): (_num(x["current"], u) if x["kind"] != "annual_growth" else "") if have else lab("no_data"),
            lab("period_col"): x["last_period"],
            lab("forecast_col"): fc,
            lab("prob_col"): prob_text(x["probability"]) if have and x["status"] in ("on_track", "at_risk", "off_track") else "",
            lab("status_col"): lab(x["status"]),
            lab("model_col"): MODEL_TEXT.get(x["model"], {"zh": "", "en": ""})[lang] if not decided else "",
        })
    notes = [lab.pick(zh="单位与口径见《实施方案》及目标定义表；“无数据”表示尚无填报，不作判断。",
                      en="Units and measures as in the plan and the definitions table; \"no data\": nothing filed, not rated.")]
    conv = r.now.targets.loc[r.now.targets["converted"] > 0]
    for x in conv.to_dict("records"):
        example_en = x["conversion_example"]
        for zh_unit, en_unit in (("万亿元", "CNY trillion"), ("万美元", "USD 10k"), ("亿美元", "USD 100m"),
                                 ("万元", "CNY 10k"), ("亿元", "CNY 100m"), ("万户", "10k accounts"), ("家", "firms")):
            example_en = example_en.replace(zh_unit, en_unit)
        notes.append(lab.pick(zh=f"{x['name_zh']}：{x['converted']} 个填报值已换算为目标单位，例：{x['conversion_example']}。",
                              en=f"{x['name_en']}: {x['converted']} filed values converted to the target unit, e.g. "
                                 f"{example_en}."))
    body = pd.DataFrame(rows)
    align = "lllrlrrll"
    forecast_cols = [lab("forecast_col"), lab("prob_col"), lab("model_col")]
    if len(body) and (body[forecast_cols] == "").all().all():  # every target decided or without data: no forecasts
        keep = [i for i, c in enumerate(body.columns) if c not in forecast_cols]
        body, align = body.iloc[:, keep], "".join(align[i] for i in keep)
        notes.insert(0, lab.pick(zh="截至报告日，各目标均已到期或尚无填报，不再作预测，故表中不列预测、达标概率和预测模型。",
                                 en="At the report date every target is past its deadline or has no filings, so no "
                                    "forecast, probability or model is shown."))
    return Table(body=body, caption=caption("status", lang, as_of=r.as_of), notes=tuple(notes), align=align)


def milestone_table(r: TargetsRun, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    rows = [{lab("indicator"): _name(x, lang), lab("lead_col"): _unit_name(x["lead"], lang), lab("deadline_col"): x["deadline"],
             lab("status_col"): lab(x["status"]) + (lab.pick(zh="（逾期完成）", en=" (late)") if x["late"] else ""),
             lab("done_col"): x["done_date"]} for x in r.now.milestones.to_dict("records")]
    return Table(body=pd.DataFrame(rows), caption=caption("milestones", lang, as_of=r.as_of), align="lllll")


def _count_cols(lab: Labels) -> dict[str, str]:
    return {"achieved": lab("achieved"), "on_track": lab("on_track"), "at_risk": lab("at_risk"),
            "off_track": lab("off_track"), "missed": lab("missed"), "no_data": lab("no_data")}


def unit_table(r: TargetsRun, *, lang: Lang = "zh") -> Table:
    """The assessment by lead unit (纳入年度综合考核)."""
    lab = labels(lang)
    b = r.now.by_unit()
    names = {"unit": lab("lead_col"), "targets": lab.pick(zh="目标数", en="Targets"), **_count_cols(lab),
             "milestones": lab.pick(zh="里程碑", en="Milestones"),
             "milestones_done": lab.pick(zh="已完成里程碑", en="Milestones done"),
             "overdue": lab.pick(zh="逾期里程碑", en="Overdue milestones")}
    if lang == "en":
        b["unit"] = b["unit"].map(lambda u: _unit_name(u, lang))
        names_en = dict(zip(r.now.milestones["name_zh"], r.now.milestones["name_en"]))
        b["overdue"] = b["overdue"].map(lambda s: "; ".join(names_en.get(x, x) for x in s.split("、") if x))
    return Table(body=b.rename(columns=names), caption=caption("units", lang, as_of=r.as_of), align="l" + "r" * 9 + "l")


def county_table(r: TargetsRun, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    b = r.now.by_county()
    if lang == "en":
        from research_kit.data.counties import COUNTIES

        en = dict(zip(COUNTIES["name_zh"], COUNTIES["name_en"]))
        b["county"] = b["county"].map(en)
    names = {"county": lab.pick(zh="县（市、区）", en="County"), "indicators": lab.pick(zh="分县指标", en="Indicators"),
             **_count_cols(lab), "overdue": lab.pick(zh="逾期里程碑", en="Overdue milestones")}
    note = lab.pick(zh="方案未把目标分解到县。本表按各县在最初四个报告期所占份额分解全市目标，作为参照基准；这是本工具的约定，不是方案的规定。",
                    en="The plan does not split its targets by county. This table rates each county against the city "
                       "target times the county's share in the first four reporting periods — a convention of this "
                       "toolkit, not of the plan.")
    return Table(body=b.rename(columns=names), caption=caption("counties", lang, as_of=r.as_of), notes=(note,),
                 align="l" + "r" * 6 + "l")


def changes_paragraph(r: TargetsRun, *, lang: Lang = "zh") -> str:
    lab = labels(lang)
    if r.before is None:
        return lab.pick(zh="这是第一期报告，没有可比较的上期。", en="This is the first report; there is no earlier one to compare.")
    n = len(r.changed)
    return lab.pick(
        zh=f"与上期报告（截至 {r.before.as_of}）相比，{n} 项目标或里程碑的状态发生变化" + ("：" if n else "。"),
        en=f"Since the previous report (as of {r.before.as_of}), {n} targets or milestones changed status"
           + (":" if n else "."))


def changes_table(r: TargetsRun, *, lang: Lang = "zh") -> Table | None:
    if r.changed.empty:
        return None
    lab = labels(lang)
    rows = [{lab("indicator"): _name(x, lang), lab("before"): lab(x["status_before"]), lab("now"): lab(x["status_now"]),
             lab.pick(zh="上次最新值", en="Value before"): _num(x["value_before"], x["unit"]),
             lab.pick(zh="本次最新值", en="Value now"): _num(x["value_now"], x["unit"])}
            for x in r.changed.to_dict("records")]
    return Table(body=pd.DataFrame(rows), caption=caption("changes", lang, as_of=r.as_of), align="lllrr")


def fx_indicator(r: TargetsRun) -> dict[str, Any]:
    """The FX-loan indicator as filed: cumulative issuance (亿美元) at the latest period in force."""
    x = r.now.targets.set_index("id").loc["fx_loans_individual"]
    d = r.now.defs.targets.loc["fx_loans_individual"]
    return {"value": float(x["current"]), "period": x["last_period"], "target": float(x["target"]),
            "definition_zh": d["definition_zh"], "definition_en": d["definition_en"], "status": x["status"]}


def fx_indicator_sentence(r: TargetsRun, *, lang: Lang = "zh") -> str:
    f = fx_indicator(r)
    lab = labels(lang)
    if not np.isfinite(f["value"]):
        return lab.pick(zh="个体工商户外汇贷款发放额尚无填报数据。", en="No filing of FX loans to individual businesses yet.")
    return lab.pick(
        zh=f"个体工商户外汇贷款指标的口径是：{f['definition_zh']}。截至报告期 {f['period']}，累计发放 {f['value']:.2f} 亿美元，"
           f"为 3 亿美元目标的 {f['value'] / f['target']:.0%}。",
        en=f"The FX-loan indicator is defined as: {f['definition_en']}. Up to {f['period']}, cumulative issuance is "
           f"USD {f['value'] * 100:.0f} million, {f['value'] / f['target']:.0%} of the USD 300 million target.")


@themed
def progress_figure(r: TargetsRun, *, lang: Lang = "zh") -> Figure:
    """One row per target: latest value and end-2025 forecast (95% interval) as % of the target."""
    lab = labels(lang)
    t = r.now.targets.loc[r.now.targets["status"] != "no_data"].iloc[::-1]
    fig, ax = plt.subplots(figsize=(7.0, 0.42 * len(t) + 1.4))
    y = np.arange(len(t))
    tv = t["target_value"].to_numpy(float)
    cur = 100 * t["current"].to_numpy(float) / tv
    fc = 100 * t["forecast"].to_numpy(float) / tv
    lo, hi = 100 * t["pi_lower"].to_numpy(float) / tv, 100 * t["pi_upper"].to_numpy(float) / tv
    growth = (t["kind"] == "annual_growth").to_numpy()
    cur[growth] = np.nan
    colors = [STATUS_COLORS[s] for s in t["status"]]
    ax.hlines(y, lo, hi, colors=colors, lw=3, alpha=0.5)
    ax.scatter(fc, y, c=colors, s=30, zorder=3, label=lab("forecast"))
    ax.scatter(cur, y, facecolors="none", edgecolors="#444444", s=30, zorder=3, label=lab("history"))
    ax.axvline(100, color="black", lw=0.8, ls=":")
    ax.set_yticks(y)
    import textwrap

    width = 16 if lang == "zh" else 34
    ax.set_yticklabels(["\n".join(textwrap.wrap(_name(x, lang), width)) for x in t.to_dict("records")], fontsize=8)
    ax.set_xlabel(lab.pick(zh="占目标的百分比（%）", en="Percent of target"))
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def detail_figure(r: TargetsRun, *, lang: Lang = "zh"):
    """Small multiples (3 a row) of the targets at risk or off track only; None when there is none."""
    ids = list(r.now.targets.loc[r.now.targets["status"].isin(["at_risk", "off_track"]), "id"])[:9]
    if not ids:
        return None
    return r.now.tracking.plot(lang=lang, ids=ids, ncols=3)


def inputs_table(r: TargetsRun, *, lang: Lang = "zh", root: str | os.PathLike[str] | None = None) -> Table:
    """The definition files and the filings (counts and sha256 prefix) for the provenance appendix."""
    from research_kit.data.indicators import definitions_files

    lab = labels(lang)
    files = definitions_files(root)
    rows = [{lab("file"): f.name, lab("rows"): len(pd.read_csv(f)),
             "sha256": hashlib.sha256(f.read_bytes()).hexdigest()[:16] + "…"} for f in files]
    h = r.now.history
    rows.append({lab("file"): lab.pick(zh="指标填报表（全部版本）", en="Indicator filings (all versions)"),
                 lab("rows"): len(h), "sha256": f"{h['file'].nunique()} " + lab.pick(zh="份文件", en="files")})
    return table(pd.DataFrame(rows), caption=lab.pick(zh="输入文件", en="Input files"))


CAPTIONS = {
    "status": {"zh": "2025 年量化目标进展（截至 {as_of}）", "en": "Progress towards the 2025 targets (as of {as_of})"},
    "milestones": {"zh": "里程碑（截至 {as_of}）", "en": "Milestones (as of {as_of})"},
    "units": {"zh": "按牵头单位的年度评价（截至 {as_of}）", "en": "Assessment by lead unit (as of {as_of})"},
    "counties": {"zh": "按县（市、区）的评价：分县指标（截至 {as_of}）", "en": "Assessment by county: county-level indicators (as of {as_of})"},
    "changes": {"zh": "与上期相比状态变化的指标（截至 {as_of}）", "en": "Status changes since the previous report (as of {as_of})"},
    "progress": {"zh": "各项目标：最新值（空心点）与 2025 年末预测（实心点及 95% 区间），以目标为 100%",
                 "en": "Each target: latest value (open) and end-2025 forecast (filled, 95% interval), target = 100%"},
    "detail": {"zh": "存在风险或明显滞后的指标：实际值、预测与目标线", "en": "Targets at risk or off track: observed, forecast and target"},
}


def caption(key: str, lang: Lang = "zh", **kw: str) -> str:
    """Caption ``key`` of this paper, its fields filled from ``kw``."""
    return fill_caption(CAPTIONS, key, lang, **kw)


def front_matter(r: TargetsRun, *, lang: Lang = "zh") -> dict[str, Any]:
    lab = labels(lang)
    t, m = r.now.targets, r.now.milestones
    c = t["status"].value_counts()
    good = int(c.get("on_track", 0)) + int(c.get("achieved", 0))
    title = lab.pick(zh=f"试点目标与里程碑评价（截至 {r.as_of}）", en=f"Targets and milestones of the pilot (as of {r.as_of})")
    abstract = lab.pick(
        zh=f"本文依据各责任单位报送的填报数据，跟踪《实施方案》的 {len(t)} 项量化目标和 {len(m)} 项里程碑，"
           f"并按牵头单位和县（市、区）汇总评价。截至 {r.as_of}，{good} 项目标已达标或进展顺利，"
           f"{int(c.get('at_risk', 0))} 项存在风险，{int(c.get('off_track', 0))} 项明显滞后；"
           f"{int((m['status'] == 'overdue').sum())} 项里程碑逾期。"
           + synthetic_sentence(lab, r.now.synthetic),
        en=f"From the responsible units' filings we track the plan's {len(t)} quantitative targets and {len(m)} "
           f"milestones and sum them up by lead unit and by county. As of {r.as_of}, {good} targets are achieved or "
           f"on track, {int(c.get('at_risk', 0))} at risk and {int(c.get('off_track', 0))} off track; "
           f"{int((m['status'] == 'overdue').sum())} milestones are overdue."
           + synthetic_sentence(lab, r.now.synthetic))
    return paper_front_matter(
        lab, title=title, abstract=abstract, synthetic=r.now.synthetic,
        task=lab.pick(zh="主要目标：2025 年量化目标与里程碑", en="Main targets: 2025 targets and milestones"))
