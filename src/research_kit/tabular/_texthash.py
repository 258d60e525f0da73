"""Integer codes of an Arrow text column, from its raw buffers, in three compiled passes.

:func:`pandas.factorize` of an Arrow-backed ``str`` column takes 1.5–2 s for
7 million 18-character credit codes here; most of it is turning values into
hashable objects. The values already sit in two buffers, the UTF-8 bytes and
the offsets. This module

1. hashes each value's bytes in place, 8 at a time, into a 64-bit key
   (a sequential pass);
2. numbers the distinct keys in order of first appearance with an
   open-addressing table whose slots hold (key, code) side by side, so that a
   lookup touches one cache line;
3. checks every row's bytes against those of its code's first row (kept in a
   small pool of the distinct values), so that two texts that share a key can
   never share a code: if they do, :func:`text_codes` returns None and the
   caller hashes the texts with pandas instead.

Codes are those of :func:`pandas.factorize` (first appearance, -1 for missing).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["same_as_group_value", "text_codes"]

_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xBF58476D1CE4E5B9)


@njit(cache=True, inline="always")
def _load(data: np.ndarray, start: int, m: int) -> np.uint64:
    """``m`` <= 8 bytes from ``data[start]`` as one little-endian word."""
    w = np.uint64(0)
    for k in range(m):
        w |= np.uint64(data[start + k]) << np.uint64(8 * k)
    return w


@njit(cache=True, nogil=True)
def _hash_rows(data: np.ndarray, offsets: np.ndarray, keys: np.ndarray, start: int) -> None:
    """64-bit keys of one chunk's values into ``keys[start:]``."""
    for i in range(len(offsets) - 1):
        a = offsets[i]
        b = offsets[i + 1]
        h = np.uint64(b - a) * _K1
        p = a
        while p + 8 <= b:
            h = (h ^ _load(data, p, 8)) * _K2
            h ^= h >> np.uint64(31)
            p += 8
        if p < b:
            h = (h ^ _load(data, p, b - p)) * _K2
            h ^= h >> np.uint64(31)
        h *= _K1
        keys[start + i] = h ^ (h >> np.uint64(29))


