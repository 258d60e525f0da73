"""research_kit: validated econometrics helpers, parameterized papers and a
publishing pipeline for the Jinhua open-economy financial services reform pilot.

Submodules load on first use, so ``import research_kit as rk`` is cheap::

    import research_kit as rk
    panel = rk.data.load("fx_loans")
    r = rk.did.twfe(panel, outcome="fx_loan_balance", unit="business_id", time="t", treat="treated")
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = (
    "paths",
    "data",
    "simulate",
    "did",
    "rd",
    "synth",
    "panel",
    "iv",
    "timeseries",
    "power",
    "studies",
    "inference",
    "bootstrap",
    "multitest",
    "results",
    "report",
    "pipeline",
    "cli",
    "lab",
)

__all__ = [*_SUBMODULES, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'research_kit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
