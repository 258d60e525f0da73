"""Influence-function matrices that are affine in each unit's outcome row, by group.

Without covariates, the influence function of every Callaway--Sant'Anna cell
(and of every aggregate of cells) for unit ``i`` of cohort ``g`` is

``psi_i = (y_i - ybar_g) B_g + a_g``

with ``y_i`` the unit's outcome row, ``ybar_g`` its cohort mean, and ``B_g``
(periods x columns), ``a_g`` (columns) the same for the whole cohort. Storing
``B`` and ``a`` instead of the n x columns matrix makes aggregation a product of
small matrices, and the variances need only the cohorts' centred cross-products
``sum_i (y_i - ybar_g)' (y_i - ybar_g)`` (periods x periods), computed once:

* ``sum_i psi_i' psi_i = sum_g B_g' C_g B_g + n_g a_g' a_g``;
* cluster sums ``sum_{i in c} psi_i = sum_g (sum_{i in c, g} (y_i - ybar_g)) B_g + n_cg a_g``.

``np.asarray`` materialises the matrix when a caller needs it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

__all__ = ["GroupAffineInfluence", "group_sums"]


def group_sums(Y: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of the rows of ``Y`` within ``codes`` (n_groups x columns), one sparse product."""
    n = len(codes)
    ind = sparse.csr_matrix((np.ones(n), codes, np.arange(n + 1)), shape=(n, n_groups)).T.tocsr()
    return np.asarray(ind @ Y)


class _Moments:
    """Per-group counts, means and centred cross-products of the data block (shared, computed once)."""

    def __init__(self, Y: np.ndarray, codes: np.ndarray, n_groups: int) -> None:
        self.Y, self.codes, self.n_groups = Y, codes, n_groups
        self.counts = np.bincount(codes, minlength=n_groups).astype(float)
        self.means = group_sums(Y, codes, n_groups) / np.maximum(self.counts, 1.0)[:, None]
        self._cross: np.ndarray | None = None
        self._rows: list[np.ndarray] | None = None
        self._cluster: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def rows(self) -> list[np.ndarray]:
        if self._rows is None:
            order = np.argsort(self.codes, kind="stable")
            bounds = np.searchsorted(self.codes[order], np.arange(self.n_groups + 1))
            self._rows = [order[bounds[g]:bounds[g + 1]] for g in range(self.n_groups)]
        return self._rows

    def centred(self, g: int) -> np.ndarray:
        block = self.Y[self.rows()[g]]
        block -= self.means[g]
        return block

    def cross(self) -> np.ndarray:
        """Groups x p x p centred cross-products."""
        if self._cross is None:
            p = self.Y.shape[1]
            out = np.zeros((self.n_groups, p, p))
            for g in range(self.n_groups):
                D = self.centred(g)
                out[g] = D.T @ D
            self._cross = out
        return self._cross

    def by_cluster(self, cluster: np.ndarray, n_clusters: int) -> tuple[np.ndarray, np.ndarray]:
        """Centred sums (clusters x groups x p) and counts (clusters x groups) of the rows."""
        key = id(cluster)
        if key not in self._cluster:
            z = cluster.astype(np.intp) * self.n_groups + self.codes
            size = n_clusters * self.n_groups
            sums = group_sums(self.Y, z, size).reshape(n_clusters, self.n_groups, -1)
            counts = np.bincount(z, minlength=size).reshape(n_clusters, self.n_groups).astype(float)
            sums -= counts[:, :, None] * self.means[None, :, :]
            self._cluster[key] = (sums, counts)
        return self._cluster[key]


class GroupAffineInfluence:
    """An n x m influence-function matrix with rows ``(y_i - ybar_g) B_g + a_g``.

    Supports ``inf @ A`` (A of m rows), ``inf[:, columns]``, :meth:`gram`,
    :meth:`column_sumsq`, :meth:`cluster_totals` and ``np.asarray(inf)``.

    Examples
    --------
    >>> Y = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, 1.0]])
    >>> B = np.array([[[-1.0], [1.0]], [[1.0], [-1.0]]]); a = np.zeros((2, 1))
    >>> inf = GroupAffineInfluence.from_data(Y, np.array([0, 0, 1]), 2, B, a)
    >>> np.asarray(inf).ravel().tolist()
    [-0.5, 0.5, 0.0]
    """

    def __init__(self, moments: _Moments, B: np.ndarray, a: np.ndarray) -> None:
        self._m, self.B, self.a = moments, B, a

    @classmethod
    def from_data(cls, Y: np.ndarray, codes: np.ndarray, n_groups: int, B: np.ndarray,
                  a: np.ndarray) -> GroupAffineInfluence:
        return cls(_Moments(Y, codes, n_groups), B, a)

    @property
    def shape(self) -> tuple[int, int]:
        return (self._m.Y.shape[0], self.a.shape[1])

    ndim = 2

    @property
    def group_means(self) -> np.ndarray:
        return self._m.means

    def __matmul__(self, A: Any) -> GroupAffineInfluence:
        A = np.asarray(A, dtype=float)
        if A.ndim == 1:
            A = A[:, None]
        return GroupAffineInfluence(self._m, self.B @ A, self.a @ A)

    def __getitem__(self, key: Any) -> GroupAffineInfluence:
        if not (isinstance(key, tuple) and len(key) == 2 and key[0] == slice(None)):
            raise IndexError("only column selections inf[:, columns] are supported; use np.asarray(inf) first.")
        cols = key[1]
        if isinstance(cols, (int, np.integer)):
            cols = [cols]
        return GroupAffineInfluence(self._m, self.B[:, :, cols], self.a[:, cols])

    def plus_unit_constant(self, W: np.ndarray, index: np.ndarray) -> GroupAffineInfluence:
        """Add ``W[index[i]]`` to row i (``index`` must be constant within groups)."""
        first = np.array([rows[0] if rows.size else 0 for rows in self._m.rows()], dtype=np.intp)
        add = np.asarray(W, dtype=float)[index[first]]
        return GroupAffineInfluence(self._m, self.B, self.a + add.reshape(self.a.shape))

    def gram(self) -> np.ndarray:
        """``sum_i psi_i' psi_i`` (m x m)."""
        C, n_g = self._m.cross(), self._m.counts
        out = np.einsum("gpm,gpq,gqk->mk", self.B, C, self.B, optimize=True)
        out += (self.a * n_g[:, None]).T @ self.a
        return out

    def column_sumsq(self) -> np.ndarray:
        """``sum_i psi_ij^2`` for every column j."""
        C, n_g = self._m.cross(), self._m.counts
        return np.einsum("gpm,gpq,gqm->m", self.B, C, self.B, optimize=True) + n_g @ (self.a**2)

    def cluster_totals(self, cluster: np.ndarray, n_clusters: int) -> np.ndarray:
        """Sums of the rows within clusters (n_clusters x m)."""
        if n_clusters * self._m.n_groups > self.shape[0]:
            from research_kit.inference import cluster_sums

            return cluster_sums(np.asarray(self), cluster, n_clusters)
        D, counts = self._m.by_cluster(cluster, n_clusters)
        return np.einsum("cgp,gpm->cm", D, self.B, optimize=True) + counts @ self.a

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.zeros(self.shape)
        for g, rows in enumerate(self._m.rows()):
            if rows.size and (self.B[g].any() or self.a[g].any()):
                block = self._m.centred(g) @ self.B[g]
                block += self.a[g]
                out[rows] = block
        return out if dtype is None else out.astype(dtype)