@njit(cache=True)
def _number(keys: np.ndarray, codes: np.ndarray, valid: np.ndarray, has_nulls: bool) -> np.ndarray:
    """Codes of the keys in order of first appearance (-1 where not valid) and each code's first row.

    ``codes`` may be ``keys`` itself viewed as integers: row i's key is read before
    its code is written, and growing the table rehashes the keys kept in the table.
    """
    size = 1 << 12
    table = np.zeros(2 * size, dtype=np.uint64)  # slot j: key at 2j, code + 1 at 2j + 1 (0 = empty)
    first = np.empty(1 << 11, dtype=np.int64)
    n = 0
    mask = np.uint64(size - 1)
    for i in range(len(keys)):
        if has_nulls and not valid[i]:
            codes[i] = -1
            continue
        x = keys[i]
        j = x & mask
        while True:
            c = table[2 * j + 1]
            if c == 0:  # a new key
                if 2 * (n + 1) > size:  # keep the table at most half full
                    old = table
                    size *= 2
                    mask = np.uint64(size - 1)
                    table = np.zeros(2 * size, dtype=np.uint64)
                    for q in range(len(old) // 2):
                        if old[2 * q + 1] != 0:
                            y = old[2 * q]
                            s = y & mask
                            while table[2 * s + 1] != 0:
                                s = (s + np.uint64(1)) & mask
                            table[2 * s] = y
                            table[2 * s + 1] = old[2 * q + 1]
                    j = x & mask
                    while table[2 * j + 1] != 0:
                        j = (j + np.uint64(1)) & mask
                if n == len(first):
                    first = np.concatenate((first, np.empty(n, dtype=np.int64)))
                table[2 * j] = x
                table[2 * j + 1] = n + 1
                first[n] = i
                codes[i] = n
                n += 1
                break
            if table[2 * j] == x:
                codes[i] = c - 1
                break
            j = (j + np.uint64(1)) & mask
    return first[:n].copy()


@njit(cache=True)
def _pool(data: np.ndarray, offsets: np.ndarray, rows: np.ndarray, pool: np.ndarray, pool_off: np.ndarray,
          code0: int) -> None:
    """Copy the values of ``rows`` (chunk positions) of codes ``code0, code0 + 1, ...`` into the pool."""
    for r in range(len(rows)):
        a = offsets[rows[r]]
        b = offsets[rows[r] + 1]
        q = pool_off[code0 + r]
        for k in range(b - a):
            pool[q + k] = data[a + k]


@njit(cache=True, nogil=True)
def _same(data: np.ndarray, offsets: np.ndarray, codes: np.ndarray, start: int, pool: np.ndarray,
          pool_off: np.ndarray, width: int) -> bool:
    """True if every row of the chunk holds the same bytes as its code's first row.

    ``width`` >= 0 says that every distinct value has that many bytes (ids of one
    format): a code's bytes then start at ``code * width`` in the pool.
    """
    for i in range(len(offsets) - 1):
        c = codes[start + i]
        if c < 0:
            continue
        a = offsets[i]
        length = offsets[i + 1] - a
        if width >= 0:
            if length != width:
                return False
            q = c * width
        else:
            q = pool_off[c]
            if pool_off[c + 1] - q != length:
                return False
        k = 0
        while k + 8 <= length:
            if _load(pool, q + k, 8) != _load(data, a + k, 8):
                return False
            k += 8
        if k < length and _load(pool, q + k, length - k) != _load(data, a + k, length - k):
            return False
    return True


def _buffers(ch) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001 - a pyarrow array
    import pyarrow as pa

    _, offsets_buf, data_buf = ch.buffers()
    odt = np.dtype(np.int64 if pa.types.is_large_string(ch.type) else np.int32)
    offsets = np.frombuffer(offsets_buf, dtype=odt, count=len(ch) + 1, offset=ch.offset * odt.itemsize)
    data = (np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None and data_buf.size
            else np.zeros(1, dtype=np.uint8))
    return offsets, data


def _pieces(chunks: list, size: int = 1 << 20) -> list:
    """The chunks cut into slices of at most ``size`` rows (zero-copy), the units of parallel work."""
    out = []
    for ch in chunks:
        for lo in range(0, len(ch), size):
            out.append(ch.slice(lo, size))
    return out


def _layout(pieces: list) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """``(first row, offsets, bytes)`` of each piece, the rows numbered across the pieces."""
    out = []
    pos = 0
    for ch in pieces:
        offsets, data = _buffers(ch)
        out.append((pos, offsets, data))
        pos += len(ch)
    return out


def _threads() -> int:
    from numba import config

    return max(1, min(int(getattr(config, "NUMBA_NUM_THREADS", 1)), 8))


def text_codes(chunks: list, n_rows: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes (``intp``, -1 for missing, in first-appearance order) and the first row of each code.

    ``chunks`` are non-empty pyarrow ``string`` or ``large_string`` arrays holding
    ``n_rows`` values in all. None in the (astronomically rare) case that two
    different texts hash to the same 64-bit key. The hashing and the check run on
    ``NUMBA_NUM_THREADS`` threads (the cores, by default), a slice of rows each.
    """
    from concurrent.futures import ThreadPoolExecutor

    pieces = _pieces(chunks)
    keys = np.empty(n_rows, dtype=np.uint64)
    layout = _layout(pieces)
    with ThreadPoolExecutor(_threads()) as ex:
        list(ex.map(lambda part: _hash_rows(part[2], part[1], keys, part[0]), layout))
        has_nulls = any(ch.null_count > 0 for ch in pieces)
        if has_nulls:
            valid = np.concatenate([ch.is_valid().to_numpy(zero_copy_only=False) for ch in pieces])
        else:
            valid = np.ones(0, dtype=np.bool_)
        codes = keys.view(np.intp)  # written in place of the keys: one array of N, not two
        first = _number(keys, codes, valid, has_nulls)
        # the distinct values, in code order, side by side (first rows increase with the code)
        lengths = np.empty(len(first), dtype=np.int64)
        bounds = np.searchsorted(first, [p for p, _, _ in layout] + [n_rows])
        for (p, offsets, _), lo, hi in zip(layout, bounds[:-1], bounds[1:]):
            rows = first[lo:hi] - p
            lengths[lo:hi] = offsets[rows + 1] - offsets[rows]
        pool_off = np.zeros(len(first) + 1, dtype=np.int64)
        np.cumsum(lengths, out=pool_off[1:])
        pool = np.empty(max(int(pool_off[-1]), 1), dtype=np.uint8)
        for (p, offsets, data), lo, hi in zip(layout, bounds[:-1], bounds[1:]):
            _pool(data, offsets, first[lo:hi] - p, pool, pool_off, int(lo))
        width = int(lengths[0]) if len(lengths) and bool(np.all(lengths == lengths[0])) else -1
        same = ex.map(lambda part: _same(part[2], part[1], codes, part[0], pool, pool_off, width), layout)
        if not all(same):
            return None
    return codes, first


def same_as_group_value(chunks: list, group_codes: np.ndarray, values) -> bool:  # noqa: ANN001 - pyarrow
    """True if every row's text equals ``values[group_codes[row]]`` (one text per group, a pyarrow array).

    The check of a column that should be constant within units (a county per
    business): one comparison of each row's bytes with its group's, in place.
    """
    from concurrent.futures import ThreadPoolExecutor

    offsets_g, data_g = _buffers(values)
    pool_off = offsets_g.astype(np.int64) - int(offsets_g[0])
    pool = data_g[int(offsets_g[0]):] if len(data_g) > 1 else data_g
    lengths = np.diff(pool_off)
    width = int(lengths[0]) if len(lengths) and bool(np.all(lengths == lengths[0])) else -1
    layout = _layout(_pieces(chunks))
    pool = np.ascontiguousarray(pool)
    with ThreadPoolExecutor(_threads()) as ex:
        return all(ex.map(lambda part: _same(part[2], part[1], group_codes, part[0], pool, pool_off, width), layout))

