"""The dataset catalog: ``data/catalog.yaml``.

One YAML file declares every dataset: raw file(s), reader options, schema
(columns, dtypes, allowed ranges, unique key, foreign keys), units and a
description. The file is checked strictly: an unknown key is an error, so a
typo cannot silently switch a check off.

Examples
--------
>>> from research_kit.data import load_catalog
>>> cat = load_catalog()                                   # doctest: +SKIP
>>> cat["fx_loans"].primary_key                            # doctest: +SKIP
('business_id', 'month')
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from research_kit import paths
from research_kit.data.normalize import UNITS, to_halfwidth

__all__ = [
    "Catalog",
    "CatalogError",
    "ColumnSpec",
    "DatasetSpec",
    "ForeignKey",
    "ReaderOptions",
    "UnknownDatasetError",
    "load_catalog",
]

DTYPES = ("string", "int", "float", "amount", "month", "date", "county", "category")
READER_FORMATS = ("csv", "xlsx", "parquet", "indicator_filings")  # the last: research_kit.data.indicators
_COLUMN_KEYS = {
    "source", "aliases", "dtype", "description", "unit", "source_unit", "required",
    "min", "max", "greater_than", "less_than", "allowed", "pattern", "values", "unique", "entity",
}
_DATASET_KEYS = {"description", "synthetic", "files", "reader", "primary_key", "foreign_keys", "columns", "provenance"}
_READER_KEYS = {"format", "encoding", "sheet", "header_row", "delimiter", "na_values"}


class CatalogError(ValueError):
    """``data/catalog.yaml`` is malformed (the message names the dataset and key)."""


class UnknownDatasetError(KeyError):
    """A dataset name that the catalog does not declare."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class ColumnSpec:
    """One processed column and the source header it comes from."""

    name: str
    dtype: str
    source: str | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""
    unit: str | None = None
    source_unit: str | None = None
    required: bool = True
    min: float | None = None
    max: float | None = None
    greater_than: float | None = None
    less_than: float | None = None
    allowed: tuple[Any, ...] | None = None
    pattern: str | None = None
    values: Mapping[str, str] | None = None
    unique: bool = False
    entity: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        """Headers accepted in a raw file, in order of preference."""
        found = [h for h in (self.source, self.name, *self.aliases) if h]
        return tuple(dict.fromkeys(found))

    @property
    def label(self) -> str:
        """``source (name)`` as shown in problem reports."""
        return f"{self.source} ({self.name})" if self.source and self.source != self.name else self.name

    @property
    def categories(self) -> tuple[str, ...]:
        """Processed category values, in declaration order (``dtype: category``)."""
        return tuple(dict.fromkeys((self.values or {}).values()))


