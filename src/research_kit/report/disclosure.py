"""Statistical disclosure control for published tables and pages.

Individual-business data is confidential. Two safeguards live here:

* :func:`safe_table` tabulates microdata (counts, sums or means by cell) and
  suppresses cells that would disclose a single business, then adds
  secondary (complementary) suppressions so that no suppressed cell can be
  recovered from the row and column totals.
* the identifier scan of rendered papers lives in :mod:`research_kit.report.identifiers`
  (re-exported here): a published paper never prints rows of microdata.

Rules applied by :func:`safe_table`
-----------------------------------
Primary suppression, applied to every cell including the margins:

* **threshold rule** -- a cell with at least one and fewer than ``k`` units
  (distinct ``unit_id``) is suppressed; an empty cell (no unit) discloses
  nothing and is published as 0;
* **dominance rule** (sums and means only) -- the *(n, k) dominance rule* of
  statistical-office practice (Hundepool et al., *Statistical Disclosure
  Control*, Wiley 2012, §4.2.2) with ``n = dominance_n`` (default 1) and
  ``k = dominance_p`` (default 85 %): a cell is suppressed when its
  ``dominance_n`` largest units together contribute more than ``dominance_p``
  of the cell total. Contributions are each unit's sum of ``value`` in the
  cell, taken in absolute value. This is *not* the "p % rule" (which compares
  the remainder after the two largest contributors with p % of the largest).

Secondary suppression is the standard *line heuristic*: every row and every
column of the table (each with its total) that holds exactly one suppressed
cell gets a second one, the unsuppressed non-empty cell of that line with the
smallest magnitude (units for counts, absolute total for sums and means; ties
go to the first cell; an interior cell before the line's total). Rows are
visited top to bottom, then columns left to right, and the passes repeat
until nothing changes. Afterwards no line has exactly one suppressed cell, so
no suppressed value equals a published total minus published cells. It is a
heuristic, not the optimal linear-programming solution of tau-ARGUS or
sdcTable: it does not minimise the information lost and does not check
protection intervals (the range a suppressed value could be narrowed to).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from research_kit.report.identifiers import (  # noqa: F401 (re-exported)
    SCANNED_SUFFIXES,
    DisclosureError,
    Hit,
    ShortIdentifierWarning,
    check_no_microdata,
    find_identifiers,
)
from research_kit.report.labels import Labels, Lang, check_lang
from research_kit.report.tables import Table, format_number

__all__ = [
    "SCANNED_SUFFIXES",
    "TOTAL",
    "DisclosureError",
    "DroppedRowsWarning",
    "Hit",
    "SafeTable",
    "ShortIdentifierWarning",
    "check_no_microdata",
    "find_identifiers",
    "safe_table",
    "suppression_note",
]

Agg = Literal["count", "sum", "mean"]
_AGGS = ("count", "sum", "mean")

#: Label of the margin row and column in :attr:`SafeTable.values`.
TOTAL = "Total"


LABELS: dict[str, dict[str, str]] = {
    "total": {"zh": "合计", "en": "Total"},
    "n_units": {"zh": "主体数", "en": "Units"},
    "cell_count": {"zh": "单元格为主体数。", "en": "Cells show the number of units."},
    "cell_sum": {"zh": "单元格为{v}合计。", "en": "Cells show the total of {v}."},
    "cell_mean": {"zh": "单元格为{v}均值。", "en": "Cells show the mean of {v}."},
}


class DroppedRowsWarning(UserWarning):
    """Rows with a missing key, unit or value were left out of a table."""



def _check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}; got {value!r}.")


def suppression_note(lang: Lang = "zh", *, k: int = 5, dominance_p: float | None = 0.85, dominance_n: int = 1,
                     secondary: bool = True, symbol: str = "×") -> str:
    """The note printed under a table with suppressed cells, in Chinese or English.

    Examples
    --------
    >>> suppression_note("en", k=5, dominance_p=None, secondary=False)
    '×: withheld to protect confidential data on individual units: cells with fewer than 5 units (threshold rule).'
    """
    check_lang(lang)
    pct = format_number(100 * dominance_p, digits=0) if dominance_p is not None else ""
    if lang == "zh":
        parts = [f"单元格内主体少于 {k} 个（阈值规则）"]
        if dominance_p is not None:
            who = "最大主体" if dominance_n == 1 else f"最大的 {dominance_n} 个主体合计"
            parts.append(f"{who}占单元格合计的比重超过 {pct}%（支配规则）")
        text = f"{symbol}：为保护单个主体的保密信息不予公布：" + "，或".join(parts)
        if secondary:
            text += "；另对部分单元格作二次抑制，使被抑制的数值无法由行、列合计推算"
        return text + "。"
    parts = [f"cells with fewer than {k} units (threshold rule)"]
    if dominance_p is not None:
        who = "the largest unit contributes" if dominance_n == 1 else f"the {dominance_n} largest units contribute"
        parts.append(f"cells in which {who} more than {pct}% of the cell total (dominance rule)")
    text = f"{symbol}: withheld to protect confidential data on individual units: " + " or ".join(parts)
    if secondary:
        text += "; further cells are withheld so that these cannot be derived from row and column totals"
    return text + "."


# --------------------------------------------------------------------------- safe tables
@dataclass(frozen=True, repr=False)
class SafeTable:
    """A table of counts, sums or means with its suppression pattern.

    ``values`` holds the *unprotected* numbers (for the analyst and the
    checks); publish only :attr:`published` or :meth:`to_table`. The
    ``repr`` and notebook display never show suppressed values.

    Attributes
    ----------
    values
        Cell values, row categories by column categories (one column named by
        the measure for a one-way table), with the :data:`TOTAL` row and
        column when ``margins=True``.
    units
        Distinct units per cell (same shape).
    reason
        ``""`` (published), ``"threshold"``, ``"dominance"`` or ``"secondary"``.
    rounds
        Passes of the secondary-suppression heuristic that added cells.
    """

    values: pd.DataFrame
    units: pd.DataFrame
    reason: pd.DataFrame
    agg: str
    rows: str
    cols: str | None
    value: str | None
    unit_id: str
    k: int
    dominance_p: float | None
    dominance_n: int
    margins: bool
    rounds: int = 0
    info: Mapping[str, object] = field(default_factory=dict)

    @property
    def mask(self) -> pd.DataFrame:
        """True where a cell is suppressed (primary or secondary)."""
        return self.reason != ""

    @property
    def primary(self) -> pd.DataFrame:
        """Cells suppressed for their own sake (threshold or dominance rule)."""
        return self.reason.isin(["threshold", "dominance"])

    @property
    def secondary(self) -> pd.DataFrame:
        """Cells suppressed so that a primary one cannot be recomputed from the margins."""
        return self.reason == "secondary"

    @property
    def published(self) -> pd.DataFrame:
        """``values`` with suppressed cells set to NaN."""
        return self.values.mask(self.mask).astype(float)

    def __repr__(self) -> str:
        m = self.mask.to_numpy()
        return (f"SafeTable(agg={self.agg!r}, rows={self.rows!r}, cols={self.cols!r}, value={self.value!r}, "
                f"shape={self.values.shape}, suppressed={int(m.sum())} "
                f"(primary={int(self.primary.to_numpy().sum())}, secondary={int(self.secondary.to_numpy().sum())}), "
                f"k={self.k}, dominance_p={self.dominance_p})")

    def to_table(self, *, lang: Lang = "zh", extra: Mapping[str, Mapping[str, str]] | None = None,
                 symbol: str = "×", digits: int = 1, caption: str = "", notes: Sequence[str] = ()) -> Table:
        """Format for publication: suppressed cells show ``symbol``; notes state the measure and the rules.

        Variable names are translated through ``Labels(lang, extra=extra)``;
        row and column categories only through ``extra`` (else shown as is), so
        a category never picks up an unrelated project label.
        """
        lab = Labels(check_lang(lang), extra={**LABELS, **(extra or {})})
        def name(v: object) -> str:
            return lab("total") if v == TOTAL else category_label(v, lang, extra)

        mask = self.mask.to_numpy()
        vals = self.values.to_numpy()
        body = pd.DataFrame(index=range(len(self.values)))
        body[lab.get(self.rows)] = [name(v) for v in self.values.index]
        for j, c in enumerate(self.values.columns):
            header = name(c) if self.cols is not None else self._measure(lab)
            cells = []
            for i in range(len(self.values)):
                v = vals[i, j]
                if mask[i, j]:
                    cells.append(symbol)
                elif self.agg == "count":
                    cells.append(format_number(int(v)))
                else:
                    cells.append(format_number(float(v), digits=digits))
            body[header] = cells
        measure = lab(f"cell_{self.agg}").format(v=lab.get(self.value or ""))
        rule = suppression_note(lang, k=self.k, dominance_p=None if self.agg == "count" else self.dominance_p,
                                dominance_n=self.dominance_n, secondary=True, symbol=symbol)
        return Table(body=body, caption=caption, notes=(measure, rule, *notes))

    def _measure(self, lab: Labels) -> str:
        if self.agg == "count":
            return lab("n_units")
        return f"{lab.get(self.value or '')} ({lab.get(self.agg)})" if self.agg == "mean" else lab.get(self.value or "")

    def _repr_markdown_(self) -> str:
        return self.to_table().to_markdown()


def category_label(value: object, lang: Lang, extra: Mapping[str, Mapping[str, str]] | None) -> str:
    """Display text of a category: its entry in ``extra`` if any, else ``str(value)``."""
    key = str(value)
    return str(extra[key][lang]) if extra and key in extra else key


def _levels(s: pd.Series) -> list[object]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories)
    vals = pd.unique(s.dropna())
    try:
        return sorted(vals)
    except TypeError:
        return list(vals)


def _cell_stats(df: pd.DataFrame, keys: list[str], unit_id: str, value: str | None, top_n: int) -> pd.DataFrame:
    """Per cell: distinct units, rows, total, absolute total and the ``top_n`` largest absolute contributions."""
    by = keys + [unit_id]
    if value is None:
        contrib = df.groupby(by, observed=True, sort=False).size().astype(float)
    else:
        contrib = df.groupby(by, observed=True, sort=False)[value].sum()
    frame = pd.DataFrame({"c": contrib, "a": contrib.abs()})
    nobs_all = df.groupby(keys, observed=True, sort=False).size() if keys else pd.Series([len(df)])
    if not keys:
        a = np.sort(frame["a"].to_numpy())[::-1]
        return pd.DataFrame({"n": [len(frame)], "nobs": [len(df)], "total": [frame["c"].sum()],
                             "abs_total": [a.sum()], "top": [a[:top_n].sum()]})
    g = frame.groupby(level=keys, observed=True, sort=False)
    top = frame.sort_values("a", ascending=False).groupby(level=keys, observed=True, sort=False).head(top_n)
    out = pd.DataFrame({"n": g.size(), "total": g["c"].sum(), "abs_total": g["a"].sum(),
                        "top": top.groupby(level=keys, observed=True, sort=False)["a"].sum()})
    out["nobs"] = nobs_all
    return out


def _secondary(sup: np.ndarray, cost: np.ndarray, nonempty: np.ndarray, *, two_way: bool, margin: bool) -> int:
    """Line heuristic on ``sup`` (modified in place); returns the number of passes that added cells."""
    nr, nc = sup.shape
    lines: list[list[tuple[int, int]]] = []
    if two_way:
        lines += [[(i, j) for j in range(nc)] for i in range(nr)]
    lines += [[(i, j) for i in range(nr)] for j in range(nc)]
    rounds = 0
    while True:
        changed = False
        for line in lines:
            if len(line) < 2 or sum(sup[c] for c in line) != 1:
                continue
            inner = line[:-1] if margin else line
            tiers = (
                [c for c in inner if not sup[c] and nonempty[c]],
                [line[-1]] if margin and not sup[line[-1]] else [],
                [c for c in line if not sup[c]],
            )
            cands = next((t for t in tiers if t), [])
            if cands:
                best = min(range(len(cands)), key=lambda t: (cost[cands[t]], t))
                sup[cands[best]] = True
                changed = True
        if not changed:
            return rounds
        rounds += 1


def safe_table(
    microdata: pd.DataFrame,
    *,
    rows: str,
    cols: str | None = None,
    value: str | None = None,
    unit_id: str,
    agg: Agg = "count",
    k: int = 5,
    dominance_p: float | None = 0.85,
    dominance_n: int = 1,
    margins: bool = True,
) -> SafeTable:
    """Tabulate microdata by cell with primary and secondary suppression.

    Parameters
    ----------
    microdata
        One row per unit (or per unit and period); never published itself.
    rows, cols
        Columns whose categories form the rows and (optionally) the columns.
    value
        The magnitude to sum or average (``agg="sum"`` / ``"mean"``).
    unit_id
        The unit column; thresholds count *distinct* units, and a unit's
        contribution to a cell is the sum of its rows there.
    agg
        ``"count"`` (distinct units), ``"sum"`` or ``"mean"`` (over rows). Means
        are suppressed exactly where the corresponding sums are, since a mean
        times the count is the sum.
    k
        Threshold: cells with 1 to ``k - 1`` units are suppressed.
    dominance_p, dominance_n
        (n, k) dominance rule: suppress when the ``dominance_n`` largest units
        hold more than ``dominance_p`` (a fraction, 0.85 = 85 %) of the cell
        total. ``None`` turns the rule off; not applied to counts.
    margins
        Include the row and column totals. They are primary-checked and may be
        used as complements. With ``margins=False`` the totals are assumed to be
        published elsewhere, so complements are chosen among interior cells.

    Returns
    -------
    SafeTable
        See the module docstring for the rules and the heuristic.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"county": ["A"] * 6 + ["B"] * 2, "id": range(8)})
    >>> st = safe_table(df, rows="county", unit_id="id", agg="count")
    >>> st.reason["count"].tolist()
    ['secondary', 'threshold', '']
    """
    _check_choice("agg", agg, _AGGS)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer (minimum units per published cell); got {k!r}.")
    if dominance_p is not None and not 0 < dominance_p <= 1:
        raise ValueError(f"dominance_p must be a fraction in (0, 1], e.g. 0.85 for 85%; got {dominance_p!r}.")
    if dominance_n < 1:
        raise ValueError(f"dominance_n must be at least 1; got {dominance_n!r}.")
    if agg == "count" and value is not None:
        raise ValueError("value is not used with agg='count'; drop it or choose agg='sum' or 'mean'.")
    if agg != "count" and value is None:
        raise ValueError(f"agg={agg!r} needs value= (the column to {agg}).")
    keys = [rows] + ([cols] if cols is not None else [])
    needed = keys + [unit_id] + ([value] if value is not None else [])
    missing = [c for c in needed if c not in microdata.columns]
    if missing:
        raise KeyError(f"Columns {missing} are not in the data; available: {list(microdata.columns)}.")
    df = microdata[needed]
    keep = df.notna().all(axis=1)
    if not keep.all():
        warnings.warn(f"{int((~keep).sum())} rows with a missing {needed} value were left out of the table.",
                      DroppedRowsWarning, stacklevel=2)
        df = df.loc[keep]
    r_levels = _levels(df[rows])
    c_levels = _levels(df[cols]) if cols is not None else [None]
    for lv in (r_levels, c_levels):
        if TOTAL in lv:
            raise ValueError(f"A category is named {TOTAL!r}, the margin label; rename it before tabulating.")
    parts = {"n": 0, "nobs": 0, "total": 0.0, "abs_total": 0.0, "top": 0.0}

    def cells(keys_: list[str], index: pd.Index) -> pd.DataFrame:
        return _cell_stats(df, keys_, unit_id, value, dominance_n).reindex(index).fillna(parts)

    nr, nc = len(r_levels), len(c_levels)
    shape = (nr + 1, nc + 1) if cols is not None else (nr + 1, 1)
    stats = {s: np.zeros(shape) for s in parts}
    grand = _cell_stats(df, [], unit_id, value, dominance_n)
    if cols is None:
        interior = cells(keys, pd.Index(r_levels))
    else:
        interior = cells(keys, pd.MultiIndex.from_product([r_levels, c_levels]))
        row_m, col_m = cells([rows], pd.Index(r_levels)), cells([cols], pd.Index(c_levels))
    for s in parts:
        stats[s][:nr, :nc] = interior[s].to_numpy(dtype=float).reshape(nr, nc)
        stats[s][nr, -1] = float(grand[s].iloc[0])
        if cols is not None:
            stats[s][:nr, nc] = row_m[s].to_numpy(dtype=float)
            stats[s][nr, :nc] = col_m[s].to_numpy(dtype=float)
    n = stats["n"]
    threshold = (n >= 1) & (n < k)
    dominance = np.zeros(shape, dtype=bool)
    if agg != "count" and dominance_p is not None:
        dominance = (stats["abs_total"] > 0) & (stats["top"] > dominance_p * stats["abs_total"])
    if not margins:  # totals are not in this table: check and complement interior cells only
        sl = (slice(0, nr), slice(0, nc))
        threshold, dominance = threshold[sl], dominance[sl]
        stats = {s: a[sl] for s, a in stats.items()}
        n = stats["n"]
    sup = threshold | dominance
    primary = sup.copy()
    cost = n if agg == "count" else stats["abs_total"]
    rounds = _secondary(sup, cost, n > 0, two_way=cols is not None, margin=margins)
    reason = np.where(threshold, "threshold", np.where(dominance, "dominance",
                                                       np.where(sup & ~primary, "secondary", "")))
    vals: np.ndarray
    if agg == "count":
        vals = n.astype(np.int64)
    elif agg == "sum":
        vals = stats["total"]
    else:
        nobs = stats["nobs"]
        vals = np.where(nobs > 0, stats["total"] / np.where(nobs > 0, nobs, 1), np.nan)
    index = pd.Index(r_levels + ([TOTAL] if margins else []), name=rows)
    columns = (pd.Index(c_levels + ([TOTAL] if margins else []), name=cols) if cols is not None
               else pd.Index([value if value is not None else "count"]))
    def frame(a: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(a, index=index, columns=columns)

    return SafeTable(values=frame(vals), units=frame(n.astype(np.int64)), reason=frame(reason), agg=agg, rows=rows,
                     cols=cols, value=value, unit_id=unit_id, k=int(k), dominance_p=dominance_p,
                     dominance_n=int(dominance_n), margins=margins, rounds=rounds)
