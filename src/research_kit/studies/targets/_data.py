"""The plan's quantitative 2025 targets, as shipped in ``data/targets/targets_2025.csv``.

The table transcribes every quantitative target of the plan's 主要目标 section
(see ``data/targets/README.md``). :func:`load_targets` reads it (or any table
with the same columns) and checks it with
:func:`research_kit.timeseries.check_targets`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from research_kit import paths
from research_kit.timeseries.targets import check_targets

__all__ = [
    "load_targets",
    "targets_file",
]


def targets_file(root: str | os.PathLike[str] | None = None) -> Path:
    """Path of the shipped targets table, ``data/targets/targets_2025.csv``."""
    return paths.data_dir(root) / "targets" / "targets_2025.csv"


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
    >>> from research_kit.studies.targets import load_targets
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
