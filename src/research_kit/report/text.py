"""Result sentences and paper metadata, in Chinese and English.

Numbers in a sentence come from the :class:`~research_kit.results.Result`;
nothing is typed in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from research_kit.report.labels import Labels, Lang, check_lang
from research_kit.report.tables import format_number
from research_kit.results import Result

__all__ = ["sentence", "front_matter", "markdown", "META_MIME"]

META_MIME = "application/vnd.research-kit.meta+json"


def sentence(result: Result, *, lang: Lang = "zh", design: str | None = None, unit: str = "", digits: int = 2) -> str:
    """One sentence stating the estimate, its interval, p-value and the design.

    Examples
    --------
    >>> from research_kit.results import Result
    >>> r = Result.from_arrays(["ATT"], [1.5], [0.5], nobs=900, estimator="callaway_santanna")
    >>> sentence(r, lang="en", unit=" (USD 10k)")
    "The Callaway–Sant'Anna estimate is 1.50 (USD 10k) (95% CI 0.52 to 2.48; p = 0.003; N = 900)."
    """
    check_lang(lang)
    lab = Labels(lang)
    name = design or lab.get(result.estimator)
    level = int(round(100 * result.level))
    est = format_number(result.estimate, digits=digits)
    lo, hi = format_number(result.conf_low, digits=digits), format_number(result.conf_high, digits=digits)
    p = result.p_value
    ptxt = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    n = format_number(int(result.nobs))
    if lang == "zh":
        return f"{name} 估计值为 {est}{unit}（{level}% 置信区间 {lo} 至 {hi}；{ptxt}；N = {n}）。"
    return f"The {name} estimate is {est}{unit} ({level}% CI {lo} to {hi}; {ptxt}; N = {n})."


def markdown(text: str) -> None:
    """Display Markdown text in a notebook (generated prose with computed numbers)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def front_matter(*, title: str, abstract: str, lang: Lang = "zh", subtitle: str = "", task: str = "",
                 county: str = "", synthetic: bool = True, **extra: Any) -> None:
    """Declare the paper's metadata from inside the notebook.

    The pipeline reads it from this output after execution, stores it in the
    executed notebook's metadata (the Pandoc route) and as a YAML raw cell
    (the Quarto route): one source for both.
    """
    check_lang(lang)
    meta: dict[str, Any] = {"title": title, "subtitle": subtitle, "abstract": abstract, "lang": lang,
                            "task": task, "county": county, "synthetic": bool(synthetic), **extra}
    from IPython.display import display

    display({META_MIME: meta, "text/plain": json.dumps(meta, ensure_ascii=False)}, raw=True)


def meta_from_outputs(cells: list[Mapping[str, Any]]) -> dict[str, Any] | None:
    """Find the metadata displayed by :func:`front_matter` among notebook cells."""
    for cell in cells:
        for out in cell.get("outputs", []) or []:
            data = out.get("data") or {}
            if META_MIME in data:
                value = data[META_MIME]
                return dict(json.loads(value) if isinstance(value, str) else value)
    return None
