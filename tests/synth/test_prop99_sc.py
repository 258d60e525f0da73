"""Synthetic control against Abadie, Diamond & Hainmueller (2010) and R ``Synth``/``tidysynth``.

Reference numbers (see data/README.md for the data file and its origin)
------------------------------------------------------------------------
1. ADH (2010), JASA 105(490), Table 2 "State weights in the synthetic California":
   Colorado 0.164, Connecticut 0.069, Montana 0.199, Nevada 0.234, Utah 0.334, all
   other states 0. Abstract: "by the year 2000 annual per-capita cigarette sales in
   California were about 26 packs lower than what they would have been".
   Specification (ADH Table 1 notes; Stata ``synth`` help example)::

       synth cigsale beer(1984(1)1988) lnincome retprice age15to24 cigsale(1988)
             cigsale(1980) cigsale(1975), trunit(3) trperiod(1989) xperiod(1980(1)1988) nested

2. R ``tidysynth`` README (github.com/edunford/tidysynth, commit 58eda583), the same
   specification with R ``Synth``'s optimiser (``generate_weights(optimization_window =
   1970:1988, margin_ipop = .02, sigf_ipop = 7, bound_ipop = 6)``)::

       grab_balance_table():  ln_income 10.1 | 9.85 | 9.83;  ret_price 89.4 | 89.4 | 87.3
                              youth 0.174 | 0.174 | 0.173;   beer_sales 24.3 | 24.2 | 23.7
                              cigsale_1975 127 | 127 | 137;  cigsale_1980 120 | 120 | 138
                              cigsale_1988 90.1 | 91.4 | 114   (California | synthetic | donor mean)
       grab_significance():   California pre_mspe 3.17, post_mspe 392, mspe_ratio 124, rank 1,
                              fishers_exact_pvalue 0.0256

Why the two optimisers differ. The predictor weights V minimise a non-convex
function with many local minima. ``v_search="synth"`` runs R ``Synth``'s local
searches and lands where ``tidysynth`` does (pre-MSPE 3.16); ``v_search="global"``
adds a differential-evolution search and reaches a lower pre-MSPE (3.077), whose
weights are ADH's Table 2 to within 0.005 (ADH's rounded weights give 3.089).
The brief allows ±0.03; we assert ±0.01.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from research_kit import synth

DATA = Path(__file__).parent / "data"
ADH_PREDICTORS = [
    ("lnincome", range(1980, 1989)),
    ("retprice", range(1980, 1989)),
    ("age15to24", range(1980, 1989)),
    ("beer", range(1984, 1989)),
    ("cigsale", 1975),
    ("cigsale", 1980),
    ("cigsale", 1988),
]
ADH_TABLE2 = {"Colorado": 0.164, "Connecticut": 0.069, "Montana": 0.199, "Nevada": 0.234, "Utah": 0.334}


@pytest.fixture(scope="module")
def smoking() -> pd.DataFrame:
    d = pd.read_csv(DATA / "smoking.csv")
    d["year"] = d["year"].astype(int)
    return d


def _fit(df: pd.DataFrame, **kw) -> synth.SyntheticControlResult:
    return synth.synthetic_control(df, outcome="cigsale", unit="state", time="year", treated="California",
                                   treatment_time=1989, **kw)


@pytest.fixture(scope="module")
def adh(smoking):
    return _fit(smoking, predictors=ADH_PREDICTORS)


@pytest.fixture(scope="module")
def rsynth(smoking):
    return _fit(smoking, predictors=ADH_PREDICTORS, v_search="synth")


def test_adh_table2_weights(adh):
    w = adh.weights
    for state, ref in ADH_TABLE2.items():
        assert w[state] == pytest.approx(ref, abs=0.01), state
    others = w.drop(list(ADH_TABLE2))
    assert others.max() < 1e-3
    assert w.sum() == pytest.approx(1.0)
    assert (w >= 0).all()


def test_global_search_beats_published_weights(adh, smoking):
    """The nested optimum is at least as good as ADH's printed (rounded) weights."""
    wide = smoking.pivot(index="state", columns="year", values="cigsale")
    w = pd.Series(ADH_TABLE2).reindex(wide.index.drop("California"), fill_value=0.0)
    w = w / w.sum()
    gap = wide.loc["California", 1970:1988] - w @ wide.loc[w.index, 1970:1988]
    adh_mspe = float(np.mean(gap**2))
    assert adh_mspe == pytest.approx(3.089, abs=1e-3)
    assert adh.info["loss_v"] <= adh_mspe


def test_gap_2000_about_26_packs(adh):
    assert adh.gap[2000] == pytest.approx(-26.0, abs=1.0)
    assert adh.gap.loc[1989:2000].lt(0).all()
    assert adh.estimate == pytest.approx(adh.gap.loc[1989:2000].mean())
    assert adh.table["std_error"].isna().all()


