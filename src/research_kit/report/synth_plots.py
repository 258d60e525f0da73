"""Figures of the synthetic-control results (paths, gaps, placebo clouds, SDID weights).

Every function draws on the given Axes (or a new one), labels it in Chinese or
English, and returns the Axes; nothing is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from research_kit.report.labels import Labels, Lang
from research_kit.report.theme import themed

__all__ = [
    "SYNTH_LABELS",
    "gap_plot",
    "labels",
    "new_axes",
    "paths_plot",
    "placebo_gaps_plot",
    "ratio_plot",
    "sdid_plot",
]

SYNTH_LABELS: dict[str, dict[str, str]] = {
    "synthetic_of": {"zh": "合成{unit}", "en": "Synthetic {unit}"},
    "gap": {"zh": "差距（实际 − 合成）", "en": "Gap (actual − synthetic)"},
    "time": {"zh": "时间", "en": "Time"},
    "outcome": {"zh": "结果变量", "en": "Outcome"},
    "treatment_start": {"zh": "处理开始", "en": "Treatment starts"},
    "fake_start": {"zh": "虚拟处理时点", "en": "Placebo start"},
    "placebos": {"zh": "安慰剂（供体单位）", "en": "Placebos (donor units)"},
    "excluded_note": {"zh": "（已剔除处理前拟合差的 {n} 个）", "en": " ({n} with poor pre-fit excluded)"},
    "rmspe_ratio": {"zh": "处理后/处理前 RMSPE 之比", "en": "Post/pre RMSPE ratio"},
    "unit": {"zh": "单位", "en": "Unit"},
    "treated_mean": {"zh": "处理组", "en": "Treated"},
    "sdid_control": {"zh": "加权对照组（SDID）", "en": "Weighted controls (SDID)"},
    "time_weights": {"zh": "时间权重 λ", "en": "Time weights λ"},
}


def labels(lang: Lang = "zh") -> Labels:
    """Labels with the synthetic-control keys."""
    return Labels(lang, extra=SYNTH_LABELS)


def new_axes(ax: Any = None, size: tuple[float, float] = (7.0, 4.0)) -> Any:
    """The given Axes, or a new one (the public functions draw inside the theme's context)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size)
    return ax


def _palette() -> list[str]:
    from research_kit.report.theme import PALETTE

    return PALETTE


def _mark_start(ax: Any, start: Any, text: str) -> None:
    ax.axvline(start, color="grey", lw=0.8, ls=":")
    ymin, ymax = ax.get_ylim()
    ax.text(start, ymax - 0.03 * (ymax - ymin), " " + text, fontsize=8, color="grey", va="top", ha="left")


def _boundary(times: np.ndarray, post: np.ndarray) -> Any:
    """The first post-treatment period (where the vertical marker goes)."""
    idx = np.flatnonzero(post)
    return times[idx[0]] if idx.size else times[-1]


@themed
def paths_plot(paths: pd.DataFrame, *, treated_name: str, ax: Any = None, lang: Lang = "zh", ylabel: str = "",
               start_label: str | None = None) -> Any:
    """Treated and synthetic outcome paths (``paths`` columns: time, treated, synthetic, post)."""
    lab = labels(lang)
    ax = new_axes(ax)
    pal = _palette()
    ax.plot(paths["time"], paths["treated"], color=pal[0], lw=1.8, label=treated_name)
    ax.plot(paths["time"], paths["synthetic"], color=pal[1], lw=1.6, ls="--",
            label=lab("synthetic_of").format(unit=treated_name))
    _mark_start(ax, _boundary(paths["time"].to_numpy(), paths["post"].to_numpy()),
                start_label or lab("treatment_start"))
    ax.set_xlabel(lab("time"))
    ax.set_ylabel(ylabel or lab("outcome"))
    ax.legend(loc="best", fontsize=8)
    return ax


@themed
def gap_plot(paths: pd.DataFrame, *, ax: Any = None, lang: Lang = "zh", ylabel: str = "",
             start_label: str | None = None) -> Any:
    """Gap between the treated unit and its synthetic control over time."""
    lab = labels(lang)
    ax = new_axes(ax)
    ax.axhline(0, color="grey", lw=0.8)
    ax.plot(paths["time"], paths["gap"], color=_palette()[0], lw=1.8)
    _mark_start(ax, _boundary(paths["time"].to_numpy(), paths["post"].to_numpy()),
                start_label or lab("treatment_start"))
    ax.set_xlabel(lab("time"))
    ax.set_ylabel(ylabel or lab("gap"))
    return ax


@themed
def placebo_gaps_plot(gaps: pd.DataFrame, *, treated: Any, start: Any, excluded: Sequence[Any] = (),
                      ax: Any = None, lang: Lang = "zh", ylabel: str = "") -> Any:
    """The treated unit's gap (colour) against the placebo gaps of the donors (grey)."""
    lab = labels(lang)
    ax = new_axes(ax)
    skip = set(excluded)
    shown = [u for u in gaps.columns if u != treated and u not in skip]
    for i, u in enumerate(shown):
        ax.plot(gaps.index, gaps[u], color="#9a9a9a", lw=0.8, alpha=0.7,
                label=lab("placebos") if i == 0 else None)
    ax.plot(gaps.index, gaps[treated], color=_palette()[0], lw=2.0, label=str(treated))
    ax.axhline(0, color="grey", lw=0.8)
    _mark_start(ax, start, lab("treatment_start"))
    ax.set_xlabel(lab("time"))
    ax.set_ylabel(ylabel or lab("gap"))
    title = ""
    if skip:
        title = lab("excluded_note").format(n=len(skip)).strip()
    if title:
        ax.set_title(title, fontsize=9, fontweight="normal")
    ax.legend(loc="lower left", fontsize=8)
    return ax


@themed
def ratio_plot(table: pd.DataFrame, *, treated: Any, ax: Any = None, lang: Lang = "zh",
               unit_labels: Mapping[Any, str] | None = None) -> Any:
    """Post/pre RMSPE ratios of all units, the treated unit highlighted."""
    lab = labels(lang)
    d = table.loc[~table["excluded"]].sort_values("ratio")
    ax = new_axes(ax, (6.0, max(3.0, 0.18 * len(d) + 1.0)))
    pal = _palette()
    colors = [pal[1] if u == treated else "#9a9a9a" for u in d["unit"]]
    y = np.arange(len(d))
    ax.barh(y, d["ratio"], color=colors)
    names = [(unit_labels or {}).get(u, str(u)) for u in d["unit"]]
    ax.set_yticks(y, names, fontsize=7)
    ax.set_xlabel(lab("rmspe_ratio"))
    ax.set_ylabel("")
    return ax


def _bar_width(times: pd.Series) -> Any:
    """80% of the smallest spacing between periods (numbers or dates)."""
    t = pd.Series(times).sort_values()
    if len(t) < 2:
        return 0.8
    step = t.diff().dropna().min()
    return step * 0.8


@themed
def sdid_plot(paths: pd.DataFrame, time_weights: pd.Series, *, ax: Any = None, lang: Lang = "zh",
              ylabel: str = "") -> Any:
    """Treated mean and the weighted control path of SDID, time weights as bars at the bottom."""
    lab = labels(lang)
    ax = new_axes(ax)
    pal = _palette()
    ax.plot(paths["time"], paths["treated"], color=pal[0], lw=1.8, label=lab("treated_mean"))
    ax.plot(paths["time"], paths["synthetic"], color=pal[1], lw=1.6, ls="--", label=lab("sdid_control"))
    ymin, ymax = ax.get_ylim()
    height = 0.15 * (ymax - ymin)
    lam = time_weights.to_numpy(dtype=float)
    if lam.size and lam.max() > 0:
        ax.bar(time_weights.index, height * lam / lam.max(), bottom=ymin, color=pal[2], alpha=0.5,
               width=_bar_width(paths["time"]), label=lab("time_weights"))
    ax.set_ylim(ymin, ymax)
    _mark_start(ax, _boundary(paths["time"].to_numpy(), paths["post"].to_numpy()), lab("treatment_start"))
    ax.set_xlabel(lab("time"))
    ax.set_ylabel(ylabel or lab("outcome"))
    ax.legend(loc="best", fontsize=8)
    return ax


@themed
def control_plot(paths: pd.DataFrame, *, treated_name: str, lang: Lang = "zh", ylabel: str = "") -> Any:
    """Two panels: treated vs synthetic paths, and the gap; returns the array of their Axes."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.8))
    paths_plot(paths, treated_name=treated_name, ax=axes[0], lang=lang, ylabel=ylabel)
    gap_plot(paths, ax=axes[1], lang=lang)
    fig.tight_layout()
    return axes
