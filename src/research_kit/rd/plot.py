"""Binned-scatter RD plots (Calonico, Cattaneo and Titiunik 2015).

:func:`rd_plot_data` computes the bins and the polynomial fits with
``rdrobust.rdplot`` (``hide=True``: it draws nothing): evenly-spaced (``es*``)
or quantile-spaced (``qs*``) bins, their number chosen to be IMSE-optimal
(``es``, ``qs``) or to mimic the variance of the raw data (``esmv``, ``qsmv``,
the default), or fixed with ``nbins``; and a polynomial of order ``p`` fitted
separately on each side. :func:`research_kit.report.rd_plots.rd_plot` draws them
(also reachable as ``research_kit.rd.rd_plot``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from research_kit.rd._common import KERNELS, Kernel, analysis_sample, call_reference, check_option, import_reference

__all__ = ["BinSelect", "RDPlotData", "rd_plot_data"]

BinSelect = Literal["esmv", "es", "espr", "esmvpr", "qsmv", "qs", "qspr", "qsmvpr"]
_BINSELECTS = ("esmv", "es", "espr", "esmvpr", "qsmv", "qs", "qspr", "qsmvpr")


@dataclass(frozen=True)
class RDPlotData:
    """What an RD plot shows.

    Attributes
    ----------
    bins : pandas.DataFrame
        One row per bin: side (``"left"``/``"right"``), bin_low, bin_high, x_mean,
        y_mean, n, and (with ``ci``) conf_low, conf_high.
    fit : pandas.DataFrame
        The polynomial fit on a grid: side, x, y.
    n_bins : tuple of int
        Bins (left, right).
    cutoff, p, binselect
        The settings used.
    """

    bins: pd.DataFrame
    fit: pd.DataFrame
    n_bins: tuple[int, int]
    cutoff: float
    p: int
    binselect: str


def rd_plot_data(
    df: pd.DataFrame,
    *,
    outcome: str,
    running: str,
    cutoff: float = 0.0,
    p: int = 4,
    nbins: int | tuple[int, int] | None = None,
    binselect: BinSelect = "esmv",
    kernel: Kernel = "uniform",
    h: float | Sequence[float] | None = None,
    ci: float | None = None,
) -> RDPlotData:
    """Bins and polynomial fits of an RD plot, as tidy tables.

    Parameters
    ----------
    df, outcome, running, cutoff
        Data, outcome, running variable and threshold.
    p
        Order of the polynomial fitted on each side (default 4, a global fit as in ``rdplot``).
    nbins
        Number of bins (one for both sides, or a (left, right) pair); None chooses it by ``binselect``.
    binselect
        ``"esmv"`` (default), ``"es"``, ``"espr"``, ``"esmvpr"`` (evenly spaced) or the quantile-spaced
        ``"qsmv"``, ``"qs"``, ``"qspr"``, ``"qsmvpr"``.
    kernel, h
        Kernel and bandwidth of the polynomial fit (default: uniform weights over the full support).
    ci
        Confidence level (e.g. 0.95) of intervals for each bin mean; None for none.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.uniform(-1, 1, 1000)
    >>> d = rd_plot_data(pd.DataFrame({"x": x, "y": x + (x >= 0) + rng.normal(0, .2, 1000)}),
    ...                  outcome="y", running="x", nbins=10)
    >>> d.n_bins, list(d.bins["side"].unique())
    ((10, 10), ['left', 'right'])
    """
    check_option("binselect", binselect, _BINSELECTS)
    check_option("kernel", kernel, KERNELS)
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not 0 <= p <= 8:
        raise ValueError(f"p must be an integer between 0 and 8; got {p!r}.")
    if ci is not None and not 0 < ci < 1:
        raise ValueError(f"ci must be a confidence level between 0 and 1 (e.g. 0.95) or None; got {ci!r}.")
    data = analysis_sample(df, running=running, cutoff=float(cutoff), outcome=outcome, what="rd_plot")
    kwargs: dict[str, Any] = dict(c=float(cutoff), p=int(p), binselect=binselect, kernel=KERNELS[kernel], hide=True)
    if nbins is not None:
        pair = tuple(int(v) for v in np.atleast_1d(nbins))
        pair = pair * 2 if len(pair) == 1 else pair
        if len(pair) != 2 or min(pair) < 1:
            raise ValueError(f"nbins must be a positive integer or a (left, right) pair; got {nbins!r}.")
        kwargs["nbins"] = list(pair)
    if h is not None:
        kwargs["h"] = [float(v) for v in np.atleast_1d(h)]
    if ci is not None:
        kwargs["ci"] = 100 * ci
    rr = import_reference("rdrobust")
    out = call_reference(rr.rdplot, data[outcome].to_numpy(dtype=float), data[running].to_numpy(dtype=float),
                         source="rdplot", **kwargs)
    vb = out.vars_bins
    bins = pd.DataFrame({
        "side": np.where(vb["rdplot_mean_bin"].to_numpy(float) < cutoff, "left", "right"),
        "bin_low": vb["rdplot_min_bin"].to_numpy(float),
        "bin_high": vb["rdplot_max_bin"].to_numpy(float),
        "x_mean": vb["rdplot_mean_x"].to_numpy(float),
        "y_mean": vb["rdplot_mean_y"].to_numpy(float),
        "n": vb["rdplot_N"].to_numpy(float),
    })
    if ci is not None:
        bins["conf_low"] = vb["rdplot_ci_l"].to_numpy(float)
        bins["conf_high"] = vb["rdplot_ci_r"].to_numpy(float)
    bins = bins.loc[bins["n"] > 0].reset_index(drop=True)
    bins["n"] = bins["n"].astype(int)
    vp = out.vars_poly
    fx, fy = vp["rdplot_x"].to_numpy(float), vp["rdplot_y"].to_numpy(float)
    ok = np.isfinite(fx) & np.isfinite(fy)
    fx, fy = fx[ok], fy[ok]
    # rdplot stacks the left grid (ending at c) and the right grid (starting at c): split where x restarts,
    # so that the left fit's value at the cutoff stays on the left
    restart = np.flatnonzero(np.diff(fx) <= 0)
    side = (np.where(np.arange(fx.size) <= restart[0], "left", "right") if restart.size
            else np.where(fx < cutoff, "left", "right"))
    fit = pd.DataFrame({"side": side, "x": fx, "y": fy})
    J = [int(v) for v in np.ravel(out.J)]
    return RDPlotData(bins=bins, fit=fit, n_bins=(J[0], J[1]), cutoff=float(cutoff), p=int(p), binselect=binselect)
