"""Difference-in-differences speed and memory benchmark: the tasks and the worker process.

Each measurement runs in its own child process (``python did_benchmark.py worker
...``) so that its peak memory is its own:

1. warm up on a tiny panel (imports, numba compilation);
2. load the benchmark panel from ``.npy`` files written once by the ``generate``
   worker (so loading has no transient peak), and convert it to the input the
   package expects (event-time column, dummies, MultiIndex -- not timed);
3. reset the peak-RSS mark (``/proc/self/clear_refs``), record the resident set
   size as the baseline, then time ``repeats`` calls and report their median and
   the peak RSS above the baseline (``VmHWM``; ``resource.getrusage`` where the
   mark cannot be reset).

The panel is ``research_kit.simulate.staggered_panel(units, periods,
n_clusters=9, seed=0)``: columns unit, time, cohort (0 = never treated), cluster,
y and true_effect; cohorts 7, 11, 15 and 19 for 24 periods.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import resource
import statistics
import sys
import time
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Event-study window of the TWFE comparison: relative periods -5..5, binned, -1 omitted.
LEADS, LAGS = 5, 5
COLUMNS = ("unit", "time", "cohort", "cluster", "y", "true_effect")


# ------------------------------------------------------------------------ data
def panel(units: int, periods: int) -> pd.DataFrame:
    from research_kit.simulate import staggered_panel

    return staggered_panel(units, periods, n_clusters=9, seed=0)


def cache_dir(root: Path, units: int, periods: int) -> Path:
    return root / f"staggered_{units}x{periods}_seed0"


def generate(root: Path, units: int, periods: int) -> Path:
    """Write the panel's columns as .npy files (once)."""
    d = cache_dir(root, units, periods)
    if (d / "done").exists():
        return d
    d.mkdir(parents=True, exist_ok=True)
    df = panel(units, periods)
    for c in COLUMNS:
        np.save(d / f"{c}.npy", df[c].to_numpy())
    (d / "done").write_text(str(len(df)))
    return d


def load(d: Path) -> pd.DataFrame:
    if d.suffix == ".parquet":  # the records-shaped scenario (realistic_panel.py)
        return pd.read_parquet(d)
    return pd.DataFrame({c: np.load(d / f"{c}.npy") for c in COLUMNS}, copy=False)


def generate_realistic(root: Path, units: int, periods: int) -> Path:
    """Write the records-shaped panel of ``realistic_panel.py`` as Parquet (once)."""
    from realistic_panel import realistic_panel

    path = root / f"records_{units}x{periods}.parquet"
    if not path.exists():
        root.mkdir(parents=True, exist_ok=True)
        realistic_panel(units, periods).to_parquet(path.with_suffix(".tmp"))
        path.with_suffix(".tmp").rename(path)
    return path


def frame_bytes(df: pd.DataFrame) -> int:
    return int(df.memory_usage(index=False, deep=True).sum())


def rel_time(df: pd.DataFrame) -> np.ndarray:
    """Binned event time for the peers; -1 (the reference) for never-treated units."""
    treated = df["cohort"].to_numpy() > 0
    rel = np.clip(df["time"].to_numpy(np.int64) - df["cohort"].to_numpy(np.int64), -LEADS, LAGS)
    return np.where(treated, rel, -1)


# ----------------------------------------------------------------------- tasks
# Each task: prepare(df) -> state (untimed), run(state) -> object, summary(object) -> dict.
def _groupby_prepare(df: pd.DataFrame) -> Any:
    return df


def _groupby_run(df: pd.DataFrame) -> Any:
    return df.groupby("unit")["y"].mean()


def _rk_es_run(df: pd.DataFrame) -> Any:
    import research_kit as rk

    return rk.did.event_study(df, outcome="y", unit="unit", time="time", cohort="cohort",
                              leads=LEADS, lags=LAGS, cluster="cluster")


def _rk_es_summary(r: Any) -> dict[str, float]:
    t = r.tidy().set_index("term")
    return {"e0": float(t.loc["e=0", "estimate"]), "se_e0": float(t.loc["e=0", "std_error"]),
            "e-5": float(t.loc["e=-5", "estimate"])}


def _rk_twfe_prepare(df: pd.DataFrame) -> Any:
    return df.assign(d=((df["cohort"] > 0) & (df["time"] >= df["cohort"])).astype(np.int8))


