"""The pilot's evaluation system (试点工作评价体系) from departments' filings.

:func:`assess` reads the processed filings (``indicator_filings``), keeps those in force
on a filing date, builds each target's city series (county-level indicators: the sum of
the nine counties, only for periods all nine filed), tracks it with
:func:`research_kit.timeseries.track_targets`, rates every milestone (已完成 / 未到期 / 逾期)
and rates county-level indicators by county against an apportioned benchmark. Nothing is
simulated here: an indicator without filings has status ``no_data``.

Examples
--------
>>> from research_kit.studies.targets import assess             # doctest: +SKIP
>>> a = assess(as_of="2025-06-30")                               # doctest: +SKIP
>>> a.by_unit()                                                  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from research_kit.data import load
from research_kit.data.indicators import CITY, Definitions, latest_as_of, load_definitions
from research_kit.timeseries import TargetTracking, check_targets, track_targets

__all__ = [
    "assess",
    "Assessment",
    "changes",
    "MILESTONE_STATUSES",
    "N_COUNTIES",
    "previous_report",
    "prob_text",
    "run",
    "TargetsRun",
]

MILESTONE_STATUSES = ("done", "pending", "overdue")
N_COUNTIES = 9


def prob_text(p: float) -> str:
    """A probability as printed: ``< 1%`` / ``> 99%`` near 0 and 1, else whole percent.

    Examples
    --------
    >>> [prob_text(x) for x in (0.001, 0.5, 0.996, float("nan"))]
    ['< 1%', '50%', '> 99%', '']
    """
    if not np.isfinite(p):
        return ""
    if p < 0.01:
        return "< 1%"
    if p > 0.99:
        return "> 99%"
    return f"{p:.0%}"


def _series(rows: pd.DataFrame) -> tuple[pd.Series | None, str]:
    """Quarterly (or monthly) series of one indicator's city values; a note when periods were dropped."""
    rows = rows.loc[rows["value"].notna()]
    if rows.empty:
        return None, "no value filed"
    note = ""
    if (rows["county"] != CITY).any():
        n = rows.groupby("period")["county"].nunique()
        full = n.index[n == N_COUNTIES]
        if len(full) < len(n):
            note = f"{len(n) - len(full)} period(s) without all nine counties left out"
        rows = rows.loc[rows["period"].isin(full)]
        if rows.empty:
            return None, note
    s = rows.groupby("period")["value"].sum()
    months = pd.PeriodIndex(s.index, freq="M")
    if (months.month % 3 == 0).all():
        idx = months.asfreq("Q")
    else:
        idx = months
    s.index = idx
    s = s.sort_index()
    full_idx = pd.period_range(s.index[0], s.index[-1], freq=s.index.freq)
    if len(full_idx) != len(s):
        gaps = full_idx.difference(s.index)
        s = s.loc[s.index > gaps.max()]
        note = (note + "; " if note else "") + f"series starts after the last missing period {gaps.max()}"
    return s, note


def previous_report(history: pd.DataFrame, as_of: str) -> str | None:
    """The report before ``as_of``: the last filing date at least 45 days before the last filing in force."""
    dates = sorted(history.loc[history["filed_at"] <= as_of, "filed_at"].unique())
    if not dates:
        return None
    cut = str((pd.Timestamp(dates[-1]) - pd.Timedelta(days=45)).date())
    earlier = [d for d in dates if d <= cut]
    return earlier[-1] if earlier else None


