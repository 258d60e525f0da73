"""Estimates of the hedging-guarantee study: sharp and fuzzy RD with their checks, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from research_kit import rd
from research_kit.simulate.hedging_demo import HedgingRDData
from research_kit.studies.hedging_rd._data import COVARIATES, OUTCOMES

__all__ = ["BWSELECT", "estimate", "HedgingEstimates", "KERNELS"]


KERNELS = {"triangular": {"zh": "三角核", "en": "triangular kernel"},
           "epanechnikov": {"zh": "Epanechnikov 核", "en": "Epanechnikov kernel"},
           "uniform": {"zh": "均匀核", "en": "uniform kernel"}}
BWSELECT = {
    "mserd": {"zh": "两侧共用的均方误差最优带宽", "en": "one mean-squared-error-optimal bandwidth for both sides"},
    "msetwo": {"zh": "两侧各自的均方误差最优带宽", "en": "separate mean-squared-error-optimal bandwidths on each side"},
    "msesum": {"zh": "按两侧之和的均方误差最优带宽", "en": "a bandwidth optimal for the mean squared error of the sum"},
    "msecomb1": {"zh": "两种均方误差最优带宽中较小者", "en": "the smaller of two mean-squared-error-optimal bandwidths"},
    "msecomb2": {"zh": "三种均方误差最优带宽的中位数", "en": "the median of three mean-squared-error-optimal bandwidths"},
    "cerrd": {"zh": "两侧共用的覆盖误差最优带宽", "en": "one coverage-error-optimal bandwidth for both sides"},
    "certwo": {"zh": "两侧各自的覆盖误差最优带宽", "en": "separate coverage-error-optimal bandwidths on each side"},
    "cersum": {"zh": "按两侧之和的覆盖误差最优带宽", "en": "a coverage-error-optimal bandwidth for the sum"},
    "cercomb1": {"zh": "两种覆盖误差最优带宽中较小者", "en": "the smaller of two coverage-error-optimal bandwidths"},
    "cercomb2": {"zh": "三种覆盖误差最优带宽的中位数", "en": "the median of three coverage-error-optimal bandwidths"},
}


@dataclass(frozen=True)
class HedgingEstimates:
    """Everything the paper reports, computed once."""

    outcome: str
    threshold: float
    sharp: rd.RDResult
    fuzzy: rd.RDResult
    sharp_cov: rd.RDResult
    fuzzy_cov: rd.RDResult
    density: rd.DensityResult
    balance: pd.DataFrame
    placebo: pd.DataFrame
    sensitivity: pd.DataFrame
    truth: dict[str, float]
    n_firms: int
    options: dict[str, Any]
    level_not_eligible: float  # mean outcome of not-eligible firms within the bandwidth
    share_hedging: tuple[float, float]  # share of firms with any hedge within the bandwidth (not eligible, eligible)


def estimate(data: HedgingRDData, *, outcome: str = "hedge_ratio", kernel: str = "triangular",
             bwselect: str = "mserd", p: int = 1, level: float = 0.95) -> HedgingEstimates:
    """Sharp and fuzzy RD (unadjusted and covariate-adjusted), density test, balance, placebos, sensitivity."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}; got {outcome!r}.")
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {list(KERNELS)}; got {kernel!r}.")
    if bwselect not in BWSELECT:
        raise ValueError(f"bwselect must be one of {list(BWSELECT)}; got {bwselect!r}.")
    f = data.firms
    opts: dict[str, Any] = dict(kernel=kernel, bwselect=bwselect, p=p, level=level)
    sharp = rd.rdd(f, outcome=outcome, running="running", **opts)
    fuzzy = rd.rdd(f, outcome=outcome, running="running", fuzzy="guaranteed", **opts)
    sharp_cov = rd.rdd(f, outcome=outcome, running="running", covariates=list(COVARIATES), **opts)
    fuzzy_cov = rd.rdd(f, outcome=outcome, running="running", fuzzy="guaranteed", covariates=list(COVARIATES), **opts)
    h = sharp.h
    inside = f.loc[(f["running"] >= -h[0]) & (f["running"] <= h[1])]
    left, right = inside.loc[inside["running"] < 0], inside.loc[inside["running"] >= 0]
    return HedgingEstimates(
        outcome=outcome, threshold=data.threshold, sharp=sharp, fuzzy=fuzzy, sharp_cov=sharp_cov, fuzzy_cov=fuzzy_cov,
        density=rd.density_test(f, running="running", kernel=opts["kernel"], level=level),
        balance=rd.covariate_balance(f, covariates=list(COVARIATES), running="running", **opts),
        placebo=rd.placebo_cutoffs(f, outcome=outcome, running="running", **opts),
        sensitivity=rd.bandwidth_sensitivity(f, outcome=outcome, running="running", **opts),
        truth=dict(data.truth), n_firms=len(f), options=opts,
        level_not_eligible=float(left[outcome].mean()),
        share_hedging=(float((left["hedge_ratio"] > 0).mean()), float((right["hedge_ratio"] > 0).mean())),
    )
