"""Least squares with unit and time effects on dummy designs that are never materialised.

Event-time dummies (and cohort x event-time dummies) have at most one non-zero
per row. Stored densely, k of them over N rows cost ``8 N k`` bytes and their
two-way demeaning a second copy of that; here they cost one integer per row
(:class:`OneHotDesign`) or nothing per row at all (:class:`CellDesign`, when the
column depends only on a unit's group -- its cohort -- and the period).

With ``M`` the weighted residual maker of the unit and time effects,
``X~ = M X = X - a[unit] - c[time]``, where ``(a, c)`` come from the unit and
period sums of ``w X`` alone (:meth:`TwoWayDemeaner.effects`), and because
``M' W M = W M``:

* ``X~' W X~ = X' W X~ = diag(sum w v^2) - U' a - S' c`` (``U``, ``S`` the unit and
  period sums of ``w X``);
* ``X~' W y~ = X' W y - a' U_y - c' S_y``;
* residuals ``e = y - X b - (a_y - a b)[unit] - (c_y - c b)[time]``;
* cluster sums of the scores ``x~_r w_r e_r`` need the cluster sums of ``w e x``, the
  unit sums of ``w e`` (clusters constant within units) and the cluster x period
  sums of ``w e``.

Everything is exact (the same numbers as demeaning the dense matrix), in a few
passes over the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
from scipy import sparse

from research_kit.tabular.within import TwoWayDemeaner, _bincount_columns

__all__ = ["CellDesign", "CellFit", "OneHotDesign", "OneHotFit", "fit_onehot"]


@dataclass(frozen=True)
class OneHotDesign:
    """Regressors with at most one non-zero per row.

    Row ``r`` has ``values[r]`` (1 when ``values`` is None) in column
    ``codes[r]``; ``codes[r] = -1`` is a row of zeros.

    Examples
    --------
    >>> d = OneHotDesign(np.array([-1, 0, 1, 1]), 2)
    >>> d.dense().tolist()
    [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]
    """

    codes: np.ndarray  # per row: column index, -1 = none
    n_columns: int
    values: np.ndarray | None = None

    def dense(self) -> np.ndarray:
        """The N x k matrix (for small problems and fallbacks)."""
        X = np.zeros((len(self.codes), self.n_columns))
        rows = np.flatnonzero(self.codes >= 0)
        X[rows, self.codes[rows]] = 1.0 if self.values is None else self.values[rows]
        return X

    def sums(self, codes: np.ndarray, jj: np.ndarray, n_groups: int, weights: np.ndarray | None) -> np.ndarray:
        """``sum_{r in group} weights_r x_r`` for row groups ``codes`` (n_groups x k), one ``bincount``."""
        k1 = self.n_columns + 1
        key = codes * k1
        key += jj
        out = np.bincount(key, weights=_times(weights, self.values), minlength=n_groups * k1)
        return out.reshape(n_groups, k1)[:, 1:]


@dataclass(frozen=True)
class CellDesign:
    """Dummies whose column depends only on the unit's group and the period.

    Row ``r`` of unit ``i`` in period ``t`` has a one in column
    ``table[group[i], t]`` (-1 = none): event-time dummies with ``group`` the
    cohort. Nothing is stored per row.

    Examples
    --------
    >>> d = CellDesign(np.array([0, 1]), np.array([[-1, -1], [-1, 0]]), 1)
    >>> d.rows(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])).codes.tolist()
    [-1, -1, -1, 0]
    """

    group: np.ndarray  # per unit
    table: np.ndarray  # n_groups x n_times column codes, -1 = none
    n_columns: int
    values: None = None

    def rows(self, unit: np.ndarray, time: np.ndarray) -> OneHotDesign:
        """The same design as one code per row."""
        codes = np.take(self.group, unit)
        codes *= self.table.shape[1]
        codes += time
        return OneHotDesign(np.take(self.table.ravel(), codes, out=codes), self.n_columns)

    def onehot(self) -> np.ndarray:
        """n_groups x n_times x k indicator array of the table."""
        return (self.table[:, :, None] == np.arange(self.n_columns)).astype(float)


def _times(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return b
    return a if b is None else a * b


def _group_sum(v: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Rows of ``v`` (n_rows x m) summed within ``codes``."""
    if n == len(codes) and np.array_equal(codes, np.arange(n)):
        return v
    return _bincount_columns(codes, v, n)


