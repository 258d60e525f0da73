"""Panels shaped like bank records give the same numbers as the sorted integer panel.

Records arrive with text business ids, month dates, county names as clusters, rows
in any order and missing business-months. The estimators encode the keys once and
put the rows on the unit x period grid; these tests hold that the estimates and
standard errors do not depend on any of that (same panel, five layouts, to 1e-10),
that the grid path of the event study agrees with pyfixest 0.60 on an unbalanced,
shuffled panel clustered by county, and that the closed-form pairwise influence
functions of Callaway-Sant'Anna (``unbalanced="pairwise"``) equal the cell-by-cell
ones (:func:`research_kit.did.callaway_santanna._cell`).

Reference command for the pyfixest comparison (``rel`` = binned event time, -1 for
never-treated units):

    pf.feols("y ~ i(rel, ref=-1) | unit + time", data, vcov={"CRV1": "cluster"},
             ssc=pf.ssc(k_adj=False, G_adj=False))

times the fixest small-sample factor sqrt(G/(G-1) (N-1)/(N-K)), K = dummies + periods
(unit effects are nested in the counties).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

import research_kit as rk
import research_kit.did.callaway_santanna  # noqa: F401 (the module, not the function of that name)
from research_kit.tabular.encode import build_wide_panel

cs_module = sys.modules["research_kit.did.callaway_santanna"]

COUNTIES = ["义乌市", "婺城区", "东阳市", "永康市", "金东区", "兰溪市", "浦江县", "武义县", "磐安县"]
LEADS, LAGS = 3, 3


def _records(n: int = 600, T: int = 12, missing: float = 0.05, seed: int = 5) -> pd.DataFrame:
    """Sorted integer panel (unit, time 1..T, cohort 0 = never, cluster 0..8, y) with holes."""
    rng = np.random.default_rng(seed)
    cluster = rng.integers(0, len(COUNTIES), n)
    cohort = np.where(rng.random(n) < 0.3, 0, rng.choice([4, 6, 8, 10], n))
    unit, time = np.repeat(np.arange(n), T), np.tile(np.arange(1, T + 1), n)
    g = np.repeat(cohort, T)
    effect = np.where((g > 0) & (time >= g), 1.0 + 0.2 * (time - g), 0.0)
    y = rng.normal(size=n)[unit] + 0.1 * time + np.repeat(rng.normal(size=len(COUNTIES)), 1)[cluster[unit]] \
        + effect + rng.normal(size=n * T)
    df = pd.DataFrame({"unit": unit, "time": time, "cohort": g, "cluster": np.repeat(cluster, T), "y": y})
    return df[rng.random(len(df)) >= missing].reset_index(drop=True)


def _layouts(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The same panel as records: text ids, dates, county names, shuffled; and as categoricals."""
    months = pd.date_range("2023-01-01", periods=int(df["time"].max()), freq="MS")
    ids = np.array([f"91330{u * 7919 % 100003:07d}X" for u in range(int(df["unit"].max()) + 1)])
    rec = pd.DataFrame({
        "unit": pd.array(ids[df["unit"]], dtype="str"),
        "time": months[df["time"] - 1],
        "cohort": pd.DatetimeIndex(np.where(df["cohort"] > 0, months[np.maximum(df["cohort"], 1) - 1],
                                            np.datetime64("NaT"))),
        "cluster": pd.array(np.array(COUNTIES)[df["cluster"]], dtype="str"),
        "y": df["y"].to_numpy(),
    })
    shuffled = rec.sample(frac=1.0, random_state=1).reset_index(drop=True)
    categorical = shuffled.astype({"unit": "category", "cluster": "category"})
    return {"sorted integers": df, "shuffled integers": df.sample(frac=1.0, random_state=2).reset_index(drop=True),
            "records in file order": rec, "shuffled records": shuffled, "categorical records": categorical}


@pytest.fixture(scope="module")
def panels() -> dict[str, pd.DataFrame]:
    return _layouts(_records())


def _es(df: pd.DataFrame) -> pd.DataFrame:
    es = rk.did.event_study(df, outcome="y", unit="unit", time="time", cohort="cohort", leads=LEADS, lags=LAGS,
                            cluster="cluster")
    return es.tidy()[["term", "estimate", "std_error"]].assign(pretrend=es.info["pretrend"]["statistic"])


def _cs(df: pd.DataFrame, **kw) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    r = rk.did.callaway_santanna(df, outcome="y", unit="unit", time="time", cohort="cohort", method="reg",
                                 unbalanced="pairwise", **kw)
    gt = r.group_time.assign(cohort=lambda d: d["cohort"].astype(str), time=lambda d: d["time"].astype(str))
    return gt.drop(columns=["cohort", "time"]), r.aggregate("dynamic").tidy(), r.info["pretest"]["statistic"]


def test_event_study_gives_the_same_numbers_in_every_layout(panels):
    ref = _es(panels["sorted integers"])
    for name, df in panels.items():
        pd.testing.assert_frame_equal(_es(df), ref, rtol=1e-10, obj=name)


