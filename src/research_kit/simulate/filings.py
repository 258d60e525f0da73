"""SYNTHETIC demo filings of the plan's indicators: filled reporting templates in ``data/raw/indicators/``.

:func:`write_demo_filings` fills the template of :func:`research_kit.data.indicators.write_template`
the way departments would, quarterly from 2023Q1 to 2025Q4, one workbook per lead unit
and quarter, filed 15 days after the quarter ends (数据性质 = 模拟演示数据). No number
describes a real indicator of Jinhua.

* Values: the quarterly sums (flows) or quarter-end values (stocks) of
  :func:`research_kit.simulate.indicators.target_indicators_demo` (seed 20221230). The
  first filing of each unit (2023Q1) also reports the quarters of 2022 (the base year
  of trade-finance growth and the start of the FX-loan window).
* FX loans to individual businesses (``fx_loans_individual``, by county): not simulated
  here but computed from the FX-loans demo data with
  :func:`research_kit.data.indicators.fx_loan_issuance` — the same function the FX-loans
  paper calls — and filed in 万美元 against a target in 亿美元.
* Listed and listing-reserve firms are filed by county (fixed county shares, rounded).
* The FTZ fund (target in 亿元) is filed in 万元.
* Revisions: the 2025Q1 filing of 人行金华市中心支行 corrects China–Africa RMB settlement of
  2024Q4 (+8%); the 2024Q4 filing of 市金融办 corrects Yiwu's listed firms of 2024Q3; a
  separate correction file of 市商务局 (filed 2025-08-05) revises the direct-link business of 2025Q2.
* Milestones: the task-9 cash-pool firm is never reported done (overdue since 2024-01);
  the others are done on the dates in :data:`MILESTONE_DONE`; competitive deposits
  (task 23) are filed in each fourth-quarter filing.
* The hedging ratio has no 2022 statistics: those rows are empty with the reason in 备注.

Run ``python -m research_kit.simulate.filings`` from the project root after
``research-kit prepare`` (it reads the processed FX-loans data), then ``research-kit manifest``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["COUNTY_SHARES", "DEPARTMENT_FILES", "MILESTONE_DONE", "demo_filing_rows", "write_demo_filings"]

#: lead unit -> file-name code
DEPARTMENT_FILES = {"人行金华市中心支行": "pbc", "市金融办": "finance_office", "金义新区（金东区）": "jinyi",
                    "市商务局": "commerce", "市交投集团": "transport_group", "市城投集团": "urban_investment",
                    "义乌市": "yiwu", "市财政局": "finance_bureau"}
#: milestone -> completion date in the demo (None: never done — overdue)
MILESTONE_DONE = {"cash_pool_pilot": None, "qflp_pilot": "2024-05-20", "high_level_opening_pilot": "2025-04-18",
                  "first_factoring_company": "2023-11-08", "first_state_leasing_company": "2025-09-26",
                  "zhezhong_ifc_construction": "2025-05-30", "future_wealth_centre": "2025-12-15",
                  "yiwu_silk_road_phase1": "2025-11-28"}
DEPOSITS = {2023: 20.0, 2024: 22.0, 2025: 20.0}
#: county shares of the county-filed counts (sum 1)
COUNTY_SHARES = {"婺城区": 0.12, "金东区": 0.08, "兰溪市": 0.07, "东阳市": 0.14, "义乌市": 0.27, "永康市": 0.14,
                 "浦江县": 0.06, "武义县": 0.06, "磐安县": 0.06}
SOURCE = "模拟演示数据（research_kit.simulate.filings）"
QUARTERS = pd.period_range("2023Q1", "2025Q4", freq="Q")


def _month(q: pd.Period) -> str:
    return str(q.asfreq("M", how="end"))


def _filed(q: pd.Period) -> str:
    return (q.end_time.normalize() + pd.Timedelta(days=15)).strftime("%Y-%m-%d")


def _quarterly(series: pd.DataFrame, kind: str) -> pd.Series:
    s = series.set_index("period")["value"]
    idx = pd.PeriodIndex(s.index, freq=series["freq"].iloc[0])
    s.index = idx
    if series["freq"].iloc[0] == "M":
        s = s.groupby(idx.asfreq("Q")).sum() if kind in ("cumulative", "annual_growth") else s.groupby(idx.asfreq("Q")).last()
        counts = pd.Series(idx.asfreq("Q")).value_counts()
        s = s.loc[[q for q in s.index if counts.get(q, 0) == 3]]  # complete quarters only
    return s


def _split_counts(total: float) -> dict[str, int]:
    raw = {c: total * w for c, w in COUNTY_SHARES.items()}
    out = {c: int(np.floor(v)) for c, v in raw.items()}
    rest = int(round(total)) - sum(out.values())
    for c in sorted(raw, key=lambda c: raw[c] - out[c], reverse=True)[:max(rest, 0)]:
        out[c] += 1
    return out


def demo_filing_rows(loans: pd.DataFrame, businesses: pd.DataFrame, *, seed: int = 20221230,
                     root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every demo row: file, filed_at, indicator, county, period, value (as filed), unit, note, responsible."""
    from research_kit.data.indicators import fx_loan_issuance, load_definitions
    from research_kit.simulate.indicators import target_indicators_demo

    defs = load_definitions(root)
    t = defs.targets
    tt = t.assign(window_start=t["window_start"].replace("", None))
    sim = target_indicators_demo(tt, as_of="2025-12", start="2022-01", seed=seed)
    rows: list[dict[str, object]] = []

    def add(key: str, q: pd.Period, county: str, value: object, unit: str, note: str = "") -> None:
        lead = t.loc[key, "lead"] if key in t.index else defs.milestones.loc[key, "lead"]
        rows.append({"indicator": key, "quarter": q, "county": county, "period": _month(q), "value": value,
                     "unit": unit, "note": note, "lead": lead})

    for key, rec in t.iterrows():
        unit = str(rec["filing_unit"])
        if key == "fx_loans_individual":
            fx = fx_loan_issuance(loans, businesses, start="2022-01", end="2025-12", freq="Q", by_county=True)
            from research_kit.data.counties import COUNTIES

            for r in fx.itertuples():
                add(key, pd.Period(r.period, freq="Q"), str(COUNTIES.loc[r.county, "name_zh"]),
                    round(r.issued * 1e4, 2), "万美元")
            continue
        s = _quarterly(sim.loc[sim["id"] == key], rec["kind"])
        for q, v in s.items():
            if q < pd.Period("2022Q1", freq="Q"):
                continue
            if rec["county_level"]:
                for county, n in _split_counts(v).items():
                    add(key, q, county, n, unit)
            elif key == "ftz_fund":
                add(key, q, "全市", round(v * 1e4, 2), "万元")
            elif unit in ("家",):
                add(key, q, "全市", int(round(v)), unit)
            else:
                add(key, q, "全市", round(float(v), 4), unit)
        if key == "fx_hedging_ratio":
            for q in pd.period_range("2022Q1", "2022Q4", freq="Q"):
                if not s.index.isin([q]).any():
                    add(key, q, "全市", None, unit, "2022 年未建立小微企业汇率避险统计，无数据")
    for key, date in MILESTONE_DONE.items():
        for q in QUARTERS:
            done = date is not None and pd.Timestamp(date) <= q.end_time
            if date is not None and pd.Period(date, freq="Q") < q:
                continue  # reported once when done
            note = "已在芯片创新园区形成 30 余家类金融企业集聚（模拟）" if key == "future_wealth_centre" and done else ""
            add(key, q, "全市", date if done else "否", "")
    for year, amount in DEPOSITS.items():
        add(f"competitive_deposits_{year}", pd.Period(f"{year}Q4", freq="Q"), "全市", amount, "亿元")
    out = pd.DataFrame(rows)
    # regular filings: quarter q filed 15 days after it ends; 2022 rows go with the first (2023Q1) filing
    out["filing_quarter"] = out["quarter"].where(out["quarter"] >= QUARTERS[0], QUARTERS[0])
    out["correction"] = False
    # revisions
    extra = []
    for key, county, q, q_file, factor in (("china_africa_rmb", "全市", "2024Q4", "2025Q1", 1.08),
                                           ("listed_firms", "义乌市", "2024Q3", "2024Q4", None)):
        base = out.loc[(out["indicator"] == key) & (out["county"] == county) & (out["quarter"] == pd.Period(q, "Q"))]
        r = base.iloc[0].to_dict()
        r.update(filing_quarter=pd.Period(q_file, "Q"), note="更正上期数据",
                 value=round(float(r["value"]) * factor, 4) if factor else int(r["value"]) + 1)
        extra.append(r)
    base = out.loc[(out["indicator"] == "ecommerce_direct_link") & (out["quarter"] == pd.Period("2025Q2", "Q"))]
    r = base.iloc[0].to_dict()
    r.update(value=round(float(r["value"]) * 0.9, 4), note="更正：剔除重复统计的业务", correction=True)
    extra.append(r)
    out = pd.concat([out, pd.DataFrame(extra)], ignore_index=True)
    code = out["lead"].map(DEPARTMENT_FILES)
    out["file"] = [f"{fq}_{c}{'_correction' if corr else ''}.xlsx"
                   for fq, c, corr in zip(out["filing_quarter"].astype(str), code, out["correction"])]
    out["filed_at"] = [("2025-08-05" if corr else _filed(fq)) for fq, corr in zip(out["filing_quarter"], out["correction"])]
    return out.drop(columns=["quarter"])


