"""Sharp and fuzzy regression discontinuity: :func:`rdd`.

A thin, checked wrapper of ``rdrobust`` (Calonico, Cattaneo, Farrell and
Titiunik), the reference implementation: local polynomial estimates on each
side of the cutoff, data-driven MSE- or CER-optimal bandwidths, and robust
bias-corrected inference (Calonico, Cattaneo and Titiunik 2014).

The result reports the three rows ``rdrobust`` reports:

* ``Conventional`` -- the local polynomial estimate of order ``p`` with bandwidth
  ``h`` and its conventional standard error;
* ``Bias-Corrected`` -- the estimate minus the estimated leading bias (order
  ``q`` fit with bandwidth ``b``), with the conventional standard error;
* ``Robust`` -- robust bias-corrected inference: the robust standard error that
  accounts for the variance of the bias correction, its z statistic, p-value and
  interval (centred on the bias-corrected estimate). This is the headline row, and
  like ``rdrobust``'s printout it reports the *conventional* point estimate:
  ``r.estimate`` is the conventional estimate (Senate data: 7.4141) and
  ``r.conf_low``, ``r.conf_high``, ``r.p_value`` are robust ([4.0937, 10.9193]).
  The bias-corrected estimate is ``r.bias_corrected``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from research_kit._validation import missing_values
from research_kit.inference import FEW_CLUSTERS, FewClustersWarning, warn_user
from research_kit.rd._common import (
    BWSELECTS,
    KERNELS,
    VCES,
    BwSelect,
    Kernel,
    Vce,
    analysis_sample,
    call_reference,
    check_option,
    import_reference,
)
from research_kit.results import Result, Summary

__all__ = ["TERMS", "RDResult", "rdd"]

#: Row names of an :class:`RDResult`, as ``rdrobust`` prints them.
TERMS = ("Conventional", "Bias-Corrected", "Robust")


@dataclass(frozen=True, eq=False, repr=False)
class RDResult(Result):
    """Result of :func:`rdd`: rows Conventional, Bias-Corrected and Robust.

    ``info`` holds the design facts (``cutoff``, ``design``, ``kernel``, ``p``,
    ``q``, ``bwselect``, ``vce``, ``h_left``, ``h_right``, ``b_left``, ``b_right``,
    ``n_left``, ``n_right``, ``n_eff_left``, ``n_eff_right``, ``n_clusters``);
    ``extra`` holds the estimation sample (``sample``) and, for fuzzy designs,
    the first stage (``first_stage``, a tidy DataFrame).
    """

    @property
    def conventional(self) -> float:
        """The conventional local polynomial point estimate (what ``rdrobust`` prints as Coef.)."""
        return float(self.table.loc[self.table["term"] == "Conventional", "estimate"].iloc[0])

    @property
    def h(self) -> tuple[float, float]:
        """Main bandwidth (left, right) of the point estimate."""
        return float(self.info["h_left"]), float(self.info["h_right"])

    @property
    def b(self) -> tuple[float, float]:
        """Bias bandwidth (left, right) of the bias correction."""
        return float(self.info["b_left"]), float(self.info["b_right"])

    @property
    def n_effective(self) -> tuple[int, int]:
        """Observations within the main bandwidth (left, right)."""
        return int(self.info["n_eff_left"]), int(self.info["n_eff_right"])

    @property
    def first_stage(self) -> pd.DataFrame | None:
        """Fuzzy designs: the jump in the treatment at the cutoff (tidy rows); None for sharp designs."""
        fs = self.extra.get("first_stage")
        return None if fs is None else fs.copy()

    @property
    def first_stage_jump(self) -> float | None:
        """Fuzzy RD: the jump in take-up at the cutoff (first-stage estimate); None for a sharp design."""
        j = self.info.get("first_stage_jump")
        return None if j is None else float(j)

    @property
    def bias_corrected(self) -> float:
        """The bias-corrected point estimate (centre of the robust interval)."""
        return float(self.table.loc[self.table["term"] == "Bias-Corrected", "estimate"].iloc[0])

    def summary(self) -> Summary:
        """Summary laid out like ``rdrobust``'s printout (settings, left/right facts, the three rows)."""
        i = self.info
        settings = [
            ("Design", f"{i['design']} RD, local polynomial; cutoff c = {i['cutoff']:g}"),
            ("Outcome / running variable", f"{i['outcome']} / {i['running']}"),
            ("Kernel; bandwidth selection; vce", f"{i['kernel']}; {i['bwselect']}; {i['vce']}"),
            ("Clusters", i.get("n_clusters")),
            ("Number of obs (left, right)", f"{i['n_left']:,}, {i['n_right']:,}"),
            ("Eff. number of obs (left, right)", f"{i['n_eff_left']:,}, {i['n_eff_right']:,}"),
            ("Order est. p / bias q", f"{i['p']} / {i['q']}"),
            ("BW est. h (left, right)", f"{i['h_left']:.3f}, {i['h_right']:.3f}"),
            ("BW bias b (left, right)", f"{i['b_left']:.3f}, {i['b_right']:.3f}"),
        ]
        tab = self.tidy().rename(columns={"term": "", "estimate": "Coef.", "std_error": "Std. Err.",
                                          "statistic": "z", "p_value": "P>|z|",
                                          "conf_low": f"{self.level:.0%} low", "conf_high": f"{self.level:.0%} high"})
        notes = [f"N = {self.nobs:,}. Headline: conventional estimate {self.estimate:.4f} with the robust "
                 f"bias-corrected interval [{self.conf_low:.4f}, {self.conf_high:.4f}] (p = {self.p_value:.4f})."]
        return Summary(f"RDResult: {self.estimator}", settings, tab, notes)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Binned-scatter RD plot of the estimation sample (see :func:`research_kit.rd.rd_plot`).

        Keyword arguments go to :func:`~research_kit.rd.rd_plot`; ``window=w`` restricts
        the plot to units within ``w`` of the cutoff; ``within_bandwidth=True``
        restricts it to ``[c - h, c + h]`` and fits the estimation polynomial with the
        estimation kernel.
        """
        from research_kit.report.rd_plots import rd_plot  # the plotting layer, at call time

        i = self.info
        sample = self.extra["sample"]
        window = kwargs.pop("window", None)
        if window is not None:
            sample = sample.loc[(sample[i["running"]] - i["cutoff"]).abs() <= float(window)]
        if kwargs.pop("within_bandwidth", False):
            lo, hi = i["cutoff"] - i["h_left"], i["cutoff"] + i["h_right"]
            sample = sample.loc[(sample[i["running"]] >= lo) & (sample[i["running"]] <= hi)]
            kwargs.setdefault("p", i["p"])
            kwargs.setdefault("kernel", i["kernel"])
            kwargs.setdefault("h", (i["h_left"], i["h_right"]))
        return rd_plot(sample, outcome=i["outcome"], running=i["running"], cutoff=i["cutoff"], ax=ax, **kwargs)


def _tidy_rows(coef: pd.DataFrame, se: pd.DataFrame, z: pd.DataFrame, pv: pd.DataFrame,
               ci: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "term": list(TERMS),
        # The Robust row carries the conventional point estimate, as rdrobust prints it (its robust row has no
        # coefficient of its own): the headline is the conventional estimate with the robust bias-corrected
        # interval and p-value, the rdrobust authors' recommendation. The bias-corrected estimate is its own row.
        "estimate": coef.iloc[:, 0].to_numpy(float)[[0, 1, 0]],
        "std_error": se.iloc[:, 0].to_numpy(float),
        "statistic": z.iloc[:, 0].to_numpy(float),
        "p_value": pv.iloc[:, 0].to_numpy(float),
        "conf_low": ci.iloc[:, 0].to_numpy(float),
        "conf_high": ci.iloc[:, 1].to_numpy(float),
    })


def _pair(value: float | Sequence[float] | None, name: str) -> list[float] | None:
    if value is None:
        return None
    vals = [float(v) for v in np.atleast_1d(np.asarray(value, dtype=float))]
    if len(vals) not in (1, 2) or not all(np.isfinite(v) and v > 0 for v in vals):
        raise ValueError(f"{name} must be one positive number or a (left, right) pair; got {value!r}.")
    return vals


def _few_clusters(x: np.ndarray, codes: np.ndarray, cutoff: float, bws: pd.DataFrame) -> None:
    """Warn below :data:`~research_kit.inference.FEW_CLUSTERS` clusters within the bandwidth.

    ``rdrobust`` itself warns only below 10 clusters on a side; this applies the
    project's threshold (30) where it stays silent.
    """
    lo, hi = cutoff - float(bws.loc["h", "left"]), cutoff + float(bws.loc["h", "right"])
    g_l = np.unique(codes[(x >= lo) & (x < cutoff)]).size
    g_r = np.unique(codes[(x >= cutoff) & (x <= hi)]).size
    g = np.unique(codes[(x >= lo) & (x <= hi)]).size
    if min(g_l, g_r) >= 10 and g < FEW_CLUSTERS:
        warn_user(f"rdd: only {g} clusters within the bandwidth ({g_l} left, {g_r} right of the cutoff); "
                  f"cluster-robust standard errors are unreliable with fewer than {FEW_CLUSTERS} clusters.",
                  FewClustersWarning)


@missing_values
def rdd(
    df: pd.DataFrame,
    *,
    outcome: str,
    running: str,
    cutoff: float = 0.0,
    fuzzy: str | None = None,
    covariates: Sequence[str] | None = None,
    kernel: Kernel = "triangular",
    p: int = 1,
    q: int | None = None,
    h: float | Sequence[float] | None = None,
    b: float | Sequence[float] | None = None,
    bwselect: BwSelect = "mserd",
    vce: Vce | None = None,
    cluster: str | None = None,
    weights: str | None = None,
    level: float = 0.95,
) -> RDResult:
    """Regression discontinuity estimate at ``cutoff`` with robust bias-corrected inference.

    Units with ``running >= cutoff`` are on the treated side. A sharp design
    estimates the jump in ``outcome``; with ``fuzzy`` (the treatment actually
    received) the jump in ``outcome`` divided by the jump in treatment (the
    local Wald / LATE estimate at the cutoff).

    Parameters
    ----------
    df
        One row per unit.
    outcome, running
        Column names of the outcome and the running variable (score).
    cutoff
        The threshold in units of ``running``.
    fuzzy
        Column with the treatment received (0/1) for a fuzzy design; None for sharp.
    covariates
        Columns added linearly with common coefficients on both sides
        (Calonico, Cattaneo, Farrell and Titiunik 2019); they change precision,
        not the estimand, if they are balanced at the cutoff.
    kernel
        ``"triangular"`` (default), ``"epanechnikov"`` or ``"uniform"``.
    p, q
        Polynomial order of the point estimate (default 1, local linear) and of
        the bias correction (default ``p + 1``).
    h, b
        Bandwidths (one number, or a (left, right) pair). When ``h`` is None both
        are chosen by ``bwselect``; when only ``h`` is given, ``b = h``.
    bwselect
        Bandwidth selector: ``"mserd"`` (one MSE-optimal bandwidth, default),
        ``"msetwo"`` (one per side), ``"msesum"``, ``"msecomb1"``, ``"msecomb2"``,
        and the coverage-error-optimal ``"cerrd"``, ``"certwo"``, ``"cersum"``,
        ``"cercomb1"``, ``"cercomb2"``.
    vce
        Variance estimator: ``"nn"`` (nearest neighbours, default without
        clusters), ``"hc0"``–``"hc3"``, or with ``cluster`` ``"cr1"`` (default),
        ``"cr2"``, ``"cr3"``.
    cluster
        Column of cluster identifiers for cluster-robust inference.
    weights
        Column of non-negative unit weights (multiplying the kernel weights).
    level
        Confidence level of the intervals.

    Returns
    -------
    RDResult
        Rows ``Conventional``, ``Bias-Corrected``, ``Robust`` (headline); see the
        module docstring. ``info`` has the bandwidths and effective sample sizes.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from research_kit.rd import rdd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.uniform(-1, 1, 2000)
    >>> df = pd.DataFrame({"x": x, "y": 1 + x + 0.5 * (x >= 0) + rng.normal(0, 0.3, 2000)})
    >>> r = rdd(df, outcome="y", running="x")
    >>> list(r.tidy()["term"])
    ['Conventional', 'Bias-Corrected', 'Robust']
    >>> r.conf_low < 0.5 < r.conf_high
    True
    """
    check_option("kernel", kernel, KERNELS)
    check_option("bwselect", bwselect, BWSELECTS)
    if vce is None:
        vce = "cr1" if cluster is not None else "nn"
    check_option("vce", vce, ("cr1", "cr2", "cr3") if cluster is not None else VCES[:5])
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not 0 <= p <= 8:
        raise ValueError(f"p must be an integer between 0 and 8; got {p!r}.")
    q = p + 1 if q is None else q
    if isinstance(q, bool) or not isinstance(q, (int, np.integer)) or q < p or q > 9:
        raise ValueError(f"q must be an integer with p <= q <= 9; got q={q!r} with p={p}.")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95); got {level!r}.")
    if isinstance(covariates, str):
        covariates = [covariates]
    hh, bb = _pair(h, "h"), _pair(b, "b")
    if bb is not None and hh is None:
        raise ValueError("b was given without h; give h too, or neither (both data-driven).")

    data = analysis_sample(df, running=running, cutoff=float(cutoff), outcome=outcome, fuzzy=fuzzy,
                           covariates=covariates, cluster=cluster, weights=weights, what="rdd")
    rr = import_reference("rdrobust")
    kwargs: dict[str, Any] = dict(c=float(cutoff), p=int(p), q=int(q), kernel=KERNELS[kernel], bwselect=bwselect,
                                  vce=vce, level=100 * level)
    if fuzzy is not None:
        kwargs["fuzzy"] = data[fuzzy].to_numpy(dtype=float)
    if covariates:
        kwargs["covs"] = data[list(covariates)].to_numpy(dtype=float)
    if cluster is not None:
        kwargs["cluster"] = pd.factorize(data[cluster])[0]
    if weights is not None:
        kwargs["weights"] = data[weights].to_numpy(dtype=float)
    if hh is not None:
        kwargs["h"] = hh if len(hh) == 2 else hh[0]
        if bb is not None:
            kwargs["b"] = bb if len(bb) == 2 else bb[0]
    fit = call_reference(rr.rdrobust, data[outcome].to_numpy(dtype=float), data[running].to_numpy(dtype=float),
                         source="rdrobust", **kwargs)

    if cluster is not None:
        _few_clusters(data[running].to_numpy(dtype=float), kwargs["cluster"], float(cutoff), fit.bws)
    table = _tidy_rows(fit.coef, fit.se, fit.z, fit.pv, fit.ci)
    first_stage = None
    if fuzzy is not None and fit.tau_T is not None:
        first_stage = _tidy_rows(fit.tau_T, fit.se_T, fit.z_T, fit.pv_T, fit.ci_T)
    bws = fit.bws
    info: dict[str, Any] = {
        "design": "fuzzy" if fuzzy is not None else "sharp",
        "outcome": outcome, "running": running, "cutoff": float(cutoff), "treatment": fuzzy,
        "covariates": tuple(covariates or ()), "kernel": kernel, "p": int(p), "q": int(q),
        "bwselect": bwselect if hh is None else "manual", "vce": vce.upper(),
        "h_left": float(bws.loc["h", "left"]), "h_right": float(bws.loc["h", "right"]),
        "b_left": float(bws.loc["b", "left"]), "b_right": float(bws.loc["b", "right"]),
        "n_left": int(fit.N[0]), "n_right": int(fit.N[1]),
        "n_eff_left": int(fit.N_h[0]), "n_eff_right": int(fit.N_h[1]),
        "n_bias_left": int(fit.N_b[0]), "n_bias_right": int(fit.N_b[1]),
        "cluster": cluster, "n_clusters": int(fit.n_clust) if fit.n_clust is not None else None,
        "first_stage_jump": float(first_stage["estimate"].iloc[0]) if first_stage is not None else None,
        "level": level, "df": None,
    }
    sample_cols = [c for c in dict.fromkeys([outcome, running, fuzzy]) if c is not None]
    extra: dict[str, Any] = {"sample": data[sample_cols].reset_index(drop=True), "first_stage": first_stage}
    return RDResult(table=table, nobs=int(fit.N[0]) + int(fit.N[1]), estimator="rdrobust", term="Robust",
                    info=info, extra=extra)
