"""The hedging_rd study: inputs through rk.data.load, the 300号 eligibility rule, and every interpretive branch.

Numbers in the text come from the estimates (both languages); each sentence that interprets a number is
reached by an input built for it (density test rejects or not, a covariate jumps or not, the covariate
adjustment moves the estimate or not, the 30% target is met without, with, or not even with the guarantee).
"""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from research_kit.simulate.rd import WHOLESALE_MEDIUM_REVENUE, smallfirm_guarantee_demo

from research_kit.report.tables import format_number
from research_kit.studies import hedging_rd as study

ZH_LATIN_OK = {"Cattaneo", "Jansson", "Ma", "Calonico", "Titiunik", "Bonferroni", "Epanechnikov", "p"}


def latin_words(text: str) -> set[str]:
    """Latin-script words of a Chinese text, without citations and math."""
    text = re.sub(r"\[@[^\]]+\]", " ", text)
    text = re.sub(r"\$[^$]*\$", " ", text)
    return set(re.findall(r"[A-Za-z][A-Za-z0-9_\-'’]*", text)) - ZH_LATIN_OK


@pytest.fixture(scope="module")
def run():
    data = smallfirm_guarantee_demo(3000, seed=5)
    return data, study.estimate(data)


def test_demo_follows_the_300_rule(run) -> None:
    data, _ = run
    f = data.firms
    assert data.threshold == WHOLESALE_MEDIUM_REVENUE == 5000.0
    assert ((f["revenue"] < 5000) == (f["eligible"] == 1)).all()
    assert (f.loc[f["eligible"] == 0, "guaranteed"] == 0).all()
    np.testing.assert_allclose(f["running"], 5000.0 - f["revenue"])
    assert (f["employees"] >= 20).all()


def test_load_data_reads_the_raw_files_and_rebuilds_the_rule() -> None:
    data = study.load_data()
    demo = smallfirm_guarantee_demo(4000, seed=20221230)
    f, g = data.firms.sort_values("firm_id").reset_index(drop=True), demo.firms
    assert len(f) == len(g) == 4000
    np.testing.assert_allclose(f["revenue"], g["revenue"], atol=0.051)  # written with one decimal
    assert (f["guaranteed"].to_numpy() == g["guaranteed"].to_numpy()).all()
    assert (f["eligible"].to_numpy() == g["eligible"].to_numpy()).all()
    np.testing.assert_allclose(f["hedge_ratio"], g["hedge_ratio"], atol=0.0051)
    assert data.truth["late_hedge_ratio"] == pytest.approx(demo.truth["late_hedge_ratio"], abs=1e-6)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_text_quotes_the_estimates(run, lang: str) -> None:
    data, est = run
    text = study.results_paragraph(est, lang=lang)
    for value in (est.sharp.conventional, est.sharp.conf_low, est.sharp.conf_high, est.fuzzy.conventional):
        assert format_number(value, digits=2) in text
    assert format_number(est.sharp.h[0], digits=0) in text
    validity = study.validity_paragraph(est, lang=lang)
    assert format_number(est.sharp_cov.conventional, digits=2) in validity
    pieces = (text, validity, study.truth_paragraph(est, lang=lang), study.data_paragraph(data, lang=lang),
              study.target_paragraph(est, lang=lang), study.front_matter(est, lang=lang)["abstract"],
              study.results_table(est, lang=lang).to_markdown())
    for piece in pieces:
        if lang == "en":
            assert not re.search(r"[\u4e00-\u9fff]", piece)
        else:
            assert not latin_words(piece), latin_words(piece)
            assert "mserd" not in piece and "triangular" not in piece


