"""Tests of the renderer: executed notebooks → self-contained static site.

Each test builds small executed notebooks in a temporary project (the same
shape papermill and ``pipeline.run`` leave under ``reports/papers``) and renders
them with the real Pandoc shipped by pypandoc-binary. One paper takes ~0.2 s.
"""

from __future__ import annotations

import base64
import importlib
import io
import re
import zipfile
from pathlib import Path

import nbformat
import pytest

R = importlib.import_module("research_kit.pipeline.render")  # the package's `render` name is a function
M = importlib.import_module("research_kit.pipeline._markdown")
S = importlib.import_module("research_kit.pipeline._site")
P = importlib.import_module("research_kit.pipeline._paper_render")

TITLE_ZH = "个体工商户国内外汇贷款的政策效果"
ABSTRACT_ZH = "本文用合成数据估计外汇贷款试点对融资成本的影响 $\\tau$。"
TASK_ZH = "任务2：个体工商户国内外汇贷款"


# ---------------------------------------------------------------------------- fixtures

def _png(color: str = "C0") -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2.5, 1.6))
    ax.plot([0, 1, 2], [1, 3, 2], color=color)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


PNG = _png()


def make_notebook(*, title: str = TITLE_ZH, lang: str = "zh", error: bool = False, metadata: bool = True,
                  extra_markdown: str = "", study: str = "fx_loans", variant: str = "jinhua",
                  synthetic: bool = True) -> nbformat.NotebookNode:
    """An executed paper: YAML raw cell, parameters, prose with math, a Markdown table, a captioned PNG."""
    nb = nbformat.v4.new_notebook()
    if metadata:
        nb.metadata["research_kit"] = {
            "study": study, "variant": variant, "title": title, "subtitle": "双重差分估计",
            "abstract": ABSTRACT_ZH if lang == "zh" else "We estimate the pilot's effect $\\tau$.",
            "lang": lang, "task": TASK_ZH, "county": "义乌市", "date": "2025-06-30",
            "parameters": {"county": "义乌市", "seed": 7}, "synthetic": synthetic, "status": "failed" if error else "ok",
        }
    raw = nbformat.v4.new_raw_cell("---\ntitle: QUARTO-ONLY-TITLE\n---")
    params = nbformat.v4.new_code_cell("county = '义乌市'  # PARAMETER-CELL")
    params.metadata["tags"] = ["parameters"]
    params.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": "PARAMETER-OUTPUT"})]
    prose = nbformat.v4.new_markdown_cell(
        f"# {title}\n\n## 引言\n\n试点自 2023 年起实施，模型为 $y_{{it}} = \\alpha_i + \\tau D_{{it}}$。\n\n"
        "\\begin{align}\nATT &= E[Y(1) - Y(0)]\n\\end{align}\n\n" + extra_markdown)
    table = nbformat.v4.new_code_cell("display(tab)")
    table.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: STDERR-NOISE\n"),
        nbformat.v4.new_output("display_data", data={
            "text/markdown": "| 项 | 估计值 | 标准误 |\n|:---|---:|---:|\n| ATT | 1.234 | 0.210 |",
            "text/html": "<table><tr><td>HTML-FORM-OF-TABLE</td></tr></table>",
            "text/plain": "PLAIN-FORM-OF-TABLE"}),
    ]
    figure = nbformat.v4.new_code_cell("show(fig)")
    figure.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"},
                                             metadata={"caption": "外汇贷款余额的平均趋势"})]
    hidden = nbformat.v4.new_code_cell("secret()")
    hidden.metadata["tags"] = ["remove"]
    hidden.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": "REMOVED-OUTPUT"})]
    nb.cells = [raw, params, prose, table, figure, hidden]
    if error:
        bad = nbformat.v4.new_code_cell("1 / 0")
        bad.outputs = [nbformat.v4.new_output(
            "error", ename="ZeroDivisionError", evalue="division by zero",
            traceback=["\x1b[0;31mZeroDivisionError\x1b[0m Traceback", "ZeroDivisionError: division by zero"])]
        nb.cells.append(bad)
    return nb


