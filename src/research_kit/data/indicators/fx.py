"""The FX-loan indicator of the plan's target 向个体工商户发放外汇贷款 3 亿美元, from loan balances.

The target counts loans *issued* (发放), cumulated from 2022-01 (``data/targets/
targets_2025.csv``, id ``fx_loans_individual``). A bank report that holds only
month-end balances ``B_{i,t}`` cannot show issuance; it bounds it from below:
a balance can rise only through new loans, so

    issued_{i,t} >= max(B_{i,t} - B_{i,t-1}, 0)

(``B_{i,t-1}`` = the business's previous reported month; 0 before its first
report). Loans issued and repaid within one month, and new loans offset by
repayments of older ones, are missed — the measure is a lower bound. With a
loan ledger (:func:`research_kit.data.ledger_to_panel` gives ``issued``) use the
ledger instead. Sample businesses are expanded to the population by their
sampling weight (``抽样权数``).

The targets dashboard (filed values) and the FX-loans paper use this one
function, so they report the same number for the same date.

Examples
--------
>>> import pandas as pd
>>> loans = pd.DataFrame({"business_id": ["a"] * 3, "month": pd.to_datetime(["2022-01-01", "2022-02-01", "2022-03-01"]),
...                       "fx_loan_balance": [10.0, 5.0, 12.0]})
>>> firms = pd.DataFrame({"business_id": ["a"], "county": ["330782"], "weight": [2.0]})
>>> fx_loan_issuance(loans, firms, freq="M")["issued"].tolist()   # 万美元 × weight, in 亿美元
[0.002, 0.0, 0.0014]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["FX_INDICATOR", "fx_loan_issuance", "fx_loan_issuance_total"]

#: The indicator id in data/targets/targets_2025.csv.
FX_INDICATOR = "fx_loans_individual"


def fx_loan_issuance(loans: pd.DataFrame, businesses: pd.DataFrame, *, start: str = "2022-01",
                     end: str | None = None, freq: str = "Q", by_county: bool = False) -> pd.DataFrame:
    """Issuance of FX loans to individual businesses per period (lower bound from balances), in 亿美元.

    Parameters
    ----------
    loans
        ``fx_loans`` (processed): ``business_id``, ``month``, ``fx_loan_balance`` (万美元).
    businesses
        ``businesses`` (processed): ``business_id``, ``county``, ``weight``.
    start, end
        First and last month counted (``"2022-01"``; ``end`` default: the last month of ``loans``).
    freq
        ``"Q"`` (quarters) or ``"M"`` (months).
    by_county
        One row per county and period instead of one per period.

    Returns
    -------
    pandas.DataFrame
        ``period`` (``"2024-03"``: the last month of the period), [``county``], ``issued`` (亿美元).
    """
    if freq not in ("Q", "M"):
        raise ValueError(f"freq must be 'Q' or 'M'; got {freq!r}.")
    need = {"business_id", "month", "fx_loan_balance"}
    if not need <= set(loans.columns):
        raise ValueError(f"loans needs columns {sorted(need)}; got {list(loans.columns)}.")
    d = loans[["business_id", "month", "fx_loan_balance"]].merge(
        businesses[["business_id", "county", "weight"]], on="business_id", how="left", validate="many_to_one")
    if d["weight"].isna().any():
        raise ValueError("loans has business_id values missing from businesses (no weight); prepare both together.")
    d = d.sort_values(["business_id", "month"], kind="stable")
    prev = d.groupby("business_id", sort=False)["fx_loan_balance"].shift().fillna(0.0)
    d["issued"] = np.clip(d["fx_loan_balance"].to_numpy(float) - prev.to_numpy(float), 0.0, None) * d["weight"] / 1e4
    m = pd.PeriodIndex(pd.DatetimeIndex(d["month"]), freq="M")
    last = m.max() if end is None else pd.Period(end, freq="M")
    keep = (m >= pd.Period(start, freq="M")) & (m <= last)
    d, m = d.loc[keep], m[keep]
    p = m.asfreq("Q") if freq == "Q" else m
    d = d.assign(period=p.asfreq("M", how="end").astype(str) if freq == "Q" else p.astype(str))
    keys = ["period", "county"] if by_county else ["period"]
    out = d.groupby(keys, observed=True, sort=True)["issued"].sum().reset_index()
    return out


def fx_loan_issuance_total(loans: pd.DataFrame, businesses: pd.DataFrame, *, start: str = "2022-01",
                           end: str | None = None) -> float:
    """Cumulative issuance (亿美元) from ``start`` to ``end`` — the tracked quantity of the FX-loan target."""
    return float(fx_loan_issuance(loans, businesses, start=start, end=end, freq="M")["issued"].sum())
