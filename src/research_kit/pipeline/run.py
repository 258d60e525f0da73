"""Execute study notebooks with papermill into ``reports/papers/``.

A variant is executed into a temporary file beside its destination; only a
successful run replaces ``reports/papers/<study>/<variant>.ipynb`` (atomic
``os.replace``). A failed run keeps the last good paper and leaves the executed
notebook with its traceback as ``<variant>.failed.ipynb`` for debugging.

After execution the paper's metadata, which the notebook declares with
:func:`research_kit.report.front_matter`, is copied into the notebook metadata
(``metadata.research_kit``, read by the Pandoc renderer) and into a YAML raw
cell at the top (read by Quarto), and prose cells tagged for the other language
(``lang-zh`` / ``lang-en``) are dropped.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import nbformat
import yaml

from research_kit import paths
from research_kit.pipeline.studies import Study, Variant, check_name
from research_kit.report.text import meta_from_outputs

__all__ = ["RunOutcome", "run_variant", "finalize_notebook"]


@dataclass(frozen=True)
class RunOutcome:
    study: str
    variant: str
    status: str  # "ok" | "failed"
    path: Path
    seconds: float
    error: str = ""


@contextlib.contextmanager
def _project_env(root: str | os.PathLike[str] | None) -> Iterator[None]:
    """Make the kernel see the same project root as this process."""
    old = os.environ.get(paths.ENV_VAR)
    os.environ[paths.ENV_VAR] = str(paths.project_root(root))
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(paths.ENV_VAR, None)
        else:
            os.environ[paths.ENV_VAR] = old


def finalize_notebook(nb: Any, *, study: Study, variant: Variant, status: str) -> Any:
    """Attach paper metadata, drop other-language cells, add the Quarto front matter."""
    meta = meta_from_outputs(nb.cells) or {}
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
    nb.cells = [c for c in nb.cells if "quarto-front-matter" not in c.get("metadata", {}).get("tags", [])]
    raw = nbformat.v4.new_raw_cell("---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---")
    raw.metadata["tags"] = ["quarto-front-matter"]
    nb.cells.insert(0, raw)
    return nb


def run_variant(study: Study, variant: Variant, *, root: str | os.PathLike[str] | None = None,
                kernel_name: str = "python3", timeout: int = 1800) -> RunOutcome:
    """Execute one variant; never overwrite the last good paper with a failed one."""
    import papermill as pm

    check_name(study.name, "study name")
    check_name(variant.name, "variant name")
    out_dir = paths.papers_dir(root) / study.name
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / f"{variant.name}.ipynb"
    failed = out_dir / f"{variant.name}.failed.ipynb"
    tmp = out_dir / f".{variant.name}.running.ipynb"
    if final.resolve().parent != out_dir.resolve():  # defence in depth against path tricks
        raise ValueError(f"variant {variant.name!r} would write outside {out_dir}.")
    start = time.perf_counter()
    error = ""
    with _project_env(root):
        try:
            pm.execute_notebook(
                str(study.notebook), str(tmp), parameters=dict(variant.parameters), kernel_name=kernel_name,
                progress_bar=False, cwd=str(paths.project_root(root)), execution_timeout=timeout,
                report_mode=False, log_output=False,
            )
        except Exception as exc:  # papermill raises PapermillExecutionError; keep any failure contained
            error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    status = "failed" if error else "ok"
    if tmp.is_file():
        nb = nbformat.read(tmp, as_version=4)
        nb = finalize_notebook(nb, study=study, variant=variant, status=status)
        nbformat.write(nb, tmp)
        os.replace(tmp, failed if error else final)
    if not error and failed.exists():
        failed.unlink()
    return RunOutcome(study.name, variant.name, status, failed if error else final, seconds, error[:2000])
