"""Descriptive and balance tables against hand-computed values.

References: sample moments worked by hand below (sd with divisor n - 1;
quantiles by linear interpolation, Hyndman & Fan type 7 = R's quantile()
default: position 1 + (n - 1) q in the sorted data); standardized difference
(mean_t - mean_c) / sqrt((s2_t + s2_c) / 2); weighted variance of Austin &
Stuart (2015, Stat. Med. 34:3661) = R's stats::cov.wt(x, wt = w, method =
"unbiased")$cov, i.e. sum(w (x - m)^2) / (sum(w) - sum(w^2) / sum(w)).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from research_kit.report.descriptive import balance_frame, balance_table, descriptive_frame, descriptive_table

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _panel() -> pd.DataFrame:
    rows = []
    # A 2023: 5 units, x = 1, 2, 3, 4, 10
    rows += [("A", 2023, f"a{i}", x, 2 * x) for i, x in enumerate([1, 2, 3, 4, 10])]
    # A 2024: 6 units, x = 0, 0, 1, 1, 2, 2
    rows += [("A", 2024, f"a{i}", x, 2 * x) for i, x in enumerate([0, 0, 1, 1, 2, 2])]
    # B 2023: 3 units observed twice each (6 rows, 3 units < 5) -> withheld
    rows += [("B", 2023, f"b{i % 3}", x, 1.0) for i, x in enumerate([5, 6, 7, 8, 9, 10])]
    # B 2024: 5 units, x = 2, 4, 6, 8, 10; y missing for one unit -> y has 4 units -> withheld
    rows += [("B", 2024, f"b{i}", x, np.nan if i == 0 else 3.0) for i, x in enumerate([2, 4, 6, 8, 10])]
    return pd.DataFrame(rows, columns=["g", "p", "id", "x", "y"])


STATS = ("n", "nobs", "mean", "sd", "min", "max", "p25", "median")


def test_descriptive_frame_values_and_suppression() -> None:
    f = descriptive_frame(_panel(), ["x", "y"], by="g", period="p", unit_id="id", stats=STATS)
    assert f[["g", "p", "variable"]].values.tolist() == [
        ["A", 2023, "x"], ["A", 2023, "y"], ["A", 2024, "x"], ["A", 2024, "y"],
        ["B", 2023, "x"], ["B", 2023, "y"], ["B", 2024, "x"], ["B", 2024, "y"],
    ]
    nan = np.nan
    expected = np.array([
        # A 2023 x: mean 20/5 = 4; squared deviations 9+4+1+0+36 = 50 -> sd sqrt(50/4);
        # p25 at position 1 + 4(0.25) = 2 -> 2; median at 3 -> 3
        [5, 5, 4.0, math.sqrt(12.5), 1, 10, 2.0, 3.0],
        [5, 5, 8.0, 2 * math.sqrt(12.5), 2, 20, 4.0, 6.0],  # y = 2x
        # A 2024 x: mean 1; squared deviations 1+1+0+0+1+1 = 4 -> sd sqrt(4/5);
        # p25 at position 1 + 5(0.25) = 2.25 -> 0 + 0.25 (1 - 0) = 0.25; median at 3.5 -> 1
        [6, 6, 1.0, math.sqrt(0.8), 0, 2, 0.25, 1.0],
        [6, 6, 2.0, 2 * math.sqrt(0.8), 0, 4, 0.5, 2.0],
        [nan] * 8,  # B 2023: 3 units (6 rows) < 5
        [nan] * 8,
        # B 2024 x: mean 6; squared deviations 16+4+0+4+16 = 40 -> sd sqrt(10); p25 at 2 -> 4; median 6
        [5, 5, 6.0, math.sqrt(10), 2, 10, 4.0, 6.0],
        [nan] * 8,  # y: 4 units with a value < 5
    ])
    np.testing.assert_allclose(f[list(STATS)].to_numpy(dtype=float), expected, rtol=1e-12)
    assert f["suppressed"].tolist() == [False, False, False, False, True, True, False, True]
    # without unit_id the threshold counts rows: B 2023 has 6 rows and is published
    g = descriptive_frame(_panel(), ["x"], by=["g", "p"], stats=("n", "mean"))
    assert g.loc[(g["g"] == "B") & (g["p"] == 2023), ["n", "mean"]].values.tolist() == [[6.0, 7.5]]


def test_descriptive_table_headers_in_both_languages() -> None:
    extra = {"g": {"zh": "组别", "en": "Group"}, "p": {"zh": "年份", "en": "Year"},
             "x": {"zh": "贷款余额", "en": "Loan balance"}, "y": {"zh": "成本", "en": "Cost"}}
    kw = {"by": "g", "period": "p", "unit_id": "id", "stats": ("n", "mean", "sd", "p25"), "extra": extra}
    en = descriptive_table(_panel(), ["x", "y"], lang="en", **kw)
    assert list(en.body.columns) == ["Group", "Year", "Variable", "Units", "Mean", "Std. dev.", "P25"]
    assert en.body.iloc[0].tolist() == ["A", "2023", "Loan balance", "5", "4.00", "3.54", "2.00"]
    assert en.body.iloc[1].tolist() == ["", "", "Cost", "5", "8.00", "7.07", "4.00"]  # repeated keys blanked
    assert en.body.iloc[2].tolist()[:3] == ["", "2024", "Loan balance"]
    assert en.body.iloc[4].tolist() == ["B", "2023", "Loan balance", "×", "×", "×", "×"]
    english = en.to_markdown() + en.to_html() + en.to_latex()
    assert not CJK.search(english), CJK.findall(english)
    assert "fewer than 5 units" in english
    zh = descriptive_table(_panel(), ["x", "y"], lang="zh", **kw)
    assert list(zh.body.columns) == ["组别", "年份", "变量", "主体数", "均值", "标准差", "第 25 百分位数"]
    assert zh.body.iloc[0, 2] == "贷款余额"
    assert "少于 5 个" in zh.to_markdown()
    rows_only = descriptive_table(_panel(), ["x"], lang="en", stats=("n", "median"))
    assert list(rows_only.body.columns) == ["Variable", "N", "Median"]
    # all 22 rows: x = 1,2,3,4,10, 0,0,1,1,2,2, 5..10, 2,4,6,8,10 -> sorted middle (11th, 12th) = 4 and 4
    assert rows_only.body.iloc[0].tolist() == ["x", "22", "4.00"]


def _balance_data() -> pd.DataFrame:
    # treated x = 2,4,6,8,10 (mean 6, s2 = 40/4 = 10); control x = 1..6 (mean 3.5, s2 = 17.5/5 = 3.5)
    # treated z = 1,1,1,0,0 (mean 0.6, s2 = (3(0.16) + 2(0.36))/4 = 0.3)
    # control z = 1,0,0,0,0,0 (mean 1/6, s2 = (25/36 + 5/36)/5 = 1/6)
    return pd.DataFrame({
        "d": [1] * 5 + [0] * 6,
        "x": [2, 4, 6, 8, 10, 1, 2, 3, 4, 5, 6],
        "z": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0],
        "id": [f"u{i}" for i in range(11)],
    })


def test_balance_unweighted_hand_formula() -> None:
    b = balance_frame(_balance_data(), ["x", "z"], treated="d", unit_id="id")
    np.testing.assert_allclose(b.loc["x", ["mean_treated", "mean_control", "difference"]].to_numpy(float),
                               [6.0, 3.5, 2.5])
    np.testing.assert_allclose(b.loc["x", "std_diff"], 2.5 / math.sqrt((10 + 3.5) / 2), rtol=1e-12)  # 0.96225
    np.testing.assert_allclose(b.loc["x", "var_ratio"], 10 / 3.5, rtol=1e-12)  # 2.857
    np.testing.assert_allclose(b.loc["z", "std_diff"], (0.6 - 1 / 6) / math.sqrt((0.3 + 1 / 6) / 2), rtol=1e-12)
    np.testing.assert_allclose(b.loc["z", "var_ratio"], 0.3 / (1 / 6), rtol=1e-12)  # 1.8
    assert b.loc["x", ["n_treated", "n_control"]].tolist() == [5, 6]
    # unit weights reproduce the unweighted results exactly
    w = balance_frame(_balance_data().assign(w=1.0), ["x", "z"], treated="d", weights="w")
    cols = ["std_diff", "var_ratio"]
    np.testing.assert_allclose(w[cols].to_numpy(float), b[cols].to_numpy(float))


def test_balance_weighted_austin_stuart_variance() -> None:
    # treated x = 1, 2, 3 with w = 1, 1, 2: sum w = 4, mean 9/4 = 2.25,
    #   sum w (x - m)^2 = 1.5625 + 0.0625 + 2(0.5625) = 2.75; sum w^2 = 6 -> s2 = 2.75 / (4 - 6/4) = 1.1
    # control x = 0, 2, 4, 6 with w = 2, 1, 1, 2: sum w = 6, mean 18/6 = 3,
    #   sum w (x - m)^2 = 18 + 1 + 1 + 18 = 38; sum w^2 = 10 -> s2 = 38 / (6 - 10/6) = 228/26 = 8.7692
    df = pd.DataFrame({"d": [1, 1, 1, 0, 0, 0, 0], "x": [1, 2, 3, 0, 2, 4, 6], "w": [1, 1, 2, 2, 1, 1, 2]})
    b = balance_frame(df, ["x"], treated="d", weights="w", k=1)
    s2t, s2c = 1.1, 228 / 26
    moments = b.loc["x", ["mean_treated", "mean_control", "var_treated", "var_control"]].to_numpy(float)
    np.testing.assert_allclose(moments, [2.25, 3.0, s2t, s2c], rtol=1e-12)
    np.testing.assert_allclose(b.loc["x", "std_diff"], -0.75 / math.sqrt((s2t + s2c) / 2), rtol=1e-12)  # -0.3376
    np.testing.assert_allclose(b.loc["x", "var_ratio"], s2t / s2c, rtol=1e-12)  # 0.1254
    # with k = 5 both groups (3 and 4 rows) are too small and the row is withheld
    assert balance_frame(df, ["x"], treated="d", weights="w")["suppressed"].tolist() == [True]


def test_balance_table_languages_and_small_group() -> None:
    en = balance_table(_balance_data(), ["x", "z"], treated="d", unit_id="id", lang="en",
                       extra={"x": {"zh": "贷款", "en": "Loans"}})
    assert list(en.body.columns) == ["Variable", "Mean, treated", "Mean, control", "Difference", "Std. difference",
                                     "Variance ratio"]
    assert en.body.iloc[0].tolist() == ["Loans", "6.000", "3.500", "2.500", "0.962", "2.857"]
    assert en.body.iloc[2].tolist() == ["Units", "5", "6", "", "", ""]
    english = en.to_markdown() + en.to_html()
    assert not CJK.search(english), CJK.findall(english)
    zh = balance_table(_balance_data(), ["x"], treated="d", lang="zh", weights=None)
    assert list(zh.body.columns) == ["变量", "处理组均值", "对照组均值", "差值", "标准化差异", "方差比"]
    assert zh.body.iloc[-1].tolist() == ["样本数", "5", "6", "", "", ""]
    small = _balance_data().iloc[:8]  # 5 treated, 3 controls -> every row withheld, control N shown as ×
    t = balance_table(small, ["x"], treated="d", lang="en")
    assert t.body.iloc[0].tolist() == ["x", "×", "×", "×", "×", "×"]
    assert t.body.iloc[1].tolist() == ["N", "5", "×", "", "", ""]
    weighted = balance_table(_balance_data().assign(w=1.0), ["x"], treated="d", weights="w", lang="en")
    assert any("weighted by w" in n for n in weighted.notes)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda df: descriptive_frame(df, ["x"], stats=("p100",)), ValueError, "Unknown statistic 'p100'"),
        (lambda df: descriptive_frame(df, ["g"]), TypeError, r"not numeric"),
        (lambda df: descriptive_frame(df, ["x"], by="nope"), KeyError, "nope"),
        (lambda df: descriptive_frame(df, ["x"], k=0), ValueError, "positive integer"),
        (lambda df: balance_frame(df.assign(d=2), ["x"], treated="d"), ValueError, "0/1"),
        (lambda df: balance_frame(df.assign(d=1, w=-1.0), ["x"], treated="d", weights="w"), ValueError, "negative"),
        (lambda df: balance_frame(df.assign(d=1), [], treated="d"), ValueError, "covariates is empty"),
    ],
)
def test_bad_inputs(call, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call(_panel())
