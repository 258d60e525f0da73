"""Tracking the plan's 2025 targets.

Forecast each indicator to its deadline, the probability of reaching the target, and an on-track / at-risk / off-track status.

For each target, the *tracked quantity* is a linear function of the indicator
series ``y`` (monthly or quarterly), by the target's ``kind``:

* ``level`` and ``share``: the value ``y_D`` at the deadline ``D``;
* ``cumulative``: the sum of the per-period flows ``y_t`` from ``window_start`` to ``D``
  (observed flows plus forecast flows);
* ``annual_growth``: the sum of ``y_t`` over the year ending at ``D`` (the calendar-year
  total when ``D`` is December), compared with the base-year total times
  ``(1 + g/100)^(years)``.

The selected model's joint Gaussian forecast (:func:`~research_kit.timeseries.forecast.fit_forecast`)
gives the tracked quantity's mean ``m`` and standard deviation ``s`` (``a' Σ a`` for a sum);
the probability of reaching the target ``c`` is ``P = 1 - Φ((c - m) / s)``. Statuses:

=============  ==========================================================
``achieved``   already reached (a cumulative target met by observed flows, or the deadline passed and it was met)
``on_track``   ``P >= 0.8`` (upper threshold)
``at_risk``    anything between (see :func:`probability_status`)
``off_track``  ``P < 0.4`` (lower threshold), the prediction interval below the target, the forecast
               more than 5% short of it, and a level target not met at the last observation
``missed``     the deadline has passed and the target was not met
``no_data``    no usable series (none given, too short, or the base year incomplete)
=============  ==========================================================

The thresholds are options (``thresholds=(0.4, 0.8)``); they are conventions of
this toolkit, not of the plan.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from research_kit.results import TIDY_COLUMNS, Summary
from research_kit.timeseries.forecast import Criterion, ModelName, fit_forecast
from research_kit.timeseries.targets import check_targets

__all__ = ["MATERIAL_SHORTFALL", "STATUSES", "TargetDataWarning", "TargetTracking", "as_period_series", "probability_status", "track_targets"]

STATUSES = ("achieved", "on_track", "at_risk", "off_track", "missed", "no_data")


class TargetDataWarning(UserWarning):
    """An indicator series cannot be tracked as asked (missing, too short, incomplete window)."""


@dataclass(frozen=True, eq=False, repr=False)
class TargetTracking:
    """Forecasts of every target's tracked quantity at its deadline (not a regression: its own result type).

    ``tidy()`` has one row per target in the shared columns: ``term`` = target id, ``estimate`` =
    forecast mean of the tracked quantity at the deadline, ``std_error`` = its forecast standard
    deviation, ``conf_low``/``conf_high`` = the prediction interval (at ``level``), ``statistic`` =
    (estimate - target) / std_error and ``p_value`` = the forecast probability of *missing* the target
    (1 - ``probability``). ``repr()`` is one line; ``summary()`` a compact table of statuses.

    Attributes
    ----------
    status
        One row per target (see :meth:`status_table`).
    forecasts
        id -> DataFrame of the forecast periods: ``period, mean, std_error, pi_lower,
        pi_upper`` (the series) and ``tracked_mean, tracked_sd, tracked_lower,
        tracked_upper`` (the tracked quantity).
    history
        id -> DataFrame of the observed periods: ``period, value, tracked``.
    criteria
        id -> the information criteria of the candidate models.
    horizon_end, as_of
        Last month forecast; the last month of data used (None: all).
    criterion, models
        The information criterion and the candidate models.
    thresholds
        ``(lower, upper)`` probabilities separating off-track / at-risk / on-track.
    level
        Coverage of the prediction intervals.
    untracked_series
        Ids of series given without a target (not tracked).
    """

    status: pd.DataFrame
    forecasts: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    history: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    criteria: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    horizon_end: str = "2025-12"
    as_of: str | None = None
    criterion: str = "aicc"
    models: tuple[str, ...] = ()
    thresholds: tuple[float, float] = (0.4, 0.8)
    level: float = 0.95
    untracked_series: tuple[str, ...] = ()

    # ------------------------------------------------------------------ typed facts
    @property
    def counts(self) -> dict[str, int]:
        """Number of targets by status (every status of :data:`STATUSES`, zeros included)."""
        vc = self.status["status"].value_counts() if len(self.status) else pd.Series(dtype=int)
        return {s: int(vc.get(s, 0)) for s in STATUSES}

    @property
    def n_targets(self) -> int:
        """Number of targets tracked (rows of the status table)."""
        return len(self.status)

    @property
    def nobs(self) -> int:
        """Observations used, summed over the indicator series."""
        return int(self.status["n_obs"].sum()) if len(self.status) else 0

    @property
    def info(self) -> Mapping[str, Any]:
        """Deprecated: the settings as a dict; use the typed attributes (``horizon_end``, ``untracked_series``, ...)."""
        warnings.warn("TargetTracking.info is deprecated: use its attributes (horizon_end, as_of, criterion, models, "
                      "thresholds, level, counts, untracked_series).", DeprecationWarning, stacklevel=2)
        return {"horizon_end": self.horizon_end, "as_of": self.as_of, "criterion": self.criterion,
                "models": list(self.models), "thresholds": self.thresholds, "level": self.level, "df": None,
                "statuses": {k: v for k, v in self.counts.items() if v}, "untracked_series": list(self.untracked_series)}

    # ------------------------------------------------------------------ output
    def status_table(self) -> pd.DataFrame:
        """One row per target.

        Columns: indicator, kind, unit, target, window_start, target_value (in tracked units), deadline,
        freq, n_obs, last_period, current (tracked quantity at the last observation), forecast,
        std_error, pi_lower, pi_upper, probability, status, model, forecast_growth (annual growth only).
        """
        return self.status.copy()

    def tidy(self) -> pd.DataFrame:
        """One row per target in the shared columns (term, estimate, std_error, statistic, p_value, conf_low, conf_high)."""
        st = self.status
        if not len(st):
            return pd.DataFrame(columns=TIDY_COLUMNS)
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = (st["forecast"] - st["target_value"]) / st["std_error"]
        return pd.DataFrame({
            "term": st["id"].astype(str), "estimate": st["forecast"].astype(float),
            "std_error": st["std_error"].astype(float), "statistic": stat.astype(float),
            "p_value": 1.0 - st["probability"].astype(float), "conf_low": st["pi_lower"].astype(float),
            "conf_high": st["pi_upper"].astype(float),
        })[TIDY_COLUMNS].reset_index(drop=True)

    def summary(self) -> Summary:
        """A compact table: settings, then per target its status, forecast, target and probability."""
        st = self.status
        tab = pd.DataFrame({
            "": st["id"].astype(str), "Status": st["status"].astype(str), "Forecast": st["forecast"].astype(float),
            "Target": st["target_value"].astype(float), "P(reach)": st["probability"].astype(float),
            f"{self.level:.0%} low": st["pi_lower"].astype(float),
            f"{self.level:.0%} high": st["pi_upper"].astype(float), "Model": st["model"].astype(str),
        })
        settings = [("Horizon", self.horizon_end), ("As of", self.as_of or "all data"),
                    ("Model choice", f"{self.criterion.upper()} among {', '.join(self.models)}"),
                    ("Thresholds", f"off track < {self.thresholds[0]:g} <= at risk < {self.thresholds[1]:g} "
                                   "<= on track")]
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in self.counts.items() if n)
        notes = [f"{self.n_targets} target{'' if self.n_targets == 1 else 's'}: {counts}; {self.level:.0%} prediction intervals; "
                 f"N = {self.nobs:,} observations"]
        if self.untracked_series:
            notes.append(f"Series without a target (not tracked): {', '.join(self.untracked_series)}")
        return Summary("TargetTracking: track_targets", settings, tab, notes, digits=3)

    def __str__(self) -> str:
        return str(self.summary())

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in self.counts.items() if n) or "none"
        return (f"<TargetTracking: {self.n_targets} target{'' if self.n_targets == 1 else 's'} ({counts}); horizon {self.horizon_end}"
                f"{'' if self.as_of is None else f', as of {self.as_of}'}>")

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def plot(self, ax: Any = None, *, lang: str = "zh", ids: Sequence[str] | None = None, ncols: int = 3,
             **kwargs: Any) -> Any:
        """Dashboard of small multiples (see :func:`research_kit.timeseries.dashboard_plot`); returns the Figure."""
        from research_kit.report.dashboard import dashboard_plot

        if kwargs:
            raise TypeError(f"plot() got unexpected options {sorted(kwargs)}; it takes lang, ids and ncols.")
        if ax is not None:
            raise ValueError("the targets dashboard draws its own grid of panels; call plot() without ax.")
        return dashboard_plot(self, lang=lang, ids=ids, ncols=ncols)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- input
def _regular(idx: pd.PeriodIndex, name: str) -> pd.PeriodIndex:
    full = pd.period_range(idx.min(), idx.max(), freq=idx.freq)
    if len(full) != len(idx):
        missing = full.difference(idx)
        raise ValueError(f"series {name!r} has gaps (missing {', '.join(map(str, missing[:5]))}"
                         f"{' …' if len(missing) > 5 else ''}); fill them (e.g. with the flow 0) before tracking.")
    return idx


def as_period_series(s: pd.Series, name: str = "series") -> pd.Series:
    """Return ``s`` as a float Series on a regular monthly or quarterly PeriodIndex, oldest first.

    Accepts a PeriodIndex (freq M or Q), a DatetimeIndex (monthly or quarterly dates)
    or labels such as ``"2024-03"`` / ``"2024Q1"``.

    Examples
    --------
    >>> import pandas as pd
    >>> as_period_series(pd.Series([1.0, 2.0], index=["2024Q4", "2025Q1"])).index.freqstr
    'Q-DEC'
    """
    idx = s.index
    if isinstance(idx, pd.DatetimeIndex):
        for freq in ("M", "Q"):
            p = idx.to_period(freq)
            if p.is_unique and (len(p) < 2 or (np.diff(np.sort(p.asi8)) == 1).all()):
                idx = p
                break
        else:
            raise ValueError(f"series {name!r}: dates are neither consecutive months nor consecutive quarters.")
    elif not isinstance(idx, pd.PeriodIndex):
        try:
            idx = pd.PeriodIndex([pd.Period(str(v)) for v in idx])
        except (ValueError, TypeError) as exc:
            raise ValueError(f"series {name!r}: index labels such as {idx[0]!r} are not months ('2024-03') or "
                             "quarters ('2024Q1'); give a PeriodIndex or DatetimeIndex.") from exc
    freq = idx.freqstr
    if not (freq == "M" or freq.startswith("Q")):
        raise ValueError(f"series {name!r} has frequency {freq!r}; expected monthly ('M') or quarterly ('Q').")
    if not idx.is_unique:
        raise ValueError(f"series {name!r} has repeated periods; aggregate them first.")
    out = pd.Series(pd.to_numeric(pd.Series(np.asarray(s)), errors="coerce").to_numpy(float), index=idx).sort_index()
    if out.isna().any():
        raise ValueError(f"series {name!r} has missing or non-numeric values at "
                         f"{list(map(str, out.index[out.isna()][:5]))}; fill or drop them first.")
    _regular(out.index, name)  # type: ignore[arg-type]
    out.name = name
    return out


def _series_map(series: Mapping[str, pd.Series] | pd.DataFrame) -> dict[str, pd.Series]:
    if isinstance(series, pd.DataFrame):
        need = {"id", "period", "value"}
        if not need <= set(series.columns):
            raise ValueError(f"a long table of series needs columns {sorted(need)}; got {list(series.columns)}.")
        return {str(k): as_period_series(g.set_index("period")["value"], str(k))
                for k, g in series.groupby("id", sort=False)}
    return {str(k): as_period_series(v, str(k)) for k, v in series.items()}


# --------------------------------------------------------------------------- tracked quantity
def _window(kind: str, p: int, start: int | None, per_year: int) -> tuple[int, int] | None:
    """Ordinals (first, last) that make up the tracked quantity at period ordinal ``p``."""
    if kind in ("level", "share"):
        return p, p
    if kind == "cumulative":
        return (start, p) if start is not None and p >= start else None
    return p - per_year + 1, p


def _weights(kind: str, first_obs: int, last_obs: int, H: int, y: np.ndarray, start: int | None,
             per_year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed constant c_j, weights A[j] on the future values and a validity mask, j = 1..H."""
    c, A, ok = np.zeros(H), np.zeros((H, H)), np.ones(H, dtype=bool)
    for j in range(H):
        w = _window(kind, last_obs + 1 + j, start, per_year)
        if w is None:
            ok[j] = False
            continue
        lo, hi = w
        if lo <= last_obs:
            c[j] = y[max(lo, first_obs) - first_obs: last_obs - first_obs + 1].sum()
        f_lo = max(lo, last_obs + 1) - last_obs - 1
        A[j, f_lo: hi - last_obs] = 1.0
    return c, A, ok


