"""Every notebook under notebooks/ has a percent-format .py twin that says the same (jupytext pairing).

Reviewers read the .py in diffs; the pipeline executes the .ipynb. `make sync-notebooks` rewrites the twins
from the notebooks. This test fails when a pair disagrees (a cell's kind, source or tags).
"""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
FIX = "run `make sync-notebooks` (the .ipynb is the source of truth) and commit both files"


def _cells(nb: dict) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c["cell_type"], "".join(c["source"]).strip() if isinstance(c["source"], list) else c["source"].strip(),
             tuple(c.get("metadata", {}).get("tags", ()))) for c in nb["cells"]]


def test_there_are_notebooks_to_check() -> None:
    assert len(NOTEBOOKS) >= 6


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_and_its_py_twin_agree(notebook: Path) -> None:
    twin = notebook.with_suffix(".py")
    assert twin.is_file(), f"{twin.relative_to(ROOT)} is missing: {FIX}"
    ipynb = json.loads(notebook.read_text(encoding="utf-8"))
    script = jupytext.reads(twin.read_text(encoding="utf-8"), fmt="py:percent")
    mine, theirs = _cells(ipynb), _cells(json.loads(jupytext.writes(script, fmt="ipynb")))
    assert len(mine) == len(theirs), f"{notebook.name}: {len(mine)} cells, its .py twin {len(theirs)}: {FIX}"
    for i, (a, b) in enumerate(zip(mine, theirs)):
        assert a == b, f"{notebook.name} cell {i} differs from {twin.name}: {FIX}"


def test_no_orphan_script_in_notebooks() -> None:
    scripts = sorted((ROOT / "notebooks").rglob("*.py"))
    orphans = [p.name for p in scripts if not p.with_suffix(".ipynb").is_file()]
    assert not orphans, f"scripts without their notebook: {orphans}"
