"""Two-period (2x2) panel DiD estimators with influence functions.

Ports of the panel estimators of R ``DRDID`` (Sant'Anna and Zhao 2020) that R
``did::att_gt`` calls for each group-time cell:

* ``"reg"`` -- outcome regression, ``DRDID::reg_did_panel``;
* ``"ipw"`` -- normalised (Hajek) inverse probability weighting,
  ``DRDID::std_ipw_did_panel`` (controls with propensity >= 0.995 trimmed);
* ``"dr"`` -- locally efficient doubly robust, ``DRDID::drdid_panel`` (logit
  propensity score by maximum likelihood, OLS outcome model on the controls).
  This is what ``did`` uses for ``est_method = "dr"``.

Each function returns the ATT and its influence function ``psi`` on the
estimation sample (treated and comparison units), scaled as in ``DRDID`` so that
``se = sqrt(mean(psi^2) / n)``. Unweighted (every unit weight 1).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.special import expit

__all__ = ["Method", "CellProblem", "did_2x2_panel"]

Method = Literal["dr", "ipw", "reg"]

_TRIM = 0.995


class CellProblem(Exception):
    """The 2x2 problem cannot be estimated (no overlap, too few comparison units)."""


def _logit(X: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Logit fitted probabilities by Newton-Raphson (no intercept added)."""
    beta = np.zeros(X.shape[1])
    for _ in range(50):
        p = expit(X @ beta)
        H = (X * (p * (1 - p))[:, None]).T @ X
        try:
            step = np.linalg.solve(H, X.T @ (d - p))
        except np.linalg.LinAlgError as err:
            raise CellProblem("the propensity score model is singular") from err
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    else:
        raise CellProblem("the propensity score model did not converge (perfect separation?)")
    return expit(X @ beta)


def _ols_controls(X: np.ndarray, dy: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS of dy on X among the comparison units; returns fitted values for all and the asymptotic linear rep."""
    c = ~d
    Xc = X[c]
    XtX = Xc.T @ Xc
    if np.linalg.cond(XtX) > 1 / np.finfo(float).eps:
        raise CellProblem("too few comparison units to fit the outcome regression")
    beta = np.linalg.solve(XtX, Xc.T @ dy[c])
    fitted = X @ beta
    n = len(dy)
    # asy.lin.rep.ols = (1 - D) (dy - X b) X (X'(1-D)X / n)^-1
    alr = (c * (dy - fitted))[:, None] * X @ np.linalg.inv(XtX / n)
    return fitted, alr


def _ps_alr(X: np.ndarray, d: np.ndarray, ps: np.ndarray) -> np.ndarray:
    """Asymptotic linear representation of the logit coefficients."""
    n = len(d)
    W = ps * (1 - ps)
    hess_inv = np.linalg.inv((X * W[:, None]).T @ X) * n
    return ((d - ps)[:, None] * X) @ hess_inv


def did_2x2_panel(dy: np.ndarray, d: np.ndarray, X: np.ndarray | None, method: Method) -> tuple[float, np.ndarray]:
    """ATT and influence function of a 2x2 panel DiD.

    Parameters
    ----------
    dy
        Outcome change (post minus base period) per unit.
    d
        Boolean, True for treated units (False = comparison).
    X
        Covariates including an intercept column, or None (unconditional DiD).
    method
        ``"dr"``, ``"ipw"`` or ``"reg"``.

    Examples
    --------
    >>> import numpy as np
    >>> att, psi = did_2x2_panel(np.array([1.0, 2.0, 0.0, 1.0]), np.array([True, True, False, False]), None, "dr")
    >>> att
    1.0
    """
    n = len(dy)
    n_t = d.sum()
    n_c = n - n_t
    if n_t == 0 or n_c == 0:
        raise CellProblem("no treated or no comparison units")
    if X is None or X.shape[1] == 1:
        # every method reduces to the difference of mean changes
        m1 = dy[d].mean()
        m0 = dy[~d].mean()
        psi = np.where(d, (dy - m1) * (n / n_t), -(dy - m0) * (n / n_c))
        return float(m1 - m0), psi
    dmask = d.astype(float)
    if method == "reg":
        fitted, alr = _ols_controls(X, dy, d)
        w_treat = dmask
        eta_t = np.mean(w_treat * dy) / w_treat.mean()
        eta_c = np.mean(w_treat * fitted) / w_treat.mean()
        inf_treat = (w_treat * dy - w_treat * eta_t) / w_treat.mean()
        M1 = (w_treat[:, None] * X).mean(axis=0)
        inf_cont = (w_treat * fitted - w_treat * eta_c + alr @ M1) / w_treat.mean()
        return float(eta_t - eta_c), inf_treat - inf_cont
    ps = _logit(X, dmask)
    if ps.max() >= 0.999:
        raise CellProblem("overlap is violated (a propensity score is at least 0.999)")
    ps = np.minimum(ps, 1 - 1e-6)
    alr_ps = _ps_alr(X, dmask, ps)
    if method == "ipw":
        trim = np.where(d, True, ps < _TRIM)
        w_treat = trim * dmask
        w_cont = trim * ps * (1 - dmask) / (1 - ps)
        eta_t = np.mean(w_treat * dy) / w_treat.mean()
        eta_c = np.mean(w_cont * dy) / w_cont.mean()
        inf_treat = (w_treat * dy - w_treat * eta_t) / w_treat.mean()
        M2 = ((w_cont * (dy - eta_c))[:, None] * X).mean(axis=0)
        inf_cont = (w_cont * dy - w_cont * eta_c + alr_ps @ M2) / w_cont.mean()
        return float(eta_t - eta_c), inf_treat - inf_cont
    # doubly robust (drdid_panel)
    fitted, alr = _ols_controls(X, dy, d)
    w_treat = dmask
    w_cont = ps * (1 - dmask) / (1 - ps)
    resid = dy - fitted
    eta_t = np.mean(w_treat * resid) / w_treat.mean()
    eta_c = np.mean(w_cont * resid) / w_cont.mean()
    M1 = (w_treat[:, None] * X).mean(axis=0)
    inf_treat = (w_treat * resid - w_treat * eta_t - alr @ M1) / w_treat.mean()
    M2 = ((w_cont * (resid - eta_c))[:, None] * X).mean(axis=0)
    M3 = (w_cont[:, None] * X).mean(axis=0)
    inf_cont = (w_cont * resid - w_cont * eta_c + alr_ps @ M2 - alr @ M3) / w_cont.mean()
    return float(eta_t - eta_c), inf_treat - inf_cont
