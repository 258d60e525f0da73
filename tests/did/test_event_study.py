"""Event studies: dynamic TWFE against pyfixest 0.60, Callaway-Sant'Anna against its dynamic aggregation.

Reference command (Python, pyfixest 0.60.0), with ``rel = t - g`` for treated units and
``rel = -1`` (the reference) for never-treated units, binned at the window ends where
the test says so:

    pf.feols("y ~ i(rel, ref=-1) | id + t", data, vcov={"CRV1": "id"}, ssc=pf.ssc(k_adj=False, G_adj=False))

Standard errors are compared through pyfixest's raw sandwich times the fixest factor
(see test_twfe.py for why): K = number of event dummies + number of periods.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

import research_kit as rk
from research_kit.did.event_study import PENDING_METHODS_ISSUE

from did_simulation import staggered_panel

RAW = pf.ssc(k_adj=False, G_adj=False)


def _rel(df: pd.DataFrame, g: str, t: str, lo: int | None = None, hi: int | None = None) -> pd.Series:
    rel = np.where(df[g] > 0, df[t] - df[g], -1)
    if lo is not None:
        rel = np.where(df[g] > 0, np.clip(rel, lo, hi), -1)
    return pd.Series(rel, index=df.index)


def _pyfixest(df, y, unit, time, rel):
    f = pf.feols(f"{y} ~ i(rel, ref=-1) | {unit} + {time}", data=df.assign(rel=rel), vcov={"CRV1": unit}, ssc=RAW)
    coef = pd.Series(f.coef().to_numpy(), index=[int(float(c.split("::")[1])) for c in f.coef().index])
    se = pd.Series(f.se().to_numpy(), index=coef.index)
    V = pd.DataFrame(f._vcov, index=coef.index, columns=coef.index)
    return coef, se, V


def _factor(N, K, G):
    return np.sqrt(G / (G - 1) * (N - 1) / (N - K))


@pytest.mark.parametrize(("leads", "lags"), [(None, None), (3, 2), (1, 0)])
def test_dynamic_twfe_matches_pyfixest(sim, leads, lags):
    binned = leads is not None
    es = rk.did.event_study(sim, outcome="y", unit="id", time="t", cohort="g", leads=leads, lags=lags)
    rel = _rel(sim, "g", "t", -leads, lags) if binned else _rel(sim, "g", "t")
    coef, se, V = _pyfixest(sim, "y", "id", "t", rel)
    tab = es.extra["event_time"].set_index("event_time")
    assert list(tab.index) == sorted(set(coef.index) | {-1})
    np.testing.assert_allclose(tab.loc[coef.index, "estimate"], coef, rtol=1e-8)
    factor = _factor(len(sim), len(coef) + sim["t"].nunique(), sim["id"].nunique())
    np.testing.assert_allclose(tab.loc[coef.index, "std_error"], se * factor, rtol=1e-6)
    assert tab.loc[-1, "estimate"] == 0 and np.isnan(tab.loc[-1, "std_error"])
    # joint pre-trend Wald test from pyfixest's covariance matrix
    pre = [e for e in coef.index if e < -1]
    if not pre:
        assert es.info["pretrend"] is None
        return
    Vp = V.loc[pre, pre].to_numpy() * factor**2
    stat = coef[pre].to_numpy() @ np.linalg.solve(Vp, coef[pre].to_numpy())
    np.testing.assert_allclose(es.info["pretrend"]["statistic"], stat, rtol=1e-6)
    assert es.info["pretrend"]["df"] == len(pre)
    np.testing.assert_allclose(es.info["pretrend"]["p_value"], stats.chi2.sf(stat, len(pre)), rtol=1e-6)


def test_unbinned_window_reports_a_subset_of_the_saturated_model(sim):
    full = rk.did.event_study(sim, outcome="y", unit="id", time="t", cohort="g").extra["event_time"]
    win = rk.did.event_study(sim, outcome="y", unit="id", time="t", cohort="g", leads=2, lags=1,
                             bin_endpoints=False)
    tab = win.extra["event_time"]
    assert tab["event_time"].tolist() == [-2, -1, 0, 1]
    pd.testing.assert_frame_equal(tab.reset_index(drop=True),
                                  full[full["event_time"].between(-2, 1)].reset_index(drop=True))
    assert win.extra["outside_window"]["event_time"].min() < -2


def test_dynamic_twfe_on_mpdta_matches_pyfixest(mpdta):
    es = rk.did.event_study(mpdta, outcome="lemp", unit="countyreal", time="year", cohort="first.treat")
    coef, se, _ = _pyfixest(mpdta, "lemp", "countyreal", "year", _rel(mpdta, "first.treat", "year"))
    tab = es.extra["event_time"].set_index("event_time")
    np.testing.assert_allclose(tab.loc[coef.index, "estimate"], coef, rtol=1e-8)
    np.testing.assert_allclose(tab.loc[coef.index, "std_error"], se * _factor(2500, 7 + 5, 500), rtol=1e-6)
    assert es.term == "e=0" and es.tidy()["term"].tolist()[0] == "e=-4"


def test_callaway_santanna_event_study_is_the_dynamic_aggregation(mpdta):
    es = rk.did.event_study(mpdta, outcome="lemp", unit="countyreal", time="year", cohort="first.treat",
                            method="callaway_santanna", leads=2, lags=2)
    # R did 2.5.0, aggte(att_gt(...), type="dynamic", bstrap=FALSE), data/r_did/ref_aggte.csv
    ref = pd.read_csv(Path(__file__).parent / "data" / "r_did" / "ref_aggte.csv")
    ref = ref.query("scenario == 'mpdta_nev_dr' and type == 'dynamic' and egt >= -2 and egt <= 2")
    tab = es.extra["event_time"]
    assert tab["event_time"].tolist() == [-2, -1, 0, 1, 2]
    np.testing.assert_allclose(tab["estimate"], ref["att_egt"], rtol=1e-9)
    np.testing.assert_allclose(tab["std_error"], ref["se_egt"], rtol=1e-9)
    assert es.info["pretrend"]["df"] == 2


@pytest.mark.parametrize("method", ["twfe", "callaway_santanna"])
def test_pretrend_test_detects_a_violation(method):
    clean = staggered_panel(seed=3, heterogeneous=False)  # effects vary by exposure only
    bad = clean.copy()
    bad["y"] += np.where(bad["g"] > 0, 0.4 * bad["t"], 0.0)  # treated cohorts trend upwards all along
    p_clean = rk.did.event_study(clean, outcome="y", unit="id", time="t", cohort="g", method=method)
    p_bad = rk.did.event_study(bad, outcome="y", unit="id", time="t", cohort="g", method=method)
    assert p_clean.info["pretrend"]["p_value"] > 0.01
    assert p_bad.info["pretrend"]["p_value"] < 1e-6


def test_twfe_leads_are_contaminated_by_heterogeneous_effects_but_cs_leads_are_not():
    """Sun and Abraham (2021): with cohort-specific dynamics the dynamic TWFE leads pick up
    post-treatment effects of other cohorts; parallel trends hold here by construction."""
    df = staggered_panel(seed=3, heterogeneous=True)
    twfe = rk.did.event_study(df, outcome="y", unit="id", time="t", cohort="g")
    cs = rk.did.event_study(df, outcome="y", unit="id", time="t", cohort="g", method="callaway_santanna")
    assert twfe.info["pretrend"]["p_value"] < 1e-6
    assert cs.info["pretrend"]["p_value"] > 0.01


@pytest.mark.parametrize("method", ["sun_abraham", "imputation"])
def test_event_study_routes_to_the_heterogeneity_robust_estimators(sim, method):
    # the estimators themselves are validated in test_sun_abraham.py / test_imputation.py
    via = rk.did.event_study(sim, outcome="y", unit="id", time="t", cohort="g", method=method, leads=3, lags=3)
    direct = getattr(rk.did, method)(sim, outcome="y", unit="id", time="t", cohort="g", leads=3, lags=3)
    pd.testing.assert_frame_equal(via.tidy(), direct.tidy())


def test_reference_outside_window_and_cs_reference(sim):
    with pytest.raises(ValueError, match="outside the window"):
        rk.did.event_study(sim, outcome="y", unit="id", time="t", cohort="g", leads=2, lags=2, reference=-5)
    with pytest.raises(ValueError, match="reference applies to method='twfe'"):
        rk.did.event_study(sim, outcome="y", unit="id", time="t", cohort="g", method="callaway_santanna",
                           reference=-2)
