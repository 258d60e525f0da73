"""Regenerate the SYNTHETIC demo raw data: ``python -m research_kit.simulate``.

Writes the files of :func:`research_kit.simulate.write_demo_raw` to
``data/raw`` of the project (or ``--out DIR``) and lists them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from research_kit import paths
from research_kit.simulate._raw import write_demo_raw


def main(argv: Sequence[str] | None = None) -> int:
    """Write the demo raw data (``python -m research_kit.simulate``); return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m research_kit.simulate",
        description="Write the synthetic Jinhua FX-loan demo data in its raw formats (+ MANIFEST, README.md).",
    )
    parser.add_argument("--out", default=None, help="output folder (default: the project's data/raw)")
    parser.add_argument("--n-businesses", type=int, default=1200, help="sample size (default 1200)")
    parser.add_argument("--seed", type=int, default=20221230, help="random seed (default 20221230)")
    args = parser.parse_args(argv)
    out = args.out if args.out is not None else paths.raw_dir()
    try:
        written = write_demo_raw(out, n_businesses=args.n_businesses, seed=args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
