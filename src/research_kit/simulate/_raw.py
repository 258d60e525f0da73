"""Write the demo panel in the raw formats of ``docs/demo_data_contract.md``.

Every byte is a function of ``(n_businesses, seed)`` and the library versions:
gzip headers carry no time stamp, the workbook's document properties and zip
entries carry fixed dates, and the Parquet file carries no pandas metadata.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import re
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.styles import Font

from research_kit.data.counties import COUNTIES
from research_kit.simulate._demo import DemoData
from research_kit.simulate.microdata import MicroData, fx_microdata_demo

__all__ = ["write_demo_raw", "RAW_FILES"]

#: The data files, in the order :func:`write_demo_raw` returns them: the FX demo's four,
#: then the microdata sources of :mod:`research_kit.simulate.microdata`.
RAW_FILES: tuple[str, ...] = (
    "businesses.csv",
    "fx_loans_monthly.csv.gz",
    "fx_programme_rollout.xlsx",
    "true_effects.parquet",
    "pboc_loan_ledger.xlsx",
    "pboc_loan_repayments.csv",
    "entity_registry.csv",
    "safe_receipts.csv.gz",
    "hedging_contracts.xlsx",
    "fx_rates.csv",
    "true_effects_trade.parquet",
)
LEDGER_TITLE = "外汇贷款借据明细（模拟数据）"
HEDGE_TITLE = "外汇套期保值合约明细（模拟数据）"
CURRENCY_ZH = {"USD": "美元", "EUR": "欧元", "CNY": "人民币"}
PRODUCT_ZH = {"forward": "远期结汇", "option": "外汇期权"}
TYPE_ZH = {"individual": "个体工商户", "enterprise": "企业"}

BANK_ZH = {"boc": "中国银行", "icbc": "工商银行", "ccb": "建设银行", "abc": "农业银行", "jhb": "金华银行", "rcb": "农商银行"}
SECTOR_ZH = {
    "small_commodities": "小商品",
    "hardware": "五金机电",
    "textiles": "纺织服装",
    "electronics": "电子电器",
    "food": "食品农产品",
    "other": "其他",
}
SIZE_ZH = {"micro": "微型", "small": "小型"}
ROLLOUT_TITLE = "金华市个体工商户国内外汇贷款业务开办情况（模拟数据）"
_FIXED = datetime(2022, 12, 30, 0, 0, 0)  # the plan's date; stamps every timestamp we control
_COUNTY_VARIANT_SHARE = 0.05


def _zh_month(ts: pd.Timestamp) -> str:
    return f"{ts.year}年{ts.month}月"


def _zh_day(ts: pd.Timestamp) -> str:
    return "" if pd.isna(ts) else f"{ts.year}年{ts.month}月{ts.day}日"


def _county_zh(code: str) -> str:
    return str(COUNTIES.loc[code, "name_zh"]) if code in COUNTIES.index else {
        "330102": "杭州市上城区", "330106": "杭州市西湖区", "330206": "宁波市北仑区", "330302": "温州市鹿城区",
        "330602": "绍兴市越城区"}[code]


def _gbk_csv(frame: pd.DataFrame, *, gz: bool = False) -> bytes:
    data = frame.to_csv(index=False, lineterminator="\n").encode("gbk")
    if not gz:
        return data
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as out:
        out.write(data)
    return buf.getvalue()


def _titled_xlsx(sheet: str, title: str, frame: pd.DataFrame, widths: tuple[int, ...]) -> bytes:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet
    ws["A1"] = title
    ws["A1"].font = Font(bold=True)
    for col, name in enumerate(frame.columns, start=1):
        ws.cell(row=3, column=col, value=name).font = Font(bold=True)
    for i, row in enumerate(frame.itertuples(index=False), start=4):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value)
    for k, width in enumerate(widths):
        ws.column_dimensions[chr(65 + k)].width = width
    wb.properties.creator = "research_kit.simulate (synthetic demo data)"
    wb.properties.title = title
    wb.properties.created = _FIXED
    wb.properties.modified = _FIXED
    raw = io.BytesIO()
    wb.save(raw)
    return _freeze_zip(raw.getvalue())


def _ledger_xlsx(m: MicroData) -> bytes:
    led = m.ledger
    frame = pd.DataFrame({
        "借据编号": led["loan_id"], "借款人名称": led["borrower_name"], "借款人代码": led["borrower_code"],
        "经办银行": led["bank"].map(BANK_ZH).astype(str), "县市区": led["county"].map(_county_zh),
        "放款日期": led["issue_date"].map(_zh_day), "到期日期": led["maturity_date"].map(_zh_day),
        "币种": led["currency"].map(CURRENCY_ZH), "原币金额(万元)": led["amount"].map(lambda x: f"{x:.2f}"),
        "年利率(%)": led["rate"].map(lambda x: f"{x:.2f}"),
    })
    return _titled_xlsx("借据明细", LEDGER_TITLE, frame, (16, 26, 22, 10, 14, 14, 14, 6, 14, 10))


def _repayments_csv(m: MicroData) -> bytes:
    r = m.repayments
    return _gbk_csv(pd.DataFrame({"借据编号": r["loan_id"], "还款日期": r["date"].map(_zh_day),
                                  "原币还款金额(万元)": r["amount"].map(lambda x: f"{x:.2f}")}))


def _registry_csv(m: MicroData) -> bytes:
    g = m.registry
    return _gbk_csv(pd.DataFrame({
        "统一社会信用代码": g["uscc"], "原注册号": g["registration_number"].fillna(""), "主体名称": g["name"],
        "主体类型": g["entity_type"].map(TYPE_ZH), "县市区": g["county"].map(_county_zh),
        "行业": g["sector"].map(SECTOR_ZH), "登记日期": g["registered"].map(_zh_day),
        "注销日期": g["deregistered"].map(_zh_day),
    }))


def _safe_csv_gz(m: MicroData) -> bytes:
    f = m.safe
    return _gbk_csv(pd.DataFrame({"主体代码": f["uscc"], "月份": f["month"].map(_zh_month),
                                  "收入(万美元)": f["receipts"].map(lambda x: f"{x:.2f}"),
                                  "支出(万美元)": f["payments"].map(lambda x: f"{x:.2f}")}), gz=True)


def _hedges_xlsx(m: MicroData) -> bytes:
    h = m.hedges
    frame = pd.DataFrame({
        "合约编号": h["contract_id"], "主体代码": h["uscc"], "银行": h["bank"].map(BANK_ZH).astype(str),
        "交易日期": h["trade_date"].map(_zh_day), "产品": h["product"].map(PRODUCT_ZH),
        "名义本金(万美元)": h["notional"].map(lambda x: f"{x:.2f}"), "到期日期": h["maturity_date"].map(_zh_day),
    })
    return _titled_xlsx("套保合约", HEDGE_TITLE, frame, (12, 22, 10, 14, 10, 14, 14))


def _rates_csv(m: MicroData) -> bytes:
    r = m.rates
    return _gbk_csv(pd.DataFrame({"月份": r["month"].map(_zh_month), "币种": r["currency"].map(CURRENCY_ZH),
                                  "折美元汇率": r["rate"].map(lambda x: f"{x:.4f}")}))


def _businesses_csv(b: pd.DataFrame, rng: np.random.Generator, uscc: pd.Series) -> bytes:
    names = COUNTIES["name_zh"]
    county = b["county"].map(names).to_numpy(dtype=object)
    variant = rng.random(len(b))
    short = variant < _COUNTY_VARIANT_SHARE / 2
    prefixed = (variant >= _COUNTY_VARIANT_SHARE / 2) & (variant < _COUNTY_VARIANT_SHARE)
    county[short] = [c[:-1] for c in county[short]]  # 义乌市 -> 义乌
    county[prefixed] = ["金华市" + c for c in county[prefixed]]  # -> 金华市义乌市
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["主体编号", "县市区", "行业", "规模", "开户银行", "登记年月", "抽样权数", "上年出口额(万美元)", "统一社会信用代码"])
    for row in zip(
        b["business_id"],
        county,
        b["sector"].map(SECTOR_ZH),
        b["size"].map(SIZE_ZH),
        b["bank"].map(BANK_ZH),
        b["registered"].map(_zh_month),
        b["weight"],
        b["exports_last_year"],
        b["business_id"].map(uscc),
    ):
        w.writerow([*row[:6], f"{row[6]:.2f}", f"{row[7]:,.2f}", row[8]])
    return buf.getvalue().encode("gbk")


def _loans_csv_gz(loans: pd.DataFrame) -> bytes:
    out = pd.DataFrame(
        {
            "主体编号": loans["business_id"],
            "月份": loans["month"].dt.strftime("%Y-%m"),
            "出口收汇(万美元)": loans["export_receipts"],
            "外汇贷款余额(万美元)": loans["fx_loan_balance"],
            "融资成本(%)": loans["financing_cost"],
            "获得贷款": loans["loan_access"],
        }
    )
    text = out.to_csv(index=False, float_format="%.2f", lineterminator="\n")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8-sig"))
    return buf.getvalue()


def _rollout_xlsx(rollout: pd.DataFrame) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "开办情况"
    ws["A1"] = ROLLOUT_TITLE
    ws["A1"].font = Font(bold=True)
    for col, name in enumerate(["县市区", "银行", "开办时间", "备注"], start=1):
        ws.cell(row=3, column=col, value=name).font = Font(bold=True)
    for i, r in enumerate(rollout.itertuples(index=False), start=4):
        ws.cell(row=i, column=1, value=str(COUNTIES.loc[r.county, "name_zh"]))
        ws.cell(row=i, column=2, value=BANK_ZH[r.bank])
        ws.cell(row=i, column=3, value=None if pd.isna(r.start_month) else _zh_month(r.start_month))
        ws.cell(row=i, column=4, value=r.note)
    for letter, width in zip("ABCD", (10, 12, 12, 22)):
        ws.column_dimensions[letter].width = width
    wb.properties.creator = "research_kit.simulate (synthetic demo data)"
    wb.properties.title = ROLLOUT_TITLE
    wb.properties.created = _FIXED
    wb.properties.modified = _FIXED
    raw = io.BytesIO()
    wb.save(raw)
    return _freeze_zip(raw.getvalue())


def _freeze_zip(data: bytes) -> bytes:
    """Rewrite a zip (xlsx) with fixed entry dates and document timestamps.

    openpyxl stamps ``dcterms:modified`` and every zip entry with the time of
    saving; both are replaced by 2022-12-30 00:00 so the bytes are reproducible.
    """
    stamp = _FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 0
            zi.external_attr = 0
            dst.writestr(zi, body)
    return out.getvalue()


def _truth_parquet(truth: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(truth, preserve_index=False).replace_schema_metadata(None)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def _readme(demo: DemoData, micro: MicroData, n_businesses: int, seed: int) -> str:
    loans, b = demo.loans, demo.businesses
    dec = loans[loans["month"] == loans["month"].max()].merge(b[["business_id", "weight"]], on="business_id")
    total = float((dec["fx_loan_balance"] * dec["weight"]).sum())
    never = int(demo.rollout["start_month"].isna().sum())
    return f"""# data/raw — SYNTHETIC demo data

Everything in this folder is **synthetic**. It was generated by
`research_kit.simulate.write_demo_raw(n_businesses={n_businesses}, seed={seed})` and
describes no real business, bank or county office. Papers built on it must say so.

The files follow `docs/demo_data_contract.md` (formats Chinese banks and statistical
offices send: GBK CSV, gzipped UTF-8-BOM CSV, XLSX with title rows, Parquet):

| file | content |
|---|---|
| `businesses.csv` | register of {len(b):,} individual businesses (GBK; ~5% county-name variants) |
| `fx_loans_monthly.csv.gz` | {len(loans):,} business-months, 2019-01 … 2025-12 (unbalanced: late registrations, exits, ~2% missing months) |
| `fx_programme_rollout.xlsx` | FX-loan programme start by county × bank (54 cells; {never} never start by 2025-12) |
| `true_effects.parquet` | the simulation's true effects for {len(demo.truth):,} treated business-months |
| `pboc_loan_ledger.xlsx` | PBoC FX-loan ledger (借据), {len(micro.ledger):,} loans (sample businesses and others; USCC or 注册号; USD and EUR) |
| `pboc_loan_repayments.csv` | {len(micro.repayments):,} repayments (GBK; partial, early, late) |
| `entity_registry.csv` | market-regulation registry, {len(micro.registry):,} entities (GBK; USCC, 原注册号, dates) |
| `safe_receipts.csv.gz` | SAFE receipts and payments by entity × month, {len(micro.safe):,} rows (gzip, GBK) |
| `hedging_contracts.xlsx` | {len(micro.hedges):,} FX hedging contracts (forwards, options) |
| `fx_rates.csv` | declared EUR → USD monthly rates for the ledger's EUR loans (GBK) |
| `true_effects_trade.parquet` | true effects on export receipts (0) and on the hedged share of receipts |
| `MANIFEST` | sha256 of the other files here (`sha256sum -c MANIFEST` checks them) |

