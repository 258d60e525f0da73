"""Bad input: each problem gives an error that names the column and says what to do (or a named warning)."""

from __future__ import annotations

import warnings
from typing import Callable

import pandas as pd
import pytest

import research_kit as rk

from did_simulation import staggered_panel


def _cs(df, **kw):
    return rk.did.callaway_santanna(df, outcome="y", unit="id", time="t", cohort="g", **kw)


def _es(df, **kw):
    return rk.did.event_study(df, outcome="y", unit="id", time="t", cohort="g", **kw)


def _es_cs(df, **kw):
    return rk.did.event_study(df, outcome="y", unit="id", time="t", cohort="g", method="callaway_santanna", **kw)


def _twfe(df, **kw):
    return rk.did.twfe(df, outcome="y", unit="id", time="t", treat="d", **kw)


def _2x2(df, **kw):
    d = df[df["t"].isin([2, 3]) & df["g"].isin([0, 3])].assign(
        treated=lambda x: (x["g"] == 3).astype(int), post=lambda x: (x["t"] == 3).astype(int))
    return rk.did.two_by_two(d, outcome="y", treated="treated", post="post", **kw)


@pytest.fixture
def panel() -> pd.DataFrame:
    return staggered_panel(n_units=120, n_periods=6, seed=1)


def _duplicate(df):
    return pd.concat([df, df.iloc[[5]]], ignore_index=True)


def _cohort_changes(df):
    out = df.copy()
    out.loc[(out["id"] == out["id"][out["g"] == 3].iloc[0]) & (out["t"] == 6), "g"] = 5
    return out


def _no_never_treated(df):
    # cohort 7 starts after the last period (6), so it counts as never treated too (as in R did)
    return df[df["g"].isin([3, 5])].reset_index(drop=True)


def _all_treated_first(df):
    return df.assign(g=1)


def _missing_outcome(df):
    row = df.index[(df["t"] == 3) & (df["g"] == 3)][0]  # inside every estimator's sample
    return df.assign(y=df["y"].where(df.index != row))


@pytest.mark.parametrize(
    ("estimator", "corrupt", "error", "pattern"),
    [
        (_cs, _duplicate, ValueError, r"share a \('id', 't'\) pair.*drop_duplicates"),
        (_twfe, _duplicate, ValueError, r"share a \('id', 't'\) pair.*drop_duplicates"),
        (_es, _duplicate, ValueError, r"share a \('id', 't'\) pair"),
        (_cs, _cohort_changes, ValueError, r"cohort column 'g' changes within 1 units.*constant"),
        (_es, _cohort_changes, ValueError, r"cohort column 'g' changes within 1 units"),
        (_cs, _no_never_treated, ValueError, r"no never-treated units in 'g'.*control_group='not_yet'"),
        (_es_cs, _no_never_treated, ValueError, r"no never-treated units in 'g'"),
        (_cs, _all_treated_first, ValueError, r"every unit is treated in the first period.*'g'"),
        (lambda d, **kw: _cs(d, missing="raise", **kw), _missing_outcome, ValueError,
         r"1 of \d+ rows have missing values \('y': 1\); drop or impute them, or pass missing='drop'"),
        (lambda d, **kw: _twfe(d, missing="raise", **kw), _missing_outcome, ValueError,
         r"1 of \d+ rows have missing values \('y': 1\); drop or impute them, or pass missing='drop'"),
        (lambda d, **kw: _es(d, missing="raise", **kw), _missing_outcome, ValueError,
         r"1 of \d+ rows have missing values \('y': 1\); drop or impute them, or pass missing='drop'"),
        (lambda d, **kw: _2x2(d, missing="raise", **kw), _missing_outcome, ValueError,
         r"1 of \d+ rows have missing values \('y': 1\); drop or impute them, or pass missing='drop'"),
    ],
)
def test_bad_data_is_rejected_with_an_actionable_error(panel, estimator: Callable, corrupt, error, pattern):
    with pytest.raises(error, match=pattern):
        estimator(corrupt(panel))


@pytest.mark.parametrize("estimator", [_cs, _twfe, _2x2])
def test_single_cluster_is_rejected(panel, estimator):
    with pytest.raises(ValueError, match="'one' has a single cluster"):
        estimator(panel.assign(one=1), cluster="one")


def test_not_yet_treated_works_without_never_treated_units(panel):
    r = _cs(_no_never_treated(panel), control_group="not_yet")
    # R did drops the periods from the last cohort's start on; that cohort is only a control
    assert r.group_time["cohort"].unique().tolist() == [3]
    assert r.group_time["time"].max() == 4


def test_units_treated_in_the_first_period_are_dropped_with_a_warning(panel):
    df = panel.copy()
    first = df["id"].isin([0, 1, 2])
    df.loc[first, "g"] = 1
    with pytest.warns(rk.did.DroppedUnitsWarning, match="dropped 3 units already treated") as record:
        r = _cs(df)
    assert record[0].filename == __file__
    assert r.info["n_units"] == panel["id"].nunique() - 3


def test_unbalanced_panel_error_says_how_to_balance(panel):
    with pytest.raises(ValueError, match=r"unbalanced: 1 of 120 units.*transform\('size'\)"):
        _cs(panel.drop(index=3))


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda df: _cs(df, control_group="nevertreated"), r"control_group='nevertreated' .*'never', 'not_yet'"),
        (lambda df: _cs(df, method="drimp"), r"method='drimp' .*'dr', 'ipw', 'reg'"),
        (lambda df: _cs(df, base_period="fixed"), r"'varying', 'universal'"),
        (lambda df: _cs(df, anticipation=-1), r"anticipation=-1 must be a non-negative integer"),
        (lambda df: _es(df, method="bacon"), r"'twfe', 'sun_abraham', 'callaway_santanna', 'imputation'"),
        (lambda df: _es(df, leads=-2), r"leads=-2 must be None or a non-negative integer"),
        (lambda df: rk.did.twfe(df, outcome="y", unit="id", time="t", treat="treatment"),
         r"treat column 'treatment' is not in the data"),
        (lambda df: _twfe(df.assign(d=df["d"].astype(str))), r"treat column 'd' must be numeric"),
        (lambda df: _twfe(df.assign(w=-1.0), weights="w"), r"weights column 'w' must be positive"),
    ],
)
def test_bad_options_are_rejected(panel, call, pattern):
    with pytest.raises((ValueError, KeyError, TypeError), match=pattern):
        call(panel)


def test_treatment_without_variation_is_not_identified(panel):
    with pytest.raises(ValueError, match="no variation left after removing unit and time effects"):
        _twfe(panel.assign(d=(panel["g"] == 3).astype(int)))  # constant within unit


def test_no_warnings_on_clean_input(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _cs(panel)
        _twfe(panel)
        _es(panel)


def test_missing_outcomes_are_dropped_with_a_counted_warning_by_default(panel):
    from research_kit._validation import MissingValuesWarning

    df = _missing_outcome(panel)
    with pytest.warns(MissingValuesWarning, match=r"twfe: dropped 1 of \d+ rows with missing values \('y': 1\)"):
        r = _twfe(df)
    assert r.nobs == len(df) - 1
    with pytest.warns(MissingValuesWarning):  # CS: the dropped row unbalances the panel, and the message says so
        with pytest.raises(ValueError, match="unbalanced='pairwise'"):
            _cs(df)
