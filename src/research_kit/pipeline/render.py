"""Render executed papers to a self-contained static site for the intranet.

``reports/papers/<study>/<variant>.ipynb`` → ``reports/_site/``::

    _site/
      index.html                  every paper, grouped by policy task and study
      manifest.json               what was rendered, from which notebook, with which status
      <study>/<variant>.html      one self-contained page (CSS, images, MathML inside)
      <study>/<variant>.docx      Word, with real tables and images
      <study>/<variant>.pdf       Typst PDF (only with ``formats=(..., "pdf")``)
      <study>/<variant>.failed.html   only when the latest run of the paper failed

Each paper goes notebook → Markdown (:mod:`research_kit.pipeline._markdown`,
figures written to a media folder) → Pandoc (HTML with ``--embed-resources
--standalone --mathml``; DOCX; Typst then the ``typst`` wheel with the Noto CJK
font for PDF).

Guarantees
----------
* Atomic: the site is built in ``reports/._site.tmp-*`` and swapped in by
  renames at the end; an interrupted render leaves the previous ``_site`` as it
  was.
* A failed paper never replaces its last good version: when the notebook holds
  an ``error`` output (or papermill left ``<variant>.failed.ipynb`` beside the
  last good ``<variant>.ipynb``) the last good pages are kept (re-rendered from
  the good notebook, or copied from the previous site), a failure page is
  written, and the index marks the paper as stale or failed.
* Offline: every HTML file is scanned for references to a host (``src=``,
  ``href=``, ``url(``, ``@import``); any hit raises
  :class:`ExternalReferenceError` naming the file, before the site is swapped in.

Examples
--------
>>> from research_kit.pipeline.render import render_site
>>> report = render_site(formats=("html", "docx"))      # doctest: +SKIP
>>> [p.status for p in report.papers]                   # doctest: +SKIP
['ok', 'ok', 'stale']
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, Mapping, Sequence
from urllib.parse import quote

from research_kit import paths
from research_kit.pipeline import _site
from research_kit.pipeline._fonts import embed_cjk_font
from research_kit.pipeline._markdown import (
    LABELS,
    NotebookError,
    PaperMeta,
    front_matter,
    notebook_error,
    notebook_to_markdown,
    paper_metadata,
)

__all__ = [
    "render_site",
    "SiteReport",
    "PaperReport",
    "RenderError",
    "ExternalReferenceError",
    "check_offline",
    "find_external_references",
    "FORMATS",
]

Format = Literal["html", "docx", "pdf"]
Status = Literal["ok", "stale", "failed"]
FORMATS: tuple[str, ...] = _site.PAPER_FORMATS
CJK_FONT_FAMILY = "Noto Sans CJK SC"
_PANDOC_TIMEOUT = 600


DEFAULT_FORMATS: tuple[str, ...] = ("html", "docx", "pdf")


class RenderError(RuntimeError):
    """A paper or the site could not be rendered; the message names the file."""


class ExternalReferenceError(RenderError):
    """A rendered page references a host; the intranet has no internet."""


@dataclass(frozen=True)
class PaperReport:
    """What happened to one paper.

    Attributes
    ----------
    status
        ``"ok"`` (rendered from a good notebook), ``"stale"`` (the latest run
        failed; the last good version is published) or ``"failed"`` (no good
        version exists; only a failure page).
    outputs
        Format → file in the published site.
    """

    study: str
    variant: str
    title: str
    status: Status
    source: Path
    outputs: Mapping[str, Path] = field(default_factory=dict)
    failure_page: Path | None = None
    error: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteReport:
    """The outcome of :func:`render_site`."""

    site: Path
    index: Path
    papers: tuple[PaperReport, ...]
    seconds: float

    @property
    def ok(self) -> list[PaperReport]:
        return [p for p in self.papers if p.status == "ok"]

    @property
    def stale(self) -> list[PaperReport]:
        return [p for p in self.papers if p.status == "stale"]

    @property
    def failed(self) -> list[PaperReport]:
        return [p for p in self.papers if p.status == "failed"]

    def summary(self) -> str:
        """One line: counts by status, seconds and the site folder."""
        return (f"{len(self.papers)} papers ({len(self.ok)} ok, {len(self.stale)} stale, "
                f"{len(self.failed)} failed) rendered to {self.site} in {self.seconds:.1f}s")


# ---------------------------------------------------------------------------- offline check

_ATTR = re.compile(r"""(?<![\w.:-])([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")
_RESOURCE_ATTRS = frozenset({"src", "href", "srcset", "poster", "action", "formaction", "background", "data",
                             "xlink:href", "manifest", "ping", "cite", "longdesc", "codebase", "archive"})
_REMOTE = re.compile(r"https?://|^\s*//", re.I)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*(?:https?:)?//[^)]*\)", re.I)
_IMPORT = re.compile(r"@import\s*(?:url\(|[\"'])[^;\n]{0,200}", re.I)


def find_external_references(text: str) -> list[str]:
    """Return every reference to a host in an HTML/CSS text (empty when offline-safe).

    Flags resource attributes (``src``, ``href``, ``srcset``, ``data``,
    ``xlink:href``, … and any ``*-src``/``*-href``) whose value holds
    ``http://``, ``https://`` or starts with ``//``; CSS ``url()`` to a host;
    every ``@import``. Data URIs and relative links are fine.

    Examples
    --------
    >>> find_external_references('<img src="https://cdn.example/x.png">')
    ['src="https://cdn.example/x.png"']
    >>> find_external_references('<a href="../index.html">back</a> <img src="data:image/png;base64,AA==">')
    []
    """
    hits: list[str] = []
    for m in _ATTR.finditer(text):
        name = m.group(1).lower()
        if not (name in _RESOURCE_ATTRS or name.endswith(("-src", "-href", ":href"))):
            continue
        value = next(v for v in m.groups()[1:] if v is not None)
        if value.startswith("data:"):
            continue
        if _REMOTE.search(value):
            hits.append(f'{m.group(1)}="{value[:120]}"')
    hits.extend(m.group(0)[:120] for m in _CSS_URL.finditer(text))
    hits.extend(m.group(0)[:120] for m in _IMPORT.finditer(text))
    return hits


def check_offline(path: str | os.PathLike[str], *, source: str | os.PathLike[str] | None = None,
                  shown_as: str | os.PathLike[str] | None = None) -> None:
    """Raise :class:`ExternalReferenceError` if an HTML/CSS file (or any under a folder) references a host.

    Parameters
    ----------
    path
        A file, or a folder searched for ``*.html``, ``*.htm``, ``*.css`` and ``*.svg``.
    source
        The notebook a page came from, named in the error.
    shown_as
        The path to name in the error instead of ``path`` (e.g. its place in the published site).
    """
    p = Path(path)
    files = [p] if p.is_file() else sorted(f for ext in ("html", "htm", "css", "svg") for f in p.rglob(f"*.{ext}"))
    for f in files:
        hits = find_external_references(f.read_text(encoding="utf-8", errors="replace"))
        if hits:
            name = Path(shown_as) if shown_as is not None and p.is_file() else (
                Path(shown_as) / f.relative_to(p) if shown_as is not None else f)
            where = f" (rendered from {source})" if source else ""
            listed = "; ".join(hits[:5]) + (f"; … {len(hits) - 5} more" if len(hits) > 5 else "")
            raise ExternalReferenceError(
                f"{name}{where} references a host, but the intranet has no internet: {listed}. "
                "Remove the link or embed the resource (papers may not link to external sites)."
            )


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


def _compile_typst(typ: Path, pdf: Path) -> None:
    """Compile a Typst file to PDF with the Noto CJK font available."""
    import typst

    try:
        typst.compile(str(typ), output=str(pdf), root=str(typ.parent), font_paths=[str(_cjk_font_dir())])
    except Exception as exc:  # typst raises its own error types
        raise RenderError(f"typst could not compile {typ}: {exc}") from exc


# ---------------------------------------------------------------------------- discovery

@dataclass(frozen=True)
class _Source:
    study: str
    variant: str
    good: Path | None  # <variant>.ipynb
    failed: Path | None  # <variant>.failed.ipynb (left by a failed run)

    @property
    def latest_failed(self) -> bool:
        if self.failed is None:
            return False
        return self.good is None or self.failed.stat().st_mtime >= self.good.stat().st_mtime


def _discover(papers: Path) -> list[_Source]:
    found: dict[tuple[str, str], dict[str, Path]] = {}
    if not papers.is_dir():
        return []
    for nb in sorted(papers.glob("*/*.ipynb")):
        if nb.name.startswith(".") or nb.parent.name.startswith("."):
            continue
        kind, variant = ("failed", nb.name[: -len(".failed.ipynb")]) if nb.name.endswith(".failed.ipynb") \
            else ("good", nb.stem)
        found.setdefault((nb.parent.name, variant), {})[kind] = nb
    return [_Source(s, v, d.get("good"), d.get("failed")) for (s, v), d in sorted(found.items())]


def _read(nb_path: Path) -> Any:
    import nbformat

    try:
        return nbformat.read(nb_path, as_version=4)
    except Exception as exc:  # invalid JSON, wrong schema
        raise RenderError(f"cannot read notebook {nb_path}: {exc}") from exc


# ---------------------------------------------------------------------------- one paper

_ABSTRACT = re.compile(r"<!--rk-abstract-->(.*?)<!--/rk-abstract-->", re.S)


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


class _PaperRenderer:
    """Renders one good notebook to the requested formats inside the temporary site."""

    def __init__(self, *, root: Path, site: Path, work: Path, formats: Sequence[str], generated: str) -> None:
        self.root, self.site, self.work, self.formats, self.generated = root, site, work, formats, generated
        self.assets = _site.assets_dir()

    def render(self, src: Path, study: str, variant: str, nb: Any, meta: PaperMeta) -> tuple[dict[str, str], str,
                                                                                              list[str]]:
        """Return (format → site-relative file, abstract HTML, Pandoc warnings)."""
        labels = LABELS[meta.lang]
        work = self.work / study / variant
        work.mkdir(parents=True, exist_ok=True)
        out_dir = self.site / study
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            body = notebook_to_markdown(nb, work / "media", meta=meta, media_prefix="media")
        except ValueError as exc:
            raise RenderError(f"{src}: {exc}") from exc
        head = front_matter(meta)
        (work / "paper.md").write_text(head + body, encoding="utf-8")
        notice = (f'::: {{.notice custom-style="Synthetic Notice"}}\n**{labels["synthetic_notice"]}**\n:::\n\n'
                  if meta.synthetic else "")
        (work / "paper-print.md").write_text(head + notice + body, encoding="utf-8")
        data_dir = f"--data-dir={self.assets / 'pandoc'}"
        files: dict[str, str] = {}
        warnings: list[str] = []
        q = quote(variant)

        # HTML
        html_out = out_dir / f"{variant}.html"
        downloads = " ".join(f'<a href="{q}.{fmt}">{html.escape(labels[fmt])}</a>'
                             for fmt in self.formats if fmt != "html")
        args = ["paper.md", "-f", "markdown", "-t", "html5", "--standalone", "--embed-resources", "--mathml",
                f"--template={self.assets / 'paper.html'}", f"--css={self.assets / 'site.css'}", data_dir,
                "--resource-path=.", "-o", str(html_out)]
        args += _var("pagetitle", html.escape(meta.title))
        args += _var("rk-index", "../index.html") + _var("rk-back", html.escape(labels["back"]))
        args += _var("rk-downloads", downloads)
        args += _var("rk-task", html.escape(meta.task)) if meta.task else []
        args += _var("rk-county", html.escape(f'{labels["county"]} {meta.county}')) if meta.county else []
        args += _var("rk-synthetic", html.escape(labels["synthetic"]))
        args += _var("rk-notice", html.escape(labels["synthetic_notice"]))
        args += _var("rk-params", _params_html(meta, labels))
        args += _var("rk-generated", html.escape(f'{labels["generated"]} {self.generated} · '
                                                 f'{labels["source"]} {_rel(src, self.root)}'))
        warnings += self._pandoc(args, work, src)
        check_offline(html_out, source=_rel(src, self.root), shown_as=f"_site/{study}/{variant}.html")
        files["html"] = f"{study}/{variant}.html"
        m = _ABSTRACT.search(html_out.read_text(encoding="utf-8"))
        abstract_html = m.group(1).strip() if m else ""

        if "docx" in self.formats:
            out = out_dir / f"{variant}.docx"
            warnings += self._pandoc(["paper-print.md", "-f", "markdown", "-t", "docx", data_dir,
                                      "--resource-path=.", "-o", str(out)], work, src)
            files["docx"] = f"{study}/{variant}.docx"
        if "pdf" in self.formats:
            typ = work / "paper.typ"
            args = ["paper-print.md", "-f", "markdown", "-t", "typst", "--standalone", data_dir,
                    f"--include-in-header={self.assets / 'typst-header.typ'}",
                    "-V", "papersize=a4", "-V", "page-numbering=1", "-o", str(typ)]
            if meta.lang == "zh":
                args += ["-V", f"mainfont={CJK_FONT_FAMILY}"]
            warnings += self._pandoc(args, work, src)
            _compile_typst(typ, out_dir / f"{variant}.pdf")
            files["pdf"] = f"{study}/{variant}.pdf"
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


# ---------------------------------------------------------------------------- site

def _iso_now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="minutes")


def _mtime_date(p: Path) -> str:
    return _dt.datetime.fromtimestamp(p.stat().st_mtime).date().isoformat()


def _entry(meta: PaperMeta, study: str, variant: str) -> dict[str, Any]:
    return {
        "study": study, "variant": variant, "title": meta.title, "subtitle": meta.subtitle, "date": meta.date,
        "county": meta.county, "task": meta.task, "lang": meta.lang, "synthetic": meta.synthetic,
        "parameters": dict(meta.parameters), "abstract_html": "", "files": {}, "status": "ok",
        "failure_page": None, "error": "", "attempt_date": "", "source": "", "rendered_at": "",
    }


@contextlib.contextmanager
def _render_lock(reports: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``reports/.render.lock`` (POSIX); refuse a second concurrent render."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    reports.mkdir(parents=True, exist_ok=True)
    with open(reports / ".render.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise RenderError(f"another render of {reports / '_site'} is running "
                              f"(lock {reports / '.render.lock'}); wait for it to finish.") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _check_args(formats: Sequence[str], lang_default: str) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = (formats,)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"unknown format(s) {bad}; choose from {list(FORMATS)}.")
    if "html" not in formats:
        raise ValueError(f"formats={tuple(formats)!r} must include 'html': the site's pages are HTML.")
    if lang_default not in LABELS:
        raise ValueError(f"lang_default={lang_default!r}; choose 'zh' or 'en'.")
    return tuple(dict.fromkeys(formats))


def render_site(root: str | os.PathLike[str] | None = None, *, formats: Sequence[Format] = DEFAULT_FORMATS,
                lang_default: Literal["zh", "en"] = "zh", identifiers: Iterable[str] | None = None) -> SiteReport:
    """Render every executed paper under ``reports/papers`` to ``reports/_site``.

    Parameters
    ----------
    root
        Project root (default: :func:`research_kit.paths.project_root`).
    formats
        Any of ``"html"`` (required), ``"docx"``, ``"pdf"`` (Typst, Noto CJK font).
    lang_default
        Language of the index page, and of papers that do not declare one.
    identifiers
        Unit identifiers of the confidential input data (e.g. every ``business_id``;
        see :func:`research_kit.data.identifier_values`). If any rendered page shows
        one, the render fails with :class:`~research_kit.report.DisclosureError`
        and the previous site stays in place.

    Returns
    -------
    SiteReport
        One :class:`PaperReport` per paper, with its status and files.

    Raises
    ------
    RenderError
        Pandoc or Typst failed on a paper (the message names the notebook); the
        previous site is left untouched.
    ExternalReferenceError
        A page references a host; the previous site is left untouched.

    Examples
    --------
    >>> report = render_site(formats=("html", "docx", "pdf"))   # doctest: +SKIP
    >>> report.summary()                                         # doctest: +SKIP
    '3 papers (3 ok, 0 stale, 0 failed) rendered to .../reports/_site in 2.1s'
    """
    start = time.perf_counter()
    fmts = _check_args(formats, lang_default)
    project = paths.project_root(root)
    reports, site, papers = paths.reports_dir(root), paths.site_dir(root), paths.papers_dir(root)
    generated = _iso_now()
    with _render_lock(reports):
        _site.recover(site)
        old_manifest = _site.load_manifest(site)
        tmp = Path(tempfile.mkdtemp(prefix=f".{site.name}.tmp-", dir=reports))
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the published site must be readable by the web server
        try:
            with tempfile.TemporaryDirectory(prefix="rk-render-") as work:
                renderer = _PaperRenderer(root=project, site=tmp, work=Path(work), formats=fmts, generated=generated)
                entries: list[dict[str, Any]] = []
                done: list[tuple[dict[str, Any], Path, list[str]]] = []
                for src in _discover(papers):
                    done.append(_render_one(src, renderer, old_site=site, old=old_manifest.get((src.study, src.variant)),
                                            lang_default=lang_default, root=project, generated=generated))
                    entries.append(done[-1][0])
            index = _site.write_index(tmp, entries, lang_default, generated)
            (tmp / _site.MANIFEST).write_text(json.dumps(
                {"generator": "research_kit", "rendered_at": generated, "formats": list(fmts), "papers": entries},
                ensure_ascii=False, indent=1), encoding="utf-8")
            for page in sorted(tmp.rglob("*.html")):
                embed_cjk_font(page)
            check_offline(tmp, shown_as=site)
            if identifiers is not None:
                from research_kit.report.disclosure import check_no_microdata

                check_no_microdata(tmp, identifiers)
            _site.swap(tmp, site)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    final = tuple(
        PaperReport(e["study"], e["variant"], e["title"], e["status"], source,
                    {k: site / v for k, v in e["files"].items()},
                    site / e["failure_page"] if e["failure_page"] else None, e["error"], tuple(warnings))
        for e, source, warnings in done
    )
    return SiteReport(site=site, index=site / index.name, papers=final, seconds=time.perf_counter() - start)


def _render_one(src: _Source, renderer: _PaperRenderer, *, old_site: Path, old: dict[str, Any] | None,
                lang_default: str, root: Path, generated: str) -> tuple[dict[str, Any], Path, list[str]]:
    """Render one paper, or keep its last good version; return (manifest entry, source notebook, warnings)."""
    good_nb: Any = None
    error: NotebookError | str | None = None
    failing: Path | None = None
    if src.good is not None:
        try:
            good_nb = _read(src.good)
        except RenderError as exc:
            error, failing = str(exc), src.good
        else:
            err = notebook_error(good_nb)
            if err is not None:
                error, failing, good_nb = err, src.good, None
    if error is None and src.latest_failed and src.failed is not None:
        failing = src.failed
        try:
            error = notebook_error(_read(src.failed)) or NotebookError(
                "ExecutionFailed", f"papermill left {src.failed.name}: the latest run failed", "")
        except RenderError as exc:
            error = str(exc)

    shown = good_nb
    if shown is None and failing is not None:
        with contextlib.suppress(RenderError):
            shown = _read(failing)
    meta = (paper_metadata(shown, study=src.study, variant=src.variant, lang_default=lang_default)  # type: ignore[arg-type]
            if shown is not None else PaperMeta(study=src.study, variant=src.variant,
                                                title=f"{src.study}/{src.variant}", lang=lang_default))  # type: ignore[arg-type]
    entry = _entry(meta, src.study, src.variant)
    warnings: list[str] = []
    source = src.good if good_nb is not None else (failing or src.good or src.failed)
    if source is None:  # pragma: no cover - _discover always yields a notebook
        raise RenderError(f"no notebook for {src.study}/{src.variant}")
    if good_nb is not None:
        files, abstract_html, warnings = renderer.render(source, src.study, src.variant, good_nb, meta)
        entry.update(files=files, abstract_html=abstract_html, source=_rel(source, root), rendered_at=generated)
    else:
        files = _site.carry_over(old_site, old, src.study, src.variant, renderer.site)
        if files and old is not None:  # describe the version that stays published
            entry.update({k: old[k] for k in ("title", "subtitle", "date", "county", "task", "lang", "synthetic",
                                              "parameters", "abstract_html", "source", "rendered_at") if k in old})
        entry["files"] = files
    if error is not None and failing is not None:
        entry["status"] = "stale" if entry["files"] else "failed"
        entry["error"] = str(error)[:2000]
        entry["attempt_date"] = _mtime_date(failing)
        entry["failure_page"] = _site.write_failure_page(renderer.site, src.study, src.variant, meta, error,
                                                    _rel(failing, root), entry["files"], generated)
    return entry, source, warnings
