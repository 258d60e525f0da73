"""Reporting layer: tables, figures, bilingual labels and sentences, provenance.

Every table and figure is built from :meth:`research_kit.results.Result.tidy`
or from aggregates; the library returns objects and never shows or prints.
"""

from research_kit.report.descriptive import DEFAULT_STATS, balance_frame, balance_table, descriptive_frame, descriptive_table
from research_kit.report.disclosure import (
    SCANNED_SUFFIXES,
    TOTAL,
    DisclosureError,
    DroppedRowsWarning,
    Hit,
    SafeTable,
    ShortIdentifierWarning,
    check_no_microdata,
    find_identifiers,
    safe_table,
    suppression_note,
)
from research_kit.report.figures import coef_plot, event_study_plot, figure_png, rollout_plot, show, trends_plot
from research_kit.report.labels import LABELS, Labels, check_lang, lower_first
from research_kit.report.provenance import git_commit, provenance, provenance_tables
from research_kit.report.tables import Table, format_amount, format_number, regression_table, table
from research_kit.report.text import META_MIME, front_matter, markdown, meta_from_outputs, sentence
from research_kit.report.theme import cjk_font_path, theme_context, use_theme

__all__ = [
    "DEFAULT_STATS", "SCANNED_SUFFIXES", "TOTAL", "DisclosureError", "DroppedRowsWarning", "Hit", "SafeTable",
    "ShortIdentifierWarning", "balance_frame", "balance_table", "check_no_microdata", "descriptive_frame",
    "descriptive_table", "find_identifiers", "safe_table", "suppression_note",
    "LABELS", "Labels", "META_MIME", "lower_first", "Table", "check_lang", "cjk_font_path", "coef_plot", "event_study_plot",
    "figure_png", "format_amount", "format_number", "front_matter", "git_commit", "markdown", "meta_from_outputs", "provenance",
    "provenance_tables", "regression_table", "rollout_plot", "sentence", "show", "table", "theme_context", "trends_plot", "use_theme",
]
