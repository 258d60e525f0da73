"""API reference pages: generated from the docstrings into the site, offline, kept when the source is unchanged.

``render_site`` puts them into every site it assembles (before the swap), both indexes link them, and a
second render keeps them; ``research-kit api-docs`` writes them into the current site alone.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import pytest

from research_kit.pipeline._offline import find_external_references
from research_kit.pipeline.api_docs import API_ENTRY, write_api_docs

R = importlib.import_module("research_kit.pipeline.render")
HOST = re.compile(r"""(?:\b(?:src|href|srcset|data)\s*=\s*["']?\s*(?:https?:)?//)|url\(\s*["']?\s*(?:https?:)?//""",
                  re.I)


def _project(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RESEARCH_KIT_ROOT", str(root))
    (root / "data").mkdir(parents=True)
    (root / "data" / "catalog.yaml").write_text("datasets: {}\n", encoding="utf-8")
    (root / "reports" / "papers").mkdir(parents=True)
    return root


def _assert_offline_reference(api: Path) -> None:
    cs = (api / "research_kit" / "did.html").read_text(encoding="utf-8")
    assert "callaway_santanna" in cs and "Parameters" in cs and "Examples" in cs
    assert (api / "search.js").is_file()  # pdoc's search runs from a local file
    pages = list(api.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not find_external_references(text), page
        assert not HOST.search(text), (page, HOST.search(text))


@pytest.mark.slow
def test_api_docs_command_writes_the_reference_offline_and_keeps_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, monkeypatch)
    out = write_api_docs(root)
    assert out == root / "reports" / "_site" / "api"
    _assert_offline_reference(out)
    before = os.stat(out / "index.html").st_mtime_ns
    assert write_api_docs(root) == out
    assert os.stat(out / "index.html").st_mtime_ns == before  # unchanged source: pages kept


@pytest.mark.slow
def test_render_publishes_the_reference_links_it_from_both_indexes_and_keeps_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from research_kit.pipeline.hashing import cache_dir

    root = _project(tmp_path / "p", monkeypatch)
    site = root / "reports" / "_site"
    R.render_site(root, formats=("html",), search=False)
    _assert_offline_reference(site / "api")
    assert (site / API_ENTRY).is_file()
    zh = (site / "index.html").read_text(encoding="utf-8")
    en = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="api-reference" href="api/research_kit\.html"[^>]*>API 参考（英文）</a>', zh), zh[:3000]
    assert re.search(r'<a class="api-reference" href="\.\./api/research_kit\.html"[^>]*>API reference</a>', en)

    # A second render (forced: the site is assembled again and swapped in) keeps the reference, from the
    # previous site even when the render cache is gone.
    import shutil

    shutil.rmtree(cache_dir(root) / "api")
    report = R.render_site(root, formats=("html",), search=False, force=True)
    assert not report.skipped
    _assert_offline_reference(site / "api")
    assert not (cache_dir(root) / "api").exists()  # copied from the previous site, pdoc did not run

    # A render with nothing new touches nothing, the reference included.
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    assert R.render_site(root, formats=("html",), search=False).skipped
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == before

    # Another project rendered by the same process copies the pages instead of running pdoc again.
    other = _project(tmp_path / "q", monkeypatch)
    R.render_site(other, formats=("html",), search=False)
    assert (other / "reports" / "_site" / API_ENTRY).read_bytes() == (site / API_ENTRY).read_bytes()
