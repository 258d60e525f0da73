"""Static linear panel estimators: pooled OLS, fixed effects, random effects, first differences.

Thin keyword-only wrappers over linearmodels (``PooledOLS``, ``PanelOLS``,
``RandomEffects``, ``FirstDifferenceOLS``). Formulas use linearmodels' syntax:
no intercept is added unless written (``"y ~ 1 + x"``); :func:`fe` adds the
entity (and time) effects itself. The data is a long DataFrame with one row per
entity and period; ``entity`` and ``time`` name its columns.

Variance options (``cov_type``):

* ``"unadjusted"`` -- classical, homoskedastic (Stata ``xtreg``'s default);
* ``"robust"`` -- White heteroskedasticity-robust (not robust to serial
  correlation; with entity effects prefer clustering by entity);
* ``"clustered"`` -- implied by ``cluster=``: one column, or two for two-way
  clustering; the entity or time column may be named. With ``debiased=True``
  (default) scaled by ``G / (G - 1) * n / (n - k)`` like Stata's
  ``xtreg, vce(cluster)`` (effects nested in the cluster are not counted in k);
  ``debiased=False`` gives the plain sandwich (R ``plm::vcovHC``'s default).
  Two-way clustering is Cameron–Gelbach–Miller's ``V1 + V2 - V12``, each term
  with its own ``G / (G - 1)`` when debiased. Fixed effects nested in a cluster
  variable are not counted in k; if only some are (two-way effects clustered
  by entity), all are counted, which is conservative;
* ``"driscoll_kraay"`` (alias ``"kernel"``) -- Driscoll and Kraay (1998):
  robust to heteroskedasticity, serial correlation and cross-sectional
  dependence, a kernel (``"bartlett"`` by default) over the period sums of the
  scores with ``bandwidth`` lags (default ``floor(4 (T/100)^(2/9))``).

Every estimator returns a :class:`~research_kit.results.Result` whose terms are
the regressors; ``info`` holds nobs, r2 (the model's), r2_within / r2_between /
r2_overall, n_entities, n_periods, cov_type, cluster, n_clusters,
fixed_effects; ``extra["linearmodels"]`` keeps linearmodels' results object.
"""

from __future__ import annotations

import re as re_module
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from linearmodels import FirstDifferenceOLS, PanelOLS, PooledOLS, RandomEffects
from linearmodels.panel.utility import AbsorbingEffectError, AbsorbingEffectWarning

from research_kit._validation import missing_values, shared_vocabulary
from research_kit.inference import warn_user
from research_kit.panel._common import (
    _COV_LABEL,
    KERNELS,
    CovType,
    DroppedRegressorsWarning,
    Kernel,
    LinearModelsResult,
    bartlett_bandwidth,
    check_few_clusters,
    check_formula,
    check_option,
    cluster_list,
    headline_term,
    quiet_linearmodels,
    require_frame,
    resolve_cov_type,
    to_result,
    warn_dropped,
    warn_no_intercept,
)

__all__ = ["fe", "first_difference", "pooled", "re"]

_EFFECT_TOKENS = re_module.compile(r"\b(EntityEffects|TimeEffects|OtherEffects|FixedEffects)\b")
_PANEL_COV = ("unadjusted", "robust", "clustered", "driscoll_kraay", "kernel")
Cluster = str | Sequence[str] | None


def _panel_frame(df: pd.DataFrame, entity: str, time: str, extra: dict[str, str | None]) -> pd.DataFrame:
    """``df`` indexed by (entity, time), the columns kept so formulas may use them."""
    require_frame(df, {"entity": entity, "time": time, **extra})
    if entity == time:
        raise ValueError(f"entity and time must be different columns; both are {entity!r}.")
    t = df[time]
    if not (pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)) and not (
        pd.api.types.is_datetime64_any_dtype(t)
    ):
        raise TypeError(
            f"time column {time!r} must be numeric (e.g. a year or a period number) or datetime, got dtype "
            f"{t.dtype}; convert it with pd.to_datetime(...) or map the periods to integers."
        )
    for role, col in (("entity", entity), ("time", time)):
        n_missing = int(df[col].isna().sum())
        if n_missing:
            raise ValueError(f"{role} column {col!r} has {n_missing} missing values; drop those rows first.")
    frame = df.set_index([entity, time], drop=False)
    frame.index = frame.index.set_names([entity, time])
    dup = frame.index.duplicated(keep=False)
    if dup.any():
        example = list(frame.index[dup][:3])
        raise ValueError(
            f"each ({entity}, {time}) pair must appear once, but {int(dup.sum())} rows share a pair, e.g. "
            f"{example}; aggregate to one row per entity and period, or check the time column."
        )
    return frame


