r"""Executed notebook → Pandoc Markdown (+ media files) and paper metadata.

This is the first of the two steps the renderer takes (the same two Quarto
takes): the notebook becomes Markdown with its figures written to a media
folder, and Pandoc turns that Markdown into HTML, DOCX and Typst. Going through
Markdown, rather than letting Pandoc read the ``.ipynb``, is what gives real
tables and images in Word (Pandoc's ipynb reader picks the ``text/plain`` form
of ``text/markdown`` outputs for DOCX).

Rules (papers show results, not code):

* markdown cells are prose; bare ``\begin{align}``-style environments are
  wrapped in ``$$`` so every output format typesets them;
* code cells are never shown, only their display outputs, picking per output
  ``text/markdown`` > ``image/png`` > ``image/svg+xml`` > ``image/jpeg`` >
  ``text/html`` (HTML output only); ``text/plain`` and ``stream`` outputs are
  ignored;
* cells tagged ``parameters``, ``injected-parameters``, ``remove`` (or
  ``remove-cell``) are dropped, and a raw cell holding YAML front matter is
  ignored (metadata comes from ``nb.metadata["research_kit"]``);
* an ``error`` output means the paper failed.

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook()
>>> nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nSome *prose*.")]
>>> meta = paper_metadata(nb, study="s", variant="v")
>>> meta.title
'Title'
>>> import tempfile, pathlib
>>> notebook_to_markdown(nb, pathlib.Path(tempfile.mkdtemp()), meta=meta).strip()
'Some *prose*.'
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

__all__ = [
    "PaperMeta",
    "NotebookError",
    "LABELS",
    "paper_metadata",
    "notebook_error",
    "notebook_to_markdown",
    "front_matter",
]

Lang = Literal["zh", "en"]

#: MIME type of the metadata output written by ``research_kit.report.front_matter``.
META_MIME = "application/vnd.research-kit.meta+json"

SKIP_TAGS = frozenset({"parameters", "injected-parameters", "remove", "remove-cell", "remove_cell",
                       "papermill-error-cell-tag"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})

#: Interface text of the site, by language. One dictionary, passed explicitly.
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "site_title": "智库研究报告",
        "site_subtitle": "金华市开放经济金融服务改革创新试点",
        "abstract": "摘要",
        "synthetic": "合成数据",
        "synthetic_notice": "本文使用合成（模拟）的演示数据，所有数字仅用于展示研究方法，不代表真实的经营主体或政策效果。",
        "figure": "图 {n}：",
        "table": "表 {n}：",
        "figure_ref": "图 {n}",
        "table_ref": "表 {n}",
        "appendix_figure": "附图 {n}：",
        "appendix_table": "附表 {n}：",
        "appendix_figure_ref": "附图 {n}",
        "appendix_table_ref": "附表 {n}",
        "no_data_files": "（本文没有读入数据文件：所用数据均在文中由模拟数据生成器按上表的参数与随机种子生成。）",
        "references": "参考文献",
        "toc": "目录",
        "authors": "作者",
        "unit": "单位",
        "report_number": "报告编号",
        "contact": "联系方式",
        "other_language": "English version",
        "index_label": "中文目录",
        "api_reference": "API 参考（英文）",
        "date": "日期",
        "county": "县（市、区）",
        "task": "政策任务",
        "task_n": "任务 {n}",
        "task_other": "其他研究",
        "study": "研究：{name}",
        "parameters": "运行参数",
        "html": "网页版",
        "docx": "Word 版",
        "pdf": "PDF 版",
        "back": "← 返回目录",
        "stale": "旧版本",
        "stale_note": "最近一次运行（{date}）失败，以下为上一次成功生成的版本。",
        "failed": "运行失败",
        "failed_title": "报告未能生成：{title}",
        "failed_note": "该研究的笔记本在执行中出错，本次没有生成新的报告。请修复后重新运行。",
        "failed_last_good": "上一次成功生成的版本仍可查阅：",
        "failed_none": "此前没有成功生成的版本。",
        "failure_report": "失败报告",
        "error": "错误",
        "source": "笔记本",
        "generated": "生成时间",
        "no_papers": "尚无已生成的报告。",
        "papers_count": "共 {n} 篇报告",
        "search": "全文检索",
        "search_file_note": ("全文检索需要通过网页服务器打开本站（内网服务器，或 research-kit serve）；"
                             "直接打开文件时不可用。"),
        "pf_placeholder": "检索论文（中文或英文）",
        "pf_clear_search": "清除",
        "pf_load_more": "更多结果",
        "pf_search_label": "检索本站论文",
        "pf_zero_results": "没有找到与 [SEARCH_TERM] 相关的论文",
        "pf_many_results": "找到 [COUNT] 篇与 [SEARCH_TERM] 相关的论文",
        "pf_one_result": "找到 [COUNT] 篇与 [SEARCH_TERM] 相关的论文",
        "pf_searching": "正在检索 [SEARCH_TERM]……",
        "pf_filters_label": "筛选",
        "pf_alt_search": "没有找到与 [SEARCH_TERM] 相关的论文，以下是 [DIFFERENT_TERM] 的结果",
        "pf_search_suggestion": "没有找到与 [SEARCH_TERM] 相关的论文，请换一个检索词。",
    },
    "en": {
        "site_title": "Think-tank research papers",
        "site_subtitle": "Jinhua open-economy financial services reform and innovation pilot",
        "abstract": "Abstract",
        "synthetic": "Synthetic data",
        "synthetic_notice": "This paper uses synthetic (simulated) demo data: its numbers illustrate the methods "
                            "and describe no real business or policy effect.",
        "figure": "Figure {n}: ",
        "table": "Table {n}: ",
        "figure_ref": "Figure {n}",
        "table_ref": "Table {n}",
        "appendix_figure": "Figure A{n}: ",
        "appendix_table": "Table A{n}: ",
        "appendix_figure_ref": "Figure A{n}",
        "appendix_table_ref": "Table A{n}",
        "no_data_files": "(The paper reads no data file: its data are simulated inside the paper by the demo data "
                         "generator, with the parameters and seed of the table above.)",
        "references": "References",
        "toc": "Contents",
        "authors": "Authors",
        "unit": "Unit",
        "report_number": "Report No.",
        "contact": "Contact",
        "other_language": "中文版",
        "index_label": "English index",
        "api_reference": "API reference",
        "date": "Date",
        "county": "County",
        "task": "Policy task",
        "task_n": "Task {n}",
        "task_other": "Other studies",
        "study": "Study: {name}",
        "parameters": "Parameters",
        "html": "Web page",
        "docx": "Word",
        "pdf": "PDF",
        "back": "← Back to the index",
        "stale": "Previous version",
        "stale_note": "The latest run ({date}) failed; this is the last version that rendered successfully.",
        "failed": "Run failed",
        "failed_title": "Paper not rendered: {title}",
        "failed_note": "The study's notebook raised an error, so no new version of this paper was made. "
                       "Fix the error and run it again.",
        "failed_last_good": "The last good version is still available:",
        "failed_none": "No earlier version rendered successfully.",
        "failure_report": "Failure report",
        "error": "Error",
        "source": "Notebook",
        "generated": "Generated",
        "no_papers": "No papers have been rendered yet.",
        "papers_count": "{n} papers",
        "search": "Full-text search",
        "search_file_note": ("Search needs the site served by a web server (the intranet server, or "
                             "research-kit serve); it does not work on a file opened directly."),
        "pf_placeholder": "Search the papers (Chinese or English)",
        "pf_clear_search": "Clear",
        "pf_load_more": "More results",
        "pf_search_label": "Search the papers of this site",
        "pf_zero_results": "No paper matches [SEARCH_TERM]",
        "pf_many_results": "[COUNT] papers match [SEARCH_TERM]",
        "pf_one_result": "[COUNT] paper matches [SEARCH_TERM]",
        "pf_searching": "Searching for [SEARCH_TERM]...",
        "pf_filters_label": "Filters",
        "pf_alt_search": "No paper matches [SEARCH_TERM]. Showing results for [DIFFERENT_TERM] instead",
        "pf_search_suggestion": "No paper matches [SEARCH_TERM]. Try another search term.",
    },
}


@dataclass(frozen=True)
class PaperMeta:
    """Metadata of one executed paper (from ``nb.metadata["research_kit"]``)."""

    study: str
    variant: str
    title: str
    subtitle: str = ""
    abstract: str = ""
    lang: Lang = "zh"
    task: str = ""
    county: str = ""
    date: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    synthetic: bool = False
    status: str = "ok"


@dataclass(frozen=True)
class NotebookError:
    """The first error a notebook recorded while it was executed."""

    name: str
    value: str
    traceback: str

    def __str__(self) -> str:
        return f"{self.name}: {self.value}" if self.value else self.name


# ---------------------------------------------------------------------------- metadata

_FRONT = re.compile(r"\A\s*---\s*\n(.*?)\n(?:---|\.\.\.)\s*\Z", re.S)
_H1 = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return str(value)


def _raw_front_matter(nb: Any) -> dict[str, Any]:
    for cell in nb.cells:
        if cell.cell_type != "raw":
            continue
        m = _FRONT.match(_text(cell.source))
        if m:
            try:
                data = yaml.safe_load(m.group(1))
            except yaml.YAMLError:
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def _first_heading(nb: Any) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not _skipped(cell):
            for line in _text(cell.source).splitlines():
                m = _H1.match(line)
                if m:
                    return m.group(1)
    return ""


def _meta_output(nb: Any) -> dict[str, Any]:
    for cell in nb.cells:
        for out in cell.get("outputs", []) or []:
            value = (out.get("data") or {}).get(META_MIME)
            if value is not None:
                try:
                    return dict(json.loads(value) if isinstance(value, str) else value)
                except (TypeError, ValueError):
                    return {}
    return {}


def paper_metadata(nb: Any, *, study: str, variant: str, lang_default: Lang = "zh") -> PaperMeta:
    """Collect a paper's metadata.

    Sources, first wins per field: ``nb.metadata["research_kit"]``, the output
    of ``research_kit.report.front_matter``, a YAML raw cell, papermill's
    parameters and end time; the title falls back to the first ``# heading``
    and then to ``study/variant``.

    Parameters
    ----------
    nb
        An nbformat v4 notebook.
    study, variant
        Names taken from the notebook's location (used when metadata lacks them).
    lang_default
        Language when the notebook does not declare one.

    Returns
    -------
    PaperMeta
    """
    sources = [dict(nb.metadata.get("research_kit") or {}), _meta_output(nb), _raw_front_matter(nb)]
    pm = nb.metadata.get("papermill") or {}

    def pick(key: str, default: Any = "") -> Any:
        for src in sources:
            v = src.get(key)
            if v not in (None, ""):
                return v
        return default

    lang = str(pick("lang", lang_default)).lower()
    lang = "en" if lang.startswith("en") else "zh" if lang.startswith("zh") else lang_default
    date = pick("date") or str(pm.get("end_time") or "")[:10]
    params = pick("parameters") or pm.get("parameters") or {}
    return PaperMeta(
        study=str(pick("study", study)),
        variant=str(pick("variant", variant)),
        title=str(pick("title") or _first_heading(nb) or f"{study}/{variant}"),
        subtitle=str(pick("subtitle")),
        abstract=str(pick("abstract")),
        lang=lang,  # type: ignore[arg-type]
        task=str(pick("task")),
        county=str(pick("county")),
        date=str(date),
        parameters=dict(params) if isinstance(params, Mapping) else {},
        synthetic=bool(pick("synthetic", False)),
        status=str(pick("status", "ok")),
    )


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def notebook_error(nb: Any) -> NotebookError | None:
    """Return the first ``error`` output of ``nb``, or None when it ran cleanly.

    A notebook whose metadata says ``status: failed`` but holds no error output
    (papermill stopped it, e.g. on a timeout) gets a generic error.
    """
    for cell in nb.cells:
        for out in cell.get("outputs", []) or []:
            if out.get("output_type") == "error":
                tb = "\n".join(_ANSI.sub("", _text(line)) for line in out.get("traceback", []) or [])
                return NotebookError(str(out.get("ename", "Error")), _ANSI.sub("", _text(out.get("evalue"))), tb)
    status = (nb.metadata.get("research_kit") or {}).get("status")
    if status == "failed":
        return NotebookError("ExecutionFailed", "the notebook's metadata records status 'failed'", "")
    return None


# ---------------------------------------------------------------------------- body

def _tags(cell: Any) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []) or [])


def _skipped(cell: Any) -> bool:
    return bool(_tags(cell) & SKIP_TAGS)


_MATH_ENV = re.compile(
    r"(?<!\$)(\\begin\{(equation|align|gather|multline|eqnarray|flalign)\*?\}.*?\\end\{\2\*?\})(?!\$)", re.S)


def _wrap_math_envs(text: str) -> str:
    """Wrap bare LaTeX display environments in ``$$`` (Jupyter renders them; Pandoc needs the dollars)."""
    out, pos = [], 0
    for m in _MATH_ENV.finditer(text):
        before = text[:m.start()]
        if before.count("$$") % 2 == 1:  # already inside $$ ... $$
            continue
        out.append(text[pos:m.start()])
        out.append(f"$${m.group(1)}$$")
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _attr(value: str) -> str:
    return '"' + " ".join(value.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fence(content: str, fmt: str) -> str:
    ticks = max([3, *(len(m) + 1 for m in re.findall(r"`{3,}", content))])
    bar = "`" * ticks
    return f"{bar}{{={fmt}}}\n{content.rstrip()}\n{bar}"


class _Media:
    """Writes figures to ``media_dir`` and hands out relative paths."""

    def __init__(self, media_dir: Path, prefix: str) -> None:
        self.dir, self.prefix, self.n = media_dir, prefix, 0

    def write(self, stem: str, ext: str, data: bytes) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n += 1
        name = f"{stem}-{self.n}.{ext}"
        (self.dir / name).write_bytes(data)
        return f"{self.prefix}/{name}" if self.prefix else name


_IMAGE_MIMES = (("image/png", "png", True), ("image/svg+xml", "svg", False), ("image/jpeg", "jpg", True))


def _output_meta(out: Any, mime: str, key: str) -> str:
    md = out.get("metadata") or {}
    value = md.get(key)
    if value in (None, "") and isinstance(md.get(mime), Mapping):
        value = md[mime].get(key)
    return _text(value).strip()


# Leading numbers the studies wrote into their captions ("图 4  …", "Table 2: …"): the renderer numbers.
_CAPTION_NO = re.compile(r"^\s*(?:(?P<zh>附?[图表])|(?P<en>Figure|Fig\.|Table))\s*(?P<n>[A-Z]?\d+)\s*[：:.．、]?\s*")
_BOLD_CAPTION = re.compile(r"\A\*\*(?P<cap>.+?)\*\*(?:\s*\{#(?P<id>[A-Za-z][\w:-]*)\})?\s*\n\s*\n?(?=\s*\|)", re.S)
_PIPE_TABLE = re.compile(r"((?:^[ \t]*\|.*\|[ \t]*\n?)+)", re.M)
_APPENDIX = re.compile(r"^#{1,6}\s+(?:附录|附\s*录|Appendix)", re.M | re.I)
_LABEL_REF = re.compile(r"(?<![\w@])@(?P<id>(?:fig|tbl)-[A-Za-z0-9_:-]+)")
_NUM_REF = {
    "zh": re.compile(r"(?<![代发列报图仪量])(?P<word>附?[图表])\s*(?P<n>\d+)(?![\d.])"),
    "en": re.compile(r"(?P<word>Figure|Fig\.|Table)s?\s+(?P<n>\d+)(?![\d.])"),
}


def strip_caption_number(caption: str) -> tuple[str, str]:
    """Split a study's own number off a caption: ``"图 4  时间安慰剂"`` → ``("4", "时间安慰剂")``.

    >>> strip_caption_number("Table 2: Balance")
    ('2', 'Balance')
    >>> strip_caption_number("外汇贷款余额")
    ('', '外汇贷款余额')
    """
    m = _CAPTION_NO.match(caption)
    if not m:
        return "", caption.strip()
    return m.group("n"), caption[m.end():].strip()


@dataclass
class _Numbering:
    """Numbers figures and tables in reading order; remembers the studies' own numbers and labels."""

    labels: Mapping[str, str]
    appendix: bool = False
    count: dict[str, int] = field(default_factory=lambda: {"figure": 0, "table": 0, "appendix_figure": 0,
                                                           "appendix_table": 0})
    by_author: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (kind, "4") -> (ref, id)
    by_id: dict[str, str] = field(default_factory=dict)  # "fig-event" -> "图 3"

    def caption(self, kind: str, caption: str, label: str = "") -> tuple[str, str]:
        """Return (numbered caption, element id) for a figure or table ``kind``."""
        key = f"appendix_{kind}" if self.appendix else kind
        self.count[key] += 1
        n = self.count[key]
        author_no, text = strip_caption_number(caption)
        prefix = "fig" if kind == "figure" else "tbl"
        ident = label if label.startswith(f"{prefix}-") else f"{prefix}-{'a' if self.appendix else ''}{n}"
        ref = self.labels[f"{key}_ref"].format(n=n)
        if author_no and not self.appendix:
            self.by_author.setdefault((kind, author_no), (ref, ident))
        self.by_id[ident] = ref
        return self.labels[key].format(n=n) + text, ident


