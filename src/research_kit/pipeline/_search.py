"""Full-text search of the site: a Pagefind index built at render time, served as local files.

Pagefind (PyPI ``pagefind`` with the *extended* binary of ``pagefind-bin-extended``,
which segments Chinese into words) indexes the paper pages of the temporary
site into ``_site/pagefind/``: its JavaScript, CSS, WebAssembly and index
fragments are plain files of the site, so search works on the intranet without
any host. Only the paper bodies are indexed (``data-pagefind-body`` in the paper
template); the index and failure pages are not. The paper template declares an empty
page image: Pagefind would otherwise store the first figure's ``data:`` URI (some
200 KB of base64) as searchable metadata, which quadrupled the index and ranked
papers by chance matches inside the base64 for short Latin queries ("FX").

Chinese and English papers go into **one** index (``--force-language zh``):
otherwise Pagefind keeps one index per language and a reader of the Chinese
index page would never find the English papers. English words are still split
at spaces; only English stemming is lost.

Browsers do not let a page opened from ``file://`` fetch the index, so search
needs the site served over HTTP (the intranet web server, or
``research-kit serve``); the index page says so when opened from a file.

Search results show excerpts of the papers, whose Chinese characters the
index page's own embedded font subset does not cover. Each paper's font subset
is therefore also written to ``_site/assets/fonts/<sha>.woff`` and the index
declares them as faces of one family (``RK Search CJK``, used by the Pagefind
UI) with exact ``unicode-range`` lists, so the browser loads only the subsets of
the characters it has to draw.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from pathlib import Path

from research_kit.pipeline._fonts import font_face_rule
from research_kit.pipeline._offline import RenderError

#: Font family of the search results: the papers' subsets, each limited to its own characters.
SEARCH_FONT_FAMILY = "RK Search CJK"

__all__ = ["SEARCH_FONT_FAMILY", "BUNDLE", "pagefind_executable", "pagefind_version", "index_site", "start_indexing",
           "finish_indexing", "write_search_fonts"]

#: Folder of the Pagefind bundle inside the site.
BUNDLE = "pagefind"
_TIMEOUT = 600


def pagefind_executable() -> Path:
    """The extended Pagefind binary (``PAGEFIND_BINARY_PATH`` overrides); raises when only the plain one exists."""
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise RenderError("pagefind is not installed: `pip install pagefind pagefind-bin-extended` "
                          "(make setup does it).") from exc
    exe = get_executable()
    if exe is None or not Path(exe).is_file():
        raise RenderError("no Pagefind binary found: `pip install pagefind-bin-extended`.")
    if "extended" not in Path(exe).name:
        raise RenderError(f"{exe} is the plain Pagefind binary, which does not segment Chinese; "
                          "install the extended one: `pip install pagefind-bin-extended`.")
    return Path(exe)


def pagefind_version() -> str:
    """Version of the Pagefind binary package (part of the site's cache key)."""
    from importlib import metadata

    try:
        return metadata.version("pagefind-bin-extended")
    except metadata.PackageNotFoundError:
        return "missing"


def _command(site: Path) -> list[str]:
    return [str(pagefind_executable()), "--site", str(site), "--output-subdir", BUNDLE, "--force-language", "zh",
            "--glob", "**/*.html", "--silent"]


def start_indexing(site: Path) -> subprocess.Popen[str]:
    """Start Pagefind on ``site`` in the background (see :func:`finish_indexing`)."""
    from research_kit.pipeline._lifeline import popen_kwargs

    return subprocess.Popen(_command(site), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **popen_kwargs())  # type: ignore[call-overload]  # dies with the build


def finish_indexing(proc: subprocess.Popen[str], site: Path) -> Path:
    """Wait for Pagefind; return ``site/pagefind``. Raises :class:`RenderError` when it failed."""
    try:
        out, err = proc.communicate(timeout=_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        proc.communicate()
        raise RenderError(f"pagefind timed out after {_TIMEOUT}s indexing {site}") from exc
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    bundle = site / BUNDLE
    if proc.returncode != 0 or not (bundle / "pagefind-ui.js").is_file():
        raise RenderError(f"pagefind failed (exit {proc.returncode}) indexing {site}: "
                          f"{(err or out).strip()[:2000]}")
    return bundle


def index_site(site: Path) -> Path:
    """Build the search index of ``site`` into ``site/pagefind``; return that folder."""
    return finish_indexing(start_indexing(site), site)


def write_search_fonts(site: Path, fonts: Iterable[tuple[str, Path]]) -> str:
    """Copy font subsets (chars, woff file) to ``site/assets/fonts``; return the ``@font-face`` CSS for the index."""
    rules: list[str] = []
    seen: set[str] = set()
    folder = site / "assets" / "fonts"
    for chars, woff in fonts:
        if not chars or not woff.is_file():
            continue
        data = woff.read_bytes()
        name = hashlib.sha256(data).hexdigest()[:16] + ".woff"
        if name in seen:
            continue
        seen.add(name)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        rules.append(font_face_rule(f"assets/fonts/{name}", chars, family=SEARCH_FONT_FAMILY))
    if rules:
        rules.append(f'section.search .pagefind-ui{{--pagefind-ui-font:"{SEARCH_FONT_FAMILY}",var(--sans);}}')
    return "\n".join(rules)
