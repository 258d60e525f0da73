"""Where variants execute: a local process pool (default) or a Dask distributed cluster.

Both run :func:`research_kit.pipeline._worker.execute_job` and hand every
result to a callback in the calling thread; every job gets exactly one result
(``"ok"`` or ``"failed"``), so nothing goes missing silently.

* :class:`LocalPool` — ``workers`` processes (default: the cores this process
  may use), started with ``spawn``; each imports papermill once and keeps one
  kernel started ahead (see :mod:`research_kit.pipeline._worker`). If a worker
  process dies (killed, out of memory), the jobs that were in the pool run again
  one at a time, so the one that kills its worker is found; it gets up to three
  attempts and is then reported failed. Workers die with the process that
  started them (``PR_SET_PDEATHSIG``, see :mod:`research_kit.pipeline._lifeline`),
  and so do their kernels. The pool is also a
  :class:`concurrent.futures.Executor` (the renderer uses it for papers).
* :class:`DaskPool` — a ``distributed.Client`` on a scheduler address. Workers
  need the same Python environment (the same ``research_kit`` source tree,
  checked before any work is sent) but **no shared file system**: notebooks
  travel inside the jobs, the data as a bundle that a worker plugin unpacks on
  every worker (also on workers started or restarted later), and executed
  notebooks come back as results. With ``shared_fs=True`` the workers
  read the project folder at the client's path instead; each job checks that
  the data hash it sees there equals the client's. When a worker dies mid-run
  the scheduler gives its task to another worker (up to its
  ``distributed.scheduler.allowed-failures`` setting, default 3); after that the
  variant is reported failed (``KilledWorker``).
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Sequence

from research_kit.pipeline._worker import Job, JobResult, KernelSpec, execute_job, init_local_worker

__all__ = ["LocalPool", "DaskPool", "default_workers", "WorkerMismatchError"]

MAX_LOCAL_ATTEMPTS = 3


class WorkerMismatchError(RuntimeError):
    """A Dask worker runs another research_kit (source tree) or Python than the client."""


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _failed(job: Job, message: str, worker: str) -> JobResult:
    log = (f"research-kit: {job.study}/{job.variant} (attempt {job.attempt})\nnotebook: {job.notebook_path}\n"
           f"worker: {worker}\n\n--- error ---\n{message}\n")
    return JobResult(job.study, job.variant, "failed", None, message, 0.0, log, worker, attempt=job.attempt)


class LocalPool(Executor):
    """A pool of local worker processes (created on first use)."""

    def __init__(self, workers: int | None = None, *, kernel: KernelSpec | None = None) -> None:
        self.workers = workers or default_workers()
        self.kernel = kernel
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"),
                                             initializer=init_local_worker, initargs=(self.kernel, os.getpid()))
        return self._pool

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:  # type: ignore[override]
        return self._executor().submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
            self._pool = None

    def run(self, jobs: Sequence[Job], on_result: Callable[[JobResult], None]) -> None:
        """Execute ``jobs`` (in the given order of priority); call ``on_result`` once per job.

        A worker process that dies breaks the whole process pool, so the jobs that were
        in it cannot tell who caused it. They run again one at a time, each alone in a
        fresh single-process pool: only the job that kills its worker is charged an
        attempt, and after ``MAX_LOCAL_ATTEMPTS`` it is reported failed.
        """
        futures = {self.submit(execute_job, job): job for job in jobs}
        suspects: list[Job] = []
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                result = fut.result()
            except BrokenProcessPool:
                suspects.append(job)
                continue
            except Exception as exc:  # e.g. the kernel could not start
                result = _failed(job, f"{type(exc).__name__}: {exc}", "local pool")
            on_result(result)
        if not suspects:
            return
        self.shutdown(wait=False, cancel_futures=True)
        order = {id(j): i for i, j in enumerate(jobs)}
        for job in sorted(suspects, key=lambda j: order.get(id(j), 0)):
            on_result(self._run_alone(replace(job, attempt=job.attempt + 1)))

    def _run_alone(self, job: Job) -> JobResult:
        while True:
            alone = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"),
                                        initializer=init_local_worker, initargs=(None, os.getpid()))
            try:
                return alone.submit(execute_job, replace(job, prewarm=False)).result()
            except BrokenProcessPool:
                if job.attempt >= MAX_LOCAL_ATTEMPTS:
                    return _failed(job, f"the worker process died {job.attempt} times while running this variant "
                                        "(killed, or out of memory); it ran alone the last times, so this "
                                        "variant is the cause", "local pool")
                job = replace(job, attempt=job.attempt + 1)
            except Exception as exc:
                return _failed(job, f"{type(exc).__name__}: {exc}", "local pool")
            finally:
                alone.shutdown(wait=False, cancel_futures=True)


class DaskPool:
    """Jobs on a Dask distributed cluster (``tcp://host:port``)."""

    def __init__(self, address: str | Any, *, root: str | os.PathLike[str], shared_fs: bool = False,
                 timeout: float = 30) -> None:
        from distributed import Client

        self.root = Path(root)
        self.shared_fs = shared_fs
        self.client = address if isinstance(address, Client) else Client(address, timeout=timeout,
                                                                          set_as_default=False)
        self._owns_client = not isinstance(address, Client)
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.check_workers()

    def check_workers(self) -> dict[str, dict[str, str]]:
        """Refuse workers whose research_kit source tree or Python differs from this process's."""
        from research_kit.pipeline._worker import worker_facts

        mine = worker_facts()
        facts: dict[str, dict[str, str]] = self.client.run(worker_facts)
        if not facts:
            raise WorkerMismatchError(f"the Dask cluster at {self.client.scheduler.address} has no workers.")
        bad = [f"{addr} ({f['host']}): research_kit {f['research_kit']} source {f['source'][:12]}, "
               f"Python {f['python']}" for addr, f in facts.items()
               if (f["source"], f["python"]) != (mine["source"], mine["python"])]
        if bad:
            raise WorkerMismatchError(
                f"these Dask workers run another research_kit or Python than this machine (research_kit "
                f"{mine['research_kit']} source {mine['source'][:12]}, Python {mine['python']}): {'; '.join(bad)}. "
                "Install the same checkout on the workers (pip install -e .) and restart them.")
        return facts

    def run(self, jobs: Sequence[Job], on_result: Callable[[JobResult], None]) -> None:
        """Execute ``jobs`` on the cluster; call ``on_result`` once per job, as they finish."""
        import uuid

        from distributed import as_completed as dask_completed

        if not jobs:
            return
        if self.shared_fs:
            from research_kit.pipeline.hashing import FileHasher, data_hash

            expected = data_hash(self.root, hasher=FileHasher())
            jobs = [replace(j, root=str(self.root), expected_data=expected) for j in jobs]
        else:
            from research_kit.pipeline._dask_plugin import BundlePlugin
            from research_kit.pipeline._worker import make_bundle

            blob, digest = make_bundle(self.root)
            plugin = BundlePlugin(blob, digest)
            self.client.register_plugin(plugin, name=plugin.name)  # also set up on workers restarted later
            jobs = [replace(j, root=None, bundle_digest=digest) for j in jobs]
        futures = {}
        for i, job in enumerate(jobs):
            fut = self.client.submit(execute_job, job, key=f"research-kit-{job.study}-{job.variant}-"
                                     f"{uuid.uuid4().hex[:8]}", pure=False, priority=len(jobs) - i)
            futures[fut.key] = (fut, job)
        try:
            self._collect(futures, on_result)
        finally:
            if not self.shared_fs:
                import contextlib

                with contextlib.suppress(Exception):
                    self.client.unregister_worker_plugin(plugin.name)

    def _collect(self, futures: dict[str, tuple[Any, Job]], on_result: Callable[[JobResult], None]) -> None:
        from distributed import as_completed as dask_completed

        seen: set[str] = set()
        for fut in dask_completed([f for f, _ in futures.values()], loop=self.client.loop):
            _, job = futures[fut.key]
            seen.add(fut.key)
            try:
                result = fut.result()
            except Exception as exc:
                name = type(exc).__name__
                if name == "KilledWorker":
                    message = ("KilledWorker: the Dask worker running this variant died, and so did the workers it "
                               "was retried on (the scheduler's distributed.scheduler.allowed-failures limit); "
                               f"the notebook may crash its process or exhaust memory. {exc}")
                else:
                    message = f"{name}: {exc}"
                on_result(_failed(job, message, "dask"))
            else:
                on_result(result)
            fut.release()
        for key, (_, job) in futures.items():  # defensive: every job reports
            if key not in seen:  # pragma: no cover - as_completed yields every future
                on_result(_failed(job, "no result came back from the Dask cluster", "dask"))

    def close(self) -> None:
        if self._owns_client:
            self.client.close()
