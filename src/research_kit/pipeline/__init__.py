"""The flow of a paper: prepare → run (papermill) → render (Pandoc; Quarto when present) → publish.

``build`` is the project's main job: prepare the data, execute every variant in
``studies.yaml``, render the site.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Iterable

from research_kit.pipeline.publish import publish
from research_kit.pipeline.render import DEFAULT_FORMATS, SiteReport, render_site
from research_kit.pipeline.run import RunOutcome, finalize_notebook, run_variant
from research_kit.pipeline.studies import (
    ParameterError,
    Study,
    Variant,
    load_studies,
    notebook_parameters,
    parse_cli_value,
    validate_parameters,
)

__all__ = [
    "BuildReport", "ParameterError", "RunOutcome", "Study", "Variant", "build", "finalize_notebook",
    "DEFAULT_FORMATS", "SiteReport", "load_studies", "notebook_parameters", "parse_cli_value", "publish", "render_site", "run_studies",
    "run_variant", "validate_parameters",
]


@dataclass
class BuildReport:
    outcomes: list[RunOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if o.status != "ok"]


def run_studies(names: Iterable[str] | None = None, *, root: str | os.PathLike[str] | None = None,
                on_done: Callable[[RunOutcome], None] | None = None) -> BuildReport:
    """Execute every variant of the named studies (all when ``names`` is None)."""
    studies = load_studies(root)
    wanted = list(names) if names else list(studies)
    unknown = [n for n in wanted if n not in studies]
    if unknown:
        raise KeyError(f"unknown study {unknown}; studies.yaml lists {sorted(studies)}.")
    report = BuildReport()
    for name in wanted:
        for variant in studies[name].variants:
            outcome = run_variant(studies[name], variant, root=root)
            report.outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    return report


def build(*, root: str | os.PathLike[str] | None = None, on_done: Callable[[RunOutcome], None] | None = None) -> BuildReport:
    """prepare + run every configured study + render."""
    from research_kit import data

    data.prepare(root=root)
    report = run_studies(root=root, on_done=on_done)
    render_site(root, identifiers=data.identifier_values(root))
    return report
