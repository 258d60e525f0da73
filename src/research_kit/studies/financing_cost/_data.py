"""Inputs of the financing-cost study: the firm-quarter panel and its simulated truth."""

from __future__ import annotations

import os

import numpy as np

from research_kit.simulate.panel_iv import FinancingCostData, financing_cost_demo

__all__ = ["ENTITY", "load_data", "simulate", "TIME"]


ENTITY, TIME = "firm_id", "t"


def simulate(n_firms: int, *, n_quarters: int, rate_effect: float, seed: int) -> FinancingCostData:
    """The synthetic demo panel (see :func:`research_kit.simulate.panel_iv.financing_cost_demo`), for tests."""
    return financing_cost_demo(n_firms, n_quarters=n_quarters, rate_effect=rate_effect, seed=seed)


def load_data(root: str | os.PathLike[str] | None = None) -> FinancingCostData:
    """The analysis panel from the processed datasets ``financing_cost_panel`` (+ ``financing_cost_truth``).

    Adds ``t`` (quarter number from the first quarter), ``quarter`` ("2021Q1"), ``log_credit`` and
    ``log_exports`` (logs of the balance in 万元 and the receipts in 万美元). ``truth`` is empty for real data.
    """
    from research_kit import data

    raw = data.load("financing_cost_panel", root=root)
    p = raw.copy()
    p["firm_id"] = p["firm_id"].astype(str)
    q = p["month"].dt.to_period("Q")
    p["quarter"] = q.astype(str)
    p["t"] = (q - q.min()).map(lambda d: d.n) + 1
    p["log_credit"] = np.log(p["loan_balance"].astype(float))
    p["log_exports"] = np.log(p["export_receipts"].astype(float))
    p["bank"] = p["bank"].astype(str)
    p = p.sort_values([ENTITY, TIME]).reset_index(drop=True)
    truth: dict[str, float] = {}
    synthetic = bool(raw.attrs.get("synthetic", False))
    if synthetic:
        t = data.load("financing_cost_truth", root=root)
        truth = {str(k): float(v) for k, v in zip(t["parameter"], t["value"])}
    return FinancingCostData(panel=p, truth=truth)
