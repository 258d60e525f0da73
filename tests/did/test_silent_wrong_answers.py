"""Mistakes a newcomer makes that used to give a wrong answer with no clear error (issue: researcher's API).

Reference numbers: R did 2.5.0 on mpdta, `att_gt(yname="lemp", tname="year", idname="countyreal",
gname="first.treat", control_group="notyettreated", est_method="reg", bstrap=FALSE)` then
`aggte(type="simple")`: ATT -0.0398 with N = 2500 (the 309 never-treated counties kept). With year and
first.treat as text the comparison group silently lost them (ATT -0.0418, N = 955); now it is refused.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import research_kit as rk
from research_kit.did._inputs import CohortOutsideWindowWarning

CS = dict(outcome="lemp", unit="countyreal", time="year", cohort="first.treat", method="reg")


def test_reference_not_yet_att_on_numeric_columns(mpdta: pd.DataFrame) -> None:
    r = rk.did.callaway_santanna(mpdta, **CS, control_group="not_yet").aggregate("simple")
    assert r.estimate == pytest.approx(-0.0398, abs=5e-5)


@pytest.mark.parametrize("control_group", ["never", "not_yet"])
def test_text_time_and_cohort_are_refused_with_how_to_convert(mpdta: pd.DataFrame, control_group: str) -> None:
    df = mpdta.assign(year=mpdta["year"].astype(str), **{"first.treat": mpdta["first.treat"].astype(str)})
    with pytest.raises(TypeError, match=r"time column 'year' holds text \('2003', '2004', '2005', \.\.\.\).*"
                                        r"pd\.to_numeric\(df\['year'\]\)"):
        rk.did.callaway_santanna(df, **CS, control_group=control_group)


def test_text_time_alone_is_refused_before_numpy(mpdta: pd.DataFrame) -> None:
    df = mpdta.assign(year=mpdta["year"].astype(str))
    for call in (lambda: rk.did.callaway_santanna(df, **CS),
                 lambda: rk.did.event_study(df, outcome="lemp", unit="countyreal", time="year", cohort="first.treat"),
                 lambda: rk.did.twfe(df, outcome="lemp", unit="countyreal", time="year", treat="treat")):
        with pytest.raises(TypeError, match="time column 'year' holds text"):
            call()


def test_text_cohort_alone_is_refused(mpdta: pd.DataFrame) -> None:
    df = mpdta.assign(**{"first.treat": mpdta["first.treat"].astype(str)})
    with pytest.raises(TypeError, match="cohort column 'first.treat' holds text"):
        rk.did.sun_abraham(df, outcome="lemp", unit="countyreal", time="year", cohort="first.treat")


def test_minus_one_for_never_treated_names_the_code_and_the_accepted_ones(mpdta: pd.DataFrame) -> None:
    df = mpdta.assign(**{"first.treat": mpdta["first.treat"].replace(0, -1)})
    with pytest.raises(ValueError, match=r"cohort column 'first.treat' holds -1 \(1545 rows\).*coded 0, NaN "
                                         r"\(or NaT for dates\)"):
        rk.did.callaway_santanna(df, **CS)


def test_a_cohort_between_periods_is_refused_naming_it(mpdta: pd.DataFrame) -> None:
    df = mpdta.assign(**{"first.treat": mpdta["first.treat"].replace(2006, 2005.5)})
    with pytest.raises(ValueError, match=r"holds 2005\.5, which match no period of 'year'"):
        rk.did.callaway_santanna(df, **CS)
    with pytest.raises(ValueError, match=r"holds 2005\.5"):
        rk.did.imputation(df, outcome="lemp", unit="countyreal", time="year", cohort="first.treat")


def test_a_mid_month_date_is_refused() -> None:
    months = pd.date_range("2023-01-01", periods=6, freq="MS")
    df = pd.DataFrame({"id": np.repeat(np.arange(20), 6), "t": np.tile(months, 20)})
    df["g"] = np.where(df["id"] < 10, pd.Timestamp("2023-03-15"), pd.NaT)
    df["y"] = np.random.default_rng(0).normal(size=len(df))
    with pytest.raises(ValueError, match=r"holds '2023-03-15', which match no period of 't'"):
        rk.did.callaway_santanna(df, outcome="y", unit="id", time="t", cohort="g")


def test_a_cohort_after_the_last_period_warns_naming_it(mpdta: pd.DataFrame) -> None:
    df = mpdta.assign(**{"first.treat": mpdta["first.treat"].replace(2006, 2016)})
    with pytest.warns(CohortOutsideWindowWarning, match=r"holds 2016 \(\d+ rows\), after the last period 2007"):
        rk.did.callaway_santanna(df, **CS)


def test_no_warning_on_clean_data(mpdta: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CohortOutsideWindowWarning)
        rk.did.callaway_santanna(mpdta, **CS)


def test_cluster_that_is_not_nested_gets_a_cluster_message(mpdta: pd.DataFrame) -> None:
    df = mpdta.assign(region=(mpdta["countyreal"] + mpdta["year"]) % 7)
    with pytest.raises(ValueError) as err:
        rk.did.callaway_santanna(df, **CS, cluster="region")
    msg = str(err.value)
    assert "cluster column 'region' changes within" in msg and "a unit must stay in one cluster" in msg
    assert "first treated period" not in msg


def test_nan_outcomes_with_pairwise_are_dropped_not_told_to_balance(mpdta: pd.DataFrame) -> None:
    from research_kit._validation import MissingValuesWarning

    df = mpdta.copy()
    df.loc[df.index[:3], "lemp"] = np.nan
    with pytest.warns(MissingValuesWarning, match=r"dropped 3 of 2,500 rows with missing values \('lemp': 3\)"):
        r = rk.did.callaway_santanna(df, **CS, unbalanced="pairwise")
    assert np.isfinite(r.aggregate("simple").estimate)
    with pytest.raises(ValueError, match=r"3 of 2,500 rows have missing values \('lemp': 3\)") as err:
        rk.did.callaway_santanna(df, **CS, unbalanced="pairwise", missing="raise")
    assert "balanced panel" not in str(err.value)


def test_list_outcome_and_string_covariates_are_refused(mpdta: pd.DataFrame) -> None:
    with pytest.raises(TypeError, match=r"outcome takes one column name \(a string\); got \['lemp'\]: "
                                        r"pass outcome='lemp'"):
        rk.did.callaway_santanna(mpdta, **{**CS, "outcome": ["lemp"]})
    with pytest.raises(TypeError, match=r"covariates takes a list of column names; got the string 'lpop': "
                                        r"pass covariates=\['lpop'\]"):
        rk.did.callaway_santanna(mpdta, **CS, covariates="lpop")


def test_polars_and_pyarrow_tables_are_converted(mpdta: pd.DataFrame) -> None:
    pa = pytest.importorskip("pyarrow")
    ref = rk.did.callaway_santanna(mpdta, **CS).aggregate("simple").estimate
    table = pa.Table.from_pandas(mpdta, preserve_index=False)
    assert rk.did.callaway_santanna(table, **CS).aggregate("simple").estimate == pytest.approx(ref, rel=1e-12)
    with pytest.raises(TypeError, match=r"must be a pandas DataFrame \(or a polars DataFrame / pyarrow Table, "
                                        r"converted for you\); got builtins\.dict"):
        rk.did.callaway_santanna(mpdta.to_dict(), **CS)
