"""A tiny deterministic staggered panel for the docstring examples (synthetic)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["small_staggered_panel"]


def small_staggered_panel(n_units: int = 90, n_periods: int = 6, seed: int = 0) -> pd.DataFrame:
    """Synthetic panel: cohorts first treated in periods 3 and 5 and never (g = 0).

    The effect is ``1 + (t - g)`` from period ``g`` on; columns ``id, t, g, d, y``.

    Examples
    --------
    >>> small_staggered_panel().shape
    (540, 5)
    """
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n_units), n_periods)
    t = np.tile(np.arange(1, n_periods + 1), n_units)
    g = np.repeat(np.array([3, 5, 0])[np.arange(n_units) % 3], n_periods)
    d = ((g > 0) & (t >= g)).astype(int)
    effect = np.where(d == 1, 1.0 + (t - g), 0.0)
    y = 0.1 * ids + 0.5 * t + effect + rng.normal(scale=0.5, size=ids.size)
    return pd.DataFrame({"id": ids, "t": t, "g": g, "d": d, "y": y})
