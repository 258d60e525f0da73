"""Publishing: PDF layout check, report frame, numbering and cross-references, citations, Chinese typography.

The PDF layout check is shown failing on a deliberately broken table (a Typst table that cannot break,
so its rows run off the foot of the page and over each other; and a table wider than the text block),
and passing on the same long table set the way the renderer's template sets it.
"""

from __future__ import annotations

import importlib
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from research_kit.pipeline._frame import Frame, load_frame, study_sequence
from research_kit.pipeline._internals import find_internals
from research_kit.pipeline._pdfcheck import check_pdf

R = importlib.import_module("research_kit.pipeline.render")
M = importlib.import_module("research_kit.pipeline._markdown")
P = importlib.import_module("research_kit.pipeline._paper_render")

ROOT = Path(__file__).resolve().parents[2]
MARGINS = P.PDF_MARGINS


# ---------------------------------------------------------------------------- the PDF layout check

def _typst_pdf(tmp_path: Path, body: str) -> Path:
    import typst

    src = tmp_path / "t.typ"
    src.write_text('#set page(paper: "a4", margin: (x: 2.2cm, y: 2.5cm))\n'
                   '#set text(font: ("Noto Sans CJK SC",), lang: "zh", region: "CN")\n' + body, encoding="utf-8")
    pdf = tmp_path / "t.pdf"
    typst.compile(str(src), output=str(pdf), font_paths=P._font_paths())
    return pdf


def _rows(n: int) -> str:
    return "\n".join(f"[个体工商户 {i}], [{1000 + i * 37.5:,.1f}], [{i % 7}.0%]," for i in range(n))


def test_layout_check_fails_on_a_table_that_runs_off_the_page(tmp_path: Path) -> None:
    broken = ("#lorem(300)\n\n#figure(table(columns: 3, table.header([主体], [余额], [比重]),\n" + _rows(70)
              + "\n), caption: [表 1：不能断开的长表])\n")  # a figure does not break: its rows overflow the page
    problems = check_pdf(_typst_pdf(tmp_path, broken), margins=MARGINS)
    assert problems, "an unbreakable 70-row table must fail the check"
    assert {p.kind for p in problems} >= {"overlap"} or any(p.kind == "outside" for p in problems)
    assert all(p.page >= 1 for p in problems)


def test_layout_check_fails_on_a_table_wider_than_the_text(tmp_path: Path) -> None:
    wide = ("#table(columns: 9, " + ", ".join(f"[{'9' * 14}]" for _ in range(18)) + ")\n")
    problems = check_pdf(_typst_pdf(tmp_path, wide), margins=MARGINS)
    assert problems and "outside" in {p.kind for p in problems}
    assert "99999999999999" in str(problems[0])


def test_layout_check_fails_on_a_word_that_runs_into_the_next_column(tmp_path: Path) -> None:
    """A header word wider than its column runs into the next cell: PyMuPDF sees one line, the check two words."""
    body = ("#table(columns: (36pt, 36pt, 36pt), stroke: none, inset: 4pt, [*Targets*], [*achieved*], [*no data*],"
            " [*Milestones*], [*Milestones*], [x])\n")
    problems = check_pdf(_typst_pdf(tmp_path, "#set text(size: 8pt)\n" + body), margins=MARGINS)
    assert [p.kind for p in problems] == ["overlap", "overlap"] and "Milestones" in str(problems[0])
    wide = body.replace("36pt", "60pt")  # the same header in columns wide enough
    assert check_pdf(_typst_pdf(tmp_path, "#set text(size: 8pt)\n" + wide), margins=MARGINS) == []


def test_layout_check_passes_the_same_table_when_it_breaks_with_a_repeated_header(tmp_path: Path) -> None:
    import pymupdf

    good = ("#show figure: set block(breakable: true)\n#lorem(300)\n\n#figure(table(columns: 3, "
            "table.header([主体], [余额], [比重]),\n" + _rows(70) + "\n), caption: [表 1：可以断开的长表])\n")
    pdf = _typst_pdf(tmp_path, good)
    assert check_pdf(pdf, margins=MARGINS) == []
    with pymupdf.open(str(pdf)) as doc:
        assert len(doc) >= 3
        assert all("主体" in page.get_text() for page in list(doc)[1:])  # the header row repeats on every page


