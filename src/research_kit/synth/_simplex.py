r"""Exact active-set solver of the inner problem of the synthetic control, compiled with numba.

For the homogenised predictor gaps ``D = x1 1' - X0`` (k x J) and predictor
weights V, the donor weights minimise

.. math:: \lVert \mathrm{diag}(\sqrt{v}) D w \rVert^2 \quad \text{s.t.}\quad w \ge 0,\ 1'w = 1,

the squared norm of the point of the convex hull of the columns
``c_j = sqrt(v) * D[:, j]`` nearest the origin. This is Wolfe's (1976) minimum-norm-point
algorithm: a *corral* S of affinely independent columns (at most k + 1), the
minimum of the norm over their affine hull by a Householder least-squares solve,
steps back into the simplex when that minimum leaves it, and a new column
``argmin_j <x, c_j>`` while one lies closer to the origin than the current point x
(the optimality condition of the problem: ``<x, c_j> >= <x, x>`` for every j).

Warm start. The outer search evaluates W(V) for many nearby V; the corral of the
previous V is the starting corral of the next, which usually makes the solve one
least-squares problem and one check. The optimum does not depend on the start
when it is unique. It is not unique when the treated unit lies inside the
donors' hull (a perfect fit): then the corral is rebuilt from the nearest single
donor (a cold start), so that the weights are a function of V alone and not of
the order of the evaluations.

``scipy.optimize.nnls`` with a heavily weighted adding-up row (the earlier
solver, kept in :mod:`research_kit.synth._qp` as the reference) solves the same
problem; its weights agree to about 1e-10 where the optimum is unique.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["SimplexState", "simplex_weights"]

_ALPHA_TOL = 1e-13  # affine weights at or below this leave the corral
_OPT_TOL = 1e-12  # relative optimality tolerance (Wolfe's Z1)
_ZERO_NORM = 1e-14  # relative squared norm taken as a perfect fit (non-unique weights)


@njit(cache=True)
def _affine_min(C: np.ndarray, S: np.ndarray, m: int, alpha: np.ndarray) -> bool:
    """Affine weights (summing to one) of the corral's point nearest the origin; False if degenerate."""
    k = C.shape[0]
    n = m - 1
    if n == 0:
        alpha[0] = 1.0
        return True
    if n > k:
        return False
    B = np.empty((k, n))
    r = np.empty(k)
    c0 = S[0]
    for i in range(k):
        r[i] = -C[i, c0]
        for j in range(n):
            B[i, j] = C[i, S[j + 1]] - C[i, c0]
    big = 0.0
    for j in range(n):
        nrm = 0.0
        for i in range(j, k):
            nrm += B[i, j] * B[i, j]
        nrm = np.sqrt(nrm)
        if nrm == 0.0:
            return False
        h = -nrm if B[j, j] > 0 else nrm  # the new diagonal entry
        B[j, j] -= h  # B[j:, j] is now the Householder vector u
        uu = 0.0
        for i in range(j, k):
            uu += B[i, j] * B[i, j]
        for col in range(j + 1, n):
            s = 0.0
            for i in range(j, k):
                s += B[i, j] * B[i, col]
            s = 2.0 * s / uu
            for i in range(j, k):
                B[i, col] -= s * B[i, j]
        s = 0.0
        for i in range(j, k):
            s += B[i, j] * r[i]
        s = 2.0 * s / uu
        for i in range(j, k):
            r[i] -= s * B[i, j]
        B[j, j] = h
        if abs(h) > big:
            big = abs(h)
    for j in range(n):
        if abs(B[j, j]) <= 1e-12 * big:
            return False
    total = 0.0
    for j in range(n - 1, -1, -1):
        s = r[j]
        for col in range(j + 1, n):
            s -= B[j, col] * alpha[col + 1]
        alpha[j + 1] = s / B[j, j]
        total += alpha[j + 1]
    alpha[0] = 1.0 - total
    return True


