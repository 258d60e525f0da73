"""The Quarto route: when a ``quarto`` executable is on PATH, it renders each paper's HTML and DOCX.

Quarto cannot be installed on the project's build machines (its PyPI package
downloads a binary at build time), so the Pandoc route is what CI exercises; on
a workstation with Quarto (the conda route, ``environment.yml``) papers are
rendered by Quarto from the same executed notebooks, with the same metadata
(the YAML front-matter raw cell the pipeline writes) and the same safety checks
afterwards (offline scan, CJK font subset, microdata scan, atomic swap). PDF stays
on Pandoc + Typst, whose CJK font set-up is known to work.

Set ``RESEARCH_KIT_RENDERER=pandoc`` to ignore an installed Quarto.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from research_kit.pipeline._frame import load_frame
from research_kit.pipeline._markdown import META_MIME
from research_kit.pipeline._offline import RenderError

__all__ = ["quarto_executable", "quarto_notebook", "render_with_quarto", "QUARTO_FORMATS"]

#: Formats Quarto renders here; others (PDF) stay on Pandoc + Typst.
QUARTO_FORMATS = ("html", "docx")
_DROP_TAGS = {"parameters", "injected-parameters", "remove", "remove-cell"}


def quarto_executable() -> str | None:
    """Path of ``quarto`` if it is on PATH and not disabled by ``RESEARCH_KIT_RENDERER=pandoc``."""
    if os.environ.get("RESEARCH_KIT_RENDERER", "").strip().lower() == "pandoc":
        return None
    return shutil.which("quarto")


def quarto_notebook(nb: Any) -> Any:
    """A copy of the executed notebook as Quarto should see it.

    Cells tagged ``parameters``, ``injected-parameters`` or ``remove`` are dropped,
    and so are the paper-metadata outputs (they live in the front-matter raw cell).
    """
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        if set(cell.get("metadata", {}).get("tags", [])) & _DROP_TAGS:
            continue
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", []) if META_MIME not in (o.get("data") or {})
                               and o.get("output_type") != "stream"]
        cells.append(cell)
    out.cells = cells
    return out


def _project_yaml(lang: str, css: Path) -> str:
    config = {
        "project": {"type": "default"},
        "execute": {"enabled": False, "echo": False, "warning": False},
        "format": {
            "html": {"embed-resources": True, "html-math-method": "mathml", "lang": "zh-CN" if lang == "zh" else "en",
                     "css": css.name, "toc": True, "toc-depth": 2},
            "docx": {"toc": True},
        },
    }
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def _with_frame(nb: Any, fields: Mapping[str, Any], reports: Path | None, lang: str) -> Any:
    """Put the report frame (authors, date, number, TOC, bibliography, CSL) into the front-matter raw cell."""
    front: dict[str, Any] = {}
    cells = list(nb.cells)
    for i, cell in enumerate(cells):
        if cell.get("cell_type") == "raw" and _text(cell.get("source")).lstrip().startswith("---"):
            body = _text(cell.get("source")).strip().strip("-").strip()
            try:
                loaded = yaml.safe_load(body) or {}
            except yaml.YAMLError:
                loaded = {}
            front = dict(loaded) if isinstance(loaded, Mapping) else {}
            del cells[i]
            break
    front.update({k: v for k, v in fields.items() if not k.startswith("_")})
    front["lang"] = "zh-CN" if lang == "zh" else "en"
    front["number-sections"] = False
    front["fig-cap-location"] = "bottom"
    front["tbl-cap-location"] = "top"
    if reports is not None:
        frame = load_frame(reports)
        if frame.bibliography is not None:
            front["bibliography"] = str(frame.bibliography)
            front["reference-section-title"] = "参考文献" if lang == "zh" else "References"
        csl = frame.csl.get(lang)
        if csl is not None:
            front["csl"] = str(csl)
    import nbformat  # only when a page renders (its validator alone takes seconds to import)

    raw = nbformat.v4.new_raw_cell("---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---")
    raw.metadata["tags"] = ["quarto-front-matter"]
    nb.cells = [raw, *cells]
    return nb


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def render_with_quarto(quarto: str, nb: Any, *, variant: str, lang: str, formats: Sequence[str], work: Path,
                       out_dir: Path, css: Path, source: str, root: Path | None = None,
                       fields: Mapping[str, Any] | None = None) -> tuple[dict[str, str], list[str]]:
    """Render ``nb`` with Quarto to the :data:`QUARTO_FORMATS` requested; return (format → file, warnings).

    ``fields`` are the report-frame fields of the Pandoc route (authors, local date, report number, TOC);
    the bibliography and CSL come from ``root/reports/frame.yaml`` as for Pandoc.
    """
    from research_kit import paths

    project = work / "quarto"
    project.mkdir(parents=True, exist_ok=True)
    (project / "_quarto.yml").write_text(_project_yaml(lang, css), encoding="utf-8")
    shutil.copyfile(css, project / css.name)
    qnb = quarto_notebook(nb)
    if fields is not None:
        qnb = _with_frame(qnb, fields, paths.reports_dir(root) if root is not None else None, lang)
    import nbformat

    nbformat.write(qnb, project / "paper.ipynb")
    files: dict[str, str] = {}
    warnings: list[str] = []
    for fmt in (f for f in formats if f in QUARTO_FORMATS):
        proc = subprocess.run([quarto, "render", "paper.ipynb", "--to", fmt, "--no-execute"], cwd=project,
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise RenderError(f"{source}: quarto render --to {fmt} failed: {proc.stderr.strip()[-2000:]}")
        produced = project / f"paper.{fmt}"
        if not produced.is_file():
            raise RenderError(f"{source}: quarto render --to {fmt} wrote no paper.{fmt} in {project}.")
        shutil.move(str(produced), out_dir / f"{variant}.{fmt}")
        files[fmt] = f"{variant}.{fmt}"
        warnings += [f"{source}: quarto: {line.strip()}" for line in proc.stderr.splitlines() if "WARN" in line]
    return files, warnings
