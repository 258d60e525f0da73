"""Hausman (1978) test of fixed against random effects.

:func:`hausman` compares a fixed-effects :class:`~research_kit.results.Result`
(consistent whether or not the effects are correlated with the regressors) with
a random-effects one (efficient, and consistent only if they are not):

    H = (b_FE - b_RE)' [V_FE - V_RE]^+ (b_FE - b_RE)  ~  chi2(rank(V_FE - V_RE))

over the coefficients the two models share (the intercept excluded). Both
models must use the classical (``cov_type="unadjusted"``) variance, the setting
in which random effects is efficient under the null; with heteroskedasticity or
serial correlation use :func:`research_kit.panel.mundlak`, the cluster-robust
correlated-random-effects version of the test.

The computation is our own (numpy); it agrees with R ``plm::phtest`` and with
linearmodels' ``RandomEffectsResults.hausman`` (see tests/panel_iv).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from research_kit.inference import warn_user
from research_kit.panel._common import LinearModelsResult, check_option, hypothesis_result
from research_kit.results import Result

__all__ = ["HausmanWarning", "Sigma", "hausman"]

#: Whose error variance scales both covariance matrices: each model its own
#: (Stata's default), the efficient (RE) model's (``sigmamore``) or the
#: consistent (FE) model's (``sigmaless``).
Sigma = Literal["each", "efficient", "consistent"]

_CONSTANTS = {"intercept", "const", "_cons"}


class HausmanWarning(UserWarning):
    """V_FE - V_RE is not positive definite in this sample (a generalized inverse is used)."""


def _lm(result: Any, role: str) -> Any:
    if not isinstance(result, LinearModelsResult):
        raise TypeError(
            f"{role} must be a result of research_kit.panel.fe / re (it keeps the linearmodels fit), "
            f"got {type(result).__name__}."
        )
    return result.fit


def hausman(
    fe_result: Result,
    re_result: Result,
    *,
    sigma: Sigma = "each",
    include_constant: bool = False,
) -> Result:
    """Hausman test of fixed effects (``fe_result``) against random effects (``re_result``).

    Parameters
    ----------
    fe_result
        :func:`research_kit.panel.fe` result, fitted with ``cov_type="unadjusted"``.
    re_result
        :func:`research_kit.panel.re` result on the same observations and outcome.
    sigma
        ``"each"`` (each model's own error variance, Stata's default and R
        ``plm::phtest``), ``"efficient"`` (both scaled by the RE variance, Stata's
        ``sigmamore``) or ``"consistent"`` (by the FE variance, ``sigmaless``).
    include_constant
        Also compare the intercepts (normally not: FE's is the grand mean).

    Returns
    -------
    Result
        One row, term ``"hausman"``: ``estimate`` and ``statistic`` are H,
        ``p_value`` its chi-squared p-value; ``info`` holds ``statistic``,
        ``df`` (the rank of V_FE - V_RE), ``p_value``, ``distribution``,
        ``null``, ``terms`` (the coefficients compared), ``positive_definite``;
        ``extra["comparison"]`` the coefficients, their difference and its
        standard error.

    Raises
    ------
    ValueError
        If the models are not FE and RE fits of the same outcome on the same
        observations with the classical variance, or share no coefficient.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import research_kit.panel as rkp
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(200), 4), "t": np.tile(np.arange(4), 200)})
    >>> a = np.repeat(rng.normal(size=200), 4)
    >>> df["x"] = a + rng.normal(size=800)          # x correlated with the effect
    >>> df["y"] = df["x"] + a + rng.normal(size=800)
    >>> h = rkp.hausman(rkp.fe(df, "y ~ x", entity="id", time="t"), rkp.re(df, "y ~ 1 + x", entity="id", time="t"))
    >>> h.info["df"], h.p_value < 0.001
    (1, True)
    """
    check_option("sigma", sigma, ("each", "efficient", "consistent"))
    res_c, res_e = _lm(fe_result, "fe_result"), _lm(re_result, "re_result")
    if fe_result.estimator == "random_effects" and re_result.estimator == "fixed_effects":
        raise ValueError("the arguments are swapped: call hausman(fe_result, re_result).")
    if fe_result.estimator != "fixed_effects" or re_result.estimator != "random_effects":
        raise ValueError(
            "hausman compares a research_kit.panel.fe result with a research_kit.panel.re result; got "
            f"estimators {fe_result.estimator!r} and {re_result.estimator!r}."
        )
    for r, role in ((fe_result, "fe_result"), (re_result, "re_result")):
        if not isinstance(r, LinearModelsResult) or r.cov_type != "unadjusted":
            raise ValueError(
                f"{role} was fitted with cov_type {getattr(r, 'cov_type', None)!r}; the classical Hausman test needs "
                "cov_type='unadjusted' for both models (random effects must be efficient under the null). "
                "Refit them, or use research_kit.panel.mundlak for a cluster-robust test."
            )
    fe_dep, re_dep = getattr(fe_result, "dependent", None), getattr(re_result, "dependent", None)
    if fe_result.nobs != re_result.nobs or fe_dep != re_dep:
        raise ValueError(
            "the two models must explain the same outcome with the same observations; got "
            f"{fe_dep!r} (N = {fe_result.nobs}) and {re_dep!r} "
            f"(N = {re_result.nobs})."
        )
    in_fe = set(res_c.params.index)
    common = [t for t in res_e.params.index if t in in_fe]
    if not include_constant:
        common = [t for t in common if str(t).lower() not in _CONSTANTS]
    if not common:
        raise ValueError(
            "the models share no coefficient to compare (time-invariant regressors are absent from FE); check "
            "that both formulas name the same time-varying regressors."
        )
    b_c, b_e = res_c.params[common].to_numpy(float), res_e.params[common].to_numpy(float)
    v_c = res_c.cov.loc[common, common].to_numpy(float)
    v_e = res_e.cov.loc[common, common].to_numpy(float)
    if sigma == "efficient":
        v_c = v_c * (res_e.s2 / res_c.s2)
    elif sigma == "consistent":
        v_e = v_e * (res_c.s2 / res_e.s2)
    delta, diff = b_c - b_e, v_c - v_e
    diff = (diff + diff.T) / 2
    eig = np.linalg.eigvalsh(diff)
    tol = max(diff.shape) * np.finfo(float).eps * max(float(np.abs(eig).max()), 1e-300)
    positive_definite = bool(eig.min() > tol)
    rank = int(np.linalg.matrix_rank(diff, hermitian=True))
    stat = float(delta @ np.linalg.pinv(diff, hermitian=True) @ delta)
    if not positive_definite:
        warn_user(
            f"V_FE - V_RE is not positive definite (smallest eigenvalue {eig.min():.3g}): the sample does not "
            f"meet the test's asymptotic assumptions; a generalized inverse is used and df = rank = {rank}.",
            HausmanWarning,
        )
    if stat < 0:
        warn_user(f"the Hausman statistic is negative ({stat:.4g}); its p-value is undefined (NaN).",
                  HausmanWarning)
    var = np.diag(diff)
    comparison = pd.DataFrame(
        {
            "fe": b_c,
            "re": b_e,
            "difference": delta,
            "std_error": np.sqrt(np.where(var >= 0, var, np.nan)),
        },
        index=pd.Index([str(t) for t in common], name="term"),
    )
    return hypothesis_result(
        "hausman",
        stat,
        df=rank,
        nobs=fe_result.nobs,
        null="the entity effects are uncorrelated with the regressors (random effects is consistent)",
        info={"terms": tuple(comparison.index), "sigma": sigma, "positive_definite": positive_definite},
        extra={"comparison": comparison},
    )
