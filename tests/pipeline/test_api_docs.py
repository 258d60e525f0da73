"""API reference pages: generated from the docstrings into the site, offline, kept when the source is unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from research_kit.pipeline._offline import find_external_references
from research_kit.pipeline.api_docs import write_api_docs


@pytest.mark.slow
def test_api_reference_is_written_offline_and_documents_the_estimators(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("RESEARCH_KIT_ROOT", str(tmp_path))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "catalog.yaml").write_text("datasets: {}\n", encoding="utf-8")
    out = write_api_docs(tmp_path)
    assert out == tmp_path / "reports" / "_site" / "api"
    cs = (out / "research_kit" / "did.html").read_text(encoding="utf-8")
    assert "callaway_santanna" in cs and "Parameters" in cs and "Examples" in cs
    assert (out / "search.js").is_file()
    for page in out.rglob("*.html"):
        assert not find_external_references(page.read_text(encoding="utf-8")), page
    before = os.stat(out / "index.html").st_mtime_ns
    assert write_api_docs(tmp_path) == out
    assert os.stat(out / "index.html").st_mtime_ns == before  # unchanged source: pages kept
