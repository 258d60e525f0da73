"""Issue 15, disclosure: identifiers drawn in figures, printed in PDFs, and the path the error names.

A paper that labels bars with business identifiers used to build with rc 0 (the render-time scan read
text, not images). The kernels the pipeline starts now record every text artist a figure draws, and the
render refuses the site when one is an identifier.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from research_kit import cli, pipeline
from research_kit.report.identifiers import DisclosureError, check_no_microdata, find_identifiers

from pipeline_fixtures import fake_notebook, write_studies

IDS = [f"GT{i:06d}" for i in range(1, 10)]

BARS = '''import matplotlib
import matplotlib.pyplot as plt
if bars:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar([f"GT00000{i}" for i in range(1, 6)], [1, 2, 3, 4, 5])  # identifiers as tick labels
    ax.tick_params(axis="x", rotation=90)
    plt.show()'''

SAVED = '''from IPython.display import Image
if saved:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2], [1, 2])
    ax.annotate("GT000007", (1.5, 1.5))  # an annotation, saved to a file and shown as an image
    fig.savefig(root / "saved.png")
    plt.close(fig)
    display(Image(filename=str(root / "saved.png")))
else:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["义乌市", "东阳市"], [3, 4])  # aggregates: no identifier
    plt.show()'''


def _figure_project(root: Path) -> None:
    nb = fake_notebook()
    nb.cells[0].source += '\nbars: bool = False  # label bars with identifiers\nsaved: bool = False  # saved figure'
    nb.cells += [nbformat.v4.new_code_cell(BARS), nbformat.v4.new_code_cell(SAVED)]
    nbformat.write(nb, root / "notebooks" / "fake.ipynb")


@pytest.fixture
def figures(fake_project: Path) -> Path:
    _figure_project(fake_project)
    return fake_project


def test_identifiers_drawn_in_a_figure_stop_the_render(figures: Path) -> None:
    write_studies(figures, {"clean": {}, "bars": {"bars": True}, "saved": {"saved": True}})
    report = pipeline.run_studies(root=figures, workers=2)
    assert {o.variant: o.status for o in report.outcomes} == {"clean": "ok", "bars": "ok", "saved": "ok"}
    with pytest.raises(DisclosureError) as info:
        pipeline.render_site(figures, formats=("html",), identifiers=IDS)
    found = {(Path(h.source).name, h.identifier) for h in info.value.hits}
    assert {("bars.ipynb", f"GT00000{i}") for i in range(1, 6)} <= found
    assert ("saved.ipynb", "GT000007") in found
    assert not any(name == "clean.ipynb" for name, _ in found)
    message = str(info.value)
    assert "figure text of cell" in message and "a figure draws it" in message
    assert not (figures / "reports" / "_site").exists()  # nothing published


def test_a_clean_figure_renders_and_its_text_is_recorded(figures: Path) -> None:
    write_studies(figures, {"clean": {}})
    pipeline.run_studies(root=figures, workers=1)
    from research_kit.report.identifiers import figure_texts

    texts = "\n".join(t for _, t in figure_texts(figures / "reports/papers/demo/clean.ipynb"))
    assert "义乌市" in texts and "东阳市" in texts  # tick labels, recorded before rasterization
    site = pipeline.render_site(figures, formats=("html",), identifiers=IDS)
    assert [p.status for p in site.papers] == ["ok"]
    html = (figures / "reports/_site/demo/clean.html").read_text(encoding="utf-8")
    assert "figure-text" not in html and "data:image/png;base64" in html  # the record is not published


def test_build_fails_on_a_figure_with_identifiers(figures: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    write_studies(figures, {"bars": {"bars": True}})
    monkeypatch.setattr("research_kit.data.identifier_values", lambda root=None: set(IDS))
    (figures / "data" / "catalog.yaml").write_text("schema_version: 1\n", encoding="utf-8")
    monkeypatch.setattr(pipeline, "prepare_if_needed", lambda root=None, force=False: False)
    code = cli.main(["--root", str(figures), "build", "--formats", "html", "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "GT00000" in err and "figure text of cell" in err


def test_the_disclosure_error_names_the_site_not_a_deleted_temporary_folder(fake_project: Path) -> None:
    write_studies(fake_project, {"a": {"label": "GT000001"}})
    pipeline.run_studies(root=fake_project, workers=1)
    with pytest.raises(DisclosureError) as info:
        pipeline.render_site(fake_project, formats=("html",), identifiers=IDS)
    message = str(info.value)
    site = fake_project / "reports" / "_site"
    assert f"found in {site}/demo/a.html" in message
    assert ".tmp-" not in message and all(".tmp-" not in h.source for h in info.value.hits)
    assert not [p for p in (fake_project / "reports").iterdir() if ".tmp-" in p.name]


def _pdf(folder: Path, text: str) -> Path:
    import typst

    src = folder / "p.typ"
    src.write_text(f"= Paper\n\nRows: {text}\n", encoding="utf-8")
    out = folder / "p.pdf"
    typst.compile(str(src), output=str(out))
    src.unlink()
    return out


def test_pdfs_are_scanned(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path, "GT000123 and 12.5")
    hits = find_identifiers(pdf, ["GT000123", "GT000999"])
    assert [(h.identifier, h.part) for h in hits] == [("GT000123", "page 1")]
    with pytest.raises(DisclosureError, match="p.pdf"):
        check_no_microdata(tmp_path, ["GT000123"])
    pdf.write_bytes(b"%PDF-1.7 broken")
    with pytest.raises(DisclosureError, match="cannot read"):  # a PDF that cannot be checked is not published
        check_no_microdata(tmp_path, ["GT000123"])
