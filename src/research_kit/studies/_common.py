"""What every study's paper repeats: labels, captions, number formats, notices, front matter, appendix notes.

Each study's ``_paper`` module builds its text from these pieces, so that a data notice, a
p-value or the appendix's list of datasets reads the same in every paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from research_kit.report.labels import Labels, Lang, check_lang
from research_kit.report.tables import format_number

__all__ = [
    "SIMULATE_COMMAND", "code_list", "datasets_sentence", "files_in_appendix_notice", "fill_caption", "fmt", "fmt_p",
    "month", "paper_front_matter", "p_equals", "real_data_notice", "study_labels", "synthetic_data_notice",
    "synthetic_sentence", "truth_sentence",
]

#: The command that writes the shipped synthetic raw files of every study.
SIMULATE_COMMAND = "python -m research_kit.simulate.study_raw"


def study_labels(extra: Mapping[str, Mapping[str, str]], lang: Lang = "zh") -> Labels:
    """The project labels plus a study's own keys (``extra``), in ``lang`` (checked)."""
    return Labels(check_lang(lang), extra=extra)


def fill_caption(captions: Mapping[str, Mapping[str, str]], key: str, lang: Lang, **kw: Any) -> str:
    """Caption ``key`` of a study's caption table in ``lang``, its ``{fields}`` filled from ``kw``."""
    return captions[key][lang].format(**kw)


def fmt(x: float, d: int = 2) -> str:
    """A number as printed in the papers: ``d`` decimals (:func:`research_kit.report.tables.format_number`)."""
    return format_number(float(x), digits=d)


def fmt_p(p: float) -> str:
    """A p-value as a table cell: ``<0.001`` or three decimals."""
    return "<0.001" if p < 0.001 else fmt(p, 3)


def p_equals(p: float) -> str:
    """A p-value in a sentence: ``p < 0.001`` or ``p = 0.123``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def month(ts: Any) -> str:
    """A date as its month, ``YYYY-MM``."""
    return pd.Timestamp(ts).strftime("%Y-%m")


def code_list(names: Sequence[str], lang: Lang) -> str:
    """Names in code font, joined as a list of the language (``、`` in Chinese, ``, `` in English)."""
    return ("、" if lang == "zh" else ", ").join(f"`{n}`" for n in names)


# ------------------------------------------------------------------------------------------ data notices
def truth_sentence(lab: Labels, *, plural: bool = False) -> str:
    """What the simulated "true effect(s)" are, for a data notice of synthetic data."""
    return lab.pick(
        zh="文中的“真实效应”是模拟设定的已知效应，用于检验估计方法。",
        en=("The \"true effects\" are the known effects built into the simulation, used to check the estimators."
            if plural else
            "The \"true effect\" is the known effect built into the simulation, used to check the estimators."),
    )


def synthetic_data_notice(lab: Labels, *, zh: str, en: str, plural: bool = False) -> str:
    """The notice of a paper on synthetic demo data: a head, what is invented (``zh``/``en``), what the truth is."""
    return lab.pick(zh="> **数据说明：本文使用的是模拟（合成）演示数据。** " + zh,
                    en="> **Data notice: this paper uses synthetic demo data.** " + en + " ") + truth_sentence(lab, plural=plural)


def real_data_notice(lab: Labels, *, zh: str, en: str) -> str:
    """The notice of a paper on real data: which data (``zh``/``en``), sources in the appendix."""
    return lab.pick(zh=f"> **数据说明：** 本文使用{zh}，来源见附录。",
                    en=f"> **Data notice:** this paper uses {en}; sources in the appendix.")


def files_in_appendix_notice(lab: Labels) -> str:
    """The notice of a paper whose data files are listed in its appendix."""
    return lab.pick(zh="> 数据来源：见附录所列数据文件。", en="> Data: see the data files listed in the appendix.")


# ------------------------------------------------------------------------------------------ front matter, appendix
def synthetic_sentence(lab: Labels, synthetic: bool) -> str:
    """The abstract's last sentence on synthetic data (empty for real data)."""
    if not synthetic:
        return ""
    return lab.pick(zh="本文数据为模拟演示数据。", en=" The data are synthetic demo data.")


def paper_front_matter(lab: Labels, *, title: str, abstract: str, task: str, synthetic: bool,
                       **more: Any) -> dict[str, Any]:
    """A paper's front matter: title, abstract, language, the plan's task, any ``more`` keys, synthetic."""
    return {"title": title, "abstract": abstract, "lang": lab.lang, "task": task, **more, "synthetic": synthetic}


def datasets_sentence(lab: Labels, datasets: Sequence[str], *, generator: str, command: bool = False) -> str:
    """The appendix's first sentence: the datasets read and the function that simulates them.

    ``command`` adds the command that writes the shipped raw files (:data:`SIMULATE_COMMAND`).
    """
    return lab.pick(
        zh=f"数据集：{code_list(datasets, 'zh')}（模拟数据由 `{generator}` 生成"
           + (f"，写出命令 `{SIMULATE_COMMAND}`" if command else "") + "）。",
        en=f"Datasets: {code_list(datasets, 'en')} (synthetic data from `{generator}`"
           + (f", written by `{SIMULATE_COMMAND}`" if command else "") + ").",
    )
