"""Batch execution of study variants: plan (what the cache already has), execute in parallel, store.

:func:`run_studies` is what ``research-kit run`` and ``build`` call:

1. load ``studies.yaml`` (parameters validated against each notebook);
2. compute each variant's cache key (:mod:`research_kit.pipeline.hashing`) and
   skip the variants whose last successful run had the same key (``--force``
   runs them all);
3. execute the rest on a :class:`~research_kit.pipeline.pools.LocalPool` or a
   :class:`~research_kit.pipeline.pools.DaskPool`, longest first (by the
   duration of their last run);
4. store each result as it arrives (:func:`research_kit.pipeline.run.store_result`):
   a failure never replaces the last good paper.

Only one build or run of a project executes at a time (``reports/.build.lock``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

from research_kit import paths
from research_kit.pipeline._worker import Job, JobResult, KernelSpec, warm_imports_of
from research_kit.pipeline.hashing import (
    FileHasher,
    cache_dir,
    data_hash,
    package_version,
    sha256_bytes,
    source_tree_hash,
    variant_key,
)
from research_kit.pipeline.run import RunOutcome, read_state, store_result
from research_kit.pipeline.study_config import Study, Variant, load_studies
from research_kit.report.provenance import COMMIT_ENV, git_commit

if TYPE_CHECKING:  # pragma: no cover
    from research_kit.pipeline.render import SiteReport

__all__ = ["BuildReport", "BuildLockedError", "run_studies", "prepare_if_needed", "build_lock", "retire_unlisted"]


class BuildLockedError(RuntimeError):
    """Another build or run of this project is executing."""


@dataclass
class BuildReport:
    """Outcomes of a batch (one per variant), its wall time, and the site report when it rendered."""

    outcomes: list[RunOutcome] = field(default_factory=list)
    seconds: float = 0.0
    site: "SiteReport | None" = None
    prepared: bool | None = None

    @property
    def failed(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def cached(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if o.status == "cached"]

    @property
    def executed(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if o.status == "ok"]

    @property
    def any_failure(self) -> bool:
        """True when the report shows any failure: a variant, or a paper of the site that is failed or stale."""
        site_failed = bool(self.site is not None and (self.site.failed or self.site.stale))
        return bool(self.failed) or site_failed

    def summary(self) -> str:
        """A few lines: counts, wall time, the slowest variants, what failed and where to look."""
        lines = [f"{len(self.outcomes)} variant(s): {len(self.executed)} done, {len(self.cached)} cached, "
                 f"{len(self.failed)} failed in {self.seconds:.1f}s"]
        ran = sorted((o for o in self.outcomes if o.status != "cached"), key=lambda o: -o.seconds)
        if ran:
            lines.append("  durations: " + ", ".join(f"{o.study}/{o.variant} {o.seconds:.1f}s" for o in ran[:10])
                         + (" …" if len(ran) > 10 else ""))
        for o in self.failed:
            lines.append(f"  FAILED {o.study}/{o.variant}: {o.error.splitlines()[0][:200] if o.error else ''}")
            lines.append(f"         notebook {o.path}" + (f", log {o.log}" if o.log else ""))
        if self.site is not None:
            lines.append("  site: " + self.site.summary())
        return "\n".join(lines)


_HELD_LOCKS: dict[str, int] = {}  # lock file -> depth: a build holds the lock and calls run_studies, which takes it too


@contextlib.contextmanager
def build_lock(root: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Hold ``reports/.build.lock``; refuse a second concurrent build or run of the same project.

    Taken before anything is written (``build`` takes it before ``prepare``), so a refused
    build changes nothing. Re-entrant within one process.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    reports = paths.reports_dir(root)
    lock = reports / ".build.lock"
    key = str(lock.absolute())
    if _HELD_LOCKS.get(key):
        _HELD_LOCKS[key] += 1
        try:
            yield
        finally:
            _HELD_LOCKS[key] -= 1
        return
    reports.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as fh:  # "a": opening must not write anything either
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise BuildLockedError(f"another research-kit build or run is executing in {paths.project_root(root)} "
                                   f"(lock {lock}); wait for it to finish. Nothing was changed.") from exc
        _HELD_LOCKS[key] = 1
        try:
            yield
        finally:
            _HELD_LOCKS.pop(key, None)
            fcntl.flock(fh, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------- prepare

def _listing(folder: Path, hasher: FileHasher) -> list[list[object]]:
    """(relative path, sha256) of every file under ``folder``: contents, not sizes and times, decide."""
    if not folder.is_dir():
        return []
    return [[p.relative_to(folder).as_posix(), hasher(p)] for p in sorted(folder.rglob("*")) if p.is_file()]


def _prepare_key(root: str | os.PathLike[str] | None, hasher: FileHasher | None = None) -> str:
    catalog = paths.catalog_file(root)
    hasher = hasher or FileHasher()
    return sha256_bytes(json.dumps({
        "catalog": hashlib.sha256(catalog.read_bytes()).hexdigest() if catalog.is_file() else None,
        "raw": _listing(paths.raw_dir(root), hasher), "processed": _listing(paths.processed_dir(root), hasher),
        "research_kit": source_tree_hash()}))


def prepare_if_needed(root: str | os.PathLike[str] | None = None, *, force: bool = False) -> bool:
    """Run :func:`research_kit.data.prepare` unless nothing in ``data/`` (or research_kit) changed since the last one.

    Returns True when it ran. The check compares the catalog's hash and the names
    and sha256 of every file under ``data/raw`` and ``data/processed`` with those
    recorded after the last prepare (hashes are cached by size, times and inode, see
    :class:`~research_kit.pipeline.hashing.FileHasher`, so an unchanged tree costs a
    ``stat`` per file). Runs under the build lock.
    """
    if not paths.catalog_file(root).is_file():  # a project without a data catalog has nothing to prepare
        return False
    from research_kit import data

    with build_lock(root):
        state = cache_dir(root) / "prepare.json"
        hasher = FileHasher(cache_dir(root) / "filehash.json")
        try:
            if not force and state.is_file() and (paths.processed_dir(root) / "manifest.json").is_file():
                with contextlib.suppress(OSError, ValueError):
                    if json.loads(state.read_text(encoding="utf-8")).get("key") == _prepare_key(root, hasher):
                        return False
            data.prepare(root=root)
            state.parent.mkdir(parents=True, exist_ok=True)
            state.write_text(json.dumps({"key": _prepare_key(root, hasher)}), encoding="utf-8")
            return True
        finally:
            hasher.save()


# ---------------------------------------------------------------------------- run

@dataclass(frozen=True)
class _Planned:
    study: Study
    variant: Variant
    key: str
    notebook: str
    last_seconds: float | None


def _is_cached(study: Study, variant: Variant, key: str, root: str | os.PathLike[str] | None) -> RunOutcome | None:
    state = read_state(study.name, variant.name, root)
    if state.get("key") != key:
        return None
    folder = paths.papers_dir(root) / study.name
    paper, failed = folder / f"{variant.name}.ipynb", folder / f"{variant.name}.failed.ipynb"
    if failed.exists() or not paper.is_file():
        return None
    if hashlib.sha256(paper.read_bytes()).hexdigest() != state.get("paper_sha256"):
        return None  # the paper was edited or replaced since: run again
    return RunOutcome(study.name, variant.name, "cached", paper, 0.0)


def run_studies(names: Iterable[str] | None = None, *, root: str | os.PathLike[str] | None = None,
                selection: Sequence[tuple[Study, Variant]] | None = None, force: bool = False,
                workers: int | None = None, scheduler: str | object | None = None, shared_fs: bool = False,
                pool: object | None = None, warm: bool = True, kernel_name: str = "python3", timeout: int = 1800,
                on_plan: Callable[[int, int], None] | None = None,
                on_done: Callable[[RunOutcome], None] | None = None) -> BuildReport:
    """Execute the variants of the named studies (all when ``names`` is None), in parallel, skipping unchanged ones.

    Parameters
    ----------
    names
        Studies of ``studies.yaml`` to run (all by default).
    root
        Project root.
    selection
        Run exactly these (study, variant) pairs instead (e.g. a custom ``-p`` variant).
    force
        Execute even variants whose cache key is unchanged.
    workers
        Size of the local pool (default: the cores this process may use).
    scheduler
        A Dask scheduler address (``tcp://host:port``) or a ``distributed.Client``: run there instead.
    shared_fs
        With ``scheduler``: the workers see this project folder at the same path (no data shipping).
    pool
        A :class:`~research_kit.pipeline.pools.LocalPool` or ``DaskPool`` to use (``build`` shares one with the renderer).
    warm
        Start kernels ahead and pre-import the notebooks' top-level imports in them.
    on_plan, on_done
        Called with (number of variants, number to execute) once planned, and with each
        :class:`RunOutcome` (cached ones first) as it is stored.

    Returns
    -------
    BuildReport
        ``failed`` lists the variants that failed; their last good papers were kept.

    Examples
    --------
    >>> report = run_studies(["fx_loans"], workers=2)      # doctest: +SKIP
    >>> print(report.summary())                             # doctest: +SKIP
    """
    from research_kit.pipeline.pools import DaskPool, LocalPool

    start = time.perf_counter()
    project = paths.project_root(root)
    if selection is None:
        studies = load_studies(project)
        wanted = list(names) if names else list(studies)
        unknown = [n for n in wanted if n not in studies]
        if unknown:
            raise KeyError(f"unknown study {unknown}; studies.yaml lists {sorted(studies)}.")
        selection = [(studies[n], v) for n in wanted for v in studies[n].variants]
    report = BuildReport()
    with build_lock(project):
        from research_kit.pipeline._lifeline import clean_stale_tempdirs

        clean_stale_tempdirs()  # what killed runs left in the temporary folder
        hasher = FileHasher(cache_dir(project) / "filehash.json")
        data, source, version = data_hash(project, hasher=hasher), source_tree_hash(), package_version()
        hasher.save()
        planned: list[_Planned] = []
        texts: dict[Path, bytes] = {}
        for study, variant in selection:
            raw = texts.setdefault(study.notebook, Path(study.notebook).read_bytes())
            key = variant_key(notebook_sha=hashlib.sha256(raw).hexdigest(), parameters=variant.parameters,
                              task=study.task, data=data, source=source, version=version, kernel_name=kernel_name)
            cached = None if force else _is_cached(study, variant, key, project)
            if cached is not None:
                report.outcomes.append(cached)
            else:
                last = read_state(study.name, variant.name, project).get("seconds")
                planned.append(_Planned(study, variant, key, raw.decode("utf-8"),
                                        float(last) if isinstance(last, (int, float)) else None))
        if on_plan:
            on_plan(len(selection), len(planned))
        if on_done:
            for o in report.outcomes:
                on_done(o)
        if planned:
            # longest first (unknown durations count as longest) so the last worker does not finish alone
            planned.sort(key=lambda p: -(p.last_seconds if p.last_seconds is not None else float("inf")))
            imports = warm_imports_of(sorted({p.notebook for p in planned})) if warm else ()
            spec = KernelSpec(kernel_name, str(project), ((paths.ENV_VAR, str(project)), (COMMIT_ENV, git_commit(project)),
                                                          *_blas_threads()), imports)
            own = pool is None
            if own:
                pool = (DaskPool(scheduler, root=project, shared_fs=shared_fs) if scheduler is not None
                        else LocalPool(min(workers or _cores(), len(planned)), kernel=spec))
            elif isinstance(pool, LocalPool) and pool.kernel is None:
                pool.kernel = spec  # the pool starts its processes on first use, with a kernel ahead each
            n_workers = int(getattr(pool, "workers", 1))
            jobs = [Job(p.study.name, p.variant.name, dict(p.variant.parameters), p.notebook, str(p.study.notebook),
                        p.key, spec, root=str(project), timeout=timeout, prewarm=warm and i < len(planned) - n_workers)
                    for i, p in enumerate(planned)]
            by_name = {(p.study.name, p.variant.name): p for p in planned}

            def on_result(result: JobResult) -> None:
                p = by_name[(result.study, result.variant)]
                outcome = store_result(p.study, p.variant, result, key=p.key, root=project)
                report.outcomes.append(outcome)
                if on_done:
                    on_done(outcome)

            try:
                pool.run(jobs, on_result)  # type: ignore[union-attr]
            finally:
                if own:
                    (pool.close if isinstance(pool, DaskPool) else pool.shutdown)()  # type: ignore[union-attr]
    order = {(s.name, v.name): i for i, (s, v) in enumerate(selection)}
    report.outcomes.sort(key=lambda o: order.get((o.study, o.variant), 0))
    report.seconds = time.perf_counter() - start
    return report


def retire_unlisted(root: str | os.PathLike[str] | None = None, studies: dict[str, Study] | None = None) -> list[Path]:
    """Move papers that ``studies.yaml`` no longer asks for out of ``reports/papers`` (into ``reports/archive``).

    * a study no longer listed: its whole folder (its last papers stay in the archive);
    * a variant no longer listed, or a custom ``run -p`` variant: its paper and its
      ``.failed.ipynb``.

    The site is rendered from ``reports/papers``, so what is moved leaves the site: after
    ``build`` it shows exactly the studies and variants of ``studies.yaml``. Returns the
    archived paths. ``build`` calls it under the build lock.
    """
    project = paths.project_root(root)
    listed = studies if studies is not None else load_studies(project)
    papers, archive = paths.papers_dir(project), paths.reports_dir(project) / "archive"
    if not papers.is_dir():
        return []
    moved: list[Path] = []
    stamp = time.strftime("%Y%m%dT%H%M%S")

    def move(src: Path, rel: str) -> None:
        dest = archive / rel
        if dest.exists():
            dest = dest.with_name(f"{dest.name}.{stamp}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
        moved.append(dest)

    for folder in sorted(p for p in papers.iterdir() if p.is_dir() and not p.name.startswith(".")):
        study = listed.get(folder.name)
        if study is None:
            move(folder, folder.name)
            continue
        names = {v.name for v in study.variants}
        for nb in sorted(folder.glob("*.ipynb")):
            variant = nb.name[: -len(".failed.ipynb")] if nb.name.endswith(".failed.ipynb") else nb.stem
            if variant not in names and not nb.name.startswith("."):
                move(nb, f"{folder.name}/{nb.name}")
    return moved


#: Thread-count variables of the numerical libraries; kernels get 1 unless this process sets them.
BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _blas_threads() -> tuple[tuple[str, str], ...]:
    """One BLAS/OpenMP thread per kernel: the pool runs one kernel per core already, and idle OpenBLAS threads
    spin. Measured on the 10 FX-loans variants on 2 cores: 36 s → 22 s wall, 49 s → 32 s CPU. Single-threaded
    BLAS is also deterministic. Set the variables in the environment to override."""
    return tuple((k, os.environ.get(k, "1")) for k in BLAS_THREAD_VARIABLES)


def _cores() -> int:
    from research_kit.pipeline.pools import default_workers

    return default_workers()
