"""Embed a subset of the CJK font into each HTML page.

Readers' browsers on the intranet may lack a CJK font (Linux desktops, kiosks,
headless test browsers): Chinese would show as boxes. Each page therefore
carries, as a ``data:`` URI, a WOFF subset of Noto Sans CJK SC holding only the
characters that page uses (typically 100–300 KB). It comes first in the CSS font
stacks but is limited by ``unicode-range`` to CJK characters, so Latin text keeps
the system fonts and Chinese looks the same on every reader's machine.
No host is referenced.
"""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["FONT_FAMILY", "embed_cjk_font", "cjk_characters", "page_characters", "subset_woff", "unicode_range",
           "font_face_rule", "woff_subset"]

FONT_FAMILY = "RK Noto Sans CJK SC"
_MARKER = "<!-- rk-cjk-font -->"
# CJK ideographs, CJK symbols and punctuation, full-width forms (the unicode-range below).
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def cjk_characters(text: str) -> str:
    """The distinct CJK characters of ``text``, sorted."""
    return "".join(sorted(set(_CJK.findall(text))))


def _font_path() -> Path:
    """Noto Sans CJK SC as shipped by mplfonts, found without importing matplotlib.

    The same file as ``research_kit.report.theme.cjk_font_path``.
    """
    from importlib.util import find_spec

    spec = find_spec("mplfonts")
    if spec is None or spec.origin is None:  # pragma: no cover - set-up installs it
        raise FileNotFoundError("the CJK font package mplfonts is not installed; run make setup.")
    path = Path(spec.origin).resolve().parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.is_file():  # pragma: no cover - set-up installs it
        raise FileNotFoundError(f"CJK font not found at {path}; reinstall mplfonts (make setup).")
    return path


def woff_subset(font_path: Path, chars: str) -> bytes:
    """A WOFF subset of the font at ``font_path`` holding ``chars`` (all layout features, no hinting).

    The same characters give the same bytes in every build: the font's own timestamp is kept.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # recalcTimestamp=False: keep the source font's head.modified, so the same characters give the same bytes
    # in every build (fontTools otherwise writes the current time, and every page and asset name would churn).
    font = TTFont(str(font_path), lazy=False, recalcTimestamp=False)
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.hinting = False
    options.desubroutinize = True
    sub = subset.Subsetter(options=options)
    sub.populate(text=chars)
    sub.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    return buf.getvalue()


@lru_cache(maxsize=64)
def _subset_woff(chars: str) -> bytes:
    return woff_subset(_font_path(), chars)


def subset_woff(chars: str) -> bytes:
    """A WOFF subset of Noto Sans CJK SC with exactly these characters (cached per process)."""
    return _subset_woff("".join(sorted(set(chars))))


def page_characters(path: str | Path) -> str:
    """The distinct CJK characters of an HTML page, ignoring ``data:`` payloads."""
    text = Path(path).read_text(encoding="utf-8")
    return cjk_characters(re.sub(r"data:[^\"')\s]+", "", text))


def unicode_range(chars: str) -> str:
    """A CSS ``unicode-range`` value listing exactly these characters (runs collapsed).

    Examples
    --------
    >>> unicode_range("一丁七")
    'U+4E00-4E01,U+4E03'
    """
    cps = sorted({ord(c) for c in chars})
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        parts.append(f"U+{cps[i]:X}" if i == j else f"U+{cps[i]:X}-{cps[j]:X}")
        i = j + 1
    return ",".join(parts)


def font_face_rule(url: str, chars: str, *, family: str = FONT_FAMILY) -> str:
    """An ``@font-face`` rule of ``family`` for a local font file covering exactly ``chars``."""
    return (f'@font-face{{font-family:"{family}";font-style:normal;font-weight:100 900;font-display:swap;'
            f'unicode-range:{unicode_range(chars)};src:url("{url}") format("woff");}}')


def _bold_face(chars: str) -> str:
    """The bold face (600-900) of the page font: a subset of Noto Sans CJK Bold (see ``_boldfont``)."""
    from research_kit.pipeline._boldfont import bold_subset_woff

    data = base64.b64encode(bold_subset_woff(chars)).decode("ascii")
    return (f'@font-face{{font-family:"{FONT_FAMILY}";font-style:normal;font-weight:600 900;font-display:block;'
            'unicode-range:U+3000-303F,U+3400-4DBF,U+4E00-9FFF,U+F900-FAFF,U+FF00-FFEF;'
            f'src:url(data:font/woff;base64,{data}) format("woff");}}')


def embed_cjk_font(path: str | Path) -> bool:
    """Add the font subset for the page's Chinese characters to ``path``; return True if added.

    Idempotent: a page that already carries its font is left alone.
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if _MARKER in text or "</head>" not in text:
        return False
    body = re.sub(r"data:[^\"')\s]+", "", text)  # ignore base64 payloads
    chars = cjk_characters(body)
    if not chars:
        return False
    data = base64.b64encode(_subset_woff(chars)).decode("ascii")
    style = (f'{_MARKER}<style>@font-face{{font-family:"{FONT_FAMILY}";font-style:normal;font-weight:100 500;font-display:block;unicode-range:U+3000-303F,U+3400-4DBF,U+4E00-9FFF,U+F900-FAFF,U+FF00-FFEF;'
             f'src:url(data:font/woff;base64,{data}) format("woff");}}{_bold_face(chars)}</style>\n')
    p.write_text(text.replace("</head>", style + "</head>", 1), encoding="utf-8")
    return True
