"""Files of the rendered site other than the papers: index, failure pages, manifest, atomic swap.

The renderer (:mod:`research_kit.pipeline.render`) builds the site in a
temporary folder beside ``_site``; the helpers here write the index and the
failure pages into it, carry a failed paper's last good files over from the
previous site, and swap the new site in by renames.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from research_kit.pipeline._markdown import LABELS, NotebookError, PaperMeta

__all__ = ["MANIFEST", "PAPER_FORMATS", "assets_dir", "display_value", "load_manifest", "carry_over", "write_index",
           "write_failure_page", "recover", "swap"]

MANIFEST = "manifest.json"
PAPER_FORMATS: tuple[str, ...] = ("html", "docx", "pdf")


def assets_dir() -> Path:
    """Folder of the site's templates, CSS and Pandoc data files."""
    return Path(str(resources.files("research_kit").joinpath("assets", "render")))


def display_value(value: Any) -> str:
    """A parameter value as shown to readers (strings as is, the rest as JSON)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def load_manifest(site: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Entries of ``site/manifest.json`` by (study, variant); empty when missing or unreadable."""
    f = site / MANIFEST
    if not f.is_file():
        return {}
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
        return {(e["study"], e["variant"]): e for e in data.get("papers", [])}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def carry_over(old_site: Path, old: dict[str, Any] | None, study: str, variant: str,
                new_site: Path) -> dict[str, str]:
    """Copy a paper's last good files from the previous site; return format → relative path."""
    if old is not None and old.get("status") in ("ok", "stale"):
        candidates = dict(old.get("files") or {})
    elif old is None:  # previous site without a manifest entry: trust files that are there
        candidates = {fmt: f"{study}/{variant}.{fmt}" for fmt in PAPER_FORMATS}
    else:
        return {}
    kept: dict[str, str] = {}
    for fmt, rel in candidates.items():
        src = old_site / rel
        if src.is_file():
            (new_site / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, new_site / rel)
            kept[fmt] = rel
    return kept if "html" in kept else {}


def _task_key(task: str) -> tuple[int, int, str]:
    m = re.search(r"\d+", task)
    return (1 if not task else 0, int(m.group()) if m else 10**6, task)


def _task_label(task: str, labels: Mapping[str, str]) -> str:
    if not task:
        return labels["task_other"]
    return labels["task_n"].format(n=task) if task.strip().isdigit() else task


task_label = _task_label


def _group_key(task: str) -> str:
    """Papers of one policy task group together whatever the language of their task label ("2", "任务 2：…", "Task 2: …")."""
    m = re.search(r"\d+", task)
    return m.group() if m else task


def _group_label(studies: Mapping[str, list[dict[str, Any]]], lang: str, labels: Mapping[str, str]) -> str:
    """The task label in the index language when a paper of that language gives one, else any paper's."""
    tasks = [(p.get("lang"), p.get("task") or "") for ps in studies.values() for p in ps]
    for want in (lang, None):
        for plang, task in tasks:
            if task and (want is None or plang == want):
                return _task_label(task, labels)
    return labels["task_other"]


def _search_ui(labels: Mapping[str, str], base: str = "") -> dict[str, Any]:
    """Options of the Pagefind UI: its texts in the index language (so the page's font subset covers them)."""
    keys = ("placeholder", "clear_search", "load_more", "search_label", "zero_results", "many_results",
            "one_result", "searching", "filters_label", "alt_search", "search_suggestion")
    return {"element": "#search", "showSubResults": True, "showImages": False, "resetStyles": False,
            "translations": {k: labels[f"pf_{k}"] for k in keys}}


def write_index(site: Path, entries: list[dict[str, Any]], lang: str, generated: str, *, search: bool = False,
                search_css: str = "", filename: str = "index.html", base: str = "",
                other: tuple[str, str] | None = None, api: str = "") -> Path:
    """Write ``index.html``: papers grouped by policy task, then study; with ``search``, the Pagefind search box.

    Without search the page is self-contained; with it, it loads ``pagefind/`` and
    ``assets/fonts/`` of the site (local files). ``base`` is the path from the page to the site root
    (``"../"`` for ``en/index.html``); ``other`` is (language, href) of the index in the other language;
    ``api`` the path of the API reference's first page from the site root (``""``: no link).
    """
    import jinja2

    labels = LABELS[lang]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(assets_dir())), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for e in entries:
        view: dict[str, Any] = dict(e)
        view["links"] = {fmt: base + "/".join(quote(part) for part in rel.split("/"))
                         for fmt, rel in (e.get("files") or {}).items()}
        fp = e.get("failure_page")
        view["failure_page"] = base + "/".join(quote(part) for part in fp.split("/")) if fp else ""
        view["parameters"] = {str(k): display_value(v) for k, v in (e.get("parameters") or {}).items()}
        view["task_label"] = _task_label(e.get("task") or "", labels) if e.get("task") else ""
        groups.setdefault(_group_key(e.get("task") or ""), {}).setdefault(e["study"], []).append(view)
    view_groups: list[dict[str, Any]] = []
    for _key, studies in sorted(groups.items(), key=lambda kv: _task_key(kv[0])):
        papers: list[dict[str, Any]] = [{"name": name, "papers": sorted(ps, key=lambda p: p["variant"])}
                                        for name, ps in sorted(studies.items())]
        view_groups.append({"label": _group_label(studies, lang, labels), "studies": papers})
    text = env.get_template("index.html.j2").render(
        L=labels, html_lang="zh-CN" if lang == "zh" else "en", groups=view_groups, count=len(entries),
        generated=generated, css=(assets_dir() / "site.css").read_text(encoding="utf-8"),
        search=search, search_css=search_css.replace('url("assets/', f'url("{base}assets/'),
        search_ui=json.dumps(_search_ui(labels, base), ensure_ascii=False), base=base,
        filter_names=json.dumps([labels["task"], "语言" if lang == "zh" else "Language"], ensure_ascii=False),
        other_label=LABELS[other[0]]["index_label"] if other else "", other_href=other[1] if other else "",
        other_lang=("zh-CN" if other[0] == "zh" else "en") if other else "", api_href=base + api if api else "",
    )
    index = site / filename
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(text, encoding="utf-8")
    return index


def write_failure_page(site: Path, study: str, variant: str, meta: PaperMeta, error: NotebookError | str,
                        source: str, last_good: dict[str, str], generated: str) -> str:
    """Write ``<study>/<variant>.failed.html``; return its path relative to the site."""
    import jinja2

    labels = LABELS[meta.lang]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(assets_dir())), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    rel = f"{study}/{variant}.failed.html"
    (site / study).mkdir(parents=True, exist_ok=True)
    (site / rel).write_text(env.get_template("failure.html.j2").render(
        L=labels, html_lang="zh-CN" if meta.lang == "zh" else "en", title=meta.title, task=meta.task,
        date=meta.date, error=str(error), traceback=getattr(error, "traceback", ""), source=source,
        last_good=quote(f"{variant}.html") if "html" in last_good else "", last_good_title=meta.title,
        generated=generated, css=(assets_dir() / "site.css").read_text(encoding="utf-8"),
    ), encoding="utf-8")
    return rel


def recover(site: Path) -> None:
    """Undo what an interrupted swap or build left behind (called under the lock)."""
    parent = site.parent
    olds = sorted(parent.glob(f".{site.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if not site.exists() and olds:
        os.replace(olds.pop(), site)
    for leftover in [*olds, *parent.glob(f".{site.name}.tmp-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def swap(new: Path, site: Path) -> None:
    """Replace ``site`` by ``new`` with two renames; on failure put the old site back."""
    old = site.parent / f".{site.name}.old-{uuid.uuid4().hex[:8]}"
    if site.exists():
        os.replace(site, old)
    try:
        os.replace(new, site)
    except BaseException:
        if old.exists() and not site.exists():
            os.replace(old, site)
        raise
    shutil.rmtree(old, ignore_errors=True)
