"""Inputs of the hedging-guarantee study: the firms with the running variable and eligibility of the 300号 rule."""

from __future__ import annotations

import os
import warnings

import numpy as np

from research_kit.simulate.hedging_demo import WHOLESALE_MEDIUM_REVENUE, HedgingRDData, hedging_guarantee_demo

__all__ = ["COVARIATES", "load_data", "OUTCOMES", "simulate"]


OUTCOMES = ("hedge_ratio", "fx_loss")
COVARIATES = ("firm_age", "employees", "hedge_ratio_2021")


def simulate(n_firms: int, *, threshold: float, take_up: float, manipulation: float, seed: int) -> HedgingRDData:
    """The older receipts-threshold demo (see :func:`research_kit.simulate.hedging_demo.hedging_guarantee_demo`), for tests."""
    return hedging_guarantee_demo(n_firms, threshold=threshold, take_up=take_up, manipulation=manipulation, seed=seed)


def load_data(root: str | os.PathLike[str] | None = None) -> HedgingRDData:
    """The firms of ``hedging_guarantee_firms`` with the running variable and eligibility of the 300号 rule.

    ``running = 5000 - revenue`` (万元); ``eligible = revenue < 5000``. ``truth`` comes from
    ``hedging_guarantee_truth`` for synthetic data and is empty for real data.
    """
    from research_kit import data

    raw = data.load("hedging_guarantee_firms", root=root)
    f = raw.copy()
    f["firm_id"] = f["firm_id"].astype(str)
    f["running"] = WHOLESALE_MEDIUM_REVENUE - f["revenue"].astype(float)
    f["eligible"] = (f["revenue"] < WHOLESALE_MEDIUM_REVENUE).astype(np.int64)
    bad = f.loc[(f["eligible"] == 0) & (f["guaranteed"] == 1)]
    if len(bad):
        warnings.warn(f"{len(bad)} firm(s) with revenue of at least {WHOLESALE_MEDIUM_REVENUE:g} 万元 have the guarantee "
                      "(not small under the 300号 rule); the design treats compliance as two-sided.", stacklevel=2)
    truth: dict[str, float] = {}
    if raw.attrs.get("synthetic", False):
        t = data.load("hedging_guarantee_truth", root=root)
        truth = {str(k): float(v) for k, v in zip(t["parameter"], t["value"])}
    return HedgingRDData(firms=f, truth=truth, threshold=WHOLESALE_MEDIUM_REVENUE)
