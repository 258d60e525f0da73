"""Render one executed notebook (HTML, DOCX, Typst → PDF) into the render cache.

A paper's render depends only on its executed notebook, the formats, the index
language and the renderer itself (this package's files, Pandoc, Typst,
Pagefind versions). Its outputs are kept in
``reports/.cache/render/<study>/<variant>/<key>/`` with a ``record.json``
describing them, so the site assembly (:mod:`research_kit.pipeline.render`)
copies unchanged papers instead of rendering them again, and papers can be
rendered in parallel by worker processes. A record folder is written under a
temporary name and renamed into place when complete: an interrupted render
leaves no half record behind.

The HTML page gets its subset of the CJK font embedded here (see
:mod:`research_kit.pipeline._fonts`); the subset is also kept as ``font.woff``
for the search results of the index page.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from research_kit.pipeline import _fault, _site
from research_kit.pipeline._fonts import embed_cjk_font, page_characters, subset_woff
from research_kit.pipeline._frame import load_frame, study_sequence
from research_kit.pipeline._internals import find_internals
from research_kit.pipeline._markdown import (
    LABELS,
    NotebookError,
    PaperMeta,
    front_matter,
    notebook_error,
    notebook_to_markdown,
    paper_metadata,
)
from research_kit.pipeline._offline import RenderError, check_offline
from research_kit.pipeline._quarto import quarto_executable, render_with_quarto

__all__ = ["CJK_FONT_FAMILY", "paper_key", "render_paper", "load_record", "record_meta", "record_error",
           "tool_versions", "read_notebook"]

CJK_FONT_FAMILY = "Noto Sans CJK SC"
RECORD = "record.json"
_PANDOC_TIMEOUT = 600
_ABSTRACT = re.compile(r"<!--rk-abstract-->(.*?)<!--/rk-abstract-->", re.S)


# ---------------------------------------------------------------------------- tools

def _pandoc_path() -> str:
    try:
        import pypandoc
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise RenderError("pypandoc-binary is not installed: `pip install pypandoc-binary`.") from exc
    return str(pypandoc.get_pandoc_path())


def _run_pandoc(args: Sequence[str], *, cwd: Path) -> str:
    """Run Pandoc with ``args`` in ``cwd``; return its stderr (warnings). Raises on failure."""
    cmd = [_pandoc_path(), *args]
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=_PANDOC_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"pandoc timed out after {_PANDOC_TIMEOUT}s: {' '.join(args)}") from exc
    if proc.returncode != 0:
        raise RenderError(f"pandoc failed (exit {proc.returncode}) on {cwd / args[0]}: {proc.stderr.strip()}")
    return proc.stderr


def _cjk_font_dir() -> Path:
    import mplfonts

    d = Path(mplfonts.__file__).resolve().parent / "fonts"
    if not (d / "NotoSansCJKsc-Regular.otf").is_file():
        raise RenderError(f"{d / 'NotoSansCJKsc-Regular.otf'} not found: PDF needs the Noto CJK font "
                          "shipped by mplfonts (`pip install mplfonts`).")
    return d


def _font_paths() -> list[str]:
    """Folders of the fonts Typst may use: Noto Sans CJK SC Regular (mplfonts) and its bold face."""
    from research_kit.pipeline._boldfont import typst_font_dir

    try:
        bold = typst_font_dir()
    except FileNotFoundError as exc:
        raise RenderError(str(exc)) from exc
    return [str(_cjk_font_dir()), str(bold)]


#: Left and right page margins of the Typst template, in points (2.2 cm): the layout check's limits.
PDF_MARGINS = (62.36, 62.36)


def _compile_typst(typ: Path, pdf: Path) -> None:
    """Compile a Typst file to PDF with the Noto CJK fonts, then check its layout (raises on a problem)."""
    import typst

    from research_kit.pipeline._pdfcheck import check_pdf, describe

    try:
        typst.compile(str(typ), output=str(pdf), root=str(typ.parent), font_paths=_font_paths())
    except Exception as exc:  # typst raises its own error types
        raise RenderError(f"typst could not compile {typ}: {exc}") from exc
    problems = check_pdf(pdf, margins=PDF_MARGINS)
    if problems:
        raise RenderError(f"the PDF fails the layout check (text beyond the margins or lines printed over each "
                          f"other):\n{describe(problems)}")


def tool_versions() -> dict[str, str]:
    """Versions of the external renderers (part of the cache keys)."""
    from importlib import metadata

    out = {}
    for name in ("pypandoc-binary", "typst", "fonttools", "pagefind-bin-extended", "cvttf-NotoSansCJK-Bold",
                 "pymupdf"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "missing"
    out["quarto"] = quarto_executable() or "none"  # the renderer in use is part of the key
    return out


def read_notebook(nb_path: Path) -> Any:
    """Read an executed notebook; :class:`RenderError` naming the file when it is not a notebook."""
    import nbformat

    try:
        return nbformat.read(nb_path, as_version=4)
    except Exception as exc:  # invalid JSON, wrong schema
        raise RenderError(f"cannot read notebook {nb_path}: {exc}") from exc


# ---------------------------------------------------------------------------- one paper

def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _params_html(meta: PaperMeta, labels: Mapping[str, str]) -> str:
    if not meta.parameters:
        return ""
    rows = "".join(f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(_site.display_value(v))}</dd>"
                   for k, v in meta.parameters.items())
    return f'<details><summary>{html.escape(labels["parameters"])}</summary><dl class="params">{rows}</dl></details>'


def _var(name: str, value: str) -> list[str]:
    return ["-V", f"{name}={value}"]


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|~^$])", r"\\\1", text)


_CAPTION_STYLES = re.compile(r'<w:pStyle w:val="(?:ImageCaption|TableCaption)"\s*/>')
# A math run holding Chinese (\text{目标}): Word sets math in Cambria Math, which has no CJK glyphs; the run
# gets the document's East Asian theme font, as Pandoc does for Chinese prose.
_CJK_MATH_RUN = re.compile(r"<m:r>(<m:rPr>(?:(?!</m:rPr>).)*</m:rPr>)?(<m:t(?: [^>]*)?>[^<]*[\u3000-\u9fff\uff00-\uffef])")
_CJK_MATH_FONT = '<w:rPr><w:rFonts w:eastAsiaTheme="minorEastAsia" w:hint="eastAsia" /></w:rPr>'


def _docx_caption_style(docx: Path) -> None:
    """Give figure and table captions Word's own "Caption" style (Pandoc writes "Image/Table Caption").

    Also gives math runs with Chinese characters the East Asian font (see ``_CJK_MATH_RUN``).
    """
    import zipfile

    tmp = docx.with_suffix(".tmp.docx")
    with zipfile.ZipFile(docx) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                xml = _CAPTION_STYLES.sub('<w:pStyle w:val="Caption" />', data.decode("utf-8"))
                xml = _CJK_MATH_RUN.sub(lambda m: f"<m:r>{m.group(1) or ''}{_CJK_MATH_FONT}{m.group(2)}", xml)
                data = xml.encode("utf-8")
            zout.writestr(item, data)
    os.replace(tmp, docx)


class _PaperRenderer:
    """Renders one good notebook to the requested formats into one folder."""

    def __init__(self, *, root: Path, work: Path, formats: Sequence[str], generated: str) -> None:
        self.root, self.work, self.formats, self.generated = root, work, formats, generated
        self.assets = _site.assets_dir()

    @functools.cached_property
    def frame(self) -> Any:
        """The report frame (``reports/frame.yaml``), read once per renderer."""
        from research_kit import paths

        return load_frame(paths.reports_dir(self.root))

    def _generated_at(self, nb: Any) -> str:
        """When the paper's numbers were computed: papermill's end time, in the frame's time zone.

        A re-render of the same executed notebook (new site frame, other formats) then prints the same
        stamp, so the page of a paper whose latest run failed stays byte-identical to the one published.
        Without papermill's stamp, the render time.
        """
        end = str((nb.metadata.get("papermill") or {}).get("end_time") or "")
        local = self.frame.local_datetime(end) if end else None
        return local.isoformat(timespec="minutes") if local is not None else self.generated

    def _frame_fields(self, study: str, meta: PaperMeta, nb: Any) -> dict[str, Any]:
        """Front-matter fields of the title block (report frame), the TOC and the reference list."""
        from research_kit import paths

        frame = self.frame
        labels = LABELS[meta.lang]
        stamp = str((nb.metadata.get("papermill") or {}).get("end_time") or "") or meta.date
        local = frame.local_datetime(stamp)
        year = str(local.year) if local else (meta.date[:4] or "0000")
        seq = study_sequence(paths.studies_file(self.root), study)
        number = frame.number(task=meta.task, study=study, seq=seq, year=year, lang=meta.lang)
        return {
            "author": list(frame.authors[meta.lang]),
            "date": frame.local_date(stamp, lang=meta.lang) if stamp else "",
            "rk-unit": frame.unit[meta.lang],
            "rk-number": number,
            "rk-number-label": labels["report_number"] + ("：" if meta.lang == "zh" else ": "),
            "rk-date": frame.local_date(stamp, lang=meta.lang) if stamp else "",
            "rk-contact": frame.contact[meta.lang],
            "rk-contact-label": labels["contact"] + ("：" if meta.lang == "zh" else ": "),
            "rk-task": meta.task and _site.task_label(meta.task, labels),
            "rk-zh": meta.lang == "zh",
            "rk-filter-task": labels["task"],
            "rk-filter-lang": "语言" if meta.lang == "zh" else "Language",
            "rk-lang-name": "中文" if meta.lang == "zh" else "English",
            "toc": True,
            "toc-depth": 2,
            "toc-title": labels["toc"],
            "_citeproc": frame.citeproc_args(meta.lang),
        }

    def render(self, src: Path, study: str, variant: str, nb: Any, meta: PaperMeta,
               out_dir: Path) -> tuple[dict[str, str], str, list[str]]:
        """Return (format → file name in ``out_dir``, abstract HTML, Pandoc warnings)."""
        labels = LABELS[meta.lang]
        work = self.work
        work.mkdir(parents=True, exist_ok=True)
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            body = notebook_to_markdown(nb, work / "media", meta=meta, media_prefix="media")
        except ValueError as exc:
            raise RenderError(f"{src}: {exc}") from exc
        fields = self._frame_fields(study, meta, nb)
        citeproc = fields.pop("_citeproc")
        head = front_matter(meta, extra=fields)
        (work / "paper.md").write_text(head + body, encoding="utf-8")
        notice = (f'::: {{.notice custom-style="Synthetic Notice"}}\n**{labels["synthetic_notice"]}**\n:::\n\n'
                  if meta.synthetic else "")
        frame_div = ("::: {custom-style=\"Report Frame\"}\n"
                     + "\\\n".join(_md_escape(x) for x in (
                         fields["rk-unit"], fields["rk-number-label"] + fields["rk-number"],
                         fields["rk-contact-label"] + fields["rk-contact"])) + "\n:::\n\n")
        (work / "paper-print.md").write_text(head + notice + body, encoding="utf-8")
        (work / "paper-docx.md").write_text(head + frame_div + notice + body, encoding="utf-8")
        data_dir = f"--data-dir={self.assets / 'pandoc'}"
        # citeproc first: the filter then also turns the reference list's DOI links into text
        # without a bibliography (a project without reports/references.bib) citations stay text: Typst would
        # otherwise refuse a #cite of an unknown label
        syntax = "markdown+east_asian_line_breaks" + ("" if citeproc else "-citations")
        reader = ["-f", syntax, "--wrap=none", *citeproc,
                  f"--lua-filter={self.assets / 'rk.lua'}"]
        files: dict[str, str] = {}
        warnings: list[str] = []
        q = quote(variant)

        quarto = quarto_executable()
        if quarto is not None:
            files, warnings = render_with_quarto(quarto, nb, variant=variant, lang=meta.lang, formats=self.formats,
                                                 work=work, out_dir=out_dir, css=self.assets / "site.css",
                                                 source=_rel(src, self.root), root=self.root, fields=fields)
            html_out = out_dir / files["html"]
            check_offline(html_out, source=_rel(src, self.root), shown_as=f"_site/{study}/{variant}.html")
            abstract_html = html.escape(meta.abstract or "")
        else:
            html_out = out_dir / f"{variant}.html"
            downloads = " ".join(f'<a href="{q}.{fmt}">{html.escape(labels[fmt])}</a>'
                                 for fmt in self.formats if fmt != "html")
            args = ["paper.md", *reader, "-t", "html5", "--standalone", "--embed-resources", "--mathml",
                    f"--template={self.assets / 'paper.html'}", f"--css={self.assets / 'site.css'}", data_dir,
                    "--resource-path=.", "--toc", "--toc-depth=2", "-o", str(html_out)]
            args += _var("pagetitle", html.escape(meta.title))
            args += _var("rk-index", "../index.html" if meta.lang == "zh" else "../en/index.html")
            args += _var("rk-back", html.escape(labels["back"]))
            args += _var("rk-downloads", downloads)
            args += _var("rk-county", html.escape(f'{labels["county"]} {meta.county}')) if meta.county else []
            args += _var("rk-synthetic", html.escape(labels["synthetic"]))
            args += _var("rk-notice", html.escape(labels["synthetic_notice"]))
            args += _var("rk-params", _params_html(meta, labels))
            args += _var("rk-generated", html.escape(f'{labels["generated"]} {self._generated_at(nb)}'))
            warnings += self._pandoc(args, work, src)
            check_offline(html_out, source=_rel(src, self.root), shown_as=f"_site/{study}/{variant}.html")
            files["html"] = html_out.name
            m = _ABSTRACT.search(html_out.read_text(encoding="utf-8"))
            abstract_html = m.group(1).strip() if m else ""

            if "docx" in self.formats:
                out = out_dir / f"{variant}.docx"
                warnings += self._pandoc(["paper-docx.md", *reader, "-t", "docx", data_dir, "--toc",
                                          "--toc-depth=2", "--resource-path=.", "-o", str(out)], work, src)
                _docx_caption_style(out)
                files["docx"] = out.name

        if "pdf" in self.formats:
            typ = work / "paper.typ"
            args = ["paper-print.md", *reader, "-t", "typst", "--standalone", data_dir,
                    f"--template={self.assets / 'paper.typst'}", "-o", str(typ)]
            warnings += self._pandoc(args, work, src)
            try:
                _compile_typst(typ, out_dir / f"{variant}.pdf")
            except RenderError as exc:
                raise RenderError(f"{src}: {exc}") from exc
            shutil.copyfile(typ, out_dir / "paper.typ")  # kept beside the PDF for debugging and tests
            files["pdf"] = f"{variant}.pdf"
        warnings += [f"{src.name}: {w}" for w in find_internals(body)]
        return files, abstract_html, warnings

    def _pandoc(self, args: list[str], work: Path, src: Path) -> list[str]:
        try:
            err = _run_pandoc(args, cwd=work)
        except RenderError as exc:
            raise RenderError(f"{src}: {exc}") from exc
        if "Could not fetch resource" in err:
            raise RenderError(f"{src}: pandoc could not embed a resource: {err.strip()}")
        return [f"{src.name}: {line.strip()}" for line in err.splitlines()
                if line.startswith("[WARNING]") and "translation" not in line]


# ---------------------------------------------------------------------------- cache records

def paper_key(notebook_sha: str, formats: Sequence[str], lang_default: str, frame: str = "") -> str:
    """Render-cache key of a paper.

    Its notebook, the formats, the index language, the report frame
    (``frame``: :func:`research_kit.pipeline._frame.frame_hash`) and the renderer's versions.
    """
    from research_kit.pipeline.hashing import canonical_json, sha256_bytes, source_tree_hash

    return sha256_bytes(canonical_json({"schema": 1, "notebook": notebook_sha, "formats": list(formats),
                                        "lang": lang_default, "renderer": source_tree_hash(), "frame": frame,
                                        "tools": tool_versions()}))


def _meta_dict(meta: PaperMeta) -> dict[str, Any]:
    d = dataclasses.asdict(meta)
    d["parameters"] = dict(meta.parameters)
    return d


def record_meta(record: Mapping[str, Any]) -> PaperMeta | None:
    """The paper metadata stored in a record (None for an unreadable notebook)."""
    m = record.get("meta")
    return PaperMeta(**m) if isinstance(m, dict) else None


def record_error(record: Mapping[str, Any]) -> NotebookError | str | None:
    """The error a record's notebook holds (None when it rendered)."""
    e = record.get("error")
    if isinstance(e, dict):
        return NotebookError(e.get("name", ""), e.get("value", ""), e.get("traceback", ""))
    return e or None


