"""Publication tables built from :meth:`Result.tidy`.

A :class:`Table` holds a formatted DataFrame of strings and renders to
Markdown (pipe table: the form papers carry into HTML, DOCX and PDF), HTML and
LaTeX (booktabs). In a notebook it displays as Markdown, which is what the
renderer puts into every output format.
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from research_kit.report.labels import Labels, Lang
from research_kit.results import Result

__all__ = ["Table", "format_amount", "format_number", "regression_table", "table", "text_width"]


def format_number(x: object, *, digits: int = 3, thousands: bool = True, percent: bool = False) -> str:
    """Format one number by the project's rule set.

    Examples
    --------
    >>> format_number(12345.678, digits=1)
    '12,345.7'
    >>> format_number(0.1234, percent=True, digits=1)
    '12.3%'
    >>> format_number(float("nan"))
    ''
    """
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return ""
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return f"{int(x):,}" if thousands else str(int(x))
    if isinstance(x, (float, np.floating)):
        v = float(x) * (100 if percent else 1)
        s = f"{v:,.{digits}f}" if thousands else f"{v:.{digits}f}"
        if s.startswith("-") and float(s.replace(",", "")) == 0:
            s = s[1:]
        return s + ("%" if percent else "")
    return str(x)


_AMOUNT_UNITS = {"元": ("CNY", 1.0), "万元": ("CNY", 1e4), "亿元": ("CNY", 1e8),
                 "美元": ("USD", 1.0), "万美元": ("USD", 1e4), "亿美元": ("USD", 1e8)}


def format_amount(value: float, unit: str, *, lang: Lang = "zh", digits: int = 2) -> str:
    """Format an amount held in a Chinese unit (元, 万元, 亿元, 美元, 万美元, 亿美元) for a paper.

    Chinese keeps the unit, switching to 亿 from 1亿 up; English states the currency and
    millions or billions.

    Examples
    --------
    >>> format_amount(30000, "万美元")
    '3.00 亿美元'
    >>> format_amount(30000, "万美元", lang="en")
    'USD 300.00 million'
    >>> format_amount(1234.5, "万元", lang="en", digits=1)
    'CNY 12.3 million'
    >>> format_amount(56.78, "万元")
    '56.78 万元'
    """
    if unit not in _AMOUNT_UNITS:
        raise ValueError(f"unit must be one of {list(_AMOUNT_UNITS)}; got {unit!r}.")
    currency, factor = _AMOUNT_UNITS[unit]
    base = float(value) * factor
    if lang == "zh":
        big = "亿元" if currency == "CNY" else "亿美元"
        if abs(base) >= 1e8:
            return f"{format_number(base / 1e8, digits=digits)} {big}"
        return f"{format_number(float(value), digits=digits)} {unit}"
    if abs(base) >= 1e9:
        return f"{currency} {format_number(base / 1e9, digits=digits)} billion"
    if abs(base) >= 1e6:
        return f"{currency} {format_number(base / 1e6, digits=digits)} million"
    return f"{currency} {format_number(base, digits=0)}"


def text_width(s: str) -> int:
    """Columns ``s`` takes in a terminal: 2 for wide (CJK, full-width) characters, 0 for combining marks.

    Examples
    --------
    >>> text_width("ATT"), text_width("估计值"), text_width("ＡＢ")
    (3, 6, 4)
    """
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
               for ch in s)


def _pad(s: str, width: int, align: str) -> str:
    gap = max(width - text_width(s), 0)
    if align == "r":
        return " " * gap + s
    if align == "c":
        return " " * (gap // 2) + s + " " * (gap - gap // 2)
    return s + " " * gap


@dataclass(frozen=True, repr=False)
class Table:
    """A formatted table with a caption and notes.

    ``print(t)`` (and ``t`` at a Python prompt) shows it as aligned plain text (:meth:`to_text`); a notebook
    shows its Markdown form; :meth:`to_html` and :meth:`to_latex` give the other forms.

    Examples
    --------
    >>> t = Table(pd.DataFrame({"项": ["ATT"], "估计值": ["1.23"]}), caption="表 1", notes=("注：示例。",))
    >>> print(t)
    表 1
    -----------
    项   估计值
    -----------
    ATT    1.23
    -----------
    注：示例。
    """

    body: pd.DataFrame
    caption: str = ""
    notes: Sequence[str] = field(default_factory=tuple)
    align: str | None = None  # e.g. "lrrr"

    def _aligns(self) -> str:
        if self.align:
            return self.align
        return "l" + "r" * (self.body.shape[1] - 1)

    def to_markdown(self) -> str:
        """The table as a pipe (GitHub) Markdown table with its caption and notes."""
        cols = [str(c) for c in self.body.columns]
        esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
        rule = {"l": ":---", "r": "---:", "c": ":---:"}
        lines = []
        if self.caption:
            lines.append(f"**{self.caption}**\n")
        lines.append("| " + " | ".join(esc(c) for c in cols) + " |")
        lines.append("|" + "|".join(rule[a] for a in self._aligns()) + "|")
        for row in self.body.itertuples(index=False):
            lines.append("| " + " | ".join(esc(v) for v in row) + " |")
        for n in self.notes:
            lines.append(f"\n*{n}*")
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """The table as an HTML ``<table>`` with its caption and notes."""
        aligns = self._aligns()
        style = {"l": "left", "r": "right", "c": "center"}
        out = ['<table class="rk-table">']
        if self.caption:
            out.append(f"<caption>{html.escape(self.caption)}</caption>")
        out.append("<thead><tr>" + "".join(
            f'<th style="text-align:{style[a]}">{html.escape(str(c))}</th>' for c, a in zip(self.body.columns, aligns, strict=True)
        ) + "</tr></thead><tbody>")
        for row in self.body.itertuples(index=False):
            out.append("<tr>" + "".join(
                f'<td style="text-align:{style[a]}">{html.escape(str(v))}</td>' for v, a in zip(row, aligns, strict=True)
            ) + "</tr>")
        out.append("</tbody></table>")
        for n in self.notes:
            out.append(f'<p class="rk-table-note">{html.escape(n)}</p>')
        return "\n".join(out)

    def to_latex(self) -> str:
        """The table as a LaTeX ``tabular`` (booktabs) with its caption and notes."""
        def esc(s: object) -> str:
            t = str(s)
            for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"), ("#", r"\#"),
                         ("_", r"\_"), ("{", r"\{"), ("}", r"\}")):
                t = t.replace(a, b)
            return t

        out = [r"\begin{table}[htbp]", r"\centering"]
        if self.caption:
            out.append(r"\caption{" + esc(self.caption) + "}")
        out.append(r"\begin{tabular}{" + self._aligns() + "}")
        out.append(r"\toprule")
        out.append(" & ".join(esc(c) for c in self.body.columns) + r" \\")
        out.append(r"\midrule")
        for row in self.body.itertuples(index=False):
            out.append(" & ".join(esc(v) for v in row) + r" \\")
        out.append(r"\bottomrule")
        out.append(r"\end{tabular}")
        for n in self.notes:
            out.append(r"\par\footnotesize " + esc(n))
        out.append(r"\end{table}")
        return "\n".join(out) + "\n"

    def to_text(self) -> str:
        """The table as plain text: caption, columns aligned by display width (CJK characters count two), notes."""
        aligns = self._aligns()
        head = [" ".join(str(c).split("\n")) for c in self.body.columns]
        rows = [[" ".join(str(v).split("\n")) for v in row] for row in self.body.itertuples(index=False)]
        widths = [max([text_width(h)] + [text_width(r[i]) for r in rows]) for i, h in enumerate(head)]
        rule = "-" * (sum(widths) + 2 * max(len(widths) - 1, 0))

        def line(cells: Sequence[str], header: bool = False) -> str:
            return "  ".join(_pad(c, w, "l" if header and i == 0 else a)
                             for i, (c, w, a) in enumerate(zip(cells, widths, aligns, strict=True))).rstrip()

        out = [self.caption] if self.caption else []
        out += [rule, line(head, header=True), rule, *(line(r) for r in rows), rule, *self.notes]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return self.to_html()


def table(
    df: pd.DataFrame,
    *,
    caption: str = "",
    notes: Sequence[str] = (),
    digits: int | Mapping[str, int] = 2,
    percent: Sequence[str] = (),
    index: bool = False,
) -> Table:
    """Format an aggregate DataFrame into a :class:`Table` (numbers by the shared rules)."""
    frame = df.reset_index() if index else df
    body = pd.DataFrame(index=range(len(frame)))
    for col in frame.columns:
        d = digits.get(col, 2) if isinstance(digits, Mapping) else digits
        body[str(col)] = [format_number(v, digits=d, percent=col in percent) for v in frame[col].tolist()]
    return Table(body=body, caption=caption, notes=tuple(notes))


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def regression_table(
    results: Sequence[Result],
    *,
    labels: Mapping[str, str] | None = None,
    model_names: Sequence[str] | None = None,
    lang: Lang = "zh",
    stat: Literal["se", "ci"] = "se",
    stars: bool = False,
    keep: Sequence[str] | None = None,
    drop: Sequence[str] = (),
    digits: int = 3,
    caption: str = "",
    notes: Sequence[str] = (),
) -> Table:
    """Several models side by side (like fixest's ``etable``).

    Coefficients with standard errors (in parentheses) or confidence intervals
    (in brackets) beneath, then rows for fixed effects, clustering, N, clusters
    and R² when the results carry them in ``info``.

    Parameters
    ----------
    results
        The models (each an :class:`~research_kit.results.Result`).
    labels
        Display names for terms and model names (one dictionary for every table).
    """
    if not results:
        raise ValueError("regression_table needs at least one Result.")
    lab = Labels(lang)
    names = list(model_names) if model_names else [lab.get(r.estimator) for r in results]
    labels = dict(labels or {})
    terms: list[str] = []
    for r in results:
        for t in r.tidy()["term"]:
            if t not in terms and t not in drop and (keep is None or t in keep):
                terms.append(t)
    if keep is not None:
        terms = [t for t in keep if t in terms]
    rows: list[list[str]] = []
    for t in terms:
        est_row, sub_row = [labels.get(t, lab.get(t))], [""]
        for r in results:
            tab = r.tidy().set_index("term")
            if t not in tab.index:
                est_row.append("")
                sub_row.append("")
                continue
            row = tab.loc[t]
            est_row.append(format_number(float(row["estimate"]), digits=digits) + (_stars(row["p_value"]) if stars else ""))
            if stat == "se" and not np.isfinite(float(row["std_error"])):
                sub_row.append("")
            elif stat == "ci" and not (np.isfinite(float(row["conf_low"])) and np.isfinite(float(row["conf_high"]))):
                sub_row.append("")
            elif stat == "se":
                sub_row.append(f"({format_number(float(row['std_error']), digits=digits)})")
            else:
                sub_row.append(
                    f"[{format_number(float(row['conf_low']), digits=digits)}, "
                    f"{format_number(float(row['conf_high']), digits=digits)}]"
                )
        rows += [est_row, sub_row]
    def _names(value: object) -> str | None:
        if value is None or value == "" or value == ():
            return None
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        return " + ".join(labels.get(str(v), lab.get(str(v))) for v in items)

    facts = [
        ("fixed_effects", lambda r: _names(list(r.fixed_effects) or None)),
        ("control_group", lambda r: lab.get(r.control_group) if r.control_group else None),
        ("cluster", lambda r: _names(list(r.cluster_columns) or None)),
        ("n_clusters", lambda r: format_number(r.n_clusters) if r.n_clusters else None),
        ("nobs", lambda r: format_number(int(r.nobs))),
        ("r2", lambda r: format_number(r.r2, digits=3) if r.r2 is not None else None),
    ]
    for key, get in facts:
        vals = [get(r) for r in results]
        if any(v is not None for v in vals):
            rows.append([lab(key)] + [labels.get(str(v), str(v)) if v is not None else "" for v in vals])
    body = pd.DataFrame(rows, columns=[""] + names)
    body.columns = [" "] + [f"({i + 1}) {n}" for i, n in enumerate(names)]
    default_note = lab.pick(
        zh="括号内为标准误。" if stat == "se" else "方括号内为 95% 置信区间。",
        en="Standard errors in parentheses." if stat == "se" else "95% confidence intervals in brackets.",
    )
    star_note = lab.pick(zh="* p<0.1, ** p<0.05, *** p<0.01。", en="* p<0.1, ** p<0.05, *** p<0.01.") if stars else ""
    return Table(body=body, caption=caption, notes=(default_note + (" " + star_note if star_note else ""), *notes))
