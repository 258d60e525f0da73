"""The digital-RMB study: a city-level design whose donors are untreated in reality.

* The donor pool follows the real pilot list (PBoC announcements, dataset ``ecny_pilot_areas``): every
  exclusion rule is reached by a city built for it, and Jinhua's own pilot date is 2022-04.
* The shipped raw files equal a fresh regeneration (``python -m research_kit.simulate.study_raw``).
* Every interpretive sentence has a test per branch (fit, permutation test, in-time placebo, conclusion).
* The full estimate on the shipped data: numbers in the text are the estimates; the synthetic control
  recovers the simulated truth within its pre-period fit error.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest
from research_kit.simulate.synth import digital_rmb_city_panel

from research_kit import paths
from research_kit.report.tables import format_number
from research_kit.simulate.study_raw import STUDY_RAW_FILES, write_study_raw
from research_kit.studies import digital_rmb as study

ZH_LATIN_OK = {"p"}


def latin_words(text: str) -> set[str]:
    text = re.sub(r"\[@[^\]]+\]", " ", text)
    text = re.sub(r"\$[^$]*\$", " ", text)
    return set(re.findall(r"[A-Za-z][A-Za-z0-9_\-'’]*", text)) - ZH_LATIN_OK


def test_shipped_study_raw_files_equal_a_fresh_regeneration(tmp_path):
    fresh = write_study_raw(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in fresh] == list(STUDY_RAW_FILES)
    changed = [rel for rel in STUDY_RAW_FILES if (paths.raw_dir() / rel).read_bytes() != (tmp_path / rel).read_bytes()]
    assert not changed, f"data/raw differs from python -m research_kit.simulate.study_raw: {changed}"
    manifest = (paths.raw_dir() / "MANIFEST").read_text()
    assert all(rel in manifest for rel in STUDY_RAW_FILES)


def _pilots(rows):
    return pd.DataFrame(rows, columns=["area", "province", "scope", "start_month"]).assign(
        start_month=lambda d: pd.to_datetime(d["start_month"]))


def test_donor_pool_rules():
    months = pd.date_range("2019-01-01", "2024-12-01", freq="MS")
    cities = [("金华市", "浙江省"), ("合肥市", "安徽省"), ("长沙市", "湖南省"), ("南通市", "江苏省"), ("衢州市", "浙江省"),
              ("嘉兴市", "浙江省"), ("武汉市", "湖北省")]
    panel = pd.DataFrame([(c, p, m) for c, p in cities for m in months], columns=["city", "province", "month"])
    pilots = _pilots([("金华市", "浙江省", "city", "2022-04"), ("长沙市", "湖南省", "city", "2020-10"),
                      ("江苏省", "江苏省", "province", "2022-12"), ("武汉市", "湖北省", "city", "2025-06")])
    pool = study.donor_pool(panel, pilots).set_index("city")
    assert pool["status"].to_dict() == {"金华市": "treated", "合肥市": "donor", "长沙市": "pilot",
                                        "南通市": "province_pilot", "衢州市": "neighbour", "嘉兴市": "same_province",
                                        "武汉市": "donor"}  # a pilot after the sample ends does not exclude
    assert pool.loc["长沙市", "pilot_month"] == pd.Timestamp("2020-10-01")
    assert study.pilot_month(pilots, "金华市") == pd.Timestamp("2022-04-01")
    with pytest.raises(ValueError, match="合肥市.*not in the pilot list"):
        study.pilot_month(pilots, "合肥市")
    with pytest.raises(ValueError, match="treated city '上海市' is not in the panel"):
        study.donor_pool(panel, pilots, treated="上海市")


def test_shipped_pilot_list_has_the_asian_games_cities():
    data = study.load_data()
    p = data.pilots.set_index("area")
    for city in ("杭州市", "宁波市", "温州市", "湖州市", "绍兴市", "金华市"):
        assert p.loc[city, "start_month"] == pd.Timestamp("2022-04-01")
    assert p.loc["深圳市", "start_month"] == pd.Timestamp("2020-04-01")
    pool = study.donor_pool(data.panel, data.pilots)
    donors = set(pool.loc[pool["status"] == "donor", "city"])
    assert len(donors) == 22 and not donors & set(p.index) and not donors & set(study.NEIGHBOURS["金华市"])
    assert not (pool.loc[pool["status"] == "donor", "province"] == "浙江省").any()


def test_city_panel_truth_and_determinism():
    a, b = digital_rmb_city_panel(seed=3), digital_rmb_city_panel(seed=3)
    pd.testing.assert_frame_equal(a.panel, b.panel)
    assert (a.truth["month"] >= a.treatment_time).all() and a.truth["te_retail_pc"].is_monotonic_increasing
    assert a.truth["te_retail_pc"].iloc[-1] == pytest.approx(60.0, rel=0.01)
    with pytest.raises(ValueError, match="not a city of the panel"):
        digital_rmb_city_panel(treated="义乌市")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fit_sentence_branches(lang):
    close, poor = study.fit_sentence(20.0, 2000.0, lang=lang), study.fit_sentence(100.0, 2000.0, lang=lang)
    assert "1.0%" in close and "5.0%" in poor
    assert ("较好地再现" in close and "不可靠" in poor) if lang == "zh" else ("closely" in close and "not reliable" in poor)


def _fake(p_value=0.5, in_time=1.0, sc_est=50.0, pre_rmspe=20.0, pre_mean=2000.0, sdid=(-10.0, 100.0), n_exc=0):
    placebo = SimpleNamespace(p_value=p_value, n_units=17, rank=3, n_excluded=n_exc, pre_rmspe_cutoff=2.0,
                              rmspe_ratio=2.5)
    sc = SimpleNamespace(estimate=sc_est, pre_rmspe=pre_rmspe)
    return SimpleNamespace(treated="金华市", placebo=placebo, sc=sc, pre_mean=pre_mean, outcome="retail_pc",
                           in_time=SimpleNamespace(estimate=in_time, treatment_time=pd.Timestamp("2021-04-01")),
                           in_time_months=12, sdid=SimpleNamespace(estimate=sc_est, conf_low=sdid[0], conf_high=sdid[1]),
                           truth=None)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_placebo_and_in_time_branches(lang):
    sig, ns = study.placebo_paragraph(_fake(p_value=0.06), lang=lang), study.placebo_paragraph(_fake(p_value=0.4), lang=lang)
    quiet = study.in_time_paragraph(_fake(in_time=5.0), lang=lang)
    early = study.in_time_paragraph(_fake(in_time=45.0), lang=lang)
    excl = study.placebo_paragraph(_fake(n_exc=3), lang=lang)
    if lang == "zh":
        assert "不太可能是偶然" in sig and "不能拒绝" in ns
        assert "没有产生可比的差距" in quiet and "可能在试点前就已开始" in early and "3 个对照城市" in excl
    else:
        assert "unlikely to be chance" in sig and "cannot be rejected" in ns
        assert "no comparable gap" in quiet and "may predate the pilot" in early and "excluding 3 donors" in excl
    assert "0.059" in sig  # the smallest attainable p-value, 1/17


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conclusion_branches(lang):
    poor = study.conclusion_paragraph(_fake(pre_rmspe=200.0), lang=lang)
    up = study.conclusion_paragraph(_fake(p_value=0.05, sdid=(10.0, 90.0)), lang=lang)
    down = study.conclusion_paragraph(_fake(p_value=0.05, sc_est=-50.0, sdid=(-90.0, -10.0)), lang=lang)
    unsure = study.conclusion_paragraph(_fake(p_value=0.05, sdid=(-10.0, 90.0)), lang=lang)
    if lang == "zh":
        assert "不对试点效应下结论" in poor and "提高了" in up and "降低了" in down and "不足以确认" in unsure
    else:
        assert "draws no conclusion" in poor and "raised" in up and "lowered" in down and "do not establish" in unsure


@pytest.fixture(scope="module")
def run():
    data = study.load_data()
    return study.estimate(data, v_search="synth", reps=40, seed=1)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_paper_text_on_the_shipped_data(run, lang):
    est = run
    assert est.treatment_time == pd.Timestamp("2022-04-01")
    assert set(est.sc.weights.index) <= set(est.pool.loc[est.pool["status"] == "donor", "city"])
    pieces = [study.data_paragraph(est, lang=lang), study.results_paragraph(est, lang=lang),
              study.placebo_paragraph(est, lang=lang), study.in_time_paragraph(est, lang=lang),
              study.truth_paragraph(est, lang=lang), study.conclusion_paragraph(est, lang=lang),
              study.front_matter(est, lang=lang)["abstract"], study.data_notice(True, lang),
              study.pilot_table(est.data, lang=lang).to_markdown(), study.donor_table(est, lang=lang).to_markdown(),
              study.weights_table(est, lang=lang).to_markdown(), study.balance_table(est, lang=lang).to_markdown(),
              study.estimates_table(est, lang=lang).to_markdown()]
    assert format_number(est.sc.estimate, digits=2) in pieces[1]
    assert format_number(est.sdid.conf_low, digits=2) in pieces[6]
    for piece in pieces:
        if lang == "en":
            assert not re.search(r"[\u4e00-\u9fff]", piece), piece[:200]
        else:
            assert not latin_words(piece), latin_words(piece)
    # the synthetic control recovers the simulated truth within a few pre-period fit errors
    assert abs(est.sc.estimate - est.truth) < 3 * est.sc.pre_rmspe
