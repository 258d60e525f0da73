"""Regression-discontinuity plots (the plotting layer; drawn in the theme's context).

:func:`rd_plot` draws the bins and fits of :func:`research_kit.rd.rd_plot_data`
(also reachable as ``research_kit.rd.rd_plot``); :func:`density_plot` draws a
manipulation test (``DensityResult.plot()``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from research_kit.rd.density import DensityResult
from research_kit.rd.plot import rd_plot_data
from research_kit.report.theme import PALETTE, themed

__all__ = ["density_plot", "rd_plot"]


@themed
def rd_plot(
    df: pd.DataFrame,
    *,
    outcome: str,
    running: str,
    ax: Any = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    labels: tuple[str, str] | None = None,
    **options: Any,
) -> Any:
    """Draw a binned-scatter RD plot: bin means (dots) and a polynomial fit on each side.

    ``df``, ``outcome``, ``running`` and the keyword ``options`` (``cutoff``, ``p``, ``nbins``,
    ``binselect``, ``kernel``, ``h``, ``ci``) go to :func:`research_kit.rd.rd_plot_data`, the one
    place they are defined and checked; the others are the matplotlib ``ax`` to draw on, axis labels
    (default: the column names) and legend labels for the bins and the fit (default: none shown).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.uniform(-1, 1, 500)
    >>> ax = rd_plot(pd.DataFrame({"x": x, "y": x + (x >= 0)}), outcome="y", running="x", nbins=8)
    >>> len(ax.collections) >= 2
    True
    """
    import matplotlib.pyplot as plt

    d = rd_plot_data(df, outcome=outcome, running=running, **options)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 4.2))
    for k, side in enumerate(("left", "right")):
        color = PALETTE[k]
        b = d.bins.loc[d.bins["side"] == side]
        if "conf_low" in b:
            ax.vlines(b["x_mean"], b["conf_low"], b["conf_high"], color=color, lw=0.8, alpha=0.6)
        ax.scatter(b["x_mean"], b["y_mean"], s=14, color=color, zorder=3,
                   label=labels[0] if labels and side == "left" else None)
        f = d.fit.loc[d.fit["side"] == side].sort_values("x")
        ax.plot(f["x"], f["y"], color=color, lw=1.6, label=labels[1] if labels and side == "left" else None)
    ax.axvline(d.cutoff, color="grey", lw=0.9, ls="--")
    ax.set_xlabel(xlabel if xlabel is not None else running)
    ax.set_ylabel(ylabel if ylabel is not None else outcome)
    if labels:
        ax.legend(loc="best")
    return ax


@themed
def density_plot(result: DensityResult, ax: Any = None, **kwargs: Any) -> Any:
    """Histogram of the running variable on each side, with the estimated densities at the cutoff.

    Keyword arguments: ``bins`` (histogram bins within the bandwidths, default 40),
    ``xlabel`` (default: the running variable's name), ``ylabel`` (default: none).
    """
    import matplotlib.pyplot as plt

    bins = int(kwargs.pop("bins", 40))
    xlabel = kwargs.pop("xlabel", None)
    ylabel = str(kwargs.pop("ylabel", ""))
    if kwargs:
        raise TypeError(f"DensityResult.plot() got unexpected keyword arguments {sorted(kwargs)}.")

    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 4.0))
    x = result.running_values
    c = result.cutoff
    lo, hi = c - result.h[0], c + result.h[1]
    x = x[(x >= lo) & (x <= hi)]
    # one common bin width so that the two histograms are comparable densities
    width = (hi - lo) / bins
    edges_l = c - width * np.arange(int(np.ceil((c - lo) / width)) + 1)[::-1]
    edges_r = c + width * np.arange(int(np.ceil((hi - c) / width)) + 1)
    n_all = float(sum(result.n_sides))
    for k, (edges, part) in enumerate(((edges_l, x[x < c]), (edges_r, x[x >= c]))):
        counts, e = np.histogram(part, bins=edges)
        ax.bar(e[:-1], counts / (n_all * width), width=width, align="edge", color=PALETTE[k], alpha=0.35, lw=0)
    tab = result.tidy().set_index("term")
    for k, term in enumerate(("Density (left)", "Density (right)")):
        row = tab.loc[term]
        ax.errorbar([c], [row["estimate"]], yerr=[[row["estimate"] - row["conf_low"]],
                                                  [row["conf_high"] - row["estimate"]]],
                    fmt="o", color=PALETTE[k], capsize=4, ms=5, zorder=4)
    ax.axvline(c, color="grey", lw=0.9, ls="--")
    ax.set_xlabel(xlabel if xlabel is not None else result.running)
    ax.set_ylabel(ylabel)
    return ax
