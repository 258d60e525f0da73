"""Small fake projects for the pipeline tests: a notebook that runs in a fraction of a second.

The fake paper imports nothing heavy (no research_kit, pandas or matplotlib in its
kernel), displays its metadata the way ``rk.report.front_matter`` does, one
Markdown table, and can be told to fail, to leak a global, or to kill its worker.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
META_MIME = "application/vnd.research-kit.meta+json"

PARAMETERS = '''x: int = 1  # a number shown in the paper
label: str = "甲"  # a label shown in the paper
fail: bool = False  # raise in the second cell
kill_marker: str = ""  # file: kill the worker process once, when the file does not exist yet
kill_always: bool = False  # kill the worker process every time
lang: str = "zh"  # paper language'''

BODY = '''import json, os, signal
from pathlib import Path
from IPython.display import Markdown, display
root = Path(os.environ["RESEARCH_KIT_ROOT"])
manifest = json.loads((root / "data" / "processed" / "manifest.json").read_text(encoding="utf-8"))
display({"%s": {"title": f"测试论文 {label} {x}", "abstract": f"摘要：外汇贷款测试 {label}。", "lang": lang,
                "task": "2", "synthetic": True, "county": label}}, raw=True)
assert "LEAK" not in globals(), "a global of another notebook leaked into this kernel"
LEAK = x''' % META_MIME

FAIL = '''if fail:
    raise ValueError(f"boom {label}")
if kill_always or (kill_marker and not Path(kill_marker).exists()):
    if kill_marker:
        Path(kill_marker).write_text("killed once", encoding="utf-8")
    os.kill(os.getppid(), signal.SIGKILL)
display(Markdown(f"| 项 | 值 |\\n|:--|--:|\\n| x | {x} |\\n| data | {manifest['marker']} |"))
display(Markdown(f"数据目录 {root.name}"))'''


def fake_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    zh = nbformat.v4.new_markdown_cell("## 引言\n\n这是一篇关于外汇贷款的测试论文。")
    zh.metadata["tags"] = ["lang-zh"]
    en = nbformat.v4.new_markdown_cell("## Introduction\n\nA test paper about FX loans.")
    en.metadata["tags"] = ["lang-en"]
    nb.cells = [params, nbformat.v4.new_code_cell(BODY), zh, en, nbformat.v4.new_code_cell(FAIL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def write_studies(root: Path, variants: dict[str, dict[str, Any]], *, study: str = "demo") -> None:
    lines = ["studies:", f"  {study}:", "    notebook: notebooks/fake.ipynb", '    task: "2"', "    variants:"]
    lines += [f"      {name}: {json.dumps(params, ensure_ascii=False)}" for name, params in variants.items()]
    (root / "studies.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_fake_project(root: Path, variants: dict[str, dict[str, Any]] | None = None) -> Path:
    """A project with a fake processed dataset (manifest only), the fake notebook and studies.yaml."""
    (root / "notebooks").mkdir(parents=True)
    nbformat.write(fake_notebook(), root / "notebooks" / "fake.ipynb")
    processed = root / "data" / "processed"
    processed.mkdir(parents=True)
    (root / "data" / "raw").mkdir()
    (root / "data" / "raw" / "input.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    set_data_marker(root, "v1")
    write_studies(root, variants or {"a": {"x": 1, "label": "甲"}, "b": {"x": 2, "label": "乙"}})
    return root


def set_data_marker(root: Path, marker: str) -> None:
    """Write the processed manifest (the input data as notebooks and the cache key see it)."""
    manifest = {"marker": marker, "generated_at": marker + "-time", "datasets": {
        "input": {"inputs": [{"path": "data/raw/input.csv", "sha256": "x"}], "output": "data/raw/input.csv"}}}
    (root / "data" / "processed" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture
def fake_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_fake_project(tmp_path / "project")
    monkeypatch.setenv("RESEARCH_KIT_ROOT", str(root))
    return root


def copy_project(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest
