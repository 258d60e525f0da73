"""Each rendered page embeds a subset of the CJK font holding exactly its Chinese characters."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from fontTools.ttLib import TTFont

from research_kit.pipeline._fonts import FONT_FAMILY, cjk_characters, embed_cjk_font
from research_kit.pipeline.render import find_external_references

PAGE = """<!doctype html><html lang="zh-CN"><head><title>t</title></head>
<body><h1>义乌市外汇贷款</h1><p>Sant’Anna 估计（万美元）</p><img src="data:image/png;base64,5Lit5paH"></body></html>"""


def _embedded_font(text: str) -> TTFont:
    m = re.search(r"font/woff;base64,([A-Za-z0-9+/=]+)", text)
    assert m, "no embedded WOFF font"
    return TTFont(io.BytesIO(base64.b64decode(m.group(1))))


def test_page_gets_a_subset_with_its_characters(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(PAGE, encoding="utf-8")
    assert embed_cjk_font(page) is True
    text = page.read_text(encoding="utf-8")
    assert f'font-family:"{FONT_FAMILY}"' in text and "unicode-range:" in text
    cmap = _embedded_font(text).getBestCmap()
    for ch in "义乌市外汇贷款估计（）万美元":
        assert ord(ch) in cmap, ch
    assert find_external_references(text) == []


def test_embedding_is_idempotent_and_skips_pages_without_chinese(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(PAGE, encoding="utf-8")
    embed_cjk_font(page)
    once = page.read_text(encoding="utf-8")
    assert embed_cjk_font(page) is False and page.read_text(encoding="utf-8") == once
    en = tmp_path / "en.html"
    en.write_text("<html><head></head><body>English only</body></html>", encoding="utf-8")
    assert embed_cjk_font(en) is False


def test_cjk_characters() -> None:
    assert cjk_characters("a义b乌，c") == "义乌，"
