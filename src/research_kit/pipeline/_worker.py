"""What a worker process does: execute one notebook variant and hand back the executed notebook.

The same function, :func:`execute_job`, runs in a process of the local pool and
on a Dask worker. It writes nothing under ``reports/``: it returns the executed
notebook (JSON text), its log and its status, and the parent process stores
them (so a worker needs no access to the checkout).

Worker model
------------
* A worker process imports papermill, nbclient and jupyter_client once and
  serves many notebooks.
* Every notebook gets a **fresh kernel**; a kernel never runs two notebooks, so
  no state leaks from one paper into the next.
* To hide the kernel's start-up (about 0.6 s) and the imports of the scientific
  stack (about 2.5 s for pandas, statsmodels, matplotlib and research_kit),
  the worker starts the *next* kernel ahead of time, while the current notebook
  runs, and has it import the modules the batch's notebooks import at top
  level (``warm_imports``; silently, without history, in the kernel's own
  namespace-free way: ``importlib.import_module``). Importing is the first thing
  those notebooks do anyway, so the kernel is in the state a fresh kernel
  reaches after the import cell. A notebook that must set something before
  importing (an environment variable read at import time) should not be
  pre-warmed: pass ``warm_imports=()``.
* Kernels talk over IPC sockets in a private temporary folder (no TCP port
  races when many kernels start at once) and keep their IPython history in
  memory (no SQLite lock contention). A kernel whose worker dies exits by
  itself (``JPY_PARENT_PID``).

On a Dask worker without the checkout, the project's data arrives as a
*bundle* (a tar of ``data/catalog.yaml``, the raw files named by the processed
manifest and ``data/processed``), unpacked once per worker host into
``$TMPDIR/research-kit-bundles/<sha256>``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import json
import os
import re
import socket
import tarfile
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["KernelSpec", "Job", "JobResult", "execute_job", "init_local_worker", "worker_facts", "make_bundle",
           "materialize_bundle", "shutdown_spare_kernels", "failure_notebook", "warm_imports_of"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class KernelSpec:
    """How a kernel is started: kernel name, working folder, extra environment, modules imported ahead."""

    kernel_name: str = "python3"
    cwd: str = ""
    env: tuple[tuple[str, str], ...] = ()
    warm_imports: tuple[str, ...] = ()


@dataclass(frozen=True)
class Job:
    """One variant to execute. ``root`` is the project folder as the worker sees it; ``None`` with a bundle."""

    study: str
    variant: str
    parameters: Mapping[str, Any]
    notebook: str  # the notebook's JSON text
    notebook_path: str  # for messages and the log
    key: str
    kernel: KernelSpec
    root: str | None = None
    bundle_digest: str = ""
    timeout: int = 1800
    prewarm: bool = True
    attempt: int = 1
    expected_data: str = ""  # with a shared folder: the data hash the client saw (checked on the worker)


@dataclass(frozen=True)
class JobResult:
    """What came back from a worker."""

    study: str
    variant: str
    status: str  # "ok" | "failed"
    notebook: str | None  # executed notebook JSON (also for failures, when one exists)
    error: str
    seconds: float
    log: str
    worker: str
    kernel_wait: float = 0.0
    warm: bool = False
    attempt: int = 1
    cells: tuple[tuple[int, float], ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------- kernels

class _Slot:
    """A started kernel: its manager, the file that receives its stdout/stderr, and the warm-up client."""

    def __init__(self, km: Any, spec: KernelSpec, output: Path, client: Any, started: float) -> None:
        self.km, self.spec, self.output, self.client, self.started = km, spec, output, client, started

    def take_output(self) -> str:
        with contextlib.suppress(OSError):
            return self.output.read_text(encoding="utf-8", errors="replace")
        return ""

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.stop_channels()
            self.client = None
        with contextlib.suppress(Exception):
            run_sync(self.km.shutdown_kernel)(now=True)
        with contextlib.suppress(OSError):
            self.output.unlink()


class WarmKernels:
    """Per-process source of fresh kernels, keeping one started ahead of time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spare: _Slot | None = None
        from research_kit.pipeline._lifeline import private_tempdir

        self._dir = private_tempdir("rk-kernels-")  # removed at exit, or by the next run when this process was killed

    def start(self, spec: KernelSpec) -> _Slot:
        """Start a fresh kernel (returns at once; the kernel boots and imports in its own process)."""
        from jupyter_client.blocking import BlockingKernelClient
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        name = f"k-{uuid.uuid4().hex[:10]}"
        km = AsyncKernelManager(kernel_name=spec.kernel_name, transport="ipc",
                                connection_file=str(self._dir / f"{name}.json"))
        out = self._dir / f"{name}.out"
        env = {**os.environ, **dict(spec.env), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        from research_kit.pipeline._kernel_hooks import EXTENSION
        from research_kit.pipeline._lifeline import popen_kwargs

        with open(out, "wb") as fh:  # the kernel dies with this worker; it records the text drawn in figures
            run_sync(km.start_kernel)(cwd=spec.cwd or None, env=env, stdout=fh, stderr=fh, **popen_kwargs(),
                                      extra_arguments=["--HistoryManager.hist_file=:memory:",
                                                       f"--IPKernelApp.extensions={EXTENSION}"])
        client = None
        if spec.warm_imports:
            client = BlockingKernelClient(**km.get_connection_info(session=True))
            client.start_channels(hb=False)
            code = ("import importlib as _rk_il\n"
                    f"for _rk_m in {list(spec.warm_imports)!r}:\n"
                    "    try:\n        _rk_il.import_module(_rk_m)\n    except Exception:\n        pass\n"
                    "del _rk_il, _rk_m\n")
            client.execute(code, silent=True, store_history=False, allow_stdin=False)
        return _Slot(km, spec, out, client, time.perf_counter())

    def take(self, spec: KernelSpec) -> tuple[_Slot, bool]:
        """A fresh kernel for ``spec``: the spare one if it matches (True) or a new one (False)."""
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            alive = True
            with contextlib.suppress(Exception):
                from jupyter_core.utils import run_sync

                alive = bool(run_sync(spare.km.is_alive)())
            if spare.spec == spec and alive:
                return spare, True
            spare.close()
        return self.start(spec), False

    def prewarm(self, spec: KernelSpec) -> None:
        """Start the next kernel now unless one is already waiting."""
        with self._lock:
            if self._spare is not None:
                return
        slot = self.start(spec)
        with self._lock:
            if self._spare is None:
                self._spare = slot
                return
        slot.close()

    def shutdown(self) -> None:
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.close()
        import shutil

        shutil.rmtree(self._dir, ignore_errors=True)

    def scratch(self) -> Path:
        """A fresh folder for one run's files, inside this process's own temporary folder."""
        self._dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="rk-run-", dir=self._dir))


