"""Indicator filings: the template, intake validation (one test per malformed filing, with its exact message),
unit conversion, revisions, the prepare integration and the FX-loan indicator.

The definitions are the shipped data/targets/ files; the plan's text is /work/shared/seed (quotes checked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from research_kit import paths
from research_kit.data import DataValidationError, prepare, write_raw_manifest
from research_kit.data.indicators import (
    CITY,
    COLUMNS,
    SHEET,
    UnitError,
    convert_value,
    fx_loan_issuance,
    fx_loan_issuance_total,
    latest_as_of,
    load_definitions,
    read_filings,
    write_template,
)

ROOT = paths.project_root()
SEED = Path("/work/shared/seed/000_ed6b553b9d2717a2.txt")


def fill(path: Path, rows: list[dict], *, filed: object = dt.datetime(2025, 7, 15), kind: str = "正式报送") -> Path:
    """Fill a template the way a department does: B2 date, D2 kind, one row per dict (template row or appended)."""
    wb = load_workbook(path)
    ws = wb[SHEET]
    ws["B2"], ws["D2"] = filed, kind
    col = {name: i for i, name in enumerate(COLUMNS, start=1)}
    index = {(ws.cell(r, 1).value, ws.cell(r, 6).value): r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value}
    last = max(index.values())
    used: set[int] = set()
    for rec in rows:
        r = index.get((rec["指标代码"], rec.get("县（市、区）", CITY)))
        if r is None or r in used:
            last += 1
            r = last
        used.add(r)
        for k, v in rec.items():
            ws.cell(r, col[k], v)
    wb.save(path)
    return path


def good_row(**kw: object) -> dict:
    row = {"指标代码": "ftz_fund", "责任单位": "金义新区（金东区）", "报告期": "2025-06", "数值": 31.5, "单位": "亿元",
           "数据来源": "基金管理人报表"}
    row.update(kw)
    return row


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "template.xlsx", period="2025-06")


@pytest.fixture
def blank(template, tmp_path) -> Path:
    return Path(shutil.copy(template, tmp_path / "filing.xlsx"))


# --------------------------------------------------------------------------- definitions
def test_milestones_quote_the_plan_and_fix_the_attributions():
    defs = load_definitions()
    text = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8")) if SEED.is_file() else None
    m = defs.milestones
    for rec in m.to_dict("records"):
        if text is not None:
            assert re.sub(r"\s+", "", rec["quote"]) in text, rec["id"]
    # 力争 2023 年底前落地试点企业 1 家 is task 9 (cash pool), not task 3 (QFLP)
    assert (m.loc["cash_pool_pilot", "task"], m.loc["cash_pool_pilot", "deadline"]) == ("9", "2023-12")
    assert m.loc["qflp_pilot", "task"] == "3" and "2023" not in m.loc["qflp_pilot", "deadline"]
    assert "国有" in m.loc["first_state_leasing_company", "milestone_zh"]
    assert {f"competitive_deposits_{y}" for y in (2023, 2024, 2025)} <= set(m.index)
    assert (m.loc["competitive_deposits_2024", ["kind", "threshold", "unit"]].tolist() == ["threshold", 20.0, "亿元"])
    assert {"high_level_opening_pilot", "zhezhong_ifc_construction", "future_wealth_centre",
            "yiwu_silk_road_phase1"} <= set(m.index)
    if text is not None:  # the plan's 2023 sentence sits in task 9's paragraph, before task 10 starts
        t9, t10 = text.index("9.争取跨国公司本外币一体化资金池"), text.index("10.推动新型离岸")
        assert t9 < text.index("力争2023年底前落地试点企业1家") < t10


def test_fx_loan_target_is_cumulative_issuance_and_hedging_ratio_is_defined():
    t = load_definitions().targets
    fx = t.loc["fx_loans_individual"]
    assert (fx["kind"], fx["window_start"], fx["unit"], fx["target"]) == ("cumulative", "2022-01", "亿美元", 3.0)
    assert "发放额" in fx["definition_zh"] and "不是余额" in fx["definition_zh"]
    assert "按企业计" in t.loc["fx_hedging_ratio", "definition_zh"]
    assert "GDP" not in t.loc["unified_accounts_turnover_cny", "note"]


def test_exchange_rates_have_source_and_both_measures_for_every_month():
    r = load_definitions().fx_rates
    assert list(r.index.astype(str)) == [str(p) for p in pd.period_range("2022-01", "2025-12", freq="M")]
    assert r["avg_cny_per_usd"].between(6, 8).all() and r["end_cny_per_usd"].between(6, 8).all()
    assert (r["source"] != "").all() and (r["status"] == "illustrative").all()


@pytest.mark.parametrize("value, unit, to, period, flow, expected", [
    (12_500.0, "万元", "亿元", None, False, 1.25),
    (3.0, "亿美元", "万美元", None, False, 30_000.0),
    (2.5, "万户", "户", None, False, 25_000.0),
    # 7.10 CNY/USD at end-2024-06 (fx_rates.csv): 71,000 万元 = 1 亿美元
    (71_000.0, "万元", "亿美元", pd.Period("2024-06", "M"), False, 71_000 * 1e4 / 7.13 / 1e8),
    # flows: mean of the monthly averages of 2024-04..06 = (7.10 + 7.11 + 7.12) / 3
    (1.0, "亿美元", "亿元", pd.Period("2024-06", "M"), True, 7.11),
])
def test_convert_value(value, unit, to, period, flow, expected):
    got, how = convert_value(value, unit, to, period=period, flow=flow, rates=load_definitions().fx_rates)
    assert got == pytest.approx(expected, rel=1e-12)
    assert how and unit in how and to in how


@pytest.mark.parametrize("unit, to", [("家", "亿元"), ("吨", "亿元"), ("万美元", "万户")])
def test_convert_value_refuses_other_quantities(unit, to):
    with pytest.raises(UnitError):
        convert_value(1.0, unit, to, period=pd.Period("2024-06", "M"), rates=load_definitions().fx_rates)


# --------------------------------------------------------------------------- template
def test_template_layout_validation_and_protection(template):
    wb = load_workbook(template)
    assert wb.sheetnames[:2] == [SHEET, "填报说明"] and wb["选项"].sheet_state == "hidden"
    ws = wb[SHEET]
    assert tuple(c.value for c in ws[4]) == COLUMNS
    defs = load_definitions()
    codes = [ws.cell(r, 1).value for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value]
    n_county = int(defs.targets["county_level"].sum())
    assert len(codes) == len(defs.ids) + 8 * n_county  # county-level indicators: one row per county
    fx_rows = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == "fx_loans_individual"]
    assert len(fx_rows) == 9 and ws.cell(fx_rows[0], 3).value == defs.targets.loc["fx_loans_individual", "definition_zh"]
    assert all(ws.cell(r, 7).value == "2025-06" for r in fx_rows)
    assert ws.protection.sheet and ws["A4"].protection.locked and not ws["H5"].protection.locked
    refs = {str(dv.sqref).split()[0][:1]: dv.type for dv in ws.data_validations.dataValidation}
    assert refs["D"] == "list" and refs["G"] == "list" and refs["F"] == "list" and refs["H"] == "decimal"
    guide = " ".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value)
    assert "报告期" in guide and "备注" in guide and "责任单位" in guide


def test_template_refuses_a_malformed_period(tmp_path):
    with pytest.raises(ValueError, match="not a month"):
        write_template(tmp_path / "t.xlsx", period="2025-13")


# --------------------------------------------------------------------------- intake
def test_a_good_filing_is_read_with_conversion_recorded(blank):
    f = fill(blank, [good_row(数值=315_000, 单位="万元"),
                     good_row(指标代码="fx_loans_individual", **{"县（市、区）": "义乌市"}, 数值=1234.5, 单位="万美元",
                              责任单位="人行金华市中心支行"),
                     good_row(指标代码="cash_pool_pilot", 数值="否", 单位=None, 责任单位="人行金华市中心支行"),
                     good_row(指标代码="qflp_pilot", 数值=dt.datetime(2024, 5, 20), 单位=None, 责任单位="市金融办"),
                     good_row(指标代码="listed_firms", **{"县（市、区）": "永康市"}, 数值=None, 备注="数据尚未发布",
                              责任单位="市金融办")])
    res = read_filings([f])
    assert res.problems == []
    d = res.frame.set_index(["indicator", "county"])
    assert d.loc[("ftz_fund", CITY), "value"] == pytest.approx(31.5)
    assert d.loc[("ftz_fund", CITY), "conversion"].startswith("315000 万元 = 31.5 亿元")
    assert d.loc[("fx_loans_individual", "义乌市"), "value"] == pytest.approx(0.12345)
    assert not d.loc[("cash_pool_pilot", CITY), "done"] and d.loc[("qflp_pilot", CITY), "done_date"] == "2024-05-20"
    assert np.isnan(d.loc[("listed_firms", "永康市"), "value"]) and d.loc[("listed_firms", "永康市"), "note"] == "数据尚未发布"
    assert set(res.frame["filed_at"]) == {"2025-07-15"}
    assert len(res.frame) == 5  # untouched template rows are skipped


MALFORMED = {
    "unknown indicator": (
        good_row(指标代码="fx_loan_total", 数值=2.0), "指标代码", "2",
        "unknown indicator code 'fx_loan_total': it is not defined in data/targets (targets_2025.csv or "
        "milestones.csv); use the codes of the template", "fx_loan_total", "fx_loan_total"),
    "unconvertible unit": (
        good_row(单位="吨"), "单位", "31.5",
        "unconvertible unit: unknown unit '吨'; expected 亿元 or a unit convertible to it; file the value in 亿元 "
        "(or a unit of the same currency or count)", "吨", "ftz_fund"),
    "out of range": (
        good_row(数值=-3), "数值", "-3",
        "value out of range: expected 0 to 300 亿元 per row (data/targets: max_filed); check the number and its unit",
        "-3 亿元", "ftz_fund"),
    "out of range after conversion": (
        good_row(数值=31_500_000, 单位="万元"), "数值", "31500000",
        "value out of range: expected 0 to 300 亿元 per row (data/targets: max_filed); check the number and its unit",
        "31500000 万元 = 3150 亿元", "ftz_fund"),
    "malformed period": (
        good_row(报告期="2025年13月"), "报告期", "31.5",
        "malformed reporting period: expected a month YYYY-MM (e.g. 2025-06)", "2025年13月", "ftz_fund"),
    "period after the filing date": (
        good_row(报告期="2025-09"), "报告期", "31.5",
        "malformed reporting period: expected a month YYYY-MM (not after the filing date 2025-07-15)", "2025-09",
        "ftz_fund"),
    "missing 责任单位": (
        good_row(责任单位=None), "责任单位", "31.5",
        "责任单位 is empty; fill in the unit that reports this value", "31.5", "ftz_fund"),
    "empty 数值 without reason": (
        good_row(数值=None), "数值", "",
        "数值 is empty and 备注 does not say why; fill in the value, or leave it empty and give the reason in 备注 "
        "(e.g. 数据尚未发布)", "", "ftz_fund"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_each_malformed_filing_is_rejected_with_its_exact_message(blank, case):
    row, column, value, message, found, indicator = MALFORMED[case]
    f = fill(blank, [row])
    res = read_filings([f])
    assert len(res.problems) == 1, [str(p) for p in res.problems]
    ws = load_workbook(f)[SHEET]
    n = next(r for r in range(5, ws.max_row + 1)
             if ws.cell(r, 1).value == row["指标代码"] and ws.cell(r, 10).value == row["数据来源"])
    text = str(res.problems[0])
    row_no = res.problems[0].rows[0]
    assert row_no == n
    assert text == (f"{f}, sheet 填报, column {column}, row {row_no}: indicator {indicator}, 数值 {value!r}: "
                    f"{message}. Found: {found!r}")
    assert res.frame.empty


def test_a_duplicate_in_one_file_names_both_rows(blank):
    f = fill(blank, [good_row(), good_row(数值=32.0)])
    res = read_filings([f])
    assert len(res.problems) == 1
    p = res.problems[0]
    assert p.column == "指标代码" and len(p.rows) == 2 and p.values == ("ftz_fund",)
    assert str(p) == (f"{f}, sheet 填报, column 指标代码, rows {p.rows[0]}, {p.rows[1]}: indicator ftz_fund, 数值 '32': "
                      f"县（市、区） 全市, 报告期 2025-06 is filed twice in this file (rows {p.rows[0]} and {p.rows[1]}); "
                      "keep one row (a correction goes in a later filing). Found: 'ftz_fund'")


def test_a_missing_filing_date_and_a_renamed_sheet_are_rejected(blank, tmp_path):
    f = fill(blank, [good_row()], filed=None)
    assert "填报日期 is missing or not a date" in str(read_filings([f]).problems[0])
    wb = load_workbook(f)
    wb[SHEET].title = "Sheet1"
    wb.save(tmp_path / "renamed.xlsx")
    assert "sheet '填报' not found" in str(read_filings([tmp_path / "renamed.xlsx"]).problems[0])


def test_revisions_supersede_and_both_versions_stay(template, tmp_path):
    a = fill(Path(shutil.copy(template, tmp_path / "a.xlsx")), [good_row(数值=30.0)], filed=dt.datetime(2025, 7, 15))
    b = fill(Path(shutil.copy(template, tmp_path / "b.xlsx")), [good_row(数值=33.0, 备注="更正")],
             filed=dt.datetime(2025, 8, 5))
    h = read_filings([a, b]).frame
    assert h["value"].tolist() == [30.0, 33.0] and h["file"].str.endswith(("a.xlsx", "b.xlsx")).all()
    assert latest_as_of(h, "2025-07-31")["value"].tolist() == [30.0]
    now = latest_as_of(h)
    assert now["value"].tolist() == [33.0] and bool(now["revised"].iloc[0]) and int(now["n_versions"].iloc[0]) == 2


# --------------------------------------------------------------------------- prepare
def _project(dest: Path) -> Path:
    (dest / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "raw", dest / "data" / "raw")
    shutil.copytree(ROOT / "data" / "targets", dest / "data" / "targets")
    shutil.copy(ROOT / "data" / "catalog.yaml", dest / "data" / "catalog.yaml")
    return dest


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*")) if p.is_file()}


@pytest.mark.slow
def test_prepare_refuses_a_malformed_filing_and_writes_nothing(template, tmp_path):
    root = _project(tmp_path / "project")
    prepare(root=root, names=["indicator_filings"])
    before = _digest(root / "data" / "processed")
    bad = fill(Path(shutil.copy(template, root / "data/raw/indicators/2026Q1_bad.xlsx")), [good_row(单位="吨")],
               filed=dt.datetime(2026, 1, 20))
    write_raw_manifest(root=root)
    with pytest.raises(DataValidationError) as err:
        prepare(root=root)
    text = str(err.value)
    assert "nothing was written" in text and "data/raw/indicators/2026Q1_bad.xlsx, sheet 填报, column 单位" in text
    assert "indicator ftz_fund" in text and "Found: '吨'" in text
    assert _digest(root / "data" / "processed") == before
    bad.unlink()


def test_shipped_demo_filings_are_synthetic_and_hold_what_the_issue_asks():
    f = read_filings(sorted((ROOT / "data/raw/indicators").glob("*.xlsx")), root=ROOT)
    assert f.problems == []
    h = f.frame
    assert (h["synthetic"]).all()
    assert h["filed_at"].min() >= "2023-04-01" and h["period"].str[:4].isin(["2022", "2023", "2024", "2025"]).all()
    assert h["responsible"].nunique() >= 5  # several departments
    assert (latest_as_of(h)["revised"]).sum() >= 3  # revisions
    assert (h.loc[h["indicator"] == "ftz_fund", "unit_filed"] == "万元").all()  # 万元 against a target in 亿元
    cash = h.loc[h["indicator"] == "cash_pool_pilot"]
    assert not cash["done"].any() and cash["period"].max() >= "2024-03"  # overdue milestone


# --------------------------------------------------------------------------- FX-loan indicator
def test_fx_issuance_is_the_sum_of_positive_balance_increases():
    loans = pd.DataFrame({"business_id": ["a"] * 4 + ["b"] * 2,
                          "month": pd.to_datetime(["2021-12-01", "2022-01-01", "2022-02-01", "2022-04-01",
                                                   "2022-03-01", "2022-04-01"]),
                          "fx_loan_balance": [5.0, 10.0, 4.0, 9.0, 20.0, 15.0]})
    firms = pd.DataFrame({"business_id": ["a", "b"], "county": ["330782", "330784"], "weight": [2.0, 1.0]})
    # a: +5 (2022-01), 0, +5 (2022-04 vs 2022-02) -> 10 x 2; b: +20 at first report (2022-03), 0 -> 20 x 1
    assert fx_loan_issuance_total(loans, firms) == pytest.approx(40 / 1e4)
    q = fx_loan_issuance(loans, firms, by_county=True)
    assert q.to_dict("list") == {"period": ["2022-03", "2022-03", "2022-06", "2022-06"],
                                 "county": ["330782", "330784", "330782", "330784"],
                                 "issued": pytest.approx([10 / 1e4, 20 / 1e4, 10 / 1e4, 0.0])}
