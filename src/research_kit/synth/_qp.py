r"""Donor weights W and predictor weights V of Abadie, Diamond and Hainmueller (2010).

Inner problem (R ``Synth``: ``ipop`` in ``fn.V``): for a diagonal V,

.. math:: W(V) = \arg\min_{w \in \Delta} (X_1 - X_0 w)' V (X_1 - X_0 w),

solved exactly as a non-negative least-squares problem with the adding-up
constraint enforced by a heavily weighted extra row (Lawson–Hanson active set,
:func:`scipy.optimize.nnls`), then renormalised. The active-set solution is a
vertex of the solution set; interior-point solvers (R ``ipop``) return a point
near its centre when the solution is not unique (more donors than predictors
and the treated unit inside their hull).

Outer problem (R ``synth``): V minimises the pre-period outcome MSPE
:math:`\lVert Z_1 - Z_0 W(V) \rVert^2 / T` over the simplex, parametrised as
``V = |p| / sum|p|`` and searched with Nelder–Mead and BFGS from two starting
points — equal weights and the regression-based start of ``Synth`` — keeping
the best. Predictors are first scaled by their standard deviation across all
units (treated and donors), as ``Synth`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

__all__ = ["VFit", "fit_v", "regression_start", "scale_predictors", "simplex_least_squares"]


def simplex_least_squares(X0: np.ndarray, x1: np.ndarray, v: np.ndarray | None = None) -> np.ndarray:
    """Weights ``w >= 0, sum(w) = 1`` minimising ``(x1 - X0 w)' diag(v) (x1 - X0 w)``.

    ``X0`` is k x J (predictors x donors), ``x1`` has length k.
    """
    X0 = np.asarray(X0, dtype=float)
    x1 = np.asarray(x1, dtype=float)
    k, J = X0.shape
    sv = np.ones(k) if v is None else np.sqrt(np.clip(np.asarray(v, dtype=float), 0.0, None))
    # Homogenise: with sum(w) = 1, x1 - X0 w = (x1 1' - X0) w, so only differences to the target matter.
    C = sv[:, None] * (x1[:, None] - X0)
    scale = float(np.sqrt(np.mean(C * C))) if C.size else 1.0
    big = 1e4 * (scale if scale > 0 else 1.0)
    A = np.vstack([C, np.full((1, J), big)])
    b = np.zeros(k + 1)
    b[-1] = big
    w, _ = optimize.nnls(A, b, maxiter=50 * (J + k + 1))
    total = w.sum()
    if not np.isfinite(total) or total <= 0:
        return np.full(J, 1.0 / J)
    w = w / total
    w[w < 1e-12] = 0.0
    return w / w.sum()


def scale_predictors(X0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Divide each predictor by its standard deviation across donors and the treated unit (R ``Synth``)."""
    allx = np.column_stack([X0, x1])
    sd = allx.std(axis=1, ddof=1)
    sd = np.where(sd > 0, sd, 1.0)
    return X0 / sd[:, None], x1 / sd, sd


@dataclass(frozen=True)
class VFit:
    """Result of the nested optimisation."""

    v: np.ndarray  # predictor weights, sum to one
    w: np.ndarray  # donor weights
    loss: float  # pre-period outcome MSPE
    start: str  # which start won: "equal", "regression" or "custom"
    method: str  # which optimiser won


def _v_from(p: np.ndarray) -> np.ndarray:
    a = np.abs(np.asarray(p, dtype=float))
    s = a.sum()
    return a / s if s > 0 else np.full(a.size, 1.0 / a.size)


def _loss(p: np.ndarray, X0s: np.ndarray, x1s: np.ndarray, Z0: np.ndarray, z1: np.ndarray) -> float:
    w = simplex_least_squares(X0s, x1s, _v_from(p))
    r = z1 - Z0 @ w
    return float(r @ r) / z1.size


