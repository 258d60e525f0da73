"""Inputs of the power study: the design calibrated on the FX-loans analysis panel."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from research_kit.studies import fx_loans

__all__ = ["calibrate", "Calibration"]


@dataclass(frozen=True)
class Calibration:
    """Design quantities estimated from the analysis panel."""

    outcome: str
    sd: float  # SD of the TWFE residual
    autocorr: float  # lag-1 autocorrelation of the residual within a business
    icc: float  # ANOVA estimate of the county-month intra-cluster correlation (>= 0)
    control_mean: float  # mean outcome of untreated business-months
    n_businesses: int
    n_counties: int
    n_cells: int  # bank x county cells where the programme can start
    truth: float  # mean true effect over treated business-months (synthetic data only)
    synthetic: bool


def _twoway_resid(y: np.ndarray, a: np.ndarray, b: np.ndarray, iters: int = 200, tol: float = 1e-10) -> np.ndarray:
    """Residual of y on two sets of dummies (codes a, b) by alternating projections."""
    na, nb = np.bincount(a), np.bincount(b)
    r = y - y.mean()
    for _ in range(iters):
        step = np.bincount(a, r) / na
        r = r - step[a]
        step_b = np.bincount(b, r) / nb
        r = r - step_b[b]
        if max(np.abs(step).max(), np.abs(step_b).max()) < tol:
            break
    return r


def calibrate(panel: pd.DataFrame, outcome: str = "fx_loan_balance") -> Calibration:
    """Residual SD, serial correlation and ICC of ``outcome`` after business and month effects.

    The residual is that of the TWFE regression on the whole panel (treated months
    included), so its variance contains the heterogeneity of the programme effect,
    which a pre-programme calibration would miss (FX balances are near zero before
    the programme). The ICC is the one-way ANOVA estimator on county × month groups,
    scaled up by ``C / (C - 1)`` (C counties) because the month effects absorb the
    mean county shock of each month; ``sd`` includes that correction. Removing the
    business means from a finite panel still shrinks ``sd`` and ``autocorr`` slightly
    (by about ``(1 + φ) / ((1 - φ) T)`` and ``(1 + φ) / T`` for AR(1) errors over T months).
    """
    if outcome not in fx_loans.OUTCOMES:
        raise ValueError(f"outcome must be one of {list(fx_loans.OUTCOMES)}; got {outcome!r}.")
    d = panel.sort_values(["business_id", "month"]).reset_index(drop=True)
    a = pd.factorize(d["business_id"])[0]
    b = pd.factorize(d["month"])[0]
    y = d[outcome].to_numpy(float)
    D = d["treated"].to_numpy(float)
    ry, rD = _twoway_resid(y, a, b), _twoway_resid(D, a, b)
    r = ry - (rD @ ry) / (rD @ rD) * rD
    same = (a[1:] == a[:-1]) & ((d["t"].to_numpy()[1:] - d["t"].to_numpy()[:-1]) == 1)
    ac = float(np.corrcoef(r[1:][same], r[:-1][same])[0, 1])
    g = pd.factorize(d["county"].astype(str) + "|" + d["month"].astype(str))[0]
    n = np.bincount(g)
    means = np.bincount(g, r) / n
    N, k = len(r), len(n)
    msb = float((n * (means - r.mean()) ** 2).sum() / (k - 1))
    msw = float(((r - means[g]) ** 2).sum() / (N - k))
    n0 = (N - (n**2).sum() / N) / (k - 1)
    icc_res = max(0.0, (msb - msw) / (msb + (n0 - 1) * msw))
    # The month effects absorb the mean county shock of each month, shrinking the shock variance by
    # (1 - 1/C) in the residuals; undo that so icc and sd describe the shocks themselves.
    shrink = 1.0 - 1.0 / d["county"].nunique()
    v_res = float(r.var(ddof=1))
    v_c, v_e = icc_res * v_res / shrink, (1.0 - icc_res) * v_res
    return Calibration(
        outcome=outcome, sd=float(np.sqrt(v_c + v_e)), autocorr=ac, icc=v_c / (v_c + v_e),
        control_mean=float(d.loc[d["treated"] == 0, outcome].mean()),
        n_businesses=int(d["business_id"].nunique()), n_counties=int(d["county"].nunique()),
        n_cells=int(d.drop_duplicates(["county", "bank"]).shape[0]),
        truth=fx_loans.truth_overall(d, outcome), synthetic=fx_loans.data_is_synthetic(),
    )
