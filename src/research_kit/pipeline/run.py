"""Store executed study notebooks in ``reports/papers/`` (and execute a single variant in this process).

The executed notebook comes back from a worker (:mod:`research_kit.pipeline._worker`)
and is stored here, by the parent process:

* a successful run replaces ``reports/papers/<study>/<variant>.ipynb`` atomically
  (written beside it, then ``os.replace``) and removes an older
  ``<variant>.failed.ipynb``;
* a failed run **keeps the last good paper** and writes the executed notebook,
  with its traceback, as ``<variant>.failed.ipynb`` for debugging;
* either way the run's log goes to ``reports/logs/<study>/<variant>.log`` and,
  after a success, the variant's cache key to
  ``reports/.cache/runs/<study>/<variant>.json`` (what makes the next build skip it).

After execution the paper's metadata, which the notebook declares with
:func:`research_kit.report.front_matter`, is copied into the notebook metadata
(``metadata.research_kit``, read by the Pandoc renderer) and into a YAML raw
cell at the top (read by Quarto), and prose cells tagged for the other language
(``lang-zh`` / ``lang-en``) are dropped.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from research_kit import paths
from research_kit.pipeline.study_config import Study, Variant, check_name
from research_kit.report.provenance import COMMIT_ENV, git_commit

__all__ = ["RunOutcome", "run_variant", "finalize_notebook", "store_result", "log_path", "state_path", "read_state"]


@dataclass(frozen=True)
class RunOutcome:
    """What happened to one variant.

    ``status`` is ``"ok"`` (executed now), ``"cached"`` (unchanged since its last
    successful run: not executed) or ``"failed"`` (``path`` is then the
    ``.failed.ipynb`` notebook holding the traceback; the last good paper is kept).
    """

    study: str
    variant: str
    status: str  # "ok" | "cached" | "failed"
    path: Path
    seconds: float
    error: str = ""
    log: Path | None = None
    worker: str = ""
    attempts: int = 1


def log_path(study: str, variant: str, root: str | os.PathLike[str] | None = None) -> Path:
    """``reports/logs/<study>/<variant>.log``."""
    return paths.reports_dir(root) / "logs" / study / f"{variant}.log"


def state_path(study: str, variant: str, root: str | os.PathLike[str] | None = None) -> Path:
    """``reports/.cache/runs/<study>/<variant>.json``: cache key and duration of the last successful run."""
    return paths.reports_dir(root) / ".cache" / "runs" / study / f"{variant}.json"


def read_state(study: str, variant: str, root: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The stored state of a variant (empty when none)."""
    try:
        data = json.loads(state_path(study, variant, root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _meta_from_outputs(cells: list[Any]) -> dict[str, Any]:
    """The metadata displayed by :func:`research_kit.report.front_matter` (same MIME type as the renderer reads)."""
    from research_kit.pipeline._markdown import META_MIME

    for cell in cells:
        for out in cell.get("outputs", []) or []:
            value = (out.get("data") or {}).get(META_MIME)
            if value is not None:
                return dict(json.loads(value) if isinstance(value, str) else value)
    return {}


def finalize_notebook(nb: Any, *, study: Study, variant: Variant, status: str) -> Any:
    """Attach paper metadata, drop other-language cells, add the Quarto front matter."""
    meta = _meta_from_outputs(nb.cells)
    lang = meta.get("lang") or variant.parameters.get("lang") or "zh"
    drop = {"lang-en"} if lang == "zh" else {"lang-zh"}
    nb.cells = [c for c in nb.cells if not (set(c.get("metadata", {}).get("tags", [])) & drop)]
    info: dict[str, Any] = {
        "study": study.name,
        "variant": variant.name,
        "task": meta.get("task") or study.task,
        "date": _dt.date.today().isoformat(),
        "parameters": dict(variant.parameters),
        "status": status,
        **meta,
    }
    info["lang"] = lang
    nb.metadata["research_kit"] = info
    front = {k: info[k] for k in ("title", "subtitle", "abstract", "date", "lang") if info.get(k)}
    front["execute"] = {"enabled": False, "echo": False}
    front["format"] = {"html": {"embed-resources": True, "html-math-method": "mathml"}, "docx": "default"}
    from research_kit.pipeline._quarto import paper_front_matter

    front.update(paper_front_matter(lang, str(info.get("task") or "")))  # categories, language's CSL (reports/_quarto.yml)
    nb.cells = [c for c in nb.cells if "quarto-front-matter" not in c.get("metadata", {}).get("tags", [])]
    import nbformat

    raw = nbformat.v4.new_raw_cell("---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---")
    raw.metadata["tags"] = ["quarto-front-matter"]
    nb.cells.insert(0, raw)
    return nb


def _paper_paths(study: str, variant: str, root: str | os.PathLike[str] | None) -> tuple[Path, Path]:
    check_name(study, "study name")
    check_name(variant, "variant name")
    out_dir = paths.papers_dir(root) / study
    final, failed = out_dir / f"{variant}.ipynb", out_dir / f"{variant}.failed.ipynb"
    if final.resolve().parent != out_dir.resolve():  # defence in depth against path tricks
        raise ValueError(f"variant {variant!r} would write outside {out_dir}.")
    return final, failed


def store_result(study: Study, variant: Variant, result: Any, *, key: str,
                 root: str | os.PathLike[str] | None = None) -> RunOutcome:
    """Store a worker's :class:`~research_kit.pipeline._worker.JobResult`; never overwrite a good paper with a failure."""
    import nbformat

    final, failed = _paper_paths(study.name, variant.name, root)
    log = log_path(study.name, variant.name, root)
    target = final if result.status == "ok" else failed
    text = result.log
    notebook = result.notebook
    if notebook is None and result.status != "ok":  # e.g. the worker died: keep the failure visible on the site
        from research_kit.pipeline._worker import failure_notebook

        notebook = nbformat.writes(failure_notebook(Path(study.notebook).read_text(encoding="utf-8"),
                                                    result.error or "no executed notebook came back"))
    if notebook is not None:
        nb = nbformat.reads(notebook, as_version=4)
        nb = finalize_notebook(nb, study=study, variant=variant, status=result.status)
        data = nbformat.writes(nb).encode("utf-8")
        _atomic_write(target, data)
        text += f"\nexecuted notebook: {target}\n"
    else:
        text += "\nno executed notebook came back\n"
    if result.status == "ok":
        failed.unlink(missing_ok=True)
        import hashlib

        state = {"key": key, "paper_sha256": hashlib.sha256(data).hexdigest(), "seconds": round(result.seconds, 3),
                 "finished_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds")}
        _atomic_write(state_path(study.name, variant.name, root), json.dumps(state).encode("utf-8"))
    else:
        text += f"the last good paper stays in place: {final if final.exists() else '(none yet)'}\n"
    _atomic_write(log, text.encode("utf-8"))
    return RunOutcome(study.name, variant.name, result.status, target, result.seconds, result.error[:2000], log,
                      result.worker, result.attempt)


def run_variant(study: Study, variant: Variant, *, root: str | os.PathLike[str] | None = None,
                kernel_name: str = "python3", timeout: int = 1800) -> RunOutcome:
    """Execute one variant in this process with a fresh kernel; never overwrite the last good paper with a failed one.

    For many variants use :func:`research_kit.pipeline.run_studies` (parallel, cached).
    """
    from research_kit.pipeline import _worker
    from research_kit.pipeline.hashing import FileHasher, data_hash, package_version, source_tree_hash, variant_key

    _paper_paths(study.name, variant.name, root)
    project = paths.project_root(root)
    raw = Path(study.notebook).read_bytes()
    text = raw.decode("utf-8")
    import hashlib

    key = variant_key(notebook_sha=hashlib.sha256(raw).hexdigest(), parameters=variant.parameters,
                      task=study.task, data=data_hash(project, hasher=FileHasher()), source=source_tree_hash(),
                      version=package_version(), kernel_name=kernel_name)
    spec = _worker.KernelSpec(kernel_name, str(project), ((paths.ENV_VAR, str(project)), (COMMIT_ENV, git_commit(project))), ())
    job = _worker.Job(study.name, variant.name, dict(variant.parameters), text, str(study.notebook), key, spec,
                      root=str(project), timeout=timeout, prewarm=False)
    return store_result(study, variant, _worker.execute_job(job), key=key, root=project)
