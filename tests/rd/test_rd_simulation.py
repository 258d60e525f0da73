"""rdd against simulations with a known true jump (sharp and fuzzy), and the demo simulator.

Sharp: model 1 of Calonico, Cattaneo and Titiunik (2014, Econometrica,
Section 5), fitted to Lee's (2008) House data, true jump 0.04
(:func:`research_kit.simulate.rd.rd_data`). Fuzzy: the same running variable,
endogenous take-up with a first-stage jump of 0.6 and a constant effect of 0.5.
The robust bias-corrected 95% interval must cover the truth in about 95% of
draws; 100 draws of n = 1,000 keep the file fast (about 10 s).
"""

from __future__ import annotations

import numpy as np
import pytest

from research_kit import rd
from research_kit.simulate.rd import CCT_MODEL1_JUMP, hedging_guarantee_demo, rd_data

DRAWS = 100


def test_sharp_robust_interval_covers_the_cct_model1_jump() -> None:
    covered, estimates = 0, []
    for seed in range(DRAWS):
        r = rd.rdd(rd_data(1000, seed=seed), outcome="y", running="x")
        covered += r.conf_low <= CCT_MODEL1_JUMP <= r.conf_high
        estimates.append(r.estimate)
    # P(Binomial(100, 0.95) < 87) < 0.2%; a bias or a wrong-sign estimate fails this
    assert covered >= 87
    est = np.asarray(estimates)
    assert abs(est.mean() - CCT_MODEL1_JUMP) < 3 * est.std() / np.sqrt(DRAWS) + 0.01


def test_fuzzy_robust_interval_covers_the_true_effect() -> None:
    covered, estimates, first = 0, [], []
    for seed in range(DRAWS):
        r = rd.rdd(rd_data(1000, design="fuzzy", effect=0.5, seed=seed), outcome="y", running="x", fuzzy="d")
        covered += r.conf_low <= 0.5 <= r.conf_high
        estimates.append(r.estimate)
        first.append(r.info["first_stage_jump"])
    assert covered >= 87
    est = np.asarray(estimates)
    assert abs(est.mean() - 0.5) < 3 * est.std() / np.sqrt(DRAWS) + 0.01
    assert np.mean(first) == pytest.approx(0.6, abs=0.02)


def test_naive_comparison_is_biased_where_fuzzy_rd_is_not() -> None:
    # the simulated take-up is endogenous: treated units have lower outcome shocks
    d = rd_data(20000, design="fuzzy", effect=0.5, seed=99)
    near = d.loc[d["x"].abs() < 0.1]
    naive = near.loc[near["d"] == 1, "y"].mean() - near.loc[near["d"] == 0, "y"].mean()
    r = rd.rdd(d, outcome="y", running="x", fuzzy="d")
    assert abs(naive - 0.5) > 0.05
    assert r.conf_low <= 0.5 <= r.conf_high


def test_demo_truth_is_recovered_by_sharp_and_fuzzy_rd() -> None:
    demo = hedging_guarantee_demo(6000, seed=2025)
    f, t = demo.firms, demo.truth
    sharp = rd.rdd(f, outcome="hedge_ratio", running="running")
    fuzzy = rd.rdd(f, outcome="hedge_ratio", running="running", fuzzy="guaranteed")
    loss = rd.rdd(f, outcome="fx_loss", running="running", fuzzy="guaranteed")
    assert sharp.conf_low <= t["itt_hedge_ratio"] <= sharp.conf_high
    assert fuzzy.conf_low <= t["late_hedge_ratio"] <= fuzzy.conf_high
    assert loss.conf_low <= t["late_fx_loss"] <= loss.conf_high
    assert fuzzy.info["first_stage_jump"] == pytest.approx(t["first_stage"], abs=0.1)
    # ITT = first stage x LATE by construction of the truth
    assert t["itt_hedge_ratio"] == pytest.approx(t["first_stage"] * t["late_hedge_ratio"], rel=0.05)


def test_demo_structure_and_one_sided_compliance() -> None:
    demo = hedging_guarantee_demo(1000, seed=1, threshold=40.0)
    f = demo.firms
    assert (f["guaranteed"] <= f["eligible"]).all()
    assert ((f["running"] >= 0) == (f["eligible"] == 1)).all()
    np.testing.assert_allclose(f["running"], f["export_receipts"] - 40.0)
    assert f["firm_id"].is_unique and f["hedge_ratio"].between(0, 100).all()
    assert "SYNTHETIC" in repr(demo)
    again = hedging_guarantee_demo(1000, seed=1, threshold=40.0)
    assert again.firms.equals(f) and again.truth == demo.truth


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"take_up": 1.5}, "take_up must be a probability"), ({"manipulation": -0.1}, "manipulation must be"),
     ({"threshold": 0.0}, "threshold must be positive"), ({"n_firms": 10}, "n_firms must be an integer >= 200")],
)
def test_demo_rejects_bad_parameters(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        hedging_guarantee_demo(**{"n_firms": 500, **kwargs})
