"""Processes started by a build die with it, and what a killed build left in the temporary folder goes.

A build starts pool workers, each worker starts Jupyter kernels, and the
renderer starts Pagefind. If the build is killed (``SIGKILL``, an OOM kill, a
closed terminal), none of them may live on: Jupyter's own parent check does not
fire when an orphan is adopted by a sub-reaper instead of PID 1, and a pool
worker that outlives its parent keeps starting kernels.

* :func:`die_with_parent` asks Linux to send ``SIGKILL`` to the calling process
  when its parent exits (``prctl(PR_SET_PDEATHSIG)``, through :mod:`ctypes`).
  Pool workers call it first thing; kernels and Pagefind get it between
  ``fork`` and ``exec`` (:func:`popen_kwargs`), and keep it across ``exec``.
  The chain build → worker → kernel therefore unwinds from the top.
* :func:`private_tempdir` makes a worker's temporary folder
  (``$TMPDIR/rk-kernels-<pid>-*``) holding an exclusive ``flock`` for the
  life of the process; :func:`clean_stale_tempdirs` (called at the start of
  every run) removes the folders whose lock is free: their owner is dead.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

__all__ = ["die_with_parent", "popen_kwargs", "private_tempdir", "clean_stale_tempdirs", "TEMP_PREFIXES"]

_PR_SET_PDEATHSIG = 1
#: Prefixes of the temporary folders research-kit processes make (``rk-run-*`` lives inside ``rk-kernels-*``).
TEMP_PREFIXES = ("rk-kernels-", "rk-run-")
_LOCK = ".owner.lock"
_LEGACY_AGE = 24 * 3600  # folders of older versions (no lock file): removed when untouched for a day
_HELD: list[Any] = []  # open lock files: closing them would release the locks


def die_with_parent(expected_parent: int | None = None, sig: int = signal.SIGKILL) -> bool:
    """Have the kernel send ``sig`` to this process when its parent exits (Linux); return True when set.

    ``expected_parent``: the PID the parent had when this process was started; when
    the parent is already gone (the process was adopted), exit at once.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        ok = libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - no prctl
        return False
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)  # the parent died before the request took effect
    return ok


def _preexec(parent: int) -> None:  # runs in the child between fork and exec: no locks, no imports
    die_with_parent(parent)


def popen_kwargs() -> dict[str, Callable[[], None]]:
    """Extra :class:`subprocess.Popen` arguments that make the child die with this process (empty off Linux)."""
    if not sys.platform.startswith("linux"):
        return {}
    return {"preexec_fn": functools.partial(_preexec, os.getpid())}


def private_tempdir(prefix: str = "rk-kernels-") -> Path:
    """A new temporary folder owned by this process (its lock is held until the process exits)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
    with contextlib.suppress(OSError, ImportError):
        import fcntl

        fh = open(folder / _LOCK, "w")  # noqa: SIM115 - held open on purpose
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _HELD.append(fh)
    return folder


def _owner_alive(folder: Path) -> bool:
    lock = folder / _LOCK
    if not lock.is_file():
        try:
            return time.time() - folder.stat().st_mtime < _LEGACY_AGE
        except OSError:
            return True
    try:
        import fcntl

        with open(lock, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True  # locked: the owner runs
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False
    except (OSError, ImportError):
        return True


def clean_stale_tempdirs(base: str | os.PathLike[str] | None = None) -> list[Path]:
    """Remove ``rk-kernels-*`` / ``rk-run-*`` folders whose owner process is gone; return them."""
    top = Path(base) if base is not None else Path(tempfile.gettempdir())
    removed: list[Path] = []
    try:
        candidates = [p for p in top.iterdir() if p.name.startswith(TEMP_PREFIXES) and p.is_dir()]
    except OSError:
        return removed
    for folder in candidates:
        with contextlib.suppress(OSError):
            if folder.stat().st_uid != os.getuid():
                continue
            if not _owner_alive(folder):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed
