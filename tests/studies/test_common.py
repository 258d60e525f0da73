"""studies/_common.py: the pieces every paper shares, and the generic labels holding no study's names."""

from __future__ import annotations

import pytest

from research_kit.report.labels import LABELS, Labels
from research_kit.studies import _common as common
from research_kit.studies import digital_rmb, financing_cost, fx_loans, hedging_rd, power_fx, targets


@pytest.mark.parametrize("p, cell, sentence", [
    (0.0004, "<0.001", "p < 0.001"),
    (0.001, "0.001", "p = 0.001"),
    (0.04567, "0.046", "p = 0.046"),
])
def test_p_values(p: float, cell: str, sentence: str) -> None:
    assert common.fmt_p(p) == cell
    assert common.p_equals(p) == sentence


def test_numbers_months_and_code_lists() -> None:
    assert common.fmt(1234.5678) == "1,234.57"
    assert common.month("2022-03-31") == "2022-03"
    assert common.code_list(["a", "b"], "zh") == "`a`、`b`"
    assert common.code_list(["a", "b"], "en") == "`a`, `b`"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_synthetic_notice_and_truth(lang: str) -> None:
    lab = Labels(lang)  # type: ignore[arg-type]
    one = common.synthetic_data_notice(lab, zh="企业为虚构。", en="The firms are invented.")
    many = common.synthetic_data_notice(lab, zh="企业为虚构。", en="The firms are invented.", plural=True)
    if lang == "zh":
        assert one == many == ("> **数据说明：本文使用的是模拟（合成）演示数据。** 企业为虚构。"
                               "文中的“真实效应”是模拟设定的已知效应，用于检验估计方法。")
    else:
        assert one == ("> **Data notice: this paper uses synthetic demo data.** The firms are invented. The \"true effect\" "
                       "is the known effect built into the simulation, used to check the estimators.")
        assert "The \"true effects\" are the known effects" in many
    assert common.synthetic_sentence(lab, False) == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_datasets_sentence(lang: str) -> None:
    lab = Labels(lang)  # type: ignore[arg-type]
    plain = common.datasets_sentence(lab, ["x_panel", "x_truth"], generator="m.f")
    written = common.datasets_sentence(lab, ["x_panel"], generator="m.f", command=True)
    assert "`x_panel`" in plain and "`x_truth`" in plain and "`m.f`" in plain
    assert common.SIMULATE_COMMAND not in plain and common.SIMULATE_COMMAND in written
    assert plain.endswith("）。" if lang == "zh" else ").")


def test_front_matter_keys_and_language() -> None:
    fm = common.paper_front_matter(Labels("en"), title="T", abstract="A", task="Task 1", synthetic=True, county="C")
    assert fm == {"title": "T", "abstract": "A", "lang": "en", "task": "Task 1", "county": "C", "synthetic": True}


def test_study_labels_check_the_language() -> None:
    with pytest.raises(ValueError, match="lang must be 'zh'"):
        common.study_labels({}, "fr")  # type: ignore[arg-type]
    assert common.study_labels({"k": {"zh": "甲", "en": "A"}}, "en")("k") == "A"


def test_the_project_labels_hold_no_study_variable() -> None:
    """A study's outcomes and names are labelled by the study (``extra=``), not in report/labels.py."""
    study_keys = {*fx_loans.OUTCOMES, *fx_loans.TRADE_OUTCOMES, *fx_loans.LABELS, *digital_rmb.OUTCOMES,
                  *hedging_rd.OUTCOMES, "financing_cost", "all_jinhua"}
    assert study_keys & set(LABELS) == set()
    # and every study still labels its own outcomes in both languages
    for lang in ("zh", "en"):
        for o in fx_loans.OUTCOMES:
            assert fx_loans.labels(lang)(o)
        for o in digital_rmb.OUTCOMES:
            assert digital_rmb.labels(lang)(o)
        for o in hedging_rd.OUTCOMES:
            assert hedging_rd.labels(lang)(o)
        assert power_fx.labels(lang)("fx_loan_balance") == fx_loans.labels(lang)("fx_loan_balance")


@pytest.mark.parametrize("study", [digital_rmb, financing_cost, fx_loans, hedging_rd, power_fx, targets])
def test_every_study_is_one_package_of_three_parts(study) -> None:
    import importlib

    parts = [importlib.import_module(f"{study.__name__}.{p}") for p in ("_data", "_estimate", "_paper")]
    exported = set(study.__all__)
    for part in parts:
        assert set(part.__all__) <= exported
        for name in part.__all__:
            assert getattr(study, name) is getattr(part, name)
