"""The one result type every estimator returns.

A :class:`Result` is immutable. It holds a coefficient table (one row per term)
and the facts of the model that produced it (estimator, N, clusters, fixed
effects, variance type). Every table and plot in :mod:`research_kit.report` is
built from :meth:`Result.tidy`.

The *headline* term (``Result.term``) is what ``estimate``, ``std_error``,
``conf_low``, ``conf_high`` and ``p_value`` refer to; for a single-coefficient
estimator it is the only term.

Examples
--------
>>> import pandas as pd
>>> from research_kit.results import Result
>>> r = Result.from_arrays(["ATT"], [1.0], [0.5], nobs=100, estimator="demo")
>>> round(r.conf_low, 3)
0.02
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["Result", "TIDY_COLUMNS"]

TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]


@dataclass(frozen=True, eq=False)
class Result:
    """Estimates of one model.

    Parameters
    ----------
    table
        DataFrame with the :data:`TIDY_COLUMNS`, one row per term.
    nobs
        Number of observations used.
    estimator
        Short name, e.g. ``"twfe"`` or ``"callaway_santanna"``.
    term
        The headline term; defaults to the first row.
    info
        Model facts shown by tables (``fixed_effects``, ``cluster``, ``n_clusters``,
        ``vcov``, ``r2``, ``control_group``, ...).
    extra
        Estimator-specific objects (e.g. ``group_time`` for Callaway–Sant'Anna).
    """

    table: pd.DataFrame
    nobs: int
    estimator: str
    term: str | None = None
    info: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in TIDY_COLUMNS if c not in self.table.columns]
        if missing:
            raise ValueError(f"Result table lacks columns {missing}; it needs {TIDY_COLUMNS}.")
        if self.table.empty:
            raise ValueError("Result table has no rows.")
        if self.term is None:
            object.__setattr__(self, "term", str(self.table["term"].iloc[0]))
        elif self.term not in set(self.table["term"]):
            raise ValueError(f"headline term {self.term!r} is not in the table terms {list(self.table['term'])}.")

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_arrays(
        cls,
        terms: Sequence[str],
        estimates: Sequence[float] | np.ndarray,
        std_errors: Sequence[float] | np.ndarray,
        *,
        nobs: int,
        estimator: str,
        df: float | None = None,
        level: float = 0.95,
        conf_low: Sequence[float] | np.ndarray | None = None,
        conf_high: Sequence[float] | np.ndarray | None = None,
        p_values: Sequence[float] | np.ndarray | None = None,
        term: str | None = None,
        info: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Result:
        """Build a result from estimates and standard errors.

        Intervals and p-values use the t distribution with ``df`` degrees of
        freedom (normal when ``df`` is None), unless given explicitly.
        """
        est = np.asarray(estimates, dtype=float)
        se = np.asarray(std_errors, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = est / se
        dist = stats.norm if df is None else stats.t(df)
        crit = dist.ppf(0.5 + level / 2)
        p = 2 * dist.sf(np.abs(stat)) if p_values is None else np.asarray(p_values, dtype=float)
        lo = est - crit * se if conf_low is None else np.asarray(conf_low, dtype=float)
        hi = est + crit * se if conf_high is None else np.asarray(conf_high, dtype=float)
        table = pd.DataFrame(
            {
                "term": [str(t) for t in terms],
                "estimate": est,
                "std_error": se,
                "statistic": stat,
                "p_value": p,
                "conf_low": lo,
                "conf_high": hi,
            }
        )
        meta = dict(info or {})
        meta.setdefault("level", level)
        meta.setdefault("df", df)
        return cls(table=table, nobs=int(nobs), estimator=estimator, term=term, info=meta, extra=dict(extra or {}))

    def with_info(self, **info: Any) -> Result:
        """Return a copy with more model facts."""
        return replace(self, info={**self.info, **info})

    # ---------------------------------------------------------------- headline
    def _row(self) -> pd.Series:
        return self.table.loc[self.table["term"] == self.term].iloc[0]

    @property
    def estimate(self) -> float:
        """Point estimate of the headline term."""
        return float(self._row()["estimate"])

    @property
    def std_error(self) -> float:
        """Standard error of the headline term."""
        return float(self._row()["std_error"])

    @property
    def statistic(self) -> float:
        """Test statistic (t or z) of the headline term."""
        return float(self._row()["statistic"])

    @property
    def p_value(self) -> float:
        """p-value of the headline term."""
        return float(self._row()["p_value"])

    @property
    def conf_low(self) -> float:
        """Lower bound of the confidence interval of the headline term (at ``level``)."""
        return float(self._row()["conf_low"])

    @property
    def conf_high(self) -> float:
        """Upper bound of the confidence interval of the headline term (at ``level``)."""
        return float(self._row()["conf_high"])

    @property
    def params(self) -> pd.Series:
        """Estimates indexed by term (named like linearmodels' ``params``)."""
        return pd.Series(self.table["estimate"].to_numpy(), index=self.table["term"].to_numpy(), name="estimate")

    # ------------------------------------------------------------------ output
    def tidy(self) -> pd.DataFrame:
        """The coefficient table: term, estimate, std_error, statistic, p_value, conf_low, conf_high."""
        return self.table[TIDY_COLUMNS].copy()

    def summary(self) -> str:
        """A plain-text summary (model facts, then the coefficient table)."""
        lines = [f"{self.estimator}  (N = {self.nobs:,})"]
        for k, v in self.info.items():
            if k in {"level", "df"} or v is None or isinstance(v, (pd.DataFrame, np.ndarray)):
                continue
            lines.append(f"  {k}: {v}")
        tab = self.tidy()
        lines.append(tab.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"<Result {self.estimator}: {self.term} = {self.estimate:.4g} "
            f"(se {self.std_error:.4g}), N = {self.nobs}>"
        )

    def _repr_html_(self) -> str:
        head = f"<p><b>{self.estimator}</b> (N = {self.nobs:,})</p>"
        return head + self.tidy().to_html(index=False, float_format=lambda x: f"{x:.4f}")

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Coefficient plot of the terms with their intervals (see :mod:`research_kit.report`)."""
        from research_kit.report.figures import coef_plot  # the plotting layer, at call time

        return coef_plot(self, ax=ax, **kwargs)
