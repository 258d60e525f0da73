"""Bad inputs of issue 15 that `prepare` used to accept or describe wrongly: each fails with a precise problem.

Months after the delivery, encoding errors with their position, physical line numbers after quoted
multi-line cells, Parquet booleans in numeric columns, a deleted MANIFEST, a misplaced thousands
separator (``1,2345元``) and missing-value markers (``N/A``). As everywhere in ``prepare``: nothing is
written to ``data/processed`` when a problem is found.
"""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest
from data_fixtures import BUSINESS_HEADER, BUSINESS_ROWS, Project, csv_bytes, snapshot

from research_kit.data import DataValidationError, prepare, write_raw_manifest
from research_kit.data.readers import ReadError, detect_encoding, read_raw

BIZ, FX, PQ = "businesses.csv", "fx_loans_monthly.csv.gz", "true_effects.parquet"


def _problems(project: Project) -> list:
    before = snapshot(project.processed)
    with pytest.raises(DataValidationError) as info:
        prepare(project.root)
    assert snapshot(project.processed) == before  # nothing written
    return info.value.problems


def _one(project: Project, file: str) -> object:
    found = [p for p in _problems(project) if p.file.endswith(file)]
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------- months in the future

def test_registration_month_after_the_delivery_is_rejected(project: Project) -> None:
    prepare(project.root)
    project.cell("businesses", 2, "登记年月", "2099年1月")
    project.write()
    p = _one(project, BIZ)
    assert (p.column, p.rows, p.values) == ("登记年月", (4,), ("2099年1月",))
    assert "after the delivery" in p.message and time.strftime("%Y-%m") in p.message


def test_loan_month_after_the_delivery_is_rejected(project: Project) -> None:
    project.cell("fx_loans", 3, "月份", "2031-05")
    project.write()
    p = _one(project, FX)
    assert (p.column, p.rows, p.values) == ("月份", (5,), ("2031-05",)) and "after the delivery" in p.message


def test_the_delivery_date_is_the_files_modification_month(project: Project) -> None:
    project.cell("businesses", 0, "登记年月", "2024年6月")
    project.write()
    stamp = pd.Timestamp("2024-05-20").timestamp()
    os.utime(project.raw / BIZ, (stamp, stamp))  # delivered in May 2024: June 2024 cannot be in it
    p = _one(project, BIZ)
    assert p.rows == (2,) and "2024-05" in p.message


def test_catalog_min_and_max_bound_a_month_column(project: Project) -> None:
    text = project.catalog_text().replace("        dtype: month\n        description: Month of registration.",
                                          "        dtype: month\n        min: 2000-01\n        max: 2020-12\n"
                                          "        description: Month of registration.")
    project.set_catalog(text)
    project.cell("businesses", 0, "登记年月", "1999年12月")
    project.write()
    problems = [p for p in _problems(project) if p.file.endswith(BIZ)]
    by_row = {p.rows: p.message for p in problems}
    assert set(by_row) == {(2,), (6,)}  # 1999-12 < 2000-01; 2021年1月 (line 6) > 2020-12
    assert "≥ 2000-01" in by_row[(2,)] and "≤ 2020-12" in by_row[(6,)]


# ---------------------------------------------------------------------------- encodings

def test_truncated_multibyte_character_names_its_position_and_cause(tmp_path) -> None:
    text = "主体编号,县市区\nGT000001,义乌市\nGT000002,东阳市\n".encode()
    path = tmp_path / "cut.csv"
    path.write_bytes(text[:-5])  # cut inside the last 市
    with pytest.raises(ReadError) as info:
        read_raw(path)
    message = str(info.value)
    assert "line 3" in message and f"byte {len(text) - 7}" in message
    assert "ends in the middle of a character" in message and "re-sent" in message


def test_gbk_file_with_one_utf8_line_names_the_line(tmp_path) -> None:
    lines = [",".join(BUSINESS_HEADER).encode("gbk")] + [",".join(r).encode("gbk") for r in BUSINESS_ROWS]
    lines[3] = ",".join(BUSINESS_ROWS[2]).encode("utf-8")  # one row pasted from a UTF-8 file
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(ReadError) as info:
        read_raw(path)
    message = str(info.value)
    assert "line 4" in message and "mixes" in message and "UTF-8" in message and "GBK" in message
    assert "big5" not in message  # the wrong fix is not suggested


def test_detect_encoding_still_decodes_good_files() -> None:
    assert detect_encoding("县市区".encode("gbk")) == "gb18030" and detect_encoding("县市区".encode()) == "utf-8"


# ---------------------------------------------------------------------------- line numbers

def test_line_numbers_are_physical_after_quoted_multiline_cells(project: Project) -> None:
    # line 2 holds a sector cell spanning three physical lines; the bad weight sits on physical line 7
    rows = [list(r) for r in BUSINESS_ROWS]
    body = csv_bytes(BUSINESS_HEADER, rows, encoding="gbk").decode("gbk").splitlines()
    body[1] = body[1].replace("小商品", '"小商品\n续行一\n续行二"')  # not a valid category, reported on line 2
    body[4] = body[4].replace(",60,", ",-1,")  # GT000004's weight: line 5 of the records, physical line 7
    project.overrides[BIZ] = ("\n".join(body) + "\n").encode("gbk")
    project.write()
    problems = {p.column: p for p in _problems(project) if p.file.endswith(BIZ)}
    assert problems["行业"].rows == (2,)
    assert problems["抽样权数"].rows == (7,)


# ---------------------------------------------------------------------------- Parquet booleans

def test_parquet_bool_in_a_numeric_column_is_rejected_like_xlsx_true(project: Project) -> None:
    df = project.tables["true_effects"]
    df["te_loan_access"] = [True, False, True]
    project.write()
    p = _one(project, PQ)
    assert p.column == "te_loan_access" and p.rows == (1, 2, 3) and "True" in p.values
    assert "TRUE/FALSE" in p.message


# ---------------------------------------------------------------------------- MANIFEST deleted

def test_deleting_the_manifest_is_loud_and_asks_for_research_kit_manifest(project: Project) -> None:
    write_raw_manifest(project.root)
    prepare(project.root)
    (project.raw / "MANIFEST").unlink()
    (p,) = _problems(project)
    assert p.file == "data/raw/MANIFEST" and "research-kit manifest" in p.message and "missing" in p.message
    write_raw_manifest(project.root)  # re-register: prepare works again
    prepare(project.root)


# ---------------------------------------------------------------------------- messages

def test_misplaced_thousands_separator_with_a_unit(project: Project) -> None:
    project.cell("businesses", 1, "上年出口额(万美元)", "1,2345万美元")
    project.write()
    p = _one(project, BIZ)
    assert p.values == ("1,2345万美元",) and "thousands separator" in p.message and "unknown unit" not in p.message


def test_na_marker_is_shown_with_its_value(project: Project) -> None:
    project.cell("businesses", 1, "登记年月", "N/A")
    project.cell("businesses", 3, "登记年月", "")
    project.write()
    problems = sorted((p for p in _problems(project) if p.file.endswith(BIZ)), key=lambda p: p.rows)
    assert [p.rows for p in problems] == [(3,), (5,)]
    assert problems[0].values == ("N/A",) and "missing-value marker" in problems[0].message
    assert "'N/A'" in str(problems[0]) and "blank cell" not in problems[0].message
    assert problems[1].values == () and "blank cell" in problems[1].message
