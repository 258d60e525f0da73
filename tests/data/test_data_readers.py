"""read_table: encodings, gzip, delimiters, XLSX header detection, Parquet."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from pathlib import Path

import pandas as pd
import pytest
from data_fixtures import ROLLOUT_HEADER, ROLLOUT_ROWS, xlsx_write

from research_kit.data import ReadError, detect_encoding, read_table

TEXT = "县市区,金额,月份\n义乌市,12.5万元,2023年1月\n金华市东阳市,\"1,234.50\",2023-02\n"


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16")],
)
@pytest.mark.parametrize("compressed", [False, True])
def test_csv_encodings(tmp_path: Path, encoding: str, detected: str, compressed: bool):
    blob = TEXT.encode(encoding)
    path = tmp_path / ("t.csv.gz" if compressed else "t.csv")
    path.write_bytes(gzip.compress(blob) if compressed else blob)
    df = read_table(path, as_text=True)
    assert list(df.columns) == ["县市区", "金额", "月份"]
    assert df.values.tolist() == [["义乌市", "12.5万元", "2023年1月"], ["金华市东阳市", "1,234.50", "2023-02"]]
    assert df.attrs["encoding"] == detected


@pytest.mark.parametrize(("sep", "suffix"), [("\t", ".tsv"), (";", ".csv"), ("|", ".txt")])
def test_csv_delimiter_detected(tmp_path: Path, sep: str, suffix: str):
    path = tmp_path / f"t{suffix}"
    path.write_text(f"a{sep}b\n001{sep}x\n", encoding="utf-8")
    assert read_table(path, as_text=True).values.tolist() == [["001", "x"]]


def test_csv_header_row_and_type_inference(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_text("金华市外汇贷款统计表\n主体编号,余额\nGT000001,12.5\n", encoding="utf-8")
    df = read_table(path, header_row=2)
    assert df["余额"].dtype == "float64" and df["主体编号"].tolist() == ["GT000001"]


@pytest.mark.parametrize("title", [True, False])
def test_xlsx_header_detected(tmp_path: Path, title: bool):
    path = tmp_path / "r.xlsx"
    xlsx_write(path, ROLLOUT_HEADER, ROLLOUT_ROWS, title=title)
    df = read_table(path)
    assert list(df.columns) == ROLLOUT_HEADER
    assert df.attrs["header_row"] == (3 if title else 1)
    assert df.attrs["sheet"] == "开办情况"
    assert df["开办时间"].iloc[1] == dt.datetime(2023, 6, 1)
    assert len(df) == 4


def test_xlsx_sheet_by_index_and_missing_sheet(tmp_path: Path):
    path = tmp_path / "r.xlsx"
    xlsx_write(path, ROLLOUT_HEADER, ROLLOUT_ROWS)
    assert len(read_table(path, sheet=0, header_row=3)) == 4
    with pytest.raises(ReadError, match="sheet 'x' not found; the workbook has sheets: 开办情况"):
        read_table(path, sheet="x")


def test_parquet(tmp_path: Path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_parquet(path)
    assert read_table(path)["a"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("name", "blob", "fragment"),
    [
        ("e.csv", b"", "the file is empty"),
        ("e.csv", b"\n\n", "the file is empty"),
        ("e.xlsx", b"", "the file is empty"),
        ("e.parquet", b"", "the file is empty"),
        ("x.csv.gz", b"not gzip", "not a valid gzip file"),
        ("x.xlsx", b"not a zip", "not a readable .xlsx workbook"),
        ("x.parquet", b"not parquet", "not a readable Parquet file"),
        ("x.xls", b"\xd0\xcf", "legacy .xls workbooks are not supported"),
        ("x.json", b"{}", "unknown file type"),
        ("x.csv", "a,b\n1,2,3,4\n".encode(), "not a well-formed table"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, blob: bytes, fragment: str):
    path = tmp_path / name
    path.write_bytes(blob)
    with pytest.raises(ReadError, match=re.escape(fragment)):
        read_table(path)


def test_detect_encoding_gbk_vs_utf8():
    assert detect_encoding("开户银行".encode("gbk")) == "gb18030"
    assert detect_encoding("开户银行".encode("utf-8")) == "utf-8"
    with pytest.raises(ReadError, match="neither UTF-8 nor GBK"):
        detect_encoding(b"\x80\xff")


def test_missing_file(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="file not found"):
        read_table(tmp_path / "nope.csv")
