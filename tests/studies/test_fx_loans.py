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


def test_wild_bootstrap_uses_the_nine_counties(est) -> None:
    assert est.wild is not None
    assert est.wild.info["n_clusters"] == 9 and est.wild.info["weights"] == "webb"
    assert est.wild.estimate == pytest.approx(est.twfe.estimate, rel=1e-12)
    assert 0 < est.wild.p_value < 0.05 and est.wild.conf_low < est.wild.estimate < est.wild.conf_high


def test_sensitivity_table_widens_with_mbar(est) -> None:
    h = est.honest.sort_values("mbar")
    assert (np.diff(h["ub"] - h["lb"]) > 0).all()
    assert h["id_lb"].iloc[0] == pytest.approx(h["id_ub"].iloc[0])  # Mbar = 0: point identified


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_paper_text_uses_the_estimates(est, lang) -> None:
    text = study.results_paragraph(est, lang=lang) + study.wild_paragraph(est, lang=lang)
    assert f"{est.cs.estimate:.2f}" in text and f"{est.wild.p_value:.4f}" in text
    table = study.results_table(est, lang=lang).to_markdown()
    for r in (est.twfe, est.cs, est.sa_att, est.imputation_att):
        assert f"{r.estimate:.3f}" in table


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