def _rk_twfe_run(df: pd.DataFrame) -> Any:
    import research_kit as rk

    return rk.did.twfe(df, outcome="y", unit="unit", time="time", treat="d", cluster="cluster")


def _rk_es_shuffled_prepare(df: pd.DataFrame) -> Any:
    return df.sample(frac=1.0, random_state=0).reset_index(drop=True)


def _pyfixest_prepare(df: pd.DataFrame) -> Any:
    return df.assign(rel=rel_time(df))


def _pyfixest_run(df: pd.DataFrame) -> Any:
    import pyfixest as pf

    return pf.feols("y ~ i(rel, ref=-1) | unit + time", data=df, vcov={"CRV1": "cluster"})


def _pyfixest_summary(f: Any) -> dict[str, float]:
    coef, se = f.coef(), f.se()
    def name(e: int) -> str:
        return next(k for k in coef.index if k.endswith((f"::{e}", f"::{e}.0", f"[T.{e}]")))

    return {"e0": float(coef[name(0)]), "se_e0": float(se[name(0)]), "e-5": float(coef[name(-5)])}


def _linearmodels_prepare(df: pd.DataFrame) -> Any:
    rel = rel_time(df)
    events = [e for e in range(-LEADS, LAGS + 1) if e != -1]
    X = pd.DataFrame({f"e{e}": (rel == e).astype(float) for e in events})
    data = pd.concat([df[["unit", "time", "y", "cluster"]], X], axis=1).set_index(["unit", "time"])
    return data, [f"e{e}" for e in events]


def _linearmodels_run(state: Any) -> Any:
    from linearmodels.panel import PanelOLS

    data, cols = state
    mod = PanelOLS(data["y"], data[cols], entity_effects=True, time_effects=True)
    return mod.fit(cov_type="clustered", clusters=data["cluster"])


def _linearmodels_summary(res: Any) -> dict[str, float]:
    return {"e0": float(res.params["e0"]), "se_e0": float(res.std_errors["e0"]), "e-5": float(res.params["e-5"])}


def _rk_cs_run(df: pd.DataFrame) -> Any:
    import research_kit as rk

    cs = rk.did.callaway_santanna(df, outcome="y", unit="unit", time="time", cohort="cohort", method="reg",
                                  control_group="never")
    return cs.aggregate("dynamic")


def _rk_cs_summary(a: Any) -> dict[str, float]:
    t = a.extra["event_time"].set_index("event_time")
    return {"e0": float(t.loc[0, "estimate"]), "se_e0": float(t.loc[0, "std_error"])}


def _csdid_run(df: pd.DataFrame) -> Any:
    from csdid.att_gt import ATTgt

    with contextlib.redirect_stdout(io.StringIO()):
        m = ATTgt(yname="y", tname="time", idname="unit", gname="cohort", data=df,
                  control_group=["nevertreated"], cband=False)
        m.fit(est_method="reg", bstrap=False)
        m.aggte(typec="dynamic", bstrap=False)
    return m


def _csdid_summary(m: Any) -> dict[str, float]:
    out = m.atte if hasattr(m, "atte") else None
    try:
        e = np.asarray(out["egt"], dtype=float)
        j = int(np.flatnonzero(e == 0)[0])
        return {"e0": float(np.asarray(out["att_egt"])[j]), "se_e0": float(np.asarray(out["se_egt"]).ravel()[j])}
    except Exception:  # noqa: BLE001 - the summary is a cross-check only
        return {}


def _differences_prepare(df: pd.DataFrame) -> Any:
    return df.assign(cohort=df["cohort"].where(df["cohort"] > 0)).set_index(["unit", "time"])


def _differences_run(data: pd.DataFrame) -> Any:
    from differences import ATTgt

    att = ATTgt(data=data, cohort_column="cohort")
    att.fit(formula="y", est_method="reg", control_group="never_treated", progress_bar=False)
    return att.aggregate("event")


def _differences_summary(ev: Any) -> dict[str, float]:
    try:
        row = ev.loc[0]
        return {"e0": float(row.iloc[0]), "se_e0": float(row.iloc[1])}
    except Exception:  # noqa: BLE001
        return {}


# ------------------------------------------------- records-shaped scenario (realistic_panel.py)
# business_id (text), month (dates), county (text), first_treated (dates, NaT = never), balance;
# rows shuffled, ~3 % of business-months missing.
REAL = dict(outcome="balance", unit="business_id", time="month", cohort="first_treated")


