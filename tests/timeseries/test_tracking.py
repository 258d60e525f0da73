"""track_targets: forecasts, probabilities and statuses.

References
----------
* Forecast frames: statsmodels 0.15 ``ETSModel(...).fit(disp=False).get_prediction(...)
  .summary_frame(alpha=0.05)`` on the same series, rtol 1e-6.
* Probability of a cumulative target: the share of future paths simulated by
  statsmodels from the fitted model (``results.simulate(h, anchor="end",
  repetitions=20000)``) that reach the target; within 4 binomial standard errors.
* Known truth: a random walk with drift y_t = y_{t-1} + mu + sigma e_t has
  P(Y_{n+h} >= c | y_n) = Phi((y_n + h mu - c) / (sigma sqrt(h))); ours (with
  estimated parameters) is within 4 delta-method standard errors of the estimation
  error (mu-hat: sigma / sqrt(n); sigma-hat: relative 1 / sqrt(2n)).
* Annual growth: arithmetic by hand, 120 * 1.1^3 = 159.72.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from ts_helpers import one_target, rw_drift

from research_kit.timeseries import (
    ETS_MODELS,
    TargetDataWarning,
    TargetTracking,
    fit_forecast,
    probability_status,
    track_targets,
)

Z95 = 1.959963984540054


def test_forecast_frame_matches_statsmodels(monthly_rw):
    r = track_targets({"x": monthly_rw}, one_target(target=150.0))
    fc = r.forecasts["x"]
    model = r.status.loc[0, "model"]
    trend, damped = ETS_MODELS[model]
    res = ETSModel(pd.Series(monthly_rw.to_numpy()), error="add", trend=trend, damped_trend=damped).fit(disp=False)
    sf = res.get_prediction(start=48, end=59).summary_frame(alpha=0.05)
    assert list(fc["period"].astype(str)) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert_allclose(fc["mean"], sf["mean"], rtol=1e-6)
    assert_allclose(fc["pi_lower"], sf["pi_lower"], rtol=1e-6)
    assert_allclose(fc["pi_upper"], sf["pi_upper"], rtol=1e-6)
    # level target: the tracked quantity is the series itself, evaluated at 2025-12
    row = r.status.iloc[0]
    assert row["forecast"] == pytest.approx(sf["mean"].iloc[-1], rel=1e-6)
    sd = (sf["pi_upper"].iloc[-1] - sf["pi_lower"].iloc[-1]) / (2 * Z95)
    assert row["probability"] == pytest.approx(stats.norm.sf(150.0, sf["mean"].iloc[-1], sd), rel=1e-6)


def test_tidy_and_status_agree(monthly_rw):
    r = track_targets({"x": monthly_rw}, one_target(target=150.0))
    assert isinstance(r, TargetTracking)
    tab, st = r.tidy(), r.status_table()
    assert list(tab.columns) == ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    assert tab.loc[0, "p_value"] == pytest.approx(1 - st.loc[0, "probability"])
    assert tab.loc[0, "statistic"] == pytest.approx((st.loc[0, "forecast"] - 150.0) / st.loc[0, "std_error"])
    assert st.loc[0, "status"] == probability_status(st.loc[0, "probability"])


@pytest.mark.parametrize("window_start", ["2025-01", "2024-07"])
def test_cumulative_probability_matches_simulated_paths(window_start):
    idx = pd.period_range("2021-01", "2025-03", freq="M")
    flows = pd.Series(5 + 0.05 * np.arange(len(idx)) + np.random.default_rng(3).normal(0, 0.8, len(idx)), idx)
    observed = flows.loc[flows.index >= pd.Period(window_start, "M")].sum()
    fc = fit_forecast(flows.to_numpy(), 9)
    a = np.ones(9)
    target = float(observed + a @ fc.mean + 0.3 * np.sqrt(a @ fc.cov @ a))
    r = track_targets({"x": flows}, one_target(target=target, kind="cumulative", window_start=window_start))
    row = r.status.iloc[0]
    assert row["model"] == fc.model
    R = 20_000
    sims = np.asarray(fc.results.simulate(9, anchor="end", repetitions=R, rng=np.random.default_rng(5)))
    p_sim = np.mean(observed + sims.sum(axis=0) >= target)
    assert abs(row["probability"] - p_sim) < 4 * np.sqrt(p_sim * (1 - p_sim) / R)
    assert row["probability"] == pytest.approx(stats.norm.sf(0.3), rel=1e-9)
    # the cumulative path starts from the observed sum within the window
    assert row["current"] == pytest.approx(observed)
    assert r.forecasts["x"]["tracked_mean"].iloc[-1] == pytest.approx(row["forecast"])


def test_probability_of_random_walk_with_drift_matches_truth():
    n, h, mu, sigma = 1000, 6, 0.5, 1.0
    idx = pd.period_range(end="2025-06", periods=n, freq="M")
    y = pd.Series(rw_drift(n, drift=mu, sigma=sigma, seed=2024), idx)
    z = 0.5  # target half a forecast sd above the true conditional mean
    target = y.iloc[-1] + h * mu + z * sigma * np.sqrt(h)
    truth = stats.norm.sf(z)
    r = track_targets({"x": y}, one_target(target=float(target)), models=("AAN",))
    se_z = np.sqrt(h / n + z**2 / (2 * n))
    assert abs(r.status.loc[0, "probability"] - truth) < 4 * stats.norm.pdf(z) * se_z
    # and the forecast sd is the random walk's sigma * sqrt(h), up to estimation error
    assert r.status.loc[0, "std_error"] / (sigma * np.sqrt(h)) == pytest.approx(1, abs=4 / np.sqrt(2 * n) + 0.01)


def _growth_flows(last: str, factor_2025: float) -> pd.Series:
    idx = pd.period_range("2022-01", last, freq="M")
    values = np.where(idx.year == 2022, 10.0, np.where(idx.year == 2025, 120 * 1.1**3 / 12 * factor_2025, 11.0))
    return pd.Series(values, idx)


@pytest.mark.parametrize(("factor", "status"), [(1.01, "achieved"), (0.99, "missed")])
def test_annual_growth_observed_to_the_deadline(factor, status):
    r = track_targets({"g": _growth_flows("2025-12", factor)}, one_target("g", target=10, kind="annual_growth",
                                                                          window_start="2022", unit="%"))
    row = r.status.iloc[0]
    assert row["target_value"] == pytest.approx(159.72)  # 120 * 1.1^3
    assert row["forecast"] == pytest.approx(159.72 * factor)
    assert row["status"] == status
    assert row["forecast_growth"] == pytest.approx(100 * ((159.72 * factor / 120) ** (1 / 3) - 1))
    assert row["probability"] == (1.0 if status == "achieved" else 0.0)


def test_annual_growth_forecast_adds_observed_months():
    flows = _growth_flows("2025-06", 1.0) + np.random.default_rng(0).normal(0, 0.3, 42)
    r = track_targets({"g": flows}, one_target("g", target=10, kind="annual_growth", window_start="2022", unit="%"))
    fc = fit_forecast(flows.to_numpy(), 6)
    row = r.status.iloc[0]
    assert row["forecast"] == pytest.approx(flows.loc["2025-01":"2025-06"].sum() + fc.mean.sum(), rel=1e-9)
    assert row["std_error"] == pytest.approx(np.sqrt(fc.cov.sum()), rel=1e-9)
    assert row["target_value"] == pytest.approx(flows.loc["2022-01":"2022-12"].sum() * 1.331)


def test_cumulative_target_already_reached_is_achieved():
    idx = pd.period_range("2023-01", "2025-03", freq="M")
    flows = pd.Series(2.0 + np.random.default_rng(1).normal(0, 0.2, len(idx)), idx)
    r = track_targets({"c": flows},
                      one_target("c", target=40.0, kind="cumulative", window_start="2023-01"))
    assert r.status.loc[0, "status"] == "achieved"
    assert r.status.loc[0, "probability"] == 1.0


def test_quarterly_series_forecast_to_2025q4():
    idx = pd.period_range("2019Q1", "2024Q4", freq="Q")
    y = pd.Series(rw_drift(len(idx), seed=4), idx)
    r = track_targets({"q": y}, one_target("q", target=130.0))
    fc = r.forecasts["q"]
    assert list(fc["period"].astype(str)) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    trend, damped = ETS_MODELS[r.status.loc[0, "model"]]
    res = ETSModel(pd.Series(y.to_numpy()), error="add", trend=trend, damped_trend=damped).fit(disp=False)
    sf = res.get_prediction(start=24, end=27).summary_frame(alpha=0.05)
    assert_allclose(fc["mean"], sf["mean"], rtol=1e-6)
    assert_allclose(fc["pi_upper"], sf["pi_upper"], rtol=1e-6)
    assert r.status.loc[0, "freq"] == "Q-DEC"


def test_input_forms_give_the_same_answer(monthly_rw):
    t = one_target(target=150.0)
    base = track_targets({"x": monthly_rw}, t).status
    dated = monthly_rw.copy()
    dated.index = monthly_rw.index.to_timestamp()
    long = pd.DataFrame({"id": "x", "period": monthly_rw.index.astype(str), "value": monthly_rw.to_numpy()})
    for other in ({"x": dated}, long):
        got = track_targets(other, t).status
        assert_allclose(got["forecast"], base["forecast"], rtol=1e-12)
        assert_allclose(got["probability"], base["probability"], rtol=1e-12)


def test_as_of_equals_truncating_the_series(monthly_rw):
    t = one_target(target=150.0)
    a = track_targets({"x": monthly_rw}, t, as_of="2024-06").status
    b = track_targets({"x": monthly_rw.loc[:"2024-06"]}, t).status
    assert str(a.loc[0, "last_period"]) == "2024-06"
    assert_allclose(a["forecast"], b["forecast"], rtol=1e-12)


def test_missing_short_and_extra_series(monthly_rw):
    t = pd.concat([one_target("x"), one_target("y"), one_target("z")], ignore_index=True)
    with pytest.warns(TargetDataWarning, match="z: no candidate model"):
        r = track_targets({"x": monthly_rw, "z": monthly_rw.iloc[:5], "other": monthly_rw}, t)
    st = r.status.set_index("id")
    assert st.loc["y", "status"] == "no_data" and st.loc["z", "status"] == "no_data"
    assert st.loc["x", "status"] != "no_data"
    assert r.untracked_series == ("other",)
    with pytest.warns(DeprecationWarning, match="TargetTracking.info is deprecated"):
        assert r.info["untracked_series"] == ["other"]
    assert np.isnan(r.tidy().set_index("term").loc["y", "estimate"])
    assert r.counts["no_data"] == 2 and sum(r.counts.values()) == r.n_targets == 3
    text = str(r.summary())
    assert "Series without a target (not tracked): other" in text and "3 targets: " in text


def test_tracking_is_its_own_result_type_with_typed_settings_repr_and_summary(monthly_rw):
    from research_kit.results import Result, Summary

    r = track_targets({"x": monthly_rw}, one_target(target=150.0), as_of="2024-12", level=0.9)
    assert not isinstance(r, Result)  # a tracking result is not a regression
    assert (r.horizon_end, r.as_of, r.criterion, r.level, r.thresholds) == ("2025-12", "2024-12", "aicc", 0.9,
                                                                            (0.4, 0.8))
    assert r.models == ("ANN", "AAN", "AAdN") and r.nobs == int(r.status["n_obs"].sum()) > 0
    status = str(r.status.loc[0, "status"])
    assert repr(r) == f"<TargetTracking: 1 target (1 {status.replace('_', ' ')}); horizon 2025-12, as of 2024-12>"
    s = r.summary()
    assert isinstance(s, Summary) and s._repr_html_().startswith("<div>")
    lines = str(s).splitlines()
    assert lines[0] == "TargetTracking: track_targets" and "90% low" in str(s)
    row = next(line for line in lines if line.startswith("x "))
    cells = row.split()
    assert cells[1] == status and cells[-1] == r.status.loc[0, "model"]
    assert float(cells[2]) == pytest.approx(r.status.loc[0, "forecast"], abs=5e-4)
    assert float(cells[3]) == 150.0
    assert float(cells[4]) == pytest.approx(r.status.loc[0, "probability"], rel=1e-2)
    assert str(r) == str(s)


def test_window_before_series_start_warns(monthly_rw):
    with pytest.warns(TargetDataWarning, match="flows before the series start count as 0"):
        track_targets({"x": monthly_rw.loc["2023-06":]}, one_target(kind="cumulative", window_start="2023-01"))


def test_incomplete_base_year_is_no_data(monthly_rw):
    with pytest.warns(TargetDataWarning, match="base year 2022 is not fully observed"):
        r = track_targets({"x": monthly_rw.loc["2022-03":]},
                          one_target(kind="annual_growth", target=10, window_start="2022"))
    assert r.status.loc[0, "status"] == "no_data"


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (pd.Series([1.0, 2.0, 3.0], index=pd.PeriodIndex(["2024-01", "2024-02", "2024-04"], freq="M")), "gaps"),
        (pd.Series([1.0, np.nan], index=pd.period_range("2024-01", periods=2, freq="M")), "missing"),
        (pd.Series([1.0, 2.0], index=pd.period_range("2024", periods=2, freq="Y")), "monthly"),
        (pd.Series([1.0, 2.0], index=["a", "b"]), "not months"),
    ],
)
def test_bad_series_raise(series, message):
    with pytest.raises(ValueError, match=message):
        track_targets({"x": series}, one_target())


def test_options_are_checked(monthly_rw):
    with pytest.raises(ValueError, match="thresholds"):
        track_targets({"x": monthly_rw}, one_target(), thresholds=(0.8, 0.4))
    with pytest.raises(ValueError, match="after horizon_end"):
        track_targets({"x": monthly_rw}, one_target(deadline="2026-06"))
    lo = track_targets({"x": monthly_rw}, one_target(target=140.0), thresholds=(0.01, 0.02)).status
    assert lo.loc[0, "status"] == "on_track"


def test_probability_status_thresholds():
    assert [probability_status(p) for p in (0.8, 0.79, 0.4, 0.39)] == ["on_track", "at_risk", "at_risk", "off_track"]
    assert probability_status(0.5, (0.2, 0.5)) == "on_track"


def test_dashboard_panels(monthly_rw):
    t = pd.concat([one_target("x", target=150.0), one_target("y")], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no glyph or other warnings
        r = track_targets({"x": monthly_rw}, t)
        fig = r.plot(lang="zh")
        fig_en = r.plot(lang="en")
    visible = [ax for ax in fig.axes if ax.axison]
    assert len(visible) == 1  # "y" has no data: listed under the panels
    ax = visible[0]
    assert ax.get_title(loc="left") == "指标x"
    assert [ax.get_title(loc="left") for ax in fig_en.axes if ax.axison] == ["Indicator x"]
    targets_drawn = [ln.get_ydata()[0] for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert targets_drawn == [pytest.approx(150.0)]
    assert any("指标y" in txt.get_text() for txt in fig.texts)
    with pytest.raises(ValueError, match="not targets"):
        r.plot(ids=["nope"])