def _escape_inline(text: str) -> str:
    """Make a caption safe inside ``![...]``: one line, brackets escaped."""
    text = " ".join(text.split())
    return re.sub(r"(?<!\\)([\[\]])", r"\\\1", text)


def _render_output(out: Any, media: _Media, numbering: _Numbering) -> tuple[str, str]:
    """(kind, Markdown) of one output: kind is "prose", "table", "figure", "image" or "html"."""
    if out.get("output_type") not in ("display_data", "execute_result"):
        return "", ""
    data = out.get("data") or {}
    if "text/markdown" in data:
        text = _wrap_math_envs(_text(data["text/markdown"]).strip())
        m = _BOLD_CAPTION.match(text)
        if m:
            return "table", _captioned_table(text[m.end():], m.group("cap"), m.group("id") or "", numbering)
        return "prose", text
    for mime, ext, binary in _IMAGE_MIMES:
        if mime not in data:
            continue
        raw = _text(data[mime])
        try:
            payload = base64.b64decode(raw) if binary else raw.encode("utf-8")
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"an output's {mime} data is not valid base64: {exc}") from exc
        rel = media.write("fig", ext, payload)
        caption = _output_meta(out, mime, "caption")
        alt = _output_meta(out, mime, "alt") or strip_caption_number(caption)[1]
        if caption:
            label = _output_meta(out, mime, "label")
            numbered, ident = numbering.caption("figure", caption, label)
            attrs = f" alt={_attr(alt)}" if alt else ""
            return "figure", f"![{_escape_inline(numbered)}]({rel}){{#{ident}{attrs}}}"
        # an image without caption: the trailing backslash keeps Pandoc from making a figure
        return "image", (f"![]({rel}){{alt={_attr(alt)}}}\\" if alt else f"![]({rel})\\")
    if "text/html" in data:
        return "html", _fence(_text(data["text/html"]), "html")
    return "", ""


