"""Difference-in-differences: 2x2, two-way fixed effects, event studies and
Callaway--Sant'Anna (2021) group-time effects.

>>> import research_kit as rk
>>> sorted(rk.did.__all__)[:3]
['CallawaySantAnnaResult', 'CellSkippedWarning', 'DroppedUnitsWarning']
"""

from __future__ import annotations

from research_kit.did._panel import DroppedUnitsWarning
from research_kit.did.callaway_santanna import CallawaySantAnnaResult, CellSkippedWarning, callaway_santanna
from research_kit.did.event_study import event_study
from research_kit.did.twfe import two_by_two, twfe

__all__ = [
    "CallawaySantAnnaResult",
    "CellSkippedWarning",
    "DroppedUnitsWarning",
    "callaway_santanna",
    "event_study",
    "two_by_two",
    "twfe",
]
