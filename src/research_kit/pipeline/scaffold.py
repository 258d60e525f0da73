"""``research-kit new-study``: scaffold a new paper that builds on the first try.

One command writes everything a study needs, following the layout of the existing studies
(and cookiecutter-data-science: code in ``src/``, notebooks for communication):

* ``notebooks/NN_<name>.ipynb`` — a typed ``parameters`` cell (with declared allowed values),
  a parameter check, ``lang-zh`` / ``lang-en`` prose cells, a table and a figure computed by
  the study package, the data notice, and the provenance appendix;
* ``src/research_kit/studies/<name>/`` — ``_data.py`` (inputs), ``_estimate.py`` (numbers),
  ``_paper.py`` (text, tables, figures in Chinese and English, data notice);
* a ``studies.yaml`` entry with a Chinese and an English variant;
* ``tests/studies/test_<name>.py`` — executes the notebook on the shipped demo data and checks
  that the paper's numbers are the data's.

Nothing that exists is overwritten: the command lists what is in the way and stops.
"""

from __future__ import annotations

import json
import keyword
import os
import re
from dataclasses import dataclass
from pathlib import Path

from research_kit import paths

__all__ = ["NewStudy", "new_study", "ScaffoldError"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*\Z")
_TASKS = {str(n) for n in range(1, 25)} | {"目标"}


class ScaffoldError(ValueError):
    """The new study cannot be written (bad name, existing files, unknown task)."""


@dataclass(frozen=True)
class NewStudy:
    """What :func:`new_study` wrote."""

    name: str
    notebook: Path
    package: Path
    test: Path
    studies_file: Path

    def __str__(self) -> str:
        root = self.studies_file.parent
        files = [self.notebook, self.notebook.with_suffix(".py"), self.package / "__init__.py", self.package / "_data.py",
                 self.package / "_estimate.py", self.package / "_paper.py", self.test]
        lines = [f"new study {self.name!r}:"] + [f"  wrote {f.relative_to(root)}" for f in files]
        lines.append(f"  added {self.name} (variants {self.name}_zh, {self.name}_en) to studies.yaml")
        lines.append(f"next: edit the notebook in JupyterLab, then `research-kit run {self.name}` "
                     f"or `research-kit build`; test: pytest {self.test.relative_to(root)}")
        return "\n".join(lines)


def _check(name: str, task: str, title_zh: str, title_en: str) -> None:
    if not _NAME.match(name) or keyword.iskeyword(name) or len(name) > 40:
        raise ScaffoldError(f"study name {name!r}: use lower-case letters, digits and '_' (a Python package "
                            "name of at most 40 characters starting with a letter), e.g. demo_x.")
    if task not in _TASKS:
        raise ScaffoldError(f"--task {task!r}: the plan has tasks 1 to 24 (or '目标' for the 2025 targets).")
    for flag, title in (("--title-zh", title_zh), ("--title-en", title_en)):
        if not title.strip() or any(ord(c) < 32 for c in title):
            raise ScaffoldError(f"{flag} must be a non-empty title on one line.")
    if not re.search(r"[\u4e00-\u9fff]", title_zh):
        raise ScaffoldError(f"--title-zh {title_zh!r} has no Chinese characters; give the Chinese title.")
    if re.search(r"[\u4e00-\u9fff]", title_en):
        raise ScaffoldError(f"--title-en {title_en!r} has Chinese characters; give the English title.")


def _next_number(notebooks: Path) -> int:
    numbers = [int(m.group(1)) for p in notebooks.glob("*.ipynb") if (m := re.match(r"(\d+)_", p.name))]
    return max(numbers, default=0) + 1


def _cell(kind: str, source: str, tags: list[str] | None = None) -> dict[str, object]:
    cell: dict[str, object] = {"cell_type": kind, "metadata": {"tags": tags} if tags else {},
                               "source": source.strip("\n").splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _notebook(name: str, task: str, title_zh: str, title_en: str) -> dict[str, object]:
    cells = [
        _cell("markdown", f"""
# {title_zh} / {title_en}

Exploration view. The published paper is this notebook executed by `research-kit run {name}`
and rendered without code; prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language.
""", ["remove"]),
        _cell("code", '''
lang: str = "zh"  # paper language; one of "zh", "en"
county: str = "all"  # county to describe: "all" (all of Jinhua) or a county name; one of "all", "婺城区", "金东区", "兰溪市", "东阳市", "义乌市", "永康市", "浦江县", "武义县", "磐安县"
''', ["parameters"]),
        _cell("code", f"""
import research_kit as rk
from research_kit.studies import {name} as study

rk.lab.check_parameters("{name}", globals())  # same checks as `research-kit run`: names, types, allowed values
params = dict(lang=lang, county=county)
rk.report.use_theme()
frame = study.load_data(county)
summary = study.summarize(frame)
rk.report.front_matter(**study.front_matter(summary, lang=lang, county=county))
"""),
        _cell("code", "rk.report.markdown(study.data_notice(lang))"),
        _cell("markdown", "## 1 问题\n\n（在此写研究问题：试点任务要达到什么，本文回答什么。）", ["lang-zh"]),
        _cell("markdown", "## 1 Question\n\n(State the question here: what the pilot task aims at and what this paper "
                          "answers.)", ["lang-en"]),
        _cell("markdown", "## 2 数据", ["lang-zh"]),
        _cell("markdown", "## 2 Data", ["lang-en"]),
        _cell("code", """
rk.report.markdown(study.data_paragraph(summary, lang=lang))
study.summary_table(summary, lang=lang)
"""),
        _cell("code", "rk.report.show(study.summary_figure(summary, lang=lang), caption=study.caption(\"exports\", lang))"),
        _cell("markdown", "## 附录：运行记录", ["lang-zh"]),
        _cell("markdown", "## Appendix: provenance", ["lang-en"]),
        _cell("code", """
for t in rk.report.provenance_tables(rk.report.provenance(params, datasets=study.DATASETS), lang=lang):
    display(t)
"""),
    ]
    for i, cell in enumerate(cells):
        cell["id"] = f"{name.replace('_', '-')}-{i:02d}"
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "research_kit (Python 3)", "language": "python",
                                                        "name": "research_kit"},
                                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


_INIT = '''"""{title_en} (task {task} of the Jinhua pilot plan; {title_zh}).

The notebook ``{notebook}`` calls these functions only:

* :mod:`._data` — the inputs (processed datasets read with ``rk.data.load``);
* :mod:`._estimate` — every number of the paper, computed once;
* :mod:`._paper` — text, tables and figures in Chinese and English.
"""

from research_kit.studies.{name}._data import *  # noqa: F403
from research_kit.studies.{name}._data import __all__ as _data_all
from research_kit.studies.{name}._estimate import *  # noqa: F403
from research_kit.studies.{name}._estimate import __all__ as _estimate_all
from research_kit.studies.{name}._paper import *  # noqa: F403
from research_kit.studies.{name}._paper import __all__ as _paper_all

__all__ = [*_data_all, *_estimate_all, *_paper_all]
'''

_DATA = '''"""Inputs of the {name} study: processed datasets of the catalog, read with ``rk.data.load``."""

from __future__ import annotations

import os

import pandas as pd

from research_kit import data

__all__ = ["DATASETS", "load_data", "data_is_synthetic"]

#: Catalog datasets this study reads (listed in the provenance appendix).
DATASETS = ["businesses"]


def load_data(county: str = "all", root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The businesses of one county (a name or 6-digit code) or of all of Jinhua (``"all"``)."""
    frame = data.load("businesses", root=root)
    if county in ("all", "", None):
        return frame
    code = str(county) if str(county).isdigit() else data.county_code(county)
    out = frame.loc[frame["county"].astype(str) == code]
    if out.empty:
        raise ValueError(f"county {{county!r}} has no businesses in the data; use a Jinhua county name or 'all'.")
    return out


def data_is_synthetic(root: str | os.PathLike[str] | None = None) -> bool:
    """True if any dataset this study reads is declared ``synthetic`` in the catalog."""
    catalog = data.load_catalog(root)
    return any(catalog[name].synthetic for name in DATASETS)
'''

_ESTIMATE = '''"""Every number of the {name} paper, computed once from the inputs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Summary", "summarize"]


@dataclass(frozen=True)
class Summary:
    """Aggregates the paper prints (no row describes a single business)."""

    n_businesses: int
    by_sector: pd.DataFrame  # sector, businesses, weighted mean exports (万美元)


def summarize(frame: pd.DataFrame) -> Summary:
    """Count businesses and average last year's exports by sector, with the sampling weights."""
    work = frame.assign(_wx=frame["exports_last_year"] * frame["weight"])
    grouped = work.groupby("sector", observed=True).agg(businesses=("business_id", "size"), wx=("_wx", "sum"),
                                                        w=("weight", "sum"))
    by_sector = pd.DataFrame({{"sector": grouped.index.astype(str), "businesses": grouped["businesses"].to_numpy(),
                              "exports": (grouped["wx"] / grouped["w"]).to_numpy()}})
    return Summary(n_businesses=int(len(frame)), by_sector=by_sector.sort_values("businesses", ascending=False,
                                                                               ignore_index=True))
'''

_PAPER = '''"""Text, tables and figures of the {name} paper, in Chinese and English.

Every number comes from :class:`Summary`; nothing is typed in.
"""

from __future__ import annotations

import os
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from research_kit.report.labels import Labels, Lang
from research_kit.report.tables import Table, format_number, table
from research_kit.studies.{name}._data import data_is_synthetic
from research_kit.studies.{name}._estimate import Summary

__all__ = ["TITLE", "caption", "data_notice", "data_paragraph", "front_matter", "summary_figure", "summary_table"]

TITLE = {{"zh": {title_zh!r}, "en": {title_en!r}}}
TASK = {task!r}

_SECTORS = {{
    "small_commodities": ("小商品", "small commodities"), "hardware": ("五金机电", "hardware"),
    "textiles": ("纺织服装", "textiles"), "electronics": ("电子电器", "electronics"),
    "food": ("食品农产品", "food"), "other": ("其他", "other"),
}}


def _sector(code: str, lang: Lang) -> str:
    zh, en = _SECTORS.get(code, (code, code))
    return zh if lang == "zh" else en


def front_matter(summary: Summary, *, lang: Lang = "zh", county: str = "all") -> dict[str, Any]:
    """Title, abstract and facts of the paper (the pipeline reads them after execution)."""
    lab = Labels(lang)
    abstract = lab.pick(
        zh=f"本文描述样本中的 {{summary.n_businesses:,}} 家个体工商户（研究模板，待补充分析）。",
        en=f"This paper describes the {{summary.n_businesses:,}} individual businesses of the sample "
           "(a study template, to be extended).",
    )
    return dict(title=TITLE[lang], abstract=abstract, lang=lang, task=TASK, county=county,
                synthetic=data_is_synthetic())


def data_notice(lang: Lang = "zh", root: str | os.PathLike[str] | None = None) -> str:
    """The paper's data notice: says so when the data are synthetic demo data."""
    lab = Labels(lang)
    if data_is_synthetic(root):
        return lab.pick(zh="> **数据说明：本文使用的是模拟（合成）演示数据**，不代表任何真实经营主体、银行或地区。",
                        en="> **Data notice: this paper uses synthetic demo data**; it describes no real business, "
                           "bank or county.")
    return lab.pick(zh="> 数据来源：见附录所列数据文件。", en="> Data: see the data files listed in the appendix.")


def data_paragraph(summary: Summary, *, lang: Lang = "zh") -> str:
    """One paragraph on the sample, with its numbers."""
    top = summary.by_sector.iloc[0]
    share = float(top["businesses"]) / summary.n_businesses
    return Labels(lang).pick(
        zh=f"样本共有 {{summary.n_businesses:,}} 家个体工商户，其中{{_sector(str(top['sector']), 'zh')}}行业最多，"
           f"占 {{format_number(share, percent=True, digits=1)}}。",
        en=f"The sample holds {{summary.n_businesses:,}} individual businesses; the largest sector is "
           f"{{_sector(str(top['sector']), 'en')}}, with {{format_number(share, percent=True, digits=1)}} of them.",
    )


def caption(key: str, lang: Lang = "zh") -> str:
    """Captions of the paper's tables and figures."""
    captions = {{
        "sectors": ("各行业的个体工商户数量与上年出口额（加权平均，万美元）",
                    "Individual businesses and last year's exports by sector (weighted mean, USD 10,000)"),
        "exports": ("各行业上年出口额（加权平均）", "Last year's exports by sector (weighted mean)"),
    }}
    zh, en = captions[key]
    return zh if lang == "zh" else en


def summary_table(summary: Summary, *, lang: Lang = "zh") -> Table:
    """Businesses and weighted mean exports by sector."""
    frame = summary.by_sector.assign(sector=[_sector(str(s), lang) for s in summary.by_sector["sector"]])
    names = {{"zh": ["行业", "主体数", "出口额（万美元）"], "en": ["Sector", "Businesses", "Exports (USD 10,000)"]}}[lang]
    frame.columns = names
    return table(frame, caption=caption("sectors", lang), digits={{names[1]: 0, names[2]: 2}})


def summary_figure(summary: Summary, *, lang: Lang = "zh") -> Figure:
    """Horizontal bars of weighted mean exports by sector."""
    frame = summary.by_sector.iloc[::-1]
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    ax.barh([_sector(str(s), lang) for s in frame["sector"]], frame["exports"], color="#4C72B0")
    ax.set_xlabel("出口额（万美元）" if lang == "zh" else "Exports (USD 10,000)")
    fig.tight_layout()
    return fig
'''

_TEST = '''"""Executes the {name} notebook on the shipped demo data (written by `research-kit new-study`).

The paper's numbers must be the data's: the count of businesses in the abstract and the
table's rows are recomputed here from the processed data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import research_kit as rk

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / {notebook!r}


@pytest.fixture(scope="module")
def processed() -> None:
    if not (ROOT / "data" / "processed" / "manifest.json").is_file():
        rk.data.prepare(root=ROOT)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notebook_runs_on_demo_data_and_prints_the_data_numbers(processed, tmp_path: Path, lang: str) -> None:
    import papermill as pm

    out = tmp_path / f"{{lang}}.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), parameters={{"lang": lang}}, kernel_name="python3",
                        progress_bar=False, cwd=str(ROOT))
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = json.dumps(nb, ensure_ascii=False)
    n = len(rk.data.load("businesses", root=ROOT))
    assert f"{{n:,}}" in text
    import importlib

    summary = importlib.import_module("research_kit.studies.{name}").summarize(rk.data.load("businesses", root=ROOT))
    assert len(summary.by_sector) == rk.data.load("businesses", root=ROOT)["sector"].nunique()


def test_unknown_language_is_rejected_before_any_data_is_read() -> None:
    from research_kit.pipeline import ParameterError

    with pytest.raises(ParameterError, match="one of 'zh', 'en'"):
        rk.lab.check_parameters({name!r}, {{"lang": "fr"}}, force=True)
'''


def _append_study(file: Path, name: str, task: str, notebook: str) -> None:
    text = file.read_text(encoding="utf-8") if file.is_file() else "studies:\n"
    if not text.endswith("\n"):
        text += "\n"
    text += (f"  {name}:\n    notebook: {notebook}\n    task: \"{task}\"\n    variants:\n"
             f"      {name}_zh: {{lang: zh}}\n      {name}_en: {{lang: en}}\n")
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, file)


