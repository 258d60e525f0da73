"""Shared plumbing of :mod:`research_kit.panel` and :mod:`research_kit.iv`.

Option checks, the translation of our variance options into linearmodels'
``fit`` keywords, and the conversion of a linearmodels results object into a
:class:`~research_kit.results.Result` (or a one-row test result).
"""

from __future__ import annotations

import contextlib
import math
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from research_kit._validation import check_option  # noqa: F401 (re-exported)
from research_kit.inference import FEW_CLUSTERS, FewClustersWarning, warn_user
from research_kit.results import Result

__all__ = [
    "LinearModelsResult",
    "CovType",
    "DroppedRegressorsWarning",
    "Kernel",
    "MissingValuesWarning",
    "NoInterceptWarning",
    "check_option",
    "hypothesis_result",
    "quiet_linearmodels",
    "require_frame",
    "to_result",
]

#: Variance estimators of the panel estimators ("kernel" is Driscoll–Kraay).
CovType = Literal["unadjusted", "robust", "clustered", "driscoll_kraay", "kernel"]
#: Kernels of the Driscoll–Kraay / HAC estimators.
Kernel = Literal["bartlett", "parzen", "qs"]
KERNELS: tuple[str, ...] = ("bartlett", "parzen", "qs")

_LM_KERNEL = {"bartlett": "bartlett", "parzen": "parzen", "qs": "qs"}
_COV_LABEL = {
    "unadjusted": "unadjusted",
    "robust": "robust",
    "clustered": "clustered",
    "kernel": "driscoll_kraay",
}


from research_kit._validation import MissingValuesWarning  # noqa: E402  (one warning class for every family)


class DroppedRegressorsWarning(UserWarning):
    """Regressors absorbed by the fixed effects were dropped (``drop_absorbed=True``)."""


class NoInterceptWarning(UserWarning):
    """The model has no intercept: linearmodels formulas add none unless ``1 +`` is written."""


def require_frame(df: Any, columns: Mapping[str, str | None]) -> None:
    """Check that ``df`` is a DataFrame holding every named column (``role -> column``)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame (first positional argument), got {type(df).__name__}.")
    for role, col in columns.items():
        if col is None:
            continue
        if not isinstance(col, str):
            raise TypeError(f"{role} must be a column name (str), got {col!r}.")
        if col not in df.columns:
            raise KeyError(f"{role} column {col!r} is not in the data; columns are {list(df.columns)[:20]}.")


def check_formula(formula: Any) -> str:
    """A formula must be a string with one ``~``."""
    if not isinstance(formula, str) or formula.count("~") < 1:
        raise ValueError(
            f"formula must be a string like 'y ~ 1 + x1 + x2' (linearmodels syntax), got {formula!r}."
        )
    return formula


@contextlib.contextmanager
def quiet_linearmodels() -> Iterator[None]:
    """Silence linearmodels' own warnings (we issue named ones with the user's line)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"linearmodels\..*")
        warnings.filterwarnings("ignore", message=r".*missing values.*")
        warnings.filterwarnings("ignore", message=r".*not positive definite.*")
        yield


def warn_dropped(n_input: int, n_used: int, what: str = "rows") -> None:
    """Warn when estimation used fewer rows than the data holds."""
    if n_used < n_input:
        warn_user(
            f"{n_input - n_used:,} of {n_input:,} {what} were dropped because a model variable is "
            "missing there; drop or impute them first to silence this warning.",
            MissingValuesWarning,
        )


_EXPLICIT_NO_INTERCEPT = re.compile(r"~\s*0\s*\+|\+\s*0\b|-\s*1\b")


def warn_no_intercept(has_constant: bool, formula: str) -> None:
    """Warn when a model has no intercept and the formula does not say so (``0 +`` or ``- 1``)."""
    if not has_constant and not _EXPLICIT_NO_INTERCEPT.search(formula):
        warn_user(
            f"the model {formula!r} has no intercept: linearmodels formulas add none. Write "
            "'y ~ 1 + x' for one, or 'y ~ 0 + x' to say that none is wanted.",
            NoInterceptWarning,
        )


def bartlett_bandwidth(n_periods: int) -> int:
    """Linearmodels' rule-of-thumb bandwidth, ``floor(4 (T / 100)^(2/9))``."""
    return math.floor(4 * (n_periods / 100) ** (2 / 9))


def check_few_clusters(n_clusters: int | None, name: str) -> None:
    if n_clusters is not None and n_clusters < FEW_CLUSTERS:
        warn_user(
            f"only {n_clusters} clusters in {name!r}: cluster-robust standard errors are unreliable "
            f"below {FEW_CLUSTERS}; consider research_kit.inference's wild cluster bootstrap.",
            FewClustersWarning,
        )


def cluster_list(cluster: str | Sequence[str] | None) -> list[str]:
    """Normalize ``cluster`` to a list of one or two column names."""
    if cluster is None:
        return []
    cl = [cluster] if isinstance(cluster, str) else list(cluster)
    if not 1 <= len(cl) <= 2 or not all(isinstance(c, str) for c in cl):
        raise ValueError(f"cluster={cluster!r}: give one column name, or two for two-way clustering.")
    return cl


