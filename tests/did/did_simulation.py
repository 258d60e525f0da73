"""Simulated staggered-adoption panels with known effects, for the DiD tests (synthetic data)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def staggered_panel(n_units: int = 900, n_periods: int = 8, seed: int = 7, unbalanced: float = 0.0,
                    heterogeneous: bool = True) -> pd.DataFrame:
    """Simulated staggered adoption with dynamic, cohort-specific effects (known truth).

    Cohorts first treated in periods 3, 5 and 7 and never treated (g = 0), a quarter
    of the units each. The effect of cohort g at event time e = t - g >= 0 is
    ``te = (e + 1) * (1.5 if g == 3 else 1.0)``: growing with exposure and larger for
    the early cohort, the setting in which static TWFE is biased (``heterogeneous=False``
    drops the cohort factor). Unit and period effects and noise; ``te`` is stored so
    tests can compute the truth.
    """
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n_units), n_periods)
    t = np.tile(np.arange(1, n_periods + 1), n_units)
    g = np.repeat(np.array([3, 5, 7, 0])[rng.integers(0, 4, n_units)], n_periods)
    e = t - g
    treated = (g > 0) & (e >= 0)
    te = np.where(treated, (e + 1) * np.where((g == 3) & heterogeneous, 1.5, 1.0), 0.0)
    alpha = np.repeat(rng.normal(size=n_units), n_periods)
    y = alpha + 0.3 * t + te + rng.normal(scale=1.0, size=ids.size)
    df = pd.DataFrame({"id": ids, "t": t, "g": g, "d": treated.astype(int), "te": te, "y": y,
                       "cl": ids % 53, "w": np.repeat(rng.uniform(0.5, 2.0, n_units), n_periods)})
    if unbalanced:
        df = df.sample(frac=1 - unbalanced, random_state=seed).sort_values(["id", "t"]).reset_index(drop=True)
    return df
