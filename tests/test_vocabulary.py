"""One vocabulary across did, synth, rd, panel and iv: level=, cluster=, vcov=; tidy() columns; short repr; Summary.

Walks every public estimator: its signature, and a fitted result on small public or simulated data.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

import research_kit as rk
from research_kit.did._example import small_staggered_panel
from research_kit.results import TIDY_COLUMNS, Result, Summary

ESTIMATORS = {
    "did.callaway_santanna": rk.did.callaway_santanna, "did.event_study": rk.did.event_study,
    "did.sun_abraham": rk.did.sun_abraham, "did.imputation": rk.did.imputation, "did.twfe": rk.did.twfe,
    "did.two_by_two": rk.did.two_by_two, "did.honest_did": rk.did.honest_did,
    "synth.synthetic_did": rk.synth.synthetic_did, "rd.rdd": rk.rd.rdd,
    "panel.pooled": rk.panel.pooled, "panel.fe": rk.panel.fe, "panel.re": rk.panel.re,
    "panel.first_difference": rk.panel.first_difference, "iv.tsls": rk.iv.tsls, "iv.liml": rk.iv.liml,
}
#: estimators without a confidence level of their own, and why
NO_LEVEL = {"synth.synthetic_control": "inference by placebo permutation (placebo_test)"}
CLUSTERED = {k for k in ESTIMATORS if k.split(".")[0] in {"did", "rd", "panel", "iv"}} - {"did.honest_did"}


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_interval_level_is_level_095_and_alpha_is_only_a_deprecated_alias(name: str) -> None:
    params = inspect.signature(ESTIMATORS[name]).parameters
    assert "level" in params and params["level"].default == 0.95, name
    if "alpha" in params:
        assert params["alpha"].default is None, f"{name}: alpha= may only remain as a deprecated alias"


@pytest.mark.parametrize("name", sorted(CLUSTERED))
def test_clustering_is_cluster(name: str) -> None:
    params = inspect.signature(ESTIMATORS[name]).parameters
    assert "cluster" in params and "clusters" not in params and "cluster_var" not in params, name


@pytest.mark.parametrize("name", ["panel.pooled", "panel.fe", "panel.re", "panel.first_difference", "iv.tsls",
                                  "iv.liml"])
def test_variance_type_is_vcov(name: str) -> None:
    assert "vcov" in inspect.signature(ESTIMATORS[name]).parameters


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n, t = 60, 5
    df = pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n)})
    df["x"] = rng.normal(size=len(df))
    df["z"] = rng.normal(size=len(df))
    df["d"] = df["z"] + rng.normal(size=len(df))
    df["y"] = 1 + 0.5 * df["x"] + 0.3 * df["d"] + rng.normal(size=len(df))
    return df


@pytest.fixture(scope="module")
def fitted() -> dict[str, Result]:
    sp = small_staggered_panel()
    p = _panel()
    two = sp[sp["t"].isin([2, 3]) & sp["g"].isin([0, 3])].assign(
        treated=lambda x: (x["g"] == 3).astype(int), post=lambda x: (x["t"] == 3).astype(int))
    return {
        "did.callaway_santanna": rk.did.callaway_santanna(sp, outcome="y", unit="id", time="t", cohort="g"),
        "did.event_study": rk.did.event_study(sp, outcome="y", unit="id", time="t", cohort="g"),
        "did.sun_abraham": rk.did.sun_abraham(sp, outcome="y", unit="id", time="t", cohort="g"),
        "did.imputation": rk.did.imputation(sp, outcome="y", unit="id", time="t", cohort="g"),
        "did.twfe": rk.did.twfe(sp, outcome="y", unit="id", time="t", treat="d"),
        "did.two_by_two": rk.did.two_by_two(two, outcome="y", treated="treated", post="post"),
        "rd.rdd": rk.rd.rdd(rk.datasets.senate(), outcome="vote", running="margin"),
        "panel.fe": rk.panel.fe(p, "y ~ x + d", entity="id", time="t"),
        "iv.tsls": rk.iv.tsls(p, "y ~ 1 + x + [d ~ z]", vcov="robust"),
    }


def test_every_result_has_the_tidy_columns_a_one_line_repr_and_a_summary(fitted: dict[str, Result]) -> None:
    for name, r in fitted.items():
        assert list(r.tidy().columns) == TIDY_COLUMNS, name
        text = repr(r)
        assert "\n" not in text and len(text) < 220 and "table=" not in text, (name, text)
        s = r.summary()
        assert isinstance(s, Summary) and "\n" in str(s) and s._repr_html_().startswith("<div>"), name
        assert r.level == 0.95


def test_level_changes_the_intervals_consistently(fitted: dict[str, Result]) -> None:
    p = _panel()
    r95 = rk.panel.fe(p, "y ~ x + d", entity="id", time="t")
    r90 = rk.panel.fe(p, "y ~ x + d", entity="id", time="t", level=0.90)
    assert r90.level == 0.90 and r90.estimate == r95.estimate
    assert r95.conf_low < r90.conf_low < r90.estimate < r90.conf_high < r95.conf_high
    lm = r95.extra["linearmodels"].conf_int(level=0.90)
    assert abs(r90.conf_low - lm.loc[r90.term].iloc[0]) < 1e-10
    sp = small_staggered_panel()
    es90 = rk.did.event_study(sp, outcome="y", unit="id", time="t", cohort="g", level=0.9)
    es95 = fitted["did.event_study"]
    w90 = (es90.table["conf_high"] - es90.table["conf_low"]).to_numpy()
    w95 = (es95.table["conf_high"] - es95.table["conf_low"]).to_numpy()
    ok = np.isfinite(w95)  # the reference period has no interval
    assert ok.sum() >= 6 and np.all(w90[ok] < w95[ok])


def test_vcov_and_cov_type_are_one_option() -> None:
    p = _panel()
    a = rk.iv.tsls(p, "y ~ 1 + x + [d ~ z]", vcov="unadjusted")
    b = rk.iv.tsls(p, "y ~ 1 + x + [d ~ z]", cov_type="unadjusted")
    assert a.std_error == b.std_error
    with pytest.raises(ValueError, match="disagree"):
        rk.iv.tsls(p, "y ~ 1 + x + [d ~ z]", vcov="robust", cov_type="unadjusted")


def test_alpha_still_works_with_a_deprecation_warning() -> None:
    sp = small_staggered_panel()
    with pytest.warns(DeprecationWarning, match=r"alpha=0\.1 is deprecated: pass level=0\.9"):
        r = rk.did.callaway_santanna(sp, outcome="y", unit="id", time="t", cohort="g", alpha=0.1)
    assert r.level == pytest.approx(0.9)


@pytest.mark.parametrize("name", sorted(set(ESTIMATORS) - {"did.honest_did", "synth.synthetic_did"}))
def test_one_missing_value_policy(name: str) -> None:
    params = inspect.signature(ESTIMATORS[name]).parameters
    assert "missing" in params and params["missing"].default == "drop", name


def test_missing_raise_and_drop_behave_the_same_in_every_family() -> None:
    from research_kit._validation import MissingValuesWarning

    p = _panel()
    p.loc[p.index[:4], "y"] = np.nan
    calls = {
        "panel.fe": lambda **kw: rk.panel.fe(p, "y ~ x + d", entity="id", time="t", **kw),
        "iv.tsls": lambda **kw: rk.iv.tsls(p, "y ~ 1 + x + [d ~ z]", **kw),
        "did.twfe": lambda **kw: rk.did.twfe(p.assign(D=(p["t"] >= 3) & (p["id"] < 30)), outcome="y", unit="id",
                                             time="t", treat="D", **kw),
        "rd.rdd": lambda **kw: rk.rd.rdd(p, outcome="y", running="x", **kw),
    }
    for name, call in calls.items():
        with pytest.warns(MissingValuesWarning, match=r"dropped 4 of 300 rows with missing values \('y': 4\)"):
            r = call()
        assert r.nobs <= 296, name
        with pytest.raises(ValueError, match=r"4 of 300 rows have missing values \('y': 4\)"):
            call(missing="raise")
