"""Falsification and robustness checks of an RD design, each a tidy table.

* :func:`covariate_balance` -- :func:`~research_kit.rd.rdd` with each
  predetermined covariate as the outcome (each with its own bandwidth): a
  covariate that jumps at the cutoff casts doubt on the design.
* :func:`placebo_cutoffs` -- :func:`~research_kit.rd.rdd` at fake cutoffs, using
  only the units on the same side of the true cutoff (so the true jump does not
  contaminate them), next to the estimate at the true cutoff.
* :func:`bandwidth_sensitivity` -- the estimate at multiples of the chosen bandwidth.

Every table has the tidy columns (term, estimate, std_error, statistic, p_value,
conf_low, conf_high) of the robust row of each estimate, plus ``conventional``
(the conventional point estimate), ``h_left``, ``h_right``, ``n_eff_left``,
``n_eff_right`` and the columns that identify the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from research_kit.inference import warn_user
from research_kit.rd._common import analysis_sample
from research_kit.rd.estimate import RDResult, rdd
from research_kit.results import TIDY_COLUMNS

__all__ = ["PlaceboSkippedWarning", "bandwidth_sensitivity", "covariate_balance", "placebo_cutoffs"]

_FORBIDDEN = ("outcome", "running", "cutoff")


class PlaceboSkippedWarning(UserWarning):
    """A placebo cutoff had too few observations on one side and was skipped."""


def _row(r: RDResult) -> dict[str, Any]:
    row = r.tidy().set_index("term").loc["Robust"].to_dict()
    return {"term": "Robust", **row, "conventional": r.conventional, "h_left": r.h[0], "h_right": r.h[1],
            "n_eff_left": r.n_effective[0], "n_eff_right": r.n_effective[1]}


def _check_options(options: dict[str, Any]) -> None:
    bad = [k for k in options if k in _FORBIDDEN]
    if bad:
        raise TypeError(f"pass {bad} as the named arguments of this function, not among the rdd options.")


def covariate_balance(
    df: pd.DataFrame,
    *,
    covariates: Sequence[str],
    running: str,
    cutoff: float = 0.0,
    **rdd_options: Any,
) -> pd.DataFrame:
    """RD estimates of the jump in each predetermined covariate at the cutoff.

    Parameters
    ----------
    df, running, cutoff
        As in :func:`~research_kit.rd.rdd`.
    covariates
        Predetermined characteristics (fixed before treatment); each is used as the outcome.
    **rdd_options
        Further options of :func:`~research_kit.rd.rdd` (kernel, p, bwselect, vce, cluster, ...);
        ``fuzzy`` and ``covariates`` are not used here (balance is a sharp, unadjusted comparison).

    Returns
    -------
    pandas.DataFrame
        One row per covariate: ``covariate``, the tidy columns of the robust row,
        ``conventional``, bandwidths and effective N.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> x = rng.uniform(-1, 1, 1500)
    >>> df = pd.DataFrame({"x": x, "age": 10 + 2 * x + rng.normal(size=1500)})
    >>> covariate_balance(df, covariates=["age"], running="x")["covariate"].tolist()
    ['age']
    """
    _check_options(rdd_options)
    rdd_options = {k: v for k, v in rdd_options.items() if k not in ("fuzzy", "covariates")}
    if isinstance(covariates, str):
        covariates = [covariates]
    if not covariates:
        raise ValueError("covariates is empty; name at least one predetermined covariate.")
    rows = []
    for cov in covariates:
        r = rdd(df, outcome=cov, running=running, cutoff=cutoff, **rdd_options)
        rows.append({"covariate": cov, **_row(r)})
    out = pd.DataFrame(rows)
    return out[["covariate", *TIDY_COLUMNS, "conventional", "h_left", "h_right", "n_eff_left", "n_eff_right"]]


def _default_placebos(x: np.ndarray, cutoff: float, quantiles: Sequence[float]) -> list[float]:
    left, right = x[x < cutoff], x[x >= cutoff]
    cuts = [float(np.quantile(left, q)) for q in quantiles] + [float(np.quantile(right, q)) for q in quantiles]
    return sorted(set(cuts))


def placebo_cutoffs(
    df: pd.DataFrame,
    *,
    outcome: str,
    running: str,
    cutoff: float = 0.0,
    placebos: Sequence[float] | None = None,
    quantiles: Sequence[float] = (0.25, 0.5, 0.75),
    **rdd_options: Any,
) -> pd.DataFrame:
    """RD estimates at fake cutoffs on each side of the true one, and at the true cutoff.

    A placebo cutoff below (above) the true cutoff uses only the units below
    (at or above) it, so any jump found there is not the treatment effect.

    Parameters
    ----------
    df, outcome, running, cutoff
        As in :func:`~research_kit.rd.rdd`.
    placebos
        Fake cutoffs; default: the ``quantiles`` of the running variable on each side.
    quantiles
        Quantiles on each side used when ``placebos`` is None.
    **rdd_options
        Further options of :func:`~research_kit.rd.rdd`.

    Returns
    -------
    pandas.DataFrame
        One row per cutoff (sorted): ``cutoff``, ``placebo`` (False for the true
        cutoff), ``side`` (``"left"``, ``"right"`` or ``"true"``), the tidy columns of
        the robust row, ``conventional``, bandwidths and effective N.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> x = rng.uniform(-1, 1, 3000)
    >>> df = pd.DataFrame({"x": x, "y": x + (x >= 0) + rng.normal(0, .3, 3000)})
    >>> placebo_cutoffs(df, outcome="y", running="x", placebos=[-0.5, 0.5])["side"].tolist()
    ['left', 'true', 'right']
    """
    _check_options(rdd_options)
    data = analysis_sample(df, running=running, cutoff=float(cutoff), outcome=outcome, what="placebo_cutoffs")
    x = data[running].to_numpy(dtype=float)
    cuts = _default_placebos(x, cutoff, quantiles) if placebos is None else sorted(float(c) for c in placebos)
    rows = []
    r = rdd(df, outcome=outcome, running=running, cutoff=cutoff, **rdd_options)
    rows.append({"cutoff": float(cutoff), "placebo": False, "side": "true", **_row(r)})
    for c in cuts:
        if c == cutoff:
            continue
        side = "left" if c < cutoff else "right"
        sub = df.loc[df[running] < cutoff] if side == "left" else df.loc[df[running] >= cutoff]
        xs = sub[running].dropna()
        if (xs < c).sum() < 20 or (xs >= c).sum() < 20:
            warn_user(f"placebo_cutoffs: skipped the placebo cutoff {c:.4g}: fewer than 20 observations on one "
                      "side of it within its side of the true cutoff.", PlaceboSkippedWarning)
            continue
        r = rdd(sub, outcome=outcome, running=running, cutoff=c, **rdd_options)
        rows.append({"cutoff": c, "placebo": True, "side": side, **_row(r)})
    out = pd.DataFrame(rows).sort_values("cutoff", kind="stable").reset_index(drop=True)
    return out[["cutoff", "placebo", "side", *TIDY_COLUMNS, "conventional", "h_left", "h_right", "n_eff_left",
                "n_eff_right"]]


def bandwidth_sensitivity(
    df: pd.DataFrame,
    *,
    outcome: str,
    running: str,
    cutoff: float = 0.0,
    multipliers: Sequence[float] = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0),
    **rdd_options: Any,
) -> pd.DataFrame:
    """RD estimates with the main bandwidth scaled by ``multipliers`` of the data-driven one.

    The bias bandwidth keeps its data-driven ratio to ``h`` (``rho = h / b``).

    Returns
    -------
    pandas.DataFrame
        One row per multiplier: ``multiplier``, the tidy columns of the robust
        row, ``conventional``, bandwidths and effective N.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> x = rng.uniform(-1, 1, 2000)
    >>> df = pd.DataFrame({"x": x, "y": x + (x >= 0) + rng.normal(0, .3, 2000)})
    >>> bandwidth_sensitivity(df, outcome="y", running="x", multipliers=(0.5, 1.0))["multiplier"].tolist()
    [0.5, 1.0]
    """
    _check_options(rdd_options)
    if "h" in rdd_options or "b" in rdd_options:
        raise TypeError("bandwidth_sensitivity chooses h and b itself; do not pass h or b.")
    if not multipliers or any(not np.isfinite(m) or m <= 0 for m in multipliers):
        raise ValueError(f"multipliers must be positive numbers; got {multipliers!r}.")
    base = rdd(df, outcome=outcome, running=running, cutoff=cutoff, **rdd_options)
    rows = []
    for m in multipliers:
        if m == 1.0:
            r = base
        else:
            h = (m * base.h[0], m * base.h[1])
            b = (m * base.b[0], m * base.b[1])
            r = rdd(df, outcome=outcome, running=running, cutoff=cutoff, h=h, b=b, **rdd_options)
        rows.append({"multiplier": float(m), **_row(r)})
    out = pd.DataFrame(rows)
    return out[["multiplier", *TIDY_COLUMNS, "conventional", "h_left", "h_right", "n_eff_left", "n_eff_right"]]
