"""Input checks, key encoding and panel layouts shared by the estimators and by inference.

Every check raises an error that names the column, says what was seen and what
to do. Data problems that the estimators handle themselves (dropped units) are
reported with :class:`DroppedUnitsWarning`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from research_kit._validation import (
    check_option,  # noqa: F401 (re-exported)
    warn_user,
)
from research_kit.tabular.within import is_grid

__all__ = [
    "NEVER",
    "DroppedUnitsWarning",
    "check_option",
    "require_columns",
    "check_missing",
    "check_unique",
    "factorize",
    "grid_layout",
    "PanelIndex",
    "panel_index",
    "per_unit",
    "encode_time",
    "cohort_positions",
    "WidePanel",
    "build_wide_panel",
    "constant_within",
    "nested",
    "numeric_column",
]

#: Cohort position of never-treated units (larger than any period index).
NEVER = np.iinfo(np.int64).max // 4


class DroppedUnitsWarning(UserWarning):
    """Some units were dropped from the estimation (e.g. treated before the first period)."""


def require_columns(df: pd.DataFrame, roles: dict[str, str | Iterable[str] | None]) -> None:
    """Check that every named column exists; ``roles`` maps a role (``"outcome"``) to a column."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(df).__name__}.")
    for role, cols in roles.items():
        if cols is None:
            continue
        for col in [cols] if isinstance(cols, str) else list(cols):
            if col not in df.columns:
                raise KeyError(
                    f"{role} column {col!r} is not in the data; available columns: {list(df.columns)}."
                )


def check_missing(df: pd.DataFrame, column: str, role: str, hint: str = "") -> None:
    """Raise if ``column`` has missing values."""
    n_missing = int(df[column].isna().sum())
    if n_missing:
        raise ValueError(
            f"{role} column {column!r} has {n_missing} missing values; drop those rows "
            f"(df.dropna(subset=[{column!r}])) or impute them before estimating.{hint}"
        )


def check_unique(df: pd.DataFrame, unit: str, time: str,
                 codes: tuple[np.ndarray, int, np.ndarray, int] | None = None) -> None:
    """Raise if a unit appears more than once in a period.

    ``codes`` (unit codes, number of units, time codes, number of periods) can be
    passed when they are already known; a panel sorted by unit and period is then
    recognised in one pass, anything else costs one ``bincount``.
    """
    if codes is None:
        uc, uu = pd.factorize(df[unit])
        tc, tu = pd.factorize(df[time])
        codes = (uc, len(uu), tc, len(tu))
    uc, n_u, tc, n_t = codes
    key = uc.astype(np.int64) * n_t + tc
    if key.size < 2 or bool(np.all(key[1:] > key[:-1])):  # sorted by unit then period: no repeats
        return
    counts = np.bincount(key, minlength=n_u * n_t) if n_u * n_t <= 10 * len(key) + 1000 else None
    del key
    if counts is not None:
        dup_any = bool(counts.max(initial=0) > 1)
    else:
        dup_any = bool(pd.Series(uc.astype(np.int64) * n_t + tc).duplicated().any())
    if dup_any:
        dup = df.duplicated(subset=[unit, time], keep=False)
        example = df.loc[dup, [unit, time]].iloc[0].tolist()
        raise ValueError(
            f"{int(dup.sum())} rows share a ({unit!r}, {time!r}) pair, e.g. {example}; each unit must "
            "appear once per period. Aggregate or drop the duplicates "
            f"(df.drop_duplicates(subset=[{unit!r}, {time!r}]))."
        )


