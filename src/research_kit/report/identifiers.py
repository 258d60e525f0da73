"""A published paper never prints rows of microdata: scan rendered pages for unit identifiers.

:func:`find_identifiers` / :func:`check_no_microdata` scan rendered papers (HTML,
DOCX, PDF, Markdown, notebooks, ...) for any business identifier of the input data.
Identifiers are matched as whole tokens (a regex for identifier-like tokens, then a
set lookup); HTML entities are decoded; base64 ``data:`` URIs are removed, except
text ones (SVG, HTML, JSON), which are decoded and scanned; in DOCX the runs of a
paragraph are joined; PDFs are read page by page (their text layer, with pypdf).

Figures are pixels in a page. The kernels the pipeline starts record the text of
every matplotlib text artist they draw (:mod:`research_kit.pipeline._kernel_hooks`)
as an output of MIME type :data:`FIGURE_TEXT_MIME` in the executed notebook;
:func:`check_no_microdata` scans those texts of the notebooks it is given
(``notebooks=``), so an identifier drawn as a bar or tick label is found too.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import json
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SCANNED_SUFFIXES", "FIGURE_TEXT_MIME", "DisclosureError", "Hit", "ShortIdentifierWarning",
           "check_no_microdata", "figure_texts", "find_identifiers"]

#: File suffixes that :func:`check_no_microdata` scans in a site folder.
SCANNED_SUFFIXES = (".html", ".htm", ".xhtml", ".svg", ".docx", ".pdf", ".ipynb", ".md", ".markdown", ".qmd",
                    ".txt", ".csv", ".tsv", ".json", ".tex", ".typ", ".xml", ".yml", ".yaml")
#: MIME type of the outputs in which the pipeline's kernels record the text drawn in figures.
FIGURE_TEXT_MIME = "application/vnd.research-kit.figure-text+json"


class DisclosureError(RuntimeError):
    """A rendered paper prints a business identifier; ``hits`` lists every finding."""

    def __init__(self, message: str, hits: Sequence[Hit] = ()) -> None:
        super().__init__(message)
        self.hits = tuple(hits)


class ShortIdentifierWarning(UserWarning):
    """Identifiers shorter than ``min_length`` were not searched for (they would match ordinary text)."""


@dataclass(frozen=True)
class Hit:
    """One identifier found in one source (a file, a part of a file, or a text).

    Attributes
    ----------
    source
        File path, or ``"<text>"`` / ``"<text i>"`` for texts passed directly.
    part
        Where inside the source: ``""`` for the file's own text, the member of a
        DOCX (``"word/document.xml"``), a decoded ``data:`` URI or a notebook cell.
    identifier
        The identifier as given in ``identifiers``.
    count
        Occurrences in this source and part.
    context
        Up to 30 characters either side of the first occurrence.
    """

    source: str
    part: str
    identifier: str
    count: int
    context: str


_TEXT_MIMES = ("image/svg+xml", "application/json", "application/javascript", "application/ecmascript",
               "application/xml", "application/xhtml+xml", "application/ld+json")
_DATA_URI = re.compile(r"data:(?P<mime>[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+)?(?:;[A-Za-z0-9.+-]+=[^;,\s\"'()<>]*)*"
                       r";base64,(?P<b64>[A-Za-z0-9+/=]*)", re.IGNORECASE)


def _is_text_mime(mime: str | None) -> bool:
    m = (mime or "text/plain").lower()
    return m.startswith("text/") or m in _TEXT_MIMES


def _strip_data_uris(text: str, depth: int = 0) -> tuple[str, list[tuple[str, str]]]:
    """Remove base64 ``data:`` URIs; return the text and the decoded texts of textual ones (SVG, HTML, JSON...)."""
    decoded: list[tuple[str, str]] = []

    def repl(m: re.Match[str]) -> str:
        mime = m.group("mime")
        if depth < 3 and _is_text_mime(mime):
            try:
                inner = base64.b64decode(m.group("b64") + "=" * (-len(m.group("b64")) % 4)).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                return " "
            body, nested = _strip_data_uris(inner, depth + 1)
            decoded.append((f"data:{(mime or 'text/plain').lower()}", html.unescape(body)))
            decoded.extend(nested)
        return " "

    return _DATA_URI.sub(repl, text), decoded


def _docx_parts(path: Path) -> list[tuple[str, str]]:
    out = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if re.fullmatch(r"(word|docProps)/[^/]+\.xml", name):
                xml = z.read(name).decode("utf-8", "replace")
                xml = re.sub(r"</w:p>|<w:(?:br|cr|tab)\b[^>]*/>", "\n", xml)
                out.append((name, html.unescape(re.sub(r"<[^>]+>", "", xml))))
    return out


def _ipynb_parts(text: str) -> list[tuple[str, str]]:
    nb = json.loads(text)
    out = [("metadata", json.dumps(nb.get("metadata", {}), ensure_ascii=False))]
    def join(v: object) -> str:
        return "".join(v) if isinstance(v, list) else v if isinstance(v, str) else json.dumps(v)

    for i, cell in enumerate(nb.get("cells", [])):
        chunks = [join(cell.get("source", "")), json.dumps(cell.get("metadata", {}), ensure_ascii=False)]
        for o in cell.get("outputs", []):
            chunks.append(join(o.get("text", "")))
            chunks += [o.get("ename", ""), o.get("evalue", ""), join(o.get("traceback", []))]
            for mime, data in (o.get("data") or {}).items():
                if _is_text_mime(mime) or mime == FIGURE_TEXT_MIME:
                    chunks.append(join(data))
        out.append((f"cell {i}", "\n".join(str(c) for c in chunks)))
    return out


def _pdf_parts(path: Path) -> list[tuple[str, str]]:
    """The text layer of each page of a PDF (Typst writes one; images are covered by the figure texts)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        out = [(f"page {i}", page.extract_text() or "") for i, page in enumerate(reader.pages, 1)]
        info: Any = reader.metadata or {}
        out.append(("metadata", " ".join(str(v) for v in info.values())))
        return out
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise DisclosureError(f"cannot read {path} to check it for business identifiers ({exc}); a page that "
                              "cannot be checked is not published.") from None


