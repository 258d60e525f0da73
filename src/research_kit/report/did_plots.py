"""Plots of the difference-in-differences diagnostics (the plotting layer; drawn in the theme's context).

:func:`bacon_plot` draws a Goodman-Bacon decomposition, :func:`honest_plot` the
HonestDiD sensitivity of an event-study effect. Both are also reachable as
``research_kit.did.bacon_plot`` and ``research_kit.did.honest_plot``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from research_kit.did.bacon import BACON_TYPES
from research_kit.report.labels import Labels, check_lang
from research_kit.report.theme import PALETTE, themed

__all__ = ["bacon_plot", "honest_plot"]


_TYPE_LABELS = {
    "Earlier vs Later Treated": {"zh": "先处理组 vs 后处理组（后者处理前）", "en": "Earlier vs later treated"},
    "Later vs Earlier Treated": {"zh": "后处理组 vs 已处理组", "en": "Later vs earlier treated"},
    "Treated vs Untreated": {"zh": "处理组 vs 从未处理组", "en": "Treated vs never treated"},
    "Later vs Always Treated": {"zh": "处理组 vs 始终处理组", "en": "Later vs always treated"},
}


@themed
def bacon_plot(table: pd.DataFrame, *, lang: str = "zh", ax: Any = None) -> Any:
    """Scatter of each 2x2 estimate against its weight, marker by comparison type.

    A dashed line marks the TWFE estimate (the weighted mean of the points).

    Parameters
    ----------
    table
        Output of :func:`research_kit.did.bacon_decomposition`.
    lang
        ``"zh"`` or ``"en"`` for the axis and legend labels.
    ax
        Optional matplotlib Axes to draw on.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from research_kit.did import bacon_decomposition
    >>> from research_kit.did._example import small_staggered_panel
    >>> tab = bacon_decomposition(small_staggered_panel(), outcome="y", unit="id", time="t", treat="d")
    >>> fig = bacon_plot(tab, lang="en")
    >>> fig.axes[0].get_xlabel()
    'Weight'
    """
    import matplotlib.pyplot as plt

    lab = Labels(check_lang(lang), extra={"weight": {"zh": "权重", "en": "Weight"},
                                          "bacon_estimate": {"zh": "2×2 估计值", "en": "2×2 estimate"},
                                          "twfe_line": {"zh": "TWFE 估计值", "en": "TWFE estimate"},
                                          **_TYPE_LABELS})
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.0, 4.2))
    else:
        fig = ax.figure
    markers = ("o", "^", "s", "D")
    for i, kind in enumerate(BACON_TYPES):
        sub = table[table["type"] == kind]
        if len(sub):
            ax.scatter(sub["weight"], sub["estimate"], marker=markers[i], s=36, color=PALETTE[i % len(PALETTE)],
                       label=lab(kind))
    twfe = float((table["weight"] * table["estimate"]).sum())
    ax.axhline(twfe, color="black", lw=1, ls="--", label=f"{lab('twfe_line')} = {twfe:.3g}")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel(lab("weight"))
    ax.set_ylabel(lab("bacon_estimate"))
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


@themed
def honest_plot(table: pd.DataFrame, *, original: tuple[float, float] | None = None, lang: str = "zh",
                ax: Any = None) -> Any:
    """Robust intervals against ``Mbar`` beside the original interval (HonestDiD's sensitivity plot).

    Returns the matplotlib Figure. ``original`` defaults to the table's own (``HonestTable.original``).

    Examples
    --------
    >>> import numpy as np
    >>> from research_kit.did import honest_rm
    >>> tab = honest_rm([0.0, 0.01, 0.05], np.eye(3) * 1e-4, num_pre=2, num_post=1, mbar=(0.5, 1))
    >>> fig = honest_plot(tab, lang="en")
    >>> fig.axes[0].get_xlabel().endswith("(relative magnitude)")
    True
    """
    import matplotlib.pyplot as plt

    lab = Labels(check_lang(lang), extra={
        "x": {"zh": r"$\bar{M}$（相对幅度）", "en": r"$\bar{M}$ (relative magnitude)"},
        "y": {"zh": "效应的置信区间", "en": "Confidence interval for the effect"},
        "orig": {"zh": "原始区间", "en": "Original"},
        "robust_C-LF": {"zh": "稳健区间（C-LF）", "en": "Robust (C-LF)"},
        "robust_projection": {"zh": "稳健区间（sup-t 投影）", "en": "Robust (sup-t projection)"},
        "idset": {"zh": "识别集", "en": "Identified set"},
    })
    if ax is None:
        fig, ax = plt.subplots()
    else:
        fig = ax.figure
    from research_kit.did.honest import HonestTable

    orig = original if original is not None else (table.original if isinstance(table, HonestTable) else None)
    mb = table["mbar"].to_numpy(dtype=float)
    step = float(np.min(np.diff(np.unique(mb)))) if np.unique(mb).size > 1 else 0.5
    if orig is not None:
        x0 = mb.min() - step
        ax.vlines(x0, orig[0], orig[1], color="0.4", lw=2.5, label=lab("orig"))
        ax.set_xticks(np.r_[x0, mb], [lab("orig")] + [f"{m:g}" for m in mb])
    kind = table["method"].iloc[0] if "method" in table.columns and len(table) else "C-LF"
    robust = lab("robust_projection") if kind in ("projection", "sup-t projection") else lab("robust_C-LF")
    ax.vlines(mb, table["conf_low"], table["conf_high"], color="C0", lw=2.5, label=robust)
    if {"id_low", "id_high"} <= set(table.columns):
        ax.vlines(mb + 0.12 * step, table["id_low"], table["id_high"], color="C1", lw=1.5, label=lab("idset"))
    ax.axhline(0.0, color="0.6", lw=0.8, ls="--")
    ax.set_xlabel(lab("x"))
    ax.set_ylabel(lab("y"))
    ax.legend(loc="best", frameon=False)
    return fig
