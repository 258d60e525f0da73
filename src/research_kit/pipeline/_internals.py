"""Find internals in the body of a paper: what a reader should never see outside the provenance appendix.

Module paths (``research_kit.simulate…``), parameter and column names
(``fx_loan_balance``, ``not_yet``, ``business_id``), file paths
(``data/raw/…csv``), variant slugs (``jinhua_en``) and forecasting model codes
(``AAN``) belong to the code; a paper names the thing instead ("外汇贷款余额",
"尚未开办的对照组", "加法趋势的指数平滑模型"). The renderer lists what it finds in
a paper's warnings (``PaperReport.warnings``, printed by ``research-kit render``);
the appendix is not scanned.

Examples
--------
>>> find_internals("估计量使用 `not_yet` 对照组，数据见 data/raw/fx.csv，模型 AAN。")
['not_yet', 'data/raw/fx.csv', 'AAN']
>>> find_internals("Callaway–Sant'Anna 估计，TWFE 回归，2×2 比较。")
[]
"""

from __future__ import annotations

import re

__all__ = ["find_internals", "body_text"]

_PATTERNS = (
    re.compile(r"\bresearch_kit(?:\.[A-Za-z_]\w*)*"),                      # module paths
    re.compile(r"(?<![\w/.])(?:[\w.-]+/)+[\w.-]+\.(?:csv|gz|xlsx|xls|parquet|ipynb|py|json|yaml|yml|txt)\b"),
    re.compile(r"(?<![\w\\])[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"),            # snake_case names, slugs
    re.compile(r"(?<![A-Za-z])(?:[AMN][AMN]d?[AMN]|ETS\([AMN],\s*[AMN]d?,\s*[AMN]\))(?![A-Za-z])"),  # ETS codes
)
# Markdown constructs whose text is not prose: math, link targets, attributes, HTML tags, media paths.
# DOIs of the reference list ("DOI:10.1162/rest_a_00760") are identifiers of the works cited, not internals.
_NOT_PROSE = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\]\([^)]*\)|\{[#.][^}]*\}|<[^>\n]+>|```.*?```"
                        r"|\b10\.\d{4,9}/[^\s<>\]]+", re.S)
_APPENDIX_DIV = re.compile(r"^::: \{\.appendix.*", re.M | re.S)


def body_text(markdown: str) -> str:
    """The paper's Markdown before its appendix, without math, link targets and attributes."""
    return _NOT_PROSE.sub(" ", _APPENDIX_DIV.sub("", markdown))


def find_internals(markdown: str) -> list[str]:
    """Internals shown in the body of a paper (Markdown from :mod:`._markdown`), in order, each once."""
    text = body_text(markdown)
    hits: list[tuple[int, str]] = []
    for pattern in _PATTERNS:
        hits += [(m.start(), m.group(0)) for m in pattern.finditer(text)]
    seen: dict[str, None] = {}
    taken: list[tuple[int, int]] = []
    for start, hit in sorted(hits, key=lambda h: (h[0], -len(h[1]))):
        if any(a <= start < b for a, b in taken):
            continue
        taken.append((start, start + len(hit)))
        seen.setdefault(hit, None)
    return list(seen)
