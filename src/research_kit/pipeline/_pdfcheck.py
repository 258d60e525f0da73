"""Layout check of a rendered PDF: no text beyond the margins or the page, no lines printed over each other.

Typst lays out what it is given: a table wider than the text block runs past
the right margin, and content that cannot break (a table inside a figure
that is not breakable) runs off the foot of the page, where rows end up
printed over each other. Neither is an error for Typst. This check reads the
positions of the text on every page (PyMuPDF) and reports

* ``outside``: a line of text that reaches beyond the page, or more than
  ``tolerance`` points into the left/right margin;
* ``overlap``: two lines of text whose boxes overlap (same-size text, each
  covering more than ``overlap`` of the smaller one's height and a visible
  width), which is what rows printed on top of each other look like; or text
  that runs into the next text on its baseline (a word wider than its table
  column, see :func:`collisions`).

Sub- and superscripts, accents and other small marks of math are not lines of
their own for this purpose (their font is a math font or they are smaller
than 0.8 of the other line). The renderer calls :func:`check_pdf` on every PDF
and fails the render (the previous site stays published) when it finds a
problem.

Examples
--------
>>> problems = check_pdf("paper.pdf", margins=(56.7, 56.7))   # doctest: +SKIP
>>> [str(p) for p in problems]                                 # doctest: +SKIP
['page 2: text overlaps: "0.213" and "0.198" at y=801']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LayoutProblem", "PdfLayoutError", "check_pdf", "collisions", "page_lines", "describe"]


@dataclass(frozen=True)
class LayoutProblem:
    """One problem on one page (1-based page number)."""

    page: int
    kind: str  # "outside" | "overlap"
    text: str
    other: str = ""
    y: float = 0.0

    def __str__(self) -> str:
        if self.kind == "overlap":
            return f'page {self.page}: text overlaps: "{self.text}" and "{self.other}" at y={self.y:.0f}'
        return f'page {self.page}: text beyond the margin or page: "{self.text}" at y={self.y:.0f}'


class PdfLayoutError(RuntimeError):
    """A PDF failed the layout check (the message lists the first problems)."""


@dataclass(frozen=True)
class _Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    math: bool


# CJK punctuation is set in a full-width box of which the glyph fills half; Typst trims the empty half at
# line starts and ends, so the box reaches into the margin while the ink does not. Such boxes, and spaces,
# do not count for the margins.
_NO_INK = set("\u3000、。〃〈〉《》「」『』【】〔〕〖〗〘〙〚〛〜〝〞〟，．：；？！（）［］｛｝｟｠“”‘’·・﹏…—")


def page_lines(page: object) -> list[_Line]:
    """The text lines of a PyMuPDF page: their ink boxes, font size and whether they are math."""
    out: list[_Line] = []
    data = page.get_text("rawdict")  # type: ignore[attr-defined]
    for block in data.get("blocks", []):
        for line in block.get("lines", []):
            chars = [(c, s) for s in line.get("spans", []) for c in s.get("chars", [])
                     if c.get("c", "").strip() and c["c"] not in _NO_INK]
            if not chars:
                continue
            text = "".join(c["c"] for s in line.get("spans", []) for c in s.get("chars", [])).strip()
            xs0 = min(c["bbox"][0] for c, _ in chars)
            ys0 = min(c["bbox"][1] for c, _ in chars)
            xs1 = max(c["bbox"][2] for c, _ in chars)
            ys1 = max(c["bbox"][3] for c, _ in chars)
            size = max(float(s.get("size", 0.0)) for _, s in chars)
            math = all("math" in str(s.get("font", "")).lower() for _, s in chars)
            out.append(_Line(text, xs0, ys0, xs1, ys1, size, math))
    return out


def collisions(page: object, share: float = 0.3) -> list[tuple[str, float]]:
    """Text that runs into the next text on the same baseline: (the two words, y).

    PyMuPDF joins text that touches into one line, so a word wider than its table
    column ("Milestones" in a narrow header cell) that runs into the next cell is
    one line, not two overlapping ones. Within a line, a character that starts more
    than ``share`` of the font size left of where the previous one ended is such a
    collision. Accents, math and CJK punctuation (whose half-empty boxes Typst
    overlaps on purpose) are not counted.
    """
    import unicodedata

    out: list[tuple[str, float]] = []
    data = page.get_text("rawdict")  # type: ignore[attr-defined]
    for block in data.get("blocks", []):
        for line in block.get("lines", []):
            prev: tuple[float, float, str] | None = None  # previous character's right edge, baseline, word so far
            for span in line.get("spans", []):
                if "math" in str(span.get("font", "")).lower():
                    prev = None
                    continue
                for c in span.get("chars", []):
                    ch = c.get("c", "")
                    if not ch.strip() or ch in _NO_INK:
                        prev = None
                        continue
                    if unicodedata.combining(ch):
                        continue
                    x0, x1, base = c["bbox"][0], c["bbox"][2], c["origin"][1]
                    if prev is not None and abs(base - prev[1]) < 0.5 and x0 < prev[0] - share * span["size"]:
                        out.append((f"{prev[2]}|{ch}", base))
                        prev = None
                        continue
                    word = (prev[2] if prev is not None else "") + ch
                    prev = (x1, base, word[-12:])
    return out


def _overlaps(a: _Line, b: _Line, share: float) -> bool:
    if a.math or b.math:
        return False
    small, big = sorted((a.size, b.size))
    if big <= 0 or small < 0.8 * big:  # sub/superscripts, footnote marks
        return False
    dy = min(a.y1, b.y1) - max(a.y0, b.y0)
    dx = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1 - a.y0, b.y1 - b.y0)
    return h > 0 and dy > share * h and dx > 0.5 * small


def check_pdf(path: str | Path, *, margins: tuple[float, float] = (0.0, 0.0), tolerance: float = 4.0,
              overlap: float = 0.35, limit: int = 20) -> list[LayoutProblem]:
    """Problems of the PDF at ``path`` (empty when its layout is clean).

    Parameters
    ----------
    path
        The PDF.
    margins
        Left and right margins in points: text may not reach more than
        ``tolerance`` points into them.
    tolerance
        Points of slack at the margins and the page edges.
    overlap
        Share of the smaller line's height two lines must overlap by to count.
    limit
        Stop after this many problems.
    """
    import pymupdf

    problems: list[LayoutProblem] = []
    with pymupdf.open(str(path)) as doc:
        for page in doc:
            w, h = page.rect.width, page.rect.height
            left, right = margins[0] - tolerance, w - margins[1] + tolerance
            lines = page_lines(page)
            for ln in lines:
                if ln.x0 < min(left, -tolerance) or ln.x1 > max(right, w + tolerance) or ln.x0 < left \
                        or ln.x1 > right or ln.y0 < -tolerance or ln.y1 > h + tolerance:
                    problems.append(LayoutProblem(page.number + 1, "outside", ln.text[:60], y=ln.y0))
            ordered = sorted(lines, key=lambda ln: ln.y0)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1:]:
                    if b.y0 >= a.y1:
                        break
                    if _overlaps(a, b, overlap):
                        problems.append(LayoutProblem(page.number + 1, "overlap", a.text[:40], b.text[:40], y=a.y0))
            for words, y in collisions(page):
                first, second = words.split("|")
                problems.append(LayoutProblem(page.number + 1, "overlap", first, second, y=y))
            if len(problems) >= limit:
                return problems[:limit]
    return problems


def describe(problems: Iterable[LayoutProblem], limit: int = 8) -> str:
    """The first ``limit`` problems, one per line."""
    items = list(problems)
    lines = [str(p) for p in items[:limit]]
    if len(items) > limit:
        lines.append(f"... and {len(items) - limit} more")
    return "\n".join(lines)
