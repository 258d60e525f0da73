"""The FX-loans power study's calibration against a panel with known design parameters.

Truth: y_it = a_i + d_t + 0.5 D_it + c_{county(i), t} + e_it with Var(c) = icc = 0.2 (i.i.d. over
months), e AR(1) with coefficient 0.6 and variance 1 - icc, 120 months. The residual after
business and month effects then has SD ~ 1, lag-1 autocorrelation (1 - icc) * 0.6 = 0.48 and a
county-month ICC of 0.2 (after calibrate's correction for the month effects, which absorb 1/9 of
the county shocks), up to the small-sample bias of removing business means from 120 months
(variance (1 + phi) / ((1 - phi) T) = 3.3%, autocorrelation about -(1 + phi) / T = -0.013).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research_kit.studies import power_fx
from research_kit.studies.power_fx import _estimate as power_fx_estimate

ICC, PHI, T, N_PER, N_COUNTY = 0.2, 0.6, 120, 40, 9


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    n = N_PER * N_COUNTY
    county = np.repeat(np.arange(N_COUNTY), N_PER)
    e = np.empty((n, T))
    e[:, 0] = rng.standard_normal(n)
    for t in range(1, T):
        e[:, t] = PHI * e[:, t - 1] + np.sqrt(1 - PHI**2) * rng.standard_normal(n)
    c = rng.standard_normal((N_COUNTY, T))
    D = (county[:, None] < 4) & (np.arange(T)[None, :] >= 60)
    y = (rng.normal(0, 2, n)[:, None] + np.linspace(0, 1, T)[None, :] + 0.5 * D
         + np.sqrt(ICC) * c[county] + np.sqrt(1 - ICC) * e)
    months = pd.date_range("2016-01-01", periods=T, freq="MS")
    return pd.DataFrame({
        "business_id": np.repeat(np.arange(n), T), "month": np.tile(months, n), "t": np.tile(np.arange(1, T + 1), n),
        "county": np.repeat(county, T).astype(str), "bank": "boc", "treated": D.reshape(-1).astype(int),
        "fx_loan_balance": y.reshape(-1), "te_fx_loan_balance": 0.5 * D.reshape(-1),
    })


def test_calibration_recovers_the_design(panel):
    cal = power_fx.calibrate(panel, "fx_loan_balance")
    assert cal.sd == pytest.approx(1.0, abs=0.04)
    assert cal.autocorr == pytest.approx((1 - ICC) * PHI, abs=0.04)
    assert cal.icc == pytest.approx(ICC, abs=0.02)
    assert cal.truth == pytest.approx(0.5)
    assert (cal.n_businesses, cal.n_counties, cal.n_cells) == (N_PER * N_COUNTY, N_COUNTY, N_COUNTY)


def test_calibrate_checks_the_outcome(panel):
    with pytest.raises(ValueError, match="outcome must be one of"):
        power_fx.calibrate(panel, "profit")


def test_interpolate_mde():
    curve = pd.DataFrame({"effect": [0.0, 0.1, 0.2, 0.3], "power": [0.05, 0.4, 0.7, 0.9]})
    assert power_fx.interpolate_mde(curve, 0.8) == pytest.approx(0.25)
    assert np.isnan(power_fx.interpolate_mde(curve, 0.95))


# --------------------------------------------------------------------------- vectorised simulation
from research_kit import did  # noqa: E402


def _frame(y, design):
    n, T = y.shape
    return pd.DataFrame({"unit": np.repeat(np.arange(n), T), "time": np.tile(np.arange(1, T + 1), n),
                         "cohort": np.repeat(design.cohort, T), "y": y.ravel(),
                         "d": power_fx_estimate._treated(design).ravel()})


@pytest.mark.parametrize("seed", [3, 4])
def test_batch_estimators_equal_the_project_estimators(seed):
    """twfe_batch = rk.did.twfe (cluster by unit); cs_batch = callaway_santanna(never, reg).aggregate("simple")."""
    design = power_fx.staggered_design(150, 12, n_clusters=5, seed=seed)
    y = power_fx_estimate._draw_errors(design, 3, np.random.default_rng(seed))
    y[1] += 0.4 * power_fx_estimate._treated(design)  # an effect in one replication
    b, s = power_fx.twfe_batch(y, design)
    a, sa = power_fx.cs_batch(y, design)
    for r in range(3):
        df = _frame(y[r], design)
        t = did.twfe(df, outcome="y", unit="unit", time="time", treat="d", cluster="unit")
        c = did.callaway_santanna(df, outcome="y", unit="unit", time="time", cohort="cohort", control_group="never",
                                  method="reg", cluster="unit").aggregate("simple")
        np.testing.assert_allclose([b[r], s[r]], [t.estimate, t.std_error], rtol=1e-10)
        np.testing.assert_allclose([a[r], sa[r]], [c.estimate, c.std_error], rtol=1e-10)


def test_standard_errors_do_not_depend_on_a_constant_effect():
    design = power_fx.staggered_design(120, 10, seed=1)
    y = power_fx_estimate._draw_errors(design, 4, np.random.default_rng(0))
    for f in (power_fx.twfe_batch, power_fx.cs_batch):
        b0, s0 = f(y, design)
        b1, s1 = f(y + 0.7 * power_fx_estimate._treated(design)[None], design)
        np.testing.assert_allclose(b1, b0 + 0.7, rtol=1e-10)
        np.testing.assert_allclose(s1, s0, rtol=1e-10)


def test_simulated_power_has_monte_carlo_se_below_one_point_and_correct_size():
    sim = power_fx.simulate(n_clusters=9, alpha=0.05, seed=7, reps=4000, chunk=1000)
    for curve in sim.curves.values():
        assert (curve["std_error"] <= 0.01).all()
        np.testing.assert_allclose(curve["std_error"], np.sqrt(curve["power"] * (1 - curve["power"]) / 4000))
        size = float(curve.loc[curve["effect"] == 0, "power"].iloc[0])
        assert abs(size - 0.05) < 4 * np.sqrt(0.05 * 0.95 / 4000)  # random assignment: the tests hold their size
        assert curve["power"].is_monotonic_increasing
    twfe, cs = sim.curves.values()
    assert (twfe["power"] >= cs["power"] - 0.02).all()  # TWFE uses every pre-period: at least as powerful here


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_simulation_paragraph_branches(lang):
    curve = pd.DataFrame({"effect": [0.0, 0.1, 0.2], "power": [0.05, 0.5, 0.9], "std_error": [0.003, 0.008, 0.005]})
    off = curve.assign(power=[0.12, 0.6, 0.95])
    design = {"n_units": 400, "n_periods": 24, "n_clusters": 9, "reps": 4000, "alpha": 0.05}
    ok = power_fx.SimulatedDesign(curves={"A": curve, "B": curve}, mde={"A": 0.15, "B": 0.15}, design=design)
    bad = power_fx.SimulatedDesign(curves={"A": curve, "B": off}, mde={"A": 0.15, "B": float("nan")}, design=design)
    t_ok, t_bad = power_fx.simulation_paragraph(ok, lang=lang), power_fx.simulation_paragraph(bad, lang=lang)
    assert "0.0080" in t_ok
    if lang == "zh":
        assert "接近名义水平" in t_ok and "B的实际水平偏离名义水平" in t_bad and "超出所模拟的范围" in t_bad
    else:
        assert "close to the nominal" in t_ok and "B departs from the nominal" in t_bad and "beyond the simulated" in t_bad


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_icc_used_is_justified_against_the_estimate(panel, lang):
    cal = power_fx.calibrate(panel, "fx_loan_balance")  # estimated ICC about 0.2
    assert power_fx.design_icc(cal, 0.05) == pytest.approx(cal.icc)
    assert power_fx.design_icc(cal, 0.5) == 0.5
    floor_binds, estimate_binds = power_fx.icc_sentence(cal, 0.5, lang=lang), power_fx.icc_sentence(cal, 0.05, lang=lang)
    if lang == "zh":
        assert "偏保守" in floor_binds and "设计因此采用估计值" in estimate_binds
    else:
        assert "conservative" in floor_binds and "so the design uses the estimate" in estimate_binds
    table = power_fx.design_table(cal, n_clusters=9, icc=0.5, alpha=0.05, lang=lang).body
    assert table.shape[1] == 6 and (table.iloc[:, 3] > table.iloc[:, 5]).all()  # the larger ICC, the larger MDE


def test_no_post_hoc_power_in_the_text(panel):
    cal = power_fx.calibrate(panel, "fx_loan_balance")
    for lang in ("zh", "en"):
        text = power_fx.design_paragraph(cal, n_clusters=9, icc=0.05, alpha=0.05, lang=lang)
        text += power_fx.front_matter(cal, n_clusters=9, icc=0.05, alpha=0.05, lang=lang)["abstract"]
        assert f"{cal.truth:.3f}" not in text  # the simulated truth is never the target of a power statement
        assert "检出它的概率" not in text and "detects it with probability" not in text
