"""Benchmark of the batch pipeline: ``research-kit build`` against a loop of the papermill CLI + the render.

Workload: the FX-loans paper (``notebooks/01_fx_loans_individual_businesses.ipynb``)
for all of Jinhua and for each of its 9 counties (10 papers), on the shipped
synthetic demo data, in a temporary copy of the project.

Measured, in one run, on the same machine:

1. **baseline** — ``papermill`` CLI once per variant (a new Python process,
   papermill import and kernel each time) into ``reports/papers``, then
   ``research-kit render --workers 1`` (papers rendered one after the other);
2. **build** — ``research-kit build --force`` from an empty ``reports/``
   (prepare check, parallel execution on the local pool with kernels started
   ahead, parallel render, search index);
3. **no-change rebuild** — ``research-kit build`` again with nothing changed
   (``--repeat`` times: median wall and CPU seconds);
4. **help** — ``research-kit --help`` (``--repeat`` times).

Targets: build ≤ 0.5 × baseline (issue "Batch rendering at scale"); no-change
rebuild < 1 s and ``--help`` < 0.3 s wall (issue 14, on an idle machine: the
CPU seconds show what the machine's load adds).

Usage::

    .venv/bin/python benchmarks/pipeline_bench.py [--json out.json] [--skip-baseline] [--repeat 5] [--src DIR]

``--src`` times another copy of ``src/`` (e.g. an older commit's, from ``git archive``).

Each step runs as a subprocess, so the timings include Python start-up, as a
user would see them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NB = "notebooks/01_fx_loans_individual_businesses.ipynb"
VARIANTS = {
    "jinhua": "all", "wucheng": "婺城区", "jindong": "金东区", "wuyi": "武义县", "pujiang": "浦江县",
    "panan": "磐安县", "lanxi": "兰溪市", "yiwu": "义乌市", "dongyang": "东阳市", "yongkang": "永康市",
}
BIN = Path(sys.executable).parent


def make_project(dest: Path) -> Path:
    """A copy of the project's data, catalog and the FX notebook, with a studies.yaml of the 10 variants."""
    shutil.copytree(ROOT / "data", dest / "data", ignore=shutil.ignore_patterns("processed"))  # raw, targets, catalog
    (dest / "reports").mkdir()
    for name in ("frame.yaml", "references.bib", "csl"):  # the report frame, bibliography and citation styles
        src = ROOT / "reports" / name
        if src.is_dir():
            shutil.copytree(src, dest / "reports" / name)
        elif src.is_file():
            shutil.copy(src, dest / "reports" / name)
    (dest / "notebooks").mkdir()
    shutil.copy(ROOT / NB, dest / NB)
    lines = ["studies:", "  fx_loans:", f"    notebook: {NB}", '    task: "2"', "    variants:"]
    lines += [f"      {name}: {{county: {county}}}" for name, county in VARIANTS.items()]
    (dest / "studies.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def run(cmd: list[str], *, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds


def timed(cmd: list[str], *, env: dict[str, str], repeat: int) -> dict[str, float]:
    """Median wall and CPU (user + system of the process and its children) seconds of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        walls.append(run(cmd, env=env))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"wall_s": round(statistics.median(walls), 3), "wall_min_s": round(min(walls), 3),
            "cpu_s": round(statistics.median(cpus), 3)}


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    ap.add_argument("--skip-baseline", action="store_true", help="only time build and the no-change rebuild")
    ap.add_argument("--repeat", type=int, default=5, help="runs of the no-change rebuild and of --help (median)")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the src/ directory to time (default: this one)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rk-bench-") as tmp:
        project = make_project(Path(tmp) / "project")
        # A snapshot of the package, so that edits to the checkout during the run do not change the source-tree hash.
        shutil.copytree(args.src / "research_kit", Path(tmp) / "src" / "research_kit",
                        ignore=shutil.ignore_patterns("__pycache__"))
        env = {**os.environ, "RESEARCH_KIT_ROOT": str(project), "PYTHONWARNINGS": "ignore",
               "PYTHONPATH": os.pathsep.join([str(Path(tmp) / "src"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        rk = [sys.executable, "-m", "research_kit.cli", "--root", str(project)]  # the snapshot, not the installed one
        run([*rk, "prepare"], env=env)  # untimed for both: the data is prepared once
        results: dict[str, object] = {"machine": {"python": platform.python_version(), "cores": os.cpu_count(),
                                                  "loadavg_before": os.getloadavg()},
                                      "variants": len(VARIANTS)}
        if not args.skip_baseline:
            papers = project / "reports" / "papers" / "fx_loans"
            papers.mkdir(parents=True)
            t_pm = 0.0
            for name, county in VARIANTS.items():
                t_pm += run([str(BIN / "papermill"), str(project / NB), str(papers / f"{name}.ipynb"), "-p", "county",
                             county, "--cwd", str(project), "--no-progress-bar", "--log-level", "ERROR"], env=env)
            t_render = run([*rk, "render", "--workers", "1", "--force"], env=env)
            results["baseline"] = {"papermill_loop_s": round(t_pm, 2), "render_s": round(t_render, 2),
                                   "total_s": round(t_pm + t_render, 2)}
            for item in (project / "reports").iterdir():  # back to an empty reports/ (the frame files stay)
                if item.name not in ("frame.yaml", "references.bib", "csl"):
                    shutil.rmtree(item) if item.is_dir() else item.unlink()
        t_build = run([*rk, "build", "--force"], env=env)
        run([*rk, "build"], env=env)  # the first no-change run may still write caches
        rebuild = timed([*rk, "build"], env=env, repeat=args.repeat)
        results["build_s"] = round(t_build, 2)
        results["rebuild_no_change_s"] = rebuild["wall_s"]
        results["rebuild_no_change"] = rebuild
        results["help"] = timed([sys.executable, "-m", "research_kit.cli", "--help"], env=env, repeat=args.repeat)
        if "baseline" in results:
            results["ratio_build_to_baseline"] = round(t_build / results["baseline"]["total_s"], 3)  # type: ignore[index]
        results["machine"]["loadavg_after"] = os.getloadavg()  # type: ignore[index]
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
