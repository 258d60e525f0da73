"""Exact two-way (unit and time) within transformation.

For a panel with units ``i`` and periods ``t`` (balanced or not), the residual
of a weighted regression of ``v`` on unit and time dummies is

``M v = (v - vbar_i) - (gamma_t - gammabar_i)``

where ``vbar_i`` is the unit mean of ``v``, ``gamma`` solves the T x T normal
equations ``A gamma = b`` of the time effects after the unit effects are
concentrated out (``A = D'W M_U D``, ``b = D'W M_U v``), and ``gammabar_i`` is
the unit mean of ``gamma_t``. It is exact in one pass (no iteration), on
unbalanced panels too; everything is ``np.bincount`` over the rows plus one
small T x T solve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = ["TwoWayDemeaner"]


@dataclass(frozen=True)
class TwoWayDemeaner:
    """Residual maker for unit and time fixed effects on one set of rows.

    Parameters
    ----------
    unit, time
        Integer codes ``0..n_units-1`` and ``0..n_times-1`` per row.
    weights
        Regression weights per row, or None.

    Examples
    --------
    >>> import numpy as np
    >>> unit = np.array([0, 0, 1, 1, 2]); time = np.array([0, 1, 0, 1, 1])
    >>> dm = TwoWayDemeaner.build(unit, time)
    >>> y = np.array([1.0, 2.0, 3.0, 5.0, 4.0])
    >>> np.round(dm.demean(y), 6).tolist()
    [0.25, -0.25, -0.25, 0.25, 0.0]
    """

    unit: np.ndarray
    time: np.ndarray
    n_units: int
    n_times: int
    unit_sum: sparse.csr_matrix  # n_units x N weighted incidence: row i sums unit i's rows
    time_sum: sparse.csr_matrix  # n_times x N
    P: np.ndarray | sparse.csr_matrix  # n_units x n_times, P[i, t] = w_it
    inv_unit_weight: np.ndarray
    a_pinv: np.ndarray

    @classmethod
    def build(cls, unit: np.ndarray, time: np.ndarray, weights: np.ndarray | None = None) -> "TwoWayDemeaner":
        unit = np.asarray(unit, dtype=np.intp)
        time = np.asarray(time, dtype=np.intp)
        N = unit.shape[0]
        n_units = int(unit.max()) + 1
        n_times = int(time.max()) + 1
        w = np.ones(N) if weights is None else np.asarray(weights, dtype=float)
        rows = np.arange(N)
        unit_sum = sparse.csr_matrix((w, (unit, rows)), shape=(n_units, N))
        time_sum = sparse.csr_matrix((w, (time, rows)), shape=(n_times, N))
        unit_weight = np.bincount(unit, weights=w, minlength=n_units)
        time_weight = np.bincount(time, weights=w, minlength=n_times)
        inv_uw = np.divide(1.0, unit_weight, out=np.zeros_like(unit_weight), where=unit_weight > 0)
        # A = diag(sum_i w_it) - P' diag(1 / W_i) P
        P: np.ndarray | sparse.csr_matrix
        if n_units * n_times <= 50_000_000:
            P = np.zeros((n_units, n_times))
            P[unit, time] = w
            A = np.diag(time_weight) - (P * inv_uw[:, None]).T @ P
        else:
            P = sparse.csr_matrix((w, (unit, time)), shape=(n_units, n_times))
            A = np.diag(time_weight) - (P.T @ sparse.diags(inv_uw) @ P).toarray()
        return cls(unit, time, n_units, n_times, unit_sum, time_sum, P, inv_uw,
                   np.linalg.pinv(A, rcond=1e-10, hermitian=True))

    def demean(self, v: np.ndarray) -> np.ndarray:
        """Residual of ``v`` (length N, or N x m) after unit and time fixed effects.

        Only the result and one gather buffer have N rows; the unit means, time
        effects and their unit means are small (units x m, periods x m).
        """
        v = np.asarray(v, dtype=float)
        if v.ndim == 1:
            return self.demean(v[:, None])[:, 0]
        V = np.ascontiguousarray(v)
        means = np.asarray(self.unit_sum @ V) * self.inv_unit_weight[:, None]  # units x m
        b = np.asarray(self.time_sum @ V) - np.asarray(self.P.T @ means)  # D'W M_U v
        gamma = self.a_pinv @ b  # periods x m
        gbar = np.asarray(self.P @ gamma) * self.inv_unit_weight[:, None]  # unit means of gamma_t
        out = V.copy()
        buf = np.empty_like(V)
        np.take(means - gbar, self.unit, axis=0, out=buf, mode="clip")
        out -= buf
        np.take(gamma, self.time, axis=0, out=buf, mode="clip")
        out -= buf
        return out

    def n_time_effects(self) -> int:
        """Rank of the time effects after the unit effects (T - 1 on a connected panel)."""
        s = np.linalg.svd(np.linalg.pinv(self.a_pinv, hermitian=True), compute_uv=False)
        return int((s > 1e-10 * max(s.max(), 1.0)).sum())
