"""The synthetic financing-cost panel and its study module (notebook 05).

* Known truth: the simulation's rate effect (-0.25) is inside the FE-2SLS interval, and the
  biases built into the simulation show up (pooled OLS more negative, FE OLS less negative).
* Fixed-effects 2SLS by two-way demeaning (``within_two_way`` then ``rk.iv.tsls``) against
  pyfixest 0.60 ``pf.feols("log_credit ~ log_exports | firm_id + t | loan_rate ~ relending +
  rediscount", vcov={"CRV1": "firm_id"}, ssc=pf.ssc(k_adj=False, G_adj=False))``: same
  coefficients; standard errors equal up to the small-sample factor (ours: G/(G-1) (N-1)/(N-k)
  with k = 2 regressors after demeaning).
"""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import numpy as np
import pyfixest as pf
import pytest

from research_kit.simulate.panel_iv import financing_cost_demo
from research_kit.studies import financing_cost as study


@pytest.fixture(scope="module")
def demo():
    return financing_cost_demo(300, n_quarters=10, seed=11)


def test_simulator_shape_and_truth(demo):
    p = demo.panel
    assert p.shape[0] == 3000 and p["firm_id"].nunique() == 300 and p["t"].nunique() == 10
    assert p["quarter"].iloc[0] == "2021Q1" and p["quarter"].iloc[9] == "2023Q2"
    assert (p["relending"] >= 0).all() and (p["rediscount"] >= 0).all()
    assert demo.truth["rate_effect"] == -0.25
    with pytest.raises(ValueError, match="n_firms must be an integer of at least 20"):
        financing_cost_demo(5)


def test_study_recovers_the_truth_and_shows_the_biases(demo):
    est = study.estimate(demo)
    b = demo.truth["rate_effect"]
    assert est.fe_iv.conf_low < b < est.fe_iv.conf_high
    assert est.pooled.estimate < b - 0.2  # quality bias: better firms pay less and borrow more
    assert est.fe.estimate > b + 0.1  # demand-shock bias remains within firms
    assert est.hausman.p_value < 0.01 and est.mundlak.p_value < 0.01
    assert est.fe_iv.first_stage().iloc[0]["f_stat"] > 50
    for lang in ("zh", "en"):
        assert "模拟" in study.data_notice(True, "zh") and "synthetic" in study.data_notice(True, "en")
        assert study.results_table(est, lang=lang).body.shape[1] == 5
        assert study.front_matter(est, lang=lang)["synthetic"] is True


def test_fe_2sls_by_demeaning_matches_pyfixest(demo):
    p = demo.panel
    dm = study.within_two_way(p, ["log_credit", "loan_rate", "log_exports", "relending", "rediscount"])
    import research_kit as rk

    r = rk.iv.tsls(dm, "log_credit ~ 0 + log_exports + [loan_rate ~ relending + rediscount]", cluster="firm_id",
                   debiased=True)
    f = pf.feols("log_credit ~ log_exports | firm_id + t | loan_rate ~ relending + rediscount", data=p,
                 vcov={"CRV1": "firm_id"}, ssc=pf.ssc(k_adj=False, G_adj=False))
    np.testing.assert_allclose(r.params[["loan_rate", "log_exports"]].to_numpy(),
                               f.coef()[["loan_rate", "log_exports"]].to_numpy(), rtol=1e-8)
    N, G, k = len(p), 300, 2
    np.testing.assert_allclose(r.tidy().set_index("term").loc[["loan_rate", "log_exports"], "std_error"],
                               f.se()[["loan_rate", "log_exports"]].to_numpy() * np.sqrt(G / (G - 1) * (N - 1) / (N - k)),
                               rtol=1e-8)
    with pytest.raises(ValueError, match="balanced panel"):
        study.within_two_way(p.iloc[1:], ["log_credit"])


# --------------------------------------------------------------------------- the paper's claims
ZH_LATIN_OK = {"Hausman", "Mundlak", "Wooldridge", "Driscoll", "Kraay", "F", "p", "t"}


def latin_words(text: str) -> set[str]:
    """Latin-script words of a Chinese text, without citations and math."""
    text = re.sub(r"\[@[^\]]+\]", " ", text)
    text = re.sub(r"\$[^$]*\$", " ", text)
    return set(re.findall(r"[A-Za-z][A-Za-z0-9_\-'’]*", text)) - ZH_LATIN_OK


@pytest.fixture(scope="module")
def shipped():
    data = study.load_data()
    return data, study.estimate(data)


def test_load_data_reads_the_raw_panel(shipped):
    data, _ = shipped
    demo = financing_cost_demo(600, n_quarters=16, seed=20230301)
    p, q = data.panel, demo.panel
    assert len(p) == len(q) == 9600 and p["quarter"].iloc[0] == "2021Q1" and p["t"].max() == 16
    np.testing.assert_allclose(p["loan_rate"], q["loan_rate"], atol=5e-4)  # written with 3 decimals
    np.testing.assert_allclose(p["relending"], q["relending"], atol=5e-4)
    np.testing.assert_allclose(p["log_credit"], q["log_credit"], atol=0.01)  # balance rounded to 0.01 万元
    assert data.truth == {"rate_effect": -0.25, "export_effect": 0.4}