def _history(kind: str, y: np.ndarray, first_obs: int, start: int | None, per_year: int) -> np.ndarray:
    out = np.full(len(y), np.nan)
    for i in range(len(y)):
        w = _window(kind, first_obs + i, start, per_year)
        if w is None or (kind == "annual_growth" and w[0] < first_obs):
            continue
        out[i] = y[max(w[0], first_obs) - first_obs: i + 1].sum()
    return out


#: A forecast short of the target by less than this share is never "off track" (at risk at worst).
MATERIAL_SHORTFALL = 0.05


def probability_status(p: float, thresholds: tuple[float, float] = (0.4, 0.8), *, forecast: float | None = None,
                       target: float | None = None, upper: float | None = None, met_now: bool = False,
                       shortfall: float = MATERIAL_SHORTFALL) -> str:
    """Status of a forecast: on track, at risk or off track.

    ``p >= upper threshold`` is on track. Off track needs all of: ``p`` below the lower
    threshold, the prediction interval's upper end below the target (when given), a
    forecast short of the target by more than ``shortfall`` (when given), and the target
    not met at the last observation (``met_now``). Everything else is at risk. So a
    forecast at 98% of the target, or a level already at the target, is never off track.

    Examples
    --------
    >>> [probability_status(p) for p in (0.9, 0.5, 0.1)]
    ['on_track', 'at_risk', 'off_track']
    >>> probability_status(0.01, forecast=98.0, target=100.0, upper=99.5)
    'at_risk'
    >>> probability_status(0.01, forecast=80.0, target=100.0, upper=95.0)
    'off_track'
    """
    lo, hi = thresholds
    if p >= hi:
        return "on_track"
    if p >= lo or met_now:
        return "at_risk"
    if upper is not None and target is not None and upper >= target:
        return "at_risk"
    if forecast is not None and target is not None and forecast >= (1.0 - shortfall) * target:
        return "at_risk"
    return "off_track"


