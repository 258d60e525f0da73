"""Copy the rendered site to the intranet web root atomically.

The new site is copied into a temporary folder beside the target, then swapped
in by renames, so a reader never sees a half-copied site; the previous version
is kept as ``<target>.previous`` for a manual rollback.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from research_kit import paths

__all__ = ["publish"]


def publish(to: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None) -> Path:
    """Publish ``reports/_site`` to ``to``; return the published path."""
    site = paths.site_dir(root)
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"{site / 'index.html'} not found: run `research-kit render` (or `build`) first.")
    target = Path(to).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.staging-{uuid.uuid4().hex[:8]}"
    shutil.copytree(site, staging)
    previous = target.parent / f"{target.name}.previous"
    if target.exists():
        if previous.exists():
            shutil.rmtree(previous)
        os.replace(target, previous)
    os.replace(staging, target)
    return target
