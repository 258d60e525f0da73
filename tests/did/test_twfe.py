"""TWFE and 2x2 DiD against pyfixest 0.60 (the reference implementation of R fixest).

Commands (Python, pyfixest 0.60.0):

    pf.feols("y ~ d | id + t", data, vcov={"CRV1": cluster}, weights=...)
    pf.feols("y ~ g * p", data, vcov="hetero" | {"CRV1": cluster})

Standard errors: pyfixest 0.60 counts fixed effects nested in the cluster variable
using an order that depends on Python's string-hash seed (``count_fixef_fully_nested_all``
pairs the formula's FE names with ``_fe`` columns whose order varies with
PYTHONHASHSEED), so its default small-sample factor flips between runs when a fixed
effect is nested in the cluster. We therefore compare against pyfixest's raw sandwich
(``ssc(k_adj=False, G_adj=False)``) times the fixest factor
``G/(G-1) * (N-1)/(N-K)`` with K = regressors + fixed-effect parameters not nested in
the cluster (for ``| unit + time`` clustered by unit: K = k + T), and separately
against pyfixest's full default where no fixed effect is nested (no ambiguity).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

import research_kit as rk
from research_kit.inference import FewClustersWarning

RAW = pf.ssc(k_adj=False, G_adj=False)


def _factor(N: int, K: int, G: int) -> float:
    return np.sqrt(G / (G - 1) * (N - 1) / (N - K))


@pytest.mark.parametrize("data", ["sim", "sim_unbalanced"])
@pytest.mark.parametrize("weights", [None, "w"])
def test_twfe_matches_pyfixest_clustered_by_unit(request, data, weights):
    df = request.getfixturevalue(data)
    r = rk.did.twfe(df, outcome="y", unit="id", time="t", treat="d", weights=weights)
    f = pf.feols("y ~ d | id + t", data=df, vcov={"CRV1": "id"}, weights=weights, ssc=RAW)
    np.testing.assert_allclose(r.estimate, f.coef()["d"], rtol=1e-8)
    N, T, G = len(df), df["t"].nunique(), df["id"].nunique()
    np.testing.assert_allclose(r.std_error, f.se()["d"] * _factor(N, 1 + T, G), rtol=1e-6)
    assert r.info["n_clusters"] == G and r.info["cluster"] == "id" and r.info["vcov"] == "CR1"


def test_twfe_matches_pyfixest_default_when_no_fixed_effect_is_nested(sim_unbalanced):
    df = sim_unbalanced.assign(cl2=(sim_unbalanced["id"] + sim_unbalanced["t"]) % 41)
    r = rk.did.twfe(df, outcome="y", unit="id", time="t", treat="d", cluster="cl2")
    f = pf.feols("y ~ d | id + t", data=df, vcov={"CRV1": "cl2"})
    np.testing.assert_allclose(r.estimate, f.coef()["d"], rtol=1e-8)
    np.testing.assert_allclose(r.std_error, f.se()["d"], rtol=1e-6)
    np.testing.assert_allclose(r.conf_low, f.confint().loc["d"].iloc[0], rtol=1e-6)  # t(G - 1) intervals


def test_twfe_two_way_clustering_matches_pyfixest(sim):
    df = sim.assign(cl2=(sim["id"] + sim["t"]) % 41)
    r = rk.did.twfe(df, outcome="y", unit="id", time="t", treat="d", cluster=["cl", "cl2"])
    f = pf.feols("y ~ d | id + t", data=df, vcov={"CRV1": "cl+cl2"}, ssc=RAW)
    N, T, n_units = len(df), df["t"].nunique(), df["id"].nunique()
    G = min(df["cl"].nunique(), df["cl2"].nunique())  # fixest cluster.df = "min"
    K = 1 + T  # unit FE nested in cl: counted out
    np.testing.assert_allclose(r.std_error, f.se()["d"] * _factor(N, K, G), rtol=1e-6)
    assert n_units > K


def test_twfe_on_mpdta_matches_pyfixest(mpdta):
    df = mpdta.assign(d=((mpdta["first.treat"] > 0) & (mpdta["year"] >= mpdta["first.treat"])).astype(int))
    r = rk.did.twfe(df, outcome="lemp", unit="countyreal", time="year", treat="d")
    f = pf.feols("lemp ~ d | countyreal + year", data=df, vcov={"CRV1": "countyreal"}, ssc=RAW)
    np.testing.assert_allclose(r.estimate, f.coef()["d"], rtol=1e-8)
    np.testing.assert_allclose(r.std_error, f.se()["d"] * _factor(2500, 1 + 5, 500), rtol=1e-6)


@pytest.mark.parametrize("cluster", [None, "countyreal"])
def test_two_by_two_matches_pyfixest_and_the_group_time_cell(mpdta, cluster):
    df = mpdta.query("`first.treat` in (0, 2004) and year in (2003, 2004)").assign(
        g=lambda d: (d["first.treat"] == 2004).astype(int), p=lambda d: (d["year"] == 2004).astype(int))
    r = rk.did.two_by_two(df, outcome="lemp", treated="g", post="p", cluster=cluster)
    f = pf.feols("lemp ~ g * p", data=df, vcov="hetero" if cluster is None else {"CRV1": cluster})
    np.testing.assert_allclose(r.estimate, f.coef()["g:p"], rtol=1e-10)
    np.testing.assert_allclose(r.std_error, f.se()["g:p"], rtol=1e-8)
    # the 2x2 regression is R did's ATT(2004, 2004) (data/r_did/ref_attgt.csv)
    np.testing.assert_allclose(r.estimate, -0.0105032462209624, rtol=1e-9)
    assert r.info["vcov"] == ("HC1" if cluster is None else "CR1")


def test_twfe_is_fast_and_exact_on_a_large_unbalanced_panel():
    rng = np.random.default_rng(3)
    n, T = 20_000, 12
    df = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n)})
    df = df.sample(frac=0.8, random_state=3).reset_index(drop=True)
    g = rng.choice([4, 8, 99], size=n)[df["id"]]
    df["d"] = (df["t"] >= g).astype(int)
    df["y"] = 0.01 * df["id"] + 0.2 * df["t"] + 1.5 * df["d"] + rng.normal(size=len(df))
    r = rk.did.twfe(df, outcome="y", unit="id", time="t", treat="d")
    f = pf.feols("y ~ d | id + t", data=df, vcov={"CRV1": "id"}, ssc=RAW)
    np.testing.assert_allclose(r.estimate, f.coef()["d"], rtol=1e-8)


def test_twfe_few_clusters_warning_points_at_caller(sim):
    with pytest.warns(FewClustersWarning, match="only 8 clusters") as record:
        rk.did.twfe(sim, outcome="y", unit="id", time="t", treat="d", cluster="t")
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rk.did.twfe(sim, outcome="y", unit="id", time="t", treat="d")  # 900 clusters: silent
