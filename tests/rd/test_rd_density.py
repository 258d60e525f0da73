"""density_test (rddensity wrapper) against an independent estimator and known truth.

References:

* Independent computation (written here): the Cattaneo–Jansson–Ma estimator of
  the density at the cutoff is the slope at the cutoff of a kernel-weighted
  polynomial regression of the empirical distribution function on the running
  variable, fitted separately on each side (Cattaneo, Jansson and Ma 2020,
  JASA, Section 2). With a fixed bandwidth the point estimates must agree with
  ``rddensity`` to rounding error (order q = p + 1 = 3, as the test uses).
* Known truth: with no manipulation the density is continuous, so the test
  rejects at 5% rarely; when half the firms just below an eligibility threshold
  move just above it (:func:`research_kit.simulate.rd.hedging_guarantee_demo`)
  the test rejects.
* Package output (not a published table; run with rddensity 3.0,
  ``rddensity(X=margin)`` on the 1,390 Senate margins, default options):
  T = -0.8753, p = 0.3814, h = (19.841, 27.119), N eff = (408, 460).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from research_kit import rd
from research_kit.simulate.rd import hedging_guarantee_demo


def _ecdf_slope(x_sorted: np.ndarray, F: np.ndarray, side: np.ndarray, h: float, order: int) -> float:
    xs, Fs = x_sorted[side], F[side]
    w = np.clip(1 - np.abs(xs) / h, 0, None)
    k = w > 0
    X = np.vander(xs[k], order + 1, increasing=True)
    sw = np.sqrt(w[k])
    return float(np.linalg.lstsq(X * sw[:, None], Fs[k] * sw, rcond=None)[0][1])


@pytest.mark.parametrize(("hl", "hr"), [(10.0, 20.0), (15.0, 15.0)])
def test_density_estimates_match_independent_ecdf_regression(senate_all: pd.DataFrame, hl: float,
                                                             hr: float) -> None:
    x = np.sort(senate_all["margin"].to_numpy(float))
    n = len(x)
    # empirical distribution function at each point; tied values share the value of their last copy
    F = (np.searchsorted(x, x, side="right") - 1) / (n - 1)
    f_left = _ecdf_slope(x, F, x < 0, hl, 3)
    f_right = _ecdf_slope(x, F, x >= 0, hr, 3)
    r = rd.density_test(senate_all, running="margin", h=(hl, hr))
    tab = r.tidy().set_index("term")
    assert_allclose(tab.loc["Density (left)", "estimate"], f_left, rtol=1e-9)
    assert_allclose(tab.loc["Density (right)", "estimate"], f_right, rtol=1e-9)
    assert_allclose(r.estimate, tab.loc["Density (right)", "estimate"] - tab.loc["Density (left)", "estimate"],
                    rtol=1e-12)
    assert r.info["bwselect"] == "manual" and (r.info["h_left"], r.info["h_right"]) == (hl, hr)
    assert r.info["n_eff_left"] == int(((x < 0) & (x >= -hl)).sum())
    assert r.info["n_eff_right"] == int(((x >= 0) & (x <= hr)).sum())


def test_senate_default_matches_rddensity_package_output(senate_all: pd.DataFrame) -> None:
    r = rd.density_test(senate_all, running="margin")
    # rddensity 3.0, rddensity(X=margin), printed digits (see module docstring)
    assert r.statistic == pytest.approx(-0.8753, abs=5e-5)
    assert r.p_value == pytest.approx(0.3814, abs=5e-5)
    assert (round(r.info["h_left"], 3), round(r.info["h_right"], 3)) == (19.841, 27.119)
    assert (r.info["n_eff_left"], r.info["n_eff_right"]) == (408, 460)
    assert (r.info["n_left"], r.info["n_right"], r.nobs) == (640, 750, 1390)
    assert r.term == "Difference" and r.info["q"] == 3


def test_detects_bunching_above_the_threshold_and_not_without_it() -> None:
    clean = hedging_guarantee_demo(4000, seed=11).firms
    bunched = hedging_guarantee_demo(4000, seed=11, manipulation=0.5).firms
    r0 = rd.density_test(clean, running="running")
    r1 = rd.density_test(bunched, running="running")
    assert r0.p_value > 0.05
    assert r1.p_value < 0.001 and r1.estimate > 0  # more mass just above the cutoff


def test_rejection_rate_under_continuity_is_near_nominal() -> None:
    # 60 draws of a continuous density (normal around the cutoff): expect about 3 rejections at 5%
    rejections = 0
    for seed in range(60):
        x = np.random.default_rng(seed).normal(0.3, 1.0, 1500)
        rejections += rd.density_test(pd.DataFrame({"x": x}), running="x").p_value < 0.05
    assert rejections <= 9  # P(Binomial(60, 0.05) > 9) < 0.2%


def test_density_plot_draws_histogram_and_estimates(senate_all: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    r = rd.density_test(senate_all, running="margin")
    ax = r.plot()
    assert len(ax.patches) > 10  # histogram bars
    plt.close(ax.figure)


def test_density_options_are_checked(senate_all: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="kernel='gaussian' is not supported; choose one of"):
        rd.density_test(senate_all, running="margin", kernel="gaussian")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="h must be one positive number"):
        rd.density_test(senate_all, running="margin", h=(-1.0, 2.0))
    with pytest.raises(ValueError, match="cutoff 200"):
        rd.density_test(senate_all, running="margin", cutoff=200)
