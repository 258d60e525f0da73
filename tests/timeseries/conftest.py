"""Shared fixtures for the indicator-tracking tests."""

from __future__ import annotations

import pandas as pd
import pytest
from ts_helpers import rw_drift


@pytest.fixture
def monthly_rw() -> pd.Series:
    """48 months of a random walk with drift, 2021-01 … 2024-12."""
    idx = pd.period_range("2021-01", "2024-12", freq="M")
    return pd.Series(rw_drift(len(idx), seed=11), index=idx)
