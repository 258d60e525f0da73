"""Wild cluster bootstrap (research_kit.bootstrap) against the `wildboottest` and `pyfixest` packages.

References (Python, installed as test dependencies):
    wildboottest 0.3.2 (py-econometrics, the Python sibling of R fwildclusterboot):
        wb = WildboottestCL(X=X, Y=y, cluster=g, R=e_j, B=9999, seed=1)
        wb.get_scores(bootstrap_type="11", impose_null=True | False)   # WCR11 / WCU11, CR1 t-statistics
        wb.get_weights("rademacher"); wb.get_numer(); wb.get_denom(); wb.get_tboot()
        wb.get_vcov(); wb.get_tstat(); wb.get_pvalue("two-tailed")     # mean(|t| < |t*|)
    pyfixest 0.60: pf.feols("y ~ d | id + t", df, vcov={"CRV1": "county"})
        .wildboottest(param="d", reps=9999, return_bootstrapped_t_stats=True)   # one-hot FE dummies

With G = 9 clusters and reps = 9999 > 2^9 both packages and research_kit enumerate all
512 Rademacher sign vectors, so the comparison is deterministic (no seeds involved).
Under WCR the draws v = +1 and v = -1 reproduce the original |t| exactly; the
reference p-value counts them or not depending on rounding in the last bit (strict
`<`), research_kit treats them as ties (not more extreme). The exact comparison is
therefore made on the bootstrap t-statistics (all 512, to 1e-10) and on the p-value
recomputed from the *reference* t-statistics with the same tie rule; the raw reference
p-value is checked to differ from ours by the tied draws at most.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from wildboottest.wildboottest import WildboottestCL

import research_kit as rk
from research_kit.bootstrap import (
    BootstrapEnumerationWarning,
    bootstrap_weights,
    twfe_design,
    wild_bootstrap_twfe,
    wild_cluster_bootstrap,
)

TIE = 1e-10


def _reference(X, y, g, j, impose_null, V=None):
    """wildboottest's WCR11/WCU11 t-statistic, bootstrap t-statistics and p-value (optionally on our draws)."""
    R = np.zeros(X.shape[1])
    R[j] = 1.0
    wb = WildboottestCL(X=X, Y=y, cluster=g, R=R, B=9999, seed=1, parallel=False)
    wb.get_scores(bootstrap_type="11", impose_null=impose_null)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb.get_weights(weights_type="rademacher")
    if V is not None:  # our Webb draws pushed through their algorithm
        wb.v, wb.B = V, V.shape[1]
    wb.get_numer()
    wb.get_denom()
    wb.get_tboot()
    wb.get_vcov()
    wb.get_tstat()
    wb.get_pvalue(pval_type="two-tailed")
    t = float(np.ravel(wb.t_stat)[0])
    return t, np.asarray(wb.t_boot, dtype=float), float(wb.pvalue), float(wb.ssc)


@pytest.fixture(scope="module")
def ols_data():
    rng = np.random.default_rng(3)
    n, G = 300, 9
    g = rng.integers(0, G, n)
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.normal(size=n) + 0.5 * rng.normal(size=G)[g]])
    y = X @ [1.0, 0.3, 0.1] + rng.normal(size=G)[g] + rng.normal(size=n)
    return X, y, g


@pytest.fixture(scope="module")
def panel():
    """36 units in 9 counties, 6 periods; 4 counties treated (2 from t=3, 2 from t=4); county x period shocks."""
    rng = np.random.default_rng(5)
    nu, T = 36, 6
    df = pd.DataFrame({"id": np.repeat(np.arange(nu), T), "t": np.tile(np.arange(T), nu)})
    df["county"] = df["id"] % 9
    cohort = np.array([3, 3, 4, 4, 0, 0, 0, 0, 0])[df["county"]]
    df["d"] = ((cohort > 0) & (df["t"] >= cohort)).astype(int)
    df["y"] = (0.3 * df["d"] + rng.normal(size=nu)[df["id"]]
               + 0.5 * rng.normal(size=(9, T))[df["county"], df["t"]] + rng.normal(size=len(df)))
    return df


def _dummies(df):
    """[d, unit dummies, time dummies but the first] -- the model pyfixest's wildboottest one-hot encodes."""
    return np.column_stack([df["d"].to_numpy(float), pd.get_dummies(df["id"]).to_numpy(float),
                            pd.get_dummies(df["t"]).to_numpy(float)[:, 1:]])


