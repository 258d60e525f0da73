"""The plan's quantitative 2025 targets: the shipped table and its checks.

``data/targets/targets_2025.csv`` transcribes every quantitative target of the
plan's 主要目标 section (see ``data/targets/README.md``). :func:`load_targets`
reads it (or any table with the same columns) and checks it, so that
:func:`research_kit.timeseries.track_targets` can rely on its content.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd

from research_kit import paths

__all__ = ["TARGET_COLUMNS", "TargetKind", "check_choice", "check_targets", "load_targets", "targets_file"]

TargetKind = Literal["level", "cumulative", "annual_growth", "share"]

#: Columns a targets table must have (``unit_en``, ``source_lines`` and ``note`` are optional).
TARGET_COLUMNS = ["id", "indicator_zh", "indicator_en", "target", "unit", "kind", "deadline", "window_start", "quote"]


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> None:
    """Raise ValueError unless ``value`` is one of ``allowed``, listing them."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}.")


def targets_file(root: str | os.PathLike[str] | None = None) -> Path:
    """Path of the shipped targets table, ``data/targets/targets_2025.csv``."""
    return paths.data_dir(root) / "targets" / "targets_2025.csv"


def _month(value: Any, column: str, row: str) -> pd.Period:
    try:
        return pd.Period(str(value), freq="M")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"targets row {row!r}: {column} {value!r} is not a month such as '2025-12'.") from exc


def check_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Check a targets table and return a normalised copy.

    Parameters
    ----------
    targets
        One row per target with at least the columns :data:`TARGET_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        A copy indexed by ``id`` with ``target`` as float, ``deadline`` as a
        monthly :class:`pandas.Period`, and ``window_start`` as a monthly Period
        (cumulative), an ``int`` year (annual growth) or None.

    Raises
    ------
    ValueError
        If a column is missing, an id repeats, a kind is unknown, a target is
        not a positive number, or a window is missing or after the deadline.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"id": ["x"], "indicator_zh": ["甲"], "indicator_en": ["X"], "target": [5],
    ...                   "unit": ["亿元"], "kind": ["cumulative"], "deadline": ["2025-12"],
    ...                   "window_start": ["2025-01"], "quote": ["……"]})
    >>> check_targets(t).loc["x", "window_start"]
    Period('2025-01', 'M')
    """
    missing = [c for c in TARGET_COLUMNS if c not in targets.columns]
    if missing:
        raise ValueError(f"the targets table lacks columns {missing}; it needs {TARGET_COLUMNS} "
                         "(see data/targets/README.md).")
    t = targets.copy()
    t["id"] = t["id"].astype(str)
    dup = t.loc[t["id"].duplicated(), "id"].tolist()
    if dup:
        raise ValueError(f"target ids must be unique; {dup} repeat.")
    for col in ("unit_en", "source_lines", "note"):
        if col not in t.columns:
            t[col] = ""
    t["target"] = pd.to_numeric(t["target"], errors="coerce")
    rows = []
    for rec in t.to_dict("records"):
        row = rec["id"]
        check_choice(f"kind of target {row!r}", rec["kind"], get_args(TargetKind))
        if not (pd.notna(rec["target"]) and rec["target"] > 0):
            raise ValueError(f"targets row {row!r}: target must be a positive number; got {rec['target']!r}.")
        deadline = _month(rec["deadline"], "deadline", row)
        start = rec["window_start"]
        has_start = pd.notna(start) and str(start).strip() != ""
        window: pd.Period | int | None = None
        if rec["kind"] == "cumulative":
            if not has_start:
                raise ValueError(f"targets row {row!r}: a cumulative target needs window_start (first month counted).")
            window = _month(start, "window_start", row)
            if window > deadline:
                raise ValueError(f"targets row {row!r}: window_start {window} is after the deadline {deadline}.")
        elif rec["kind"] == "annual_growth":
            try:
                window = int(str(start).strip()[:4])
            except ValueError as exc:
                raise ValueError(f"targets row {row!r}: an annual_growth target needs window_start = base year "
                                 f"such as 2022; got {start!r}.") from exc
            if window >= deadline.year:
                raise ValueError(f"targets row {row!r}: base year {window} must precede the deadline year "
                                 f"{deadline.year}.")
        rec["deadline"] = deadline
        rec["window_start"] = window
        rows.append(rec)
    out = pd.DataFrame(rows).set_index("id", drop=False)
    out.index.name = None
    return out


def load_targets(path: str | os.PathLike[str] | None = None, *,
                 root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and check the plan's 2025 targets.

    Parameters
    ----------
    path
        A CSV with the columns of ``data/targets/targets_2025.csv``; default: that file.
    root
        Project root (default: found by :mod:`research_kit.paths`).

    Returns
    -------
    pandas.DataFrame
        The checked table (see :func:`check_targets`), indexed by ``id``.

    Examples
    --------
    >>> from research_kit.timeseries import load_targets
    >>> t = load_targets()
    >>> row = t.loc["fx_loans_individual"]
    >>> float(row["target"]), row["unit"], row["kind"]
    (3.0, '亿美元', 'cumulative')
    """
    file = Path(path) if path is not None else targets_file(root)
    if not file.is_file():
        raise FileNotFoundError(f"targets table not found at {file}; pass path= or run from the project checkout.")
    raw = pd.read_csv(file, dtype={"window_start": str, "deadline": str, "source_lines": str}, keep_default_na=False,
                      na_values={"target": [""]}, encoding="utf-8")
    return check_targets(raw)
