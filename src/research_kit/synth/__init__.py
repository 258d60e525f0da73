"""Synthetic control and synthetic difference-in-differences.

Synthetic control (Abadie, Diamond & Hainmueller 2010) with placebo inference, and synthetic
difference-in-differences (Arkhangelsky et al. 2021).

>>> from research_kit import synth
>>> sorted(synth.__all__)[:3]
['DroppedDonorsWarning', 'PlaceboResult', 'PoorPreFitWarning']
"""

from __future__ import annotations

from research_kit.synth._data import DroppedDonorsWarning
from research_kit.synth.control import (
    PoorPreFitWarning,
    Predictor,
    SyntheticControlResult,
    synthetic_control,
)
from research_kit.synth.placebo import PlaceboResult, in_time_placebo, placebo_test
from research_kit.synth.sdid import SyntheticDiDResult, synthetic_did

__all__ = [
    "DroppedDonorsWarning",
    "PlaceboResult",
    "PoorPreFitWarning",
    "Predictor",
    "SyntheticControlResult",
    "SyntheticDiDResult",
    "in_time_placebo",
    "placebo_test",
    "synthetic_control",
    "synthetic_did",
]
