"""Shared fixtures for the regression discontinuity tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def senate_all() -> pd.DataFrame:
    """The rdrobust Senate data, all 1,390 rows (provenance in data/README.md)."""
    return pd.read_csv(DATA / "rdrobust_senate.csv")


@pytest.fixture(scope="session")
def senate(senate_all: pd.DataFrame) -> pd.DataFrame:
    """The 1,297 rows with the outcome ``vote`` observed (what ``rdrobust vote margin`` uses)."""
    return senate_all.dropna(subset=["vote", "margin"]).reset_index(drop=True)