def figure_texts(notebook: str | PathLike[str]) -> list[tuple[str, str]]:
    """(part, text) for each figure-text output of an executed notebook (see :data:`FIGURE_TEXT_MIME`)."""
    try:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for i, cell in enumerate(nb.get("cells", []) if isinstance(nb, dict) else []):
        for o in cell.get("outputs", []) or []:
            value = (o.get("data") or {}).get(FIGURE_TEXT_MIME)
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            texts = value.get("texts", []) if isinstance(value, dict) else []
            if texts:
                out.append((f"figure text of cell {i}", "\n".join(str(t) for t in texts)))
    return out


def _text_parts(path: Path) -> list[tuple[str, str]]:
    """Readable texts of one rendered file, as (part, text)."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _docx_parts(path)
    if suffix == ".pdf":
        return _pdf_parts(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix == ".ipynb":
        try:
            return _ipynb_parts(text)
        except (json.JSONDecodeError, AttributeError, TypeError):
            pass
    return [("", text)]


def _coded(identifier: str) -> bool:
    """A code of letters and digits (``ZZ01``): at least 4 characters, never an ordinary number or word."""
    return (len(identifier) >= 4 and identifier.isascii() and identifier.isalnum()
            and any(c.isalpha() for c in identifier) and any(c.isdigit() for c in identifier))


class _Matcher:
    """Identifiers as a set, found by tokenising text (fast for 1e5 identifiers and megabytes of text).

    Identifiers made of ASCII letters and digits (optionally joined by
    punctuation, e.g. ``GT-000123``) are matched as whole tokens: runs of
    letters and digits not touching another letter or digit. Any other
    identifier (e.g. with Chinese characters) is searched by one compiled
    alternation, which is slower; keep those few.
    """

    def __init__(self, identifiers: Iterable[object], *, min_length: int, case_sensitive: bool) -> None:
        ids = {str(i).strip() for i in identifiers if i is not None and not (isinstance(i, float) and np.isnan(i))}
        ids.discard("")
        short = sorted(i for i in ids if len(i) < min_length and not _coded(i))
        self.short = short
        ids -= set(short)
        self.fold = (lambda s: s) if case_sensitive else str.upper
        seps = sorted({ch for i in ids for ch in i if not ch.isascii() or not ch.isalnum()} - {" "})
        seps = [ch for ch in seps if ch.isascii() and not ch.isspace()]
        sep_class = "".join(re.escape(ch) for ch in seps)
        simple = re.compile(rf"[A-Za-z0-9]+(?:[{sep_class}][A-Za-z0-9]+)*" if seps else r"[A-Za-z0-9]+")
        self.table: dict[str, str] = {}
        complex_ids = []
        for i in ids:
            if simple.fullmatch(i):
                self.table[self.fold(i)] = i
            else:
                complex_ids.append(i)
        self.token = simple
        self.split = re.compile(f"[{sep_class}]") if seps else None
        self.max_parts = max((len(self.split.split(i)) for i in self.table), default=1) if self.split else 1
        # with separators, a token such as ``ZZ000123-2`` is also searched by its sub-spans of up to max_parts parts
        flags = 0 if case_sensitive else re.IGNORECASE
        self.complex = (re.compile("|".join(re.escape(i) for i in sorted(complex_ids, key=len, reverse=True)), flags)
                        if complex_ids else None)
        self.complex_map = {self.fold(i): i for i in complex_ids}

    def find(self, text: str) -> dict[str, tuple[int, int]]:
        """Identifier → (count, offset of the first occurrence)."""
        found: dict[str, tuple[int, int]] = {}
        if self.table:
            folded = self.fold(text)
            tokens = Counter(self.token.findall(folded))
            keys: Counter[str] = Counter({t: c for t, c in tokens.items() if t in self.table})
            if self.split is not None:
                for tok, c in tokens.items():
                    parts = self.split.split(tok)
                    if len(parts) < 2:
                        continue
                    pos = [0]
                    for p in parts:
                        pos.append(pos[-1] + len(p) + 1)
                    for a in range(len(parts)):
                        for b in range(a + 1, min(len(parts), a + self.max_parts) + 1):
                            if (a, b) != (0, len(parts)):
                                sub = tok[pos[a]:pos[b] - 1]
                                if sub in self.table:
                                    keys[sub] += c
            for key, c in keys.items():
                m = re.search(rf"(?<![A-Za-z0-9]){re.escape(key)}(?![A-Za-z0-9])", folded)
                found[self.table[key]] = (c, m.start() if m else 0)
        if self.complex is not None:
            for m in self.complex.finditer(text):
                ident = self.complex_map[self.fold(m.group(0))]
                c, first = found.get(ident, (0, m.start()))
                found[ident] = (c + 1, first)
        return found


def _context(text: str, offset: int, length: int) -> str:
    return re.sub(r"\s+", " ", text[max(0, offset - 30):offset + length + 30]).strip()


def _scan(source: str, parts: list[tuple[str, str]], matcher: _Matcher) -> list[Hit]:
    queue = []
    for part, text in parts:
        body, decoded = _strip_data_uris(text)
        queue.append((part, html.unescape(body)))
        queue += [(f"{part} {p}".strip(), t) for p, t in decoded]
    hits = []
    for part, text in queue:
        for ident, (count, first) in sorted(matcher.find(text).items()):
            hits.append(Hit(source, part, ident, count, _context(text, first, len(ident))))
    return hits


def _find(sources: list[Path | str], matcher: _Matcher) -> list[Hit]:
    n_text = sum(isinstance(s, str) for s in sources)
    hits: list[Hit] = []
    t = 0
    for src in sources:
        if isinstance(src, Path):
            hits += _scan(str(src), _text_parts(src), matcher)
        else:
            hits += _scan("<text>" if n_text == 1 else f"<text {t}>", [("", src)], matcher)
            t += 1
    return hits


def _matcher(identifiers: Iterable[object], min_length: int, case_sensitive: bool) -> _Matcher:
    if min_length < 1:
        raise ValueError(f"min_length must be at least 1; got {min_length!r}.")
    if isinstance(identifiers, (str, bytes)):
        raise TypeError("identifiers must be a collection of identifiers (e.g. df['business_id'].unique()), "
                        "not a single string.")
    matcher = _Matcher(identifiers, min_length=min_length, case_sensitive=case_sensitive)
    if matcher.short:
        warnings.warn(f"{len(matcher.short)} identifiers shorter than {min_length} characters were not searched "
                      f"(e.g. {matcher.short[:3]}); lower min_length to include them.",
                      ShortIdentifierWarning, stacklevel=3)
    return matcher


def _sources(paths_or_text: object) -> list[Path | str]:
    if isinstance(paths_or_text, (str, PathLike)):
        items: list[object] = [paths_or_text]
    else:
        items = list(paths_or_text)  # type: ignore[call-overload]
    out: list[Path | str] = []
    for it in items:
        if isinstance(it, PathLike) or (isinstance(it, str) and it.strip() and "\n" not in it and len(it) < 1024
                                        and Path(it).exists()):
            p = Path(it)
            if p.is_dir():
                out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SCANNED_SUFFIXES)
            elif not p.exists():
                raise FileNotFoundError(f"No such file to scan for identifiers: {p}.")
            elif p.suffix.lower() not in SCANNED_SUFFIXES:
                raise ValueError(f"Cannot scan {p}: suffix {p.suffix!r} is not one of {list(SCANNED_SUFFIXES)} "
                                 "(images are not read; scan the notebook's figure texts, see figure_texts).")
            else:
                out.append(p)
        elif isinstance(it, str):
            out.append(it)
        else:
            raise TypeError(f"Expected a path or a text to scan; got {type(it).__name__}.")
    return out


def find_identifiers(
    paths_or_text: str | PathLike[str] | Iterable[str | PathLike[str]],
    identifiers: Iterable[object],
    *,
    min_length: int = 6,
    case_sensitive: bool = False,
) -> list[Hit]:
    """Find business identifiers of the input data in rendered papers or texts.

    Parameters
    ----------
    paths_or_text
        Files, folders (scanned recursively for :data:`SCANNED_SUFFIXES`) or
        texts. A ``str`` naming an existing path is a path; any other ``str``
        is scanned as text (pass :class:`~pathlib.Path` to be explicit).
    identifiers
        The identifiers of the microdata, e.g. ``df["business_id"].unique()``.
    min_length
        Identifiers shorter than this are skipped (with a
        :class:`ShortIdentifierWarning`): they would match ordinary numbers.
        Codes of at least 4 letters and digits with both kinds (``ZZ01``)
        are searched whatever their length.
    case_sensitive
        By default ``zz000123`` matches ``ZZ000123``.

    Returns
    -------
    list of Hit
        One per (source, part, identifier), in source order.

    Notes
    -----
    HTML: entities are decoded; base64 ``data:`` URIs are removed (an image's
    base64 text is not searched, so it cannot cause false hits), except
    textual ones (SVG, HTML, JSON, scripts), which are decoded and searched.
    DOCX: the text of ``word/*.xml`` (body, headers, footers, notes) and
    ``docProps/*.xml``, with runs joined within a paragraph. Notebooks:
    sources, text outputs and metadata (images skipped). An identifier
    matches as a whole token: ``ZZ000123`` is found in ``<td>ZZ000123</td>``
    and ``fig_ZZ000123.png`` but not in ``XZZ0001234``.

    Examples
    --------
    >>> [h.identifier for h in find_identifiers("<td>ZZ000123</td><td>ZZ0001234</td>", ["ZZ000123"])]
    ['ZZ000123']
    """
    matcher = _matcher(identifiers, min_length, case_sensitive)
    return _find(_sources(paths_or_text), matcher)


def check_no_microdata(
    site_dir: str | PathLike[str],
    identifiers: Iterable[object],
    *,
    min_length: int = 6,
    case_sensitive: bool = False,
    notebooks: Iterable[str | PathLike[str]] = (),
    shown_as: str | PathLike[str] | None = None,
) -> tuple[Path, ...]:
    """Raise :class:`DisclosureError` if any rendered file under ``site_dir`` prints an identifier.

    Returns the files scanned (see :func:`find_identifiers` for what is read,
    PDFs included). ``notebooks``: executed notebooks whose figure texts (what
    their figures show, recorded by the pipeline's kernels) are scanned too.
    ``shown_as``: the folder to name in the message instead of ``site_dir``
    (e.g. the published site, when ``site_dir`` is a temporary copy that is
    deleted after the failure).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "p.html").write_text("<p>N = 120</p>")
    >>> [p.name for p in check_no_microdata(d, ["ZZ000123"])]
    ['p.html']
    """
    site = Path(site_dir)
    if not site.is_dir():
        raise FileNotFoundError(f"Site folder {site} does not exist; render the site before checking it.")
    files = tuple(sorted(f for f in site.rglob("*") if f.is_file() and f.suffix.lower() in SCANNED_SUFFIXES))
    matcher = _matcher(identifiers, min_length, case_sensitive)
    hits = []
    for nb in notebooks:  # figures first: the pages only show their pixels
        hits += _scan(str(nb), figure_texts(nb), matcher)
    hits += _find(list(files), matcher)
    if hits:
        if shown_as is not None:
            shown = str(Path(shown_as))
            hits = [Hit(h.source.replace(str(site), shown, 1) if h.source.startswith(str(site)) else h.source,
                        h.part, h.identifier, h.count, h.context) for h in hits]
        first = hits[0]
        where = f"{first.source}" + (f" ({first.part})" if first.part else "")
        n_ids, n_files = len({h.identifier for h in hits}), len({h.source for h in hits})
        more = f" ({n_ids} identifiers in {n_files} files in all)" if n_ids > 1 or n_files > 1 else ""
        drawn = (" (a figure draws it: a bar, tick or legend label; plot aggregates, not units)"
                 if first.part.startswith("figure text") else "")
        raise DisclosureError(
            f"Business identifier {first.identifier!r} found in {where}{more}{drawn}: a published paper must not "
            "print rows of microdata. Show aggregates (research_kit.report.safe_table) instead of the rows, re-run "
            "the study and render again.", hits)
    return files
