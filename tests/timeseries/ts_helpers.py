"""Helpers of the indicator-tracking tests (series with known laws, one-row target tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def rw_drift(n: int, *, drift: float = 0.8, sigma: float = 2.0, start: float = 100.0, seed: int = 0) -> np.ndarray:
    """A random walk with drift: y_t = y_{t-1} + drift + sigma * e_t."""
    rng = np.random.default_rng(seed)
    return start + np.cumsum(drift + sigma * rng.standard_normal(n))


def one_target(key: str = "x", *, target: float = 150.0, kind: str = "level", window_start: str = "",
               deadline: str = "2025-12", unit: str = "亿元") -> pd.DataFrame:
    """A one-row targets table."""
    return pd.DataFrame([{"id": key, "indicator_zh": "指标" + key, "indicator_en": "Indicator " + key, "target": target,
                          "unit": unit, "unit_en": "CNY 100m", "kind": kind, "deadline": deadline,
                          "window_start": window_start, "quote": "……"}])