def regression_start(X0s: np.ndarray, x1s: np.ndarray, Z0: np.ndarray, z1: np.ndarray) -> np.ndarray | None:
    """``Synth``'s second start: squared coefficients of the outcomes regressed on the scaled predictors.

    Returns None when the regression is singular (more predictors than units, or collinear predictors).
    """
    Xall = np.column_stack([np.ones(X0s.shape[1] + 1), np.column_stack([x1s, X0s]).T])
    Zall = np.column_stack([z1, Z0])  # T x (J + 1)
    try:
        beta = np.linalg.solve(Xall.T @ Xall, Xall.T @ Zall.T)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(beta)):
        return None
    beta = beta[1:]
    sv = np.einsum("kt,kt->k", beta, beta)
    total = sv.sum()
    return sv / total if total > 0 else None


def _local(p0: np.ndarray, args: tuple, method: str, k: int, maxiter: int | None) -> optimize.OptimizeResult:
    """One local search with R ``optim``'s default iteration limits (500 for Nelder–Mead, 100 for BFGS)."""
    f0 = abs(_loss(p0, *args))
    if method == "Nelder-Mead":
        opts = {"maxiter": maxiter or 500, "xatol": 1e-6, "fatol": 1e-8 * max(f0, 1e-8), "adaptive": k > 4}
    else:
        opts = {"maxiter": maxiter or 100, "gtol": 1e-8 * max(f0, 1e-8)}
    return optimize.minimize(_loss, p0, args=args, method=method, options=opts)


def fit_v(
    X0s: np.ndarray,
    x1s: np.ndarray,
    Z0: np.ndarray,
    z1: np.ndarray,
    *,
    search: str = "global",
    seed: int | None = 0,
    maxiter: int | None = None,
) -> VFit:
    """Nested optimisation of the predictor weights V.

    ``X0s`` (k x J) and ``x1s`` (k) are the scaled predictors, ``Z0`` (T x J)
    and ``z1`` (T) the outcomes over the optimisation period. ``search="synth"``
    runs R ``Synth``'s search (Nelder–Mead and BFGS from the equal-weight and
    regression starts); ``"global"`` adds a differential-evolution search over
    V (seeded by ``seed``) polished by Nelder–Mead, and keeps the lowest loss.
    The loss is not convex in V and has many local minima; on the Proposition 99
    data the global search reaches the lower loss of Abadie et al.'s published
    weights, R ``Synth``'s search does not.
    """
    k = X0s.shape[0]
    args = (X0s, x1s, Z0, z1)
    if k == 1:
        w = simplex_least_squares(X0s, x1s)
        return VFit(v=np.ones(1), w=w, loss=_loss(np.ones(1), *args), start="single predictor", method="none")
    starts = {"equal": np.full(k, 1.0 / k)}
    reg = regression_start(X0s, x1s, Z0, z1)
    if reg is not None:
        starts["regression"] = reg
    candidates: list[tuple[float, np.ndarray, str, str]] = []
    for name, p0 in starts.items():
        for method in ("Nelder-Mead", "BFGS"):
            res = _local(p0, args, method, k, maxiter)
            candidates.append((float(res.fun), np.asarray(res.x), name, method))
    if search == "global":
        de = optimize.differential_evolution(_loss, [(0.0, 1.0)] * k, args=args, popsize=10, maxiter=60,
                                             tol=1e-8, polish=False, rng=np.random.default_rng(seed))
        res = _local(np.asarray(de.x), args, "Nelder-Mead", k, maxiter or 500 * k)
        candidates.append((float(res.fun), np.asarray(res.x), "differential evolution", "Nelder-Mead"))
    _, p, start, method = min(candidates, key=lambda c: c[0])
    v = _v_from(p)
    w = simplex_least_squares(X0s, x1s, v)
    r = z1 - Z0 @ w
    return VFit(v=v, w=w, loss=float(r @ r) / z1.size, start=start, method=method)
