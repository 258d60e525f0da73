"""``prepare``: validate every raw file against the catalog and write analysis-ready Parquet.

Nothing is written unless every requested dataset validates; then the Parquet
files and ``manifest.json`` are written to a temporary folder inside
``data/processed/`` and moved into place with :func:`os.replace`. Raw files are
only read.

Examples
--------
>>> from research_kit.data import prepare
>>> report = prepare()                                    # doctest: +SKIP
>>> print(report)                                         # doctest: +SKIP
prepared 4 datasets → data/processed/manifest.json
  businesses: 1,200 rows → data/processed/businesses.parquet
  ...
"""

from __future__ import annotations

import datetime as _dt
import glob
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import research_kit
from research_kit import paths
from research_kit.data.catalog import Catalog, DatasetSpec, load_catalog
from research_kit.data.manifest import (
    PROCESSED_MANIFEST,
    check_raw_file,
    read_processed_manifest,
    read_raw_manifest,
    relative,
    sha256_file,
)
from research_kit.data.readers import ReadError, read_raw
from research_kit.data.validate import DataValidationError, Problem, convert_table

__all__ = ["DatasetReport", "PrepareReport", "prepare"]

_TMP_PREFIX = ".prepare-tmp-"


@dataclass(frozen=True)
class DatasetReport:
    """What ``prepare`` produced for one dataset."""

    name: str
    rows: int
    columns: tuple[str, ...]
    output: str
    inputs: tuple[tuple[str, str], ...]  # (path relative to the root, sha256)
    synthetic: bool


