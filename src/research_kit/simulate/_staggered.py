"""Benchmark-scale staggered-adoption panels with known true effects.

:func:`staggered_panel` builds a balanced unit × period panel in which units
adopt a binary treatment at staggered times (or never), with untreated
outcomes that satisfy parallel trends by construction; :func:`true_att`
aggregates the true effects the way DiD estimators report theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd

__all__ = ["staggered_panel", "true_att", "EffectKind", "AttBy"]

EffectKind = Literal["dynamic", "constant", "heterogeneous"]
AttBy = Literal["event_time", "cohort", "time"]

#: Size of the treatment effect at the first treated period (all three kinds).
BASE_EFFECT = 1.0
#: Growth of the dynamic and heterogeneous effects per period of exposure.
EFFECT_SLOPE = 0.2


def check_choice(name: str, value: object, allowed: tuple[object, ...]) -> None:
    """Raise ValueError unless ``value`` is one of ``allowed`` (shared option check)."""
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def default_cohorts(n_periods: int) -> list[int]:
    """Four adoption periods spread over the middle of ``1..n_periods``.

    Every cohort has at least one pre-period (cohort >= 2). For 24 periods
    the cohorts are 7, 11, 15 and 19.

    Examples
    --------
    >>> default_cohorts(24)
    [7, 11, 15, 19]
    """
    raw = np.rint(np.linspace(0.3 * n_periods, 0.8 * n_periods, 4)).astype(int)
    return sorted({int(c) for c in np.clip(raw, 2, n_periods)})


def staggered_panel(
    n_units: int,
    n_periods: int,
    *,
    n_clusters: int = 9,
    cohorts: Sequence[int] | None = None,
    never_share: float = 0.3,
    effect: EffectKind = "dynamic",
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate a balanced staggered-adoption panel with known true effects.

    The untreated outcome is

    .. math:: y_{it}(0) = \\alpha_i + \\lambda_t + s_{c(i)t} + \\varepsilon_{it},

    with unit effects :math:`\\alpha_i \\sim N(0, 1)`, a common time effect
    :math:`\\lambda_t = 0.1 t + 0.5 \\sin(2\\pi t / 12)` (trend and seasonality),
    cluster-by-period shocks :math:`s_{ct} \\sim N(0, 0.3^2)` (errors are
    correlated within a cluster) and :math:`\\varepsilon_{it} \\sim N(0, 1)`.
    Cohorts are assigned to units at random, independently of
    :math:`\\alpha_i` and of the cluster, so parallel trends hold in
    expectation for every cohort. The observed outcome is
    ``y = y(0) + true_effect`` where, at exposure ``e = time - cohort >= 0``,

    * ``"constant"``: ``true_effect = 1``;
    * ``"dynamic"``: ``true_effect = 1 + 0.2 e`` (grows with exposure; a naive
      TWFE regression is biased towards zero);
    * ``"heterogeneous"``: ``(1 + 0.2 e) * m_g * u_i``, where the cohort
      multiplier ``m_g`` falls linearly from 1.5 (earliest cohort) to 0.5
      (latest; 1 with a single cohort) and ``u_i`` is a unit-level lognormal
      factor with mean 1.

    ``true_effect`` is 0 for untreated observations.

    Parameters
    ----------
    n_units, n_periods : int
        Panel size; periods are numbered ``1..n_periods``.
    n_clusters : int, default 9
        Number of clusters (the nine Jinhua counties by default).
    cohorts : sequence of int, optional
        First treated periods, each in ``2..n_periods``; treated units are
        split evenly among them. Default: :func:`default_cohorts`.
    never_share : float, default 0.3
        Share of never-treated units (cohort 0), in ``[0, 1]``.
    effect : {"dynamic", "constant", "heterogeneous"}, default "dynamic"
        Shape of the treatment effect (see above).
    seed : int, default 0
        Seed of the random generator; the same arguments give the same panel.

    Returns
    -------
    pandas.DataFrame
        One row per unit and period, sorted by unit then time, with columns
        ``unit`` (int32), ``time`` (int16, or int32 beyond 32,767 periods),
        ``cohort`` (same dtype as ``time``; 0 = never treated), ``cluster``
        (int16, ``0..n_clusters-1``), ``y`` and ``true_effect`` (float64).

    Raises
    ------
    ValueError
        If a size is not a positive integer, a cohort lies outside
        ``2..n_periods``, ``never_share`` is outside ``[0, 1]`` or ``effect``
        is unknown.

    Examples
    --------
    >>> from research_kit.simulate import staggered_panel, true_att
    >>> df = staggered_panel(1000, 12, cohorts=[4, 8], effect="dynamic", seed=1)
    >>> df.shape
    (12000, 6)
    >>> sorted(df["cohort"].unique().tolist())
    [0, 4, 8]
    >>> round(true_att(df), 3)  # mean of 1 + 0.2 e over e = 0..8 (cohort 4) and 0..4 (cohort 8)
    1.657
    """
    n_units = _check_int("n_units", n_units, 1)
    n_periods = _check_int("n_periods", n_periods, 2)
    n_clusters = _check_int("n_clusters", n_clusters, 1)
    if n_units > np.iinfo(np.int32).max:
        raise ValueError(f"n_units must fit in int32 (<= {np.iinfo(np.int32).max}); got {n_units}")
    check_choice("effect", effect, get_args(EffectKind))
    if not (isinstance(never_share, (int, float, np.floating)) and 0.0 <= float(never_share) <= 1.0):
        raise ValueError(f"never_share must be a number in [0, 1]; got {never_share!r}")
    if cohorts is None:
        cohort_list = default_cohorts(n_periods)
    else:
        cohort_list = sorted({int(c) for c in cohorts})
        bad = [c for c in cohort_list if not 2 <= c <= n_periods]
        if not cohort_list or bad:
            raise ValueError(
                f"cohorts must be a non-empty sequence of first treated periods in 2..{n_periods} "
                f"(each cohort needs a pre-period); got {list(cohorts)!r}"
            )

    rng = np.random.default_rng(seed)
    tdtype = np.int16 if n_periods <= np.iinfo(np.int16).max else np.int32
    n_clusters_dtype = np.int16 if n_clusters <= np.iinfo(np.int16).max else np.int32

    # Cohorts: exact shares, then shuffled -> independent of everything else.
    n_never = int(round(float(never_share) * n_units))
    n_treated = n_units - n_never
    unit_cohort = np.zeros(n_units, dtype=tdtype)
    unit_cohort[n_never:] = np.asarray(cohort_list, dtype=tdtype)[np.arange(n_treated) % len(cohort_list)]
    unit_cohort = rng.permutation(unit_cohort)
    cluster = rng.integers(0, n_clusters, size=n_units).astype(n_clusters_dtype)

    # Untreated outcome, built in place on an (n_units, n_periods) array.
    t = np.arange(1, n_periods + 1, dtype=np.float64)
    y = rng.standard_normal((n_units, n_periods))
    y += rng.standard_normal(n_units)[:, None]  # alpha_i
    y += (0.1 * t + 0.5 * np.sin(2.0 * np.pi * t / 12.0))[None, :]  # lambda_t
    shocks = 0.3 * rng.standard_normal((n_clusters, n_periods))
    for c in range(n_clusters):
        y[cluster == c] += shocks[c]

    # True effects, computed in place to keep the peak memory near the output size.
    treated = (unit_cohort[:, None] > 0) & (np.arange(1, n_periods + 1)[None, :] >= unit_cohort[:, None])
    if effect == "constant":
        te = treated.astype(np.float64)
        te *= BASE_EFFECT
    else:
        te = np.subtract(t[None, :], unit_cohort[:, None], dtype=np.float64)  # exposure
        te *= EFFECT_SLOPE
        te += BASE_EFFECT
        te[~treated] = 0.0
        if effect == "heterogeneous":
            k = len(cohort_list)
            mult = np.linspace(1.5, 0.5, k) if k > 1 else np.ones(1)
            lookup = np.zeros(n_periods + 1)
            lookup[cohort_list] = mult
            unit_factor = np.exp(0.5 * rng.standard_normal(n_units) - 0.125)
            te *= (lookup[unit_cohort] * unit_factor)[:, None]
    del treated
    y += te

    # copy=False: pandas keeps the arrays as they are (no consolidation copy).
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units, dtype=np.int32), n_periods),
            "time": np.tile(np.arange(1, n_periods + 1, dtype=tdtype), n_units),
            "cohort": np.repeat(unit_cohort, n_periods),
            "cluster": np.repeat(cluster, n_periods),
            "y": y.reshape(-1),
            "true_effect": te.reshape(-1),
        },
        copy=False,
    )


