"""Offline check of rendered pages: no reference to any host (the intranet has no internet).

Examples
--------
>>> find_external_references('<img src="https://cdn.example/x.png">')
['src="https://cdn.example/x.png"']
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["RenderError", "ExternalReferenceError", "find_external_references", "check_offline"]


class RenderError(RuntimeError):
    """A paper or the site could not be rendered; the message names the file."""


class ExternalReferenceError(RenderError):
    """A rendered page references a host; the intranet has no internet."""


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
