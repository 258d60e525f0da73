"""Borusyak, Jaravel and Spiess (2024) imputation estimator.

References
----------
* Point estimates: Gardner's two-stage DiD gives the same numbers as the imputation
  estimator for the same horizons (both fit unit + period effects on untreated
  observations and average the residualised treated outcomes). pyfixest 0.60.0:

      pf.did2s(df, yname="dep_var", first_stage="~ 0 | unit + year",
               second_stage="~ i(hz, ref=-1)" | "~ i(treat)", treatment="treat", cluster="unit")

  on pyfixest's ``df_het`` (the R ``did2s`` example data, 46,500 rows; a third of the
  units here to keep the test fast), ``hz`` = horizon for treated rows, -1 otherwise.
  (The printed R ``didimputation`` README numbers, e.g. static 2.262952 (0.03139684),
  are for a different draw of ``df_het`` with 31,000 rows, not stored anywhere we can
  read, so they cannot be used.)
* Standard errors: no printed BJS standard errors exist for a data set we hold, so
  (i) an independent dense implementation of BJS's formula below (explicit dummy
  matrix ``Z``, ``v* = -Z0 pinv(Z0'Z0) Z1' w``, cohort x period ``v^2``-weighted
  averages as in R ``didimputation::se_inner``) must agree to 1e-10, and (ii) a
  simulation with known truth checks the coverage of the 95% intervals (200 draws).
* Pre-trend coefficients: pyfixest ``feols("y ~ lead dummies | unit + t")`` on the
  untreated observations, CR1 with fixest's factor (see test_twfe.py).
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from research_kit.tabular.encode import DroppedUnitsWarning
from research_kit.did.imputation import NotImputableWarning, imputation
from research_kit.inference import FewClustersWarning

from did_simulation import staggered_panel

RAW = pf.ssc(k_adj=False, G_adj=False)


def _fit(df, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        return imputation(df, **kw)


@pytest.fixture(scope="module")
def df_het() -> pd.DataFrame:
    path = os.path.join(os.path.dirname(pf.__file__), "did", "data", "df_het.csv")
    df = pd.read_csv(path)
    assert df.shape == (46500, 14)
    df = df[df["unit"] % 3 == 0].reset_index(drop=True)
    df["hz"] = np.where(df["treat"], df["year"] - df["g"], -1).astype(int)
    return df


def test_point_estimates_equal_gardner_two_stage(df_het):
    r = _fit(df_het, outcome="dep_var", unit="unit", time="year", cohort="g", pretrends=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = pf.did2s(df_het, yname="dep_var", first_stage="~ 0 | unit + year", second_stage="~ i(hz, ref=-1)",
                      treatment="treat", cluster="unit")
        static = pf.did2s(df_het, yname="dep_var", first_stage="~ 0 | unit + year", second_stage="~ i(treat)",
                          treatment="treat", cluster="unit")
    ref = pd.Series(es.coef().to_numpy(), index=[int(n.split("::")[1]) for n in es.coef().index])
    tab = r.extra["event_time"].set_index("event_time")
    assert tab.index.tolist() == list(range(0, 21)) == sorted(ref.index)
    # pyfixest's demeaning is iterative and stops at fixef_tol = 1e-8 (differences ~5e-9); ours is exact
    np.testing.assert_allclose(tab.loc[ref.index, "estimate"], ref, rtol=0, atol=5e-8)
    np.testing.assert_allclose(r.params["ATT"], static.coef().iloc[0], rtol=0, atol=5e-8)
    # and both are close to the truth of the simulation (te + te_dynamic)
    truth = df_het[df_het["treat"]].groupby("hz").apply(lambda x: (x["te"] + x["te_dynamic"]).mean())
    z = (tab.loc[truth.index, "estimate"] - truth) / tab.loc[truth.index, "std_error"]
    assert np.all(np.abs(z) < 4.5), z


def _dense_bjs(df, y, unit, time, g, horizons, cluster=None, leave_out=False):
    """BJS estimates and conservative SEs with explicit matrices (independent of the library)."""
    d = df.reset_index(drop=True)
    u = pd.factorize(d[unit], sort=True)[0]
    t = pd.factorize(d[time], sort=True)[0]
    gg = d[g].to_numpy()
    treated = (gg > 0) & (d[time].to_numpy() >= gg)
    Z = np.hstack([np.eye(u.max() + 1)[u], np.eye(t.max() + 1)[t]])
    Z0, Z1 = Z[~treated], Z[treated]
    yv = d[y].to_numpy(float)
    theta = np.linalg.pinv(Z0.T @ Z0) @ Z0.T @ yv[~treated]
    resid = yv - Z @ theta
    h = (d[time].to_numpy() - gg)[treated]
    W = np.column_stack([(h == k) / (h == k).sum() for k in horizons] + [np.ones(h.size) / h.size])
    est = W.T @ resid[treated]
    vstar = np.zeros((len(d), W.shape[1]))
    vstar[~treated] = -Z0 @ np.linalg.pinv(Z0.T @ Z0) @ Z1.T @ W
    vstar[treated] = W
    cl = pd.factorize(d[cluster if cluster else unit])[0]
    cell = pd.factorize(pd.Series(list(zip(gg[treated], d[time].to_numpy()[treated]))))[0]
    ses = []
    for j in range(W.shape[1]):
        v = vstar[:, j]
        tau = resid[treated]
        v2 = v[treated] ** 2
        tbar = np.empty(tau.size)
        for c in np.unique(cell):
            m = cell == c
            for i in np.flatnonzero(m):
                sel = m & (cl[treated] != cl[treated][i]) if leave_out else m
                if leave_out and v2[sel].sum() == 0:
                    sel = m
                tbar[i] = (v2[sel] * tau[sel]).sum() / v2[sel].sum() if v2[sel].sum() > 0 else 0.0
        eps = resid.copy()
        eps[treated] = tau - tbar
        s = np.bincount(cl, weights=v * eps)
        ses.append(np.sqrt((s**2).sum()))
    return est, np.array(ses)


@pytest.mark.parametrize("leave_out", [False, True])
@pytest.mark.parametrize("cluster", [None, "cl"])
def test_standard_errors_equal_a_dense_implementation_of_bjs(leave_out, cluster):
    df = staggered_panel(n_units=90, n_periods=7, seed=5, unbalanced=0.08)
    df["cl"] = df["id"] % 11
    r = _fit(df, outcome="y", unit="id", time="t", cohort="g", cluster=cluster, leave_out=leave_out, pretrends=0)
    hs = r.info["horizons"]
    est, se = _dense_bjs(df, "y", "id", "t", "g", hs, cluster=cluster, leave_out=leave_out)
    tab = r.tidy().set_index("term")
    terms = [f"e={h}" for h in hs] + ["ATT"]
    np.testing.assert_allclose(tab.loc[terms, "estimate"], est, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(tab.loc[terms, "std_error"], se, rtol=1e-9)
    np.testing.assert_allclose(np.sqrt(np.diag(r.extra["vcov_matrix"])), se, rtol=1e-9)
    assert r.info["n_clusters"] == (11 if cluster else df["id"].nunique())


def test_pretrend_regression_matches_pyfixest_on_untreated_observations(mpdta):
    r = _fit(mpdta, outcome="lemp", unit="countyreal", time="year", cohort="first.treat", pretrends=3)
    d = mpdta.copy()
    g = d["first.treat"]
    d = d[~((g > 0) & (d["year"] >= g))].copy()
    d["lead"] = np.where(d["first.treat"] > 0, d["year"] - d["first.treat"], 0).astype(int)
    d.loc[d["lead"] < -3, "lead"] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = pf.feols("lemp ~ i(lead, ref=0) | countyreal + year", d, vcov={"CRV1": "countyreal"}, ssc=RAW)
    coef = pd.Series(f.coef().to_numpy(), index=[int(n.split("::")[1]) for n in f.coef().index])
    N, G, K = len(d), d["countyreal"].nunique(), 3 + d["year"].nunique()
    factor = np.sqrt(G / (G - 1) * (N - 1) / (N - K))
    tab = r.extra["event_time"].set_index("event_time")
    np.testing.assert_allclose(tab.loc[[-3, -2, -1], "estimate"], coef.loc[[-3, -2, -1]], rtol=1e-8)
    np.testing.assert_allclose(tab.loc[[-3, -2, -1], "std_error"], f.se().to_numpy() * factor, rtol=1e-6)
    V = np.asarray(f._vcov) * factor**2
    b = coef.loc[[-3, -2, -1]].to_numpy()
    np.testing.assert_allclose(r.info["pretrend"]["statistic"], b @ np.linalg.solve(V, b), rtol=1e-6)
    assert r.term == "e=0" and r.tidy()["term"].tolist() == ["e=-3", "e=-2", "e=-1", "e=0", "e=1", "e=2", "e=3",
                                                              "ATT"]


def test_coverage_of_conservative_intervals_in_a_simulation_with_known_truth():
    """200 draws, heterogeneous effects across units; truth = mean effect of the treated sample."""
    rng = np.random.default_rng(2024)
    n, T = 60, 6
    hits = np.zeros(2)
    errors, ses = [], []
    for _ in range(200):
        g = rng.choice([3, 5, 0], size=n)
        ids = np.repeat(np.arange(n), T)
        t = np.tile(np.arange(1, T + 1), n)
        gi = np.repeat(g, T)
        treated = (gi > 0) & (t >= gi)
        unit_te = np.repeat(rng.normal(1.0, 0.5, n), T)
        te = np.where(treated, unit_te + 0.3 * (t - gi), 0.0)
        y = np.repeat(rng.normal(size=n), T) + 0.2 * t + te + rng.normal(size=n * T)
        df = pd.DataFrame({"id": ids, "t": t, "g": gi, "y": y})
        r = _fit(df, outcome="y", unit="id", time="t", cohort="g", pretrends=0)
        tab = r.tidy().set_index("term")
        truth = {"e=0": te[treated & (t == gi)].mean(), "ATT": te[treated].mean()}
        for j, term in enumerate(truth):
            hits[j] += tab.loc[term, "conf_low"] <= truth[term] <= tab.loc[term, "conf_high"]
        errors.append(tab.loc["ATT", "estimate"] - truth["ATT"])
        ses.append(tab.loc["ATT", "std_error"])
    coverage = hits / 200
    assert np.all(coverage >= 0.9), coverage  # observed: 0.955 (e=0), 0.965 (ATT)
    # conservative but not wildly so: mean SE / sampling SD of the error (observed 1.05)
    assert 0.9 < np.mean(ses) / np.std(errors) < 1.4
    assert abs(np.mean(errors)) < 3 * np.std(errors) / np.sqrt(200)  # unbiased


def test_pretrend_test_detects_a_violation():
    clean = staggered_panel(seed=3, heterogeneous=True)
    bad = clean.copy()
    bad["y"] += np.where(bad["g"] > 0, 0.4 * bad["t"], 0.0)
    p_clean = _fit(clean, outcome="y", unit="id", time="t", cohort="g").info["pretrend"]["p_value"]
    p_bad = _fit(bad, outcome="y", unit="id", time="t", cohort="g").info["pretrend"]["p_value"]
    assert p_clean > 0.01 and p_bad < 1e-6


def test_lags_and_horizons_select_the_reported_horizons(sim):
    full = _fit(sim, outcome="y", unit="id", time="t", cohort="g", pretrends=0)
    part = _fit(sim, outcome="y", unit="id", time="t", cohort="g", lags=2, leads=2)
    assert part.extra["event_time"]["event_time"].tolist() == [-2, -1, 0, 1, 2]
    pd.testing.assert_frame_equal(part.tidy().set_index("term").loc[["e=0", "e=1", "e=2"]],
                                  full.tidy().set_index("term").loc[["e=0", "e=1", "e=2"]])
    # the ATT averages the reported horizons only
    eff = full.extra["effects"]
    np.testing.assert_allclose(part.params["ATT"], eff.loc[eff["event_time"] <= 2, "effect"].mean(), rtol=1e-12)
    only = _fit(sim, outcome="y", unit="id", time="t", cohort="g", horizons=[1, 3], pretrends=[-2])
    assert only.tidy()["term"].tolist() == ["e=-2", "e=1", "e=3", "ATT"] and only.term == "e=1"


def test_always_treated_units_are_dropped_and_unimputable_periods_left_out(sim):
    df = sim.copy()
    df.loc[df["id"] < 20, "g"] = 1
    with pytest.warns(DroppedUnitsWarning, match="treated from the first period"):
        r = imputation(df, outcome="y", unit="id", time="t", cohort="g", pretrends=0)
    assert r.nobs == len(df) - 20 * 8
    late = sim[sim["g"] > 0]  # no never-treated: periods 7 and 8 have every unit treated
    with pytest.warns(NotImputableWarning, match="cannot be imputed"):
        r = imputation(late, outcome="y", unit="id", time="t", cohort="g", pretrends=2)
    assert r.info["horizons"] == [0, 1, 2, 3]  # cohort 3 up to period 6, cohort 5 up to period 6


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"horizons": [-1, 0]}, ValueError, "non-negative"),
        ({"horizons": [0, 9]}, ValueError, "no imputable treated observations"),
        ({"pretrends": [-1, 1]}, ValueError, "must be negative"),
        ({"leads": -2}, ValueError, "non-negative integer"),
        ({"leave_out": "yes"}, TypeError, "leave_out must be True or False"),
        ({"cluster": "nope"}, KeyError, "cluster column 'nope'"),
    ],
)
def test_bad_options(sim, kwargs, error, match):
    with pytest.raises(error, match=match):
        imputation(sim, outcome="y", unit="id", time="t", cohort="g", **kwargs)


def test_bad_data(sim):
    with pytest.raises(ValueError, match="no unit is ever treated"):
        imputation(sim[sim["g"] == 0], outcome="y", unit="id", time="t", cohort="g")
    with pytest.raises(ValueError, match="pre-trend regression .* not identified"), \
            pytest.warns(NotImputableWarning):
        imputation(sim[sim["g"] > 0], outcome="y", unit="id", time="t", cohort="g", pretrends=6)
    dup = pd.concat([sim, sim.iloc[:1]])
    with pytest.raises(ValueError, match="share a"):
        imputation(dup, outcome="y", unit="id", time="t", cohort="g")
