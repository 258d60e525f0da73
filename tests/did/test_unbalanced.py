"""Callaway–Sant'Anna on unbalanced panels (``unbalanced="pairwise"``).

References: on a balanced panel "pairwise" must equal the R-validated default exactly
(tests/did/test_callaway_santanna.py holds the R did numbers); on an unbalanced panel each
ATT(g,t) must equal the 2x2 difference in mean changes over the units observed in both
periods, computed here by hand with pandas, with the textbook two-sample standard error
sqrt(s1^2/n1 * (n1-1)/n1 + s0^2/n0 * (n0-1)/n0) (the influence-function variance);
and on a simulation with known effects the intervals cover the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import research_kit as rk


def _cs(df: pd.DataFrame, **kw) -> rk.did.CallawaySantAnnaResult:
    opts = dict(outcome="lemp", unit="countyreal", time="year", cohort="first.treat", method="reg")
    opts.update(kw)
    return rk.did.callaway_santanna(df, **opts)


def test_pairwise_equals_the_default_on_a_balanced_panel(mpdta: pd.DataFrame) -> None:
    a = _cs(mpdta)
    b = _cs(mpdta, unbalanced="pairwise")
    pd.testing.assert_frame_equal(a.group_time, b.group_time, rtol=1e-12)
    for kind in ("simple", "dynamic", "group", "calendar"):
        pd.testing.assert_frame_equal(a.aggregate(kind).tidy(), b.aggregate(kind).tidy(), rtol=1e-12)


@pytest.fixture(scope="module")
def holey(mpdta: pd.DataFrame) -> pd.DataFrame:
    return mpdta.sample(frac=0.85, random_state=11).sort_values(["countyreal", "year"]).reset_index(drop=True)


def test_default_refuses_an_unbalanced_panel_and_names_the_option(holey: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="unbalanced='pairwise'"):
        _cs(holey)


@pytest.mark.parametrize("control_group", ["never", "not_yet"])
def test_pairwise_cells_equal_hand_computed_two_by_two(holey: pd.DataFrame, control_group: str) -> None:
    r = _cs(holey, unbalanced="pairwise", control_group=control_group)
    wide = holey.pivot(index="countyreal", columns="year", values="lemp")
    g_of = holey.groupby("countyreal")["first.treat"].first()
    checked = 0
    for row in r.group_time.itertuples():
        g, t = int(row.cohort), int(row.time)
        base = g - 1 if t >= g else t - 1
        both = wide[t].notna() & wide[base].notna()
        dy = (wide[t] - wide[base])[both]
        gg = g_of[both]
        treated = dy[gg == g]
        ctrl = dy[gg == 0] if control_group == "never" else dy[(gg == 0) | ((gg > max(t, base)) & (gg != g))]
        att = treated.mean() - ctrl.mean()
        se = np.sqrt(treated.var(ddof=0) / len(treated) + ctrl.var(ddof=0) / len(ctrl))
        assert row.estimate == pytest.approx(att, rel=1e-10, abs=1e-12)
        assert row.std_error == pytest.approx(se, rel=1e-10)
        checked += 1
    assert checked == 12
    assert r.nobs == len(holey)


def test_pairwise_recovers_known_effects_with_missing_unit_periods() -> None:
    from research_kit.simulate import staggered_panel, true_att

    df = staggered_panel(6000, 10, effect="dynamic", seed=4)
    df = df.sample(frac=0.9, random_state=4).sort_values(["unit", "time"])
    r = rk.did.callaway_santanna(df, outcome="y", unit="unit", time="time", cohort="cohort", method="reg",
                                 control_group="never", unbalanced="pairwise")
    dyn = r.aggregate("dynamic").tidy()
    truth = true_att(df, by="event_time")
    post = dyn[dyn["term"].str.match(r"e=\d")].copy()
    post["e"] = post["term"].str.slice(2).astype(int)
    post = post.merge(truth.rename("truth").reset_index().rename(columns={"event_time": "e"}), on="e")
    z = (post["estimate"] - post["truth"]) / post["std_error"]
    assert (np.abs(z) < 3.5).all(), post
    overall = r.aggregate("simple")
    assert abs(overall.estimate - true_att(df)) < 3 * overall.std_error