def factorize(values: pd.Series | np.ndarray, *, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes ``0..n-1`` (``intp``, -1 for missing) and the unique values.

    Integer columns whose range is not much wider than their length (unit ids,
    periods) are coded through a lookup table, in value order, without hashing;
    anything else goes through :func:`pandas.factorize`. With ``sort=True`` the
    codes follow the sorted order of the uniques.

    Examples
    --------
    >>> codes, uniques = factorize(np.array([30, 10, 30, 20]), sort=True)
    >>> codes.tolist(), uniques.tolist()
    ([2, 0, 2, 1], [10, 20, 30])
    """
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return _categorical_codes(values, sort)
    arr = values if isinstance(values, np.ndarray) else None
    if arr is None and isinstance(values, pd.Series) and isinstance(values.dtype, np.dtype):
        arr = values.to_numpy()
    if arr is not None and arr.dtype.kind in "mM" and arr.size:
        # dates: hash the 8-byte integers (NaT is the smallest one and stays a code of its own)
        ints = arr.view(np.int64)
        if sort and len(ints) >= 100_000:  # few distinct dates (months): compiled, one array of N
            from research_kit.tabular._kernels import sorted_codes_int64

            codes, uniques = sorted_codes_int64(ints, np.int64(np.iinfo(np.int64).min))  # NaT: -1, as pandas
            return codes, uniques.view(arr.dtype)
        codes, uniques = pd.factorize(ints, sort=False)
        codes = codes.astype(np.intp, copy=False)
        missing = ints == np.iinfo(np.int64).min
        if sort and len(uniques) > 1:
            order = np.argsort(uniques, kind="stable")
            rank = np.empty(len(order), dtype=np.intp)
            rank[order] = np.arange(len(order))
            codes, uniques = rank[codes], uniques[order]
        uniques = uniques.view(arr.dtype)
        if missing.any():  # as pandas: -1 for NaT, which is not among the uniques
            keep = ~np.isnat(uniques)
            shift = np.cumsum(keep) - 1
            codes = np.where(missing, -1, shift[codes])
            uniques = uniques[keep]
        return codes, uniques
    if arr is not None and arr.dtype.kind in "iu" and arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        span = hi - lo + 1
        if span <= 2 * arr.size + 1024:
            codes = np.subtract(arr, lo, dtype=np.intp)
            present = np.zeros(span, dtype=bool)
            present[codes] = True
            if present.all():  # consecutive values (ids 0..n-1, periods 1..T): the shift is the code
                return codes, np.arange(lo, hi + 1).astype(arr.dtype)
            lut = np.cumsum(present, dtype=np.intp)
            lut -= 1
            np.take(lut, codes, out=codes)
            return codes, (np.flatnonzero(present) + lo).astype(arr.dtype)
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    fast = _arrow_text_codes(series)
    if fast is not None:
        codes, uniques = fast
    else:
        codes, uniques = pd.factorize(series, sort=False)
        uniques = np.asarray(uniques)
        codes = codes.astype(np.intp, copy=False)
    if sort and len(uniques) > 1:
        try:
            order = np.argsort(uniques, kind="stable")
        except TypeError:  # mixed types: let pandas decide the order
            codes, uniques = pd.factorize(series, sort=True)
            return codes.astype(np.intp, copy=False), np.asarray(uniques)
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        missing = codes < 0
        codes = rank[codes]
        if missing.any():
            codes[missing] = -1
        uniques = uniques[order]
    return codes, uniques


def _arrow_text_chunks(series: pd.Series) -> list | None:
    """The non-empty pyarrow ``string``/``large_string`` chunks of a column of 100,000 rows or more, else None."""
    if len(series) < 100_000 or not hasattr(series.array, "__arrow_array__"):
        return None
    import pyarrow as pa

    try:
        data = series.array.__arrow_array__()
    except (TypeError, ValueError, NotImplementedError):  # pragma: no cover - no Arrow storage after all
        return None
    chunks = [ch for ch in (data.chunks if isinstance(data, pa.ChunkedArray) else [data]) if len(ch)]
    if not chunks or not all(pa.types.is_string(ch.type) or pa.types.is_large_string(ch.type) for ch in chunks):
        return None
    return chunks


def _arrow_text_codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`pandas.factorize` of an Arrow-backed text column, read from its buffers in place.

    Credit codes, registration numbers and county names arrive as Arrow ``str``
    columns (pandas' default). Their bytes are hashed where they lie and numbered
    by a compiled hash table (:mod:`research_kit.tabular._texthash`), and every
    row's bytes are compared with those of its code's first row, so two texts never
    share a code. Codes follow first appearance, -1 for missing, as pandas' do.
    None where this does not apply (other storage, fewer than 100,000 rows, or two
    texts with one 64-bit hash): the caller then uses pandas.
    """
    chunks = _arrow_text_chunks(series)
    if chunks is None:
        return None
    from research_kit.tabular._texthash import text_codes

    out = text_codes(chunks, len(series))
    if out is None:
        return None
    codes, first = out
    return codes, np.asarray(series.iloc[first].to_numpy(), dtype=object)


def unit_level_codes(values: pd.Series, unit_codes: np.ndarray, n_units: int) -> np.ndarray | None:
    """Codes (one per unit) of a text column that must be constant within units, e.g. a business's county.

    The column is encoded from one row per unit and every row is then compared, in
    place, with its unit's text, instead of hashing every row: about half the time
    on millions of rows. None where this does not apply (not Arrow text, missing
    values, fewer than 100,000 rows) or where the column changes within a unit; the
    caller then encodes every row (and reports the units where it changes).
    """
    chunks = _arrow_text_chunks(values) if len(values) == len(unit_codes) else None
    if chunks is None or any(ch.null_count for ch in chunks):
        return None
    import pyarrow as pa

    from research_kit.tabular._kernels import first_rows
    from research_kit.tabular._texthash import same_as_group_value

    first = first_rows(unit_codes, n_units)  # one row of each unit
    if n_units == 0 or bool((first < 0).any()):
        return None
    per_unit = pa.chunked_array(chunks).take(pa.array(first)).combine_chunks()

    if not same_as_group_value(chunks, unit_codes, per_unit):
        return None
    codes, _ = pd.factorize(pd.Series(pd.arrays.ArrowExtensionArray(per_unit)), sort=False)
    return codes.astype(np.intp, copy=False)


def _categorical_codes(values: pd.Series, sort: bool) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a categorical column, used as they are (no hashing of the labels).

    Unused categories are dropped so that the codes are ``0..n-1``; with
    ``sort=True`` they follow the sorted order of the labels (kept when the
    categories are sorted already).
    """
    cats = values.cat.categories
    codes = values.cat.codes.to_numpy().astype(np.intp)
    present = np.zeros(len(cats) + 1, dtype=bool)
    present[codes] = True  # a missing value (-1) marks the extra last slot
    used = present[:-1]
    order = np.flatnonzero(used)
    if sort and len(order) > 1 and not cats[order].is_monotonic_increasing:
        try:
            order = order[np.argsort(np.asarray(cats[order]), kind="stable")]
        except TypeError:  # labels that do not compare: keep the category order
            pass
    if len(order) == len(cats) and np.array_equal(order, np.arange(len(cats))):
        return codes, np.asarray(cats)
    lut = np.full(len(cats) + 1, -1, dtype=np.intp)
    lut[order] = np.arange(len(order))
    return lut[codes], np.asarray(cats[order])


def grid_layout(unit_values: pd.Series, time_values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """``(units, periods)`` if the rows are the full unit x period grid sorted by unit then period, else None.

    Checked on the raw integer (or date) columns, without making codes: the
    first unit's rows give the number of periods, every block of that many rows
    must hold one unit (units increasing) and the same increasing periods.

    Examples
    --------
    >>> grid_layout(pd.Series([5, 5, 9, 9]), pd.Series([1, 2, 1, 2]))
    (array([5, 9]), array([1, 2]))
    >>> grid_layout(pd.Series([5, 5, 9]), pd.Series([1, 2, 1])) is None
    True
    """
    if not (isinstance(unit_values.dtype, np.dtype) and isinstance(time_values.dtype, np.dtype)):
        return None
    if unit_values.dtype.kind not in "iu" or time_values.dtype.kind not in "iuM":
        return None
    u, t = unit_values.to_numpy(), time_values.to_numpy()
    N = len(u)
    if N == 0:
        return None
    head = u[: min(N, 1 << 16)]
    change = np.flatnonzero(head != head[0])
    T = int(change[0]) if change.size else (N if len(head) == N else 0)
    if T == 0 or N % T:
        return None
    U, P = u.reshape(N // T, T), t.reshape(N // T, T)
    units, periods = U[:, 0], P[0]
    if not (np.all(units[1:] > units[:-1]) and np.all(periods[1:] > periods[:-1])):
        return None
    if not (bool((U == units[:, None]).all()) and bool((P == periods).all())):
        return None
    return units.copy(), periods.copy()


@dataclass(frozen=True)
class PanelIndex:
    """Unit and period codes of a long panel (made lazily when the rows are a sorted full grid)."""

    units: np.ndarray  # unique units, in code order
    times: np.ndarray  # sorted unique periods
    grid: bool  # row r is unit r // n_times in period r % n_times
    unit_codes: np.ndarray | None = None
    time_codes: np.ndarray | None = None
    cells: np.ndarray | None = None  # per row: unit code * n_times + period code (rows not a full grid)
    observed: np.ndarray | None = None  # n_units * n_times flags of the observed cells (when not too sparse)

    def scatter(self, values: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``out`` (n_units * n_times, flat) with each row's value in its unit x period cell; returns ``out``."""
        if self.grid:
            out[:] = values
        elif self.cells is not None:
            out[self.cells] = values
        else:
            from research_kit.tabular._kernels import scatter_to_grid

            scatter_to_grid(self.ucodes, self.tcodes, self.n_times, np.asarray(values), out)
        return out

    @property
    def n_units(self) -> int:
        """Number of units."""
        return len(self.units)

    @property
    def n_times(self) -> int:
        """Number of periods."""
        return len(self.times)

    @property
    def ucodes(self) -> np.ndarray:
        """Unit code of every row (computed on first use for a full grid)."""
        if self.unit_codes is None:
            codes = np.repeat(np.arange(self.n_units), self.n_times)
            object.__setattr__(self, "unit_codes", codes)
            return codes
        return self.unit_codes

    @property
    def tcodes(self) -> np.ndarray:
        """Period code of every row (computed on first use for a full grid)."""
        if self.time_codes is None:
            codes = np.tile(np.arange(self.n_times), self.n_units)
            object.__setattr__(self, "time_codes", codes)
            return codes
        return self.time_codes


def panel_index(df: pd.DataFrame, unit: str, time: str, *, sort_units: bool = False) -> PanelIndex:
    """Codes for the unit and time columns; raises if a unit appears twice in a period.

    A panel stored as the sorted full grid is recognised from the raw columns
    (two comparisons per row, no codes made); anything else is factorised.
    """
    layout = grid_layout(df[unit], df[time])
    if layout is not None:
        return PanelIndex(layout[0], layout[1], True)
    ucodes, units = factorize(df[unit], sort=sort_units)
    tcodes, times = encode_time(df[time])
    n_u, n_t = len(units), len(times)
    if is_grid(ucodes, tcodes, n_u, n_t):
        return PanelIndex(np.asarray(units), times, True, ucodes, tcodes)
    observed = None
    cells = None
    if n_u * n_t <= 4 * len(ucodes) + 1024 and len(ucodes) >= 100_000:  # one compiled pass, no array of N
        from research_kit.tabular._kernels import grid_observed

        observed, repeated = grid_observed(ucodes, tcodes, n_t, n_u * n_t)
        if repeated:
            check_unique(df, unit, time, (ucodes, n_u, tcodes, n_t))  # raises, naming a repeated pair
        return PanelIndex(np.asarray(units), times, False, ucodes, tcodes, None, observed)
    cells = np.multiply(ucodes, n_t, dtype=np.int64)  # one array of N (no copy of the codes first)
    cells += tcodes
    if n_u * n_t <= 4 * len(cells) + 1024:  # one scatter finds repeats and gives the observed cells
        observed = np.zeros(n_u * n_t, dtype=bool)
        observed[cells] = True
        if int(np.count_nonzero(observed)) != len(cells):
            check_unique(df, unit, time, (ucodes, n_u, tcodes, n_t))  # raises, naming a repeated pair
    else:
        check_unique(df, unit, time, (ucodes, n_u, tcodes, n_t))
    return PanelIndex(np.asarray(units), times, False, ucodes, tcodes, cells, observed)


def per_unit(values: np.ndarray, unit_codes: np.ndarray | None, n_units: int, column: str, role: str,
             *, grid: bool = False) -> np.ndarray:
    """The value of a unit-level column for each unit; raises if it varies within a unit.

    ``grid=True`` says that the rows are the full unit x period grid sorted by
    unit code then period (one block of rows per unit).
    """
    arr = np.asarray(values)
    if arr.dtype.kind in "mM":  # dates: compare their 8-byte integers (NaT == NaT there)
        first = per_unit(arr.view(np.int64), unit_codes, n_units, column, role, grid=grid)
        return first.view(arr.dtype)
    if unit_codes is None:
        if not grid:
            raise ValueError("per_unit needs the unit codes unless the rows are a full grid.")
        if arr.dtype.kind not in "iufb":
            unit_codes = np.repeat(np.arange(n_units), len(arr) // max(n_units, 1))
    if grid and arr.dtype.kind in "iufb":
        blocks = arr.reshape(n_units, -1)
        first = blocks[:, 0].copy()
        same = blocks == first[:, None]
        if arr.dtype.kind == "f":
            same |= np.isnan(blocks) & np.isnan(first)[:, None]
        same = same.ravel()
    elif arr.dtype.kind in "iufb":
        if arr.dtype.kind in "iuf" and len(arr) >= 100_000:
            from research_kit.tabular._kernels import value_per_group

            first, constant = value_per_group(arr, cast(np.ndarray, unit_codes), n_units)  # one pass, no arrays of N
            if constant:
                return first
            # it changes within a unit: the array route below counts the units, for the message
        first = np.empty(n_units, dtype=arr.dtype)
        first[unit_codes] = arr  # one row's value per unit (every unit has a row) ...
        ref = first[unit_codes]
        same = arr == ref  # ... which every other row of the unit must repeat
        if arr.dtype.kind == "f":
            same |= np.isnan(arr) & np.isnan(ref)
        del ref
    else:
        s = pd.Series(values)
        first = s.groupby(unit_codes, sort=True).first().to_numpy()
        if len(first) != n_units:
            raise ValueError(f"{role} column {column!r}: internal unit count mismatch.")
        # NaN == NaN should count as constant here (never-treated cohort coded NaN)
        ref = first[unit_codes]
        same = (s.to_numpy() == ref) | (pd.isna(s.to_numpy()) & pd.isna(ref))
    if not np.all(same):
        if grid:
            bad = int((~same.reshape(n_units, -1).all(axis=1)).sum())
        else:
            bad = int(pd.Series(cast(np.ndarray, unit_codes)[~same]).nunique())  # codes are given off a grid
        if role == "cohort":
            advice = ("(the first treated period). Recompute it per unit, e.g. "
                      f"df.groupby(unit)[{column!r}].transform('min').")
        elif role == "cluster":
            advice = ("because units are nested in clusters here: a unit must stay in one cluster. Cluster on a "
                      "coarser column that contains each unit (e.g. its county at the start), or on the unit.")
        else:
            advice = "; make it a per-unit column."
        raise ValueError(f"{role} column {column!r} changes within {bad} units; it must be constant for each unit "
                         + advice)
    return first


def encode_time(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer period codes ``0..T-1`` (in time order) and the sorted unique periods."""
    return factorize(values, sort=True)


def cohort_positions(cohort: np.ndarray, times: np.ndarray, column: str) -> np.ndarray:
    """Map first-treated periods to positions on the period grid.

    0, NaN or NaT mean never treated, and so does a cohort after the last period
    (as in R ``did``). A cohort between two periods maps to the first period on
    or after it. Returns int64 positions with :data:`NEVER` for never treated.
    """
    c = pd.Series(cohort)
    never = c.isna().to_numpy().copy()
    if pd.api.types.is_numeric_dtype(c.dtype):
        if np.issubdtype(np.asarray(times).dtype, np.datetime64):
            raise TypeError(
                f"cohort column {column!r} is numeric but the time column holds dates; give the first "
                "treated period as a date (NaT = never treated)."
            )
        vals = c.to_numpy(dtype=float, na_value=np.nan)
        never |= vals == 0
    else:
        vals = c.to_numpy()
    pos = np.full(len(c), NEVER, dtype=np.int64)
    ok = ~never
    p = np.searchsorted(np.asarray(times), vals[ok], side="left").astype(np.int64)
    p[p >= len(times)] = NEVER  # treated after the last period: never treated in this window
    pos[ok] = p
    return pos


@dataclass(frozen=True)
class WidePanel:
    """A balanced panel in wide form: one row per unit, one column per period."""

    units: np.ndarray  # unit identifiers, length n
    times: np.ndarray  # sorted periods, length T
    y: np.ndarray  # n x T outcomes
    cohort: np.ndarray  # n, position of the first treated period (NEVER = never)
    x: np.ndarray | None  # n x T x p covariates, or None
    cluster: np.ndarray | None  # n, cluster identifiers (None = unit)
    observed: np.ndarray | None = None  # n x T mask of observed unit-periods; None = balanced

    @property
    def n_obs(self) -> int:
        """Number of observed unit-periods."""
        return int(self.y.size if self.observed is None else self.observed.sum())


def build_wide_panel(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    covariates: Sequence[str] | None = None,
    cluster: str | None = None,
    balanced: bool = True,
) -> WidePanel:
    """Validate a long panel and return it in wide form.

    With ``balanced=True`` every unit must be observed in every period; with
    ``balanced=False`` missing unit-periods are NaN in ``y`` and flagged in
    ``observed``.
    """
    covariates = list(covariates or [])
    require_columns(df, {"outcome": outcome, "unit": unit, "time": time, "cohort": cohort,
                         "covariate": covariates, "cluster": cluster})
    check_missing(df, unit, "unit")
    check_missing(df, time, "time")
    check_missing(df, outcome, "outcome",
                  " With unbalanced='error' Callaway-Sant'Anna needs a balanced panel, so drop whole units."
                  if balanced else " With unbalanced='pairwise' the rows with a missing outcome can simply be "
                  "dropped: each 2x2 then uses the units observed in both of its periods.")
    for c in covariates:
        check_missing(df, c, "covariate")
    idx = panel_index(df, unit, time, sort_units=True)
    units, times, grid = idx.units, idx.times, idx.grid  # on a sorted full grid the wide form is a reshape
    n, T = len(units), len(times)
    ucodes, tcodes = (None, None) if grid else (idx.ucodes, idx.tcodes)
    if T < 2:
        raise ValueError(f"time column {time!r} has a single period; difference-in-differences needs two or more.")
    if grid:
        counts = np.full(n, T)
    elif idx.observed is not None:
        counts = idx.observed.reshape(n, T).sum(axis=1)
    else:
        counts = np.bincount(cast(np.ndarray, ucodes), minlength=n)  # codes are given off a grid
    if balanced and np.any(counts != T):
        bad = int((counts != T).sum())
        raise ValueError(
            f"the panel is unbalanced: {bad} of {n} units (column {unit!r}) are not observed in all {T} "
            f"periods of {time!r}. Callaway-Sant'Anna here needs a balanced panel; keep the units observed "
            f"in every period, e.g. df[df.groupby({unit!r})[{time!r}].transform('size') == {T}], or pass "
            f"unbalanced='pairwise' to compare, in each 2x2, the units observed in both periods."
        )
    full = bool(np.all(counts == T))
    if grid:
        y = df[outcome].to_numpy(dtype=float).reshape(n, T)
    else:  # one flat scatter puts the rows in unit x period order
        y = idx.scatter(df[outcome].to_numpy(dtype=float), np.empty(n * T) if full else np.full(n * T, np.nan))
        y = y.reshape(n, T)
    x = None
    if covariates:
        ucodes, tcodes = idx.ucodes, idx.tcodes
        x = np.empty((n, T, len(covariates))) if full else np.full((n, T, len(covariates)), np.nan)
        for j, c in enumerate(covariates):
            x[ucodes, tcodes, j] = df[c].to_numpy(dtype=float)
    g_unit = per_unit(df[cohort].to_numpy(), ucodes, n, cohort, "cohort", grid=grid)
    pos = cohort_positions(g_unit, times, cohort)
    cl = None
    if cluster is not None and cluster != unit:
        check_missing(df, cluster, "cluster")
        cl = per_unit(df[cluster].to_numpy(), ucodes, n, cluster, "cluster", grid=grid)
    observed = None
    if not full and idx.observed is not None:
        observed = idx.observed.reshape(n, T)
    elif not full:
        observed = np.zeros((n, T), dtype=bool)
        observed[ucodes, tcodes] = True
    return WidePanel(units=np.asarray(units), times=times, y=y, cohort=pos, x=x, cluster=cl, observed=observed)


def drop_first_period_treated(panel: WidePanel, cohort_col: str) -> WidePanel:
    """Drop units treated in (or before) the first period, as R ``did`` does; error if that is everyone."""
    first = panel.cohort == 0
    if not first.any():
        return panel
    if first.all():
        raise ValueError(
            f"every unit is treated in the first period ({panel.times[0]!r}) according to {cohort_col!r}; "
            "there is no untreated period to compare with. Add earlier periods or check the cohort coding "
            "(0 or NaN = never treated)."
        )
    warn_user(
        f"dropped {int(first.sum())} units already treated in the first period ({panel.times[0]!r}); "
        "they have no untreated period.",
        DroppedUnitsWarning,
    )
    keep = ~first
    return WidePanel(
        units=panel.units[keep], times=panel.times, y=panel.y[keep], cohort=panel.cohort[keep],
        x=None if panel.x is None else panel.x[keep],
        cluster=None if panel.cluster is None else panel.cluster[keep],
        observed=None if panel.observed is None else panel.observed[keep],
    )


def constant_within(levels: np.ndarray, cl_codes: np.ndarray, n_levels: int) -> np.ndarray | None:
    """The cluster of each fixed-effect level if every level sits inside a single cluster, else None."""
    head = min(len(levels), 100_000)  # a violation in the first rows is decisive and cheap to find
    for stop in ((head, len(levels)) if head < len(levels) else (head,)):
        first = np.zeros(n_levels, dtype=cl_codes.dtype)
        first[levels[:stop]] = cl_codes[:stop]
        if not np.array_equal(first[levels[:stop]], cl_codes[:stop]):
            return None
    return first


def nested(fe_codes: np.ndarray, cl_codes: np.ndarray) -> bool:
    """True if every fixed-effect level sits inside a single cluster."""
    return constant_within(fe_codes, cl_codes, int(fe_codes.max()) + 1) is not None


def numeric_column(df: pd.DataFrame, column: str, role: str, binary: bool) -> np.ndarray:
    """The numeric (or boolean) column as float; ``binary`` requires 0/1 values."""
    check_missing(df, column, role)
    if not (pd.api.types.is_numeric_dtype(df[column]) or pd.api.types.is_bool_dtype(df[column])):
        raise TypeError(f"{role} column {column!r} must be numeric (0/1), got dtype {df[column].dtype}.")
    v = df[column].to_numpy(dtype=float)
    if binary and not np.isin(v, (0.0, 1.0)).all():
        raise ValueError(f"{role} column {column!r} must be 0/1 (or boolean); found values {np.unique(v)[:5]}.")
    return v
