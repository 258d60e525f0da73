"""Every branch of the interpretive sentences in research_kit.report.claims, in Chinese and English.

Each test feeds numbers that reach one branch and checks the verdict the sentence states
(and that the other branches' verdicts are absent).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from research_kit.report import claims as c

LANGS = ("zh", "en")
LATIN = re.compile(r"[A-Za-z]{2,}")


def _zh_ok(text: str, allowed: set[str] = frozenset()) -> None:
    words = set(LATIN.findall(text)) - set(allowed)
    assert not words, f"English in a Chinese sentence: {sorted(words)}"


# --------------------------------------------------------------------------- significance
@pytest.mark.parametrize(("lo", "hi", "zh", "en"), [
    (0.1, 0.5, "显著为正", "positive and statistically significant"),
    (-0.5, -0.1, "显著为负", "negative and statistically significant"),
    (-0.1, 0.5, "无显著差异", "not statistically distinguishable from zero"),
    (float("nan"), 0.5, "无法判断", "unknown significance"),
])
def test_significance_branches(lo, hi, zh, en) -> None:
    assert zh in c.significance(lo, hi, lang="zh")
    assert en in c.significance(lo, hi, lang="en")
    _zh_ok(c.significance(lo, hi, lang="zh"))


def test_significance_level_is_printed() -> None:
    assert "10%" in c.significance(0.1, 0.5, level=0.90, lang="en") and "90%" in c.significance(0.1, 0.5, level=0.90, lang="zh")


def test_p_text() -> None:
    assert c.p_text(0.0004) == "p < 0.001" and c.p_text(0.036) == "p = 0.036" and c.p_text(0.9999) == "p > 0.999"
    assert c.p_text(float("nan")) == "p = –"


# --------------------------------------------------------------------------- pre-trend tests
@pytest.mark.parametrize(("stat", "df", "p", "g", "expected"), [
    (20.0, 11, 0.045, None, ("reject", "")),
    (8.4, 11, 0.674, None, ("no_reject", "")),
    (float("nan"), 59, float("nan"), None, ("uninformative", "missing")),
    (float("nan"), 59, float("nan"), 6, ("uninformative", "rank")),
    (30.0, 60, 0.999, 54, ("uninformative", "rank")),
    (73.7, 384, 1.0, None, ("uninformative", "lower_tail")),
    (1.0, 12, 0.99998, None, ("uninformative", "lower_tail")),
])
def test_pretrend_status(stat, df, p, g, expected) -> None:
    assert c.pretrend_status(stat, df, p, n_clusters=g) == expected


YIWU = [("TWFE", {"statistic": 21.8, "df": 11, "p_value": 0.036}), ("Sun–Abraham", {"statistic": 9.0, "df": 11, "p_value": 0.62}),
        ("Callaway–Sant'Anna", {"statistic": 73.7, "df": 384, "p_value": 1.0})]
CLEAN = [("TWFE", {"statistic": 8.4, "df": 11, "p_value": 0.674}), ("Sun–Abraham", {"statistic": 7.4, "df": 11, "p_value": 0.768})]
NONE = [("Callaway–Sant'Anna", {"statistic": float("nan"), "df": 40, "p_value": float("nan")}),
        ("TWFE", {"statistic": 40.0, "df": 60, "p_value": 0.9})]


@pytest.mark.parametrize("lang", LANGS)
def test_pretrend_reject_branch_never_says_consistent(lang) -> None:
    v = c.pretrend_verdict(YIWU)
    assert v.status == "reject" and v.rejecting == [("TWFE", 0.036)]
    s, cav = c.pretrend_sentence(v, lang=lang), c.parallel_trends_caveat(v, lang=lang)
    assert "0.036" in s
    if lang == "zh":
        assert "拒绝" in s and "不利于平行趋势" in s and "相符" not in s and "相符" not in cav and "并非都接近零" in cav
        assert "没有信息量" in s  # the degenerate CS test is flagged, not counted
        _zh_ok(s, {"TWFE", "Sun", "Abraham", "Callaway", "Sant", "Anna"}), _zh_ok(cav, {"TWFE"})
    else:
        assert "evidence against parallel trends" in s and "consistent" not in s and "consistent" not in cav
        assert "uninformative" in s and "73.70 on 384 df" in s and "not all close to zero" in cav
        assert "Sun–Abraham (p = 0.620) do not reject, which does not offset" in s


@pytest.mark.parametrize("lang", LANGS)
def test_pretrend_no_reject_branch(lang) -> None:
    v = c.pretrend_verdict(CLEAN)
    assert v.status == "no_reject" and not v.uninformative
    s, cav = c.pretrend_sentence(v, lang=lang), c.parallel_trends_caveat(v, lang=lang)
    assert "0.674–0.768" in s
    assert ("不拒绝" in s and "相符" in cav) if lang == "zh" else ("do not reject" in s and "consistent" in cav)
    assert ("没有信息量" not in s) if lang == "zh" else ("uninformative" not in s)


@pytest.mark.parametrize("lang", LANGS)
def test_pretrend_all_uninformative_branch(lang) -> None:
    v = c.pretrend_verdict(NONE, n_clusters=54)
    assert v.status == "uninformative" and [u[1] for u in v.uninformative] == ["missing", "rank"]
    s, cav = c.pretrend_sentence(v, lang=lang), c.parallel_trends_caveat(v, lang=lang)
    if lang == "zh":
        assert "均没有信息量" in s and "无法计算" in s and "不少于聚类数" in s and "完全依赖" in cav
    else:
        assert "None of the joint tests" in s and "cannot be computed" in s and "as many restrictions (60)" in s
        assert "uninformative" in cav
    rank = c.pretrend_sentence(c.pretrend_verdict(YIWU[:2], n_clusters=6), lang=lang)
    assert ("TWFE和Sun–Abraham的检验约束数（11、11）" in rank) if lang == "zh" else ("TWFE and Sun–Abraham tests have as many restrictions (11, 11)" in rank)


def test_pretrend_clusters_by_name() -> None:
    v = c.pretrend_verdict(CLEAN, n_clusters={"TWFE": 9, "Sun–Abraham": 54})
    assert [n for n, *_ in v.uninformative] == ["TWFE"] and v.status == "no_reject"


# --------------------------------------------------------------------------- breakdown Mbar
@pytest.mark.parametrize("lang", LANGS)
def test_breakdown_beyond_grid(lang) -> None:
    s = c.breakdown_sentence(2.18, grid_max=2, search_max=20, lang=lang)
    assert "2.18" in s
    if lang == "zh":
        assert "表外继续搜索" in s and "M̄ = 1" in s and "不再稳健" not in s and "脆弱" not in s
        _zh_ok(s)
    else:
        assert "beyond the table" in s and "leave the conclusion intact" in s and "fragile" not in s


@pytest.mark.parametrize("lang", LANGS)
def test_breakdown_within_grid_fragile(lang) -> None:
    s = c.breakdown_sentence(0.62, grid_max=2, search_max=20, lang=lang)
    assert "0.62" in s
    assert ("脆弱" in s and "表外" not in s) if lang == "zh" else ("fragile" in s and "beyond the table" not in s)


@pytest.mark.parametrize("lang", LANGS)
def test_breakdown_at_one_is_fragile(lang) -> None:
    s = c.breakdown_sentence(1.0, grid_max=2, search_max=20, lang=lang)
    assert ("脆弱" in s) if lang == "zh" else ("fragile" in s)


@pytest.mark.parametrize("lang", LANGS)
def test_breakdown_within_grid_above_one(lang) -> None:
    s = c.breakdown_sentence(1.4, grid_max=2, search_max=20, lang=lang)
    assert ("结论仍成立" in s and "表外" not in s) if lang == "zh" else ("intact" in s and "beyond the table" not in s)


@pytest.mark.parametrize("lang", LANGS)
def test_breakdown_zero_and_infinite(lang) -> None:
    zero, inf = (c.breakdown_sentence(b, grid_max=2, search_max=20, lang=lang) for b in (0.0, float("inf")))
    assert ("M̄ = 0" in zero and "包含零" in zero) if lang == "zh" else ("no margin" in zero)
    assert ("20 倍" in inf) if lang == "zh" else ("every M̄ up to 20" in inf)
    assert c.breakdown_sentence(float("nan"), grid_max=2, search_max=20, lang=lang) == zero


# --------------------------------------------------------------------------- coverage
INTERVALS = [("CS", 0.32, 0.71), ("SA", 0.31, 0.69), ("BJS", 0.31, 0.68)]


@pytest.mark.parametrize("lang", LANGS)
def test_coverage_branches(lang) -> None:
    every = c.coverage_sentence(0.5, INTERVALS, lang=lang)
    some = c.coverage_sentence(0.70, INTERVALS, lang=lang)
    none = c.coverage_sentence(0.81, INTERVALS, lang=lang, reason="BECAUSE")
    if lang == "zh":
        assert "全部 3 个" in every and "CS 的置信区间覆盖" in some and "SA和BJS 的没有覆盖" in some
        assert none.startswith("没有一个置信区间覆盖真实效应 0.810") and none.endswith("BECAUSE")
    else:
        assert "All 3 intervals" in every and "those of SA and BJS do not" in some
        assert "None of the intervals covers the true effect of 0.810" in none and none.endswith(" BECAUSE")


# --------------------------------------------------------------------------- balance
def _bal(smd: list[float], vr: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"std_diff": smd, "var_ratio": vr}, index=[f"x{i}" for i in range(len(smd))])


def test_balance_flags_thresholds() -> None:
    f = c.balance_flags(_bal([0.05, -0.3, 0.15, 0.0, np.nan], [1.0, 1.1, 0.9, 2.5, np.nan]))
    assert f == {"serious": [("x1", -0.3)], "notable": [("x2", 0.15)], "variance": [("x3", 2.5)]}


@pytest.mark.parametrize("lang", LANGS)
def test_balance_sentence_branches(lang) -> None:
    labels = {"x1": "出口" if lang == "zh" else "Exports", "x3": "成本" if lang == "zh" else "Cost"}
    ok = c.balance_sentence(_bal([0.05, 0.02], [1.0, 1.2]), lang=lang)
    bad = c.balance_sentence(_bal([0.05, -0.3, 0.15, 0.0], [1.0, 1.1, 0.9, 0.4]), labels=labels, lang=lang)
    only_vr = c.balance_sentence(_bal([0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 3.0]), labels=labels, lang=lang)
    if lang == "zh":
        assert "大致平衡" in ok
        assert "出口（标准化差异 -0.30）" in bad and "严重不平衡" in bad and "值得注意" in bad and "成本（方差比 0.40）" in bad
        assert "严重" not in only_vr and "方差比 3.00" in only_vr
        _zh_ok(bad, {"x2"})
    else:
        assert "balanced at baseline" in ok
        assert "Exports (standardised difference -0.30)" in bad and "serious" in bad and "notable" in bad
        assert "Cost (variance ratio 0.40)" in bad and "serious" not in only_vr and "differ in spread" in only_vr


# --------------------------------------------------------------------------- clusters
@pytest.mark.parametrize("lang", LANGS)
def test_cluster_inference_branches(lang) -> None:
    name = "县" if lang == "zh" else "county"
    one, few, many = (c.cluster_inference_sentence(g, cluster_name=name, lang=lang) for g in (1, 9, 54))
    assert ("无法" in one) if lang == "zh" else ("not possible" in one)
    assert ("9 个聚类" in few and "自助法" in few) if lang == "zh" else ("only 9 clusters" in few and "bootstrap" in few)
    assert ("54 个聚类" in many and "自助法" not in many) if lang == "zh" else ("54 clusters" in many and "bootstrap" not in many)


# --------------------------------------------------------------------------- Goodman-Bacon
SUMMARY = pd.DataFrame({"type": ["Earlier vs Later Treated", "Later vs Earlier Treated", "Treated vs Untreated"],
                        "weight": [0.268330, 0.084069, 0.647601], "avg_est": [0.356174, -0.275781, 0.860704]})


def test_bacon_gap_parts_add_up() -> None:
    g = c.bacon_gap(SUMMARY, twfe_unit=0.565, twfe_cells=0.6298, robust=0.7518)
    assert g.forbidden + g.weighting + g.aggregation == pytest.approx(g.gap, abs=1e-12)
    # Bacon identity: the forbidden part equals w_f (b_f - b_c) (here up to the rounding of the inputs)
    assert g.forbidden == pytest.approx(g.weight_forbidden * (g.mean_forbidden - g.mean_clean), abs=1e-4)
    assert g.weight_forbidden == pytest.approx(0.084069)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("cells", "robust", "main_zh", "main_en"), [
    (0.6298, 0.7518, "主要来自不当比较", "mainly from the forbidden comparisons"),     # forbidden part -0.083 of -0.187
    (0.6298, 0.95, "而不是不当比较", "not from the forbidden comparisons"),           # clean mean 0.713 vs 0.95
    (0.6298, 0.86, "不当比较的贡献次之", "smaller but sizeable"),                       # weighting -0.147, forbidden -0.083
    (0.70, 0.72, "主要来自单元汇总", "cell-level and the individual-level"),             # aggregation -0.135 of -0.155
])
def test_bacon_gap_sentence_names_the_main_part(lang, cells, robust, main_zh, main_en) -> None:
    g = c.bacon_gap(SUMMARY, twfe_unit=0.565, twfe_cells=cells, robust=robust)
    s = c.bacon_gap_sentence(g, robust_name="CS", unit_name="个体" if lang == "zh" else "business",
                             cell_name="县 × 银行单元" if lang == "zh" else "county × bank cell", lang=lang)
    assert (main_zh if lang == "zh" else main_en) in s
    assert "8.4%" in s and f"{g.forbidden:.3f}" in s and f"{g.weighting:.3f}" in s and f"{g.aggregation:.3f}" in s


@pytest.mark.parametrize("lang", LANGS)
def test_bacon_gap_sentence_no_gap_and_no_forbidden(lang) -> None:
    g = c.bacon_gap(SUMMARY, twfe_unit=0.70, twfe_cells=0.70, robust=0.70)
    s = c.bacon_gap_sentence(g, robust_name="CS", unit_name="u", cell_name="c", lang=lang)
    assert ("几乎相同" in s) if lang == "zh" else ("no gap" in s)
    clean = SUMMARY.loc[SUMMARY["type"] != "Later vs Earlier Treated"]
    g = c.bacon_gap(clean, twfe_unit=0.5, twfe_cells=0.6, robust=0.8)
    assert g.forbidden == 0.0
    s = c.bacon_gap_sentence(g, robust_name="CS", unit_name="u", cell_name="c", lang=lang)
    assert ("没有以较早开办者作对照" in s) if lang == "zh" else ("no forbidden comparison" in s)


@pytest.mark.parametrize("lang", LANGS)
def test_estimand_reason_branches(lang) -> None:
    own_ok = [("CS", 0.523, 0.32, 0.71), ("BJS", 0.503, 0.31, 0.68)]
    own_bad = [("CS", 0.523, 0.32, 0.71), ("BJS", 0.75, 0.31, 0.68)]
    ok, bad = c.estimand_reason(0.81, own_ok, lang=lang), c.estimand_reason(0.81, own_bad, lang=lang)
    assert "0.503–0.523" in ok and "0.523–0.750" in bad
    if lang == "zh":
        assert "估计目标不同" in ok and "不是估计误差" in ok and "BJS 的置信区间连自己的估计目标也没有覆盖" in bad
        _zh_ok(ok), _zh_ok(bad, {"BJS"})
    else:
        assert "difference of estimand" in ok and "intervals of BJS miss even their own target" in bad
    assert c.estimand_reason(0.81, [], lang=lang) == ""