def _captioned_table(rest: str, caption: str, label: str, numbering: _Numbering) -> str:
    """A ``**caption**`` + pipe table (+ notes) output as a Pandoc table with a numbered caption and an id."""
    m = _PIPE_TABLE.search(rest)
    if m is None:
        return f"**{caption}**\n\n{rest}"
    table = m.group(1).rstrip("\n")
    numbered, ident = numbering.caption("table", caption, label)
    rows = [ln for ln in table.splitlines() if ln.strip()]
    after = rest[m.end():].strip()
    body = f"{table}\n\n: {_escape_inline(numbered)} {{#{ident}}}"
    if len(rows) <= 2:  # header and rule only: say why the table is empty instead of printing an empty frame
        body += "\n\n" + numbering.labels["no_data_files"]
    return body + (f"\n\n{after}" if after else "")


_ATTACHMENT = re.compile(r"attachment:([^\s)\"'>]+)")


def _markdown_cell(cell: Any, media: _Media) -> str:
    text = _text(cell.source)
    attachments = cell.get("attachments") or {}
    if attachments:
        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            bundle = attachments.get(name) or {}
            for mime, ext, binary in _IMAGE_MIMES:
                if mime in bundle:
                    raw = _text(bundle[mime])
                    payload = base64.b64decode(raw) if binary else raw.encode("utf-8")
                    return media.write("attachment", ext, payload)
            return m.group(0)

        text = _ATTACHMENT.sub(repl, text)
    return _wrap_math_envs(text.strip())


