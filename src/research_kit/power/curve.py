"""Power curves: power as a function of the effect size (drawn by :mod:`research_kit.report.power_plots`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from research_kit.power.analytic import _check, power_did, power_two_sample
from research_kit.power.simulation import simulate_power

__all__ = ["POWER_LABELS", "power_curve"]

POWER_LABELS: dict[str, dict[str, str]] = {
    "effect": {"zh": "真实效应", "en": "True effect"},
    "power": {"zh": "检验功效", "en": "Power"},
    "target_power": {"zh": "目标功效", "en": "Target power"},
    "mde": {"zh": "最小可检测效应", "en": "Minimum detectable effect"},
}

Method = Literal["did", "two_sample", "simulation"]


def power_curve(effects: Sequence[float] | np.ndarray, *, method: Method = "did", **design: Any) -> pd.DataFrame:
    """Power at each effect size.

    Parameters
    ----------
    effects
        Effect sizes (outcome units).
    method
        ``"did"`` (:func:`~research_kit.power.power_did`), ``"two_sample"``
        (:func:`~research_kit.power.power_two_sample`) or ``"simulation"``
        (:func:`~research_kit.power.simulate_power`, same seed for every effect).
    **design
        Keyword arguments of that function (``n_clusters`` for ``"did"``,
        ``nobs1`` for ``"two_sample"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``effect``, ``power``, ``std_error`` (Monte Carlo se; 0 for analytic
        curves) and ``method``.

    Examples
    --------
    >>> c = power_curve([0.0, 0.2, 0.4], method="did", n_clusters=40, cluster_size=10, icc=0.05)
    >>> c["power"].round(3).tolist()[0]
    0.05
    """
    _check("method", method, ("did", "two_sample", "simulation"))
    rows = []
    for e in np.asarray(effects, dtype=float):
        if method == "did":
            design = dict(design)
            n = design.pop("n_clusters")
            rows.append({"effect": e, "power": float(power_did(e, n, **design)), "std_error": 0.0})
            design["n_clusters"] = n
        elif method == "two_sample":
            design = dict(design)
            n = design.pop("nobs1")
            rows.append({"effect": e, "power": float(power_two_sample(e, n, **design)), "std_error": 0.0})
            design["nobs1"] = n
        else:
            r = simulate_power(float(e), **design)
            rows.append({"effect": e, "power": r.power, "std_error": r.mc_std_error})
    out = pd.DataFrame(rows)
    out["method"] = method
    return out
