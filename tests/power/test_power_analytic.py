"""Analytic power and MDE against statsmodels, published special cases, and simulation.

References
----------
* statsmodels 0.15 ``statsmodels.stats.power.TTestIndPower().power(effect_size, nobs1,
  alpha, ratio, alternative=...)``, ``.solve_power(effect_size=None, ...)`` and
  ``NormalIndPower`` (the no-clustering case), compared at rtol 1e-6.
* Bloom (1995), "Minimum detectable effects", Evaluation Review 19(5), Table 1:
  multiplier for large df, alpha = .05, power = .80: two-tailed 2.80, one-tailed 2.49.
* Bloom (1995) / Duflo, Glennerster and Kremer (2007, eq. 11) design effect for a
  post-only comparison of clustered means: SE = sd sqrt((icc + (1 - icc)/m) / (P(1-P)J)).
* McKenzie (2012, J. Dev. Econ. 99, eq. for DiD with constant autocorrelation rho):
  Var = sd^2 (1 - rho)(1/m + 1/r) / (P(1-P)n) with m pre and r post rounds.
* Simulation with known truth: the clustered DGP of research_kit.power.analytic
  (AR(1) errors, ICC), estimated by the collapsed DiD (pooled two-sample t test on
  cluster-mean changes, df = J - 2) — rejection rate within 4 Monte Carlo se.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower, TTestIndPower

from research_kit import did
from research_kit.power import (
    did_se,
    mde_did,
    mde_from_se,
    mde_two_sample,
    power_did,
    power_from_se,
    power_two_sample,
    serial_corr_matrix,
)

SD = 2.0
GRID = [(n, ratio, d, alpha, alt) for n in (10, 64, 250) for ratio in (1.0, 2.5) for d in (0.2, 0.5)
        for alpha in (0.05, 0.01) for alt in ("two-sided", "larger", "smaller")]


@pytest.mark.parametrize(("nobs1", "ratio", "d", "alpha", "alt"), GRID)
def test_two_sample_power_matches_statsmodels(nobs1, ratio, d, alpha, alt):
    effect = -d if alt == "smaller" else d
    for dist, ref in (("t", TTestIndPower()), ("normal", NormalIndPower())):
        expected = ref.power(effect_size=effect, nobs1=nobs1, alpha=alpha, ratio=ratio, alternative=alt)
        if np.isnan(expected):
            # statsmodels uses scipy's nct.cdf for the lower tail, NaN far out (here n = 250, 625, d = 0.5);
            # that tail is < 1e-20, so the two-sided power is the upper tail at alpha / 2.
            expected = ref.power(effect_size=effect, nobs1=nobs1, alpha=alpha / 2, ratio=ratio, alternative="larger")
        got = power_two_sample(effect * SD, nobs1, ratio=ratio, sd=SD, alpha=alpha, alternative=alt, dist=dist)
        assert got == pytest.approx(expected, rel=1e-6, abs=1e-12), dist


@pytest.mark.parametrize(("nobs1", "ratio", "alpha", "alt", "power"),
                         [(10, 1.0, 0.05, "two-sided", 0.8), (64, 1.0, 0.05, "two-sided", 0.8),
                          (64, 2.5, 0.01, "larger", 0.9), (250, 0.5, 0.05, "two-sided", 0.5),
                          (30, 1.0, 0.10, "larger", 0.8)])
def test_two_sample_mde_matches_statsmodels(nobs1, ratio, alpha, alt, power):
    for dist, ref in (("t", TTestIndPower()), ("normal", NormalIndPower())):
        got = mde_two_sample(nobs1, ratio=ratio, sd=SD, alpha=alpha, power=power, alternative=alt, dist=dist)
        # our MDE is a root of statsmodels' power function to 1e-9 ...
        at = ref.power(effect_size=got / SD, nobs1=nobs1, alpha=alpha, ratio=ratio, alternative=alt)
        assert at == pytest.approx(power, abs=1e-9), dist
        # ... and statsmodels' own solver agrees to its tolerance (its root misses the power by up to 5e-6)
        expected = ref.solve_power(effect_size=None, nobs1=nobs1, alpha=alpha, power=power, ratio=ratio,
                                   alternative=alt)
        assert got / SD == pytest.approx(float(np.squeeze(expected)), rel=2e-5), dist


@pytest.mark.parametrize(("J", "P"), [(20, 0.5), (57, 0.3), (200, 0.75)])
def test_did_without_clustering_or_pre_period_is_the_two_sample_test(J, P):
    for d in (0.1, 0.4, 0.9):
        expected = TTestIndPower().power(effect_size=d, nobs1=P * J, alpha=0.05, ratio=(1 - P) / P)
        assert power_did(d * SD, J, n_pre=0, n_post=1, sd=SD, treated_share=P) == pytest.approx(expected, rel=1e-6)


def test_bloom_multipliers():
    # Bloom (1995) Table 1, infinite df: 2.80 (two-tailed) and 2.49 (one-tailed), alpha .05, power .80
    assert round(mde_from_se(1.0, dist="normal"), 2) == 2.80
    assert round(mde_from_se(1.0, dist="normal", alternative="larger"), 2) == 2.49
    z = stats.norm.ppf
    # the exact root counts the other tail (probability ~1e-6), so it is 3.4e-6 below Bloom's sum of quantiles
    assert mde_from_se(1.0, dist="normal") == pytest.approx(z(0.975) + z(0.8), rel=2e-6)
    assert mde_from_se(1.0, dist="normal", alternative="larger") == pytest.approx(z(0.95) + z(0.8), rel=1e-12)


@pytest.mark.parametrize(("icc", "m", "P", "J"), [(0.0, 1, 0.5, 30), (0.05, 20, 0.5, 40), (0.2, 130, 0.3, 9)])
def test_bloom_design_effect(icc, m, P, J):
    expected = SD * np.sqrt((icc + (1 - icc) / m) / (P * (1 - P) * J))
    assert did_se(J, cluster_size=m, n_pre=0, n_post=1, icc=icc, sd=SD, treated_share=P) == pytest.approx(expected,
                                                                                                          rel=1e-12)


@pytest.mark.parametrize(("rho", "m", "r"), [(0.0, 1, 1), (0.5, 3, 3), (0.3, 1, 5), (0.8, 6, 2)])
def test_mckenzie_constant_autocorrelation(rho, m, r):
    J, P = 100, 0.5
    expected = SD * np.sqrt((1 - rho) * (1 / m + 1 / r) / (P * (1 - P) * J))
    got = did_se(J, n_pre=m, n_post=r, autocorr=rho, correlation="exchangeable", sd=SD, treated_share=P)
    assert got == pytest.approx(expected, rel=1e-12)


def test_corr_matrix_option_equals_the_built_in_structures():
    R = serial_corr_matrix(6, 0.6)
    a = did_se(30, cluster_size=8, n_pre=3, n_post=3, icc=0.1, autocorr=0.6)
    b = did_se(30, cluster_size=8, n_pre=3, n_post=3, icc=0.1, corr_matrix=R)
    assert a == pytest.approx(b, rel=1e-14)
    # serial correlation matters (Burlig, Preonas and Woerman 2020): in a short panel AR(1) correlation
    # raises the SE relative to independence, while exchangeable correlation (a permanent effect) lowers it
    iid = did_se(30, cluster_size=8, n_pre=3, n_post=3, icc=0.1)
    assert a > iid > did_se(30, cluster_size=8, n_pre=3, n_post=3, icc=0.1, autocorr=0.6, correlation="exchangeable")


def _simulate_collapsed_did(J, m, n_pre, n_post, icc, phi, phi_c, effect, R, seed, P=0.5):
    """Rejection rate and SD of the collapsed DiD under the documented DGP (numpy, vectorised)."""
    rng = np.random.default_rng(seed)
    T = n_pre + n_post
    Le = np.linalg.cholesky(serial_corr_matrix(T, phi))
    Lc = np.linalg.cholesky(serial_corr_matrix(T, phi_c))
    e = rng.standard_normal((R, J, m, T)) @ Le.T * np.sqrt(1 - icc)
    c = rng.standard_normal((R, J, 1, T)) @ Lc.T * np.sqrt(icc)
    unit_fe = rng.normal(0, 3, (R, J, m, 1))
    time_fe = np.linspace(0, 2, T)
    Jt = round(P * J)
    treat = np.zeros(J, bool)
    treat[:Jt] = True
    post = np.arange(T) >= n_pre
    y = unit_fe + time_fe + c + e + effect * (treat[None, :, None, None] & post[None, None, None, :])
    cm = y.mean(axis=2)  # (R, J, T) cluster means
    delta = cm[..., post].mean(-1) - cm[..., ~post].mean(-1)
    res = stats.ttest_ind(delta[:, treat], delta[:, ~treat], axis=1)
    beta = delta[:, treat].mean(1) - delta[:, ~treat].mean(1)
    return np.mean(res.pvalue < 0.05), beta, y


@pytest.mark.parametrize(("J", "m", "n_pre", "n_post", "icc", "phi", "phi_c"),
                         [(30, 5, 3, 3, 0.1, 0.5, 0.5), (16, 10, 2, 4, 0.3, 0.2, 0.8)])
def test_analytic_power_matches_simulation(J, m, n_pre, n_post, icc, phi, phi_c):
    design = {"cluster_size": m, "n_pre": n_pre, "n_post": n_post, "icc": icc, "autocorr": phi,
              "cluster_autocorr": phi_c}
    se = did_se(J, **design)
    effect = 2.2 * se  # power around 0.55: where the Monte Carlo check is most sensitive
    R = 4000
    rate, beta, _ = _simulate_collapsed_did(J, m, n_pre, n_post, icc, phi, phi_c, effect, R, seed=J)
    p = power_did(effect, J, **design)
    assert abs(rate - p) < 4 * np.sqrt(p * (1 - p) / R), (rate, p)
    assert abs(beta.std(ddof=1) / se - 1) < 4 / np.sqrt(2 * (R - 1))
    assert abs(beta.mean() - effect) < 4 * se / np.sqrt(R)


def test_the_collapsed_estimate_is_the_2x2_did():
    _, beta, y = _simulate_collapsed_did(10, 4, 2, 2, 0.1, 0.5, 0.5, 0.7, 1, seed=3)
    J, m, T = y.shape[1:]
    idx = pd.MultiIndex.from_product([range(J), range(m), range(T)], names=["cluster", "unit", "t"]).to_frame(False)
    df = idx.assign(y=y[0].reshape(-1), g=(idx["cluster"] < J // 2).astype(int), post=(idx["t"] >= 2).astype(int))
    with pytest.warns(UserWarning, match="clusters"):  # FewClustersWarning: 10 clusters
        r = did.two_by_two(df, outcome="y", treated="g", post="post", cluster="cluster")
    assert r.estimate == pytest.approx(beta[0], rel=1e-10)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: power_two_sample(0.3, 50, alternative="both"), "alternative must be one of"),
        (lambda: power_two_sample(0.3, 50, dist="z"), "dist must be one of"),
        (lambda: power_from_se(0.3, 0.0), "se must be positive"),
        (lambda: did_se(30, icc=1.2), "icc must be in"),
        (lambda: did_se(30, n_pre=2, n_post=0), "n_post"),
        (lambda: did_se(30, autocorr=1.0), "autocorr must be in"),
        (lambda: did_se(30, correlation="ma1"), "correlation must be one of"),
        (lambda: did_se(30, n_pre=1, n_post=1, corr_matrix=np.eye(3)), "2x2 correlation matrix"),
        (lambda: mde_did(30, power=0.01), "power"),
        (lambda: did_se(2), "n_clusters"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_power_results_are_the_number_with_typed_fields_a_one_line_repr_and_a_summary():
    import inspect
    import pickle

    from research_kit.power import PowerResult
    from research_kit.results import Result, Summary

    m = mde_did(40, cluster_size=20, n_pre=6, n_post=6, icc=0.05, autocorr=0.5, alpha=0.1)
    assert isinstance(m, PowerResult) and isinstance(m, float) and not isinstance(m, Result)
    se = did_se(40, cluster_size=20, n_pre=6, n_post=6, icc=0.05, autocorr=0.5)
    # the fields are the inputs and the solved quantity: the MDE reaches the target power exactly
    assert (m.solved_for, m.power, m.mde, m.effect, m.alpha, m.df, m.std_error) == ("mde", 0.8, float(m), float(m),
                                                                                    0.1, 38.0, se)
    assert float(power_did(m, 40, cluster_size=20, n_pre=6, n_post=6, icc=0.05, autocorr=0.5, alpha=0.1)) \
        == pytest.approx(0.8, abs=1e-10)
    assert m.design == {"n_clusters": 40, "cluster_size": 20, "n_pre": 6, "n_post": 6, "icc": 0.05, "autocorr": 0.5,
                        "cluster_autocorr": None, "correlation": "ar1", "sd": 1.0, "treated_share": 0.5}
    # backward compatible: arithmetic and formatting give plain numbers
    assert type(m / 2) is float and f"{m:.3f}" == f"{float(m):.3f}" and str(m) == repr(float(m))
    assert repr(m) == (f"<PowerResult did: MDE = {float(m):.4f} at 80% power (two-sided test of size 0.1, "
                       f"t with 38 df; se {se:.4f})>")
    p = power_two_sample(0.5, 64, dist="normal")
    assert p.solved_for == "power" and p.mde is None and p.df is None and p.effect == 0.5
    assert repr(p) == f"<PowerResult two_sample: power = {float(p):.3f} at effect 0.5000 (two-sided test of size " \
                      f"0.05, normal; se {np.sqrt(2 / 64):.4f})>"
    s = m.summary()
    assert isinstance(s, Summary) and s._repr_html_().startswith("<div>")
    text = str(s)
    assert text.splitlines()[0] == "PowerResult: did" and "minimum detectable effect" in text
    assert any(line.split() == ["n_clusters", "40"] for line in text.splitlines())
    back = pickle.loads(pickle.dumps(m))
    assert back == m and repr(back) == repr(m) and back.design == m.design
    with pytest.raises(AttributeError, match="immutable"):
        m.power = 0.9  # type: ignore[misc]
    # one name for the test size in every power function: alpha (an interval level would be level=)
    for fn in (power_from_se, mde_from_se, power_two_sample, mde_two_sample, power_did, mde_did):
        params = inspect.signature(fn).parameters
        assert params["alpha"].default == 0.05 and "level" not in params, fn.__name__
