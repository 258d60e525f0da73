"""Power curves in one figure (the plotting layer; also ``research_kit.power.power_curve_plot``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from research_kit.power.curve import POWER_LABELS
from research_kit.report.labels import Labels, Lang, check_lang
from research_kit.report.theme import PALETTE, themed

__all__ = ["power_curve_plot"]


@themed
def power_curve_plot(curves: Mapping[str, pd.DataFrame], *, lang: Lang = "zh", target_power: float = 0.8,
                     xlabel: str | None = None, mde: Mapping[str, float] | None = None) -> Figure:
    """Power curves of several designs in one figure.

    Parameters
    ----------
    curves
        Display name -> output of :func:`research_kit.power.power_curve` (simulated curves are drawn
        with ±2 Monte Carlo standard errors).
    lang
        ``"zh"`` or ``"en"``.
    target_power
        Drawn as a horizontal reference line.
    xlabel
        Label of the effect axis (default: "True effect").
    mde
        Optional display name -> MDE, marked on the target-power line.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    check_lang(lang)
    lab = Labels(lang, extra=POWER_LABELS)
    fig, ax = plt.subplots(figsize=(7.0, 4.0))
    for i, (name, c) in enumerate(curves.items()):
        color = PALETTE[i % len(PALETTE)]
        d = c.sort_values("effect")
        if (d["std_error"] > 0).any():
            ax.errorbar(d["effect"], d["power"], yerr=2 * d["std_error"], fmt="o-", ms=3, lw=1.2, capsize=2,
                        color=color, label=name)
        else:
            ax.plot(d["effect"], d["power"], lw=1.6, color=color, label=name)
        if mde and name in mde and np.isfinite(mde[name]):
            ax.plot([mde[name]], [target_power], marker="D", ms=5, color=color)
            ax.axvline(mde[name], color=color, lw=0.8, ls=":")
    ax.axhline(target_power, color="grey", lw=0.9, ls="--", label=f"{lab('target_power')} {target_power:.0%}")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel or lab("effect"))
    ax.set_ylabel(lab("power"))
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