def test_broken_pdf_fails_the_render_and_the_previous_site_stays(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _paper(project)
    R.render_site(formats=("html", "pdf"), search=False)
    index = (project / "reports/_site/index.html").read_bytes()
    original = P._compile_typst

    def broken(typ: Path, pdf: Path) -> None:  # the template loses its breakable-figure rule
        text = typ.read_text(encoding="utf-8").replace("#show figure: set block(breakable: true)", "")
        typ.write_text(text.replace("#lorem(0)", ""), encoding="utf-8")
        original(typ, pdf)

    monkeypatch.setattr(P, "_compile_typst", broken)
    _paper(project, rows=90, title="第二版")
    with pytest.raises(R.RenderError, match=r"(?s)layout check.*page \d+: text overlaps"):
        R.render_site(formats=("html", "pdf"), search=False)
    assert (project / "reports/_site/index.html").read_bytes() == index


# ---------------------------------------------------------------------------- a paper like the studies write

def _paper(root: Path, *, rows: int = 40, title: str = "外汇贷款试点评估", lang: str = "zh",
           variant: str = "jinhua", bib: bool = True, extra: str = "", study: str = "fx_loans",
           abstract: str = "") -> Path:
    """An executed paper with hand-numbered captions, a long table, citations, cross-references and an appendix."""
    reports = root / "reports"
    if bib and not (reports / "references.bib").exists():
        reports.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "reports/references.bib", reports / "references.bib")
        shutil.copytree(ROOT / "reports/csl", reports / "csl")
        shutil.copy(ROOT / "reports/frame.yaml", reports / "frame.yaml")
    nb = nbformat.v4.new_notebook()
    nb.metadata["research_kit"] = {"title": title, "abstract": abstract or ("摘要。" if lang == "zh" else "Abstract."),
                                   "lang": lang, "task": "2", "synthetic": True, "date": "2026-12-05",
                                   "parameters": {"county": "all"}}
    nb.metadata["papermill"] = {"end_time": "2026-12-05T17:30:00.000000"}  # naive UTC: 6 Dec in Shanghai
    zh = lang == "zh"
    prose = nbformat.v4.new_markdown_cell((
        ("## 1 引言\n\n交错开办时 TWFE 可能有偏[@goodmanbacon2021]，\n因此使用 @callaway2021 的估计量。"
         "结果见表 2，趋势见图 1。\n\n## 2 结果") if zh else
        ("## 1 Introduction\n\nWith staggered adoption TWFE can be biased [@goodmanbacon2021]; we use\n"
         "@callaway2021. Results are in Table 2, trends in Figure 1.\n\n## 2 Results")) + extra)
    table = nbformat.v4.new_code_cell("t")
    cap = "表 2  各县外汇贷款余额" if zh else "Table 2  FX loan balances by county"
    lines = "\n".join(f"| 县 {i} | {100 + i:.1f} | {i % 5} |" for i in range(rows))
    table.outputs = [nbformat.v4.new_output("display_data", data={
        "text/markdown": f"**{cap}**\n\n| 县 | 余额 | 批次 |\n|:---|---:|---:|\n{lines}\n\n*注：模拟数据。*"})]
    figure = nbformat.v4.new_code_cell("f")
    from test_render import PNG  # a small PNG

    figure.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG},
                                             metadata={"caption": "图 1  余额趋势" if zh else "Figure 1  Trends"})]
    appendix = nbformat.v4.new_markdown_cell("## 附录：运行记录" if zh else "## Appendix: provenance")
    prov = nbformat.v4.new_code_cell("p")
    prov.outputs = [nbformat.v4.new_output("display_data", data={
        "text/markdown": "**数据文件（sha256 前 16 位）**\n\n| 数据集 | 文件 |\n|:---|:---|\n"})]
    nb.cells = [prose, table, figure, appendix, prov]
    path = root / "reports/papers" / study / f"{variant}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RESEARCH_KIT_ROOT", str(tmp_path))
    monkeypatch.setenv("RESEARCH_KIT_RENDERER", "pandoc")
    (tmp_path / "reports" / "papers").mkdir(parents=True)
    (tmp_path / "studies.yaml").write_text("studies:\n  other: {}\n  fx_loans: {}\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def rendered(project: Path) -> tuple[Path, object]:
    _paper(project)
    _paper(project, lang="en", variant="jinhua_en", title="Evaluating the FX loan pilot")
    report = R.render_site(formats=("html", "docx", "pdf"), search=False)
    return project, report


def _docx_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


def test_title_block_toc_and_local_date_in_every_format(rendered) -> None:
    import pymupdf

    root, report = rendered
    zh = next(p for p in report.papers if p.variant == "jinhua")
    page = zh.outputs["html"].read_text(encoding="utf-8")
    for text in ("金华开放经济金融研究院", "JOEF-2026-T02-02C", "2026年12月6日", "内线 8001", 'id="TOC"', "目录"):
        assert text in page, text
    assert "2026-12-05" not in page.split("</style>")[-1]  # no UTC date stamp
    xml = _docx_xml(zh.outputs["docx"])
    assert "JOEF-2026-T02-02C" in xml and "2026年12月6日" in xml and "金华开放经济金融研究院" in xml
    assert 'w:instrText xml:space="preserve"> TOC' in xml or "TOC \\o" in xml  # a Word TOC field
    with pymupdf.open(str(zh.outputs["pdf"])) as doc:
        first = re.sub(r"\s+", "", doc[0].get_text())  # Typst spaces CJK from digits (cjk-latin-spacing)
    for text in ("金华开放经济金融研究院", "JOEF-2026-T02-02C", "2026年12月6日", "目录"):
        assert text in first, text
    en = next(p for p in report.papers if p.variant == "jinhua_en").outputs["html"].read_text(encoding="utf-8")
    assert "6 December 2026" in en and "JOEF-2026-T02-02E" in en and "Contents" in en


def test_captions_numbered_once_in_reading_order_and_references_resolve(rendered) -> None:
    import pymupdf

    root, report = rendered
    zh = next(p for p in report.papers if p.variant == "jinhua")
    page = zh.outputs["html"].read_text(encoding="utf-8")
    assert "表 1：各县外汇贷款余额" in page and "表 2" not in page.split("附录")[0].replace('href="#tbl-1">表 1', "")
    assert "图 1：余额趋势" in page and "图 1：图 1" not in page and "表 1：表" not in page
    assert re.search(r'<a href="#tbl-1"[^>]*>表 1</a>', page)  # the prose's "表 2" is the first table
    assert 'id="tbl-1"' in page and 'id="fig-1"' in page
    assert "附表 1：数据文件" in page  # appendix tables numbered on their own
    xml = _docx_xml(zh.outputs["docx"])
    assert xml.count('w:val="Caption"') >= 2 and "ImageCaption" not in xml and "TableCaption" not in xml
    assert "表 1：各县外汇贷款余额" in xml and "见表 1" not in xml  # the reference is a link ("结果见" + link)
    with pymupdf.open(str(zh.outputs["pdf"])) as doc:
        text = "".join(p.get_text() for p in doc)
    assert "表 1：各县外汇贷款余额" in text and "结果见表 1" in text.replace("\n", "")
    assert "图 1：图" not in text


def test_references_by_citeproc_in_both_styles_and_before_the_appendix(rendered) -> None:
    root, report = rendered
    zh = next(p for p in report.papers if p.variant == "jinhua").outputs["html"].read_text(encoding="utf-8")
    assert "参考文献" in zh and "GOODMAN-BACON A" in zh and "[J/OL]" in zh  # GB/T 7714-2015 numeric
    assert re.search(r'有偏<span class="citation"[^>]*><sup>\[<a[^>]*>1</a>\]</sup></span>', zh)  # numeric, superscript
    assert zh.index("参考文献") < zh.index("附录：运行记录")
    assert "https://doi.org" not in zh  # DOI links become text (no host)
    en = next(p for p in report.papers if p.variant == "jinhua_en").outputs["html"].read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", en)
    assert "References" in text and "(Goodman-Bacon 2021)" in text and "Callaway and Sant’Anna (2021)" in text


def test_no_stray_spaces_between_chinese_characters(rendered) -> None:
    root, report = rendered
    zh = next(p for p in report.papers if p.variant == "jinhua")
    page = zh.outputs["html"].read_text(encoding="utf-8")
    paragraphs = [re.sub(r"<[^>]+>", "", p) for p in re.findall(r"<p>(.*?)</p>", page.split("<main")[1], re.S)]
    assert paragraphs and [p for p in paragraphs if re.search(r"[\u4e00-\u9fff，。：；]\s+[\u4e00-\u9fff]", p)] == []
    body = "".join(paragraphs)
    assert "有偏" in body and "，因此" in body  # the source line break inside the sentence left no space
    xml = _docx_xml(zh.outputs["docx"])
    assert "，因此" in re.sub(r"<[^>]+>", "", xml)


def test_appendix_is_not_searchable_and_empty_data_table_is_explained(rendered) -> None:
    root, report = rendered
    page = next(p for p in report.papers if p.variant == "jinhua").outputs["html"].read_text(encoding="utf-8")
    m = re.search(r'<(?:div|section)[^>]*class="appendix"[^>]*data-pagefind-ignore="all"[^>]*>(.*?)</main>', page, re.S)
    assert m and "附录：运行记录" in m.group(1)
    assert "本文没有读入数据文件" in m.group(1)
    assert 'data-pagefind-filter="政策任务"' in page and 'data-pagefind-filter="语言:中文"' in page


# Chinese inside math, primes and superscripts (written as the studies write them)
MATH = ("\n\n完成率 $r = \\text{实际}/\\text{目标}$，导数 $y'$，平方 $x^2$，估计值 $\\hat\\beta'$。\n\n"
        "$$\\text{缺口}_{i} = \\text{目标}_i - \\hat\\beta' x_i^2$$\n\n## 3 讨论")
MATH_CJK = "实际目标缺口"


def _embedded_fonts(page: str) -> list[object]:
    import base64
    import io

    from fontTools.ttLib import TTFont

    return [TTFont(io.BytesIO(base64.b64decode(b))) for b in re.findall(r"data:font/woff;base64,([A-Za-z0-9+/=]+)", page)]


def test_chinese_in_math_has_glyphs_and_primes_sit_as_superscripts(project: Path) -> None:
    import pymupdf

    _paper(project, extra=MATH)
    (paper,) = R.render_site(formats=("html", "docx", "pdf"), search=False).papers
    # HTML (MathML): the Chinese stays text inside <math>, the page's CJK subsets (regular and bold) hold its
    # glyphs, and the math font stack puts that subset first (a browser's math font has no Chinese)
    page = paper.outputs["html"].read_text(encoding="utf-8")
    maths = "".join(re.sub(r"<annotation.*?</annotation>", "", m) for m in re.findall(r"<math.*?</math>", page, re.S))
    assert '<mtext mathvariant="normal">目标</mtext>' in maths and set(MATH_CJK) <= set(maths)
    fonts = _embedded_fonts(page)
    assert len(fonts) == 2 and all(ord(c) in f.getBestCmap() for f in fonts for c in MATH_CJK)
    assert re.search(r'math\s*\{\s*font-family:\s*"RK Noto Sans CJK SC",\s*math', page)
    assert "<msup><mi>y</mi><mo>′</mo></msup>" in maths and "<msup><mi>x</mi><mn>2</mn></msup>" in maths
    assert re.search(r'<msup><mover><mi>β</mi><mo accent="true">̂</mo></mover><mo>′</mo></msup>', maths)
    # DOCX (OMML): Chinese runs are normal text in the East Asian font; the prime is the superscript of its base
    xml = _docx_xml(paper.outputs["docx"])
    run = r'<m:r><m:rPr><m:nor ?/>(?:(?!</m:r>).)*<w:rFonts w:eastAsiaTheme="minorEastAsia"(?:(?!</m:r>).)*<m:t>{}</m:t>'
    assert all(re.search(run.format(w), xml) for w in ("实际", "目标", "缺口")), "CJK math runs without a CJK font"
    assert re.search(r"<m:sSup><m:e><m:r><m:t>y</m:t></m:r></m:e><m:sup><m:r>(?:(?!</m:r>).)*<m:t>′</m:t>", xml)
    assert re.search(r"<m:sSup><m:e><m:r><m:t>x</m:t></m:r></m:e><m:sup><m:r><m:t>2</m:t>", xml)
    # PDF: the Chinese of the formulas is set in the CJK font (no missing glyphs); primes and exponents are raised,
    # smaller and right of their base
    with pymupdf.open(str(paper.outputs["pdf"])) as doc:
        chars = [(c["c"], s["font"], s["size"], c["bbox"]) for p in doc for b in p.get_text("rawdict")["blocks"]
                 for ln in b.get("lines", []) for s in ln["spans"] for c in s["chars"]]
    text = "".join(c for c, *_ in chars)
    assert "完成率𝑟=实际/目标" in text.replace(" ", "") and "缺口𝑖=目标𝑖" in text.replace(" ", "")
    assert all("CJK" in font for c, font, *_ in chars if c in MATH_CJK)
    pairs = {(a[0], b[0]): (a, b) for a, b in zip(chars, chars[1:]) if "Math" in a[1] and "Math" in b[1]}
    for base, mark in (("𝑦", "′"), ("𝑥", "2"), ("\u0302", "′")):  # y', x^2, the prime after the hat of β̂
        a, b = pairs[(base, mark)]
        assert b[2] < 0.8 * a[2], (base, mark)                            # smaller
        assert b[3][3] < a[3][3] - 0.2 * a[2] and b[3][0] >= a[3][0], (base, mark)  # raised, to the right


def test_pages_link_their_other_language_version(rendered) -> None:
    root, report = rendered
    zh = next(p for p in report.papers if p.variant == "jinhua").outputs["html"].read_text(encoding="utf-8")
    en = next(p for p in report.papers if p.variant == "jinhua_en").outputs["html"].read_text(encoding="utf-8")
    assert 'class="other-language" href="jinhua_en.html"' in zh and "English version" in zh
    assert 'class="other-language" href="jinhua.html"' in en and "中文版" in en
    assert 'href="../en/index.html"' in en  # back to the English index


def test_every_pdf_passes_the_layout_check_and_has_a_bold_cjk_face(rendered) -> None:
    import pymupdf

    root, report = rendered
    for paper in report.papers:
        pdf = paper.outputs["pdf"]
        assert check_pdf(pdf, margins=MARGINS) == []
        with pymupdf.open(str(pdf)) as doc:
            fonts = {f[3] for page in doc for f in page.get_fonts()}
        assert any("Bold" in f and "CJK" in f for f in fonts), fonts
    page = report.papers[0].outputs["html"].read_text(encoding="utf-8")
    assert "font-weight:600 900" in page  # a bold face of the CJK subset is embedded


# ---------------------------------------------------------------------------- units

def test_frame_file_and_errors(tmp_path: Path) -> None:
    f = load_frame(ROOT / "reports")
    assert f.unit["zh"] == "金华开放经济金融研究院" and f.bibliography is not None and f.csl["zh"] is not None
    assert f.local_date("2026-12-31T16:30:00", lang="zh") == "2027年1月1日"  # UTC evening = next day in Shanghai
    assert f.local_date("2026-12-31T16:30:00+08:00", lang="en") == "31 December 2026"
    (tmp_path / "frame.yaml").write_text("unit: {zh: 研究院}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"frame\.yaml.*'unit'.*\['en'\]"):
        load_frame(tmp_path)
    (tmp_path / "frame.yaml").write_text("timezone: Mars/Olympus\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Mars/Olympus"):
        load_frame(tmp_path)
    studies = tmp_path / "studies.yaml"
    studies.write_text("studies:\n  a: {}\n  b: {}\n", encoding="utf-8")
    assert (study_sequence(studies, "b"), study_sequence(studies, "zz")) == (2, 0)
    assert Frame.from_mapping({}).number(task="任务 16：数字人民币", study="d", seq=3, year="2026",
                                         lang="zh") == "JOEF-2026-T16-03C"


@pytest.mark.parametrize(("text", "hits"), [
    ("使用 `not_yet` 对照组与 business_id 聚类。", ["not_yet", "business_id"]),
    ("见 research_kit.simulate.fx_loans 模块。", ["research_kit.simulate.fx_loans"]),
    ("数据在 data/raw/fx_loans_monthly.csv.gz 中。", ["data/raw/fx_loans_monthly.csv.gz"]),
    ("The AAN model and ETS(A,Ad,N).", ["AAN", "ETS(A,Ad,N)"]),
    ("变体 jinhua_en 的结果。", ["jinhua_en"]),
    ("Callaway–Sant'Anna, TWFE, 2×2, $\\beta_{it}$, ANOVA.", []),
    ("Review of Economics and Statistics, 2019. DOI:10.1162/rest_a_00760. 见 not_yet。", ["not_yet"]),
    ("正文。\n\n::: {.appendix data-pagefind-ignore=\"all\"}\n\n| business_id |\n", []),
])
def test_find_internals(text: str, hits: list[str]) -> None:
    assert find_internals(text) == hits


def test_caption_numbers_follow_reading_order_and_prose_follows(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cells = []
    for cap in ("图 2  第一张", "图 1  第二张"):
        c = nbformat.v4.new_code_cell("")
        from test_render import PNG

        c.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG}, metadata={"caption": cap})]
        cells.append(c)
    cells.append(nbformat.v4.new_markdown_cell("第二张见图 1，第一张见图 2；代表 2 家，列表 1 项。"))
    nb.cells = cells
    meta = M.paper_metadata(nb, study="s", variant="v")
    md = M.notebook_to_markdown(nb, tmp_path, meta=meta)
    assert "![图 1：第一张]" in md and "![图 2：第二张]" in md
    assert "第二张见[图 2](#fig-2)，第一张见[图 1](#fig-1)" in md
    assert "代表 2 家，列表 1 项" in md  # words ending in 表/图 are not references


