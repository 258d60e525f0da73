"""Shared pieces of :mod:`research_kit.rd`.

Option checks, data preparation and the one place that calls the reference packages (``rdrobust``, ``rddensity``).

The reference packages print messages (``"Mass points detected ..."``) and
raise bare ``warnings.warn`` calls. Library code here never prints, so every
call goes through :func:`call_reference`, which captures both and re-emits them
as named warnings pointing at the user's line.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd

from research_kit._validation import (
    MissingValuesWarning,
    check_option,  # noqa: F401 (re-exported)
)
from research_kit.inference import FewClustersWarning, warn_user

__all__ = [
    "BWSELECTS",
    "KERNELS",
    "VCES",
    "BwSelect",
    "DroppedObservationsWarning",
    "Kernel",
    "MassPointsWarning",
    "ReferenceWarning",
    "Vce",
    "analysis_sample",
    "call_reference",
    "check_option",
    "import_reference",
]

Kernel = Literal["triangular", "epanechnikov", "uniform"]
BwSelect = Literal["mserd", "msetwo", "msesum", "msecomb1", "msecomb2", "cerrd", "certwo", "cersum", "cercomb1",
                   "cercomb2"]
Vce = Literal["nn", "hc0", "hc1", "hc2", "hc3", "cr1", "cr2", "cr3"]

#: Our kernel names -> the reference packages' short names.
KERNELS: dict[str, str] = {"triangular": "tri", "epanechnikov": "epa", "uniform": "uni"}
BWSELECTS: tuple[str, ...] = ("mserd", "msetwo", "msesum", "msecomb1", "msecomb2", "cerrd", "certwo", "cersum",
                              "cercomb1", "cercomb2")
VCES: tuple[str, ...] = ("nn", "hc0", "hc1", "hc2", "hc3", "cr1", "cr2", "cr3")

T = TypeVar("T")


DroppedObservationsWarning = MissingValuesWarning  # one warning for dropped rows in every family


class MassPointsWarning(UserWarning):
    """The running variable has repeated values (mass points); bandwidths were adjusted by ``rdrobust``."""


class ReferenceWarning(UserWarning):
    """A message from the reference package (``rdrobust`` / ``rddensity``) passed on to the user."""


def import_reference(name: Literal["rdrobust", "rddensity"]) -> Any:
    """Import a reference package, or say how to install it."""
    try:
        if name == "rdrobust":
            import rdrobust

            return rdrobust
        import rddensity

        return rddensity
    except ImportError as exc:  # pragma: no cover - installed with the project
        raise ImportError(
            f"research_kit.rd needs the reference package {name!r} (Cattaneo et al., PyPI '{name}'); "
            f"install it with `pip install {name}` (the project's `make setup` does)."
        ) from exc


def _translate(printed: str, caught: Sequence[warnings.WarningMessage], source: str) -> None:
    for line in (s.strip() for s in printed.splitlines()):
        if not line or line.startswith("Try using option masspoints"):
            continue
        if "Mass points detected" in line:
            warn_user(
                f"{source}: the running variable has mass points (repeated values); the bandwidth selection "
                "was adjusted for them (masspoints='adjust'). Check that the running variable is not coarsely "
                "rounded.", MassPointsWarning)
        else:
            warn_user(f"{source}: {line}", ReferenceWarning)
    for w in caught:
        text = str(w.message)
        if "clusters within the bandwidth" in text:
            warn_user(f"{source}: {text}", FewClustersWarning)
        elif issubclass(w.category, (FutureWarning, DeprecationWarning, RuntimeWarning)):
            continue  # numerical noise and library deprecations: not the user's business
        else:
            warn_user(f"{source}: {text}", ReferenceWarning)


def call_reference(func: Callable[..., T], *args: Any, source: str, **kwargs: Any) -> T:
    """Call ``func`` with stdout captured; printed lines and warnings become named warnings.

    Errors of the reference package are re-raised as ``ValueError`` naming it.
    """
    buf = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(buf):
        warnings.simplefilter("always")
        try:
            out = func(*args, **kwargs)
        except (ValueError, np.linalg.LinAlgError, ZeroDivisionError, IndexError, KeyError) as exc:
            raise ValueError(
                f"{source} failed: {exc}. Check that each side of the cutoff has enough distinct values of the "
                "running variable within the bandwidth, or set a larger bandwidth h."
            ) from exc
        except Exception as exc:  # the reference packages raise bare Exception for input errors
            if type(exc) is Exception:
                raise ValueError(f"{source} rejected the input: {exc}") from exc
            raise
    _translate(buf.getvalue(), caught, source)
    return out


def _require(df: pd.DataFrame, roles: dict[str, str | Sequence[str] | None]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(df).__name__}.")
    for role, cols in roles.items():
        if cols is None:
            continue
        for col in [cols] if isinstance(cols, str) else list(cols):
            if col not in df.columns:
                raise KeyError(f"{role} column {col!r} is not in the data; available columns: {list(df.columns)}.")


def analysis_sample(
    df: pd.DataFrame,
    *,
    running: str,
    cutoff: float,
    outcome: str | None = None,
    fuzzy: str | None = None,
    covariates: Sequence[str] | None = None,
    cluster: str | None = None,
    weights: str | None = None,
    what: str = "rdd",
) -> pd.DataFrame:
    """The complete-case rows the estimator uses, with numeric columns checked.

    Drops rows with a missing value in any used column (warning how many) and
    checks that the cutoff lies strictly inside the range of the running variable.
    """
    covariates = list(covariates or [])
    _require(df, {"outcome": outcome, "running": running, "fuzzy": fuzzy, "covariates": covariates,
                  "cluster": cluster, "weights": weights})
    cols = [c for c in dict.fromkeys([outcome, running, fuzzy, *covariates, cluster, weights]) if c is not None]
    data = df[cols]
    for c in cols:
        if c == cluster:
            continue
        if not (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])):
            raise TypeError(f"column {c!r} must be numeric (got dtype {data[c].dtype}); convert it first.")
    keep = data.notna().all(axis=1)
    dropped = int((~keep).sum())
    if dropped:
        warn_user(f"{what}: dropped {dropped:,} of {len(data):,} rows with a missing value in {cols}.",
                  DroppedObservationsWarning)
    data = data.loc[keep]
    x = data[running].to_numpy(dtype=float)
    if not np.isfinite(cutoff):
        raise ValueError(f"cutoff must be a finite number; got {cutoff!r}.")
    if x.size == 0 or not (x.min() < cutoff < x.max()) or (x >= cutoff).sum() < 5 or (x < cutoff).sum() < 5:
        lo, hi = (float(x.min()), float(x.max())) if x.size else (float("nan"), float("nan"))
        raise ValueError(
            f"{what}: the cutoff {cutoff} must lie inside the range of {running!r} ([{lo:.4g}, {hi:.4g}]) with at "
            f"least 5 observations on each side; got {(x < cutoff).sum()} below and {(x >= cutoff).sum()} at or "
            "above it. Check the cutoff and the units of the running variable."
        )
    if weights is not None and (data[weights] < 0).any():
        raise ValueError(f"weights column {weights!r} has negative values; weights must be non-negative.")
    return data
