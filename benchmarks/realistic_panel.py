"""A business-month panel shaped like bank records, for the "realistic" DiD benchmark scenario.

Written independently of ``research_kit.simulate`` (it imports nothing from the
project), so the benchmark does not only measure data laid out the way the
project's own generator lays it out. The frame has

* ``business_id`` -- 18-character strings in the form of a unified social credit
  code (``91330...``), in random order (not sortable into the row order);
* ``month`` -- month-start dates (``datetime64[ns]``), 2023-01 ... 2024-12 for 24 months;
* ``county`` -- the name of one of Jinhua's nine counties (the cluster), sizes unequal;
* ``first_treated`` -- the month the business joined the pilot (staggered by
  county rollout plus individual take-up), ``NaT`` = never treated (about 30 %);
* ``balance`` -- the outcome: business effect + county-month shock + AR(1) noise
  + a treatment effect that grows with time since adoption;

with about 3 % of the business-months missing (at random) and the rows shuffled.
The same seed gives the same frame on every machine (integer draws and
NumPy's PCG64; the outcome is float64 arithmetic on those draws).

Usage: ``realistic_panel(300_000, 24)`` (7.0M rows, about 10 s to build).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["COUNTIES", "realistic_panel", "sorted_integer_twin"]

#: Jinhua's nine county-level divisions and their relative numbers of businesses.
COUNTIES = {
    "义乌市": 0.30, "婺城区": 0.13, "东阳市": 0.12, "永康市": 0.11, "金东区": 0.09,
    "兰溪市": 0.08, "浦江县": 0.07, "武义县": 0.06, "磐安县": 0.04,
}

_ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))  # the 31 characters of GB 32100


def _business_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct 18-character USCC-shaped ids (no valid check digit: these are not real codes)."""
    rest = rng.choice(31**10, size=n, replace=False)  # distinct, so the ids are distinct
    digits = np.empty((n, 10), dtype=np.int64)
    for j in range(9, -1, -1):
        digits[:, j] = rest % 31
        rest //= 31
    county_code = rng.integers(1, 90, size=n)
    chars = np.concatenate([
        np.broadcast_to(np.array(list("913307")), (n, 6)),
        np.char.zfill(county_code.astype(str), 2).view("<U1").reshape(n, 2),
        _ALPHABET[digits],
    ], axis=1)
    return chars.view(f"<U{chars.shape[1]}").ravel()


def _strings(values: np.ndarray, index: np.ndarray) -> pd.Series:
    """``values[index]`` as pandas' default string dtype (Arrow-backed, as read from CSV or Parquet)."""
    import pyarrow as pa

    return pd.Series(pa.array(values).take(pa.array(index)), dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def realistic_panel(n_businesses: int = 300_000, n_months: int = 24, *, missing: float = 0.03,
                    never_share: float = 0.3, seed: int = 20261206) -> pd.DataFrame:
    """The benchmark frame (see the module docstring); rows in random order."""
    rng = np.random.default_rng(seed)
    n, T = n_businesses, n_months
    months = pd.date_range("2023-01-01", periods=T, freq="MS")
    names = np.array(list(COUNTIES))
    county = rng.choice(len(names), size=n, p=np.array(list(COUNTIES.values())))
    # staggered adoption: each county opens in one of four waves, businesses join then or a few months later
    wave = rng.permutation(np.resize(np.array([6, 9, 12, 15]), len(names)))
    delay = rng.geometric(0.5, size=n) - 1  # 0, 1, 2, ... months after the county opens
    start = wave[county] + delay
    treated = (rng.random(n) >= never_share) & (start < T)
    start = np.where(treated, start, -1)
    # outcome: business effect, county x month shock, AR(1) noise, effect 0.5 + 0.1 per month since adoption
    alpha = rng.normal(3.0, 1.0, size=n)
    shock = rng.normal(0.0, 0.2, size=(len(names), T)).cumsum(axis=1)
    eps = rng.normal(0.0, 0.5, size=(n, T))
    for t in range(1, T):
        eps[:, t] += 0.5 * eps[:, t - 1]
    since = np.arange(T)[None, :] - start[:, None]
    effect = np.where(treated[:, None] & (since >= 0), 0.5 + 0.1 * since, 0.0)
    y = alpha[:, None] + shock[county] + eps + effect
    keep = rng.random((n, T)) >= missing
    unit_idx, time_idx = np.nonzero(keep)
    order = rng.permutation(unit_idx.size)
    unit_idx, time_idx = unit_idx[order], time_idx[order]
    ids = _business_ids(n, rng)
    first = pd.DatetimeIndex(np.where(treated, months.values[np.maximum(start, 0)], np.datetime64("NaT")))
    return pd.DataFrame({
        "business_id": _strings(ids, unit_idx),
        "month": months.values[time_idx],
        "county": _strings(names, county[unit_idx]),
        "first_treated": first.values[unit_idx],
        "balance": y[unit_idx, time_idx],
    })


def sorted_integer_twin(df: pd.DataFrame) -> pd.DataFrame:
    """The same panel as the project's own benchmark lays it out: integer ids, integer periods, sorted rows.

    Businesses are numbered in the order of their ids, months 1..T, cohorts as
    the month number (0 = never treated), counties 0..8; same outcome values.
    """
    ids, uniques = pd.factorize(df["business_id"], sort=True)
    months = np.sort(df["month"].unique())
    t = np.searchsorted(months, df["month"].to_numpy()) + 1
    g = df["first_treated"].to_numpy()
    cohort = np.where(pd.isna(g), 0, np.searchsorted(months, g) + 1)
    cl, _ = pd.factorize(df["county"], sort=True)
    out = pd.DataFrame({"unit": ids.astype(np.int32), "time": t.astype(np.int16), "cohort": cohort.astype(np.int16),
                        "cluster": cl.astype(np.int16), "y": df["balance"].to_numpy()})
    return out.sort_values(["unit", "time"], kind="stable").reset_index(drop=True)
