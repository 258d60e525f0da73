"""Shared fixtures for the difference-in-differences tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from did_simulation import staggered_panel

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def mpdta() -> pd.DataFrame:
    """R did's mpdta (500 counties, 2003-2007); provenance in data/README.md."""
    df = pd.read_csv(DATA / "mpdta.csv")
    df["state"] = df["countyreal"] // 1000  # the 'clust' column of the R reference runs (see README)
    return df


@pytest.fixture(scope="session")
def sim() -> pd.DataFrame:
    return staggered_panel()


@pytest.fixture(scope="session")
def sim_unbalanced() -> pd.DataFrame:
    return staggered_panel(unbalanced=0.1)