def resolve_cov_type(cov_type: str, cluster: list[str], default: str, allowed: Sequence[str]) -> str:
    """``cluster`` implies clustering; the default ``cov_type`` is then replaced by ``"clustered"``."""
    check_option("cov_type", cov_type, allowed)
    if cluster:
        if cov_type in ("clustered", default):
            return "clustered"
        raise ValueError(
            f"cluster={cluster} asks for clustered standard errors but cov_type={cov_type!r}; drop one "
            "of the two (cluster=... alone gives clustered errors)."
        )
    if cov_type == "clustered":
        raise ValueError("cov_type='clustered' needs cluster=<column name> (or two names for two-way clustering).")
    return "kernel" if cov_type == "driscoll_kraay" else cov_type


@dataclass(frozen=True, eq=False, repr=False)
class LinearModelsResult(Result):
    """A result fitted by linearmodels (``panel.pooled/fe/re/first_difference``, and the base of ``IVResult``).

    Its model facts are typed properties; ``fit`` is linearmodels' own results object.
    """

    @property
    def fit(self) -> Any:
        """The results object of linearmodels (its ``summary``, ``cov``, ``resids``, ...)."""
        return self.extra["linearmodels"]

    @property
    def cov_type(self) -> str | None:
        """The variance type as linearmodels names it (``"unadjusted"``, ``"robust"``, ``"clustered"``, ...)."""
        c = self.info.get("cov_type")
        return None if c is None else str(c)

    @property
    def dependent(self) -> str | None:
        """Name of the dependent variable."""
        d = self.info.get("dependent")
        return None if d is None else str(d)


def to_result(
    res: Any,
    *,
    estimator: str,
    term: str | None,
    debiased: bool,
    info: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
    level: float = 0.95,
    cls: type[LinearModelsResult] | None = None,
) -> LinearModelsResult:
    """A :class:`LinearModelsResult` (or ``cls``) with linearmodels' estimates, standard errors, p-values and intervals."""
    params = res.params
    terms = [str(t) for t in params.index]
    ci = res.conf_int(level=level)
    df_resid = float(res.df_resid) if debiased else None
    base = Result.from_arrays(
        terms,
        params.to_numpy(dtype=float),
        res.std_errors.to_numpy(dtype=float),
        nobs=int(res.nobs),
        estimator=estimator,
        df=df_resid,
        level=level,
        conf_low=ci.iloc[:, 0].to_numpy(dtype=float),
        conf_high=ci.iloc[:, 1].to_numpy(dtype=float),
        p_values=res.pvalues.to_numpy(dtype=float),
        term=term,
        info={"nobs": int(res.nobs), **dict(info)},
        extra={"linearmodels": res, **dict(extra or {})},
    )
    return (cls or LinearModelsResult)(table=base.table, nobs=base.nobs, estimator=base.estimator, term=base.term,
                                       info=base.info, extra=base.extra)


def hypothesis_result(
    name: str,
    statistic: float,
    *,
    df: float | tuple[float, float],
    nobs: int,
    distribution: Literal["chi2", "F"] = "chi2",
    null: str,
    info: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Result:
    """A one-row :class:`Result` for a test: ``estimate`` and ``statistic`` are the test statistic.

    ``info`` carries ``statistic``, ``df`` (an int for chi-squared, ``(df1, df2)``
    for F), ``p_value``, ``distribution`` (e.g. ``"chi2(2)"``) and ``null``.
    """
    stat = float(statistic)
    if distribution == "chi2":
        p = float(stats.chi2.sf(stat, df)) if np.isfinite(stat) and stat >= 0 else float("nan")
        dist = f"chi2({_fmt_df(df)})"
    else:
        d1, d2 = df  # type: ignore[misc]
        p = float(stats.f.sf(stat, d1, d2)) if np.isfinite(stat) and stat >= 0 else float("nan")
        dist = f"F({_fmt_df(d1)}, {_fmt_df(d2)})"
    nan = float("nan")
    table = pd.DataFrame(
        {"term": [name], "estimate": [stat], "std_error": [nan], "statistic": [stat], "p_value": [p],
         "conf_low": [nan], "conf_high": [nan]}
    )
    meta = {"statistic": stat, "df": df, "p_value": p, "distribution": dist, "null": null, **dict(info or {})}
    return Result(table=table, nobs=int(nobs), estimator=name, term=name, info=meta, extra=dict(extra or {}))


def _fmt_df(d: Any) -> str:
    return str(int(d)) if float(d).is_integer() else f"{float(d):g}"


def headline_term(terms: Sequence[str], prefer: Sequence[str] = ()) -> str:
    """The first of ``prefer`` found in ``terms``, else the first non-intercept term."""
    for t in prefer:
        if t in terms:
            return t
    for t in terms:
        if t.lower() not in ("intercept", "const", "_cons"):
            return t
    return terms[0]
