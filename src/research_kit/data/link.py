"""Link two tables by entity code (USCC or 注册号) and report what matched.

:func:`link` normalizes the codes on both sides (full-width → half-width, spaces
and hyphens removed, upper case), maps old 15-digit registration numbers
(注册号) to USCCs through a mapping table when one is given, merges, and returns
the merged frame with a :class:`MatchReport`: rows matched and unmatched on each
side, rows sharing a key, invalid codes, codes that needed normalizing or
mapping. No row disappears without being counted: an ``inner`` link drops the
unmatched rows, and the report says how many.

Examples
--------
>>> import pandas as pd
>>> from research_kit.data import link
>>> loans = pd.DataFrame({"code": ["91330100716105852F", " 914403001922038216", "330782600123456", "bad"],
...                       "amount": [1.0, 2.0, 3.0, 4.0]})
>>> firms = pd.DataFrame({"uscc": ["91330100716105852F", "914403001922038216", "9144030071526726XG"],
...                       "old": [None, None, "330782600123456"]})
>>> merged, report = link(loans, firms, on=("code", "uscc"), mapping=firms[["old", "uscc"]])
>>> merged["_match"].tolist()
['both', 'both', 'both', 'left_only']
>>> report.matched_left, report.unmatched_left, report.mapped_left, report.invalid_left
(3, 1, 1, 1)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from research_kit.data.uscc import normalize_code, validate_uscc

__all__ = ["MatchReport", "link"]

How = Literal["left", "right", "inner", "outer"]

_ROWS = {
    "rows": ("行数", "rows"),
    "matched": ("匹配成功", "matched"),
    "unmatched": ("未匹配", "unmatched"),
    "missing": ("代码缺失", "code missing"),
    "invalid": ("代码无效（非有效统一社会信用代码）", "invalid code (not a valid USCC)"),
    "normalized": ("代码经规范化（全角、空格、大小写）", "code normalized (full-width, spaces, case)"),
    "mapped": ("注册号经对照表转为统一社会信用代码", "注册号 mapped to USCC"),
    "duplicates": ("键值重复的行", "rows sharing a key"),
}


@dataclass(frozen=True)
class MatchReport:
    """What :func:`link` matched. Counts are rows; ``*_keys`` hold a few codes for the analyst (never print them in a paper).

    Attributes
    ----------
    left_name, right_name : str
        Labels of the two tables.
    how : str
        The merge kind.
    n_left, n_right, n_merged : int
        Rows in, rows out.
    matched_left, matched_right, unmatched_left, unmatched_right : int
        Rows with / without a partner on the other side.
    missing_left, missing_right : int
        Rows with no code.
    invalid_left, invalid_right : int
        Rows whose code (after normalizing and mapping) is not a valid USCC.
    normalized_left, normalized_right : int
        Rows whose code changed by normalizing.
    mapped_left, mapped_right : int
        Rows whose 注册号 the mapping table turned into a USCC.
    duplicates_left, duplicates_right : int
        Rows whose code appears more than once on their side.
    dropped_left, dropped_right : int
        Unmatched rows the merge kind leaves out (``inner``, ``left``, ``right``).
    """

    left_name: str
    right_name: str
    how: str
    n_left: int
    n_right: int
    n_merged: int
    matched_left: int
    matched_right: int
    unmatched_left: int
    unmatched_right: int
    missing_left: int
    missing_right: int
    invalid_left: int
    invalid_right: int
    normalized_left: int
    normalized_right: int
    mapped_left: int
    mapped_right: int
    duplicates_left: int
    duplicates_right: int
    dropped_left: int
    dropped_right: int
    unmatched_left_keys: tuple[str, ...] = field(default=(), repr=False)
    unmatched_right_keys: tuple[str, ...] = field(default=(), repr=False)

    @property
    def match_rate_left(self) -> float:
        """Share of left rows matched."""
        return self.matched_left / self.n_left if self.n_left else float("nan")

    @property
    def match_rate_right(self) -> float:
        """Share of right rows matched."""
        return self.matched_right / self.n_right if self.n_right else float("nan")

    def to_frame(self, lang: Literal["zh", "en"] = "zh") -> pd.DataFrame:
        """The report as a table (rows: counts; columns: the two tables), for a paper's data section."""
        k = 0 if lang == "zh" else 1
        data = {
            self.left_name: [getattr(self, f"{r}_left") if r != "rows" else self.n_left for r in _ROWS],
            self.right_name: [getattr(self, f"{r}_right") if r != "rows" else self.n_right for r in _ROWS],
        }
        frame = pd.DataFrame(data, index=[v[k] for v in _ROWS.values()])
        frame.index.name = "匹配情况" if lang == "zh" else "match"
        return frame

    def summary(self, lang: Literal["zh", "en"] = "zh") -> str:
        """One sentence: matched shares and what the merge left out."""
        if lang == "zh":
            text = (f"{self.left_name}共{self.n_left:,}行，其中{self.matched_left:,}行（{self.match_rate_left:.1%}）与"
                    f"{self.right_name}匹配；{self.right_name}共{self.n_right:,}行，其中{self.matched_right:,}行匹配。")
            parts = [f"{self.left_name}{self.dropped_left:,}行" if self.dropped_left else "",
                     f"{self.right_name}{self.dropped_right:,}行" if self.dropped_right else ""]
            if any(parts):
                text += f"未匹配的{'、'.join(p for p in parts if p)}不进入合并结果。"
            return text
        text = (f"{self.matched_left:,} of {self.n_left:,} rows of {self.left_name} ({self.match_rate_left:.1%}) match "
                f"{self.right_name}; {self.matched_right:,} of its {self.n_right:,} rows match.")
        parts = [f"{self.dropped_left:,} of {self.left_name}" if self.dropped_left else "",
                 f"{self.dropped_right:,} of {self.right_name}" if self.dropped_right else ""]
        if any(parts):
            text += f" Unmatched rows left out of the merge: {' and '.join(p for p in parts if p)}."
        return text

    def __str__(self) -> str:
        return f"{self.summary('en')}\n{self.to_frame('en').to_string()}"

    def _repr_html_(self) -> str:
        return self.to_frame("en").to_html()