def _drop_title_heading(text: str, title: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        m = _H1.match(line)
        if m and m.group(1).strip() == title.strip():
            return "\n".join(lines[:i] + lines[i + 1:]).strip()
        return text
    return text


_PROTECT = re.compile(r"(\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]*`|\]\([^)]*\)|\{#[^}]*\}|<[^>\n]+>)", re.S)


def _resolve_refs(text: str, numbering: _Numbering, lang: str) -> str:
    """Rewrite cross-references in prose: ``@fig-x``/``@tbl-x`` and the studies' own "图 4" to the final numbers."""
    def one(part: str) -> str:
        def by_label(m: re.Match[str]) -> str:
            ref = numbering.by_id.get(m.group("id"))
            return f"[{ref}](#{m.group('id')})" if ref else m.group(0)

        def by_number(m: re.Match[str]) -> str:
            word = m.group("word")
            kind = "figure" if word.startswith(("图", "Fig", "附图")) else "table"
            if word.startswith("附"):
                return m.group(0)
            hit = numbering.by_author.get((kind, m.group("n")))
            return f"[{hit[0]}](#{hit[1]})" if hit else m.group(0)

        part = _LABEL_REF.sub(by_label, part)
        return _NUM_REF[lang].sub(by_number, part)

    pieces = _PROTECT.split(text)
    return "".join(p if i % 2 else one(p) for i, p in enumerate(pieces))


def _split_appendix(text: str) -> tuple[str, str] | None:
    m = _APPENDIX.search(text)
    return (text[:m.start()].strip(), text[m.start():].strip()) if m else None


def notebook_to_markdown(nb: Any, media_dir: Path, *, meta: PaperMeta, media_prefix: str = "") -> str:
    """Convert an executed notebook's prose and display outputs to Pandoc Markdown.

    Figures and tables are numbered once, in reading order ("图 3：…"; a number the
    study wrote into a caption is replaced, and its mentions in the prose follow,
    as do ``@fig-…``/``@tbl-…`` references to output labels). Everything from the
    first "附录"/"Appendix" heading on is wrapped in an ``.appendix`` division that
    search does not index, and the reference list (``#refs``) is placed before it.

    Parameters
    ----------
    nb
        An nbformat v4 notebook.
    media_dir
        Folder the figures are written to (created when needed).
    meta
        The paper's metadata: its title is dropped from the body when the first
        heading repeats it (the page header shows it), its language picks the
        figure label.
    media_prefix
        Path of ``media_dir`` relative to where the Markdown will be read from.

    Returns
    -------
    str
        The Markdown body (no front matter; see :func:`front_matter`).
    """
    labels = LABELS[meta.lang]
    media = _Media(Path(media_dir), media_prefix)
    numbering = _Numbering(labels)
    blocks: list[tuple[str, str]] = []  # (kind, markdown)
    appendix_at: int | None = None
    first_prose = True

    def add_prose(text: str) -> None:
        nonlocal appendix_at
        if appendix_at is None:
            split = _split_appendix(text)
            if split is not None:
                if split[0]:
                    blocks.append(("prose", split[0]))
                appendix_at = len(blocks)
                numbering.appendix = True
                text = split[1]
        blocks.append(("prose", text))

    for cell in nb.cells:
        if _skipped(cell):
            continue
        if cell.cell_type == "markdown":
            text = _markdown_cell(cell, media)
            if first_prose and text:
                text = _drop_title_heading(text, meta.title)
                first_prose = False
            add_prose(text)
        elif cell.cell_type == "raw":
            src = _text(cell.source)
            if _FRONT.match(src):
                continue
            fmt = (cell.get("metadata", {}).get("format") or cell.get("metadata", {}).get("raw_mimetype") or "")
            if fmt in ("text/markdown", "markdown"):
                add_prose(src.strip())
            elif fmt in ("text/html", "html"):
                blocks.append(("html", _fence(src, "html")))
        elif cell.cell_type == "code" and not (_tags(cell) & REMOVE_OUTPUT_TAGS):
            for out in cell.get("outputs", []) or []:
                kind, text = _render_output(out, media, numbering)
                if kind == "prose":
                    add_prose(text)
                elif text:
                    blocks.append((kind, text))
    texts = [_resolve_refs(t, numbering, meta.lang) if k == "prose" else t for k, t in blocks]
    cut = len(texts) if appendix_at is None else appendix_at
    body = "\n\n".join(t for t in texts[:cut] if t)
    refs = ""
    has_refs = re.search(r"\{#refs[\s}]", body) is not None  # the paper placed its reference list itself
    if not has_refs and any(_CITATION.search(_PROTECT.sub(" ", t)) for k, t in blocks[:cut] if k == "prose"):
        refs = f"\n\n## {labels['references']} {{#references .unnumbered}}\n\n::: {{#refs}}\n:::"
    if appendix_at is None:
        return body + refs + "\n"
    appendix = "\n\n".join(t for t in texts[appendix_at:] if t)
    return f"{body}{refs}\n\n::: {{.appendix data-pagefind-ignore=\"all\"}}\n\n{appendix}\n\n:::\n"


#: A Pandoc citation ([@key], @key) that is not a cross-reference (@fig-…, @tbl-…).
_CITATION = re.compile(r"(?<![\w@])@(?!fig-|tbl-)[A-Za-z][\w:.-]*")


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def _no_raw_html(text: str) -> str:
    """Escape ``<`` that would open an HTML tag, outside ``$...$`` math (metadata is shown as text)."""
    parts = text.split("$")
    return "$".join(p if i % 2 else _TAG_START.sub(r"\\<", p) for i, p in enumerate(parts))


def front_matter(meta: PaperMeta, *, extra: Mapping[str, Any] | None = None) -> str:
    """Pandoc YAML front matter for a paper (title, subtitle, date, abstract, lang).

    Values are read by Pandoc as Markdown (emphasis and ``$math$`` work); HTML tags are escaped.
    """
    labels = LABELS[meta.lang]
    data: dict[str, Any] = {"title": _no_raw_html(meta.title)}
    if meta.subtitle:
        data["subtitle"] = _no_raw_html(meta.subtitle)
    if meta.date:
        data["date"] = meta.date
    data["lang"] = "zh-CN" if meta.lang == "zh" else "en"
    if meta.abstract:
        data["abstract"] = _no_raw_html(meta.abstract)
    data["abstract-title"] = labels["abstract"]
    data["synthetic"] = bool(meta.synthetic)
    data.update(extra or {})
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n\n"
