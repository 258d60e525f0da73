"""The ``research-kit`` command: parses arguments and calls :mod:`research_kit.pipeline` / :mod:`research_kit.data`.

Commands: ``prepare``, ``run``, ``render``, ``build``, ``publish``, ``serve``, ``simulate``, ``manifest``,
``new-study``, ``targets``
(``research-kit COMMAND --help`` for each).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main", "build_parser"]


def _variant_name(params: dict[str, object]) -> str:
    parts = [f"{k}-{v}" for k, v in sorted(params.items())]
    name = "_".join(parts) or "default"
    return re.sub(r"[^A-Za-z0-9_\-\u4e00-\u9fff]", "", name.replace(" ", "-"))[:120] or "custom"


class _Progress:
    """tqdm bar over the variants: elapsed time, the last finished variant; one line per executed variant."""

    def __init__(self) -> None:
        self.bar: Any = None

    def plan(self, total: int, to_run: int) -> None:
        from tqdm import tqdm

        cached = total - to_run
        print(f"{total} variant(s): {to_run} to execute, {cached} unchanged (cached)", flush=True)
        self.bar = tqdm(total=total, unit="paper", desc="papers", file=sys.stderr, dynamic_ncols=True,
                        disable=None, bar_format="{desc}: {n_fmt}/{total_fmt} |{bar}| {elapsed} {postfix}")

    def done(self, o: Any) -> None:
        from tqdm import tqdm

        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"{o.study}/{o.variant} {o.status}", refresh=True)
        if o.status != "cached":
            mark = "ok" if o.status == "ok" else "FAILED"
            line = f"  {mark:6s} {o.study}/{o.variant}  {o.seconds:6.1f}s  -> {o.path}"
            if o.error:
                line += "\n         " + o.error.splitlines()[0][:300] + (f"\n         log: {o.log}" if o.log else "")
            tqdm.write(line, file=sys.stdout)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _report_failures(report: Any) -> int:
    if report.failed:
        names = ", ".join(f"{o.study}/{o.variant}" for o in report.failed)
        print(f"research-kit: {len(report.failed)} variant(s) failed: {names}. Their executed notebooks "
              "(<variant>.failed.ipynb) and logs (reports/logs/) hold the tracebacks; the last good papers "
              "stay published.", file=sys.stderr)
        return 1
    site = getattr(report, "site", None)
    bad = [*(site.failed if site is not None else ()), *(site.stale if site is not None else ())]
    if bad:  # whatever the report calls a failure makes the exit status non-zero
        names = ", ".join(f"{p.study}/{p.variant} ({p.status})" for p in bad)
        print(f"research-kit: the site shows {len(bad)} paper(s) whose latest run failed: {names}; see their "
              "failure pages and reports/logs/.", file=sys.stderr)
        return 1
    return 0


def _cmd_prepare(args: argparse.Namespace) -> int:
    from research_kit import data
    from research_kit.pipeline.batch import build_lock

    with build_lock(args.root):  # never under a running build
        report = data.prepare(root=args.root)
    print(report)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from research_kit import pipeline

    studies = pipeline.load_studies(args.root)
    unknown = [s for s in args.study if s not in studies]
    if unknown:
        print(f"unknown study {unknown}; studies.yaml lists {sorted(studies)}", file=sys.stderr)
        return 2
    selection: list[tuple[Any, Any]]
    if args.param:
        if len(args.study) != 1:
            print("-p runs one custom variant of one study: name exactly one study", file=sys.stderr)
            return 2
        study = studies[args.study[0]]
        _, declared = pipeline.study_parameters(study.name, args.root)  # cached: no papermill import
        params: dict[str, object] = {}
        for item in args.param:
            if "=" not in item:
                print(f"-p takes key=value; got {item!r}", file=sys.stderr)
                return 2
            key, raw = item.split("=", 1)
            params[key] = pipeline.parse_cli_value(key, raw, declared)
        params = pipeline.validate_parameters(params, declared, where="-p")
        from research_kit.pipeline.study_config import check_name

        name = check_name(args.name or _variant_name(params), "--name")
        selection = [(study, pipeline.Variant(study.name, name, params))]
    else:
        names = args.study or list(studies)
        selection = [(studies[s], v) for s in names for v in studies[s].variants
                     if not args.variant or v.name in args.variant]
        missing = sorted(set(args.variant or ()) - {v.name for _, v in selection})
        if missing:
            print(f"unknown variant(s) {missing} of {names}", file=sys.stderr)
            return 2
    progress = _Progress()
    try:
        report = pipeline.run_studies(root=args.root, selection=selection, force=args.force, workers=args.workers,
                                      scheduler=args.scheduler, shared_fs=args.shared_fs, warm=not args.no_warm,
                                      on_plan=progress.plan, on_done=progress.done)
    finally:
        progress.close()
    print(report.summary())
    return _report_failures(report)


def _cmd_render(args: argparse.Namespace) -> int:
    from research_kit import pipeline

    def identifiers() -> set[str]:
        from research_kit import data  # only when a page is rendered (it loads pandas)

        return data.identifier_values(args.root)

    local = pipeline.LocalPool(args.workers) if args.workers != 1 else None
    try:
        report = pipeline.render_site(args.root, formats=tuple(args.formats.split(",")),
                                      identifiers=identifiers, executor=local,
                                      force=args.force)
    finally:
        if local is not None:
            local.shutdown()
    print(report.summary())
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from research_kit import paths, pipeline

    print("research-kit build: prepare (if data changed), run every study in studies.yaml (if changed), render",
          flush=True)
    progress = _Progress()
    try:
        report = pipeline.build(root=args.root, force=args.force, workers=args.workers, scheduler=args.scheduler,
                                shared_fs=args.shared_fs, formats=tuple(args.formats.split(",")),
                                warm=not args.no_warm, on_plan=progress.plan, on_done=progress.done)
    finally:
        progress.close()
    print(report.summary())
    site = paths.site_dir(args.root)
    print(f"open {site / 'index.html'} (search works when served: research-kit serve)")
    return _report_failures(report)


def _cmd_publish(args: argparse.Namespace) -> int:
    from research_kit import pipeline

    if args.list:
        for v in pipeline.published_versions(args.to):
            print(f"{'*' if v.current else ' '} {v.id}  {v.path}")
        return 0
    if args.rollback:
        version = None if args.rollback is True else args.rollback
        path = pipeline.rollback(args.to, version=version)
        print(f"rolled back: {args.to}/current -> {path}")
        return 0
    path = pipeline.publish(args.to, root=args.root, keep=args.keep)
    print(f"published {path}; the web server serves {path.parent.parent / 'current'} "
          f"(the {args.keep} newest versions are kept; undo with --rollback)")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import functools
    import http.server
    from pathlib import Path

    from research_kit import paths

    folder = Path(args.dir) if args.dir else paths.site_dir(args.root)
    if not (folder / "index.html").is_file():
        print(f"{folder / 'index.html'} not found: run `research-kit build` first", file=sys.stderr)
        return 2
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer((args.host, args.port), handler) as httpd:
        print(f"serving {folder} at http://{args.host}:{httpd.server_address[1]}/ (Ctrl-C stops)", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
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


def _cmd_targets(args: argparse.Namespace) -> int:
    if args.targets_command == "template":
        from research_kit.data.indicators import write_template

        print(f"wrote {write_template(args.out, period=args.period, root=args.root)}")
        return 0
    from research_kit.studies.targets import assess, changes, previous_report

    now = assess(as_of=args.as_of, root=args.root)
    prev = previous_report(now.history, now.as_of)
    changed = changes(now, assess(as_of=prev, history=now.history, root=args.root)) if prev else None
    print(f"wrote {now.to_excel(args.out, changed=changed)} (as of {now.as_of}; last filing {now.last_filed})")
    return 0


def _cmd_api_docs(args: argparse.Namespace) -> int:
    from research_kit.pipeline.api_docs import write_api_docs

    print(f"wrote {write_api_docs(args.root, force=args.force) / 'index.html'}")
    return 0


def _cmd_new_study(args: argparse.Namespace) -> int:
    from research_kit.pipeline.scaffold import new_study

    print(new_study(args.name, task=args.task, title_zh=args.title_zh, title_en=args.title_en, root=args.root))
    return 0


def _execution_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true", help="execute even variants whose inputs did not change")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (default: the cores)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="execute on this Dask distributed scheduler instead of local processes")
    p.add_argument("--shared-fs", action="store_true",
                   help="with --scheduler: workers see this project folder at the same path (checked); "
                        "default: ship notebooks and data to the workers")
    p.add_argument("--no-warm", action="store_true",
                   help="do not start kernels ahead / pre-import the notebooks' imports")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``research-kit`` (subcommands prepare, run, render, build, publish, ...)."""
    p = argparse.ArgumentParser(prog="research-kit", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default=None, help="project root (default: this checkout or $RESEARCH_KIT_ROOT)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="validate data/raw against data/catalog.yaml and write data/processed").set_defaults(
        func=_cmd_prepare)
    r = sub.add_parser("run", help="execute study notebook variants (in parallel, skipping unchanged ones)")
    r.add_argument("study", nargs="*", help="studies of studies.yaml (default: all)")
    r.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="run one custom variant with these parameters")
    r.add_argument("--name", help="variant name for a custom run (default: made from the parameters)")
    r.add_argument("--variant", action="append", help="run only these configured variants")
    _execution_options(r)
    r.set_defaults(func=_cmd_run)
    rd = sub.add_parser("render", help="render reports/papers into the static site reports/_site")
    rd.add_argument("--formats", default="html,docx,pdf", help="comma-separated: html,docx,pdf")
    rd.add_argument("--force", action="store_true", help="render even when nothing changed")
    rd.add_argument("--workers", type=int, default=None, help="processes rendering papers (default: the cores)")
    rd.set_defaults(func=_cmd_render)
    b = sub.add_parser("build", help="prepare + run every study + render (each step only for what changed)")
    b.add_argument("--formats", default="html,docx,pdf", help="comma-separated: html,docx,pdf")
    _execution_options(b)
    b.set_defaults(func=_cmd_build)
    pb = sub.add_parser("publish", help="copy reports/_site atomically to DIR/versions/<id>; DIR/current points at it")
    pb.add_argument("--to", required=True, metavar="DIR", help="publish folder; the web server serves DIR/current")
    pb.add_argument("--keep", type=int, default=5, help="versions kept for rollback (default 5)")
    pb.add_argument("--rollback", nargs="?", const=True, default=None, metavar="VERSION",
                    help="point DIR/current back at the previous version (or at VERSION)")
    pb.add_argument("--list", action="store_true", help="list the kept versions (* = current)")
    pb.set_defaults(func=_cmd_publish)
    sv = sub.add_parser("serve", help="serve the site on this machine (search needs HTTP, not file://)")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--dir", default=None, help="folder to serve (default: reports/_site)")
    sv.set_defaults(func=_cmd_serve)
    sm = sub.add_parser("simulate", help="regenerate the synthetic demo raw data")
    sm.add_argument("--out", default=None)
    sm.add_argument("--n", type=int, default=1200)
    sm.add_argument("--seed", type=int, default=20221230)
    sm.set_defaults(func=_cmd_simulate)
    sub.add_parser("manifest", help="record the sha256 of every raw file in data/raw/MANIFEST").set_defaults(
        func=_cmd_manifest)
    tg = sub.add_parser("targets", help="the pilot's targets: reporting template, assessment workbook")
    tsub = tg.add_subparsers(dest="targets_command", required=True)
    tt = tsub.add_parser("template", help="write the XLSX reporting template departments fill in")
    tt.add_argument("--out", required=True, metavar="FILE.xlsx")
    tt.add_argument("--period", default=None, metavar="YYYY-MM", help="reporting month prefilled in 报告期")
    ta = tsub.add_parser("assess", help="write the assessment (by unit, by county, milestones, changes) to XLSX")
    ta.add_argument("--out", required=True, metavar="FILE.xlsx")
    ta.add_argument("--as-of", default=None, metavar="YYYY-MM-DD", help="filing date (default: the latest filing)")
    tg.set_defaults(func=_cmd_targets)
    ad = sub.add_parser("api-docs", help="write the API reference (from the docstrings) to reports/_site/api/")
    ad.add_argument("--force", action="store_true", help="write it even when the source did not change")
    ad.set_defaults(func=_cmd_api_docs)
    ns = sub.add_parser("new-study", help="scaffold a new paper: notebook, studies/NAME package, studies.yaml "
                                          "entry (zh and en variants) and a test; overwrites nothing")
    ns.add_argument("name", help="study and package name: lower case, digits and '_' (e.g. demo_x)")
    ns.add_argument("--task", required=True, help="the plan's task number (1-24), or 目标")
    ns.add_argument("--title-zh", required=True, help="the paper's Chinese title")
    ns.add_argument("--title-en", required=True, help="the paper's English title")
    ns.set_defaults(func=_cmd_new_study)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``research-kit`` with ``argv`` (default: the command line); return the exit code."""
    args = build_parser().parse_args(argv)
    from research_kit.pipeline._fastimport import skip_iri_grammars

    skip_iri_grammars()  # nbformat's validator without 38 grammar compilations (1.5 s)
    try:
        return int(args.func(args))
    except (ValueError, FileNotFoundError, KeyError, RuntimeError) as exc:
        # Data validation, configuration, render, publish and disclosure errors are the user's to fix:
        # show the message (it names the file, column, row or page), not a traceback.
        print(f"research-kit {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
