"""Figures for papers: every function returns a matplotlib Figure, never shows it.

:func:`show` displays a figure in a notebook as a PNG with its caption in the
output metadata (the renderer turns it into a numbered figure) and closes it.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from research_kit.report.labels import Labels, Lang
from research_kit.report.theme import PALETTE, themed
from research_kit.results import Result

__all__ = ["show", "coef_plot", "event_study_plot", "rollout_plot", "trends_plot", "figure_png"]


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure (deterministic: no timestamp metadata)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})  # the theme's savefig.*
    return buf.getvalue()


def show(fig: Figure | None, caption: str = "") -> None:
    """Display ``fig`` as a PNG with ``caption`` and close it.

    ``None`` (a figure that does not apply to this run, e.g. a decomposition
    without timing variation) displays nothing.
    """
    from IPython.display import display

    if fig is None:
        return
    png = base64.b64encode(figure_png(fig)).decode("ascii")
    display({"image/png": png, "text/plain": caption or "figure"}, raw=True, metadata={"caption": caption})
    plt.close(fig)
    if caption and not _in_pipeline():
        # JupyterLab shows neither the metadata nor text/plain next to an image: print the caption under it.
        # (In a pipeline run the renderer turns the metadata into the numbered caption.)
        display({"text/markdown": f"*{caption}*", "text/plain": caption}, raw=True)


def _in_pipeline() -> bool:
    """True in a kernel the pipeline started (it sets RESEARCH_KIT_COMMIT), where captions come from metadata."""
    import os

    from research_kit.report.provenance import COMMIT_ENV

    return COMMIT_ENV in os.environ


def _new_axes(ax: plt.Axes | None, size: tuple[float, float] = (7.0, 4.0)) -> tuple[Figure, plt.Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
        return fig, ax
    return ax.figure, ax  # type: ignore[return-value]


@themed
def coef_plot(result: Result, *, ax: plt.Axes | None = None, labels: Mapping[str, str] | None = None) -> plt.Axes:
    """Point estimates and confidence intervals of every term of ``result``."""
    _, ax = _new_axes(ax)
    tab = result.tidy()
    y = np.arange(len(tab))[::-1]
    ax.errorbar(tab["estimate"], y, xerr=[tab["estimate"] - tab["conf_low"], tab["conf_high"] - tab["estimate"]],
                fmt="o", color=PALETTE[0], capsize=3)
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(y, [(labels or {}).get(t, t) for t in tab["term"]])
    return ax


@themed
def event_study_plot(
    series: Result | pd.DataFrame | Mapping[str, Result | pd.DataFrame],
    *,
    lang: Lang = "zh",
    ylabel: str = "",
    xlabel: str | None = None,
    truth: pd.DataFrame | None = None,
    reference: float | None = -1,
    ax: plt.Axes | None = None,
) -> Figure:
    """Event-study coefficients of several estimators side by side.

    Parameters
    ----------
    series
        An event-study result (``rk.did.event_study(...)``, a Callaway–Sant'Anna
        ``aggregate("dynamic")``), a DataFrame with columns ``event_time, estimate, conf_low,
        conf_high`` (optional ``uniform_low, uniform_high`` for uniform bands), or a mapping of
        display names to either, drawn side by side.
    xlabel
        Label of the horizontal axis (default: "event time" in the paper's language).
    truth
        Optional DataFrame ``event_time, estimate`` of the true effects (simulated data).

    Binned endpoints (``bin_endpoints=True``) are labelled ``e≤−k`` and ``e≥k``.
    """
    lab = Labels(lang)
    if isinstance(series, (Result, pd.DataFrame)):
        name = lab.get(series.estimator, series.estimator) if isinstance(series, Result) else lab("estimate")
        series = {name: series}
    frames: dict[str, pd.DataFrame] = {}
    binned: tuple[int, int] | None = None
    for name, obj in series.items():
        frame, window = _event_frame(obj)
        frames[name] = frame
        binned = binned or window
    series = frames
    fig, ax = _new_axes(ax, (7.5, 4.2))
    k = len(series)
    width = 0.25 if k > 1 else 0.0
    for i, (name, df) in enumerate(series.items()):
        d = df.sort_values("event_time")
        x = d["event_time"].to_numpy(float) + (i - (k - 1) / 2) * width
        color = PALETTE[i % len(PALETTE)]
        if {"uniform_low", "uniform_high"} <= set(d.columns):
            ax.fill_between(x, d["uniform_low"], d["uniform_high"], color=color, alpha=0.12, lw=0)
        ax.errorbar(x, d["estimate"], yerr=[d["estimate"] - d["conf_low"], d["conf_high"] - d["estimate"]],
                    fmt="o", ms=3, lw=1, capsize=0, color=color, label=name)
    if truth is not None:
        t = truth.sort_values("event_time")
        ax.plot(t["event_time"], t["estimate"], color="black", lw=1.5, ls="-", label=lab("truth"))
    ax.axhline(0, color="grey", lw=0.8)
    if reference is not None:
        ax.axvline(reference + 0.5, color="grey", lw=0.8, ls=":")
    ax.set_xlabel(lab("event_time") if xlabel is None else xlabel)
    ax.set_ylabel(ylabel)
    if binned is not None:
        lo, hi = binned
        ticks = [int(t) for t in ax.get_xticks() if lo <= t <= hi and float(t).is_integer()]
        ticks = sorted(set(ticks) | {lo, hi})
        ax.set_xticks(ticks, [f"e≤{_minus(lo)}" if t == lo else f"e≥{_minus(hi)}" if t == hi else _minus(t)
                              for t in ticks])
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def _minus(t: int) -> str:
    return str(t).replace("-", "\u2212")


def _event_frame(obj: Result | pd.DataFrame) -> tuple[pd.DataFrame, tuple[int, int] | None]:
    """The event-time table of a result (and its binned window), or the DataFrame itself."""
    if isinstance(obj, pd.DataFrame):
        return obj, None
    frame = obj.event_time if isinstance(obj, Result) else None
    if frame is None:
        raise TypeError(f"{type(obj).__name__} has no event-time estimates to plot; pass rk.did.event_study(...), "
                        "a Callaway-Sant'Anna aggregate('dynamic') result, or a DataFrame with event_time, estimate, "
                        "conf_low, conf_high.")
    return frame, obj.binned_window


@themed
def rollout_plot(rollout: pd.DataFrame, *, row: str, col: str, start: str, lang: Lang = "zh",
                 row_labels: Mapping[str, str] | None = None, col_labels: Mapping[str, str] | None = None,
                 end: pd.Timestamp | None = None) -> Figure:
    """Which cell starts when: a heat map of adoption dates (rows × columns)."""
    lab = Labels(lang)
    fig, ax = _new_axes(None, (6.5, 4.0))  # printed at about page width: labels stay >= 8 pt
    d = rollout.copy()
    d["_label"] = d[start].dt.strftime("%Y-%m").where(d[start].notna(), "—")
    origin = d[start].min()
    d["_value"] = ((d[start].dt.year - origin.year) * 12 + d[start].dt.month - origin.month).astype("float")
    grid = d.pivot(index=row, columns=col, values="_value")
    text = d.pivot(index=row, columns=col, values="_label")
    grid.index = [(row_labels or {}).get(i, i) for i in grid.index]
    grid.columns = [(col_labels or {}).get(c, c) for c in grid.columns]
    import seaborn as sns

    sns.heatmap(grid, annot=text.to_numpy(), fmt="", cmap="viridis_r", cbar=False, ax=ax,
                linewidths=0.5, linecolor="white", annot_kws={"fontsize": 8.5}, mask=grid.isna())
    ax.set_facecolor("#eeeeee")
    ax.grid(False)
    ax.set_xticks(ax.get_xticks(), [t.get_text().replace(" ", "\n", 1) if len(t.get_text()) > 10 else t.get_text()
                                    for t in ax.get_xticklabels()])
    ax.tick_params(axis="x", labelrotation=0, labelsize=8.5)
    ax.tick_params(axis="y", labelrotation=0)
    ax.set_xlabel(lab(col) if col in ("bank", "county") else col)
    ax.set_ylabel(lab(row) if row in ("bank", "county") else row)
    fig.tight_layout()
    return fig


@themed
def trends_plot(df: pd.DataFrame, *, time: str, group: str, value: str, lang: Lang = "zh", ylabel: str = "",
                group_labels: Mapping[object, str] | None = None, markers: Mapping[object, pd.Timestamp] | None = None) -> Figure:
    """Raw means of ``value`` over ``time`` by ``group`` (e.g. adoption cohort), aggregated already."""
    lab = Labels(lang)
    fig, ax = _new_axes(None, (7.5, 4.0))
    for i, (g, d) in enumerate(df.groupby(group, sort=True)):
        color = PALETTE[i % len(PALETTE)]
        ax.plot(d[time], d[value], color=color, lw=1.3, label=(group_labels or {}).get(g, str(g)))
        if markers and g in markers and pd.notna(markers[g]):
            ax.axvline(markers[g], color=color, lw=0.8, ls=":")
    ax.set_xlabel(lab("month"))
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    fig.tight_layout()
    return fig
