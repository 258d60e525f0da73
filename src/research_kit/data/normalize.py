"""Normalize the values Chinese statistical offices and banks send.

* amounts with units (元, 万元, 亿元, 美元, 万美元 ...), unit suffixes inside
  cells (``12.5万元``), thousands separators and full-width characters
  (``１２３，４５６．７``) → a float in the one unit a column declares;
* months (``2023年1月``, ``2023-01``, ``2023/1``, ``2023M01``, ``202301``,
  Excel dates) → a month-start :class:`pandas.Timestamp`.

Amounts are never converted between currencies: a 元 value in a 美元 column is
an error, because no exchange rate is implied by the data.

Examples
--------
>>> from research_kit.data import parse_amount, parse_month
>>> parse_amount("12.5万元", unit="元")
125000.0
>>> parse_month("2023年1月")
Timestamp('2023-01-01 00:00:00')
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "UNITS",
    "ParseError",
    "convert_amount",
    "is_missing",
    "parse_amount",
    "parse_date",
    "parse_month",
    "parse_number",
    "to_halfwidth",
]

#: unit → (currency, factor in the currency's base unit)
UNITS: dict[str, tuple[str, int]] = {
    "元": ("CNY", 1),
    "千元": ("CNY", 1_000),
    "万元": ("CNY", 10_000),
    "百万元": ("CNY", 1_000_000),
    "亿元": ("CNY", 100_000_000),
    "美元": ("USD", 1),
    "千美元": ("USD", 1_000),
    "万美元": ("USD", 10_000),
    "百万美元": ("USD", 1_000_000),
    "亿美元": ("USD", 100_000_000),
}
_UNIT_ALIASES = {"人民币元": "元", "人民币": "元", "CNY": "元", "RMB": "元", "USD": "美元", "US$": "美元"}
_CURRENCY_NAMES = {"CNY": "人民币 (CNY)", "USD": "美元 (USD)"}

NA_STRINGS: frozenset[str] = frozenset({"", "NA", "N/A", "NULL", "null", "NaN", "nan", "None", "NaT"})


class ParseError(ValueError):
    """A value that cannot be normalized.

    Attributes
    ----------
    kind : str
        A stable key for the kind of problem (``"not_a_number"``, ``"unknown_unit"``,
        ``"currency_mismatch"``, ``"impossible_month"``, ``"not_a_month"``,
        ``"unknown_county"``, ``"missing"`` ...), used to group problems.
    value : object
        The value as received.
    """

    def __init__(self, message: str, *, kind: str, value: Any = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.value = value


def is_missing(value: Any, *, na_strings: frozenset[str] | set[str] = NA_STRINGS) -> bool:
    """True for None, NaN, NaT and blank or NA-like strings (``""``, ``"NA"``, ``"NULL"``...).

    Examples
    --------
    >>> is_missing("  "), is_missing("NULL"), is_missing("0")
    (True, True, False)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.floating) and np.isnan(value):
        return True
    if isinstance(value, np.datetime64) and np.isnat(value):
        return True
    if isinstance(value, str):
        return to_halfwidth(value).strip() in na_strings
    return False


def to_halfwidth(text: str) -> str:
    """Replace full-width digits, letters and punctuation by their ASCII forms (NFKC).

    Examples
    --------
    >>> to_halfwidth("１２３，４５６．７")
    '123,456.7'
    """
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-")


def _unit_info(unit: str) -> tuple[str, int]:
    canonical = _UNIT_ALIASES.get(unit, unit)
    if canonical not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; known units: {', '.join(UNITS)}")
    return UNITS[canonical]