def _pair(notebook: Path) -> None:
    """Write the notebook's percent-format ``.py`` twin, as ``make sync-notebooks`` does."""
    from jupytext.cli import jupytext

    jupytext(["--quiet", "--to", "py:percent", str(notebook)])


def new_study(name: str, *, task: str, title_zh: str, title_en: str,
              root: str | os.PathLike[str] | None = None) -> NewStudy:
    """Write the notebook, study package, ``studies.yaml`` entry and test of a new study.

    Parameters
    ----------
    name : str
        Package and study name (lower case, digits, ``_``), e.g. ``"demo_x"``.
    task : str
        The plan's task number (1–24), or ``"目标"``.
    title_zh, title_en : str
        The paper's title in Chinese and in English.
    root : path, optional
        Project root (default: this checkout).

    Raises
    ------
    ScaffoldError
        A bad name, task or title, or any file of the new study already exists (nothing is written).
    """
    task = str(task)
    _check(name, task, title_zh, title_en)
    project = paths.project_root(root)
    from research_kit.pipeline.study_config import load_studies

    studies_file = paths.studies_file(root)
    existing = load_studies(root) if studies_file.is_file() else {}
    package = project / "src" / "research_kit" / "studies" / name
    test = project / "tests" / "studies" / f"test_{name}.py"
    clash = [p for p in project.glob(f"notebooks/*_{name}.ipynb")] + [p for p in (package, test) if p.exists()]
    if name in existing or clash:
        what = ([f"studies.yaml entry {name!r}"] if name in existing else []) + \
            [str(p.relative_to(project)) for p in clash]
        raise ScaffoldError(f"study {name!r} exists already ({', '.join(what)}); nothing was written. "
                            "Choose another name or edit the existing study.")
    notebook = project / "notebooks" / f"{_next_number(project / 'notebooks'):02d}_{name}.ipynb"
    rel = notebook.relative_to(project).as_posix()
    fields = dict(name=name, task=task, title_zh=title_zh, title_en=title_en, notebook=rel)
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(_INIT.format(**fields), encoding="utf-8")
    (package / "_data.py").write_text(_DATA.format(**fields), encoding="utf-8")
    (package / "_estimate.py").write_text(_ESTIMATE.format(**fields), encoding="utf-8")
    (package / "_paper.py").write_text(_PAPER.format(**fields), encoding="utf-8")
    test.parent.mkdir(parents=True, exist_ok=True)
    test.write_text(_TEST.format(**fields), encoding="utf-8")
    notebook.write_text(json.dumps(_notebook(name, task, title_zh, title_en), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    _pair(notebook)
    _append_study(studies_file, name, task, rel)
    return NewStudy(name, notebook, package, test, studies_file)
