"""Weak-instrument warning of iv.tsls / iv.liml.

Thresholds: Stock and Yogo (2005) Table 5.2 (2SLS, 10% maximal size; ivreg2 prints 16.38 for one
endogenous regressor and one instrument, 19.93 for two) and Table 5.4 (LIML); Montiel Olea and
Pflueger (2013) effective-F critical value 23.1 (tau = 10%) for robust variances.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from research_kit import iv
from research_kit.iv import WeakInstrumentWarning
from research_kit.iv.weak import weak_threshold


def _data(pi: float, n: int = 2000, seed: int = 0, k: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, k))
    u = rng.normal(size=n)
    d = z @ np.full(k, pi) + 0.8 * u + rng.normal(size=n)
    y = 1.0 * d + u
    out = pd.DataFrame({"y": y, "d": d})
    for j in range(k):
        out[f"z{j}"] = z[:, j]
    return out


def test_thresholds_are_the_published_critical_values() -> None:
    assert weak_threshold("2sls", "unadjusted", 1, 1) == (16.38, "Stock-Yogo 10% maximal size")
    assert weak_threshold("2sls", "unadjusted", 1, 2)[0] == 19.93
    assert weak_threshold("2sls", "unadjusted", 2, 2)[0] == 7.03
    assert weak_threshold("liml", "unadjusted", 1, 3)[0] == 6.46
    assert weak_threshold("2sls", "robust", 1, 3) == (23.1, "Montiel Olea-Pflueger effective F, tau = 10%")
    assert weak_threshold("2sls", "robust", 2, 3) == (10.0, "Staiger-Stock rule of thumb")


@pytest.mark.parametrize("cov_type", ["unadjusted", "robust"])
def test_a_weak_first_stage_warns_with_its_f_and_threshold(cov_type: str) -> None:
    df = _data(pi=0.05)  # first-stage F around 5 with n = 2000
    with pytest.warns(WeakInstrumentWarning, match=r"weak instruments: .*F.* = \d+\.\d\d is below (16\.38|23\.1)"):
        r = iv.tsls(df, "y ~ 1 + [d ~ z0]", cov_type=cov_type)
    assert r.first_stage()["f_stat"].iloc[0] < 16.38


def test_a_strong_first_stage_is_silent() -> None:
    df = _data(pi=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", WeakInstrumentWarning)
        r = iv.tsls(df, "y ~ 1 + [d ~ z0]", cov_type="robust")
    assert r.first_stage()["f_stat"].iloc[0] > 100


def test_between_the_rule_of_thumb_and_stock_yogo_still_warns() -> None:
    # F between 10 and 16.38: the old rule of thumb would pass it, Stock-Yogo does not
    for seed in range(40):
        df = _data(pi=0.085, seed=seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = iv.tsls(df, "y ~ 1 + [d ~ z0]", cov_type="unadjusted")
        f = float(r.first_stage()["f_stat"].iloc[0])
        if 10 < f < 16.38:
            assert any(issubclass(w.category, WeakInstrumentWarning) for w in caught)
            return
    pytest.fail("no draw with 10 < F < 16.38")