def _workbook(rows: pd.DataFrame, filed_at: str, root: str | os.PathLike[str] | None) -> bytes:
    import tempfile

    from openpyxl import load_workbook

    from research_kit.data.indicators import write_template
    from research_kit.data.indicators.template import HEADER_ROW
    from research_kit.simulate._raw import _FIXED, _freeze_zip

    with tempfile.TemporaryDirectory() as d:
        path = write_template(Path(d) / "t.xlsx", root=root)
        wb = load_workbook(path)
    ws = wb["填报"]
    ws["B2"] = pd.Timestamp(filed_at).to_pydatetime()
    ws["D2"] = "模拟演示数据"
    index = {}
    last = HEADER_ROW
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        code, county = ws.cell(r, 1).value, ws.cell(r, 6).value
        if code:
            index[(code, county)] = r
            last = r
    used: set[int] = set()
    for rec in rows.sort_values(["indicator", "county", "period"]).to_dict("records"):
        r = index.get((rec["indicator"], rec["county"]))
        if r is None or r in used:
            last += 1
            r = last
            ws.cell(r, 1, rec["indicator"])
            ws.cell(r, 6, rec["county"])
        used.add(r)
        ws.cell(r, 4, rec["unit"] or ws.cell(r, 4).value)
        ws.cell(r, 5, rec["lead"])
        ws.cell(r, 7, rec["period"])
        value = rec["value"]
        ws.cell(r, 8, None if value is None or (isinstance(value, float) and np.isnan(value)) else value)
        ws.cell(r, 9, rec["note"] or None)
        ws.cell(r, 10, SOURCE)
    wb.properties.created = _FIXED
    wb.properties.modified = _FIXED
    buf = io.BytesIO()
    wb.save(buf)
    return _freeze_zip(buf.getvalue())


def write_demo_filings(directory: str | os.PathLike[str] | None = None, *, loans: pd.DataFrame | None = None,
                       businesses: pd.DataFrame | None = None, seed: int = 20221230,
                       root: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write the SYNTHETIC demo filings (default folder: ``data/raw/indicators``); returns the files written.

    ``loans`` and ``businesses`` default to the processed ``fx_loans`` and ``businesses`` datasets.
    """
    from research_kit import paths
    from research_kit.data import load

    if loans is None or businesses is None:
        loans, businesses = load("fx_loans", root), load("businesses", root)
    out = Path(directory) if directory is not None else paths.raw_dir(root) / "indicators"
    out.mkdir(parents=True, exist_ok=True)
    rows = demo_filing_rows(loans, businesses, seed=seed, root=root)
    written = []
    for (file, filed_at), g in rows.groupby(["file", "filed_at"], sort=True):
        (out / file).write_bytes(_workbook(g, filed_at, root))
        written.append(out / file)
    return written


if __name__ == "__main__":  # pragma: no cover
    for p in write_demo_filings():
        print(f"wrote {p}")
