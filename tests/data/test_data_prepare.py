"""prepare(): malformed inputs (a spec grid) must fail with the exact problems and leave
data/processed untouched; well-formed variants must succeed and decode correctly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from data_fixtures import BUSINESS_HEADER, FX_HEADER, Project, snapshot

from research_kit.data import DataValidationError, load, prepare, sha256_file, write_raw_manifest

BIZ, FX, XLSX, PQ = "businesses.csv", "fx_loans_monthly.csv.gz", "fx_programme_rollout.xlsx", "true_effects.parquet"


@dataclass(frozen=True)
class Expect:
    """One expected problem: file name, column header, user-visible rows, message fragment."""

    file: str
    column: str | None
    rows: tuple[int, ...]
    fragment: str
    values: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Bad:
    id: str
    edit: Callable[[Project], Any]
    expected: tuple[Expect, ...]
    after_write: Callable[[Project], Any] | None = None


def _append_fx(p: Project, row: list[str]) -> None:
    p.tables["fx_loans"].append(row)


def _register_then_change(p: Project) -> None:
    write_raw_manifest(p.root)  # the good files as delivered
    p.cell("businesses", 0, "抽样权数", "121")


def _register_without_effects(p: Project) -> None:
    write_raw_manifest(p.root)
    manifest = p.raw / "MANIFEST"
    manifest.write_text("".join(line + "\n" for line in manifest.read_text().splitlines() if PQ not in line))


def _several(p: Project) -> None:
    p.cell("businesses", 1, "县市区", "金华县")
    p.cell("fx_loans", 1, "融资成本(%)", "待定")
    p.cell("rollout", 1, "银行", "花旗银行")
    _append_fx(p, ["GT000009", "2023-01", "1", "1", "1", "1"])
    p.cell("businesses", 3, "登记年月", "2020年13月")


def _dup_effects(p: Project) -> None:
    df = p.tables["true_effects"]
    p.tables["true_effects"] = pd.concat([df, df.iloc[[0]]], ignore_index=True)


BAD = [
    Bad("missing_column", lambda p: p.drop_column("businesses", "行业"),
        (Expect(BIZ, "行业", (), "missing column: expected a column headed '行业'"),)),
    Bad("wrong_type_int", lambda p: p.cell("fx_loans", 2, "获得贷款", "0.5"),
        (Expect(FX, "获得贷款", (4,), "wrong type: expected a whole number", ("0.5",)),)),
    Bad("duplicate_key_after_normalizing_month", lambda p: _append_fx(p, ["GT000002", "2023年1月", "1", "1", "1", "1"]),
        (Expect(FX, "主体编号, 月份", (4, 8), "duplicate key (business_id, month)", ("GT000002 | 2023-01",)),)),
    Bad("unknown_county", lambda p: p.cell("businesses", 1, "县市区", "金华县"),
        (Expect(BIZ, "县市区", (3,), "unknown county: expected one of the 9 county-level divisions", ("金华县",)),)),
    Bad("text_in_numeric_column", lambda p: p.cell("fx_loans", 1, "融资成本(%)", "待定"),
        (Expect(FX, "融资成本(%)", (3,), "text in a numeric column", ("待定",)),)),
    Bad("empty_file", lambda p: p.overrides.update({BIZ: b""}),
        (Expect(BIZ, None, (), "the file is empty (0 bytes)"),)),
    Bad("header_only_file", lambda p: p.tables.update(fx_loans=[list(FX_HEADER)]),
        (Expect(FX, None, (), "header but no data rows"),)),
    Bad("currency_mismatch", lambda p: p.cell("businesses", 0, "上年出口额(万美元)", "12.5万元"),
        (Expect(BIZ, "上年出口额(万美元)", (2,), "currency mismatch: the column holds 万美元", ("12.5万元",)),)),
    Bad("impossible_dates", lambda p: (p.cell("fx_loans", 0, "月份", "2023年13月"), p.cell("fx_loans", 3, "月份", "2023-00")),
        (Expect(FX, "月份", (2, 5), "impossible date: the month must be 1–12", ("2023年13月", "2023-00")),)),
    Bad("negative_amount", lambda p: p.cell("fx_loans", 1, "外汇贷款余额(万美元)", "-3.5"),
        (Expect(FX, "外汇贷款余额(万美元)", (3,), "negative values are not allowed: expected ≥ 0 in 万美元", ("-3.5",)),)),
    Bad("value_above_range", lambda p: p.cell("fx_loans", 4, "融资成本(%)", "48"),
        (Expect(FX, "融资成本(%)", (6,), "value above the allowed range: expected ≤ 36 in %", ("48",)),)),
    Bad("value_not_greater_than_zero", lambda p: p.cell("businesses", 0, "抽样权数", "0"),
        (Expect(BIZ, "抽样权数", (2,), "expected > 0", ("0",)),)),
    Bad("unknown_category", lambda p: p.cell("businesses", 2, "行业", "玩具"),
        (Expect(BIZ, "行业", (4,), "unknown category value: expected one of 小商品, 五金机电", ("玩具",)),)),
    Bad("missing_required_value", lambda p: p.cell("businesses", 3, "登记年月", ""),
        (Expect(BIZ, "登记年月", (5,), "required value is missing"),)),
    Bad("foreign_key_violation", lambda p: _append_fx(p, ["GT000009", "2023-01", "1", "1", "1", "1"]),
        (Expect(FX, "主体编号", (8,), "foreign key violation: business_id not found in businesses.business_id", ("GT000009",)),)),
    Bad("raw_changed_vs_manifest", _register_then_change,
        (Expect(BIZ, None, (), "raw file changed since it was registered in data/raw/MANIFEST"),)),
    Bad("raw_changed_and_foreign_key_both_reported",
        lambda p: (_register_then_change(p), _append_fx(p, ["GT000009", "2023-01", "1", "1", "1", "1"])), (
            Expect(BIZ, None, (), "raw file changed since it was registered"),
            Expect(FX, None, (), "raw file changed since it was registered"),
            Expect(FX, "主体编号", (8,), "foreign key violation"),
        )),
    Bad("raw_not_in_manifest", lambda p: None,
        (Expect(PQ, None, (), "not registered in data/raw/MANIFEST"),), after_write=_register_without_effects),
    Bad("several_problems_at_once", _several, (
        Expect(BIZ, "县市区", (3,), "unknown county"),
        Expect(BIZ, "登记年月", (5,), "impossible date"),
        Expect(FX, "融资成本(%)", (3,), "text in a numeric column"),
        Expect(XLSX, "银行", (5,), "unknown category value"),
        Expect(FX, "主体编号", (8,), "foreign key violation"),
    )),
    Bad("id_pattern", lambda p: p.cell("businesses", 4, "主体编号", "GT12"),
        (Expect(BIZ, "主体编号", (6,), "does not match the expected pattern ^GT\\d{6}$", ("GT12",)),)),
    Bad("xlsx_unknown_bank_excel_row", lambda p: p.cell("rollout", 1, "银行", "花旗银行"),
        (Expect(XLSX, "银行", (5,), "unknown category value", ("花旗银行",)),)),
    Bad("xlsx_missing_county_excel_row", lambda p: p.cell("rollout", 2, "县市区", None),
        (Expect(XLSX, "县市区", (6,), "required value is missing"),)),
    Bad("xlsx_duplicate_county_bank", lambda p: p.cell("rollout", 1, "银行", "中国银行"),
        (Expect(XLSX, "县市区, 银行", (4, 5), "duplicate key (county, bank)", ("330782 | boc",)),)),
    Bad("xlsx_wrong_sheet", lambda p: setattr(p, "rollout_sheet", "Sheet1"),
        (Expect(XLSX, None, (), "sheet '开办情况' not found; the workbook has sheets: Sheet1"),)),
    Bad("raw_file_missing", lambda p: None,
        (Expect(PQ, None, (), "raw file not found"),), after_write=lambda p: (p.raw / PQ).unlink()),
    Bad("parquet_duplicate_rows", _dup_effects,
        (Expect(PQ, "business_id, month", (1, 4), "duplicate key"),)),
    Bad("malformed_thousands_separator", lambda p: p.cell("businesses", 1, "上年出口额(万美元)", "1,23"),
        (Expect(BIZ, "上年出口额(万美元)", (3,), "malformed thousands separator"),)),
    Bad("unknown_unit_suffix", lambda p: p.cell("fx_loans", 0, "出口收汇(万美元)", "12.5千"),
        (Expect(FX, "出口收汇(万美元)", (2,), "unknown unit suffix"),)),
    Bad("text_in_month_column", lambda p: p.cell("businesses", 0, "登记年月", "去年"),
        (Expect(BIZ, "登记年月", (2,), "not a month: expected e.g. 2023年1月"),)),
    Bad("undecodable_csv", lambda p: p.overrides.update({BIZ: ",".join(BUSINESS_HEADER).encode("gbk") + b"\n\x80\xff,x\n"}),
        (Expect(BIZ, None, (), "neither UTF-8 nor GBK/GB18030"),)),
]


def _matches(problem: Any, e: Expect) -> bool:
    return (
        problem.file.endswith("data/raw/" + e.file)
        and problem.column == e.column
        and problem.rows == e.rows
        and e.fragment in problem.message
        and (e.values is None or problem.values == e.values)
    )


@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_malformed_input_is_rejected_with_exact_problems(project: Project, case: Bad):
    prepare(project.root)  # a good previous state in data/processed
    before_processed = snapshot(project.processed)
    case.edit(project)
    project.write()
    if case.after_write is not None:
        case.after_write(project)
    before_raw = snapshot(project.raw)

    with pytest.raises(DataValidationError) as info:
        prepare(project.root)

    problems = info.value.problems
    for e in case.expected:
        assert any(_matches(p, e) for p in problems), f"missing {e}\ngot:\n{info.value}"
    assert len(problems) == len(case.expected), str(info.value)
    assert snapshot(project.processed) == before_processed
    assert snapshot(project.raw) == before_raw
    text = str(info.value)
    assert text.startswith(f"prepare stopped; nothing was written to data/processed ({len(problems)} problem")
    assert all(f"  {i}. data/raw/" in text for i in range(1, len(problems) + 1))


def test_problem_rows_are_reported_as_csv_lines_and_excel_rows(project: Project):
    project.cell("fx_loans", 0, "获得贷款", "是")
    project.cell("rollout", 3, "开办时间", "2024年0月")
    project.write()
    with pytest.raises(DataValidationError) as info:
        prepare(project.root)
    by_file = {p.file.rsplit("/", 1)[-1]: p for p in info.value.problems}
    assert (by_file[FX].row_kind, by_file[FX].rows) == ("line", (2,))
    assert (by_file[XLSX].row_kind, by_file[XLSX].rows) == ("row", (7,))
    assert "column 获得贷款 (loan_access), line 2: " in str(info.value)
    assert "column 开办时间 (start_month), row 7: impossible date" in str(info.value)


def test_many_offending_rows_are_listed_in_full_but_shown_truncated(project: Project):
    rows = [["GT000001", f"20{y}-{m:02d}", "1", "1", "99", "1"] for y in (20, 21) for m in range(1, 13)]
    project.tables["fx_loans"] = [list(FX_HEADER), *rows]
    project.write()
    with pytest.raises(DataValidationError) as info:
        prepare(project.root, names=["fx_loans"])
    (problem,) = info.value.problems
    assert problem.rows == tuple(range(2, 26))
    assert problem.values == ("99",)
    assert "lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 … (+14 more)" in str(problem)


EXPECTED_BUSINESSES = pd.DataFrame({
    "business_id": ["GT000001", "GT000002", "GT000003", "GT000004", "GT000005"],
    "county": ["330782", "330782", "330783", "330784", "330702"],
    "sector": ["small_commodities", "hardware", "textiles", "electronics", "food"],
    "size": ["micro", "small", "micro", "small", "micro"],
    "bank": ["boc", "icbc", "jhb", "rcb", "ccb"],
    "registered": pd.to_datetime(["2016-05-01", "2018-12-01", "2019-03-01", "2020-07-01", "2021-01-01"]).astype("datetime64[ns]"),
    "weight": [120.5, 80.0, 95.25, 60.0, 150.0],
    "exports_last_year": [1234.5, 12.3, 0.0, 45.6, 3.2],
    "uscc": ["92330782MALQ0REF4T", "92330782MAK8Y18BXD", "92330783MAHC410112", "92330784MA4Y5LP76P", "92330702MA8D8Y5U7W"],
})


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_encodings_decode_correctly(project: Project, encoding: str):
    project.encodings["businesses"] = encoding
    project.write()
    prepare(project.root)
    got = load("businesses", project.root)
    expected = EXPECTED_BUSINESSES.copy()
    assert list(got.columns) == list(expected.columns)
    for col in ("business_id", "sector", "size", "bank", "uscc"):
        assert got[col].astype(str).tolist() == expected[col].tolist()
        expected[col] = got[col]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert got["registered"].dtype == "datetime64[ns]"
    assert got["county"].map(type).eq(str).all()


def test_xlsx_with_header_on_row_3_is_read(project: Project):
    prepare(project.root)
    got = load("rollout", project.root)
    assert got["county"].tolist() == ["330782", "330782", "330783", "330784"]
    assert got["bank"].astype(str).tolist() == ["boc", "icbc", "jhb", "rcb"]
    assert got["start_month"].tolist()[:2] == [pd.Timestamp("2023-03-01"), pd.Timestamp("2023-06-01")]
    assert pd.isna(got["start_month"].iloc[2])
    assert got["start_month"].iloc[3] == pd.Timestamp("2024-01-01")
    assert got["note"].tolist()[1:3] == ["首批", "未开办"]


@pytest.mark.parametrize("title", [True, False])
def test_xlsx_header_row_from_catalog(project: Project, title: bool):
    project.rollout_title = title
    project.write()
    row = 3 if title else 1
    project.set_catalog(project.catalog_text().replace("{format: xlsx, sheet: 开办情况}", f"{{format: xlsx, sheet: 开办情况, header_row: {row}}}"))
    report = prepare(project.root, names="rollout")
    assert report["rollout"].rows == 4


def test_units_and_full_width_values_are_normalized(project: Project):
    project.cell("fx_loans", 0, "出口收汇(万美元)", "500美元")
    project.cell("fx_loans", 1, "出口收汇(万美元)", "１２，３４５．６")
    project.cell("fx_loans", 2, "出口收汇(万美元)", "0.1亿美元")
    project.cell("fx_loans", 3, "融资成本(%)", "6.8%")
    project.cell("fx_loans", 4, "月份", "2023M01")
    project.cell("fx_loans", 5, "月份", "202302")
    project.write()
    prepare(project.root)
    fx = load("fx_loans", project.root)
    np.testing.assert_allclose(fx["export_receipts"].iloc[:3], [0.05, 12345.6, 1000.0])
    assert fx["financing_cost"].iloc[3] == 6.8
    assert fx["month"].tolist() == list(pd.to_datetime(["2023-01-01", "2023-02-01"] * 3))
    assert fx["loan_access"].dtype == "int64"


def test_names_prepares_only_those_but_checks_foreign_keys(project: Project):
    report = prepare(project.root, names=["fx_loans"])
    assert [d.name for d in report.datasets] == ["fx_loans"]
    assert sorted(p.name for p in project.processed.glob("*.parquet")) == ["fx_loans.parquet"]
    _append_fx(project, ["GT000009", "2023-01", "1", "1", "1", "1"])
    project.write()
    with pytest.raises(DataValidationError, match="foreign key violation"):
        prepare(project.root, names="fx_loans")


def test_dry_run_writes_nothing(project: Project):
    before = snapshot(project.processed)
    report = prepare(project.root, dry_run=True)
    assert report.dry_run and report["fx_loans"].rows == 6
    assert snapshot(project.processed) == before


def test_raw_files_are_never_modified(project: Project):
    hashes = {p.name: sha256_file(p) for p in project.raw.iterdir()}
    prepare(project.root)
    assert {p.name: sha256_file(p) for p in project.raw.iterdir()} == hashes
