"""Relative-magnitudes sensitivity analysis (research_kit.did.honest) on HonestDiD's Medicaid example.

Reference: the HonestDiD R package README (github.com/asheshrambachan/HonestDiD, README.md, section
"Example usage -- Medicaid expansions"; the same table at commits 02b541bb and cc8cf885), data ``ehec_data``
from Mixtape-Sessions/Advanced-DID (Exercises/Data/ehec_data.csv, copied to data/honestdid/ehec_data.csv;
provenance in data/honestdid/README.md):

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

Ours (method="C-LF", the default), on HonestDiD's grid: [0.024001904, 0.067241974], [0.017039519, 0.072005711],
[0.008244929, 0.079700977], [-0.000916103, 0.088129127]: every printed digit agrees. The sup-t projection
(method="projection") gives [0.0094, 0.0835], [-0.0038, 0.0967], [-0.0171, 0.1100], [-0.0304, 0.1233].

Second reference: the Stata port's README (github.com/mcaceresb/stata-honestdid, README.md, "Sensitivity Analysis
for Average Effects", version 0.5.3), same data, ``matrix l_vec = 0.5 \\ 0.5``,
``honestdid, l_vec(l_vec) pre(1/5) post(6/7) mvec(0(0.5)2) omit``: Mbar 0 [0.041, 0.075], 0.5 [0.033, 0.080],
1 [0.020, 0.090], 1.5 [0.006, 0.103], 2 [-0.008, 0.117]. Stata draws the least-favourable critical value with
its own random numbers (R's draws are reproduced here), so its endpoints may differ by a grid step or two;
ours: [0.0408, 0.0751], [0.0323, 0.0801], [0.0194, 0.0904], [0.0055, 0.1032], [-0.0084, 0.1171].

The C-LF test itself is checked against a line-by-line port of HonestDiD's linear-programming code
(``.test_delta_lp_fn``, the primal branch of ``.lp_conditional_test_fn`` and the dual bisection
``.vlo_vup_dual_fn``, with scipy's HiGHS in place of lpSolveAPI) on random problems.
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
from scipy import linalg, stats
from scipy.optimize import linprog

import research_kit as rk
from research_kit.did.honest import (
    HonestGridWarning,
    _clf_tests,
    _conditional_bounds,
    _dual_vertices,
    _r_mvnorm,
    _r_rnorm,
    honest_did,
    honest_rm,
    rm_identified_set,
)
from research_kit.report.did_plots import honest_plot

matplotlib.use("Agg")
DATA = Path(__file__).parent / "data" / "honestdid"

# R README table above (3 significant digits as printed)
README_CLF = pd.DataFrame({"mbar": [0.5, 1.0, 1.5, 2.0], "conf_low": [0.0240, 0.0170, 0.00824, -0.000916],
                           "conf_high": [0.0672, 0.0720, 0.0797, 0.0881]})
# Stata README table above (3 decimals as printed), target: the average of e = 0 and e = 1
STATA_AVERAGE = pd.DataFrame({"mbar": [0.0, 0.5, 1.0, 1.5, 2.0], "conf_low": [0.041, 0.033, 0.020, 0.006, -0.008],
                              "conf_high": [0.075, 0.080, 0.090, 0.103, 0.117]})
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


@pytest.fixture(scope="module")
def sigma():
    return np.array(pd.read_csv(DATA / "medicaid_sigma.csv", header=None))


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


def test_clf_matches_the_readme_to_every_printed_digit(es):
    tab = honest_did(es, mbar=README_CLF["mbar"])
    assert (tab["method"] == "C-LF").all() and tab.attrs["method"] == "C-LF"
    for col in ("conf_low", "conf_high"):
        printed = [float(f"{v:.3g}") for v in tab[col]]  # R prints 3 significant digits
        assert printed == README_CLF[col].tolist(), col
    # the endpoints are points of HonestDiD's grid: 1,000 points on [-20 sd, 20 sd], sd = se(betahat_e0)
    np.testing.assert_allclose(tab[["conf_low", "conf_high"]].to_numpy(),
                               [[0.024001904, 0.067241974], [0.017039519, 0.072005711],
                                [0.008244929, 0.079700977], [-0.000916103, 0.088129127]], atol=5e-10)
    sd = (ORIGINAL[1] - ORIGINAL[0]) / (2 * stats.norm.ppf(0.975))
    grid = np.linspace(-20 * sd, 20 * sd, 1000)
    assert np.abs(tab[["conf_low", "conf_high"]].to_numpy().ravel()[:, None] - grid[None, :]).min(axis=1).max() < 1e-12
    # the estimated identified set lies inside every C-LF interval
    assert np.all(tab["conf_low"] < tab["id_low"]) and np.all(tab["conf_high"] > tab["id_high"])


def test_original_interval_and_mbar_zero(es):
    tab = honest_did(es, mbar=(0, 1))
    np.testing.assert_allclose(tab.attrs["original"], ORIGINAL, rtol=1e-10)
    # C-LF at Mbar = 0 (post violations exactly 0) is the original interval up to HonestDiD's grid step
    step = 40 * (ORIGINAL[1] - ORIGINAL[0]) / (2 * stats.norm.ppf(0.975)) / 999
    assert np.abs(tab.loc[0, ["conf_low", "conf_high"]].to_numpy(float) - ORIGINAL).max() < step
    np.testing.assert_allclose(tab.loc[0, ["conf_low", "conf_high"]].to_numpy(float), [0.028765640, 0.064310444], atol=5e-10)
    # the projection method returns the original interval itself at Mbar = 0
    proj = honest_did(es, mbar=(0, 1), method="projection")
    np.testing.assert_allclose(proj.loc[0, ["conf_low", "conf_high"]].to_numpy(float), ORIGINAL, rtol=1e-10)


def test_average_target_agrees_with_the_stata_port(es):
    tab = honest_did(es, mbar=STATA_AVERAGE["mbar"], target="average")
    np.testing.assert_allclose(np.mean(tab.attrs["original"]), 0.0578265, atol=1e-7)
    sd = (tab.attrs["original"][1] - tab.attrs["original"][0]) / (2 * stats.norm.ppf(0.975))
    step = 40 * sd / 999
    for col in ("conf_low", "conf_high"):
        # within the printed rounding (0.0005) plus two grid steps of the least-favourable simulation noise
        assert np.abs(tab[col].to_numpy() - STATA_AVERAGE[col].to_numpy()).max() <= 0.0005 + 2 * step, col
    np.testing.assert_allclose(tab[["conf_low", "conf_high"]].to_numpy(),
                               [[0.040832951, 0.075068439], [0.032274079, 0.080061114], [0.019435772, 0.090403084],
                                [0.005527605, 0.103241392], [-0.008380562, 0.117149559]], atol=5e-10)


def test_projection_is_wider_than_clf(es):
    clf = honest_did(es, mbar=README_CLF["mbar"])
    tab = honest_did(es, mbar=README_CLF["mbar"], method="projection")
    assert (tab["method"] == "projection").all()
    assert np.all(tab["conf_low"].to_numpy() <= clf["conf_low"].to_numpy())
    assert np.all(tab["conf_high"].to_numpy() >= clf["conf_high"].to_numpy())
    assert np.all(np.diff(tab["conf_high"] - tab["conf_low"]) > 0) and np.all(np.diff(clf["conf_high"] - clf["conf_low"]) > 0)
    ratio = (tab["conf_high"] - tab["conf_low"]) / (clf["conf_high"] - clf["conf_low"])
    assert ratio.min() > 1.3  # the projection is 35-70% wider here
    np.testing.assert_allclose(tab[["conf_low", "conf_high"]].to_numpy(),
                               [[0.009408, 0.083486], [-0.003849, 0.096742], [-0.017105, 0.109999],
                                [-0.030361, 0.123255]], atol=5e-6)


def test_r_random_numbers_are_reproduced():
    """R 4.2.2: ``set.seed(0); rnorm(6)`` prints 1.2629543 -0.3262334 1.3297993 1.2724293 0.4146414 -1.5399500;
    ``S <- matrix(c(4, 1.2, -0.6, 0.3, 1.2, 2, 0.5, 0, -0.6, 0.5, 1, 0.2, 0.3, 0, 0.2, 0.5), 4, 4);
    set.seed(0); x <- mvtnorm::rmvnorm(1000, sigma = S)`` (mvtnorm 1.1-3) gives the rows below and
    ``quantile(apply(x, 1, max), 0.995)`` = 5.48062459468497."""
    np.testing.assert_allclose(_r_rnorm(6), [1.2629543, -0.3262334, 1.3297993, 1.2724293, 0.4146414, -1.5399500],
                               atol=5e-8)
    S = np.array([[4, 1.2, -0.6, 0.3], [1.2, 2, 0.5, 0], [-0.6, 0.5, 1, 0.2], [0.3, 0, 0.2, 0.5]])
    x = _r_mvnorm(S, 1000)
    np.testing.assert_allclose(x[[0, 1, 999]], [
        [2.159293864846810, 0.356281811973794, 1.006284484669389, 1.253747740598457],
        [0.400173573115858, -2.125508146490042, -1.417213377592063, -0.213319879719337],
        [-0.261264834007571, 0.570758259076675, 0.597948090447381, 0.996177584214236]], atol=1e-12)
    assert np.quantile(x.max(axis=1), 0.995) == pytest.approx(5.48062459468497, abs=1e-12)  # R's type 7


# --- a line-by-line port of HonestDiD's LP-based conditional test (R/arp-nuisance.R), for cross-checks ----------


def _r_test_delta_lp(y, X, S):
    """.test_delta_lp_fn: min eta s.t. y - X delta <= eta sd; returns eta and the dual (lambda)."""
    sd = np.sqrt(np.diag(S))
    k = X.shape[1]
    res = linprog(np.r_[1.0, np.zeros(k)], A_ub=-np.c_[sd, X], b_ub=-y, bounds=[(None, None)] * (k + 1),
                  method="highs")
    assert res.status == 0
    return res.fun, -res.ineqlin.marginals


def _r_primal_bounds(y, X, S, lam):
    """Primal branch of .lp_conditional_test_fn (binding moments B from lambda > 1e-6)."""
    sd = np.sqrt(np.diag(S))
    B = lam > 1e-6
    inv = np.linalg.inv(np.c_[sd[B], X[B]])
    I = np.eye(len(y))
    gamma_B = np.c_[sd[~B], X[~B]] @ inv @ I[B] - I[~B]
    v_B = (inv @ I[B])[0]
    s2 = v_B @ S @ v_B
    rho = gamma_B @ S @ v_B / s2
    mm = (-gamma_B @ y) / rho + v_B @ y
    vlo = mm[rho > 0].max() if (rho > 0).any() else -np.inf
    vup = mm[rho < 0].min() if (rho < 0).any() else np.inf
    return s2, vlo, vup


def _r_dual_bounds(eta, y, X, S, gamma):
    """.lp_dual_fn / .vlo_vup_dual_fn: bisection on c until max_lambda (s_T + b c)' lambda = c."""
    sd = np.sqrt(np.diag(S))
    W = np.c_[sd, X]
    s2 = gamma @ S @ gamma
    b = S @ gamma / s2
    s_T = y - b * (gamma @ y)
    beq = np.r_[1.0, np.zeros(W.shape[1] - 1)]

    def check(c):
        res = linprog(-(s_T + b * c), A_eq=W.T, b_eq=beq, bounds=[(0, None)] * len(y), method="highs")
        return abs(c + res.fun) <= 1e-6, res.x

    def roundeps(x):
        return 0.0 if abs(x) < np.finfo(float).eps ** 0.75 else x

    sigma_B = np.sqrt(s2)
    lows, highs = min(-100, eta - 20 * sigma_B), max(100, eta + 20 * sigma_B)
    assert check(eta)[0]
    bounds = []
    for start, upper in ((highs, True), (lows, False)):
        ok, x = check(start)
        if ok:
            bounds.append(np.inf if upper else -np.inf)
            continue
        dif, iters = 0.0, 1
        mid = roundeps(x @ s_T) / (1 - x @ b)
        while True:
            ok, x = check(mid)
            if ok:
                break
            iters += 1
            if iters >= 10:
                dif = 1e-6 + 1
                break
            mid = roundeps(x @ s_T) / (1 - x @ b)
        low, high = (eta, mid) if upper else (mid, eta)
        while dif > 1e-6:
            mid = (low + high) / 2
            if check(mid)[0] == upper:
                low = mid
            else:
                high = mid
            dif = high - low
        bounds.append(mid)
    return s2, bounds[1], bounds[0]