def _cov_kwargs(
    cov: str,
    clusters: list[str],
    frame: pd.DataFrame,
    *,
    entity: str,
    time: str,
    kernel: str,
    bandwidth: float | None,
    allow_time_cluster: bool = True,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Linearmodels ``fit`` keywords and the variance facts for ``info``."""
    kw: dict[str, Any] = {}
    info: dict[str, Any] = {"cov_type": _COV_LABEL[cov], "cluster": None, "n_clusters": None}
    if cov == "clustered":
        others = []
        for c in clusters:
            if c == entity:
                kw["cluster_entity"] = True
            elif c == time:
                if not allow_time_cluster:
                    raise ValueError(
                        f"first differences cannot be clustered by the time column {time!r} (linearmodels "
                        "does not support it); cluster by the entity or by another column."
                    )
                kw["cluster_time"] = True
            else:
                if frame[c].isna().any():
                    raise ValueError(f"cluster column {c!r} has missing values; drop those rows first.")
                others.append(c)
        if others:
            kw["clusters"] = frame[others]
        info["cluster"] = clusters[0] if len(clusters) == 1 else tuple(clusters)
    elif cov == "kernel":
        check_option("kernel", kernel, KERNELS)
        n_periods = frame.index.get_level_values(1).nunique()
        bw = bartlett_bandwidth(n_periods) if bandwidth is None else bandwidth
        if not 0 <= bw < n_periods:
            raise ValueError(
                f"bandwidth={bw} must be at least 0 and below the number of periods ({n_periods})."
            )
        kw.update(kernel=kernel, bandwidth=bw)
        info.update(kernel=kernel, bandwidth=bw)
    return kw, info


def _nested(frame: pd.DataFrame, effect: str, cluster: str) -> bool:
    """True if every level of ``effect`` lies within a single ``cluster`` group."""
    return bool((frame.groupby(frame[effect].to_numpy())[cluster].nunique() <= 1).all())


def _absorbed(err: Exception) -> str:
    """The absorbed variables listed in linearmodels' AbsorbingEffectError message."""
    lines = [ln.strip() for ln in str(err).splitlines()]
    try:
        start = next(i for i, ln in enumerate(lines) if ln.endswith("effects are removed:")) + 1
    except StopIteration:
        return str(err).strip()
    names = [ln for ln in lines[start:] if ln and not ln.startswith("Set drop_absorbed")]
    return ", ".join(names)


def _n_clusters(res: Any, frame: pd.DataFrame, clusters: list[str]) -> int | None:
    if not clusters:
        return None
    used = res.resids.index
    counts = [int(frame[c].loc[used].nunique()) for c in clusters]
    return min(counts)


def _fit(
    model_cls: Any,
    df: pd.DataFrame,
    formula: str,
    *,
    estimator: str,
    entity: str,
    time: str,
    cov_type: str,
    cluster: Cluster,
    kernel: str,
    bandwidth: float | None,
    debiased: bool,
    weights: str | None,
    model_kwargs: dict[str, Any] | None = None,
    fit_kwargs: dict[str, Any] | None = None,
    fixed_effects: tuple[str, ...] | None = None,
    fit_formula: str | None = None,
    needs_intercept: bool = False,
) -> tuple[LinearModelsResult, Any]:
    check_formula(formula)
    clusters = cluster_list(cluster)
    cov = resolve_cov_type(cov_type, clusters, "unadjusted", _PANEL_COV)
    extra_cols = {f"cluster {i + 1}": c for i, c in enumerate(clusters)}
    frame = _panel_frame(df, entity, time, {"weights": weights, **extra_cols})
    fkw, vinfo = _cov_kwargs(cov, clusters, frame, entity=entity, time=time, kernel=kernel, bandwidth=bandwidth,
                             allow_time_cluster=model_cls is not FirstDifferenceOLS)
    if cov == "clustered":
        # G / (G - 1) too (each dimension's, for two-way clustering), as Stata's vce(cluster)
        fkw["group_debias"] = debiased
        if model_cls is PanelOLS and fixed_effects:
            # Effects nested in a cluster variable are not counted in the degrees of freedom
            # (Stata's xtreg, fe vce(cluster); fixest's "nested"); if only some are nested, all
            # are counted (conservative), since linearmodels counts all effects or none.
            nested = all(any(_nested(frame, fe_col, c) for c in clusters) for fe_col in fixed_effects)
            fkw.update(auto_df=False, count_effects=not nested)
    mkw = dict(model_kwargs or {})
    if weights is not None:
        mkw["weights"] = frame[weights]
    with quiet_linearmodels(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AbsorbingEffectWarning)
        try:
            model = model_cls.from_formula(fit_formula or formula, data=frame, **mkw)
            res = model.fit(cov_type=cov, debiased=debiased, **fkw, **(fit_kwargs or {}))
        except AbsorbingEffectError as err:
            raise ValueError(
                f"{estimator}: regressors fully absorbed by the fixed effects (constant within entities "
                f"or periods): {_absorbed(err)}. Remove them from the formula, or pass drop_absorbed=True "
                "to drop them."
            ) from err
    absorbed = [w for w in caught if issubclass(w.category, AbsorbingEffectWarning)]
    if absorbed:
        lines = [ln.strip() for ln in str(absorbed[0].message).splitlines() if ln.strip()]
        dropped = lines[1:]  # the first line is linearmodels' sentence, then the variables
        warn_user(f"{estimator}: regressors absorbed by the fixed effects were dropped: {', '.join(dropped)}.",
                  DroppedRegressorsWarning)
    n_input = len(frame) if model_cls is not FirstDifferenceOLS else len(frame) - frame[entity].nunique()
    warn_dropped(n_input, int(res.nobs))
    if needs_intercept:
        warn_no_intercept(bool(model.has_constant), formula)
    n_cl = _n_clusters(res, frame, clusters)
    vinfo["n_clusters"] = n_cl
    if n_cl is not None:
        check_few_clusters(n_cl, str(vinfo["cluster"]))
    terms = [str(t) for t in res.params.index]
    info = {
        "formula": formula,
        "dependent": str(model.dependent.vars[0]),
        "r2": float(res.rsquared),
        "r2_within": float(res.rsquared_within),
        "r2_between": float(res.rsquared_between),
        "r2_overall": float(res.rsquared_overall),
        "n_entities": int(res.entity_info["total"]),
        "n_periods": int(res.time_info["total"]),
        "entity": entity,
        "time": time,
        "fixed_effects": fixed_effects,
        **vinfo,
        "debiased": debiased,
    }
    return to_result(res, estimator=estimator, term=headline_term(terms), debiased=debiased, info=info), res


@missing_values
@shared_vocabulary(vcov_alias="cov_type")
def pooled(
    df: pd.DataFrame,
    formula: str,
    *,
    entity: str,
    time: str,
    cov_type: CovType = "unadjusted",
    cluster: Cluster = None,
    kernel: Kernel = "bartlett",
    bandwidth: float | None = None,
    debiased: bool = True,
    weights: str | None = None,
) -> LinearModelsResult:
    """Pooled OLS on a panel (``linearmodels.PooledOLS``).

    Parameters
    ----------
    df
        Long panel, one row per entity and period.
    formula
        linearmodels formula, e.g. ``"y ~ 1 + x1 + x2"`` (write the ``1 +``).
    entity, time
        Column names of the entity and the period (numeric or datetime).
    cov_type
        ``"unadjusted"``, ``"robust"``, ``"clustered"`` (implied by ``cluster``)
        or ``"driscoll_kraay"`` (alias ``"kernel"``).
    cluster
        Column to cluster on (the entity, the time, or any other), or two columns.
    kernel, bandwidth
        Kernel and lag length of the Driscoll–Kraay estimator.
    debiased
        Small-sample correction ``n / (n - k)`` and t / F reference distributions.
    weights
        Optional column of positive regression weights.

    Returns
    -------
    Result
        Terms are the regressors; headline is the first non-intercept regressor.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import research_kit.panel as rkp
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(50), 4), "t": np.tile(np.arange(4), 50)})
    >>> df["x"] = rng.normal(size=200)
    >>> df["y"] = 1.0 + 2.0 * df["x"] + rng.normal(size=200)
    >>> r = rkp.pooled(df, "y ~ 1 + x", entity="id", time="t", cluster="id")
    >>> round(r.estimate, 2), r.n_clusters
    (1.93, 50)
    """
    result, _ = _fit(PooledOLS, df, formula, estimator="pooled_ols", entity=entity, time=time, cov_type=cov_type,
                     cluster=cluster, kernel=kernel, bandwidth=bandwidth, debiased=debiased, weights=weights,
                     needs_intercept=True)
    return result


@missing_values
@shared_vocabulary(vcov_alias="cov_type")
def fe(
    df: pd.DataFrame,
    formula: str,
    *,
    entity: str,
    time: str,
    time_effects: bool = False,
    entity_effects: bool = True,
    cluster: Cluster = None,
    cov_type: CovType = "unadjusted",
    kernel: Kernel = "bartlett",
    bandwidth: float | None = None,
    debiased: bool = True,
    drop_absorbed: bool = False,
    weights: str | None = None,
) -> LinearModelsResult:
    """Fixed effects (within) estimator (``linearmodels.PanelOLS``).

    Entity effects (and time effects with ``time_effects=True``) are removed by
    the within transformation; do not write ``EntityEffects`` in the formula.
    Standard errors count the absorbed effects in the degrees of freedom like
    Stata's ``xtreg, fe`` (effects nested in the cluster are not counted).

    Parameters
    ----------
    df
        Long panel, one row per entity and period.
    formula
        ``"y ~ x1 + x2"`` (an intercept, if written, is the grand mean as in Stata).
    entity, time
        Column names of the entity and the period (numeric or datetime).
    time_effects, entity_effects
        Which effects to absorb (two-way fixed effects with both).
    cluster
        Column to cluster on, or two columns (implies ``cov_type="clustered"``).
    cov_type
        ``"unadjusted"``, ``"robust"``, ``"clustered"`` or ``"driscoll_kraay"``.
    kernel, bandwidth
        Kernel and lag length of the Driscoll–Kraay estimator.
    debiased
        Small-sample correction and t / F reference distributions.
    drop_absorbed
        Drop regressors the effects absorb (e.g. time-invariant ones) instead of raising.
    weights
        Optional column of positive regression weights.

    Returns
    -------
    Result
        ``info["r2"]`` is the R² of the demeaned regression (the within R² with
        entity effects only); ``info["fixed_effects"]`` names the absorbed effects.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import research_kit.panel as rkp
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(100), 5), "t": np.tile(np.arange(5), 100)})
    >>> a = np.repeat(rng.normal(size=100), 5)
    >>> df["x"] = a + rng.normal(size=500)
    >>> df["y"] = 0.5 * df["x"] + 2 * a + rng.normal(size=500)
    >>> r = rkp.fe(df, "y ~ x", entity="id", time="t", cluster="id")
    >>> round(r.estimate, 2), r.fixed_effects
    (0.5, ('id',))
    """
    check_formula(formula)
    if _EFFECT_TOKENS.search(formula):
        raise ValueError(
            "fe adds the fixed effects itself: remove EntityEffects / TimeEffects from the formula and use "
            "entity_effects= / time_effects=."
        )
    if not (entity_effects or time_effects):
        raise ValueError("fe needs entity_effects=True or time_effects=True; for neither, use pooled().")
    effects = tuple(c for c, on in ((entity, entity_effects), (time, time_effects)) if on)
    tokens = [t for t, on in (("EntityEffects", entity_effects), ("TimeEffects", time_effects)) if on]
    result, _ = _fit(PanelOLS, df, formula, estimator="fixed_effects", entity=entity, time=time,
                     cov_type=cov_type, cluster=cluster, kernel=kernel, bandwidth=bandwidth, debiased=debiased,
                     weights=weights, model_kwargs={"drop_absorbed": drop_absorbed}, fixed_effects=effects,
                     fit_formula=formula + " + " + " + ".join(tokens))
    return result


@missing_values
@shared_vocabulary(vcov_alias="cov_type")
def re(
    df: pd.DataFrame,
    formula: str,
    *,
    entity: str,
    time: str,
    cov_type: CovType = "unadjusted",
    cluster: Cluster = None,
    kernel: Kernel = "bartlett",
    bandwidth: float | None = None,
    debiased: bool = True,
    small_sample: bool = False,
    weights: str | None = None,
) -> LinearModelsResult:
    """Random effects (one-way, entity) GLS (``linearmodels.RandomEffects``).

    The variance components are Swamy–Arora-type estimates (R ``plm``'s default);
    ``info`` adds ``theta`` (the quasi-demeaning weight; its mean if the panel
    is unbalanced), ``sigma2_effects``, ``sigma2_idiosyncratic`` and ``rho``.

    Parameters
    ----------
    df, formula, entity, time, cov_type, cluster, kernel, bandwidth, debiased, weights
        As in :func:`pooled` (write ``1 +`` for an intercept).
    small_sample
        Degrees-of-freedom correction of the variance components.

    Returns
    -------
    Result

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import research_kit.panel as rkp
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(100), 5), "t": np.tile(np.arange(5), 100)})
    >>> df["x"] = rng.normal(size=500)
    >>> df["y"] = 1 + 0.5 * df["x"] + np.repeat(rng.normal(size=100), 5) + rng.normal(size=500)
    >>> r = rkp.re(df, "y ~ 1 + x", entity="id", time="t")
    >>> round(r.estimate, 2), round(r.info["theta"], 2)
    (0.45, 0.56)
    """
    result, res = _fit(RandomEffects, df, formula, estimator="random_effects", entity=entity, time=time,
                       cov_type=cov_type, cluster=cluster, kernel=kernel, bandwidth=bandwidth, debiased=debiased,
                       weights=weights, fit_kwargs={"small_sample": small_sample}, needs_intercept=True)
    vd = res.variance_decomposition
    theta = np.asarray(res.theta, dtype=float).ravel()
    return result.with_info(
        theta=float(theta.mean()),
        theta_range=(float(theta.min()), float(theta.max())),
        sigma2_effects=float(vd.iloc[0]),
        sigma2_idiosyncratic=float(vd.iloc[1]),
        rho=float(vd.iloc[2]),
        random_effects=entity,
    )


@missing_values
@shared_vocabulary(vcov_alias="cov_type")
def first_difference(
    df: pd.DataFrame,
    formula: str,
    *,
    entity: str,
    time: str,
    cov_type: CovType = "unadjusted",
    cluster: Cluster = None,
    kernel: Kernel = "bartlett",
    bandwidth: float | None = None,
    debiased: bool = True,
    weights: str | None = None,
) -> LinearModelsResult:
    """First-difference estimator (``linearmodels.FirstDifferenceOLS``).

    Regresses ``y[t] - y[t-1]`` on the differenced regressors within each entity
    (consecutive rows of an entity in time order; no intercept, since it
    differences away). ``nobs`` counts the differences. Clustering by the time
    column is not available.

    Parameters
    ----------
    df, formula, entity, time, cov_type, cluster, kernel, bandwidth, debiased, weights
        As in :func:`pooled`, but the formula has no intercept (``"y ~ x1 + x2"``).

    Returns
    -------
    Result

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import research_kit.panel as rkp
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(100), 3), "t": np.tile(np.arange(3), 100)})
    >>> df["x"] = rng.normal(size=300)
    >>> df["y"] = 2.0 * df["x"] + np.repeat(rng.normal(size=100), 3) + rng.normal(size=300)
    >>> r = rkp.first_difference(df, "y ~ x", entity="id", time="t", cluster="id")
    >>> round(r.estimate, 2), r.nobs
    (1.88, 200)
    """
    result, _ = _fit(FirstDifferenceOLS, df, formula, estimator="first_difference", entity=entity, time=time,
                     cov_type=cov_type, cluster=cluster, kernel=kernel, bandwidth=bandwidth, debiased=debiased,
                     weights=weights, fixed_effects=(entity,))
    return result