def test_predictor_weights_are_a_simplex(adh):
    v = adh.predictor_weights
    assert list(v.index) == ["lnincome(1980–1988)", "retprice(1980–1988)", "age15to24(1980–1988)",
                             "beer(1984–1988)", "cigsale(1975)", "cigsale(1980)", "cigsale(1988)"]
    assert v.sum() == pytest.approx(1.0)
    assert (v >= 0).all()


def test_balance_matches_tidysynth(rsynth):
    b = rsynth.balance
    treated = [10.1, 89.4, 0.174, 24.3, 127, 120, 90.1]
    synthetic = [9.85, 89.4, 0.174, 24.2, 127, 120, 91.4]
    donor = [9.83, 87.3, 0.173, 23.7, 137, 138, 114]
    # Data columns: equal at tidysynth's printed precision (3 significant digits).
    for col, ref in (("treated", treated), ("donor_mean", donor)):
        for got, want in zip(b[col], ref):
            assert float(f"{got:.3g}") == pytest.approx(want), (col, got, want)
    # The synthetic column depends on the optimiser (R ipop vs our exact QP, and which local
    # minimum of V is found): within 0.5%.
    np.testing.assert_allclose(b["synthetic"], synthetic, rtol=5e-3)


def test_pre_and_post_mspe_match_tidysynth(rsynth):
    # tidysynth: pre 3.17, post 392, ratio 124 (R Synth's ipop interior-point QP; ours is an exact
    # active-set QP, so the weights differ in the 3rd decimal).
    assert rsynth.pre_rmspe**2 == pytest.approx(3.17, abs=0.05)
    assert rsynth.post_rmspe**2 == pytest.approx(392, rel=0.01)
    assert rsynth.rmspe_ratio**2 == pytest.approx(124, rel=0.02)


@pytest.mark.slow
def test_placebo_rank_matches_tidysynth(rsynth):
    """In-space placebos (38 nested fits, ~15 s): California has the largest ratio, p = 1/39."""
    p = rsynth.placebo_test()
    assert p.info["rank"] == 1
    assert p.p_value == pytest.approx(1 / 39)
    assert round(p.p_value, 4) == 0.0256
    assert len(p.placebos) == 39 and p.placebos["unit"].iloc[0] == "California"
    assert p.gaps.shape == (31, 39)
    # Excluding poor pre-fits (ADH: MSPE > 2x California's -> RMSPE > sqrt(2)x) keeps California first.
    cut = p.placebos.loc[~p.placebos["treated"], "pre_rmspe"] > np.sqrt(2) * rsynth.pre_rmspe
    assert cut.sum() > 0


def test_outcome_only_placebo_is_fast_and_exact(smoking):
    """Without predictors W minimises the pre-period MSPE: check the QP by brute force, then the placebo p."""
    s = _fit(smoking)
    wide = smoking.pivot(index="state", columns="year", values="cigsale")
    Z0 = wide.drop(index="California").loc[:, 1970:1988].to_numpy().T
    z1 = wide.loc["California", 1970:1988].to_numpy()
    w = s.weights.to_numpy()
    grad = Z0.T @ (Z0 @ w - z1)  # KKT: equal on the support, not smaller off it
    mu = grad[w > 1e-8]
    assert np.ptp(mu) < 1e-6 * np.abs(mu).max()
    assert grad[w <= 1e-8].min() >= mu.max() - 1e-6 * np.abs(mu).max()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = s.placebo_test(pre_rmspe_cutoff=np.sqrt(20))
    assert 0 < p.p_value <= 0.1
    assert p.info["n_excluded"] == int(p.placebos["excluded"].sum()) > 0
    assert p.placebos.loc[p.placebos["excluded"], "pre_rmspe"].min() > np.sqrt(20) * s.pre_rmspe


def test_in_time_placebo_has_no_effect(smoking):
    """Backdating Proposition 99 to 1980 with predictors measured before 1980: no gap opens (ADH 2015 logic)."""
    s = _fit(smoking, predictors=ADH_PREDICTORS, v_search="synth")
    with pytest.raises(ValueError, match="measured at or after fake_time"):
        s.in_time_placebo(1980)
    fake = s.in_time_placebo(1980, predictors=[("retprice", range(1975, 1980)), ("age15to24", range(1975, 1980)),
                                               ("cigsale", 1970), ("cigsale", 1975), ("cigsale", 1979)])
    assert fake.info["placebo"] == "in-time" and fake.info["actual_treatment_time"] == 1989
    assert list(fake.paths["time"]) == list(range(1970, 1989))
    assert abs(fake.estimate) < 0.25 * abs(s.estimate)