def _random_problem(rng, num_pre, num_post):
    n = num_pre + num_post
    G = rng.normal(size=(n, n))
    V = (G @ G.T / n + 0.2 * np.eye(n)) * 1e-4
    b = rng.normal(scale=0.02, size=n)
    return b, V


# which of HonestDiD's branches each random problem goes through (the dual one when the LP's vertex is degenerate)
BRANCHES = [{"dual"}, {"primal", "dual"}, {"primal"}, {"primal"}, {"primal", "dual"}]


@pytest.mark.parametrize("seed", range(5))
def test_closed_form_equals_honestdid_linear_programs(seed):
    """eta, sigma_B^2, vlo and vup of the vertex formulas equal HonestDiD's LP computations (primal or dual branch)."""
    rng = np.random.default_rng(seed)
    num_pre, num_post = [(2, 2), (3, 3), (1, 4), (4, 2), (2, 6)][seed]
    b, V = _random_problem(rng, num_pre, num_post)
    lv = [np.eye(num_post)[0], np.full(num_post, 1 / num_post), rng.uniform(-1, 1, num_post),
          np.eye(num_post)[-1], rng.uniform(0, 1, num_post)][seed]
    n = num_pre + num_post
    L = np.cumsum(lv[::-1])[::-1]
    N = linalg.null_space(lv[None, :])  # nuisance directions of tau_post (HonestDiD: columns 2.. of Gamma^-1)
    tau1 = np.r_[np.zeros(num_pre), lv / (lv @ lv)]
    Dpost = np.zeros((num_post, n))
    for t in range(num_post):
        Dpost[t, num_pre + t] = 1.0
        if t:
            Dpost[t, num_pre + t - 1] = -1.0
    branches = set()
    for s, sign, mbar in itertools.product(range(num_pre), (1.0, -1.0), (0.5, 2.0)):
        ds = np.zeros(n)
        ds[s] = -1.0
        if s + 1 < num_pre:
            ds[s + 1] = 1.0
        A = np.vstack([Dpost - mbar * sign * ds, -Dpost - mbar * sign * ds])
        S = A @ V @ A.T
        X = A[:, num_pre:] @ N
        Vx = _dual_vertices(np.sqrt(np.diag(S)), L)
        for theta in rng.normal(lv @ b[num_pre:], 0.05, size=3):
            y = A @ b - theta * (A @ tau1)
            eta, lam = _r_test_delta_lp(y, X, S)
            ours = [v[0] for v in _conditional_bounds(y[None, :], S, Vx)]
            assert ours[0] == pytest.approx(eta, abs=1e-9)
            XB = X[lam > 1e-6]
            primal = (lam > 1e-6).sum() == num_post and np.linalg.matrix_rank(XB) == min(XB.shape)
            branches.add("primal" if primal else "dual")
            s2, vlo, vup = (_r_primal_bounds(y, X, S, lam) if primal else _r_dual_bounds(eta, y, X, S, lam))
            tol = 1e-9 if primal else 2e-6  # the dual branch bisects to 1e-6
            assert ours[1] == pytest.approx(s2, rel=1e-8)
            for o, r in ((ours[2], vlo), (ours[3], vup)):
                if not primal and abs(o) > max(100, abs(eta) + 20 * np.sqrt(s2)):
                    o = np.sign(o) * np.inf  # R's bisection stops at +-100 and reports +-Inf
                assert o == pytest.approx(r, abs=tol)
    assert branches == BRANCHES[seed]


