"""Difference-in-differences estimators.

2x2, two-way fixed effects, event studies (TWFE,
Sun--Abraham, Callaway--Sant'Anna, imputation), Callaway--Sant'Anna (2021)
group-time effects and the Goodman-Bacon (2021) decomposition.

>>> import research_kit as rk
>>> sorted(rk.did.__all__)[:3]
['BACON_TYPES', 'BaconTable', 'CallawaySantAnnaResult']
"""

from __future__ import annotations

from typing import Any

from research_kit.did.bacon import BACON_TYPES, BaconTable, bacon_decomposition, bacon_summary
from research_kit.did.callaway_santanna import CallawaySantAnnaResult, CellSkippedWarning, callaway_santanna
from research_kit.did.event_study import event_study
from research_kit.did.honest import METHODS as HONEST_METHODS
from research_kit.did.honest import (
    HonestGridWarning,
    HonestTable,
    event_times_without_se,
    honest_breakdown,
    honest_did,
    honest_rm,
    rm_identified_set,
)
from research_kit.did.imputation import NotImputableWarning, imputation
from research_kit.did.sun_abraham import sun_abraham
from research_kit.did.twfe import twfe, two_by_two
from research_kit.tabular.encode import DroppedUnitsWarning

__all__ = [
    "BACON_TYPES",
    "CallawaySantAnnaResult",
    "CellSkippedWarning",
    "HONEST_METHODS",
    "HonestGridWarning",
    "DroppedUnitsWarning",
    "NotImputableWarning",
    "BaconTable",
    "HonestTable",
    "bacon_decomposition",
    "bacon_plot",
    "bacon_summary",
    "callaway_santanna",
    "event_study",
    "event_times_without_se",
    "honest_breakdown",
    "honest_did",
    "honest_plot",
    "honest_rm",
    "imputation",
    "rm_identified_set",
    "sun_abraham",
    "two_by_two",
    "twfe",
]


def __getattr__(name: str) -> Any:
    """Plots live in the plotting layer (:mod:`research_kit.report.did_plots`), loaded on first use."""
    if name in ("bacon_plot", "honest_plot"):
        from research_kit.report import did_plots

        return getattr(did_plots, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
