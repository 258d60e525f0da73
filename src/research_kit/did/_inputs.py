"""Up-front checks of what a user passes to a DiD estimator (no silent wrong answers).

Every public estimator of :mod:`research_kit.did` calls :func:`checked_input` first. It

* converts polars / pyarrow tables to pandas and refuses anything else by name;
* refuses a list where one column name is expected (``outcome=["y"]``) and a string where a
  list is expected (``covariates="x"``);
* refuses text ``time`` and ``cohort`` columns: as text, "0" sorts before "2003" and the
  never-treated units silently leave the comparison group;
* refuses cohort codes other than 0, NaN and NaT for the never treated (e.g. −1), naming them;
* refuses first-treated periods that fall between the periods of ``time`` (2005.5, a mid-month
  date), and warns, naming them, about first-treated periods further after the last period than
  the window is long (such units count as never treated, as in R ``did``, but a typo such as 2016
  for 2006 would otherwise pass unnoticed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from research_kit._validation import as_pandas, warn_user

__all__ = ["CohortOutsideWindowWarning", "checked_input"]


class CohortOutsideWindowWarning(UserWarning):
    """First-treated periods after the last observed period: those units count as never treated."""


def _one_name(role: str, value: Any) -> None:
    if value is None or isinstance(value, str):
        return
    if isinstance(value, (list, tuple)) and len(value) == 1 and isinstance(value[0], str):
        raise TypeError(f"{role} takes one column name (a string); got {value!r}: pass {role}={value[0]!r}.")
    raise TypeError(f"{role} takes one column name (a string); got {value!r} ({type(value).__name__}).")


def _names(role: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        raise TypeError(f"{role} takes a list of column names; got the string {value!r}: pass {role}=[{value!r}].")
    names = list(value) if isinstance(value, Sequence) or hasattr(value, "__iter__") else None
    if names is None or not all(isinstance(v, str) for v in names):
        raise TypeError(f"{role} takes a list of column names; got {value!r}.")
    return names


def _text(s: pd.Series) -> bool:
    return bool(pd.api.types.is_string_dtype(s.dtype) or s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype))


def _reject_text(df: pd.DataFrame, column: str, role: str) -> None:
    s = df[column]
    if not _text(s):
        return
    sample = ", ".join(repr(v) for v in pd.unique(s.dropna())[:3])
    raise TypeError(
        f"{role} column {column!r} holds text ({sample}, ...): as text, '0' sorts before '2003' and periods are "
        f"compared as strings, which gives wrong comparison groups. Convert it first: "
        f"df[{column!r}] = pd.to_numeric(df[{column!r}]) for years or period numbers (0 = never treated for a cohort), "
        f"or pd.to_datetime(df[{column!r}]) for dates (NaT = never treated)."
    )


def _show(values: np.ndarray, k: int = 5) -> str:
    vals = [v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else (int(v) if float(v).is_integer() else float(v))
            for v in (pd.Timestamp(x) if isinstance(x, np.datetime64) else x for x in values[:k])]
    more = f" and {len(values) - k} more" if len(values) > k else ""
    return ", ".join(repr(v) for v in vals) + more


def _sorted_uniques(s: pd.Series) -> np.ndarray:
    """Sorted distinct non-missing values; hashed first (a panel has few periods but millions of rows)."""
    u = pd.unique(s.to_numpy())
    return np.sort(u[~pd.isna(u)])


def _check_cohort(df: pd.DataFrame, time: str, cohort: str) -> None:
    t = df[time]
    c = df[cohort]
    t_dates = pd.api.types.is_datetime64_any_dtype(t.dtype)
    c_dates = pd.api.types.is_datetime64_any_dtype(c.dtype)
    if t_dates != c_dates:
        raise TypeError(
            f"cohort column {cohort!r} is {'a date' if c_dates else 'numeric'} but time column {time!r} is "
            f"{'a date' if t_dates else 'numeric'}; give the first treated period in the same form as {time!r} "
            "(numbers with 0 = never treated, or dates with NaT = never treated)."
        )
    times, values = _sorted_uniques(t), _sorted_uniques(c)
    if not c_dates:
        values = values[values != 0]
        bad_codes = values[values < 0]
        if len(bad_codes) and not (len(times) and times.min() < 0):
            units = int(c.isin(bad_codes).sum())
            raise ValueError(
                f"cohort column {cohort!r} holds {_show(bad_codes)} ({units} rows): not a period of {time!r} and not "
                f"a never-treated code. Never-treated units are coded 0, NaN (or NaT for dates); recode, e.g. "
                f"df[{cohort!r}] = df[{cohort!r}].replace({_show(bad_codes[:1])}, 0)."
            )
    if not len(times) or not len(values):
        return
    inside = values[(values >= times.min()) & (values <= times.max())]
    between = inside[~np.isin(inside, times)]
    if len(between):
        raise ValueError(
            f"cohort column {cohort!r} holds {_show(between)}, which match no period of {time!r} "
            f"(periods {_show(times[:3])} ... {_show(times[-1:])}): the first treated period must be one of the "
            f"values of {time!r}. Round it to the period in which treatment starts (e.g. a mid-month date to the "
            f"month of {time!r})."
        )
    # After the last period: never treated within the window (R did). A unit starting soon after the window is
    # ordinary; one starting further after the end than the window is long is more likely a typo (2016 for 2006).
    after = values[values > times.max() + (times.max() - times.min())]
    if len(after):
        units = int(c.isin(after).sum())
        warn_user(
            f"cohort column {cohort!r} holds {_show(after)} ({units} rows), after the last period "
            f"{_show(times[-1:])} of {time!r}: these units count as never treated (as in R did). If a value is a "
            "typo (2016 for 2006), fix the cohort column.", CohortOutsideWindowWarning)


def checked_input(df: Any, *, outcome: Any = None, unit: Any = None, time: Any = None, cohort: Any = None,
                  treat: Any = None, cluster: Any = None, covariates: Any = None) -> pd.DataFrame:
    """The data as a pandas DataFrame, with the roles' columns checked (see the module docstring)."""
    frame = as_pandas(df)
    for role, value in (("outcome", outcome), ("unit", unit), ("time", time), ("cohort", cohort),
                        ("treat", treat)):
        _one_name(role, value)
    if isinstance(cluster, (list, tuple)) and len(cluster) == 1:
        cluster = cluster[0]
    _one_name("cluster", cluster)
    _names("covariates", covariates)
    for role, col in (("outcome", outcome), ("unit", unit), ("time", time), ("cohort", cohort), ("treat", treat),
                      ("cluster", cluster)):
        if col is not None and col not in frame.columns:
            raise KeyError(f"{role} column {col!r} is not in the data; available columns: {list(frame.columns)}.")
    if time is not None:
        _reject_text(frame, time, "time")
    if cohort is not None:
        _reject_text(frame, cohort, "cohort")
        if time is not None:
            _check_cohort(frame, time, cohort)
    return frame