@dataclass(frozen=True)
class OneHotFit:
    """Normal equations, residuals and clustered scores of a :class:`OneHotDesign` regression."""

    dm: TwoWayDemeaner
    design: OneHotDesign
    jj: np.ndarray  # codes + 1 (bin 0 = rows of zeros)
    xwx: np.ndarray  # X~' W X~
    xwy: np.ndarray  # X~' W y
    a_x: np.ndarray  # units x k
    c_x: np.ndarray  # periods x k
    a_y: np.ndarray
    c_y: np.ndarray
    x_scale: float  # root mean square of the raw regressors

    @classmethod
    def build(cls, dm: TwoWayDemeaner, design: OneHotDesign, y: np.ndarray) -> OneHotFit:
        jj = np.add(design.codes, 1, dtype=np.intp)
        w, v, k1 = dm.weights, design.values, design.n_columns + 1
        U = design.sums(dm.unit, jj, dm.n_units, w)
        S = design.sums(dm.time, jj, dm.n_times, w)
        a_x, c_x = dm.effects(U, S)
        diag = np.bincount(jj, weights=_times(w, None if v is None else v * v), minlength=k1)[1:]
        xwx = np.diag(diag) - U.T @ a_x - S.T @ c_x
        del U, S
        wy = dm.weighted(y)
        Uy, Sy = dm.unit_sum(wy), dm.time_sum(wy)
        a_y, c_y = dm.effects(Uy, Sy)
        xwy = np.bincount(jj, weights=wy if v is None else wy * v, minlength=k1)[1:] - a_x.T @ Uy - c_x.T @ Sy
        v2 = np.bincount(jj, weights=None if v is None else v * v, minlength=k1)[1:].sum()
        return cls(dm, design, jj, (xwx + xwx.T) / 2, xwy, a_x, c_x, a_y, c_y, float(np.sqrt(v2 / len(y))))

    def residuals(self, y: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """``y~ - X~ coef`` for all N rows."""
        e = np.array(y, dtype=float)
        fitted = np.r_[0.0, coef][self.jj]
        if self.design.values is not None:
            fitted *= self.design.values
        e -= fitted
        del fitted
        return self.dm.subtract_effects(e, self.a_y - self.a_x @ coef, self.c_y - self.c_x @ coef)

    def score_sums(self, we: np.ndarray, cluster: np.ndarray, n_clusters: int,
                   unit_cluster: np.ndarray | None) -> np.ndarray:
        """Cluster sums of the scores ``x~_r w_r e_r`` (n_clusters x k); ``we = w * e``.

        ``unit_cluster`` is the cluster of each unit when the clusters are
        constant within units (the unit sums of ``we`` then carry the unit-effect
        part), else None.
        """
        dm, k = self.dm, self.design.n_columns
        S = self.design.sums(cluster, self.jj, n_clusters, we)
        if unit_cluster is not None:
            S -= _group_sum(self.a_x * dm.unit_sum(we)[:, None], unit_cluster, n_clusters)
            if dm.grid:
                S -= _group_sum(we.reshape(dm.n_units, dm.n_times) @ self.c_x, unit_cluster, n_clusters)
                return S
        else:
            for j in range(k):
                S[:, j] -= np.bincount(cluster, weights=we * self.a_x[dm.unit, j], minlength=n_clusters)
        if n_clusters * dm.n_times <= 4 * len(we) + 1024:
            key = cluster * dm.n_times
            key += dm.time
            E = np.bincount(key, weights=we, minlength=n_clusters * dm.n_times)
            S -= E.reshape(n_clusters, dm.n_times) @ self.c_x
        else:
            for j in range(k):
                S[:, j] -= np.bincount(cluster, weights=we * self.c_x[dm.time, j], minlength=n_clusters)
        return S


@dataclass(frozen=True)
class CellFit:
    """:class:`OneHotFit` for a :class:`CellDesign` on a full unweighted grid, from group x period sums.

    Every unit of a group has the same dummies in every period, so the unit
    effects of the dummies are one row per group and ``X' y`` needs only the
    group x period sums of ``y``. Clusters that cut across units fall back to
    the row-code fit.
    """

    dm: TwoWayDemeaner
    design: CellDesign
    onehot: np.ndarray  # groups x periods x k
    xwx: np.ndarray
    xwy: np.ndarray
    a_group: np.ndarray  # groups x k: unit effects of the dummies by group
    c_x: np.ndarray
    a_y: np.ndarray
    c_y: np.ndarray
    x_scale: float
    y: np.ndarray = field(repr=False)

    @classmethod
    def build(cls, dm: TwoWayDemeaner, design: CellDesign, y: np.ndarray) -> CellFit:
        n, T = dm.n_units, dm.n_times
        group = design.group
        n_groups = design.table.shape[0]
        OH = design.onehot()
        H = OH.sum(axis=1)  # groups x k: dummies summed over a unit's periods
        m = np.bincount(group, minlength=n_groups).astype(float)
        S = np.einsum("g,gtk->tk", m, OH)
        means = H / T
        gamma = dm.a_pinv @ (S - m @ means)
        a_group = means - gamma.sum(axis=0) / T
        diag = m @ H
        xwx = np.diag(diag) - (H * m[:, None]).T @ a_group - S.T @ gamma
        Y = y.reshape(n, T)
        Uy, Sy = Y.sum(axis=1), Y.sum(axis=0)
        a_y, c_y = dm.effects(Uy, Sy)
        Yg = _rows_by_group(Y, group, n_groups)  # groups x periods
        xwy = np.einsum("gt,gtk->k", Yg, OH) - a_group.T @ Yg.sum(axis=1) - gamma.T @ Sy
        x_scale = float(np.sqrt(diag.sum() / y.size))
        return cls(dm, design, OH, (xwx + xwx.T) / 2, xwy, a_group, gamma, a_y, c_y, x_scale, y)

    def residuals(self, y: np.ndarray, coef: np.ndarray) -> np.ndarray:
        dm = self.dm
        fitted = self.onehot @ coef  # groups x periods
        fitted -= (self.a_group @ coef)[:, None]
        e = np.take(fitted, self.design.group, axis=0).reshape(-1)
        np.subtract(y, e, out=e)
        return dm.subtract_effects(e, self.a_y, self.c_y - self.c_x @ coef)

    def score_sums(self, we: np.ndarray, cluster: np.ndarray | None, n_clusters: int,
                   unit_cluster: np.ndarray | None) -> np.ndarray:
        """As :meth:`OneHotFit.score_sums`; ``cluster`` (per row) is not used when ``unit_cluster`` is given."""
        if unit_cluster is None:
            return self.rows().score_sums(we, cast(np.ndarray, cluster), n_clusters, None)  # given without unit_cluster
        dm, group = self.dm, self.design.group
        n_groups = self.onehot.shape[0]
        E = we.reshape(dm.n_units, dm.n_times)
        if n_clusters * n_groups <= dm.n_units // 4:
            # few clusters: cluster x group x period sums of we carry everything
            z = unit_cluster * n_groups
            z += group
            Ez = _rows_by_group(E, z, n_clusters * n_groups).reshape(n_clusters, n_groups, dm.n_times)
            return (np.einsum("cgt,gtk->ck", Ez, self.onehot) - Ez.sum(axis=2) @ self.a_group
                    - Ez.sum(axis=1) @ self.c_x)
        per_unit = E @ self.c_x  # periods part, units x k
        np.negative(per_unit, out=per_unit)
        per_unit -= self.a_group[group] * E.sum(axis=1)[:, None]
        for g in range(n_groups):
            idx = np.flatnonzero(group == g)
            if idx.size and self.onehot[g].any():
                per_unit[idx] += E[idx] @ self.onehot[g]
        return _group_sum(per_unit, unit_cluster, n_clusters)

    def rows(self) -> OneHotFit:
        """The equivalent row-code fit (for clusters that are not constant within units)."""
        dm = self.dm
        design = self.design.rows(dm.unit, dm.time)
        return OneHotFit(dm, design, np.add(design.codes, 1, dtype=np.intp), self.xwx, self.xwy,
                         self.a_group[self.design.group], self.c_x, self.a_y, self.c_y, self.x_scale)


def _rows_by_group(Y: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of the rows of ``Y`` (units x periods) within unit groups (groups x periods)."""
    n = len(group)
    ind = sparse.csr_matrix((np.ones(n), group, np.arange(n + 1)), shape=(n, n_groups)).T.tocsr()
    return np.asarray(ind @ Y)


def fit_onehot(dm: TwoWayDemeaner, design: OneHotDesign | CellDesign, y: np.ndarray) -> OneHotFit | CellFit:
    """The fastest exact fit for this design and layout."""
    if isinstance(design, CellDesign):
        if dm.grid and dm.weights is None:
            return CellFit.build(dm, design, y)
        design = design.rows(dm.unit, dm.time)
    return OneHotFit.build(dm, design, y)


@dataclass(frozen=True)
class MaskedCellFit:
    """:class:`CellFit` on the unit x period grid with 0/1 (or positive) cell weights.

    An unbalanced panel in any row order is placed on the full grid once (its
    missing cells get weight 0 and outcome 0); every sum is then a reshape, as on
    a balanced panel. The unit effects of the dummies differ by unit (they depend
    on which periods the unit is observed in), so they are kept per unit
    (units x k). Needs clusters constant within units (callers check).
    """

    dm: TwoWayDemeaner
    design: CellDesign
    onehot: np.ndarray  # groups x periods x k
    xwx: np.ndarray
    xwy: np.ndarray
    a_x: np.ndarray  # units x k
    c_x: np.ndarray  # periods x k
    a_y: np.ndarray
    c_y: np.ndarray
    x_scale: float

    @classmethod
    def build(cls, dm: TwoWayDemeaner, design: CellDesign, y: np.ndarray, n_obs: int) -> MaskedCellFit:
        from research_kit.did._cellsums import weighted_cell_sums

        n, T = dm.n_units, dm.n_times
        OH = design.onehot()
        W = np.ascontiguousarray(dm.P, dtype=float)  # units x periods weights (0 = missing cell)
        # one pass over the grid: U (units x k: sum_t w_it x_it), group x period sums of w and w y, sums of w y
        U, Wg, WYg, Uy, Sy = weighted_cell_sums(W, y.reshape(n, T), design.group, design.table, design.n_columns)
        S = np.einsum("gt,gtk->tk", Wg, OH)
        a_x, c_x = dm.effects(U, S)
        diag = S.sum(axis=0)
        xwx = np.diag(diag) - U.T @ a_x - S.T @ c_x
        del U
        a_y, c_y = dm.effects(Uy, Sy)
        xwy = np.einsum("gt,gtk->k", WYg, OH) - a_x.T @ Uy - c_x.T @ Sy
        return cls(dm, design, OH, (xwx + xwx.T) / 2, xwy, a_x, c_x, a_y, c_y,
                   float(np.sqrt(diag.sum() / max(n_obs, 1))))

    def residuals(self, y: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """``y~ - X~ coef`` on every cell of the grid (the missing cells are weighted 0 afterwards)."""
        dm = self.dm
        fitted = self.onehot @ coef  # groups x periods
        e = np.take(fitted, self.design.group, axis=0).reshape(-1)
        np.subtract(y, e, out=e)
        return dm.subtract_effects(e, self.a_y - self.a_x @ coef, self.c_y - self.c_x @ coef)

    def cluster_scores(self, y: np.ndarray, coef: np.ndarray, unit_cluster: np.ndarray, n_clusters: int) -> np.ndarray:
        """Cluster sums of the scores at ``coef`` (clusters constant within units), in one pass over the grid.

        The same numbers as ``score_sums(dm.weighted(residuals(y, coef)), None, n_clusters, unit_cluster)``
        without the grid-sized residual array.
        """
        from research_kit.did._cellsums import cluster_score_sums

        dm, design = self.dm, self.design
        W = np.ascontiguousarray(dm.P, dtype=float)
        return cluster_score_sums(W, y.reshape(dm.n_units, dm.n_times), design.group, design.table,
                                  self.onehot @ coef, self.a_y - self.a_x @ coef, self.c_y - self.c_x @ coef,
                                  self.a_x, self.c_x, np.asarray(unit_cluster, dtype=np.intp), int(n_clusters))

    def score_sums(self, we: np.ndarray, cluster: np.ndarray | None, n_clusters: int,
                   unit_cluster: np.ndarray | None) -> np.ndarray:
        """Cluster sums of the scores; ``unit_cluster`` (the cluster of each unit) is required."""
        if unit_cluster is None:
            raise ValueError("MaskedCellFit needs clusters that are constant within units.")
        E = we.reshape(self.dm.n_units, self.dm.n_times)
        per_unit = _per_group_product(E, self.design.group, self.onehot)
        per_unit -= self.a_x * E.sum(axis=1)[:, None]
        per_unit -= E @ self.c_x
        return _group_sum(per_unit, unit_cluster, n_clusters)


def _per_group_product(E: np.ndarray, group: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    """Row i of the result is ``E[i] @ onehot[group[i]]`` (units x k)."""
    out = np.zeros((E.shape[0], onehot.shape[2]))
    for g in range(onehot.shape[0]):
        if not onehot[g].any():
            continue
        idx = np.flatnonzero(group == g)
        if idx.size:
            out[idx] = E[idx] @ onehot[g]
    return out
