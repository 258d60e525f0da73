"""End to end: raw demo data -> prepare -> executed paper (non-default parameters) -> rendered site.

Runs in a temporary copy of the project so the checkout's data/processed and reports/ are untouched.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

import research_kit as rk
from research_kit import pipeline
from research_kit.pipeline.render import find_external_references

ROOT = Path(__file__).resolve().parents[1]
NB = "notebooks/01_fx_loans_individual_businesses.ipynb"
PARAMS = {"county": "永康市", "lang": "en", "control_group": "never", "outcome": "financing_cost",
          "leads": 6, "lags": 12}
CJK = re.compile(r"[\u3400-\u9fff]")


def _copy_project(dest: Path) -> Path:
    (dest / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "raw", dest / "data" / "raw")
    shutil.copy(ROOT / "data" / "catalog.yaml", dest / "data" / "catalog.yaml")
    (dest / "notebooks").mkdir()
    shutil.copy(ROOT / NB, dest / NB)
    params = ", ".join(f"{k}: {v}" for k, v in PARAMS.items())
    (dest / "studies.yaml").write_text(
        f"studies:\n  fx_loans:\n    notebook: {NB}\n    task: \"2\"\n    variants:\n      yongkang_en: {{{params}}}\n",
        encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pipeline.BuildReport]:
    root = _copy_project(tmp_path_factory.mktemp("project"))
    report = pipeline.build(root=root)
    return root, report


def test_build_runs_the_variant_with_its_parameters(built) -> None:
    root, report = built
    assert [(o.study, o.variant, o.status) for o in report.outcomes] == [("fx_loans", "yongkang_en", "ok")], report
    nb = nbformat.read(root / "reports/papers/fx_loans/yongkang_en.ipynb", as_version=4)
    meta = nb.metadata["research_kit"]
    assert meta["parameters"] == PARAMS and meta["lang"] == "en" and meta["synthetic"] is True
    assert "Yongkang" in meta["title"]
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    # prose of the other language was dropped, the Quarto front matter was added
    assert not any("lang-zh" in c.metadata.get("tags", []) for c in nb.cells)
    assert nb.cells[0].cell_type == "raw" and nb.cells[0].source.startswith("---\ntitle:")


def test_site_pages_exist_offline_with_embedded_figures(built) -> None:
    root, _ = built
    site = root / "reports" / "_site"
    for rel in ("index.html", "fx_loans/yongkang_en.html", "fx_loans/yongkang_en.docx", "fx_loans/yongkang_en.pdf"):
        assert (site / rel).is_file() and (site / rel).stat().st_size > 1000, rel
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert find_external_references(text) == [], page
        assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://""", text), page
    paper = (site / "fx_loans/yongkang_en.html").read_text(encoding="utf-8")
    assert paper.count('src="data:image/png;base64,') >= 3
    assert "<math" in paper  # equations as MathML, no MathJax CDN
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Yongkang" in index and "yongkang_en.html" in index


def test_paper_numbers_come_from_the_estimator(built) -> None:
    root, _ = built
    from research_kit.studies import fx_loans as study

    panel = study.analysis_panel("永康市", root=root)
    est = study.estimate(panel, outcome="financing_cost", control_group="never", leads=6, lags=12)
    paper = (root / "reports/_site/fx_loans/yongkang_en.html").read_text(encoding="utf-8")
    for r in (est.cs, est.twfe):
        assert f"{r.estimate:.3f}" in paper, r
        assert f"{r.conf_low:.3f}" in paper and f"{r.conf_high:.3f}" in paper
    assert f"{est.truth_att:.3f}" in paper
    assert f"{panel['business_id'].nunique():,}" in paper


def test_english_paper_has_no_chinese_except_proper_names(built) -> None:
    root, _ = built
    html = (root / "reports/_site/fx_loans/yongkang_en.html").read_text(encoding="utf-8")
    text = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    text = re.sub(r"data:[^\"')\s]+", "", text)
    allowed = {"永康市"}  # the county parameter, echoed in the run parameters
    for name in allowed:
        text = text.replace(name, "")
    found = sorted(set(CJK.findall(re.sub(r"<[^>]+>", " ", text))))
    assert not found, f"Chinese characters in the English paper: {''.join(found)}"


def test_no_business_identifier_is_published(built) -> None:
    root, _ = built
    ids = rk.data.identifier_values(root)
    assert len(ids) == 1200
    assert rk.report.check_no_microdata(root / "reports" / "_site", ids)


def test_render_refuses_a_paper_that_prints_microdata(built) -> None:
    root, _ = built
    site = root / "reports" / "_site"
    before = (site / "fx_loans/yongkang_en.html").read_bytes()
    path = root / "reports/papers/fx_loans/yongkang_en.ipynb"
    original = path.read_bytes()
    nb = nbformat.read(path, as_version=4)
    leak = nbformat.v4.new_code_cell("")
    leak.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": "| id |\n|---|\n| GT000001 |"})]
    nb.cells.append(leak)
    nbformat.write(nb, path)
    try:
        with pytest.raises(rk.report.DisclosureError, match="GT000001"):
            pipeline.render_site(root, identifiers=rk.data.identifier_values(root))
        assert (site / "fx_loans/yongkang_en.html").read_bytes() == before  # the last good site stays
    finally:
        path.write_bytes(original)


def test_two_runs_give_identical_tables(built) -> None:
    root, _ = built
    studies = pipeline.load_studies(root)
    first = nbformat.read(root / "reports/papers/fx_loans/yongkang_en.ipynb", as_version=4)
    again = pipeline.run_variant(studies["fx_loans"], studies["fx_loans"].variants[0], root=root)
    assert again.status == "ok"
    second = nbformat.read(again.path, as_version=4)

    def tables(nb) -> list[str]:
        return [o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if "text/markdown" in o.get("data", {})]

    assert tables(first) == tables(second) and len(tables(first)) >= 8
