"""The hedging_rd study module: numbers in the text come from the estimates, both languages."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest

from research_kit.report.tables import format_number
from research_kit.studies import hedging_rd as study


@pytest.fixture(scope="module")
def run():
    data = study.simulate(3000, threshold=50.0, take_up=0.6, manipulation=0.0, seed=5)
    return data, study.estimate(data)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_text_quotes_the_estimates(run, lang: str) -> None:
    data, est = run
    text = study.results_paragraph(est, lang=lang)
    for value in (est.sharp.conventional, est.sharp.conf_low, est.sharp.conf_high, est.fuzzy.conventional):
        assert format_number(value, digits=2) in text
    assert format_number(est.sharp.h[0], digits=2) in text
    validity = study.validity_paragraph(est, lang=lang)
    assert format_number(est.density.statistic, digits=2) in validity
    if lang == "en":
        for piece in (text, validity, study.truth_paragraph(est, lang=lang), study.data_paragraph(data, lang=lang)):
            assert not re.search(r"[\u4e00-\u9fff]", piece)


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
    meta = study.front_matter(est, lang="zh")
    assert meta["synthetic"] is True and "19" in meta["task"]
    assert format_number(est.fuzzy.conventional, digits=2) in meta["abstract"]
    # the demo recovers its own truth
    assert est.fuzzy.conf_low <= est.truth["late_hedge_ratio"] <= est.fuzzy.conf_high


def test_bad_outcome_is_rejected(run) -> None:
    data, _ = run
    with pytest.raises(ValueError, match="outcome must be one of"):
        study.estimate(data, outcome="profit")