def _prepare(values: pd.Series, mapping: Mapping[str, str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    norm = np.array([normalize_code(u) for u in uniques], dtype=object)
    mapped = np.array([mapping.get(v, v) if v is not None else None for v in norm], dtype=object)
    present = codes >= 0
    key = np.full(len(values), None, dtype=object)
    key[present] = mapped[codes[present]]
    changed = np.array([str(u) != v for u, v in zip(uniques, norm)], dtype=bool)
    was_mapped = np.array([a is not None and a != b for a, b in zip(norm, mapped)], dtype=bool)
    valid = validate_uscc(pd.Series(mapped, dtype=object), normalize=False).to_numpy()
    flags = {name: np.zeros(len(values), dtype=bool) for name in ("normalized", "mapped", "invalid")}
    flags["normalized"][present] = changed[codes[present]]
    flags["mapped"][present] = was_mapped[codes[present]]
    flags["invalid"][present] = ~valid[codes[present]]
    flags["missing"] = ~present | pd.isna(key)
    return key, flags


def _mapping(mapping: pd.DataFrame | pd.Series | Mapping[str, str] | None) -> dict[str, str]:
    if mapping is None:
        return {}
    if isinstance(mapping, pd.DataFrame):
        if mapping.shape[1] != 2:
            raise ValueError(f"mapping must have two columns (注册号, USCC); got {list(mapping.columns)}")
        pairs = zip(mapping.iloc[:, 0], mapping.iloc[:, 1])
    elif isinstance(mapping, pd.Series):
        pairs = zip(mapping.index, mapping.to_numpy())
    else:
        pairs = mapping.items()
    out: dict[str, str] = {}
    clashes = []
    for old, new in pairs:
        a, b = normalize_code(old), normalize_code(new)
        if a is None or b is None:
            continue
        if a in out and out[a] != b:
            clashes.append(old)
        out[a] = b
    if clashes:
        raise ValueError(f"mapping gives more than one USCC for {len(clashes)} code(s), e.g. {clashes[:3]}; fix the mapping table")
    return out


def link(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    on: str | tuple[str, str],
    how: How = "left",
    mapping: pd.DataFrame | pd.Series | Mapping[str, str] | None = None,
    key: str = "link_key",
    names: tuple[str, str] = ("left", "right"),
    suffixes: tuple[str, str] = ("", "_right"),
) -> tuple[pd.DataFrame, MatchReport]:
    """Merge two tables on an entity code after normalizing it; report the match.

    Parameters
    ----------
    left, right : pandas.DataFrame
    on : str or (str, str)
        The code column (same name on both sides, or ``(left_column, right_column)``).
    how : {"left", "right", "inner", "outer"}, default "left"
        As :meth:`pandas.DataFrame.merge`. Rows the merge kind leaves out are
        counted in the report (``dropped_left``, ``dropped_right``).
    mapping : DataFrame (two columns: 注册号, USCC), Series or dict, optional
        Old codes → USCC, applied on both sides after normalizing.
    key : str, default "link_key"
        Name of the column holding the normalized (and mapped) code in the result.
    names : (str, str)
        Labels of the two tables in the report (e.g. ``("贷款台账", "主体名录")``).
    suffixes : (str, str)
        For clashing column names, as in :meth:`pandas.DataFrame.merge`.

    Returns
    -------
    (pandas.DataFrame, MatchReport)
        The merged frame, with ``key`` and ``_match`` (``both``, ``left_only``,
        ``right_only``) added, and the report.

    Raises
    ------
    ValueError
        Unknown ``how``, a missing column, a mapping with conflicting entries.
    """
    if how not in ("left", "right", "inner", "outer"):
        raise ValueError(f"how must be one of 'left', 'right', 'inner', 'outer'; got {how!r}")
    lon, ron = (on, on) if isinstance(on, str) else on
    for frame, col, side in ((left, lon, "left"), (right, ron, "right")):
        if col not in frame.columns:
            raise ValueError(f"{side} has no column {col!r}; its columns are: {', '.join(map(str, frame.columns))}")
    table = _mapping(mapping)
    lkey, lf = _prepare(left[lon], table)
    rkey, rf = _prepare(right[ron], table)
    # Missing codes never match anything (pandas would match NaN with NaN).
    lk = np.where(lf["missing"], [f"\x00L{i}" for i in range(len(lkey))] if lf["missing"].any() else lkey, lkey)
    rk = np.where(rf["missing"], [f"\x00R{i}" for i in range(len(rkey))] if rf["missing"].any() else rkey, rkey)
    codes, _ = pd.factorize(np.concatenate([lk, rk]).astype(object))  # integer codes: fast membership tests
    lc, rc = codes[: len(lk)], codes[len(lk):]
    in_right = np.isin(rc, lc[~lf["missing"]]) & ~rf["missing"]
    in_left = np.isin(lc, rc[~rf["missing"]]) & ~lf["missing"]
    dup_l = pd.Series(lc).duplicated(keep=False).to_numpy() & ~lf["missing"]
    dup_r = pd.Series(rc).duplicated(keep=False).to_numpy() & ~rf["missing"]
    lframe = left.reset_index(drop=True).assign(**{key: lk})
    rframe = right.reset_index(drop=True).assign(**{key: rk})
    merged = lframe.merge(rframe, on=key, how=how, suffixes=suffixes, indicator="_match", sort=False)
    merged[key] = merged[key].where(~merged[key].astype(str).str.startswith("\x00"), None)
    merged["_match"] = merged["_match"].astype(str)
    dropped_left = int((~in_left).sum()) if how in ("inner", "right") else 0
    dropped_right = int((~in_right).sum()) if how in ("inner", "left") else 0
    report = MatchReport(
        left_name=names[0], right_name=names[1], how=how,
        n_left=len(left), n_right=len(right), n_merged=len(merged),
        matched_left=int(in_left.sum()), matched_right=int(in_right.sum()),
        unmatched_left=int((~in_left).sum()), unmatched_right=int((~in_right).sum()),
        missing_left=int(lf["missing"].sum()), missing_right=int(rf["missing"].sum()),
        invalid_left=int((lf["invalid"] & ~lf["missing"]).sum()), invalid_right=int((rf["invalid"] & ~rf["missing"]).sum()),
        normalized_left=int(lf["normalized"].sum()), normalized_right=int(rf["normalized"].sum()),
        mapped_left=int(lf["mapped"].sum()), mapped_right=int(rf["mapped"].sum()),
        duplicates_left=int(dup_l.sum()), duplicates_right=int(dup_r.sum()),
        dropped_left=dropped_left, dropped_right=dropped_right,
        unmatched_left_keys=tuple(pd.unique(lkey[~in_left & ~lf["missing"]].astype(str)))[:20],
        unmatched_right_keys=tuple(pd.unique(rkey[~in_right & ~rf["missing"]].astype(str)))[:20],
    )
    return merged, report
