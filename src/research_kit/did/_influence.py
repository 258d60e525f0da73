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
        """groups x p x p centred cross-products."""
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
                  a: np.ndarray) -> "GroupAffineInfluence":
        return cls(_Moments(Y, codes, n_groups), B, a)

    @property
    def shape(self) -> tuple[int, int]:
        return (self._m.Y.shape[0], self.a.shape[1])

    ndim = 2

    @property
    def group_means(self) -> np.ndarray:
        return self._m.means

    def __matmul__(self, A: Any) -> "GroupAffineInfluence":
        A = np.asarray(A, dtype=float)
        if A.ndim == 1:
            A = A[:, None]
        return GroupAffineInfluence(self._m, self.B @ A, self.a @ A)

    def __getitem__(self, key: Any) -> "GroupAffineInfluence":
        if not (isinstance(key, tuple) and len(key) == 2 and key[0] == slice(None)):
            raise IndexError("only column selections inf[:, columns] are supported; use np.asarray(inf) first.")
        cols = key[1]
        if isinstance(cols, (int, np.integer)):
            cols = [cols]
        return GroupAffineInfluence(self._m, self.B[:, :, cols], self.a[:, cols])

    def plus_unit_constant(self, W: np.ndarray, index: np.ndarray) -> "GroupAffineInfluence":
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


#: Rows of a group handled at once when pair features are built (bounds the temporary memory).
_CHUNK = 16_384
#: A PairInfluence with at most this many entries (n x m) is formed once and kept.
_KEEP_DENSE = 50_000_000


