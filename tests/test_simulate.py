"""Tests of research_kit.simulate: the demo data's truth, calibration, roll-out,
flaws, raw formats and reproducibility, and the staggered benchmark panels.

The DiD checks use estimators written here from scratch (two-way demeaning and
2x2 comparisons with the never-treated), independent of research_kit.did.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from research_kit import paths
from research_kit.simulate import (
    BANKS,
    RAW_FILES,
    SECTORS,
    SIZES,
    TARGET_BALANCE_2025,
    fx_loans_demo,
    staggered_panel,
    true_att,
    write_demo_raw,
)
from research_kit.simulate._raw import BANK_ZH, ROLLOUT_TITLE, SECTOR_ZH, SIZE_ZH

OUTCOMES = ("fx_loan_balance", "financing_cost", "loan_access")
SHIPPED = (*RAW_FILES, "README.md", "MANIFEST")


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    return fx_loans_demo()


@pytest.fixture(scope="module")
def panel(demo):
    return demo.panel()


@pytest.fixture(scope="module")
def large_demos():
    """Four independent panels of 5,000 businesses (about 20,000 in all)."""
    return [fx_loans_demo(5000, seed=s).panel() for s in range(4)]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _weighted_dec_balance(p: pd.DataFrame) -> float:
    dec = p[p["month"] == pd.Timestamp("2025-12-01")]
    return float((dec["fx_loan_balance"] * dec["weight"]).sum())


def _demean(x: np.ndarray, groups: list[np.ndarray], tol: float = 1e-11) -> np.ndarray:
    """Residual of x on the dummies of several groupings (alternating projections)."""
    x = np.asarray(x, dtype=np.float64).copy()
    codes = [pd.factorize(g)[0] for g in groups]
    sizes = [np.bincount(c) for c in codes]
    for _ in range(1000):
        step = 0.0
        for c, n in zip(codes, sizes):
            means = np.bincount(c, weights=x) / n
            x -= means[c]
            step = max(step, float(np.abs(means).max()))
        if step < tol:
            return x
    raise RuntimeError("demeaning did not converge")


def _twfe(df: pd.DataFrame, outcome: str, unit: str, time: str, treated: np.ndarray) -> float:
    """Naive TWFE: coefficient of the treated dummy with unit and time fixed effects."""
    groups = [df[unit].to_numpy(), df[time].to_numpy()]
    y = _demean(df[outcome].to_numpy(), groups)
    d = _demean(treated.astype(np.float64), groups)
    return float(d @ y / (d @ d))


def _treated(df: pd.DataFrame) -> np.ndarray:
    return ((df["cohort"] > 0) & (df["time"] >= df["cohort"])).to_numpy()


# --- reproducibility -------------------------------------------------------------------------


def test_write_demo_raw_is_byte_identical(tmp_path):
    a = write_demo_raw(tmp_path / "a", n_businesses=150, seed=5)
    b = write_demo_raw(tmp_path / "b", n_businesses=150, seed=5)
    c = write_demo_raw(tmp_path / "c", n_businesses=150, seed=6)
    assert [p.name for p in a] == list(SHIPPED)
    assert [_sha(p) for p in a] == [_sha(p) for p in b]
    differ = [p.name for p, q in zip(a, c) if _sha(p) != _sha(q)]
    # The seed changes the businesses; the roll-out is a fixed design (ROLLOUT_PLAN).
    # fx_rates.csv (the declared EUR rates) is a fixed path too.
    assert set(differ) == set(SHIPPED) - {"fx_programme_rollout.xlsx", "fx_rates.csv"}
    # sha256sum format, every file but MANIFEST, sorted by name (as research_kit.data.write_raw_manifest)
    manifest = (tmp_path / "a" / "MANIFEST").read_text().splitlines()
    names = sorted(set(SHIPPED) - {"MANIFEST"})
    assert manifest == [f"{_sha(tmp_path / 'a' / name)}  {name}" for name in names]


@pytest.fixture(scope="module")
def fresh_raw(tmp_path_factory):
    """The default demo, freshly written (what data/raw should hold)."""
    d = tmp_path_factory.mktemp("raw")
    return d, write_demo_raw(d)


def _content(path):
    """What a raw file says, independent of library versions that write it (zlib, pyarrow, openpyxl)."""
    import gzip

    if path.suffix == ".gz":
        return gzip.decompress(path.read_bytes())
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".xlsx":
        return pd.read_excel(path, header=None, dtype=str)
    return path.read_bytes()


# Float columns of a regeneration may differ in the last bits on another CPU or BLAS build (seen:
# 3.6e-15 in true_effects.parquet); they are compared to 1e-9 relative and absolute. Everything exact
# (CSV text, ids, dates, integer columns, the .xlsx cells as text) is compared exactly.
FLOAT_RTOL = FLOAT_ATOL = 1e-9


def _frames_agree(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same columns, dtypes and non-float values; float columns equal within FLOAT_RTOL/FLOAT_ATOL."""
    if list(a.columns) != list(b.columns) or list(a.dtypes) != list(b.dtypes) or len(a) != len(b):
        return False
    floats = [c for c in a.columns if pd.api.types.is_float_dtype(a[c])]
    exact = [c for c in a.columns if c not in floats]
    if not a[exact].equals(b[exact]):
        return False
    x, y = a[floats].to_numpy(), b[floats].to_numpy()
    return bool(np.allclose(x, y, rtol=FLOAT_RTOL, atol=FLOAT_ATOL, equal_nan=True))


