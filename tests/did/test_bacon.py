"""Goodman-Bacon (2021) decomposition against R ``bacondecomp`` printed output.

References (provenance of the data in data/README.md):

* ``castle.csv`` (Cheng and Hoekstra 2013), CRAN ``bacondecomp`` 0.1.1 vignette:

      bacon(l_homicide ~ post, data = bacondecomp::castle, id_var = "state", time_var = "year")
      #>                       type  weight  avg_est
      #> 1 Earlier vs Later Treated 0.05976 -0.00554
      #> 2 Later vs Earlier Treated 0.03190  0.07032
      #> 3     Treated vs Untreated 0.90834  0.08796
      #> [1] "Weighted sum of decomposition = 0.0818"

  and the package's 0.1.0 notebook (index.ipynb): ``Two-way FE estimate =
  0.0818116169306471`` and the largest comparison ``treated 2006, untreated 99999,
  estimate 0.06823587, weight 0.5923947``.
* ``ehec_data.csv`` (Mixtape Sessions "Advanced DID", Exercise 1, R solutions), every
  2x2 printed by ``bacon(dins ~ postTreated, data = df, id_var = "stfips", time_var =
  "year")``, with and without the never-treated states; ``feols(dins ~ postTreated |
  stfips + year, cluster = "stfips")`` prints 0.070321 (0.007401).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import research_kit as rk
from research_kit.did import bacon_plot
from research_kit.did.bacon import BACON_TYPES, bacon_decomposition, bacon_summary

from did_simulation import staggered_panel

DATA = Path(__file__).parent / "data"

# Mixtape Sessions Advanced-DID, Exercise-1/Solutions/medicaid-analysis-solutions-R.md (R bacondecomp output)
EHEC_ALL = """treated,untreated,estimate,weight,type
2016,99999,0.082728773,0.0502256229,Treated vs Untreated
2014,99999,0.074935691,0.6215420836,Treated vs Untreated
2015,99999,0.046864475,0.0824014126,Treated vs Untreated
2017,99999,0.102274094,0.0211889347,Treated vs Untreated
2019,99999,0.030943646,0.0172650579,Treated vs Untreated
2014,2016,0.050191048,0.0258975868,Earlier vs Later Treated
2015,2016,0.004156228,0.0020600353,Earlier vs Later Treated
2017,2016,0.031975667,0.0002942908,Later vs Earlier Treated
2019,2016,0.005429020,0.0005885815,Later vs Earlier Treated
2016,2014,0.054292531,0.0172650579,Later vs Earlier Treated
2015,2014,0.030656579,0.0161859918,Later vs Earlier Treated
2017,2014,0.077060485,0.0097115951,Later vs Earlier Treated
2019,2014,0.025483405,0.0107906612,Later vs Earlier Treated
2016,2015,0.041763062,0.0011771630,Later vs Earlier Treated
2014,2015,0.066569262,0.0194231901,Earlier vs Later Treated
2017,2015,0.063993540,0.0008828723,Later vs Earlier Treated
2019,2015,0.027470457,0.0011771630,Later vs Earlier Treated
2016,2017,0.014518637,0.0007847754,Earlier vs Later Treated
2014,2017,0.048755447,0.0194231901,Earlier vs Later Treated
2015,2017,0.008627171,0.0020600353,Earlier vs Later Treated
2019,2017,0.033588931,0.0001961938,Later vs Earlier Treated
2016,2019,0.090774537,0.0047086521,Earlier vs Later Treated
2014,2019,0.088170864,0.0647439670,Earlier vs Later Treated
2015,2019,0.061097391,0.0082401413,Earlier vs Later Treated
2017,2019,0.110885473,0.0017657446,Earlier vs Later Treated
"""
# the same, dropping the never-treated states (only the weights change)
EHEC_TREATED_ONLY_WEIGHTS = {
    (2014, 2016): 0.1248817408, (2015, 2016): 0.0099337748, (2017, 2016): 0.0014191107,
    (2019, 2016): 0.0028382214, (2016, 2014): 0.0832544939, (2015, 2014): 0.0780510880,
    (2017, 2014): 0.0468306528, (2019, 2014): 0.0520340587, (2016, 2015): 0.0056764428,
    (2014, 2015): 0.0936613056, (2017, 2015): 0.0042573321, (2019, 2015): 0.0056764428,
    (2016, 2017): 0.0037842952, (2014, 2017): 0.0936613056, (2015, 2017): 0.0099337748,
    (2019, 2017): 0.0009460738, (2016, 2019): 0.0227057711, (2014, 2019): 0.3122043519,
    (2015, 2019): 0.0397350993, (2017, 2019): 0.0085146641,
}


@pytest.fixture(scope="module")
def castle() -> pd.DataFrame:
    return pd.read_csv(DATA / "castle.csv")


@pytest.fixture(scope="module")
def ehec() -> pd.DataFrame:
    df = pd.read_csv(DATA / "ehec_data.csv")
    df["post"] = (df["yexp2"].notna() & (df["year"] >= df["yexp2"])).astype(int)
    return df


def test_castle_type_summary_matches_bacondecomp_vignette(castle):
    tab = bacon_decomposition(castle, outcome="l_homicide", unit="sid", time="year", treat="post")
    summ = bacon_summary(tab).set_index("type")
    assert summ.index.tolist() == ["Earlier vs Later Treated", "Later vs Earlier Treated", "Treated vs Untreated"]
    np.testing.assert_allclose(summ["weight"], [0.05976, 0.03190, 0.90834], atol=5e-6)
    np.testing.assert_allclose(summ["avg_est"], [-0.00554, 0.07032, 0.08796], atol=5e-6)
    np.testing.assert_allclose(tab.attrs["twfe"], 0.0818116169306471, rtol=1e-12)
    top = tab.loc[tab["weight"].idxmax()]
    assert (top["type"], top["treated"], np.isnan(top["control"])) == ("Treated vs Untreated", 2006, True)
    np.testing.assert_allclose([top["estimate"], top["weight"]], [0.06823587, 0.5923947], atol=5e-9)


def test_ehec_every_two_by_two_matches_bacondecomp(ehec):
    tab = bacon_decomposition(ehec, outcome="dins", unit="stfips", time="year", treat="post")
    ref = pd.read_csv(io.StringIO(EHEC_ALL))
    ref["control"] = ref["untreated"].replace(99999, np.nan)
    m = tab.merge(ref, left_on=["treated", "control"], right_on=["treated", "control"], validate="one_to_one")
    assert len(m) == len(tab) == 25
    assert (m["type_x"] == m["type_y"]).all()
    # R read ehec_data.dta; the CSV copy holds dins to 7 significant digits, which moves the 2x2 means by
    # up to ~7e-8 (the weights do not depend on the outcome and agree to the printed 10 digits)
    np.testing.assert_allclose(m["estimate_x"], m["estimate_y"], atol=2e-7)
    np.testing.assert_allclose(m["weight_x"], m["weight_y"], atol=5e-11)
    # feols(dins ~ postTreated | stfips + year, cluster = "stfips"): 0.070321 (0.007401)
    np.testing.assert_allclose(tab.attrs["twfe"], 0.070321, atol=5e-7)
    summ = bacon_summary(tab).set_index("type")  # printed: 0.14911 0.06983 / 0.05827 0.04486 / 0.79262 0.07228
    np.testing.assert_allclose(summ["weight"], [0.14911, 0.05827, 0.79262], atol=5e-6)
    np.testing.assert_allclose(summ["avg_est"], [0.06983, 0.04486, 0.07228], atol=5e-6)


def test_ehec_without_never_treated_matches_bacondecomp(ehec):
    tab = bacon_decomposition(ehec[ehec["yexp2"].notna()], outcome="dins", unit="stfips", time="year", treat="post")
    got = {(int(a), int(b)): w for a, b, w in zip(tab["treated"], tab["control"], tab["weight"])}
    assert got.keys() == EHEC_TREATED_ONLY_WEIGHTS.keys()
    np.testing.assert_allclose([got[k] for k in got], [EHEC_TREATED_ONLY_WEIGHTS[k] for k in got], atol=5e-11)
    np.testing.assert_allclose(tab.attrs["twfe"], 0.062817, atol=5e-7)  # printed feols estimate, 360 obs
    np.testing.assert_allclose(bacon_summary(tab)["weight"], [0.71902, 0.28098], atol=5e-6)


@pytest.mark.parametrize("always", [0, 40])
@pytest.mark.parametrize("never", [True, False])
def test_weights_sum_to_one_and_reproduce_twfe_on_simulated_data(always, never):
    df = staggered_panel(n_units=400, seed=4)
    if not never:
        df = df[df["g"] > 0]
    if always:
        first = df["id"].isin(df["id"].unique()[:always])
        df = df.assign(d=np.where(first, 1, df["d"]))
    tab = bacon_decomposition(df, outcome="y", unit="id", time="t", treat="d")
    twfe = rk.did.twfe(df, outcome="y", unit="id", time="t", treat="d").estimate
    np.testing.assert_allclose(tab["weight"].sum(), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose((tab["weight"] * tab["estimate"]).sum(), twfe, rtol=0, atol=1e-10)
    assert (tab["weight"] > 0).all()
    assert ("Later vs Always Treated" in set(tab["type"])) == bool(always)
    assert ("Treated vs Untreated" in set(tab["type"])) == never
    if always:
        row = tab[tab["type"] == "Later vs Always Treated"].iloc[0]
        assert row["control"] == 1  # R bacondecomp codes always-treated by the first period


def test_two_by_two_estimates_are_simple_differences_in_means():
    df = pd.DataFrame({"id": np.repeat([1, 2, 3], 4), "t": np.tile([1, 2, 3, 4], 3),
                       "d": [0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0],
                       "y": [1.0, 3.0, 3.5, 4.0, 2.0, 2.5, 2.0, 6.0, 0.0, 0.5, 0.2, 0.4]})
    tab = bacon_decomposition(df, outcome="y", unit="id", time="t", treat="d").set_index(["type", "treated"])
    # unit 1 (treated at 2) vs never (unit 3): post mean 3.5 - 1, minus (0.3667 - 0)
    np.testing.assert_allclose(tab.loc[("Treated vs Untreated", 2), "estimate"], (3.5 - 1.0) - ((0.5 + 0.2 + 0.4) / 3 - 0.0))
    # unit 1 vs unit 2 before 4 (periods 1-3): (3.25 - 1) - (2.25 - 2)
    np.testing.assert_allclose(tab.loc[("Earlier vs Later Treated", 2), "estimate"], (3.25 - 1.0) - (2.25 - 2.0))
    # unit 2 vs already-treated unit 1 on periods 2-4: (6 - 2.25) - (4 - 3.25)
    np.testing.assert_allclose(tab.loc[("Later vs Earlier Treated", 4), "estimate"], (6.0 - 2.25) - (4.0 - 3.25))


def test_unbalanced_panel_is_refused(sim_unbalanced):
    with pytest.raises(ValueError, match="unbalanced.*requires a balanced panel"):
        bacon_decomposition(sim_unbalanced, outcome="y", unit="id", time="t", treat="d")


def test_treatment_that_switches_off_is_refused(sim):
    df = sim.copy()
    df.loc[(df["g"] == 3) & (df["t"] == 8), "d"] = 0
    with pytest.raises(ValueError, match="switches off.*absorbing"):
        bacon_decomposition(df, outcome="y", unit="id", time="t", treat="d")


def test_other_bad_input(sim):
    with pytest.raises(ValueError, match="must be 0/1"):
        bacon_decomposition(sim.assign(d=sim["d"] * 2), outcome="y", unit="id", time="t", treat="d")
    one = sim[sim["g"] == 3]
    with pytest.raises(ValueError, match="no 2x2 comparison exists"):
        bacon_decomposition(one, outcome="y", unit="id", time="t", treat="d")
    with pytest.raises(KeyError, match="treat column 'nope'"):
        bacon_decomposition(sim, outcome="y", unit="id", time="t", treat="nope")


@pytest.mark.parametrize(("lang", "xlabel"), [("en", "Weight"), ("zh", "权重")])
def test_bacon_plot(castle, lang, xlabel):
    import matplotlib.pyplot as plt

    tab = bacon_decomposition(castle, outcome="l_homicide", unit="sid", time="year", treat="post")
    fig = bacon_plot(tab, lang=lang)
    ax = fig.axes[0]
    assert ax.get_xlabel() == xlabel
    assert len(ax.collections) == tab["type"].nunique() == 3
    twfe_line = [ln for ln in ax.lines if ln.get_linestyle() == "--"][0]
    np.testing.assert_allclose(twfe_line.get_ydata()[0], tab.attrs["twfe"])
    plt.close(fig)
    with pytest.raises(ValueError, match="lang must be"):
        bacon_plot(tab, lang="fr")
    assert set(tab["type"]) <= set(BACON_TYPES)
