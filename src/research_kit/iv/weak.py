"""Weak-instrument warning for :func:`research_kit.iv.tsls` and :func:`~research_kit.iv.liml`.

Thresholds (first-stage F below which the instruments count as weak):

* homoskedastic variance (``cov_type="unadjusted"``): the Stock–Yogo (2005, Table 5.2 for
  2SLS, Table 5.4 for LIML) critical values of the Cragg–Donald F for a 10% maximal size of a
  nominal 5% Wald test, for one or two endogenous regressors and the number of excluded
  instruments (as ``ivreg2`` prints them: e.g. 16.38 for one instrument, 19.93 for two);
* robust, clustered or kernel variance: the Montiel Olea–Pflueger (2013) simplified critical value
  23.1 for the effective F (worst-case bias 10% of the OLS bias at 5%); with one instrument the
  effective F equals the robust first-stage F, which is what is compared;
* cases outside the tables: the Staiger–Stock rule of thumb, F < 10 (the warning says so).

References: Stock, J. H. and M. Yogo (2005), "Testing for Weak Instruments in Linear IV Regression";
Montiel Olea, J. L. and C. Pflueger (2013), "A Robust Test for Weak Instruments", JBES 31(3).
"""

from __future__ import annotations

from research_kit._validation import warn_user

__all__ = ["WeakInstrumentWarning", "STOCK_YOGO_2SLS_10", "STOCK_YOGO_LIML_10", "OLEA_PFLUEGER_10", "weak_threshold",
           "warn_if_weak"]


class WeakInstrumentWarning(UserWarning):
    """The excluded instruments are weak: 2SLS is biased towards OLS and its t test over-rejects."""


#: Stock–Yogo (2005) Table 5.2, 2SLS, 10% maximal size: {endogenous: {instruments: critical value}}.
STOCK_YOGO_2SLS_10 = {
    1: {1: 16.38, 2: 19.93, 3: 22.30, 4: 24.58, 5: 26.87, 6: 29.18, 7: 31.50, 8: 33.84, 9: 36.19, 10: 38.54},
    2: {2: 7.03, 3: 13.43, 4: 16.87, 5: 19.45, 6: 21.68, 7: 23.72, 8: 25.64, 9: 27.51, 10: 29.32},
}
#: Stock–Yogo (2005) Table 5.4, LIML, 10% maximal size.
STOCK_YOGO_LIML_10 = {
    1: {1: 16.38, 2: 8.68, 3: 6.46, 4: 5.44, 5: 4.84, 6: 4.42, 7: 4.13, 8: 3.91, 9: 3.74, 10: 3.60},
}
#: Montiel Olea–Pflueger (2013) simplified critical value of the effective F (tau = 10%, 5% level).
OLEA_PFLUEGER_10 = 23.1


def weak_threshold(estimator: str, cov_type: str, n_endog: int, n_instruments: int) -> tuple[float, str]:
    """The first-stage F threshold and the name of its source for this model."""
    if cov_type in ("unadjusted", "homoskedastic"):
        table = STOCK_YOGO_LIML_10 if estimator == "liml" else STOCK_YOGO_2SLS_10
        value = table.get(n_endog, {}).get(n_instruments)
        if value is not None:
            return value, "Stock-Yogo 10% maximal size"
    elif n_endog == 1:
        return OLEA_PFLUEGER_10, "Montiel Olea-Pflueger effective F, tau = 10%"
    return 10.0, "Staiger-Stock rule of thumb"


def warn_if_weak(first_stage_f: dict[str, float], *, cragg_donald_f: float, estimator: str, cov_type: str,
                 n_instruments: int) -> None:
    """Warn (``WeakInstrumentWarning``) when the first stage is below the threshold for this model."""
    n_endog = len(first_stage_f)
    threshold, source = weak_threshold(estimator, cov_type, n_endog, n_instruments)
    homosk = cov_type in ("unadjusted", "homoskedastic")
    if n_endog > 1 or homosk:
        stat, what = cragg_donald_f, "Cragg-Donald F"
        if stat != stat:  # NaN: fall back on the smallest first-stage F
            stat, what = min(first_stage_f.values()), "smallest first-stage F"
    else:
        stat, what = next(iter(first_stage_f.values())), f"first-stage F ({cov_type})"
    if stat < threshold:
        warn_user(
            f"weak instruments: {what} = {stat:.2f} is below {threshold:g} ({source}; {n_endog} endogenous, "
            f"{n_instruments} excluded instruments). The {estimator.upper()} estimate is biased towards OLS and its "
            "intervals are too narrow; report weak-IV-robust inference (Anderson-Rubin) or find stronger "
            "instruments.", WeakInstrumentWarning)
