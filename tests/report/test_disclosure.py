"""Disclosure control: suppression patterns and the identifier scan, against hand-worked tables.

Reference for every pattern below: the rules written in the module docstring of
research_kit.report.disclosure, applied by hand (k = 5, dominance (1, 85%),
secondary suppression by the line heuristic: rows top to bottom, then columns
left to right, repeated until stable; complement = smallest non-empty
unsuppressed interior cell of the line). The working is written next to each case.
"""

from __future__ import annotations

import base64
import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from research_kit.report.disclosure import (
    TOTAL,
    DisclosureError,
    DroppedRowsWarning,
    SafeTable,
    ShortIdentifierWarning,
    check_no_microdata,
    find_identifiers,
    safe_table,
    suppression_note,
)

T, P, S, D = "threshold", "", "secondary", "dominance"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _counts_frame(counts: list[list[int]]) -> pd.DataFrame:
    """Microdata with ``counts[i][j]`` distinct units in cell (r{i}, c{j}); one row per unit."""
    rows, uid = [], 0
    for i, line in enumerate(counts):
        for j, c in enumerate(line):
            for _ in range(c):
                rows.append((f"r{i}", f"c{j}", f"GT{uid:06d}", 1.0))
                uid += 1
    return pd.DataFrame(rows, columns=["r", "c", "id", "y"])


def _pattern(st: SafeTable) -> list[list[str]]:
    return st.reason.to_numpy().tolist()


# --------------------------------------------------------------------------- primary by count, secondary
def test_threshold_then_secondary_in_row_and_column_one_round() -> None:
    # interior counts; margins: rows 16, 23, 27; columns 19, 27, 20; grand 66
    #        c0  c1  c2
    # r0      3   6   7     (0,0) has 3 < 5 units -> threshold
    # r1      6   9   8
    # r2     10  12   5     5 is not < 5 -> published
    # pass 1, rows: r0 holds one suppressed cell -> smallest of (0,1)=6, (0,2)=7 -> (0,1)
    #         columns: c0 holds (0,0) only -> smallest of (1,0)=6, (2,0)=10 -> (1,0)
    #                  c1 holds (0,1) only -> smallest of (1,1)=9, (2,1)=12 -> (1,1)
    # pass 2: every line has 0 or 2 suppressed cells -> stop; 1 pass added cells
    st = safe_table(_counts_frame([[3, 6, 7], [6, 9, 8], [10, 12, 5]]), rows="r", cols="c", unit_id="id")
    assert _pattern(st) == [
        [T, S, P, P],
        [S, S, P, P],
        [P, P, P, P],
        [P, P, P, P],
    ]
    assert st.rounds == 1
    assert st.values.loc["r0", TOTAL] == 16 and st.values.loc[TOTAL, TOTAL] == 66
    assert st.values.loc[TOTAL, "c1"] == 27
    assert st.primary.to_numpy().sum() == 1 and st.secondary.to_numpy().sum() == 3
    pub = st.published
    assert np.isnan(pub.loc["r0", "c0"]) and np.isnan(pub.loc["r1", "c1"]) and pub.loc["r2", "c2"] == 5


def test_secondary_iteration_needs_two_rounds() -> None:
    #        c0  c1  c2
    # r0      2  10  20    (0,0) threshold
    # r1      8  30  40
    # r2      9  15  50
    # pass 1, rows: r0 -> smallest of 10, 20 -> (0,1)
    #         columns: c0 has (0,0) -> smallest of (1,0)=8, (2,0)=9 -> (1,0)
    #                  c1 has (0,1) -> smallest of (1,1)=30, (2,1)=15 -> (2,1)
    # pass 2, rows: r1 has only (1,0) -> smallest of (1,1)=30, (1,2)=40 -> (1,1)
    #               r2 has only (2,1) -> smallest of (2,0)=9, (2,2)=50 -> (2,0)
    #         columns: c0 has 3, c1 has 3 -> fine
    # pass 3: no change -> 2 passes added cells
    st = safe_table(_counts_frame([[2, 10, 20], [8, 30, 40], [9, 15, 50]]), rows="r", cols="c", unit_id="id")
    assert _pattern(st) == [
        [T, S, P, P],
        [S, S, P, P],
        [S, S, P, P],
        [P, P, P, P],
    ]
    assert st.rounds == 2


