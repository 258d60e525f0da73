"""SYNTHETIC monthly and quarterly series of the plan's 2025 target indicators.

Used by :mod:`research_kit.simulate.filings` to write the demo filings; the targets
dashboard itself reads only processed filings and simulates nothing.

:func:`target_indicators_demo` makes one series per target of
``data/targets/targets_2025.csv`` (except the three one-firm milestones, which are
tracked by record, not by a series), calibrated so that the *expected* tracked
quantity at the end of 2025 is :data:`DEMO_PACE` times the target. The paces mix
indicators that are comfortably on track with ones that lag, so the dashboard
shows every status. No number describes a real indicator of Jinhua.

Data-generating processes (``t`` counts periods from the series start):

* ``level`` and ``share``: a random walk with drift from ``0.35 × target``
  (shares: ``0.2 × target``) to the expected end value ``pace × target``, with
  innovations of standard deviation ``noise × target`` (counts of firms are
  rounded; shares are clipped to 0–100);
* ``cumulative`` (flows): ``f_t = b (1 + g)^{t/per_year} (1 + cv z_t)``, ``z_t``
  standard normal, ``g`` = 15% a year, ``b`` chosen so that the expected sum over
  the target window is ``pace × target``; flows are clipped at 0;
* ``annual_growth``: the same flow process with the base-year (2022) monthly mean
  ``b`` and annual growth ``g = DEMO_PACE[id]`` (a rate, not a multiple).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DEMO_NO_SERIES", "DEMO_PACE", "DEMO_QUARTERLY", "DEMO_START", "target_indicators_demo"]

#: Expected tracked quantity at 2025-12 as a multiple of the target (annual growth: the true growth rate).
DEMO_PACE: dict[str, float] = {
    "trade_finance_growth": 0.1,
    "fx_loans_individual": 1.06,
    "facilitation_firms": 1.10,
    "listed_reserve_firms": 1.00,
    "listed_firms": 0.97,
    "ftz_fund": 1.15,
    "china_africa_rmb": 0.95,
    "unified_accounts_opened": 1.25,
    "unified_accounts_turnover_cny": 1.05,
    "unified_accounts_turnover_usd": 0.98,
    "offshore_trade": 1.10,
    "rmb_circulation": 0.97,
    "special_fin_institutions": 1.05,
    "open_econ_fin_depts": 1.20,
    "credit_platform_users": 1.30,
    "commodity_trading": 1.00,
    "ecommerce_direct_link": 1.25,
    "digital_rmb_merchants": 0.95,
    "yixinou_financing": 1.10,
    "fx_hedging_ratio": 1.0,
}
#: Indicators reported quarterly in the demo.
DEMO_QUARTERLY = frozenset({"listed_firms", "listed_reserve_firms", "special_fin_institutions"})
#: Milestones without a series (tracked by record).
DEMO_NO_SERIES = frozenset({"qflp_firms", "new_factoring_firms", "new_leasing_firms"})
#: First month of each demo series (programmes that started with the plan begin in 2023-01).
DEMO_START: dict[str, str] = {"unified_accounts_opened": "2023-01", "unified_accounts_turnover_cny": "2023-01",
                              "unified_accounts_turnover_usd": "2023-01", "ecommerce_direct_link": "2023-01",
                              "yixinou_financing": "2023-01"}
_NOISE_LEVEL = 0.012  # per-month innovation sd of levels, as a share of the target
_CV_FLOW = 0.12  # coefficient of variation of monthly flows
_FLOW_GROWTH = 0.15
_COUNT_UNITS = ("家",)


def _periods(start: str, end: str, quarterly: bool) -> pd.PeriodIndex:
    idx = pd.period_range(start, end, freq="M")
    return idx.asfreq("Q").unique() if quarterly else idx


def target_indicators_demo(
    targets: pd.DataFrame,
    *,
    as_of: str = "2025-06",
    start: str = "2021-01",
    seed: int = 20221230,
) -> pd.DataFrame:
    """Simulate SYNTHETIC series of the plan's target indicators.

    Parameters
    ----------
    targets
        The targets table (e.g. :func:`research_kit.studies.targets.load_targets`).
        Ids without a pace in :data:`DEMO_PACE` get no series.
    as_of
        Last month observed (quarterly series end with the last complete quarter).
    start
        First month of the series (later for programmes in :data:`DEMO_START`).
    seed
        Seed of the random generator; the history up to any ``as_of`` does not
        depend on ``as_of``.

    Returns
    -------
    pandas.DataFrame
        Long table with columns ``id``, ``period`` (``"2024-03"`` or ``"2024Q1"``),
        ``freq`` (``"M"``/``"Q"``), ``value`` (in the target's unit) and
        ``synthetic`` (always True).

    Examples
    --------
    >>> from research_kit.simulate.indicators import target_indicators_demo
    >>> from research_kit.studies.targets import load_targets
    >>> d = target_indicators_demo(load_targets(), as_of="2024-12", seed=1)
    >>> d.groupby("freq")["id"].nunique().to_dict()
    {'M': 17, 'Q': 3}
    >>> bool(d["synthetic"].all())
    True
    """
    cut = pd.Period(as_of, freq="M")
    if cut > pd.Period("2025-12", freq="M") or cut < pd.Period(start, freq="M") + 12:
        raise ValueError(f"as_of must lie between a year after start ({start}) and 2025-12; got {as_of!r}.")
    rng = np.random.default_rng(seed)
    out = []
    for rec in targets.reset_index(drop=True).sort_values("id").to_dict("records"):
        key = str(rec["id"])
        if key not in DEMO_PACE:
            continue
        quarterly = key in DEMO_QUARTERLY
        idx = _periods(DEMO_START.get(key, start), "2025-12", quarterly)
        per_year = 4 if quarterly else 12
        n = len(idx)
        z = rng.standard_normal(n)  # one draw per series and period, whatever as_of
        target, pace, kind = float(rec["target"]), DEMO_PACE[key], rec["kind"]
        if kind in ("level", "share"):
            y0 = (0.2 if kind == "share" else 0.35) * target
            drift = (pace * target - y0) / (n - 1)
            sd = _NOISE_LEVEL * target * (3.0 if quarterly else 1.0) ** 0.5
            y = y0 + drift * np.arange(n) + np.r_[0.0, np.cumsum(sd * z[1:])]
            if kind == "share":
                y = np.clip(y, 0.0, 100.0)
            if rec["unit"] in _COUNT_UNITS:
                y = np.maximum(np.round(y), 0.0)
        else:
            t = np.arange(n) / per_year
            if kind == "annual_growth":
                base_year = int(str(rec["window_start"])[:4])
                year0 = pd.Period(f"{base_year}-01", freq="M").asfreq(idx.freqstr)
                t = (idx.asi8 - year0.ordinal) / per_year
                shape = (1 + pace) ** t
                base = shape[(t >= 0) & (t < 1)].sum()
                b = 1000.0 / base  # base-year total 1,000 (亿元): only growth matters
            else:
                w0 = pd.Period(str(rec["window_start"]), freq="M").asfreq(idx.freqstr)
                shape = (1 + _FLOW_GROWTH) ** t
                in_window = idx >= w0
                b = pace * target / shape[in_window].sum()
            y = np.clip(b * shape * (1 + _CV_FLOW * z), 0.0, None)
        keep = idx.asfreq("M", how="end") <= cut
        out.append(pd.DataFrame({"id": key, "period": idx[keep].astype(str), "freq": "Q" if quarterly else "M",
                                 "value": y[keep], "synthetic": True}))
    return pd.concat(out, ignore_index=True)
