"""Speed and memory of ``rk.data.ledger_to_panel`` on a ledger of 5 million loans.

Usage (from the project root)::

    .venv/bin/python benchmarks/ledger_benchmark.py                 # 5,000,000 loans, 200,000 entities
    .venv/bin/python benchmarks/ledger_benchmark.py --loans 500000 --entities 20000

The ledger (not timed): ``--loans`` loans to ``--entities`` entities (string codes),
issued on random days 2019-01-01 … 2025-12-31, maturity 90–365 days later, amounts
lognormal; repayments: 60% of loans get a partial repayment (10–50% of the amount)
before maturity, and 50% a closing repayment of the rest (one in five of them after
maturity, i.e. late); the others run to maturity. Dates are ``datetime64``, as
``rk.data.load`` returns them.

Timed: ``ledger_to_panel(loans, repayments, ..., end="2025-12")`` (median of
``--repeats`` runs) and, for reference, one ``loans.groupby("entity")["amount"].sum()``.
Reported: rows out, wall-clock and CPU seconds (``time.process_time``: on a shared
machine the wall clock mostly measures the other processes; the 1-minute load average
is reported with it), peak resident memory above the input (``VmHWM``).
Results go to stdout as JSON; ``benchmarks/README.md`` records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_ledger(n_loans: int, n_entities: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A synthetic ledger and repayment table with partial, early, late and no repayments."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2019-01-01")
    issue = start + rng.integers(0, 2557, n_loans).astype("timedelta64[D]")
    term = rng.integers(90, 366, n_loans)
    mature = issue + term.astype("timedelta64[D]")
    amount = np.round(np.exp(rng.normal(3.0, 0.8, n_loans)), 2)
    codes = np.array([f"E{i:07d}" for i in range(n_entities)], dtype=object)
    loans = pd.DataFrame({
        "entity": codes[rng.integers(0, n_entities, n_loans)],
        "loan": np.char.add("L", np.arange(n_loans).astype(str)).astype(object),
        "issue": issue.astype("datetime64[ns]"),
        "due": mature.astype("datetime64[ns]"),
        "amount": amount,
    })
    part = rng.random(n_loans) < 0.6
    frac = np.where(part, np.round(rng.uniform(0.1, 0.5, n_loans), 2), 0.0)
    p_day = issue + (term * rng.uniform(0.1, 0.9, n_loans)).astype("timedelta64[D]")
    close = rng.random(n_loans) < 0.5
    late = rng.random(n_loans) < 0.2
    c_day = np.where(late, mature + rng.integers(1, 60, n_loans).astype("timedelta64[D]"),
                     p_day + (mature - p_day) * 0 + rng.integers(1, 30, n_loans).astype("timedelta64[D]"))
    c_day = np.where(late, c_day, np.minimum(c_day, mature))
    paid_part = np.round(amount * frac, 2)
    idx_p, idx_c = np.flatnonzero(part), np.flatnonzero(close)
    repay = pd.DataFrame({
        "loan": np.concatenate([loans["loan"].to_numpy()[idx_p], loans["loan"].to_numpy()[idx_c]]),
        "date": np.concatenate([p_day[idx_p], c_day[idx_c]]).astype("datetime64[ns]"),
        "paid": np.concatenate([paid_part[idx_p], np.round(amount[idx_c] - paid_part[idx_c], 2)]),
    })
    return loans, repay.loc[repay["paid"] > 0].reset_index(drop=True)


def _hwm_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_hwm() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=5_000_000)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import research_kit as rk

    t0 = time.perf_counter()
    loans, repay = make_ledger(args.loans, args.entities)
    gen = time.perf_counter() - t0
    small_l, small_r = make_ledger(2000, 100, seed=1)  # warm-up: imports, first calls
    kw = dict(entity="entity", loan_id="loan", issue_date="issue", maturity_date="due", amount="amount",
              repay_date="date", repay_amount="paid", end="2025-12")
    rk.data.ledger_to_panel(small_l, small_r, **kw)
    base = _hwm_kib()
    resettable = _reset_hwm()
    rss0 = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    times, cpu, out = [], [], None
    for _ in range(args.repeats):
        out = None
        t, c = time.perf_counter(), time.process_time()
        out = rk.data.ledger_to_panel(loans, repay, **kw)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    peak = _hwm_kib() - (rss0 if resettable else base)
    t, c = time.perf_counter(), time.process_time()
    loans.groupby("entity")["amount"].sum()
    gb, gb_cpu = time.perf_counter() - t, time.process_time() - c
    result = {
        "loans": args.loans, "repayments": len(repay), "entities": args.entities, "rows_out": len(out),
        "seconds_median": round(statistics.median(times), 2), "seconds_all": [round(x, 2) for x in times],
        "cpu_seconds_median": round(statistics.median(cpu), 2), "cpu_seconds_all": [round(x, 2) for x in cpu],
        "groupby_sum_seconds": round(gb, 2), "groupby_sum_cpu_seconds": round(gb_cpu, 2),
        "peak_mib_above_input": round(peak / 1024), "load_average_1min": round(os.getloadavg()[0], 1),
        "generate_seconds": round(gen, 1), "cpus": os.cpu_count(), "pandas": pd.__version__, "numpy": np.__version__,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
