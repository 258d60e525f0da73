"""The Quarto route: when a ``quarto`` executable is on PATH, it renders each paper's HTML and DOCX.

Quarto cannot be installed on the project's build machines (its PyPI package
downloads a binary at build time), so the Pandoc route is what CI exercises; on
a workstation with Quarto (the conda route, ``environment.yml``) papers are
rendered by Quarto from the same executed notebooks, with the same metadata
(the YAML front-matter raw cell the pipeline writes) and the same safety checks
afterwards (offline scan, CJK font subset, microdata scan, atomic swap). PDF stays
on Pandoc + Typst, whose CJK font set-up is known to work.

The project's settings come from the committed Quarto project ``reports/_quarto.yml``
(a website listing the papers by task, for ``quarto preview reports/``): each paper is
rendered as a single document with that file's metadata, CSS, bibliography and CSL
(the author-date CSL for English papers) and the report frame of ``reports/frame.yaml``
in its front matter.

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
from research_kit.pipeline._offline import RenderError

__all__ = ["quarto_executable", "quarto_notebook", "render_with_quarto", "paper_front_matter", "QUARTO_FORMATS"]

#: Formats Quarto renders here; others (PDF) stay on Pandoc + Typst.
QUARTO_FORMATS = ("html", "docx")
_DROP_TAGS = {"parameters", "injected-parameters", "remove", "remove-cell"}


def paper_front_matter(lang: str, task: str) -> dict[str, Any]:
    """Front matter a paper adds to ``reports/_quarto.yml`` (papers live in ``reports/papers/<study>/``).

    The project sets the Chinese defaults (GB/T 7714 CSL, "参考文献"); an English paper switches to the
    author-date CSL. ``categories`` (the policy task) groups the papers in the listing pages.
    """
    from research_kit.pipeline._markdown import LABELS
    from research_kit.pipeline._site import task_label

    labels = LABELS["en" if lang == "en" else "zh"]
    out: dict[str, Any] = {"categories": [task_label(task, labels)] if task else []}
    if lang == "en":
        out.update({"csl": "../../csl/chicago-author-date.csl", "reference-section-title": "References",
                    "toc-title": "Contents", "author": ["Quantitative Evaluation Team, Jinhua Institute for Open "
                                                       "Economy and Finance"]})
    return out


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
    from research_kit.report.text import META_MIME  # the report stack loads only when a paper renders

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


def _project_yaml(lang: str, css: Path, reports: Path | None = None) -> str:
    """The ``_quarto.yml`` of one paper's render: the project's ``reports/_quarto.yml`` as a single document.

    Its execution, metadata, bibliography, CSL (the author-date style for English) and format options are
    kept; the website parts (listing, navbar, render list) are dropped, and paths are made absolute.
    """
    project_file = reports / "_quarto.yml" if reports is not None else None
    config: dict[str, Any] = {}
    if project_file is not None and project_file.is_file():
        loaded = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
        config = {k: v for k, v in loaded.items() if k not in ("website", "research-kit")}
        for key in ("bibliography", "csl"):
            if config.get(key):
                config[key] = str((reports / str(config[key])).resolve())  # type: ignore[operator]
        if lang == "en":
            config["csl"] = str((reports / "csl" / "chicago-author-date.csl").resolve())  # type: ignore[operator]
            config["reference-section-title"] = "References"
    config["project"] = {"type": "default"}
    config["execute"] = {"enabled": False, "echo": False, "warning": False}
    config["lang"] = "zh-CN" if lang == "zh" else "en"
    fmt = dict(config.get("format") or {})
    html = dict(fmt.get("html") or {})
    html.update({"embed-resources": True, "html-math-method": "mathml", "lang": config["lang"], "css": css.name})
    html.setdefault("toc", True)
    if lang == "en":
        html["toc-title"] = "Contents"
    docx = dict(fmt.get("docx") or {})
    docx.setdefault("toc", True)
    fmt.update({"html": html, "docx": docx})
    config["format"] = fmt
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
    import nbformat  # loaded when a paper renders (its validator costs seconds at import)

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
    reports = paths.reports_dir(root) if root is not None else None
    (project / "_quarto.yml").write_text(_project_yaml(lang, css, reports), encoding="utf-8")
    shutil.copyfile(css, project / css.name)
    qnb = quarto_notebook(nb)
    if fields is not None:
        qnb = _with_frame(qnb, fields, reports, lang)
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
