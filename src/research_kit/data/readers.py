"""Read the files statistical offices and banks send.

* CSV in UTF-8 (with or without BOM), GBK/GB18030 or UTF-16 — detected;
  optionally gzip-compressed (``.csv.gz``); delimiter detected (``,`` tab ``;`` ``|``);
* XLSX, with the header row detected when it is not the first row
  (titles and blank rows above the table are common), or given;
* Parquet.

Examples
--------
>>> from research_kit.data import read_table
>>> df = read_table("data/raw/businesses.csv")                # doctest: +SKIP
>>> df.attrs["encoding"]                                       # doctest: +SKIP
'gb18030'
"""

from __future__ import annotations

import gzip
import io
import os
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from research_kit.data.catalog import normalize_header

__all__ = ["ReadError", "RawTable", "detect_encoding", "read_raw", "read_table"]

Format = Literal["csv", "xlsx", "parquet"]
_HEADER_SCAN_ROWS = 30


class ReadError(ValueError):
    """A file that cannot be read at all (empty, undecodable, not a table)."""


@dataclass(frozen=True)
class RawTable:
    """A table as received, with the row numbers the user sees.

    ``rows[i]`` is the CSV line number (header on line ``header_row``) or the
    Excel row number of ``frame.iloc[i]``; for Parquet, the 1-based row position.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    row_kind: Literal["line", "row"]
    format: Format
    encoding: str | None = None
    header_row: int | None = None
    sheet: str | None = None
    delivered: pd.Timestamp | None = None  # the file's modification time: no month after it can be reported


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """(1-based line, 0-based byte offset of that line's start) of byte ``offset``."""
    return data.count(b"\n", 0, offset) + 1, data.rfind(b"\n", 0, offset) + 1


def _undecodable(data: bytes) -> str:
    """Where UTF-8 and GB18030 fail on ``data`` (the one that reads further), and the likely cause."""
    errors = {}
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            errors[encoding] = exc
    encoding, exc = max(errors.items(), key=lambda kv: kv[1].start)
    name = "UTF-8" if encoding == "utf-8" else "GBK/GB18030"
    line, start = _position(data, exc.start)
    end = data.find(b"\n", exc.start)
    end = len(data) if end < 0 else end
    shown = data[exc.start:exc.start + 4].hex(" ")
    where = f"line {line} (byte {exc.start} of the file, bytes {shown}) cannot be decoded as {name}"
    if exc.end >= len(data.rstrip(b"\r\n")):
        cause = ("the file ends in the middle of a character: it was cut off (truncated) during export or "
                 "transfer; ask for the file to be re-sent")
    elif encoding == "gb18030" and _decodes(data[start:end], "utf-8"):
        cause = (f"the file mixes encodings: it is GBK, but line {line} is UTF-8 (e.g. rows pasted from another "
                 "file); re-export the whole file in one encoding (UTF-8 or GBK)")
    elif encoding == "utf-8" and _decodes(data[start:end], "gb18030"):
        cause = (f"the file mixes encodings: it is UTF-8, but line {line} is GBK (e.g. rows pasted from another "
                 "file); re-export the whole file in one encoding (UTF-8 or GBK)")
    else:
        cause = ("the file is in another encoding, or damaged there; if it is, e.g., Big5, pass encoding= "
                 "(or set reader.encoding in data/catalog.yaml), otherwise ask for the file to be re-sent")
    return f"the text is neither UTF-8 nor GBK/GB18030: {where}; likely cause: {cause}"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes) -> str:
    """Return the text encoding of CSV bytes: ``utf-8-sig``, ``utf-16``, ``utf-8`` or ``gb18030``.

    GB18030 is a superset of GBK and GB2312, so GBK files decode with it.

    Examples
    --------
    >>> detect_encoding("县市区".encode("gbk")), detect_encoding("县市区".encode("utf-8"))
    ('gb18030', 'utf-8')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ReadError(_undecodable(data))


def _format_of(path: Path) -> tuple[Format, bool]:
    name = path.name.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    if name.endswith((".csv", ".txt", ".tsv")):
        return "csv", compressed
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx", compressed
    if name.endswith((".parquet", ".pq")):
        return "parquet", compressed
    if name.endswith(".xls"):
        raise ReadError(f"{path.name}: legacy .xls workbooks are not supported; open it in Excel/WPS and save as .xlsx")
    raise ReadError(f"{path.name}: unknown file type; expected .csv, .csv.gz, .xlsx or .parquet (or pass format=)")


def _read_bytes(path: Path, compressed: bool) -> bytes:
    data = path.read_bytes()
    if compressed or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ReadError(f"{path.name}: not a valid gzip file ({exc}); re-send the file") from None
    return data


def _detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_csv(
    path: Path, compressed: bool, *, encoding: str | None, header_row: int, delimiter: str | None, as_text: bool
) -> RawTable:
    data = _read_bytes(path, compressed)
    if not data.strip():
        raise ReadError(
            f"{path.name}: the file is empty ({len(data)} bytes); expected a header line and data rows — "
            "ask for the file to be re-sent"
        )
    try:
        used = encoding or detect_encoding(data)
    except ReadError as exc:
        raise ReadError(f"{path.name}: {exc}") from None
    try:
        text = data.decode(used)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ReadError(
            f"{path.name}: cannot decode with encoding {used!r} ({exc}); fix reader.encoding or omit it to detect"
        ) from None
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if len(lines) < header_row or not lines[header_row - 1].strip():
        raise ReadError(
            f"{path.name}: no header on line {header_row}; set reader.header_row to the line holding the column names"
        )
    sep = delimiter or _detect_delimiter(lines[header_row - 1])
    options: dict[str, Any] = {"sep": sep, "skiprows": header_row - 1, "skip_blank_lines": False, "index_col": False}
    if as_text:
        options.update(dtype=str, keep_default_na=False, na_filter=False)
    try:
        with warnings.catch_warnings():  # more fields than headers must not be silently dropped
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), **options)
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError) as exc:
        raise ReadError(f"{path.name}: not a well-formed table ({str(exc).strip()}); check delimiters and quoting") from None
    frame.columns = [str(c) for c in frame.columns]
    rows = _record_lines(text, header_row, sep, len(frame))
    return _drop_blank(RawTable(frame, rows, "line", "csv", encoding=used, header_row=header_row,
                                delivered=_modified(path)))


def _record_lines(text: str, header_row: int, sep: str, n: int) -> np.ndarray:
    """The physical line on which each of the ``n`` records after the header starts.

    A quoted cell may span several lines; counting records would then drift from the
    line numbers an editor shows.
    """
    simple = np.arange(n) + header_row + 1
    if '"' not in text:
        return simple
    import csv

    source = io.StringIO(text, newline="")
    for _ in range(header_row - 1):
        source.readline()
    reader = csv.reader(source, delimiter=sep)
    starts: list[int] = []
    consumed = 0
    try:
        for _ in reader:
            starts.append(header_row + consumed)
            consumed = reader.line_num
    except csv.Error:
        return simple
    starts = starts[1:]  # the header
    return np.asarray(starts, dtype=int) if len(starts) == n else simple


def _modified(path: Path) -> pd.Timestamp:
    return pd.Timestamp(path.stat().st_mtime, unit="s")


def _blank_mask(column: pd.Series) -> np.ndarray:
    if column.dtype == object:
        blank = lambda v: v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())  # noqa: E731
        return column.map(blank).to_numpy(bool)
    if pd.api.types.is_string_dtype(column):
        return (column.isna() | (column.str.strip() == "")).to_numpy(bool)
    return column.isna().to_numpy(bool)


def _drop_blank(table: RawTable) -> RawTable:
    frame = table.frame
    if frame.empty:
        return table
    blank = np.ones(len(frame), dtype=bool)
    for _, column in frame.items():
        blank &= _blank_mask(column)
    keep = ~blank
    if keep.all():
        return table
    return RawTable(frame.loc[keep].reset_index(drop=True), table.rows[keep], table.row_kind, table.format,
                    table.encoding, table.header_row, table.sheet, table.delivered)


def _detect_header(rows: Sequence[Sequence[Any]], expected: Sequence[str] | None) -> int | None:
    """1-based row number of the header among the first rows (None if not found)."""
    scan = rows[:_HEADER_SCAN_ROWS]
    if expected:
        wanted = {normalize_header(h) for h in expected}
        scores = [sum(normalize_header(c) in wanted for c in r if c is not None) for r in scan]
        best = max(scores, default=0)
        return scores.index(best) + 1 if best > 0 else None
    filled = [[c for c in r if c is not None and str(c).strip()] for r in scan]
    widest = max((len(f) for f in filled), default=0)
    for i, cells in enumerate(filled):
        if widest and len(cells) == widest and all(isinstance(c, str) for c in cells):
            return i + 1
    return None


def _read_xlsx(
    path: Path, *, sheet: str | int | None, header_row: int | None, expected: Sequence[str] | None, as_text: bool
) -> RawTable:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if path.stat().st_size == 0:
        raise ReadError(f"{path.name}: the file is empty (0 bytes); ask for the workbook to be re-sent")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError, zlib.error) as exc:
        raise ReadError(f"{path.name}: not a readable .xlsx workbook ({exc})") from None
    try:
        names = book.sheetnames
        if sheet is None:
            chosen = names[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise ReadError(f"{path.name}: no sheet number {sheet} (0-based); the workbook has sheets: {', '.join(names)}")
            chosen = names[sheet]
        elif sheet in names:
            chosen = sheet
        else:
            raise ReadError(f"{path.name}: sheet {sheet!r} not found; the workbook has sheets: {', '.join(names)}")
        values = [tuple(r) for r in book[chosen].iter_rows(values_only=True)]
    finally:
        book.close()
    if not any(any(c is not None for c in r) for r in values):
        raise ReadError(f"{path.name}: sheet {chosen!r} is empty; expected a header row and data rows")
    found = header_row or _detect_header(values, expected)
    if found is None or found > len(values):
        raise ReadError(
            f"{path.name}: cannot find the header row in sheet {chosen!r}"
            + (f" (looked for {', '.join(expected)})" if expected else "")
            + "; set reader.header_row in data/catalog.yaml (or pass header_row=) to its Excel row number"
        )
    header = values[found - 1]
    keep = [j for j, h in enumerate(header) if h is not None and str(h).strip()]
    columns = [str(header[j]).strip() for j in keep]
    body = [[r[j] if j < len(r) else None for j in keep] for r in values[found:]]
    frame = pd.DataFrame(body, columns=columns, dtype=object) if body else pd.DataFrame(columns=columns, dtype=object)
    if not as_text:
        frame = frame.infer_objects()
    rows = np.arange(len(frame)) + found + 1
    return _drop_blank(RawTable(frame, rows, "row", "xlsx", header_row=found, sheet=chosen, delivered=_modified(path)))


def read_raw(
    path: str | os.PathLike[str],
    *,
    format: Format | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    delimiter: str | None = None,
    expected_columns: Sequence[str] | None = None,
    as_text: bool = True,
) -> RawTable:
    """Read a table with its user-visible row numbers (see :func:`read_table` for options).

    With ``as_text=True`` CSV cells are strings exactly as written, XLSX cells are
    the stored values (text, numbers, datetimes) and Parquet columns keep their types.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"file not found: {path}")
    detected, compressed = _format_of(path) if format is None else (format, path.name.lower().endswith(".gz"))
    if detected == "csv":
        return _read_csv(path, compressed, encoding=encoding, header_row=header_row or 1, delimiter=delimiter, as_text=as_text)
    if compressed:
        raise ReadError(f"{path.name}: only CSV may be gzip-compressed; decompress the file first")
    if detected == "xlsx":
        return _read_xlsx(path, sheet=sheet, header_row=header_row, expected=expected_columns, as_text=as_text)
    if path.stat().st_size == 0:
        raise ReadError(f"{path.name}: the file is empty (0 bytes); ask for the file to be re-sent")
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise ReadError(f"{path.name}: not a readable Parquet file ({exc})") from None
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(frame.reset_index(drop=True), np.arange(len(frame)) + 1, "row", "parquet",
                    delivered=_modified(path))