class PairInfluence:
    """An n x m influence-function matrix for 2x2 comparisons on an unbalanced panel.

    With missing unit-periods ("pairwise" Callaway--Sant'Anna), the influence
    function of a unit of group ``h`` is built from its outcome changes over the
    period pairs ``p = (t, b)`` that the cells compare:

    ``psi_i = sum_p C_hp z_ip + D_hp o_ip + a_h``,

    ``o_ip = 1`` when the unit is observed in both periods of ``p`` (else 0) and
    ``z_ip = o_ip (y_it - y_ib - mu_hp)`` its centred change (``mu_hp`` the group's
    mean change over the units observed in both). ``C``, ``D`` (groups x pairs x m)
    and ``a`` (groups x m) are small. The n x cells matrix is never formed: the
    cells' variances come from per-group moments of the pair features (each cell
    uses one pair), the variance of a few cells (the pre-trend test) from the
    moments of their few pairs, and an aggregate of a few columns is formed
    once, block by block, and kept (later products and sums reuse it).

    Supports the interface of :class:`GroupAffineInfluence`.
    """

    def __init__(self, data: "_PairData", C: np.ndarray, D: np.ndarray, a: np.ndarray,
                 dense: np.ndarray | None = None) -> None:
        self._d, self.C, self.D, self.a = data, C, D, a
        self._dense = dense

    @property
    def shape(self) -> tuple[int, int]:
        return (self._d.n, self.a.shape[1])

    ndim = 2

    def __matmul__(self, A: Any) -> "PairInfluence":
        A = np.asarray(A, dtype=float)
        if A.ndim == 1:
            A = A[:, None]
        return PairInfluence(self._d, self.C @ A, self.D @ A, self.a @ A,
                             None if self._dense is None else self._dense @ A)

    def __getitem__(self, key: Any) -> "PairInfluence":
        if not (isinstance(key, tuple) and len(key) == 2 and key[0] == slice(None)):
            raise IndexError("only column selections inf[:, columns] are supported; use np.asarray(inf) first.")
        cols = key[1]
        if isinstance(cols, (int, np.integer)):
            cols = [cols]
        return PairInfluence(self._d, self.C[:, :, cols], self.D[:, :, cols], self.a[:, cols],
                             None if self._dense is None else self._dense[:, cols])

    def plus_unit_constant(self, W: np.ndarray, index: np.ndarray) -> "PairInfluence":
        """Add ``W[index[i]]`` to row i (``index`` must be constant within groups)."""
        first = np.array([rows[0] if rows.size else 0 for rows in self._d.rows], dtype=np.intp)
        add = np.asarray(W, dtype=float)[index[first]].reshape(self.a.shape)
        dense = None if self._dense is None else self._dense + add[self._d.codes]
        return PairInfluence(self._d, self.C, self.D, self.a + add, dense)

    # ------------------------------------------------------------ per group
    def _coefficients(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        """Active pairs of group h and the stacked coefficients ``[C; D; a]`` ((2 P_a + 1) x m)."""
        active = np.flatnonzero(np.any(self.C[h] != 0, axis=1) | np.any(self.D[h] != 0, axis=1))
        return active, np.vstack([self.C[h, active], self.D[h, active], self.a[h][None, :]])

    def _blocks(self, h: int, active: np.ndarray):
        rows = self._d.rows[h]
        for start in range(0, rows.size, _CHUNK):
            r = rows[start:start + _CHUNK]
            yield r, self._d.features(r, h, active)

    def _single_pair_columns(self) -> bool:
        """True if no column combines two pairs within a group (the cells themselves)."""
        used = (self.C != 0) | (self.D != 0)
        return bool((used.sum(axis=1) <= 1).all())

    def _prefer_dense(self) -> bool:
        """Whether forming psi (n x m) is cheaper than the moments of the features (and small enough to keep)."""
        if self._dense is not None:
            return True
        n, m = self.shape
        if n * m > _KEEP_DENSE:
            return False
        T = self._d.Yc.shape[1]
        feat = 0.0
        for h in range(self._d.n_groups):
            f = 2 * int((np.any(self.C[h] != 0, axis=1) | np.any(self.D[h] != 0, axis=1)).sum()) + 1
            feat += self._d.rows[h].size * f * f
        return n * (2 * T * m + m * m) <= feat

    def _materialize(self) -> np.ndarray:
        """psi (n x m), computed in period space and kept.

        With ``Cp[t, b]`` (``Dp``) the coefficients of the pair ``(t, b)`` and ``yc``
        the centred outcomes (zero where missing), a unit observed in every period
        has ``psi = yc @ (sum_b Cp[:, b] - sum_t Cp[t, :]) + sum_p E_p + a``
        (``E_p = Cp shift_p + Dp``); each missing period ``c`` of a unit removes the
        pairs that use it: ``+ yc @ (Cp[c, :] - Cp[:, c]) - sum_b E[c, b] - sum_t E[t, c]``,
        and pairs with both periods missing are added back once (``+ M @ E[c]``).
        Cost: n x T x m plus, per missing unit-period, 2 T x m.
        """
        if self._dense is None:
            d = self._d
            n, m = self.shape
            T = d.Yc.shape[1]
            t, b = d.pairs[:, 0], d.pairs[:, 1]
            out = np.empty((n, m))
            for h in range(d.n_groups):
                rows = d.rows[h]
                if rows.size == 0:
                    continue
                Cp = np.zeros((T, T, m))
                Ep = np.zeros((T, T, m))
                Cp[t, b] = self.C[h]
                Ep[t, b] = self.C[h] * d.shift[h][:, None] + self.D[h]
                Y = d.Yc[rows]
                block = Y @ (Cp.sum(axis=1) - Cp.sum(axis=0))
                block += Ep.sum(axis=(0, 1)) + self.a[h]
                missing = ~d.O[rows]
                if missing.any():
                    K = Cp - Cp.transpose(1, 0, 2)  # K[c, x] = Cp[c, x] - Cp[x, c]
                    lose = Ep.sum(axis=1) + Ep.sum(axis=0)  # pairs starting or ending at c
                    Mf = missing.astype(float)
                    for c in np.flatnonzero(missing.any(axis=0)):
                        r = np.flatnonzero(missing[:, c])
                        block[r] += Y[r] @ K[c] + Mf[r] @ Ep[c] - lose[c]
                out[rows] = block
            self._dense = out
        return self._dense

    def gram(self) -> np.ndarray:
        """``sum_i psi_i' psi_i`` (m x m)."""
        if self._prefer_dense():
            P = self._materialize()
            return P.T @ P
        m = self.shape[1]
        out = np.zeros((m, m))
        for h in range(self._d.n_groups):
            if self._d.rows[h].size == 0:
                continue
            active, B = self._coefficients(h)
            if not B.any():
                continue
            f = B.shape[0]
            if f * f <= f * m + m * m:  # few pairs: the features' moments carry everything
                G = np.zeros((f, f))
                for _, F in self._blocks(h, active):
                    G += F.T @ F
                out += B.T @ G @ B
            else:
                for _, F in self._blocks(h, active):
                    P = F @ B
                    out += P.T @ P
        return out

    def column_sumsq(self) -> np.ndarray:
        """``sum_i psi_ij^2`` for every column j."""
        if self._dense is None and self._single_pair_columns():
            Z2, Z1, N, n_g = self._d.pair_moments()
            C, D, a = self.C, self.D, self.a
            out = np.einsum("hpm,hp->m", C * C, Z2) + np.einsum("hpm,hp->m", D * D, N)
            out += 2 * np.einsum("hpm,hp->m", C * D, Z1)
            out += 2 * np.einsum("hm,hpm->m", a, C * Z1[:, :, None] + D * N[:, :, None])
            out += n_g @ (a * a)
            return out
        if self._prefer_dense():
            P = self._materialize()
            return np.einsum("ij,ij->j", P, P)
        return np.diag(self.gram()).copy()

    def cluster_totals(self, cluster: np.ndarray, n_clusters: int) -> np.ndarray:
        """Sums of the rows within clusters (n_clusters x m)."""
        if self._dense is not None:
            return group_sums(self._dense, cluster, n_clusters)
        out = np.zeros((n_clusters, self.shape[1]))
        for h in range(self._d.n_groups):
            if self._d.rows[h].size == 0:
                continue
            active, B = self._coefficients(h)
            if not B.any():
                continue
            for r, F in self._blocks(h, active):
                out += group_sums(F, cluster[r], n_clusters) @ B
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if self.shape[0] * self.shape[1] <= _KEEP_DENSE:
            out = self._materialize().copy()
        else:
            out = PairInfluence(self._d, self.C, self.D, self.a)._materialize()
        return out if dtype is None else out.astype(dtype)


class _PairData:
    """The outcome grid, its observed cells and the period pairs, shared by every :class:`PairInfluence`."""

    def __init__(self, Y: np.ndarray, observed: np.ndarray, codes: np.ndarray, n_groups: int,
                 pairs: np.ndarray) -> None:
        self.O = observed
        self.codes, self.n_groups, self.n = codes, n_groups, len(codes)
        self.pairs = pairs  # P x 2: (t, b)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(n_groups + 1))
        self.rows = [order[bounds[g]:bounds[g + 1]] for g in range(n_groups)]
        t, b = pairs[:, 0], pairs[:, 1]
        P = len(pairs)
        # Per group: outcomes centred on the group's period means (zero where missing), then
        # period x period cross-products give, for every pair, the units observed in both
        # periods, their mean change and the centred sum of squares of the changes.
        self.Yc = np.zeros(Y.shape)
        self.count, self.total = np.zeros((n_groups, P)), np.zeros((n_groups, P))
        self.mu, self._z2 = np.zeros((n_groups, P)), np.zeros((n_groups, P))
        self.shift = np.zeros((n_groups, P))  # z = o (centred change + shift)
        for g, rows in enumerate(self.rows):
            if not rows.size:
                continue
            Og = observed[rows]
            Of = Og.astype(float)
            n_t = Of.sum(axis=0)
            Yg = np.where(Og, Y[rows], 0.0)
            ybar = np.divide(Yg.sum(axis=0), n_t, out=np.zeros(Y.shape[1]), where=n_t > 0)
            Yg -= ybar
            Yg *= Of
            self.Yc[rows] = Yg
            Nn = Of.T @ Of
            M = Yg.T @ Of  # M[t, b]: centred y_t summed over the units observed at t and b
            Q = (Yg * Yg).T @ Of
            R = Yg.T @ Yg
            cnt = Nn[t, b]
            dc = M[t, b] - M[b, t]  # sum of centred changes
            delta = ybar[t] - ybar[b]
            self.count[g] = cnt
            self.total[g] = dc + delta * cnt
            mu = np.divide(self.total[g], cnt, out=np.zeros(P), where=cnt > 0)
            self.mu[g] = mu
            shift = delta - mu
            self.shift[g] = shift
            self._z2[g] = Q[t, b] + Q[b, t] - 2 * R[t, b] + 2 * shift * dc + shift * shift * cnt

    def features(self, rows: np.ndarray, h: int, active: np.ndarray) -> np.ndarray:
        """``[z_p, o_p for the active pairs, 1]`` of the given rows of group ``h``."""
        t, b = self.pairs[active, 0], self.pairs[active, 1]
        k = len(active)
        Y, O = self.Yc[rows], self.O[rows]
        F = np.empty((rows.size, 2 * k + 1))
        z, o = F[:, :k], F[:, k:2 * k]
        np.logical_and(O[:, t], O[:, b], out=o, casting="unsafe")
        np.subtract(Y[:, t], Y[:, b], out=z)
        z += self.shift[h, active]
        z *= o
        F[:, 2 * k] = 1.0
        return F

    def pair_moments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per group and pair: ``sum z^2``, ``sum z``, ``sum o``; and the group sizes."""
        n_g = np.array([rows.size for rows in self.rows], dtype=float)
        return self._z2, self.total - self.mu * self.count, self.count, n_g