def test_no_nuisance_case_is_honestdid_test_in_identified_set(sigma):
    """One post period: HonestDiD's .testInIdentifiedSet_LF_Hybrid (R/arp-nonuisance.R) ported line by line on
    the Medicaid coefficients for e = -6..-2, 0."""
    b = np.array([-0.00528534, -0.01129732, -0.00267598, -0.00141931, 0.00033968, 0.04644686])
    V = sigma[:6, :6]
    grid = np.linspace(-0.2, 0.2, 401)
    for mbar in (0.5, 2.0):
        ours = [test(grid) for test in _clf_tests(b, V, 5, 1, mbar, np.array([1.0]), 0.05)]
        theirs = []
        for s, sign in itertools.product(range(5), (1.0, -1.0)):
            ds = np.zeros(6)
            ds[s] = -1.0
            if s + 1 < 5:
                ds[s + 1] = 1.0
            e0 = np.eye(6)[5]
            A = np.vstack([e0 - mbar * sign * ds, -e0 - mbar * sign * ds])
            S = A @ V @ A.T
            sdt = np.sqrt(np.diag(S))
            xi = _r_mvnorm(S, 1000)
            lf_cv = np.quantile((xi / sdt).max(axis=1), 0.995)
            At = A / sdt[:, None]
            r_accept = []
            for theta in grid:
                y = b - e0 * theta
                nm = At @ y
                i = int(np.argmax(nm))
                if nm[i] > lf_cv:
                    r_accept.append(False)
                    continue
                g = At[i]
                c = V @ g / (g @ V @ g)
                z = y - c * (g @ y)
                Abar = At - g[None, :]
                ac = Abar @ c
                obj = -(Abar @ z) / np.where(ac == 0, 1, ac)
                vlo = obj[ac < 0].max() if (ac < 0).any() else -np.inf
                vup = obj[ac > 0].min() if (ac > 0).any() else np.inf
                cv = stats.truncnorm.ppf(0.95, vlo, vup)
                r_accept.append(not nm[i] > cv)
            theirs.append(np.array(r_accept))
        # the same ten accept/reject vectors, one per piece (the module tests the pieces in another order)
        assert sorted(np.packbits(a).tobytes() for a in ours) == sorted(np.packbits(a).tobytes() for a in theirs)
        assert 0 < np.any(theirs, axis=0).sum() < grid.size
    tab = honest_rm(b, V, num_pre=5, num_post=1, mbar=(0.5, 2))
    assert np.all(tab["conf_low"] < tab["id_low"]) and np.all(tab["conf_high"] > tab["id_high"])