def load_record(folder: Path) -> dict[str, Any] | None:
    """The record of a render-cache folder, or None when absent or unreadable."""
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _iso_now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="minutes")


def render_paper(root: str | os.PathLike[str], study: str, variant: str, notebook: str | os.PathLike[str], *,
                 formats: Sequence[str], lang_default: str, key: str, folder: str | os.PathLike[str]) -> str:
    """Render one executed notebook into the cache folder ``folder`` (named by ``key``); return its path.

    Runs in any process (the local pool renders papers in parallel). A notebook
    that holds an error output, or cannot be read, gives a record of kind
    ``"error"`` and no files. Pandoc/Typst failures raise :class:`RenderError`.
    """
    project, nb_path, target = Path(root), Path(notebook), Path(folder)
    if load_record(target) is not None:
        return str(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    generated = _iso_now()
    record: dict[str, Any] = {"key": key, "study": study, "variant": variant, "source": _rel(nb_path, project),
                              "kind": "ok", "meta": None, "files": {}, "abstract_html": "", "warnings": [],
                              "error": None, "rendered_at": generated, "font": None}
    try:
        try:
            nb = read_notebook(nb_path)
        except RenderError as exc:
            record.update(kind="error", error=str(exc))
        else:
            meta = paper_metadata(nb, study=study, variant=variant, lang_default=lang_default)  # type: ignore[arg-type]
            record["meta"] = _meta_dict(meta)
            err = notebook_error(nb)
            if err is not None:
                record.update(kind="error", error={"name": err.name, "value": err.value, "traceback": err.traceback})
            else:
                with tempfile.TemporaryDirectory(prefix="rk-render-") as work:
                    renderer = _PaperRenderer(root=project, work=Path(work), formats=formats, generated=generated)
                    files, abstract_html, warnings = renderer.render(nb_path, study, variant, nb, meta, tmp)
                page = tmp / files["html"]
                embed_cjk_font(page)
                chars = page_characters(page)
                if chars:
                    (tmp / "font.woff").write_bytes(subset_woff(chars))
                    record["font"] = {"chars": chars, "file": "font.woff"}
                record.update(files=files, abstract_html=abstract_html, warnings=warnings)
        (tmp / RECORD).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        _fault.point("paper-render")
        try:
            os.rename(tmp, target)
        except OSError:  # a concurrent render of the same paper won: keep its record
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for old in target.parent.iterdir():  # keep only the latest render of this paper
        if old.name != target.name and not old.name.startswith(".tmp-"):
            shutil.rmtree(old, ignore_errors=True)
    return str(target)
