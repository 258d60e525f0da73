"""Manipulation test: is the density of the running variable continuous at the cutoff.

A wrapper of ``rddensity`` (Cattaneo, Jansson and Ma 2018, 2020), the reference
implementation of the local polynomial density test: the empirical distribution
function is regressed on a polynomial in the running variable on each side of
the cutoff, the slope at the cutoff estimates the density, and the test compares
the two one-sided estimates with robust bias-corrected inference (no pre-binning,
unlike McCrary 2008). Bunching of units just on the favourable side of an
eligibility threshold shows up as a jump in the density.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from research_kit.rd._common import Kernel, analysis_sample, call_reference, check_option, import_reference
from research_kit.results import Result

__all__ = ["DensityResult", "density_test"]

DensityBw = Literal["comb", "each", "diff", "sum"]


@dataclass(frozen=True, eq=False)
class DensityResult(Result):
    """Result of :func:`density_test`: rows ``Density (left)``, ``Density (right)`` and ``Difference``.

    The headline ``Difference`` is right minus left density at the cutoff; its
    ``statistic`` and ``p_value`` are the robust bias-corrected test of ``rddensity``.
    """

    @property
    def cutoff(self) -> float:
        """The cutoff ``c``."""
        return float(self.info["cutoff"])

    @property
    def running(self) -> str:
        """Name of the running variable."""
        return str(self.info["running"])

    @property
    def running_values(self) -> np.ndarray:
        """The running variable of the sample the densities were estimated from."""
        return np.asarray(self.extra["running"])

    @property
    def h(self) -> tuple[float, float]:
        """Bandwidth (left, right) of the density estimates."""
        return float(self.info["h_left"]), float(self.info["h_right"])

    @property
    def n_sides(self) -> tuple[int, int]:
        """Observations (left, right) of the cutoff."""
        return int(self.info["n_left"]), int(self.info["n_right"])

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Histogram of the running variable on each side, with the estimated densities at the cutoff.

        Keyword arguments: ``bins`` (histogram bins within the bandwidths, default 40),
        ``xlabel`` (default: the running variable's name), ``ylabel`` (default: none).
        See :func:`research_kit.report.rd_plots.density_plot`.
        """
        from research_kit.report.rd_plots import density_plot  # the plotting layer, at call time

        return density_plot(self, ax=ax, **kwargs)


def density_test(
    df: pd.DataFrame,
    *,
    running: str,
    cutoff: float = 0.0,
    p: int = 2,
    kernel: Kernel = "triangular",
    bwselect: DensityBw = "comb",
    h: float | Sequence[float] | None = None,
    fitselect: Literal["unrestricted", "restricted"] = "unrestricted",
    vce: Literal["jackknife", "plugin"] = "jackknife",
    level: float = 0.95,
) -> DensityResult:
    """Cattaneo–Jansson–Ma test that the density of ``running`` is continuous at ``cutoff``.

    Parameters
    ----------
    df
        One row per unit (rows with a missing running variable are dropped).
    running, cutoff
        The running variable and the threshold.
    p
        Order of the local polynomial density estimator (default 2); the test
        uses order ``p + 1`` for bias correction, as ``rddensity``.
    kernel
        ``"triangular"`` (default), ``"epanechnikov"`` or ``"uniform"``.
    bwselect
        Bandwidth selector of ``rddensity``: ``"comb"`` (default), ``"each"``, ``"diff"``, ``"sum"``.
    h
        Bandwidth (one number or a (left, right) pair) instead of the data-driven one.
    fitselect
        ``"unrestricted"`` (separate fits, default) or ``"restricted"`` (common derivatives).
    vce
        ``"jackknife"`` (default) or ``"plugin"`` standard errors.
    level
        Confidence level of the intervals of the density estimates.

    Returns
    -------
    DensityResult
        Rows ``Density (left)``, ``Density (right)``, ``Difference`` (headline: test
        statistic and p-value of the manipulation test). ``info``: ``h_left``,
        ``h_right``, ``n_left``, ``n_right``, ``n_eff_left``, ``n_eff_right``, ...

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = np.random.default_rng(2).normal(size=3000)
    >>> r = density_test(pd.DataFrame({"x": x}), running="x")
    >>> r.p_value > 0.01
    True
    """
    check_option("kernel", kernel, ("triangular", "epanechnikov", "uniform"))
    check_option("bwselect", bwselect, ("comb", "each", "diff", "sum"))
    check_option("fitselect", fitselect, ("unrestricted", "restricted"))
    check_option("vce", vce, ("jackknife", "plugin"))
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not 1 <= p <= 7:
        raise ValueError(f"p must be an integer between 1 and 7; got {p!r}.")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95); got {level!r}.")
    data = analysis_sample(df, running=running, cutoff=float(cutoff), what="density_test")
    x = data[running].to_numpy(dtype=float)
    hh: list[float] = []
    if h is not None:
        hh = [float(v) for v in np.atleast_1d(h)]
        if len(hh) not in (1, 2) or not all(np.isfinite(v) and v > 0 for v in hh):
            raise ValueError(f"h must be one positive number or a (left, right) pair; got {h!r}.")
        hh = hh * 2 if len(hh) == 1 else hh
    rdd_pkg = import_reference("rddensity")
    fit = call_reference(rdd_pkg.rddensity, x, c=float(cutoff), p=int(p), kernel=kernel, fitselect=fitselect,
                         vce=vce, h=hh, bwselect=bwselect, bino_flag=False, source="rddensity")
    sd = fit.sd_jk if vce == "jackknife" else fit.sd_asy
    t_key, p_key = ("t_jk", "p_jk") if vce == "jackknife" else ("t_asy", "p_asy")
    est = np.array([fit.hat["left"], fit.hat["right"], fit.hat["diff"]], dtype=float)
    se = np.array([sd["left"], sd["right"], sd["diff"]], dtype=float)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    stat[2] = float(fit.test[t_key])
    pvals = 2 * stats.norm.sf(np.abs(stat))
    pvals[2] = float(fit.test[p_key])
    table = pd.DataFrame({"term": ["Density (left)", "Density (right)", "Difference"], "estimate": est,
                          "std_error": se, "statistic": stat, "p_value": pvals,
                          "conf_low": est - z * se, "conf_high": est + z * se})
    info: dict[str, Any] = {
        "running": running, "cutoff": float(cutoff), "p": int(fit.p), "q": int(fit.q), "kernel": kernel,
        "fitselect": fitselect, "vce": vce, "bwselect": bwselect if h is None else "manual",
        "h_left": float(fit.h["left"]), "h_right": float(fit.h["right"]),
        "n_left": int(fit.n["left"]), "n_right": int(fit.n["right"]),
        "n_eff_left": int(fit.n["eff_left"]), "n_eff_right": int(fit.n["eff_right"]),
        "level": level, "df": None,
    }
    return DensityResult(table=table, nobs=int(fit.n["full"]), estimator="rddensity", term="Difference", info=info,
                         extra={"running": x})
