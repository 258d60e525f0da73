"""Check raw tables against their catalog schema and convert them to processed columns.

Every problem is collected — not only the first — as a :class:`Problem` that
names the file, the column, the row numbers the user sees (CSV line with the
header on line 1, Excel row), a few offending values and what to do.

Examples
--------
>>> from research_kit.data import DataValidationError, Problem
>>> err = DataValidationError([Problem("data/raw/a.csv", "县市区", (4,), ("金华县",), "unknown county")])
>>> print(err)
data validation failed (1 problem):
  1. data/raw/a.csv, column 县市区, row 4: unknown county. Found: '金华县'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from research_kit.data.catalog import ColumnSpec, DatasetSpec, normalize_header
from research_kit.data.counties import COUNTIES, county_code
from research_kit.data.normalize import (
    NA_STRINGS,
    UNITS,
    ParseError,
    convert_amount,
    parse_amount,
    parse_date,
    parse_month,
    parse_number,
)
from research_kit.data.readers import RawTable

__all__ = ["DataValidationError", "Problem", "convert_table"]

_SHOW_ROWS = 10
_SHOW_VALUES = 5
_VALUE_WIDTH = 40


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data.

    Attributes
    ----------
    file : str
        Path of the file, relative to the project root where possible.
    column : str or None
        The column header as it appears in the file (``None`` for whole-file problems).
    rows : tuple of int
        Row numbers as the user sees them: CSV line numbers (header = line 1),
        Excel row numbers, or 1-based Parquet row positions. All of them, not truncated.
    values : tuple of str
        A few distinct offending values, as received (truncated).
    message : str
        What was seen, what was expected and what to do.
    dataset : str or None
        Catalog name of the dataset.
    field : str or None
        Processed (English) column name.
    row_kind : {"line", "row"}
        How ``rows`` are counted (CSV lines or spreadsheet/Parquet rows).
    """

    file: str
    column: str | None
    rows: tuple[int, ...]
    values: tuple[str, ...]
    message: str
    dataset: str | None = None
    field: str | None = None
    row_kind: str = "row"

    def __str__(self) -> str:
        where = [self.file]
        if self.column:
            label = self.column if not self.field or self.field == self.column else f"{self.column} ({self.field})"
            where.append(f"column {label}")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:_SHOW_ROWS])
            more = f" … (+{len(self.rows) - _SHOW_ROWS} more)" if len(self.rows) > _SHOW_ROWS else ""
            where.append(f"{self.row_kind}{'s' if len(self.rows) > 1 else ''} {shown}{more}")
        text = f"{', '.join(where)}: {self.message}"
        if self.values:
            text += ". Found: " + ", ".join(repr(v) for v in self.values)
        return text