_KERNELS: WarmKernels | None = None
_KERNELS_LOCK = threading.Lock()


def _kernels() -> WarmKernels:
    global _KERNELS
    with _KERNELS_LOCK:
        if _KERNELS is None:
            _KERNELS = WarmKernels()
            import atexit
            from multiprocessing import util

            atexit.register(shutdown_spare_kernels)
            # multiprocessing children leave through os._exit: atexit does not run there, Finalize does.
            util.Finalize(None, shutdown_spare_kernels, exitpriority=100)
        return _KERNELS


def shutdown_spare_kernels() -> None:
    """Stop the kernel this process started ahead of time, if any."""
    if _KERNELS is not None:
        _KERNELS.shutdown()


def init_local_worker(spec: KernelSpec | None, parent: int | None = None) -> None:
    """Initializer of a local pool process: start a kernel ahead, then import papermill while it boots.

    ``parent``: the PID of the process that started the pool; this worker dies with it.
    """
    from research_kit.pipeline._lifeline import die_with_parent

    die_with_parent(parent)
    from research_kit.pipeline._fastimport import skip_iri_grammars

    skip_iri_grammars()
    if spec is not None:
        _kernels().prewarm(spec)
    import nbclient  # noqa: F401
    import papermill  # noqa: F401


# ---------------------------------------------------------------------------- bundles (Dask without shared files)

def make_bundle(root: str | os.PathLike[str]) -> tuple[bytes, str]:
    """Tar (gzip) of what notebooks read from the project: catalog, named raw files, processed data."""
    from research_kit import paths

    project = paths.project_root(root)
    names: set[str] = set()
    for f in ("data/catalog.yaml", "data/raw/MANIFEST"):
        if (project / f).is_file():
            names.add(f)
    processed = paths.processed_dir(project)
    if processed.is_dir():
        names.update(p.relative_to(project).as_posix() for p in processed.iterdir() if p.is_file())
        manifest = processed / "manifest.json"
        if manifest.is_file():
            data = json.loads(manifest.read_text(encoding="utf-8"))
            for entry in (data.get("datasets") or {}).values():
                for item in entry.get("inputs", []) or []:
                    if (project / item["path"]).is_file():
                        names.add(item["path"])
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        for rel in sorted(names):
            info = tar.gettarinfo(str(project / rel), arcname=rel)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            with open(project / rel, "rb") as fh:
                tar.addfile(info, fh)
    blob = buf.getvalue()
    import hashlib

    return blob, hashlib.sha256(blob).hexdigest()


