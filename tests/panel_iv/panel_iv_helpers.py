"""Helpers shared by the panel / IV tests (a uniquely named module, not conftest)."""

from __future__ import annotations

#: The year dummies of WAGEPAN (1980 is the base year).
YEARS = " + ".join(f"d8{i}" for i in range(1, 8))


def assert_printed(value: float, printed: str, what: str = "") -> None:
    """``value`` rounds to the published ``printed`` number (as many decimals as printed)."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    tol = 0.5 * 10.0 ** (-decimals) + 1e-12
    assert abs(value - float(printed)) <= tol, f"{what}: {value!r} does not round to the published {printed}"