def true_att(
    df: pd.DataFrame,
    by: AttBy | None = None,
    *,
    effect: str = "true_effect",
    time: str = "time",
    cohort: str = "cohort",
) -> float | pd.Series:
    """Average the true effect over treated observations.

    An observation is treated when its cohort is positive (0 or NaN = never
    treated) and ``time >= cohort``. This is the estimand of the ATT
    aggregations of Callaway–Sant'Anna and friends, with every treated
    observation weighted equally.

    Parameters
    ----------
    df : pandas.DataFrame
        A panel with the columns named by ``effect``, ``time`` and ``cohort``,
        e.g. from :func:`staggered_panel` or :meth:`DemoData.panel`.
    by : {None, "event_time", "cohort", "time"}, default None
        ``None`` gives the overall ATT (a float); otherwise a Series of
        means indexed by exposure ``time - cohort``, by cohort or by period.
    effect, time, cohort : str
        Column names.

    Returns
    -------
    float or pandas.Series
        The Series is named ``"true_att"`` and its index is named after ``by``.

    Raises
    ------
    ValueError
        If a column is missing, ``by`` is unknown or no observation is treated.

    Examples
    --------
    >>> from research_kit.simulate import staggered_panel, true_att
    >>> df = staggered_panel(500, 10, cohorts=[5], effect="dynamic", seed=2)
    >>> true_att(df, by="event_time").round(2).tolist()
    [1.0, 1.2, 1.4, 1.6, 1.8, 2.0]
    """
    check_choice("by", by, (None, *get_args(AttBy)))
    missing = [c for c in (effect, time, cohort) if c not in df.columns]
    if missing:
        raise ValueError(
            f"true_att needs columns {effect!r}, {time!r} and {cohort!r}; missing {missing}. "
            "Pass the column names with effect=, time=, cohort=."
        )
    g = pd.to_numeric(df[cohort]).fillna(0).to_numpy(dtype=np.float64)
    t = pd.to_numeric(df[time]).to_numpy(dtype=np.float64)
    mask = (g > 0) & (t >= g)
    if not mask.any():
        raise ValueError("true_att: no treated observation (cohort > 0 and time >= cohort) in df")
    te = pd.to_numeric(df[effect]).to_numpy(dtype=np.float64)[mask]
    if by is None:
        return float(te.mean())
    keys = {"event_time": (t - g)[mask], "cohort": g[mask], "time": t[mask]}[by]
    out = pd.Series(te).groupby(keys.astype(np.int64)).mean()
    out.index.name = by
    out.name = "true_att"
    return out
