"""The targets dashboard.

One small panel per indicator with its history, forecast fan, target line and status.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from research_kit.report.labels import Labels, Lang, check_lang
from research_kit.report.theme import themed

if TYPE_CHECKING:  # pragma: no cover
    from research_kit.timeseries.tracking import TargetTracking

__all__ = ["STATUS_COLORS", "TS_LABELS", "dashboard_plot"]

#: Okabe–Ito colours of the statuses.
STATUS_COLORS = {"achieved": "#0072B2", "on_track": "#009E73", "at_risk": "#E69F00", "off_track": "#D55E00",
                 "missed": "#000000", "no_data": "#999999"}

#: zh/en labels of the dashboard (passed to :class:`~research_kit.report.Labels` as ``extra``).
TS_LABELS: dict[str, dict[str, str]] = {
    "achieved": {"zh": "已完成", "en": "achieved"},
    "on_track": {"zh": "进展顺利", "en": "on track"},
    "at_risk": {"zh": "存在风险", "en": "at risk"},
    "off_track": {"zh": "明显滞后", "en": "off track"},
    "missed": {"zh": "未完成", "en": "missed"},
    "no_data": {"zh": "无数据", "en": "no data"},
    "history": {"zh": "实际值", "en": "observed"},
    "forecast": {"zh": "预测", "en": "forecast"},
    "target": {"zh": "目标", "en": "target"},
    "fan": {"zh": "预测区间（50/80/95%）", "en": "prediction intervals (50/80/95%)"},
    "probability": {"zh": "达标概率", "en": "P(target)"},
    "level": {"zh": "期末值", "en": "level"},
    "share": {"zh": "占比", "en": "share"},
    "cumulative": {"zh": "累计值", "en": "cumulative"},
    "annual_growth": {"zh": "年度合计", "en": "annual total"},
}


#: Width of one panel (inches) and the smallest type size (points) of the dashboard.
PANEL_WIDTH = 2.3
FONT = 7.5


def _x(periods: pd.Series | pd.PeriodIndex) -> np.ndarray:
    return pd.PeriodIndex(periods).to_timestamp(how="start").to_numpy()


@themed
def dashboard_plot(tracking: TargetTracking, *, lang: Lang = "zh", ids: Sequence[str] | None = None,
                   ncols: int = 3, start: str | None = "2021-01") -> Figure:
    """Small multiples of every tracked indicator.

    Each panel shows the tracked quantity (the level, the cumulative sum from the
    window start, or the trailing annual total) observed (solid) and forecast
    (dashed) with 50/80/95% prediction fans, the target (dotted horizontal line at
    the deadline), its status and the probability of reaching the target.
    Targets without data are listed under the panels.

    Parameters
    ----------
    tracking
        The result of :func:`~research_kit.timeseries.track_targets`.
    lang
        ``"zh"`` or ``"en"``.
    ids
        Targets to draw (default: all with data, in table order).
    ncols
        Panels per row.
    start
        First month shown (None: the whole history).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    check_lang(lang)
    lab = Labels(lang, extra=TS_LABELS)
    st = tracking.status.set_index("id", drop=False)
    chosen = list(ids) if ids is not None else [i for i in st["id"] if st.loc[i, "status"] != "no_data"]
    bad = [i for i in chosen if i not in st.index]
    if bad:
        raise ValueError(f"ids {bad} are not targets of this tracking; choose from {list(st['id'])}.")
    missing = [i for i in st["id"] if st.loc[i, "status"] == "no_data" and i not in chosen] if ids is None else []
    n = max(1, len(chosen))
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    # Panels 2.3 in wide: three a row make 6.9 in, about the text width of an A4 page (6.5 in) and of the HTML
    # column, so the type sizes below print at 7-8 pt. More columns shrink the text below that in print.
    fig, axes = plt.subplots(nrows, ncols, figsize=(PANEL_WIDTH * ncols, 2.2 * nrows), squeeze=False)
    first = pd.Period(start, freq="M") if start else None
    qs = [(0.95, 0.15), (0.80, 0.22), (0.50, 0.32)]
    for ax, key in zip(axes.flat, chosen, strict=False):
        row = st.loc[key]
        color = STATUS_COLORS[row["status"]]
        hist = tracking.history.get(key)
        if hist is not None:
            h = hist.dropna(subset=["tracked"])
            if first is not None:
                h = h.loc[pd.PeriodIndex(h["period"]).asfreq("M", how="end") >= first]
            ax.plot(_x(h["period"]), h["tracked"], color="#333333", lw=1.2)
        fc = tracking.forecasts.get(key)
        if fc is not None:
            f = fc.loc[pd.PeriodIndex(fc["period"]).asfreq("M", how="end") <= row["deadline"]]
            f = f.dropna(subset=["tracked_mean"])[["period", "tracked_mean", "tracked_sd"]]
            if hist is not None and np.isfinite(hist["tracked"].iloc[-1]):  # start the fan at the last observation
                anchor = pd.DataFrame({"period": [hist["period"].iloc[-1]], "tracked_mean": [hist["tracked"].iloc[-1]],
                                       "tracked_sd": [0.0]})
                f = pd.concat([anchor, f], ignore_index=True)
            x = _x(f["period"])
            for cover, alpha in qs:
                zq = stats.norm.ppf(0.5 + cover / 2)
                ax.fill_between(x, f["tracked_mean"] - zq * f["tracked_sd"], f["tracked_mean"] + zq * f["tracked_sd"],
                                color=color, alpha=alpha, lw=0)
            ax.plot(x, f["tracked_mean"], color=color, lw=1.2, ls="--")
        if np.isfinite(row["target_value"]):
            ax.axhline(row["target_value"], color=color, lw=1.0, ls=":")
            ax.plot(_x(pd.PeriodIndex([row["deadline"]])), [row["target_value"]], marker="D", ms=4, color=color)
        name = row["indicator_zh"] if lang == "zh" else row["indicator_en"]
        width = 14 if lang == "zh" else 28
        prob = row["probability"]
        shown = "< 1%" if prob < 0.01 else ("> 99%" if prob > 0.99 else f"{prob:.0%}")
        ptxt = f"{lab('probability')} {shown}" if np.isfinite(prob) and row["status"] not in ("achieved", "missed") else ""
        ax.set_title("\n".join(textwrap.wrap(str(name), width)[:3]), fontsize=8.5, loc="left", fontweight="normal")
        lo_y, hi_y = ax.get_ylim()  # headroom for the status line, which then never covers the data
        ax.set_ylim(lo_y, hi_y + 0.22 * (hi_y - lo_y))
        ax.text(0.02, 0.97, f"{lab(row['status'])}  {ptxt}", transform=ax.transAxes, va="top", ha="left",
                fontsize=FONT, color=color)
        unit = row["unit"] if lang == "zh" else (row["unit_en"] or row["unit"])
        ylab = lab(row["kind"]) if row["kind"] == "annual_growth" else f"{lab(row['kind'])} ({unit})"
        ax.set_ylabel(ylab, fontsize=FONT)
        ax.tick_params(labelsize=FONT)
        lo, hi = ax.get_xlim()
        if hi - lo < 2 * 365:  # a short window (e.g. a 2025 annual total): label quarters
            ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%y-%m"))
        else:
            ax.xaxis.set_major_locator(mdates.YearLocator())
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%y"))
    for ax in list(axes.flat)[len(chosen):]:
        ax.axis("off")
    handles = [plt.Line2D([], [], color="#333333", lw=1.2, label=lab("history")),
               plt.Line2D([], [], color="#555555", lw=1.2, ls="--", label=lab("forecast")),
               plt.Rectangle((0, 0), 1, 1, color="#555555", alpha=0.3, label=lab("fan")),
               plt.Line2D([], [], color="#555555", lw=1.0, ls=":", marker="D", ms=4, label=lab("target"))]
    handles += [plt.Rectangle((0, 0), 1, 1, color=STATUS_COLORS[s], label=lab(s))
                for s in ("achieved", "on_track", "at_risk", "off_track")]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=FONT, bbox_to_anchor=(0.5, 0.0))
    bottom = 0.06 if nrows > 2 else 0.12
    if missing:
        names = [st.loc[i, "indicator_zh"] if lang == "zh" else st.loc[i, "indicator_en"] for i in missing]
        sep = "；" if lang == "zh" else "; "
        fig.text(0.5, bottom, f"{lab('no_data')}{'：' if lang == 'zh' else ': '}{sep.join(map(str, names))}",
                 ha="center", va="bottom", fontsize=FONT, color=STATUS_COLORS["no_data"], wrap=True)
        bottom += 0.025 if nrows > 2 else 0.05
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig
