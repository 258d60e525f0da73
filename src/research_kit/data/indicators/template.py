"""The reporting template departments fill in (``research-kit targets template``).

Sheet ``填报``: title (row 1), 填报日期 and 数据性质 (row 2), a reminder (row 3), the
header (row 4: :data:`COLUMNS`) and one row per indicator from row 5 — one row per
county for county-level indicators. 指标代码, 指标名称, 口径 and 单位 come from
``data/targets/``; 责任单位, 数值, 备注 and 数据来源 are left for the department.
Units and periods have drop-down lists, 数值 accepts numbers ≥ 0 on target rows,
the header rows are protected (no password: the protection prevents accidents,
not edits). Sheet ``填报说明`` explains in Chinese how to fill it in and lists the
definitions; sheet ``选项`` (hidden) holds the lists.

Examples
--------
>>> import tempfile, pathlib
>>> from research_kit.data.indicators import write_template
>>> out = write_template(pathlib.Path(tempfile.mkdtemp()) / "t.xlsx", period="2025-06")
>>> from openpyxl import load_workbook
>>> ws = load_workbook(out)["填报"]
>>> [c.value for c in ws[4]][:4], ws["G5"].value
(['指标代码', '指标名称', '口径', '单位'], '2025-06')
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import pandas as pd

from research_kit.data.counties import COUNTIES
from research_kit.data.indicators.definitions import UNIT_CHOICES, load_definitions

__all__ = ["COLUMNS", "CITY", "HEADER_ROW", "KIND_CHOICES", "SHEET", "write_template"]

SHEET = "填报"
COLUMNS = ("指标代码", "指标名称", "口径", "单位", "责任单位", "县（市、区）", "报告期", "数值", "备注", "数据来源")
HEADER_ROW = 4
CITY = "全市"
#: 数据性质: a real filing or synthetic demo data.
KIND_CHOICES = ("正式报送", "模拟演示数据")
TITLE = "金华市开放经济金融服务改革创新试点 指标填报表"
_WIDTHS = (26, 30, 60, 10, 20, 12, 10, 14, 30, 24)

INSTRUCTIONS = [
    ("填报说明", ""),
    ("1. 用途", "本表用于向试点工作评价体系报送《金华市开放经济金融服务改革创新试点实施方案》（金政发〔2022〕38号）"
                "量化目标和里程碑的进展数据。填好的文件放入 data/raw/indicators/，运行 research-kit manifest 登记、"
                "research-kit prepare 校验后进入指标库。"),
    ("2. 填报日期", "第 2 行填写本次报送的日期（如 2025-07-15）。同一指标、同一县、同一报告期再次报送时，以填报日期较晚的"
                   "文件为准，早先的数值保留在历史记录中（更正数据请重新报送整张表或只含更正行的表）。"),
    ("3. 数据性质", "正式报送填“正式报送”；演示或测试数据填“模拟演示数据”。"),
    ("4. 每行一个指标", "指标代码、指标名称、口径、单位已按目标定义预填，请勿修改指标代码。分县指标每个县（市、区）一行，"
                      "全市指标的县（市、区）填“全市”。不属于本单位的指标行可以删除，或保持责任单位、数值、备注、数据来源全部空白"
                      "（视为未填报）。"),
    ("5. 报告期", "填报告期的最后一个月，格式 YYYY-MM（季度报送：一季度填 YYYY-03，二季度 YYYY-06，依此类推）。"
                 "报告期不得晚于填报日期。"),
    ("6. 数值与单位", "按“口径”一栏的定义填写：标明“本季度”的填当季发生额（不是累计数，也不是余额）；标明“报告期末”的填期末数。"
                    "单位应与预填单位一致；如使用同类单位（如万元、万美元），请在“单位”栏如实选择，系统自动换算并记录换算过程；"
                    "人民币与美元之间按 data/targets/fx_rates.csv 的汇率换算（存量用月末汇率，流量用季度平均汇率）。"
                    "无法换算的单位会被拒收。"),
    ("7. 里程碑", "里程碑行的数值填完成日期（如 2024-09-30），或填“是”/“否”；年度金额类里程碑（如财政竞争性存放资金）填当年金额。"),
    ("8. 空值", "确实无法提供数值时，数值留空，并在备注中说明原因（如“数据尚未发布”）。数值为空且备注为空的行会被拒收。"),
    ("9. 责任单位", "填写报送该数值的单位全称。已填数值但责任单位为空的行会被拒收。"),
    ("10. 校验", "以下情形整批拒收并逐条列出（文件、工作表、行号、指标、数值）：未知指标代码、无法换算的单位、数值超出合理范围、"
                "报告期格式错误、同一文件内同一指标+县+报告期重复、缺少责任单位、数值为空且备注未说明原因。"),
]


def _months() -> list[str]:
    return [str(p) for p in pd.period_range("2022-01", "2026-12", freq="M")]


def write_template(out: str | os.PathLike[str], *, period: str | None = None,
                   root: str | os.PathLike[str] | None = None) -> Path:
    """Write the reporting template to ``out`` (XLSX).

    Parameters
    ----------
    out
        Path of the workbook to write (parent folders are created).
    period
        Reporting month ``YYYY-MM`` prefilled in 报告期 (default: left blank).
    root
        Project root (for ``data/targets/``).

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    if period is not None:
        try:
            period = str(pd.Period(str(period), freq="M"))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"--period {period!r} is not a month such as 2025-06.") from exc
    defs = load_definitions(root)
    reg = defs.register()
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"], ws["C2"] = "填报日期", "数据性质"
    ws["B2"].number_format = "yyyy-mm-dd"
    ws["D2"] = KIND_CHOICES[0]
    ws["A3"] = "请勿修改第 1–4 行；填写说明见“填报说明”工作表。"
    ws["A3"].font = Font(italic=True, color="666666")
    for col, (name, width) in enumerate(zip(COLUMNS, _WIDTHS), start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[cell.column_letter].width = width
    counties = list(COUNTIES["name_zh"])
    row = HEADER_ROW + 1
    target_rows: list[int] = []
    for rec in reg.to_dict("records"):
        for county in (counties if rec["county_level"] else [CITY]):
            values = (rec["id"], rec["name_zh"], rec["definition_zh"], rec["unit"], None, county, period, None, None, None)
            for col, v in enumerate(values, start=1):
                ws.cell(row=row, column=col, value=v)
            ws.cell(row=row, column=3).alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(row=row, column=7).number_format = "@"
            if rec["type"] == "target":
                target_rows.append(row)
            row += 1
    last = row - 1 + 200  # room for more rows (other periods, corrections)
    for r in range(HEADER_ROW + 1, last + 1):
        for c in range(1, len(COLUMNS) + 1):
            ws.cell(row=r, column=c).protection = Protection(locked=False)
    for ref in ("B2", "D2"):
        ws[ref].protection = Protection(locked=False)
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.insertRows = False
    ws.protection.deleteRows = False
    ws.freeze_panes = f"A{HEADER_ROW + 1}"

    opts = wb.create_sheet("选项")
    lists = {"A": list(UNIT_CHOICES), "B": _months(), "C": [CITY, *counties], "D": list(KIND_CHOICES)}
    for letter, items in lists.items():
        for i, v in enumerate(items, start=1):
            opts[f"{letter}{i}"] = v
    opts.sheet_state = "hidden"
    body = f"{HEADER_ROW + 1}:{last}"
    lo, hi = body.split(":")

    def add(dv: DataValidation, ref: str) -> None:
        ws.add_data_validation(dv)
        dv.add(ref)

    add(DataValidation(type="list", formula1=f"=选项!$A$1:$A${len(lists['A'])}", allow_blank=True,
                       errorTitle="单位", error="请从下拉列表选择单位。"), f"D{lo}:D{hi}")
    add(DataValidation(type="list", formula1=f"=选项!$B$1:$B${len(lists['B'])}", allow_blank=True,
                       errorTitle="报告期", error="报告期格式为 YYYY-MM（季度末月份），请从下拉列表选择。"), f"G{lo}:G{hi}")
    add(DataValidation(type="list", formula1=f"=选项!$C$1:$C${len(lists['C'])}", allow_blank=True,
                       errorTitle="县（市、区）", error="请填写“全市”或金华市的县（市、区）名称。"), f"F{lo}:F{hi}")
    add(DataValidation(type="list", formula1=f"=选项!$D$1:$D${len(lists['D'])}", allow_blank=False), "D2")
    add(DataValidation(type="date", operator="between", formula1="DATE(2022,1,1)", formula2="DATE(2030,12,31)",
                       errorTitle="填报日期", error="请填写日期，如 2025-07-15。"), "B2")
    num = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                         errorTitle="数值", error="目标类指标的数值应为不小于 0 的数字；无法提供时留空并在备注说明原因。")
    ws.add_data_validation(num)
    for r in target_rows:
        num.add(f"H{r}")
        ws.cell(row=r, column=8).number_format = "#,##0.00##"

    guide = wb.create_sheet("填报说明", 1)
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 110
    for i, (a, b) in enumerate(INSTRUCTIONS, start=1):
        guide.cell(row=i, column=1, value=a).font = Font(bold=True)
        guide.cell(row=i, column=2, value=b).alignment = Alignment(wrap_text=True, vertical="top")
    start = len(INSTRUCTIONS) + 2
    heads = ("指标代码", "指标名称", "类型", "口径", "单位", "截止时间", "牵头单位（方案所列第一责任单位或归口单位）", "分县填报")
    for c, h in enumerate(heads, start=1):
        guide.cell(row=start, column=c, value=h).font = Font(bold=True)
    for i, rec in enumerate(reg.to_dict("records"), start=start + 1):
        vals = (rec["id"], rec["name_zh"], "目标" if rec["type"] == "target" else "里程碑", rec["definition_zh"],
                rec["unit"], rec["deadline"], rec["lead"], "是" if rec["county_level"] else "否")
        for c, v in enumerate(vals, start=1):
            guide.cell(row=i, column=c, value=v)
    wb.properties.creator = "research_kit (research-kit targets template)"
    wb.properties.title = TITLE
    wb.properties.created = _dt.datetime(2022, 12, 30)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