@dataclass(frozen=True)
class PrepareReport:
    """The result of :func:`prepare`: one :class:`DatasetReport` per dataset written."""

    datasets: tuple[DatasetReport, ...]
    manifest: str | None
    notes: tuple[str, ...] = ()
    dry_run: bool = False

    def __getitem__(self, name: str) -> DatasetReport:
        for ds in self.datasets:
            if ds.name == name:
                return ds
        raise KeyError(f"{name!r} was not prepared; prepared: {', '.join(d.name for d in self.datasets)}")

    def __str__(self) -> str:
        verb = "validated (dry run, nothing written)" if self.dry_run else "prepared"
        lines = [f"{verb} {len(self.datasets)} dataset(s)" + (f" → {self.manifest}" if self.manifest else "")]
        for ds in self.datasets:
            tag = " [synthetic]" if ds.synthetic else ""
            lines.append(f"  {ds.name}: {ds.rows:,} rows → {ds.output}{tag}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass
class _Validated:
    spec: DatasetSpec
    frame: pd.DataFrame
    files: np.ndarray  # file (relative path) of each row
    rows: np.ndarray  # user-visible row number of each row
    row_kinds: dict[str, str]
    inputs: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    incomplete: bool = False  # a file was missing or unreadable: its keys are unknown
    notes: list[str] = field(default_factory=list)


def _input_files(spec: DatasetSpec, root: str | os.PathLike[str] | None) -> tuple[list[Path], list[Problem]]:
    raw = paths.raw_dir(root)
    found: list[Path] = []
    problems = []
    where = f"data/catalog.yaml (datasets.{spec.name}.files)"
    for entry in spec.files:
        if glob.has_magic(entry):
            matched = sorted(p for p in raw.glob(entry) if p.is_file() and not p.name.startswith(("~$", ".")))
            if not matched and spec.reader.format != "indicator_filings":  # no filing yet is a valid state
                message = f"no raw file matches {entry!r} in data/raw; expected at least one, as declared in {where}"
                problems.append(Problem(relative(raw / entry, root), None, (), (), message, spec.name))
            found += matched
        elif (raw / entry).is_file():
            found.append(raw / entry)
        else:
            message = f"raw file not found; expected it in data/raw as declared in {where}. If it was renamed, update the catalog"
            problems.append(Problem(relative(raw / entry, root), None, (), (), message, spec.name))
    return found, problems


def _key_problems(v: _Validated, columns: tuple[str, ...], what: str) -> list[Problem]:
    frame = v.frame
    complete = frame[list(columns)].notna().all(axis=1).to_numpy()
    dup = frame.duplicated(subset=list(columns), keep=False).to_numpy() & complete
    problems = []
    headers = ", ".join(v.spec.column(c).source or c for c in columns)
    for file in pd.unique(v.files[dup]):
        hit = dup & (v.files == file)
        keys = frame.loc[hit, list(columns)].drop_duplicates().head(5)
        shown = tuple(" | ".join(_show(x) for x in row) for row in keys.itertuples(index=False))
        problems.append(Problem(
            str(file), headers, tuple(int(r) for r in np.sort(v.rows[hit])), shown,
            f"duplicate {what} ({', '.join(columns)}): {int(hit.sum())} rows share a key that must appear once; "
            "remove or merge the duplicate rows",
            v.spec.name, ", ".join(columns), v.row_kinds.get(str(file), "row"),
        ))
    return problems


def _show(value: object) -> str:
    return value.strftime("%Y-%m") if isinstance(value, pd.Timestamp) else str(value)


def _validate(spec: DatasetSpec, root: str | os.PathLike[str] | None, raw_manifest: dict[str, str] | None) -> _Validated:
    files, problems = _input_files(spec, root)
    parts: list[pd.DataFrame] = []
    origin_files: list[np.ndarray] = []
    origin_rows: list[np.ndarray] = []
    v = _Validated(spec, pd.DataFrame(), np.array([], dtype=object), np.array([], dtype=int), {}, problems=problems,
                   incomplete=bool(problems))
    expected = [h for c in spec.columns for h in c.headers]
    opts = spec.reader
    if opts.format == "indicator_filings":
        return _validate_filings(v, files, root, raw_manifest)
    for path in files:
        shown = relative(path, root)
        sha = sha256_file(path)
        v.inputs.append((shown, sha))
        changed = check_raw_file(path, sha, raw_manifest, root)
        if changed is not None:
            v.problems.append(Problem(changed.file, None, (), changed.values, changed.message, spec.name))
        try:
            table = read_raw(path, format=opts.format, encoding=opts.encoding, sheet=opts.sheet,  # type: ignore[arg-type]
                             header_row=opts.header_row, delimiter=opts.delimiter, expected_columns=expected)
        except ReadError as exc:
            v.problems.append(Problem(shown, None, (), (), str(exc).removeprefix(f"{path.name}: "), spec.name))
            v.incomplete = True
            continue
        converted = convert_table(table, spec, file=shown)
        v.problems += converted.problems
        v.notes += converted.notes
        v.row_kinds[shown] = table.row_kind
        if len(converted.frame):  # rows with problems stay (as NA cells) so key checks still run
            parts.append(converted.frame.reindex(columns=list(spec.column_names)))
            origin_files.append(np.full(len(converted.frame), shown, dtype=object))
            origin_rows.append(converted.rows)
    if parts:
        v.frame = pd.concat(parts, ignore_index=True)
        v.files, v.rows = np.concatenate(origin_files), np.concatenate(origin_rows)
        if spec.primary_key:
            v.problems += _key_problems(v, spec.primary_key, "key")
        for col in spec.columns:
            if col.unique and (col.name,) != spec.primary_key:
                v.problems += _key_problems(v, (col.name,), "value")
    return v


def _validate_filings(v: _Validated, files: list[Path], root: str | os.PathLike[str] | None,
                      raw_manifest: dict[str, str] | None) -> _Validated:
    """Departments' indicator filings (data/raw/indicators/): checked by research_kit.data.indicators."""
    from research_kit.data.indicators import definitions_files, read_filings

    for path in files:
        sha = sha256_file(path)
        v.inputs.append((relative(path, root), sha))
        changed = check_raw_file(path, sha, raw_manifest, root)
        if changed is not None:
            v.problems.append(Problem(changed.file, None, (), changed.values, changed.message, v.spec.name))
    v.inputs += [(relative(p, root), sha256_file(p)) for p in definitions_files(root) if p.is_file()]
    result = read_filings(files, root=root)
    v.frame, v.files, v.rows = result.frame, result.files, result.rows
    v.problems += result.problems
    v.notes += result.notes
    return v


def _foreign_key_problems(child: _Validated, done: dict[str, _Validated]) -> list[Problem]:
    problems = []
    for fk in child.spec.foreign_keys:
        parent = done[fk.dataset]
        blocking = [p for p in parent.problems if p.field and set(p.field.split(", ")) & set(fk.ref_columns)]
        if blocking or parent.incomplete or child.frame.empty or parent.frame.empty:
            continue  # the parent's own problems are reported; the check needs its keys intact
        keys = pd.MultiIndex.from_frame(child.frame[list(fk.columns)].astype(object))
        known = pd.MultiIndex.from_frame(parent.frame[list(fk.ref_columns)].astype(object))
        bad = ~keys.isin(known) & child.frame[list(fk.columns)].notna().all(axis=1).to_numpy()
        headers = ", ".join(child.spec.column(c).source or c for c in fk.columns)
        parent_files = ", ".join(p for p, _ in parent.inputs)
        for file in pd.unique(child.files[bad]):
            hit = bad & (child.files == file)
            shown = tuple(pd.unique(child.frame.loc[hit, list(fk.columns)].astype(str).agg(" | ".join, axis=1))[:5])
            problems.append(Problem(
                str(file), headers, tuple(int(r) for r in np.sort(child.rows[hit])), shown,
                f"foreign key violation: {', '.join(fk.columns)} not found in {fk.dataset}.{', '.join(fk.ref_columns)} "
                f"({parent_files}); add the missing rows to {fk.dataset} or remove these rows",
                child.spec.name, ", ".join(fk.columns), child.row_kinds.get(str(file), "row"),
            ))
    return problems


def _needed(catalog: Catalog, names: list[str]) -> list[str]:
    todo, seen = list(names), set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [fk.dataset for fk in catalog[name].foreign_keys]
    return [n for n in catalog if n in seen]


def _report(v: _Validated, output: str) -> DatasetReport:
    return DatasetReport(v.spec.name, len(v.frame), tuple(v.frame.columns), output, tuple(v.inputs), v.spec.synthetic)


def _encode_keys(frame: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    """Entity keys as categoricals with sorted categories: Parquet stores them dictionary-encoded,
    and ``load`` hands them to the estimators as integer codes with no re-encoding."""
    for name in spec.entity_keys:
        if name in frame.columns and not isinstance(frame[name].dtype, pd.CategoricalDtype):
            values = frame[name].astype(object).where(frame[name].notna(), None)
            frame[name] = pd.Categorical(values, categories=sorted(pd.unique(values.dropna())))
    return frame


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False, engine="pyarrow")


def _clean_stale(processed: Path) -> None:
    for tmp in processed.glob(_TMP_PREFIX + "*"):
        try:
            pid = int(tmp.name[len(_TMP_PREFIX):].split("-")[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(tmp, ignore_errors=True)
        except (ValueError, PermissionError, OSError):
            continue


def _write(results: list[_Validated], catalog: Catalog, root: str | os.PathLike[str] | None) -> tuple[list[DatasetReport], str]:
    processed = paths.processed_dir(root)
    processed.mkdir(parents=True, exist_ok=True)
    _clean_stale(processed)
    tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{os.getpid()}-", dir=processed))
    backup = tmp / "previous"
    moved: list[tuple[Path, Path | None]] = []
    try:
        reports = []
        manifest = read_processed_manifest(root) or {}
        previous = manifest.get("datasets") if manifest.get("schema_version") == catalog.schema_version else None
        entries = {
            k: e for k, e in (previous or {}).items() if k in catalog.datasets and (processed / f"{k}.parquet").is_file()
        }
        for v in results:
            out = tmp / f"{v.spec.name}.parquet"
            _write_parquet(v.frame, out)
            rel_out = relative(processed / out.name, root)
            entries[v.spec.name] = {
                "inputs": [{"path": p, "sha256": s} for p, s in v.inputs],
                "output": rel_out,
                "output_sha256": sha256_file(out),
                "rows": len(v.frame),
                "columns": list(v.frame.columns),
                "synthetic": v.spec.synthetic,
            }
            reports.append(_report(v, rel_out))
        doc = {
            "schema_version": catalog.schema_version,
            "catalog_sha256": catalog.sha256,
            "research_kit_version": research_kit.__version__,
            "raw_manifest": (paths.raw_dir(root) / "MANIFEST").is_file(),  # checked: its deletion is reported
            "generated_at": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
            "datasets": {k: entries[k] for k in sorted(entries)},
        }
        text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        (tmp / PROCESSED_MANIFEST).write_text(text, encoding="utf-8")
        backup.mkdir()
        for name in [f"{v.spec.name}.parquet" for v in results] + [PROCESSED_MANIFEST]:
            target = processed / name
            old = backup / name if target.exists() else None
            if old is not None:
                os.replace(target, old)
            moved.append((target, old))
            os.replace(tmp / name, target)
        moved.clear()
        return reports, relative(processed / PROCESSED_MANIFEST, root)
    except BaseException:
        for target, old in reversed(moved):  # roll back what was already moved into place
            target.unlink(missing_ok=True)
            if old is not None:
                os.replace(old, target)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def prepare(
    root: str | os.PathLike[str] | None = None,
    names: str | Iterable[str] | None = None,
    *,
    dry_run: bool = False,
) -> PrepareReport:
    """Validate raw files against ``data/catalog.yaml`` and write ``data/processed/NAME.parquet``.

    Parameters
    ----------
    root : path, optional
        Project root (default: :func:`research_kit.paths.project_root`).
    names : str or iterable of str, optional
        Datasets to prepare (default: every dataset in the catalog). Datasets
        they reference by foreign key are validated too (read only).
    dry_run : bool
        Validate only; write nothing.

    Returns
    -------
    PrepareReport

    Raises
    ------
    DataValidationError
        Listing every problem found in every file (also hash mismatches against
        ``data/raw/MANIFEST``); nothing is written.

    Examples
    --------
    >>> report = prepare(names=["businesses"])          # doctest: +SKIP
    >>> report["businesses"].rows                       # doctest: +SKIP
    1200
    """
    catalog = load_catalog(root)
    selected = list(catalog) if names is None else [names] if isinstance(names, str) else list(names)
    for name in selected:
        catalog[name]  # raises UnknownDatasetError with the declared names
    raw_manifest, problems = read_raw_manifest(root)
    done: dict[str, _Validated] = {}
    for name in _needed(catalog, selected):
        done[name] = _validate(catalog[name], root, raw_manifest)
        problems += done[name].problems
    for v in done.values():
        problems += _foreign_key_problems(v, done)
    if problems:
        where = relative(paths.processed_dir(root), root)
        raise DataValidationError(problems, summary=f"prepare stopped; nothing was written to {where}")
    results = [done[n] for n in done if n in selected]
    for v in results:
        if v.spec.primary_key:
            v.frame = v.frame.sort_values(list(v.spec.primary_key), kind="stable").reset_index(drop=True)
        v.frame = _encode_keys(v.frame, v.spec)
    notes = tuple(n for v in results for n in v.notes)
    if dry_run:
        return PrepareReport(tuple(_report(v, "") for v in results), None, notes, dry_run=True)
    reports, manifest = _write(results, catalog, root)
    return PrepareReport(tuple(reports), manifest, notes)
