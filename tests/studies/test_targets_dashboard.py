"""The targets dashboard: end to end from a filled template to the built page, and each interpretive branch.

End to end (issue 11, "done when"): on a fresh copy of the project, generate the template, fill it with openpyxl,
drop it into data/raw/indicators/, run `research-kit manifest` and `research-kit build`, and find the filed value,
the statuses and the assessment on the dashboard page.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from research_kit import cli, paths
from research_kit.studies import targets as study
from research_kit.studies.targets import changes, prob_text
from research_kit.studies.targets._estimate import _milestones
from research_kit.timeseries import probability_status

ROOT = paths.project_root()
NB = "notebooks/04_targets_2025_dashboard.ipynb"


# --------------------------------------------------------------------------- branches
@pytest.mark.parametrize("kw, expected", [
    (dict(p=0.85), "on_track"),
    (dict(p=0.5), "at_risk"),
    (dict(p=0.1), "off_track"),
    (dict(p=0.01, forecast=98.0, target=100.0, upper=99.0), "at_risk"),  # 98% of the target: never off track
    (dict(p=0.3, forecast=80.0, target=100.0, upper=101.0), "at_risk"),  # the interval covers the target
    (dict(p=0.001, forecast=90.0, target=100.0, upper=95.0, met_now=True), "at_risk"),  # already met
    (dict(p=0.001, forecast=90.0, target=100.0, upper=95.0), "off_track"),
])
def test_status_follows_forecast_and_interval(kw, expected):
    p = kw.pop("p")
    assert probability_status(p, **kw) == expected


@pytest.mark.parametrize("p, text", [(0.0, "< 1%"), (0.0099, "< 1%"), (0.01, "1%"), (0.5, "50%"), (0.99, "99%"),
                                     (0.9951, "> 99%"), (np.nan, "")])
def test_probabilities_near_0_and_1_are_not_printed_as_certain(p, text):
    assert prob_text(p) == text


def _defs_with(deadline: str):
    from research_kit.data.indicators import load_definitions

    d = load_definitions()
    m = d.milestones.loc[["cash_pool_pilot"]].copy()
    m["deadline"] = deadline
    return type(d)(targets=d.targets, milestones=m, fx_rates=d.fx_rates)


@pytest.mark.parametrize("filed, as_of, status, late", [
    ([("否", False, "")], "2023-10-15", "pending", False),
    ([("否", False, "")], "2024-01-15", "overdue", False),
    ([("2023-11-30", True, "2023-11-30")], "2024-01-15", "done", False),
    ([("否", False, ""), ("2024-02-01", True, "2024-02-01")], "2024-04-15", "done", True),
    ([], "2024-04-15", "overdue", False),
])
def test_milestone_statuses(filed, as_of, status, late):
    f = pd.DataFrame({"indicator": "cash_pool_pilot", "county": "全市", "period": "2023-12", "value": np.nan,
                      "done": pd.array([x[1] for x in filed], dtype="boolean"), "done_date": [x[2] for x in filed]})
    m = _milestones(_defs_with("2023-12"), f, as_of).iloc[0]
    assert (m["status"], bool(m["late"])) == (status, late)


# --------------------------------------------------------------------------- end to end
def _copy_project(dest: Path) -> Path:
    (dest / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "raw", dest / "data" / "raw")
    shutil.copytree(ROOT / "data" / "targets", dest / "data" / "targets")
    shutil.copy(ROOT / "data" / "catalog.yaml", dest / "data" / "catalog.yaml")
    (dest / "notebooks").mkdir()
    shutil.copy(ROOT / NB, dest / NB)
    (dest / "studies.yaml").write_text(
        f"studies:\n  targets_2025:\n    notebook: {NB}\n    task: \"目标\"\n    variants:\n      jinhua: {{lang: zh}}\n",
        encoding="utf-8")
    return dest


def _fill(path: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["填报"]
    ws["B2"], ws["D2"] = dt.datetime(2026, 2, 10), "正式报送"
    rows = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1) if ws.cell(r, 6).value == "全市"}
    r = rows["ftz_fund"]  # a revision of end-2025, filed in 万元 against a target in 亿元
    for col, v in ((4, "万元"), (5, "金义新区（金东区）"), (7, "2025-12"), (8, 401_234), (9, "更正：补记认缴"), (10, "基金年报")):
        ws.cell(r, col, v)
    r = rows["cash_pool_pilot"]  # the overdue milestone is done, late
    for col, v in ((5, "人行金华市中心支行"), (7, "2026-01"), (8, "2026-02-01"), (10, "试点备案通知")):
        ws.cell(r, col, v)
    wb.save(path)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = _copy_project(tmp_path_factory.mktemp("project"))
    tpl = root / "template.xlsx"
    assert cli.main(["--root", str(root), "targets", "template", "--out", str(tpl), "--period", "2025-12"]) == 0
    _fill(tpl)
    shutil.move(tpl, root / "data/raw/indicators/2026Q1_jinyi_revision.xlsx")
    assert cli.main(["--root", str(root), "manifest"]) == 0
    assert cli.main(["--root", str(root), "build", "--formats", "html", "--workers", "1"]) == 0
    return root


def _texts(nb) -> str:
    out = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            out.append(o.get("data", {}).get("text/markdown", ""))
    return "\n".join(out)


@pytest.mark.slow
def test_a_filled_template_reaches_the_dashboard(built):
    root = built
    nb = nbformat.read(root / "reports/papers/targets_2025/jinhua.ipynb", as_version=4)
    text = _texts(nb)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert "截至 2026-02-10" in text
    row = next(line for line in text.splitlines() if line.startswith("| 自贸区发展基金总规模"))
    assert "| 40.1 |" in row and "| 2025Q4 |" in row and "已完成" in row  # the filed (converted) value and its status
    assert "40.1234 亿元" in text  # the conversion is stated
    ms = next(line for line in text.splitlines() if line.startswith("| 跨国公司本外币一体化资金池"))
    assert "已完成（逾期完成）" in ms and "2026-02-01" in ms
    assert "按牵头单位的年度评价" in text and "| 人行金华市中心支行 |" in text and "按县（市、区）的评价" in text
    assert "与上期报告（截至 2025-10-15）相比" in text
    assert "AAN" not in text and "data/raw" not in text.split("## 附录")[0]
    page = (root / "reports/_site/targets_2025/jinhua.html").read_text(encoding="utf-8")
    assert "自贸区发展基金总规模" in page and "40.1" in page and "逾期完成" in page


@pytest.mark.slow
def test_dashboard_and_fx_paper_report_the_same_fx_indicator(built):
    from research_kit.data import load
    from research_kit.data.indicators import fx_loan_issuance_total

    root = built
    value = fx_loan_issuance_total(load("fx_loans", root), load("businesses", root), start="2022-01", end="2025-12")
    text = _texts(nbformat.read(root / "reports/papers/targets_2025/jinhua.ipynb", as_version=4))
    m = re.search(r"截至报告期 2025Q4，累计发放 ([\d.]+) 亿美元", text)
    assert m and m.group(1) == f"{value:.2f}"


@pytest.mark.slow
def test_demo_fx_filings_come_from_the_same_computation(built):
    """The shipped filings' FX-loan values are fx_loan_issuance of the FX demo data (万美元, 2 decimals)."""
    from research_kit.data import load
    from research_kit.data.counties import COUNTIES
    from research_kit.data.indicators import fx_loan_issuance

    root = built
    fx = fx_loan_issuance(load("fx_loans", root), load("businesses", root), start="2022-01", end="2025-12",
                          by_county=True)
    expected = {(str(COUNTIES.loc[c, "name_zh"]), p): round(v * 1e4, 2) for p, c, v in fx.itertuples(index=False)}
    h = load("indicator_filings", root)
    h = h.loc[h["indicator"] == "fx_loans_individual"]
    assert set(h["unit_filed"]) == {"万美元"}
    got = {(c, p): float(v) for c, p, v in zip(h["county"], h["period"], h["value_filed"])}
    assert got == pytest.approx(expected, abs=0.006)


