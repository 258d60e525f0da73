"""`build` end to end on the fake paper: the site (index, search, fonts), the no-change rebuild, a SIGKILL mid-render."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from research_kit import pipeline

from pipeline_fixtures import make_fake_project, set_data_marker, write_studies

CLI = [sys.executable, "-m", "research_kit.cli"]


def assert_site_consistent(root: Path) -> dict:
    """Every paper of the manifest is in the index with files that exist; no half-built folder is left."""
    site = root / "reports" / "_site"
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    linked = set()  # Chinese papers are listed on index.html, English ones on en/index.html
    for page in (site / "index.html", site / "en" / "index.html"):
        if page.is_file():
            for href in re.findall(r'href="([^"#:]+)"', page.read_text(encoding="utf-8")):
                target = (page.parent / unquote(href)).resolve()
                assert target.exists(), href
                linked.add(target)
    for e in manifest["papers"]:
        assert e["files"] or e["status"] == "failed", e
        for rel in e["files"].values():
            assert (site / rel).is_file(), rel
            assert (site / rel).resolve() in linked, rel
    assert (site / "pagefind" / "pagefind-ui.js").is_file()
    assert not list(site.parent.glob("._site.*"))
    return manifest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pipeline.BuildReport]:
    root = make_fake_project(tmp_path_factory.mktemp("site") / "project",
                             {"zh": {"x": 1, "label": "义乌市"}, "en": {"x": 2, "label": "Yongkang", "lang": "en"}})
    os.environ["RESEARCH_KIT_ROOT"] = str(root)
    try:
        report = pipeline.build(root=root, workers=2)
    finally:
        os.environ.pop("RESEARCH_KIT_ROOT", None)
    return root, report


def test_index_lists_every_paper_with_its_facts_and_links(built) -> None:
    root, report = built
    assert [o.status for o in report.outcomes] == ["ok", "ok"] and report.site is not None
    manifest = assert_site_consistent(root)
    zh = (root / "reports/_site/index.html").read_text(encoding="utf-8")
    en = (root / "reports/_site/en/index.html").read_text(encoding="utf-8")
    index = zh + en  # the Chinese paper on index.html, the English one on en/index.html
    assert zh.count('<article class="card') == 1 and en.count('<article class="card') == 1
    assert "任务 2" in zh  # grouped under the policy task
    for e in manifest["papers"]:
        assert e["title"] in index and e["county"] in index and e["date"] in index
        assert set(e["files"]) == {"html", "docx", "pdf"}
    assert "摘要：外汇贷款测试 义乌市" in index  # the abstract
    assert '政策任务：任务 2' in index


def test_search_index_is_local_and_covers_both_languages(built) -> None:
    root, _ = built
    site = root / "reports/_site"
    index = "\n".join(p.read_text(encoding="utf-8") for p in (site / "index.html", site / "en" / "index.html")
                      if p.is_file())  # Chinese papers on index.html, English ones on en/index.html
    assert '<script src="pagefind/pagefind-ui.js">' in index and 'href="pagefind/pagefind-ui.css"' in index
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"):
        assert (site / "pagefind" / name).is_file(), name
    assert list((site / "pagefind").glob("wasm.*.pagefind")) and list((site / "pagefind/fragment").iterdir())
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    (lang,) = entry["languages"].values()  # one index for Chinese and English papers
    assert lang["page_count"] == 2
    for page in ("demo/zh.html", "demo/en.html"):
        assert "data-pagefind-body" in (site / page).read_text(encoding="utf-8")
    assert "data-pagefind-body" not in index
    # the search results' Chinese characters have local font subsets
    fonts = list((site / "assets/fonts").glob("*.woff"))
    assert fonts
    for page, prefix in ((site / "index.html", ""), (site / "en" / "index.html", "../")):
        html = page.read_text(encoding="utf-8")  # each index declares every subset once, relative to itself
        assert html.count('font-family:"RK Search CJK"') == len(fonts), page
        assert f'<script src="{prefix}pagefind/pagefind-ui.js">' in html, page
        for font in fonts:
            assert f'url("{prefix}assets/fonts/{font.name}")' in html, (page, font.name)
    assert re.search(r'unicode-range:U\+[0-9A-F]+', index)
    pytest.importorskip("fontTools")
    from fontTools.ttLib import TTFont

    cmap = set().union(*(TTFont(str(f)).getBestCmap() for f in fonts))
    assert {ord(c) for c in "外汇贷款测试义乌市"} <= cmap


def test_no_change_rebuild_executes_and_touches_nothing(built) -> None:
    root, _ = built
    site = root / "reports/_site"
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    proc = subprocess.run([*CLI, "--root", str(root), "build"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "0 to execute, 2 unchanged" in proc.stdout and "unchanged, kept" in proc.stdout
    # its speed (under 5 s) is measured by benchmarks/pipeline_bench.py, not by a timed test
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == before


#: Imported only when a variant runs or a page renders: each costs 0.3-2.5 s of CPU (nbformat's validator
#: compiles 38 lark grammars; research_kit.data and the report stack load pandas, scipy and matplotlib).
HEAVY = ("nbformat", "jsonschema", "papermill", "nbclient", "pandas", "scipy", "matplotlib", "statsmodels",
         "fontTools", "jinja2", "research_kit.data", "research_kit.report")


def _modules_after(argv: list[str]) -> tuple[int, list[str], str]:
    """Run ``research-kit ARGV`` in a fresh interpreter; return its exit code and the heavy modules it loaded."""
    code = ("import sys\nfrom research_kit import cli\ntry:\n    rc = cli.main(sys.argv[1:])\n"
            "except SystemExit as e:\n    rc = e.code or 0\n"
            f"print('HEAVY', rc, ','.join(m for m in {HEAVY!r} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=300)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("HEAVY ")]
    assert line, proc.stdout + proc.stderr
    _, rc, heavy = (line[-1].split(" ", 2) + [""])[:3]
    return int(rc), [m for m in heavy.split(",") if m], proc.stdout


def test_no_change_build_and_help_import_nothing_heavy(built) -> None:
    """What keeps a no-change build under a second and --help under 0.3 s (timed in benchmarks/pipeline_bench.py)."""
    root, _ = built
    rc, heavy, out = _modules_after(["--root", str(root), "build"])
    assert rc == 0 and "0 to execute, 2 unchanged" in out and "unchanged, kept" in out, out
    assert heavy == []
    rc, heavy, out = _modules_after(["--help"])
    assert rc == 0 and "build" in out and heavy == []
    # the check can fail: a command that reads data does load them
    _, heavy, _ = _modules_after(["--root", str(root), "prepare"])
    assert "research_kit.data" in heavy and "pandas" in heavy


@pytest.mark.parametrize("point", ["paper-render", "site-assembly"])
def test_build_killed_mid_render_is_repaired_by_the_next_build(tmp_path: Path, point: str) -> None:
    """SIGKILL the build (and its workers and kernels) at a known point, set by RESEARCH_KIT_FAULT."""
    from research_kit.pipeline import _fault

    assert point in _fault.POINTS
    root = make_fake_project(tmp_path / "project", {f"v{i}": {"x": i} for i in range(4)})
    env = {**os.environ, "RESEARCH_KIT_ROOT": str(root)}
    first = subprocess.run([*CLI, "--root", str(root), "build", "--workers", "2"], capture_output=True, text=True,
                           env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    old = assert_site_consistent(root)

    set_data_marker(root, "v2")  # every paper runs and renders again
    mark = tmp_path / "fault-reached"
    proc = subprocess.Popen([*CLI, "--root", str(root), "build", "--workers", "2"],
                            env={**env, _fault.ENV: point, _fault.MARK: str(mark)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while not mark.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # the build waits at the fault point: no race with the render
        assert mark.exists(), f"the build (exit code {proc.poll()}) never reached the fault point {point}"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the build, its workers and their kernels
        proc.wait(timeout=30)
    reports = root / "reports"
    if point == "site-assembly":
        assert list(reports.glob("._site.tmp-*"))  # the new site was complete but not swapped in
    else:
        assert list((reports / ".cache/render/demo").glob("*/.tmp-*"))  # a paper half-way into the cache
    # right after the kill the previous site is still served, whole
    assert assert_site_consistent_or_leftovers(root) == old

    again = subprocess.run([*CLI, "--root", str(root), "build", "--workers", "2"], capture_output=True, text=True,
                           env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    new = assert_site_consistent(root)
    assert [e["status"] for e in new["papers"]] == ["ok"] * 4
    page = (root / "reports/_site/demo/v3.html").read_text(encoding="utf-8")
    assert ">v2<" in page  # the data marker of the new run


def assert_site_consistent_or_leftovers(root: Path) -> dict:
    """The served site right after a kill: consistent, though a half-built folder may lie beside it."""
    site = root / "reports" / "_site"
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    for e in manifest["papers"]:
        for rel in e["files"].values():
            assert (site / rel).is_file(), rel
    return manifest


def test_failing_variant_leaves_the_previous_paper_online_and_build_exits_non_zero(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from research_kit import cli

    root = make_fake_project(tmp_path / "project", {"ok1": {"x": 1}, "flaky": {"x": 2}})
    monkeypatch.setenv("RESEARCH_KIT_ROOT", str(root))
    assert cli.main(["--root", str(root), "build", "--formats", "html"]) == 0
    served = (root / "reports/_site/demo/flaky.html").read_bytes()
    write_studies(root, {"ok1": {"x": 3}, "flaky": {"x": 2, "fail": True}})
    capsys.readouterr()
    assert cli.main(["--root", str(root), "build", "--formats", "html"]) == 1
    out, err = capsys.readouterr()
    assert "demo/flaky" in err and "ValueError: boom" in out
    assert (root / "reports/_site/demo/flaky.html").read_bytes() == served  # the last good version stays online
    manifest = assert_site_consistent(root)
    status = {e["variant"]: e["status"] for e in manifest["papers"]}
    assert status == {"ok1": "ok", "flaky": "stale"}
    assert (root / "reports/_site/demo/flaky.failed.html").is_file()
    assert ">3<" in (root / "reports/_site/demo/ok1.html").read_text(encoding="utf-8")  # the others published


def test_the_command_validates_notebooks_without_the_iri_grammars() -> None:
    """research-kit's processes load nbformat's validator without rfc3987_syntax (1.5 s of grammar compilation)."""
    code = ("import sys, time\nfrom research_kit.pipeline._fastimport import skip_iri_grammars\nskip_iri_grammars()\n"
            "import nbformat\nnb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('x')])\n"
            "nbformat.validate(nb)\nnb.cells[0]['cell_type'] = 'nonsense'\n"
            "try:\n    nbformat.validate(nb)\nexcept nbformat.ValidationError:\n    print('INVALID CAUGHT')\n"
            "print('LOADED', sys.modules.get('rfc3987_syntax'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "INVALID CAUGHT" in proc.stdout and "LOADED None" in proc.stdout  # still validated; grammars not loaded
