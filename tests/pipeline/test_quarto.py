"""The Quarto route, exercised with a stand-in ``quarto`` executable (Quarto cannot be installed here).

The stand-in records its arguments and the project it was given, and writes the output
file Quarto would write; the tests check what research_kit hands to Quarto and that the
usual safety checks still run on Quarto's output.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from research_kit.pipeline._quarto import quarto_executable, quarto_notebook
from research_kit.pipeline.render import render_site
from research_kit.report.text import META_MIME

FAKE = r'''#!{python}
import json, sys, zipfile
from pathlib import Path
args = sys.argv[1:]
log = Path({log!r})
with log.open("a", encoding="utf-8") as f:
    f.write(json.dumps({{"args": args, "cwd": str(Path.cwd()),
                        "config": Path("_quarto.yml").read_text(encoding="utf-8"),
                        "notebook": json.loads(Path("paper.ipynb").read_text(encoding="utf-8"))}}) + "\n")
fmt = args[args.index("--to") + 1]
if fmt == "html":
    Path("paper.html").write_text("<!doctype html><html><head><title>q</title></head><body><h1>QUARTO 金华</h1>"
                                  + {body!r} + "</body></html>", encoding="utf-8")
else:
    with zipfile.ZipFile("paper.docx", "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
'''


def _fake_quarto(folder: Path, log: Path, body: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "quarto"
    exe.write_text(FAKE.format(python=sys.executable, log=str(log), body=body), encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


def _paper(root: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    raw = nbformat.v4.new_raw_cell("---\ntitle: t\n---")
    raw.metadata["tags"] = ["quarto-front-matter"]
    params = nbformat.v4.new_code_cell("county = 'all'")
    params.metadata["tags"] = ["parameters"]
    meta = nbformat.v4.new_code_cell("rk.report.front_matter(...)")
    meta.outputs = [nbformat.v4.new_output("display_data", data={META_MIME: {"title": "t"}, "text/plain": "{}"})]
    table = nbformat.v4.new_code_cell("t")
    table.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": "| a |\n|---|\n| 1 |"})]
    hidden = nbformat.v4.new_markdown_cell("# exploration only")
    hidden.metadata["tags"] = ["remove"]
    nb.cells = [raw, hidden, params, meta, table]
    nb.metadata["research_kit"] = {"study": "s", "variant": "v", "title": "论文", "abstract": "摘要文字", "lang": "zh",
                                   "status": "ok", "synthetic": True, "task": "2", "parameters": {}}
    path = root / "reports" / "papers" / "s" / "v.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    (root / "data").mkdir(parents=True)
    (root / "data" / "catalog.yaml").write_text("schema_version: 1\ndatasets: {}\n", encoding="utf-8")
    _paper(root)
    monkeypatch.setenv("RESEARCH_KIT_ROOT", str(root))
    return root


def test_quarto_on_path_renders_html_and_docx(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "quarto.log"
    bindir = _fake_quarto(tmp_path / "bin", log).parent
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("RESEARCH_KIT_RENDERER", raising=False)
    assert quarto_executable() == str(bindir / "quarto")
    report = render_site(project, formats=("html", "docx"), search=False)
    assert [p.status for p in report.papers] == ["ok"]
    page = (project / "reports/_site/s/v.html").read_text(encoding="utf-8")
    assert "QUARTO" in page and "RK Noto Sans CJK SC" in page  # Quarto's page, with our CJK font subset added
    assert (project / "reports/_site/s/v.docx").is_file()
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [c["args"] for c in calls] == [["render", "paper.ipynb", "--to", "html", "--no-execute"],
                                         ["render", "paper.ipynb", "--to", "docx", "--no-execute"]]
    config = yaml.safe_load(calls[0]["config"])
    assert config["execute"] == {"enabled": False, "echo": False, "warning": False}
    assert config["format"]["html"]["embed-resources"] is True
    assert config["format"]["html"]["html-math-method"] == "mathml"  # no MathJax CDN
    cells = calls[0]["notebook"]["cells"]
    assert cells[0]["cell_type"] == "raw" and "".join(cells[0]["source"]).startswith("---")  # front matter kept
    tags = [t for c in cells for t in c.get("metadata", {}).get("tags", [])]
    assert "parameters" not in tags and "remove" not in tags
    assert all(META_MIME not in o.get("data", {}) for c in cells for o in c.get("outputs", []))


def test_quarto_output_still_goes_through_the_offline_check(project: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from research_kit.pipeline.render import RenderError

    log = tmp_path / "quarto.log"
    bindir = _fake_quarto(tmp_path / "bin", log, body='<script src="https://cdn.example/x.js"></script>').parent
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(RenderError, match="https://cdn.example"):
        render_site(project, formats=("html",), search=False)
    assert not (project / "reports/_site").exists()


def test_renderer_env_var_forces_pandoc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bindir = _fake_quarto(tmp_path / "bin", tmp_path / "log").parent
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("RESEARCH_KIT_RENDERER", "pandoc")
    assert quarto_executable() is None


def test_quarto_notebook_keeps_prose_and_results() -> None:
    nb = nbformat.v4.new_notebook()
    md = nbformat.v4.new_markdown_cell("## 数据")
    code = nbformat.v4.new_code_cell("x")
    code.outputs = [nbformat.v4.new_output("stream", name="stderr", text="warning"),
                    nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})]
    nb.cells = [md, code]
    out = quarto_notebook(nb)
    assert out.cells[0].source == "## 数据"
    assert [o["output_type"] for o in out.cells[1].outputs] == ["display_data"]
    assert len(nb.cells[1].outputs) == 2  # the original is not modified


# ---------------------------------------------------------------------------- the committed Quarto project

REPO = Path(__file__).resolve().parents[2]


def test_reports_quarto_project_is_a_website_with_the_pandoc_routes_settings() -> None:
    from research_kit.pipeline._site import assets_dir

    config = yaml.safe_load((REPO / "reports/_quarto.yml").read_text(encoding="utf-8"))
    assert config["project"]["type"] == "website" and config["execute"]["enabled"] is False
    assert (REPO / "reports" / config["bibliography"]).is_file() and (REPO / "reports" / config["csl"]).is_file()
    assert "7714" in config["csl"] and config["format"]["html"]["embed-resources"] is True
    assert config["format"]["html"]["html-math-method"] == "mathml" and config["format"]["docx"]["toc"] is True
    # the same CSS as the Pandoc route
    assert (REPO / "reports" / config["format"]["html"]["css"]).read_bytes() == (assets_dir() / "site.css").read_bytes()
    # every study of studies.yaml is listed under its policy task
    studies = yaml.safe_load((REPO / "studies.yaml").read_text(encoding="utf-8"))["studies"]
    listed = {s: task for task, names in config["research-kit"]["tasks"].items() for s in names}
    assert {s: str(v["task"]) for s, v in studies.items()} == listed
    for index in ("index.qmd", "en/index.qmd"):
        assert (REPO / "reports" / index).is_file() and index in config["project"]["render"]


def test_quarto_render_uses_the_reports_project(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    for name in ("_quarto.yml", "references.bib", "frame.yaml", "styles.css"):
        shutil.copy(REPO / "reports" / name, project / "reports" / name)
    shutil.copytree(REPO / "reports/csl", project / "reports/csl")
    log = tmp_path / "quarto.log"
    bindir = _fake_quarto(tmp_path / "bin", log).parent
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("RESEARCH_KIT_RENDERER", raising=False)
    render_site(project, formats=("html", "docx"), search=False)
    call = json.loads(log.read_text(encoding="utf-8").splitlines()[0])
    config = yaml.safe_load(call["config"])
    assert config["project"] == {"type": "default"} and "website" not in config
    assert config["bibliography"] == str((project / "reports/references.bib").resolve())
    assert config["csl"].endswith("china-national-standard-gb-t-7714-2015-numeric.csl")
    assert config["format"]["html"]["toc"] is True and config["format"]["html"]["css"] == "site.css"
    front = yaml.safe_load("".join(call["notebook"]["cells"][0]["source"]).strip().strip("-"))
    assert front["rk-unit"] == "金华开放经济金融研究院" and front["author"] and front["toc"] is True
    assert front["bibliography"].endswith("references.bib") and front["rk-number"].startswith("JOEF-")
