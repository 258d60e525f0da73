"""Exact two-way (unit and time) within transformation.

For a panel with units ``i`` and periods ``t`` (balanced or not), the residual
of a weighted regression of ``v`` on unit and time dummies is

``M v = (v - vbar_i) - (gamma_t - gammabar_i)``

where ``vbar_i`` is the unit mean of ``v``, ``gamma`` solves the T x T normal
equations ``A gamma = b`` of the time effects after the unit effects are
concentrated out (``A = D'W M_U D``, ``b = D'W M_U v``), and ``gammabar_i`` is
the unit mean of ``gamma_t``. It is exact in one pass (no iteration), on
unbalanced panels too: unit and period sums of the rows plus one small T x T
solve. Only those sums touch the rows, so the same machinery gives the effects
of any regressor from its unit and period sums alone
(:meth:`TwoWayDemeaner.effects`), which is how sparse designs are demeaned
without materialising them (:mod:`research_kit.did._onehot`).

A panel stored as the full unit x period grid, sorted by unit then period (the
usual layout), is recognised and handled by reshaping (no gathers, no
``bincount``); any other row order or an unbalanced panel uses ``bincount``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

__all__ = ["TwoWayDemeaner", "is_grid"]

#: Up to this many unit x period cells the weight matrix ``P`` is stored dense.
_DENSE_CELLS = 50_000_000


class _Ones:
    """The units x periods matrix of ones (a full, unweighted grid) without storing it."""

    def __init__(self, n_rows: int, n_cols: int) -> None:
        self.shape = (n_rows, n_cols)

    @property
    def T(self) -> "_Ones":  # mirrors ndarray.T
        return _Ones(self.shape[1], self.shape[0])

    def __matmul__(self, other: Any) -> np.ndarray:
        other = np.asarray(other)
        total = other.sum(axis=0, keepdims=True)
        return np.broadcast_to(total, (self.shape[0],) + other.shape[1:]).copy()

    def sum(self, axis: int) -> np.ndarray:
        return np.full(self.shape[1 - axis], float(self.shape[axis]))

    def toarray(self) -> np.ndarray:
        return np.ones(self.shape)


@dataclass(frozen=True)
class TwoWayDemeaner:
    """Residual maker for unit and time fixed effects on one set of rows.

    Parameters
    ----------
    unit, time
        Integer codes ``0..n_units-1`` and ``0..n_times-1`` per row; each
        (unit, period) pair at most once (callers check it).
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

    unit_codes: np.ndarray | None  # None on a full grid until asked for (see ``unit``)
    time_codes: np.ndarray | None
    n_units: int
    n_times: int
    weights: np.ndarray | None
    grid: bool  # row r is unit r // n_times, period r % n_times (full grid, sorted)
    P: Any  # n_units x n_times weights P[i, t] = w_it: _Ones, ndarray or csr_matrix
    unit_weight: np.ndarray
    time_weight: np.ndarray
    inv_unit_weight: np.ndarray
    a_pinv: np.ndarray
    rank: int

    @property
    def unit(self) -> np.ndarray:
        """Unit code of every row (made on first use when the rows are a full grid)."""
        if self.unit_codes is None:
            object.__setattr__(self, "unit_codes", np.repeat(np.arange(self.n_units), self.n_times))
        return self.unit_codes

    @property
    def time(self) -> np.ndarray:
        """Period code of every row (made on first use when the rows are a full grid)."""
        if self.time_codes is None:
            object.__setattr__(self, "time_codes", np.tile(np.arange(self.n_times), self.n_units))
        return self.time_codes

    @classmethod
    def build(
        cls,
        unit: np.ndarray | None,
        time: np.ndarray | None,
        weights: np.ndarray | None = None,
        *,
        n_units: int | None = None,
        n_times: int | None = None,
        grid: bool | None = None,
    ) -> "TwoWayDemeaner":
        """Precompute everything that does not depend on the variable to demean.

        ``grid`` says whether the rows are the full unit x period grid sorted by
        unit then period (None: find out, one pass over the codes); on a grid the
        codes may be None (with ``n_units`` and ``n_times`` given).
        """
        if unit is None or time is None:
            if not grid or n_units is None or n_times is None:
                raise ValueError("unit and time codes can be left out only for a full grid of known size.")
            N = int(n_units) * int(n_times)
        else:
            unit = np.asarray(unit, dtype=np.intp)
            time = np.asarray(time, dtype=np.intp)
            N = unit.shape[0]
            n_units = int(unit.max()) + 1 if n_units is None else int(n_units)
            n_times = int(time.max()) + 1 if n_times is None else int(n_times)
        n_units, n_times = int(n_units), int(n_times)
        w = None if weights is None else np.asarray(weights, dtype=float)
        if grid is None:
            grid = is_grid(unit, time, n_units, n_times)
        if w is None and N == n_units * n_times:  # unique unit-periods (checked by the callers): balanced
            P: Any = _Ones(n_units, n_times)
        elif grid:
            P = w.reshape(n_units, n_times)
        elif n_units * n_times <= max(_DENSE_CELLS, 2 * N):
            P = np.zeros((n_units, n_times))
            P[unit, time] = 1.0 if w is None else w
        else:
            P = sparse.csr_matrix((np.ones(N) if w is None else w, (unit, time)), shape=(n_units, n_times))
        if isinstance(P, _Ones):
            unit_weight = np.full(n_units, float(n_times))
            time_weight = np.full(n_times, float(n_units))
        else:
            unit_weight = np.asarray(P.sum(axis=1)).ravel()
            time_weight = np.asarray(P.sum(axis=0)).ravel()
        inv_uw = np.divide(1.0, unit_weight, out=np.zeros_like(unit_weight), where=unit_weight > 0)
        # A = diag(sum_i w_it) - P' diag(1 / W_i) P
        if isinstance(P, _Ones):
            A = np.diag(time_weight) - n_units / n_times * np.ones((n_times, n_times))
        elif isinstance(P, np.ndarray):
            A = np.diag(time_weight) - (P * inv_uw[:, None]).T @ P
        else:
            A = np.diag(time_weight) - (P.T @ sparse.diags(inv_uw) @ P).toarray()
        s = np.abs(np.linalg.eigvalsh(A))
        rank = int((s > 1e-10 * max(s.max(initial=0.0), 1.0)).sum())
        return cls(unit, time, n_units, n_times, w, grid, P, unit_weight, time_weight, inv_uw,
                   np.linalg.pinv(A, rcond=1e-10, hermitian=True), rank)

    # ------------------------------------------------------------ row reductions
    def unit_sum(self, v: np.ndarray) -> np.ndarray:
        """Sums of the rows of ``v`` (N, or N x m) within units (no weights applied)."""
        if self.grid:
            return v.reshape((self.n_units, self.n_times) + v.shape[1:]).sum(axis=1)
        return _bincount_columns(self.unit, v, self.n_units)

    def time_sum(self, v: np.ndarray) -> np.ndarray:
        """Sums of the rows of ``v`` (N, or N x m) within periods (no weights applied)."""
        if self.grid:
            return v.reshape((self.n_units, self.n_times) + v.shape[1:]).sum(axis=0)
        return _bincount_columns(self.time, v, self.n_times)

    def weighted(self, v: np.ndarray) -> np.ndarray:
        """``w * v`` row by row (``v`` itself when unweighted)."""
        if self.weights is None:
            return v
        return v * (self.weights if v.ndim == 1 else self.weights[:, None])

    # ------------------------------------------------------------------ effects
    def effects(self, unit_sums: np.ndarray, time_sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit and period effects ``(a, c)`` of a variable from its weighted unit and period sums.

        ``unit_sums`` is ``sum_t w_it v_it`` (units x m), ``time_sums`` is
        ``sum_i w_it v_it`` (periods x m); the residual is ``v_it - a_i - c_t``.
        """
        if unit_sums.ndim == 1:
            a, c = self.effects(unit_sums[:, None], time_sums[:, None])
            return a[:, 0], c[:, 0]
        means = unit_sums * self.inv_unit_weight[:, None]
        gamma = self.a_pinv @ (time_sums - np.asarray(self.P.T @ means))
        gbar = np.asarray(self.P @ gamma) * self.inv_unit_weight[:, None]
        means -= gbar
        return means, gamma

    def subtract_effects(self, out: np.ndarray, a: np.ndarray, c: np.ndarray) -> np.ndarray:
        """``out -= a[unit] + c[time]`` in place (``out`` N or N x m; ``a``, ``c`` with m columns)."""
        if out.ndim == 1:
            a, c = a.reshape(-1), c.reshape(-1)
        if self.grid:
            view = out.reshape((self.n_units, self.n_times) + out.shape[1:])
            view -= a[:, None]
            view -= c[None, :]
            return out
        buf = np.take(a, self.unit, axis=0)
        out -= buf
        np.take(c, self.time, axis=0, out=buf)
        out -= buf
        return out

    def demean(self, v: np.ndarray) -> np.ndarray:
        """Residual of ``v`` (length N, or N x m) after unit and time fixed effects.

        Only the result and one gather buffer have N rows; the unit means, time
        effects and their unit means are small (units x m, periods x m).
        """
        v = np.asarray(v, dtype=float)
        if v.ndim == 1:
            return self.demean(v[:, None])[:, 0]
        wv = self.weighted(v)
        a, c = self.effects(self.unit_sum(wv), self.time_sum(wv))
        del wv
        return self.subtract_effects(np.array(v, order="C"), a, c)

    def n_time_effects(self) -> int:
        """Rank of the time effects after the unit effects (T - 1 on a connected panel)."""
        return self.rank


def is_grid(unit: np.ndarray, time: np.ndarray, n_units: int, n_times: int) -> bool:
    """True if row r holds unit r // n_times in period r % n_times (codes as in :class:`TwoWayDemeaner`)."""
    if len(unit) != n_units * n_times or len(time) != len(unit):
        return False
    if not np.array_equal(time[:n_times], np.arange(n_times)):
        return False
    if not (time.reshape(n_units, n_times) == np.arange(n_times)).all():
        return False
    return bool((unit.reshape(n_units, n_times) == np.arange(n_units)[:, None]).all())


def _bincount_columns(codes: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    if v.ndim == 1:
        return np.bincount(codes, weights=v, minlength=n)
    out = np.empty((n, v.shape[1]))
    for j in range(v.shape[1]):
        out[:, j] = np.bincount(codes, weights=v[:, j], minlength=n)
    return out

