"""Locate the project root and its folders.

Nothing else in the package hard-codes a path. The root is found, in order:

1. the ``RESEARCH_KIT_ROOT`` environment variable (tests and deployments);
2. the source checkout this package was imported from (``src/research_kit`` → root),
   recognised by its ``pyproject.toml``;
3. the current directory or its nearest parent holding ``data/catalog.yaml``.

Examples
--------
>>> from research_kit import paths
>>> paths.processed_dir().name
'processed'
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "project_root",
    "data_dir",
    "raw_dir",
    "processed_dir",
    "catalog_file",
    "notebooks_dir",
    "reports_dir",
    "papers_dir",
    "site_dir",
    "studies_file",
]

ENV_VAR = "RESEARCH_KIT_ROOT"


def _looks_like_root(p: Path) -> bool:
    return (p / "data" / "catalog.yaml").is_file() or (p / "pyproject.toml").is_file() and (p / "notebooks").is_dir()


def project_root(root: str | os.PathLike[str] | None = None) -> Path:
    """Return the project root (see module docstring for the search order)."""
    if root is not None:
        return Path(root).resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent
    candidate = here.parent.parent  # src/research_kit -> root
    if _looks_like_root(candidate):
        return candidate
    cwd = Path.cwd().resolve()
    for p in (cwd, *cwd.parents):
        if _looks_like_root(p):
            return p
    raise FileNotFoundError(
        "Cannot find the research_kit project root: set RESEARCH_KIT_ROOT to the folder "
        "that holds data/catalog.yaml, or run from inside the project."
    )


def data_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``data/`` of the project."""
    return project_root(root) / "data"


def raw_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``data/raw/``: the immutable inputs and their MANIFEST."""
    return data_dir(root) / "raw"


def processed_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``data/processed/``: the analysis-ready Parquet files written by ``prepare``."""
    return data_dir(root) / "processed"


def catalog_file(root: str | os.PathLike[str] | None = None) -> Path:
    """``data/catalog.yaml``: the datasets, their schemas and readers."""
    return data_dir(root) / "catalog.yaml"


def notebooks_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``notebooks/``: the parameterized papers."""
    return project_root(root) / "notebooks"


def reports_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``reports/``: executed papers, logs, caches and the site."""
    return project_root(root) / "reports"


def papers_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``reports/papers/``: the executed notebooks, one per study variant."""
    return reports_dir(root) / "papers"


def site_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``reports/_site/``: the rendered static site."""
    return reports_dir(root) / "_site"


def studies_file(root: str | os.PathLike[str] | None = None) -> Path:
    """``studies.yaml``: the study configuration."""
    return project_root(root) / "studies.yaml"
