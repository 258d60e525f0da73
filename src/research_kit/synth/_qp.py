r"""Donor weights W and predictor weights V of Abadie, Diamond and Hainmueller (2010).

Inner problem (R ``Synth``: ``ipop`` in ``fn.V``): for a diagonal V,

.. math:: W(V) = \arg\min_{w \in \Delta} (X_1 - X_0 w)' V (X_1 - X_0 w),

solved exactly by Wolfe's minimum-norm-point active-set algorithm, compiled and
warm-started from the previous V's support (:mod:`research_kit.synth._simplex`).
The earlier solver -- a non-negative least-squares problem with the adding-up
constraint enforced by a heavily weighted extra row (Lawson–Hanson,
:func:`scipy.optimize.nnls`), then renormalised -- stays as ``inner="nnls"``, the
reference of the tests and the benchmark; the two agree to about 1e-9 where
the solution is unique. Both return a vertex of the solution set; interior-point
solvers (R ``ipop``) return a point near its centre when the solution is not
unique (more donors than predictors and the treated unit inside their hull).

Outer problem (R ``synth``): V minimises the pre-period outcome MSPE
:math:`\lVert Z_1 - Z_0 W(V) \rVert^2 / T` over the simplex, parametrised as
``V = |p| / sum|p|`` and searched with Nelder–Mead and BFGS from two starting
points — equal weights and the regression-based start of ``Synth`` — keeping
the best. Predictors are first scaled by their standard deviation across all
units (treated and donors), as ``Synth`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize
from scipy.optimize._slsqplib import nnls as _nnls  # the solver behind scipy.optimize.nnls

from research_kit.synth._simplex import SimplexState
from research_kit.synth._vsearch import differential_evolution, nelder_mead

__all__ = ["Inner", "VFit", "fit_v", "regression_start", "scale_predictors", "simplex_least_squares"]

Inner = Literal["active_set", "nnls"]


def simplex_least_squares(X0: np.ndarray, x1: np.ndarray, v: np.ndarray | None = None, *,
                          inner: Inner = "active_set") -> np.ndarray:
    """Weights ``w >= 0, sum(w) = 1`` minimising ``(x1 - X0 w)' diag(v) (x1 - X0 w)``.

    ``X0`` is k x J (predictors x donors), ``x1`` has length k. ``inner="nnls"``
    uses the earlier Lawson--Hanson formulation (the reference).
    """
    X0 = np.asarray(X0, dtype=float)
    x1 = np.asarray(x1, dtype=float)
    if not (np.isfinite(X0).all() and np.isfinite(x1).all()):
        raise ValueError("array must not contain infs or NaNs")
    vv = None if v is None else np.asarray(v, dtype=float)
    if inner == "nnls":
        return _InnerW(X0, x1).solve(vv)
    return SimplexState(X0, x1).solve(vv, warm=False)


class _InnerW:
    """The inner problem for one (X0, x1), solved for many V with the set-up done once.

    Exactly the arithmetic of the original formulation (same numbers, bit for
    bit): homogenise -- with ``sum(w) = 1``, ``x1 - X0 w = (x1 1' - X0) w``, so
    only the differences to the target matter -- scale the rows by ``sqrt(v)``,
    append the adding-up row with a large weight and call the Lawson--Hanson
    solver directly (without the input checks of :func:`scipy.optimize.nnls`,
    done once here).
    """

    def __init__(self, X0: np.ndarray, x1: np.ndarray) -> None:
        self.D = x1[:, None] - X0
        self.k, self.J = X0.shape
        self.maxiter = 50 * (self.J + self.k + 1)

    def solve(self, v: np.ndarray | None) -> np.ndarray:
        k, J = self.k, self.J
        C = self.D if v is None else np.sqrt(np.maximum(v, 0.0))[:, None] * self.D
        scale = float(np.sqrt(np.add.reduce(C * C, axis=None) / C.size)) if C.size else 1.0
        big = 1e4 * (scale if scale > 0 else 1.0)
        A = np.empty((k + 1, J))
        A[:k] = C
        A[k] = big
        b = np.zeros(k + 1)
        b[-1] = big
        w, _, info = _nnls(A, b, self.maxiter)
        if info == 3:
            raise RuntimeError("Maximum number of iterations reached.")
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


_FD_STEP = float(np.sqrt(np.finfo(float).eps))  # BFGS's default absolute step (scipy ``_epsilon``)


class _Loss:
    """Pre-period outcome MSPE of W(V) as a function of the search parameters ``p`` (``V = |p| / sum|p|``).

    The inner problem's set-up is shared by every evaluation, and values are
    remembered (the local searches revisit their starting points). ``inner``
    chooses the solver: the compiled active set (warm-started from the previous
    evaluation's support) or the reference Lawson--Hanson formulation.
    """

    def __init__(self, X0s: np.ndarray, x1s: np.ndarray, Z0: np.ndarray, z1: np.ndarray,
                 inner: Inner = "active_set") -> None:
        X0s, x1s = np.asarray(X0s, dtype=float), np.asarray(x1s, dtype=float)
        self.kind = inner
        self.inner = _InnerW(X0s, x1s) if inner == "nnls" else None
        self.state = SimplexState(X0s, x1s) if inner != "nnls" else None
        self.Z0, self.z1 = Z0, z1
        self._Z0c = np.ascontiguousarray(Z0, dtype=float)
        self._z1c = np.ascontiguousarray(z1, dtype=float)
        self._seen: dict[bytes, float] = {}

    def weights(self, v: np.ndarray) -> np.ndarray:
        """W(V), solved afresh (independent of the evaluations before)."""
        if self.inner is not None:
            return self.inner.solve(v)
        assert self.state is not None
        return self.state.solve(v, warm=False)

    def forward_difference(self, x: np.ndarray) -> np.ndarray:
        """The gradient by forward differences, step for step what BFGS computes without ``jac``.

        ``scipy.optimize.approx_derivative(method="2-point", abs_step=sqrt(eps))``,
        as ``minimize(method="BFGS")`` calls it: the same points and the same
        arithmetic, without its per-call overhead (about 20 times the cost of a
        loss evaluation here).
        """
        x0 = np.asarray(x, dtype=float)
        f0 = self(x0)
        n = x0.size
        grad = np.empty(n)
        for i in range(n):
            h = _FD_STEP
            if (x0[i] + h) - x0[i] == 0:  # scipy's fallback to a relative step for huge |x|
                h = _FD_STEP * (1.0 if x0[i] >= 0 else -1.0) * max(1.0, abs(x0[i]))
            x1 = x0.copy()
            x1[i] = x0[i] + h
            grad[i] = (self(x1) - f0) / ((x0[i] + h) - x0[i])
        return grad

    def __call__(self, p: np.ndarray) -> float:
        p = np.asarray(p, dtype=float)
        key = p.tobytes()
        out = self._seen.get(key)
        if out is None and self.state is not None:
            out = self.state.loss(p if p.flags.c_contiguous else np.ascontiguousarray(p), self._Z0c, self._z1c)
            if len(self._seen) < 1_000_000:
                self._seen[key] = out
        elif out is None:
            assert self.inner is not None
            a = np.abs(p)
            s = a.sum()
            v = a / s if s > 0 else np.full(a.size, 1.0 / a.size)
            r = self.z1 - self.Z0 @ self.inner.solve(v)
            out = float(r @ r) / self.z1.size
            if len(self._seen) < 1_000_000:
                self._seen[key] = out
        return out


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


def _local(p0: np.ndarray, loss: _Loss, method: str, k: int, maxiter: int | None) -> optimize.OptimizeResult:
    """One local search with R ``optim``'s default iteration limits (500 for Nelder–Mead, 100 for BFGS)."""
    f0 = abs(loss(p0))
    if method == "Nelder-Mead":
        nm_iter, fatol = maxiter or 500, 1e-8 * max(f0, 1e-8)
        if loss.state is None:  # the reference
            return optimize.minimize(loss, p0, method=method,
                                     options={"maxiter": nm_iter, "xatol": 1e-6, "fatol": fatol, "adaptive": k > 4})
        x, f = nelder_mead(loss, loss.state, loss._Z0c, loss._z1c, p0, maxiter=nm_iter, xatol=1e-6, fatol=fatol,
                           adaptive=k > 4)
        return optimize.OptimizeResult(x=x, fun=f)
    opts = {"maxiter": maxiter or 100, "gtol": 1e-8 * max(f0, 1e-8)}
    if loss.kind == "nnls":  # the reference: scipy's own finite differences
        return optimize.minimize(loss, p0, method=method, options=opts)
    return optimize.minimize(loss, p0, method=method, jac=loss.forward_difference, options=opts)


def fit_v(
    X0s: np.ndarray,
    x1s: np.ndarray,
    Z0: np.ndarray,
    z1: np.ndarray,
    *,
    search: str = "global",
    seed: int | None = 0,
    maxiter: int | None = None,
    inner: Inner = "active_set",
) -> VFit:
    """Nested optimisation of the predictor weights V.

    ``X0s`` (k x J) and ``x1s`` (k) are the scaled predictors, ``Z0`` (T x J)
    and ``z1`` (T) the outcomes over the optimisation period. ``search="synth"``
    runs R ``Synth``'s search (Nelder–Mead and BFGS from the equal-weight and
    regression starts); ``"global"`` adds a differential-evolution search over
    V (seeded by ``seed``) polished by Nelder–Mead, and keeps the lowest loss.
    The loss is not convex in V and has many local minima; on the Proposition 99
    data the global search reaches the lower loss of Abadie et al.'s published
    weights, R ``Synth``'s search does not. ``inner`` chooses the inner solver
    (``"nnls"``: the earlier, slower formulation, kept as the reference).
    """
    k = X0s.shape[0]
    loss = _Loss(X0s, x1s, Z0, z1, inner)
    if k == 1:
        w = simplex_least_squares(X0s, x1s, inner=inner)
        return VFit(v=np.ones(1), w=w, loss=loss(np.ones(1)), start="single predictor", method="none")
    starts = {"equal": np.full(k, 1.0 / k)}
    reg = regression_start(X0s, x1s, Z0, z1)
    if reg is not None:
        starts["regression"] = reg
    candidates: list[tuple[float, np.ndarray, str, str]] = []
    for name, p0 in starts.items():
        for method in ("Nelder-Mead", "BFGS"):
            res = _local(p0, loss, method, k, maxiter)
            candidates.append((float(res.fun), np.asarray(res.x), name, method))
    if search == "global":
        if loss.state is None:  # the reference
            de_x = optimize.differential_evolution(loss, [(0.0, 1.0)] * k, popsize=10, maxiter=60, tol=1e-8,
                                                   polish=False, rng=np.random.default_rng(seed)).x
        else:  # the same search (same draws and arithmetic) without scipy's per-trial overhead
            de_x, _ = differential_evolution(loss, k, popsize=10, maxiter=60, tol=1e-8, rng=np.random.default_rng(seed))
        res = _local(np.asarray(de_x), loss, "Nelder-Mead", k, maxiter or 500 * k)
        candidates.append((float(res.fun), np.asarray(res.x), "differential evolution", "Nelder-Mead"))
    _, p, start, method = min(candidates, key=lambda c: c[0])
    v = _v_from(p)
    w = loss.weights(v)
    r = z1 - Z0 @ w
    return VFit(v=v, w=w, loss=float(r @ r) / z1.size, start=start, method=method)
