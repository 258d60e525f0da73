"""Input checks, warnings and the no-printing rule of research_kit.rd."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from research_kit import rd
from research_kit.inference import FewClustersWarning
from research_kit.results import Result


@pytest.fixture(scope="module")
def toy() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 1500)
    return pd.DataFrame({"x": x, "y": x + 0.4 * (x >= 0) + rng.normal(0, 0.3, 1500),
                         "g": rng.integers(0, 12, 1500), "w": rng.uniform(0.5, 2, 1500)})


def test_result_is_a_result_with_contract_properties(toy: pd.DataFrame) -> None:
    r = rd.rdd(toy, outcome="y", running="x")
    assert isinstance(r, Result) and isinstance(r, rd.RDResult)
    assert list(r.tidy()["term"]) == list(rd.TERMS)
    assert r.conf_low < r.estimate < r.conf_high and 0 <= r.p_value <= 1
    assert r.first_stage is None and r.info["design"] == "sharp"
    assert r.nobs == 1500 and r.estimator == "rdrobust"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kernel": "gaussian"}, ValueError, "kernel='gaussian' is not supported; choose one of 'triangular'"),
        ({"bwselect": "ik"}, ValueError, "bwselect='ik' is not supported"),
        ({"vce": "cr1"}, ValueError, "vce='cr1' is not supported; choose one of 'nn', 'hc0'"),
        ({"vce": "nn", "cluster": "g"}, ValueError, "vce='nn' is not supported; choose one of 'cr1'"),
        ({"p": -1}, ValueError, "p must be an integer between 0 and 8"),
        ({"p": 2, "q": 1}, ValueError, "q must be an integer with p <= q"),
        ({"h": [0.1, 0.2, 0.3]}, ValueError, "h must be one positive number or a \\(left, right\\) pair"),
        ({"b": 0.3}, ValueError, "b was given without h"),
        ({"level": 95}, ValueError, "level must be between 0 and 1"),
        ({"cutoff": 3.0}, ValueError, "the cutoff 3.0 must lie inside the range of 'x'"),
        ({"outcome": "nope"}, KeyError, "outcome column 'nope' is not in the data"),
    ],
)
def test_bad_options_raise_clear_errors(toy: pd.DataFrame, kwargs: dict, error: type, message: str) -> None:
    args = {"outcome": "y", "running": "x", **kwargs}
    with pytest.raises(error, match=message):
        rd.rdd(toy, **args)


def test_non_numeric_running_variable_is_rejected(toy: pd.DataFrame) -> None:
    with pytest.raises(TypeError, match="must be numeric"):
        rd.rdd(toy.assign(x=toy["x"].astype(str)), outcome="y", running="x")


def test_missing_rows_are_dropped_with_a_named_warning(toy: pd.DataFrame) -> None:
    d = toy.copy()
    d.loc[:9, "y"] = np.nan
    with pytest.warns(rd.DroppedObservationsWarning, match="dropped 10 of 1,500 rows") as rec:
        r = rd.rdd(d, outcome="y", running="x")
    assert r.nobs == 1490
    assert rec[0].filename == __file__  # points at the user's line, not at the library


def test_mass_points_become_a_warning_not_printed_output(toy: pd.DataFrame, capsys: pytest.CaptureFixture) -> None:
    coarse = toy.assign(x=(toy["x"] * 20).round() / 20)
    with pytest.warns(rd.MassPointsWarning, match="mass points"):
        rd.rdd(coarse, outcome="y", running="x")
    assert capsys.readouterr().out == ""


def test_nothing_is_printed_on_success(toy: pd.DataFrame, capsys: pytest.CaptureFixture) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning on clean data either
        rd.rdd(toy, outcome="y", running="x", weights="w")
        rd.density_test(toy, running="x")
        rd.rd_plot_data(toy, outcome="y", running="x")
    assert capsys.readouterr().out == ""


def test_few_clusters_warning_is_the_shared_class(toy: pd.DataFrame) -> None:
    with pytest.warns(FewClustersWarning, match="clusters within the bandwidth"):
        r = rd.rdd(toy, outcome="y", running="x", cluster="g")
    assert r.info["n_clusters"] == 12 and r.info["vce"] == "CR1"


def test_weights_change_the_estimate_and_negative_weights_are_rejected(toy: pd.DataFrame) -> None:
    a = rd.rdd(toy, outcome="y", running="x", h=0.4)
    b = rd.rdd(toy, outcome="y", running="x", h=0.4, weights="w")
    assert a.conventional != pytest.approx(b.conventional, rel=1e-6)
    with pytest.raises(ValueError, match="negative values"):
        rd.rdd(toy.assign(w=-toy["w"]), outcome="y", running="x", weights="w")


def test_two_sided_bandwidths_and_cutoff_elsewhere(toy: pd.DataFrame) -> None:
    r = rd.rdd(toy, outcome="y", running="x", cutoff=0.2, h=(0.3, 0.4))
    assert r.h == (0.3, 0.4) and r.b == (0.3, 0.4) and r.info["cutoff"] == 0.2
    assert r.n_effective == (int(((toy["x"] < 0.2) & (toy["x"] >= -0.1)).sum()),
                             int(((toy["x"] >= 0.2) & (toy["x"] <= 0.6)).sum()))


def test_public_api_is_exported() -> None:
    for name in rd.__all__:
        assert hasattr(rd, name), name