@njit(cache=True)
def _cold(C: np.ndarray, S: np.ndarray, w: np.ndarray) -> int:
    """Start from the donor nearest the origin."""
    k, J = C.shape
    best, jbest = np.inf, 0
    for j in range(J):
        s = 0.0
        for i in range(k):
            s += C[i, j] * C[i, j]
        if s < best:
            best, jbest = s, j
    w[:] = 0.0
    S[0] = jbest
    w[jbest] = 1.0
    return 1


@njit(cache=True)
def _max_sq_norm(C: np.ndarray) -> float:
    """The largest squared column norm of C (the scale of the tolerances)."""
    k, J = C.shape
    best = 0.0
    for j in range(J):
        s = 0.0
        for i in range(k):
            s += C[i, j] * C[i, j]
        if s > best:
            best = s
    return best


@njit(cache=True)
def _wolfe(C: np.ndarray, S: np.ndarray, m: int, w: np.ndarray, maxit: int) -> tuple[int, float]:
    """Wolfe's algorithm from the corral S[:m] (weights w, zero off S); returns the corral size and <x, x>."""
    k, J = C.shape
    alpha = np.empty(k + 2)
    x = np.empty(k)
    inS = np.zeros(J, dtype=np.bool_)
    for i in range(m):
        inS[S[i]] = True
    maxnorm = _max_sq_norm(C)
    added = -1
    xx = 0.0
    for _ in range(maxit):
        # minor cycle: the affine minimiser of the corral, stepped back into the simplex
        for _minor in range(k + 2):
            if not _affine_min(C, S, m, alpha):
                pos = -1
                if added >= 0:
                    for i in range(m):
                        if S[i] == added:
                            pos = i
                if pos < 0:
                    return -1, 0.0  # a degenerate corral not of our making: the caller restarts cold
                # the new column made the corral degenerate: leave it out, keep the last weights and stop
                for i in range(pos, m - 1):
                    S[i] = S[i + 1]
                m -= 1
                inS[added] = False
                w[added] = 0.0
                added = -2
                break
            positive = True
            for i in range(m):
                if alpha[i] <= _ALPHA_TOL:
                    positive = False
                    break
            if positive:
                for i in range(m):
                    w[S[i]] = alpha[i]
                break
            theta = 1.0
            for i in range(m):
                if alpha[i] <= _ALPHA_TOL:
                    wi = w[S[i]]
                    t = wi / (wi - alpha[i]) if wi - alpha[i] > 0 else 0.0
                    if t < theta:
                        theta = t
            for i in range(m):
                w[S[i]] = w[S[i]] + theta * (alpha[i] - w[S[i]])
            keep = 0
            for i in range(m):
                j = S[i]
                if w[j] > _ALPHA_TOL or (alpha[i] > _ALPHA_TOL and w[j] > 0.0):
                    S[keep] = j
                    keep += 1
                else:
                    w[j] = 0.0
                    inS[j] = False
            if keep == m:  # no column left (rounding): drop the smallest weight
                imin = 0
                for i in range(1, m):
                    if w[S[i]] < w[S[imin]]:
                        imin = i
                j = S[imin]
                w[j] = 0.0
                inS[j] = False
                for i in range(imin, m - 1):
                    S[i] = S[i + 1]
                keep = m - 1
            m = keep
            if m == 0:  # cannot happen for weights summing to one; guard the loop
                m = _cold(C, S, w)
                inS[:] = False
                inS[S[0]] = True
        # the current point and the optimality check
        for i in range(k):
            s = 0.0
            for q in range(m):
                s += C[i, S[q]] * w[S[q]]
            x[i] = s
        xx = 0.0
        for i in range(k):
            xx += x[i] * x[i]
        if added == -2:
            break
        if xx <= _ZERO_NORM * maxnorm or m >= k + 1:
            break
        gbest, jbest = np.inf, -1
        for j in range(J):
            if inS[j]:
                continue
            s = 0.0
            for i in range(k):
                s += x[i] * C[i, j]
            if s < gbest:
                gbest, jbest = s, j
        if jbest < 0 or xx - gbest <= _OPT_TOL * maxnorm:
            break
        S[m] = jbest
        inS[jbest] = True
        w[jbest] = 0.0
        m += 1
        added = jbest
    return m, xx


