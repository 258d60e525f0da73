"""The report frame: title block, report number, local date, bibliography and citation style of every paper.

One configuration file, ``reports/frame.yaml``, says who publishes the papers
(unit, authors, contact), how reports are numbered, which time zone dates are
shown in, and which BibTeX file and CSL styles Pandoc citeproc uses (GB/T
7714-2015 for Chinese papers, an author-date style for English ones). Papers
never carry these themselves. A project without the file (a test project, a
fresh checkout of an older tree) gets :data:`DEFAULTS`.

Examples
--------
>>> f = Frame.from_mapping({})
>>> f.unit["zh"]
'金华开放经济金融研究院'
>>> f.local_date("2026-12-05T17:30:00", lang="zh")   # papermill's end time is naive UTC
'2026年12月6日'
>>> f.local_date("2026-12-05", lang="en")
'5 December 2026'
>>> f.number(task="2", study="fx_loans", seq=1, year="2026", lang="zh")
'JOEF-2026-T02-01C'
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

__all__ = ["FRAME_FILE", "DEFAULTS", "Frame", "load_frame", "study_sequence", "frame_hash"]

FRAME_FILE = "frame.yaml"

DEFAULTS: dict[str, Any] = {
    "unit": {"zh": "金华开放经济金融研究院", "en": "Jinhua Institute for Open Economy and Finance"},
    "authors": {"zh": ["金华开放经济金融研究院 量化评估课题组"],
                "en": ["Quantitative Evaluation Team, Jinhua Institute for Open Economy and Finance"]},
    "contact": {"zh": "研究院办公室", "en": "Institute office"},
    "report_number": "{prefix}-{year}-T{task}-{seq}{lang}",
    "prefix": "JOEF",
    "timezone": "Asia/Shanghai",
    "bibliography": "references.bib",
    "csl": {"zh": "csl/china-national-standard-gb-t-7714-2015-numeric.csl", "en": "csl/chicago-author-date.csl"},
}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _by_lang(value: Any, key: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        missing = [lang for lang in ("zh", "en") if lang not in value]
        if missing:
            raise ValueError(f"reports/{FRAME_FILE}: '{key}' needs a value for {missing} (zh and en).")
        return {"zh": value["zh"], "en": value["en"]}
    return {"zh": value, "en": value}


@dataclass(frozen=True)
class Frame:
    """The frame settings, by language where they differ (``unit["zh"]``)."""

    unit: Mapping[str, str]
    authors: Mapping[str, tuple[str, ...]]
    contact: Mapping[str, str]
    report_number: str
    prefix: str
    timezone: str
    bibliography: Path | None = None
    csl: Mapping[str, Path | None] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, folder: Path | None = None) -> Frame:
        """Build from the YAML mapping (``folder``: where relative bibliography/CSL paths start)."""
        merged = {**DEFAULTS, **{k: v for k, v in data.items() if v is not None}}
        authors = _by_lang(merged["authors"], "authors")
        try:
            ZoneInfo(str(merged["timezone"]))
        except Exception as exc:
            raise ValueError(f"reports/{FRAME_FILE}: unknown timezone {merged['timezone']!r}; "
                             "use an IANA name such as Asia/Shanghai.") from exc

        def find(rel: Any) -> Path | None:
            if folder is None or not rel:
                return None
            p = (folder / str(rel)).resolve()
            return p if p.is_file() else None

        csl = _by_lang(merged["csl"], "csl")
        return cls(unit=_by_lang(merged["unit"], "unit"),
                   authors={k: tuple(v) if isinstance(v, (list, tuple)) else (str(v),) for k, v in authors.items()},
                   contact=_by_lang(merged["contact"], "contact"), report_number=str(merged["report_number"]),
                   prefix=str(merged["prefix"]), timezone=str(merged["timezone"]),
                   bibliography=find(merged["bibliography"]), csl={k: find(v) for k, v in csl.items()})

    # ------------------------------------------------------------------ dates and numbers

    def local_datetime(self, stamp: str) -> _dt.datetime | None:
        """``stamp`` (ISO date or date-time; naive date-times are UTC, as papermill writes them) in local time."""
        stamp = (stamp or "").strip()
        if not stamp:
            return None
        try:
            if len(stamp) == 10:
                d = _dt.date.fromisoformat(stamp)
                return _dt.datetime(d.year, d.month, d.day, 12, tzinfo=ZoneInfo(self.timezone))
            t = _dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return None
        if t.tzinfo is None:
            t = t.replace(tzinfo=_dt.UTC)
        return t.astimezone(ZoneInfo(self.timezone))

    def local_date(self, stamp: str, *, lang: str) -> str:
        """The date of ``stamp`` in the frame's time zone, written for readers ("2026年12月6日", "6 December 2026")."""
        t = self.local_datetime(stamp)
        if t is None:
            return stamp
        if lang == "zh":
            return f"{t.year}年{t.month}月{t.day}日"
        return f"{t.day} {_MONTHS[t.month - 1]} {t.year}"

    def number(self, *, task: str, study: str, seq: int, year: str, lang: str) -> str:
        """The report number of a paper (``report_number`` of the file, filled in)."""
        m = re.fullmatch(r"\s*(?:任务|Task)?\s*(\d{1,2})\b.*", task or "", re.S | re.I)
        task_code = f"{int(m.group(1)):02d}" if m else (re.sub(r"[^A-Za-z]", "", study)[:2].upper() or "XX")
        return self.report_number.format(prefix=self.prefix, year=year, task=task_code, seq=f"{seq:02d}",
                                         lang="C" if lang == "zh" else "E", study=study)

    # ------------------------------------------------------------------ Pandoc

    def citeproc_args(self, lang: str) -> list[str]:
        """Pandoc arguments for citeproc: bibliography and the CSL of the language (the renderer places the list)."""
        if self.bibliography is None:
            return []
        args = ["--citeproc", f"--bibliography={self.bibliography}", "-M", "link-citations=true"]
        csl = self.csl.get(lang)
        if csl is not None:
            args.append(f"--csl={csl}")
        return args


def load_frame(reports: Path) -> Frame:
    """Read ``reports/frame.yaml`` (defaults when it is absent); errors name the file."""
    path = Path(reports) / FRAME_FILE
    data: Any = {}
    if path.is_file():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"{path} is not valid YAML: {exc}") from exc
        if not isinstance(data, Mapping):
            raise ValueError(f"{path} must hold a mapping (unit:, authors:, contact:, ...), not {type(data).__name__}.")
    return Frame.from_mapping(data, folder=Path(reports))


def study_sequence(studies_yaml: Path, study: str) -> int:
    """1-based position of ``study`` in ``studies.yaml`` (0 when absent): the sequence part of report numbers."""
    try:
        data = yaml.safe_load(studies_yaml.read_text(encoding="utf-8")) or {}
        names = list((data.get("studies") or {}).keys())
    except (OSError, yaml.YAMLError, AttributeError):
        return 0
    return names.index(study) + 1 if study in names else 0


def frame_hash(root: Path) -> str:
    """Hash of what the frame of every paper depends on.

    ``reports/frame.yaml``, the bibliography, the CSL
    styles and ``studies.yaml`` (report numbers follow its order). Part of each paper's render-cache key.
    """
    import hashlib

    h = hashlib.sha256()
    reports = Path(root) / "reports"
    files = [reports / FRAME_FILE, reports / "references.bib", Path(root) / "studies.yaml",
             *sorted((reports / "csl").glob("*.csl"))]
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes() if f.is_file() else b"-")
    return h.hexdigest()
