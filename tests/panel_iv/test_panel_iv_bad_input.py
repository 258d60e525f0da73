"""Errors and warnings: what was seen, what was expected, what to do; warnings point at the caller."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import research_kit as rk
from research_kit.inference import FewClustersWarning
from research_kit.panel import MissingValuesWarning, NoInterceptWarning


def test_time_column_must_be_numeric_or_datetime(wagepan):
    df = wagepan.assign(year=wagepan["year"].astype(str))
    with pytest.raises(TypeError, match=r"time column 'year' must be numeric.*pd.to_datetime"):
        rk.panel.fe(df, "lwage ~ union", entity="nr", time="year")


def test_duplicate_entity_period_pairs_are_refused(wagepan):
    df = wagepan.assign(year=1980)
    with pytest.raises(ValueError, match=r"each \(nr, year\) pair must appear once"):
        rk.panel.pooled(df, "lwage ~ 1 + union", entity="nr", time="year")


def test_missing_column_and_non_frame(wagepan):
    with pytest.raises(KeyError, match="entity column 'id' is not in the data"):
        rk.panel.fe(wagepan, "lwage ~ union", entity="id", time="year")
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        rk.panel.fe(wagepan.to_numpy(), "lwage ~ union", entity="nr", time="year")
    with pytest.raises(ValueError, match="formula must be a string"):
        rk.panel.fe(wagepan, ["lwage", "union"], entity="nr", time="year")


def test_cov_type_options_are_checked(wagepan):
    with pytest.raises(ValueError, match=r"cov_type='hc3' is not supported; choose one of 'unadjusted', 'robust'"):
        rk.panel.fe(wagepan, "lwage ~ union", entity="nr", time="year", cov_type="hc3")
    with pytest.raises(ValueError, match="cluster=.*cov_type='driscoll_kraay'"):
        rk.panel.fe(wagepan, "lwage ~ union", entity="nr", time="year", cluster="nr", cov_type="driscoll_kraay")
    with pytest.raises(ValueError, match="needs cluster="):
        rk.panel.fe(wagepan, "lwage ~ union", entity="nr", time="year", cov_type="clustered")
    with pytest.raises(ValueError, match="kernel='gauss'"):
        rk.panel.fe(wagepan, "lwage ~ union", entity="nr", time="year", cov_type="kernel", kernel="gauss")
    with pytest.raises(ValueError, match="bandwidth=8 must be .* below the number of periods"):
        rk.panel.fe(wagepan, "lwage ~ union", entity="nr", time="year", cov_type="kernel", bandwidth=8)
    with pytest.raises(ValueError, match="one column name, or two"):
        rk.panel.fe(wagepan, "lwage ~ union", entity="nr", time="year", cluster=["nr", "year", "union"])
    with pytest.raises(ValueError, match="cannot be clustered by the time column"):
        rk.panel.first_difference(wagepan, "lwage ~ union", entity="nr", time="year", cluster="year")


def test_fe_formula_and_absorbed_regressors(wagepan):
    with pytest.raises(ValueError, match="remove EntityEffects"):
        rk.panel.fe(wagepan, "lwage ~ union + EntityEffects", entity="nr", time="year")
    with pytest.raises(ValueError, match=r"absorbed.*: educ\. Remove them.*drop_absorbed=True"):
        rk.panel.fe(wagepan, "lwage ~ union + educ", entity="nr", time="year")
    with pytest.warns(rk.panel.DroppedRegressorsWarning, match="dropped: educ"):
        r = rk.panel.fe(wagepan, "lwage ~ union + educ", entity="nr", time="year", drop_absorbed=True)
    assert list(r.params.index) == ["union"]
    with pytest.raises(ValueError, match="entity_effects=True or time_effects=True"):
        rk.panel.fe(wagepan, "lwage ~ union", entity="nr", time="year", entity_effects=False)


def test_missing_values_warn_at_the_callers_line(wagepan):
    df = wagepan.copy()
    df.loc[[3, 10], "lwage"] = np.nan
    with pytest.warns(MissingValuesWarning, match=r"fe: dropped 2 of 4,360 rows with missing values \(.lwage.: 2\)") as rec:
        r = rk.panel.fe(df, "lwage ~ union", entity="nr", time="year")
    assert r.nobs == 4358
    assert rec[0].filename == __file__


def test_no_intercept_and_few_clusters_warnings(wagepan, mroz_working):
    with pytest.warns(NoInterceptWarning, match="1 \\+ x"):
        rk.panel.pooled(wagepan, "lwage ~ union", entity="nr", time="year")
    with pytest.warns(NoInterceptWarning):
        rk.iv.tsls(mroz_working, "lwage ~ [educ ~ fatheduc]")
    with pytest.warns(FewClustersWarning, match="only 8 clusters in 'year'"):
        rk.panel.pooled(wagepan, "lwage ~ 1 + union", entity="nr", time="year", cluster="year")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fe without an intercept is fine: no warning
        rk.panel.fe(wagepan, "lwage ~ union", entity="nr", time="year")


def test_iv_input_errors(mroz_working):
    with pytest.raises(ValueError, match=r"in brackets, e.g. 'y ~ 1 \+ x \+ \[d ~ z1 \+ z2\]'"):
        rk.iv.tsls(mroz_working, "lwage ~ 1 + educ + fatheduc")
    with pytest.raises(ValueError, match="cov_type='unadjusted'"):
        rk.iv.tsls(mroz_working, "lwage ~ 1 + [educ ~ fatheduc]", cluster="city", cov_type="unadjusted")
    with pytest.raises(ValueError, match="cov_type='hc1' is not supported"):
        rk.iv.tsls(mroz_working, "lwage ~ 1 + [educ ~ fatheduc]", cov_type="hc1")
    with pytest.raises(ValueError, match="fuller must be a non-negative number"):
        rk.iv.liml(mroz_working, "lwage ~ 1 + [educ ~ fatheduc]", fuller=-1)
    r = rk.iv.tsls(mroz_working, "lwage ~ 1 + exper + [educ ~ fatheduc + motheduc]")
    with pytest.raises(ValueError, match="method='hansen' is not supported"):
        r.overid("hansen")
    with pytest.raises(ValueError, match="only available with method 'durbin' or 'wu_hausman'"):
        r.endogeneity("wooldridge_score", variables="educ")
    with pytest.raises(ValueError, match="variables='exper' is not supported; choose one of 'educ'"):
        r.endogeneity("durbin", variables="exper")
    with pytest.raises(ValueError, match="endog='exper'"):
        r.first_stage_regression("exper")
    assert r.endogeneity("durbin", variables="educ").info["variables"] == ["educ"]