def read_table(
    path: str | os.PathLike[str],
    *,
    format: Format | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    delimiter: str | None = None,
    as_text: bool = False,
) -> pd.DataFrame:
    """Read a CSV (encoding detected), XLSX or Parquet file into a DataFrame.

    Parameters
    ----------
    path : path
        ``.csv``, ``.csv.gz``, ``.tsv``, ``.txt``, ``.xlsx`` or ``.parquet``.
    format : {"csv", "xlsx", "parquet"}, optional
        Overrides the file-name suffix.
    encoding : str, optional
        CSV text encoding; detected when omitted (UTF-8 with/without BOM, UTF-16, GBK/GB18030).
    sheet : str or int, optional
        XLSX sheet name or 0-based index (default: the first sheet).
    header_row : int, optional
        1-based row (XLSX) or line (CSV) of the header. XLSX default: detected
        (the first row as wide as the table with text in every cell); CSV default: 1.
    delimiter : str, optional
        CSV delimiter; detected from the header line when omitted.
    as_text : bool
        Keep every CSV cell as text (no type inference; leading zeros survive).

    Returns
    -------
    pandas.DataFrame
        ``attrs`` records ``source``, ``format``, ``encoding``, ``header_row`` and ``sheet``.

    Raises
    ------
    ReadError
        If the file is empty, cannot be decoded or is not a table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "gbk.csv"
    >>> _ = p.write_bytes("县市区,金额\\n义乌市,12.5万元\\n".encode("gbk"))
    >>> read_table(p).iloc[0].tolist(), read_table(p).attrs["encoding"]
    (['义乌市', '12.5万元'], 'gb18030')
    """
    table = read_raw(path, format=format, encoding=encoding, sheet=sheet, header_row=header_row,
                     delimiter=delimiter, as_text=as_text)
    frame = table.frame
    frame.attrs.update(source=str(path), format=table.format, encoding=table.encoding,
                       header_row=table.header_row, sheet=table.sheet)
    return frame
