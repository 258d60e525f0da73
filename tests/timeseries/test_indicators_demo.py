"""The SYNTHETIC indicator simulator against its own design (known truth).

Truth: by construction (research_kit.simulate.indicators), the expected tracked
quantity at 2025-12 is DEMO_PACE[id] x target (level / share / cumulative), and the
trade-finance flows grow at DEMO_PACE["trade_finance_growth"] a year. The mean over
S seeds must be within 4 Monte Carlo standard errors of that.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research_kit.simulate.indicators import (
    DEMO_NO_SERIES,
    DEMO_PACE,
    DEMO_QUARTERLY,
    target_indicators_demo,
)
from research_kit.studies.targets import load_targets

S = 150


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return load_targets()


@pytest.fixture(scope="module")
def draws(targets) -> pd.DataFrame:
    return pd.concat([target_indicators_demo(targets, as_of="2025-12", seed=s).assign(seed=s) for s in range(S)])


def _tracked_end(d: pd.DataFrame, rec: dict) -> float:
    if rec["kind"] in ("level", "share"):
        return float(d["value"].iloc[-1])
    per = pd.PeriodIndex([pd.Period(p) for p in d["period"]])
    if rec["kind"] == "cumulative":
        start = rec["window_start"].asfreq(per.freqstr)
        return float(d["value"].to_numpy()[per >= start].sum())
    years = per.year.to_numpy()
    return float(d["value"].to_numpy()[years == 2025].sum() / d["value"].to_numpy()[years == 2022].sum())


def test_expected_end_values_match_the_design(draws, targets):
    for rec in targets.to_dict("records"):
        key = rec["id"]
        if key in DEMO_NO_SERIES:
            assert key not in set(draws["id"])
            continue
        ends = np.array([_tracked_end(g, rec) for _, g in draws.loc[draws["id"] == key].groupby("seed")])
        if rec["kind"] == "annual_growth":
            truth = (1 + DEMO_PACE[key]) ** 3  # ratio of the 2025 to the 2022 total
        else:
            truth = DEMO_PACE[key] * rec["target"]
        se = ends.std(ddof=1) / np.sqrt(S)
        # counts are rounded (bias <= 0.5) and shares clipped at 0-100 (inactive at these paces)
        slack = 0.5 if rec["unit"] == "家" else 0.0
        assert abs(ends.mean() - truth) < 4 * se + slack + 1e-9, (key, ends.mean(), truth, se)


def test_reproducible_and_as_of_does_not_change_history(targets):
    a = target_indicators_demo(targets, as_of="2024-12", seed=3)
    b = target_indicators_demo(targets, as_of="2025-06", seed=3)
    pd.testing.assert_frame_equal(a, b.loc[b["period"].isin(a["period"])].reset_index(drop=True))
    assert set(a.loc[a["freq"] == "Q", "id"]) == DEMO_QUARTERLY
    assert a["synthetic"].all()
    assert a.groupby("id")["period"].max().isin(["2024-12", "2024Q4"]).all()


def test_as_of_is_checked(targets):
    with pytest.raises(ValueError, match="as_of"):
        target_indicators_demo(targets, as_of="2026-01")
