"""The bold CJK face: Noto Sans CJK Bold from the ``cvttf-NotoSansCJK-Bold`` wheel.

mplfonts ships only the Regular weight of Noto Sans CJK SC, so Chinese headings
and bold text would be set in Regular (or faked). The bold face comes from the
PyPI wheel ``cvttf-NotoSansCJK-Bold`` (Noto Sans CJK TC Bold, which holds every
Simplified Chinese glyph; its ``locl`` feature gives the mainland forms when the
text is tagged ``zh-CN``, which every Chinese page and PDF is).

* Typst picks a weight within one family, so the PDF route gets a copy whose
  family name is "Noto Sans CJK SC" (only the ``name`` table changes), written
  once into a per-user cache folder; :func:`typst_font_dir` returns its folder.
* HTML pages embed a WOFF subset of it (:func:`bold_subset_woff`) as the bold
  face of the page's CJK font family.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["bold_font_path", "typst_font_dir", "bold_subset_woff", "BOLD_FILE"]

BOLD_FILE = "NotoSansCJKsc-Bold-rk.otf"
_FAMILY = "Noto Sans CJK SC"


def bold_font_path() -> Path:
    """The bold OTF shipped by the wheel; :class:`FileNotFoundError` saying what to install."""
    from importlib.util import find_spec

    spec = find_spec("cvttf_NotoSansCJK_Bold")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the bold CJK font package is not installed: "
                                "`pip install cvttf-NotoSansCJK-Bold` (make setup does it).")
    path = Path(spec.origin).resolve().parent / "NotoSansCJKtc-Bold.otf"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall cvttf-NotoSansCJK-Bold.")
    return path


def _save_atomically(font: Any, target: Path) -> None:
    """Write ``font`` to ``target`` through a temporary file in the same folder (no half-written font is seen)."""
    fd, tmp = tempfile.mkstemp(suffix=".otf", dir=target.parent)
    os.close(fd)
    try:
        font.save(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "research_kit" / "fonts"


@lru_cache(maxsize=1)
def typst_font_dir() -> Path:
    """A folder holding the bold face renamed into the "Noto Sans CJK SC" family (made once, then reused)."""
    from fontTools.ttLib import TTFont

    src = bold_font_path()
    folder = _cache_root() / f"bold-{src.stat().st_size}"
    target = folder / BOLD_FILE
    if target.is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    font = TTFont(str(src), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (1, 16):
            rec.string = _FAMILY if rec.nameID == 16 else f"{_FAMILY} Bold"
        elif rec.nameID == 4:
            rec.string = f"{_FAMILY} Bold"
    _save_atomically(font, target)
    return folder


def _common_characters() -> str:
    """GB 2312 (6,763 hanzi and its symbols) plus CJK punctuation and full-width forms."""
    chars = []
    for cp in list(range(0x3000, 0x3040)) + list(range(0x4E00, 0xA000)) + list(range(0xFF00, 0xFFF0)):
        c = chr(cp)
        try:
            c.encode("gb2312")
        except UnicodeEncodeError:
            if cp >= 0x4E00 and cp < 0xA000:
                continue
        chars.append(c)
    return "".join(chars)


@lru_cache(maxsize=1)
def _base_font() -> Path:
    """The bold face reduced to :func:`_common_characters` (made once per machine; loading it is ~10x faster)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    src = bold_font_path()
    folder = _cache_root() / f"bold-{src.stat().st_size}"
    target = folder / "NotoSansCJK-Bold-gb2312.otf"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    font = TTFont(str(src), lazy=False, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options=options)
    sub.populate(text=_common_characters())
    sub.subset(font)
    _save_atomically(font, target)
    return target


@lru_cache(maxsize=64)
def _bold_subset(chars: str) -> bytes:
    from research_kit.pipeline._fonts import woff_subset

    common = set(_common_characters())
    rare = any(c not in common for c in chars)
    return woff_subset(bold_font_path() if rare else _base_font(), chars)


def bold_subset_woff(chars: str) -> bytes:
    """A WOFF subset of the bold face with these characters (deterministic: the font's own timestamp is kept)."""
    return _bold_subset("".join(sorted(set(chars))))
