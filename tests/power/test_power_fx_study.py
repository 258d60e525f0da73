"""The FX-loans power study's calibration against a panel with known design parameters.

Truth: y_it = a_i + d_t + 0.5 D_it + c_{county(i), t} + e_it with Var(c) = icc = 0.2 (i.i.d. over
months), e AR(1) with coefficient 0.6 and variance 1 - icc, 120 months. The residual after
business and month effects then has SD ~ 1, lag-1 autocorrelation (1 - icc) * 0.6 = 0.48 and a
county-month ICC of 0.2 (after calibrate's correction for the month effects, which absorb 1/9 of
the county shocks), up to the small-sample bias of removing business means from 120 months
(variance (1 + phi) / ((1 - phi) T) = 3.3%, autocorrelation about -(1 + phi) / T = -0.013).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research_kit.studies import power_fx

ICC, PHI, T, N_PER, N_COUNTY = 0.2, 0.6, 120, 40, 9


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    n = N_PER * N_COUNTY
    county = np.repeat(np.arange(N_COUNTY), N_PER)
    e = np.empty((n, T))
    e[:, 0] = rng.standard_normal(n)
    for t in range(1, T):
        e[:, t] = PHI * e[:, t - 1] + np.sqrt(1 - PHI**2) * rng.standard_normal(n)
    c = rng.standard_normal((N_COUNTY, T))
    D = (county[:, None] < 4) & (np.arange(T)[None, :] >= 60)
    y = (rng.normal(0, 2, n)[:, None] + np.linspace(0, 1, T)[None, :] + 0.5 * D
         + np.sqrt(ICC) * c[county] + np.sqrt(1 - ICC) * e)
    months = pd.date_range("2016-01-01", periods=T, freq="MS")
    return pd.DataFrame({
        "business_id": np.repeat(np.arange(n), T), "month": np.tile(months, n), "t": np.tile(np.arange(1, T + 1), n),
        "county": np.repeat(county, T).astype(str), "bank": "boc", "treated": D.reshape(-1).astype(int),
        "fx_loan_balance": y.reshape(-1), "te_fx_loan_balance": 0.5 * D.reshape(-1),
    })


def test_calibration_recovers_the_design(panel):
    cal = power_fx.calibrate(panel, "fx_loan_balance")
    assert cal.sd == pytest.approx(1.0, abs=0.04)
    assert cal.autocorr == pytest.approx((1 - ICC) * PHI, abs=0.04)
    assert cal.icc == pytest.approx(ICC, abs=0.02)
    assert cal.truth == pytest.approx(0.5)
    assert (cal.n_businesses, cal.n_counties, cal.n_cells) == (N_PER * N_COUNTY, N_COUNTY, N_COUNTY)


def test_calibrate_checks_the_outcome(panel):
    with pytest.raises(ValueError, match="outcome must be one of"):
        power_fx.calibrate(panel, "export_receipts")


def test_interpolate_mde():
    curve = pd.DataFrame({"effect": [0.0, 0.1, 0.2, 0.3], "power": [0.05, 0.4, 0.7, 0.9]})
    assert power_fx.interpolate_mde(curve, 0.8) == pytest.approx(0.25)
    assert np.isnan(power_fx.interpolate_mde(curve, 0.95))
