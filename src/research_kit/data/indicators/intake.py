"""Intake of filled templates: validate every row of every file in ``data/raw/indicators/``.

:func:`read_filings` is what ``research-kit prepare`` runs for the catalog dataset
``indicator_filings``. Every problem of every file is collected; each names the
file, the sheet, the row, the indicator and the value, and says what to do.
Nothing is written when any file has a problem (``prepare`` is all or nothing).

A row is a filing when any of 责任单位, 数值, 备注, 数据来源 is filled; rows with
all four blank are template rows the department left alone and are skipped.

The processed table keeps every filed row — revisions included — with its file
and filing date; :func:`latest_as_of` picks, for a date, the latest filing of each
indicator, county and period filed on or before it.

Examples
--------
>>> from research_kit.data.indicators import read_filings
>>> res = read_filings([])
>>> len(res.frame), res.problems
(0, [])
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from research_kit.data.counties import COUNTIES
from research_kit.data.indicators.definitions import Definitions, UnitError, convert_value, load_definitions
from research_kit.data.indicators.template import CITY, COLUMNS, HEADER_ROW, KIND_CHOICES, SHEET
from research_kit.data.manifest import relative
from research_kit.data.normalize import ParseError, parse_month, parse_number
from research_kit.data.validate import Problem

__all__ = ["FILING_COLUMNS", "FilingsResult", "latest_as_of", "read_filings"]

DATASET = "indicator_filings"
#: Columns of the processed table (data/processed/indicator_filings.parquet).
FILING_COLUMNS = ("indicator", "county", "period", "value", "done", "done_date", "value_filed", "unit_filed",
                  "conversion", "responsible", "note", "source", "file", "row", "filed_at", "synthetic")
_YES, _NO = {"是", "已完成", "完成", "Y", "YES", "TRUE"}, {"否", "未完成", "N", "NO", "FALSE"}


@dataclass
class FilingsResult:
    """Processed rows, problems and notes of a set of filing files."""

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: np.ndarray = field(default_factory=lambda: np.array([], dtype=int))
    files: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and np.isnan(v))


def _text(v: Any) -> str:
    if _blank(v):
        return ""
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _county(value: str) -> str | None:
    from research_kit.data.counties import county_code

    try:
        code = county_code(value)
    except (ParseError, ValueError, KeyError):
        return None
    return str(COUNTIES.loc[code, "name_zh"])


def _period(value: Any) -> pd.Period | None:
    if isinstance(value, (_dt.datetime, _dt.date)):
        return pd.Period(value, freq="M")
    text = _text(value)
    if not text:
        return None
    try:
        return pd.Period(parse_month(text), freq="M")
    except (ParseError, ValueError, TypeError):
        return None


def _date(value: Any) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"):
        try:
            return _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class _File:
    """Reads one workbook and collects its problems."""

    def __init__(self, path: Path, shown: str, defs: Definitions) -> None:
        self.path, self.shown, self.defs = path, shown, defs
        self.problems: list[Problem] = []
        self.records: list[dict[str, Any]] = []
        self.current = ""  # 数值 of the row being read, named in every message about it

    def problem(self, column: str | None, row: int | tuple[int, ...] | None, value: Any, message: str,
                indicator: str | None = None) -> None:
        rows = () if row is None else (row,) if isinstance(row, int) else row
        what = f"indicator {indicator}, 数值 {self.current!r}: " if indicator else ""
        shown = () if value is None else (_text(value) if not isinstance(value, str) else value,)
        self.problems.append(Problem(f"{self.shown}, sheet {SHEET}", column, tuple(rows), shown, what + message,
                                     DATASET, None, "row"))

    def read(self) -> None:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(self.path, data_only=True, read_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the sender's to fix
            self.problems.append(Problem(self.shown, None, (), (), f"not a readable XLSX workbook ({exc}); "
                                         "save it again from Excel/WPS as .xlsx", DATASET))
            return
        if SHEET not in wb.sheetnames:
            self.problems.append(Problem(self.shown, None, (), tuple(wb.sheetnames[:5]),
                                         f"sheet {SHEET!r} not found; fill in the template of `research-kit targets "
                                         "template` without renaming its sheets", DATASET))
            return
        rows = [tuple(r) for r in wb[SHEET].iter_rows(values_only=True)]
        wb.close()
        header = [_text(v) for v in rows[HEADER_ROW - 1]] if len(rows) >= HEADER_ROW else []
        if tuple(header[: len(COLUMNS)]) != COLUMNS:
            self.problem(None, HEADER_ROW, " | ".join(header[: len(COLUMNS)]),
                         f"the header must be {' | '.join(COLUMNS)} (row {HEADER_ROW} of the template); "
                         "do not edit the header rows")
            return
        meta = {_text(r[0]): r[1] for r in rows[: HEADER_ROW - 1] if r and len(r) > 1}
        meta.update({_text(r[2]): r[3] for r in rows[: HEADER_ROW - 1] if r and len(r) > 3})
        filed = _date(meta.get("填报日期"))
        if filed is None:
            self.problem("填报日期", 2, meta.get("填报日期"), "填报日期 is missing or not a date; "
                         "write the date of this filing in cell B2, e.g. 2025-07-15")
            return
        kind = _text(meta.get("数据性质")) or KIND_CHOICES[0]
        if kind not in KIND_CHOICES:
            self.problem("数据性质", 2, kind, f"数据性质 must be one of {', '.join(KIND_CHOICES)}")
            return
        seen: dict[tuple[str, str, str], int] = {}
        for n, raw in enumerate(rows[HEADER_ROW:], start=HEADER_ROW + 1):
            cells = dict(zip(COLUMNS, list(raw) + [None] * (len(COLUMNS) - len(raw))))
            rec = self.row(n, cells, filed, kind == KIND_CHOICES[1])
            if rec is None:
                continue
            key = (rec["indicator"], rec["county"], rec["period"])
            if key in seen:
                self.problem("指标代码", (seen[key], n), rec["indicator"],
                             f"县（市、区） {rec['county']}, 报告期 {rec['period']} is filed twice in this file "
                             f"(rows {seen[key]} and {n}); keep one row (a correction goes in a later filing)",
                             rec["indicator"])
                continue
            seen[key] = n
            self.records.append(rec)

    def row(self, n: int, c: dict[str, Any], filed: _dt.date, synthetic: bool) -> dict[str, Any] | None:
        code = _text(c["指标代码"])
        self.current = _text(c["数值"])
        if all(_blank(c[k]) for k in ("责任单位", "数值", "备注", "数据来源")):
            return None  # a template row left alone, or an empty row
        defs = self.defs
        if not code:
            self.problem("指标代码", n, "", "指标代码 is empty in a filled row; copy the code from the template")
            return None
        if code not in defs.ids:
            self.problem("指标代码", n, code, f"unknown indicator code {code!r}: it is not defined in data/targets "
                         "(targets_2025.csv or milestones.csv); use the codes of the template", code)
            return None
        ok = True
        responsible = _text(c["责任单位"])
        if not responsible:
            self.problem("责任单位", n, c["数值"], "责任单位 is empty; fill in the unit that reports this value", code)
            ok = False
        county_level = bool(defs.targets.loc[code, "county_level"]) if code in defs.targets.index else False
        county_raw = _text(c["县（市、区）"]) or CITY
        county = CITY if county_raw == CITY else _county(county_raw)
        if county is None:
            self.problem("县（市、区）", n, county_raw, f"unknown county: expected {CITY} or one of the 9 "
                         f"county-level divisions of Jinhua ({', '.join(COUNTIES['name_zh'])})", code)
            ok = False
        elif county_level and county == CITY:
            self.problem("县（市、区）", n, county_raw, "this indicator is filed by county: one row per county "
                         f"(县（市、区）), not {CITY}", code)
            ok = False
        elif not county_level and county != CITY:
            self.problem("县（市、区）", n, county_raw, f"this indicator is filed for the whole city: write {CITY}",
                         code)
            ok = False
        period = _period(c["报告期"])
        if period is None or period > pd.Period(filed, freq="M") or period < pd.Period("2019-01", freq="M"):
            why = "not after the filing date " + filed.isoformat() if period is not None else "e.g. 2025-06"
            self.problem("报告期", n, c["报告期"] if not _blank(c["报告期"]) else "",
                         f"malformed reporting period: expected a month YYYY-MM ({why})", code)
            ok = False
        note = _text(c["备注"])
        value_raw = c["数值"]
        rec: dict[str, Any] = {
            "indicator": code, "county": county or county_raw, "period": str(period) if period is not None else "",
            "value": np.nan, "done": pd.NA, "done_date": "", "value_filed": _text(value_raw),
            "unit_filed": _text(c["单位"]), "conversion": "", "responsible": responsible, "note": note,
            "source": _text(c["数据来源"]), "filed_at": filed.isoformat(), "synthetic": synthetic, "row": n,
            "file": self.shown,
        }
        if _blank(value_raw):
            if not note:
                self.problem("数值", n, "", "数值 is empty and 备注 does not say why; fill in the value, or leave it "
                             "empty and give the reason in 备注 (e.g. 数据尚未发布)", code)
                return None
            return rec if ok else None
        if defs.is_milestone(code):
            return rec if self.milestone(n, code, value_raw, c, rec, period) and ok else None
        return rec if self.amount(n, code, value_raw, c, rec, period) and ok else None

    def amount(self, n: int, code: str, value_raw: Any, c: dict[str, Any], rec: dict[str, Any],
               period: pd.Period | None, *, declared: str | None = None, upper: float | None = None,
               flow: bool | None = None) -> bool:
        defs = self.defs
        if declared is None:
            t = defs.targets.loc[code]
            declared, upper = str(t["filing_unit"]), float(t["max_filed"])
            flow = t["kind"] in ("cumulative", "annual_growth")
        try:
            x = float(value_raw) if isinstance(value_raw, (int, float)) and not isinstance(value_raw, bool) \
                else parse_number(value_raw, percent=declared == "%")
        except (ParseError, ValueError):
            self.problem("数值", n, value_raw, f"not a number: expected a number in {declared}", code)
            return False
        unit = _text(c["单位"]) or declared
        try:
            value, how = convert_value(x, unit, declared, period=period, flow=bool(flow), rates=defs.fx_rates)
        except UnitError as exc:
            self.problem("单位", n, unit, f"unconvertible unit: {exc}; file the value in {declared} "
                         "(or a unit of the same currency or count)", code)
            return False
        if not (0.0 <= value <= float(upper or np.inf)):
            shown = f"{_text(value_raw)} {unit}" + (f" = {value:.6g} {declared}" if how else "")
            self.problem("数值", n, shown, f"value out of range: expected 0 to {upper:g} {declared} per row "
                         "(data/targets: max_filed); check the number and its unit", code)
            return False
        rec.update(value=value, conversion=how, unit_filed=unit)
        return True

    def milestone(self, n: int, code: str, value_raw: Any, c: dict[str, Any], rec: dict[str, Any],
                  period: pd.Period | None) -> bool:
        m = self.defs.milestones.loc[code]
        if m["kind"] == "threshold":
            if not self.amount(n, code, value_raw, c, rec, period, declared=str(m["unit"]),
                               upper=100.0 * float(m["threshold"]), flow=True):
                return False
            rec["done"] = bool(rec["value"] >= float(m["threshold"]))
            rec["done_date"] = (period.end_time.date().isoformat() if period is not None else "") if rec["done"] else ""
            return True
        text = _text(value_raw)
        when = _date(value_raw)
        if when is not None:
            rec.update(done=True, done_date=when.isoformat())
        elif text.upper() in _YES or text in _YES:
            rec.update(done=True, done_date=period.end_time.date().isoformat() if period is not None else "")
        elif text.upper() in _NO or text in _NO:
            rec.update(done=False)
        else:
            self.problem("数值", n, value_raw, "a milestone's 数值 is the completion date (e.g. 2024-09-30) or 是/否",
                         code)
            return False
        return True


def read_filings(files: list[Path], *, root: str | os.PathLike[str] | None = None,
                 definitions: Definitions | None = None) -> FilingsResult:
    """Validate filled templates and return their rows as one table (see :data:`FILING_COLUMNS`).

    Parameters
    ----------
    files
        XLSX files (``data/raw/indicators/*.xlsx``).
    root
        Project root.
    definitions
        The indicator register (default: :func:`load_definitions`).
    """
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    defs = definitions
    if defs is None and files:
        try:
            defs = load_definitions(root)
        except (FileNotFoundError, ValueError) as exc:
            problems.append(Problem("data/targets", None, (), (), f"cannot check the indicator filings: {exc}", DATASET))
            files = []
    for path in files:
        f = _File(Path(path), relative(Path(path), root), defs)  # type: ignore[arg-type]
        f.read()
        problems += f.problems
        records += f.records
    frame = pd.DataFrame.from_records(records, columns=list(FILING_COLUMNS))
    frame["value"] = frame["value"].astype(float)
    frame["row"] = frame["row"].astype("int64")
    frame["synthetic"] = frame["synthetic"].astype(bool)
    frame["done"] = frame["done"].astype("boolean")
    for col in ("indicator", "county", "period", "done_date", "value_filed", "unit_filed", "conversion", "responsible",
                "note", "source", "file", "filed_at"):
        frame[col] = frame[col].astype(str)
    frame = frame.sort_values(["indicator", "county", "period", "filed_at", "file"], kind="stable").reset_index(drop=True)
    notes = []
    if len(frame):
        n_conv = int((frame["conversion"] != "").sum())
        if n_conv:
            notes.append(f"indicator filings: {n_conv} value(s) converted to the declared unit (column conversion)")
    return FilingsResult(frame, problems, notes, frame["row"].to_numpy(), frame["file"].to_numpy(dtype=object))


def latest_as_of(history: pd.DataFrame, as_of: str | _dt.date | None = None) -> pd.DataFrame:
    """The filings in force on ``as_of``: for each indicator, county and period, the latest filing made on or
    before that date (later filing date wins; on the same date, the file whose name sorts last).

    Adds ``n_versions`` (filings of that key up to ``as_of``) and ``revised`` (``n_versions > 1``).

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"indicator": ["x", "x"], "county": ["全市"] * 2, "period": ["2024-03"] * 2,
    ...                   "value": [1.0, 2.0], "file": ["a.xlsx", "b.xlsx"], "filed_at": ["2024-04-15", "2024-07-15"]})
    >>> latest_as_of(h, "2024-06-30")["value"].tolist(), latest_as_of(h)["value"].tolist()
    ([1.0], [2.0])
    """
    h = history
    if as_of is not None:
        h = h.loc[h["filed_at"] <= str(pd.Timestamp(as_of).date())]
    h = h.sort_values(["indicator", "county", "period", "filed_at", "file"], kind="stable")
    keys = ["indicator", "county", "period"]
    n = h.groupby(keys, sort=False)["value"].transform("size")
    out = h.assign(n_versions=n.astype(int), revised=n > 1).drop_duplicates(keys, keep="last")
    return out.reset_index(drop=True)
