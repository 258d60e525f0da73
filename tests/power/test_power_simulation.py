"""Simulated power of staggered DiD with the project's simulator and estimators.

Known truth: with a single adoption cohort (period 5 of 8), half the units never
treated and errors clustered by unit, TWFE is the 2x2 DiD of 4 pre against 4 post
periods. In research_kit.simulate.staggered_panel the unit effect is differenced
out, the idiosyncratic error is N(0, 1) i.i.d. over time and the cluster-by-period
shock N(0, 0.3^2) enters through the random treated/control composition of the 9
clusters, adding 0.09 (1 - 1/9) to the error variance on average. So the analytic
power is power_did(effect, n_units, n_pre=4, n_post=4, sd=sqrt(1 + 0.09 * 8/9)),
and the simulated rejection rate must lie within 4 Monte Carlo standard errors of it.
"""

from __future__ import annotations

import numpy as np
import pytest

from research_kit.power import (
    mde_did,
    power_curve,
    power_curve_plot,
    power_did,
    simulate_power,
)

N, T, REPS = 300, 8, 300
DESIGN = {"n_units": N, "n_periods": T, "cohorts": [5], "never_share": 0.5, "cluster": "unit"}
SD = np.sqrt(1 + 0.09 * (1 - 1 / 9))


def test_simulated_power_matches_the_analytic_2x2():
    effect = mde_did(N, n_pre=4, n_post=4, sd=SD, power=0.5)
    r = simulate_power(effect, reps=REPS, seed=100, **DESIGN)
    p = power_did(effect, N, n_pre=4, n_post=4, sd=SD)
    assert abs(r - p) < 4 * np.sqrt(p * (1 - p) / REPS), (r.power, p)
    draws = r.draws
    se = SD * np.sqrt((1 / 4 + 1 / 4) / (0.25 * N))
    assert abs(draws["estimate"].std(ddof=1) / se - 1) < 4 / np.sqrt(2 * (REPS - 1))
    assert abs(r.bias) < 4 * se / np.sqrt(REPS)
    assert r.bias == pytest.approx(draws["estimate"].mean() - effect, rel=1e-12)
    assert r.mc_std_error == pytest.approx(np.sqrt(r.power * (1 - r.power) / REPS), rel=1e-12)


def test_size_under_no_effect():
    r = simulate_power(0.0, reps=REPS, seed=7, **DESIGN)
    assert abs(r.power - 0.05) < 4 * np.sqrt(0.05 * 0.95 / REPS)


def test_common_random_numbers_shift_estimates_exactly():
    a = simulate_power(0.1, reps=5, seed=3, **DESIGN).draws
    b = simulate_power(0.4, reps=5, seed=3, **DESIGN).draws
    np.testing.assert_allclose(b["estimate"] - a["estimate"], 0.3, rtol=1e-9)
    np.testing.assert_allclose(b["std_error"], a["std_error"], rtol=1e-9)


def test_callaway_santanna_is_unbiased_with_staggered_cohorts():
    with pytest.warns(UserWarning, match="clusters"):  # 9 clusters: FewClustersWarning, emitted once
        r = simulate_power(0.3, n_units=240, n_periods=10, estimator="callaway_santanna", cluster="cluster",
                           reps=25, seed=11)
    draws = r.draws
    assert len(draws) == 25 and r.design["estimator"] == "callaway_santanna" and r.reps == r.nobs == 25
    assert any("clusters" in w for w in r.estimator_warnings)
    assert abs(draws["estimate"].mean() - 0.3) < 4 * draws["estimate"].std(ddof=1) / np.sqrt(25)
    assert r.power == r == pytest.approx(draws["reject"].mean())
    assert repr(r).startswith("<SimulatedPower callaway_santanna: power = ") and "25 replications" in repr(r)


def test_power_curve_and_plot():
    sim = power_curve([0.0, 0.3], method="simulation", reps=20, seed=5, **DESIGN)
    ana = power_curve(np.linspace(0, 0.4, 9), method="did", n_clusters=N, n_pre=4, n_post=4, sd=SD)
    assert (sim["std_error"] > 0).all() and (ana["std_error"] == 0).all()
    assert ana["power"].iloc[0] == pytest.approx(0.05, rel=1e-9)
    assert np.all(np.diff(ana["power"]) > 0)
    fig = power_curve_plot({"analytic": ana, "simulated": sim}, lang="zh", mde={"analytic": 0.2})
    ax = fig.axes[0]
    assert ax.get_ylabel() == "检验功效"
    assert any(np.allclose(ln.get_ydata(), 0.8) for ln in ax.get_lines())


@pytest.mark.parametrize(("kw", "message"), [({"estimator": "ols"}, "estimator must be one of"),
                                             ({"cluster": "county"}, "cluster must be one of"),
                                             ({"reps": 1}, "reps")])
def test_bad_options(kw, message):
    args = dict(DESIGN, reps=2) | kw
    with pytest.raises(ValueError, match=message):
        simulate_power(0.1, **args)
