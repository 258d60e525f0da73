"""The flow of a paper: prepare → run (papermill, in parallel) → render (Pandoc; Quarto when present) → publish.

``build`` is the project's main job: prepare the data (when it changed),
execute every variant in ``studies.yaml`` whose inputs changed (in parallel, on
local worker processes or a Dask cluster), render the site (papers whose
executed notebook changed), and build its search index.

Examples
--------
>>> from research_kit import pipeline
>>> report = pipeline.build()                      # doctest: +SKIP
>>> print(report.summary())                        # doctest: +SKIP
10 variant(s): 0 done, 10 cached, 0 failed in 1.2s
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait

from research_kit.pipeline.batch import BuildLockedError, BuildReport, build_lock, prepare_if_needed, run_studies
from research_kit.pipeline.pools import DaskPool, LocalPool, WorkerMismatchError, default_workers
from research_kit.pipeline.publish import PublishedVersion, PublishError, publish, published_versions, rollback
from research_kit.pipeline.render import DEFAULT_FORMATS, SiteReport, prefetch_paper, render_site, site_is_current
from research_kit.pipeline.run import RunOutcome, finalize_notebook, run_variant, store_result
from research_kit.pipeline.study_config import (
    ParameterError,
    Study,
    Variant,
    load_studies,
    notebook_parameters,
    parse_cli_value,
    study_parameters,
    validate_parameters,
)

__all__ = [
    "BuildLockedError", "BuildReport", "DEFAULT_FORMATS", "DaskPool", "LocalPool", "ParameterError", "PublishError",
    "PublishedVersion", "RunOutcome", "SiteReport", "Study", "Variant", "WorkerMismatchError", "build", "build_lock",
    "default_workers", "finalize_notebook", "load_studies", "notebook_parameters", "parse_cli_value",
    "prefetch_paper", "prepare_if_needed", "publish", "published_versions", "render_site", "rollback", "run_studies", "run_variant",
    "site_is_current", "store_result", "study_parameters", "validate_parameters",
]


def build(*, root: str | os.PathLike[str] | None = None, force: bool = False, workers: int | None = None,
          scheduler: str | object | None = None, shared_fs: bool = False,
          formats: Sequence[str] = DEFAULT_FORMATS, warm: bool = True,
          on_plan: Callable[[int, int], None] | None = None,
          on_done: Callable[[RunOutcome], None] | None = None) -> BuildReport:
    """Prepare (if the data changed) + run every configured variant (if its inputs changed) + render.

    Parameters are those of :func:`run_studies`; ``force`` also re-runs
    ``prepare`` and re-renders the site. Papers render on the same local pool
    that executed them (or a local pool next to a Dask cluster).

    Returns
    -------
    BuildReport
        ``report.failed`` lists failed variants (their last good papers stay
        published); ``report.site`` is the render's :class:`SiteReport`.
    """
    with build_lock(root):  # before anything is written: a refused build changes nothing
        return _build(root=root, force=force, workers=workers, scheduler=scheduler, shared_fs=shared_fs,
                      formats=formats, warm=warm, on_plan=on_plan, on_done=on_done)


def _build(*, root: str | os.PathLike[str] | None, force: bool, workers: int | None, scheduler: str | object | None,
           shared_fs: bool, formats: Sequence[str], warm: bool, on_plan: Callable[[int, int], None] | None,
           on_done: Callable[[RunOutcome], None] | None) -> BuildReport:
    from research_kit.pipeline.batch import retire_unlisted

    start = time.perf_counter()
    prepared = prepare_if_needed(root, force=force)
    from research_kit import paths

    local = LocalPool(workers)
    dask = DaskPool(scheduler, root=paths.project_root(root), shared_fs=shared_fs) if scheduler is not None else None
    prefetched: list[Future[str]] = []

    def done(outcome: RunOutcome) -> None:
        if outcome.status == "ok":  # render it while the other variants still run
            prefetched.append(prefetch_paper(root, outcome.study, outcome.variant, local, formats=formats))  # type: ignore[arg-type]
        if on_done:
            on_done(outcome)

    try:
        report = run_studies(root=root, force=force, pool=dask or local, warm=warm, on_plan=on_plan, on_done=done)
        wait(prefetched)  # errors, if any, are raised again by render_site
        retire_unlisted(root)  # studies and variants no longer in studies.yaml leave the site
        ids = (lambda: _identifier_values(root)) if paths.catalog_file(root).is_file() else None
        report.site = render_site(root, formats=formats, identifiers=ids, executor=local,  # type: ignore[arg-type]
                                  force=force)
    finally:
        local.shutdown()
        if dask is not None:
            dask.close()
    report.prepared = prepared
    report.seconds = time.perf_counter() - start
    return report


def _identifier_values(root: str | os.PathLike[str] | None) -> set[str]:
    """The data's unit identifiers, read only when a page is rendered (``research_kit.data`` loads pandas)."""
    from research_kit import data

    return data.identifier_values(root)
