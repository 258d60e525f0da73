"""The checks of a targets table, so that :func:`research_kit.timeseries.track_targets` can rely on it.

The plan's own table (``data/targets/targets_2025.csv``) is read by
:func:`research_kit.studies.targets.load_targets`: an estimator reads no file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, get_args

import pandas as pd

__all__ = ["TARGET_COLUMNS", "TargetKind", "check_choice", "check_targets"]

TargetKind = Literal["level", "cumulative", "annual_growth", "share"]

#: Columns a targets table must have (``unit_en``, ``source_lines`` and ``note`` are optional).
TARGET_COLUMNS = ["id", "indicator_zh", "indicator_en", "target", "unit", "kind", "deadline", "window_start", "quote"]


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> None:
    """Raise ValueError unless ``value`` is one of ``allowed``, listing them."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}.")


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