@pytest.mark.parametrize("cluster", [None, "cluster"])
def test_callaway_santanna_pairwise_gives_the_same_numbers_in_every_layout(panels, cluster):
    ref = _cs(panels["sorted integers"], cluster=cluster)
    for name, df in panels.items():
        got = _cs(df, cluster=cluster)
        pd.testing.assert_frame_equal(got[0], ref[0], rtol=1e-10, obj=name)
        pd.testing.assert_frame_equal(got[1], ref[1], rtol=1e-10, obj=name)
        np.testing.assert_allclose(got[2], ref[2], rtol=1e-10)  # NaN (singular) with 9 clusters


def test_event_study_on_shuffled_unbalanced_records_matches_pyfixest(panels):
    df = panels["shuffled integers"]
    es = rk.did.event_study(df, outcome="y", unit="unit", time="time", cohort="cohort", leads=LEADS, lags=LAGS,
                            cluster="cluster")
    rel = np.where(df["cohort"] > 0, np.clip(df["time"] - df["cohort"], -LEADS, LAGS), -1)
    f = pf.feols("y ~ i(rel, ref=-1) | unit + time", data=df.assign(rel=rel), vcov={"CRV1": "cluster"},
                 ssc=pf.ssc(k_adj=False, G_adj=False))
    coef = pd.Series(f.coef().to_numpy(), index=[int(float(c.split("::")[1])) for c in f.coef().index])
    se = pd.Series(f.se().to_numpy(), index=coef.index)
    N, K, G = len(df), len(coef) + df["time"].nunique(), df["cluster"].nunique()
    tab = es.extra["event_time"].set_index("event_time")
    np.testing.assert_allclose(tab.loc[coef.index, "estimate"], coef, rtol=1e-8)
    np.testing.assert_allclose(tab.loc[coef.index, "std_error"], se * np.sqrt(G / (G - 1) * (N - 1) / (N - K)),
                               rtol=1e-6)


@pytest.mark.parametrize("control_group", ["never", "not_yet"])
def test_pairwise_influence_functions_equal_the_cell_by_cell_ones(panels, control_group):
    df = panels["shuffled records"]
    panel = build_wide_panel(df, outcome="y", unit="unit", time="time", cohort="cohort", cluster="cluster",
                             balanced=False)
    cohorts, T = cs_module._design(panel, control_group, 0, "cohort")
    cells = cs_module._cells(T, cohorts, "varying", 0)
    att, psi, keep = cs_module._pairwise_cells(panel, cells, control_group, 0)
    assert keep.all()
    G, n = panel.cohort, len(panel.cohort)
    never = G == cs_module.NEVER
    dense = np.zeros((n, len(cells)))
    for k, (g, t, base) in enumerate(cells):
        ctrl = never if control_group == "never" else never | ((G > max(t, base)) & (G != g))
        a, dense[:, k] = cs_module._cell(panel, G == g, ctrl, t, base, "reg", n)
        assert att[k] == pytest.approx(a, rel=1e-10, abs=1e-12)
    scale = np.abs(dense).max()
    np.testing.assert_allclose(np.asarray(psi), dense, rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(psi.column_sumsq(), (dense**2).sum(axis=0), rtol=1e-10)
    codes, n_clusters = pd.factorize(panel.cluster)
    np.testing.assert_allclose(psi.cluster_totals(codes, len(n_clusters)),
                               pd.DataFrame(dense).groupby(codes).sum().to_numpy(), rtol=0, atol=1e-9 * scale)
    pre = [k for k, (g, t, _) in enumerate(cells) if t < g][:6]
    np.testing.assert_allclose(psi[:, pre].gram(), dense[:, pre].T @ dense[:, pre], rtol=1e-10)
    A = np.random.default_rng(0).normal(size=(len(cells), 3))
    np.testing.assert_allclose((psi @ A).gram(), (dense @ A).T @ (dense @ A), rtol=1e-10)


# --------------------------------------------------- text keys of one byte length (credit codes, county names)
def _text(values, storage="pyarrow"):
    import pandas as pd

    return pd.Series(values, dtype=pd.StringDtype(storage))


def test_text_keys_get_pandas_codes_in_every_layout() -> None:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from research_kit.tabular.encode import _arrow_text_codes, factorize

    rng = np.random.default_rng(0)
    ids = np.array([f"91330782MA{i:08d}" for i in rng.choice(10**8, 3000, replace=False)])  # 18 characters
    rows = ids[rng.integers(0, len(ids), 150_000)]
    counties = np.array(["义乌市", "婺城区", "东阳市", "磐安县"])[rng.integers(0, 4, 150_000)]  # 9 bytes each
    # lengths that differ (0 to 23 bytes, multibyte characters), texts that are prefixes of others
    words = np.array(["", "a", "ab", "abcdefgh", "abcdefghi", "金华", "金华市", "金华市婺城区", "x" * 23, "abcdefgh\0"])
    mixed = words[rng.integers(0, len(words), 150_000)]
    for values in (rows, counties, mixed):
        s = _text(values)
        want_codes, want_uniques = pd.factorize(values)
        fast = _arrow_text_codes(s)
        assert fast is not None  # the fast path applies
        assert np.array_equal(fast[0], want_codes) and list(fast[1]) == list(want_uniques)
        for sort in (False, True):  # the public function agrees with the object-dtype route
            a, ua = factorize(s, sort=sort)
            b, ub = factorize(pd.Series(values, dtype=object), sort=sort)
            assert np.array_equal(a, b) and list(ua) == list(ub)
    # missing values: -1, as pandas
    with_missing = pd.Series(np.where(rng.random(150_000) < 0.05, None, rows), dtype="str")
    fast = _arrow_text_codes(with_missing)
    want_codes, want_uniques = pd.factorize(with_missing)
    assert fast is not None and np.array_equal(fast[0], want_codes) and list(fast[1]) == list(want_uniques)
    assert (fast[0] == -1).sum() == with_missing.isna().sum() > 0
    # chunked Arrow storage, a sliced chunk (non-zero offset) and large_string
    chunked = pa.chunked_array([pa.array(rows[:50_000]), pa.array(rows[49_990:])[10:]])
    s = pd.Series(pd.arrays.ArrowExtensionArray(chunked))
    assert np.array_equal(_arrow_text_codes(s)[0], pd.factorize(rows)[0])
    large = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([pa.array(rows, pa.large_string())])))
    assert np.array_equal(_arrow_text_codes(large)[0], pd.factorize(rows)[0])


