"""Synthetic control and SDID on simulated panels with known truth, solver checks and input errors.

Known truth: :func:`research_kit.simulate.synth.digital_rmb_panel` (a linear factor
model; the pilot county's true effect is stored in ``te_<outcome>``) and a small
block-design factor model defined here for the multi-treated-unit standard errors.
Solver checks compare with an independent general-purpose QP (scipy SLSQP).
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from research_kit import synth
from research_kit.simulate.synth import digital_rmb_panel
from research_kit.synth._fw import sc_weight_fw
from research_kit.synth._qp import simplex_least_squares

UNIT = {"unit": "county", "time": "month"}


@pytest.fixture(scope="module")
def demo():
    return digital_rmb_panel(seed=20221230)


# ---------------------------------------------------------------- known truth
def test_recovers_true_effect():
    """Twelve simulated panels: SC and SDID errors against the true ATT are small and centred."""
    err_sc, err_sdid = [], []
    for seed in range(1, 13):
        d = digital_rmb_panel(seed=seed)
        truth = d.true_att("merchant_share")
        sc = synth.synthetic_control(d.panel, outcome="merchant_share", treated=d.treated,
                                     treatment_time=d.treatment_time, **UNIT)
        sd = synth.synthetic_did(d.panel, outcome="merchant_share", treated=d.treated,
                                 treatment_time=d.treatment_time, se="none", **UNIT)
        assert sc.pre_rmspe < 1.0
        err_sc.append(sc.estimate - truth)
        err_sdid.append(sd.estimate - truth)
    # truth is about 8.5 pp; observed: SC mean 0.18 (max 0.94), SDID mean 0.44 (max 1.55)
    assert abs(np.mean(err_sc)) < 0.5 and np.max(np.abs(err_sc)) < 1.5
    assert abs(np.mean(err_sdid)) < 0.8 and np.max(np.abs(err_sdid)) < 2.0


def test_predictors_and_placebo_on_demo(demo):
    preds = ["mobile_pay_share", "online_retail_share", "retail_sales_pc",
             ("merchant_share", pd.Timestamp("2021-06-01")), ("merchant_share", "2022-12-01")]
    s = synth.synthetic_control(demo.panel, outcome="merchant_share", treated=demo.treated,
                                treatment_time="2023-01-01", predictors=preds, v_search="synth", **UNIT)
    assert s.info["treatment_time"] == pd.Timestamp("2023-01-01")
    assert s.estimate == pytest.approx(demo.true_att(), abs=1.5)
    p = s.placebo_test(v_search="synth")
    assert p.info["rank"] == 1 and p.p_value == pytest.approx(1 / 25)


def test_no_effect_is_not_significant():
    d = digital_rmb_panel(seed=7, effect=0.0)
    assert d.true_att() == 0.0
    s = synth.synthetic_control(d.panel, outcome="merchant_share", treated=d.treated,
                                treatment_time=d.treatment_time, **UNIT)
    p = s.placebo_test()
    assert p.p_value > 0.2
    assert abs(s.estimate) < 1.0


def _block_panel(rng, n_co=30, n_tr=6, T=20, T0=14, tau=2.0):
    """Two-factor model with a randomly assigned treated block (so SDID is unbiased); the long panel."""
    N = n_co + n_tr
    load = rng.normal(0, 1, (N, 2))
    fac = np.column_stack([np.linspace(0, 3, T), np.sin(np.arange(T) / 2)])
    Y = load @ fac.T + rng.normal(0, 1, (N, 1)) + rng.normal(0, 0.5, (N, T))
    Y[n_co:, T0:] += tau
    return pd.DataFrame({"unit": np.repeat(np.arange(N), T), "time": np.tile(np.arange(T), N), "y": Y.ravel()})


def test_jackknife_tracks_sampling_sd_and_bootstrap_agrees():
    """With several treated units, the jackknife SE matches the Monte Carlo SD of the estimates."""
    rng = np.random.default_rng(11)
    est, jk = [], []
    kw = {"outcome": "y", "unit": "unit", "time": "time", "treated": list(range(30, 36)), "treatment_time": 14}
    for _ in range(30):
        r = synth.synthetic_did(_block_panel(rng), se="jackknife", **kw)
        est.append(r.estimate)
        jk.append(r.std_error)
    est = np.array(est)
    assert np.mean(est) == pytest.approx(2.0, abs=3 * np.std(est) / np.sqrt(len(est)))
    assert 0.7 < np.mean(jk) / np.std(est, ddof=1) < 1.5
    df = _block_panel(rng)
    j = synth.synthetic_did(df, se="jackknife", **kw)
    b = synth.synthetic_did(df, se="bootstrap", reps=40, seed=1, **kw)
    assert b.replicates.size == 40 and np.isfinite(b.replicates).all()
    assert b.estimate == j.estimate
    assert 0.5 < b.std_error / j.std_error < 2.0


def test_jackknife_formula():
    """Leave-one-unit-out with fixed weights, sqrt((n-1)/n * sum((u - mean u)^2)) (Algorithm 3)."""
    df = _block_panel(np.random.default_rng(3))
    r = synth.synthetic_did(df, outcome="y", unit="unit", time="time", treated=list(range(30, 36)),
                            treatment_time=14, se="jackknife")
    u = r.replicates
    assert u.size == 36
    n = u.size
    assert r.std_error == pytest.approx(np.sqrt((n - 1) / n * np.sum((u - u.mean()) ** 2)))
    # first replicate drops control 0: recompute it by hand with the renormalised weights
    Y = df.pivot(index="unit", columns="time", values="y").to_numpy()
    om = r.unit_weights.to_numpy()[1:]
    om = om / om.sum()
    lam = r.time_weights.to_numpy()
    tau0 = (Y[30:, 14:].mean() - om @ Y[1:30, 14:].mean(axis=1)) - (Y[30:, :14].mean(axis=0) @ lam
                                                                   - om @ Y[1:30, :14] @ lam)
    assert u[0] == pytest.approx(tau0)


# ------------------------------------------------------------------- solvers
@pytest.mark.parametrize("k,J", [(4, 12), (12, 5), (7, 38)])
def test_simplex_least_squares_matches_slsqp(k, J):
    rng = np.random.default_rng(k * 100 + J)
    X0 = rng.normal(size=(k, J))
    x1 = rng.normal(size=k) * 2
    v = rng.uniform(0.1, 1.0, k)
    w = simplex_least_squares(X0, x1, v)

    def obj(z):
        r = x1 - X0 @ z
        return float(r @ (v * r))

    ref = optimize.minimize(obj, np.full(J, 1 / J), method="SLSQP", bounds=[(0, 1)] * J,
                            constraints=[{"type": "eq", "fun": lambda z: z.sum() - 1}],
                            options={"ftol": 1e-14, "maxiter": 1000})
    assert w.sum() == pytest.approx(1.0) and w.min() >= 0
    assert obj(w) <= ref.fun + 1e-7 * max(1.0, ref.fun)


def test_frank_wolfe_reaches_the_optimum():
    """Frank-Wolfe converges sublinearly: after 20,000 steps within 1e-4 of the exact optimum (SLSQP)."""
    rng = np.random.default_rng(5)
    Y = rng.normal(size=(25, 9))  # 25 rows, 8 weights + target
    zeta = 0.3
    x, _ = sc_weight_fw(Y, zeta, intercept=True, min_decrease=1e-12, max_iter=20_000)
    Yc = Y - Y.mean(axis=0)
    A, b = Yc[:, :8], Yc[:, 8]

    def obj(z):
        return zeta**2 * z @ z + np.sum((A @ z - b) ** 2) / 25

    ref = optimize.minimize(obj, np.full(8, 1 / 8), method="SLSQP", bounds=[(0, 1)] * 8,
                            constraints=[{"type": "eq", "fun": lambda z: z.sum() - 1}], options={"ftol": 1e-15})
    assert obj(x) == pytest.approx(ref.fun, rel=1e-4)
    np.testing.assert_allclose(x, ref.x, atol=5e-3)


# -------------------------------------------------------------- input errors
def test_bad_inputs(demo):
    df = demo.panel
    base = dict(outcome="merchant_share", treatment_time=demo.treatment_time, **UNIT)
    with pytest.raises(ValueError, match="not found in column 'county'"):
        synth.synthetic_control(df, treated="上海市", **base)
    with pytest.raises(ValueError, match="is not a period"):
        synth.synthetic_control(df, treated=demo.treated, **{**base, "treatment_time": "1999-01-01"})
    with pytest.raises(ValueError, match="repeat a"):
        synth.synthetic_control(pd.concat([df, df.head(1)]), treated=demo.treated, **base)
    with pytest.raises(ValueError, match="one treated unit"):
        synth.synthetic_control(df, treated=["义乌市", "东阳市"], **base)
    with pytest.raises(ValueError, match="post-treatment"):
        synth.synthetic_control(df, treated=demo.treated, predictors=[("mobile_pay_share", "2024-01-01")], **base)
    with pytest.raises(ValueError, match="v_search='exact' is not supported; choose one of 'global', 'synth'"):
        synth.synthetic_control(df, treated=demo.treated, v_search="exact", **base)
    with pytest.raises(ValueError, match="method='ols' is not supported"):
        synth.synthetic_did(df, treated=demo.treated, method="ols", **base)
    with pytest.raises(ValueError, match="needs at least two treated units"):
        synth.synthetic_did(df, treated=demo.treated, se="jackknife", **base)
    with pytest.raises(TypeError, match="cannot read predictor"):
        synth.synthetic_control(df, treated=demo.treated, predictors=[42], **base)
    with pytest.raises(KeyError, match="'no_such_column' is not in the data"):
        synth.synthetic_control(df, treated=demo.treated, predictors="no_such_column", **base)
    with pytest.raises(ValueError, match="predictor_weights has 2 values for 1 predictors"):
        synth.synthetic_control(df, treated=demo.treated, predictors="mobile_pay_share", predictor_weights=[1, 2],
                                **base)


def test_dropped_donor_and_poor_fit_warnings(demo):
    df = demo.panel.copy()
    base = dict(outcome="merchant_share", treatment_time=demo.treatment_time, **UNIT)
    df.loc[(df["county"] == "诸暨市") & (df["t"] == 3), "merchant_share"] = np.nan
    with pytest.warns(synth.DroppedDonorsWarning, match="诸暨市"):
        s = synth.synthetic_control(df, treated=demo.treated, **base)
    assert "诸暨市" not in s.weights.index
    df2 = demo.panel.copy()
    df2.loc[df2["county"] == demo.treated, "merchant_share"] += 60.0  # far outside the donors' range
    with pytest.warns(synth.PoorPreFitWarning, match="fits '义乌市' poorly"):
        synth.synthetic_control(df2, treated=demo.treated, **base)


def test_plots_draw_the_data(demo):
    s = synth.synthetic_control(demo.panel, outcome="merchant_share", treated=demo.treated,
                                treatment_time=demo.treatment_time, **UNIT)
    assert repr(s).startswith("<SyntheticControlResult synthetic_control: ATT = ") and len(repr(s)) < 140
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # includes "Glyph missing" font warnings
        axes = s.plot(lang="zh")
        assert len(axes) == 2 and len(axes[0].lines) >= 2
        np.testing.assert_allclose(axes[1].lines[1].get_ydata(), s.paths["gap"])  # after the zero line
        p = s.placebo_test(v_search="synth")
        ax = p.plot(lang="en")
        assert len(ax.lines) >= 25
        r = synth.synthetic_did(demo.panel, outcome="merchant_share", treated=demo.treated,
                                treatment_time=demo.treatment_time, se="none", **UNIT)
        ax2 = r.plot(lang="zh")
        np.testing.assert_allclose(ax2.lines[0].get_ydata(), r.paths["treated"])
    import matplotlib.pyplot as plt

    plt.close("all")