def _bundle_dir(digest: str) -> Path:
    return Path(tempfile.gettempdir()) / "research-kit-bundles" / digest


def materialize_bundle(bundle: bytes, digest: str) -> Path:
    """Unpack a bundle once per host (content-addressed); return the project folder it makes."""
    import hashlib

    target = _bundle_dir(digest)
    base = target.parent
    if (target / ".complete").is_file():
        return target
    if hashlib.sha256(bundle).hexdigest() != digest:
        raise RuntimeError(f"data bundle {digest[:12]} arrived corrupted (sha256 differs); run again.")
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{digest[:12]}-", dir=base))
    with tarfile.open(fileobj=io.BytesIO(bundle), mode="r:gz") as tar:
        tar.extractall(tmp, filter="data")
    (tmp / "notebooks").mkdir(exist_ok=True)
    (tmp / ".complete").write_text(digest, encoding="utf-8")
    try:
        os.rename(tmp, target)
    except OSError:  # another task of this host won the race: use its copy
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return target


def worker_facts() -> dict[str, str]:
    """What the client checks on every Dask worker before sending work."""
    import platform

    from research_kit.pipeline.hashing import package_version, source_tree_hash

    try:
        from importlib.metadata import version

        pm = version("papermill")
    except Exception:  # pragma: no cover
        pm = "missing"
    return {"host": socket.gethostname(), "python": platform.python_version(), "research_kit": package_version(),
            "source": source_tree_hash(), "papermill": pm}


# ---------------------------------------------------------------------------- one job

def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _cell_log(nb: Any) -> tuple[list[str], list[tuple[int, float]]]:
    lines: list[str] = []
    times: list[tuple[int, float]] = []
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        pm_meta = cell.get("metadata", {}).get("papermill", {})
        duration = pm_meta.get("duration")
        if isinstance(duration, (int, float)):
            times.append((i, float(duration)))
        outs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                outs.append(f"  [{out.get('name')}] " + str(out.get("text", "")).rstrip().replace("\n", "\n  "))
            elif out.get("output_type") == "error":
                tb = "\n".join(_ANSI.sub("", str(t)) for t in out.get("traceback", []))
                outs.append("  [error]\n  " + tb.replace("\n", "\n  "))
        if outs or duration is not None:
            head = f"cell {i}" + (f"  {duration:.2f}s" if isinstance(duration, (int, float)) else "  (not run)")
            lines.append(head)
            lines.extend(outs)
    return lines, times


def failure_notebook(source: str, message: str) -> Any:
    """The input notebook with an error cell, when the kernel died before papermill could save anything."""
    import nbformat

    nb = nbformat.reads(source, as_version=4)
    cell = nbformat.v4.new_code_cell("# research-kit: execution stopped")
    cell.outputs = [nbformat.v4.new_output("error", ename="ExecutionStopped", evalue=message, traceback=[message])]
    nb.cells.append(cell)
    return nb