def convert_amount(value: float | np.ndarray, *, from_unit: str, to_unit: str) -> Any:
    """Convert an amount between units of the same currency.

    Multiplies or divides by an exact power of ten, so ``12.5`` 万元 is exactly
    ``125000.0`` 元. Different currencies raise :class:`ParseError` (kind
    ``"currency_mismatch"``).

    Examples
    --------
    >>> convert_amount(3.0, from_unit="亿元", to_unit="万元")
    30000.0
    """
    cur_from, f_from = _unit_info(from_unit)
    cur_to, f_to = _unit_info(to_unit)
    if cur_from != cur_to:
        raise ParseError(
            f"currency mismatch: amount in {from_unit} ({cur_from}) cannot be stored in {to_unit} "
            f"({cur_to}); amounts are never converted between currencies — convert with an explicit "
            "exchange rate before delivery, or declare the right unit in the catalog",
            kind="currency_mismatch",
            value=value,
        )
    if f_from == f_to:
        return value * 1.0
    if f_from > f_to:
        return value * float(f_from // f_to)
    return value / float(f_to // f_from)


_UNIT_SUFFIX = "|".join(sorted((*UNITS, *_UNIT_ALIASES), key=len, reverse=True)).replace("$", r"\$")
_AMOUNT_RE = re.compile(
    r"^(?P<sign>[+-]?)\s*(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE](?P<exp>[+-]?\d+))?"
    rf"\s*(?P<unit>{_UNIT_SUFFIX})?$"
)
_NUMBER_WITH_JUNK = re.compile(r"^[+-]?[\d,.]+\s*(?P<rest>\S.*)$")
_UNIT_ONLY = re.compile(rf"(?:{_UNIT_SUFFIX})")


def parse_amount(value: Any, *, unit: str = "元", default_unit: str | None = None) -> float:
    """Parse an amount and express it in ``unit``.

    Parameters
    ----------
    value : str, int or float
        ``12.5``, ``"1,234.50"``, ``"12.5万元"``, ``"１２３，４５６．７"``, ``"-3亿元"``.
        Blank values give NaN.
    unit : str
        The unit of the result (a key of :data:`UNITS`, e.g. ``"万美元"``).
    default_unit : str, optional
        The unit of values without a unit suffix (the unit in the source column
        header). Defaults to ``unit``.

    Returns
    -------
    float

    Raises
    ------
    ParseError
        ``kind="not_a_number"`` for text, ``"thousands_separator"`` for a
        malformed separator, ``"unknown_unit"`` for a suffix that is not a unit,
        ``"currency_mismatch"`` when the suffix's currency differs from ``unit``'s.

    Examples
    --------
    >>> parse_amount("12.5万元", unit="元")
    125000.0
    >>> parse_amount("１２３，４５６．７", unit="万元", default_unit="元")
    12.34567
    >>> parse_amount("1,234.50", unit="万美元")
    1234.5
    """
    source_unit = default_unit or unit
    _unit_info(unit)
    _unit_info(source_unit)
    if is_missing(value):
        return math.nan
    if isinstance(value, (bool, np.bool_)):
        raise ParseError(f"{value!r} is a boolean, not an amount", kind="not_a_number", value=value)
    if isinstance(value, (int, float, np.integer, np.floating, Decimal)):
        return float(convert_amount(float(value), from_unit=source_unit, to_unit=unit))
    if not isinstance(value, str):
        raise ParseError(f"{value!r} ({type(value).__name__}) is not an amount", kind="not_a_number", value=value)
    text = to_halfwidth(value).strip()
    match = _AMOUNT_RE.match(text)
    if match is None:
        junk = _NUMBER_WITH_JUNK.match(text)
        if junk is not None and _UNIT_ONLY.fullmatch(junk.group("rest")) and "," in text:
            raise ParseError(  # `1,2345元`: a known unit after a number whose separator is misplaced
                f"malformed thousands separator in {value!r}; expected groups of three digits like 1,234.5",
                kind="thousands_separator",
                value=value,
            )
        if junk is not None and re.fullmatch(r"[\u4e00-\u9fffA-Za-z$]+", junk.group("rest")):
            raise ParseError(
                f"unknown unit {junk.group('rest')!r} in {value!r}; known units: {', '.join(UNITS)}",
                kind="unknown_unit",
                value=value,
            )
        if re.fullmatch(r"[+-]?[\d,]+(?:\.\d+)?", text):
            raise ParseError(
                f"malformed thousands separator in {value!r}; expected groups of three digits like 1,234.5",
                kind="thousands_separator",
                value=value,
            )
        raise ParseError(f"{value!r} is not a number", kind="not_a_number", value=value)
    number = match.group("num").replace(",", "")
    try:
        amount = Decimal(match.group("sign") + number)
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        raise ParseError(f"{value!r} is not a number", kind="not_a_number", value=value) from None
    if match.group("exp"):
        amount = amount.scaleb(int(match.group("exp")))
    cell_unit = _UNIT_ALIASES.get(match.group("unit") or "", match.group("unit") or source_unit)
    cur_cell, f_cell = _unit_info(cell_unit)
    cur_to, f_to = _unit_info(unit)
    if cur_cell != cur_to:
        raise ParseError(
            f"currency mismatch: {value!r} is in {cell_unit} ({_CURRENCY_NAMES[cur_cell]}) but the "
            f"column is in {unit} ({_CURRENCY_NAMES[cur_to]}); amounts are never converted between "
            "currencies — convert with an explicit exchange rate before delivery",
            kind="currency_mismatch",
            value=value,
        )
    return float(amount * f_cell / f_to)


def parse_number(value: Any, *, percent: bool = False) -> float:
    """Parse a plain number (full-width digits and thousands separators allowed).

    Parameters
    ----------
    value : str, int or float
    percent : bool
        Accept a trailing ``%`` (the number is returned unchanged: ``"5.2%"`` → ``5.2``).

    Examples
    --------
    >>> parse_number("１，２３４．５"), parse_number("5.2%", percent=True)
    (1234.5, 5.2)
    """
    if isinstance(value, str):
        text = to_halfwidth(value).strip()
        if percent and text.endswith("%"):
            text = text[:-1].strip()
        match = _AMOUNT_RE.match(text)
        if match is not None and match.group("unit"):
            raise ParseError(f"{value!r} has a unit; this column holds plain numbers", kind="not_a_number", value=value)
        value = text
    return parse_amount(value, unit="元")


_MONTH_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月份?(?:(?P<d>\d{1,2})日)?$"),
    re.compile(r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})(?:[-/](?P<d>\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)?$"),
    re.compile(r"^(?P<y>\d{4})[Mm](?P<m>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)
_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)


def _month_from_parts(year: int, month: int, day: int | None, value: Any) -> pd.Timestamp:
    if not 1900 <= year <= 2100:
        raise ParseError(f"{value!r}: year {year} is out of range (expected 1900–2100)", kind="impossible_month", value=value)
    if not 1 <= month <= 12:
        raise ParseError(f"{value!r}: month {month} does not exist (expected 1–12)", kind="impossible_month", value=value)
    if day is not None:
        try:
            _dt.date(year, month, day)
        except ValueError:
            raise ParseError(
                f"{value!r}: day {day} does not exist in {year}-{month:02d}", kind="impossible_month", value=value
            ) from None
    return pd.Timestamp(year=year, month=month, day=1)


def parse_month(value: Any) -> pd.Timestamp:
    """Parse a month and return the first day of that month.

    Accepted: ``2023年1月``, ``2023年01月``, ``2023-01``, ``2023/1``, ``2023M01``,
    ``2023m1``, ``202301``; full dates (``2023-01-31``, ``2023年1月31日``) give
    their month; datetime, date and Timestamp objects (Excel date cells);
    integers ``202301``; Excel serial day numbers (``44927`` → 2023-01).
    Blank values give ``NaT``.

    Raises
    ------
    ParseError
        ``kind="impossible_month"`` for ``2023年13月`` or ``2023-00``,
        ``kind="not_a_month"`` for anything else that is not a month.

    Examples
    --------
    >>> parse_month("2023M01") == parse_month(202301) == parse_month("2023/1")
    True
    >>> parse_month("2023年12月").strftime("%Y-%m-%d")
    '2023-12-01'
    """
    if is_missing(value):
        return pd.NaT  # type: ignore[return-value]
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date, np.datetime64)):
        ts = pd.Timestamp(value)
        return pd.Timestamp(year=ts.year, month=ts.month, day=1)
    if isinstance(value, bool):
        raise ParseError(f"{value!r} is not a month", kind="not_a_month", value=value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if number.is_integer() and 100_000 <= number <= 999_999:
            return _month_from_parts(int(number) // 100, int(number) % 100, None, value)
        if 1 <= number < 100_000:  # Excel serial day number (1900 date system)
            day = _EXCEL_EPOCH + _dt.timedelta(days=math.floor(number))
            return pd.Timestamp(year=day.year, month=day.month, day=1)
        raise ParseError(f"{value!r} is not a month (expected e.g. 202301 or 2023-01)", kind="not_a_month", value=value)
    if not isinstance(value, str):
        raise ParseError(f"{value!r} ({type(value).__name__}) is not a month", kind="not_a_month", value=value)
    text = re.sub(r"\s*([年月日份Mm/-])\s*", r"\1", re.sub(r"\s+", " ", to_halfwidth(value).strip()))
    if text.endswith(".0") and text[:-2].isdigit():  # 202301.0 from a spreadsheet
        text = text[:-2]
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match is not None:
            day = match.groupdict().get("d")
            return _month_from_parts(int(match["y"]), int(match["m"]), int(day) if day else None, value)
    raise ParseError(
        f"{value!r} is not a month; expected e.g. 2023年1月, 2023-01, 2023/1, 2023M01 or 202301",
        kind="not_a_month",
        value=value,
    )


def parse_date(value: Any) -> pd.Timestamp:
    """Parse a calendar day: ``2023年1月5日``, ``2023-01-05``, ``2023/1/5``, ``20230105``.

    Also datetime, date and Timestamp objects (Excel date cells, time of day
    dropped) and Excel serial day numbers (``44931`` → 2023-01-05). Blank values
    give ``NaT``. A month without a day (``2023年1月``) is an error, because the
    day matters (a loan issued on the 31st is outstanding at that month's end).

    Raises
    ------
    ParseError
        ``kind="impossible_date"`` for ``2023年2月30日``, ``kind="not_a_date"`` otherwise.

    Examples
    --------
    >>> parse_date("2023年1月5日") == parse_date("2023-01-05") == parse_date("20230105") == parse_date(44931)
    True
    """
    if is_missing(value):
        return pd.NaT  # type: ignore[return-value]
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date, np.datetime64)):
        return pd.Timestamp(value).normalize()
    if isinstance(value, bool):
        raise ParseError(f"{value!r} is not a date", kind="not_a_date", value=value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if number.is_integer() and 19_000_101 <= number <= 21_001_231:
            value = str(int(number))
        elif 1 <= number < 100_000:  # Excel serial day number (1900 date system)
            return pd.Timestamp(_EXCEL_EPOCH + _dt.timedelta(days=math.floor(number)))
        else:
            raise ParseError(f"{value!r} is not a date (expected e.g. 2023-01-05)", kind="not_a_date", value=value)
    if not isinstance(value, str):
        raise ParseError(f"{value!r} ({type(value).__name__}) is not a date", kind="not_a_date", value=value)
    text = re.sub(r"\s*([年月日号/-])\s*", r"\1", re.sub(r"\s+", " ", to_halfwidth(value).strip())).replace("号", "日")
    for pattern in (_MONTH_PATTERNS[0], _MONTH_PATTERNS[1], _MONTH_PATTERNS[4]):
        match = pattern.match(text)
        if match is not None and match.groupdict().get("d"):
            year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
            try:
                _month_from_parts(year, month, day, value)
            except ParseError as exc:
                raise ParseError(str(exc), kind="impossible_date", value=value) from None
            return pd.Timestamp(year=year, month=month, day=day)
    raise ParseError(
        f"{value!r} is not a date; expected e.g. 2023年1月5日, 2023-01-05, 2023/1/5 or 20230105",
        kind="not_a_date",
        value=value,
    )
