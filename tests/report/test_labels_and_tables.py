"""Report layer: labels, number formats, tables and sentences against hand-computed values."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from research_kit.report import LABELS, Labels, format_number, regression_table, sentence, table
from research_kit.results import Result


def test_every_label_has_both_languages_and_english_has_no_chinese() -> None:
    for key, texts in LABELS.items():
        assert set(texts) == {"zh", "en"}, key
        assert not re.search(r"[\u4e00-\u9fff]", texts["en"]), f"Chinese in English label {key!r}"


def test_unknown_label_raises() -> None:
    with pytest.raises(KeyError, match="No 'en' label"):
        Labels("en")("not_a_label")
    with pytest.raises(ValueError, match="lang must be"):
        Labels("fr")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (12345.678, {"digits": 1}, "12,345.7"),
        (-0.0004, {"digits": 3}, "0.000"),
        (0.1234, {"digits": 1, "percent": True}, "12.3%"),
        (1234567, {}, "1,234,567"),
        (float("nan"), {}, ""),
        (1234.5, {"digits": 2, "thousands": False}, "1234.50"),
    ],
)
def test_format_number(value: float, kwargs: dict, expected: str) -> None:
    assert format_number(value, **kwargs) == expected


def _r(est: float, se: float, name: str = "ATT", **info: object) -> Result:
    return Result.from_arrays([name], [est], [se], nobs=1000, estimator="twfe", info=info)


def test_regression_table_values_and_shape() -> None:
    r1 = _r(1.2345, 0.1, cluster="county", n_clusters=9, r2=0.5)
    r2 = _r(-0.5, 0.25)
    t = regression_table([r1, r2], lang="en", stars=True)
    md = t.to_markdown().splitlines()
    header = [line for line in md if line.startswith("|")]
    assert all(line.count("|") == 4 for line in header)  # 3 columns everywhere
    body = t.body
    # hand-computed: p for 1.2345/0.1 is < 0.01 → three stars; -0.5/0.25 → z=-2, p=0.0455 → two stars
    assert body.iloc[0, 1] == "1.234***" or body.iloc[0, 1] == "1.235***"
    assert body.iloc[0, 2] == "-0.500**"
    assert body.iloc[1, 1] == "(0.100)"
    assert "Observations" in set(body.iloc[:, 0])
    latex = t.to_latex()
    assert latex.count(r"\toprule") == 1 and latex.count(r"\bottomrule") == 1
    assert latex.count("&") == 2 * (len(body) + 1)
    html = t.to_html()
    assert html.count("<tr>") == len(body) + 1


def test_regression_table_ci_form() -> None:
    t = regression_table([_r(1.0, 0.5)], lang="zh", stat="ci")
    lo, hi = 1.0 - 1.959964 * 0.5, 1.0 + 1.959964 * 0.5
    assert t.body.iloc[1, 1] == f"[{lo:.3f}, {hi:.3f}]"
    assert "置信区间" in t.notes[0]


def test_table_formats_columns() -> None:
    import pandas as pd

    t = table(pd.DataFrame({"a": ["x"], "b": [1234.5], "c": [0.25]}), digits={"b": 1}, percent=["c"])
    assert list(t.body.iloc[0]) == ["x", "1,234.5", "25.00%"]


def test_table_prints_as_aligned_text_with_caption_and_notes_cjk_counting_two_columns() -> None:
    from research_kit.report.tables import text_width

    t = regression_table([_r(1.2345, 0.1, cluster="县", n_clusters=9), _r(-0.5, 0.25)], lang="zh",
                         labels={"ATT": "平均处理效应"})
    t = type(t)(t.body, caption="表 1：回归结果", notes=t.notes)
    text = str(t)
    assert repr(t) == text and "body=" not in text and "DataFrame" not in text
    lines = text.splitlines()
    assert lines[0] == "表 1：回归结果"
    rules = [i for i, line in enumerate(lines) if line and set(line) == {"-"}]
    assert rules == [1, 3, 4 + len(t.body)]  # above and below the header, under the body
    assert lines[rules[2] + 1:] == list(t.notes) == ["括号内为标准误。"]
    header, body = lines[2], lines[4: rules[2]]
    width = text_width(lines[1])
    # the last column is right-aligned: every row that has a value there ends at the rule's display width,
    # although the header holds full-width characters and the first column Chinese labels
    full = [line for line, last in zip(body, t.body.iloc[:, -1], strict=True) if last]
    assert len(full) == 3 and {text_width(line) for line in full + [header]} == {width}
    assert len({len(line) for line in full}) > 1  # (character counts differ: the widths are display widths)
    assert body[0].split() == ["平均处理效应", "1.234", "-0.500"]


def test_text_width_counts_wide_characters_twice() -> None:
    from research_kit.report.tables import text_width

    assert (text_width("abc"), text_width("义乌市"), text_width("（1）"), text_width("é")) == (3, 6, 5, 1)
    import pandas as pd

    from research_kit.report.tables import Table

    t = Table(pd.DataFrame({"县": ["义乌市", "浦江县", "Jinhua"], "值": ["1.0", "22.50", "3"]}), caption="表 2")
    assert str(t).splitlines() == ["表 2", "-------------", "县         值", "-------------",
                                   "义乌市    1.0", "浦江县  22.50", "Jinhua      3", "-------------"]


def test_sentence_numbers_come_from_the_result() -> None:
    r = Result.from_arrays(["ATT"], [2.0], [0.5], nobs=1234, estimator="callaway_santanna")
    zh = sentence(r, lang="zh")
    en = sentence(r, lang="en")
    assert "2.00" in zh and "1.02" in zh and "2.98" in zh and "1,234" in zh
    assert "The Callaway–Sant'Anna estimate is 2.00" in en
    assert not re.search(r"[\u4e00-\u9fff]", en)


def test_chinese_figure_has_no_missing_glyphs() -> None:
    import matplotlib.pyplot as plt

    from research_kit.report import figure_png, use_theme

    use_theme()
    fig, ax = plt.subplots()
    ax.set_title("个体工商户外汇贷款余额（万美元）")
    ax.plot(np.arange(3), np.arange(3), label="义乌市")
    ax.legend()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = figure_png(fig)
    plt.close(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_regression_table_leaves_missing_uncertainty_blank() -> None:
    # e.g. synthetic control: a point estimate without a standard error
    r = Result.from_arrays(["ATT"], [-19.0], [float("nan")], nobs=38, estimator="synthetic_control")
    for stat in ("se", "ci"):
        body = regression_table([r], lang="en", stat=stat).body  # type: ignore[arg-type]
        assert body.iloc[0, 1] == "-19.000" and body.iloc[1, 1] == ""


def test_commit_comes_from_the_environment_when_given(monkeypatch) -> None:
    from research_kit.report.provenance import COMMIT_ENV, git_commit

    monkeypatch.setenv(COMMIT_ENV, "abc123def456")
    assert git_commit() == "abc123def456"
    monkeypatch.delenv(COMMIT_ENV)
    assert git_commit() != "abc123def456"