def _empty_row(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": rec["id"], "indicator_zh": rec["indicator_zh"], "indicator_en": rec["indicator_en"],
            "kind": rec["kind"], "unit": rec["unit"], "unit_en": rec.get("unit_en", ""), "target": float(rec["target"]),
            "window_start": rec["window_start"],
            "target_value": np.nan, "deadline": rec["deadline"], "freq": "", "n_obs": 0, "last_period": None,
            "current": np.nan, "forecast": np.nan, "std_error": np.nan, "pi_lower": np.nan, "pi_upper": np.nan,
            "probability": np.nan, "status": "no_data", "model": "", "forecast_growth": np.nan}


def _track_one(rec: Mapping[str, Any], s: pd.Series, horizon_end: pd.Period, z: float,
               thresholds: tuple[float, float], models: Sequence[ModelName], criterion: Criterion,
               notes: list[Any]) -> tuple[dict[str, Any], pd.DataFrame | None, pd.DataFrame, pd.DataFrame | None]:
    row = _empty_row(rec)
    key, kind = rec["id"], rec["kind"]
    freq = s.index.freqstr
    per_year = 12 if freq == "M" else 4
    deadline = rec["deadline"].asfreq(freq)
    end = horizon_end.asfreq(freq)
    if deadline > end:
        raise ValueError(f"target {key!r}: deadline {rec['deadline']} is after horizon_end {horizon_end}; "
                         "extend horizon_end.")
    first, last = int(s.index[0].ordinal), int(s.index[-1].ordinal)
    y = s.to_numpy(float)
    start = None
    if kind == "cumulative":
        start = int(rec["window_start"].asfreq(freq).ordinal)
        if start < first:
            notes.append(f"{key}: the series starts at {s.index[0]}, after window_start {rec['window_start']}; "
                         "flows before the series start count as 0.")
    hist = pd.DataFrame({"period": s.index, "value": y, "tracked": _history(kind, y, first, start, per_year)})
    row.update(freq=freq, n_obs=len(y), last_period=s.index[-1], current=hist["tracked"].iloc[-1])
    target_value = float(rec["target"])
    base = np.nan
    if kind == "annual_growth":
        base_idx = pd.period_range(pd.Period(f"{rec['window_start']}-01", freq="M"),
                                   pd.Period(f"{rec['window_start']}-12", freq="M")).asfreq(freq).unique()
        if not set(base_idx.asi8) <= set(s.index.asi8):
            notes.append(f"{key}: the base year {rec['window_start']} is not fully observed; not tracked.")
            return row, None, hist, None
        base = float(s.loc[base_idx].sum())
        target_value = base * (1 + float(rec["target"]) / 100) ** (deadline.year - int(rec["window_start"]))
    row["target_value"] = target_value
    H = int(end.ordinal - last)
    d = int(deadline.ordinal - last)  # deadline step (<= 0: observed)
    frame, crit = None, None
    if H >= 1:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fc = fit_forecast(y, H, models=models, criterion=criterion)
        except ValueError as exc:
            notes.append(f"{key}: {exc}")
            return row, None, hist, None
        notes.extend((f"{key}: {w.message}", w.category) for w in caught)
        c, A, ok = _weights(kind, first, last, H, y, start, per_year)
        t_mean = np.where(ok, c + A @ fc.mean, np.nan)
        t_sd = np.where(ok, np.sqrt(np.clip(np.einsum("ij,jk,ik->i", A, fc.cov, A), 0.0, None)), np.nan)
        sd = fc.std_error
        frame = pd.DataFrame({
            "period": pd.period_range(s.index[-1] + 1, periods=H, freq=freq),
            "mean": fc.mean, "std_error": sd, "pi_lower": fc.mean - z * sd, "pi_upper": fc.mean + z * sd,
            "tracked_mean": t_mean, "tracked_sd": t_sd, "tracked_lower": t_mean - z * t_sd,
            "tracked_upper": t_mean + z * t_sd,
        })
        crit = fc.criteria
        row["model"] = fc.model
    if d <= 0:  # the deadline is observed
        value = float(hist["tracked"].iloc[len(y) - 1 + d])
        row.update(forecast=value, std_error=0.0, pi_lower=value, pi_upper=value,
                   probability=float(value >= target_value), status="achieved" if value >= target_value else "missed")
    else:
        if frame is None:  # cannot happen: d >= 1 implies H >= 1
            raise RuntimeError(f"target {key!r}: no forecast frame although the deadline lies ahead.")
        m, sdev = float(frame["tracked_mean"].iloc[d - 1]), float(frame["tracked_sd"].iloc[d - 1])
        p = float(stats.norm.sf(target_value, loc=m, scale=sdev)) if sdev > 0 else float(m >= target_value)
        met_now = kind in ("level", "share") and np.isfinite(row["current"]) and row["current"] >= target_value
        status = probability_status(p, thresholds, forecast=m, target=target_value, upper=m + z * sdev,
                                    met_now=bool(met_now))
        if kind == "cumulative" and np.isfinite(row["current"]) and row["current"] >= target_value:
            p, status = 1.0, "achieved"
        row.update(forecast=m, std_error=sdev, pi_lower=m - z * sdev, pi_upper=m + z * sdev, probability=p,
                   status=status)
    if kind == "annual_growth" and base > 0 and row["forecast"] > 0:
        years = deadline.year - int(rec["window_start"])
        row["forecast_growth"] = 100 * ((row["forecast"] / base) ** (1 / years) - 1)
    return row, frame, hist, crit


