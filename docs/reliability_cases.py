"""Source of ``docs/reliability.md``: the bad-input and fault cases the project handles, each held by a test.

Rows come from two places:

* the parametrized grids of bad inputs in the tests (read from the test files with :mod:`ast`, so a case
  added to a grid appears here at the next run): ``prepare`` on malformed raw files, unreadable files, a
  malformed catalog, bad panels and options of the DiD estimators;
* :data:`ROWS`, written by hand for the cases held by a test of their own.

Usage::

    python docs/reliability_cases.py           # rewrite docs/reliability.md
    python docs/reliability_cases.py --check   # exit 1 when a named test does not exist or the file is stale

``tests/test_reliability_doc.py`` runs the check.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "reliability.md"


@dataclass(frozen=True)
class Case:
    area: str
    case: str
    outcome: str
    test: str  # tests/...py::test_name, optionally [param id] or (case shown in the grid)
    issue15: bool = False  # one of the twenty cases of issue 15 (fixed, with a test that failed before)


D, R, P, S, X, E = "Data", "Reading files", "Pipeline", "Publishing and the site", "Disclosure", "Estimators"

ROWS: list[Case] = [
    # ----------------------------------------------------------------- issue 15: disclosure
    Case(X, "a paper labels bars with business identifiers (GT000001…)",
         "kernels record every drawn text artist; the render fails naming notebook, cell and identifier; nothing "
         "is published", "tests/pipeline/test_disclosure_figures.py::test_identifiers_drawn_in_a_figure_stop_the_render",
         True),
    Case(X, "an identifier annotated in a figure saved with savefig and shown as an image",
         "recorded when matplotlib draws it; the render fails",
         "tests/pipeline/test_disclosure_figures.py::test_identifiers_drawn_in_a_figure_stop_the_render", True),
    Case(X, "`build` of a paper whose figure shows identifiers", "exit 2 with the disclosure message",
         "tests/pipeline/test_disclosure_figures.py::test_build_fails_on_a_figure_with_identifiers", True),
    Case(X, "a figure with aggregates only (county names)", "renders; the figure-text record is not published",
         "tests/pipeline/test_disclosure_figures.py::test_a_clean_figure_renders_and_its_text_is_recorded"),
    Case(X, "an identifier printed in a PDF", "the PDF's text layer is scanned; DisclosureError names the PDF and page",
         "tests/pipeline/test_disclosure_figures.py::test_pdfs_are_scanned", True),
    Case(X, "a PDF that cannot be read", "DisclosureError: a page that cannot be checked is not published",
         "tests/pipeline/test_disclosure_figures.py::test_pdfs_are_scanned"),
    Case(X, "disclosure error after a failed render", "names the page under reports/_site, not the deleted temporary "
         "folder", "tests/pipeline/test_disclosure_figures.py::"
         "test_the_disclosure_error_names_the_site_not_a_deleted_temporary_folder", True),
    # ----------------------------------------------------------------- issue 15: processes
    Case(P, "SIGKILL of `research-kit build` while notebooks run",
         "pool workers and kernels die with it (PR_SET_PDEATHSIG); no process survives",
         "tests/pipeline/test_reliability.py::test_killing_the_build_mid_run_leaves_no_process", True),
    Case(P, "SIGKILL of `research-kit build` while Pagefind indexes", "Pagefind dies with it",
         "tests/pipeline/test_reliability.py::test_killing_the_build_while_pagefind_runs_leaves_no_process", True),
    Case(P, "temporary rk-kernels-* folders of a killed run",
         "removed by the next run (their owner's lock is free)",
         "tests/pipeline/test_reliability.py::test_a_successful_run_leaves_no_temporary_folder", True),
    Case(P, "a successful run", "leaves no temporary folder",
         "tests/pipeline/test_reliability.py::test_a_successful_run_leaves_no_temporary_folder", True),
    Case(P, "cleaning while another run holds its temporary folder", "the folder is kept",
         "tests/pipeline/test_reliability.py::test_a_held_temporary_folder_is_not_cleaned"),
    Case(P, "a second `build` (or `prepare`) while one runs",
         "refused with exit 2 before anything is written (lock taken first)",
         "tests/pipeline/test_reliability.py::test_a_refused_concurrent_build_writes_nothing", True),
    # ----------------------------------------------------------------- issue 15: data
    Case(D, "registration month 2099年1月", "rejected: month after the delivery of the file (its modification month)",
         "tests/data/test_data_reliability.py::test_registration_month_after_the_delivery_is_rejected", True),
    Case(D, "loan month 2031-05", "rejected, naming line and value",
         "tests/data/test_data_reliability.py::test_loan_month_after_the_delivery_is_rejected", True),
    Case(D, "a month after the file's delivery month", "rejected; the message names the delivery month",
         "tests/data/test_data_reliability.py::test_the_delivery_date_is_the_files_modification_month"),
    Case(D, "a month outside the catalog's min/max", "rejected, naming the bound",
         "tests/data/test_data_reliability.py::test_catalog_min_and_max_bound_a_month_column"),
    Case(R, "CSV cut in the middle of a multibyte character",
         "error names line and byte, and the cause (truncated file, ask for it again)",
         "tests/data/test_data_reliability.py::test_truncated_multibyte_character_names_its_position_and_cause", True),
    Case(R, "GBK file with one UTF-8 line", "error names the line and says the file mixes encodings",
         "tests/data/test_data_reliability.py::test_gbk_file_with_one_utf8_line_names_the_line", True),
    Case(R, "quoted cells spanning several lines", "problems name the physical line of the file",
         "tests/data/test_data_reliability.py::test_line_numbers_are_physical_after_quoted_multiline_cells", True),
    Case(D, "Parquet bool column where numbers are expected", "rejected like XLSX TRUE",
         "tests/data/test_data_reliability.py::test_parquet_bool_in_a_numeric_column_is_rejected_like_xlsx_true", True),
    Case(D, "data/raw/MANIFEST deleted after it was used", "prepare stops; asks to restore it or run "
         "`research-kit manifest`", "tests/data/test_data_reliability.py::"
         "test_deleting_the_manifest_is_loud_and_asks_for_research_kit_manifest", True),
    Case(P, "raw file edited keeping its size, mtime restored", "build notices (hash cache keyed by size, mtime, "
         "inode and ctime) and runs again", "tests/pipeline/test_reliability.py::"
         "test_an_edit_that_keeps_size_and_mtime_is_noticed", True),
    Case(P, "a raw file only touched", "hashed again; same content, nothing re-runs",
         "tests/pipeline/test_reliability.py::test_file_hasher_rehashes_on_ctime_and_survives_a_touch"),
    Case(D, "`1,2345万美元` (4-digit group)", "malformed thousands separator, not 'unknown unit'",
         "tests/data/test_data_reliability.py::test_misplaced_thousands_separator_with_a_unit", True),
    Case(D, "`N/A` in a required column", "missing-value marker, the value shown",
         "tests/data/test_data_reliability.py::test_na_marker_is_shown_with_its_value", True),
    # ----------------------------------------------------------------- issue 15: publishing and the site
    Case(S, "`publish --to reports/_site/pub` (inside reports/)", "refused with a one-line message; nothing written",
         "tests/pipeline/test_reliability.py::test_publish_inside_reports_is_refused", True),
    Case(S, "publish target whose parent is a file", "clean message, exit 2, no traceback",
         "tests/pipeline/test_reliability.py::test_publish_target_under_a_file_gives_a_clean_message", True),
    Case(S, "publish v1, v2, rollback, publish v3, rollback", "ends on v1 (v2 was withdrawn): rollback follows "
         "publish.log", "tests/pipeline/test_reliability.py::test_rollback_follows_the_publish_log", True),
    Case(S, "rollback with publish.log deleted", "falls back to the next-older version",
         "tests/pipeline/test_reliability.py::test_rollback_without_a_log_goes_by_version_id"),
    Case(S, "a study removed from studies.yaml; a failed custom -p run", "both leave the site (kept in "
         "reports/archive); build exits 0", "tests/pipeline/test_reliability.py::"
         "test_removed_studies_and_failed_custom_runs_leave_the_site", True),
    Case(S, "the site reports a failed or stale paper", "`build` exits 1",
         "tests/pipeline/test_reliability.py::test_build_exits_non_zero_whenever_it_reports_a_failure", True),
    Case(P, "`--name $'ok\\n'` and other control characters", "refused (\\Z, control characters); nothing written",
         "tests/pipeline/test_reliability.py::test_names_with_control_characters_are_refused", True),
    Case(S, "two builds of the same site", "the embedded WOFF font bytes are identical (head.modified pinned)",
         "tests/pipeline/test_reliability.py::test_font_subsets_are_byte_identical_across_processes", True),
    # ----------------------------------------------------------------- handled before issue 15
    Case(D, "several problems in several files", "all listed at once, nothing written",
         "tests/data/test_data_prepare.py::test_malformed_input_is_rejected_with_exact_problems[several_problems_at_once]"),
    Case(D, "problems in CSV and XLSX", "rows named as CSV lines and Excel rows",
         "tests/data/test_data_prepare.py::test_problem_rows_are_reported_as_csv_lines_and_excel_rows"),
    Case(D, "24 offending rows", "all kept in the problem, ten shown",
         "tests/data/test_data_prepare.py::test_many_offending_rows_are_listed_in_full_but_shown_truncated"),
    Case(D, "exception while writing data/processed", "data/processed unchanged",
         "tests/data/test_data_store.py::test_exception_mid_write_leaves_processed_unchanged"),
    Case(D, "exception while moving files into place", "what was moved is rolled back",
         "tests/data/test_data_store.py::test_exception_while_moving_into_place_rolls_back"),
    Case(D, "prepare killed mid-write", "outputs intact; the next run removes the leftovers",
         "tests/data/test_data_store.py::test_killed_mid_write_leaves_outputs_and_next_run_cleans_up"),
    Case(D, "registering a changed raw file", "refused unless allow_changed",
         "tests/data/test_data_store.py::test_write_raw_manifest_refuses_changed_files_unless_allowed"),
    Case(D, "malformed MANIFEST line", "problem names the line",
         "tests/data/test_data_store.py::test_malformed_raw_manifest_line"),
    Case(D, "load() before prepare", "says to run prepare",
         "tests/data/test_data_store.py::test_load_missing_processed_tells_to_prepare"),
    Case(D, "load() of a misspelt dataset", "suggests the closest name",
         "tests/data/test_data_store.py::test_load_unknown_name_suggests"),
    Case(D, "raw file changed since prepare, then load()", "warns",
         "tests/data/test_data_store.py::test_load_warns_when_raw_changed_since_prepare"),
    Case(D, "raw files", "never modified by prepare",
         "tests/data/test_data_prepare.py::test_raw_files_are_never_modified"),
    Case(D, "catalog file missing", "FileNotFoundError naming it",
         "tests/data/test_data_catalog.py::test_missing_catalog"),
    Case(D, "problems across files of a glob", "each file named",
         "tests/data/test_data_catalog.py::test_custom_catalog_problems_across_files"),
    Case(R, "missing file", "FileNotFoundError naming it", "tests/data/test_data_readers.py::test_missing_file"),
    Case(R, "XLSX sheet index out of range / missing sheet", "names the sheets",
         "tests/data/test_data_readers.py::test_xlsx_sheet_by_index_and_missing_sheet"),
    Case(P, "a failing variant", "the others run; its last good paper stays; exit 1",
         "tests/pipeline/test_batch.py::test_a_failing_variant_does_not_stop_the_others_and_keeps_its_last_good_paper"),
    Case(P, "a notebook that kills its worker", "retried alone, then reported failed after 3 attempts",
         "tests/pipeline/test_batch.py::test_a_dying_worker_is_retried_then_reported"),
    Case(P, "a global leaking between notebooks", "every kernel is fresh",
         "tests/pipeline/test_batch.py::test_every_kernel_is_fresh_even_when_started_ahead"),
    Case(P, "wrong parameter type / unknown parameter", "rejected before anything runs",
         "tests/pipeline/test_batch.py::test_bad_parameters_are_rejected_before_anything_runs"),
    Case(P, "studies.yaml: duplicate variant, notebook outside, typo, long name", "named error",
         "tests/pipeline/test_batch.py::test_studies_yaml_mistakes_are_named"),
    Case(P, "`--name ../../evil`", "refused; values made into names keep safe characters",
         "tests/pipeline/test_batch.py::test_cli_custom_variant_names_cannot_escape"),
    Case(P, "edited notebook, parameters, data, source, paper", "the affected variants run again",
         "tests/pipeline/test_batch.py::test_what_invalidates_the_cache"),
    Case(P, "`run` with a failing variant", "exit 1, names it and its log",
         "tests/pipeline/test_batch.py::test_cli_run_exits_non_zero_and_names_the_failure"),
    Case(P, "a Dask worker dying mid-run", "retried or reported",
         "tests/pipeline/test_dask.py::test_a_worker_dying_mid_run_is_retried_or_reported"),
    Case(P, "Dask workers with another research_kit", "refused",
         "tests/pipeline/test_dask.py::test_workers_with_another_research_kit_are_refused"),
    Case(P, "shared-folder mode, workers see other data", "the variant fails naming the data hash",
         "tests/pipeline/test_dask.py::test_shared_folder_mode_checks_the_data_the_workers_see"),
    Case(P, "studies.yaml with an unknown parameter", "fails naming it",
         "tests/pipeline/test_studies.py::test_studies_yaml_with_unknown_parameter_fails"),
    Case(S, "a failed notebook", "the last good HTML stays, marked stale",
         "tests/pipeline/test_render.py::test_failed_notebook_keeps_last_good_html"),
    Case(S, "a .failed.ipynb beside the good one", "stale page + failure page",
         "tests/pipeline/test_render.py::test_failed_copy_beside_good_notebook"),
    Case(S, "a failure without a previous version", "failure page only",
         "tests/pipeline/test_render.py::test_failed_without_previous_version"),
    Case(S, "an unreadable notebook", "a failed paper, not a crash",
         "tests/pipeline/test_render.py::test_unreadable_notebook_is_a_failed_paper"),
    Case(S, "render interrupted", "the old site stays", "tests/pipeline/test_render.py::test_interrupted_render_leaves_old_site"),
    Case(S, "Pandoc fails on a paper", "error names the notebook",
         "tests/pipeline/test_render.py::test_pandoc_error_names_the_notebook"),
    Case(S, "a paper linking to a host", "ExternalReferenceError; site not swapped",
         "tests/pipeline/test_render.py::test_external_link_in_a_paper_raises"),
    Case(S, "a swap interrupted between its two renames", "recovered by the next render",
         "tests/pipeline/test_render.py::test_interrupted_swap_is_recovered"),
    Case(S, "unknown output format", "rejected", "tests/pipeline/test_render.py::test_bad_formats_are_rejected"),
    Case(S, "build killed mid-render", "repaired by the next build",
         "tests/pipeline/test_site_build.py::test_build_killed_mid_render_is_repaired_by_the_next_build"),
    Case(S, "a build with nothing changed", "executes and touches nothing",
         "tests/pipeline/test_site_build.py::test_no_change_rebuild_executes_and_touches_nothing"),
    Case(S, "a failing variant in build", "previous paper online, exit non-zero",
         "tests/pipeline/test_site_build.py::"
         "test_failing_variant_leaves_the_previous_paper_online_and_build_exits_non_zero"),
    Case(S, "publish interrupted mid-copy", "`current` stays on the previous version",
         "tests/pipeline/test_publish.py::test_interrupted_publish_leaves_the_previous_site"),
    Case(S, "readers during publishes", "never see a half-published site",
         "tests/pipeline/test_publish.py::test_a_reader_never_sees_a_half_published_site"),
    Case(S, "publish to a folder with a site written in place", "refused",
         "tests/pipeline/test_publish.py::test_refuses_a_folder_it_did_not_publish"),
    Case(S, "pruning with keep=1", "never removes the current version",
         "tests/pipeline/test_publish.py::test_pruning_never_removes_the_current_version"),
    Case(S, "rollback of a folder never published", "exit 2: does not exist",
         "tests/pipeline/test_publish.py::test_cli_publish_list_and_rollback"),
    Case(S, "rollback past the oldest kept version", "'nothing to roll back to'",
         "tests/pipeline/test_publish.py::test_publish_keeps_versions_and_rolls_back"),
    Case(X, "identifier in HTML text or a table cell", "found", "tests/report/test_disclosure.py::"
         "test_hits_in_plain_html_text_and_table_cell"),
    Case(X, "base64 image bytes that spell an identifier; SVG text", "no false hit; SVG text read",
         "tests/report/test_disclosure.py::test_no_false_hit_inside_a_base64_image_but_svg_text_is_read"),
    Case(X, "identifier split across DOCX runs or in a table", "found",
         "tests/report/test_disclosure.py::test_hits_in_docx_across_runs_and_in_a_table"),
    Case(X, "identifier in Markdown or notebook outputs", "found",
         "tests/report/test_disclosure.py::test_markdown_and_notebook_outputs"),
    Case(X, "identifiers with separators; short identifiers", "whole-token match; short ones skipped with a warning",
         "tests/report/test_disclosure.py::test_identifiers_with_separators_and_short_identifiers"),
    Case(X, "bad inputs to the scan", "named errors", "tests/report/test_disclosure.py::test_bad_inputs_to_the_scan"),
    Case(X, "a paper printing microdata in build", "the render refuses it",
         "tests/test_build.py::test_render_refuses_a_paper_that_prints_microdata"),
    Case(X, "safe_table with bad options", "rejected", "tests/report/test_disclosure.py::test_safe_table_rejects_bad_options"),
    Case(X, "rows with missing keys in safe_table", "dropped with a warning",
         "tests/report/test_disclosure.py::test_missing_keys_are_dropped_with_a_warning"),
    Case(E, "a single cluster", "rejected", "tests/did/test_bad_input.py::test_single_cluster_is_rejected"),
    Case(E, "units treated in the first period", "dropped with a warning",
         "tests/did/test_bad_input.py::test_units_treated_in_the_first_period_are_dropped_with_a_warning"),
    Case(E, "an unbalanced panel", "error says how to balance",
         "tests/did/test_bad_input.py::test_unbalanced_panel_error_says_how_to_balance"),
    Case(E, "treatment without variation", "not identified: error",
         "tests/did/test_bad_input.py::test_treatment_without_variation_is_not_identified"),
    Case(E, "panel: time column as text", "error with the pd.to_datetime fix",
         "tests/panel_iv/test_panel_iv_bad_input.py::test_time_column_must_be_numeric_or_datetime"),
    Case(E, "panel: duplicate entity-period pairs", "refused",
         "tests/panel_iv/test_panel_iv_bad_input.py::test_duplicate_entity_period_pairs_are_refused"),
    Case(E, "panel: missing column, not a DataFrame, formula not a string", "named errors",
         "tests/panel_iv/test_panel_iv_bad_input.py::test_missing_column_and_non_frame"),
    Case(E, "panel: unsupported cov_type, cluster and kernel options", "named errors",
         "tests/panel_iv/test_panel_iv_bad_input.py::test_cov_type_options_are_checked"),
    Case(E, "panel: EntityEffects in a FE formula, absorbed regressors", "error or warning naming them",
         "tests/panel_iv/test_panel_iv_bad_input.py::test_fe_formula_and_absorbed_regressors"),
    Case(E, "panel: missing values", "warning at the caller's line",
         "tests/panel_iv/test_panel_iv_bad_input.py::test_missing_values_warn_at_the_callers_line"),
    Case(E, "panel: no intercept, few clusters", "warnings",
         "tests/panel_iv/test_panel_iv_bad_input.py::test_no_intercept_and_few_clusters_warnings"),
    Case(E, "IV: bad formula and instruments", "named errors", "tests/panel_iv/test_panel_iv_bad_input.py::test_iv_input_errors"),
]


# ---------------------------------------------------------------------------- grids read from the tests

def _literal(node: ast.AST) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError):
        return None


def _module(rel: str) -> ast.Module:
    return ast.parse((ROOT / rel).read_text(encoding="utf-8"))


def _prepare_grid() -> list[Case]:
    rel = "tests/data/test_data_prepare.py"
    rows = []
    for node in ast.walk(_module(rel)):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "BAD" for t in node.targets):
            for call in node.value.elts:  # type: ignore[attr-defined]
                cid = _literal(call.args[0])
                expects = [e for e in ast.walk(call.args[2]) if isinstance(e, ast.Call)
                           and getattr(e.func, "id", "") == "Expect"]
                parts = []
                for e in expects:
                    file, column, lines, fragment = (_literal(a) for a in e.args[:4])
                    where = f"{file}" + (f", {column}" if column else "") + (f", rows {lines}" if lines else "")
                    parts.append(f"{where}: “{fragment}”")
                rows.append(Case(D, str(cid).replace("_", " "), "prepare stops, nothing written; " + "; ".join(parts),
                                 f"{rel}::test_malformed_input_is_rejected_with_exact_problems[{cid}]"))
    return rows


def _param_grid(rel: str, test: str, area: str, describe) -> list[Case]:  # type: ignore[no-untyped-def]
    """Rows of ``@pytest.mark.parametrize`` lists on ``test`` (each tuple described by ``describe``)."""
    rows = []
    for node in ast.walk(_module(rel)):
        if isinstance(node, ast.FunctionDef) and node.name == test:
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and len(deco.args) == 2 and isinstance(deco.args[1], ast.List):
                    for elt in deco.args[1].elts:
                        got = describe(elt)
                        if got:
                            rows.append(Case(area, got[0], got[1], f"{rel}::{test} (case: {got[0]})"))
    return rows


def _unreadable(elt: ast.AST) -> tuple[str, str] | None:
    name, blob, fragment = (_literal(x) for x in elt.elts)  # type: ignore[attr-defined]
    return f"{name} holding {blob!r}"[:60], f"ReadError: “{fragment}”"


def _catalog(elt: ast.AST) -> tuple[str, str] | None:
    old, new, fragment = (_literal(x) for x in elt.elts)  # type: ignore[attr-defined]
    shown = (new or f"without `{str(old).strip()}`").strip().replace("\n", " ")
    return f"catalog: {shown}"[:80], f"CatalogError: “{fragment}”"


def _did_data(elt: ast.AST) -> tuple[str, str] | None:
    est, corrupt = (getattr(x, "id", "?").strip("_") for x in elt.elts[:2])  # type: ignore[attr-defined]
    pattern = _literal(elt.elts[3])  # type: ignore[attr-defined]
    return f"{est}: {corrupt.replace('_', ' ')}", f"ValueError matching /{pattern}/"


def _did_options(elt: ast.AST) -> tuple[str, str] | None:
    pattern = _literal(elt.elts[1])  # type: ignore[attr-defined]
    src = ast.unparse(elt.elts[0]).removeprefix("lambda df: ")  # type: ignore[attr-defined]
    return src[:70], f"error matching /{pattern}/"


def _normalize(elt: ast.AST) -> tuple[str, str] | None:
    value, unit, _default, kind, fragment = (_literal(x) for x in elt.elts)  # type: ignore[attr-defined]
    return f"amount {value!r} in a {unit} column", f"ParseError {kind}: “{fragment}”"


def all_cases() -> list[Case]:
    return [
        *ROWS,
        *_prepare_grid(),
        *_param_grid("tests/data/test_data_readers.py", "test_unreadable_files", R, _unreadable),
        *_param_grid("tests/data/test_data_catalog.py", "test_malformed_catalog", D, _catalog),
        *_param_grid("tests/data/test_data_normalize.py", "test_parse_amount_errors", D, _normalize),
        *_param_grid("tests/did/test_bad_input.py", "test_bad_data_is_rejected_with_an_actionable_error", E, _did_data),
        *_param_grid("tests/did/test_bad_input.py", "test_bad_options_are_rejected", E, _did_options),
    ]


# ---------------------------------------------------------------------------- output and check

def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(cases: list[Case]) -> str:
    fixed = [c for c in cases if c.issue15]
    areas = list(dict.fromkeys(c.area for c in cases))
    lines = [
        "# Reliability: the bad inputs and faults the project handles",
        "",
        "Generated by `python docs/reliability_cases.py` from the tests (do not edit by hand; "
        "`tests/test_reliability_doc.py` checks that every test named here exists and that this file is current).",
        "",
        f"{len(cases)} cases, each held by a test. {len(fixed)} rows (marked **15**) are the cases of issue 15, "
        "which were handled badly before and now have a test that failed before the fix.",
        "",
        "| area | cases |", "|---|---|",
        *[f"| {a} | {sum(c.area == a for c in cases)} |" for a in areas],
        "",
    ]
    for area in areas:
        lines += [f"## {area}", "", "| # | case | what happens | test |", "|---|---|---|---|"]
        for i, c in enumerate((c for c in cases if c.area == area), 1):
            mark = " **15**" if c.issue15 else ""
            lines.append(f"| {i}{mark} | {_cell(c.case)} | {_cell(c.outcome)} | `{_cell(c.test)}` |")
        lines.append("")
    return "\n".join(lines)


def missing_tests(cases: list[Case]) -> list[str]:
    """Tests named in ``cases`` that do not exist (file, function, or explicit parameter id)."""
    bad = []
    for c in cases:
        m = re.fullmatch(r"(?P<file>[^:]+)::(?P<name>\w+)(?:\[(?P<id>[^\]]+)\])?(?: \(case: .*\))?", c.test)
        if m is None:
            bad.append(f"{c.test}: not file::test")
            continue
        path = ROOT / m["file"]
        if not path.is_file():
            bad.append(f"{c.test}: no file")
            continue
        names = {n.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(n, ast.FunctionDef)}
        if m["name"] not in names:
            bad.append(f"{c.test}: no test {m['name']}")
        elif m["id"] and f'"{m["id"]}"' not in path.read_text(encoding="utf-8"):
            bad.append(f"{c.test}: no case {m['id']}")
    return bad


def main(argv: list[str]) -> int:
    cases = all_cases()
    text = render(cases)
    problems = missing_tests(cases)
    if "--check" in argv:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            problems.append(f"{OUT} is not current: run python docs/reliability_cases.py")
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {len(cases)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
