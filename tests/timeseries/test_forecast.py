"""Forecasts against statsmodels fitted directly, and the joint covariance of
future values against statsmodels' own simulation of the fitted model.

References
----------
* Means and 95% prediction intervals: statsmodels 0.15
  ``ETSModel(y, error="add", trend=..., damped_trend=...).fit(disp=False)
  .get_prediction(start=n, end=n+h-1).summary_frame(alpha=0.05)`` and
  ``UnobservedComponents(y, level="local linear trend").fit(disp=False)
  .get_forecast(h).summary_frame(alpha=0.05)``; compared at rtol 1e-6.
* Joint covariance (sums of future values): ``results.simulate(h, anchor="end",
  repetitions=R)``; the variance of a sum agrees within 4 Monte Carlo standard
  errors (relative se of a sample variance of a normal = sqrt(2 / (R - 1))).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.statespace.structural import UnobservedComponents
from ts_helpers import rw_drift

from research_kit.timeseries import ETS_MODELS, ets_psi, fit_forecast

H = 12
R = 20_000


@pytest.fixture(scope="module")
def y() -> np.ndarray:
    return rw_drift(60, seed=1)


def _direct(y: np.ndarray, name: str):
    s = pd.Series(y)
    if name == "LLT":
        res = UnobservedComponents(s, level="local linear trend").fit(disp=False)
        sf = res.get_forecast(H).summary_frame(alpha=0.05)
        return res, sf["mean"].to_numpy(), sf["mean_ci_lower"].to_numpy(), sf["mean_ci_upper"].to_numpy()
    trend, damped = ETS_MODELS[name]
    res = ETSModel(s, error="add", trend=trend, damped_trend=damped).fit(disp=False)
    sf = res.get_prediction(start=len(y), end=len(y) + H - 1).summary_frame(alpha=0.05)
    return res, sf["mean"].to_numpy(), sf["pi_lower"].to_numpy(), sf["pi_upper"].to_numpy()


@pytest.mark.parametrize("name", ["ANN", "AAN", "AAdN", "LLT"])
def test_forecast_matches_statsmodels(y, name):
    fc = fit_forecast(y, H, models=(name,))
    _, mean, lo, hi = _direct(y, name)
    z = 1.959963984540054
    assert fc.model == name
    assert_allclose(fc.mean, mean, rtol=1e-6)
    assert_allclose(fc.mean - z * fc.std_error, lo, rtol=1e-6)
    assert_allclose(fc.mean + z * fc.std_error, hi, rtol=1e-6)


def test_selection_is_the_smallest_aicc(y):
    fc = fit_forecast(y, H)
    direct = {n: _direct(y, n)[0].aicc for n in ("ANN", "AAN", "AAdN")}
    assert fc.model == min(direct, key=direct.get)
    got = fc.criteria.set_index("model")["aicc"]
    assert_allclose([got[n] for n in direct], list(direct.values()), rtol=1e-9)
    assert fc.criteria["selected"].sum() == 1


@pytest.mark.parametrize("name", ["ANN", "AAN", "AAdN", "LLT"])
def test_joint_covariance_matches_simulation(y, name):
    fc = fit_forecast(y, H, models=(name,))
    sims = np.asarray(fc.results.simulate(H, anchor="end", repetitions=R, rng=np.random.default_rng(7)))
    assert sims.shape == (H, R)
    for k in (3, 6, H):  # sums of the first k future values
        a = np.r_[np.ones(k), np.zeros(H - k)]
        ours = a @ fc.cov @ a
        mc = np.var(a @ sims, ddof=1)
        assert abs(mc / ours - 1) < 4 * np.sqrt(2 / (R - 1)), (k, mc, ours)
        se_mean = np.sqrt(ours / R)
        assert abs((a @ sims).mean() - a @ fc.mean) < 4 * se_mean


def test_psi_weights_reproduce_statsmodels_variance(y):
    # Var(y_{n+h}) = mse * sum psi_j^2 must equal statsmodels' analytic forecast variance.
    for name in ("ANN", "AAN", "AAdN"):
        res, _mean, lo, hi = _direct(y, name)
        beta = res.smoothing_trend if name != "ANN" else 0.0
        phi = res.damping_trend if name == "AAdN" else 1.0
        psi = ets_psi(name, H, res.smoothing_level, beta, phi)
        var = res.mse * np.cumsum(psi**2)
        assert_allclose(np.sqrt(var) * 1.959963984540054, (hi - lo) / 2, rtol=1e-6)


def test_options_are_checked(y):
    with pytest.raises(ValueError, match="not comparable"):
        fit_forecast(y, 3, models=("AAN", "LLT"))
    with pytest.raises(ValueError, match="criterion must be one of 'aicc', 'aic', 'bic'"):
        fit_forecast(y, 3, criterion="hqic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="model must be one of"):
        fit_forecast(y, 3, models=("MAN",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive integer"):
        fit_forecast(y, 0)
    with pytest.raises(ValueError, match="missing values"):
        fit_forecast(np.r_[y[:10], np.nan, y[11:]], 3)
    with pytest.raises(ValueError, match="no candidate model"):
        fit_forecast(y[:5], 3)


def test_short_series_skips_trend_models(y):
    fc = fit_forecast(y[:8], 3)
    crit = fc.criteria.set_index("model")
    assert fc.model == "ANN"
    assert crit.loc["AAN", "message"].startswith("skipped")
    assert np.isnan(crit.loc["AAdN", "aicc"])
