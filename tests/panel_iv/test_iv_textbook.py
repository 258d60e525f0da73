"""2SLS / LIML and their diagnostics against Wooldridge's MROZ examples and R / Stata output.

Data: MROZ, the 428 working women (``inlf == 1``). References, as printed:

* Example 15.1 (simple IV, lwage on educ, instrument fatheduc), R ``AER::ivreg(lwage ~ educ |
  fatheduc)`` in S. Egash, *Wooldridge R examples* (solomonegash.com, ch. 15, stargazer table):
  educ 0.059 (0.035), Constant 0.441 (0.446). Its first stage, Stata ``ivreg lwage (educ =
  fatheduc), first`` (same source, Stata edition, and a public do-file of the chapter's
  examples): fatheduc .2694416 (.0285863), _cons 10.23705 (.2759363), F(1, 426) = 88.84,
  R-squared = 0.1726.
* The same with motheduc as the instrument: "the IV estimate of the return to education is
  3.85 %" (a public problem set on MROZ, answersarena.com).
* Example 15.5 (lwage on exper, expersq, educ; educ instrumented by motheduc and fatheduc;
  Wooldridge prints .0614 (.0314)):
  - R ``AER::ivreg(log(wage) ~ educ + exper + I(exper^2) | exper + I(exper^2) + motheduc +
    fatheduc)``: (Intercept) 0.0481003 (0.4003281), educ 0.0613966 (0.0314367), exper
    0.0441704 (0.0134325), I(exper^2) -0.0008990 (0.0004017) -> ``cov_type="unadjusted",
    debiased=True``;
  - R ``ivreg2r::ivreg2(lwage ~ exper + expersq | educ | motheduc + fatheduc)`` (classical VCV,
    no small-sample correction; its documented example): standard errors 0.3984530,
    0.0312895, 0.0133696, 0.0003998 -> ``cov_type="unadjusted"`` (debiased=False); and its
    diagnostics: Sargan chi2(1) = 0.38 (p = 0.5386); endogeneity test chi2(1) = 2.81
    (p = 0.0938); first stage F = 55.40, partial R2 = 0.2076, Shea partial R2 = 0.2076;
    Cragg–Donald Wald F = 55.40;
  - R ``lmtest::coeftest(iv, vcov = vcovHC(iv, type = "HC1"))``: 0.42979772, 0.03333859,
    0.01554638, 0.00043008 -> ``cov_type="robust", debiased=True``.
* Example 15.7 (Wooldridge): adding the reduced-form residual of educ to the Example 15.5
  equation, its t statistic is 1.67 (the regression-based endogeneity test).
"""

from __future__ import annotations

import numpy as np
import pytest
from panel_iv_helpers import assert_printed

import research_kit as rk

EX_15_5 = "lwage ~ 1 + exper + expersq + [educ ~ motheduc + fatheduc]"


def _check_table(result, expected: dict[str, tuple[str, str]]) -> None:
    tab = result.tidy().set_index("term")
    for term, (est, se) in expected.items():
        if est:
            assert_printed(tab.loc[term, "estimate"], est, f"{term} estimate")
        assert_printed(tab.loc[term, "std_error"], se, f"{term} standard error")


def test_example_15_1_simple_iv(mroz_working):
    r = rk.iv.tsls(mroz_working, "lwage ~ 1 + [educ ~ fatheduc]", cov_type="unadjusted", debiased=True)
    _check_table(r, {"educ": ("0.059", "0.035"), "Intercept": ("0.441", "0.446")})
    assert r.term == "educ" and r.nobs == 428 and r.info["endog"] == ("educ",)
    assert r.info["instruments"] == ("fatheduc",) and r.info["exog"] == ("Intercept",)


def test_example_15_1_first_stage(mroz_working):
    fs = rk.iv.first_stage(mroz_working, "lwage ~ 1 + [educ ~ fatheduc]", cov_type="unadjusted", debiased=True)
    _check_table(fs, {"fatheduc": (".2694416", ".0285863"), "Intercept": ("10.23705", ".2759363")})
    assert_printed(fs.info["f_stat"], "88.84", "first-stage F")
    assert fs.info["f_df"] == (1, 426)
    assert_printed(fs.info["r2"], "0.1726", "first-stage R2")
    assert fs.term == "fatheduc" and fs.info["dependent"] == "educ"


def test_simple_iv_with_mothers_education(mroz_working):
    r = rk.iv.tsls(mroz_working, "lwage ~ 1 + [educ ~ motheduc]")
    assert_printed(r.estimate, "0.0385", "return to education, motheduc IV")


