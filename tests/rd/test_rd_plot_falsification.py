"""RD plot bins and fits, covariate balance, placebo cutoffs and bandwidth sensitivity.

References: the bin means and the polynomial fits are recomputed here
independently (evenly spaced bins on [min x, c) and [c, max x]; a least-squares
polynomial of order p on each side); the falsification tables are checked
against direct :func:`research_kit.rd.rdd` calls on the subsets they describe
and against the known truth of the simulated demo (no jump in predetermined
covariates, no jump at placebo cutoffs).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from research_kit import rd
from research_kit.results import TIDY_COLUMNS
from research_kit.simulate.rd import hedging_guarantee_demo


@pytest.fixture(scope="module")
def firms() -> pd.DataFrame:
    return hedging_guarantee_demo(4000, seed=7).firms


def test_evenly_spaced_bins_and_fits_match_independent_computation(senate: pd.DataFrame) -> None:
    d = rd.rd_plot_data(senate, outcome="vote", running="margin", nbins=(10, 10), binselect="es", p=4)
    x, y = senate["margin"].to_numpy(float), senate["vote"].to_numpy(float)
    for side, mask, edges in (("left", x < 0, np.linspace(x.min(), 0, 11)),
                              ("right", x >= 0, np.linspace(0, x.max(), 11))):
        idx = np.clip(np.searchsorted(edges, x[mask], side="right") - 1, 0, 9)
        means = pd.Series(y[mask]).groupby(idx).mean()
        counts = pd.Series(y[mask]).groupby(idx).size()
        got = d.bins.loc[d.bins["side"] == side]
        assert_allclose(got["y_mean"].to_numpy(), means.to_numpy(), rtol=1e-10)
        assert got["n"].tolist() == counts.tolist()
        coef = np.polynomial.polynomial.polyfit(x[mask], y[mask], 4)
        fit = d.fit.loc[d.fit["side"] == side]
        assert_allclose(fit["y"].to_numpy(), np.polynomial.polynomial.polyval(fit["x"].to_numpy(), coef),
                        rtol=1e-8)
    assert d.n_bins == (10, 10)


def test_data_driven_bins_and_quantile_spacing(senate: pd.DataFrame) -> None:
    es = rd.rd_plot_data(senate, outcome="vote", running="margin")  # esmv, rdplot's default
    assert es.binselect == "esmv" and min(es.n_bins) >= 5
    qs = rd.rd_plot_data(senate, outcome="vote", running="margin", binselect="qs", nbins=(8, 8))
    counts = qs.bins.groupby("side")["n"].agg(["min", "max"])
    assert (counts["max"] - counts["min"] <= 2).all()  # quantile bins hold (almost) equal counts


def test_result_plot_and_function_return_axes(senate: pd.DataFrame) -> None:
    r = rd.rdd(senate, outcome="vote", running="margin")
    ax = r.plot(nbins=20, ci=0.95)
    assert ax.get_xlabel() == "margin" and len(ax.lines) >= 3  # two fits and the cutoff line
    plt.close(ax.figure)
    ax = r.plot(within_bandwidth=True, nbins=10)
    lo, hi = ax.get_xlim()
    assert lo > -30 and hi < 30  # only the data within h = 17.75 of the cutoff
    plt.close(ax.figure)
    ax = rd.rd_plot(senate, outcome="vote", running="margin", xlabel="Margin", ylabel="Vote", labels=("bins", "fit"))
    assert ax.get_ylabel() == "Vote" and ax.get_legend() is not None
    plt.close(ax.figure)


def test_covariate_balance_one_row_per_covariate_equal_to_rdd(firms: pd.DataFrame) -> None:
    covs = ["firm_age", "employees", "hedge_ratio_2021"]
    tab = rd.covariate_balance(firms, covariates=covs, running="running", kernel="uniform")
    assert tab["covariate"].tolist() == covs
    assert set(TIDY_COLUMNS) <= set(tab.columns)
    direct = rd.rdd(firms, outcome="employees", running="running", kernel="uniform")
    row = tab.set_index("covariate").loc["employees"]
    assert row["estimate"] == direct.estimate and row["p_value"] == direct.p_value
    assert row["conventional"] == direct.conventional and row["h_left"] == direct.h[0]
    # known truth: the simulated covariates are smooth at the threshold
    assert (tab["p_value"] > 0.01).all()
    # a covariate built to jump at the cutoff is caught
    jumpy = firms.assign(bad=firms["firm_age"] + 3.0 * (firms["running"] >= 0))
    bad = rd.covariate_balance(jumpy, covariates="bad", running="running")
    assert bad["p_value"].iloc[0] < 0.001


def test_placebo_cutoffs_use_one_side_only(firms: pd.DataFrame) -> None:
    tab = rd.placebo_cutoffs(firms, outcome="hedge_ratio", running="running", placebos=[-20.0, 25.0])
    assert tab["side"].tolist() == ["left", "true", "right"]
    assert tab["placebo"].tolist() == [True, False, True]
    left = firms.loc[firms["running"] < 0]
    direct = rd.rdd(left, outcome="hedge_ratio", running="running", cutoff=-20.0)
    row = tab.loc[tab["cutoff"] == -20.0].iloc[0]
    assert row["estimate"] == direct.estimate and row["n_eff_right"] == direct.n_effective[1]
    true = tab.loc[~tab["placebo"]].iloc[0]
    assert true["p_value"] < 1e-6  # the real jump
    assert (tab.loc[tab["placebo"], "p_value"] > 0.01).all()  # known truth: no jump elsewhere


def test_default_placebos_are_quantiles_on_each_side(firms: pd.DataFrame) -> None:
    tab = rd.placebo_cutoffs(firms, outcome="hedge_ratio", running="running")
    x = firms["running"]
    expected = sorted([*np.quantile(x[x < 0], [0.25, 0.5, 0.75]), *np.quantile(x[x >= 0], [0.25, 0.5, 0.75])])
    assert_allclose(tab.loc[tab["placebo"], "cutoff"].to_numpy(), expected)


def test_placebo_too_close_to_the_edge_is_skipped(firms: pd.DataFrame) -> None:
    lowest = float(firms["running"].min())
    with pytest.warns(rd.PlaceboSkippedWarning, match="skipped the placebo cutoff"):
        tab = rd.placebo_cutoffs(firms, outcome="hedge_ratio", running="running", placebos=[lowest + 0.01])
    assert tab["side"].tolist() == ["true"]


def test_bandwidth_sensitivity_scales_h_and_keeps_base_row(firms: pd.DataFrame) -> None:
    tab = rd.bandwidth_sensitivity(firms, outcome="hedge_ratio", running="running", multipliers=(0.5, 1.0, 2.0))
    base = rd.rdd(firms, outcome="hedge_ratio", running="running")
    assert_allclose(tab["h_left"].to_numpy(), base.h[0] * np.array([0.5, 1.0, 2.0]))
    assert tab.loc[tab["multiplier"] == 1.0, "estimate"].iloc[0] == base.estimate
    assert tab["n_eff_left"].is_monotonic_increasing
    with pytest.raises(TypeError, match="do not pass h or b"):
        rd.bandwidth_sensitivity(firms, outcome="hedge_ratio", running="running", h=5.0)
    with pytest.raises(TypeError, match="named arguments"):
        rd.covariate_balance(firms, covariates=["firm_age"], running="running", outcome="x")
