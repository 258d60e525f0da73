"""Simulation-based power of staggered difference-in-differences designs.

Each replication draws a panel from :func:`research_kit.simulate.staggered_panel`
(constant effect, rescaled to ``effect``), estimates the ATT with the project's
estimator (:func:`research_kit.did.twfe` or the simple aggregation of
:func:`research_kit.did.callaway_santanna`) and rejects when the p-value is below
``alpha``. Power is the rejection rate; its Monte Carlo standard error is
``sqrt(p (1 - p) / reps)``. The same ``seed`` gives the same panels for every
effect size (common random numbers), so power curves are smooth.

The simulator's noise is fixed: unit effects N(0, 1) (differenced out),
idiosyncratic errors N(0, 1) independent over time, and cluster-by-period shocks
N(0, 0.3²); effects are in those units.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd

from research_kit.power.analytic import _check
from research_kit.power.result import SimulatedPower

__all__ = ["SimCluster", "SimEstimator", "simulate_power"]

SimEstimator = Literal["twfe", "callaway_santanna"]
SimCluster = Literal["cluster", "unit"]


def _one(df: pd.DataFrame, estimator: str, cluster: str,
         control_group: Literal["never", "not_yet"]) -> tuple[float, float, float]:
    from research_kit import did

    if estimator == "twfe":
        r = did.twfe(df, outcome="y", unit="unit", time="time", treat="d", cluster=cluster)
    else:
        r = did.callaway_santanna(df, outcome="y", unit="unit", time="time", cohort="cohort",
                                  control_group=control_group, method="reg", cluster=cluster).aggregate("simple")
    return r.estimate, r.std_error, r.p_value


def simulate_power(
    effect: float,
    *,
    n_units: int,
    n_periods: int,
    n_clusters: int = 9,
    cohorts: Sequence[int] | None = None,
    never_share: float = 0.3,
    estimator: SimEstimator = "twfe",
    cluster: SimCluster = "cluster",
    control_group: Literal["never", "not_yet"] = "never",
    reps: int = 200,
    alpha: float = 0.05,
    seed: int = 0,
) -> SimulatedPower:
    """Power of a staggered DiD design by simulation.

    Parameters
    ----------
    effect
        True ATT (constant over units and periods), in outcome standard deviations.
    n_units, n_periods, n_clusters, cohorts, never_share
        Design, passed to :func:`research_kit.simulate.staggered_panel`.
    estimator
        ``"twfe"`` or ``"callaway_santanna"`` (simple aggregation, outcome regression).
    cluster
        Standard errors clustered by the simulator's ``"cluster"`` or by ``"unit"``.
    control_group
        Comparison units of Callaway–Sant'Anna.
    reps
        Number of simulated panels (the Monte Carlo standard error of power is at
        most ``0.5 / sqrt(reps)``).
    alpha
        Size of the two-sided test (not an interval level).
    seed
        Seed; replication ``k`` uses ``seed + k``.

    Returns
    -------
    SimulatedPower
        The power (the rejection rate, the value itself) with ``mc_std_error`` (its Monte Carlo
        standard error), ``mean_estimate``, ``bias`` (mean estimate minus ``effect``) and ``draws``
        (one row per replication: rep, estimate, std_error, p_value, reject).

    Warns
    -----
    Each distinct warning of the estimator (e.g. few clusters) once, with its own class.

    Examples
    --------
    >>> from research_kit.power import simulate_power
    >>> r = simulate_power(0.5, n_units=200, n_periods=6, cohorts=[4], never_share=0.5, cluster="unit", reps=20,
    ...                    seed=1)
    >>> 0 <= r.power <= 1, r.reps
    (True, 20)
    """
    from research_kit.simulate import staggered_panel

    _check("estimator", estimator, get_args(SimEstimator))
    _check("cluster", cluster, get_args(SimCluster))
    _check("control_group", control_group, ("never", "not_yet"))
    if isinstance(reps, bool) or not isinstance(reps, (int, np.integer)) or reps < 2:
        raise ValueError(f"reps must be an integer >= 2; got {reps!r}.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1); got {alpha!r}.")
    rows = []
    seen: dict[str, type[Warning]] = {}
    for k in range(int(reps)):
        df = staggered_panel(n_units, n_periods, n_clusters=n_clusters, cohorts=cohorts, never_share=never_share,
                             effect="constant", seed=int(seed) + k)
        df["y"] += (float(effect) - 1.0) * df["true_effect"]
        df["d"] = (df["true_effect"] != 0).astype(np.int8)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est, se, p = _one(df, estimator, cluster, control_group)
        for w in caught:
            seen.setdefault(str(w.message), w.category)
        rows.append({"rep": k, "estimate": est, "std_error": se, "p_value": p, "reject": bool(p < alpha)})
    for message, category in seen.items():  # once each, not once per replication
        warnings.warn(message, category, stacklevel=2)
    draws = pd.DataFrame(rows)
    p_hat = float(draws["reject"].mean())
    est = draws["estimate"]
    design = {"estimator": estimator, "cluster": cluster, "control_group": control_group, "n_units": n_units,
              "n_periods": n_periods, "n_clusters": n_clusters, "cohorts": None if cohorts is None else list(cohorts),
              "never_share": never_share, "simulator": "research_kit.simulate.staggered_panel (constant effect)"}
    return SimulatedPower(p_hat, solved_for="power", power=p_hat, effect=float(effect),
                          std_error=float(draws["std_error"].mean()), df=None, alpha=float(alpha),
                          alternative="two-sided", method="simulation", design=design,
                          mc_std_error=float(np.sqrt(max(p_hat * (1 - p_hat), 1e-12) / reps)),
                          mean_estimate=float(est.mean()), bias=float(est.mean() - float(effect)), reps=int(reps),
                          seed=int(seed), draws=draws, estimator_warnings=tuple(sorted(seen)))