def test_tables_figures_and_front_matter(run) -> None:
    data, est = run
    for lang in ("zh", "en"):
        for t in (study.descriptives(data, lang=lang), study.results_table(est, lang=lang),
                  study.balance_table(est, lang=lang), study.placebo_table(est, lang=lang),
                  study.truth_table(est, lang=lang)):
            assert t.to_markdown()
        for fig in (study.rd_figure(est, lang=lang), study.first_stage_figure(data, lang=lang),
                    study.density_figure(est, lang=lang), study.sensitivity_figure(est, lang=lang)):
            assert fig.axes
            plt.close(fig)
    assert study.results_table(est, lang="en").body.shape[1] == 5  # sharp, fuzzy, and both covariate-adjusted
    meta = study.front_matter(est, lang="zh")
    assert meta["synthetic"] is True and "19" in meta["task"] and "300" in meta["abstract"]
    assert format_number(est.sharp_cov.conventional, digits=2) in meta["abstract"]
    assert est.fuzzy.conf_low <= est.truth["late_hedge_ratio"] <= est.fuzzy.conf_high
    assert study.truth_table(dataclasses.replace(est, truth={})) is None


def _with(est, *, density_p=0.5, balance_p=(0.5, 0.6, 0.7), adj_shift=0.0, base=None):
    bal = est.balance.copy()
    bal["p_value"] = list(balance_p)
    adj = SimpleNamespace(conventional=est.sharp.conventional + adj_shift, conf_low=0.0, conf_high=1.0)
    out = dataclasses.replace(est, density=SimpleNamespace(p_value=density_p, statistic=0.1), balance=bal, sharp_cov=adj)
    if base is not None:
        out = dataclasses.replace(out, level_not_eligible=base)
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_validity_branches(run, lang: str) -> None:
    _, est = run
    se = est.sharp.std_error
    clean = study.validity_paragraph(_with(est), lang=lang)
    bunched = study.validity_paragraph(_with(est, density_p=0.001), lang=lang)
    jump_small = study.validity_paragraph(_with(est, balance_p=(0.01, 0.6, 0.7), adj_shift=0.1 * se), lang=lang)
    jump_big = study.validity_paragraph(_with(est, balance_p=(0.01, 0.6, 0.7), adj_shift=2 * se), lang=lang)
    if lang == "zh":
        assert "未发现企业为符合条件而压低" in clean and "密度存在跳跃" in bunched
        assert "没有协变量在 5% 水平上显著跳跃" in clean and "不到未调整估计标准误的一半" in clean
        assert "企业成立年限在门槛处有跳跃" in jump_small and "不到未调整估计标准误的一半" in jump_small
        assert "以控制协变量的估计为准" in jump_big
    else:
        assert "no evidence that firms understate" in clean and "density jumps" in bunched
        assert "No covariate jumps significantly" in clean and "less than half" in clean
        assert "firm age jumps at the threshold" in jump_small and "less than half" in jump_small
        assert "prefers the adjusted estimate" in jump_big
    assert study.adjustment_matters(_with(est, adj_shift=2 * se))
    assert not study.adjustment_matters(_with(est, adj_shift=0.1 * se))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_target_branches(run, lang: str) -> None:
    _, est = run
    itt = est.sharp.conventional
    met = study.target_paragraph(_with(est, base=31.0), lang=lang)
    lifted = study.target_paragraph(_with(est, base=30.0 - itt / 2), lang=lang)
    short = study.target_paragraph(_with(est, base=5.0), lang=lang)
    if lang == "zh":
        assert "没有担保时已达到目标" in met and "足以把避险比例提高到目标以上" in lifted
        assert "仍比目标低 " + format_number(30.0 - 5.0 - itt, digits=1) in short
    else:
        assert "even without the guarantee" in met and "enough to lift hedging above" in lifted
        assert f"fall {format_number(30.0 - 5.0 - itt, digits=1)} percentage points short" in short
    assert study.target_paragraph(dataclasses.replace(est, outcome="fx_loss"), lang=lang) == ""


def test_bad_options_are_rejected(run) -> None:
    data, _ = run
    with pytest.raises(ValueError, match="outcome must be one of"):
        study.estimate(data, outcome="profit")
    with pytest.raises(ValueError, match="bwselect must be one of"):
        study.estimate(data, bwselect="ik")
