"""Checks of user options shared by every module (one place for one message), and the rules of the one vocabulary.

The vocabulary every public function follows (``tests/test_vocabulary.py`` holds it):

* ``level=0.95`` is the confidence level of intervals (``alpha=`` only as a deprecated alias,
  see :func:`check_level`). The power functions' ``alpha=0.05`` is something else, the *size of a
  test*, and has that one name in every function of :mod:`research_kit.power`.
* ``cluster=`` names the clustering column(s); ``vcov=`` the variance type
  (:func:`shared_vocabulary`); ``missing="drop"`` the missing-value policy (:func:`missing_values`).
* ``method=`` chooses the *procedure that computes the function's main output*, among procedures
  aimed at the same quantity, with ``Literal`` values checked by :func:`check_option`:
  the estimator of the treatment effect (``did.callaway_santanna``: ``"dr" | "ipw" | "reg"``;
  ``did.event_study``: ``"twfe" | "sun_abraham" | "callaway_santanna" | "imputation"``;
  ``synth.synthetic_did``: ``"sdid" | "sc" | "did"``), the construction of a confidence set
  (``did.honest_did``: ``"C-LF" | "projection"``), the test statistic (``IVResult.overid``,
  ``IVResult.endogeneity``), the multiple-testing correction (``inference.adjust_pvalues``) or the
  power calculation (``power.power_curve``: ``"did" | "two_sample" | "simulation"``). It never
  chooses the variance (``vcov=``), the interval level, the clustering, the comparison group
  (``control_group=``) or the form of the output.
* ``seed=`` is the one name for randomness (never ``random_state=`` or ``rng=``). Every estimator,
  inference and power function that draws random numbers defaults to ``seed=0``: the same call
  gives the same numbers, as a paper must; ``seed=None`` asks for fresh entropy. The demo-data
  simulators of :mod:`research_kit.simulate` also take an integer seed, whose default is the seed of
  the shipped demo data (0 where no shipped data depends on it).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Hashable, Iterable
from types import FrameType
from typing import Any

__all__ = ["MissingValuesWarning", "as_pandas", "check_level", "check_option", "missing_values", "shared_vocabulary",
           "warn_user"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def check_option(name: str, value: Any, allowed: Iterable[Any]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``allowed``, listing the allowed values.

    Examples
    --------
    >>> check_option("method", "reg", ("dr", "ipw", "reg"))
    >>> check_option("method", "ols", ("dr", "ipw", "reg"))
    Traceback (most recent call last):
    ...
    ValueError: method='ols' is not supported; choose one of 'dr', 'ipw', 'reg'.
    """
    allowed = tuple(allowed)
    if not isinstance(value, Hashable) or value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name}={value!r} is not supported; choose one of {choices}.")


def warn_user(message: str, category: type[Warning]) -> None:
    """Emit a warning attributed to the first caller outside ``research_kit``.

    The warning then points at the user's line (their notebook cell or script),
    whatever the depth of library calls in between.
    """
    frame: FrameType | None = sys._getframe(1)
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level - 1 if frame is None else level)


# --------------------------------------------------------------------- clusters


def as_pandas(df: Any, name: str = "data") -> Any:
    """Return ``df`` as a pandas DataFrame: pandas as is, polars and pyarrow tables converted.

    Anything else is refused with a message that names its type and says what to pass.

    Examples
    --------
    >>> import pandas as pd
    >>> as_pandas(pd.DataFrame({"y": [1.0]})).shape
    (1, 1)
    >>> as_pandas([1, 2])
    Traceback (most recent call last):
    ...
    TypeError: data must be a pandas DataFrame (or a polars DataFrame / pyarrow Table, converted for you); got builtins.list.
    """
    import pandas as pd

    if isinstance(df, pd.DataFrame):
        return df
    module = type(df).__module__.split(".")[0]
    if module in ("polars", "pyarrow") and hasattr(df, "to_pandas"):
        return df.to_pandas()
    raise TypeError(f"{name} must be a pandas DataFrame (or a polars DataFrame / pyarrow Table, converted for you); "
                    f"got {type(df).__module__}.{type(df).__name__}.")


def check_level(level: float, alpha: float | None = None) -> float:
    """The confidence level to use: ``level`` (e.g. 0.95), or ``1 - alpha`` from the deprecated ``alpha=``.

    Every estimator takes ``level=``; ``alpha=`` still works for one release with a
    :class:`DeprecationWarning`.

    Examples
    --------
    >>> check_level(0.9)
    0.9
    >>> check_level(1.5)
    Traceback (most recent call last):
    ...
    ValueError: level=1.5 must be between 0 and 1 (e.g. 0.95 for 95% intervals).
    """
    if alpha is not None:
        warn_user(f"alpha={alpha!r} is deprecated: pass level={1 - alpha:g} (the confidence level), as every "
                  "research_kit estimator takes it.", DeprecationWarning)
        level = 1 - float(alpha)
    if not isinstance(level, (int, float)) or isinstance(level, bool) or not 0 < float(level) < 1:
        raise ValueError(f"level={level!r} must be between 0 and 1 (e.g. 0.95 for 95% intervals).")
    return float(level)


