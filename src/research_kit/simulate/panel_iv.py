"""A synthetic firm × quarter panel of loan rates and bank credit with a known price effect.

Everything here is SYNTHETIC: no number describes a real firm, bank or programme.

:func:`financing_cost_demo` builds the demo data of the financing-cost paper
(task 1 of the plan: central-bank relending and rediscounting to lower the
financing cost of open-economy firms). Firms borrow from one main bank; the
bank's access to relending / rediscount funds (which varies by bank and
quarter) lowers the rate it charges, and the rate lowers the credit a firm
takes. Two problems make naive estimates wrong, by construction:

* firm quality ``a_i`` lowers the rate and raises credit (pooled OLS and random
  effects are biased; fixed effects remove it);
* a time-varying credit-demand shock ``v_it`` raises both the rate and credit
  (fixed effects stay biased; the bank funding instruments, independent of
  ``v_it``, identify the effect).

Cross-sectional dependence comes from county × quarter shocks common to the
firms of a county, the setting of Driscoll–Kraay standard errors.

Examples
--------
>>> from research_kit.simulate.panel_iv import financing_cost_demo
>>> d = financing_cost_demo(50, n_quarters=8, seed=1)
>>> d.panel.shape[0], d.truth["rate_effect"]
(400, -0.25)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from research_kit.simulate._demo import BANKS, COUNTY_POPULATION

__all__ = ["QUARTER_START", "FinancingCostData", "financing_cost_demo"]

#: First quarter of the demo panel.
QUARTER_START = pd.Period("2021Q1", freq="Q")


@dataclass(frozen=True)
class FinancingCostData:
    """The synthetic panel and the truth built into it.

    ``panel`` columns: firm_id, t (quarter number, 1 = 2021Q1), quarter
    ("2021Q1"), county, bank, loan_rate (% a year), log_credit (log of the
    loan balance in 10k yuan), log_exports (log export receipts), relending and
    rediscount (the main bank's relending / rediscount funds, % of its loans),
    and the unobserved quality and demand (kept for checks, never used by the
    estimators). ``truth``: ``rate_effect`` (the effect of one percentage point
    of loan rate on log credit), ``export_effect``.
    """

    panel: pd.DataFrame
    truth: dict[str, float] = field(default_factory=dict)


def financing_cost_demo(
    n_firms: int = 600,
    *,
    n_quarters: int = 16,
    rate_effect: float = -0.25,
    seed: int = 20230301,
) -> FinancingCostData:
    """Simulate the balanced firm × quarter panel of the financing-cost paper.

    Parameters
    ----------
    n_firms
        Number of firms (at least 20).
    n_quarters
        Number of quarters from 2021Q1 (at least 4).
    rate_effect
        True effect of one percentage point of the loan rate on log credit.
    seed
        Random seed.

    Returns
    -------
    FinancingCostData
    """
    if isinstance(n_firms, bool) or not isinstance(n_firms, (int, np.integer)) or n_firms < 20:
        raise ValueError(f"n_firms must be an integer of at least 20; got {n_firms!r}.")
    if isinstance(n_quarters, bool) or not isinstance(n_quarters, (int, np.integer)) or n_quarters < 4:
        raise ValueError(f"n_quarters must be an integer of at least 4; got {n_quarters!r}.")
    rng = np.random.default_rng(seed)
    n, T = int(n_firms), int(n_quarters)
    counties = np.array(list(COUNTY_POPULATION))
    pop = np.array(list(COUNTY_POPULATION.values()), dtype=float)
    banks = np.array(BANKS)
    county = rng.choice(counties, size=n, p=pop / pop.sum())
    bank = rng.choice(banks, size=n)
    quality = rng.normal(size=n)
    size = rng.normal(size=n)

    # bank funding: relending starts in a bank-specific quarter and grows; rediscount lines move by quarter
    n_b = len(banks)
    start = rng.integers(2, max(3, T - 1), size=n_b)
    level = rng.uniform(0.5, 2.5, size=n_b)
    t_idx = np.arange(1, T + 1)
    relend = np.where(t_idx[None, :] >= start[:, None], level[:, None] * (1 + 0.08 * (t_idx[None, :] - start[:, None])), 0)
    relend = np.clip(relend + rng.normal(scale=0.15, size=(n_b, T)), 0, None)
    redisc = np.clip(1.0 + 0.6 * rng.normal(size=(n_b, 1)) + 0.35 * rng.normal(size=(n_b, T)), 0, None)
    bpos = {b: k for k, b in enumerate(banks)}
    bi = np.array([bpos[b] for b in bank])

    macro = np.cumsum(rng.normal(scale=0.08, size=T)) - 0.05 * t_idx
    cpos = {c: k for k, c in enumerate(counties)}
    ci = np.array([cpos[c] for c in county])
    county_shock = rng.normal(scale=0.25, size=(len(counties), T))

    demand = rng.normal(size=(n, T))
    z1, z2 = relend[bi], redisc[bi]
    rate = (4.6 - 0.5 * quality[:, None] - 0.25 * z1 - 0.15 * z2 + 0.08 * demand
            + 0.5 * macro[None, :] + 0.3 * county_shock[ci] + rng.normal(scale=0.25, size=(n, T)))
    exports = 3.0 + 0.6 * size[:, None] + 0.02 * t_idx[None, :] + rng.normal(scale=0.3, size=(n, T))
    export_effect = 0.4
    credit = (5.0 + 0.8 * quality[:, None] + 0.3 * size[:, None] + rate_effect * rate + export_effect * exports
              + 0.5 * macro[None, :] + 0.2 * demand + 0.5 * county_shock[ci] + rng.normal(scale=0.35, size=(n, T)))

    firm_ids = np.array([f"F{i + 1:04d}" for i in range(n)])
    panel = pd.DataFrame({
        "firm_id": np.repeat(firm_ids, T),
        "t": np.tile(t_idx, n),
        "quarter": np.tile([str(QUARTER_START + (k - 1)) for k in t_idx], n),
        "county": np.repeat(county, T),
        "bank": np.repeat(bank, T),
        "loan_rate": rate.ravel(),
        "log_credit": credit.ravel(),
        "log_exports": exports.ravel(),
        "relending": z1.ravel(),
        "rediscount": z2.ravel(),
        "quality_unobserved": np.repeat(quality, T),
        "demand_unobserved": demand.ravel(),
    })
    return FinancingCostData(panel=panel, truth={"rate_effect": float(rate_effect), "export_effect": export_effect})
