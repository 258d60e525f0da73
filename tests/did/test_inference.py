"""Variance estimators of research_kit.inference against statsmodels 0.15 and pyfixest 0.60.

References (Python):
    sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g})   # CR1: G/(G-1) (N-1)/(N-K)
    sm.WLS(y, X, weights=w).fit(cov_type="cluster", ...)
    sm.OLS(y, X).fit(cov_type="HC1")
    pf.feols("y ~ x", data, vcov={"CRV1": "c1+c2"})                  # two-way, G = min(G1, G2)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm
from scipy import stats

from research_kit.inference import (
    FewClustersWarning,
    cluster_robust_vcov,
    hc1_vcov,
    influence_function_se,
    twoway_cluster_vcov,
    wald_test,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    n = 1200
    c1 = rng.integers(0, 60, n)
    c2 = rng.integers(0, 45, n)
    x = rng.normal(size=n) + 0.3 * rng.normal(size=60)[c1]
    y = 1.0 + 0.5 * x + rng.normal(size=60)[c1] + rng.normal(size=n)
    w = rng.uniform(0.5, 2, n)
    return pd.DataFrame({"y": y, "x": x, "c1": c1, "c2": c2, "w": w})


def _ols(df, weights=None):
    X = np.column_stack([np.ones(len(df)), df["x"]])
    w = None if weights is None else df[weights].to_numpy()
    sw = 1 if w is None else np.sqrt(w)
    beta = np.linalg.lstsq(X * (sw if w is None else sw[:, None]), df["y"] * sw, rcond=None)[0]
    return X, df["y"].to_numpy() - X @ beta, w


def test_cr1_matches_statsmodels(data):
    X, e, _ = _ols(data)
    ref = sm.OLS(data["y"], X).fit(cov_type="cluster", cov_kwds={"groups": data["c1"]}).cov_params()
    np.testing.assert_allclose(cluster_robust_vcov(X, e, data["c1"]), ref, rtol=1e-10)


def test_weighted_cr1_matches_statsmodels(data):
    X, e, w = _ols(data, "w")
    ref = sm.WLS(data["y"], X, weights=w).fit(cov_type="cluster", cov_kwds={"groups": data["c1"]}).cov_params()
    np.testing.assert_allclose(cluster_robust_vcov(X, e, data["c1"], weights=w), ref, rtol=1e-10)


def test_hc1_matches_statsmodels(data):
    X, e, _ = _ols(data)
    ref = sm.OLS(data["y"], X).fit(cov_type="HC1").cov_params()
    np.testing.assert_allclose(hc1_vcov(X, e), ref, rtol=1e-10)


def test_twoway_matches_pyfixest(data):
    X, e, _ = _ols(data)
    f = pf.feols("y ~ x", data=data, vcov={"CRV1": "c1+c2"})
    V = twoway_cluster_vcov(X, e, data["c1"], data["c2"])
    np.testing.assert_allclose(np.sqrt(np.diag(V)), f.se().to_numpy(), rtol=1e-8)


def test_influence_function_se_unit_and_cluster():
    rng = np.random.default_rng(0)
    psi = rng.normal(size=(500, 3))
    np.testing.assert_allclose(influence_function_se(psi), np.sqrt((psi**2).mean(0) / 500))
    # every unit its own cluster gives the unclustered value; coarser clusters sum first
    np.testing.assert_allclose(influence_function_se(psi, np.arange(500)), influence_function_se(psi))
    cl = np.arange(500) // 10
    sums = pd.DataFrame(psi).groupby(cl).sum().to_numpy()
    np.testing.assert_allclose(influence_function_se(psi, cl), np.sqrt((sums**2).sum(0)) / 500)


def test_wald_test_is_chi_squared():
    b = np.array([0.5, -0.2])
    V = np.array([[0.04, 0.01], [0.01, 0.09]])
    out = wald_test(b, V)
    stat = b @ np.linalg.inv(V) @ b
    assert out["df"] == 2
    np.testing.assert_allclose(out["statistic"], stat)
    np.testing.assert_allclose(out["p_value"], stats.chi2.sf(stat, 2))
    assert np.isnan(wald_test(b, np.ones((2, 2)))["statistic"])  # singular


def test_few_clusters_warning_points_at_the_caller(data):
    X, e, _ = _ols(data)
    with pytest.warns(FewClustersWarning, match="wild cluster bootstrap") as record:
        cluster_robust_vcov(X, e, data["c1"] % 12, name="region")
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cluster_robust_vcov(X, e, data["c1"])  # 60 clusters: no warning


def test_single_cluster_is_an_error(data):
    X, e, _ = _ols(data)
    with pytest.raises(ValueError, match="'region' has a single cluster"):
        cluster_robust_vcov(X, e, np.zeros(len(e)), name="region")
    with pytest.raises(ValueError, match="missing values"):
        cluster_robust_vcov(X, e, np.where(np.arange(len(e)) < 5, np.nan, 1.0), name="region")
