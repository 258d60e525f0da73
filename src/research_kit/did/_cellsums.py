"""Compiled passes over the unit x period grid for :class:`~research_kit.did._onehot.MaskedCellFit`.

The event study of an unbalanced panel places its rows on the full grid (missing
cells weighted 0). Its sums were reshapes and products of grid-sized arrays, each
a fresh array of ``n_units * n_times`` values (page faults, memory traffic). Here
each is one pass over the grid, unit by unit, that keeps only small results:

* :func:`weighted_cell_sums`: the unit sums of ``w x`` (units x k), the group x
  period sums of ``w`` and ``w y``, and the unit and period sums of ``w y``;
* :func:`cluster_score_sums`: the cluster sums of the scores ``x~ w e``, with the
  residual ``e`` computed in the same pass (never stored).

The formulas are those of :mod:`research_kit.did._onehot`; only the order of the
additions differs (rounding at the 1e-15 level).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["cluster_score_sums", "group_period_seen", "weighted_cell_sums"]


@njit(cache=True)
def weighted_cell_sums(W, Y, group, table, k):  # noqa: ANN001, ANN201 - compiled
    """``U`` (units x k: sum_t w x), ``Wg``, ``WYg`` (groups x periods: sums of w, w y), ``Uy``, ``Sy``."""
    n, T = W.shape
    n_groups = table.shape[0]
    U = np.zeros((n, k))
    Wg = np.zeros((n_groups, T))
    WYg = np.zeros((n_groups, T))
    Uy = np.zeros(n)
    Sy = np.zeros(T)
    for i in range(n):
        g = group[i]
        uy = 0.0
        for t in range(T):
            w = W[i, t]
            if w != 0.0:
                wy = w * Y[i, t]
                j = table[g, t]
                if j >= 0:
                    U[i, j] += w
                Wg[g, t] += w
                WYg[g, t] += wy
                uy += wy
                Sy[t] += wy
        Uy[i] = uy
    return U, Wg, WYg, Uy, Sy


@njit(cache=True)
def cluster_score_sums(W, Y, group, table, fitted, ay, cy, a_x, c_x, unit_cluster, n_clusters):  # noqa: ANN001, ANN201
    """Cluster sums (n_clusters x k) of ``x~ w e``, ``e = y - fitted[g, t] - ay[i] - cy[t]``, clusters by unit."""
    n, T = W.shape
    k = a_x.shape[1]
    out = np.zeros((n_clusters, k))
    row = np.empty(k)
    for i in range(n):
        g = group[i]
        for q in range(k):
            row[q] = 0.0
        esum = 0.0
        for t in range(T):
            w = W[i, t]
            if w != 0.0:
                e = w * (Y[i, t] - fitted[g, t] - ay[i] - cy[t])
                esum += e
                j = table[g, t]
                if j >= 0:
                    row[j] += e
                for q in range(k):
                    row[q] -= e * c_x[t, q]
        c = unit_cluster[i]
        for q in range(k):
            out[c, q] += row[q] - a_x[i, q] * esum
    return out


@njit(cache=True)
def group_period_seen(group, unit_codes, time_codes, n_groups, n_times):  # noqa: ANN001, ANN201 - compiled
    """Flags (groups x periods) of the cells where some unit of the group has a row."""
    out = np.zeros((n_groups, n_times), dtype=np.bool_)
    for r in range(len(unit_codes)):
        out[group[unit_codes[r]], time_codes[r]] = True
    return out
