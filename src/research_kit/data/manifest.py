"""Manifests: ``data/raw/MANIFEST`` (sha256 of every raw file) and ``data/processed/manifest.json``.

Raw data is immutable. ``data/raw/MANIFEST`` holds one line per raw file,
``<sha256>  <path relative to data/raw>`` (the format of ``sha256sum``, so
``cd data/raw && sha256sum -c MANIFEST`` also checks it). A new delivery is
saved under a new file name, declared in ``data/catalog.yaml`` and registered
with :func:`write_raw_manifest`.

Examples
--------
>>> from research_kit.data import write_raw_manifest
>>> write_raw_manifest()                  # doctest: +SKIP
PosixPath('.../data/raw/MANIFEST')
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from research_kit import paths
from research_kit.data.validate import DataValidationError, Problem

__all__ = ["MANIFEST_NAME", "read_processed_manifest", "read_raw_manifest", "sha256_file", "write_raw_manifest"]

MANIFEST_NAME = "MANIFEST"
PROCESSED_MANIFEST = "manifest.json"
_LINE = re.compile(r"^(?P<sha>[0-9a-fA-F]{64}) [ *](?P<path>.+)$")


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes, read in chunks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"")
    >>> sha256_file(p)[:12]
    'e3b0c44298fc'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def relative(path: Path, root: str | os.PathLike[str] | None) -> str:
    """``path`` relative to the project root (POSIX separators) when inside it."""
    try:
        return path.resolve().relative_to(paths.project_root(root)).as_posix()
    except ValueError:
        return str(path)


def read_raw_manifest(root: str | os.PathLike[str] | None = None) -> tuple[dict[str, str] | None, list[Problem]]:
    """Parse ``data/raw/MANIFEST``: (relative path → sha256, or None if absent; malformed-line problems).

    Paths may be written relative to ``data/raw`` (``businesses.csv``) or to the
    project root (``data/raw/businesses.csv``); blank lines and ``#`` comments are ignored.
    """
    path = paths.raw_dir(root) / MANIFEST_NAME
    if not path.is_file():
        previous = read_processed_manifest(root)
        if previous and previous.get("raw_manifest"):  # the last prepare checked the raw files against it
            return None, [Problem(relative(path, root), None, (), (), (
                f"data/raw/{MANIFEST_NAME} is missing, but the last prepare checked the raw files against it: "
                "without it nothing verifies that the raw data is unchanged. Restore it (e.g. `git checkout -- "
                f"data/raw/{MANIFEST_NAME}`), or, if the raw files are the ones to keep, register them again with "
                "`research-kit manifest`"
            ))]
        return None, []
    entries: dict[str, str] = {}
    bad: list[int] = []
    shown: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line.rstrip())
        if match is None:
            bad.append(number)
            shown.append(line[:40])
            continue
        rel = match["path"].strip().removeprefix("./").removeprefix("data/raw/")
        entries[rel] = match["sha"].lower()
    problems = []
    if bad:
        problems.append(Problem(
            relative(path, root), None, tuple(bad), tuple(shown[:5]),
            "malformed MANIFEST line: expected '<64 hex sha256>  <path relative to data/raw>'; "
            "regenerate it with research_kit.data.write_raw_manifest()",
            row_kind="line",
        ))
    return entries, problems


def check_raw_file(
    path: Path, sha: str, manifest: dict[str, str] | None, root: str | os.PathLike[str] | None
) -> Problem | None:
    """Compare a raw file's sha256 with ``data/raw/MANIFEST`` (None when it matches or there is no MANIFEST)."""
    if manifest is None:
        return None
    rel = path.resolve().relative_to(paths.raw_dir(root).resolve()).as_posix()
    shown = relative(path, root)
    if rel not in manifest:
        return Problem(shown, None, (), (), (
            f"raw file is not registered in data/raw/{MANIFEST_NAME}; if it is a new delivery, register it with "
            "research_kit.data.write_raw_manifest() (it records the sha256 of every raw file)"
        ))
    if manifest[rel] != sha:
        return Problem(shown, None, (), (f"recorded {manifest[rel][:12]}…", f"found {sha[:12]}…"), (
            f"raw file changed since it was registered in data/raw/{MANIFEST_NAME} (sha256 differs). Raw data is "
            "immutable: restore the original (e.g. `git checkout -- " + shown + "`); a new delivery goes under a "
            "new file name, declared in data/catalog.yaml and registered with research_kit.data.write_raw_manifest()"
        ))
    return None


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_raw_manifest(root: str | os.PathLike[str] | None = None, *, allow_changed: bool = False) -> Path:
    """Register the raw files: write ``data/raw/MANIFEST`` with the sha256 of every file in ``data/raw``.

    Hidden files (``.gitkeep``) and the MANIFEST itself are skipped. New files
    are added; a file whose bytes differ from its registered hash, or a registered
    file that disappeared, is refused unless ``allow_changed=True`` — raw data is
    immutable, so a new delivery belongs under a new file name.

    Parameters
    ----------
    root : path, optional
        Project root.
    allow_changed : bool
        Accept changed or removed files (e.g. after regenerating the synthetic demo data).

    Returns
    -------
    pathlib.Path
        The MANIFEST written.

    Raises
    ------
    DataValidationError
        If registered files changed or disappeared and ``allow_changed`` is False.

    Examples
    --------
    >>> write_raw_manifest()                                # doctest: +SKIP
    PosixPath('/srv/research_kit/data/raw/MANIFEST')
    """
    raw = paths.raw_dir(root)
    if not raw.is_dir():
        raise FileNotFoundError(f"raw data folder not found: {raw}")
    current = {
        p.relative_to(raw).as_posix(): sha256_file(p)
        for p in sorted(raw.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME and not any(part.startswith(".") for part in p.relative_to(raw).parts)
    }
    old, problems = read_raw_manifest(root)
    if old and not allow_changed:
        target = relative(raw / MANIFEST_NAME, root)
        for rel, sha in sorted(old.items()):
            if rel not in current:
                problems.append(Problem(f"data/raw/{rel}", None, (), (), "registered raw file was removed"))
            elif current[rel] != sha:
                seen = (f"recorded {sha[:12]}…", f"found {current[rel][:12]}…")
                problems.append(Problem(f"data/raw/{rel}", None, (), seen, "registered raw file changed (sha256 differs)"))
        if problems:
            raise DataValidationError(problems, summary=(
                f"{target} not updated: raw data is immutable. Restore the files, save new deliveries under new "
                "names, or call write_raw_manifest(allow_changed=True) to accept the changes"
            ))
    path = raw / MANIFEST_NAME
    _atomic_write_text(path, "".join(f"{sha}  {rel}\n" for rel, sha in sorted(current.items())))
    return path


def read_processed_manifest(root: str | os.PathLike[str] | None = None) -> dict[str, Any] | None:
    """The parsed ``data/processed/manifest.json``, or None if absent or unreadable."""
    path = paths.processed_dir(root) / PROCESSED_MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
