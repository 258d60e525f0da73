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
        assert "模拟" in study.data_notice("zh") and "synthetic" in study.data_notice("en")
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