@dataclass(frozen=True)
class ForeignKey:
    """``columns`` of this dataset must appear in ``dataset.ref_columns``."""

    columns: tuple[str, ...]
    dataset: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class ReaderOptions:
    """How to read the raw file(s); ``None`` means detect."""

    format: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None
    delimiter: str | None = None
    na_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset of the catalog."""

    name: str
    description: str
    synthetic: bool
    files: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    reader: ReaderOptions = field(default_factory=ReaderOptions)
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    provenance: str = ""

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"dataset {self.name!r} has no column {name!r}; columns: {', '.join(self.column_names)}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def entity_keys(self) -> tuple[str, ...]:
        """String columns that identify an entity or record: those of the primary key, of a
        foreign key, or marked ``entity: true``. ``prepare`` stores them dictionary-encoded
        (categorical); ``load`` returns them as categoricals; no rendered page may show a value."""
        fk = {c for f in self.foreign_keys for c in f.columns}
        return tuple(c.name for c in self.columns
                     if c.dtype == "string" and (c.entity or c.name in self.primary_key or c.name in fk))

    @property
    def units(self) -> dict[str, str]:
        """Processed column → unit, for columns that declare one."""
        return {c.name: c.unit for c in self.columns if c.unit}


@dataclass(frozen=True)
class Catalog:
    """All datasets of ``data/catalog.yaml``; index it by dataset name."""

    path: Path
    schema_version: int
    datasets: Mapping[str, DatasetSpec]
    sha256: str

    def __getitem__(self, name: str) -> DatasetSpec:
        if name not in self.datasets:
            import difflib

            close = difflib.get_close_matches(name, list(self.datasets), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UnknownDatasetError(
                f"unknown dataset {name!r}; {self.path} declares: {', '.join(self.datasets)}.{hint}"
            )
        return self.datasets[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.datasets)

    def __len__(self) -> int:
        return len(self.datasets)


def normalize_header(text: Any) -> str:
    """Header as compared with the catalog: NFKC (full-width brackets → ASCII), no spaces or BOM."""
    return re.sub(r"\s+", "", to_halfwidth(str(text)).replace("\ufeff", ""))


def _check_keys(where: str, got: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(got) - allowed)
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(sorted(allowed))}")


def _number(where: str, value: Any, dtype: str = "") -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CatalogError(f"{where}: expected a number, got {value!r}")
    return float(value)


def _month(where: str, value: Any, dtype: str = "month") -> Any:
    """A month or date bound (``2019-01``, ``2019年1月``, ``2019-01-31``) as a Timestamp (a month: its first day)."""
    if value is None:
        return None
    from research_kit.data.normalize import ParseError, parse_date, parse_month

    try:
        return parse_month(value) if dtype == "month" else parse_date(value)
    except ParseError as exc:
        raise CatalogError(f"{where}: expected a {dtype} such as 2019-01{'-31' if dtype == 'date' else ''}; "
                           f"{exc}") from None


def _column(dataset: str, name: str, raw: Any) -> ColumnSpec:
    where = f"dataset {dataset!r}, column {name!r}"
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: expected a mapping of column options, got {raw!r}")
    _check_keys(where, raw, _COLUMN_KEYS)
    dtype = raw.get("dtype")
    if dtype not in DTYPES:
        raise CatalogError(f"{where}: dtype must be one of {', '.join(DTYPES)}; got {dtype!r}")
    unit, source_unit = raw.get("unit"), raw.get("source_unit")
    if dtype == "amount":
        for key, u in (("unit", unit), ("source_unit", source_unit)):
            if (u is not None or key == "unit") and u not in UNITS:
                raise CatalogError(f"{where}: amount columns need {key} in {', '.join(UNITS)}; got {u!r}")
        if UNITS[unit][0] != UNITS[source_unit or unit][0]:
            raise CatalogError(f"{where}: unit {unit} and source_unit {source_unit} are different currencies")
    values = raw.get("values")
    if dtype == "category":
        if not isinstance(values, Mapping) or not values:
            raise CatalogError(f"{where}: category columns need `values`, a mapping source value → processed value")
        values = {normalize_header(k): str(v) for k, v in values.items()}
    elif values is not None:
        raise CatalogError(f"{where}: `values` is only for dtype: category")
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CatalogError(f"{where}: pattern {pattern!r} is not a valid regular expression ({exc})") from None
    aliases = raw.get("aliases") or ()
    allowed = raw.get("allowed")
    return ColumnSpec(
        name=name,
        dtype=dtype,
        source=raw.get("source"),
        aliases=tuple(str(a) for a in ([aliases] if isinstance(aliases, str) else aliases)),
        description=str(raw.get("description", "")),
        unit=unit,
        source_unit=source_unit,
        required=bool(raw.get("required", True)),
        min=(_month if dtype in ("month", "date") else _number)(f"{where}, min", raw.get("min"), dtype),
        max=(_month if dtype in ("month", "date") else _number)(f"{where}, max", raw.get("max"), dtype),
        greater_than=_number(f"{where}, greater_than", raw.get("greater_than")),
        less_than=_number(f"{where}, less_than", raw.get("less_than")),
        allowed=tuple(allowed) if allowed is not None else None,
        pattern=pattern,
        values=values,
        unique=bool(raw.get("unique", False)),
        entity=bool(raw.get("entity", False)),
    )


def _names(where: str, value: Any, known: tuple[str, ...]) -> tuple[str, ...]:
    names = (value,) if isinstance(value, str) else tuple(value or ())
    missing = [n for n in names if n not in known]
    if missing:
        raise CatalogError(f"{where}: unknown column(s) {', '.join(missing)}; columns: {', '.join(known)}")
    return names


def _dataset(name: str, raw: Any) -> DatasetSpec:
    where = f"dataset {name!r}"
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: expected a mapping, got {raw!r}")
    _check_keys(where, raw, _DATASET_KEYS)
    for key in ("description", "files", "columns"):
        if not raw.get(key):
            raise CatalogError(f"{where}: `{key}` is required")
    if not isinstance(raw.get("synthetic"), bool):
        raise CatalogError(f"{where}: `synthetic: true|false` is required (say whether the data is real)")
    columns = tuple(_column(name, str(c), spec) for c, spec in raw["columns"].items())
    known = tuple(c.name for c in columns)
    reader_raw = raw.get("reader") or {}
    _check_keys(f"{where}, reader", reader_raw, _READER_KEYS)
    fmt = reader_raw.get("format")
    if fmt is not None and fmt not in READER_FORMATS:
        raise CatalogError(f"{where}, reader: format must be one of {', '.join(READER_FORMATS)}; got {fmt!r}")
    header_row = reader_raw.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise CatalogError(f"{where}, reader: header_row is the 1-based row number of the header; got {header_row!r}")
    reader = ReaderOptions(
        format=fmt,
        encoding=reader_raw.get("encoding"),
        sheet=reader_raw.get("sheet"),
        header_row=header_row,
        delimiter=reader_raw.get("delimiter"),
        na_values=tuple(str(v) for v in reader_raw.get("na_values") or ()),
    )
    fks = []
    for i, fk in enumerate(raw.get("foreign_keys") or ()):
        fwhere = f"{where}, foreign_keys[{i}]"
        if not isinstance(fk, Mapping) or set(fk) != {"columns", "references"}:
            raise CatalogError(f"{fwhere}: expected {{columns: [...], references: {{dataset: ..., columns: [...]}}}}")
        ref = fk["references"]
        if not isinstance(ref, Mapping) or set(ref) != {"dataset", "columns"}:
            raise CatalogError(f"{fwhere}: references needs exactly `dataset` and `columns`")
        cols = _names(fwhere, fk["columns"], known)
        ref_cols = (ref["columns"],) if isinstance(ref["columns"], str) else tuple(ref["columns"])
        if len(ref_cols) != len(cols):
            raise CatalogError(f"{fwhere}: {len(cols)} column(s) reference {len(ref_cols)} column(s)")
        fks.append(ForeignKey(columns=cols, dataset=str(ref["dataset"]), ref_columns=ref_cols))
    files = raw["files"]
    return DatasetSpec(
        name=name,
        description=str(raw["description"]).strip(),
        synthetic=raw["synthetic"],
        files=(files,) if isinstance(files, str) else tuple(str(f) for f in files),
        columns=columns,
        reader=reader,
        primary_key=_names(f"{where}, primary_key", raw.get("primary_key"), known),
        foreign_keys=tuple(fks),
        provenance=str(raw.get("provenance", "")).strip(),
    )


def load_catalog(root: str | os.PathLike[str] | None = None) -> Catalog:
    """Read and check ``data/catalog.yaml``.

    Parameters
    ----------
    root : path, optional
        Project root (default: :func:`research_kit.paths.project_root`).

    Raises
    ------
    FileNotFoundError
        If the catalog file does not exist.
    CatalogError
        If the file is not valid YAML or breaks the catalog schema.

    Examples
    --------
    >>> spec = load_catalog()["businesses"]                # doctest: +SKIP
    >>> spec.column("county").source                       # doctest: +SKIP
    '县市区'
    """
    path = paths.catalog_file(root)
    if not path.is_file():
        raise FileNotFoundError(f"dataset catalog not found: {path}. Every project needs data/catalog.yaml.")
    blob = path.read_bytes()
    try:
        raw = yaml.load(blob.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path} is not valid UTF-8 YAML: {exc}") from None
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{path}: expected a mapping with `schema_version` and `datasets`")
    # top-level keys starting with "_" hold YAML anchors shared between datasets
    _check_keys(str(path), {k: v for k, v in raw.items() if not str(k).startswith("_")}, {"schema_version", "datasets"})
    version = raw.get("schema_version")
    if not isinstance(version, int):
        raise CatalogError(f"{path}: `schema_version` (an integer) is required")
    datasets_raw = raw.get("datasets")
    if not isinstance(datasets_raw, Mapping) or not datasets_raw:
        raise CatalogError(f"{path}: `datasets` must map dataset names to their declarations")
    datasets = {str(n): _dataset(str(n), d) for n, d in datasets_raw.items()}
    for ds in datasets.values():
        for fk in ds.foreign_keys:
            if fk.dataset not in datasets:
                raise CatalogError(f"dataset {ds.name!r}: foreign key references unknown dataset {fk.dataset!r}")
            _names(f"dataset {ds.name!r}, foreign key to {fk.dataset!r}", fk.ref_columns, datasets[fk.dataset].column_names)
    return Catalog(path=path, schema_version=version, datasets=datasets, sha256=hashlib.sha256(blob).hexdigest())
