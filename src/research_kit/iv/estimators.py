"""Two-stage least squares and LIML (thin wrappers over linearmodels ``IV2SLS`` / ``IVLIML``).

Formulas use linearmodels' syntax, the endogenous regressors and their excluded
instruments in brackets, and no intercept unless written:
``"y ~ 1 + x1 + [d ~ z1 + z2]"``.

Variance options (``cov_type``): ``"unadjusted"`` (homoskedastic),
``"robust"`` (heteroskedasticity-robust, the default), ``"clustered"``
(implied by ``cluster=``; one or two columns) and ``"kernel"`` (HAC over the
row order, for time series). ``debiased=True`` applies the small-sample
correction ``n / (n - k)`` and t / F reference distributions, as Stata's
``ivregress ..., small`` and R ``AER::ivreg`` do; the default (``False``)
matches Stata's ``ivregress`` and ``ivreg2`` defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd
from linearmodels import IV2SLS, IVLIML

from research_kit.iv.results import IVResult, _first_stage_table
from research_kit.iv.weak import warn_if_weak
from research_kit.panel._common import (
    KERNELS,
    check_few_clusters,
    check_formula,
    check_option,
    cluster_list,
    quiet_linearmodels,
    require_frame,
    resolve_cov_type,
    to_result,
    warn_dropped,
    warn_no_intercept,
)
from research_kit.results import Result
from research_kit._validation import shared_vocabulary
from research_kit._validation import missing_values

__all__ = ["IVCovType", "first_stage", "liml", "tsls"]

IVCovType = Literal["unadjusted", "robust", "clustered", "kernel"]
_IV_COV = ("unadjusted", "robust", "clustered", "kernel")


def _check_iv_formula(formula: str) -> str:
    check_formula(formula)
    rhs = formula.split("~", 1)[1]
    if "[" not in rhs or "]" not in rhs or "~" not in rhs:
        raise ValueError(
            f"an IV formula needs the endogenous regressors and their instruments in brackets, e.g. "
            f"'y ~ 1 + x + [d ~ z1 + z2]'; got {formula!r}."
        )
    return formula


def _fit_iv(
    model_cls: Any,
    df: pd.DataFrame,
    formula: str,
    *,
    estimator: str,
    cov_type: str,
    cluster: str | Sequence[str] | None,
    kernel: str,
    bandwidth: float | None,
    debiased: bool,
    weights: str | None,
    model_kwargs: dict[str, Any] | None = None,
) -> IVResult:
    _check_iv_formula(formula)
    clusters = cluster_list(cluster)
    cov = resolve_cov_type(cov_type, clusters, "robust", _IV_COV)
    if cov == "kernel":
        check_option("kernel", kernel, KERNELS)
    require_frame(df, {"weights": weights, **{f"cluster {i + 1}": c for i, c in enumerate(clusters)}})
    data = df.reset_index(drop=True)
    mkw = dict(model_kwargs or {})
    if weights is not None:
        mkw["weights"] = data[weights]
    with quiet_linearmodels():
        model = model_cls.from_formula(formula, data, **mkw)
    used = model.dependent.pandas.index
    cov_kwargs: dict[str, Any] = {"cov_type": cov}
    info: dict[str, Any] = {"cov_type": cov, "cluster": None, "n_clusters": None}
    if cov == "clustered":
        cl = data.loc[used, clusters]
        if cl.isna().any().any():
            raise ValueError(f"cluster column(s) {clusters} have missing values in the estimation sample; drop them.")
        codes = pd.DataFrame({c: pd.factorize(cl[c])[0] for c in clusters}, index=used)
        cov_kwargs["clusters"] = codes.iloc[:, 0] if len(clusters) == 1 else codes
        n_cl = int(min(cl[c].nunique() for c in clusters))
        info.update(cluster=clusters[0] if len(clusters) == 1 else tuple(clusters), n_clusters=n_cl)
        check_few_clusters(n_cl, str(info["cluster"]))
    elif cov == "kernel":
        cov_kwargs["kernel"] = kernel
        if bandwidth is not None:
            cov_kwargs["bandwidth"] = bandwidth
        info.update(kernel=kernel, bandwidth=bandwidth)
    with quiet_linearmodels():
        res = model.fit(debiased=debiased, **cov_kwargs)
    warn_dropped(len(data), int(res.nobs))
    warn_no_intercept(bool(model.has_constant), formula)
    endog = [str(c) for c in model.endog.cols]
    fs = _first_stage_table(res, {k: v for k, v in cov_kwargs.items()})
    with quiet_linearmodels():
        try:
            cd = float(res.first_stage.cragg_donald_f)
        except Exception:  # noqa: BLE001 - a diagnostic only; NaN when linearmodels cannot form it
            cd = float("nan")
    info.update(
        formula=formula,
        dependent=str(model.dependent.cols[0]),
        endog=tuple(endog),
        instruments=tuple(str(c) for c in model.instruments.cols),
        exog=tuple(str(c) for c in model.exog.cols),
        r2=float(res.rsquared),
        first_stage_f={e: float(fs.loc[e, "f_stat"]) for e in endog},
        partial_r2={e: float(fs.loc[e, "partial_r2"]) for e in endog},
        cragg_donald_f=cd,
        debiased=debiased,
    )
    n_excluded = len(info["instruments"])
    warn_if_weak(info["first_stage_f"], cragg_donald_f=cd, estimator=estimator, cov_type=cov, n_instruments=n_excluded)
    kappa = getattr(res, "kappa", None)
    if estimator == "liml":
        info["kappa"] = float(kappa) if kappa is not None else None
    result = to_result(res, estimator=estimator, term=endog[0], debiased=debiased, info=info,
                       extra={"_cov_kwargs": cov_kwargs, "_first_stage": fs}, cls=IVResult)
    assert isinstance(result, IVResult)
    return result


@missing_values
@shared_vocabulary(vcov_alias="cov_type")
def tsls(
    df: pd.DataFrame,
    formula: str,
    *,
    cov_type: IVCovType = "robust",
    cluster: str | Sequence[str] | None = None,
    kernel: Literal["bartlett", "parzen", "qs"] = "bartlett",
    bandwidth: float | None = None,
    debiased: bool = False,
    weights: str | None = None,
) -> IVResult:
    """Two-stage least squares (``linearmodels.IV2SLS``).

    Parameters
    ----------
    df
        Data, one row per observation.
    formula
        ``"y ~ 1 + x1 + [d ~ z1 + z2]"`` (linearmodels syntax; write ``1 +``).
    cov_type
        ``"robust"`` (default), ``"unadjusted"``, ``"clustered"`` (implied by
        ``cluster``) or ``"kernel"`` (HAC over the row order).
    cluster
        Column to cluster on, or two columns for two-way clustering.
    kernel, bandwidth
        Kernel and bandwidth of ``cov_type="kernel"``.
    debiased
        Small-sample correction and t / F distributions (Stata's ``small``).
    weights
        Optional column of positive weights.

    Returns
    -------
    IVResult
        Terms are the regressors (exogenous, then endogenous); the headline is
        the first endogenous regressor. Diagnostics: ``info["first_stage_f"]``,
        ``info["partial_r2"]``, and the methods ``first_stage()``,
        ``first_stage_regression()``, ``overid()``, ``endogeneity()``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import research_kit.iv as rkiv
    >>> rng = np.random.default_rng(0)
    >>> n = 2000
    >>> z1, z2, u = rng.normal(size=(3, n))
    >>> d = z1 + 0.5 * z2 + u + rng.normal(size=n)
    >>> df = pd.DataFrame({"z1": z1, "z2": z2, "d": d, "y": 1 + 2 * d + 2 * u + rng.normal(size=n)})
    >>> r = rkiv.tsls(df, "y ~ 1 + [d ~ z1 + z2]")
    >>> round(r.estimate, 1), bool(r.first_stage()["f_stat"].iloc[0] > 100)
    (2.0, True)
    """
    return _fit_iv(IV2SLS, df, formula, estimator="2sls", cov_type=cov_type, cluster=cluster, kernel=kernel,
                   bandwidth=bandwidth, debiased=debiased, weights=weights)


@missing_values
@shared_vocabulary(vcov_alias="cov_type")
def liml(
    df: pd.DataFrame,
    formula: str,
    *,
    fuller: float = 0.0,
    cov_type: IVCovType = "robust",
    cluster: str | Sequence[str] | None = None,
    kernel: Literal["bartlett", "parzen", "qs"] = "bartlett",
    bandwidth: float | None = None,
    debiased: bool = False,
    weights: str | None = None,
) -> IVResult:
    """Limited-information maximum likelihood (``linearmodels.IVLIML``), optionally Fuller-modified.

    LIML is the k-class estimator with kappa the smallest eigenvalue of
    ``(Y'M_X Y)(Y'M_Z Y)^-1``; it is less biased than 2SLS with many or weak
    instruments and equals 2SLS when the model is exactly identified.
    ``fuller=a`` uses ``kappa - a / (n - K)`` (Fuller 1977; ``a = 1`` is the
    common choice). ``info["kappa"]`` reports the kappa used.

    Parameters
    ----------
    df, formula, cov_type, cluster, kernel, bandwidth, debiased, weights
        As in :func:`tsls`.
    fuller
        Fuller's constant ``a`` (0 = LIML).

    Returns
    -------
    IVResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import research_kit.iv as rkiv
    >>> rng = np.random.default_rng(0)
    >>> n = 2000
    >>> z1, z2, u = rng.normal(size=(3, n))
    >>> d = z1 + 0.5 * z2 + u + rng.normal(size=n)
    >>> df = pd.DataFrame({"z1": z1, "z2": z2, "d": d, "y": 1 + 2 * d + 2 * u + rng.normal(size=n)})
    >>> r = rkiv.liml(df, "y ~ 1 + [d ~ z1 + z2]")
    >>> round(r.estimate, 1), r.info["kappa"] >= 1
    (2.0, True)
    """
    if not isinstance(fuller, (int, float)) or fuller < 0:
        raise ValueError(f"fuller must be a non-negative number (0 = LIML, 1 = the usual Fuller), got {fuller!r}.")
    return _fit_iv(IVLIML, df, formula, estimator="liml", cov_type=cov_type, cluster=cluster, kernel=kernel,
                   bandwidth=bandwidth, debiased=debiased, weights=weights,
                   model_kwargs={"fuller": float(fuller)})


def first_stage(
    df: pd.DataFrame,
    formula: str,
    *,
    endog: str | None = None,
    cov_type: IVCovType = "robust",
    cluster: str | Sequence[str] | None = None,
    debiased: bool = False,
    weights: str | None = None,
) -> Result:
    """The first-stage regression of an IV model, with the excluded-instrument F and partial R².

    Shorthand for ``tsls(df, formula, ...).first_stage_regression(endog)``.

    Parameters
    ----------
    df, formula, cov_type, cluster, debiased, weights
        As in :func:`tsls`.
    endog
        Which endogenous regressor (default: the first in the formula).

    Returns
    -------
    Result
        Terms: the exogenous regressors and the instruments (headline: the first
        instrument); ``info`` has ``f_stat``, ``f_df``, ``f_pvalue``,
        ``partial_r2``, ``shea_r2`` and ``r2``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import research_kit.iv as rkiv
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=500)
    >>> df = pd.DataFrame({"z": z, "d": 0.5 * z + rng.normal(size=500), "y": rng.normal(size=500)})
    >>> fs = rkiv.first_stage(df, "y ~ 1 + [d ~ z]", cov_type="unadjusted")
    >>> round(fs.estimate, 2), fs.info["f_df"]
    (0.5, (1, 498))
    """
    r = tsls(df, formula, cov_type=cov_type, cluster=cluster, debiased=debiased, weights=weights)
    return r.first_stage_regression(endog)
