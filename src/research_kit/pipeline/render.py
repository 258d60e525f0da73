"""Render executed papers to a self-contained static site for the intranet.

``reports/papers/<study>/<variant>.ipynb`` → ``reports/_site/``::

    _site/
      index.html                  every paper, grouped by policy task and study, with search
      manifest.json               what was rendered, from which notebook, with which status
      <study>/<variant>.html      one self-contained page (CSS, images, MathML, CJK font subset inside)
      <study>/<variant>.docx      Word, with real tables and images
      <study>/<variant>.pdf       Typst PDF (only with ``formats=(..., "pdf")``)
      <study>/<variant>.failed.html   only when the latest run of the paper failed
      pagefind/                   the search index, UI script, CSS and WebAssembly (local files)
      assets/fonts/               CJK font subsets for the search results of the index page
      api/                        the API reference from the docstrings (pdoc; see research_kit.pipeline.api_docs)

Each paper goes notebook → Markdown (:mod:`research_kit.pipeline._markdown`,
figures written to a media folder) → Pandoc (HTML with ``--embed-resources
--standalone --mathml``; DOCX; Typst then the ``typst`` wheel with the Noto CJK
font for PDF); see :mod:`research_kit.pipeline._paper_render`.

Guarantees
----------
* Atomic: the site is built in ``reports/._site.tmp-*`` and swapped in by
  renames at the end; an interrupted render leaves the previous ``_site`` as it
  was (a render killed between the two renames is repaired by the next one).
* Incremental: each paper's outputs are cached by the hash of its executed
  notebook (``reports/.cache/render``), and a render whose inputs are all
  unchanged (``inputs_key`` in ``manifest.json``) returns at once.
* Parallel: with an ``executor`` (a process pool), papers render in parallel.
* A failed paper never replaces its last good version: when the notebook holds
  an ``error`` output (or papermill left ``<variant>.failed.ipynb`` beside the
  last good ``<variant>.ipynb``) the last good pages are kept (re-rendered from
  the good notebook, or copied from the previous site), a failure page is
  written, and the index marks the paper as stale or failed.
* Offline: every HTML/CSS file is scanned for references to a host (``src=``,
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
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from research_kit import paths
from research_kit.pipeline import _fault, _search, _site, api_docs
from research_kit.pipeline import _paper_render as _paper
from research_kit.pipeline._fonts import embed_cjk_font
from research_kit.pipeline._frame import frame_hash
from research_kit.pipeline._markdown import LABELS, NotebookError, PaperMeta, notebook_error, paper_metadata
from research_kit.pipeline._offline import ExternalReferenceError, RenderError, check_offline, find_external_references
from research_kit.pipeline.hashing import FileHasher, cache_dir, canonical_json, data_hash, sha256_bytes

__all__ = [
    "render_site",
    "prefetch_paper",
    "site_is_current",
    "SiteReport",
    "PaperReport",
    "RenderError",
    "ExternalReferenceError",
    "check_offline",
    "find_external_references",
    "FORMATS",
    "DEFAULT_FORMATS",
]

Format = Literal["html", "docx", "pdf"]
Status = Literal["ok", "stale", "failed"]
FORMATS: tuple[str, ...] = _site.PAPER_FORMATS
DEFAULT_FORMATS: tuple[Format, ...] = ("html", "docx", "pdf")
CJK_FONT_FAMILY = _paper.CJK_FONT_FAMILY


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
    """The outcome of :func:`render_site` (``skipped``: nothing had changed, the site was kept as it was)."""

    site: Path
    index: Path
    papers: tuple[PaperReport, ...]
    seconds: float
    skipped: bool = False
    rendered: int = 0

    @property
    def ok(self) -> list[PaperReport]:
        """The papers rendered from a good notebook."""
        return [p for p in self.papers if p.status == "ok"]

    @property
    def stale(self) -> list[PaperReport]:
        """The papers whose last good version is kept (their latest run failed)."""
        return [p for p in self.papers if p.status == "stale"]

    @property
    def failed(self) -> list[PaperReport]:
        """The papers that have no good version (a failure page is shown)."""
        return [p for p in self.papers if p.status == "failed"]

    def summary(self) -> str:
        """One line: counts by status, seconds and the site folder."""
        what = "unchanged, kept" if self.skipped else "rendered"
        return (f"{len(self.papers)} papers ({len(self.ok)} ok, {len(self.stale)} stale, "
                f"{len(self.failed)} failed) {what} at {self.site} in {self.seconds:.1f}s")


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


_read = _paper.read_notebook


# ---------------------------------------------------------------------------- helpers

def _iso_now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="minutes")


def _mtime_date(p: Path) -> str:
    return _dt.datetime.fromtimestamp(p.stat().st_mtime).date().isoformat()


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


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


def _site_key(sources: Sequence[_Source], hashes: Mapping[Path, str], fmts: Sequence[str], lang_default: str,
              search: bool, data: str | None) -> str:
    from research_kit.pipeline.hashing import source_tree_hash

    items = [[s.study, s.variant, hashes.get(s.good) if s.good else None, hashes.get(s.failed) if s.failed else None,
              s.latest_failed] for s in sources]
    return sha256_bytes(canonical_json({"schema": 1, "papers": items, "formats": list(fmts), "lang": lang_default,
                                        "search": search, "data": data, "renderer": source_tree_hash(),
                                        "tools": _paper.tool_versions()}))


def _manifest(site: Path) -> dict[str, Any]:
    try:
        data = json.loads((site / _site.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _report_from_manifest(site: Path, project: Path, start: float) -> SiteReport:
    papers = tuple(
        PaperReport(e["study"], e["variant"], e["title"], e["status"], project / e["source"] if e.get("source") else site,
                    {k: site / v for k, v in (e.get("files") or {}).items()},
                    site / e["failure_page"] if e.get("failure_page") else None, e.get("error", ""))
        for e in _manifest(site).get("papers", []))
    return SiteReport(site=site, index=site / "index.html", papers=papers, seconds=time.perf_counter() - start,
                      skipped=True)


def _current_key(root: str | os.PathLike[str] | None, fmts: Sequence[str], lang_default: str, search: bool,
                 with_data: bool) -> tuple[list[_Source], dict[Path, str], str]:
    sources = _discover(paths.papers_dir(root))
    hasher = FileHasher()  # notebooks are small next to data: hash them every time, no stat cache
    hashes = {p: hasher(p) for s in sources for p in (s.good, s.failed) if p is not None}
    data = None
    if with_data:
        data_hasher = FileHasher(cache_dir(root) / "filehash.json")
        data = data_hash(root, hasher=data_hasher)
        data_hasher.save()
    key = _site_key(sources, hashes, fmts, lang_default, search, data)
    return sources, hashes, sha256_bytes(canonical_json([key, frame_hash(paths.project_root(root))]))


def site_is_current(root: str | os.PathLike[str] | None = None, *, formats: Sequence[Format] = DEFAULT_FORMATS,
                    lang_default: Literal["zh", "en"] = "zh", search: bool = True, disclosure: bool = True) -> bool:
    """True when ``render_site`` with these options would find nothing to do."""
    fmts = _check_args(formats, lang_default)
    site = paths.site_dir(root)
    if not (site / "index.html").is_file():
        return False
    _, _, key = _current_key(root, fmts, lang_default, search, disclosure)
    return _manifest(site).get("inputs_key") == key


def prefetch_paper(root: str | os.PathLike[str] | None, study: str, variant: str, executor: Executor, *,
                   formats: Sequence[Format] = DEFAULT_FORMATS, lang_default: Literal["zh", "en"] = "zh") -> Future[str]:
    """Render one freshly executed paper into the render cache on ``executor`` (``build`` does this as runs finish).

    :func:`render_site` then finds the paper in the cache. Errors surface again in
    :func:`render_site`, which renders what is missing itself.
    """
    fmts = _check_args(formats, lang_default)
    project = paths.project_root(root)
    nb = paths.papers_dir(project) / study / f"{variant}.ipynb"
    key = _paper.paper_key(FileHasher()(nb), fmts, lang_default, frame_hash(project))
    folder = cache_dir(project) / "render" / study / variant / key[:24]
    return executor.submit(_paper.render_paper, str(project), study, variant, str(nb), formats=fmts,
                           lang_default=lang_default, key=key, folder=str(folder))


# ---------------------------------------------------------------------------- the site

def render_site(root: str | os.PathLike[str] | None = None, *, formats: Sequence[Format] = DEFAULT_FORMATS,
                lang_default: Literal["zh", "en"] = "zh",
                identifiers: Iterable[str] | Callable[[], Iterable[str]] | None = None,
                executor: Executor | None = None, search: bool = True, force: bool = False) -> SiteReport:
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
        see :func:`research_kit.data.identifier_values`), or a function returning
        them (called only when something is rendered). If any rendered page shows
        one, the render fails with :class:`~research_kit.report.DisclosureError`
        and the previous site stays in place.
    executor
        A process pool (``concurrent.futures``) to render papers in parallel;
        ``None`` renders them one after the other in this process.
    search
        Build the Pagefind search index (``_site/pagefind``).
    force
        Render even when nothing changed since the last render.

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
    '3 papers (3 ok, 0 stale, 0 failed) rendered at .../reports/_site in 2.1s'
    """
    start = time.perf_counter()
    fmts = _check_args(formats, lang_default)
    project = paths.project_root(root)
    reports, site = paths.reports_dir(root), paths.site_dir(root)
    generated = _iso_now()
    with _render_lock(reports):
        _site.recover(site)
        sources, hashes, key = _current_key(project, fmts, lang_default, search, identifiers is not None)
        if not force and (site / "index.html").is_file() and _manifest(site).get("inputs_key") == key:
            return _report_from_manifest(site, project, start)
        records, rendered = _paper_records(sources, hashes, project, fmts, lang_default, executor)
        ids = identifiers() if callable(identifiers) else identifiers
        old_manifest = _site.load_manifest(site)
        tmp = Path(tempfile.mkdtemp(prefix=f".{site.name}.tmp-", dir=reports))
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the published site must be readable by the web server
        try:
            done = [_assemble_one(src, records.get((src.study, src.variant)), tmp, old_site=site,
                                  old=old_manifest.get((src.study, src.variant)), lang_default=lang_default,
                                  root=project, generated=generated) for src in sources]
            entries = [d[0] for d in done]
            _link_languages(tmp, entries)
            for page in sorted(tmp.rglob("*.html")):  # failure pages (papers carry their font already)
                embed_cjk_font(page)
            # Pagefind indexes the paper pages while the index page is written (under a name it does not scan).
            indexer = _search.start_indexing(tmp) if search and any(e["files"] for e in entries) else None
            try:
                search_css = _search.write_search_fonts(tmp, [d[3] for d in done if d[3] is not None]) \
                    if search else ""
                other = "en" if lang_default == "zh" else "zh"
                partial = _site.write_index(tmp, [e for e in entries if e["lang"] != other], lang_default,
                                            generated, search=search, search_css=search_css,
                                            filename="index.html.partial", other=(other, f"{other}/index.html"),
                                            api=api_docs.API_ENTRY)
                embed_cjk_font(partial)
                second = _site.write_index(tmp, [e for e in entries if e["lang"] == other], other, generated,
                                           search=search, search_css=search_css, filename=f"{other}/index.html",
                                           base="../", other=(lang_default, "../index.html"), api=api_docs.API_ENTRY)
                embed_cjk_font(second)
                (tmp / _site.MANIFEST).write_text(json.dumps(
                    {"generator": "research_kit", "rendered_at": generated, "formats": list(fmts),
                     "inputs_key": key, "papers": entries}, ensure_ascii=False, indent=1), encoding="utf-8")
            finally:
                if indexer is not None:
                    _search.finish_indexing(indexer, tmp)
            index = tmp / "index.html"
            os.replace(partial, index)
            if ids is not None:
                from research_kit.report.disclosure import check_no_microdata

                check_no_microdata(tmp, ids, shown_as=site,  # figures' text too; name the site, not tmp
                                   notebooks=[s.good for s in sources if s.good is not None])
            # The API reference (both indexes link it) comes from the package's docstrings, never from data: it is
            # added after the microdata check (its examples show made-up identifiers), before the offline check.
            api_docs.add_to_site(tmp, root=project, previous=site)
            check_offline(tmp, shown_as=site)
            _fault.point("site-assembly")
            _site.swap(tmp, site)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    final = tuple(
        PaperReport(e["study"], e["variant"], e["title"], e["status"], source,
                    {k: site / v for k, v in e["files"].items()},
                    site / e["failure_page"] if e["failure_page"] else None, e["error"], tuple(warnings))
        for e, source, warnings, _font in done
    )
    return SiteReport(site=site, index=site / index.name, papers=final, seconds=time.perf_counter() - start,
                      rendered=rendered)


