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
                                  "iv.liml", "synth.synthetic_did"])
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


# ----------------------------------------------------------------------------- seed= and method=
FAMILIES = ("did", "synth", "rd", "panel", "iv", "power", "inference", "timeseries")


def _public_functions(packages: tuple[str, ...]) -> dict[str, object]:
    import importlib

    out: dict[str, object] = {}
    for pkg in packages:
        mod = importlib.import_module(f"research_kit.{pkg}")
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name, None)
            if inspect.isfunction(obj):
                out[f"{pkg}.{name}"] = obj
            elif inspect.ismodule(obj):  # e.g. research_kit.inference.bootstrap
                for sub in getattr(obj, "__all__", []):
                    if inspect.isfunction(getattr(obj, sub, None)):
                        out[f"{pkg}.{name}.{sub}"] = getattr(obj, sub)
    from research_kit.iv.results import IVResult

    out["iv.IVResult.overid"], out["iv.IVResult.endogeneity"] = IVResult.overid, IVResult.endogeneity
    return out


def test_seed_is_the_one_name_for_randomness_and_defaults_to_0() -> None:
    funcs = _public_functions(FAMILIES)
    seeded = {k for k, f in funcs.items() if "seed" in inspect.signature(f).parameters}
    # the functions that draw random numbers (a new one joins this list by taking seed=)
    assert {"did.callaway_santanna", "synth.synthetic_control", "synth.synthetic_did", "power.simulate_power",
            "inference.bootstrap.wild_cluster_bootstrap", "inference.bootstrap.wild_bootstrap_twfe",
            "inference.multitest.romano_wolf", "inference.bootstrap.bootstrap_weights"} <= seeded
    for name, f in funcs.items():
        params = inspect.signature(f).parameters
        assert not {"random_state", "rng", "random_seed", "bootstrap_seed"} & set(params), name
        if "seed" in params:
            assert params["seed"].default == 0, f"{name}: seed={params['seed'].default!r}, the shared default is 0"
    for name, f in _public_functions(("simulate",)).items():
        params = inspect.signature(f).parameters
        assert "random_state" not in params and "rng" not in params, name
        if "seed" in params:  # demo data: a fixed integer seed (the shipped data's), never fresh entropy
            assert isinstance(params["seed"].default, int), name


def test_default_seed_makes_the_same_call_give_the_same_numbers() -> None:
    sp = small_staggered_panel()
    a = rk.did.callaway_santanna(sp, outcome="y", unit="id", time="t", cohort="g", bootstrap=99)
    b = rk.did.callaway_santanna(sp, outcome="y", unit="id", time="t", cohort="g", bootstrap=99)
    c = rk.did.callaway_santanna(sp, outcome="y", unit="id", time="t", cohort="g", bootstrap=99, seed=1)
    ga, gb, gc = (r.group_time for r in (a, b, c))
    assert np.array_equal(ga["conf_low"].to_numpy(), gb["conf_low"].to_numpy(), equal_nan=True)
    assert not np.array_equal(ga["conf_low"].to_numpy(), gc["conf_low"].to_numpy(), equal_nan=True)


#: What ``method=`` chooses in each function (the rule is in research_kit/_validation.py), and its values.
METHOD = {
    "did.callaway_santanna": ("estimator", {"dr", "ipw", "reg"}),
    "did.event_study": ("estimator", {"twfe", "sun_abraham", "callaway_santanna", "imputation"}),
    "synth.synthetic_did": ("estimator", {"sdid", "sc", "did"}),
    "did.honest_did": ("confidence set", {"C-LF", "projection"}),
    "did.honest_rm": ("confidence set", {"C-LF", "projection"}),
    "did.honest_breakdown": ("confidence set", {"C-LF", "projection"}),
    "iv.IVResult.overid": ("test statistic", {"sargan", "basmann", "wooldridge", "anderson_rubin", "basmann_f"}),
    "iv.IVResult.endogeneity": ("test statistic", {"durbin", "wu_hausman", "wooldridge_regression",
                                                   "wooldridge_score"}),
    "inference.multitest.adjust_pvalues": ("correction", {"holm", "bonferroni", "bh", "by"}),
    "power.power_curve": ("power calculation", {"did", "two_sample", "simulation"}),
}
#: Values that belong to other options (vcov=, level=, cluster=, control_group=): never a method.
NOT_A_METHOD = {"robust", "unadjusted", "clustered", "kernel", "hc0", "hc1", "hc2", "hc3", "iid", "hetero", "crv1",
                "cluster", "never", "not_yet", "simple", "dynamic", "group", "calendar"}