def _real_groupby(df: pd.DataFrame) -> Any:
    return df.groupby("business_id")["balance"].mean()


def _real_es(df: pd.DataFrame) -> Any:
    import research_kit as rk

    if "unit" in df.columns:  # the sorted-integer twin
        return rk.did.event_study(df, outcome="y", unit="unit", time="time", cohort="cohort", leads=LEADS, lags=LAGS,
                                  cluster="cluster")
    return rk.did.event_study(df, **REAL, leads=LEADS, lags=LAGS, cluster="county")


def _real_cs(df: pd.DataFrame) -> Any:
    import research_kit as rk

    kw = dict(outcome="y", unit="unit", time="time", cohort="cohort") if "unit" in df.columns else REAL
    return rk.did.callaway_santanna(df, **kw, method="reg", unbalanced="pairwise").aggregate("dynamic")


def _real_twin(df: pd.DataFrame) -> Any:
    from realistic_panel import sorted_integer_twin

    return sorted_integer_twin(df)


def _real_categorical(df: pd.DataFrame) -> Any:
    return df.astype({"business_id": "category", "county": "category"})


def _real_pyfixest_prepare(df: pd.DataFrame) -> Any:
    months = np.sort(df["month"].unique())
    t = np.searchsorted(months, df["month"].to_numpy())
    g = df["first_treated"].to_numpy()
    treated = ~pd.isna(g)
    rel = np.clip(t - np.searchsorted(months, np.where(treated, g, months[0])), -LEADS, LAGS)
    return df.assign(rel_time=np.where(treated, rel, -1))


def _real_pyfixest_run(df: pd.DataFrame) -> Any:
    import pyfixest as pf

    return pf.feols("balance ~ i(rel_time, ref=-1) | business_id + month", data=df, vcov={"CRV1": "county"})


def _real_es_sorted(df: pd.DataFrame) -> Any:
    return _real_es(df)


TASKS: dict[str, dict[str, Any]] = {
    "real_groupby": dict(package="pandas", prepare=_groupby_prepare, run=_real_groupby, summary=lambda r: {},
                         data="records"),
    "real_rk_event_study": dict(package="research_kit", prepare=_groupby_prepare, run=_real_es,
                                summary=_rk_es_summary, paired=_real_groupby, data="records"),
    "real_rk_cs_pairwise": dict(package="research_kit", prepare=_groupby_prepare, run=_real_cs,
                                summary=_rk_cs_summary, paired=_real_groupby, data="records"),
    "real_pyfixest_event_study": dict(package="pyfixest", prepare=_real_pyfixest_prepare, run=_real_pyfixest_run,
                                      summary=_pyfixest_summary, data="records"),
    "real_rk_event_study_categorical": dict(package="research_kit", prepare=_real_categorical, run=_real_es,
                                            summary=_rk_es_summary, paired=_real_groupby, data="records"),
    "real_rk_cs_pairwise_categorical": dict(package="research_kit", prepare=_real_categorical, run=_real_cs,
                                            summary=_rk_cs_summary, paired=_real_groupby, data="records"),
    "real_rk_event_study_sorted_int": dict(package="research_kit", prepare=_real_twin, run=_real_es,
                                           summary=_rk_es_summary, data="records"),
    "real_rk_cs_pairwise_sorted_int": dict(package="research_kit", prepare=_real_twin, run=_real_cs,
                                           summary=_rk_cs_summary, data="records"),
    "groupby_mean": dict(package="pandas", prepare=_groupby_prepare, run=_groupby_run, summary=lambda r: {}),
    "rk_event_study": dict(package="research_kit", prepare=_groupby_prepare, run=_rk_es_run, summary=_rk_es_summary),
    "rk_twfe": dict(package="research_kit", prepare=_rk_twfe_prepare, run=_rk_twfe_run,
                    summary=lambda r: {"att": r.estimate, "se": r.std_error}),
    # the groupby goal is a ratio: time both in one process, alternating, so that load changes hit both
    "rk_event_study_vs_groupby": dict(package="research_kit", prepare=_groupby_prepare, run=_rk_es_run,
                                      summary=_rk_es_summary, paired=_groupby_run),
    "rk_event_study_shuffled": dict(package="research_kit", prepare=_rk_es_shuffled_prepare, run=_rk_es_run,
                                    summary=_rk_es_summary),
    "pyfixest_event_study": dict(package="pyfixest", prepare=_pyfixest_prepare, run=_pyfixest_run,
                                 summary=_pyfixest_summary),
    "linearmodels_event_study": dict(package="linearmodels", prepare=_linearmodels_prepare, run=_linearmodels_run,
                                     summary=_linearmodels_summary),
    "rk_cs": dict(package="research_kit", prepare=_groupby_prepare, run=_rk_cs_run, summary=_rk_cs_summary),
    "csdid_cs": dict(package="csdid", prepare=_groupby_prepare, run=_csdid_run, summary=_csdid_summary),
    "differences_cs": dict(package="differences", prepare=_differences_prepare, run=_differences_run,
                           summary=_differences_summary),
}