def test_clf_covers_at_the_worst_case(sigma):
    """Simulation with the Medicaid sigma: beta_hat ~ N(beta, sigma), delta at the edge of Delta^RM(2) (pre slopes
    0.01, post differences +0.02 each period) and tau_0 = 0.03, the lower end of the identified set. 300 draws: the
    C-LF set must cover >= 0.93 (nominal 0.95, MC sd 0.013; seen: 0.973) and be shorter than the projection (seen:
    0.68 of its length); the original interval, which ignores the violation, covers far less (seen: 0.46)."""
    delta_pre = np.array([-0.05, -0.04, -0.03, -0.02, -0.01])  # e = -6..-2: slope 0.01 up to 0 at e = -1
    beta = np.r_[delta_pre, np.array([0.03, 0.05]) + np.array([0.02, 0.04])]
    assert rm_identified_set(beta, num_pre=5, num_post=2, mbar=2.0)[0] == pytest.approx(0.03)
    draws = np.random.default_rng(2).multivariate_normal(beta, sigma, size=300)
    cover = cover_orig = 0
    ratio = []
    for b in draws:
        tab = honest_rm(b, sigma, num_pre=5, num_post=2, mbar=(2.0,))
        proj = honest_rm(b, sigma, num_pre=5, num_post=2, mbar=(2.0,), method="projection")
        cover += tab.loc[0, "conf_low"] <= 0.03 <= tab.loc[0, "conf_high"]
        lo, hi = tab.attrs["original"]
        cover_orig += lo <= 0.03 <= hi
        ratio.append((tab.loc[0, "conf_high"] - tab.loc[0, "conf_low"]) / (proj.loc[0, "conf_high"] - proj.loc[0, "conf_low"]))
    assert cover / 300 >= 0.93
    assert cover_orig / 300 < 0.6
    assert np.mean(ratio) < 0.85


