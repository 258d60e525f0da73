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
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["Result", "Summary", "TIDY_COLUMNS"]

TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]


def _fmt(x: Any, digits: int = 4) -> str:
    if isinstance(x, (float, np.floating)):
        if not np.isfinite(x):
            return ""
        return f"{x:.{digits}f}" if abs(x) >= 10 ** -digits or x == 0 else f"{x:.{digits}g}"
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return f"{x:,}"
    return str(x)


class Summary:
    """A compact, Stata/pyfixest-style summary of a result: prints as text, renders as HTML in notebooks.

    ``print(s)`` gives the text (so does ``s`` at a Python prompt), ``s.as_text()`` and ``s.as_html()``
    the two forms; ``s.settings`` holds (label, value) pairs, ``s.table`` the coefficient table and
    ``s.notes`` the lines under it (tests, N).
    """

    def __init__(self, title: str, settings: Sequence[tuple[str, Any]], table: pd.DataFrame,
                 notes: Sequence[str] = (), digits: int = 4) -> None:
        self.title = title
        self.settings = [(str(k), v) for k, v in settings if v is not None and v != ""]
        self.table = table
        self.notes = list(notes)
        self.digits = digits

    def _rows(self) -> list[list[str]]:
        return [[_fmt(v, self.digits) for v in row] for row in self.table.itertuples(index=False)]

    def as_text(self) -> str:
        """The summary as plain text (fixed-width columns)."""
        head = [str(c) for c in self.table.columns]
        rows = self._rows()
        widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(head)]
        rule = "-" * (sum(widths) + 2 * (len(widths) - 1))

        def line(cells: Sequence[str]) -> str:
            return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

        width = max((len(k) for k, _ in self.settings), default=0)
        out = [self.title, *(f"{k:<{width}}  {_fmt(v, self.digits)}" for k, v in self.settings), rule, line(head),
               rule, *(line(r) for r in rows), rule, *self.notes]
        return "\n".join(out)

    def as_html(self) -> str:
        """The summary as an HTML fragment (what a notebook shows)."""
        import html

        settings = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                           f"<td style='text-align:left'>{html.escape(_fmt(v, self.digits))}</td></tr>"
                           for k, v in self.settings)
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.table.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in self._rows())
        notes = "".join(f"<p style='margin:0'>{html.escape(n)}</p>" for n in self.notes)
        return (f"<div><p><b>{html.escape(self.title)}</b></p><table>{settings}</table>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}</div>")

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