@dataclass(frozen=True)
class Assessment:
    """Targets, milestones and counties rated from the filings in force on ``as_of``."""

    as_of: str
    last_filed: str | None
    defs: Definitions
    filings: pd.DataFrame  # in force on as_of (latest version of each indicator, county, period)
    history: pd.DataFrame  # every filing, all versions
    tracking: TargetTracking
    targets: pd.DataFrame  # one row per target
    milestones: pd.DataFrame  # one row per milestone
    counties: pd.DataFrame  # county-level indicators x counties
    notes: tuple[str, ...] = field(default=())
    synthetic: bool = True

    def by_unit(self) -> pd.DataFrame:
        """Counts per lead unit: targets by status and milestones overdue (纳入年度综合考核)."""
        t = self.targets
        m = self.milestones
        units = list(dict.fromkeys(list(t["lead"]) + list(m["lead"])))
        rows = []
        for u in units:
            st = t.loc[t["lead"] == u, "status"]
            ms = m.loc[m["lead"] == u]
            rows.append({"unit": u, "targets": len(st),
                         "achieved": int((st == "achieved").sum()), "on_track": int((st == "on_track").sum()),
                         "at_risk": int((st == "at_risk").sum()), "off_track": int((st == "off_track").sum()),
                         "missed": int((st == "missed").sum()), "no_data": int((st == "no_data").sum()),
                         "milestones": len(ms), "milestones_done": int((ms["status"] == "done").sum()),
                         "overdue": "、".join(ms.loc[ms["status"] == "overdue", "name_zh"])})
        return pd.DataFrame(rows)

    def by_county(self) -> pd.DataFrame:
        """Counts per county of indicators by status and of overdue milestones.

        County-level indicators by status (against the apportioned benchmark) and
        milestones led by the county that are overdue.
        """
        c = self.counties
        m = self.milestones
        from research_kit.data.counties import COUNTIES

        rows = []
        for county in COUNTIES["name_zh"]:
            st = c.loc[c["county"] == county, "status"] if len(c) else pd.Series(dtype=str)
            ms = m.loc[m["lead"] == county]
            rows.append({"county": county, "indicators": len(st),
                         "achieved": int((st == "achieved").sum()), "on_track": int((st == "on_track").sum()),
                         "at_risk": int((st == "at_risk").sum()), "off_track": int((st == "off_track").sum()),
                         "no_data": int((st == "no_data").sum()),
                         "overdue": "、".join(ms.loc[ms["status"] == "overdue", "name_zh"])})
        return pd.DataFrame(rows)

    def to_excel(self, path: str | os.PathLike[str], *, changed: pd.DataFrame | None = None) -> Path:
        """Write the assessment (按责任单位, 按县, 目标, 里程碑 and, if given, 变化) to an XLSX file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        zh = {"unit": "责任单位", "county": "县（市、区）", "targets": "目标数", "indicators": "分县指标数",
              "achieved": "已达标", "on_track": "进展顺利", "at_risk": "存在风险", "off_track": "明显滞后",
              "missed": "未完成", "no_data": "无数据", "milestones": "里程碑数", "milestones_done": "里程碑已完成",
              "overdue": "逾期里程碑"}
        with pd.ExcelWriter(path, engine="openpyxl") as xw:
            self.by_unit().rename(columns=zh).to_excel(xw, sheet_name="按责任单位", index=False)
            self.by_county().rename(columns=zh).to_excel(xw, sheet_name="按县", index=False)
            self.targets.to_excel(xw, sheet_name="目标", index=False)
            self.milestones.to_excel(xw, sheet_name="里程碑", index=False)
            if changed is not None:
                changed.to_excel(xw, sheet_name="变化", index=False)
            pd.DataFrame({"截至": [self.as_of], "最近填报日期": [self.last_filed],
                          "数据性质": ["模拟演示数据" if self.synthetic else "正式报送"]}).to_excel(
                xw, sheet_name="说明", index=False)
        return path


def _milestones(defs: Definitions, filings: pd.DataFrame, as_of: str) -> pd.DataFrame:
    rows = []
    day = pd.Timestamp(as_of)
    for key, m in defs.milestones.iterrows():
        f = filings.loc[(filings["indicator"] == key) & filings["done"].notna()]
        done = f.loc[f["done"].astype(bool)]
        deadline_end = pd.Period(m["deadline"], freq="M").end_time.normalize()
        if len(done):
            when = min(d for d in done["done_date"] if d) if (done["done_date"] != "").any() else ""
            status, late = "done", bool(when) and pd.Timestamp(when) > deadline_end
        else:
            when, late = "", False
            status = "overdue" if day > deadline_end else "pending"
        value = float(f["value"].iloc[-1]) if m["kind"] == "threshold" and len(f) else np.nan
        rows.append({"id": key, "name_zh": m["milestone_zh"], "name_en": m["milestone_en"], "task": m["task"],
                     "lead": m["lead"], "deadline": m["deadline"], "status": status, "done_date": when,
                     "late": late, "value": value, "threshold": m["threshold"], "unit": m["unit"],
                     "last_report": f["period"].max() if len(f) else "", "filed": len(f) > 0})
    return pd.DataFrame(rows)


def _targets_table(defs: Definitions, tracking: TargetTracking, filings: pd.DataFrame) -> pd.DataFrame:
    st = tracking.status_table().set_index("id")
    out = []
    for key, t in defs.targets.iterrows():
        s = st.loc[key]
        f = filings.loc[filings["indicator"] == key]
        out.append({"id": key, "name_zh": t["indicator_zh"], "name_en": t["indicator_en"], "task": t["task"],
                    "lead": t["lead"], "unit": t["unit"], "target": float(t["target"]), "kind": t["kind"],
                    "window_start": t["window_start"], "target_value": s["target_value"],
                    "last_period": str(s["last_period"]) if pd.notna(s["last_period"]) else "",
                    "current": s["current"], "forecast": s["forecast"], "pi_lower": s["pi_lower"],
                    "pi_upper": s["pi_upper"], "probability": s["probability"], "status": s["status"],
                    "model": s["model"], "forecast_growth": s["forecast_growth"],
                    "n_rows": len(f), "revised": int(f["revised"].sum()) if len(f) else 0,
                    "converted": int((f["conversion"] != "").sum()) if len(f) else 0,
                    "conversion_example": next((c for c in f.sort_values("period")["conversion"].iloc[::-1] if c), "")})
    return pd.DataFrame(out)


def _county_table(defs: Definitions, filings: pd.DataFrame, as_of_month: str) -> pd.DataFrame:
    """County-level indicators rated against target x the county's share in the first four filed periods."""
    rows = []
    targets = check_targets(defs.targets.reset_index(drop=True))
    for key in defs.targets.index[defs.targets["county_level"]]:
        f = filings.loc[(filings["indicator"] == key) & filings["value"].notna()]
        if f.empty:
            continue
        kind = defs.targets.loc[key, "kind"]
        periods = sorted(f["period"].unique())[:4]
        base = f.loc[f["period"].isin(periods)]
        if kind in ("level", "share"):
            base = base.loc[base["period"] == periods[-1]]
        share = base.groupby("county")["value"].sum() / base["value"].sum()
        for county, w in share.items():
            s, _ = _series(f.loc[f["county"] == county].assign(county=CITY))
            t = targets.loc[[key]].copy()
            t["target"] = float(t["target"].iloc[0]) * float(w)
            if s is None or not w > 0:
                rows.append({"id": key, "county": county, "share": w, "benchmark": t["target"].iloc[0],
                             "current": np.nan, "forecast": np.nan, "probability": np.nan, "status": "no_data"})
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = track_targets({key: s}, t, as_of=as_of_month).status_table().iloc[0]
            rows.append({"id": key, "county": county, "share": float(w), "benchmark": float(t["target"].iloc[0]),
                         "current": r["current"], "forecast": r["forecast"], "probability": r["probability"],
                         "status": r["status"]})
    return pd.DataFrame(rows, columns=["id", "county", "share", "benchmark", "current", "forecast", "probability",
                                       "status"])