def test_projection_covers_at_the_worst_case(sigma):
    """As above at Mbar = 1 (post differences +0.01), 1,000 draws: the projection interval must cover >= 95%
    (MC sd 0.007; seen: 1.000), the original interval that ignores the violation covers far less (seen: 0.87)."""
    delta_pre = np.array([-0.05, -0.04, -0.03, -0.02, -0.01])
    beta = np.r_[delta_pre, np.array([0.03, 0.05]) + np.array([0.01, 0.02])]
    assert rm_identified_set(beta, num_pre=5, num_post=2, mbar=1.0)[0] == pytest.approx(0.03)
    draws = np.random.default_rng(1).multivariate_normal(beta, sigma, size=1000)
    cover_robust = cover_orig = 0
    for b in draws:
        tab = honest_rm(b, sigma, num_pre=5, num_post=2, mbar=(1.0,), method="projection")
        cover_robust += tab.loc[0, "conf_low"] <= 0.03 <= tab.loc[0, "conf_high"]
        lo, hi = tab.attrs["original"]
        cover_orig += lo <= 0.03 <= hi
    assert cover_robust / 1000 >= 0.95
    assert cover_orig / 1000 < 0.9


def test_large_event_study_is_sensible():
    """12 pre- and 25 post-periods (the FX-loans paper's window), average effect, 5 values of Mbar."""
    rng = np.random.default_rng(7)
    n = 37
    idx = np.arange(n)
    V = 0.02**2 * 0.6 ** np.abs(idx[:, None] - idx[None, :])
    beta = np.r_[rng.normal(0, 0.02, 12), 0.3 + rng.normal(0, 0.02, 25)]
    tab = honest_rm(beta, V, num_pre=12, num_post=25, l_vec=np.full(25, 1 / 25))
    proj = honest_rm(beta, V, num_pre=12, num_post=25, l_vec=np.full(25, 1 / 25), method="projection")
    assert np.all(tab["conf_low"] < tab["id_low"]) and np.all(tab["conf_high"] > tab["id_high"])
    assert np.all(tab["conf_high"] - tab["conf_low"] < proj["conf_high"] - proj["conf_low"])
    assert np.all(np.diff(tab["conf_high"] - tab["conf_low"]) > 0)