def test_frames_agree_tolerates_last_bits_only():
    a = pd.DataFrame({"id": ["x", "y"], "v": [0.1, 2.0], "n": [1, 2]})
    assert _frames_agree(a, a.assign(v=a["v"] + 3.6e-15))
    assert not _frames_agree(a, a.assign(v=a["v"] + 1e-6))
    assert not _frames_agree(a, a.assign(n=[1, 3]))
    assert not _frames_agree(a, a.assign(id=["x", "z"]))
    assert not _frames_agree(a, a.assign(v=[0.1, np.nan]))


def test_shipped_raw_data_equal_a_fresh_regeneration(fresh_raw):
    """Nobody edited data/raw by hand: it says exactly what the documented call writes."""
    raw = paths.raw_dir()
    _, fresh = fresh_raw
    missing = [name for name in SHIPPED if not (raw / name).is_file()]
    assert not missing, f"data/raw lacks {missing}; run python -m research_kit.simulate"
    changed = []
    for p in fresh:
        if p.name == "MANIFEST":
            continue
        a, b = _content(raw / p.name), _content(p)
        same = _frames_agree(a, b) if isinstance(a, pd.DataFrame) else a == b
        if not same:
            changed.append(p.name)
    assert not changed, f"data/raw differs from a regeneration: {changed}"
    assert sum((raw / name).stat().st_size for name in SHIPPED) < 3_000_000


