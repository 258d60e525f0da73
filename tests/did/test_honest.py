"""Relative-magnitudes sensitivity analysis (research_kit.did.honest) on HonestDiD's Medicaid example.

Reference: the HonestDiD R package README (github.com/asheshrambachan/HonestDiD, README.md, section
"Example usage -- Medicaid expansions"), data ``ehec_data`` from Mixtape-Sessions/Advanced-DID
(Exercises/Data/ehec_data.csv, copied to data/honestdid/ehec_data.csv; provenance in data/honestdid/README.md):

    df_nonstaggered <- df %>% filter(year < 2016 & (is.na(yexp2) | yexp2 != 2015))
    df_nonstaggered <- df_nonstaggered %>% mutate(D = case_when(yexp2 == 2014 ~ 1, T ~ 0))
    twfe_results <- fixest::feols(dins ~ i(year, D, ref = 2013) | stfips + year, cluster = "stfips",
                                  data = df_nonstaggered)
    betahat <- summary(twfe_results)$coefficients; sigma <- summary(twfe_results)$cov.scaled
    HonestDiD::createSensitivityResults_relativeMagnitudes(betahat = betahat, sigma = sigma,
        numPrePeriods = 5, numPostPeriods = 2, Mbarvec = seq(0.5, 2, by = 0.5))
    #          lb     ub method Delta    Mbar
    # 1  0.0240   0.0672 C-LF   DeltaRM   0.5
    # 2  0.0170   0.0720 C-LF   DeltaRM   1
    # 3  0.00824  0.0797 C-LF   DeltaRM   1.5
    # 4 -0.000916 0.0881 C-LF   DeltaRM   2

research_kit does not implement the C-LF hybrid; its robust interval is a sup-t projection
(see research_kit.did.honest). The tests check (i) that betahat and sigma are fixest's, (ii) the original
interval, (iii) the identified set against the linear programs over HonestDiD's polyhedral pieces
Delta^RM_{s,+/-} (Rambachan and Roth 2023, Lemma 2.1 and footnote 9), (iv) that our interval contains
the README's C-LF interval at every Mbar (it is conservative), and (v) coverage by simulation.
Ours on this example (target e=0): Mbar 0.5 [0.0094, 0.0835], 1 [-0.0038, 0.0967], 1.5 [-0.0171, 0.1100],
2 [-0.0304, 0.1233]; the C-LF intervals above are 30-60% shorter.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy.optimize import linprog

import research_kit as rk
from research_kit.did.honest import (
    honest_did,
    honest_plot,
    honest_rm,
    rm_identified_set,
)

matplotlib.use("Agg")
DATA = Path(__file__).parent / "data" / "honestdid"

# README table above (3 significant digits as printed)
README_CLF = pd.DataFrame({"mbar": [0.5, 1.0, 1.5, 2.0], "lb": [0.0240, 0.0170, 0.00824, -0.000916],
                           "ub": [0.0672, 0.0720, 0.0797, 0.0881]})
# HonestDiD::constructOriginalCS(betahat, sigma, numPrePeriods = 5, numPostPeriods = 2): betahat[6] +- 1.96 se,
# here as computed by the Python port moderndid 0.2.0 (construct_original_cs) on the same betahat/sigma
ORIGINAL = (0.028509527220365104, 0.06438420178396338)


@pytest.fixture(scope="module")
def medicaid():
    df = pd.read_csv(DATA / "ehec_data.csv")
    return df[(df["year"] < 2016) & (df["yexp2"].isna() | (df["yexp2"] != 2015))].reset_index(drop=True)


@pytest.fixture(scope="module")
def es(medicaid):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rk.did.event_study(medicaid, outcome="dins", unit="stfips", time="year", cohort="yexp2")


def test_event_study_is_the_readme_regression(medicaid, es):
    """betahat and sigma equal fixest's feols(dins ~ i(year, D, ref = 2013) | stfips + year, cluster = "stfips")."""
    df = medicaid.copy()
    df["D"] = (df["yexp2"] == 2014).astype(float)
    years = [2008, 2009, 2010, 2011, 2012, 2014, 2015]
    for y in years:
        df[f"e{y}"] = ((df["year"] == y) & (df["D"] == 1)).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(" + ".join(f"e{y}" for y in years).join(["dins ~ ", " | stfips + year"]), data=df,
                       vcov={"CRV1": "stfips"})
    tab = es.extra["event_time"]
    ours = tab.loc[tab["std_error"].notna(), "estimate"].to_numpy()
    np.testing.assert_allclose(ours, fit.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(es.extra["vcov_matrix"], fit._vcov, rtol=1e-8)


def test_original_interval(es):
    tab = honest_did(es, mbar=(0, 1))
    np.testing.assert_allclose(tab.attrs["original"], ORIGINAL, rtol=1e-10)
    # Mbar = 0 imposes exact parallel trends after treatment: the original interval
    np.testing.assert_allclose(tab.loc[0, ["lb", "ub"]].to_numpy(float), ORIGINAL, rtol=1e-10)


def test_contains_readme_clf_intervals(es):
    tab = honest_did(es, mbar=README_CLF["mbar"])
    assert (tab["method"] == "sup-t projection").all()
    assert np.all(tab["lb"].to_numpy() <= README_CLF["lb"].to_numpy())
    assert np.all(tab["ub"].to_numpy() >= README_CLF["ub"].to_numpy())
    # the estimated identified set lies inside every C-LF interval, and intervals grow with Mbar
    assert np.all(tab["id_lb"].to_numpy() >= README_CLF["lb"].to_numpy())
    assert np.all(tab["id_ub"].to_numpy() <= README_CLF["ub"].to_numpy())
    assert np.all(np.diff(tab["ub"] - tab["lb"]) > 0)
    # our numbers (documented in the module and the report)
    np.testing.assert_allclose(tab[["lb", "ub"]].to_numpy(),
                               [[0.009408, 0.083486], [-0.003849, 0.096742], [-0.017105, 0.109999],
                                [-0.030361, 0.123255]], atol=5e-6)


def _id_set_lp(beta, num_pre, num_post, mbar, l_vec):
    """Identified set as the union over HonestDiD's pieces Delta^RM_{s,sign}: for each pre difference s (the one
    attaining the maximum) and sign, LPs min / max l'delta_post s.t. delta_pre = beta_pre and
    |delta_{t+1}-delta_t| <= sign*(delta_{s+1}-delta_s) (pre t), <= Mbar*sign*(delta_{s+1}-delta_s) (post t)."""
    n = num_pre + num_post + 1  # full vector with the reference (index num_pre) fixed at 0
    diffs = np.zeros((n - 1, n))
    for t in range(n - 1):
        diffs[t, t], diffs[t, t + 1] = -1.0, 1.0
    lo, hi = np.inf, -np.inf
    for s, sign in itertools.product(range(num_pre), (1.0, -1.0)):
        A = []
        for t in range(n - 1):
            scale = 1.0 if t < num_pre else mbar
            A += [diffs[t] - scale * sign * diffs[s], -diffs[t] - scale * sign * diffs[s]]
        A.append(-sign * diffs[s])
        A = np.array(A)
        eq = np.zeros((num_pre + 1, n))
        eq[np.arange(num_pre), np.arange(num_pre)] = 1.0
        eq[num_pre, num_pre] = 1.0
        beq = np.r_[beta[:num_pre], 0.0]
        cost = np.zeros(n)
        cost[num_pre + 1:] = l_vec
        bounds = [(None, None)] * n
        rmin = linprog(cost, A_ub=A, b_ub=np.zeros(len(A)), A_eq=eq, b_eq=beq, bounds=bounds, method="highs")
        if rmin.status != 0:
            continue  # this piece is empty given beta_pre
        rmax = linprog(-cost, A_ub=A, b_ub=np.zeros(len(A)), A_eq=eq, b_eq=beq, bounds=bounds, method="highs")
        theta = l_vec @ beta[num_pre:]
        lo, hi = min(lo, theta + rmax.fun), max(hi, theta - rmin.fun)
    return lo, hi


@pytest.mark.parametrize("seed", range(6))
def test_identified_set_equals_union_of_polyhedral_lps(seed):
    rng = np.random.default_rng(seed)
    num_pre, num_post = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    beta = rng.normal(scale=0.05, size=num_pre + num_post)
    l_vec = rng.uniform(-1, 1, size=num_post) if seed % 2 else np.eye(num_post)[0]
    for mbar in (0.0, 0.5, 1.0, 2.3):
        ours = rm_identified_set(beta, num_pre=num_pre, num_post=num_post, mbar=mbar, l_vec=l_vec)
        np.testing.assert_allclose(ours, _id_set_lp(beta, num_pre, num_post, mbar, l_vec), atol=1e-9)


def test_robust_interval_covers_at_the_worst_case():
    """Simulation with the Medicaid sigma: beta_hat ~ N(beta, sigma), beta = tau + delta with delta at the edge of
    Delta^RM(1) (pre slopes 0.01, post differences +0.01 each period) and tau_0 = 0.03; theta = tau_0 is then
    the lower end of the identified set. 1,000 draws: the robust interval must cover >= 95% (MC sd 0.007;
    seen: 1.000), the original interval that ignores the violation covers far less (seen: 0.87)."""
    sigma = np.array(pd.read_csv(DATA / "medicaid_sigma.csv", header=None))
    delta_pre = np.array([-0.05, -0.04, -0.03, -0.02, -0.01])  # e = -6..-2: slope 0.01 up to 0 at e = -1
    delta_post = np.array([0.01, 0.02])
    tau = np.array([0.03, 0.05])
    beta = np.r_[delta_pre, tau + delta_post]
    assert rm_identified_set(beta, num_pre=5, num_post=2, mbar=1.0)[0] == pytest.approx(0.03)
    draws = np.random.default_rng(1).multivariate_normal(beta, sigma, size=1000)
    cover_robust = cover_orig = 0
    for b in draws:
        tab = honest_rm(b, sigma, num_pre=5, num_post=2, mbar=(1.0,))
        cover_robust += tab.loc[0, "lb"] <= 0.03 <= tab.loc[0, "ub"]
        lo, hi = tab.attrs["original"]
        cover_orig += lo <= 0.03 <= hi
    assert cover_robust / 1000 >= 0.95
    assert cover_orig / 1000 < 0.9


def test_targets_and_plot(es):
    avg = honest_did(es, mbar=(0, 1), target="average")
    e1 = honest_did(es, mbar=(0, 1), target="e=1")
    e0 = honest_did(es, mbar=(0, 1), target="e=0")
    # average of the two post effects: its original interval is centred at their mean
    tab = es.extra["event_time"].set_index("event_time")["estimate"]
    assert np.mean(avg.attrs["original"]) == pytest.approx((tab[0] + tab[1]) / 2, rel=1e-12)
    assert np.mean(e1.attrs["original"]) == pytest.approx(tab[1], rel=1e-12)
    # the effect one period later accumulates two post differences: twice the slack of e=0
    w0 = e0.loc[1, "id_ub"] - e0.loc[1, "id_lb"]
    assert e1.loc[1, "id_ub"] - e1.loc[1, "id_lb"] == pytest.approx(2 * w0, rel=1e-12)
    rk.report.use_theme()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph missing" for the Chinese labels
        fig = honest_plot(honest_did(es), lang="zh")
        fig.canvas.draw()
    assert fig.axes[0].get_xlabel() == r"$\bar{M}$（相对幅度）"
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_bad_input(es, medicaid):
    with pytest.raises(ValueError, match="'average'"):
        honest_did(es, target="post")
    with pytest.raises(ValueError, match="e=0..e=1"):
        honest_did(es, target="e=3")
    with pytest.raises(ValueError, match="mbar"):
        honest_did(es, mbar=(-1,))
    with pytest.raises(ValueError, match="num_pre \\+ num_post"):
        honest_rm(np.zeros(4), np.eye(4), num_pre=2, num_post=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es2 = rk.did.event_study(medicaid, outcome="dins", unit="stfips", time="year", cohort="yexp2",
                                 reference=-2)
        cs = rk.did.event_study(medicaid, outcome="dins", unit="stfips", time="year", cohort="yexp2",
                                method="callaway_santanna")
    with pytest.raises(ValueError, match="reference=-1"):
        honest_did(es2)
    with pytest.raises(NotImplementedError, match="honest_rm"):
        honest_did(cs)