def _check_against_reference(ours, t_ref, tb_ref, p_ref, scale=1.0):
    """t* to 1e-10; p with the tie rule applied to the reference t*; raw reference p within the ties."""
    tb_ours = ours.t_boot * scale
    np.testing.assert_allclose(np.sort(np.abs(tb_ours)), np.sort(np.abs(tb_ref)), rtol=0, atol=1e-10)
    p_ref_tied = np.mean(np.abs(tb_ref) > abs(t_ref) * (1 + TIE))
    assert abs(ours.p_value - p_ref_tied) < 1e-12
    ties = np.sum(np.isclose(np.abs(tb_ref), abs(t_ref), rtol=1e-9, atol=0))
    assert ours.p_value - 1e-12 <= p_ref <= ours.p_value + ties / len(tb_ref) + 1e-12


@pytest.mark.parametrize("impose_null", [True, False], ids=["WCR", "WCU"])
def test_ols_full_enumeration_matches_wildboottest(ols_data, impose_null):
    X, y, g = ols_data
    t_ref, tb_ref, p_ref, _ = _reference(X, y, g, 2, impose_null)
    with pytest.warns(BootstrapEnumerationWarning, match="512"):
        ours = wild_cluster_bootstrap(X, y, g, coef_index=2, reps=9999, impose_null=impose_null)
    assert ours.full_enumeration and ours.reps == 512
    assert abs(ours.statistic - t_ref) < 1e-10  # same CR1 factor G/(G-1) (N-1)/(N-K), K = 3
    _check_against_reference(ours, t_ref, tb_ref, p_ref)
    # numbers seen with these data (wildboottest 0.3.2): WCR p = 26/512 = 0.05078125, WCU p = 22/512
    assert ours.p_value == pytest.approx({True: 26 / 512, False: 22 / 512}[impose_null], abs=1e-12)


def test_webb_draws_through_wildboottest(ols_data):
    """Same Webb draws fed to wildboottest's algorithm: identical t* and p-value (no ties with Webb)."""
    X, y, g = ols_data
    V, full = bootstrap_weights(9, weights="webb", reps=999, seed=11)
    assert not full
    _, tb_ref, p_ref, _ = _reference(X, y, g, 1, True, V=V)
    ours = wild_cluster_bootstrap(X, y, g, coef_index=1, weights="webb", reps=999, seed=11)
    np.testing.assert_allclose(ours.t_boot, tb_ref, rtol=0, atol=1e-10)
    assert ours.p_value == pytest.approx(p_ref, abs=1e-12)


def test_webb_weights_distribution():
    V, _ = bootstrap_weights(7, weights="webb", reps=60_000, seed=0)
    support = np.sort(np.unique(V))
    np.testing.assert_allclose(support, [-np.sqrt(1.5), -1, -np.sqrt(0.5), np.sqrt(0.5), 1, np.sqrt(1.5)])
    # Webb (2014): mean 0, variance 1, fourth moment 7/6; equal probabilities 1/6 (MC sd ~0.0006)
    assert abs(V.mean()) < 0.01 and abs((V**2).mean() - 1) < 0.01 and abs((V**4).mean() - 7 / 6) < 0.02
    np.testing.assert_allclose(np.unique(V, return_counts=True)[1] / V.size, 1 / 6, atol=0.003)


@pytest.mark.parametrize("impose_null", [True, False], ids=["WCR", "WCU"])
def test_twfe_equals_dummy_regression_bootstrap(panel, impose_null):
    """Absorbed unit + time effects (time not nested in counties) == wildboottest on explicit dummies."""
    X = _dummies(panel)
    t_ref, tb_ref, p_ref, ssc_ref = _reference(X, panel["y"].to_numpy(), panel["county"].to_numpy(), 0, impose_null)
    with pytest.warns(BootstrapEnumerationWarning):
        r = wild_bootstrap_twfe(panel, outcome="y", unit="id", time="t", treat="d", cluster="county",
                                weights="rademacher", reps=9999, impose_null=impose_null)
    b = r.extra["bootstrap"]
    # the reference counts the 41 dummies in K, research_kit (like fixest) does not count the nested unit
    # effects: t-statistics differ by sqrt(ssc_ours / ssc_ref), p-values do not
    design, _ = twfe_design(panel, outcome=None, unit="id", time="t", treat="d", cluster="county")
    scale = np.sqrt(design.ssc / ssc_ref)
    assert abs(b.statistic * scale - t_ref) < 1e-10
    _check_against_reference(b, t_ref, tb_ref, p_ref, scale=scale)


