"""``load``: a processed dataset by catalog name.

Examples
--------
>>> import research_kit as rk
>>> panel = rk.data.load("fx_loans")                      # doctest: +SKIP
>>> panel.attrs["synthetic"]                              # doctest: +SKIP
True
"""

from __future__ import annotations

import os
import warnings

import pandas as pd

from research_kit import paths
from research_kit.data.catalog import load_catalog
from research_kit.data.manifest import read_processed_manifest, sha256_file

__all__ = ["StaleDataWarning", "identifier_values", "load", "loaded_datasets"]

#: catalog names loaded by :func:`load` in this process, in first-load order (what a paper's appendix lists)
_LOADED: dict[str, None] = {}


def loaded_datasets() -> tuple[str, ...]:
    """Catalog names of the datasets :func:`load` has returned in this process, in the order first loaded.

    :func:`research_kit.report.provenance` lists these in a paper's appendix when it is not
    told which datasets the paper used.
    """
    return tuple(_LOADED)


class StaleDataWarning(UserWarning):
    """The processed data was built from other raw files or another catalog than the current ones."""


def _stale_reason(name: str, catalog_sha: str, root: str | os.PathLike[str] | None) -> str | None:
    manifest = read_processed_manifest(root)
    if manifest is None:
        return None
    if manifest.get("catalog_sha256") != catalog_sha:
        return "data/catalog.yaml changed since the last prepare"
    entry = (manifest.get("datasets") or {}).get(name)
    if not isinstance(entry, dict):
        return None
    project = paths.project_root(root)
    for item in entry.get("inputs", []):
        path = project / item["path"]
        if not path.is_file():
            return f"{item['path']} no longer exists"
        if sha256_file(path) != item["sha256"]:
            return f"{item['path']} changed since the last prepare"
    return None


def load(name: str, root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load the processed dataset ``name`` (``data/processed/NAME.parquet``).

    Months come back as ``datetime64[ns]`` month starts, dates as ``datetime64[ns]``,
    county codes as strings, categories with the catalog's levels, and entity keys
    (string columns of a primary or foreign key, or marked ``entity: true``) as
    categoricals with sorted categories (stored dictionary-encoded by ``prepare``). ``attrs`` holds ``dataset``,
    ``synthetic``, ``description`` and ``units`` (column → unit).

    Parameters
    ----------
    name : str
        Catalog name: ``businesses``, ``fx_loans``, ``rollout``, ``true_effects`` ...
    root : path, optional
        Project root.

    Raises
    ------
    UnknownDatasetError
        If the catalog does not declare ``name`` (the message lists the names it does).
    FileNotFoundError
        If the dataset has not been prepared: run ``research-kit prepare``.

    Warns
    -----
    StaleDataWarning
        If raw files or the catalog changed since the last ``prepare``.

    Examples
    --------
    >>> df = load("businesses")                           # doctest: +SKIP
    >>> df["county"].map(lambda c: county_name(c, lang="en")).head(2).tolist()  # doctest: +SKIP
    ['Yiwu', 'Dongyang']
    """
    catalog = load_catalog(root)
    spec = catalog[name]
    path = paths.processed_dir(root) / f"{name}.parquet"
    if not path.is_file():
        raise FileNotFoundError(
            f"processed dataset {name!r} not found ({path}). Run `research-kit prepare` "
            "(or research_kit.data.prepare()) to validate data/raw and build data/processed."
        )
    frame = pd.read_parquet(path)
    _LOADED.setdefault(name, None)
    keys = set(spec.entity_keys)
    for col in spec.columns:
        if col.name not in frame.columns:
            continue
        if col.name in keys:
            if not isinstance(frame[col.name].dtype, pd.CategoricalDtype):  # written before keys were encoded
                frame[col.name] = frame[col.name].astype("category")
        elif col.dtype in ("month", "date"):
            frame[col.name] = frame[col.name].astype("datetime64[ns]")
        elif col.dtype == "category":
            frame[col.name] = pd.Categorical(frame[col.name].astype(object), categories=list(col.categories))
    reason = _stale_reason(name, catalog.sha256, root)
    if reason is not None:
        warnings.warn(
            f"processed dataset {name!r} may be out of date: {reason}. Run `research-kit prepare` to rebuild it.",
            StaleDataWarning,
            stacklevel=2,
        )
    frame.attrs = {"dataset": name, "synthetic": spec.synthetic, "description": spec.description, "units": spec.units}
    return frame


def identifier_values(root: str | os.PathLike[str] | None = None) -> set[str]:
    """Every value of the columns that identify a unit (business, person) in the processed data.

    An identifier column is a ``string`` column of a dataset's primary or foreign key (e.g.
    ``business_id``) or one marked ``entity: true`` (e.g. a USCC); county codes, months and
    categories are not identifiers. The
    disclosure check of the render step refuses any page that shows one of these values.
    """
    catalog = load_catalog(root)
    out: set[str] = set()
    folder = paths.processed_dir(root)
    for name in catalog:
        spec = catalog[name]
        cols = list(spec.entity_keys)
        path = folder / f"{name}.parquet"
        if cols and path.is_file():
            frame = pd.read_parquet(path, columns=cols)
            for c in cols:
                out.update(frame[c].dropna().astype(str).unique().tolist())
    return out