# --------------------------------------------------------------------------- main entry
def track_targets(
    series: Mapping[str, pd.Series] | pd.DataFrame,
    targets: pd.DataFrame,
    *,
    horizon_end: str = "2025-12",
    as_of: str | None = None,
    models: Sequence[ModelName] = ("ANN", "AAN", "AAdN"),
    criterion: Criterion = "aicc",
    thresholds: tuple[float, float] = (0.4, 0.8),
    level: float = 0.95,
) -> TargetTracking:
    """Forecast every indicator to its deadline and rate the chance of reaching the target.

    Parameters
    ----------
    series
        id -> Series of the indicator (monthly or quarterly; PeriodIndex, DatetimeIndex
        or ``"2024-03"``/``"2024Q1"`` labels), or a long DataFrame with columns
        ``id, period, value``. Flows for ``cumulative`` and ``annual_growth`` targets,
        levels otherwise; in the unit of the target. Targets without a series get
        status ``no_data``; series without a target are ignored (listed in
        ``untracked_series`` of the result).
    targets
        The targets table (e.g. :func:`research_kit.studies.targets.load_targets`).
    horizon_end
        Last month forecast (``"2025-12"``); no deadline may lie after it.
    as_of
        Use observations up to this month only (``"2025-06"``); default: all.
    models, criterion
        Candidate models and the information criterion that picks one
        (see :func:`~research_kit.timeseries.forecast.fit_forecast`).
    thresholds
        ``(lower, upper)`` probabilities separating off-track / at-risk / on-track.
    level
        Coverage of the prediction intervals.

    Returns
    -------
    TargetTracking
        The status table, per-indicator forecast and history frames and the settings as typed
        attributes; ``tidy()`` gives one row per target, ``summary()`` a compact table and
        ``.plot()`` the dashboard.

    Warns
    -----
    TargetDataWarning
        For series too short to fit, incomplete base years, and cumulative windows
        that start before the series.
    ForecastFitWarning
        When the selected model's optimiser did not converge.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from research_kit.studies.targets import load_targets
    >>> from research_kit.timeseries import track_targets
    >>> t = load_targets().loc[["listed_firms"]]
    >>> idx = pd.period_range("2021-01", "2025-06", freq="M")
    >>> y = pd.Series(40 + 0.3 * np.arange(len(idx)) + np.random.default_rng(1).normal(0, 0.5, len(idx)), idx)
    >>> r = track_targets({"listed_firms": y}, t)
    >>> r.status_table()["status"].iloc[0] in {"on_track", "at_risk", "off_track"}
    True
    """
    t = check_targets(targets.reset_index(drop=True) if "id" in targets.columns else targets)
    lo, hi = thresholds
    if not (0.0 < lo <= hi < 1.0):
        raise ValueError(f"thresholds must be (lower, upper) with 0 < lower <= upper < 1; got {thresholds!r}.")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1); got {level!r}.")
    h_end = pd.Period(horizon_end, freq="M")
    smap = _series_map(series)
    untracked = sorted(set(smap) - set(t["id"]))  # series of other indicators: kept out, listed in info
    if as_of is not None:
        cut = pd.Period(as_of, freq="M")
        smap = {k: v.loc[v.index.asfreq("M", how="end") <= cut] for k, v in smap.items()}
    z = float(stats.norm.ppf(0.5 + level / 2))
    notes: list[Any] = []  # messages (TargetDataWarning) or (message, category) pairs
    rows, forecasts, history, criteria = [], {}, {}, {}
    for rec in t.to_dict("records"):
        s = smap.get(rec["id"])
        if s is None or len(s) == 0:
            rows.append(_empty_row(rec))
            continue
        row, frame, hist, crit = _track_one(rec, s, h_end, z, (lo, hi), models, criterion, notes)
        rows.append(row)
        history[rec["id"]] = hist
        if frame is not None:
            forecasts[rec["id"]] = frame
            criteria[rec["id"]] = crit
    for note in notes:
        text, category = note if isinstance(note, tuple) else (note, TargetDataWarning)
        warnings.warn(text, category, stacklevel=2)
    return TargetTracking(status=pd.DataFrame(rows), forecasts=forecasts, history=history, criteria=criteria,
                          horizon_end=str(h_end), as_of=as_of, criterion=str(criterion), models=tuple(models),
                          thresholds=(lo, hi), level=float(level), untracked_series=tuple(untracked))
