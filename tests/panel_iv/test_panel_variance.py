"""Panel standard errors against independent implementations.

* Clustered (one-way): pyfixest 0.60 ``pf.feols("lwage ~ union + married | nr", vcov={"CRV1": "nr"},
  ssc=pf.ssc(k_adj=False, G_adj=False))`` (the raw sandwich) times
  ``G/(G-1) * (N-1)/(N-k)`` (k = 2: entity effects nested in the cluster are not counted), i.e.
  fixest's CR1 and Stata's ``xtreg, fe vce(cluster nr)``.
* Clustered (two-way, entity and year): pyfixest ``vcov={"CRV1": "nr+year"}`` with
  ``ssc(k_adj=False, G_adj=False)`` for ``debiased=False``; for ``debiased=True`` the
  Cameron–Gelbach–Miller formula by hand, V1 + V2 - V12 with each term's G/(G-1), times (N-1)/(N-k).
* Two-way fixed effects clustered by entity: pyfixest ``| nr + year`` raw sandwich times
  G/(G-1) (N-1)/(N-K) with K counting all effects (see the test).
* Pooled OLS robust / clustered: statsmodels 0.15 ``smf.ols(...).fit(cov_type="HC1")`` and
  ``fit(cov_type="cluster", cov_kwds={"groups": ...})`` (G/(G-1) (N-1)/(N-K)).
* Driscoll–Kraay: (a) linearmodels' own kernel covariance, ``PanelOLS(...).fit(cov_type="kernel",
  kernel="bartlett", bandwidth=2)``; (b) the formula by hand in numpy: with the within-demeaned
  regressors X and residuals e, xi_t = sum_i x_it e_it, S = G_0 + sum_{j=1..L} (1 - j/(L+1))
  (G_j + G_j'), G_j = sum_t xi_t xi_{t-j}', V = n / (n - N - k) (X'X)^-1 S (X'X)^-1
  (N absorbed entity effects; k regressors counted with debiased=True).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.formula.api as smf
from linearmodels import PanelOLS

import research_kit as rk
from research_kit.inference import FewClustersWarning


def _within(df: pd.DataFrame, y: str, xs: list[str], entity: str) -> tuple[np.ndarray, np.ndarray]:
    X = df[xs].to_numpy(float)
    g = df[entity].to_numpy()
    Xd = X - pd.DataFrame(X).groupby(g).transform("mean").to_numpy()
    yv = df[y].to_numpy(float)
    yd = yv - pd.Series(yv).groupby(g).transform("mean").to_numpy()
    return Xd, yd


def test_fe_clustered_by_entity_matches_pyfixest_cr1(wagepan):
    r = rk.panel.fe(wagepan, "lwage ~ union + married", entity="nr", time="year", cluster="nr")
    f = pf.feols("lwage ~ union + married | nr", data=wagepan, vcov={"CRV1": "nr"},
                 ssc=pf.ssc(k_adj=False, G_adj=False))
    N, k, G = len(wagepan), 2, wagepan["nr"].nunique()
    np.testing.assert_allclose(r.params.to_numpy(), f.coef().to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(r.tidy()["std_error"], f.se().to_numpy() * np.sqrt(G / (G - 1) * (N - 1) / (N - k)),
                               rtol=1e-8)
    assert r.info["cluster"] == "nr" and r.info["n_clusters"] == 545 and r.info["cov_type"] == "clustered"
    assert r.info["df"] == N - 545 - k  # linearmodels' t reference distribution: its df_resid


def test_fe_two_way_clustering_matches_pyfixest_and_cgm_formula(wagepan):
    with pytest.warns(FewClustersWarning, match="8 clusters"):
        raw = rk.panel.fe(wagepan, "lwage ~ union + married", entity="nr", time="year", cluster=["nr", "year"],
                          debiased=False)
    f = pf.feols("lwage ~ union + married | nr", data=wagepan, vcov={"CRV1": "nr+year"},
                 ssc=pf.ssc(k_adj=False, G_adj=False))
    np.testing.assert_allclose(raw.tidy()["std_error"], f.se().to_numpy(), rtol=1e-8)
    assert raw.info["cluster"] == ("nr", "year") and raw.info["n_clusters"] == 8
    # debiased=True: Cameron-Gelbach-Miller V1 + V2 - V12, each with its own G/(G-1), times (N-1)/(N-k)
    with pytest.warns(FewClustersWarning):
        r = rk.panel.fe(wagepan, "lwage ~ union + married", entity="nr", time="year", cluster=["nr", "year"])
    Xd, yd = _within(wagepan, "lwage", ["union", "married"], "nr")
    e = yd - Xd @ np.linalg.solve(Xd.T @ Xd, Xd.T @ yd)
    sc = Xd * e[:, None]

    def meat(groups: np.ndarray) -> np.ndarray:
        s = pd.DataFrame(sc).groupby(groups).sum().to_numpy()
        G = len(s)
        return s.T @ s * G / (G - 1)

    N, k = len(wagepan), 2
    A = np.linalg.inv(Xd.T @ Xd)
    M = meat(wagepan["nr"].to_numpy()) + meat(wagepan["year"].to_numpy()) - meat(np.arange(N))
    V = (N - 1) / (N - k) * A @ M @ A
    np.testing.assert_allclose(r.tidy()["std_error"], np.sqrt(np.diag(V)), rtol=1e-8)


def test_pooled_robust_and_clustered_match_statsmodels(wagepan):
    formula = "lwage ~ 1 + union + married + educ"
    r = rk.panel.pooled(wagepan, formula, entity="nr", time="year", cov_type="robust")
    s = smf.ols(formula, wagepan).fit(cov_type="HC1")
    np.testing.assert_allclose(r.tidy()["std_error"], s.bse.to_numpy(), rtol=1e-9)
    df = wagepan.assign(region=wagepan["nr"] % 41)
    r = rk.panel.pooled(df, formula, entity="nr", time="year", cluster="region")
    s = smf.ols(formula, df).fit(cov_type="cluster", cov_kwds={"groups": df["region"]})
    np.testing.assert_allclose(r.tidy()["std_error"], s.bse.to_numpy(), rtol=1e-9)
    assert r.info["n_clusters"] == 41


@pytest.mark.parametrize("debiased", [False, True])
def test_driscoll_kraay_matches_linearmodels_and_hand_formula(wagepan, debiased):
    r = rk.panel.fe(wagepan, "lwage ~ union + married", entity="nr", time="year", cov_type="driscoll_kraay",
                    debiased=debiased)
    assert r.info["cov_type"] == "driscoll_kraay" and r.info["kernel"] == "bartlett"
    assert r.info["bandwidth"] == 2  # floor(4 (8/100)^(2/9)), linearmodels' rule of thumb
    # (a) linearmodels directly
    lm = PanelOLS.from_formula("lwage ~ union + married + EntityEffects", wagepan.set_index(["nr", "year"])).fit(
        cov_type="kernel", kernel="bartlett", bandwidth=2, debiased=debiased)
    np.testing.assert_allclose(r.tidy()["std_error"], lm.std_errors.to_numpy(), rtol=1e-10)
    # (b) by hand
    Xd, yd = _within(wagepan, "lwage", ["union", "married"], "nr")
    b = np.linalg.solve(Xd.T @ Xd, Xd.T @ yd)
    e = yd - Xd @ b
    xi = pd.DataFrame(Xd * e[:, None]).groupby(wagepan["year"].to_numpy()).sum().to_numpy()
    L = 2
    S = xi.T @ xi
    for j in range(1, L + 1):
        Gj = xi[j:].T @ xi[:-j]
        S += (1 - j / (L + 1)) * (Gj + Gj.T)
    A = np.linalg.inv(Xd.T @ Xd)
    n, N, k = len(wagepan), wagepan["nr"].nunique(), 2
    V = n / (n - N - (k if debiased else 0)) * A @ S @ A
    np.testing.assert_allclose(r.tidy()["std_error"], np.sqrt(np.diag(V)), rtol=1e-8)
    np.testing.assert_allclose(r.params.to_numpy(), b, rtol=1e-9)


def test_driscoll_kraay_bandwidth_and_kernel_are_passed_on(wagepan):
    a = rk.panel.fe(wagepan, "lwage ~ union", entity="nr", time="year", cov_type="kernel", bandwidth=4,
                    kernel="parzen")
    lm = PanelOLS.from_formula("lwage ~ union + EntityEffects", wagepan.set_index(["nr", "year"])).fit(
        cov_type="kernel", kernel="parzen", bandwidth=4)
    np.testing.assert_allclose(a.std_error, lm.std_errors.iloc[0], rtol=1e-10)
    b = rk.panel.fe(wagepan, "lwage ~ union", entity="nr", time="year", cov_type="kernel", bandwidth=0)
    assert a.info["bandwidth"] == 4 and a.info["kernel"] == "parzen" and b.std_error != a.std_error


def test_time_effects_match_pyfixest_two_way_fixed_effects(wagepan):
    r = rk.panel.fe(wagepan, "lwage ~ union + married + expersq", entity="nr", time="year", time_effects=True,
                    cluster="nr")
    f = pf.feols("lwage ~ union + married + expersq | nr + year", data=wagepan, vcov={"CRV1": "nr"},
                 ssc=pf.ssc(k_adj=False, G_adj=False))
    np.testing.assert_allclose(r.params.to_numpy(), f.coef().to_numpy(), rtol=1e-8)
    assert r.info["fixed_effects"] == ("nr", "year")
    # Only the entity effects are nested in the cluster, and linearmodels counts all effects or
    # none: all are counted (conservative), K = 3 + 545 + 7; fixest would count K = 3 + 7.
    N, G = len(wagepan), 545
    factor = G / (G - 1) * (N - 1) / (N - 3 - 545 - 7)
    np.testing.assert_allclose(r.tidy()["std_error"], f.se().to_numpy() * np.sqrt(factor), rtol=1e-8)


def test_weights_match_pyfixest(wagepan):
    df = wagepan.assign(w=1.0 + (wagepan["nr"] % 3))
    r = rk.panel.fe(df, "lwage ~ union + married", entity="nr", time="year", weights="w", cov_type="robust")
    f = pf.feols("lwage ~ union + married | nr", data=df, weights="w", vcov="hetero")
    np.testing.assert_allclose(r.params.to_numpy(), f.coef().to_numpy(), rtol=1e-8)


def test_no_spurious_warnings_on_clean_data(wagepan):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rk.panel.fe(wagepan, "lwage ~ union", entity="nr", time="year", cluster="nr")
        rk.panel.re(wagepan, "lwage ~ 1 + union", entity="nr", time="year")
