"""The catalog: the shipped data/catalog.yaml, strict checking of malformed catalogs,
and a custom catalog exercising options the demo data does not use."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from data_fixtures import REPO

from research_kit.data import CatalogError, DataValidationError, load, load_catalog, prepare


def test_shipped_catalog_declares_the_contract():
    cat = load_catalog(REPO)
    assert list(cat)[:4] == ["businesses", "fx_loans", "rollout", "true_effects"]
    sources = ["loan_ledger", "loan_repayments", "entity_registry", "safe_receipts", "hedging_contracts", "fx_rates",
               "true_effects_trade"]
    assert set(sources) <= set(cat)
    assert "indicator_filings" in cat
    assert [n for n in cat if not cat[n].synthetic] == ["ecny_pilot_areas"]  # real PBoC announcements
    assert cat["loan_ledger"].column("issue_date").dtype == "date" and cat["loan_ledger"].primary_key == ("loan_id",)
    assert set(cat["loan_ledger"].entity_keys) == {"loan_id", "borrower_name", "borrower_code"}
    assert cat["businesses"].entity_keys == ("business_id", "uscc")
    (fk,) = cat["loan_repayments"].foreign_keys
    assert (fk.dataset, fk.ref_columns) == ("loan_ledger", ("loan_id",))
    assert cat["fx_loans"].primary_key == ("business_id", "month")
    assert cat["rollout"].primary_key == ("county", "bank")
    (fk,) = cat["fx_loans"].foreign_keys
    assert (fk.columns, fk.dataset, fk.ref_columns) == (("business_id",), "businesses", ("business_id",))
    assert cat["businesses"].column("sector").values["小商品"] == "small_commodities"
    assert cat["businesses"].column("exports_last_year").source == "上年出口额(万美元)"
    assert cat["fx_loans"].units["fx_loan_balance"] == "万美元"
    assert cat["rollout"].reader.sheet == "开办情况"
    assert cat["rollout"].column("bank").values == cat["businesses"].column("bank").values


def _write(root: Path, text: str) -> Path:
    (root / "data" / "raw").mkdir(parents=True, exist_ok=True)
    (root / "data" / "catalog.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


BASE = """
schema_version: 1
datasets:
  d:
    description: test
    synthetic: true
    files: [d.csv]
    columns:
      x: {dtype: float}
"""


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("x: {dtype: float}", "x: {dtype: float, maxx: 3}", "column 'x': unknown key(s) maxx; allowed keys:"),
        ("x: {dtype: float}", "x: {dtype: money}", "dtype must be one of string, int, float, amount, month, date, county, category; got 'money'"),
        ("x: {dtype: float}", "x: {dtype: amount}", "amount columns need unit in 元"),
        ("x: {dtype: float}", "x: {dtype: amount, unit: 万元, source_unit: 美元}", "are different currencies"),
        ("x: {dtype: float}", "x: {dtype: category}", "category columns need `values`"),
        ("x: {dtype: float}", "x: {dtype: string, pattern: '(['}", "is not a valid regular expression"),
        ("x: {dtype: float}", "x: {dtype: float, min: low}", "min: expected a number, got 'low'"),
        ("    synthetic: true\n", "", "`synthetic: true|false` is required"),
        ("    files: [d.csv]\n", "", "`files` is required"),
        ("    files: [d.csv]", "    files: [d.csv]\n    primary_key: [y]", "primary_key: unknown column(s) y"),
        ("    files: [d.csv]", "    files: [d.csv]\n    reader: {header_row: 0}", "header_row is the 1-based row number"),
        ("    files: [d.csv]", "    files: [d.csv]\n    reader: {format: xls}", "format must be one of csv, xlsx, parquet"),
        ("    files: [d.csv]", "    files: [d.csv]\n    foreign_keys: [{columns: [x], references: {dataset: e, columns: [x]}}]",
         "foreign key references unknown dataset 'e'"),
        ("schema_version: 1", "schema_version: one", "`schema_version` (an integer) is required"),
    ],
)
def test_malformed_catalog(tmp_path: Path, old: str, new: str, fragment: str):
    text = textwrap.dedent(BASE)
    assert old in text
    root = _write(tmp_path, text.replace(old, new))
    with pytest.raises(CatalogError, match=None) as info:
        load_catalog(root)
    assert fragment in str(info.value)


def test_missing_catalog(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="dataset catalog not found"):
        load_catalog(tmp_path)


CUSTOM = """
schema_version: 1
datasets:
  loans:
    description: Monthly county loans (CNY), delivered in several files.
    synthetic: false
    files: ["loans_*.csv"]
    reader: {na_values: ["-", "—"]}
    primary_key: [county, month]
    columns:
      county: {source: 地区, dtype: county}
      month: {source: 统计月份, aliases: [月份], dtype: month}
      balance: {source: 贷款余额(万元), dtype: amount, unit: 万元, min: 0}
      deposits: {source: 存款(元), dtype: amount, unit: 亿元, source_unit: 元, required: false}
      code: {source: 编码, dtype: string, unique: true}
      grade: {source: 等级, dtype: int, min: 1, max: 5}