How it was generated: a stratified sample from a synthetic frame of 48,000
export-oriented individual businesses in the nine counties of Jinhua; the FX-loan
programme for individual businesses (task 2 of 金政发〔2022〕38号) starts in Yiwu in
2023-03 and spreads over six waves to 2025-09; effects grow with months since the
start and differ by wave, sector and export size. FX-loan sizes are calibrated to the
plan's 2025 target of USD 300 million: the weighted (抽样权数) 2025-12 FX-loan
balance here is {total:,.0f} 万美元 (target 30,000 万美元). The full data-generating
process is documented in `research_kit.simulate.fx_loans_demo`; the ledger, registry, SAFE and
hedging files are built from the same businesses and balances by
`research_kit.simulate.microdata` (the ledger reproduces the monthly balances to the cent).

Do not edit these files: `data/raw` is immutable and `tests/test_simulate.py` checks
that they equal a fresh regeneration. To regenerate (byte-identical for the library
versions the project pins), run from the project root:

```
python -m research_kit.simulate --n-businesses {n_businesses} --seed {seed}
```
"""


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_demo_raw(
    directory: str | os.PathLike[str],
    *,
    n_businesses: int = 1200,
    seed: int = 20221230,
) -> list[Path]:
    """Write the SYNTHETIC demo data as raw files, plus README.md and MANIFEST.

    The files follow ``docs/demo_data_contract.md``:

    * ``businesses.csv``: GBK, Chinese headers; about 5% of county names are
      variants (``义乌``, ``金华市义乌市``); months like ``2016年5月``; export
      amounts with thousands separators (``1,234.50``); the business's USCC
      (统一社会信用代码), the key linking it to the registry, ledger and trade records.
    * ``fx_loans_monthly.csv.gz``: UTF-8 with BOM, gzip with mtime 0; months
      like ``2023-01``; amounts with two decimals.
    * ``fx_programme_rollout.xlsx``: sheet ``开办情况``, title in row 1, blank
      row 2, header in row 3, 54 county × bank rows; blank 开办时间 = never.
    * ``true_effects.parquet``: the ``truth`` table (English columns).
    * ``pboc_loan_ledger.xlsx``, ``pboc_loan_repayments.csv``, ``entity_registry.csv``,
      ``safe_receipts.csv.gz``, ``hedging_contracts.xlsx``, ``fx_rates.csv``,
      ``true_effects_trade.parquet``: the microdata sources of
      :func:`research_kit.simulate.microdata.fx_microdata_demo` (GBK CSV or XLSX with a
      title row, Chinese headers, dates like ``2023年1月5日``, amounts in 万元/万美元).
    * ``README.md``: what the data is, how it was made, how to regenerate.
    * ``MANIFEST``: ``<sha256>  <filename>`` of the five files above, sorted by
      name, as :func:`research_kit.data.write_raw_manifest` writes it
      (``sha256sum -c MANIFEST`` checks them).

    The same arguments give byte-identical files (for fixed versions of
    pandas, pyarrow, openpyxl and zlib). Values written equal the
    :func:`fx_loans_demo` tables after rounding (amounts and weights to
    cents), so reading the raw files back gives those tables.

    Parameters
    ----------
    directory : path-like
        Output folder (created if missing); ``research_kit.paths.raw_dir()``
        for the shipped data.
    n_businesses, seed : int
        Passed to :func:`fx_loans_demo`; ``seed`` also drives the county-name
        variants.

    Returns
    -------
    list of pathlib.Path
        The data files (in :data:`RAW_FILES` order), then README.md and MANIFEST.

    Examples
    --------
    >>> import tempfile
    >>> from research_kit.simulate import write_demo_raw
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_demo_raw(d, n_businesses=150, seed=1)][:4]
    ['businesses.csv', 'fx_loans_monthly.csv.gz', 'fx_programme_rollout.xlsx', 'true_effects.parquet']
    """
    demo, micro = fx_microdata_demo(n_businesses, seed=seed)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 1])  # raw-format quirks only; the tables do not depend on it
    contents = dict(
        zip(
            RAW_FILES,
            (
                _businesses_csv(demo.businesses, rng, micro.uscc),
                _loans_csv_gz(demo.loans),
                _rollout_xlsx(demo.rollout),
                _truth_parquet(demo.truth),
                _ledger_xlsx(micro),
                _repayments_csv(micro),
                _registry_csv(micro),
                _safe_csv_gz(micro),
                _hedges_xlsx(micro),
                _rates_csv(micro),
                _truth_parquet(micro.truth),
            ),
        )
    )
    contents["README.md"] = _readme(demo, micro, n_businesses, seed).encode("utf-8")
    # Like research_kit.data.write_raw_manifest: every file but MANIFEST, sorted by name.
    manifest = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(contents.items()))
    contents["MANIFEST"] = manifest.encode("ascii")
    paths = []
    for name, data in contents.items():
        _write_atomic(out / name, data)
        paths.append(out / name)
    return paths