def test_example_15_5_classical_small_sample(mroz_working):
    r = rk.iv.tsls(mroz_working, EX_15_5, cov_type="unadjusted", debiased=True)
    _check_table(r, {
        "Intercept": ("0.0481003", "0.4003281"),
        "educ": ("0.0613966", "0.0314367"),
        "exper": ("0.0441704", "0.0134325"),
        "expersq": ("-0.0008990", "0.0004017"),
    })
    assert_printed(r.estimate, ".0614", "Wooldridge Example 15.5")
    assert_printed(r.std_error, ".0314", "Wooldridge Example 15.5")
    assert r.info["df"] == 424  # t(n - k) reference distribution, as R ivreg


def test_example_15_5_classical_large_sample_matches_ivreg2(mroz_working):
    r = rk.iv.tsls(mroz_working, EX_15_5, cov_type="unadjusted")
    _check_table(r, {"Intercept": ("", "0.3984530"), "educ": ("", "0.0312895"), "exper": ("", "0.0133696"),
                     "expersq": ("", "0.0003998")})
    assert r.info["df"] is None  # normal reference distribution, as ivreg2 (z values)


def test_example_15_5_robust_hc1(mroz_working):
    r = rk.iv.tsls(mroz_working, EX_15_5, debiased=True)  # cov_type="robust" is the default
    # R printed 8 decimals; agreement within one unit of the 8th decimal (the intercept's 0.42979772
    # is 0.4297977133 here: the last printed digit differs by one, summation order).
    np.testing.assert_allclose(r.tidy().set_index("term").loc[["Intercept", "educ", "exper", "expersq"], "std_error"],
                               [0.42979772, 0.03333859, 0.01554638, 0.00043008], rtol=0, atol=1e-8)
    assert r.info["cov_type"] == "robust"


def test_example_15_5_diagnostics_match_ivreg2(mroz_working):
    r = rk.iv.tsls(mroz_working, EX_15_5, cov_type="unadjusted")
    sargan = r.overid("sargan")
    assert_printed(sargan.statistic, "0.38", "Sargan")
    assert_printed(sargan.p_value, "0.5386", "Sargan p")
    assert sargan.info["df"] == 1 and sargan.info["distribution"] == "chi2(1)"
    durbin = r.endogeneity("durbin")
    assert_printed(durbin.statistic, "2.81", "endogeneity chi2")
    assert_printed(durbin.p_value, "0.0938", "endogeneity p")
    fs = r.first_stage().loc["educ"]
    assert_printed(fs["f_stat"], "55.40", "first-stage F")
    assert (fs["f_df1"], fs["f_df2"]) == (2, 423)
    assert_printed(fs["partial_r2"], "0.2076", "partial R2")
    assert_printed(fs["shea_r2"], "0.2076", "Shea partial R2")
    assert_printed(r.info["cragg_donald_f"], "55.40", "Cragg-Donald F")
    assert r.info["first_stage_f"]["educ"] == pytest.approx(fs["f_stat"])
    assert r.info["partial_r2"]["educ"] == pytest.approx(fs["partial_r2"])


def test_example_15_7_regression_test_of_endogeneity(mroz_working):
    r = rk.iv.tsls(mroz_working, EX_15_5, cov_type="unadjusted", debiased=True)
    w = r.endogeneity("wooldridge_regression")
    assert_printed(np.sqrt(w.statistic), "1.67", "t statistic on the reduced-form residual")
    wh = r.endogeneity("wu_hausman")  # Wu-Hausman F = t^2 with one endogenous regressor
    np.testing.assert_allclose(wh.statistic, w.statistic, rtol=1e-6)
    assert wh.info["distribution"] == "F(1, 423)"


def test_overid_tests_agree_with_linearmodels(mroz_working):
    r = rk.iv.tsls(mroz_working, "lwage ~ 1 + exper + expersq + [educ ~ motheduc + fatheduc + huseduc]")
    lm = r.extra["linearmodels"]
    for method, ref in [("sargan", lm.sargan), ("basmann", lm.basmann), ("wooldridge", lm.wooldridge_overid),
                        ("basmann_f", lm.basmann_f)]:
        t = r.overid(method)
        np.testing.assert_allclose(t.statistic, ref.stat, rtol=1e-10)
        np.testing.assert_allclose(t.p_value, ref.pval, rtol=1e-8)
        assert t.info["df"] == ref.df or t.info["df"] == (ref.df, ref.df_denom)
    for method, ref in [("durbin", lm.durbin()), ("wu_hausman", lm.wu_hausman()),
                        ("wooldridge_score", lm.wooldridge_score)]:
        np.testing.assert_allclose(r.endogeneity(method).statistic, ref.stat, rtol=1e-10)