def _partner(entry: Mapping[str, Any], entries: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The other-language version of a paper: same study, other language, variant named ``<v>_en`` / ``<v>``."""
    v = entry["variant"]
    names = {v[:-3]} if v.endswith("_en") else {f"{v}_en"}
    for e in entries:
        if e["study"] == entry["study"] and e["lang"] != entry["lang"] and e["variant"] in names \
                and (e.get("files") or {}).get("html"):
            return e
    return None


def _link_languages(site: Path, entries: Sequence[dict[str, Any]]) -> None:
    """Fill each paper page's link to its other-language version (and record it in the manifest entry)."""
    from urllib.parse import quote as _quote

    for e in entries:
        page_rel = (e.get("files") or {}).get("html")
        if not page_rel:
            continue
        page = site / page_rel
        text = page.read_text(encoding="utf-8")
        if _MARK not in text:
            continue
        other = _partner(e, entries)
        link = ""
        if other is not None:
            label = LABELS[e["lang"]]["other_language"]
            href = _quote(Path(other["files"]["html"]).name)
            link = (f'<a class="other-language" href="{href}" hreflang="{"en" if other["lang"] == "en" else "zh-CN"}"'
                    f' lang="{"en" if other["lang"] == "en" else "zh-CN"}">{label}</a> ')
            e["other_language"] = other["files"]["html"]
        page.write_text(text.replace(_MARK, link, 1), encoding="utf-8")


_MARK = "<!--rk-other-language-->"


def _paper_records(sources: Sequence[_Source], hashes: Mapping[Path, str], project: Path, fmts: Sequence[str],
                   lang_default: str, executor: Executor | None) -> tuple[dict[tuple[str, str], dict[str, Any]], int]:
    """Render (or find in the cache) every good notebook; return its record by (study, variant)."""
    base = cache_dir(project) / "render"
    folders: dict[tuple[str, str], Path] = {}
    todo: list[tuple[_Source, Path, str]] = []
    frame = frame_hash(project)
    for src in sources:
        if src.good is None:
            continue
        key = _paper.paper_key(hashes[src.good], fmts, lang_default, frame)
        folder = base / src.study / src.variant / key[:24]
        folders[(src.study, src.variant)] = folder
        if _paper.load_record(folder) is None:
            todo.append((src, folder, key))
    if executor is not None and len(todo) > 1:
        futures: list[Future[str]] = [executor.submit(_paper.render_paper, str(project), s.study, s.variant,
                                                      str(s.good), formats=tuple(fmts), lang_default=lang_default,
                                                      key=key, folder=str(folder)) for s, folder, key in todo]
        try:
            for f in futures:
                f.result()
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    else:
        for s, folder, key in todo:
            _paper.render_paper(project, s.study, s.variant, s.good,  # type: ignore[arg-type]
                                formats=fmts, lang_default=lang_default, key=key, folder=folder)
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for k, folder in folders.items():
        rec = _paper.load_record(folder)
        if rec is None:  # pragma: no cover - render_paper wrote it or raised
            raise RenderError(f"render cache {folder} has no record; delete reports/.cache and render again.")
        rec["_folder"] = str(folder)
        records[k] = rec
    return records, len(todo)


def _assemble_one(src: _Source, record: dict[str, Any] | None, site: Path, *, old_site: Path,
                  old: dict[str, Any] | None, lang_default: str, root: Path,
                  generated: str) -> tuple[dict[str, Any], Path, list[str], tuple[str, Path] | None]:
    """Place one paper in the new site, or keep its last good version.

    Returns (manifest entry, source notebook, warnings, (font characters, font file) or None).
    """
    error: NotebookError | str | None = None
    failing: Path | None = None
    meta: PaperMeta | None = None
    good_ok = False
    if src.good is not None and record is not None:
        meta = _paper.record_meta(record)
        if record.get("kind") == "ok":
            good_ok = True
        else:
            error, failing = _paper.record_error(record), src.good
    if error is None and src.latest_failed and src.failed is not None:
        failing = src.failed
        try:
            failed_nb = _read(src.failed)
            error = notebook_error(failed_nb) or NotebookError(
                "ExecutionFailed", f"papermill left {src.failed.name}: the latest run failed", "")
            if meta is None:
                meta = paper_metadata(failed_nb, study=src.study, variant=src.variant,
                                      lang_default=lang_default)  # type: ignore[arg-type]
        except RenderError as exc:
            error = str(exc)
    if meta is None:
        meta = PaperMeta(study=src.study, variant=src.variant, title=f"{src.study}/{src.variant}",
                         lang=lang_default)  # type: ignore[arg-type]
    entry = _entry(meta, src.study, src.variant)
    warnings: list[str] = []
    font: tuple[str, Path] | None = None
    source = src.good if good_ok else (failing or src.good or src.failed)
    if source is None:  # pragma: no cover - _discover always yields a notebook
        raise RenderError(f"no notebook for {src.study}/{src.variant}")
    if good_ok and record is not None:
        folder = Path(record["_folder"])
        (site / src.study).mkdir(parents=True, exist_ok=True)
        files: dict[str, str] = {}
        for fmt, name in record["files"].items():
            rel = f"{src.study}/{src.variant}.{fmt}"
            shutil.copyfile(folder / name, site / rel)
            files[fmt] = rel
        entry.update(files=files, abstract_html=record.get("abstract_html", ""), source=_rel(source, root),
                     rendered_at=record.get("rendered_at", generated))
        warnings = list(record.get("warnings", []))
        if record.get("font"):
            font = (record["font"]["chars"], folder / record["font"]["file"])
    else:
        files = _site.carry_over(old_site, old, src.study, src.variant, site)
        if files and old is not None:  # describe the version that stays published
            entry.update({k: old[k] for k in ("title", "subtitle", "date", "county", "task", "lang", "synthetic",
                                              "parameters", "abstract_html", "source", "rendered_at") if k in old})
        entry["files"] = files
    if error is not None and failing is not None:
        entry["status"] = "stale" if entry["files"] else "failed"
        entry["error"] = str(error)[:2000]
        entry["attempt_date"] = _mtime_date(failing)
        entry["failure_page"] = _site.write_failure_page(site, src.study, src.variant, meta, error,
                                                         _rel(failing, root), entry["files"], generated)
    return entry, source, warnings, font