def test_one_way_table_threshold_and_complement() -> None:
    # counts A 6, B 2, C 9; total 17. B is primary; the column line [A, B, C, Total] then holds one
    # suppressed cell -> smallest of A=6, C=9 -> A
    df = _counts_frame([[6], [2], [9]])
    st = safe_table(df, rows="r", unit_id="id")
    assert st.reason["count"].tolist() == [S, T, P, P]
    assert st.values["count"].tolist() == [6, 2, 9, 17]


def test_margin_cells_are_checked_and_empty_cells_are_neither_suppressed_nor_complements() -> None:
    #        c0  c1  c2  | T
    # r0      9  10   1  | 20      (0,2) threshold
    # r1      8   7   2  | 17      (1,2) threshold
    # r2      6   9   0  | 15      (2,2) empty: published as 0, never a complement
    # T      23  26   3  | 52      (T,c2) has 3 units -> threshold
    # rows: r0 has (0,2) only -> smallest of (0,0)=9, (0,1)=10 -> (0,0)
    #       r1 has (1,2) only -> smallest of (1,0)=8, (1,1)=7 -> (1,1)
    #       r2 none; total row has (T,c2) only -> smallest of (T,c0)=23, (T,c1)=26 -> (T,c0)
    # columns: c0 has (0,0), (T,c0) = 2; c1 has (1,1) only -> smallest of (0,1)=10, (2,1)=9 -> (2,1)
    #          c2 has 3; total column none
    # pass 2: r2 has (2,1) only -> smallest non-empty of (2,0)=6 -> (2,0); c0 now 3; stop.
    df = _counts_frame([[9, 10, 1], [8, 7, 2], [6, 9, 0]])
    st = safe_table(df, rows="r", cols="c", unit_id="id")
    assert _pattern(st) == [
        [S, P, T, P],
        [P, S, T, P],
        [S, S, P, P],
        [S, P, T, P],
    ]
    assert st.values.loc["r2", "c2"] == 0 and st.units.loc[TOTAL, "c2"] == 3
    # Without margins the totals count as published elsewhere: interior lines only.
    # rows: r0 -> (0,0); r1 -> (1,1); r2 none; columns: c0 (0,0) only -> smallest of (1,0)=8, (2,0)=6 -> (2,0)
    #       c1 (1,1) only -> smallest of (0,1)=10, (2,1)=9 -> (2,1); pass 2: r2 has 2; c0, c1 have 2; stop.
    st2 = safe_table(df, rows="r", cols="c", unit_id="id", margins=False)
    assert _pattern(st2) == [
        [S, P, T],
        [P, S, T],
        [S, S, P],
    ]
    assert TOTAL not in st2.values.index and TOTAL not in st2.values.columns


def test_units_are_distinct_ids_not_rows() -> None:
    # 3 businesses observed 4 months each in one cell: 12 rows but 3 units -> suppressed
    df = pd.DataFrame({"r": ["a"] * 12 + ["b"] * 5, "id": [f"U{i % 3}" for i in range(12)] + list("VWXYZ")})
    st = safe_table(df, rows="r", unit_id="id", k=5)
    assert st.units["count"].tolist() == [3, 5, 8]
    assert st.reason["count"].tolist() == [T, S, P]