def test_frame_hash_follows_the_frame_files(tmp_path: Path) -> None:
    from research_kit.pipeline._frame import frame_hash

    (tmp_path / "reports").mkdir()
    before = frame_hash(tmp_path)
    (tmp_path / "reports/frame.yaml").write_text("prefix: NEW\n", encoding="utf-8")
    after = frame_hash(tmp_path)
    (tmp_path / "studies.yaml").write_text("studies: {b: {}, a: {}}\n", encoding="utf-8")
    assert len({before, after, frame_hash(tmp_path)}) == 3  # a cached paper is rendered again with the new frame
    assert P.paper_key("n", ("html",), "zh", before) != P.paper_key("n", ("html",), "zh", after)


def test_repository_bibliography_parses_completely() -> None:
    """Every entry of reports/references.bib reaches citeproc (a missing brace swallows the next entries)."""
    import json
    import subprocess

    bib = ROOT / "reports/references.bib"
    keys = re.findall(r"^@\w+\{([^,\s]+),", bib.read_text(encoding="utf-8"), re.M)
    out = subprocess.run([P._pandoc_path(), str(bib), "-f", "bibtex", "-t", "csljson"], capture_output=True,
                         text=True, check=True).stdout
    assert [e["id"] for e in json.loads(out)] == keys and len(set(keys)) == len(keys)
    assert {"callaway2021", "goodmanbacon2021", "sun2021", "borusyak2024", "rambachan2023", "roodman2019",
            "abadie2010", "arkhangelsky2021", "calonico2014", "cattaneo2020", "stock2005", "olea2013",
            "bertrand2004"} <= set(keys)


