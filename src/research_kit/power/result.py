"""The result of a power calculation: power or minimum detectable effect (MDE), with the design that gave it.

A power calculation is not a regression, so it has its own type. :class:`PowerResult` *is* the
number it solved for (a ``float`` subclass: ``mde_did(...) / sd``, ``f"{mde_did(...):.3f}"`` and
``round(power_did(...), 3)`` work as with a plain float) and carries typed fields: what was solved
for, power, effect, standard error, degrees of freedom, test size, direction and the design inputs.
``repr()`` is one line and ``summary()`` a compact table. :class:`SimulatedPower` adds the Monte Carlo
standard error, the mean estimate and one row per replication.

Vocabulary: ``alpha`` is the *size of the test* (the rejection probability under no effect), the name
every power function uses (as statsmodels' ``TTestIndPower`` and Stata's ``power``); it is not an
interval level, which is ``level=`` everywhere else in ``research_kit``.

Examples
--------
>>> from research_kit.power import mde_did
>>> m = mde_did(40, cluster_size=20, n_pre=6, n_post=6, icc=0.05, autocorr=0.5)
>>> m
<PowerResult did: MDE = 0.2330 at 80% power (two-sided test of size 0.05, t with 38 df; se 0.0810)>
>>> round(m, 3), m.solved_for, m.power, m.design["n_clusters"]
(0.233, 'mde', 0.8, 40)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from research_kit.results import Summary

__all__ = ["PowerResult", "SimulatedPower"]

Solved = Literal["power", "mde"]


def _g(x: float, digits: int = 4) -> str:
    return f"{x:.{digits}f}" if abs(x) >= 10 ** -digits or x == 0 else f"{x:.{digits}g}"


class PowerResult(float):
    """Power or minimum detectable effect of a design; the value is the solved quantity.

    Attributes
    ----------
    solved_for
        ``"power"`` (the value is the power at ``effect``) or ``"mde"`` (the value is the smallest
        effect detected with probability ``power``).
    power
        The power (computed, or the target when solving for the MDE).
    effect
        The true effect assumed (computed MDE when solving for it), in outcome units.
    std_error
        Standard error of the estimate under the design.
    df
        Degrees of freedom of the t test (None: normal).
    alpha
        Size of the test.
    alternative
        ``"two-sided"``, ``"larger"`` or ``"smaller"``.
    method
        The design: ``"did"``, ``"two_sample"``, ``"from_se"`` or ``"simulation"``.
    design
        The design inputs (number of clusters, cluster size, periods, ICC, ...).
    """

    solved_for: Solved
    power: float
    effect: float
    std_error: float
    df: float | None
    alpha: float
    alternative: str
    method: str
    design: Mapping[str, Any]

    def __new__(cls, value: float, *, solved_for: Solved, power: float, effect: float, std_error: float,
                df: float | None, alpha: float, alternative: str, method: str,
                design: Mapping[str, Any] | None = None, **more: Any) -> PowerResult:
        """Build the result (the power functions do this; ``more`` holds a subclass's fields)."""
        self = super().__new__(cls, float(value))
        fields = {"solved_for": solved_for, "power": float(power), "effect": float(effect),
                  "std_error": float(std_error), "df": None if df is None else float(df), "alpha": float(alpha),
                  "alternative": alternative, "method": method, "design": dict(design or {}), **more}
        for k, v in fields.items():
            object.__setattr__(self, k, v)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; compute a new one instead of setting {name!r}.")

    def __reduce__(self) -> tuple[Any, ...]:
        fields = {k: v for k, v in self.__dict__.items()}
        return (_rebuild, (type(self), float(self), fields))

    # ------------------------------------------------------------------ typed facts
    @property
    def value(self) -> float:
        """The solved quantity as a plain float (power, or the MDE)."""
        return float(self)

    @property
    def mde(self) -> float | None:
        """The minimum detectable effect (None when the calculation solved for power)."""
        return self.effect if self.solved_for == "mde" else None

    def _test(self) -> str:
        dist = "normal" if self.df is None else f"t with {self.df:g} df"
        return f"{self.alternative} test of size {self.alpha:g}, {dist}"

    # ------------------------------------------------------------------ output
    def __str__(self) -> str:
        return float.__repr__(self)

    def __format__(self, spec: str) -> str:
        return float.__format__(float(self), spec)

    def __repr__(self) -> str:
        if self.solved_for == "mde":
            head = f"MDE = {_g(self.effect)} at {self.power:.0%} power"
        else:
            head = f"power = {self.power:.3f} at effect {_g(self.effect)}"
        return f"<{type(self).__name__} {self.method}: {head} ({self._test()}; se {_g(self.std_error)})>"

    def _summary_rows(self) -> list[tuple[str, Any]]:
        return [("Solved for", "minimum detectable effect" if self.solved_for == "mde" else "power"),
                ("Power", self.power), ("Effect", self.effect), ("Std. error", self.std_error),
                ("Test", self._test())]

    def summary(self) -> Summary:
        """A compact table: the solved quantity, the test, and the design inputs."""
        design = pd.DataFrame({"": list(self.design), "Design": [_show(v) for v in self.design.values()]})
        return Summary(f"{type(self).__name__}: {self.method}", self._summary_rows(), design, [], digits=4)

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _show(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    if isinstance(v, np.ndarray):
        return f"{v.shape[0]}x{v.shape[1]} matrix" if v.ndim == 2 else str(v.tolist())
    return v


def _rebuild(cls: type[PowerResult], value: float, fields: dict[str, Any]) -> PowerResult:
    return cls(value, **fields)


class SimulatedPower(PowerResult):
    """Power of a design by simulation (:func:`~research_kit.power.simulate_power`); the value is the rejection rate.

    Attributes
    ----------
    mc_std_error
        Monte Carlo standard error of the power, ``sqrt(p (1 - p) / reps)``.
    mean_estimate, bias
        Mean of the estimates over the replications, and its difference from ``effect``.
    reps, seed
        Number of simulated panels; replication ``k`` used ``seed + k``.
    draws
        One row per replication: ``rep, estimate, std_error, p_value, reject``.
    estimator_warnings
        The distinct warnings of the estimator over the replications.

    ``std_error`` (of :class:`PowerResult`) is the mean standard error reported by the estimator.
    """

    mc_std_error: float
    mean_estimate: float
    bias: float
    reps: int
    seed: int
    draws: pd.DataFrame
    estimator_warnings: tuple[str, ...]

    @property
    def nobs(self) -> int:
        """Number of replications (the sample the power is estimated from)."""
        return int(self.reps)

    def __repr__(self) -> str:
        return (f"<SimulatedPower {self.design.get('estimator', 'simulation')}: power = {self.power:.3f} "
                f"(MC se {self.mc_std_error:.3f}) at effect {_g(self.effect)}; {self.reps:,} replications, "
                f"size {self.alpha:g}>")

    def _summary_rows(self) -> list[tuple[str, Any]]:
        return [("Power", self.power), ("Monte Carlo se", self.mc_std_error), ("Effect", self.effect),
                ("Mean estimate", self.mean_estimate), ("Bias", self.bias), ("Replications", self.reps),
                ("Seed", self.seed), ("Test", f"two-sided test of size {self.alpha:g}"),
                ("Estimator warnings", "; ".join(self.estimator_warnings) or None)]
