"""Breakdown value of Mbar (Rambachan and Roth 2023): the smallest Mbar whose robust interval includes zero.

Reference: the C-LF intervals of rk.did.honest_did itself (validated against HonestDiD in
test_honest.py) evaluated just below and at the returned value.
"""

from __future__ import annotations

import numpy as np
import pytest

import research_kit as rk
from research_kit.did._example import small_staggered_panel


@pytest.fixture(scope="module")
def es():
    return rk.did.event_study(small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g")


def _includes_zero(es, m: float, target: str) -> bool:
    row = rk.did.honest_did(es, mbar=(m,), target=target).iloc[0]
    return bool(row["conf_low"] <= 0 <= row["conf_high"])


@pytest.mark.parametrize("target", ["e=0", "average"])
def test_breakdown_is_the_first_mbar_that_includes_zero(es, target) -> None:
    b = rk.did.honest_breakdown(es, target=target, tol=0.01)
    assert 0 < b < 20
    assert _includes_zero(es, b, target) and not _includes_zero(es, b - 0.01, target)


def test_breakdown_edges(es) -> None:
    b = rk.did.honest_breakdown(es, target="e=0", tol=0.01)
    assert rk.did.honest_breakdown(es, target="e=0", search_max=b / 2) == float("inf")
    with pytest.raises(ValueError, match="must be positive"):
        rk.did.honest_breakdown(es, tol=0)


def test_breakdown_zero_when_not_significant() -> None:
    df = small_staggered_panel()
    rng = np.random.default_rng(0)
    df = df.assign(y=rng.normal(size=len(df)))  # no effect at all
    es = rk.did.event_study(df, outcome="y", unit="id", time="t", cohort="g")
    row = rk.did.honest_did(es, mbar=(0,), target="average").iloc[0]
    expected = 0.0 if row["conf_low"] <= 0 <= row["conf_high"] else None
    assert expected == 0.0, "pure noise should give an interval that includes zero with this seed"
    assert rk.did.honest_breakdown(es, target="average") == 0.0
