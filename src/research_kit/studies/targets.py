"""Study: the plan's 2025 targets dashboard (主要目标).

Text, tables and figures of ``notebooks/04_targets_2025_dashboard.ipynb``. The
indicator series are SYNTHETIC (``research_kit.simulate.indicators``); the
targets are the plan's (``data/targets/targets_2025.csv``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from research_kit.report.labels import Labels, Lang, check_lang
from research_kit.report.tables import Table, format_number, table
from research_kit.simulate.indicators import target_indicators_demo
from research_kit.timeseries import (
    TS_LABELS,
    TargetTracking,
    track_targets,
)
from research_kit.studies.plan_targets import load_targets, targets_file

__all__ = [
    "TargetsRun",
    "caption",
    "dashboard_figure",
    "data_notice",
    "front_matter",
    "inputs_table",
    "labels",
    "realised_paragraph",
    "realised_table",
    "run",
    "status_table",
    "summary_paragraph",
]

EXTRA_LABELS: dict[str, dict[str, str]] = {
    **TS_LABELS,
    "indicator": {"zh": "指标", "en": "Indicator"},
    "target_col": {"zh": "2025 年目标", "en": "2025 target"},
    "kind_col": {"zh": "口径", "en": "Measure"},
    "current": {"zh": "截至最新", "en": "Latest"},
    "forecast_col": {"zh": "2025 年末预测（95% 区间）", "en": "End-2025 forecast (95% interval)"},
    "prob_col": {"zh": "达标概率", "en": "P(target)"},
    "status_col": {"zh": "状态", "en": "Status"},
    "model_col": {"zh": "模型", "en": "Model"},
    "realised": {"zh": "模拟实现值", "en": "Simulated outcome"},
    "reached": {"zh": "是否达标", "en": "Reached"},
}
KIND_TEXT = {"level": {"zh": "期末值", "en": "level at end-2025"},
             "share": {"zh": "期末占比", "en": "share at end-2025"},
             "cumulative": {"zh": "累计（自 {w} 起）", "en": "sum since {w}"},
             "annual_growth": {"zh": "年均增长（以 {w} 年为基期）", "en": "average annual growth from {w}"}}


def labels(lang: Lang = "zh") -> Labels:
    """The labels of this study."""
    return Labels(lang, extra=EXTRA_LABELS)


@dataclass(frozen=True)
class TargetsRun:
    """Everything the dashboard paper reports, computed once."""

    as_of: str
    seed: int
    targets: pd.DataFrame
    series: pd.DataFrame
    tracking: TargetTracking
    realised: TargetTracking | None  # the same synthetic series observed to 2025-12 (None when as_of = 2025-12)


def run(*, as_of: str = "2025-06", seed: int = 20221230, criterion: str = "aicc") -> TargetsRun:
    """Simulate the indicator series up to ``as_of``, track every target, and (synthetic data
    only) track the same series observed to 2025-12 to know which targets were in fact reached."""
    targets = load_targets()
    as_of = str(pd.Period(as_of, freq="M"))
    series = target_indicators_demo(targets, as_of=as_of, seed=seed)
    tracking = track_targets(series, targets, as_of=as_of, criterion=criterion)  # type: ignore[arg-type]
    realised = None
    if as_of < "2025-12":
        full = target_indicators_demo(targets, as_of="2025-12", seed=seed)
        realised = track_targets(full, targets, criterion=criterion)  # type: ignore[arg-type]
    return TargetsRun(as_of=as_of, seed=seed, targets=targets, series=series, tracking=tracking, realised=realised)


def data_notice(lang: Lang = "zh") -> str:
    lab = labels(lang)
    return lab.pick(
        zh="> **数据说明：本文的指标序列是模拟（合成）演示数据**，由 `research_kit.simulate.indicators` 生成，"
           "不代表金华市任何指标的真实数值；2025 年目标值摘自《实施方案》“主要目标”部分（`data/targets/targets_2025.csv`）。",
        en="> **Data notice: the indicator series in this paper are synthetic demo data** made by "
           "`research_kit.simulate.indicators`; they are not Jinhua's real figures. The 2025 targets are those of the "
           "plan's main-targets section (`data/targets/targets_2025.csv`).",
    )


def _name(row: Any, lang: Lang) -> str:
    return str(row["indicator_zh"] if lang == "zh" else row["indicator_en"])


def _kind_text(row: Any, lang: Lang) -> str:
    w = row.get("window_start")
    if isinstance(w, pd.Period):
        w = str(w)
    return KIND_TEXT[row["kind"]][lang].format(w=w)


def _num(x: float, unit: str = "") -> str:
    if not np.isfinite(x):
        return ""
    digits = 0 if abs(x) >= 100 or unit == "家" else (1 if abs(x) >= 10 else 2)
    return format_number(float(x), digits=digits)


def _target_text(row: Any, lang: Lang) -> str:
    t, unit = float(row["target"]), str(row["unit"])
    if lang == "zh" or unit == "%":
        return f"{t:g}{'' if unit == '%' else ' '}{unit}"
    en = str(row.get("unit_en") or unit)
    if en in ("USD 100m", "CNY 100m"):
        cur = en[:3]
        return f"{cur} {t / 10:g} billion" if t >= 10 else f"{cur} {t * 100:g} million"
    if en.startswith("10k "):
        return f"{t * 10_000:,.0f} {en[4:]}"
    if en == "CNY trillion":
        return f"CNY {t:g} trillion"
    if t == 1 and en.endswith("s"):
        en = en[:-1]
    return f"{t:g} {en}"


def summary_paragraph(r: TargetsRun, *, lang: Lang = "zh") -> str:
    """Counts of targets by status, and the targets off track."""
    check_lang(lang)
    lab = labels(lang)
    st = r.tracking.status_table()
    counts = st["status"].value_counts()
    n = len(st)
    c = {k: int(counts.get(k, 0)) for k in ("achieved", "on_track", "at_risk", "off_track", "missed", "no_data")}
    off = "、".join(_name(x, lang) for x in st.loc[st["status"] == "off_track"].to_dict("records"))
    off_en = "; ".join(_name(x, lang) for x in st.loc[st["status"] == "off_track"].to_dict("records"))
    return lab.pick(
        zh=f"截至 {r.as_of}，《实施方案》的 {n} 项量化目标中，{c['achieved']} 项已完成，{c['on_track']} 项进展顺利"
           f"（达标概率不低于 80%），{c['at_risk']} 项存在风险（40%–80%），{c['off_track']} 项明显滞后（低于 40%），"
           f"{c['no_data']} 项为里程碑式目标、没有可预测的序列。" + (f"明显滞后的是：{off}。" if off else ""),
        en=f"As of {r.as_of}, of the plan's {n} quantitative targets {c['achieved']} are already achieved, "
           f"{c['on_track']} are on track (probability of reaching the target at least 80%), {c['at_risk']} at risk "
           f"(40–80%) and {c['off_track']} off track (below 40%); {c['no_data']} are milestones without a series to "
           f"forecast." + (f" Off track: {off_en}." if off_en else ""),
    )


def status_table(r: TargetsRun, *, lang: Lang = "zh") -> Table:
    """One row per target: target, measure, latest value, forecast with interval, probability, status."""
    lab = labels(lang)
    st = r.tracking.status_table()
    rows = []
    for x in st.to_dict("records"):
        have = x["status"] != "no_data"
        u = x["unit"]
        fc = f"{_num(x['forecast'], u)} [{_num(x['pi_lower'], u)}, {_num(x['pi_upper'], u)}]" if have else ""
        if have and x["kind"] == "annual_growth" and np.isfinite(x["forecast_growth"]):
            fc = lab.pick(zh=f"年均增长 {x['forecast_growth']:.1f}%", en=f"{x['forecast_growth']:.1f}% a year")
        rows.append({
            lab("indicator"): _name(x, lang),
            lab("target_col"): _target_text(x, lang),
            lab("kind_col"): _kind_text(x, lang),
            lab("current"): _num(x["current"], u) if have and x["kind"] != "annual_growth" else "",
            lab("forecast_col"): fc,
            lab("prob_col"): f"{x['probability']:.0%}" if np.isfinite(x["probability"]) else "",
            lab("status_col"): lab(x["status"]),
            lab("model_col"): x["model"],
        })
    return Table(body=pd.DataFrame(rows), caption=caption("status", lang, as_of=r.as_of),
                 notes=(lab.pick(zh="模型：ETS(A,N,N) 简单指数平滑，ETS(A,A,N) 线性趋势，ETS(A,Ad,N) 阻尼趋势，按 AICc 选择。",
                                 en="Models: ETS(A,N,N) simple exponential smoothing, ETS(A,A,N) linear trend, "
                                    "ETS(A,Ad,N) damped trend, chosen by AICc."),),
                 align="lllrrrll")


def realised_table(r: TargetsRun, *, lang: Lang = "zh") -> Table | None:
    """Synthetic data only: forecast probability next to whether the simulated series in fact reached the target."""
    if r.realised is None:
        return None
    lab = labels(lang)
    a = r.tracking.status_table().set_index("id")
    b = r.realised.status_table().set_index("id")
    keep = a.index[a["status"] != "no_data"]
    rows = []
    for k in keep:
        x, y = a.loc[k], b.loc[k]
        value = (lab.pick(zh=f"年均增长 {y['forecast_growth']:.1f}%", en=f"{y['forecast_growth']:.1f}% a year")
                 if x["kind"] == "annual_growth" else _num(y["forecast"], x["unit"]))
        rows.append({lab("indicator"): _name(x, lang), lab("prob_col"): f"{x['probability']:.0%}",
                     lab("status_col"): lab(x["status"]), lab("realised"): value,
                     lab("reached"): lab("yes") if y["status"] == "achieved" else lab("no")})
    return Table(body=pd.DataFrame(rows), caption=caption("realised", lang, as_of=r.as_of), align="lrlrl")


def realised_paragraph(r: TargetsRun, *, lang: Lang = "zh") -> str:
    """How well the probabilities sorted the targets, on the synthetic truth (Brier score)."""
    if r.realised is None:
        return ""
    a = r.tracking.status_table().set_index("id")
    b = r.realised.status_table().set_index("id")
    keep = a.index[a["status"] != "no_data"]
    p = a.loc[keep, "probability"].to_numpy(float)
    hit = (b.loc[keep, "status"] == "achieved").to_numpy(float)
    brier = float(np.mean((p - hit) ** 2))
    rated = a.loc[keep, "status"].isin(["on_track", "off_track", "achieved"]).to_numpy()
    said_yes = a.loc[keep, "status"].isin(["on_track", "achieved"]).to_numpy()
    agree = float(np.mean(said_yes[rated] == hit[rated].astype(bool))) if rated.any() else np.nan
    n_conf = int(rated.sum())
    lab = labels(lang)
    return lab.pick(
        zh=f"由于数据是模拟的，我们知道这些序列在 2025 年末的实际取值。{len(keep)} 项可预测目标中有 {int(hit.sum())} 项在模拟中达标；"
           f"判为“已完成”“进展顺利”或“明显滞后”的 {n_conf} 项中，判断与模拟结果一致的比例为 {agree:.0%}；"
           f"达标概率的 Brier 评分为 {brier:.3f}（0 为完美，始终报 50% 为 0.25）。",
        en=f"Because the data are simulated, we know where these series stood at the end of 2025. Of the {len(keep)} "
           f"targets with a forecast, {int(hit.sum())} were reached in the simulation; of the {n_conf} rated achieved, "
           f"on track or off track, {agree:.0%} were rated in line with the simulated outcome. The Brier score of the "
           f"probabilities is {brier:.3f} (0 is perfect; always saying 50% scores 0.25).",
    )


def dashboard_figure(r: TargetsRun, *, lang: Lang = "zh"):
    """The small-multiples dashboard."""
    return r.tracking.plot(lang=lang)


def inputs_table(*, lang: Lang = "zh", root: str | os.PathLike[str] | None = None) -> Table:
    """The input file of the targets (path, rows, sha256 prefix) for the provenance appendix."""
    lab = labels(lang)
    f = targets_file(root)
    digest = hashlib.sha256(f.read_bytes()).hexdigest()
    n = len(pd.read_csv(f))
    return table(pd.DataFrame({lab("file"): ["data/targets/targets_2025.csv"], lab("rows"): [n],
                               "sha256": [digest[:16] + "…"]}),
                 caption=lab.pick(zh="目标数据文件（sha256 前 16 位）", en="Targets file (first 16 hex digits of sha256)"))


CAPTIONS = {
    "status": {"zh": "表 1  2025 年量化目标进展（截至 {as_of}；指标序列为模拟数据）",
               "en": "Table 1  Progress towards the 2025 targets (as of {as_of}; synthetic indicator series)"},
    "dashboard": {"zh": "图 1  各项目标的实际值、预测与目标线（阴影为 50/80/95% 预测区间；模拟数据）",
                  "en": "Figure 1  Observed values, forecasts and targets (shaded: 50/80/95% prediction intervals; "
                        "synthetic data)"},
    "realised": {"zh": "表 2  {as_of} 的达标概率与模拟序列 2025 年末的实际结果",
                 "en": "Table 2  Probabilities as of {as_of} against the simulated end-2025 outcome"},
}


def caption(key: str, lang: Lang = "zh", **kw: str) -> str:
    return CAPTIONS[key][lang].format(**kw)


def front_matter(r: TargetsRun, *, lang: Lang = "zh") -> dict[str, Any]:
    lab = labels(lang)
    st = r.tracking.status_table()
    c = st["status"].value_counts()
    title = lab.pick(zh=f"2025 年量化目标进展监测（截至 {r.as_of}）", en=f"Tracking the 2025 targets (as of {r.as_of})")
    abstract = lab.pick(
        zh=f"本文逐项跟踪《实施方案》主要目标中的 {len(st)} 项量化指标：对每个指标的月度或季度序列拟合指数平滑状态空间模型，"
           f"预测至 2025 年末并计算达标概率。截至 {r.as_of}，{int(c.get('on_track', 0)) + int(c.get('achieved', 0))} 项已完成或进展顺利，"
           f"{int(c.get('at_risk', 0))} 项存在风险，{int(c.get('off_track', 0))} 项明显滞后。本文数据为模拟演示数据。",
        en=f"We track the {len(st)} quantitative targets of the plan's main-targets section: for each indicator's monthly "
           f"or quarterly series we fit an exponential-smoothing state-space model, forecast it to the end of 2025 and "
           f"compute the probability of reaching the target. As of {r.as_of}, "
           f"{int(c.get('on_track', 0)) + int(c.get('achieved', 0))} are achieved or on track, {int(c.get('at_risk', 0))} "
           f"at risk and {int(c.get('off_track', 0))} off track. The data are synthetic demo data.",
    )
    return {"title": title, "abstract": abstract, "lang": lang,
            "task": lab.pick(zh="主要目标：2025 年量化目标", en="Main targets: the 2025 quantitative targets"),
            "synthetic": True}