_SETTINGS = (("vcov", "Std. errors"), ("cluster", "Clustered by"), ("n_clusters", "Clusters"),
             ("fixed_effects", "Fixed effects"), ("control_group", "Control group"), ("method", "Method"),
             ("r2", "R2"), ("r2_within", "R2 (within)"))


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

    def with_info(self, **info: Any) -> Self:
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

    def with_level(self, level: float) -> Self:
        """The same result with intervals at confidence ``level`` (t with the result's df, else normal).

        For results whose intervals are not ``estimate ± critical value × std_error`` (bootstrap bands,
        robust bias-corrected RD), ask the estimator for the level instead.
        """
        if level == self.level:
            return self
        dist = stats.norm if self.df is None else stats.t(self.df)
        crit = dist.ppf(0.5 + level / 2)
        table = self.table.copy()
        table["conf_low"] = table["estimate"] - crit * table["std_error"]
        table["conf_high"] = table["estimate"] + crit * table["std_error"]
        return replace(self, table=table, info={**self.info, "level": level})

    # ------------------------------------------------------------- typed facts
    @property
    def level(self) -> float:
        """Confidence level of the intervals (0.95 unless the estimator was asked otherwise)."""
        return float(self.info.get("level", 0.95))

    @property
    def df(self) -> float | None:
        """Degrees of freedom of the t reference distribution (None = normal)."""
        d = self.info.get("df")
        return None if d is None else float(d)

    @property
    def cluster(self) -> str | None:
        """Column(s) the standard errors are clustered on (None = not clustered)."""
        c = self.info.get("cluster")
        return None if c is None else (c if isinstance(c, str) else " + ".join(map(str, c)))

    @property
    def cluster_columns(self) -> tuple[str, ...]:
        """The clustering column(s) one by one (empty when not clustered)."""
        c = self.info.get("cluster")
        return () if c is None or c == "" else ((c,) if isinstance(c, str) else tuple(map(str, c)))

    @property
    def n_clusters(self) -> int | None:
        """Number of clusters (None when not clustered)."""
        n = self.info.get("n_clusters")
        return None if n is None else int(n)

    @property
    def vcov(self) -> str | None:
        """Variance type, e.g. ``"CRV1"``, ``"hetero"`` or ``"iid"``."""
        v = self.info.get("vcov")
        return None if v is None else str(v)

    @property
    def fixed_effects(self) -> tuple[str, ...]:
        """Absorbed fixed effects (empty when none)."""
        fe = self.info.get("fixed_effects") or ()
        return (fe,) if isinstance(fe, str) else tuple(map(str, fe))

    @property
    def r2(self) -> float | None:
        """R-squared where the estimator defines one."""
        r = self.info.get("r2")
        return None if r is None else float(r)

    @property
    def control_group(self) -> str | None:
        """Comparison units of a DiD estimator (``"never"``, ``"not_yet"``); None where it does not apply."""
        c = self.info.get("control_group")
        return None if c is None else str(c)

    @property
    def event_time(self) -> pd.DataFrame | None:
        """Event-time estimates of an event study or dynamic aggregation (None for other results).

        Columns: event_time, estimate, std_error, conf_low, conf_high, ...
        """
        frame = self.extra.get("event_time")
        return frame.copy() if isinstance(frame, pd.DataFrame) else None

    @property
    def covariance(self) -> np.ndarray | None:
        """Covariance matrix of the reported coefficients where the estimator stores it; None otherwise.

        Event studies: the estimated event times in the order of :attr:`event_time` (the reference period
        left out), then the overall ATT for Sun-Abraham and imputation.
        """
        v = self.extra.get("vcov_matrix")
        return None if v is None else np.array(v, dtype=float)

    @property
    def bootstrap_reps(self) -> int | None:
        """Bootstrap (or placebo) draws behind the inference; None when the inference is analytic."""
        n = self.info.get("reps", self.info.get("bootstrap"))
        return None if n is None or isinstance(n, bool) else int(n)

    @property
    def pretrend_test(self) -> dict[str, Any] | None:
        """Joint Wald test that the pre-treatment coefficients are zero (statistic, df, p_value), where computed."""
        t = self.info.get("pretrend", self.info.get("pretest"))
        return dict(t) if isinstance(t, dict) else None

    @property
    def distribution(self) -> str | None:
        """Reference distribution of a test statistic (e.g. ``"chi2(3)"``); None for estimates."""
        d = self.info.get("distribution")
        return None if d is None else str(d)

    @property
    def binned_window(self) -> tuple[int, int] | None:
        """(first, last) event time when the endpoints bin every earlier / later period; None when not binned."""
        window = self.info.get("window") if self.info.get("bin_endpoints") else None
        return None if window is None else (int(window[0]), int(window[1]))

    # ------------------------------------------------------------------ output
    def _summary_notes(self) -> list[str]:
        return [f"N = {self.nobs:,}; {self.level:.0%} confidence intervals"
                + ("" if self.df is None else f" (t with {self.df:g} df)")]

    def summary(self) -> Summary:
        """A compact table: estimator, settings (variance, clusters, fixed effects), coefficients, N."""
        settings: list[tuple[str, Any]] = []
        for key, label in _SETTINGS:
            value = self.info.get(key)
            if isinstance(value, (pd.DataFrame, np.ndarray, Mapping)):
                continue
            if isinstance(value, (list, tuple)):
                value = " + ".join(map(str, value)) or None
            settings.append((label, value))
        tab = self.tidy().rename(columns={"term": "", "estimate": "Estimate", "std_error": "Std. Error",
                                          "statistic": "t/z", "p_value": "Pr(>|t|)",
                                          "conf_low": f"{self.level:.0%} low", "conf_high": f"{self.level:.0%} high"})
        return Summary(f"{type(self).__name__}: {self.estimator}", settings, tab, self._summary_notes())

    def __str__(self) -> str:
        return str(self.summary())

    def __repr__(self) -> str:
        inference = ""
        if np.isfinite(self.std_error):
            inference = f" (se {_fmt(self.std_error)}"
            if np.isfinite(self.conf_low) and np.isfinite(self.conf_high):
                inference += f"; {self.level:.0%} CI {_fmt(self.conf_low)} to {_fmt(self.conf_high)}"
            inference += ")"
        return f"<{type(self).__name__} {self.estimator}: {self.term} = {_fmt(self.estimate)}{inference}, N = {self.nobs:,}>"

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """The natural picture of the result, on ``ax`` (or a new one); returns the Axes.

        An event-time result (event study, dynamic aggregation) draws its event-study plot;
        any other result a coefficient plot of its terms with their intervals. The user's
        matplotlib rcParams are unchanged.
        """
        from research_kit.report.figures import coef_plot, event_study_plot  # the plotting layer, at call time

        if self.event_time is not None:
            fig = event_study_plot(self, ax=ax, **kwargs)
            return ax if ax is not None else fig.axes[0]
        return coef_plot(self, ax=ax, **kwargs)
