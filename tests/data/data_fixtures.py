"""Small raw fixtures (helpers; the ``project`` fixture is in conftest.py) in the exact formats of docs/demo_data_contract.md, written to a tmp project.

``project`` is a tmp project root holding a copy of the real ``data/catalog.yaml``
and the four raw files: businesses.csv (GBK), fx_loans_monthly.csv.gz (gzip,
UTF-8 with BOM), fx_programme_rollout.xlsx (title row, blank row, header on
row 3, sheet 开办情况) and true_effects.parquet. Tests edit ``project.tables``
and call ``project.write()`` to produce malformed variants.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import gzip
import io
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

REPO = Path(__file__).resolve().parents[2]

BUSINESS_HEADER = ["主体编号", "县市区", "行业", "规模", "开户银行", "登记年月", "抽样权数", "上年出口额(万美元)", "统一社会信用代码"]
BUSINESS_ROWS = [  # CSV lines 2..6; USCCs built with the GB 32100-2015 algorithm
    ["GT000001", "义乌市", "小商品", "微型", "中国银行", "2016年5月", "120.5", "1,234.50", "92330782MALQ0REF4T"],
    ["GT000002", "义乌", "五金机电", "小型", "工商银行", "2018年12月", "80", "12.3", "92330782MAK8Y18BXD"],
    ["GT000003", "金华市东阳市", "纺织服装", "微型", "金华银行", "2019年3月", "95.25", "0", "92330783MAHC410112"],
    ["GT000004", "永康市", "电子电器", "小型", "农商银行", "2020年7月", "60", "45.6", "92330784MA4Y5LP76P"],
    ["GT000005", "婺城区", "食品农产品", "微型", "建设银行", "2021年1月", "150", "3.2", "92330702MA8D8Y5U7W"],
]
#: The datasets this fixture writes; the copied catalog keeps only these (others need files it does not make).
FIXTURE_DATASETS = ("businesses", "fx_loans", "rollout", "true_effects")


def catalog_subset(text: str, keep: tuple[str, ...] = FIXTURE_DATASETS) -> str:
    """The catalog text without the datasets not in ``keep`` (their blocks cut out, the rest unchanged)."""
    out, skipping, inside = [], False, False
    for line in text.splitlines(keepends=True):
        if line.startswith("datasets:"):
            inside = True
        elif inside and line[:2] == "  " and line[2:3] not in (" ", "\n", "#") and line.rstrip().endswith(":"):
            skipping = line.strip()[:-1] not in keep
        elif inside and line.strip() and not line.startswith(" "):
            inside, skipping = False, False
        if not skipping:
            out.append(line)
    return "".join(out)
FX_HEADER = ["主体编号", "月份", "出口收汇(万美元)", "外汇贷款余额(万美元)", "融资成本(%)", "获得贷款"]
FX_ROWS = [  # CSV lines 2..7
    ["GT000001", "2023-01", "10.5", "100", "5.2", "1"],
    ["GT000001", "2023-02", "11", "120.25", "5.1", "1"],
    ["GT000002", "2023-01", "0", "0", "0", "0"],
    ["GT000002", "2023-02", "3.5", "12", "6.8", "1"],
    ["GT000003", "2023-01", "7", "30", "7.25", "1"],
    ["GT000003", "2023-02", "6.5", "0", "0", "0"],
]
ROLLOUT_TITLE = "金华市个体工商户国内外汇贷款业务开办情况（模拟数据）"
ROLLOUT_HEADER = ["县市区", "银行", "开办时间", "备注"]
ROLLOUT_ROWS: list[list[Any]] = [  # Excel rows 4..7
    ["义乌市", "中国银行", "2023年3月", None],
    ["义乌市", "工商银行", dt.datetime(2023, 6, 1), "首批"],
    ["东阳市", "金华银行", None, "未开办"],
    ["永康市", "农商银行", "2024年1月", None],
]
EFFECTS = {
    "business_id": ["GT000001", "GT000001", "GT000002"],
    "month": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-02-01"]),
    "te_fx_loan_balance": [5.0, 6.5, 2.0],
    "te_financing_cost": [-0.5, -0.6, -0.4],
    "te_loan_access": [0.1, 0.12, 0.05],
}


def csv_bytes(header: list[str], rows: list[list[Any]], *, encoding: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_write(path: Path, header: list[str], rows: list[list[Any]], *, sheet: str = "开办情况", title: bool = True) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append([ROLLOUT_TITLE])
        ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """File names + bytes (and folder names) under ``folder``."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


class Project:
    """A tmp project root; edit ``tables``/``encodings`` then ``write()`` the raw files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.raw = root / "data" / "raw"
        self.processed = root / "data" / "processed"
        self.raw.mkdir(parents=True)
        self.processed.mkdir(parents=True)
        (self.processed / ".gitkeep").write_bytes(b"")
        (root / "data" / "catalog.yaml").write_text(
            catalog_subset((REPO / "data" / "catalog.yaml").read_text(encoding="utf-8")), encoding="utf-8")
        self.tables: dict[str, Any] = {
            "businesses": [list(BUSINESS_HEADER)] + copy.deepcopy(BUSINESS_ROWS),
            "fx_loans": [list(FX_HEADER)] + copy.deepcopy(FX_ROWS),
            "rollout": [list(ROLLOUT_HEADER)] + copy.deepcopy(ROLLOUT_ROWS),
            "true_effects": pd.DataFrame(EFFECTS),
        }
        self.encodings = {"businesses": "gbk", "fx_loans": "utf-8-sig"}
        self.overrides: dict[str, bytes] = {}  # file name -> exact bytes
        self.rollout_sheet = "开办情况"
        self.rollout_title = True
        self._xlsx_key: str | None = None

    def cell(self, name: str, row: int, column: str, value: Any) -> None:
        """Set data row ``row`` (0-based) of ``column`` in table ``name``."""
        table = self.tables[name]
        table[row + 1][table[0].index(column)] = value

    def drop_column(self, name: str, column: str) -> None:
        table = self.tables[name]
        j = table[0].index(column)
        self.tables[name] = [r[:j] + r[j + 1:] for r in table]

    def write(self) -> None:
        """Write the raw files; a file whose content did not change is left untouched (same bytes, same hash)."""
        t = self.tables
        blobs = {
            "businesses.csv": csv_bytes(t["businesses"][0], t["businesses"][1:], encoding=self.encodings["businesses"]),
            "fx_loans_monthly.csv.gz": gzip.compress(
                csv_bytes(t["fx_loans"][0], t["fx_loans"][1:], encoding=self.encodings["fx_loans"]), mtime=0
            ),
        }
        buf = io.BytesIO()
        t["true_effects"].to_parquet(buf, index=False)
        blobs["true_effects.parquet"] = buf.getvalue()
        blobs.update(self.overrides)
        for name, blob in blobs.items():
            path = self.raw / name
            if not path.is_file() or path.read_bytes() != blob:
                path.write_bytes(blob)
        key = repr((t["rollout"], self.rollout_sheet, self.rollout_title))
        if key != self._xlsx_key and "fx_programme_rollout.xlsx" not in self.overrides:
            xlsx_write(self.raw / "fx_programme_rollout.xlsx", t["rollout"][0], t["rollout"][1:],
                       sheet=self.rollout_sheet, title=self.rollout_title)
            self._xlsx_key = key

    def catalog_text(self) -> str:
        return (self.root / "data" / "catalog.yaml").read_text(encoding="utf-8")

    def set_catalog(self, text: str) -> None:
        (self.root / "data" / "catalog.yaml").write_text(text, encoding="utf-8")