@pytest.mark.parametrize(("prose", "refs"), [
    ("见 [@abadie2010]。", 1),                                    # the renderer adds the list
    ("见 [@abadie2010]。\n\n## 参考文献\n\n::: {#refs}\n:::", 1),  # the paper placed it: not twice
    ("见图 1 与 @fig-x。", 0),                                     # cross-references are not citations
])
def test_reference_list_placed_once(tmp_path: Path, prose: str, refs: int) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(prose), nbformat.v4.new_markdown_cell("## 附录：运行记录\n\n参数。")]
    md = M.notebook_to_markdown(nb, tmp_path, meta=M.paper_metadata(nb, study="s", variant="v"))
    assert md.count("{#refs}") == refs
    assert refs == 0 or md.index("{#refs}") < md.index("附录")


# ---------------------------------------------------------------------------- wide tables in the PDF

def _typst_of(tmp_path: Path, markdown: str) -> str:
    """Markdown through Pandoc and the renderer's filter to Typst (as the PDF route does)."""
    import subprocess

    src = tmp_path / "t.md"
    src.write_text("---\nlang: zh\n---\n\n" + markdown, encoding="utf-8")
    assets = P._site.assets_dir()
    return subprocess.run([P._pandoc_path(), str(src), "-f", "markdown", "-t", "typst",
                           f"--lua-filter={assets / 'rk.lua'}"], capture_output=True, text=True, check=True).stdout