def test_percentage_effect_is_exact_and_transforms_the_interval():
    pct, lo, hi = study.pct_effect(-0.25, -0.30, -0.20)
    assert pct == pytest.approx(100 * (np.exp(0.25) - 1))  # 28.40%, not the 25% of the log approximation
    assert (lo, hi) == pytest.approx((100 * (np.exp(0.20) - 1), 100 * (np.exp(0.30) - 1)))
    pct_up, lo_up, hi_up = study.pct_effect(-0.25, -0.30, -0.20, change=1.0)
    assert pct_up == pytest.approx(100 * (np.exp(-0.25) - 1)) and lo_up < pct_up < hi_up


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_text_quotes_the_estimates_in_one_language(shipped, lang):
    _, est = shipped
    pct, lo, hi = study.pct_effect(est.fe_iv.estimate, est.fe_iv.conf_low, est.fe_iv.conf_high)
    text = study.results_paragraph(est, lang=lang)
    for v in (pct, lo, hi):
        assert f"{v:.1f}%" in text
    pieces = [text, study.tests_paragraph(est, lang=lang), study.exclusion_paragraph(est, lang=lang),
              study.truth_paragraph(est, lang=lang), study.front_matter(est, lang=lang)["abstract"],
              study.results_table(est, lang=lang).to_markdown(), study.tests_table(est, lang=lang).to_markdown()]
    for piece in pieces:
        if lang == "en":
            assert not re.search(r"[\u4e00-\u9fff]", piece)
        else:
            assert not latin_words(piece), latin_words(piece)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_instrument_strength_branches(lang):
    strong, weak = study.strength_sentence(25.0, lang=lang), study.strength_sentence(4.2, lang=lang)
    assert ("不弱" in strong and "偏弱" in weak) if lang == "zh" else ("not weak" in strong and "weak, the 2SLS" in weak)


def _fake(p):
    return SimpleNamespace(p_value=p, statistic=1.0, distribution="chi2(2)")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_specification_test_branches(shipped, lang):
    _, est = shipped

    class IV(SimpleNamespace):
        def endogeneity(self, method):
            return _fake(self.endo_p)

        def overid(self, method):
            return _fake(self.over_p)

    def text(mundlak_p, endo_p, over_p, n_instr=2):
        iv = IV(endo_p=endo_p, over_p=over_p, instruments=("z",) * n_instr)
        return study.tests_paragraph(dataclasses.replace(est, mundlak=_fake(mundlak_p), hausman=_fake(0.5), fe_iv=iv),
                                     lang=lang)

    bad_re, good_re = text(0.001, 0.001, 0.5), text(0.5, 0.5, 0.001)
    exact = text(0.5, 0.5, 0.5, n_instr=1)
    if lang == "zh":
        assert "随机效应估计不一致" in bad_re and "随机效应更有效" in good_re
        assert "仍是内生的" in bad_re and "不能拒绝利率外生" in good_re
        assert "彼此一致" in bad_re and "至少有一个违反排除性约束" in good_re and "恰好识别" in exact
    else:
        assert "random effects is inconsistent" in bad_re and "random effects is more efficient" in good_re
        assert "the rate is endogenous" in bad_re and "exogeneity is not rejected" in good_re
        assert "agree with each other" in bad_re and "violates the exclusion restriction" in good_re
        assert "exactly identified" in exact


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_exclusion_check_branches(shipped, lang):
    _, est = shipped
    check = SimpleNamespace(estimate=0.9, conf_low=0.2, conf_high=1.6, p_value=0.01, nobs=84)
    follows = study.exclusion_paragraph(dataclasses.replace(est, demand_check=check), lang=lang)
    clean = study.exclusion_paragraph(dataclasses.replace(est, demand_check=dataclasses.replace(est.demand_check)
                                                          if False else SimpleNamespace(**{**vars(check), "p_value": 0.4})),
                                      lang=lang)
    if lang == "zh":
        assert "排除性约束不成立" in follows and "只能发现滞后的需求" in clean
    else:
        assert "exclusion restriction fails" in follows and "detects only lagged demand" in clean


def test_demand_check_detects_quotas_that_follow_demand(shipped):
    data, est = shipped
    assert est.demand_check.p_value > 0.05  # the demo's quotas are set independently of demand
    p = data.panel.copy()
    g = p.groupby(["bank", "t"])["log_credit"].mean().groupby(level=0).diff().groupby(level=0).shift(1)
    p["relending"] = 1.0 + 3.0 * p.set_index(["bank", "t"]).index.map(g.fillna(0.0).to_dict()).to_numpy()
    assert study.demand_check(p).p_value < 0.001


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_truth_paragraph_reads_the_bias_directions(shipped, lang):
    _, est = shipped
    b = est.truth["rate_effect"]
    fake = dataclasses.replace(est, pooled=SimpleNamespace(estimate=b / 2), fe=SimpleNamespace(estimate=2 * b))
    text = study.truth_paragraph(fake, lang=lang)
    if lang == "zh":
        assert re.search(r"混合最小二乘（[-0-9.]+）低估", text) and re.search(r"固定效应普通最小二乘（[-0-9.]+）高估", text)
    else:
        assert "pooled OLS (-0.125) understates" in text and "fixed-effects OLS (-0.500) overstates" in text
    assert study.truth_paragraph(dataclasses.replace(est, truth=None), lang=lang) == ""
