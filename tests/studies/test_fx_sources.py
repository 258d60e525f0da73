"""The FX-loans panel built from the delivered sources (ledger + repayments + registry + SAFE +
hedging contracts) on the shipped synthetic data: it must equal the banks' monthly report the
simulation wrote (same balances to the cent, same receipts), so the stored true effects stay
the truth; the new outcomes' estimates are checked against their stored truth."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import research_kit as rk
from research_kit.results import Result
from research_kit.studies import fx_loans as study
from research_kit.studies.fx_loans._sources import _verdict

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("fxsources")
    (dest / "data").mkdir()
    shutil.copytree(ROOT / "data" / "raw", dest / "data" / "raw")
    shutil.copy(ROOT / "data" / "catalog.yaml", dest / "data" / "catalog.yaml")
    rk.data.prepare(root=dest)
    return dest


@pytest.fixture(scope="module")
def panel(root: Path) -> pd.DataFrame:
    return study.analysis_panel("all", root=root)


def test_panel_from_sources_equals_the_monthly_report(panel, root) -> None:
    report = rk.data.load("fx_loans", root=root).astype({"business_id": str})
    m = panel.merge(report, on=["business_id", "month"], suffixes=("", "_report"), validate="one_to_one")
    assert len(m) == len(panel) == len(report)
    np.testing.assert_allclose(m["fx_loan_balance"], m["fx_loan_balance_report"], atol=1e-9, rtol=0)
    np.testing.assert_array_equal(m["export_receipts"], m["export_receipts_report"])
    for col in ("business_id", "month", "t", "county", "bank", "sector", "size", "weight", "fx_loan_balance",
                "financing_cost", "loan_access", "export_receipts", "start_month", "cohort", "event_time", "treated",
                "te_fx_loan_balance", "te_financing_cost", "te_loan_access", "hedged_share", "te_hedged_share",
                "te_export_receipts"):
        assert col in panel.columns, col
    assert panel["hedged_share"].between(0, 1).all()
    assert (panel.loc[panel["export_receipts"] == 0, "hedged_share"] == 0).all()
    links = study.linked_sources(root=root)
    assert links.balance_agreement == 1.0


def test_match_reports_count_every_row(root) -> None:
    links = study.linked_sources(root=root)
    for name, rep in links.reports.items():
        assert rep.matched_left + rep.unmatched_left == rep.n_left, name
        assert rep.matched_right + rep.unmatched_right == rep.n_right, name
    led = links.reports["ledger_registry"]
    assert led.mapped_left > 0 and led.normalized_left > 0 and led.invalid_left >= 5  # 注册号, variants, typos
    assert links.reports["sample_registry"].match_rate_left == 1.0
    assert links.reports["hedges_sample"].match_rate_left == 1.0
    shown = study.linkage_table(lang="en", root=root).to_markdown() + study.linkage_paragraph(lang="zh", root=root)
    sample = rk.data.load("businesses", root=root)
    assert not any(str(u) in shown for u in sample["uscc"])  # counts only, no identifier


def test_trade_effects_cover_their_truth(panel) -> None:
    eff = study.trade_effects(panel, control_group="not_yet", seed=3)
    for outcome, r in eff.results.items():
        assert r.conf_low <= eff.truth[outcome] <= r.conf_high, (outcome, r.estimate, eff.truth[outcome])
    assert eff.truth["export_receipts"] == 0.0 and eff.truth["hedged_share"] > 0.02
    assert eff.results["hedged_share"].conf_low > 0  # the hedging effect is detected
    for lang in ("zh", "en"):
        text = study.trade_paragraph(eff, lang=lang)
        assert rk.report.tables.format_number(eff.results["hedged_share"].estimate, digits=3) in text


def _result(est: float, lo: float, hi: float) -> Result:
    return Result.from_arrays(["ATT"], [est], [(hi - lo) / 3.92], nobs=100, estimator="test", conf_low=[lo],
                              conf_high=[hi], p_values=[0.5])


@pytest.mark.parametrize("lo,hi,truth,zh,en", [
    (0.1, 0.3, 0.2, ("显著不为零", "区间覆盖"), ("statistically different from zero", "covers")),
    (0.1, 0.3, 0.5, ("显著不为零", "未覆盖"), ("statistically different from zero", "does not cover")),
    (-0.1, 0.3, 0.0, ("无显著差异", "区间覆盖"), ("not statistically different", "covers")),
    (-0.3, -0.1, 0.0, ("显著不为零", "未覆盖"), ("statistically different from zero", "does not cover")),
])
def test_verdict_sentence_follows_the_interval(lo, hi, truth, zh, en) -> None:
    r = _result((lo + hi) / 2, lo, hi)
    text_zh = _verdict("hedged_share", r, truth, True, "zh")
    text_en = _verdict("hedged_share", r, truth, True, "en")
    assert all(w in text_zh for w in zh) and all(w in text_en for w in en)
    assert "真实效应" not in _verdict("hedged_share", r, truth, False, "zh")
