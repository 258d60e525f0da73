"""Publish the rendered site to the intranet web root atomically, keeping earlier versions for rollback.

Layout of the publish folder ``DIR`` (the web server serves ``DIR/current``)::

    DIR/
      current -> versions/20250630T101500123456-3fa2c1    (a relative symbolic link)
      versions/
        20250630T101500123456-3fa2c1/     the site as published then (index.html, papers, pagefind/ ...)
        20250629T170203000042-9be004/     an earlier one, kept for rollback
      publish.log                          one JSON line per publish / rollback
      .publish.lock

A publish copies ``reports/_site`` into ``versions/.incoming-<id>`` (invisible
to readers), renames it to ``versions/<id>`` and then points ``current`` at it by
renaming a new symbolic link over the old one (``rename(2)`` replaces it in one
step). A reader resolves ``current`` either to the old or to the new complete
version, never to a half-copied one; a publish interrupted at any point leaves
``current`` on the previous version, and the next publish removes the leftover
``.incoming-*`` folder. The newest ``keep`` versions (and always the current
one) are kept; ``rollback`` points ``current`` back at the previous version.

Examples
--------
>>> from research_kit.pipeline.publish import publish, rollback
>>> publish("/srv/www/research")            # doctest: +SKIP
PosixPath('/srv/www/research/versions/20250630T101500123456-3fa2c1')
>>> rollback("/srv/www/research")           # doctest: +SKIP
PosixPath('/srv/www/research/versions/20250629T170203000042-9be004')
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from research_kit import paths

__all__ = ["publish", "rollback", "published_versions", "PublishedVersion", "PublishError"]

CURRENT = "current"
VERSIONS = "versions"
_INCOMING = ".incoming-"


class PublishError(RuntimeError):
    """The publish folder is not in the expected layout, or there is nothing to roll back to."""


@dataclass(frozen=True)
class PublishedVersion:
    """One kept version: its id (sortable time stamp), folder, and whether ``current`` points at it."""

    id: str
    path: Path
    current: bool


@contextlib.contextmanager
def _lock(target: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(target / ".publish.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # publishes queue up rather than fail
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _prepare(to: str | os.PathLike[str], *, create: bool) -> Path:
    target = Path(to).expanduser().absolute()
    if not target.exists():
        if not create:
            raise PublishError(f"{target} does not exist: nothing has been published there.")
        target.mkdir(parents=True)
    if not target.is_dir():
        raise PublishError(f"{target} is not a folder.")
    cur = target / CURRENT
    if cur.exists() and not cur.is_symlink():
        raise PublishError(f"{cur} is a real folder, not the link research-kit publishes: move it away first.")
    known = {CURRENT, VERSIONS, "publish.log", ".publish.lock"}
    foreign = sorted(p.name for p in target.iterdir() if p.name not in known and not p.name.startswith(".current-"))
    if foreign and not (target / VERSIONS).is_dir():
        raise PublishError(
            f"{target} already holds files ({', '.join(foreign[:5])}) that research-kit did not publish (an older "
            f"publish wrote the site directly there). Publish to an empty or new folder, and point the web server "
            f"at {target / CURRENT}.")
    (target / VERSIONS).mkdir(exist_ok=True)
    return target


def _current_id(target: Path) -> str | None:
    cur = target / CURRENT
    if not cur.is_symlink():
        return None
    return Path(os.readlink(cur)).name


def _versions(target: Path) -> list[str]:
    folder = target / VERSIONS
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _point_current(target: Path, version: str) -> None:
    link = target / f".current-{uuid.uuid4().hex[:8]}"
    os.symlink(f"{VERSIONS}/{version}", link)
    try:
        os.replace(link, target / CURRENT)  # atomic: rename(2) over the old link
    except BaseException:
        link.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # make the new link durable
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _log(target: Path, action: str, version: str, **extra: object) -> None:
    line = {"time": _dt.datetime.now().astimezone().isoformat(timespec="seconds"), "action": action,
            "version": version, **extra}
    with open(target / "publish.log", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False) + "\n")


def _clean_leftovers(target: Path) -> None:
    for p in (target / VERSIONS).glob(f"{_INCOMING}*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in target.glob(".current-*"):
        p.unlink(missing_ok=True)


def _copy_file(src: str, dst: str) -> object:
    return shutil.copy2(src, dst)


def _new_id(existing: list[str]) -> str:
    stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    vid = f"{stamp}-{uuid.uuid4().hex[:6]}"
    if existing and vid <= existing[-1]:  # clock went back: keep ids sortable by publish order
        vid = f"{existing[-1].split('-')[0]}{'9'}-{uuid.uuid4().hex[:6]}"
    return vid


def publish(to: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None, keep: int = 5) -> Path:
    """Publish ``reports/_site`` to ``to`` (see the module docstring); return the new version's folder.

    Parameters
    ----------
    to
        The publish folder; the web server serves ``<to>/current``.
    root
        Project root.
    keep
        How many versions to keep (the newest, plus always the current one); at least 1.
    """
    if keep < 1:
        raise ValueError(f"keep={keep}: keep at least the version being published (keep >= 1).")
    site = paths.site_dir(root)
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"{site / 'index.html'} not found: run `research-kit render` (or `build`) first.")
    target = _prepare(to, create=True)
    with _lock(target):
        _clean_leftovers(target)
        existing = _versions(target)
        vid = _new_id(existing)
        incoming = target / VERSIONS / f"{_INCOMING}{vid}"
        try:
            shutil.copytree(site, incoming, symlinks=False, copy_function=_copy_file)
            os.chmod(incoming, 0o755)
            os.rename(incoming, target / VERSIONS / vid)
        except BaseException:
            shutil.rmtree(incoming, ignore_errors=True)
            raise
        previous = _current_id(target)
        _point_current(target, vid)
        _log(target, "publish", vid, previous=previous, source=str(site))
        _prune(target, keep)
    return target / VERSIONS / vid


def _prune(target: Path, keep: int) -> None:
    current = _current_id(target)
    versions = _versions(target)
    kept = set(versions[-keep:]) | ({current} if current else set())
    for v in versions:
        if v not in kept:
            shutil.rmtree(target / VERSIONS / v, ignore_errors=True)


def rollback(to: str | os.PathLike[str], *, version: str | None = None) -> Path:
    """Point ``<to>/current`` at the version before the current one (or at ``version``); return its folder."""
    target = _prepare(to, create=False)
    with _lock(target):
        versions = _versions(target)
        current = _current_id(target)
        if version is not None:
            if version not in versions:
                raise PublishError(f"version {version!r} is not kept in {target / VERSIONS}; kept: {versions}.")
            chosen = version
        else:
            older = [v for v in versions if current is None or v < current]
            if not older:
                raise PublishError(f"no version older than {current} is kept in {target / VERSIONS}: "
                                   "nothing to roll back to.")
            chosen = older[-1]
        _point_current(target, chosen)
        _log(target, "rollback", chosen, previous=current)
    return target / VERSIONS / chosen


def published_versions(to: str | os.PathLike[str]) -> list[PublishedVersion]:
    """The kept versions, oldest first."""
    target = Path(to).expanduser().absolute()
    if not (target / VERSIONS).is_dir():
        return []
    current = _current_id(target)
    return [PublishedVersion(v, target / VERSIONS / v, v == current) for v in _versions(target)]