def test_method_chooses_the_procedure_in_every_function() -> None:
    from typing import get_args

    funcs = _public_functions(FAMILIES)
    with_method = {k for k, f in funcs.items() if "method" in inspect.signature(f).parameters}
    assert with_method == set(METHOD), "classify the new method= option in METHOD (see _validation.py)"
    for name in with_method:
        param = inspect.signature(funcs[name]).parameters["method"]
        hints = __import__("typing").get_type_hints(funcs[name])
        choices = set(get_args(hints["method"]))
        assert choices == METHOD[name][1], (name, choices)
        assert param.default in choices, name
        assert not {c.lower() for c in choices} & NOT_A_METHOD, name


@pytest.mark.parametrize(("call", "choices"), [
    (lambda: rk.inference.multitest.adjust_pvalues([0.01, 0.2], method="fdr"), r"'holm', 'bonferroni', 'bh', 'by'"),
    (lambda: rk.power.power_curve([0.1], method="analytic", n_clusters=20), r"'did', 'two_sample', 'simulation'"),
    (lambda: rk.did.callaway_santanna(small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g",
                                      method="ols"), r"'dr', 'ipw', 'reg'"),
])
def test_a_bad_method_lists_the_choices(call, choices: str) -> None:
    with pytest.raises(ValueError, match=choices):
        call()


# ----------------------------------------------------------------------------- typed facts, no string keys
#: Files allowed to read ``info``/``extra`` by key: the result classes that fill them, and why the others may.
OWNERS = {
    "results.py": "Result: the typed properties read its own info/extra",
    "did/callaway_santanna.py": "CallawaySantAnnaResult reads what it filled",
    "did/event_study.py": "reads the influence function the same package's aggregation filled (did/_aggte.py)",
    "iv/results.py": "IVResult reads what it filled",
    "panel/_common.py": "LinearModelsResult reads what to_result filled",
    "panel/mundlak.py": "copies the base fit's model facts into its own result (same package)",
    "rd/estimate.py": "RDResult reads what it filled",
    "rd/density.py": "DensityResult reads what it filled",
    "synth/control.py": "SyntheticControlResult reads what it filled",
    "synth/placebo.py": "PlaceboResult reads what it filled",
    "did/bacon.py": "BaconTable (a DataFrame) keeps its totals in attrs, read by its typed properties",
    "did/honest.py": "HonestTable (a DataFrame) keeps its settings in attrs, read by its typed properties",
    "data/ledger.py": "ledger_to_panel records the currency in attrs (data layer, not a result)",
    # the studies read the loaded dataset's ``synthetic`` flag, which rk.data.load sets in attrs (data layer)
    "studies/digital_rmb/_data.py": "reads the dataset's synthetic flag (rk.data.load attrs)",
    "studies/financing_cost/_data.py": "reads the dataset's synthetic flag (rk.data.load attrs)",
    "studies/hedging_rd/_data.py": "reads the dataset's synthetic flag (rk.data.load attrs)",
}
LOOKUP = __import__("re").compile(r"\.(?:info|extra)(?:\[|\.get\()|\.attrs(?:\[|\.get\()")


def test_no_string_keyed_info_or_extra_lookups_outside_the_class_that_fills_them() -> None:
    from pathlib import Path

    src = Path(rk.__file__).parent
    found: dict[str, list[str]] = {}
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.strip()
            if code.startswith((">>>", "...")) or not LOOKUP.search(code):
                continue
            found.setdefault(rel, []).append(f"{n}: {code}")
    outside = {k: v for k, v in found.items() if k not in OWNERS}
    assert not outside, f"use a typed property of the result instead of a string key: {outside}"
    assert set(found) <= set(OWNERS)
    for reader in ("report/tables.py", "report/figures.py", "report/rd_plots.py", "report/did_plots.py",
                   "rd/falsification.py", "panel/hausman.py"):
        assert reader not in found, reader


