"""research_kit: validated econometrics helpers, parameterized papers and a
publishing pipeline for the Jinhua open-economy financial services reform pilot.

Submodules load on first use, so ``import research_kit as rk`` is cheap::

    import research_kit as rk
    panel = rk.data.load("fx_loans")
    r = rk.did.twfe(panel, outcome="fx_loan_balance", unit="business_id", time="t", treat="treated")
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
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
    "datasets",
)

#: Old module paths kept working after a module moved: ``import research_kit.bootstrap`` and
#: ``from research_kit.bootstrap import ...`` give the module at its new place.
_MOVED = {
    "research_kit.bootstrap": "research_kit.inference.bootstrap",
    "research_kit.multitest": "research_kit.inference.multitest",
    "research_kit.simulate.rd": "research_kit.simulate.hedging_demo",
    "research_kit.simulate.synth": "research_kit.simulate.digital_rmb_demo",
}

__all__ = [*_SUBMODULES, "__version__"]


class _MovedLoader(importlib.abc.Loader):
    """Loads an old module path as the module at its new place (the same module object)."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.own = module.__spec__, module.__loader__  # the import system overwrites them with ours
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run (the target is executed); give the module back its own spec and loader."""
        module.__spec__, module.__loader__ = self.own


class _MovedFinder(importlib.abc.MetaPathFinder):
    """Finds the old paths of moved modules (see ``_MOVED``)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, _MovedLoader(_MOVED[fullname]))


if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
    sys.meta_path.append(_MovedFinder())


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(_MOVED.get(f"{__name__}.{name}", f"{__name__}.{name}"))
        globals()[name] = module
        return module
    raise AttributeError(f"module 'research_kit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
