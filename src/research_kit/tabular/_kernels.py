"""Compiled one-pass helpers over the rows of a panel (no index or comparison arrays of N rows)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["first_rows", "grid_observed", "scatter_to_grid", "sorted_codes_int64", "value_per_group"]


@njit(cache=True)
def first_rows(codes: np.ndarray, n: int) -> np.ndarray:
    """The first row of each code ``0..n-1`` (-1 for a code that no row has)."""
    out = np.full(n, -1, dtype=np.intp)
    for i in range(len(codes)):
        c = codes[i]
        if out[c] < 0:
            out[c] = i
    return out


@njit(cache=True)
def value_per_group(values: np.ndarray, codes: np.ndarray, n: int) -> tuple[np.ndarray, bool]:
    """Each group's value (from its first row) and whether every row repeats it (NaN equals NaN).

    ``values`` are numbers (dates as their 8-byte integers); every code ``0..n-1``
    must have a row.
    """
    out = np.empty(n, dtype=values.dtype)
    seen = np.zeros(n, dtype=np.bool_)
    same = True
    for i in range(len(codes)):
        c = codes[i]
        v = values[i]
        if not seen[c]:
            seen[c] = True
            out[c] = v
        elif out[c] != v and not (v != v and out[c] != out[c]):
            same = False
            break
    return out, same


@njit(cache=True)
def sorted_codes_int64(values: np.ndarray, missing: np.int64) -> tuple[np.ndarray, np.ndarray]:
    """Codes ``0..m-1`` in sorted order of the values (-1 for ``missing``) and the sorted distinct values.

    For columns with few distinct values (months, dates): one pass numbers them in
    order of first appearance through a small hash table, a second pass turns those
    numbers into sorted ranks in place.
    """
    size = 64
    keys = np.zeros(size, dtype=np.int64)
    used = np.zeros(size, dtype=np.intp)  # code + 1 (0 = empty slot)
    uniq = np.empty(32, dtype=np.int64)
    n = 0
    codes = np.empty(len(values), dtype=np.intp)
    mask = size - 1
    for i in range(len(values)):
        v = values[i]
        if v == missing:
            codes[i] = -1
            continue
        h = (np.uint64(v) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)
        j = np.intp(h) & mask
        while True:
            c = used[j]
            if c == 0:
                if 2 * (n + 1) > size:  # grow and rehash the distinct values seen so far
                    size *= 4
                    mask = size - 1
                    keys = np.zeros(size, dtype=np.int64)
                    used = np.zeros(size, dtype=np.intp)
                    for d in range(n):
                        hh = (np.uint64(uniq[d]) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)
                        s = np.intp(hh) & mask
                        while used[s] != 0:
                            s = (s + 1) & mask
                        keys[s] = uniq[d]
                        used[s] = d + 1
                    j = np.intp(h) & mask
                    while used[j] != 0:
                        j = (j + 1) & mask
                if n == len(uniq):
                    uniq = np.concatenate((uniq, np.empty(n, dtype=np.int64)))
                keys[j] = v
                used[j] = n + 1
                uniq[n] = v
                codes[i] = n
                n += 1
                break
            if keys[j] == v:
                codes[i] = c - 1
                break
            j = (j + 1) & mask
    order = np.argsort(uniq[:n], kind="mergesort")
    rank = np.empty(n, dtype=np.intp)
    for r in range(n):
        rank[order[r]] = r
    for i in range(len(codes)):
        c = codes[i]
        if c >= 0:
            codes[i] = rank[c]
    return codes, uniq[:n][order]


@njit(cache=True)
def grid_observed(unit_codes: np.ndarray, time_codes: np.ndarray, n_times: int, n_cells: int) -> tuple[np.ndarray, bool]:
    """Flags of the observed unit x period cells, and whether some cell has two rows."""
    observed = np.zeros(n_cells, dtype=np.bool_)
    repeated = False
    for r in range(len(unit_codes)):
        c = unit_codes[r] * n_times + time_codes[r]
        if observed[c]:
            repeated = True
        observed[c] = True
    return observed, repeated


@njit(cache=True)
def scatter_to_grid(unit_codes: np.ndarray, time_codes: np.ndarray, n_times: int, values: np.ndarray,
                    out: np.ndarray) -> None:
    """``out[unit * n_times + time] = value`` for every row."""
    for r in range(len(unit_codes)):
        out[unit_codes[r] * n_times + time_codes[r]] = values[r]
