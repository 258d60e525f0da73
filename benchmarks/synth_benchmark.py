"""Synthetic control speed: the Proposition 99 fit and its in-space placebo test, before and after.

Each measurement is its own process running ``research_kit`` from a given source
tree (``--src``; an earlier commit via ``git archive COMMIT src | tar -x -C DIR``),
so the "before" and "after" code run the same script on the same data. The
processes of the two trees alternate (before, after, before, after, ...) so that
load changes on a shared machine hit both. Every run also prints the fit's
weights and the placebo table's ratios, and the script checks that the two
trees give the same numbers.

    .venv/bin/python benchmarks/synth_benchmark.py --before /tmp/before/src --after src [--search synth] [--pairs 2]

Data: ``tests/synth/data/smoking.csv`` (ADH 2010), the ADH predictor specification
of ``tests/synth/test_prop99_sc.py``.
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True, help="src directory of the code before")
    ap.add_argument("--after", type=Path, required=True, help="src directory of the code after")
    ap.add_argument("--search", choices=("synth", "global"), default="synth")
    ap.add_argument("--pairs", type=int, default=2)
    a = ap.parse_args(argv)
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