def _pipe_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(":---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"


def test_wide_table_columns_follow_content_and_a_heading_stays_with_a_landscape_table(tmp_path: Path) -> None:
    status = ["指标", "2025 年目标", "口径", "最新值", "报告期", "2025 年末预测", "达标概率", "状态", "预测模型"]
    row = ["个体工商户外汇贷款发放额（累计）", "3 亿美元", "累计（自 2022-01 起）", "6.30", "2025Q4", "", "", "已完成", ""]
    typ = _typst_of(tmp_path, "Table: 表 1：进展\n\n" + _pipe_table(status, [row] * 30))
    widths = [float(w) for w in re.search(r"columns: \(([^)]*)\)", typ).group(1).replace("%", "").split(",")]
    assert len(widths) == 9 and abs(sum(widths) - 100) < 0.5
    assert widths[0] > 2 * widths[3] and widths[0] > widths[7]  # the long name column is wider than the numbers
    assert "#show table: set text(size: 8pt)" in typ and "flipped" not in typ  # 8 pt portrait, not landscape
    # many columns of long unbreakable words cannot wrap to portrait: landscape, with its heading on that page
    words = [f"Identifier{i:02d}Column" for i in range(10)]
    typ = _typst_of(tmp_path, "## 4 宽表\n\nTable: 表 2：宽表\n\n" + _pipe_table(words, [words] * 3))
    assert typ.index("#page(flipped: true)") < typ.index("== 4 宽表") < typ.index("#table(")
    # a narrow table keeps automatic widths (as narrow as its content)
    typ = _typst_of(tmp_path, _pipe_table(["县", "余额"], [["金东区", "1.0"]]))
    assert "columns: 2" in typ and "8pt" not in typ


def test_search_index_holds_no_figure_data(project: Path) -> None:
    """Pagefind takes a page's first image as searchable metadata: a data: URI would fill the index with base64."""
    import gzip

    _paper(project)
    R.render_site(formats=("html",), search=True)
    fragments = list((project / "reports/_site/pagefind/fragment").glob("*.pf_fragment"))
    assert fragments
    data = b"".join(gzip.decompress(f.read_bytes()) for f in fragments)
    assert "外汇贷款".encode() in data and b"base64" not in data and b"data:image" not in data


def test_dashboard_figure_is_legible_at_page_width() -> None:
    """Nine panels of the targets dashboard, printed at the A4 text width (6.5 in): no text below 7 pt."""
    import numpy as np
    import pandas as pd
    from matplotlib.text import Text

    from research_kit.timeseries import track_targets

    idx = pd.period_range("2021-01", "2024-12", freq="M")
    rng = np.random.default_rng(5)
    series = {f"k{i}": pd.Series(100 + np.cumsum(1 + rng.normal(0, 1, len(idx))), index=idx) for i in range(9)}
    targets = pd.DataFrame([{"id": k, "indicator_zh": "跨境贸易投资高水平开放试点指标" + k, "indicator_en": f"Indicator {k}",
                             "target": 190.0, "unit": "亿元", "unit_en": "CNY 100m", "kind": "level",
                             "deadline": "2025-12", "window_start": "", "quote": "……"} for k in series])
    fig = track_targets(series, targets).plot(lang="zh", ncols=3)
    scale = 6.5 / fig.get_size_inches()[0]  # the renderer sets figures at the text width
    texts = [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
    assert len(texts) > 9 * 8  # titles, status lines, axis labels, tick labels, legend
    small = sorted({(round(t.get_fontsize() * scale, 1), t.get_text()[:20]) for t in texts if t.get_fontsize() * scale < 7})
    assert small == [], small


def test_search_ranks_a_papers_own_topic_first(project: Path, tmp_path: Path) -> None:
    """Pagefind in headless Chromium: the FX paper comes before a targets paper that also mentions FX loans."""
    import functools
    import http.server
    import threading

    (project / "studies.yaml").write_text("studies:\n  fx_loans: {}\n  targets_2025: {}\n", encoding="utf-8")
    _paper(project, abstract="本文评估个体工商户外汇贷款试点。")
    _paper(project, lang="en", variant="jinhua_en", title="Domestic FX loans to individual businesses",
           abstract="We evaluate the pilot of FX loans to individual businesses.")
    targets = ("\n\n试点目标共 20 项，其中一项是个体工商户外汇贷款发放额。" + "目标进展良好，目标按期评价。" * 20)
    _paper(project, study="targets_2025", title="试点目标与里程碑评价", extra=targets, abstract="本文评价试点目标。")
    _paper(project, study="targets_2025", lang="en", variant="jinhua_en", title="Targets and milestones of the pilot",
           abstract="We assess the targets of the pilot.",
           extra="\n\nOne of the 20 targets is FX loans to individual businesses." + " Targets are on track." * 20)
    R.render_site(formats=("html",), search=True)
    site = project / "reports/_site"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    from test_build import _browser

    driver = _browser(tmp_path)
    driver.set_script_timeout(60)
    try:
        driver.get(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        ranked = {}
        for query in ("外汇贷款", "FX loans", "目标", "targets"):
            ranked[query] = driver.execute_async_script("""
                const [q, done] = arguments;
                import('/pagefind/pagefind.js').then(async pf => {
                  const r = await pf.search(q);
                  done(await Promise.all(r.results.map(async x => (await x.data()).url)));
                }).catch(e => done(String(e)));""", query)
    finally:
        driver.quit()
        server.shutdown()
    assert ranked["外汇贷款"][0] == "/fx_loans/jinhua.html" and "/targets_2025/jinhua.html" in ranked["外汇贷款"], ranked
    assert ranked["FX loans"][0] == "/fx_loans/jinhua_en.html" and "/targets_2025/jinhua_en.html" in ranked["FX loans"]
    assert ranked["目标"][0] == "/targets_2025/jinhua.html" and ranked["targets"][0] == "/targets_2025/jinhua_en.html"


def test_rollout_figure_is_legible_at_page_width() -> None:
    """The FX paper's roll-out heat map (9 counties x 6 banks), printed at 6.5 in: no text below 8 pt."""
    import pandas as pd
    from matplotlib.text import Text

    from research_kit.report.figures import rollout_plot

    counties = [f"县{i}" for i in range(9)]
    banks = ["boc", "icbc", "ccb", "abc", "jhb", "rcb"]
    roll = pd.DataFrame([{"county": c, "bank": b,
                          "start_month": pd.NaT if (i + j) % 5 == 0 else pd.Timestamp(2023, 1 + 3 * ((i + j) % 4), 1)}
                         for i, c in enumerate(counties) for j, b in enumerate(banks)])
    fig = rollout_plot(roll, row="county", col="bank", start="start_month", lang="zh")
    scale = 6.5 / fig.get_size_inches()[0]
    texts = [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
    assert sum("-" in t.get_text() for t in texts) >= 40  # the cells' start months are drawn
    small = sorted({(round(t.get_fontsize() * scale, 1), t.get_text()[:12]) for t in texts if t.get_fontsize() * scale < 8})
    assert small == [], small
