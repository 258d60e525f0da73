"""Run the difference-in-differences benchmark and print its table (``make bench``).

    .venv/bin/python benchmarks/run.py            # 1,000,000 businesses x 24 months (several minutes)
    .venv/bin/python benchmarks/run.py --small    # 20,000 x 24, under a minute
    .venv/bin/python benchmarks/run.py --json out.json

Every package is timed on the same simulated panel, each measurement in its own
child process (see ``did_benchmark.py``); ratios are between numbers measured in
this run. The children run with ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE``
unset (they slow a current OpenBLAS down where this workplace sets them); the
BLAS kernel each child used is recorded (threadpoolctl).

Goals checked (the DiD issue): TWFE event study (10 event-time dummies, errors
clustered by the 9 counties) at least as fast as pyfixest, faster than
linearmodels, within 5x one ``groupby(unit).mean()`` of the outcome, peak memory
under 4x the input frame; Callaway--Sant'Anna (outcome regression, analytic
errors, dynamic aggregation) under 60 s and 8 GB, and at least 20x faster than
csdid and differences at the largest panel each finishes within the budget.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKER = HERE / "did_benchmark.py"
LADDER = (5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000)
CS_PEERS = ("csdid_cs", "differences_cs")


#: Extra environment of the workers (``--src``, ``--blas-threads``).
EXTRA_ENV: dict[str, str] = {}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # both together, for the benchmark children only
        env.pop(k, None)
    env.update(EXTRA_ENV)
    return env


def _child(args: list[str], timeout: float) -> dict[str, Any] | None:
    try:
        out = subprocess.run([sys.executable, str(WORKER), *args], capture_output=True, text=True,
                             timeout=timeout, env=_env(), check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (out.stdout[-1000:] + out.stderr[-2000:]).strip()
    return {"error": tail.splitlines()[-1] if tail else f"exit code {out.returncode}"}


def _data(root: Path, units: int, periods: int, records: bool = False) -> Path:
    out = subprocess.run([sys.executable, str(WORKER), "generate", "--root", str(root), "--units", str(units),
                          "--periods", str(periods), *(["--records"] if records else [])],
                         capture_output=True, text=True, env=_env(), check=True)
    return Path(out.stdout.strip().splitlines()[-1])


class Bench:
    """Runs workers, prints one line per measurement and keeps the log."""

    def __init__(self, cache: Path, periods: int, repeats: int, mem_limit_gb: float) -> None:
        self.cache, self.periods, self.repeats, self.mem = cache, periods, repeats, mem_limit_gb
        self.log: list[dict[str, Any]] = []

    def measure(self, task: str, units: int, budget: float, timeout: float, repeats: int | None = None) -> dict | None:
        data = _data(self.cache, units, self.periods, records=task.startswith("real_"))
        r = _child(["worker", "--task", task, "--data", str(data), "--repeats", str(repeats or self.repeats),
                    "--budget", str(budget), "--mem-limit-gb", str(self.mem)], timeout)
        if r is None or "error" in r:
            why = (r or {}).get("error", "no result")
            print(f"  {task:26s} {units:>9,d} units  did not finish: {why}", flush=True)
            self.log.append({"task": task, "units": units, "finished": False, "error": why})
            return None
        print(f"  {task:26s} {units:>9,d} units  {r['median_s']:9.3f} s  (runs "
              f"{', '.join(f'{t:.2f}' for t in r['times'])})  peak +{r['peak_above_baseline_bytes'] / 2**20:7,.0f} MiB"
              f"  load {r['load_before']:.1f}", flush=True)
        if "paired_median_s" in r["summary"]:
            print(f"  {'  paired groupby(unit).mean()':26s} {units:>9,d} units  {r['summary']['paired_median_s']:9.3f} s"
                  f"  (median ratio {r['summary']['median_ratio_to_paired']:.2f})", flush=True)
        self.log.append({**r, "finished": True})
        return r

    def ladder(self, task: str, sizes: list[int], budget: float) -> tuple[dict | None, list[int]]:
        """Largest size (of ``sizes``) at which one run of ``task`` finishes within ``budget`` and memory."""
        best, failed = None, []
        for i, n in enumerate(sizes):
            r = self.measure(task, n, budget, budget + 180, repeats=1)
            if r is None or r["median_s"] > budget:
                failed.append(n)
                break
            best = r
            if i + 1 == len(sizes):
                break
            scale = sizes[i + 1] / n
            if r["median_s"] * scale > 1.5 * budget:
                failed.append(sizes[i + 1])
                print(f"  {task:26s} {sizes[i + 1]:>9,d} units  not run: about {r['median_s'] * scale:.0f} s expected",
                      flush=True)
                break
            if r["peak_above_baseline_bytes"] * scale > 0.8 * self.mem * 2**30:
                failed.append(sizes[i + 1])
                print(f"  {task:26s} {sizes[i + 1]:>9,d} units  not run: about "
                      f"{r['peak_above_baseline_bytes'] * scale / 2**30:.0f} GiB expected (limit {self.mem:.0f} GiB)",
                      flush=True)
                break
        return best, failed


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                   if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = "?"
    try:
        kb = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return {"date": dt.date.today().isoformat(), "cpu": cpu, "cores": os.cpu_count(), "memory": mem,
            "platform": platform.platform(), "load_at_start": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="DiD speed and memory benchmark")
    ap.add_argument("--small", action="store_true", help="20,000 units, no size ladders: a quick check")
    ap.add_argument("--units", type=int, default=None, help="units of the main panel (default 1,000,000)")
    ap.add_argument("--periods", type=int, default=24)
    ap.add_argument("--budget", type=float, default=None, help="seconds one slow-peer run may take (default 120)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--mem-limit-gb", type=float, default=16.0, help="address-space limit of every worker")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "rk-did-bench")
    ap.add_argument("--skip", default="", help="comma-separated tasks to leave out")
    ap.add_argument("--json", type=Path, default=None, help="write every measurement here")
    ap.add_argument("--scenario", choices=("simulated", "records"), default="simulated",
                    help="records: the panel shaped like bank records (realistic_panel.py), 300,000 x 24 by default")
    ap.add_argument("--src", type=Path, default=None, help="run the workers on this research_kit source tree "
                    "(e.g. an earlier commit: git archive COMMIT src | tar -x -C DIR; --src DIR/src)")
    ap.add_argument("--blas-threads", type=int, default=None, help="OPENBLAS_NUM_THREADS of the workers")
    ap.add_argument("--tasks", default="", help="records scenario: comma-separated tasks (default all)")
    a = ap.parse_args(argv)
    if a.src:
        EXTRA_ENV["PYTHONPATH"] = str(a.src.resolve())
    if a.blas_threads:
        EXTRA_ENV["OPENBLAS_NUM_THREADS"] = str(a.blas_threads)
    if a.scenario == "records":
        return records(a)
    units = a.units or (20_000 if a.small else 1_000_000)
    budget = a.budget or (10.0 if a.small else 120.0)
    sizes = [units] if a.small else [s for s in LADDER if s < units] + [units]
    skip = {s for s in a.skip.split(",") if s}
    info = machine()
    print(f"DiD benchmark {info['date']}: {info['cpu']}, {info['cores']} cores, {info['memory']}; "
          f"load average {info['load_at_start'][0]:.2f}", flush=True)
    b = Bench(a.cache, a.periods, a.repeats, a.mem_limit_gb)
    long = 3600.0 if units >= 500_000 else 600.0
    es: dict[str, dict | None] = {}

    print(f"\nTWFE event study: {units:,} units x {a.periods} periods, 10 dummies, CR1 by 9 clusters", flush=True)
    for t in ("rk_event_study_vs_groupby", "rk_event_study", "pyfixest_event_study", "rk_event_study_shuffled",
              "rk_twfe"):
        if t not in skip:
            es[t] = b.measure(t, units, 10 * budget, long, repeats=max(a.repeats, 5) if t.endswith("groupby") else None)
    lm = None
    if "linearmodels_event_study" not in skip:
        lm_best, lm_failed = b.ladder("linearmodels_event_study", sizes, budget)
        es["linearmodels_event_study"] = lm_best if lm_best and lm_best["units"] == units else None
        if lm_best and lm_best["units"] != units:
            lm = {"peer": lm_best, "ours": b.measure("rk_event_study", lm_best["units"], budget, 600),
                  "failed": lm_failed}

    print(f"\nCallaway-Sant'Anna (reg, analytic SE, dynamic aggregation): {units:,} units", flush=True)
    cs_main = None if "rk_cs" in skip else b.measure("rk_cs", units, budget, long)
    peers: dict[str, dict[str, Any]] = {}
    for peer in CS_PEERS:
        if peer in skip:
            continue
        best, failed = b.ladder(peer, sizes, budget)
        if best is not None:
            ours = cs_main if best["units"] == units else b.measure("rk_cs", best["units"], budget, 600)
            peers[peer] = {"peer": best, "ours": ours, "failed": failed}
    report = summarize(info, units, a.periods, budget, es, lm, cs_main, peers)
    print("\n" + report, flush=True)
    if a.json:
        a.json.write_text(json.dumps({"machine": info, "measurements": b.log, "report": report}, indent=1))
    return 0


RECORD_TASKS = ("real_groupby", "real_rk_event_study", "real_rk_cs_pairwise", "real_pyfixest_event_study",
                "real_rk_event_study_categorical", "real_rk_cs_pairwise_categorical",
                "real_rk_event_study_sorted_int", "real_rk_cs_pairwise_sorted_int")


def records(a: argparse.Namespace) -> int:
    """The records-shaped scenario: text ids, dates, county clusters, shuffled rows, ~3 % missing."""
    units = a.units or (20_000 if a.small else 300_000)
    info = machine()
    print(f"DiD benchmark, records-shaped panel, {info['date']}: {info['cpu']}, {info['cores']} cores, "
          f"{info['memory']}; load average {info['load_at_start'][0]:.2f}; extra worker env {EXTRA_ENV}", flush=True)
    b = Bench(a.cache, a.periods, a.repeats, a.mem_limit_gb)
    tasks = [t for t in (a.tasks.split(",") if a.tasks else RECORD_TASKS) if t]
    out = {t: b.measure(t, units, 3600.0, 7200.0) for t in tasks}
    lines = ["| task | median s | runs | groupby(unit).mean() s (same process) | ratio to groupby (median of pairs) "
             "| peak MiB above input | load |", "|---|---:|---:|---:|---:|---:|---:|"]
    for t, r in out.items():
        if r is None:
            lines.append(f"| {t} | DNF | | | | | |")
            continue
        sm = r["summary"]
        pair = (f"{sm['paired_median_s']:.2f} | {sm['median_ratio_to_paired']:.2f}" if "paired_median_s" in sm
                else " | ")
        lines.append(f"| {t} | {r['median_s']:.2f} | {len(r['times'])} | {pair} | {_mib(r)} | {r['load_before']:.1f} |")
    es, pf_ = out.get("real_rk_event_study"), out.get("real_pyfixest_event_study")
    if es and pf_:
        lines.append(f"\npyfixest / research_kit event study: {pf_['median_s'] / es['median_s']:.1f}x")
    for t in ("real_rk_event_study", "real_rk_cs_pairwise"):
        if out.get(t) and out.get(t + "_sorted_int"):
            x, y = out[t]["summary"], out[t + "_sorted_int"]["summary"]
            lines.append(f"{t}: e=0 estimate {x.get('e0')!r} vs sorted-integer twin {y.get('e0')!r}; "
                         f"SE {x.get('se_e0')!r} vs {y.get('se_e0')!r}")
    report = "\n".join(lines)
    print("\n" + report, flush=True)
    if a.json:
        a.json.write_text(json.dumps({"machine": info, "env": EXTRA_ENV, "measurements": b.log, "report": report},
                                     indent=1))
    return 0


def _mib(r: dict | None) -> str:
    return "-" if r is None else f"{r['peak_above_baseline_bytes'] / 2**20:,.0f}"



def _s(r: dict | None) -> str:
    return "DNF" if r is None else (f"{r['median_s']:.3f}" if r["median_s"] < 10 else f"{r['median_s']:.1f}")


def _row(r: dict | None, task: str, units: int, periods: int) -> str:
    if r is None:
        return f"| {task} | | {units:,} x {periods} | DNF | | | |"
    pkg = f"{r['package']} {r['versions'].get(r['package'], '')}"
    return (f"| {task} | {pkg} | {r['units']:,} x {periods} | {_s(r)} | {len(r['times'])} | {_mib(r)} | "
            f"{r['load_before']:.1f} |")


def summarize(info: dict, units: int, periods: int, budget: float, es: dict, lm: dict | None,
              cs_main: dict | None, peers: dict) -> str:
    """The markdown tables quoted in benchmarks/README.md, with the goals."""
    lines = [f"{info['date']}; {info['cpu']}, {info['cores']} cores, {info['memory']}; load average "
             f"{info['load_at_start'][0]:.2f} at the start (the machine is shared with other work).", ""]
    any_r = next((r for r in [*es.values(), cs_main] if r), None)
    if any_r:
        lines.append("Versions: " + ", ".join(f"{k} {v}" for k, v in any_r["versions"].items()) + ".")
        blas = "; ".join(f"{x['internal_api']} {x['version']} {x['architecture']} x{x['num_threads']}"
                         for x in any_r["blas"])
        lines += [f"BLAS (threadpoolctl): {blas}; OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset in the workers.", ""]
    frame = next((r["frame_bytes"] for r in es.values() if r), None)
    lines += ["| task | package | units x periods | median s | runs | peak MiB above input | load |",
              "|---|---|---|---:|---:|---:|---:|"]
    for t, r in es.items():
        if r is None and t == "linearmodels_event_study" and lm:
            need = lm["peer"]["peak_above_baseline_bytes"] * units / lm["peer"]["units"] / 2**30
            lines.append(f"| {t} | linearmodels | {units:,} x {periods} | not run | | about {need:.0f} GiB "
                         "needed (linear extrapolation) | |")
            continue
        lines.append(_row(r, t, units, periods))
        if r and "paired_median_s" in r["summary"]:
            lines.append(f"| groupby(unit).mean() (alternating with the row above) | pandas "
                         f"{r['versions'].get('pandas', '')} | {units:,} x {periods} | "
                         f"{r['summary']['paired_median_s']:.3f} | {len(r['times'])} | | |")
    if lm:
        lines += [_row(lm["peer"], "linearmodels_event_study", 0, periods), _row(lm["ours"], "rk_event_study", 0, periods)]
    if cs_main:
        lines.append(_row(cs_main, "rk_cs", units, periods))
    for p in peers.values():
        lines.append(_row(p["peer"], p["peer"]["task"], 0, periods))
        if p["ours"] is not cs_main:
            lines.append(_row(p["ours"], "rk_cs", 0, periods))
    lines += ["", "| goal | measured | met |", "|---|---|---|"]

    def ratio(a: dict | None, b: dict | None) -> float | None:
        return None if a is None or b is None else a["median_s"] / b["median_s"]

    def goal(text: str, value: float | None, fmt: str, ok: bool | None) -> None:
        shown = "n/a" if value is None else fmt.format(value)
        lines.append(f"| {text} | {shown} | {'?' if ok is None else ('yes' if ok else 'NO')} |")

    rk, pf_, lm_main, pair = (es.get(k) for k in ("rk_event_study", "pyfixest_event_study",
                                                  "linearmodels_event_study", "rk_event_study_vs_groupby"))
    r1 = ratio(rk, pf_)
    goal(f"TWFE ES time / pyfixest at {units:,} units <= 1", r1, "{:.3f}", None if r1 is None else r1 <= 1)
    if lm_main is not None:
        r2 = ratio(rk, lm_main)
        goal(f"TWFE ES time / linearmodels at {units:,} units < 1", r2, "{:.4f}", r2 < 1)
    elif lm and lm["ours"]:
        r2 = ratio(lm["ours"], lm["peer"])
        goal(f"TWFE ES time / linearmodels at {lm['peer']['units']:,} units (linearmodels' largest within "
             f"{budget:.0f} s and memory; not run at {units:,})", r2, "{:.4f}", r2 < 1)
    r3 = None if pair is None else pair["summary"]["median_ratio_to_paired"]
    goal("TWFE ES time / one groupby(unit).mean() <= 5 (median of alternating pairs)", r3, "{:.2f}",
         None if r3 is None else r3 <= 5)
    m = None if rk is None or frame is None else rk["peak_above_baseline_bytes"] / frame
    goal("TWFE ES peak memory / input frame < 4", m, "{:.2f}", None if m is None else m < 4)
    goal(f"CS seconds at {units:,} units < 60", None if cs_main is None else cs_main["median_s"], "{:.2f}",
         None if cs_main is None else cs_main["median_s"] < 60)
    mem = None if cs_main is None else cs_main["peak_above_baseline_bytes"] / 2**30
    goal("CS peak GiB above input < 8", mem, "{:.2f}", None if mem is None else mem < 8)
    for peer, p in peers.items():
        sp = ratio(p["peer"], p["ours"])
        goal(f"CS speed-up vs {peer.split('_')[0]} at {p['peer']['units']:,} units (its largest within "
             f"{budget:.0f} s) >= 20", sp, "{:.0f}x", None if sp is None else sp >= 20)
    if frame:
        lines += ["", f"Input frame {frame / 2**20:,.0f} MiB ({units * periods:,} rows). Median of "
                      f"up to 3 runs after a warm-up; slow peers run once per size."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
