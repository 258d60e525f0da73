r"""Descriptive-statistics and covariate-balance tables, with small-cell suppression.

:func:`descriptive_frame` / :func:`descriptive_table` give N, mean, standard
deviation, minimum, maximum or quantiles of chosen variables by group and
period; a cell (group × period × variable) with at least one and fewer than
``k`` units is withheld, as in :func:`research_kit.report.disclosure.safe_table`.

:func:`balance_frame` / :func:`balance_table` compare treated and control
units: means, difference, standardized difference

.. math:: d = (\bar x_t - \bar x_c) / \sqrt{(s_t^2 + s_c^2) / 2}

and variance ratio :math:`s_t^2 / s_c^2`. With weights, means are weighted and
variances are the unbiased weighted variances of Austin & Stuart (2015, *Stat.
Med.* 34:3661, eq. for IPTW-weighted samples), the same as R's
``stats::cov.wt(method = "unbiased")``:

.. math:: s_w^2 = \frac{\sum w_i}{(\sum w_i)^2 - \sum w_i^2} \sum w_i (x_i - \bar x_w)^2,

which is the usual sample variance (divisor n - 1) when all weights are equal.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from research_kit.report.disclosure import DroppedRowsWarning, category_label, suppression_note
from research_kit.report.labels import Labels, Lang, check_lang
from research_kit.report.tables import Table, format_number

__all__ = ["DEFAULT_STATS", "balance_frame", "balance_table", "descriptive_frame", "descriptive_table"]

#: Statistics of :func:`descriptive_table` unless told otherwise.
# Quantiles rather than min/max by default: a minimum or maximum is one business's own value.
DEFAULT_STATS: tuple[str, ...] = ("n", "mean", "sd", "p25", "median", "p75")
_FIXED_STATS = ("n", "nobs", "mean", "sd", "min", "max", "median")
_COUNT_STATS = ("n", "nobs")

LABELS: dict[str, dict[str, str]] = {
    "variable": {"zh": "变量", "en": "Variable"},
    "n": {"zh": "样本数", "en": "N"},
    "n_units": {"zh": "主体数", "en": "Units"},
    "min": {"zh": "最小值", "en": "Min."},
    "max": {"zh": "最大值", "en": "Max."},
    "median": {"zh": "中位数", "en": "Median"},
    "mean_treated": {"zh": "处理组均值", "en": "Mean, treated"},
    "mean_control": {"zh": "对照组均值", "en": "Mean, control"},
    "difference": {"zh": "差值", "en": "Difference"},
    "std_diff": {"zh": "标准化差异", "en": "Std. difference"},
    "var_ratio": {"zh": "方差比", "en": "Variance ratio"},
    "balance_note": {
        "zh": "标准化差异 =（处理组均值 − 对照组均值）/ √[(处理组方差 + 对照组方差)/2]；"
              "方差比 = 处理组方差 / 对照组方差。",
        "en": "Std. difference = (mean treated − mean control) / √[(var treated + var control)/2]; "
              "variance ratio = var treated / var control.",
    },
    "weighted_note": {
        "zh": "均值与方差按权重 {w} 加权（无偏加权方差，Austin 与 Stuart 2015）。",
        "en": "Means and variances weighted by {w} (unbiased weighted variance, Austin and Stuart 2015).",
    },
}


def _stat_key(stat: str) -> float | None:
    """The quantile of a ``"pNN"`` statistic (``"p25"`` → 0.25), None for the fixed statistics; else raise."""
    if stat in _FIXED_STATS:
        return None
    m = re.fullmatch(r"p(\d{1,2})", stat)
    if m and 0 < int(m.group(1)) < 100:
        return int(m.group(1)) / 100
    raise ValueError(f"Unknown statistic {stat!r}; allowed: {list(_FIXED_STATS)} or 'pNN' for a quantile "
                     "(e.g. 'p25', 'p90').")


def _stat_label(stat: str, lab: Labels, unit_id: str | None) -> str:
    if stat == "n":
        return lab("n_units") if unit_id else lab("n")
    q = _stat_key(stat)
    if q is not None:
        return lab.pick(zh=f"第 {stat[1:]} 百分位数", en=f"P{stat[1:]}")
    return lab(stat)


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    return [] if x is None else [x] if isinstance(x, str) else list(x)


def _check_columns(data: pd.DataFrame, cols: Sequence[str], numeric: Sequence[str] = ()) -> None:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise KeyError(f"Columns {missing} are not in the data; available: {list(data.columns)}.")
    bad = [c for c in numeric if not pd.api.types.is_numeric_dtype(data[c])]
    if bad:
        raise TypeError(f"Columns {bad} are not numeric; convert them (e.g. pd.to_numeric) or leave them out.")


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer (minimum units per published cell); got {k!r}.")


def _units(frame: pd.DataFrame, unit_id: str | None) -> int:
    return int(frame[unit_id].nunique()) if unit_id else len(frame)


def descriptive_frame(
    data: pd.DataFrame,
    variables: Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    unit_id: str | None = None,
    stats: Sequence[str] = DEFAULT_STATS,
    k: int = 5,
) -> pd.DataFrame:
    """Statistics of ``variables`` by group and period, small cells withheld (NaN).

    Parameters
    ----------
    data
        Microdata (one row per unit, or per unit and period).
    variables
        Numeric columns to describe.
    by, period
        Grouping columns (either may be omitted); rows with a missing key are
        left out with a :class:`DroppedRowsWarning`.
    unit_id
        Unit column: ``n`` and the threshold count distinct units; without it
        they count rows.
    stats
        Any of ``"n"`` (units, or rows), ``"nobs"`` (rows), ``"mean"``,
        ``"sd"`` (divisor n - 1), ``"min"``, ``"max"``, ``"median"`` and
        ``"pNN"`` quantiles (linear interpolation, R's type 7). Minimum and
        maximum are single units' values: leave them out where they are
        confidential.
    k
        A cell with 1 to ``k - 1`` units (with a non-missing value) is withheld.

    Returns
    -------
    pandas.DataFrame
        One row per group, period and variable: the keys, ``variable``, one
        column per statistic and ``suppressed``.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 2, "x": [1.0, 2, 3, 4, 5, 6, 7]})
    >>> descriptive_frame(df, ["x"], by="g", stats=("n", "mean"))[["g", "n", "mean", "suppressed"]].values.tolist()
    [['a', 5.0, 3.0, False], ['b', nan, nan, True]]
    """
    _check_k(k)
    keys = _as_list(by) + _as_list(period)
    variables = _as_list(variables)
    if not variables:
        raise ValueError("variables is empty; name at least one numeric column to describe.")
    quantiles = {s: _stat_key(s) for s in stats}
    _check_columns(data, keys + variables + ([unit_id] if unit_id else []), numeric=variables)
    df = data
    if keys:
        keep = data[keys].notna().all(axis=1)
        if not keep.all():
            warnings.warn(f"{int((~keep).sum())} rows with a missing {keys} value were left out.",
                          DroppedRowsWarning, stacklevel=2)
            df = data.loc[keep]
    groups = df.groupby(keys, observed=True, sort=True) if keys else [((), df)]
    records = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        for var in variables:
            sub = g.loc[g[var].notna()]
            x = sub[var].to_numpy(dtype=float)
            units = _units(sub, unit_id)
            suppressed = 1 <= units < k
            row: dict[str, object] = dict(zip(keys, key, strict=True))
            row["variable"] = var
            for s, q in quantiles.items():
                if suppressed:
                    val = np.nan
                elif s in _COUNT_STATS:
                    val = float(units if s == "n" else len(x))
                elif len(x) == 0:
                    val = np.nan
                elif s == "mean":
                    val = float(x.mean())
                elif s == "sd":
                    val = float(x.std(ddof=1)) if len(x) > 1 else np.nan
                elif s in ("min", "max"):
                    val = float(x.min() if s == "min" else x.max())
                else:
                    val = float(np.quantile(x, 0.5 if q is None else q))
                row[s] = val
            row["suppressed"] = suppressed
            records.append(row)
    return pd.DataFrame.from_records(records, columns=keys + ["variable", *quantiles, "suppressed"])


def _period_text(v: object) -> str:
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    return str(v)


def descriptive_table(
    data: pd.DataFrame,
    variables: Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    unit_id: str | None = None,
    stats: Sequence[str] = DEFAULT_STATS,
    k: int = 5,
    lang: Lang = "zh",
    extra: Mapping[str, Mapping[str, str]] | None = None,
    digits: int = 2,
    symbol: str = "×",
    caption: str = "",
    notes: Sequence[str] = (),
) -> Table:
    """Descriptive statistics by group and period as a publication :class:`Table`.

    Same arguments as :func:`descriptive_frame`, plus the language, labels
    (``extra`` as for :class:`~research_kit.report.labels.Labels`; it also
    translates group categories), digits and the symbol of withheld cells.
    A note states the threshold rule.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 2, "x": [1.0, 2, 3, 4, 5, 6, 7]})
    >>> t = descriptive_table(df, ["x"], by="g", stats=("n", "mean"), lang="en")
    >>> t.body.values.tolist()
    [['a', 'x', '5', '3.00'], ['b', 'x', '×', '×']]
    """
    lab = Labels(check_lang(lang), extra={**LABELS, **(extra or {})})
    frame = descriptive_frame(data, variables, by=by, period=period, unit_id=unit_id, stats=stats, k=k)
    keys = _as_list(by) + _as_list(period)
    body = pd.DataFrame(index=range(len(frame)))
    prev: list[object] = [object()] * len(keys)
    key_cells: list[list[str]] = [[] for _ in keys]
    for _, rec in frame.iterrows():
        same = True
        for j, key in enumerate(keys):
            v = rec[key]
            same = same and v == prev[j]
            text = _period_text(v) if key == period else category_label(v, lang, extra)
            key_cells[j].append("" if same else text)
            prev[j] = v
    for j, key in enumerate(keys):
        body[lab.get(key)] = key_cells[j]
    body[lab("variable")] = [lab.get(v) for v in frame["variable"]]
    for s in stats:
        cells = []
        for v, sup in zip(frame[s], frame["suppressed"], strict=True):
            if sup:
                cells.append(symbol)
            elif s in _COUNT_STATS:
                cells.append(format_number(int(v)))
            else:
                cells.append(format_number(float(v), digits=digits))
        body[_stat_label(s, lab, unit_id)] = cells
    rule = suppression_note(lang, k=k, dominance_p=None, secondary=False, symbol=symbol)
    return Table(body=body, caption=caption, notes=(rule, *notes), align="l" * (len(keys) + 1) + "r" * len(stats))


def _weighted_mean_var(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    sw = w.sum()
    if len(x) == 0 or sw <= 0:
        return np.nan, np.nan
    m = float((w * x).sum() / sw)
    denom = sw - (w * w).sum() / sw
    var = float((w * (x - m) ** 2).sum() / denom) if denom > 0 else np.nan
    return m, var


def balance_frame(
    data: pd.DataFrame,
    covariates: Sequence[str],
    *,
    treated: str,
    weights: str | None = None,
    unit_id: str | None = None,
    k: int = 5,
) -> pd.DataFrame:
    """Treated-versus-control balance of ``covariates``.

    Parameters
    ----------
    data
        One row per unit (or unit-period).
    covariates
        Numeric columns to compare.
    treated
        Column holding 1 (or True) for treated and 0 (or False) for controls.
    weights
        Optional non-negative weight column (e.g. inverse-probability weights).
    unit_id
        Unit column for the counts and the threshold; rows otherwise.
    k
        A group with 1 to ``k - 1`` units for a covariate withholds that
        covariate's row (NaN).

    Returns
    -------
    pandas.DataFrame
        Indexed by covariate: ``mean_treated``, ``mean_control``,
        ``difference``, ``std_diff``, ``var_ratio``, ``var_treated``,
        ``var_control``, ``n_treated``, ``n_control``, ``suppressed``.

    Examples
    --------
    >>> df = pd.DataFrame({"d": [1] * 5 + [0] * 5, "x": [1.0, 2, 3, 4, 5, 0, 1, 2, 3, 4]})
    >>> balance_frame(df, ["x"], treated="d").loc["x", ["difference", "std_diff", "var_ratio"]].tolist()
    [1.0, 0.6324555320336759, 1.0]
    """
    _check_k(k)
    covariates = _as_list(covariates)
    if not covariates:
        raise ValueError("covariates is empty; name at least one numeric column to compare.")
    cols = [treated] + covariates + ([weights] if weights else []) + ([unit_id] if unit_id else [])
    _check_columns(data, cols, numeric=covariates + ([weights] if weights else []))
    t = data[treated]
    bad = set(pd.unique(t.dropna())) - {0, 1}
    if bad:
        raise ValueError(f"treated column {treated!r} must hold 0/1 or False/True; found {sorted(map(str, bad))[:5]}.")
    df = data.loc[t.notna()]
    if len(df) < len(data):
        warnings.warn(f"{len(data) - len(df)} rows with a missing {treated!r} were left out.", DroppedRowsWarning,
                      stacklevel=2)
    if weights and (df[weights] < 0).any():
        raise ValueError(f"weights column {weights!r} has negative values; weights must be non-negative.")
    is_t = df[treated].astype(bool).to_numpy()
    records: dict[str, dict[str, object]] = {}
    for var in covariates:
        ok = df[var].notna().to_numpy() & (df[weights].notna().to_numpy() if weights else True)
        out: dict[str, float] = {}
        for name, sel in (("treated", ok & is_t), ("control", ok & ~is_t)):
            sub = df.loc[sel]
            x = sub[var].to_numpy(dtype=float)
            w = sub[weights].to_numpy(dtype=float) if weights else np.ones(len(x))
            out[f"mean_{name}"], out[f"var_{name}"] = _weighted_mean_var(x, w)
            out[f"n_{name}"] = _units(sub, unit_id)
        mt, mc, vt, vc = (float(out[c]) for c in ("mean_treated", "mean_control", "var_treated", "var_control"))
        out["difference"] = mt - mc
        pooled = np.sqrt((vt + vc) / 2)
        out["std_diff"] = (mt - mc) / pooled if pooled > 0 else np.nan
        out["var_ratio"] = vt / vc if vc > 0 else np.nan
        sup = any(1 <= int(out[f"n_{g}"]) < k for g in ("treated", "control"))
        records[var] = {**({c: np.nan for c in out} if sup else out), "suppressed": sup}
    order = ["mean_treated", "mean_control", "difference", "std_diff", "var_ratio", "var_treated", "var_control",
             "n_treated", "n_control", "suppressed"]
    return pd.DataFrame.from_dict(records, orient="index")[order]


def balance_table(
    data: pd.DataFrame,
    covariates: Sequence[str],
    *,
    treated: str,
    weights: str | None = None,
    unit_id: str | None = None,
    k: int = 5,
    lang: Lang = "zh",
    extra: Mapping[str, Mapping[str, str]] | None = None,
    digits: int = 3,
    symbol: str = "×",
    caption: str = "",
    notes: Sequence[str] = (),
) -> Table:
    """Balance table (treated vs controls) as a publication :class:`Table`.

    Columns: variable, mean treated, mean control, difference, standardized
    difference, variance ratio; a last row gives the units (or rows) of each
    group. Notes give the formulas, the weights and the threshold rule.

    Examples
    --------
    >>> df = pd.DataFrame({"d": [1] * 5 + [0] * 5, "x": [1.0, 2, 3, 4, 5, 0, 1, 2, 3, 4]})
    >>> balance_table(df, ["x"], treated="d", lang="en").body.iloc[0].tolist()
    ['x', '3.000', '2.000', '1.000', '0.632', '1.000']
    """
    lab = Labels(check_lang(lang), extra={**LABELS, **(extra or {})})
    frame = balance_frame(data, covariates, treated=treated, weights=weights, unit_id=unit_id, k=k)
    cols = ["mean_treated", "mean_control", "difference", "std_diff", "var_ratio"]
    rows = []
    for var, rec in frame.iterrows():
        cells = [symbol if rec["suppressed"] else format_number(float(rec[c]), digits=digits) for c in cols]
        rows.append([lab.get(str(var)), *cells])
    t = data[treated].dropna().astype(bool)
    n_row = [lab("n_units") if unit_id else lab("n"), "", "", "", "", ""]
    for j, grp in ((1, t), (2, ~t)):
        sub = data.loc[grp[grp].index]
        n = _units(sub, unit_id)
        n_row[j] = symbol if 1 <= n < k else format_number(n)
    rows.append(n_row)
    body = pd.DataFrame(rows, columns=[lab("variable")] + [lab(c) for c in cols])
    all_notes = [lab("balance_note")]
    if weights:
        all_notes.append(lab("weighted_note").format(w=lab.get(weights)))
    all_notes.append(suppression_note(lang, k=k, dominance_p=None, secondary=False, symbol=symbol))
    return Table(body=body, caption=caption, notes=(*all_notes, *notes))
