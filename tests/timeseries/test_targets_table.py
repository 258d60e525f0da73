"""The transcribed 2025 targets (data/targets/targets_2025.csv) against the plan's text.

Reference: the plan 金政发〔2022〕38号, section 一、（二）主要目标 (project copy
seed/000_ed6b553b9d2717a2.txt, lines 90–178); the section is reproduced verbatim in
data/targets/README.md ("Source text"). Numbers below are read from the plan by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from research_kit import paths
from research_kit.studies.targets import load_targets
from research_kit.timeseries import TARGET_COLUMNS, check_targets

README = paths.data_dir() / "targets" / "README.md"
SEED = Path("/work/shared/seed/000_ed6b553b9d2717a2.txt")

# id -> (target, unit, kind) as read from the plan (see the quote column for the clause). The one-firm
# targets (QFLP, factoring, leasing) are milestones (data/targets/milestones.csv, tests/data/test_indicators.py).
PLAN = {
    "trade_finance_growth": (10, "%", "annual_growth"),  # 外贸企业贸易融资额年均增长 10%
    # 发放 is a flow: cumulative issuance from 2022-01 (issue 9, section 3)
    "fx_loans_individual": (3, "亿美元", "cumulative"),  # 向个体工商户发放外汇贷款 3 亿美元
    "facilitation_firms": (500, "家", "level"),
    "listed_reserve_firms": (100, "家", "level"),
    "listed_firms": (60, "家", "level"),
    "ftz_fund": (30, "亿元", "level"),
    "china_africa_rmb": (40, "亿元", "cumulative"),
    "unified_accounts_opened": (1.5, "万户", "cumulative"),
    "unified_accounts_turnover_cny": (1, "万亿元", "cumulative"),
    "unified_accounts_turnover_usd": (50, "亿美元", "cumulative"),
    "offshore_trade": (5, "亿美元", "cumulative"),
    "rmb_circulation": (20, "亿元", "cumulative"),
    "special_fin_institutions": (100, "家", "level"),
    "open_econ_fin_depts": (50, "家", "level"),
    "credit_platform_users": (10, "万户", "level"),
    "commodity_trading": (2600, "亿元", "cumulative"),
    "ecommerce_direct_link": (3, "亿美元", "cumulative"),
    "digital_rmb_merchants": (80, "%", "share"),
    "yixinou_financing": (1, "亿美元", "cumulative"),
    "fx_hedging_ratio": (30, "%", "share"),
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _source_block() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("```text", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return load_targets()


def test_every_quantitative_target_is_transcribed(targets):
    assert set(TARGET_COLUMNS) <= set(targets.columns)
    assert set(targets["id"]) == set(PLAN)
    for key, (target, unit, kind) in PLAN.items():
        row = targets.loc[key]
        assert row["target"] == pytest.approx(target), key
        assert (row["unit"], row["kind"]) == (unit, kind), key
        assert row["deadline"] == pd.Period("2025-12", freq="M")


def test_quotes_are_verbatim_and_hold_the_number(targets):
    block = _squash(_source_block())
    for rec in targets.to_dict("records"):
        assert _squash(rec["quote"]) in block, rec["id"]
        assert f"{rec['target']:g}" in rec["quote"], rec["id"]


@pytest.mark.skipif(not SEED.is_file(), reason="the plan's source file is not on this machine")
def test_readme_source_block_is_the_plan_section():
    lines = SEED.read_text(encoding="utf-8").split("\n")
    section = "".join(line.strip() for line in lines[91:180])
    assert _squash(_source_block()) == _squash(section)


def test_source_lines_point_at_the_quote(targets):
    if not SEED.is_file():
        pytest.skip("the plan's source file is not on this machine")
    lines = SEED.read_text(encoding="utf-8").split("\n")
    for rec in targets.to_dict("records"):
        a, _, b = str(rec["source_lines"]).partition("-")
        span = "".join(x.strip() for x in lines[int(a) - 1: int(b or a)])
        assert _squash(rec["quote"]) in _squash(span), rec["id"]


def test_windows(targets):
    assert targets.loc["trade_finance_growth", "window_start"] == 2022
    assert targets.loc["commodity_trading", "window_start"] == pd.Period("2025-01", freq="M")
    assert targets.loc["ecommerce_direct_link", "window_start"] == pd.Period("2023-01", freq="M")
    assert targets.loc["listed_firms", "window_start"] is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "stock"}, "kind of target"),
        ({"target": -1}, "positive number"),
        ({"window_start": ""}, "needs window_start"),
        ({"window_start": "2026-01"}, "after the deadline"),
        ({"deadline": "end of 2025"}, "not a month"),
    ],
)
def test_check_targets_errors(change, message):
    row = {"id": "x", "indicator_zh": "甲", "indicator_en": "X", "target": 5, "unit": "亿元", "kind": "cumulative",
           "deadline": "2025-12", "window_start": "2025-01", "quote": "……"}
    row.update(change)
    with pytest.raises(ValueError, match=message):
        check_targets(pd.DataFrame([row]))


def test_check_targets_missing_column_and_duplicates(targets):
    with pytest.raises(ValueError, match="lacks columns"):
        check_targets(targets.drop(columns="quote").reset_index(drop=True))
    dup = pd.concat([targets.iloc[:1], targets.iloc[:1]]).reset_index(drop=True)
    with pytest.raises(ValueError, match="unique"):
        check_targets(dup)