class DataValidationError(ValueError):
    """Raw data that breaks its catalog schema; ``.problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem], *, summary: str = "data validation failed") -> None:
        self.problems: list[Problem] = list(problems)
        self.summary = summary
        super().__init__(str(self))

    def __reduce__(self) -> tuple[Any, ...]:  # picklable (papermill/Dask workers send exceptions back)
        return (type(self), (self.problems,), {"summary": self.summary})

    def __str__(self) -> str:
        n = len(self.problems)
        lines = [f"{self.summary} ({n} problem{'s' if n != 1 else ''}):"]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)


def _shorten(value: Any) -> str:
    text = str(value)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


@dataclass
class _Failure:
    kind: str
    positions: np.ndarray
    values: tuple[str, ...]


def _missing_mask(column: pd.Series, na_values: frozenset[str]) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        return column.isna().to_numpy(bool)
    if column.dtype != object:  # text columns (CSV)
        return (column.isna() | column.str.strip().isin(na_values)).to_numpy(bool)
    stripped = column.map(lambda v: v.strip() if isinstance(v, str) else v)
    return (stripped.isna() | stripped.isin(na_values)).to_numpy(bool)


def _blank(column: pd.Series) -> np.ndarray:
    """Cells with no text at all (None, NaN, empty or spaces), as opposed to markers such as ``N/A``."""
    return column.map(lambda v: v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT
                      or (isinstance(v, str) and not v.strip())).to_numpy(bool)


def _failure(kind: str, positions: np.ndarray, raw: pd.Series) -> _Failure:
    shown = pd.unique(raw.iloc[positions].astype("object").map(_shorten))[:_SHOW_VALUES]
    return _Failure(kind, positions, tuple(str(v) for v in shown))


def _parse_each(raw: pd.Series, todo: np.ndarray, parse: Callable[[Any], Any]) -> tuple[np.ndarray, np.ndarray, list[_Failure]]:
    """Parse the distinct values at positions ``todo``: (positions parsed, their values, failures)."""
    if not todo.any():
        return np.array([], dtype=int), np.array([], dtype=object), []
    idx = np.flatnonzero(todo)
    codes, uniques = pd.factorize(raw.iloc[idx].astype("object"), use_na_sentinel=False)
    parsed = np.empty(len(uniques), dtype=object)
    kinds = np.full(len(uniques), "", dtype=object)
    for i, u in enumerate(uniques):
        try:
            parsed[i] = parse(u)
        except ParseError as exc:
            kinds[i] = exc.kind
    row_kinds = kinds[codes]
    ok = row_kinds == ""
    failures = [_failure(k, idx[row_kinds == k], raw) for k in dict.fromkeys(kinds[kinds != ""])]
    return idx[ok], parsed[codes[ok]], failures


def _numbers(
    raw: pd.Series, present: np.ndarray, slow: Callable[[Any], float], fast: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, list[_Failure]]:
    values = np.full(len(raw), np.nan)
    boolean = np.zeros(len(raw), dtype=bool)
    if raw.dtype == object or pd.api.types.is_bool_dtype(raw):  # TRUE/FALSE cells (XLSX, Parquet) are not numbers
        boolean = present & raw.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(bool)
        raw_numeric = raw.astype(object).where(~boolean)
    else:
        raw_numeric = raw
    quick = pd.to_numeric(raw_numeric.where(present), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = present & np.isfinite(quick) & ~boolean
    values[ok] = fast(quick[ok])
    positions, parsed, failures = _parse_each(raw, present & ~ok & ~boolean, slow)
    if boolean.any():
        failures.insert(0, _failure("boolean", np.flatnonzero(boolean), raw))
    values[positions] = parsed.astype(float)
    failed = np.zeros(len(raw), dtype=bool)
    for f in failures:
        failed[f.positions] = True
    bad = present & ~np.isfinite(values) & ~failed & ~boolean
    if bad.any():
        failures.append(_failure("not_a_number", np.flatnonzero(bad), raw))
    return values, failures


def _convert(raw: pd.Series, spec: ColumnSpec, present: np.ndarray) -> tuple[pd.Series, list[_Failure]]:
    n = len(raw)
    if spec.dtype in ("int", "float", "amount"):
        if spec.dtype == "amount":
            unit, source_unit = spec.unit or "元", spec.source_unit or spec.unit or "元"
            values, failures = _numbers(
                raw, present,
                lambda v: parse_amount(v, unit=unit, default_unit=source_unit),
                lambda x: convert_amount(x, from_unit=source_unit, to_unit=unit),
            )
        else:
            values, failures = _numbers(raw, present, lambda v: parse_number(v, percent=spec.unit == "%"), lambda x: x)
        if spec.dtype == "int":
            frac = present & np.isfinite(values) & (values != np.floor(values))
            if frac.any():
                failures.append(_failure("not_integer", np.flatnonzero(frac), raw))
                values[frac] = np.nan
            whole = np.isfinite(values)
            if whole.all():
                return pd.Series(values.astype("int64")), failures
            series = pd.Series(pd.array(np.where(whole, values, 0).astype("int64"), dtype="Int64"))
            series[~whole] = pd.NA
            return series, failures
        return pd.Series(values, dtype="float64"), failures
    if spec.dtype in ("month", "date"):
        positions, parsed, failures = _parse_each(raw, present, parse_month if spec.dtype == "month" else parse_date)
        months = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        months[positions] = pd.DatetimeIndex(list(parsed)).to_numpy(dtype="datetime64[ns]")
        return pd.Series(months), failures
    if spec.dtype == "county":
        positions, parsed, failures = _parse_each(raw, present, county_code)
    elif spec.dtype == "category":
        positions, parsed, failures = _parse_each(raw, present, lambda v: _category(v, spec))
    else:
        positions, parsed, failures = _parse_each(raw, present, lambda v: _string(v, spec))
    values_obj = np.full(n, None, dtype=object)
    values_obj[positions] = parsed
    if spec.dtype == "category":
        return pd.Series(pd.Categorical(values_obj, categories=list(spec.categories))), failures
    return pd.Series(values_obj, dtype="str"), failures


def _category(value: Any, spec: ColumnSpec) -> str:
    key = normalize_header(value)
    mapping = spec.values or {}
    if key in mapping:
        return mapping[key]
    if key in spec.categories:
        return key
    raise ParseError(f"unknown category {value!r}", kind="unknown_category", value=value)


def _string(value: Any, spec: ColumnSpec) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if spec.pattern is not None:
        if re.fullmatch(spec.pattern, text) is None:
            raise ParseError(f"{value!r} does not match {spec.pattern}", kind="pattern", value=value)
    return text


def _range_failures(values: pd.Series, spec: ColumnSpec, raw: pd.Series) -> list[_Failure]:
    if spec.dtype not in ("int", "float", "amount", "string") or values.isna().all():
        return []
    failures = []
    if spec.dtype != "string":
        x = values.astype("float64").to_numpy(na_value=np.nan)
        for kind, bound, test in (
            ("below_min", spec.min, lambda b: x < b),
            ("above_max", spec.max, lambda b: x > b),
            ("not_greater", spec.greater_than, lambda b: x <= b),
            ("not_less", spec.less_than, lambda b: x >= b),
        ):
            if bound is not None:
                hit = np.flatnonzero(np.nan_to_num(test(bound), nan=False).astype(bool) & np.isfinite(x))
                if hit.size:
                    failures.append(_failure(kind, hit, raw))
    if spec.allowed is not None:
        allowed = {str(a) for a in spec.allowed} | {a for a in spec.allowed if not isinstance(a, str)}
        ok = values.map(lambda v: v in allowed or str(v) in allowed).to_numpy(bool)
        hit = np.flatnonzero(values.notna().to_numpy(bool) & ~ok)
        if hit.size:
            failures.append(_failure("not_allowed", hit, raw))
    return failures


def _ym(value: Any, dtype: str = "month") -> str:
    if value is None:
        return "?"
    return pd.Timestamp(value).strftime("%Y-%m" if dtype == "month" else "%Y-%m-%d")


def _month_bounds(values: pd.Series, spec: ColumnSpec, raw: pd.Series,
                  delivered: pd.Timestamp | None) -> list[_Failure]:
    """Months (dates) outside the catalog's ``min``/``max``; months after the file's delivery month.

    The delivery bound applies to ``month`` columns without a ``max`` (a report cannot cover a
    month after it was delivered); ``date`` columns hold future dates legitimately (maturities),
    so only their declared bounds apply.
    """
    if values.isna().all():
        return []
    x = values.to_numpy(dtype="datetime64[ns]")
    known = ~np.isnat(x)
    failures = []
    checks = [("month_before_min", spec.min, lambda b: x < b)]
    if spec.max is not None:
        checks.append(("month_after_max", spec.max, lambda b: x > b))
    elif delivered is not None and spec.dtype == "month":
        checks.append(("month_after_delivery", delivered, lambda b: x > b))
    for kind, bound, test in checks:
        if bound is None:
            continue
        stamp = pd.Timestamp(bound)
        start = (stamp.to_period("M").to_timestamp() if spec.dtype == "month" else stamp.normalize()).to_datetime64()
        hit = np.flatnonzero(known & test(start.astype("datetime64[ns]")))
        if hit.size:
            failures.append(_failure(kind, hit, raw))
    return failures


def _message(kind: str, spec: ColumnSpec, dataset: str, delivered: pd.Timestamp | None = None) -> str:
    unit = f" in {spec.unit}" if spec.unit else ""
    same_currency = [u for u, (c, _) in UNITS.items() if spec.unit in UNITS and c == UNITS[spec.unit][0]]
    fix_catalog = f"data/catalog.yaml (datasets.{dataset}.columns.{spec.name})"
    bound = lambda v: f"{v:g}" if v is not None else ""  # noqa: E731
    allowed = ", ".join(map(str, spec.allowed or ()))
    messages = {
        "missing": (
            f"required value is missing (blank cell); fill it in, or set `required: false` in {fix_catalog} "
            "if blanks are legitimate"
        ),
        "missing_marker": (
            "required value is missing: the cell holds a missing-value marker (read as no value); fill in the "
            f"value, or set `required: false` in {fix_catalog} if missing values are legitimate"
        ),
        "boolean": (
            "TRUE/FALSE (boolean) cells in a numeric column: expected a number"
            + (f" (one of {allowed})" if spec.allowed else "") + "; deliver the column as numbers (e.g. 1/0)"
        ),
        "month_before_min": (f"{spec.dtype} before the allowed range: expected ≥ {_ym(spec.min, spec.dtype)} "
                             f"(min in {fix_catalog})"),
        "month_after_max": (f"{spec.dtype} after the allowed range: expected ≤ {_ym(spec.max, spec.dtype)} "
                            f"(max in {fix_catalog})"),
        "month_after_delivery": (
            f"month after the delivery of the file: the file was delivered (last modified) in {_ym(delivered)}, "
            f"so it cannot report a later month; expected ≤ {_ym(delivered)}. Fix the cell; if future months are "
            f"legitimate (targets, forecasts), declare `max:` in {fix_catalog}"
        ),
        "not_a_number": "text in a numeric column: expected a number such as 12.5" + (f" (unit: {spec.unit})" if spec.unit else ""),
        "thousands_separator": (
            "malformed thousands separator: expected groups of three digits such as 1,234.5 (a comma inside "
            "a group of four, as in 1,2345, is not a thousands separator: write 12345)"
        ),
        "unknown_unit": (
            f"unknown unit suffix: expected a number{unit}, optionally with one of the suffixes {', '.join(same_currency)}"
        ),
        "currency_mismatch": (
            f"currency mismatch: the column holds {spec.unit} but these cells are in another currency; amounts are "
            "never converted between currencies — convert with an explicit exchange rate before delivery, or fix "
            f"the unit in {fix_catalog}"
        ),
        "not_integer": "wrong type: expected a whole number" + (f" (one of {allowed})" if spec.allowed else ""),
        "not_a_month": "not a month: expected e.g. 2023年1月, 2023-01, 2023/1, 2023M01 or 202301",
        "impossible_month": "impossible date: the month must be 1–12 (and a day must exist in its month)",
        "not_a_date": "not a date: expected a day such as 2023年1月5日, 2023-01-05, 2023/1/5 or 20230105",
        "impossible_date": "impossible date: the day does not exist in its month (e.g. 2023年2月30日)",
        "unknown_county": f"unknown county: expected one of the 9 county-level divisions of Jinhua: {', '.join(COUNTIES['name_zh'])}",
        "unknown_category": (
            f"unknown category value: expected one of {', '.join(spec.values or {})}; if this is a new category, "
            f"add it to `values` in {fix_catalog}"
        ),
        "pattern": f"value does not match the expected pattern {spec.pattern}",
        "below_min": (
            f"negative values are not allowed: expected ≥ 0{unit}" if spec.min == 0
            else f"value below the allowed range: expected ≥ {bound(spec.min)}{unit}"
        ),
        "above_max": f"value above the allowed range: expected ≤ {bound(spec.max)}{unit}",
        "not_greater": f"value outside the allowed range: expected > {bound(spec.greater_than)}{unit}",
        "not_less": f"value outside the allowed range: expected < {bound(spec.less_than)}{unit}",
        "not_allowed": f"value not allowed: expected one of {allowed}",
    }
    return messages.get(kind, kind)


@dataclass
class ConvertedTable:
    """Processed columns of one raw file, with the user-visible row number of each row."""

    frame: pd.DataFrame
    rows: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def convert_table(table: RawTable, spec: DatasetSpec, *, file: str) -> ConvertedTable:
    """Convert one raw table to the processed columns of ``spec``, collecting every problem.

    Examples
    --------
    >>> from research_kit.data.readers import read_raw                # doctest: +SKIP
    >>> convert_table(read_raw("data/raw/businesses.csv"), spec, file="businesses.csv").problems  # doctest: +SKIP
    []
    """
    def problem(column: str | None, field_: str | None, rows: Sequence[int], values: Sequence[str], message: str) -> Problem:
        return Problem(file, column, tuple(int(r) for r in rows), tuple(values), message, spec.name, field_, table.row_kind)

    headers = {normalize_header(h): h for h in reversed(list(table.frame.columns))}
    found: dict[str, str] = {}
    result = ConvertedTable(pd.DataFrame(index=range(len(table.frame))), table.rows)
    for col in spec.columns:
        header = next((headers[normalize_header(h)] for h in col.headers if normalize_header(h) in headers), None)
        if header is None:
            expected = " or ".join(repr(h) for h in col.headers)
            result.problems.append(problem(
                col.source or col.name, col.name, (), (),
                f"missing column: expected a column headed {expected}; the file has columns: "
                f"{', '.join(map(str, table.frame.columns))}. Fix the header or add an alias in data/catalog.yaml",
            ))
        else:
            found[col.name] = header
    extra = [c for c in table.frame.columns if c not in set(found.values())]
    if extra:
        result.notes.append(f"{file}: ignored column(s) not in the catalog: {', '.join(map(str, extra))}")
    if table.frame.empty:
        message = "the file has a header but no data rows; was the export cut off? Ask for it to be re-sent"
        result.problems.append(problem(None, None, (), (), message))
        return result
    na_values = frozenset(NA_STRINGS | set(spec.reader.na_values))
    for col in spec.columns:
        if col.name not in found:
            continue
        raw = table.frame[found[col.name]].reset_index(drop=True)
        missing = _missing_mask(raw, na_values)
        values, failures = _convert(raw, col, ~missing)
        failures += _range_failures(values, col, raw)
        if col.dtype in ("month", "date"):
            failures += _month_bounds(values, col, raw, table.delivered)
        if col.required and missing.any():
            marker = missing & ~_blank(raw)  # N/A, NULL ...: show the value that was read as missing
            if marker.any():
                failures.insert(0, _failure("missing_marker", np.flatnonzero(marker), raw))
            if (missing & ~marker).any():
                failures.insert(0, _Failure("missing", np.flatnonzero(missing & ~marker), ()))
        for f in failures:
            rows = table.rows[np.sort(f.positions)]
            result.problems.append(problem(found[col.name], col.name, rows, f.values,
                                           _message(f.kind, col, spec.name, table.delivered)))
        result.frame[col.name] = values.set_axis(result.frame.index)
    return result
