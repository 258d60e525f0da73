"""Sun and Abraham (2021) interaction-weighted event study.

References
----------
* R ``did`` 2.5.0 on ``mpdta`` (``data/r_did/``, provenance in data/README.md):
  with never-treated controls and reference period -1 every cohort x period
  interaction of the saturated regression is the 2x2 DiD of that cohort against the
  never treated between ``t`` and ``g - 1``, i.e. R's ``att_gt(..., control_group =
  "nevertreated", base_period = "universal", est_method = "reg")`` (``ref_gaps.csv``,
  scenario ``universal``); and for ``e >= 0`` the cohort-share average equals
  ``aggte(att_gt(..., base_period = "varying", est_method = "dr"), type = "dynamic")``
  (``ref_aggte.csv``, scenario ``mpdta_nev_dr``; post-period ATT(g,t) do not depend on
  the base-period choice, and the dynamic weights are the cohort sizes).
* pyfixest 0.60.0, the saturated regression itself (standard errors):

      pf.feols("y ~ i(rel, coh, ref=-1, ref2=0) | id + t", data, vcov={"CRV1": "id"},
               ssc=pf.ssc(k_adj=False, G_adj=False))

  with ``rel = t - g`` and ``coh = g`` for treated units, ``rel = -1, coh = 0`` for the
  control cohort; the raw sandwich is scaled by fixest's factor
  ``G/(G-1) (N-1)/(N-K)``, K = interactions + periods (see test_twfe.py). The
  aggregation is done here by hand with fixest's ``aggregate.fixest`` rule
  (``R/did.R``: shares = ``colSums(sign(model.matrix))``, i.e. each cohort's number of
  observations in the relative period; ``se = sqrt(w' V w)``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from research_kit.tabular.encode import DroppedUnitsWarning
from research_kit.did.sun_abraham import sun_abraham
from research_kit.inference import FewClustersWarning

from did_simulation import staggered_panel

DATA = Path(__file__).parent / "data"
RAW = pf.ssc(k_adj=False, G_adj=False)


def _factor(N: int, K: int, G: int) -> float:
    return float(np.sqrt(G / (G - 1) * (N - 1) / (N - K)))


def _pyfixest_saturated(df, y, unit, time, g, control, lo=None, hi=None):
    """Cohort x relative-period coefficients and fixest-scaled covariance from pyfixest."""
    d = df.copy()
    treated = ~control
    rel = d[time] - d[g]
    if lo is not None:
        rel = rel.clip(lo, hi)
    d["rel"] = np.where(treated, rel, -1).astype(int)
    d["coh"] = np.where(treated, d[g], 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = pf.feols(f"{y} ~ i(rel, coh, ref=-1, ref2=0) | {unit} + {time}", d, vcov={"CRV1": unit}, ssc=RAW)
    names = f.coef().index
    cells = [(int(n.split(":")[-1]), int(n.split("::")[1].split(":")[0])) for n in names]  # (cohort, rel)
    counts = np.array([((d["coh"] == c) & (d["rel"] == e)).sum() for c, e in cells], dtype=float)
    factor = _factor(len(d), len(names) + d[time].nunique(), d[unit].nunique())
    V = np.asarray(f._vcov) * factor**2
    return cells, f.coef().to_numpy(), V, counts


def _aggregate_by_hand(cells, coef, V, counts):
    """fixest aggregate.fixest: shares of observations per relative period, delta-method SE."""
    out = {}
    for e in sorted({e for _, e in cells}):
        w = np.array([n if ee == e else 0.0 for (_, ee), n in zip(cells, counts)])
        w /= w.sum()
        out[e] = (w @ coef, np.sqrt(w @ V @ w))
    w = np.array([n if ee >= 0 else 0.0 for (_, ee), n in zip(cells, counts)])
    w /= w.sum()
    out["ATT"] = (w @ coef, np.sqrt(w @ V @ w))
    return out


def _fit(df, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        return sun_abraham(df, **kw)


def test_cohort_effects_are_r_did_group_time_effects(mpdta):
    r = _fit(mpdta, outcome="lemp", unit="countyreal", time="year", cohort="first.treat")
    ce = r.extra["cohort_effects"].assign(t=lambda x: x["cohort"] + x["event_time"])
    # R did 2.5.0: att_gt(yname="lemp", tname="year", idname="countyreal", gname="first.treat", data=mpdta,
    #   control_group="nevertreated", base_period="universal", est_method="reg", bstrap=FALSE)
    ref = pd.read_csv(DATA / "r_did" / "ref_gaps.csv").query("scenario == 'universal'")
    ref = ref.drop_duplicates(["group", "t"]).dropna(subset=["se"])
    m = ce.merge(ref, left_on=["cohort", "t"], right_on=["group", "t"], validate="one_to_one")
    assert len(m) == len(ce) == 12
    np.testing.assert_allclose(m["estimate"], m["att"], rtol=0, atol=1e-12)


def test_post_period_estimates_are_r_did_dynamic_aggregation(mpdta):
    r = _fit(mpdta, outcome="lemp", unit="countyreal", time="year", cohort="first.treat")
    tab = r.extra["event_time"].set_index("event_time")
    # R did 2.5.0: aggte(att_gt(..., control_group="nevertreated", est_method="dr"), type="dynamic")
    ref = pd.read_csv(DATA / "r_did" / "ref_aggte.csv")
    ref = ref.query("scenario == 'mpdta_nev_dr' and type == 'dynamic' and egt >= 0").set_index("egt")
    # printed: e=0 -0.0199, e=1 -0.0510, e=2 -0.1373, e=3 -0.1008
    np.testing.assert_allclose(tab.loc[ref.index, "estimate"], ref["att_egt"], rtol=1e-10)
    assert tab.loc[-1, "estimate"] == 0 and np.isnan(tab.loc[-1, "std_error"])
    assert r.term == "e=0" and r.tidy()["term"].tolist() == [f"e={e}" for e in range(-4, 4)] + ["ATT"]


@pytest.mark.parametrize("data", ["mpdta", "sim"])
def test_matches_pyfixest_saturated_regression_and_fixest_aggregation(request, data):
    df = request.getfixturevalue(data)
    cols = ("lemp", "countyreal", "year", "first.treat") if data == "mpdta" else ("y", "id", "t", "g")
    y, unit, time, g = cols
    r = _fit(df, outcome=y, unit=unit, time=time, cohort=g)
    cells, coef, V, counts = _pyfixest_saturated(df, y, unit, time, g, control=(df[g] == 0).to_numpy())
    ce = r.extra["cohort_effects"].set_index(["cohort", "event_time"])
    assert sorted(ce.index) == sorted(cells)
    idx = [ce.index.get_loc(c) for c in cells]
    np.testing.assert_allclose(ce["estimate"].to_numpy()[idx], coef, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ce["std_error"].to_numpy()[idx], np.sqrt(np.diag(V)), rtol=1e-6)
    np.testing.assert_allclose(ce["n_obs"].to_numpy()[idx], counts)
    ref = _aggregate_by_hand(cells, coef, V, counts)
    tab = r.tidy().set_index("term")
    for key, (est, se) in ref.items():
        term = "ATT" if key == "ATT" else f"e={key}"
        np.testing.assert_allclose(tab.loc[term, "estimate"], est, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(tab.loc[term, "std_error"], se, rtol=1e-6)
    # joint pre-trend test on the aggregated pre-period coefficients
    pre = [e for e in ref if e != "ATT" and e < 0]
    W = np.vstack([[n / counts[[ee == e for _, ee in cells]].sum() if ee == e else 0.0
                    for (_, ee), n in zip(cells, counts)] for e in pre])
    b = W @ coef
    stat = b @ np.linalg.solve(W @ V @ W.T, b)
    np.testing.assert_allclose(r.info["pretrend"]["statistic"], stat, rtol=1e-6)
    assert r.info["pretrend"]["df"] == len(pre)


def test_binned_window_matches_pyfixest_with_clipped_relative_periods(sim):
    r = _fit(sim, outcome="y", unit="id", time="t", cohort="g", leads=2, lags=1)
    cells, coef, V, counts = _pyfixest_saturated(sim, "y", "id", "t", "g", control=(sim["g"] == 0).to_numpy(),
                                                 lo=-2, hi=1)
    ref = _aggregate_by_hand(cells, coef, V, counts)
    tab = r.extra["event_time"].set_index("event_time")
    assert tab.index.tolist() == [-2, -1, 0, 1]
    for e in (-2, 0, 1):
        np.testing.assert_allclose(tab.loc[e, "estimate"], ref[e][0], rtol=1e-8)
        np.testing.assert_allclose(tab.loc[e, "std_error"], ref[e][1], rtol=1e-6)


def test_last_cohort_control_matches_pyfixest_on_the_restricted_sample(sim):
    df = sim[sim["g"] > 0]  # no never-treated: cohorts 3, 5 and 7
    r = _fit(df, outcome="y", unit="id", time="t", cohort="g", control_group="last_cohort")
    sub = df[df["t"] < 7]  # the periods before the last cohort (7) is treated
    cells, coef, V, counts = _pyfixest_saturated(sub, "y", "id", "t", "g", control=(sub["g"] == 7).to_numpy())
    ref = _aggregate_by_hand(cells, coef, V, counts)
    tab = r.tidy().set_index("term")
    for key, (est, se) in ref.items():
        term = "ATT" if key == "ATT" else f"e={key}"
        np.testing.assert_allclose(tab.loc[term, "estimate"], est, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(tab.loc[term, "std_error"], se, rtol=1e-6)
    assert r.nobs == len(sub) and r.info["control_group"] == "last_cohort"


def test_recovers_known_dynamic_effects_where_twfe_leads_are_contaminated():
    """Simulation with known truth (did_simulation.staggered_panel, heterogeneous cohort effects)."""
    df = staggered_panel(n_units=1200, seed=11, heterogeneous=True)
    r = _fit(df, outcome="y", unit="id", time="t", cohort="g")
    tab = r.extra["event_time"].set_index("event_time")
    truth = df[df["d"] == 1].assign(e=lambda x: x["t"] - x["g"]).groupby("e")["te"].mean()
    z = (tab.loc[truth.index, "estimate"] - truth) / tab.loc[truth.index, "std_error"]
    assert np.all(np.abs(z) < 4), z
    assert r.info["pretrend"]["p_value"] > 0.01
    att_truth = df.loc[df["d"] == 1, "te"].mean()
    assert abs(r.estimate - truth[0]) < 4 * r.std_error
    assert abs(r.params["ATT"] - att_truth) < 4 * r.tidy().set_index("term").loc["ATT", "std_error"]


def test_always_treated_units_are_dropped_with_a_warning(sim):
    df = sim.copy()
    df.loc[df["id"] < 30, "g"] = 1  # treated from the first period
    with pytest.warns(DroppedUnitsWarning, match="treated from the first period"):
        r = sun_abraham(df, outcome="y", unit="id", time="t", cohort="g")
    assert r.nobs == len(df) - 30 * 8


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"control_group": "not_yet"}, ValueError, "control_group='not_yet' is not supported; choose one of"),
        ({"leads": -1}, ValueError, "non-negative integer"),
        ({"leads": 2, "lags": 2, "reference": -4}, ValueError, "outside the window"),
        ({"outcome": "nope"}, KeyError, "outcome column 'nope'"),
    ],
)
def test_bad_options(sim, kwargs, error, match):
    args = {"outcome": "y", "unit": "id", "time": "t", "cohort": "g", **kwargs}
    with pytest.raises(error, match=match):
        sun_abraham(sim, **args)


def test_no_control_cohort_is_an_actionable_error(sim):
    with pytest.raises(ValueError, match="no never-treated unit.*control_group='last_cohort'"):
        sun_abraham(sim[sim["g"] > 0], outcome="y", unit="id", time="t", cohort="g")
    with pytest.raises(ValueError, match="at least two treated cohorts"):
        sun_abraham(sim[sim["g"].isin([0, 3])], outcome="y", unit="id", time="t", cohort="g",
                    control_group="last_cohort")
    with pytest.raises(ValueError, match="no unit is ever treated"):
        sun_abraham(sim[sim["g"] == 0], outcome="y", unit="id", time="t", cohort="g")
    bad = sim.copy()
    bad.loc[bad.index[0], "g"] = 5  # unit 0's cohort changes within the unit
    with pytest.raises(ValueError, match="changes within"):
        sun_abraham(bad, outcome="y", unit="id", time="t", cohort="g")
