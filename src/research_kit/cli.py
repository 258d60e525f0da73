"""The ``research-kit`` command: parses arguments and calls :mod:`research_kit.pipeline` / :mod:`research_kit.data`."""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Sequence

__all__ = ["main"]


def _variant_name(params: dict[str, object]) -> str:
    parts = [f"{k}-{v}" for k, v in sorted(params.items())]
    name = "_".join(parts) or "default"
    return re.sub(r"[^A-Za-z0-9_\-\u4e00-\u9fff]", "", name.replace(" ", "-"))[:120] or "custom"


def _cmd_prepare(args: argparse.Namespace) -> int:
    from research_kit import data

    report = data.prepare(root=args.root)
    print(report)
    return 0


def _print_outcome(o) -> None:  # type: ignore[no-untyped-def]
    mark = "ok" if o.status == "ok" else "FAILED"
    print(f"  {mark:6s} {o.study}/{o.variant}  {o.seconds:6.1f}s  -> {o.path}")
    if o.error:
        print("         " + o.error.splitlines()[0][:300])


def _cmd_run(args: argparse.Namespace) -> int:
    from research_kit import pipeline

    studies = pipeline.load_studies(args.root)
    if args.study not in studies:
        print(f"unknown study {args.study!r}; studies.yaml lists {sorted(studies)}", file=sys.stderr)
        return 2
    study = studies[args.study]
    if args.param:
        declared = pipeline.notebook_parameters(study.notebook)
        params: dict[str, object] = {}
        for item in args.param:
            if "=" not in item:
                print(f"-p takes key=value; got {item!r}", file=sys.stderr)
                return 2
            key, raw = item.split("=", 1)
            params[key] = pipeline.parse_cli_value(key, raw, declared)
        params = pipeline.validate_parameters(params, declared, where="-p")
        name = args.name or _variant_name(params)
        variants = [pipeline.Variant(study.name, name, params)]
    else:
        variants = [v for v in study.variants if not args.variant or v.name in args.variant]
    failed = 0
    for v in variants:
        o = pipeline.run_variant(study, v, root=args.root)
        _print_outcome(o)
        failed += o.status != "ok"
    return 1 if failed else 0


def _cmd_render(args: argparse.Namespace) -> int:
    from research_kit import pipeline

    from research_kit import data

    report = pipeline.render_site(args.root, formats=tuple(args.formats.split(",")),
                                  identifiers=data.identifier_values(args.root))
    print(report.summary())
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from research_kit import pipeline

    t0 = time.perf_counter()
    print("research-kit build: prepare, run every study in studies.yaml, render")
    report = pipeline.build(root=args.root, on_done=_print_outcome)
    n_ok = len(report.outcomes) - len(report.failed)
    print(f"built {n_ok} paper(s), {len(report.failed)} failed, in {time.perf_counter() - t0:.1f}s; "
          "open reports/_site/index.html")
    if report.failed:
        print("failed: " + ", ".join(f"{o.study}/{o.variant} (see {o.path})" for o in report.failed), file=sys.stderr)
        return 1
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from research_kit import pipeline

    print(f"published to {pipeline.publish(args.to, root=args.root)}")
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from research_kit import paths, simulate

    out = args.out or paths.raw_dir(args.root)
    files = simulate.write_demo_raw(out, n_businesses=args.n, seed=args.seed)
    for f in files:
        print(f"wrote {f}")
    return 0


def _cmd_manifest(args: argparse.Namespace) -> int:
    from research_kit import data

    print(f"wrote {data.write_raw_manifest(root=args.root)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="research-kit", description=__doc__)
    p.add_argument("--root", default=None, help="project root (default: this checkout or $RESEARCH_KIT_ROOT)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="validate data/raw against data/catalog.yaml and write data/processed").set_defaults(func=_cmd_prepare)
    r = sub.add_parser("run", help="execute a study's notebook variants with papermill into reports/papers")
    r.add_argument("study")
    r.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="run one custom variant with these parameters")
    r.add_argument("--name", help="variant name for a custom run (default: made from the parameters)")
    r.add_argument("--variant", action="append", help="run only these configured variants")
    r.set_defaults(func=_cmd_run)
    rd = sub.add_parser("render", help="render reports/papers into the static site reports/_site")
    rd.add_argument("--formats", default="html,docx,pdf", help="comma-separated: html,docx,pdf")
    rd.set_defaults(func=_cmd_render)
    sub.add_parser("build", help="prepare + run every study + render").set_defaults(func=_cmd_build)
    pb = sub.add_parser("publish", help="copy reports/_site atomically to the intranet web root")
    pb.add_argument("--to", required=True)
    pb.set_defaults(func=_cmd_publish)
    sm = sub.add_parser("simulate", help="regenerate the synthetic demo raw data")
    sm.add_argument("--out", default=None)
    sm.add_argument("--n", type=int, default=1200)
    sm.add_argument("--seed", type=int, default=20221230)
    sm.set_defaults(func=_cmd_simulate)
    sub.add_parser("manifest", help="record the sha256 of every raw file in data/raw/MANIFEST").set_defaults(func=_cmd_manifest)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ValueError, FileNotFoundError, KeyError, RuntimeError) as exc:
        # Data validation, configuration, render and disclosure errors are the user's to fix:
        # show the message (it names the file, column, row or page), not a traceback.
        print(f"research-kit {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
