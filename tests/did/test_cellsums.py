"""The compiled grid passes of the masked-cell event study equal the array formulas they replace."""

from __future__ import annotations

import numpy as np

from research_kit.did._onehot import CellDesign, MaskedCellFit, _per_group_product, _rows_by_group
from research_kit.tabular.within import TwoWayDemeaner


def _problem(seed: int = 0, n: int = 400, T: int = 9):
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 4, n)  # cohorts 0..3, group 3 never treated
    table = np.full((4, T), -1, dtype=np.intp)
    column = {-2: 0, 0: 1, 1: 2, 2: 3}  # binned event times -2 (and before), 0, 1, 2 (and after); -1 the reference
    for g, start in enumerate((3, 5, 7)):  # group 3 is never treated
        for t in range(T):
            table[g, t] = column.get(min(max(t - start, -2), 2), -1)
    W = (rng.random((n, T)) > 0.1) * rng.uniform(0.5, 2.0, (n, T))  # missing cells and unequal weights
    Y = np.where(W > 0, rng.normal(size=(n, T)), 0.0)
    return group, table, W, Y, rng


def test_cell_sums_and_cluster_scores_equal_the_array_formulas() -> None:
    group, table, W, Y, rng = _problem()
    n, T = W.shape
    design = CellDesign(group.astype(np.intp), table, 4)
    dm = TwoWayDemeaner.build(None, None, W.ravel(), n_units=n, n_times=T, grid=True)
    fit = MaskedCellFit.build(dm, design, Y.ravel(), int((W > 0).sum()))
    # the sums the build used, by the array formulas of the earlier code
    OH = design.onehot()
    U = _per_group_product(W, group, OH)
    S = np.einsum("gt,gtk->tk", _rows_by_group(W, group, 4), OH)
    a_x, c_x = dm.effects(U, S)
    xwx = np.diag(S.sum(axis=0)) - U.T @ a_x - S.T @ c_x
    WY = W * Y
    a_y, c_y = dm.effects(WY.sum(axis=1), WY.sum(axis=0))
    xwy = np.einsum("gt,gtk->k", _rows_by_group(WY, group, 4), OH) - a_x.T @ WY.sum(axis=1) - c_x.T @ WY.sum(axis=0)
    np.testing.assert_allclose(fit.xwx, (xwx + xwx.T) / 2, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(fit.xwy, xwy, rtol=1e-12, atol=1e-10)
    coef = np.linalg.solve(fit.xwx, fit.xwy)
    clusters = rng.integers(0, 7, n)
    want = fit.score_sums(dm.weighted(fit.residuals(Y.ravel().copy(), coef)), None, 7, clusters)
    got = fit.cluster_scores(Y.ravel(), coef, clusters, 7)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    assert np.abs(want).max() > 0.1  # not trivially zero


def test_per_unit_on_many_rows_checks_every_row() -> None:
    """The compiled route of per_unit (100,000 rows or more) returns each unit's value or names the changes."""
    import pytest

    from research_kit.tabular.encode import per_unit

    rng = np.random.default_rng(4)
    n, T = 15_000, 8
    cohort = np.where(rng.random(n) < 0.3, np.nan, rng.integers(3, 7, n).astype(float))
    codes = rng.permutation(np.repeat(np.arange(n), T))
    rows = cohort[codes]
    got = per_unit(rows, codes, n, "first_treated", "cohort")
    np.testing.assert_array_equal(got, cohort)  # NaN (never treated) equals NaN
    start = np.datetime64("2023-01-01", "D") + np.nan_to_num(rows).astype("timedelta64[D]")
    dates = np.where(np.isnan(rows), np.datetime64("NaT", "D"), start).astype("datetime64[us]")
    want = np.where(np.isnan(cohort), np.datetime64("NaT", "D"),
                    np.datetime64("2023-01-01", "D") + np.nan_to_num(cohort).astype("timedelta64[D]"))
    np.testing.assert_array_equal(per_unit(dates, codes, n, "first_treated", "cohort"), want.astype("datetime64[us]"))
    bad = rows.copy()
    bad[np.flatnonzero(codes == 7)[1]] = 99.0  # unit 7 changes its cohort in one row
    bad[np.flatnonzero(codes == 8)[0]] = 98.0
    with pytest.raises(ValueError, match="changes within 2 units"):
        per_unit(bad, codes, n, "first_treated", "cohort")


def test_sorted_date_codes_on_many_rows_equal_pandas() -> None:
    """Dates on 100,000 rows or more are coded by a compiled pass: pandas' sorted codes, NaT -1."""
    import pandas as pd

    from research_kit.tabular.encode import factorize

    rng = np.random.default_rng(6)
    for n_dates in (24, 700):  # 700 distinct dates makes the small table grow twice
        days = pd.date_range("2019-01-01", periods=n_dates, freq="D").values
        d = days[rng.integers(0, n_dates, 150_000)].astype("datetime64[us]")
        d[rng.random(len(d)) < 0.02] = np.datetime64("NaT")
        codes, uniques = factorize(pd.Series(d), sort=True)
        want_codes, want_uniques = pd.factorize(pd.Series(d), sort=True)
        np.testing.assert_array_equal(codes, want_codes)
        np.testing.assert_array_equal(uniques, np.asarray(want_uniques))


def test_a_repeated_unit_period_among_many_rows_is_named() -> None:
    """The compiled grid pass of panel_index (100,000 rows or more) finds a repeated pair; the message names it."""
    import pandas as pd
    import pytest

    import research_kit as rk

    rng = np.random.default_rng(8)
    n, T = 12_000, 10
    df = pd.DataFrame({"unit": np.repeat(np.arange(n), T), "time": np.tile(np.arange(1, T + 1), n),
                       "cohort": np.repeat(np.where(rng.random(n) < 0.5, 0, 6), T), "y": rng.normal(size=n * T)})
    df = df.sample(frac=1.0, random_state=1).iloc[5:]  # shuffled, five cells missing
    es = rk.did.event_study(df, outcome="y", unit="unit", time="time", cohort="cohort", leads=3, lags=3)
    assert np.isfinite(es.tidy()["estimate"]).all()
    twice = pd.concat([df, df.iloc[[123]]])
    with pytest.raises(ValueError, match="share a"):
        rk.did.event_study(twice, outcome="y", unit="unit", time="time", cohort="cohort", leads=3, lags=3)
