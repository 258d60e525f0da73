"""The canonical 2x2 difference-in-differences and two-way fixed effects (TWFE).

Both are least squares with cluster-robust (CR1) standard errors computed the
way Stata and R ``fixest`` do (see :mod:`research_kit.inference`).

* :func:`two_by_two` -- ``y ~ 1 + treated + post + treated:post``; the ATT is the
  interaction coefficient. Heteroskedasticity-robust (HC1) by default.
* :func:`twfe` -- ``y ~ treat | unit + time``, unit and time effects removed by an
  exact within transformation (:mod:`research_kit.tabular.within`), clustered by
  unit by default. With staggered adoption and heterogeneous effects this
  estimand is a weighted average with possibly negative weights; prefer
  :func:`research_kit.did.callaway_santanna` there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from research_kit._validation import missing_values, shared_vocabulary
from research_kit.did._inputs import checked_input
from research_kit.did._onehot import (
    CellDesign,
    CellFit,
    MaskedCellFit,
    OneHotDesign,
    OneHotFit,
    _group_sum,
    fit_onehot,
)
from research_kit.inference import (
    cluster_codes,
    cluster_robust_vcov,
    cluster_sums,
    hc1_vcov,
    twoway_cluster_vcov,
    warn_few_clusters,
)
from research_kit.results import Result
from research_kit.tabular.encode import (
    PanelIndex,
    check_missing,
    factorize,
    panel_index,
    require_columns,
    unit_level_codes,
)
from research_kit.tabular.encode import constant_within as _constant_within
from research_kit.tabular.encode import nested as _nested
from research_kit.tabular.encode import numeric_column as _numeric
from research_kit.tabular.within import TwoWayDemeaner

__all__ = ["two_by_two", "twfe"]

Cluster = str | Sequence[str] | None


@dataclass(frozen=True)
class _FEFit:
    coef: np.ndarray
    vcov: np.ndarray
    df: float | None
    info: dict[str, Any]


def _cluster_list(cluster: Cluster) -> list[str]:
    if cluster is None:
        return []
    cl = [cluster] if isinstance(cluster, str) else list(cluster)
    if not 1 <= len(cl) <= 2:
        raise ValueError(f"cluster={cluster!r}: give one column name, or two for two-way clustering.")
    return cl


def _grid_constant(cl_codes: np.ndarray, dm: TwoWayDemeaner, axis: int) -> np.ndarray | None:
    """Same as :func:`_constant_within` for the units (axis 1) or periods (axis 0) of a full grid."""
    c = cl_codes.reshape(dm.n_units, dm.n_times)
    ref = c[:, :1] if axis == 1 else c[:1, :]
    return ref.ravel().copy() if bool((c == ref).all()) else None


@dataclass(frozen=True)
class _Clusters:
    """Cluster codes of one clustering dimension and how they relate to the fixed effects."""

    row_codes: np.ndarray | None  # None: np.repeat(per_unit, n_times) on a full grid
    n: int
    per_unit: np.ndarray | None  # cluster of each unit if constant within units
    per_time: np.ndarray | None  # cluster of each period if constant within periods
    n_times: int = 0

    @property
    def codes(self) -> np.ndarray:
        if self.row_codes is not None:
            return self.row_codes
        return np.repeat(cast(np.ndarray, self.per_unit), self.n_times)  # row codes are left out only then


def _clusters(df: pd.DataFrame, names: list[str], dm: TwoWayDemeaner, unit: str, time: str) -> list[_Clusters]:
    """Codes of each clustering dimension (and of their intersection for two-way clustering).

    On a full grid, a cluster column that is constant within units is coded
    from one row per unit (no per-row codes are made unless needed).
    """

    def relate(codes: np.ndarray, G: int) -> _Clusters:
        if dm.grid:
            return _Clusters(codes, G, _grid_constant(codes, dm, 1), _grid_constant(codes, dm, 0))
        return _Clusters(codes, G, _constant_within(dm.unit, codes, dm.n_units),
                         _constant_within(dm.time, codes, dm.n_times))

    out = []
    for c in names:
        if c == unit and dm.n_units > 1:
            out.append(relate(dm.unit, dm.n_units))
            continue
        if c == time and dm.n_times > 1:
            out.append(relate(dm.time, dm.n_times))
            continue
        values = _cluster_values(df[c])
        if dm.grid and values.dtype.kind in "iubf":
            by_unit = values.reshape(dm.n_units, dm.n_times)
            if bool((by_unit == by_unit[:, :1]).all()):  # then no period sits inside one cluster
                per_unit, G = cluster_codes(by_unit[:, 0], name=c)
                out.append(_Clusters(None, G, per_unit, None, dm.n_times))
                continue
        out.append(relate(*cluster_codes(values, name=c)))
    if len(out) == 2:
        a, b = out
        out.append(relate(*cluster_codes(a.codes.astype(np.int64) * b.n + b.codes, name=f"{names[0]} x {names[1]}")))
    return out


def _cluster_values(col: pd.Series) -> np.ndarray:
    """A cluster column as numbers: numeric columns as they are, text and categoricals as codes.

    Codes come from one :func:`~research_kit.tabular.encode.factorize` (categorical
    codes are used directly), never from an object array of the labels; a column
    with missing values is returned as it is, for ``cluster_codes`` to report.
    """
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "iubf":
        return col.to_numpy()
    codes, _ = factorize(col)
    return col.to_numpy() if bool((codes < 0).any()) else codes


def _masked_cell_regression(
    df: pd.DataFrame, y: np.ndarray, design: CellDesign, names: list[str], index: PanelIndex, cluster: str,
    unit: str, time: str, info: dict[str, Any],
) -> _FEFit | None:
    """The event-study regression of an unbalanced panel (rows in any order) on the full unit x period grid.

    The rows are placed on the grid once (missing cells: weight 0), so every sum
    afterwards is a reshape (:class:`~research_kit.did._onehot.MaskedCellFit`).
    Returns None (the caller takes the row-by-row path) unless the clusters are
    constant within units.
    """
    n_units, n_times = index.n_units, index.n_times
    per_unit: np.ndarray | None
    per_time: np.ndarray | None
    if cluster == unit:
        G, per_unit, per_time = n_units, np.arange(n_units), None
    elif cluster == time:
        return None
    else:
        by_unit = unit_level_codes(df[cluster], index.ucodes, n_units)  # text clusters: one row per unit
        if by_unit is not None:
            per_unit, G = cluster_codes(by_unit, name=cluster)
            head = slice(0, 100_000)  # a period with units in several clusters is almost always found here
            per_time = _constant_within(index.tcodes[head], per_unit[index.ucodes[head]], n_times)
            if per_time is not None:
                per_time = _constant_within(index.tcodes, per_unit[index.ucodes], n_times)
        else:
            codes, G = cluster_codes(_cluster_values(df[cluster]), name=cluster)
            per_unit = _constant_within(index.ucodes, codes, n_units)
            if per_unit is None:
                return None
            per_time = _constant_within(index.tcodes, codes, n_times)
    w = cast(np.ndarray, index.observed).astype(float)  # checked by the caller
    yg = np.zeros(n_units * n_times)
    index.scatter(y, yg)
    dm = TwoWayDemeaner.build(None, None, w, n_units=n_units, n_times=n_times, grid=True)
    fit = MaskedCellFit.build(dm, design, yg, len(y))
    _check_identified(fit.xwx, names, fit.x_scale)
    coef = np.linalg.solve(fit.xwx, fit.xwy)
    cl = [_Clusters(None, G, per_unit, per_time, n_times)]
    V, dof, vinfo = _fe_vcov(lambda c: fit.cluster_scores(yg, coef, cast(np.ndarray, c.per_unit), c.n), np.linalg.inv(fit.xwx), len(y),
                             cl, [cluster], n_units + dm.n_time_effects(), dm)
    return _FEFit(coef=coef, vcov=V, df=dof, info={**info, **vinfo})


def _vcov(
    X: np.ndarray,
    resid: np.ndarray,
    weights: np.ndarray | None,
    df: pd.DataFrame,
    clusters: list[str],
    fe: dict[str, np.ndarray],
    n_fe_params: int,
) -> tuple[np.ndarray, float | None, dict[str, Any]]:
    """CR1 / two-way CR1 / HC1 with fixest's count of fixed-effect parameters.

    With clustering, fixed effects nested in a cluster variable are not counted
    in ``K`` (``fixest``'s ``fixef.K = "nested"``); ``n_fe_params`` is the
    number of identified fixed-effect parameters (units + periods - 1 for the
    two-way model) and a nested unit (period) effect removes its levels minus one.
    """
    n, k = X.shape
    if not clusters:
        V = hc1_vcov(X, resid, weights=weights, n_params=k + n_fe_params)
        return V, float(n - k - n_fe_params), {"vcov": "HC1", "cluster": None, "n_clusters": None}
    values = [fe[c] if c in fe else df[c].to_numpy() for c in clusters]
    codes = [cluster_codes(v, name=c) for v, c in zip(values, clusters)]
    K = k + n_fe_params
    for levels in fe.values():
        n_levels = int(levels.max()) + 1
        if any(_nested(levels, c) for c, _ in codes):
            K -= n_levels - 1
    if len(clusters) == 1:
        V = cluster_robust_vcov(X, resid, codes[0][0], weights=weights, n_params=K, name=clusters[0])
        G = codes[0][1]
        return V, float(G - 1), {"vcov": "CR1", "cluster": clusters[0], "n_clusters": G}
    V = twoway_cluster_vcov(
        X, resid, codes[0][0], codes[1][0],
        weights=weights, n_params=K, names=(clusters[0], clusters[1]),
    )
    G = min(codes[0][1], codes[1][1])
    return V, float(G - 1), {"vcov": "CR1 two-way", "cluster": tuple(clusters), "n_clusters": G}


def _fe_vcov(
    score_sums: Callable[[_Clusters], np.ndarray], bread: np.ndarray, n: int, cl: list[_Clusters],
    names: list[str], n_fe_params: int, dm: TwoWayDemeaner,
) -> tuple[np.ndarray, float, dict[str, Any]]:
    """CR1 / two-way CR1 (``V1 + V2 - V12``) from cluster sums of the scores.

    Fixed effects nested in a cluster variable are not counted in ``K``
    (``fixest``'s ``fixef.K = "nested"``); the small-sample factor uses the smaller
    cluster count for two-way clustering (``cluster.df = "min"``).
    """
    k = bread.shape[0]
    K = k + n_fe_params
    if any(c.per_unit is not None for c in cl[:2]):
        K -= dm.n_units - 1
    if any(c.per_time is not None for c in cl[:2]):
        K -= dm.n_times - 1
    signs = [1.0] if len(cl) == 1 else [1.0, 1.0, -1.0]
    meat = np.zeros((k, k))
    for c, sign in zip(cl, signs):
        S = score_sums(c)
        meat += sign * (S.T @ S)
    G = cl[0].n if len(cl) == 1 else min(cl[0].n, cl[1].n)
    warn_few_clusters(G, names[0] if len(cl) == 1 else f"{names[0]} / {names[1]}")
    V = G / (G - 1) * (n - 1) / (n - K) * bread @ meat @ bread
    if len(cl) == 1:
        return V, float(G - 1), {"vcov": "CR1", "cluster": names[0], "n_clusters": G}
    return V, float(G - 1), {"vcov": "CR1 two-way", "cluster": tuple(names), "n_clusters": G}


def _onehot_sums(fit: OneHotFit | CellFit, we: np.ndarray) -> Callable[[_Clusters], np.ndarray]:
    def sums(c: _Clusters) -> np.ndarray:
        by_unit = isinstance(fit, CellFit) and c.per_unit is not None  # no per-row cluster codes needed
        return fit.score_sums(we, None if by_unit else c.codes, c.n, c.per_unit)  # type: ignore[arg-type]
    return sums


def _dense_sums(scores: np.ndarray, dm: TwoWayDemeaner) -> Callable[[_Clusters], np.ndarray]:
    def sums(c: _Clusters) -> np.ndarray:
        if dm.grid and c.per_unit is not None:
            by_unit = scores.reshape(dm.n_units, dm.n_times, -1).sum(axis=1)
            return _group_sum(by_unit, c.per_unit, c.n)
        return cluster_sums(scores, c.codes, c.n)
    return sums


def _check_identified(xwx: np.ndarray, names: list[str], x_scale: float) -> None:
    scale = np.sqrt(np.clip(np.diag(xwx), 0.0, None))
    if np.any(scale < 1e-10 * max(1.0, x_scale)):
        bad = [names[j] for j in np.flatnonzero(scale < 1e-10 * max(1.0, scale.max()))]
        raise ValueError(
            f"{bad} have no variation left after removing unit and time effects (they are constant "
            "within units or within periods); the effect is not identified."
        )
    if np.linalg.cond(xwx / np.outer(scale, scale)) > 1e12:
        raise ValueError(
            f"the regressors {names} are collinear with each other or with the unit and time effects "
            "(e.g. all units are eventually treated and every relative period has a dummy); drop a "
            "second relative period, bin the endpoints, or add never-treated units."
        )


def fe_regression(
    df: pd.DataFrame,
    y: np.ndarray,
    X: np.ndarray | OneHotDesign | CellDesign,
    names: list[str],
    *,
    unit: str,
    time: str,
    cluster: Cluster,
    weights: np.ndarray | None,
    index: PanelIndex | None = None,
) -> _FEFit:
    """Least squares of ``y`` on ``X`` with unit and time fixed effects (shared with the event study).

    ``X`` is a dense N x k array, or a :class:`~research_kit.did._onehot.OneHotDesign`
    (at most one non-zero per row, e.g. event-time dummies) or
    :class:`~research_kit.did._onehot.CellDesign` (dummies set by the unit's cohort
    and the period), which are never materialised: memory stays a few arrays of
    length N whatever k. ``index`` is the panel's
    :class:`~research_kit.tabular.encode.PanelIndex` when the caller has it already.
    """
    if index is None:
        index = panel_index(df, unit, time)
    n_units, n_times = index.n_units, index.n_times
    clusters = _cluster_list(cluster)
    info: dict[str, Any] = {"fixed_effects": (unit, time), "n_units": n_units, "n_periods": n_times}
    if (isinstance(X, CellDesign) and weights is None and not index.grid and index.observed is not None
            and len(clusters) == 1):
        masked = _masked_cell_regression(df, y, X, names, index, clusters[0], unit, time, info)
        if masked is not None:
            return masked
    dm = TwoWayDemeaner.build(index.unit_codes, index.time_codes, weights, n_units=n_units, n_times=n_times,
                              grid=index.grid)
    w = dm.weights
    n_fe = n_units + dm.n_time_effects()
    if isinstance(X, (OneHotDesign, CellDesign)) and clusters:
        fit = fit_onehot(dm, X, y)
        _check_identified(fit.xwx, names, fit.x_scale)
        coef = np.linalg.solve(fit.xwx, fit.xwy)
        resid = fit.residuals(y, coef)
        cl = _clusters(df, clusters, dm, unit, time)
        V, dof, vinfo = _fe_vcov(_onehot_sums(fit, dm.weighted(resid)), np.linalg.inv(fit.xwx), len(y), cl,
                                 clusters, n_fe, dm)
        return _FEFit(coef=coef, vcov=V, df=dof, info={**info, **vinfo})
    if isinstance(X, CellDesign):
        X = X.rows(dm.unit, dm.time)
    if isinstance(X, OneHotDesign):
        X = X.dense()
    yt = dm.demean(y)
    Xt = dm.demean(X)
    XtW = Xt.T if w is None else (Xt * w[:, None]).T
    XtX = XtW @ Xt
    _check_identified(XtX, names, float(np.sqrt(np.einsum("ij,ij->", X, X) / len(X))))
    coef = np.linalg.solve(XtX, XtW @ yt)
    resid = yt
    for j in range(len(coef)):  # column by column: cheaper than a tall, thin gemv
        resid -= Xt[:, j] * coef[j]
    if not clusters:
        V, hc_dof, vinfo = _vcov(Xt, resid, w, df, clusters, {unit: dm.unit, time: dm.time}, n_fe)
        return _FEFit(coef=coef, vcov=V, df=hc_dof, info={**info, **vinfo})
    cl = _clusters(df, clusters, dm, unit, time)
    scores = Xt * dm.weighted(resid)[:, None]
    V, dof, vinfo = _fe_vcov(_dense_sums(scores, dm), np.linalg.inv(XtX), len(y), cl, clusters, n_fe, dm)
    return _FEFit(coef=coef, vcov=V, df=dof, info={**info, **vinfo})


def _weights(df: pd.DataFrame, weights: str | None) -> np.ndarray | None:
    if weights is None:
        return None
    w = _numeric(df, weights, "weights", binary=False)
    if np.any(w <= 0):
        raise ValueError(f"weights column {weights!r} must be positive; drop rows with zero or negative weights.")
    return w


@missing_values
@shared_vocabulary(vcov_alias=None)
def twfe(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treat: str,
    cluster: Cluster = None,
    weights: str | None = None,
) -> Result:
    """Two-way fixed effects difference-in-differences, ``y ~ treat | unit + time``.

    Parameters
    ----------
    df
        Long panel, one row per unit and period (balanced or not).
    outcome, unit, time
        Column names.
    treat
        0/1 column, 1 when the unit is treated in that period.
    cluster
        Column to cluster on (default: ``unit``), or two columns for two-way
        clustering.
    weights
        Optional column of positive regression weights.

    Returns
    -------
    Result
        Headline term ``"ATT"`` (the coefficient on ``treat``) with CR1 standard
        errors (``fixest``'s small-sample correction; fixed effects nested in the
        cluster are not counted in K) and t(G - 1) intervals.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import research_kit as rk
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(600), 4), "t": np.tile(np.arange(4), 600)})
    >>> df["d"] = ((df["id"] < 300) & (df["t"] >= 2)).astype(int)
    >>> df["y"] = df["id"] * 0.1 + df["t"] + 2.0 * df["d"] + rng.normal(size=len(df))
    >>> r = rk.did.twfe(df, outcome="y", unit="id", time="t", treat="d")
    >>> round(r.estimate, 2)
    1.99
    """
    df = checked_input(df, outcome=outcome, unit=unit, time=time, treat=treat)
    require_columns(df, {"outcome": outcome, "unit": unit, "time": time, "treat": treat, "weights": weights,
                         "cluster": _cluster_list(cluster)})
    for col, role in ((unit, "unit"), (time, "time")):
        check_missing(df, col, role)
    y = _numeric(df, outcome, "outcome", binary=False)
    d = _numeric(df, treat, "treat", binary=False)
    w = _weights(df, weights)
    fit = fe_regression(df, y, d[:, None], [treat], unit=unit, time=time,
                        cluster=unit if cluster is None else cluster, weights=w)
    info = {"estimator": "twfe", "treatment": treat, "weights": weights, **fit.info}
    return Result.from_arrays(["ATT"], fit.coef, np.sqrt(np.diag(fit.vcov)), nobs=len(df), estimator="twfe",
                              df=fit.df, info=info, extra={"vcov_matrix": fit.vcov})


@missing_values
@shared_vocabulary(vcov_alias=None)
def two_by_two(
    df: pd.DataFrame,
    *,
    outcome: str,
    treated: str,
    post: str,
    cluster: Cluster = None,
) -> Result:
    """The canonical 2x2 difference-in-differences regression.

    Fits ``outcome ~ 1 + treated + post + treated:post`` by least squares; the
    ATT is the interaction. Works for panels and repeated cross sections.

    Parameters
    ----------
    df
        Data, one row per observation.
    outcome
        Outcome column.
    treated
        0/1 column: the unit belongs to the treated group.
    post
        0/1 column: the observation is from the post-treatment period.
    cluster
        Column(s) to cluster on; None gives HC1 standard errors.

    Returns
    -------
    Result
        Terms ``"ATT"`` (headline), ``"Intercept"``, ``treated`` and ``post``.

    Examples
    --------
    >>> import pandas as pd
    >>> import research_kit as rk
    >>> df = pd.DataFrame({"y": [1, 2, 1.5, 4.5, 1.1, 2.1, 1.4, 4.4],
    ...                    "g": [0, 0, 1, 1] * 2, "p": [0, 1, 0, 1] * 2})
    >>> r = rk.did.two_by_two(df, outcome="y", treated="g", post="p")
    >>> round(r.estimate, 2)
    2.0
    """
    require_columns(df, {"outcome": outcome, "treated": treated, "post": post, "cluster": _cluster_list(cluster)})
    y = _numeric(df, outcome, "outcome", binary=False)
    g = _numeric(df, treated, "treated", binary=True)
    p = _numeric(df, post, "post", binary=True)
    X = np.column_stack([g * p, np.ones_like(y), g, p])
    for j, name in ((2, treated), (3, post)):
        if X[:, j].min() == X[:, j].max():
            raise ValueError(f"{name!r} takes a single value; the 2x2 design needs both 0 and 1.")
    if (g * p).sum() == 0:
        raise ValueError(f"no observations with {treated!r} = 1 and {post!r} = 1; the ATT is not identified.")
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    V, dof, vinfo = _vcov(X, resid, None, df, _cluster_list(cluster), {}, 0)
    info = {"estimator": "two_by_two", "treated": treated, "post": post, "fixed_effects": None, **vinfo}
    return Result.from_arrays(["ATT", "Intercept", treated, post], coef, np.sqrt(np.diag(V)), nobs=len(df),
                              estimator="two_by_two", df=dof, info=info, extra={"vcov_matrix": V})
