"""Coverage of 95% intervals with 9 clusters: CR1 versus the wild cluster bootstrap (simulation, known truth).

Simulation design (the Jinhua setting: policies roll out across 9 counties, inference clustered by county)
---------------------------------------------------------------------------------------------------------
* 9 counties (clusters); firms nested in counties; balanced panel of T = 8 periods;
  model ``y_it = tau * d_it + a_i + e_ct + u_it`` with true effect ``tau = 1`` (homogeneous, so
  the TWFE estimand equals ``tau`` also under staggered adoption).
* ``a_i ~ N(0, 1)`` firm effects; ``u_it ~ N(0, 1)`` idiosyncratic; ``e_ct`` county x period
  shocks, stationary AR(1) over periods within each county with rho = 0.5 and innovation
  sd 0.5 -- the within-cluster correlation (across firms and over time) that clustering must handle.
* Two designs (treatment assigned at county level, fixed across simulations; new outcomes each draw):
    - ``staggered_unequal``: county sizes 60, 40, 30, 20, 15, 10, 10, 8, 7 firms; counties 2 and 6
      (1-based) adopt in period 5, counties 4 and 8 in period 7, the other five never.
    - ``2x2_equal``: 20 firms per county; counties 1-4 treated from period 6, 5-9 never.
* Estimator: ``y ~ d | firm + period`` (research_kit's exact two-way demeaning), clustered by county.
* CR1 interval: ``b +- t_{0.975, G-1} * se_CR1`` (what ``rk.did.twfe`` reports); also reported with the
  normal critical value.
* Wild cluster bootstrap: WCR (null imposed), CR1 t-statistic in each draw, bootstrap residuals
  re-demeaned in each draw (``research_kit.bootstrap.twfe_design`` / ``WildBootstrapDesign.pvalues``);
  Webb weights with 999 draws, and Rademacher with all 512 draws enumerated. The truth is covered
  iff the bootstrap p-value of ``H0: tau = 1`` is >= 0.05 (test inversion at the truth, which is
  exactly the interval's definition), so no interval is computed per simulation.
* S = 4,000 simulations per design (Monte Carlo sd of a coverage near 0.94: 0.004); the bootstrap
  draws are shared across simulations. Runtime: about 2 s per design on 2 cores.

Numbers seen (seed 20240601, S = 4,000): staggered_unequal CR1-t 0.853 / CR1-normal 0.792 / WCR-Webb 0.931 /
WCR-Rademacher 0.939; 2x2_equal CR1-t 0.932 / CR1-normal 0.892 / WCR-Webb 0.939 / WCR-Rademacher 0.942
(with S = 10,000 the same designs give 0.854 / 0.792 / 0.933 / 0.942 and 0.930 / 0.887 / 0.936 / 0.940).
CR1 under-covers, badly when the clusters are unequal; the bootstrap stays within 92-98%. It is not
exact either: in this DGP WCR sits about 1-2 points below 95% (it is an approximation with G = 9,
not an exact test), and with the four *largest* counties treated (adopting
in periods 5 and 7) it falls to about 0.916 -- a design not asserted here, described in the report.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from research_kit.bootstrap import (
    BootstrapEnumerationWarning,
    twfe_design,
    wild_cluster_bootstrap,
)

S = 4_000
TAU = 1.0
DESIGNS = {
    "staggered_unequal": {"sizes": (60, 40, 30, 20, 15, 10, 10, 8, 7), "cohorts": (0, 5, 0, 7, 0, 5, 0, 7, 0)},
    "2x2_equal": {"sizes": (20,) * 9, "cohorts": (6, 6, 6, 6, 0, 0, 0, 0, 0)},
}


def _panel(sizes, cohorts, T=8):
    sizes = np.asarray(sizes)
    county_of_firm = np.repeat(np.arange(9), sizes)
    df = pd.DataFrame({"firm": np.repeat(np.arange(sizes.sum()), T), "t": np.tile(np.arange(1, T + 1), sizes.sum())})
    df["county"] = county_of_firm[df["firm"]]
    g = np.asarray(cohorts)[df["county"]]
    df["d"] = ((g > 0) & (df["t"] >= g)).astype(float)
    return df


def _outcomes(df, rng, rho=0.5, sd=0.5):
    T = int(df["t"].max())
    n_firms = int(df["firm"].max()) + 1
    e = np.empty((S, 9, T))
    e[:, :, 0] = rng.normal(size=(S, 9)) / np.sqrt(1 - rho**2)
    for t in range(1, T):
        e[:, :, t] = rho * e[:, :, t - 1] + rng.normal(size=(S, 9))
    e *= sd
    c, t = df["county"].to_numpy(), df["t"].to_numpy() - 1
    return (TAU * df["d"].to_numpy()[:, None] + rng.normal(size=(n_firms, S))[df["firm"].to_numpy()]
            + e[:, c, t].T + rng.normal(size=(len(df), S)))


@pytest.mark.parametrize("name", list(DESIGNS))
def test_wild_bootstrap_covers_cr1_undercovers(name, record_property):
    start = time.perf_counter()
    df = _panel(**DESIGNS[name])
    design, _ = twfe_design(df, outcome=None, unit="firm", time="t", treat="d", cluster="county")
    assert design.G == 9
    Y = design.absorb(_outcomes(df, np.random.default_rng(20240601)))
    b, se = design.fit(Y)
    assert abs(b.mean() - TAU) < 4 * b.std() / np.sqrt(S)  # the estimator is unbiased in this DGP
    cr1_t = float(np.mean(np.abs(b - TAU) <= stats.t.ppf(0.975, 8) * se))
    cr1_normal = float(np.mean(np.abs(b - TAU) <= stats.norm.ppf(0.975) * se))
    p_webb = design.pvalues(Y, null=TAU, weights="webb", reps=999, seed=1)
    with pytest.warns(BootstrapEnumerationWarning):
        p_rad = design.pvalues(Y, null=TAU, weights="rademacher", reps=9999)
    webb, rad = float(np.mean(p_webb >= 0.05)), float(np.mean(p_rad >= 0.05))
    elapsed = time.perf_counter() - start
    summary = {"design": name, "simulations": S, "cr1_t": cr1_t, "cr1_normal": cr1_normal,
               "wcr_webb": webb, "wcr_rademacher": rad, "seconds": round(elapsed, 2)}
    for k, v in summary.items():
        record_property(k, v)
    print(f"\ncoverage of 95% intervals, 9 clusters: {summary}")

    assert 0.92 <= webb <= 0.98 and 0.92 <= rad <= 0.98
    assert cr1_t < webb and cr1_t < rad
    assert cr1_normal < cr1_t
    # the batched p-values are those of the one-sample function with the same draws
    for s in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BootstrapEnumerationWarning)
            one = wild_cluster_bootstrap(design.X, Y[:, s], design.codes, coef_index=0, weights="webb", reps=999,
                                         seed=1, absorb=design.absorb, n_params=design.n_params)
        assert one.pvalue_at(TAU) == pytest.approx(p_webb[s], abs=1e-12)
        assert one.std_error == pytest.approx(se[s], rel=1e-12)