def write_paper(root: Path, study: str = "fx_loans", variant: str = "jinhua", *, name: str | None = None,
                **kwargs: object) -> Path:
    d = root / "reports" / "papers" / study
    d.mkdir(parents=True, exist_ok=True)
    path = d / (name or f"{variant}.ipynb")
    nbformat.write(make_notebook(study=study, variant=variant, **kwargs), path)  # type: ignore[arg-type]
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RESEARCH_KIT_ROOT", str(tmp_path))
    (tmp_path / "reports" / "papers").mkdir(parents=True)
    return tmp_path


def site_of(root: Path) -> Path:
    return root / "reports" / "_site"


def document_xml(docx: Path) -> str:
    with zipfile.ZipFile(docx) as z:
        return z.read("word/document.xml").decode("utf-8")


# Independent of the module's own scanner on purpose.
HOST_REF = re.compile(r"""(?:\b(?:src|href|srcset|data)\s*=\s*["']?\s*(?:https?:)?//)|url\(\s*["']?\s*(?:https?:)?//|@import""",
                      re.I)


# ---------------------------------------------------------------------------- the site

def test_site_pages_index_and_html_content(project: Path) -> None:
    write_paper(project, variant="jinhua")
    write_paper(project, variant="yiwu_en", lang="en", title="Domestic FX loans to individual businesses")
    report = R.render_site()
    site = site_of(project)

    assert [p.status for p in report.papers] == ["ok", "ok"]
    for variant in ("jinhua", "yiwu_en"):
        assert (site / "fx_loans" / f"{variant}.html").is_file()
        assert (site / "fx_loans" / f"{variant}.docx").is_file()
    assert report.index == site / "index.html"

    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in index
    assert TITLE_ZH in index and "Domestic FX loans to individual businesses" not in index  # Chinese papers only
    en_index = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in en_index and "Domestic FX loans to individual businesses" in en_index
    assert TITLE_ZH not in en_index and 'href="../fx_loans/yiwu_en.html"' in en_index
    assert 'href="en/index.html"' in index and 'href="../index.html"' in en_index  # the indexes link each other
    assert "本文用合成数据估计外汇贷款试点对融资成本的影响" in index  # the abstract
    assert TASK_ZH in index and "合成数据" in index and "义乌市" in index
    assert 'href="fx_loans/jinhua.html"' in index and 'href="fx_loans/jinhua.docx"' in index
    assert "<math" in index  # the abstract's $\tau$ as MathML

    page = (site / "fx_loans" / "jinhua.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    assert '<img role="img"' in page or "<img " in page
    assert 'src="data:image/png;base64,' in page
    assert "<table" in page and "1.234" in page
    assert "<figcaption>图 1：外汇贷款余额的平均趋势</figcaption>" in page and page.count("图 1：") == 1
    assert page.count("<math") >= 3  # inline, align environment, abstract
    assert "<style" in page and "rel=\"stylesheet\"" not in page  # CSS embedded
    assert page.count(TITLE_ZH) == 2  # <title> and the header: the prose's "# title" is not repeated
    assert "本文使用合成（模拟）的演示数据" in page  # synthetic-data notice
    for absent in ("PARAMETER-CELL", "PARAMETER-OUTPUT", "STDERR-NOISE", "HTML-FORM-OF-TABLE", "PLAIN-FORM-OF-TABLE",
                   "REMOVED-OUTPUT", "QUARTO-ONLY-TITLE", "display(tab)"):
        assert absent not in page, absent
    en = (site / "fx_loans" / "yiwu_en.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in en and "Figure 1: " in en and ">Abstract<" in en


def test_no_reference_to_any_host(project: Path) -> None:
    write_paper(project)
    R.render_site()
    pages = list(site_of(project).rglob("*.html"))
    assert len([p for p in pages if "api" not in p.relative_to(site_of(project)).parts]) == 3  # indexes, the paper
    assert len(pages) > 20  # and the API reference (tests/pipeline/test_api_docs.py)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not HOST_REF.search(text), (page, HOST_REF.search(text))
        assert "mathjax" not in text.lower() and "katex" not in text.lower()


def test_docx_has_real_table_and_image(project: Path) -> None:
    write_paper(project)
    report = R.render_site()
    docx = report.papers[0].outputs["docx"]
    xml = document_xml(docx)
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", xml, re.S)
    assert len(tables) == 1 and "1.234" in tables[0] and "估计值" in tables[0]
    assert "<pic:pic" in xml and "r:embed=" in xml
    assert "<m:oMath" in xml  # equations are Word equations, not text
    with zipfile.ZipFile(docx) as z:
        assert any(n.startswith("word/media/") and n.endswith(".png") for n in z.namelist())
    assert "PLAIN-FORM-OF-TABLE" not in xml and "| ATT |" not in xml
    assert "摘要" in xml and "本文使用合成（模拟）的演示数据" in xml  # abstract and synthetic-data notice
    docx_mod = pytest.importorskip("docx")
    doc = docx_mod.Document(str(docx))
    assert doc.tables[0].cell(1, 1).text == "1.234"
    assert len(doc.inline_shapes) == 1


def test_pdf_uses_the_cjk_font(project: Path) -> None:
    write_paper(project)
    report = R.render_site(formats=("html", "docx", "pdf"))
    pdf = report.papers[0].outputs["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"NotoSansCJK" in pdf  # Chinese set in Noto Sans CJK, not tofu boxes
    index = (site_of(project) / "index.html").read_text(encoding="utf-8")
    assert 'href="fx_loans/jinhua.pdf"' in index


def test_english_index_and_real_data_paper(project: Path) -> None:
    write_paper(project)
    write_paper(project, study="real", variant="v", lang="en", title="A <real> & data paper", synthetic=False)
    report = R.render_site(lang_default="en")
    index = (site_of(project) / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in index and "Parameters" in index
    assert "Synthetic data" not in index  # the real-data paper carries no badge
    assert "A &lt;real&gt; &amp; data paper" in index and TITLE_ZH not in index
    zh_index = (site_of(project) / "zh" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh_index and zh_index.count(">合成数据<") == 1 and TITLE_ZH in zh_index
    real = report.papers[1].outputs["html"].read_text(encoding="utf-8")
    assert "<title>A &lt;real&gt; &amp; data paper</title>" in real
    assert '<h1 class="title" data-pagefind-weight="10">A &lt;real&gt; &amp; data paper</h1>' in real  # not a raw tag
    assert "synthetic" not in real.split("</style>")[1].lower()  # no badge, no notice
    assert ">合成数据<" not in index and "运行参数" not in index  # labels are English
    assert "本文用合成数据估计" in zh_index
    assert '<html lang="zh-CN">' in (site_of(project) / "fx_loans" / "jinhua.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("formats", [("docx",), ("html", "epub"), "pdf"])
def test_bad_formats_are_rejected(project: Path, formats: object) -> None:
    with pytest.raises(ValueError, match="format"):
        R.render_site(formats=formats)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- failures

def test_failed_notebook_keeps_last_good_html(project: Path) -> None:
    write_paper(project)
    R.render_site()
    site = site_of(project)
    good_html = (site / "fx_loans" / "jinhua.html").read_bytes()
    good_docx = (site / "fx_loans" / "jinhua.docx").read_bytes()

    write_paper(project, error=True, title="BROKEN RUN TITLE")
    report = R.render_site()
    (paper,) = report.papers
    assert paper.status == "stale" and "ZeroDivisionError" in paper.error
    assert (site / "fx_loans" / "jinhua.html").read_bytes() == good_html
    assert (site / "fx_loans" / "jinhua.docx").read_bytes() == good_docx
    failure = (site / "fx_loans" / "jinhua.failed.html").read_text(encoding="utf-8")
    assert "ZeroDivisionError: division by zero" in failure and "\x1b[" not in failure
    assert 'href="jinhua.html"' in failure  # points readers to the last good version
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "旧版本" in index and 'href="fx_loans/jinhua.failed.html"' in index
    assert TITLE_ZH in index and "BROKEN RUN TITLE" not in index  # describes the version that is published

    # still failing on the next render: the good version is carried again
    report = R.render_site()
    assert report.papers[0].status == "stale"
    assert (site / "fx_loans" / "jinhua.html").read_bytes() == good_html

    # fixed: a fresh render replaces it and the failure page goes away
    write_paper(project, title="FIXED TITLE")
    report = R.render_site()
    assert report.papers[0].status == "ok"
    assert "FIXED TITLE" in (site / "fx_loans" / "jinhua.html").read_text(encoding="utf-8")
    assert not (site / "fx_loans" / "jinhua.failed.html").exists()


def test_failed_copy_beside_good_notebook(project: Path) -> None:
    """pipeline.run keeps <variant>.ipynb and writes <variant>.failed.ipynb when a run fails."""
    write_paper(project)
    write_paper(project, name="jinhua.failed.ipynb", error=True)
    report = R.render_site()
    (paper,) = report.papers
    assert paper.status == "stale" and paper.source.name == "jinhua.ipynb"
    assert "<table" in paper.outputs["html"].read_text(encoding="utf-8")
    assert paper.failure_page is not None and "ZeroDivisionError" in paper.failure_page.read_text(encoding="utf-8")


def test_failed_without_previous_version(project: Path) -> None:
    write_paper(project, error=True)
    write_paper(project, variant="ok_one")
    report = R.render_site()
    status = {p.variant: p.status for p in report.papers}
    assert status == {"jinhua": "failed", "ok_one": "ok"}
    site = site_of(project)
    assert not (site / "fx_loans" / "jinhua.html").exists()
    assert (site / "fx_loans" / "jinhua.failed.html").is_file()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "运行失败" in index and 'href="fx_loans/jinhua.html"' not in index
    assert 'href="fx_loans/ok_one.html"' in index


def test_unreadable_notebook_is_a_failed_paper(project: Path) -> None:
    d = project / "reports" / "papers" / "broken"
    d.mkdir(parents=True)
    (d / "v.ipynb").write_text("{not json", encoding="utf-8")
    report = R.render_site()
    (paper,) = report.papers
    assert paper.status == "failed" and "v.ipynb" in paper.error


def test_interrupted_render_leaves_old_site(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_paper(project)
    R.render_site()
    site = site_of(project)
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}

    write_paper(project, title="NEW VERSION")
    write_paper(project, variant="second")
    real, calls = P._run_pandoc, []

    def flaky(args, *, cwd):  # type: ignore[no-untyped-def]
        calls.append(args[0])
        if len(calls) == 3:  # the second paper's HTML: half the site is built
            raise KeyboardInterrupt
        return real(args, cwd=cwd)

    monkeypatch.setattr(P, "_run_pandoc", flaky)
    with pytest.raises(KeyboardInterrupt):
        R.render_site()
    assert len(calls) == 3
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert not list(site.parent.glob("._site.*"))  # the half-built site was removed


def test_pandoc_error_names_the_notebook(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_paper(project)

    def broken(args, *, cwd):  # type: ignore[no-untyped-def]
        raise R.RenderError("pandoc failed (exit 64)")

    monkeypatch.setattr(P, "_run_pandoc", broken)
    with pytest.raises(R.RenderError, match=re.escape(str(path))):
        R.render_site()
    assert not site_of(project).exists()


def test_external_link_in_a_paper_raises(project: Path) -> None:
    write_paper(project)
    R.render_site()
    old = (site_of(project) / "index.html").read_bytes()
    write_paper(project, extra_markdown='See <a href="https://www.example.com/rates">the bank</a>.')
    with pytest.raises(R.ExternalReferenceError, match=r"fx_loans/jinhua\.html.*jinhua\.ipynb.*example\.com"):
        R.render_site()
    assert (site_of(project) / "index.html").read_bytes() == old


def test_markdown_link_to_a_host_becomes_its_text(project: Path) -> None:
    """Prose and citeproc (DOI links) may name a host; the page shows the text without a link."""
    write_paper(project, extra_markdown="See [the bank's rates](https://www.example.com/rates).")
    report = R.render_site()
    page = report.papers[0].outputs["html"].read_text(encoding="utf-8")
    assert "the bank" in page and "example.com" not in page


def test_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    site = tmp_path / "_site"
    old = tmp_path / "._site.old-1234"
    old.mkdir()
    (old / "index.html").write_text("previous", encoding="utf-8")
    (tmp_path / "._site.tmp-abcd").mkdir()
    S.recover(site)
    assert (site / "index.html").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ('<img src="https://cdn.example/x.png">', True),
        ("<script src='http://cdn.example/mathjax.js'></script>", True),
        ('<link rel="stylesheet" href="//fonts.example/css">', True),
        ('<img srcset="a.png 1x, https://x.example/b.png 2x">', True),
        ('<use xlink:href="http://x.example/s.svg#a"/>', True),
        ("<style>body{background:url( 'https://x.example/bg.png')}</style>", True),
        ('<style>@import "fonts.css";</style>', True),
        ('<a href=https://example.com>x</a>', True),
        ('<img src="data:image/png;base64,iVBORw0KGgo=">', False),
        ('<a href="../index.html">back</a> <a href="#fig-1">fig</a>', False),
        ('<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>', False),
        ("<p>the site http://example.com is mentioned in prose</p>", False),
        ('<img data-caption="see http://x">', False),
    ],
)
def test_find_external_references(text: str, flagged: bool) -> None:
    assert bool(R.find_external_references(text)) is flagged


# ---------------------------------------------------------------------------- notebook → Markdown

def test_markdown_conversion_rules(tmp_path: Path) -> None:
    nb = make_notebook()
    svg_only = nbformat.v4.new_code_cell("")
    svg_only.outputs = [nbformat.v4.new_output("display_data", data={
        "image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/>",
        "text/html": "<p>HTML-LOSES-TO-SVG</p>"}, metadata={"image/svg+xml": {"caption": "第二张 [图]", "alt": "替代文字"}})]
    html_only = nbformat.v4.new_output("execute_result", data={"text/html": "<div>ONLY-HTML</div>",
                                                                     "text/plain": "x"}, execution_count=1)
    c = nbformat.v4.new_code_cell("")
    c.outputs = [html_only]
    nb.cells += [svg_only, c]
    meta = M.paper_metadata(nb, study="s", variant="v")
    md = M.notebook_to_markdown(nb, tmp_path / "media", meta=meta, media_prefix="media")

    assert "| ATT | 1.234 | 0.210 |" in md and "HTML-FORM-OF-TABLE" not in md
    assert "![图 1：外汇贷款余额的平均趋势](media/fig-1.png)" in md
    assert '![图 2：第二张 \\[图\\]](media/fig-2.svg){#fig-2 alt="替代文字"}' in md
    assert "HTML-LOSES-TO-SVG" not in md
    assert "```{=html}\n<div>ONLY-HTML</div>\n```" in md  # HTML output kept for HTML only
    assert "$$\\begin{align}" in md
    assert f"# {TITLE_ZH}" not in md and "## 引言" in md
    for absent in ("PARAMETER", "STDERR-NOISE", "REMOVED-OUTPUT", "QUARTO-ONLY-TITLE", "PLAIN-FORM"):
        assert absent not in md, absent
    assert (tmp_path / "media" / "fig-1.png").read_bytes() == base64.b64decode(PNG)


def test_metadata_fallbacks() -> None:
    nb = make_notebook(metadata=False)
    meta = M.paper_metadata(nb, study="s", variant="v", lang_default="en")
    assert meta.title == "QUARTO-ONLY-TITLE"  # the YAML raw cell written for Quarto
    nb.cells = [c for c in nb.cells if c.cell_type != "raw"]
    meta = M.paper_metadata(nb, study="s", variant="v", lang_default="en")
    assert meta.title == TITLE_ZH and meta.lang == "en" and not meta.synthetic  # from the first "# heading"

    out = nbformat.v4.new_code_cell("")
    out.outputs = [nbformat.v4.new_output("display_data", data={
        M.META_MIME: {"title": "From front_matter()", "lang": "zh", "synthetic": True, "abstract": "A."}})]
    nb.cells.insert(0, out)
    meta = M.paper_metadata(nb, study="s", variant="v", lang_default="en")
    assert (meta.title, meta.lang, meta.synthetic, meta.abstract) == ("From front_matter()", "zh", True, "A.")
    assert M.notebook_error(nb) is None
    assert str(M.notebook_error(make_notebook(error=True))) == "ZeroDivisionError: division by zero"
