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
one) are kept; ``rollback`` points ``current`` back at the version published
before it, following ``publish.log`` (a version withdrawn by an earlier
rollback is skipped). A publish folder inside the project's ``reports/`` is
refused (the site would be copied into itself).

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
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

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


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _file_in_the_way(target: Path) -> Path | None:
    """The nearest ancestor of ``target`` (or itself) that exists and is not a folder."""
    for p in (target, *target.parents):
        if p.exists() or p.is_symlink():
            return None if p.is_dir() else p
    return None


def _prepare(to: str | os.PathLike[str], *, create: bool) -> Path:
    target = Path(to).expanduser().absolute()
    blocker = _file_in_the_way(target)
    if blocker is not None:
        what = "is a file" if blocker.exists() else "is a broken link"
        raise PublishError(f"cannot publish to {target}: {blocker} {what}, not a folder. Choose a publish folder "
                           "whose parent folders exist (or can be created).")
    if not target.exists():
        if not create:
            raise PublishError(f"{target} does not exist: nothing has been published there.")
        try:
            target.mkdir(parents=True)
        except OSError as exc:
            raise PublishError(f"cannot create the publish folder {target}: {exc.strerror or exc}.") from None
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
    wanted, reports = Path(to).expanduser().absolute(), paths.reports_dir(root)
    if _inside(wanted, reports) or _inside(wanted, site):
        raise PublishError(f"cannot publish to {wanted}: it is inside the project's {reports}, which the build "
                           "rewrites (and the site would be copied into itself). Publish to a folder outside "
                           "reports/, e.g. the web server's root.")
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
            chosen = _previous(target, versions, current)
        _point_current(target, chosen)
        _log(target, "rollback", chosen, previous=current, to="explicit" if version is not None else "previous")
    return target / VERSIONS / chosen


def _history(target: Path) -> list[str] | None:
    """The versions published and not withdrawn, oldest first, replayed from ``publish.log`` (None: no log).

    A publish (or a rollback to a named version) puts its version on top; a plain
    rollback withdraws the top one. So publish v1, publish v2, rollback, publish v3,
    rollback ends on v1: v2 was withdrawn.
    """
    try:
        lines = (target / "publish.log").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    stack: list[str] = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("version"), str):
            continue
        version, action = entry["version"], entry.get("action")
        if action == "publish" or (action == "rollback" and entry.get("to") == "explicit"):
            stack.append(version)
        elif action == "rollback":
            if entry.get("to") != "previous" and (len(stack) < 2 or stack[-2] != version):
                stack.append(version)  # an older log line without `to`: a jump to a named version
                continue
            if stack:
                stack.pop()
            while stack and stack[-1] != version:
                stack.pop()
            if not stack:
                stack.append(version)
    return stack


def _previous(target: Path, versions: list[str], current: str | None) -> str:
    """The version to roll back to: the one published before the current one, skipping withdrawn ones."""
    kept = set(versions)
    stack = _history(target)
    if stack and current is not None and stack[-1] == current:
        earlier = [v for v in stack[:-1] if v in kept and v != current]
        if earlier:
            return earlier[-1]
        raise PublishError(f"no version published before {current} is kept in {target / VERSIONS} (publish.log "
                           "lists the history): nothing to roll back to.")
    older = [v for v in versions if current is None or v < current]  # no usable log: by id (publish time)
    if not older:
        raise PublishError(f"no version older than {current} is kept in {target / VERSIONS}: nothing to roll back to.")
    return older[-1]


def published_versions(to: str | os.PathLike[str]) -> list[PublishedVersion]:
    """The kept versions, oldest first."""
    target = Path(to).expanduser().absolute()
    if not (target / VERSIONS).is_dir():
        return []
    current = _current_id(target)
    return [PublishedVersion(v, target / VERSIONS / v, v == current) for v in _versions(target)]
