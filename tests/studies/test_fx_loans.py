"""The FX-loans study on the shipped synthetic demo data, whose true effects are known.

References: the truth stored with the simulation (true_effects.parquet); the Goodman-Bacon
identity (weights sum to one and the weighted 2x2 estimates equal the TWFE coefficient on the
same balanced cell panel, Goodman-Bacon 2021 Theorem 1); the estimators themselves are validated
against R/Stata/pyfixest in tests/did and tests/inference.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import research_kit as rk
from research_kit.studies import fx_loans as study

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("fxproject")
    (dest / "data").mkdir()
    shutil.copytree(ROOT / "data" / "raw", dest / "data" / "raw")
    shutil.copy(ROOT / "data" / "catalog.yaml", dest / "data" / "catalog.yaml")
    if (ROOT / "data" / "targets").is_dir():  # indicator definitions, checked by prepare
        shutil.copytree(ROOT / "data" / "targets", dest / "data" / "targets")
    rk.data.prepare(root=dest)
    return dest


@pytest.fixture(scope="module")
def panel(root: Path):
    return study.analysis_panel("all", root=root)


@pytest.fixture(scope="module")
def est(panel, root: Path, monkeypatch_module):
    monkeypatch_module.setenv("RESEARCH_KIT_ROOT", str(root))
    return study.estimate(panel, outcome="fx_loan_balance", control_group="not_yet", leads=12, lags=24,
                          bootstrap_reps=1999, seed=3)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_robust_estimators_cover_the_truth_and_twfe_is_biased_down(est) -> None:
    for name, r in est.robust.items():
        assert r.conf_low <= est.truth_att <= r.conf_high, (name, r.estimate, est.truth_att)
    # effects grow with exposure: TWFE's forbidden comparisons pull it down, by more than 2 standard errors
    assert est.twfe.estimate < est.truth_att - 2 * est.twfe.std_error


def test_dynamic_effects_track_the_truth(est) -> None:
    truth = est.truth_event.set_index("event_time")["estimate"]
    for res in (est.cs_dynamic, est.sa, est.imputation):
        ev = study.event_frame(res).set_index("event_time")
        post = ev.loc[ev.index >= 0].join(truth.rename("truth"), how="inner")
        z = (post["estimate"] - post["truth"]) / post["std_error"]
        assert len(post) == 25 and (np.abs(z) < 3.5).all(), res.info.get("method")


def test_bacon_weights_and_identity_on_the_cell_panel(est, panel) -> None:
    bacon = est.bacon
    assert bacon is not None
    assert bacon["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    cells = study.cell_panel(panel, "fx_loan_balance")
    twfe_cells = rk.did.twfe(cells, outcome="y", unit="cell", time="t", treat="treated")
    assert (bacon["weight"] * bacon["estimate"]).sum() == pytest.approx(twfe_cells.estimate, abs=1e-10)
    summ = rk.did.bacon_summary(bacon).set_index("type")
    # the comparisons with already-treated controls are what drag TWFE below the truth
    assert summ.loc["Later vs Earlier Treated", "avg_est"] < est.truth_att


def test_wild_bootstrap_uses_the_nine_counties(est) -> None:  # noqa: D103
    assert est.wild is not None
    assert est.wild.info["n_clusters"] == 9 and est.wild.info["weights"] == "webb"
    assert est.wild.estimate == pytest.approx(est.twfe.estimate, rel=1e-12)
    assert 0 < est.wild.p_value < 0.05 and est.wild.conf_low < est.wild.estimate < est.wild.conf_high


def test_sensitivity_table_widens_with_mbar(est) -> None:
    h = est.honest.sort_values("mbar")
    assert (np.diff(h["conf_high"] - h["conf_low"]) > 0).all()
    assert h["id_low"].iloc[0] == pytest.approx(h["id_high"].iloc[0])  # Mbar = 0: point identified


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_paper_text_uses_the_estimates(est, lang) -> None:
    from research_kit.report.claims import p_text

    text = study.results_paragraph(est, lang=lang) + study.inference_paragraph(est, lang=lang)
    assert f"{est.cs.estimate:.3f}" in text and p_text(est.wild.p_value) in text
    table = study.results_table(est, lang=lang).to_markdown()
    for o in est.outcomes.values():  # every outcome of the question, four estimators, the bootstrap interval
        for r in (o.twfe, o.cs, o.sa_att, o.imputation_att):
            assert f"{r.estimate:.3f} [{r.conf_low:.3f}, {r.conf_high:.3f}]" in table
        assert f"[{o.cs_boot.conf_low:.3f}, {o.cs_boot.conf_high:.3f}]" in table


def test_three_outcomes_clustered_at_the_assignment_level(est) -> None:
    assert list(est.outcomes) == list(study.QUESTION_OUTCOMES)
    assert est.outcomes["fx_loan_balance"].cs.estimate == est.cs.estimate
    for o in est.outcomes.values():
        assert o.cs.info["n_clusters"] == 54 and o.twfe.info["n_clusters"] == 54  # county x bank cells
        assert o.cs_boot.info["n_clusters"] == 9 and o.cs_boot.info["bootstrap"] == 999 and o.boot_level == "county"
        assert o.cs_boot.estimate == pytest.approx(o.cs.estimate, rel=1e-12)
        # robust estimators cover the simulated truth of every outcome
        for name, r in o.robust.items():
            assert r.conf_low <= o.truth_att <= r.conf_high, (o.outcome, name)
        # each estimator's own estimand (applied to the true effects) is close to the truth when all months have controls
        assert abs(o.estimands["callaway_santanna"] - o.truth_att) < 0.1 * abs(o.truth_att) + 0.01


def test_breakdown_mbar_is_where_zero_enters(est) -> None:
    b = est.breakdown
    assert np.isfinite(b) and b > float(est.honest["mbar"].max())  # beyond the table's grid in the demo data
    h = rk.did.honest_did(est.sa, mbar=(b - 0.01, b), target="average")
    assert h["conf_low"].iloc[0] > 0 >= h["conf_low"].iloc[1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_claims_follow_the_numbers(est, panel, lang) -> None:
    honest = study.honest_paragraph(est, lang=lang)
    assert f"{est.breakdown:.2f}" in honest and ("不再稳健" not in honest)
    bacon = study.bacon_paragraph(est, lang=lang)
    share = study.bacon_gap_share(est)
    assert f"{100 * share:.0f}%" in bacon and f"{est.bacon.attrs['twfe']:.3f}" in bacon
    v = study.pretrend_verdict_of(est, lang=lang)
    caveats = study.caveats(est, lang=lang)
    if v.status == "reject":
        assert ("相符" not in caveats) if lang == "zh" else ("consistent with" not in caveats)
    # the CS pre-test has more restrictions than cell clusters: flagged, never used as evidence
    assert any(n == "Callaway–Sant'Anna" and r == "rank" for n, r, *_ in v.uninformative)
    assert ("县只有 9 个" in caveats) if lang == "zh" else ("only 9 counties" in caveats)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_internal_names_in_the_prose(est, panel, lang) -> None:
    text = " ".join([study.data_notice(lang), study.results_paragraph(est, lang=lang),
                     study.inference_paragraph(est, lang=lang), study.pretrend_paragraph(est, lang=lang),
                     study.bacon_paragraph(est, lang=lang), study.honest_paragraph(est, lang=lang),
                     study.truth_paragraph(est, lang=lang), study.conclusion_paragraphs(panel, est, lang=lang),
                     study.identification_paragraphs(panel, est, lang=lang), study.caveats(est, lang=lang),
                     study.balance_paragraph(panel, lang=lang), study.front_matter(est, lang=lang)["abstract"]])
    for internal in ("fx_loan_balance", "financing_cost", "loan_access", "not_yet", "business_id", "research_kit",
                     "yongkang_never", "callaway_santanna", "_"):
        assert internal not in text, internal


def test_county_sector_table_withholds_small_cells(panel) -> None:
    # every county x sector cell with 1-4 businesses in the last month must be withheld ("×")
    t = study.fx_by_county_sector(panel, lang="en")
    body = t.body.set_index("County")
    last = panel.loc[panel["month"] == panel["month"].max()]
    counts = last.groupby(["county", "sector"], observed=True)["business_id"].nunique()
    names = {c: study.county_label(c, "en") for c in last["county"].unique()}
    sectors = {"small_commodities": "Small commodities", "hardware": "Hardware", "textiles": "Textiles",
               "electronics": "Electronics", "food": "Food", "other": "Other"}
    small = [(names[c], sectors[str(s)]) for (c, s), n in counts.items() if 0 < n < 5]
    assert small, "the demo data should have small cells to protect"
    for county, sector in small:
        assert body.loc[county, sector] == "×", (county, sector)
    assert not any("GT" in str(v) for v in body.to_numpy().ravel())


def test_baseline_balance_uses_pre_programme_year(panel) -> None:
    frame = study.baseline_frame(panel, year=2022)
    assert frame["fx_loan_balance"].notna().all() and frame["business_id"].is_unique
    t = study.balance_table(panel, lang="en")
    units = t.body.iloc[-1]
    assert int(units.iloc[1].replace(",", "")) == int(frame["ever_treated"].sum())


@pytest.fixture(scope="module")
def yiwu(root: Path, monkeypatch_module):
    monkeypatch_module.setenv("RESEARCH_KIT_ROOT", str(root))
    panel = study.analysis_panel("义乌市", root=root)
    return panel, study.estimate(panel, outcome="fx_loan_balance", control_group="not_yet", outcomes=("fx_loan_balance",),
                                 seed=3, breakdown_tol=0.05)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_yiwu_explains_why_no_interval_covers_the_truth(yiwu, lang) -> None:
    panel, est = yiwu
    assert est.wild is None and est.n_counties == 1
    o = est.main
    assert not any(r.conf_low <= est.truth_att <= r.conf_high for r in o.robust.values())
    # every estimator covers its own estimand: the truth is a different average (months without any comparison)
    for key, r in o.robust.items():
        assert r.conf_low <= o.estimands[key] <= r.conf_high, key
    nc = est.no_comparison
    assert nc["share"] > 0.5 and nc["truth_without"] > nc["truth_with"]
    text = study.truth_paragraph(est, lang=lang)
    assert f"{nc['share']:.0%}" in text and f"{nc['truth_without']:.3f}" in text
    assert ("估计目标不同" in text) if lang == "zh" else ("difference of estimand" in text)
    # one county: no county-clustered sentence, no wild bootstrap over 9 counties
    caveats, inference = study.caveats(est, lang=lang), study.inference_paragraph(est, lang=lang)
    assert "9" not in caveats and ("野聚类" not in inference if lang == "zh" else "wild" not in inference)
    assert ("只有一个县" in caveats) if lang == "zh" else ("single county" in caveats)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sector_paragraph_branches(est, lang) -> None:
    import dataclasses

    import pandas as pd

    sec = est.sectors
    assert len(sec) >= 2 and (sec["n_businesses"] >= study.MIN_SECTOR_BUSINESSES).all()
    table = study.sector_table(est, lang=lang).to_markdown()
    assert all(f"{x:.3f}" in table for x in sec["estimate"])
    frame = lambda lo, hi: pd.DataFrame({"sector": ["hardware", "food"], "n_businesses": [100, 80],  # noqa: E731
                                         "estimate": [1.0, 0.2], "conf_low": lo, "conf_high": hi, "truth": [1.0, 0.2]})
    apart = dataclasses.replace(est, sectors=frame([0.8, -0.1], [1.2, 0.5]))
    overlap = dataclasses.replace(est, sectors=frame([0.1, -0.1], [1.9, 0.5]))
    a, o = study.sector_paragraph(apart, lang=lang), study.sector_paragraph(overlap, lang=lang)
    none = study.sector_paragraph(dataclasses.replace(est, sectors=frame([0.8, -0.1], [1.2, 0.5]).iloc[:1]), lang=lang)
    if lang == "zh":
        assert "五金机电（1.000）" in a and "可区分" in a and "不能区分" in o and "没有足够多的行业" in none
        assert "五金机电的区间不含零" in a
    else:
        assert "largest for hardware (1.000)" in a and "distinguishable and can inform" in a
        assert "not statistically distinguishable" in o and "too few sectors" in none


@pytest.fixture(scope="module")
def panan(root: Path, monkeypatch_module):
    """磐安县: 38 businesses, 6 cells, one opening wave; Sun-Abraham has no SE at the last event times."""
    monkeypatch_module.setenv("RESEARCH_KIT_ROOT", str(root))
    panel = study.analysis_panel("磐安县", root=root)
    return panel, study.estimate(panel, outcome="fx_loan_balance", control_group="not_yet", seed=3,
                                 bootstrap_reps=199, breakdown_tol=0.05)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_thin_county_paper_says_what_cannot_be_computed(panan, lang) -> None:
    panel, est = panan
    # the sensitivity analysis needs every event time's covariance: not computed, and the paper says why
    assert est.honest is None and est.honest_missing_se
    text = study.honest_paragraph(est, lang=lang)
    assert str(est.honest_missing_se[-1]) in text and ("M̄" in text)
    with pytest.raises(ValueError, match="no standard error for event time"):
        rk.did.honest_did(est.sa, target="average")
    # one opening wave: no "spread in N waves"
    ident = "".join(study.identification_paragraphs(panel, est, lang=lang))
    assert ("同一批次" in ident) if lang == "zh" else ("one wave" in ident)
    # missing intervals are said in words, never printed as empty brackets
    results = study.results_paragraph(est, lang=lang)
    assert "至 ，" not in results and " to ," not in results and "[, ]" not in results
    assert "[, ]" not in study.results_table(est, lang=lang).to_markdown()
    inference = study.inference_paragraph(est, lang=lang)
    assert "至 ，" not in inference and " to ," not in inference
    if not np.isfinite(est.main.cs.conf_low):  # the FX balance barely varies in this county: no interval
        assert ("无法计算" in inference) if lang == "zh" else ("cannot be" in inference)
        assert results.count("无法" if lang == "zh" else "could be computed") <= 1  # said once, not twice
        assert ("无法判断" in study.conclusion_paragraphs(panel, est, lang=lang)) if lang == "zh" else \
            ("cannot be assessed" in study.conclusion_paragraphs(panel, est, lang=lang))
