"""Power curves: power as a function of the effect size, and their plot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from research_kit.power.analytic import _check, power_did, power_two_sample
from research_kit.power.simulation import simulate_power
from research_kit.report.labels import Labels, Lang, check_lang
from research_kit._plotstyle import themed

__all__ = ["POWER_LABELS", "power_curve", "power_curve_plot"]

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
            rows.append({"effect": e, "power": power_did(e, n, **design), "std_error": 0.0})
            design["n_clusters"] = n
        elif method == "two_sample":
            design = dict(design)
            n = design.pop("nobs1")
            rows.append({"effect": e, "power": power_two_sample(e, n, **design), "std_error": 0.0})
            design["nobs1"] = n
        else:
            r = simulate_power(float(e), **design)
            rows.append({"effect": e, "power": r.estimate, "std_error": r.std_error})
    out = pd.DataFrame(rows)
    out["method"] = method
    return out


@themed
def power_curve_plot(curves: Mapping[str, pd.DataFrame], *, lang: Lang = "zh", target_power: float = 0.8,
                     xlabel: str | None = None, mde: Mapping[str, float] | None = None) -> Figure:
    """Power curves of several designs in one figure.

    Parameters
    ----------
    curves
        Display name -> output of :func:`power_curve` (simulated curves are drawn
        with ±2 Monte Carlo standard errors).
    lang
        ``"zh"`` or ``"en"``.
    target_power
        Drawn as a horizontal reference line.
    xlabel
        Label of the effect axis (default: "True effect").
    mde
        Optional display name -> MDE, marked on the target-power line.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from research_kit.report.theme import PALETTE

    check_lang(lang)
    lab = Labels(lang, extra=POWER_LABELS)
    fig, ax = plt.subplots(figsize=(7.0, 4.0))
    for i, (name, c) in enumerate(curves.items()):
        color = PALETTE[i % len(PALETTE)]
        d = c.sort_values("effect")
        if (d["std_error"] > 0).any():
            ax.errorbar(d["effect"], d["power"], yerr=2 * d["std_error"], fmt="o-", ms=3, lw=1.2, capsize=2,
                        color=color, label=name)
        else:
            ax.plot(d["effect"], d["power"], lw=1.6, color=color, label=name)
        if mde and name in mde and np.isfinite(mde[name]):
            ax.plot([mde[name]], [target_power], marker="D", ms=5, color=color)
            ax.axvline(mde[name], color=color, lw=0.8, ls=":")
    ax.axhline(target_power, color="grey", lw=0.9, ls="--", label=f"{lab('target_power')} {target_power:.0%}")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel or lab("effect"))
    ax.set_ylabel(lab("power"))
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