# --------------------------------------------------------------------------- paper text branches
def _history(rows: list[tuple]) -> pd.DataFrame:
    """Filings: (indicator, period, value, done, done_date, filed_at)."""
    recs = []
    for ind, period, value, done, done_date, filed in rows:
        recs.append({"indicator": ind, "county": "全市", "period": period, "value": value, "done": done,
                     "done_date": done_date, "value_filed": str(value), "unit_filed": "", "conversion": "",
                     "responsible": "x", "note": "", "source": "", "file": f"{filed}.xlsx", "row": 5,
                     "filed_at": filed, "synthetic": False})
    h = pd.DataFrame(recs)
    h["done"] = h["done"].astype("boolean")
    return h


def _filed(q: pd.Period) -> str:
    return str((q.end_time + pd.Timedelta(days=15)).date())


@pytest.fixture(scope="module")
def small_runs():
    quarters = pd.period_range("2022Q1", "2024Q2", freq="Q")
    rows = []
    for i, q in enumerate(quarters):
        m = str(q.asfreq("M", how="end"))
        rows.append(("ftz_fund", m, 10.0 + 2.0 * i + (0.3 if i % 2 else -0.3), None, "", _filed(q)))
        rows.append(("digital_rmb_merchants", m, 20.0 + 0.5 * i + (0.2 if i % 2 else -0.2), None, "", _filed(q)))
        rows.append(("cash_pool_pilot", m, np.nan, False, "", _filed(q)))
    h = _history(rows)
    from research_kit.studies.targets import assess

    def run_at(day, before=None):
        now = assess(as_of=day, history=h)
        b = assess(as_of=before, history=h) if before else None
        return study.TargetsRun(now=now, before=b, changed=changes(now, b) if b is not None else changes(now, now))

    return run_at("2024-07-15", "2024-04-15"), run_at("2022-04-15")


