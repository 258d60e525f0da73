"""Synthetic control speed: the Proposition 99 fit and its in-space placebo test, before and after.

Two modes.

``--same-process`` (issue 14, second round): in one process, the earlier algorithm
(Lawson-Hanson inner solver, scipy's optimisers, every placebo refitted from the long
data: ``synth.placebo._reference_placebo(inner="nnls")`` on a fit with ``inner="nnls"``)
and the current one (``placebo_test()``) alternate on the same data; CPU time
(``time.process_time``) and wall time of each, the load average at each start, and the
differences of the results. Data: Proposition 99 (``tests/synth/data/smoking.csv``, the
ADH specification, 38 placebos) with ``v_search="synth"`` and ``"global"``, and the
digital-RMB paper's city panel (``data/processed``, after ``research-kit prepare``; the
paper's donor pool, predictors and seed, ``v_search="global"``, 22 placebos).

    .venv/bin/python benchmarks/synth_benchmark.py --same-process [--pairs 3]

``--before/--after``: each measurement its own process running ``research_kit`` from
a given source tree (an earlier commit via ``git archive COMMIT src | tar -x -C DIR``),
alternating, with the fit's weights and the placebo ratios compared.

    .venv/bin/python benchmarks/synth_benchmark.py --before /tmp/before/src --after src [--search synth] [--pairs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "synth" / "data" / "smoking.csv"

CHILD = r"""
import json, os, sys, time, warnings
import numpy as np, pandas as pd
warnings.simplefilter("ignore")
from research_kit import synth
d = pd.read_csv(sys.argv[1]); d["year"] = d["year"].astype(int)
P = [("lnincome", range(1980, 1989)), ("retprice", range(1980, 1989)), ("age15to24", range(1980, 1989)),
     ("beer", range(1984, 1989)), ("cigsale", 1975), ("cigsale", 1980), ("cigsale", 1988)]
load = os.getloadavg()[0]
t0 = time.perf_counter()
s = synth.synthetic_control(d, outcome="cigsale", unit="state", time="year", treated="California",
                            treatment_time=1989, predictors=P, v_search=sys.argv[2])
t1 = time.perf_counter()
p = s.placebo_test()
t2 = time.perf_counter()
print("RESULT " + json.dumps({
    "fit_s": t1 - t0, "placebo_s": t2 - t1, "load": load, "weights": s.weights.round(12).tolist(),
    "pre_rmspe": s.pre_rmspe, "p_value": p.p_value, "ratios": p.placebos["ratio"].tolist(),
    "pre_rmspes": p.placebos["pre_rmspe"].tolist()}))
