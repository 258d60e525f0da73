"""Input checks and the unit x period layout shared by the synthetic-control estimators.

A long panel (one row per unit and period) becomes a :class:`WidePanel`: the
outcome matrix with the control (donor) units first and the treated units last,
periods sorted, and the number of pre-treatment periods. Every check raises an
error that names the column or unit, says what was seen and what to do;
donors that cannot be used are dropped with a :class:`DroppedDonorsWarning`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from research_kit._validation import check_option  # noqa: F401 (re-exported)
from research_kit.inference import warn_user

__all__ = [
    "DroppedDonorsWarning",
    "WidePanel",
    "as_unit_list",
    "check_option",
    "format_periods",
    "locate_period",
    "unknown_periods",
    "wide_panel",
]


class DroppedDonorsWarning(UserWarning):
    """Some donor units were left out (missing outcomes or predictors)."""


def as_unit_list(value: Any) -> list[Any]:
    """A unit identifier or a sequence of them, as a list."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def format_periods(periods: Sequence[Any]) -> str:
    """``1984–1988`` for a run of consecutive integers, else the values joined by commas."""
    vals = list(periods)
    if not vals:
        return ""
    if len(vals) == 1:
        return str(vals[0])
    try:
        ints = [int(v) for v in vals]
        if all(float(v) == i for v, i in zip(vals, ints, strict=True)) and ints == list(range(ints[0], ints[0] + len(ints))):
            return f"{ints[0]}–{ints[-1]}"
    except (TypeError, ValueError):
        pass
    return ",".join(str(v) for v in vals)


def locate_period(times: Any, value: Any) -> int | None:
    """Position of ``value`` among the sorted periods ``times`` (numbers or dates), or None."""
    idx = pd.Index(times)
    try:
        if value not in idx:
            return None
        pos = idx.get_loc(value)
    except (TypeError, ValueError):
        return None
    return int(pos) if isinstance(pos, (int, np.integer)) else None


def unknown_periods(values: Iterable[Any], times: Any) -> list[Any]:
    """The values that are not periods of ``times``."""
    return [v for v in values if locate_period(times, v) is None]


@dataclass(frozen=True)
class WidePanel:
    """Outcomes as a units x periods matrix, controls first then treated units."""

    Y: np.ndarray
    units: list[Any]
    times: np.ndarray
    n_control: int
    n_pre: int
    unit: str
    time: str
    outcome: str

    @property
    def controls(self) -> list[Any]:
        return self.units[: self.n_control]

    @property
    def treated(self) -> list[Any]:
        return self.units[self.n_control:]

    @property
    def pre_times(self) -> np.ndarray:
        return self.times[: self.n_pre]

    @property
    def post_times(self) -> np.ndarray:
        return self.times[self.n_pre:]


def _require_columns(df: pd.DataFrame, roles: dict[str, str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(df).__name__}.")
    for role, col in roles.items():
        if col not in df.columns:
            raise KeyError(f"{role} column {col!r} is not in the data; available columns: {list(df.columns)}.")


def _example_units(units: Iterable[Any], n: int = 8) -> str:
    units = list(units)
    head = ", ".join(repr(u) for u in units[:n])
    return head + (f", … ({len(units)} units)" if len(units) > n else "")


def wide_panel(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treated: Any,
    treatment_time: Any,
    donors: Sequence[Any] | None = None,
    min_pre: int = 1,
) -> WidePanel:
    """Check a long panel and lay it out as a :class:`WidePanel`.

    ``treated`` is one unit identifier (a value of the ``unit`` column) or a
    sequence of them; ``treatment_time`` is the first treated period. Donors
    default to every other unit. Donors with a missing outcome in any period are
    dropped with a :class:`DroppedDonorsWarning`; a treated unit with missing
    outcomes is an error.
    """
    _require_columns(df, {"outcome": outcome, "unit": unit, "time": time})
    if not pd.api.types.is_numeric_dtype(df[outcome]):
        raise TypeError(f"outcome column {outcome!r} must be numeric; it has dtype {df[outcome].dtype}.")
    if df[unit].isna().any() or df[time].isna().any():
        raise ValueError(f"the {unit!r} and {time!r} columns must not have missing values; drop or fill those rows.")
    dup = df.duplicated([unit, time])
    if dup.any():
        first = df.loc[dup, [unit, time]].iloc[0].tolist()
        raise ValueError(
            f"{int(dup.sum())} rows repeat a ({unit}, {time}) pair, e.g. {first}; a synthetic control needs one "
            "row per unit and period — aggregate the data first."
        )
    all_units = pd.unique(df[unit])
    treated_list = as_unit_list(treated)
    if not treated_list:
        raise ValueError("treated is empty; pass the identifier of the treated unit (a value of the unit column).")
    missing = [u for u in treated_list if u not in set(all_units)]
    if missing:
        raise ValueError(
            f"treated unit(s) {missing} not found in column {unit!r}; treated must be unit identifiers such as "
            f"{_example_units(all_units)}."
        )
    times = np.sort(pd.unique(df[time]))
    pos = locate_period(times, treatment_time)
    if pos is None:
        raise ValueError(
            f"treatment_time={treatment_time!r} is not a period of column {time!r}; periods run from {times[0]!r} "
            f"to {times[-1]!r}. Pass the first treated period."
        )
    n_pre = pos
    if n_pre < min_pre:
        raise ValueError(
            f"treatment_time={treatment_time!r} leaves {n_pre} pre-treatment period(s); at least {min_pre} are needed."
        )
    if donors is None:
        donor_list = [u for u in all_units if u not in set(treated_list)]
    else:
        donor_list = as_unit_list(donors)
        bad = [u for u in donor_list if u not in set(all_units)]
        if bad:
            raise ValueError(f"donor(s) {bad} not found in column {unit!r}; available units: {_example_units(all_units)}.")
        both = [u for u in donor_list if u in set(treated_list)]
        if both:
            raise ValueError(f"unit(s) {both} are both treated and donors; remove them from donors.")
    wide = df.pivot(index=unit, columns=time, values=outcome).reindex(columns=times)
    tr = wide.reindex(treated_list)
    if tr.isna().any().any():
        bad_t = tr.columns[tr.isna().any()].tolist()
        raise ValueError(
            f"the treated unit(s) have missing {outcome!r} in periods {bad_t}; a synthetic control needs the treated "
            "outcome in every period — restrict the sample period or impute first."
        )
    ctrl = wide.reindex(donor_list)
    incomplete = ctrl.index[ctrl.isna().any(axis=1)].tolist()
    if incomplete:
        warn_user(
            f"{len(incomplete)} donor(s) dropped because {outcome!r} is missing in some period: "
            f"{_example_units(incomplete)}.",
            DroppedDonorsWarning,
        )
        ctrl = ctrl.drop(index=incomplete)
    if len(ctrl) < 2:
        raise ValueError(f"only {len(ctrl)} usable donor unit(s); a synthetic control needs at least 2.")
    Y = np.vstack([ctrl.to_numpy(dtype=float), tr.to_numpy(dtype=float)])
    return WidePanel(Y=Y, units=list(ctrl.index) + treated_list, times=times, n_control=len(ctrl), n_pre=n_pre,
                     unit=unit, time=time, outcome=outcome)
