"""IV estimators and diagnostics against independent computations.

* Clustered 2SLS: pyfixest 0.60 ``pf.feols("lwage ~ exper + expersq | educ ~ motheduc + fatheduc",
  vcov={"CRV1": "g"})`` (CR1: G/(G-1) (N-1)/(N-K)) for ``debiased=True``, and with
  ``ssc=pf.ssc(k_adj=False, G_adj=False)`` for ``debiased=False``.
* Robust first-stage F: statsmodels 0.15 OLS of educ on the exogenous regressors and the
  instruments with ``cov_type="HC1"``, Wald statistic of the instruments divided by q
  (what Stata's ``estat firststage`` and R ``ivreg``'s diagnostics report).
* LIML / Fuller: the k-class estimator by hand, ``b = [X'(I - kappa M_Z) X]^-1 X'(I - kappa M_Z) y``
  with kappa the smallest eigenvalue of ``(W' M_X W)^-1 (W' M_Z W)``, W = [y, endogenous],
  X the exogenous regressors, Z all instruments; Fuller: ``kappa - a / (n - L)``, L = columns of Z
  (Fuller 1977; linearmodels' documented definition). Anderson–Rubin LR: ``n ln(kappa)``.
  Exactly identified LIML equals 2SLS.
* Weighted 2SLS by hand: ``b = (X'W P X)^-1 X'W P y`` with P the weighted projection on Z.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

import research_kit as rk

EX_15_5 = "lwage ~ 1 + exper + expersq + [educ ~ motheduc + fatheduc]"


@pytest.fixture(scope="module")
def mroz_g(mroz_working):
    return mroz_working.assign(g=np.arange(len(mroz_working)) % 40)


@pytest.mark.parametrize("debiased", [True, False])
def test_clustered_2sls_matches_pyfixest(mroz_g, debiased):
    r = rk.iv.tsls(mroz_g, EX_15_5, cluster="g", debiased=debiased)
    ssc = pf.ssc() if debiased else pf.ssc(k_adj=False, G_adj=False)
    f = pf.feols("lwage ~ exper + expersq | educ ~ motheduc + fatheduc", data=mroz_g, vcov={"CRV1": "g"}, ssc=ssc)
    order = ["Intercept", "exper", "expersq", "educ"]
    np.testing.assert_allclose(r.params[order].to_numpy(), f.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(r.tidy().set_index("term").loc[order, "std_error"], f.se().to_numpy(), rtol=1e-8)
    assert r.info["cov_type"] == "clustered" and r.info["cluster"] == "g" and r.info["n_clusters"] == 40


def test_robust_first_stage_f_matches_statsmodels_hc1(mroz_working):
    r = rk.iv.tsls(mroz_working, EX_15_5)
    X = sm.add_constant(mroz_working[["exper", "expersq", "motheduc", "fatheduc"]])
    ols = sm.OLS(mroz_working["educ"], X).fit(cov_type="HC1")
    b = ols.params[["motheduc", "fatheduc"]].to_numpy()
    V = ols.cov_params().loc[["motheduc", "fatheduc"], ["motheduc", "fatheduc"]].to_numpy()
    F = b @ np.linalg.solve(V, b) / 2
    fs = r.first_stage().loc["educ"]
    np.testing.assert_allclose(fs["f_stat"], F, rtol=1e-8)
    assert (fs["f_df1"], fs["f_df2"]) == (2, 423)
    reg = r.first_stage_regression()
    np.testing.assert_allclose(reg.params[["motheduc", "fatheduc"]].to_numpy(), b, rtol=1e-10)
    np.testing.assert_allclose(reg.tidy().set_index("term").loc[["motheduc", "fatheduc"], "std_error"],
                               np.sqrt(np.diag(V)), rtol=1e-8)


def _kclass(df: pd.DataFrame, fuller: float = 0.0) -> tuple[np.ndarray, float]:
    y = df["lwage"].to_numpy(float)
    ex = np.column_stack([np.ones(len(df)), df[["exper", "expersq"]].to_numpy(float)])
    en = df[["educ"]].to_numpy(float)
    Z = np.column_stack([ex, df[["motheduc", "fatheduc"]].to_numpy(float)])

    def annihilate(A, B):
        return A - B @ np.linalg.lstsq(B, A, rcond=None)[0]

    W = np.column_stack([y, en])
    kappa = float(np.min(np.linalg.eigvals(np.linalg.solve(annihilate(W, Z).T @ W, annihilate(W, ex).T @ W)).real))
    kappa -= fuller / (len(df) - Z.shape[1])
    X = np.column_stack([ex, en])
    MzX, Mzy = annihilate(X, Z), annihilate(y[:, None], Z)[:, 0]
    A = X.T @ X - kappa * X.T @ MzX
    c = X.T @ y - kappa * X.T @ Mzy
    return np.linalg.solve(A, c), kappa


@pytest.mark.parametrize("fuller", [0.0, 1.0, 4.0])
def test_liml_and_fuller_match_hand_k_class(mroz_working, fuller):
    r = rk.iv.liml(mroz_working, EX_15_5, fuller=fuller, cov_type="unadjusted")
    b, kappa = _kclass(mroz_working, fuller)
    np.testing.assert_allclose(r.info["kappa"], kappa, rtol=1e-10)
    np.testing.assert_allclose(r.params[["Intercept", "exper", "expersq", "educ"]].to_numpy(), b, rtol=1e-8)
    assert r.estimator == "liml" and r.term == "educ"
    if fuller == 0.0:
        ar = r.overid("anderson_rubin")
        np.testing.assert_allclose(ar.statistic, len(mroz_working) * np.log(kappa), rtol=1e-8)


def test_exactly_identified_liml_equals_2sls(mroz_working):
    f = "lwage ~ 1 + exper + expersq + [educ ~ fatheduc]"
    a = rk.iv.liml(mroz_working, f, cov_type="unadjusted")
    b = rk.iv.tsls(mroz_working, f, cov_type="unadjusted")
    np.testing.assert_allclose(a.params.to_numpy(), b.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(a.info["kappa"], 1.0, rtol=1e-10)
    with pytest.raises(ValueError, match="exactly identified"):
        b.overid()


def test_weighted_2sls_matches_hand_computation(mroz_working):
    df = mroz_working.assign(w=1.0 + (np.arange(len(mroz_working)) % 3))
    r = rk.iv.tsls(df, EX_15_5, weights="w", cov_type="unadjusted")
    sw = np.sqrt(df["w"].to_numpy())[:, None]
    X = np.column_stack([np.ones(len(df)), df[["exper", "expersq", "educ"]].to_numpy(float)]) * sw
    Z = np.column_stack([np.ones(len(df)), df[["exper", "expersq", "motheduc", "fatheduc"]].to_numpy(float)]) * sw
    y = df["lwage"].to_numpy(float) * sw[:, 0]
    Xh = Z @ np.linalg.lstsq(Z, X, rcond=None)[0]
    b = np.linalg.solve(Xh.T @ X, Xh.T @ y)
    np.testing.assert_allclose(r.params[["Intercept", "exper", "expersq", "educ"]].to_numpy(), b, rtol=1e-8)


def test_simulation_with_known_truth_recovers_the_effect():
    # y = 1 + 0.5 d + u, d endogenous through u; z shifts d. OLS is biased upward, 2SLS is not.
    rng = np.random.default_rng(20240601)
    n = 20_000
    z1, z2, u, v = rng.normal(size=(4, n))
    d = 0.8 * z1 + 0.4 * z2 + u + v
    df = pd.DataFrame({"y": 1 + 0.5 * d + u, "d": d, "z1": z1, "z2": z2})
    r = rk.iv.tsls(df, "y ~ 1 + [d ~ z1 + z2]")
    assert abs(r.estimate - 0.5) < 3 * r.std_error and r.std_error < 0.02
    assert r.conf_low < 0.5 < r.conf_high
    assert r.endogeneity("wooldridge_score").p_value < 1e-6  # d is endogenous
    assert r.overid("wooldridge").p_value > 0.001  # both instruments valid