# --------------------------------------------------------------------------- dominance
def _sum_frame(cells: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for cell, contribs in cells.items():
        for j, v in enumerate(contribs):
            rows.append((cell, f"{cell}{j}", v))
    return pd.DataFrame(rows, columns=["r", "id", "y"])


def test_dominance_primary_and_its_complement() -> None:
    # a: 90 of 100 -> 90 > 0.85 * 100 -> dominance; b: 85 of 100 -> 85 is not > 85 -> published
    # c: 5 x 10 = 50, d: 6 x 30 = 180. Total 430 (21 units, largest 90: 21%).
    # column line: one suppressed -> smallest |total| of b=100, c=50, d=180 -> c
    df = _sum_frame({"a": [90, 5, 3, 1, 1], "b": [85, 5, 5, 3, 2], "c": [10] * 5, "d": [30] * 6})
    st = safe_table(df, rows="r", value="y", unit_id="id", agg="sum")
    assert st.reason["y"].tolist() == [D, P, S, P, P]
    assert st.values["y"].tolist() == [100, 100, 50, 180, 430]
    # the means are suppressed exactly where the sums are; mean of d = 30, of the total 430 / 21
    sm = safe_table(df, rows="r", value="y", unit_id="id", agg="mean")
    assert sm.reason["y"].tolist() == [D, P, S, P, P]
    np.testing.assert_allclose(sm.values["y"].to_numpy(), [20, 20, 10, 30, 430 / 21])
    # a lower p makes b dominated too (85 > 0.8 * 100); two suppressed cells need no complement
    st80 = safe_table(df, rows="r", value="y", unit_id="id", agg="sum", dominance_p=0.80)
    assert st80.reason["y"].tolist() == [D, D, P, P, P]
    off = safe_table(df, rows="r", value="y", unit_id="id", agg="sum", dominance_p=None)
    assert off.reason["y"].tolist() == [P] * 5


def test_dominance_uses_each_units_total_and_n_largest() -> None:
    # one business with two rows of 50 and 40 in cell a: its contribution is 90 of 100 -> dominated,
    # although no single row exceeds 85%.
    df = pd.DataFrame({"r": ["a"] * 5 + ["b"] * 5, "id": ["X", "X", "Y", "Z", "W"] + list("FGHIJ"),
                       "y": [50, 40, 4, 3, 3, 20, 20, 20, 20, 20]})
    df = pd.concat([df, pd.DataFrame({"r": ["a"], "id": ["V"], "y": [0.0]})])  # a now has 5 units
    st = safe_table(df, rows="r", value="y", unit_id="id", agg="sum")
    assert st.units["y"].tolist() == [5, 5, 10]
    assert st.reason["y"].tolist() == [D, S, P]
    # (2, 85%) rule: two largest units of cell c = 50 + 40 of 100 > 85 -> dominated; (1, 85%) not
    c = _sum_frame({"c": [50, 40, 4, 3, 3], "e": [20] * 5})
    assert safe_table(c, rows="r", value="y", unit_id="id", agg="sum").reason["y"].tolist() == [P, P, P]
    assert safe_table(c, rows="r", value="y", unit_id="id", agg="sum",
                      dominance_n=2).reason["y"].tolist() == [D, S, P]


# --------------------------------------------------------------------------- formatting
def test_to_table_symbols_notes_and_languages() -> None:
    st = safe_table(_counts_frame([[3, 6, 7], [6, 9, 8], [10, 12, 5]]), rows="r", cols="c", unit_id="id")
    extra = {"r": {"zh": "县", "en": "County"}, "c0": {"zh": "甲", "en": "A"}}
    en = st.to_table(lang="en", extra=extra)
    assert list(en.body.columns) == ["County", "A", "c1", "c2", "Total"]
    assert en.body.iloc[0].tolist() == ["r0", "×", "×", "7", "16"]
    assert en.body.iloc[3].tolist() == ["Total", "19", "27", "20", "66"]
    text = en.to_markdown() + en.to_html()
    assert not CJK.search(text)
    assert "fewer than 5 units" in text
    zh = st.to_table(lang="zh", extra=extra, symbol="…")
    assert list(zh.body.columns) == ["县", "甲", "c1", "c2", "合计"]
    assert zh.body.iloc[1].tolist() == ["r1", "…", "…", "8", "23"]
    assert "少于 5 个" in zh.to_markdown()
    # the notebook display never shows a suppressed value (3 units in (r0, c0))
    assert "| r0 | × | × | 7 | 16 |" in st._repr_markdown_()
    assert "r0" not in repr(st) and "suppressed=4" in repr(st)


def test_sum_table_note_names_the_dominance_rule() -> None:
    df = _sum_frame({"a": [90, 5, 3, 1, 1], "c": [10] * 5, "d": [30] * 6})
    t = safe_table(df, rows="r", value="y", unit_id="id", agg="sum").to_table(lang="en", digits=0)
    assert t.body.iloc[:, 1].tolist() == ["×", "×", "180", "330"]
    assert "more than 85% of the cell total" in " ".join(t.notes)
    assert suppression_note("zh", k=3, dominance_p=0.9).count("90%") == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"agg": "median"}, ValueError, r"agg must be one of \['count', 'sum', 'mean'\]"),
        ({"agg": "sum", "value": "y", "dominance_p": 85}, ValueError, "fraction"),
        ({"value": "y"}, ValueError, "not used with agg='count'"),
        ({"agg": "mean"}, ValueError, "needs value="),
        ({"k": 0}, ValueError, "positive integer"),
        ({"cols": "nope"}, KeyError, "nope"),
    ],
)
def test_safe_table_rejects_bad_options(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        safe_table(_counts_frame([[5]]), rows="r", unit_id="id", **kwargs)


def test_missing_keys_are_dropped_with_a_warning() -> None:
    df = _counts_frame([[5], [5]])
    df.loc[0, "r"] = None
    with pytest.warns(DroppedRowsWarning, match="1 rows"):
        st = safe_table(df, rows="r", unit_id="id")
    assert st.values["count"].tolist() == [4, 5, 9]


# --------------------------------------------------------------------------- identifier scan
IDS = ["GT000123", "GT000124", "GT000125", "GT000126", "GT000127"]
# base64 text that contains "/GT000123/" between non-alphanumerics: a token scan of the raw page would hit it
PAYLOAD = "iVBORw0KGgo/GT000123/AAAAAAA"
assert base64.b64encode(base64.b64decode(PAYLOAD)).decode() == PAYLOAD


def test_hits_in_plain_html_text_and_table_cell(tmp_path) -> None:
    page = tmp_path / "paper.html"
    page.write_text(
        "<html><body><p>Largest borrower: GT000123, in Yiwu.</p>"
        "<table><tr><td>gt000124</td><td>12.5</td></tr><tr><td>GT0001250</td><td>XGT000126</td></tr></table>"
        "<p>&#71;T000127 &amp; co</p></body></html>", encoding="utf-8")
    hits = find_identifiers(page, IDS)
    assert [(h.identifier, h.count) for h in hits] == [("GT000123", 1), ("GT000124", 1), ("GT000127", 1)]
    assert hits[0].source == str(page) and "Largest borrower" in hits[0].context
    # case-sensitive search misses the lower-case cell
    assert [h.identifier for h in find_identifiers(page, IDS, case_sensitive=True)] == ["GT000123", "GT000127"]


def test_no_false_hit_inside_a_base64_image_but_svg_text_is_read() -> None:
    page = f'<p>Figure 1</p><img src="data:image/png;base64,{PAYLOAD}" alt="fig">'
    assert find_identifiers(page, IDS) == []
    # control: the same characters outside a data URI are a hit, so the test above can fail
    assert [h.identifier for h in find_identifiers(f"<p>{PAYLOAD}</p>", IDS)] == ["GT000123"]
    svg = base64.b64encode(b"<svg><text x='1'>GT000125</text></svg>").decode()
    hits = find_identifiers(f'<img src="data:image/svg+xml;base64,{svg}">', IDS)
    assert [(h.identifier, h.part) for h in hits] == [("GT000125", "data:image/svg+xml")]


def test_hits_in_docx_across_runs_and_in_a_table(tmp_path) -> None:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    p = doc.add_paragraph("Business ")
    p.add_run("GT000")
    p.add_run("126").bold = True  # Word splits the identifier over two runs
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "GT000124"
    table.cell(0, 1).text = "5.0"
    doc.add_paragraph("GT000")  # paragraph ends: must not join the next paragraph's text
    doc.add_paragraph("123")
    path = tmp_path / "paper.docx"
    doc.save(path)
    hits = find_identifiers(path, IDS)
    assert [(h.identifier, h.part) for h in hits] == [("GT000124", "word/document.xml"),
                                                       ("GT000126", "word/document.xml")]


def test_markdown_and_notebook_outputs(tmp_path) -> None:
    md = tmp_path / "paper.md"
    md.write_text(f"| id | y |\n|---|---|\n| GT000125 | 3 |\n\n![](data:image/png;base64,{PAYLOAD})\n")
    nb = {"cells": [{"cell_type": "code", "source": ["x = 1"], "metadata": {}, "outputs": [
        {"output_type": "display_data", "metadata": {},
         "data": {"image/png": PAYLOAD, "text/plain": ["<Figure>"]}},
        {"output_type": "execute_result", "metadata": {}, "execution_count": 1,
         "data": {"text/html": ["<td>GT000127</td>"], "text/plain": ["GT000127"]}},
    ]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "paper.ipynb").write_text(json.dumps(nb))
    (tmp_path / "figure.png").write_bytes(base64.b64decode(PAYLOAD))  # not a scanned suffix
    hits = find_identifiers(tmp_path, IDS)
    assert [(h.source.rsplit("/", 1)[-1], h.part, h.identifier, h.count) for h in hits] == [
        ("paper.ipynb", "cell 0", "GT000127", 2),
        ("paper.md", "", "GT000125", 1),
    ]


def test_identifiers_with_separators_and_short_identifiers() -> None:
    text = "Loans to (GT-000123). Also GT-000124-2 and GT-0001250; and 12345."
    with pytest.warns(ShortIdentifierWarning, match="1 identifiers shorter than 6"):
        hits = find_identifiers(text, ["GT-000123", "GT-000124", "GT-000125", "12345"])
    assert [h.identifier for h in hits] == ["GT-000123", "GT-000124"]
    assert [h.identifier for h in find_identifiers(text, ["12345"], min_length=5)] == ["12345"]
    # short codes that mix letters and digits are no ordinary numbers or words: searched, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", ShortIdentifierWarning)
        hits = find_identifiers("firms F0001 and F00012; model F1; year 2025", ["F0001", "F0002"])
    assert [h.identifier for h in hits] == ["F0001"]
    with pytest.warns(ShortIdentifierWarning, match="1 identifiers shorter than 6"):  # "F1" is too short
        find_identifiers("x", ["F0001", "F1"])
    # a non-ASCII identifier goes through the alternation path
    assert [h.identifier for h in find_identifiers("客户：张三商行GT9", ["张三商行GT9"], min_length=3)] == ["张三商行GT9"]


def test_check_no_microdata_raises_naming_file_and_identifier(tmp_path) -> None:
    site = tmp_path / "_site"
    (site / "papers").mkdir(parents=True)
    (site / "index.html").write_text(f"<p>N = 1,234</p><img src='data:image/png;base64,{PAYLOAD}'>")
    scanned = check_no_microdata(site, pd.Series(IDS))
    assert [p.name for p in scanned] == ["index.html"]
    (site / "papers" / "fx.html").write_text("<table><tr><td>GT000126</td><td>3.2</td></tr></table>")
    with pytest.raises(DisclosureError, match=r"'GT000126' found in .*papers/fx\.html") as err:
        check_no_microdata(site, IDS)
    assert err.value.hits[0].identifier == "GT000126"
    with pytest.raises(FileNotFoundError, match="render the site"):
        check_no_microdata(tmp_path / "nowhere", IDS)


def test_scan_handles_1e5_identifiers_and_megabytes_of_html() -> None:
    rng = np.random.default_rng(7)
    ids = [f"GT{i:06d}" for i in range(100_000)]
    image = base64.b64encode(rng.integers(0, 256, 1_500_000, dtype=np.uint8).tobytes()).decode()
    words = np.array(["金华", "loan", "12,345.6", "<td>", "</td>", "x.y", "GTX", "GT12345"])
    text = " ".join(words[rng.integers(0, len(words), 250_000)])
    page = f'<img src="data:image/png;base64,{image}"><p>{text}</p><td>GT099999</td>'
    assert len(page) > 3_000_000
    hits = find_identifiers(page, ids)
    assert [h.identifier for h in hits] == ["GT099999"]  # one hit, none inside the image payload


def test_bad_inputs_to_the_scan(tmp_path) -> None:
    with pytest.raises(TypeError, match="not a single string"):
        find_identifiers("GT000123", "GT000123")
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    # PDFs are scanned through their text layer now; one that cannot be read is never published
    with pytest.raises(RuntimeError, match=r"cannot read .*paper\.pdf to check it for business identifiers"):
        find_identifiers(pdf, IDS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert find_identifiers("", IDS) == []