"""


def run(src: Path, search: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    out = subprocess.run([sys.executable, "-c", CHILD, str(DATA), search], capture_output=True, text=True, env=env,
                         check=True)
    return json.loads(next(line[7:] for line in out.stdout.splitlines() if line.startswith("RESULT ")))


P99 = [("lnincome", range(1980, 1989)), ("retprice", range(1980, 1989)), ("age15to24", range(1980, 1989)),
       ("beer", range(1984, 1989)), ("cigsale", 1975), ("cigsale", 1980), ("cigsale", 1988)]


def _cases() -> dict:
    """name -> (data frame, synthetic_control keywords, placebo_test keywords)."""
    import pandas as pd

    d = pd.read_csv(DATA)
    d["year"] = d["year"].astype(int)
    kw = dict(outcome="cigsale", unit="state", time="year", treated="California", treatment_time=1989, predictors=P99)
    cases = {"prop99, v_search=synth": (d, {**kw, "v_search": "synth"}, {}),
             "prop99, v_search=global": (d, {**kw, "v_search": "global"}, {})}
    try:  # the paper's own design (donor pool, predictors, seed) on the shipped data
        from research_kit.studies import digital_rmb as study

        data = study.load_data()
        pool = study.donor_pool(data.panel, data.pilots, treated=study.TREATED)
        keep = set(pool.loc[pool["status"].isin(["treated", "donor"]), "city"])
        t0 = study.pilot_month(data.pilots, study.TREATED)
        panel = data.panel.loc[data.panel["city"].isin(keep)].reset_index(drop=True)
        cases["digital_rmb paper, v_search=global"] = (
            panel, dict(outcome="retail_pc", unit="city", time="month", treated=study.TREATED, treatment_time=t0,
                        predictors=study.predictors("retail_pc", t0), v_search="global", seed=20221230),
            {"pre_rmspe_cutoff": 2.0})
    except Exception as exc:  # noqa: BLE001 - a benchmark reports and goes on
        print(f"digital_rmb paper data not available ({exc}); run research-kit prepare first")
    return cases


def same_process(pairs: int) -> int:
    """Old and new placebo test alternating in this process; CPU-time ratios."""
    import dataclasses
    import time
    import warnings

    import numpy as np

    from research_kit import synth
    from research_kit.synth.control import _fit
    from research_kit.synth.placebo import _reference_placebo

    warnings.simplefilter("ignore")
    t = time.process_time()
    _warm_up()  # loads (or compiles) the numba kernels once, outside the timings
    print(f"numba kernels loaded/compiled: {time.process_time() - t:.2f} s CPU")
    print("| data | run | load | old fit CPU s | new fit CPU s | old placebo CPU s (wall) | new placebo CPU s (wall) "
          "| placebo CPU ratio |\n|---|---|---|---:|---:|---:|---:|---:|")
    for name, (df, kw, pkw) in _cases().items():
        ratios = []
        for i in range(pairs):
            load = os.getloadavg()[0]
            c0 = time.process_time()
            new = synth.synthetic_control(df, **kw)
            c1 = time.process_time()
            old = _fit(dataclasses.replace(new.spec, inner="nnls"))
            c2 = time.process_time()
            w0 = time.perf_counter()
            p_old = _reference_placebo(old, **pkw)
            c3, w1 = time.process_time(), time.perf_counter()
            p_new = new.placebo_test(**pkw)
            c4, w2 = time.process_time(), time.perf_counter()
            ratios.append((c3 - c2) / (c4 - c3))
            print(f"| {name} | {i + 1} | {load:.1f} | {c2 - c1:.2f} | {c1 - c0:.2f} | {c3 - c2:.2f} ({w1 - w0:.1f}) "
                  f"| {c4 - c3:.2f} ({w2 - w1:.1f}) | {ratios[-1]:.1f}x |", flush=True)
        rel = np.abs(p_new.placebos["ratio"].to_numpy() / p_old.placebos["ratio"].to_numpy() - 1)
        print(f"  {name}: median CPU ratio {statistics.median(ratios):.1f}x; p-value old {p_old.p_value:.4f}, new "
              f"{p_new.p_value:.4f}; rank old {p_old.info['rank']}, new {p_new.info['rank']}; placebo RMSPE ratios equal "
              f"to 1e-6 (relative): {int((rel < 1e-6).sum())} of {len(rel)}, largest difference {rel.max():.2e}; "
              f"treated fit: ATT old {old.estimate:.10g}, new {new.estimate:.10g}", flush=True)
    return 0


def _warm_up() -> None:
    """One small global-search fit and placebo test: every compiled kernel loaded."""
    import numpy as np
    import pandas as pd

    from research_kit import synth

    rng = np.random.default_rng(0)
    d = pd.DataFrame({"u": np.repeat(np.arange(6), 8), "t": np.tile(np.arange(8), 6), "y": rng.normal(size=48),
                      "x": rng.normal(size=48), "z": rng.normal(size=48)})
    synth.synthetic_control(d, outcome="y", unit="u", time="t", treated=0, treatment_time=6,
                            predictors=["x", "z", ("y", 2)], v_search="global").placebo_test()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--same-process", action="store_true", help="old and new algorithm alternating in this process")
    ap.add_argument("--before", type=Path, help="src directory of the code before")
    ap.add_argument("--after", type=Path, help="src directory of the code after")
    ap.add_argument("--search", choices=("synth", "global"), default="synth")
    ap.add_argument("--pairs", type=int, default=2)
    a = ap.parse_args(argv)
    if a.same_process:
        return same_process(a.pairs)
    if a.before is None or a.after is None:
        ap.error("give --same-process, or --before and --after")
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    for i in range(a.pairs):
        for name, src in (("before", a.before), ("after", a.after)):
            r = run(src, a.search)
            runs[name].append(r)
            print(f"{name:6s} pair {i + 1}: fit {r['fit_s']:7.2f} s, placebo_test {r['placebo_s']:7.2f} s "
                  f"(load {r['load']:.1f})", flush=True)
    b, f = runs["before"][0], runs["after"][0]
    same = all(b[k] == f[k] for k in ("weights", "pre_rmspe", "p_value", "ratios", "pre_rmspes"))
    med = {k: (statistics.median(r["fit_s"] for r in v), statistics.median(r["placebo_s"] for r in v))
           for k, v in runs.items()}
    print(f"\nv_search={a.search!r}; median of {a.pairs} runs each, alternating")
    print("| | fit s | placebo_test s |\n|---|---:|---:|")
    for k, (fit, plac) in med.items():
        print(f"| {k} | {fit:.2f} | {plac:.2f} |")
    print(f"| speed-up | {med['before'][0] / med['after'][0]:.1f}x | {med['before'][1] / med['after'][1]:.1f}x |")
    print(f"identical numbers (weights, pre-RMSPE, p-value, every placebo's ratio and pre-RMSPE): {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