def test_text_keys_fall_back_to_pandas_where_the_fast_path_does_not_apply(monkeypatch) -> None:
    import numpy as np

    from research_kit.tabular import _texthash
    from research_kit.tabular.encode import _arrow_text_codes, factorize

    rng = np.random.default_rng(1)
    ids = np.array([f"ID{i:016d}" for i in range(2000)])[rng.integers(0, 2000, 120_000)]
    assert _arrow_text_codes(__import__("pandas").Series(ids, dtype=object)) is None  # Python objects
    assert _arrow_text_codes(_text(ids[:5000])) is None  # small: pandas is fast enough
    s = _text(ids)
    assert _arrow_text_codes(s) is not None
    # two texts under one 64-bit key are caught by comparing the texts: make every key collide
    monkeypatch.setattr(_texthash, "_hash_rows", lambda data, offsets, keys, start: keys.__setitem__(
        slice(start, start + len(offsets) - 1), 7))
    assert _arrow_text_codes(s) is None
    monkeypatch.undo()
    codes, uniques = factorize(s)
    assert len(uniques) == len(set(ids)) and codes.max() == len(uniques) - 1


def test_large_records_take_the_text_fast_paths_and_give_the_same_numbers(monkeypatch) -> None:
    """Above 100,000 rows text ids and county names are encoded from their Arrow buffers: same numbers."""
    from research_kit.tabular import encode

    df = _records(n=10_000, T=12, seed=11)
    assert len(df) >= 100_000
    layouts = _layouts(df)
    calls = []
    real = encode.unit_level_codes
    monkeypatch.setattr(encode, "unit_level_codes", lambda *a: calls.append(r := real(*a)) or r)
    twfe_module = sys.modules["research_kit.did.twfe"]
    monkeypatch.setattr(twfe_module, "unit_level_codes", encode.unit_level_codes)
    ref = _es(layouts["sorted integers"])
    calls.clear()
    for name in ("records in file order", "shuffled records"):
        pd.testing.assert_frame_equal(_es(layouts[name]), ref, rtol=1e-10, obj=name)
    assert len(calls) == 2 and all(c is not None for c in calls)  # the county was coded from one row per unit


def test_unit_level_codes_check_every_row() -> None:
    from research_kit.tabular.encode import factorize, unit_level_codes

    rng = np.random.default_rng(3)
    n, T = 12_000, 10
    county = np.array(COUNTIES)[rng.integers(0, len(COUNTIES), n)]
    ucodes = rng.permutation(np.repeat(np.arange(n), T))
    rows = pd.Series(county[ucodes], dtype="str")
    codes = unit_level_codes(rows, ucodes, n)
    assert codes is not None
    want, _ = factorize(pd.Series(county, dtype=object))
    assert np.array_equal(pd.factorize(codes)[0], pd.factorize(want)[0])  # the same partition of the units
    changed = county[ucodes].astype(object)
    r = int(np.flatnonzero(ucodes == ucodes[-1])[0])  # one row of the last row's unit moves to another county
    changed[r] = next(c for c in COUNTIES if c != changed[r])
    assert unit_level_codes(pd.Series(changed, dtype="str"), ucodes, n) is None
    longer = county[ucodes].astype(object)
    longer[r] = longer[r] + "X"  # a longer text than the unit's other rows
    assert unit_level_codes(pd.Series(longer, dtype="str"), ucodes, n) is None
    assert unit_level_codes(pd.Series(county[ucodes], dtype=object), ucodes, n) is None  # Python objects