def test_twfe_matches_pyfixest_wildboottest(panel):
    fit = pf.feols("y ~ d | id + t", data=panel, vcov={"CRV1": "county"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res, tb_ref = fit.wildboottest(param="d", reps=9999, seed=3, return_bootstrapped_t_stats=True)
        r = wild_bootstrap_twfe(panel, outcome="y", unit="id", time="t", treat="d", cluster="county",
                                weights="rademacher", reps=9999)
    b = r.extra["bootstrap"]
    scale = abs(float(res["t value"]) / b.statistic)
    _check_against_reference(b, float(res["t value"]), np.asarray(tb_ref, float), float(res["Pr(>|t|)"]), scale)
    # the point estimate and CR1 standard error are those of pyfixest / fixest (fixef.K = "nested")
    assert r.estimate == pytest.approx(float(fit.coef()["d"]), rel=1e-10)
    assert r.std_error == pytest.approx(float(fit.se()["d"]), rel=1e-8)


def test_twfe_estimate_and_se_equal_rk_twfe(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = rk.did.twfe(panel, outcome="y", unit="id", time="t", treat="d", cluster="county")
    r = wild_bootstrap_twfe(panel, outcome="y", unit="id", time="t", treat="d", cluster="county", reps=999, seed=1)
    assert r.estimate == pytest.approx(ref.estimate, rel=1e-12)
    assert r.std_error == pytest.approx(ref.std_error, rel=1e-12)
    assert r.info["weights"] == "webb" and r.info["reps"] == 999 and r.info["n_clusters"] == 9
    assert not r.info["full_enumeration"]
    tidy = r.tidy()
    assert tidy.loc[0, "p_value"] == r.extra["bootstrap"].p_value
    assert tidy.loc[0, "conf_low"] < r.estimate < tidy.loc[0, "conf_high"]


@pytest.mark.parametrize("impose_null", [True, False], ids=["WCR", "WCU"])
def test_confidence_interval_is_test_inversion(ols_data, impose_null):
    """Each end of the interval is where the *reference* p-value (wildboottest at H0: beta = b0,
    run as H0: beta = 0 on y - b0 * x) crosses 0.05: inside just within the end, outside just beyond it."""
    X, y, g = ols_data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = wild_cluster_bootstrap(X, y, g, coef_index=2, reps=9999, impose_null=impose_null)
    eps = 1e-6 * r.std_error
    for end, inward in ((r.conf_low, 1.0), (r.conf_high, -1.0)):
        for b0, inside in ((end + inward * eps, True), (end - inward * eps, False)):
            t_ref, tb_ref, _, _ = _reference(X, y - b0 * X[:, 2], g, 2, impose_null)
            p = np.mean(np.abs(tb_ref) > abs(t_ref) * (1 + TIE))
            assert (p >= 0.05) == inside, (end, b0, p)
            assert r.pvalue_at(b0) == pytest.approx(p, abs=1e-12)


def test_enumeration_rule_and_warning():
    rng = np.random.default_rng(0)
    g = np.repeat(np.arange(9), 20)
    X = np.column_stack([np.ones(180), rng.normal(size=180)])
    y = rng.normal(size=180)
    with pytest.warns(BootstrapEnumerationWarning, match="weights='webb'"):
        r = wild_cluster_bootstrap(X, y, g, coef_index=1, reps=512)
    assert r.full_enumeration and r.reps == 512
    with warnings.catch_warnings():
        warnings.simplefilter("error", BootstrapEnumerationWarning)
        r = wild_cluster_bootstrap(X, y, g, coef_index=1, reps=511, seed=0)  # 2^9 > reps: sampled
        assert not r.full_enumeration and r.reps == 511
        r = wild_cluster_bootstrap(X, y, g, coef_index=1, weights="webb", reps=9999, seed=0)
        assert not r.full_enumeration and r.reps == 9999
    # reproducible with a seed
    a = wild_cluster_bootstrap(X, y, g, coef_index=1, weights="webb", reps=999, seed=7)
    b = wild_cluster_bootstrap(X, y, g, coef_index=1, weights="webb", reps=999, seed=7)
    assert a.p_value == b.p_value and a.conf_low == b.conf_low


def test_bad_input():
    X = np.column_stack([np.ones(20), np.arange(20.0)])
    y = np.arange(20.0) % 3
    g = np.repeat(np.arange(4), 5)
    with pytest.raises(ValueError, match="'rademacher', 'webb'"):
        wild_cluster_bootstrap(X, y, g, coef_index=1, weights="mammen")
    with pytest.raises(ValueError, match="positive integer"):
        wild_cluster_bootstrap(X, y, g, coef_index=1, reps=0)
    with pytest.raises(ValueError, match="y has 19 values"):
        wild_cluster_bootstrap(X, y[:-1], g, coef_index=1)
    with pytest.raises(IndexError, match="coef_index=5"):
        wild_cluster_bootstrap(X, y, g, coef_index=5)
    with pytest.raises(ValueError, match="rank deficient"):
        wild_cluster_bootstrap(np.column_stack([X, X[:, 1]]), y, g, coef_index=1)
    with pytest.raises(KeyError, match="cluster column 'nope'"):
        wild_bootstrap_twfe(pd.DataFrame({"y": y, "i": g, "t": np.arange(20) % 5, "d": 0}), outcome="y", unit="i",
                            time="t", treat="d", cluster="nope")