def execute_job(job: Job, bundle: bytes | None = None) -> JobResult:
    """Execute one variant in a fresh kernel; never raises for a failing notebook (status ``"failed"``)."""
    import nbformat
    import papermill as pm

    start = time.perf_counter()
    who = f"{socket.gethostname()} pid {os.getpid()}"
    header = [f"research-kit: {job.study}/{job.variant} (attempt {job.attempt})",
              f"notebook: {job.notebook_path}", f"parameters: {json.dumps(dict(job.parameters), ensure_ascii=False)}",
              f"cache key: {job.key}", f"worker: {who}", f"started: {_now()}"]
    spec = job.kernel
    if job.expected_data and job.root:
        from research_kit.pipeline.hashing import FileHasher, data_hash

        seen = data_hash(job.root, hasher=FileHasher())
        if seen != job.expected_data:
            error = (f"worker {who} sees other input data under {job.root} than the client (data hash "
                     f"{seen[:12]} instead of {job.expected_data[:12]}): the folder is not shared, or not in sync. "
                     "Let research-kit ship the data to the workers (the default without --shared-fs).")
            return JobResult(job.study, job.variant, "failed", None, error, time.perf_counter() - start,
                             "\n".join([*header, error]) + "\n", who, attempt=job.attempt)
    if job.bundle_digest:
        project = materialize_bundle(bundle, job.bundle_digest) if bundle is not None else _bundle_dir(job.bundle_digest)
        if not (project / ".complete").is_file():
            error = (f"worker {who} has no copy of the data bundle {job.bundle_digest[:12]} (its plugin did not "
                     "run there); run again, or check the worker's log")
            return JobResult(job.study, job.variant, "failed", None, error, time.perf_counter() - start,
                             "\n".join([*header, error]) + "\n", who, attempt=job.attempt)
        spec = KernelSpec(spec.kernel_name, str(project), tuple((k, str(project) if k == "RESEARCH_KIT_ROOT" else v)
                                                                for k, v in spec.env), spec.warm_imports)
        header.append(f"data bundle: {job.bundle_digest[:12]} unpacked in {project}")
    kernels = _kernels()
    slot, warm = kernels.take(spec)
    kernel_wait = time.perf_counter() - start
    header.append(f"kernel: {spec.kernel_name} ({'started ahead' if warm else 'started now'}), "
                  f"ready to run after {kernel_wait:.2f}s")
    if job.prewarm:
        with contextlib.suppress(Exception):
            kernels.prewarm(spec)
    if slot.client is not None:  # the warm-up client is not needed any more
        with contextlib.suppress(Exception):
            slot.client.stop_channels()
        slot.client = None
    out_dir = kernels.scratch()
    out_path = out_dir / f"{job.variant}.ipynb"
    error = ""
    nb: Any = None
    try:
        nb_in = nbformat.reads(job.notebook, as_version=4)
        pm.execute_notebook(
            nb_in, str(out_path), parameters=dict(job.parameters), kernel_name=spec.kernel_name, km=slot.km,
            progress_bar=False, log_output=False, report_mode=False, execution_timeout=job.timeout,
            start_timeout=180, request_save_on_cell_execute=True,
        )
    except Exception as exc:  # PapermillExecutionError, DeadKernelError, timeouts: contained per variant
        error = f"{type(exc).__name__}: {_ANSI.sub('', str(exc)).strip()}"
    finally:
        kernel_output = slot.take_output()
        slot.close()
    if out_path.is_file():
        with contextlib.suppress(Exception):
            nb = nbformat.read(out_path, as_version=4)
    if error and nb is not None:
        from research_kit.pipeline._markdown import notebook_error

        raised = notebook_error(nb)
        if raised is not None:  # "ValueError: boom" says more than papermill's multi-line banner
            error = f"{raised} (papermill: {error.splitlines()[0]})"
        else:  # e.g. the kernel died: make the failure visible in the notebook
            cell = nbformat.v4.new_code_cell("# research-kit: execution stopped")
            cell.outputs = [nbformat.v4.new_output("error", ename="ExecutionStopped", evalue=error[:500],
                                                   traceback=[error[:2000]])]
            nb.cells.append(cell)
    if error and nb is None:
        nb = failure_notebook(job.notebook, error[:2000])
    import shutil

    shutil.rmtree(out_dir, ignore_errors=True)
    seconds = time.perf_counter() - start
    lines, times = _cell_log(nb) if nb is not None else ([], [])
    status = "failed" if error else "ok"
    log = "\n".join([*header, f"finished: {_now()} after {seconds:.2f}s: {status}", "", "--- cells ---", *lines,
                     *(["", "--- error ---", error] if error else []),
                     "", "--- kernel process output ---", kernel_output.strip()]) + "\n"
    return JobResult(job.study, job.variant, status, nbformat.writes(nb) if nb is not None else None, error[:4000],
                     seconds, log, who, kernel_wait, warm, job.attempt, tuple(times))


def warm_imports_of(sources: list[str]) -> tuple[str, ...]:
    """Modules imported at the top level of notebooks' code cells (``import x`` / ``from x import y``)."""
    import ast

    found: dict[str, None] = {}
    for text in sources:
        try:
            cells = json.loads(text).get("cells", [])
        except ValueError:
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            src = "".join(cell.get("source", "")) if isinstance(cell.get("source"), list) else str(cell.get("source", ""))
            try:
                tree = ast.parse("\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!"))))
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    for a in node.names:
                        found[a.name] = None
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found[node.module] = None
                    for a in node.names:  # `from pkg import module` imports a submodule
                        if a.name != "*":
                            found[f"{node.module}.{a.name}"] = None
    return tuple(found)
