"""Content hashes behind the incremental build.

A variant is executed again only when its **cache key** changes. The key is the
sha256 of:

* the notebook file (bytes);
* the variant's parameters (canonical JSON) and the study's policy task;
* the input data: ``data/processed/manifest.json`` (without its ``generated_at``
  time stamp), the current sha256 of every raw file it names and of every
  processed file it lists (so a raw file edited after ``prepare`` also counts);
* ``research_kit``: its version string **and** the hash of its source tree
  (every file of the installed package, ``.py`` and assets). The version does
  not change while the package is developed; the tree hash does, so editing
  ``studies/fx_loans/_paper.py`` re-runs the papers that import it (and, being
  conservative, every other paper too);
* the kernel name and the Python version.

Hashing a large raw file on every build would be slow, so file hashes are kept
in ``reports/.cache/filehash.json`` by (path, size, modification time, inode,
status-change time); a file for which any of them changed is hashed again. The
status-change time (``ctime``) changes on every write and cannot be set back, so
an edit that keeps the size and restores the modification time is still
noticed; a file merely touched is hashed again and, its content being the same,
changes nothing.

Examples
--------
>>> from research_kit.pipeline.hashing import canonical_json
>>> canonical_json({"b": 1, "a": "义乌市"})
'{"a":"义乌市","b":1}'
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from research_kit import paths

__all__ = ["FileHasher", "canonical_json", "sha256_bytes", "source_tree_hash", "package_version", "data_hash",
           "variant_key", "cache_dir"]

_CHUNK = 1 << 20


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces (the same value always gives the same text)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha256_bytes(data: bytes | str) -> str:
    """Hex sha256 of bytes (text is UTF-8 encoded)."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def cache_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``reports/.cache``: build state that may be deleted at any time (it only costs a rebuild)."""
    return paths.reports_dir(root) / ".cache"


class FileHasher:
    """sha256 of files, remembered by (size, mtime, inode, ctime) in a JSON file.

    Parameters
    ----------
    store
        JSON file that keeps the hashes between runs (``None``: in memory only).
    """

    def __init__(self, store: Path | None = None) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._known: dict[str, list[Any]] = {}
        self._dirty = False
        if store is not None and store.is_file():
            try:
                loaded = json.loads(store.read_text(encoding="utf-8"))
                self._known = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self._known = {}

    def __call__(self, path: str | os.PathLike[str]) -> str:
        """Return the sha256 of ``path`` (``"missing"`` when the file does not exist)."""
        p = Path(path)
        try:
            st = p.stat()
        except FileNotFoundError:
            return "missing"
        key = str(p.resolve())
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
        with self._lock:
            hit = self._known.get(key)
            if hit is not None and len(hit) == len(stamp) + 1 and hit[:-1] == stamp:
                return str(hit[-1])
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(_CHUNK), b""):
                h.update(block)
        digest = h.hexdigest()
        with self._lock:
            self._known[key] = [*stamp, digest]
            self._dirty = True
        return digest

    def save(self) -> None:
        """Write the remembered hashes (atomically) when something was added."""
        if self.store is None or not self._dirty:
            return
        self.store.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.store.with_name(f".{self.store.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self._known), encoding="utf-8")
        os.replace(tmp, self.store)
        self._dirty = False


def _package_dir() -> Path:
    import research_kit

    return Path(research_kit.__file__).resolve().parent


def _tree_files(top: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in sorted(filenames):
            if not name.endswith((".pyc", ".pyo")) and not name.startswith("."):
                yield Path(dirpath) / name


@lru_cache(maxsize=4)
def _source_tree_hash(top: str) -> str:
    h = hashlib.sha256()
    base = Path(top)
    for f in _tree_files(base):
        h.update(f.relative_to(base).as_posix().encode("utf-8") + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def source_tree_hash(top: str | os.PathLike[str] | None = None) -> str:
    """sha256 over the relative paths and contents of the ``research_kit`` package files.

    ``top`` defaults to the folder of the imported package. Computed once per process.
    """
    return _source_tree_hash(str(Path(top) if top is not None else _package_dir()))


def package_version() -> str:
    """The installed ``research_kit`` version (``"unknown"`` when not installed as a distribution)."""
    from importlib import metadata

    try:
        return metadata.version("research_kit")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed by `make setup`
        return "unknown"


def data_hash(root: str | os.PathLike[str] | None = None, *, hasher: FileHasher | None = None) -> str:
    """Hash of the input data as notebooks see it (see the module docstring).

    ``"no-data"`` when ``data/processed/manifest.json`` does not exist (a project
    without prepared data: notebooks that read none).
    """
    hasher = hasher or FileHasher()
    project = paths.project_root(root)
    manifest = paths.processed_dir(root) / "manifest.json"
    if not manifest.is_file():
        return "no-data"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except ValueError:
        return "unreadable-manifest-" + hasher(manifest)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != "generated_at"}
    files: dict[str, str] = {}
    for entry in (data.get("datasets") or {}).values() if isinstance(data, dict) else ():
        if not isinstance(entry, dict):
            continue
        for item in entry.get("inputs", []) or []:
            rel = item.get("path") if isinstance(item, dict) else None
            if rel:
                files[rel] = hasher(project / rel)
        if entry.get("output"):
            files[str(entry["output"])] = hasher(project / str(entry["output"]))
    return sha256_bytes(canonical_json({"manifest": data, "files": files}))


def variant_key(*, notebook_sha: str, parameters: Mapping[str, Any], task: str, data: str, source: str,
                version: str, kernel_name: str) -> str:
    """The cache key of one variant (sha256 hex)."""
    return sha256_bytes(canonical_json({
        "schema": 1, "notebook": notebook_sha, "parameters": dict(parameters), "task": task, "data": data,
        "research_kit": {"version": version, "source": source}, "kernel": kernel_name,
        "python": platform.python_version(),
    }))
