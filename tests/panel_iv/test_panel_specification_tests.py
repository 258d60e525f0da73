"""Hausman (FE vs RE) and Mundlak tests against published and independent computations.

References:

* Heiss, F. (2020), *Using R for Introductory Econometrics*, 2e, Script 14.4
  (Example-HausmTest.R), on Wooldridge's Example 14.4 (WAGEPAN): ``phtest(reg.fe, reg.re)``
  with ``reg.fe <- plm(lwage ~ I(exper^2) + married + union + yr, model = "within")`` and
  ``reg.re <- plm(lwage ~ educ + black + hisp + exper + I(exper^2) + married + union + yr,
  model = "random")`` prints ``chisq = 26.361, df = 10, p-value = 0.003284``.
* Baltagi, B. H. (2013), *Econometric Analysis of Panel Data*, 5e, section 4.3.1, example 1
  (Grunfeld, inv ~ value + capital): Hausman m1 = 2.33 (as reproduced by R plm's test file
  tests/test_phtest_Hausman_regression.R: ``phtest(fe_grun, re_grun)``).
* linearmodels 7.1 ``RandomEffectsResults.hausman(fe_results, sigmamore=..., sigmaless=...)``.
* By hand (numpy): within OLS, Swamy–Arora random effects by quasi-demeaning
  (sigma_e^2 = SSR_within / (NT - N - k), sigma_b^2 = SSR_between / (N - k - 1),
  theta = 1 - sqrt(sigma_e^2 / (T sigma_b^2))), then H = d' (V_FE - V_RE)^-1 d.
* Mundlak: statsmodels 0.15 OLS of y on x and the entity means of x, clustered by entity
  (``cov_type="cluster"``), Wald test of the means; and the identity that the
  correlated-random-effects coefficients on x equal the FE estimates in a balanced panel
  (Wooldridge 2010, section 10.7.3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from panel_iv_helpers import YEARS, assert_printed
from scipy import stats

import research_kit as rk
from research_kit.panel import HausmanWarning

WAGE_RE = "lwage ~ 1 + educ + black + hisp + exper + expersq + married + union + " + YEARS
WAGE_FE = "lwage ~ expersq + married + union + " + YEARS


@pytest.fixture(scope="module")
def wage_fe_re(wagepan):
    return (rk.panel.fe(wagepan, WAGE_FE, entity="nr", time="year"),
            rk.panel.re(wagepan, WAGE_RE, entity="nr", time="year"))


def test_hausman_example_14_4_matches_heiss_phtest(wage_fe_re):
    fe, re_ = wage_fe_re
    with pytest.warns(HausmanWarning, match="not positive definite"):
        h = rk.panel.hausman(fe, re_)
    assert_printed(h.statistic, "26.361", "chisq")  # Heiss (2020), Script 14.4
    assert h.info["df"] == 10
    assert_printed(h.p_value, "0.003284", "p-value")
    assert h.estimate == h.statistic and h.term == "hausman" and h.info["distribution"] == "chi2(10)"
    assert h.info["terms"] == ("expersq", "married", "union", "d81", "d82", "d83", "d84", "d85", "d86", "d87")
    comp = h.extra["comparison"]
    np.testing.assert_allclose(comp.loc["union", "difference"], 0.080002 - 0.106134, atol=1e-5)


@pytest.mark.parametrize("sigma,kw", [("each", {}), ("efficient", {"sigmamore": True}),
                                      ("consistent", {"sigmaless": True})])
def test_hausman_matches_linearmodels(grunfeld, sigma, kw):
    fe = rk.panel.fe(grunfeld, "invest ~ value + capital", entity="firm", time="year")
    re_ = rk.panel.re(grunfeld, "invest ~ 1 + value + capital", entity="firm", time="year")
    h = rk.panel.hausman(fe, re_, sigma=sigma)
    ref = re_.extra["linearmodels"].hausman(fe.extra["linearmodels"], **kw).statistic
    np.testing.assert_allclose(h.statistic, ref.stat, rtol=1e-10)
    np.testing.assert_allclose(h.p_value, ref.pval, rtol=1e-8)
    assert h.info["df"] == ref.df == 2


def test_hausman_grunfeld_matches_baltagi_and_hand_computation(grunfeld):
    fe = rk.panel.fe(grunfeld, "invest ~ value + capital", entity="firm", time="year")
    re_ = rk.panel.re(grunfeld, "invest ~ 1 + value + capital", entity="firm", time="year")
    h = rk.panel.hausman(fe, re_)
    assert_printed(h.statistic, "2.33", "Baltagi (2013) m1")
    assert h.info["positive_definite"] is True
    # by hand
    g = grunfeld.sort_values(["firm", "year"])
    ids = g["firm"].to_numpy()
    X = g[["value", "capital"]].to_numpy(float)
    y = g["invest"].to_numpy(float)
    N, T, k = g["firm"].nunique(), g["year"].nunique(), 2

    def means(a):
        return pd.DataFrame(a).groupby(ids).transform("mean").to_numpy()

    Xw, yw = X - means(X), y - means(y[:, None])[:, 0]
    b_fe = np.linalg.solve(Xw.T @ Xw, Xw.T @ yw)
    s2_e = np.sum((yw - Xw @ b_fe) ** 2) / (N * T - N - k)
    V_fe = s2_e * np.linalg.inv(Xw.T @ Xw)
    Xb = np.column_stack([np.ones(N), pd.DataFrame(X).groupby(ids).mean().to_numpy()])
    yb = pd.Series(y).groupby(ids).mean().to_numpy()
    eb = yb - Xb @ np.linalg.lstsq(Xb, yb, rcond=None)[0]
    s2_b = eb @ eb / (N - k - 1)
    theta = 1 - np.sqrt(s2_e / (T * s2_b))
    Xq = np.column_stack([np.full(len(y), 1 - theta), X - theta * means(X)])
    yq = y - theta * means(y[:, None])[:, 0]
    b_re = np.linalg.solve(Xq.T @ Xq, Xq.T @ yq)
    s2_re = np.sum((yq - Xq @ b_re) ** 2) / (N * T - k - 1)
    V_re = s2_re * np.linalg.inv(Xq.T @ Xq)[1:, 1:]
    d = b_fe - b_re[1:]
    H = d @ np.linalg.solve(V_fe - V_re, d)
    np.testing.assert_allclose(re_.info["theta"], theta, rtol=1e-10)
    np.testing.assert_allclose(h.statistic, H, rtol=1e-8)
    np.testing.assert_allclose(h.p_value, stats.chi2.sf(H, 2), rtol=1e-8)


def test_mundlak_coefficients_equal_fixed_effects(wagepan, wage_fe_re):
    m = rk.panel.mundlak(wagepan, WAGE_RE, entity="nr", time="year")
    fe = wage_fe_re[0]
    model = m.extra["model"].params
    for term in ("expersq", "married", "union"):
        np.testing.assert_allclose(model[term], fe.params[term], rtol=1e-8)
    # the means of the year dummies and of exper are collinear with the year dummies: not tested
    assert m.info["terms"] == ("mean(expersq)", "mean(married)", "mean(union)")
    assert m.info["df"] == 3 and m.info["n_clusters"] == 545 and m.p_value < 0.001


def test_mundlak_pooled_matches_statsmodels_cluster_wald(wagepan):
    m = rk.panel.mundlak(wagepan, "lwage ~ 1 + union + married", entity="nr", time="year", estimator="pooled")
    df = wagepan.assign(
        m_union=wagepan.groupby("nr")["union"].transform("mean"),
        m_married=wagepan.groupby("nr")["married"].transform("mean"),
    )
    X = sm.add_constant(df[["union", "married", "m_union", "m_married"]])
    fit = sm.OLS(df["lwage"], X).fit(cov_type="cluster", cov_kwds={"groups": df["nr"]})
    b = fit.params[["m_union", "m_married"]].to_numpy()
    V = fit.cov_params().loc[["m_union", "m_married"], ["m_union", "m_married"]].to_numpy()
    W = b @ np.linalg.solve(V, b)
    np.testing.assert_allclose(m.statistic, W, rtol=1e-8)
    assert m.info["distribution"] == "chi2(2)"


def test_hausman_refuses_robust_or_mismatched_models(wagepan, wage_fe_re):
    fe, re_ = wage_fe_re
    with pytest.raises(ValueError, match="swapped"):
        rk.panel.hausman(re_, fe)
    fe_cl = rk.panel.fe(wagepan, WAGE_FE, entity="nr", time="year", cluster="nr")
    with pytest.raises(ValueError, match="unadjusted.*mundlak"):
        rk.panel.hausman(fe_cl, re_)
    small = rk.panel.re(wagepan.loc[wagepan["year"] < 1987], WAGE_RE.replace(" + d87", ""), entity="nr", time="year")
    with pytest.raises(ValueError, match="same observations"):
        rk.panel.hausman(fe, small)
    with pytest.raises(TypeError, match="research_kit.panel"):
        rk.panel.hausman(fe, "re")
    with pytest.raises(ValueError, match="sigma='most'"):
        rk.panel.hausman(fe, re_, sigma="most")