# ---------------------------------------------------------------------- memory
def _status(field: str) -> int:
    """A ``/proc/self/status`` field in bytes (0 if unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_bytes(resettable: bool) -> int:
    if resettable and _status("VmHWM"):
        return _status("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# ---------------------------------------------------------------------- worker
def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for p in ("numpy", "pandas", "scipy", "research_kit", "pyfixest", "linearmodels", "csdid", "differences",
              "threadpoolctl"):
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            pass
    return out


def blas() -> list[dict[str, Any]]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [{k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for i in threadpool_info()]


def worker(task: str, data: Path, repeats: int, budget: float, mem_limit_gb: float | None = None) -> dict[str, Any]:
    spec = TASKS[task]
    warnings.simplefilter("ignore")
    if mem_limit_gb:  # fail with MemoryError instead of waking the OOM killer on a shared machine
        limit = int(mem_limit_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if spec.get("data") == "records":
        from realistic_panel import realistic_panel

        tiny = realistic_panel(400, 24)
    else:
        tiny = panel(400, 24)  # warm-up: imports, JIT compilation
    spec["run"](spec["prepare"](tiny))
    del tiny
    df = load(data)
    state = spec["prepare"](df)
    gc.collect()
    resettable = _reset_peak()
    baseline = _status("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    load0 = os.getloadavg()[0]
    times: list[float] = []
    paired: list[float] = []
    summary: dict[str, float] = {}
    started = time.perf_counter()
    for _ in range(repeats):
        if "paired" in spec:
            t0 = time.perf_counter()
            spec["paired"](df if spec.get("data") == "records" else state)
            paired.append(time.perf_counter() - t0)
            gc.collect()
        t0 = time.perf_counter()
        result = spec["run"](state)
        times.append(time.perf_counter() - t0)
        summary = spec["summary"](result)
        del result
        gc.collect()
        if time.perf_counter() - started + times[-1] > budget:
            break
    if paired:
        summary = {**summary, "paired_median_s": statistics.median(paired),
                   "median_ratio_to_paired": statistics.median(a / b for a, b in zip(times, paired))}
    return {
        "task": task, "package": spec["package"], "rows": len(df),
        "units": int(df["business_id" if "business_id" in df.columns else "unit"].nunique()),
        "periods": int(df["month" if "month" in df.columns else "time"].nunique()), "frame_bytes": frame_bytes(df),
        "times": times,
        "median_s": statistics.median(times), "baseline_bytes": baseline,
        "peak_above_baseline_bytes": max(_peak_bytes(resettable) - baseline, 0),
        "peak_method": "VmHWM after clear_refs" if resettable else "ru_maxrss",
        "load_before": load0, "load_after": os.getloadavg()[0], "summary": summary,
        "versions": versions(), "blas": blas(),
        "openblas_env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--root", type=Path, required=True)
    g.add_argument("--units", type=int, required=True)
    g.add_argument("--periods", type=int, default=24)
    g.add_argument("--records", action="store_true", help="the records-shaped panel (realistic_panel.py)")
    w = sub.add_parser("worker")
    w.add_argument("--task", choices=sorted(TASKS), required=True)
    w.add_argument("--data", type=Path, required=True)
    w.add_argument("--repeats", type=int, default=3)
    w.add_argument("--budget", type=float, default=120.0, help="stop repeating once this many seconds are spent")
    w.add_argument("--mem-limit-gb", type=float, default=None, help="address-space limit of the worker")
    a = ap.parse_args(argv)
    if a.cmd == "generate":
        print((generate_realistic if a.records else generate)(a.root, a.units, a.periods))
        return
    try:
        result = worker(a.task, a.data, a.repeats, a.budget, a.mem_limit_gb)
    except MemoryError:
        print("RESULT " + json.dumps({"task": a.task, "error": "MemoryError"}), flush=True)
        return
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