def test_summary_names_off_track_no_data_and_overdue(small_runs):
    r, _ = small_runs
    st = r.now.targets.set_index("id")["status"]
    assert st["ftz_fund"] == "on_track" and st["digital_rmb_merchants"] == "off_track"
    zh = study.summary_paragraph(r, lang="zh")
    assert "明显滞后的是：支持数字人民币收款的商户占比" in zh
    assert "18 项尚无填报数据" in zh and "本文不对其作判断" in zh
    assert "2 项逾期（跨国公司本外币一体化资金池试点企业落地 1 家、2023 年市本级财政竞争性存放资金不少于 20 亿元）" in zh
    assert "最新报告期 2024Q2" in zh
    en = study.summary_paragraph(r, lang="en")
    assert "18 have no filed data" in en and "Off track: Share of merchants accepting digital RMB" in en


def test_text_without_data_or_history_says_so(small_runs):
    _, first = small_runs
    assert study.changes_paragraph(first, lang="zh") == "这是第一期报告，没有可比较的上期。"
    assert study.fx_indicator_sentence(first, lang="en") == "No filing of FX loans to individual businesses yet."
    # one quarter of data: too short to forecast, so no target is rated and no probability is printed
    assert study.uncertainty_paragraph(first, lang="zh") == "本期没有可预测的目标：填报数据尚不足以拟合预测模型。"
    assert (first.now.targets["status"] == "no_data").all()
    assert study.data_notice(first, "zh").startswith("> 数据来源")  # real filings: no synthetic notice


def test_uncertainty_paragraph_when_every_target_is_decided(small_runs):
    r, _ = small_runs
    decided = r.now.targets.assign(status=["achieved", "missed"] * 10)
    run = study.TargetsRun(now=type(r.now)(**{**r.now.__dict__, "targets": decided}), before=None, changed=r.changed)
    assert study.uncertainty_paragraph(run, lang="zh") == "所有目标均已到期或已由实际值判定，本期没有预测。"


def test_status_table_prints_no_data_and_bounded_probabilities(small_runs):
    r, _ = small_runs
    body = study.status_table(r, lang="zh").body.set_index("指标")
    assert body.loc["支持数字人民币收款的商户占比", "达标概率"] == "< 1%"
    assert body.loc["上市企业数", "最新值"] == "无数据" and body.loc["上市企业数", "状态"] == "无数据"
    assert not any("AAN" in str(v) or "ANN" in str(v) for v in body.to_numpy().ravel())


def test_assessment_workbook(small_runs, tmp_path):
    from openpyxl import load_workbook

    r, _ = small_runs
    out = r.now.to_excel(tmp_path / "a.xlsx", changed=r.changed)
    wb = load_workbook(out)
    assert wb.sheetnames == ["按责任单位", "按县", "目标", "里程碑", "变化", "说明"]
    head = [c.value for c in wb["按责任单位"][1]]
    assert head[:8] == ["责任单位", "目标数", "已达标", "进展顺利", "存在风险", "明显滞后", "未完成", "无数据"]
    units = {row[0].value: row for row in wb["按责任单位"].iter_rows(min_row=2)}
    pbc = [c.value for c in units["人行金华市中心支行"]]
    assert pbc[5] == 1 and "资金池" in pbc[-1]  # digital RMB off track; the cash pool overdue


def test_status_table_drops_forecast_columns_when_nothing_is_forecast(small_runs):
    r, first = small_runs
    assert "达标概率" in study.status_table(r, lang="zh").body.columns  # some targets forecast: columns kept
    decided = r.now.targets.assign(status=["achieved", "missed"] * 10, pi_lower=1.0, pi_upper=1.0)
    run = study.TargetsRun(now=type(r.now)(**{**r.now.__dict__, "targets": decided}), before=None, changed=r.changed)
    for lang, cols in (("zh", ("2025 年末预测（95% 区间）", "达标概率", "预测模型")),
                       ("en", ("End-2025 forecast (95% interval)", "P(target)", "Model"))):
        t = study.status_table(run, lang=lang)
        assert not set(cols) & set(t.body.columns) and len(t.align) == t.body.shape[1]
        assert ("不再作预测" in t.notes[0]) if lang == "zh" else ("no forecast" in t.notes[0])
