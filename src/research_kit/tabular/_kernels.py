"""Compiled one-pass helpers over the rows of a panel (no index or comparison arrays of N rows)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["first_rows", "value_per_group"]


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