def test_typed_properties_replace_the_info_keys_tables_and_plots_read() -> None:
    sp = small_staggered_panel()
    cs = rk.did.callaway_santanna(sp, outcome="y", unit="id", time="t", cohort="g", control_group="not_yet")
    assert cs.control_group == "not_yet"
    es = rk.did.event_study(sp, outcome="y", unit="id", time="t", cohort="g")
    assert list(es.event_time.columns[:2]) == ["event_time", "estimate"] and cs.event_time is None
    p = _panel()
    fe = rk.panel.fe(p, "y ~ x + d", entity="id", time="t", cluster="id")
    assert fe.cluster_columns == ("id",) and fe.n_clusters == 60 and fe.fixed_effects == ("id",)
    assert fe.dependent == "y" and fe.cov_type == "clustered" and fe.fit.nobs == fe.nobs
    two = Result.from_arrays(["x"], [1.0], [0.5], nobs=10, estimator="demo", info={"cluster": ["county", "month"]})
    assert two.cluster_columns == ("county", "month") and two.cluster == "county + month"
    table = rk.report.regression_table([two], lang="en", labels={"county": "County", "month": "Month"})
    assert "County + Month" in set(table.body.iloc[:, 1])


def test_typed_properties_the_studies_read() -> None:
    sp = small_staggered_panel()
    es = rk.did.event_study(sp, outcome="y", unit="id", time="t", cohort="g")
    cov = es.covariance
    k = int(es.event_time["std_error"].notna().sum())  # the reference period has no row in the covariance
    assert cov is not None and cov.shape == (k, k)
    pre = es.pretrend_test
    assert pre is not None and set(pre) >= {"statistic", "df", "p_value"}
    assert es.bootstrap_reps is None and es.distribution is None  # analytic inference, not a test
    cs = rk.did.callaway_santanna(sp, outcome="y", unit="id", time="t", cohort="g", control_group="not_yet",
                                  bootstrap=99, seed=1)
    assert cs.bootstrap_reps == 99 and cs.pretrend_test is not None
    test = Result.from_arrays(["stat"], [3.2], [float("nan")], nobs=10, estimator="hausman",
                              info={"distribution": "chi2(2)"})
    assert test.distribution == "chi2(2)" and test.covariance is None


def test_honest_and_bacon_tables_carry_typed_settings() -> None:
    sp = small_staggered_panel()
    es = rk.did.event_study(sp, outcome="y", unit="id", time="t", cohort="g")
    h = rk.did.honest_did(es, mbar=(0, 1), level=0.9)
    assert isinstance(h, rk.did.HonestTable) and isinstance(h, pd.DataFrame)
    row = es.tidy().set_index("term").loc["e=0"]
    z = 1.6448536269514722
    assert h.original == pytest.approx((row["estimate"] - z * row["std_error"], row["estimate"] + z * row["std_error"]))
    assert (h.level, h.target, h.critical_value) == (pytest.approx(0.9), "e=0", None)
    assert isinstance(h.iloc[:1], rk.did.HonestTable) and h.iloc[:1].original == h.original
    b = rk.did.bacon_decomposition(sp, outcome="y", unit="id", time="t", treat="d")
    assert isinstance(b, rk.did.BaconTable)
    assert b.twfe == pytest.approx(float((b["weight"] * b["estimate"]).sum()), rel=1e-12)
    assert b.twfe == pytest.approx(rk.did.twfe(sp, outcome="y", unit="id", time="t", treat="d").estimate, rel=1e-8)


def test_synthetic_did_takes_vcov_as_the_name_of_its_variance_option() -> None:
    from research_kit.simulate.digital_rmb_demo import digital_rmb_panel

    d = digital_rmb_panel(seed=1)
    kw = dict(outcome="merchant_share", unit="county", time="month", treated=d.treated,
              treatment_time=d.treatment_time, reps=20, seed=1)
    jack = "jackknife" if np.ndim(d.treated) else "placebo"  # jackknife needs two or more treated units
    r1 = rk.synth.synthetic_did(d.panel, se=jack, **kw)
    r2 = rk.synth.synthetic_did(d.panel, vcov=jack, **kw)
    assert r1.std_error == pytest.approx(r2.std_error, rel=1e-12) and r2.info["se_method"] == jack
    with pytest.raises(ValueError, match="disagree"):
        rk.synth.synthetic_did(d.panel, se="none", vcov=jack, **kw)