def shared_vocabulary(*, vcov_alias: str | None = None) -> Any:
    """Decorator: give an estimator the shared keywords ``level=`` (and ``vcov=``, an alias of ``vcov_alias``).

    ``level`` (default 0.95) sets the confidence level of the result's intervals; ``vcov`` names
    the variance type with the same spellings as the estimator's own option (e.g. ``cov_type`` of
    the linearmodels wrappers), so every estimator family can be called with the same words.
    """
    import functools
    import inspect

    def decorate(fn: Any) -> Any:
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args: Any, vcov: str | None = None, level: float = 0.95, **kwargs: Any) -> Any:
            if vcov is not None:
                if vcov_alias is None:
                    raise TypeError(f"{fn.__name__}() has no variance option; drop vcov={vcov!r}.")
                given = kwargs.get(vcov_alias)
                if given is not None and given != vcov:
                    raise ValueError(f"vcov={vcov!r} and {vcov_alias}={given!r} disagree; pass one of the two.")
                kwargs[vcov_alias] = vcov
            level = check_level(level)
            result = fn(*args, **kwargs)
            return result.with_level(level) if level != 0.95 else result

        extra = [inspect.Parameter("level", inspect.Parameter.KEYWORD_ONLY, default=0.95, annotation=float)]
        if vcov_alias is not None:
            extra.insert(0, inspect.Parameter("vcov", inspect.Parameter.KEYWORD_ONLY, default=None,
                                              annotation="str | None"))
        params = list(sig.parameters.values())
        tail = [p for p in params if p.kind is inspect.Parameter.VAR_KEYWORD]
        head = [p for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD]
        wrapper.__signature__ = sig.replace(parameters=head + extra + tail)  # type: ignore[attr-defined]
        return wrapper

    return decorate


class MissingValuesWarning(UserWarning):
    """Rows with missing values in the model's variables were dropped before estimation."""


#: Keyword arguments that name one column (or a list of columns) of the data in some estimator.
_COLUMN_ROLES = ("outcome", "unit", "time", "treat", "treated", "post", "cluster", "covariates", "running",
                 "fuzzy", "entity", "weights")


def _model_columns(df: Any, kwargs: dict[str, Any]) -> list[str]:
    import re

    cols: list[str] = []
    for role in _COLUMN_ROLES:
        value = kwargs.get(role)
        if value is None:
            continue
        cols += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
    formula = kwargs.get("formula")
    if isinstance(formula, str):
        tokens = set(re.findall(r"[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_.\u4e00-\u9fff]*", formula))
        cols += [c for c in df.columns if c in tokens]
    return [c for c in dict.fromkeys(cols) if c in df.columns]


def missing_values(fn: Any) -> Any:
    """Decorator: one policy for missing values, ``missing="drop"`` (default) or ``missing="raise"``.

    With ``"drop"`` the rows with a missing value in any column the call names (outcome, unit,
    time, treatment, cluster, covariates, running variable, the formula's variables) are dropped
    with a :class:`MissingValuesWarning` that counts them; with ``"raise"`` a ``ValueError`` names
    the columns and counts instead. A cohort column is never filtered: NaN there means never treated.
    The same option and default in did, panel, iv and rd.
    """
    import functools
    import inspect

    sig = inspect.signature(fn)
    names = list(sig.parameters)

    @functools.wraps(fn)
    def wrapper(*args: Any, missing: str = "drop", **kwargs: Any) -> Any:
        check_option("missing", missing, ("drop", "raise"))
        bound = dict(zip(names, args))
        df = bound.get(names[0]) if args else kwargs.get(names[0])
        call = {**bound, **kwargs}
        if df is not None and hasattr(df, "columns"):
            df = as_pandas(df)
            cols = _model_columns(df, call)
            if cols:
                na = df[cols].isna()
                bad = na.any(axis=1)
                n_bad = int(bad.sum())
                if n_bad:
                    counts = {c: int(n) for c, n in na.sum().items() if n}
                    detail = ", ".join(f"{c!r}: {n:,}" for c, n in counts.items())
                    if missing == "raise":
                        raise ValueError(f"{fn.__name__}: {n_bad:,} of {len(df):,} rows have missing values ({detail}); "
                                         "drop or impute them, or pass missing='drop'.")
                    warn_user(f"{fn.__name__}: dropped {n_bad:,} of {len(df):,} rows with missing values ({detail}); "
                              "pass missing='raise' to stop instead.", MissingValuesWarning)
                    df = df.loc[~bad.to_numpy()]
            if args:
                args = (df, *args[1:])
            else:
                kwargs[names[0]] = df
        return fn(*args, **kwargs)

    extra = inspect.Parameter("missing", inspect.Parameter.KEYWORD_ONLY, default="drop", annotation="str")
    params = list(sig.parameters.values())
    tail = [q for q in params if q.kind is inspect.Parameter.VAR_KEYWORD]
    head = [q for q in params if q.kind is not inspect.Parameter.VAR_KEYWORD]
    wrapper.__signature__ = sig.replace(parameters=head + [extra] + tail)  # type: ignore[attr-defined]
    return wrapper