def assess(*, as_of: str | None = None, history: pd.DataFrame | None = None,
           root: str | os.PathLike[str] | None = None, criterion: str = "aicc") -> Assessment:
    """Rate every target, milestone and county from the filings in force on ``as_of``.

    Parameters
    ----------
    as_of
        A filing date ``YYYY-MM-DD`` (filings made on or before it count); default: the latest filing.
    history
        The processed filings (default: ``rk.data.load("indicator_filings")``).
    root
        Project root.
    criterion
        Information criterion that picks each indicator's forecasting model.
    """
    defs = load_definitions(root)
    if history is None:
        history = load("indicator_filings", root)
    if as_of is None or str(as_of) in ("", "latest"):
        as_of = str(history["filed_at"].max()) if len(history) else str(_dt.date.today())
    as_of = str(pd.Timestamp(as_of).date())
    filings = latest_as_of(history, as_of)
    last_filed = str(filings["filed_at"].max()) if len(filings) else None
    notes: list[str] = []
    series: dict[str, pd.Series] = {}
    for key in defs.targets.index:
        s, note = _series(filings.loc[filings["indicator"] == key])
        if note:
            notes.append(f"{key}: {note}")
        if s is not None:
            series[key] = s
    targets = check_targets(defs.targets.reset_index(drop=True))
    month = str(pd.Timestamp(as_of).to_period("M"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tracking = track_targets(series, targets, as_of=month, criterion=criterion)  # type: ignore[arg-type]
    notes += [str(w.message) for w in caught]
    return Assessment(
        as_of=as_of, last_filed=last_filed, defs=defs, filings=filings, history=history, tracking=tracking,
        targets=_targets_table(defs, tracking, filings), milestones=_milestones(defs, filings, as_of),
        counties=_county_table(defs, filings, month), notes=tuple(notes),
        synthetic=bool(filings["synthetic"].astype(str).isin(["True", "true", "1"]).any()) if len(filings) else False,
    )


def changes(now: Assessment, before: Assessment) -> pd.DataFrame:
    """Targets and milestones whose status moved between two reports, with the values then and now."""
    a = before.targets.set_index("id")
    b = now.targets.set_index("id")
    rows = []
    for key in b.index:
        if a.loc[key, "status"] != b.loc[key, "status"]:
            rows.append({"id": key, "type": "target", "name_zh": b.loc[key, "name_zh"], "name_en": b.loc[key, "name_en"],
                         "status_before": a.loc[key, "status"], "status_now": b.loc[key, "status"],
                         "value_before": a.loc[key, "current"], "value_now": b.loc[key, "current"],
                         "forecast_before": a.loc[key, "forecast"], "forecast_now": b.loc[key, "forecast"],
                         "unit": b.loc[key, "unit"]})
    ma, mb = before.milestones.set_index("id"), now.milestones.set_index("id")
    for key in mb.index:
        if ma.loc[key, "status"] != mb.loc[key, "status"]:
            rows.append({"id": key, "type": "milestone", "name_zh": mb.loc[key, "name_zh"],
                         "name_en": mb.loc[key, "name_en"], "status_before": ma.loc[key, "status"],
                         "status_now": mb.loc[key, "status"], "value_before": np.nan, "value_now": np.nan,
                         "forecast_before": np.nan, "forecast_now": np.nan, "unit": ""})
    return pd.DataFrame(rows, columns=["id", "type", "name_zh", "name_en", "status_before", "status_now",
                                       "value_before", "value_now", "forecast_before", "forecast_now", "unit"])


@dataclass(frozen=True)
class TargetsRun:
    """Everything the dashboard paper reports, computed once."""

    now: Assessment
    before: Assessment | None
    changed: pd.DataFrame

    @property
    def as_of(self) -> str:
        return self.now.as_of


def run(*, as_of: str = "latest", criterion: str = "aicc", root: str | os.PathLike[str] | None = None) -> TargetsRun:
    """Assess the filings in force on ``as_of`` (a filing date, or ``"latest"``) and on the report before it."""
    now = assess(as_of=as_of, root=root, criterion=criterion)
    prev = previous_report(now.history, now.as_of)
    before = assess(as_of=prev, history=now.history, root=root, criterion=criterion) if prev else None
    changed = changes(now, before) if before is not None else changes(now, now)
    return TargetsRun(now=now, before=before, changed=changed)
