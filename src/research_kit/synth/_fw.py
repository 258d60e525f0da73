r"""Frank–Wolfe solver for simplex weights, a port of R ``synthdid``'s ``sc.weight.fw``.

Solves

.. math:: \min_{x \in \Delta} \; \zeta^2 \lVert x \rVert^2 + \tfrac{1}{n} \lVert A x - b \rVert^2

over the unit simplex :math:`\Delta` with exact line search (R ``fw.step``),
stopping when one iteration lowers the objective by less than
``min_decrease**2`` or after ``max_iter`` iterations.

The R code evaluates ``A x`` afresh at every step; here ``A x`` and ``A'A x``
are updated incrementally (a Frank–Wolfe step moves ``x`` towards one vertex),
which gives the same iterates up to floating-point rounding. Many problems of
the same shape (the replications of a placebo or bootstrap standard error) are
solved together as one batch; each stops by its own criterion.

Reference: synth-inference/synthdid, ``R/solver.R`` (``fw.step``,
``sc.weight.fw``) and ``R/synthdid.R`` (``sparsify_function``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["sc_weight_fw", "sc_weight_fw_batch", "sparsify"]


def sparsify(v: np.ndarray) -> np.ndarray:
    """R ``sparsify_function``: zero weights at or below a quarter of the largest, renormalise (row-wise)."""
    v = np.asarray(v, dtype=float)
    top = v.max(axis=-1, keepdims=True)
    v = np.where(v <= top / 4.0, 0.0, v)
    return v / v.sum(axis=-1, keepdims=True)


@njit(cache=True)
def _fw_iterate(A, b, G, Atb, diagG, bb, x, Ax, Gx, zeta2, eta, thresh, max_iter, iters):  # noqa: ANN001, ANN202
    """The Frank–Wolfe iterations of every problem of the batch, in place (compiled; one problem at a time)."""
    n_problems, n, k = A.shape
    for p in range(n_problems):
        prev = np.inf
        t = 0
        while t < max_iter:
            t += 1
            i = 0
            best = np.inf
            hg_x = 0.0
            xx = 0.0
            xgx = 0.0
            for j in range(k):
                hg = Gx[p, j] - Atb[p, j] + eta * x[p, j]
                if hg < best or j == 0:
                    best = hg
                    i = j
                hg_x += hg * x[p, j]
                xx += x[p, j] * x[p, j]
                xgx += x[p, j] * Gx[p, j]
            xi = x[p, i]
            num = hg_x - best
            d_err2 = diagG[p, i] - 2.0 * Gx[p, i] + xgx
            d_x2 = 1.0 - 2.0 * xi + xx
            den = d_err2 + eta * d_x2
            step = num / den if den > 0 else 0.0
            step = min(max(step, 0.0), 1.0)
            if xi == 1.0 and d_x2 <= 0.0:  # R: x is already the vertex e_i (d.x == 0)
                step = 0.0
            keep = 1.0 - step
            xx = 0.0
            for j in range(k):
                x[p, j] *= keep
            x[p, i] += step
            for j in range(k):
                xx += x[p, j] * x[p, j]
                Gx[p, j] = keep * Gx[p, j] + step * G[p, j, i]
            err2 = 0.0
            for r in range(n):
                a = keep * Ax[p, r] + step * A[p, r, i]
                Ax[p, r] = a
                err2 += a * a - 2.0 * a * b[p, r]
            val = zeta2 * xx + (err2 + bb[p]) / n
            iters[p] = t
            if t >= 2 and not (prev - val > thresh):
                break
            prev = val


def sc_weight_fw_batch(
    Y: np.ndarray,
    zeta: float,
    *,
    intercept: bool = True,
    init: np.ndarray | None = None,
    min_decrease: float = 1e-3,
    max_iter: int = 1000,
) -> tuple[np.ndarray, np.ndarray]:
    """Frank–Wolfe weights for a batch of problems ``Y`` (B x n x (k + 1)).

    In each problem the first ``k`` columns are the regressors ``A`` and the
    last column is the target ``b``; with ``intercept`` every column is centred
    first (R ``apply(Y, 2, function(col) col - mean(col))``). Returns the
    weights (B x k) and the iterations each problem took (B).
    """
    Y = np.asarray(Y, dtype=float)
    B, n, k1 = Y.shape
    k = k1 - 1
    if intercept:
        Y = Y - Y.mean(axis=1, keepdims=True)
    A = Y[:, :, :k]
    b = Y[:, :, k]
    x = np.full((B, k), 1.0 / k) if init is None else np.array(init, dtype=float, copy=True).reshape(B, k)
    zeta2 = float(zeta) ** 2
    eta = n * zeta2
    G = np.einsum("bni,bnj->bij", A, A)
    Atb = np.einsum("bni,bn->bi", A, b)
    diagG = np.einsum("bii->bi", G).copy()
    bb = np.einsum("bn,bn->b", b, b)
    Ax = np.einsum("bni,bi->bn", A, x)
    Gx = np.einsum("bij,bj->bi", G, x)
    iters = np.zeros(B, dtype=np.int64)
    _fw_iterate(np.ascontiguousarray(A), np.ascontiguousarray(b), np.ascontiguousarray(G), Atb, diagG, bb, x,
                np.ascontiguousarray(Ax), Gx, zeta2, eta, float(min_decrease) ** 2, int(max_iter), iters)
    return x, iters


def sc_weight_fw(
    Y: np.ndarray,
    zeta: float,
    *,
    intercept: bool = True,
    init: np.ndarray | None = None,
    min_decrease: float = 1e-3,
    max_iter: int = 1000,
) -> tuple[np.ndarray, int]:
    """Frank–Wolfe weights for one problem ``Y`` (n x (k + 1)); see :func:`sc_weight_fw_batch`.

    Same iterates as the batch solver, written for a single problem (less
    array overhead). Returns the weights and the number of iterations.
    """
    Y = np.asarray(Y, dtype=float)
    n, k1 = Y.shape
    k = k1 - 1
    if intercept:
        Y = Y - Y.mean(axis=0, keepdims=True)
    A = Y[:, :k]
    b = Y[:, k]
    x = np.full(k, 1.0 / k) if init is None else np.array(init, dtype=float, copy=True)
    zeta2 = float(zeta) ** 2
    eta = n * zeta2
    G = A.T @ A
    Atb = A.T @ b
    diagG = np.diag(G).copy()
    Ax = A @ x
    Gx = G @ x
    bb = float(b @ b)
    thresh = float(min_decrease) ** 2
    prev = np.inf
    t = 0
    while t < max_iter:
        t += 1
        half_grad = Gx - Atb + eta * x
        i = int(np.argmin(half_grad))
        xi = float(x[i])
        xx = float(x @ x)
        d_x2 = 1.0 - 2.0 * xi + xx
        num = float(half_grad @ x) - float(half_grad[i])
        den = diagG[i] - 2.0 * Gx[i] + float(x @ Gx) + eta * d_x2
        step = num / den if den > 0 else 0.0
        step = min(1.0, max(0.0, step))
        if xi == 1.0 and d_x2 <= 0.0:
            step = 0.0
        keep = 1.0 - step
        x = keep * x
        x[i] += step
        Ax = keep * Ax + step * A[:, i]
        Gx = keep * Gx + step * G[:, i]
        val = zeta2 * float(x @ x) + (float(Ax @ Ax) - 2.0 * float(Ax @ b) + bb) / n
        if t >= 2 and not (prev - val > thresh):
            break
        prev = val
    return x, t