"""


def test_custom_catalog_units_globs_aliases_na_values(tmp_path: Path):
    root = _write(tmp_path, CUSTOM)
    raw = root / "data" / "raw"
    (raw / "loans_2023.csv").write_text(
        "地区,统计月份,贷款余额(万元),存款(元),编码,等级\n"
        "义乌,2023年1月,\"1,234.5\",200000000,A1,1\n"
        "金华市东阳市,2023年2月,12.5亿元,-,A2,2\n"
        "Lanxi,2023/3,3000元,—,A3,5\n",
        encoding="gbk",
    )
    (raw / "loans_2024.csv").write_text("地区,月份,贷款余额(万元),存款(元),编码,等级\n浦江县,2024M01,１２３，４５６．７,0.5亿元,A4,3\n", encoding="utf-8-sig")
    report = prepare(root)
    assert [p for p, _ in report["loans"].inputs] == ["data/raw/loans_2023.csv", "data/raw/loans_2024.csv"]
    df = load("loans", root)
    assert df["county"].tolist() == ["330726", "330781", "330782", "330783"]  # sorted by key
    np.testing.assert_allclose(df["balance"], [123456.7, 0.3, 1234.5, 125000.0])
    np.testing.assert_allclose(df["deposits"], [0.5, np.nan, 2.0, np.nan])
    assert df["month"].tolist() == list(pd.to_datetime(["2024-01-01", "2023-03-01", "2023-01-01", "2023-02-01"]))
    assert df.attrs["synthetic"] is False


def test_custom_catalog_problems_across_files(tmp_path: Path):
    root = _write(tmp_path, CUSTOM)
    raw = root / "data" / "raw"
    (raw / "loans_a.csv").write_text("地区,统计月份,贷款余额(万元),存款(元),编码,等级\n义乌,2023-01,1,1,A1,0\n东阳,2023-01,1,5美元,A2,1\n", encoding="utf-8")
    (raw / "loans_b.csv").write_text("地区,统计月份,贷款余额(万元),存款(元),编码,等级\n义乌市,2023年1月,1,1,A1,6\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        prepare(root)
    got = {(p.file, p.column, p.rows, p.message.split(":")[0]) for p in info.value.problems}
    assert got == {
        ("data/raw/loans_a.csv", "等级", (2,), "value below the allowed range"),
        ("data/raw/loans_a.csv", "存款(元)", (3,), "currency mismatch"),
        ("data/raw/loans_b.csv", "等级", (2,), "value above the allowed range"),
        ("data/raw/loans_a.csv", "地区, 统计月份", (2,), "duplicate key (county, month)"),
        ("data/raw/loans_b.csv", "地区, 统计月份", (2,), "duplicate key (county, month)"),
        ("data/raw/loans_a.csv", "编码", (2,), "duplicate value (code)"),
        ("data/raw/loans_b.csv", "编码", (2,), "duplicate value (code)"),
    }