def test_demo_is_deterministic_and_seeded():
    a, b, c = fx_loans_demo(150, seed=1), fx_loans_demo(150, seed=1), fx_loans_demo(150, seed=2)
    for name in ("businesses", "loans", "rollout", "truth"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.loans["fx_loan_balance"].equals(c.loans["fx_loan_balance"])


# --- raw formats (docs/demo_data_contract.md) ------------------------------------------------------


@pytest.fixture(scope="module")
def raw_small(fresh_raw, demo):
    return fresh_raw[0], demo


def test_raw_businesses_csv_is_gbk_with_county_variants(raw_small):
    d, demo = raw_small
    text = (d / "businesses.csv").read_bytes().decode("gbk")
    df = pd.read_csv(io.StringIO(text), dtype=str)
    assert list(df.columns) == ["主体编号", "县市区", "行业", "规模", "开户银行", "登记年月", "抽样权数", "上年出口额(万美元)",
                                "统一社会信用代码"]
    from research_kit.data import validate_uscc

    assert validate_uscc(df["统一社会信用代码"], normalize=False, check_org_code=True).all()
    assert df["统一社会信用代码"].is_unique and df["统一社会信用代码"].str.startswith("92").all()  # 个体工商户
    assert df["主体编号"].str.fullmatch(r"GT\d{6}").all() and df["主体编号"].is_unique
    assert df["登记年月"].str.fullmatch(r"\d{4}年\d{1,2}月").all()
    canonical = {"婺城区", "金东区", "武义县", "浦江县", "磐安县", "兰溪市", "义乌市", "东阳市", "永康市"}
    variant_share = (~df["县市区"].isin(canonical)).mean()
    assert 0.02 < variant_share < 0.09
    assert df["县市区"].str.startswith("金华市").any()
    amounts = df["上年出口额(万美元)"]
    assert amounts.str.contains(",").sum() >= 3  # thousands separators (1,234.50) occur
    assert (amounts.str.contains(",") == (amounts.str.replace(",", "").astype(float) >= 1000)).all()
    b = demo.businesses
    assert (df["行业"] == b["sector"].map(SECTOR_ZH).astype(str)).all()
    assert (df["规模"] == b["size"].map(SIZE_ZH).astype(str)).all()
    assert (df["开户银行"] == b["bank"].map(BANK_ZH).astype(str)).all()
    np.testing.assert_array_equal(df["抽样权数"].astype(float), b["weight"])
    np.testing.assert_array_equal(df["上年出口额(万美元)"].str.replace(",", "").astype(float), b["exports_last_year"])
    reg = pd.to_datetime(df["登记年月"], format="%Y年%m月")
    np.testing.assert_array_equal(reg.to_numpy(), b["registered"].to_numpy())


def test_raw_monthly_csv_is_gzip_utf8_bom_and_equals_the_loans_table(raw_small):
    d, demo = raw_small
    blob = (d / "fx_loans_monthly.csv.gz").read_bytes()
    assert blob[:2] == b"\x1f\x8b" and blob[4:8] == b"\x00\x00\x00\x00"  # gzip, mtime 0
    text = gzip.decompress(blob)
    assert text.startswith("\ufeff".encode())
    df = pd.read_csv(io.BytesIO(text), encoding="utf-8-sig", dtype={"主体编号": str, "月份": str})
    assert list(df.columns) == ["主体编号", "月份", "出口收汇(万美元)", "外汇贷款余额(万美元)", "融资成本(%)", "获得贷款"]
    assert df["月份"].str.fullmatch(r"20(19|2[0-5])-(0[1-9]|1[0-2])").all()
    loans = demo.loans
    assert (df["主体编号"] == loans["business_id"]).all()
    np.testing.assert_array_equal(pd.to_datetime(df["月份"], format="%Y-%m").to_numpy(), loans["month"].to_numpy())
    for src, col in [("出口收汇(万美元)", "export_receipts"), ("外汇贷款余额(万美元)", "fx_loan_balance"),
                     ("融资成本(%)", "financing_cost"), ("获得贷款", "loan_access")]:
        np.testing.assert_array_equal(df[src].to_numpy(), loans[col].to_numpy(), err_msg=col)


def test_raw_rollout_xlsx_layout(raw_small):
    d, demo = raw_small
    wb = load_workbook(d / "fx_programme_rollout.xlsx")
    assert wb.sheetnames == ["开办情况"]
    ws = wb["开办情况"]
    assert ws["A1"].value == ROLLOUT_TITLE and "模拟数据" in ROLLOUT_TITLE
    assert all(c.value is None for c in ws[2])
    assert [c.value for c in ws[3]] == ["县市区", "银行", "开办时间", "备注"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 54 and len({(r[0], r[1]) for r in rows}) == 54
    starts = [r[2] for r in rows]
    assert all(s is None or re.fullmatch(r"20\d\d年\d{1,2}月", s) for s in starts)
    expected = [None if pd.isna(s) else f"{s.year}年{s.month}月" for s in demo.rollout["start_month"]]
    assert starts == expected
    assert wb.properties.created == wb.properties.modified


def test_raw_truth_parquet_equals_truth_table(raw_small):
    d, demo = raw_small
    pd.testing.assert_frame_equal(pd.read_parquet(d / "true_effects.parquet"), demo.truth)


def test_tables_have_the_processed_dtypes(demo):
    b, loans, r, t = demo.businesses, demo.loans, demo.rollout, demo.truth
    assert list(b.columns) == ["business_id", "county", "sector", "size", "bank", "registered", "weight", "exports_last_year"]
    assert list(loans.columns) == ["business_id", "month", "export_receipts", "fx_loan_balance", "financing_cost", "loan_access"]
    assert list(r.columns) == ["county", "bank", "start_month", "note"]
    assert list(t.columns) == ["business_id", "month", "te_fx_loan_balance", "te_financing_cost", "te_loan_access"]
    for df, col in [(b, "registered"), (loans, "month"), (r, "start_month"), (t, "month")]:
        assert df[col].dtype == "datetime64[ns]"
        assert (df[col].dropna().dt.day == 1).all()
    assert b["county"].str.fullmatch(r"3307\d\d").all() and b["county"].nunique() == 9
    assert list(b["sector"].cat.categories) == list(SECTORS)
    assert list(b["size"].cat.categories) == list(SIZES)
    assert list(b["bank"].cat.categories) == list(BANKS)
    assert (b["weight"] > 0).all() and (b["exports_last_year"] >= 0).all()
    assert loans["loan_access"].isin([0, 1]).all()
    assert (loans[["export_receipts", "fx_loan_balance"]] >= 0).all().all()
    assert loans["financing_cost"].between(0, 36).all()
    assert not loans.duplicated(["business_id", "month"]).any()
    assert set(loans["business_id"]) <= set(b["business_id"])


# --- the stated truth -----------------------------------------------------------------------------


def test_truth_rows_are_exactly_the_treated_business_months(demo, panel):
    treated_keys = panel.loc[panel["treated"] == 1, ["business_id", "month"]]
    truth_keys = demo.truth[["business_id", "month"]]
    assert not truth_keys.duplicated().any()
    both = treated_keys.merge(truth_keys, how="outer", indicator=True)
    assert (both["_merge"] == "both").all(), both["_merge"].value_counts()
    # The treated rows are those on/after the start at the business's bank in its county.
    p = panel.merge(demo.rollout[["county", "bank", "start_month"]], on=["county", "bank"])
    assert ((p["month"] >= p["start_month"]) == (p["treated"] == 1)).all()


def test_truth_is_consistent_with_the_observed_outcomes(demo, panel):
    t = demo.truth
    assert t["te_loan_access"].between(0, 1).all()  # probability points
    assert (t["te_fx_loan_balance"] >= 0).all() and (t["te_financing_cost"] <= 0).all()
    # An FX loan implies bank credit that month.
    assert (panel.loc[panel["fx_loan_balance"] > 0, "loan_access"] == 1).all()
    # Before the programme the FX balance is zero for most businesses, positive for a few.
    pre = panel[panel["month"] < pd.Timestamp("2023-01-01")]
    holders = pre.groupby("business_id")["fx_loan_balance"].max() > 0
    assert 0.005 < holders.mean() < 0.08
    # Untreated = observed minus effect; the balance effect is the treated part of the balance.
    tr = panel[panel["treated"] == 1]
    assert (tr["fx_loan_balance"] - tr["te_fx_loan_balance"] >= -0.006).all()


@pytest.mark.parametrize("outcome,sign", [("fx_loan_balance", 1), ("financing_cost", -1), ("loan_access", 1)])
def test_effects_grow_with_exposure(panel, outcome, sign):
    by_e = true_att(panel, by="event_time", effect=f"te_{outcome}") * sign
    bins = [by_e.loc[lo:hi].mean() for lo, hi in [(0, 2), (3, 8), (9, 17), (18, 33)]]
    assert all(a < b for a, b in zip(bins, bins[1:])), bins
    assert bins[0] > 0


def test_effects_differ_by_cohort_sector_and_export_size(large_demos):
    p = pd.concat(large_demos, ignore_index=True)
    p = p[(p["treated"] == 1) & (p["time"] - p["cohort"]).between(6, 11)]  # same exposure
    te = p["te_fx_loan_balance"]
    by_cohort = te.groupby(p["cohort"]).mean()
    assert by_cohort.loc[51] > 1.3 * by_cohort.loc[69]  # 2023-03 wave (x1.3) vs 2024-09 wave (x0.9)
    by_sector = te.groupby(p["sector"], observed=True).mean()
    assert by_sector["small_commodities"] > 1.5 * by_sector["food"]
    big = p["exports_last_year"] > p["exports_last_year"].median()
    assert te[big].mean() > 2 * te[~big].mean()


# --- calibration to the plan ------------------------------------------------------------------------


def test_shipped_demo_is_calibrated_to_the_2025_target(panel):
    total = _weighted_dec_balance(panel)
    assert abs(total / TARGET_BALANCE_2025 - 1) < 0.15, total


def test_calibration_holds_in_expectation_not_by_luck_of_the_seed(large_demos):
    totals = [_weighted_dec_balance(p) for p in large_demos]
    assert abs(np.mean(totals) / TARGET_BALANCE_2025 - 1) < 0.12, totals
    # The weights expand the sample to the synthetic frame of 48,000 businesses.
    weights = [p.drop_duplicates("business_id")["weight"].sum() for p in large_demos]
    np.testing.assert_allclose(weights, 48_000, rtol=0.01)


# --- roll-out and flaws ---------------------------------------------------------------------------


def test_rollout_yiwu_first_staggered_with_never_treated_cells(demo, panel):
    r = demo.rollout
    assert len(r) == 54 and not r.duplicated(["county", "bank"]).any()
    starts = r["start_month"].dropna()
    first = starts.min()
    assert first >= pd.Timestamp("2023-01-01") and starts.max() <= pd.Timestamp("2025-12-01")
    assert set(r.loc[r["start_month"] == first, "county"]) == {"330782"}  # 义乌市 only
    assert 5 <= starts.nunique() <= 7
    assert r["start_month"].isna().sum() >= 3
    never = panel.groupby("business_id")["cohort"].first() == 0
    assert 0.1 < never.mean() < 0.4
    # Every start month has treated businesses in the sample.
    assert set(panel.loc[panel["cohort"] > 0, "cohort"].unique()) == set(
        ((starts.dt.year - 2019) * 12 + starts.dt.month).unique()
    )


def test_panel_has_missing_months_exits_and_late_registrations(demo, panel):
    span = panel.groupby("business_id")["time"].agg(["min", "max", "size"])
    interior_missing = 1 - span["size"].sum() / (span["max"] - span["min"] + 1).sum()
    assert 0.01 < interior_missing < 0.03
    exited = (span["max"] < 84).mean()
    late = (span["min"] > 1).mean()
    assert 0.04 < exited < 0.13 and 0.10 < late < 0.22
    # Late registrants enter the panel in their registration month (or, if that month is missing, soon after).
    b = demo.businesses.set_index("business_id")
    late_ids = b.index[b["registered"] > pd.Timestamp("2019-01-01")]
    first_seen = panel.groupby("business_id")["month"].min().loc[late_ids]
    gap = (first_seen.dt.year - b.loc[late_ids, "registered"].dt.year) * 12 + (
        first_seen.dt.month - b.loc[late_ids, "registered"].dt.month
    )
    assert (gap >= 0).all() and (gap == 0).mean() > 0.9


# --- parallel trends -------------------------------------------------------------------------------


def test_demo_pre_trends_of_cohorts_match_never_treated(large_demos):
    """Before the programme (2019-2022), the change in each outcome from 2019 to 2022
    does not differ between future cohorts and never-treated businesses beyond
    sampling noise. County-level shocks are removed by comparing with the county's
    mean change (cohorts are county x bank cells; the shocks are common to a county)."""
    worst = 0.0
    for outcome in ("financing_cost", "loan_access", "export_receipts"):
        parts = []
        for k, p in enumerate(large_demos):
            yr = p["month"].dt.year
            m19 = p[yr == 2019].groupby("business_id")[outcome].mean()
            m22 = p[yr == 2022].groupby("business_id")[outcome].mean()
            info = p.groupby("business_id")[["county", "cohort"]].first()
            ch = (m22 - m19).dropna().rename("change").to_frame().join(info)
            ch["change"] -= ch.groupby("county")["change"].transform("mean")
            ch["county"] = f"{k}-" + ch["county"].astype(str)
            parts.append(ch)
        ch = pd.concat(parts)
        never = ch.loc[ch["cohort"] == 0, "change"]
        for cohort, grp in ch[ch["cohort"] > 0].groupby("cohort")["change"]:
            z = (grp.mean() - never.mean()) / np.sqrt(grp.var() / len(grp) + never.var() / len(never))
            worst = max(worst, abs(z))
    assert worst < 4.0, worst


def test_staggered_panel_untreated_outcomes_have_parallel_trends():
    df = staggered_panel(200_000, 8, cohorts=[4, 6], never_share=0.4, effect="heterogeneous", seed=3)
    y = df["y"].to_numpy().reshape(-1, 8)
    cohort = df["cohort"].to_numpy()[::8]
    for g in (4, 6):
        for t in range(2, g):  # pre-periods: changes since period 1
            a, b = y[cohort == g, t - 1] - y[cohort == g, 0], y[cohort == 0, t - 1] - y[cohort == 0, 0]
            z = (a.mean() - b.mean()) / np.sqrt(a.var() / a.size + b.var() / b.size)
            assert abs(z) < 4.0, (g, t, z)
    assert (df.loc[~_treated(df), "true_effect"] == 0).all()


# --- naive TWFE is biased; comparisons with the never-treated recover the truth -------------------------


def _att_vs_never(df: pd.DataFrame) -> float:
    """Callaway-Sant'Anna-style ATT(g, t) against never-treated units (base g - 1),
    aggregated with weights = number of treated unit-periods."""
    means = df.groupby(["cohort", "time"])["y"].mean().unstack("time")
    num = den = 0.0
    for g in means.index[means.index > 0]:
        n_g = int((df["cohort"] == g).sum() / df["time"].nunique())
        for t in means.columns[means.columns >= g]:
            att = (means.loc[g, t] - means.loc[g, g - 1]) - (means.loc[0, t] - means.loc[0, g - 1])
            num, den = num + n_g * att, den + n_g
    return num / den


@pytest.mark.parametrize("effect", ["dynamic", "heterogeneous", "constant"])
def test_naive_twfe_is_biased_under_dynamic_effects_and_never_treated_comparisons_are_not(effect):
    df = staggered_panel(20_000, 24, effect=effect, seed=7)
    truth = true_att(df)
    twfe = _twfe(df, "y", "unit", "time", _treated(df))
    recovered = _att_vs_never(df)
    assert abs(recovered - truth) < 0.06, (recovered, truth)
    if effect == "constant":
        assert abs(twfe - truth) < 0.06, (twfe, truth)
    else:  # already-treated units serve as controls: growing effects pull TWFE down
        assert twfe < truth - 0.3, (twfe, truth)


def _imputation_att(p: pd.DataFrame, outcome: str) -> tuple[float, np.ndarray]:
    """Borusyak-Jaravel-Spiess imputation: fit business + month effects on untreated
    rows only, impute the untreated outcome of treated rows, average the gaps.
    Returns the estimate and the mask of treated rows it covers (a business
    needs an untreated month)."""
    unit = pd.factorize(p["business_id"])[0]
    t = p["time"].to_numpy() - 1
    y = p[outcome].to_numpy(dtype=np.float64)
    d = p["treated"].to_numpy() == 1
    uu, tt, yy = unit[~d], t[~d], y[~d]
    n_u = np.bincount(uu, minlength=unit.max() + 1)
    n_t = np.bincount(tt, minlength=t.max() + 1)
    alpha, lam = np.zeros(n_u.size), np.zeros(n_t.size)
    for _ in range(2000):
        lam_new = np.bincount(tt, yy - alpha[uu], minlength=n_t.size) / n_t
        alpha_new = np.bincount(uu, yy - lam_new[tt], minlength=n_u.size) / np.maximum(n_u, 1)
        step = max(np.abs(lam_new - lam).max(), np.abs(alpha_new - alpha).max())
        alpha, lam = alpha_new, lam_new
        if step < 1e-10:
            break
    covered = d & (n_u[unit] > 0)
    return float((y - alpha[unit] - lam[t])[covered].mean()), covered


@pytest.mark.parametrize(
    "outcome,max_ratio,tolerance",
    [("fx_loan_balance", 0.85, 0.05), ("loan_access", 0.9, 0.015), ("financing_cost", 0.95, 0.06)],
)
def test_on_the_demo_naive_twfe_understates_and_imputation_recovers_the_att(panel, outcome, max_ratio, tolerance):
    truth = true_att(panel, effect=f"te_{outcome}")
    sign = np.sign(truth)
    twfe = _twfe(panel, outcome, "business_id", "time", panel["treated"].to_numpy() == 1)
    assert 0 < sign * twfe < max_ratio * sign * truth, (twfe, truth)
    estimate, covered = _imputation_att(panel, outcome)
    assert covered.sum() > 0.95 * (panel["treated"] == 1).sum()  # few businesses start treated
    truth_covered = panel.loc[covered, f"te_{outcome}"].mean()
    assert abs(estimate - truth_covered) < tolerance, (estimate, truth_covered)


# --- staggered_panel and true_att ------------------------------------------------------------------


def test_staggered_panel_shape_dtypes_and_known_effects():
    df = staggered_panel(3000, 12, n_clusters=9, cohorts=[4, 8], never_share=0.3, effect="dynamic", seed=1)
    assert df.shape == (36_000, 6)
    assert df.dtypes.astype(str).to_dict() == {
        "unit": "int32", "time": "int16", "cohort": "int16", "cluster": "int16", "y": "float64", "true_effect": "float64",
    }
    units = df.drop_duplicates("unit")
    assert units["cohort"].value_counts().to_dict() == {0: 900, 4: 1050, 8: 1050}
    assert set(units["cluster"]) == set(range(9))
    assert (df.groupby("unit")[["cohort", "cluster"]].nunique() == 1).all().all()
    by_e = true_att(df, by="event_time")
    np.testing.assert_allclose(by_e.to_numpy(), 1 + 0.2 * np.arange(9))
    assert by_e.index.name == "event_time" and by_e.name == "true_att"
    # overall = treated-observation-weighted mean of 1 + 0.2 e
    e = np.r_[np.arange(9), np.arange(5)]
    assert true_att(df) == pytest.approx(np.mean(1 + 0.2 * e))
    assert true_att(df, by="cohort").index.tolist() == [4, 8]
    assert staggered_panel(3000, 12, seed=1).equals(staggered_panel(3000, 12, seed=1))


def test_heterogeneous_effects_differ_by_cohort():
    df = staggered_panel(20_000, 12, cohorts=[3, 6, 9], effect="heterogeneous", seed=2)
    at_entry = df[(df["cohort"] > 0) & (df["time"] == df["cohort"])].groupby("cohort")["true_effect"].mean()
    np.testing.assert_allclose(at_entry.to_numpy(), [1.5, 1.0, 0.5], rtol=0.05)


def test_staggered_panel_builds_a_million_units_in_compact_dtypes():
    # Speed is measured in benchmarks/; here: the benchmark-scale panel fits in memory as documented.
    df = staggered_panel(1_000_000, 24, seed=0)
    assert len(df) == 24_000_000
    assert df.memory_usage(deep=True).sum() < 650e6


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"effect": "linear"}, "effect must be one of"),
        ({"cohorts": [1, 5]}, "cohorts must be"),
        ({"cohorts": [13]}, "cohorts must be"),
        ({"never_share": 1.5}, "never_share"),
        ({"n_clusters": 0}, "n_clusters"),
    ],
)
def test_staggered_panel_rejects_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        staggered_panel(100, 12, **kwargs)


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError, match="n_businesses must be an integer >= 100"):
        fx_loans_demo(50)
    with pytest.raises(ValueError, match="by must be one of"):
        true_att(staggered_panel(100, 6, seed=0), by="unit")
    with pytest.raises(ValueError, match="missing"):
        true_att(pd.DataFrame({"time": [1]}))
    with pytest.raises(ValueError, match="no treated observation"):
        true_att(staggered_panel(100, 6, never_share=1.0, seed=0))