def test_grid_is_extended_beyond_honestdids_default():
    """t-statistic 40: HonestDiD's default grid [-20 sd, 20 sd] misses the estimate; ours extends it (same spacing)."""
    b = np.array([0.0, 0.01, 0.4, 0.41])
    V = np.eye(4) * 1e-4
    tab = honest_rm(b, V, num_pre=2, num_post=2, mbar=(0, 1))
    sd = 0.01
    assert abs(tab.loc[0, "conf_low"] - (0.4 - 1.96 * sd)) < 40 * sd / 999
    assert abs(tab.loc[0, "conf_high"] - (0.4 + 1.96 * sd)) < 40 * sd / 999
    assert tab.loc[1, "conf_low"] < tab.loc[1, "id_low"] and tab.loc[1, "conf_high"] > tab.loc[1, "id_high"]
    # a grid given by the user is kept as it is, with HonestDiD's warning when the set reaches its end
    with pytest.warns(HonestGridWarning, match="reaches an end") as caught:
        short = honest_rm(b, V, num_pre=2, num_post=2, mbar=(1,), grid_lb=0.0, grid_ub=0.4)
    assert short.loc[0, "conf_high"] == pytest.approx(0.4)
    assert caught[0].filename == __file__  # stacklevel points at the caller
    with pytest.warns(HonestGridWarning, match="rejects every theta"):
        empty = honest_rm(b, V, num_pre=2, num_post=2, mbar=(1,), grid_lb=-0.2, grid_ub=0.2)
    assert np.isnan(empty.loc[0, "conf_low"]) and np.isnan(empty.loc[0, "conf_high"])


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


def test_targets_and_plot(es):
    avg = honest_did(es, mbar=(0, 1), target="average")
    e1 = honest_did(es, mbar=(0, 1), target="e=1")
    e0 = honest_did(es, mbar=(0, 1), target="e=0")
    # average of the two post effects: its original interval is centred at their mean
    tab = es.extra["event_time"].set_index("event_time")["estimate"]
    assert np.mean(avg.attrs["original"]) == pytest.approx((tab[0] + tab[1]) / 2, rel=1e-12)
    assert np.mean(e1.attrs["original"]) == pytest.approx(tab[1], rel=1e-12)
    # the effect one period later accumulates two post differences: twice the slack of e=0
    w0 = e0.loc[1, "id_high"] - e0.loc[1, "id_low"]
    assert e1.loc[1, "id_high"] - e1.loc[1, "id_low"] == pytest.approx(2 * w0, rel=1e-12)
    assert e1.loc[1, "conf_high"] - e1.loc[1, "conf_low"] > e0.loc[1, "conf_high"] - e0.loc[1, "conf_low"]
    rk.report.use_theme()
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph missing" for the Chinese labels
        fig = honest_plot(honest_did(es), lang="zh")
        fig.canvas.draw()
    assert fig.axes[0].get_xlabel() == r"$\bar{M}$（相对幅度）"
    assert "稳健区间（C-LF）" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    fig = honest_plot(honest_did(es, method="projection"), lang="en")
    assert "Robust (sup-t projection)" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)


def test_bad_input(es, medicaid):
    with pytest.raises(ValueError, match="'average'"):
        honest_did(es, target="post")
    with pytest.raises(ValueError, match="e=0..e=1"):
        honest_did(es, target="e=3")
    with pytest.raises(ValueError, match="mbar"):
        honest_did(es, mbar=(-1,))
    with pytest.raises(ValueError, match="'C-LF', 'projection'"):
        honest_did(es, method="Conditional")
    with pytest.raises(ValueError, match="grid_points"):
        honest_rm(np.zeros(3), np.eye(3), num_pre=2, num_post=1, grid_points=1)
    with pytest.raises(ValueError, match="grid_lb < grid_ub"):
        honest_rm(np.zeros(3), np.eye(3), num_pre=2, num_post=1, grid_lb=1.0, grid_ub=0.0)
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