@njit(cache=True)
def _solve(D: np.ndarray, sv: np.ndarray, S: np.ndarray, m: int, w: np.ndarray) -> int:
    """Donor weights for row scales ``sv`` (= sqrt(v)) into ``w``; returns the new corral size (S updated)."""
    k, J = D.shape
    C = np.empty((k, J))
    for i in range(k):
        for j in range(J):
            C[i, j] = sv[i] * D[i, j]
    maxit = 50 * (J + k + 1)
    if m > 0:
        w[:] = 0.0
        for i in range(m):
            w[S[i]] = 1.0 / m
        m2, xx = _wolfe(C, S, m, w, maxit)
        if m2 > 0:
            if xx > _ZERO_NORM * _max_sq_norm(C):
                m = m2
                return _finish(w, m)
    m = _cold(C, S, w)
    m, _ = _wolfe(C, S, m, w, maxit)
    if m <= 0:  # a degenerate corral from the cold start (duplicate donors): weights of the nearest donor
        m = _cold(C, S, w)
    return _finish(w, m)


@njit(cache=True)
def _finish(w: np.ndarray, m: int) -> int:
    """Renormalise and zero weights below 1e-12, as the reference solver does."""
    total = w.sum()
    if not np.isfinite(total) or total <= 0:
        w[:] = 1.0 / w.size
        return 0
    w /= total
    for j in range(w.size):
        if w[j] < 1e-12:
            w[j] = 0.0
    w /= w.sum()
    return m


@njit(cache=True)
def _loss(D: np.ndarray, Z0: np.ndarray, z1: np.ndarray, p: np.ndarray, S: np.ndarray, mbox: np.ndarray,
          w: np.ndarray) -> float:
    """Pre-period outcome MSPE of W(V), V = |p| / sum|p| (equal weights if p is zero); corral size in mbox[0]."""
    k = p.size
    s = 0.0
    for i in range(k):
        s += abs(p[i])
    sv = np.empty(k)
    for i in range(k):
        sv[i] = np.sqrt(abs(p[i]) / s) if s > 0 else np.sqrt(1.0 / k)
    mbox[0] = _solve(D, sv, S, mbox[0], w)
    T, J = Z0.shape
    out = 0.0
    for t in range(T):
        r = z1[t]
        for j in range(J):
            r -= Z0[t, j] * w[j]
        out += r * r
    return out / T


class SimplexState:
    """The inner problem for one (X0, x1) with the corral carried from one V to the next."""

    def __init__(self, X0: np.ndarray, x1: np.ndarray) -> None:
        X0 = np.asarray(X0, dtype=float)
        x1 = np.asarray(x1, dtype=float)
        self.D = np.ascontiguousarray(x1[:, None] - X0)
        self.k, self.J = X0.shape
        self.S = np.zeros(self.k + 2, dtype=np.int64)
        self.mbox = np.zeros(1, dtype=np.int64)  # size of the corral carried to the next solve
        self.w = np.empty(self.J)

    def solve(self, v: np.ndarray | None, *, warm: bool = True) -> np.ndarray:
        """Donor weights for predictor weights ``v`` (None: equal)."""
        sv = np.ones(self.k) if v is None else np.sqrt(np.maximum(np.asarray(v, dtype=float), 0.0))
        w = np.empty(self.J)
        self.mbox[0] = _solve(self.D, sv, self.S, int(self.mbox[0]) if warm else 0, w)
        return w

    def loss(self, p: np.ndarray, Z0: np.ndarray, z1: np.ndarray) -> float:
        """Outcome MSPE over the rows of ``Z0``/``z1`` (C-contiguous floats) at search parameters ``p``."""
        return _loss(self.D, Z0, z1, p, self.S, self.mbox, self.w)


def simplex_weights(X0: np.ndarray, x1: np.ndarray, v: np.ndarray | None = None) -> np.ndarray:
    """Weights ``w >= 0, sum(w) = 1`` minimising ``(x1 - X0 w)' diag(v) (x1 - X0 w)`` (a cold solve)."""
    return SimplexState(X0, x1).solve(v, warm=False)
