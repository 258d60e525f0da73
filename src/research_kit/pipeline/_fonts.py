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

__all__ = ["FONT_FAMILY", "embed_cjk_font", "cjk_characters"]

FONT_FAMILY = "RK Noto Sans CJK SC"
_MARKER = "<!-- rk-cjk-font -->"
# CJK ideographs, CJK symbols and punctuation, full-width forms (the unicode-range below).
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def cjk_characters(text: str) -> str:
    """The distinct CJK characters of ``text``, sorted."""
    return "".join(sorted(set(_CJK.findall(text))))


@lru_cache(maxsize=64)
def _subset_woff(chars: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from research_kit.report.theme import cjk_font_path

    font = TTFont(str(cjk_font_path()), lazy=False)
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
    style = (f'{_MARKER}<style>@font-face{{font-family:"{FONT_FAMILY}";font-style:normal;font-weight:100 900;font-display:block;unicode-range:U+3000-303F,U+3400-4DBF,U+4E00-9FFF,U+F900-FAFF,U+FF00-FFEF;'
             f'src:url(data:font/woff;base64,{data}) format("woff");}}</style>\n')
    p.write_text(text.replace("</head>", style + "</head>", 1), encoding="utf-8")
    return True
