"""The tutorials under notebooks/tutorials/ run top to bottom on the public data the package ships.

Each tutorial asserts its own agreement with the published reference (R did, ADH Table 2, synthdid,
Stata rdrobust, Wooldridge), so a run that finishes is a run whose numbers match.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "notebooks" / "tutorials").glob("*.ipynb"))


def test_one_tutorial_per_method_family() -> None:
    assert [p.stem for p in TUTORIALS] == ["01_did", "02_synthetic_control", "03_rd", "04_panel_iv", "05_reporting"]


@pytest.mark.slow
@pytest.mark.parametrize("notebook", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_runs_and_shows_its_mistakes(notebook: Path, tmp_path: Path) -> None:
    import papermill as pm

    out = tmp_path / notebook.name
    pm.execute_notebook(str(notebook), str(out), kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = json.dumps(nb, ensure_ascii=False)
    assert '"output_type": "error"' not in text
    if notebook.stem == "01_did":
        assert "time column 'year' holds text" in text and "holds -1" in text and "pass outcome='lemp'" in text
    if notebook.stem == "04_panel_iv":
        assert "weak instruments" in text
