"""rdd on the rdrobust Senate data against published output and independent computations.

Published reference (Stata). Command, on ``rdrobust_senate.dta``::

    . rdrobust vote margin

The output is printed (as the first table of ``rdboottest vote margin``, which
runs ``rdrobust`` and prints its table unchanged) in the README of the GitHub
repository droodman/rdboottest, section "Example"; the same numbers, to three
decimals, are printed by the Python illustration of the rdrobust authors
(rdpackages/rdrobust, ``Python/rdrobust_illustration.py``:
``print(rdrobust(y=vote, x=margin))``)::

    Cutoff c = 0       | Left of c  Right of c        Number of obs = 1297
    Number of obs      |       595         702        BW type       = mserd
    Eff. Number of obs |       360         323        Kernel        = Triangular
    Order est. (p)     |         1           1        VCE method    = NN
    Order bias (q)     |         2           2
    BW est. (h)        |    17.754      17.754
    BW bias (b)        |    28.028      28.028
    rho (h/b)          |     0.633       0.633
    Method             |   Coef. Std. Err.      z    P>|z|  [95% Conf. Interval]
    Conventional       |  7.4141    1.4587   5.0826  0.000   4.5551    10.2732
    Robust             |       -         -   4.3110  0.000   4.0937    10.9193

Independent computations (written here, not taken from rdrobust): the
conventional local polynomial estimate and its HC0 standard error at a fixed
bandwidth by weighted least squares on each side, and the robust bias-corrected
estimate and standard error of Calonico, Cattaneo and Titiunik (2014, eq. for
the bias-corrected estimator with the q-order fit at bandwidth b), checked for
three kernels and unequal h and b; the fuzzy estimate as the ratio of two sharp
jumps; the covariate-adjusted estimate as the jump coefficient of the pooled
kernel-weighted regression with common covariate coefficients (Calonico,
Cattaneo, Farrell and Titiunik 2019).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from research_kit import rd

# ---------------------------------------------------------------- published output
# `rdrobust vote margin` (Stata; rdboottest README "Example"), printed digits.
STATA = {
    "n": (595, 702), "n_eff": (360, 323), "h": 17.754, "b": 28.028, "rho": 0.633,
    "conv_coef": 7.4141, "conv_se": 1.4587, "conv_z": 5.0826, "conv_ci": (4.5551, 10.2732),
    "robust_z": 4.3110, "robust_ci": (4.0937, 10.9193),
}


def _half_unit(printed: float) -> float:
    """Half a unit in the last printed digit: the most a correct value can differ by."""
    decimals = len(repr(printed).split(".")[1]) if "." in repr(printed) else 0
    return 0.5 * 10.0 ** (-decimals) + 1e-12


@pytest.fixture(scope="module")
def default_fit(senate: pd.DataFrame) -> rd.RDResult:
    return rd.rdd(senate, outcome="vote", running="margin")


def test_default_rdrobust_matches_published_stata_output(default_fit: rd.RDResult) -> None:
    r = default_fit
    tab = r.tidy().set_index("term")
    assert (r.info["n_left"], r.info["n_right"]) == STATA["n"]
    assert r.n_effective == STATA["n_eff"]
    assert r.nobs == 1297
    for side in ("left", "right"):
        assert abs(r.info[f"h_{side}"] - STATA["h"]) <= _half_unit(STATA["h"])
        assert abs(r.info[f"b_{side}"] - STATA["b"]) <= _half_unit(STATA["b"])
    assert abs(r.h[0] / r.b[0] - STATA["rho"]) <= _half_unit(STATA["rho"])
    conv = tab.loc["Conventional"]
    assert abs(conv["estimate"] - STATA["conv_coef"]) <= _half_unit(STATA["conv_coef"])
    assert abs(conv["std_error"] - STATA["conv_se"]) <= _half_unit(STATA["conv_se"])
    assert abs(conv["statistic"] - STATA["conv_z"]) <= _half_unit(STATA["conv_z"])
    assert abs(conv["conf_low"] - STATA["conv_ci"][0]) <= _half_unit(STATA["conv_ci"][0])
    assert abs(conv["conf_high"] - STATA["conv_ci"][1]) <= _half_unit(STATA["conv_ci"][1])
    rob = tab.loc["Robust"]
    assert abs(rob["statistic"] - STATA["robust_z"]) <= _half_unit(STATA["robust_z"])
    assert abs(rob["conf_low"] - STATA["robust_ci"][0]) <= _half_unit(STATA["robust_ci"][0])
    assert abs(rob["conf_high"] - STATA["robust_ci"][1]) <= _half_unit(STATA["robust_ci"][1])
    # headline = robust row; conventional estimate kept as .conventional
    assert r.term == "Robust" and r.conf_low == rob["conf_low"] and r.p_value == rob["p_value"]
    assert abs(r.conventional - STATA["conv_coef"]) <= _half_unit(STATA["conv_coef"])
    # headline as rdrobust prints it (its Robust row shows no coefficient): the conventional estimate 7.4141
    # with the robust interval [4.0937, 10.9193] and p-value; the bias-corrected estimate is its own row
    assert r.estimate == conv["estimate"] and rob["estimate"] == conv["estimate"]
    assert abs(r.estimate - STATA["conv_coef"]) <= _half_unit(STATA["conv_coef"])
    assert r.bias_corrected == tab.loc["Bias-Corrected", "estimate"] != r.estimate
    assert r.conf_low < r.bias_corrected < r.conf_high
    assert tab.loc["Bias-Corrected", "std_error"] == conv["std_error"]


def test_summary_prints_the_rdrobust_layout(default_fit: rd.RDResult) -> None:
    text = str(default_fit.summary())
    assert "BW est. h (left, right)" in text and "17.754" in text and "28.028" in text
    assert "Eff. number of obs" in text and "360" in text and "323" in text


# ------------------------------------------------------------ independent computations
def _kernel(u: np.ndarray, kernel: str) -> np.ndarray:
    a = np.abs(u)
    if kernel == "triangular":
        return np.clip(1 - a, 0, None)
    if kernel == "uniform":
        return 0.5 * (a <= 1)
    return 0.75 * np.clip(1 - u**2, 0, None)


def _side(x: np.ndarray, y: np.ndarray, h: float, b: float, kernel: str, p: int = 1, q: int = 2):
    """Conventional and CCT bias-corrected intercepts at 0, with HC0 variances, on one side."""
    wh, wb = _kernel(x / h, kernel) / h, _kernel(x / b, kernel) / b
    keep = (wh > 0) | (wb > 0)
    x, y, wh, wb = x[keep], y[keep], wh[keep], wb[keep]
    Rp, Rq = np.vander(x, p + 1, increasing=True), np.vander(x, q + 1, increasing=True)
    iGp = np.linalg.inv(Rp.T @ (Rp * wh[:, None]))
    iGq = np.linalg.inv(Rq.T @ (Rq * wb[:, None]))
    beta = iGp @ (Rp.T @ (wh * y))
    res_p = y - Rp @ beta
    V_cl = iGp @ (Rp.T @ (Rp * (wh**2 * res_p**2)[:, None])) @ iGp
    # bias correction: subtract the (p+1)-th order term estimated by the q-order fit at bandwidth b
    L = Rp.T @ (wh * (x / h) ** (p + 1))
    Qt = (Rp * wh[:, None]).T - h ** (p + 1) * np.outer(L, (iGq @ (Rq * wb[:, None]).T)[p + 1])
    beta_bc = iGp @ (Qt @ y)
    res_q = y - Rq @ (iGq @ (Rq.T @ (wb * y)))
    V_rb = iGp @ (Qt * res_q**2) @ Qt.T @ iGp
    return beta[0], V_cl[0, 0], beta_bc[0], V_rb[0, 0], int((wh > 0).sum())


@pytest.mark.parametrize(
    ("kernel", "h", "b"),
    [("triangular", 12.5, 12.5), ("triangular", 17.754398, 28.028089), ("uniform", 20.0, 30.0),
     ("epanechnikov", 20.0, 15.0)],
)
def test_rows_match_independent_wls_and_cct_bias_correction(senate: pd.DataFrame, kernel: str, h: float,
                                                           b: float) -> None:
    x, y = senate["margin"].to_numpy(float), senate["vote"].to_numpy(float)
    left, right = x < 0, x >= 0
    cl_l, vcl_l, bc_l, vrb_l, n_l = _side(x[left], y[left], h, b, kernel)
    cl_r, vcl_r, bc_r, vrb_r, n_r = _side(x[right], y[right], h, b, kernel)
    r = rd.rdd(senate, outcome="vote", running="margin", kernel=kernel, h=h, b=b, vce="hc0")
    tab = r.tidy().set_index("term")
    assert_allclose(tab.loc["Conventional", "estimate"], cl_r - cl_l, rtol=1e-9)
    assert_allclose(tab.loc["Conventional", "std_error"], np.sqrt(vcl_l + vcl_r), rtol=1e-9)
    assert_allclose(tab.loc["Bias-Corrected", "estimate"], bc_r - bc_l, rtol=1e-9)
    assert tab.loc["Robust", "estimate"] == tab.loc["Conventional", "estimate"]  # headline as rdrobust prints it
    assert_allclose(tab.loc["Robust", "std_error"], np.sqrt(vrb_l + vrb_r), rtol=1e-9)
    assert r.n_effective == (n_l, n_r)
    assert r.info["bwselect"] == "manual" and r.h == (h, h) and r.b == (b, b)


def test_fuzzy_conventional_estimate_is_the_ratio_of_two_sharp_jumps(senate: pd.DataFrame) -> None:
    # a made-up treatment with imperfect compliance: winners take it unless they served 2+ House terms
    d = senate.assign(t=((senate["margin"] >= 0) & (senate["termshouse"] < 2)).astype(float))
    h = 15.0
    fz = rd.rdd(d, outcome="vote", running="margin", fuzzy="t", h=h)
    jump_y = rd.rdd(d, outcome="vote", running="margin", h=h).conventional
    jump_t = rd.rdd(d, outcome="t", running="margin", h=h).conventional
    assert_allclose(fz.conventional, jump_y / jump_t, rtol=1e-9)
    assert_allclose(fz.first_stage.set_index("term").loc["Conventional", "estimate"], jump_t, rtol=1e-9)
    assert fz.info["design"] == "fuzzy" and fz.info["first_stage_jump"] == pytest.approx(jump_t, rel=1e-9)


def test_covariate_adjusted_estimate_equals_pooled_kernel_regression(senate: pd.DataFrame) -> None:
    covs = ["class", "termshouse", "termssenate"]
    d = senate.dropna(subset=covs)
    h = 15.0
    x, y, Z = d["margin"].to_numpy(float), d["vote"].to_numpy(float), d[covs].to_numpy(float)
    w = np.clip(1 - np.abs(x) / h, 0, None)
    k = w > 0
    D = (x >= 0).astype(float)
    X = np.column_stack([np.ones_like(x), x, D, D * x, Z])[k]
    sw = np.sqrt(w[k])
    beta = np.linalg.lstsq(X * sw[:, None], y[k] * sw, rcond=None)[0]
    with pytest.warns(rd.DroppedObservationsWarning, match="dropped 189 of 1,297 rows"):
        r = rd.rdd(senate, outcome="vote", running="margin", covariates=covs, h=h)
    assert_allclose(r.conventional, beta[2], rtol=1e-9)
    assert r.nobs == len(d)  # rows with a missing covariate are dropped


def test_cluster_robust_inference_counts_states(senate: pd.DataFrame) -> None:
    r = rd.rdd(senate, outcome="vote", running="margin", cluster="state")
    assert r.info["vce"] == "CR1" and r.info["n_clusters"] == senate["state"].nunique()
    plain = rd.rdd(senate, outcome="vote", running="margin", vce="hc1", h=r.h, b=r.b)
    # same bandwidths, same point estimates; only the variance differs
    assert_allclose(r.conventional, plain.conventional, rtol=1e-12)
    assert r.std_error != pytest.approx(plain.std_error, rel=1e-3)


@pytest.mark.parametrize("bwselect", ["msetwo", "cerrd", "msecomb2"])
def test_other_bandwidth_selectors_run_and_cer_is_smaller(senate: pd.DataFrame, bwselect: str,
                                                          default_fit: rd.RDResult) -> None:
    r = rd.rdd(senate, outcome="vote", running="margin", bwselect=bwselect)
    assert r.info["bwselect"] == bwselect
    if bwselect == "cerrd":  # CER-optimal bandwidths shrink the MSE-optimal one by n^(-1/20) factors
        assert r.h[0] < default_fit.h[0]
    if bwselect == "msetwo":
        assert r.h[0] != pytest.approx(r.h[1])
