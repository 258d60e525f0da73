"""Synthetic control of Abadie, Diamond and Hainmueller (2010).

One treated unit is compared with a weighted average of donor units, the
weights W on the simplex chosen so that the synthetic unit matches the treated
unit's predictors; the predictor weights V are chosen, as in R ``Synth``, to
minimise the pre-treatment outcome MSPE (the nested optimisation, see
:mod:`research_kit.synth._qp`). Without predictors, W minimises the
pre-treatment outcome MSPE directly.

The headline estimate is the mean post-treatment gap between the treated unit
and its synthetic control. A synthetic control has no sampling standard error;
inference is by permutation (:meth:`SyntheticControlResult.placebo_test`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from research_kit.inference import warn_user
from research_kit.results import Result
from research_kit.synth._data import (
    DroppedDonorsWarning,
    WidePanel,
    as_unit_list,
    check_option,
    format_periods,
    locate_period,
    unknown_periods,
    wide_panel,
)
from research_kit.synth._qp import Inner, fit_v, scale_predictors, simplex_least_squares

__all__ = ["PoorPreFitWarning", "Predictor", "SyntheticControlResult", "synthetic_control"]

VSearch = Literal["global", "synth"]
PlotKind = Literal["both", "paths", "gap"]


class PoorPreFitWarning(UserWarning):
    """The synthetic control tracks the treated unit's pre-treatment outcomes worse than their own mean does."""


@dataclass(frozen=True)
class Predictor:
    """One predictor: the mean of ``column`` over ``periods`` (missing values ignored, as R ``Synth``).

    ``periods=None`` uses the default predictor period of the fit (the whole
    pre-treatment period unless ``predictor_period`` says otherwise).

    Examples
    --------
    >>> Predictor("beer", range(1984, 1989)).label
    'beer(1984–1988)'
    >>> Predictor.coerce(("cigsale", 1988)).label
    'cigsale(1988)'
    """

    column: str
    periods: tuple[Any, ...] | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if self.periods is not None and not isinstance(self.periods, tuple):
            object.__setattr__(self, "periods", tuple(as_unit_list(self.periods)))

    @property
    def label(self) -> str:
        """The display name of the predictor: its name, else the column with its periods."""
        if self.name:
            return self.name
        return self.column if self.periods is None else f"{self.column}({format_periods(self.periods)})"

    @classmethod
    def coerce(cls, spec: PredictorLike) -> Predictor:
        """Accept a column name, a ``(column, periods)`` pair or a :class:`Predictor`."""
        if isinstance(spec, Predictor):
            return spec
        if isinstance(spec, str):
            return cls(spec)
        if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str):
            return cls(spec[0], spec[1])
        raise TypeError(
            f"cannot read predictor {spec!r}; use a column name ('lnincome'), a (column, periods) pair "
            "(('beer', range(1984, 1989)) or ('cigsale', 1988)) or a research_kit.synth.Predictor."
        )


PredictorLike = str | tuple | Predictor


@dataclass(frozen=True)
class _Spec:
    """Everything needed to refit (placebos): the data and the options of the fit."""

    data: pd.DataFrame
    outcome: str
    unit: str
    time: str
    treated: Any
    treatment_time: Any
    predictors: tuple[Predictor, ...] | None
    predictor_period: tuple[Any, ...] | None
    optimize_period: tuple[Any, ...] | None
    donors: tuple[Any, ...] | None
    predictor_weights: Any
    v_search: str
    seed: int | None
    inner: str = "active_set"  # inner solver; "nnls" is the earlier reference (benchmarks, tests)


class TreatedUnitFacts(Result):
    """Facts shared by the synthetic-control fit and its placebo test (one treated unit)."""

    @property
    def treated(self) -> Any:
        """The treated unit."""
        return self.info["treated"]

    @property
    def treatment_time(self) -> Any:
        """The first treated period."""
        return self.info["treatment_time"]

    @property
    def rmspe_ratio(self) -> float:
        """The treated unit's post- over pre-treatment root mean squared prediction error."""
        return float(self.info["rmspe_ratio"])


@dataclass(frozen=True, eq=False, repr=False)
class SyntheticControlResult(TreatedUnitFacts):
    """A synthetic control fit: the :class:`~research_kit.results.Result` table plus weights and paths.

    The table has one term, ``ATT``: the mean post-treatment gap (no standard
    error; see :meth:`placebo_test`).
    """

    weights: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    predictor_weights: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    paths: pd.DataFrame = field(default_factory=pd.DataFrame)
    balance: pd.DataFrame = field(default_factory=pd.DataFrame)
    spec: _Spec | None = field(default=None, repr=False)

    # ------------------------------------------------------------- accessors
    @property
    def gap(self) -> pd.Series:
        """Treated minus synthetic outcome, indexed by period."""
        return pd.Series(self.paths["gap"].to_numpy(), index=self.paths["time"].to_numpy(), name="gap")

    @property
    def synthetic(self) -> pd.Series:
        """The synthetic control's outcome path, indexed by period."""
        return pd.Series(self.paths["synthetic"].to_numpy(), index=self.paths["time"].to_numpy(), name="synthetic")

    @property
    def pre_periods(self) -> int:
        """Periods before treatment (the fit window)."""
        return int(self.info["pre_periods"])

    @property
    def post_periods(self) -> int:
        """Periods from treatment on."""
        return int(self.info["post_periods"])

    @property
    def pre_rmspe(self) -> float:
        """Root mean squared prediction error of the synthetic unit before treatment."""
        return float(self.info["pre_rmspe"])

    @property
    def post_rmspe(self) -> float:
        """Root mean squared prediction error after treatment."""
        return float(self.info["post_rmspe"])


    # ----------------------------------------------------------- inference
    def placebo_test(self, *, pre_rmspe_cutoff: float | None = None, v_search: VSearch | None = None,
                     n_jobs: int = 1, progress: bool | None = None) -> Any:
        """In-space placebo (permutation) inference; see :func:`research_kit.synth.placebo_test`."""
        from research_kit.synth.placebo import placebo_test

        return placebo_test(self, pre_rmspe_cutoff=pre_rmspe_cutoff, v_search=v_search, n_jobs=n_jobs,
                            progress=progress)

    def in_time_placebo(self, fake_time: Any, *, predictors: Sequence[PredictorLike] | None = None) -> SyntheticControlResult:
        """Refit with a fake treatment time before the real one; see :func:`research_kit.synth.in_time_placebo`."""
        from research_kit.synth.placebo import in_time_placebo

        return in_time_placebo(self, fake_time, predictors=predictors)

    # -------------------------------------------------------------- output
    def plot(self, ax: Any = None, *, kind: PlotKind = "both", lang: Literal["zh", "en"] = "zh",
             ylabel: str = "", **kwargs: Any) -> Any:
        """Treated vs synthetic paths and/or the gap.

        ``kind="both"`` draws two panels and returns the array of their Axes
        (paths, gap); ``"paths"`` or ``"gap"`` draw one panel on ``ax`` (or a new
        one) and return it.
        """
        from research_kit.report import synth_plots as _plots  # the plotting layer, at call time

        check_option("kind", kind, ("both", "paths", "gap"))
        name = str(self.treated)
        if kind == "paths":
            return _plots.paths_plot(self.paths, treated_name=name, ax=ax, lang=lang, ylabel=ylabel)
        if kind == "gap":
            return _plots.gap_plot(self.paths, ax=ax, lang=lang)
        return _plots.control_plot(self.paths, treated_name=name, lang=lang, ylabel=ylabel)


# ---------------------------------------------------------------------- fitting
def _period_tuple(name: str, periods: Any, allowed: np.ndarray, what: str) -> tuple[Any, ...]:
    vals = tuple(as_unit_list(periods))
    bad = unknown_periods(vals, allowed)
    if bad or not vals:
        span = f"{allowed[0]!r} to {allowed[-1]!r}" if len(allowed) else "none"
        raise ValueError(f"{name} has period(s) {bad or '[]'} outside the {what} ({span}); choose {what} periods.")
    return tuple(allowed[locate_period(allowed, v)] for v in vals)


def _predictor_table(data: pd.DataFrame, panel: WidePanel, specs: Sequence[Predictor],
                     default_periods: tuple[Any, ...]) -> pd.DataFrame:
    """Predictor values (rows) for every unit of the panel (columns)."""
    units = panel.units
    rows = {}
    for spec in specs:
        if spec.column not in data.columns:
            raise KeyError(f"predictor column {spec.column!r} is not in the data; available: {list(data.columns)}.")
        if not pd.api.types.is_numeric_dtype(data[spec.column]):
            raise TypeError(f"predictor column {spec.column!r} must be numeric; it has dtype {data[spec.column].dtype}.")
        periods = default_periods if spec.periods is None else spec.periods
        bad = unknown_periods(periods, panel.times)
        if bad:
            raise ValueError(f"predictor {spec.label!r} uses period(s) {bad} that are not in the data.")
        periods = tuple(panel.times[locate_period(panel.times, p)] for p in periods)
        post = [p for p in periods if p >= panel.times[panel.n_pre]]
        if post:
            raise ValueError(
                f"predictor {spec.label!r} uses post-treatment period(s) {post}; predictors must be measured "
                "before the treatment starts."
            )
        sub = data.loc[data[panel.time].isin(periods), [panel.unit, spec.column]]
        rows[spec.label] = sub.groupby(panel.unit)[spec.column].mean().reindex(units)
    labels = list(rows)
    if len(set(labels)) != len(labels):
        raise ValueError(f"predictor labels repeat: {labels}; give repeated predictors a distinct name=.")
    return pd.DataFrame(rows).T  # predictors x units


def predictor_table(spec: _Spec, panel: WidePanel) -> pd.DataFrame:
    """The predictors of ``spec`` for every unit of ``panel`` (predictors x units)."""
    if spec.predictors is None:
        raise ValueError("this fit has no predictors.")
    default = tuple(panel.pre_times.tolist()) if spec.predictor_period is None else spec.predictor_period
    return _predictor_table(spec.data, panel, spec.predictors, default)


def _resolve_v(option: Any, labels: list[str]) -> np.ndarray | None:
    """Explicit predictor weights (normalised), or None for the nested optimisation."""
    if isinstance(option, str):
        check_option("predictor_weights", option, ("nested", "equal"))
        return None if option == "nested" else np.full(len(labels), 1.0 / len(labels))
    if isinstance(option, Mapping):
        missing = [k for k in labels if k not in option]
        extra = [k for k in option if k not in labels]
        if missing or extra:
            raise ValueError(f"predictor_weights keys must be the predictor labels {labels}; "
                             f"missing {missing}, unknown {extra}.")
        v = np.array([float(option[k]) for k in labels])
    else:
        v = np.asarray(option, dtype=float).ravel()
        if v.size != len(labels):
            raise ValueError(f"predictor_weights has {v.size} values for {len(labels)} predictors {labels}.")
    if np.any(v < 0) or not np.isfinite(v).all() or v.sum() <= 0:
        raise ValueError("predictor_weights must be non-negative, finite and not all zero.")
    return v / v.sum()


def _inner(spec: _Spec) -> Inner:
    return "nnls" if spec.inner == "nnls" else "active_set"


def _fit(spec: _Spec, panel: WidePanel | None = None, table: pd.DataFrame | None = None) -> SyntheticControlResult:
    """Fit ``spec``; ``panel`` and ``table`` (its predictor table) when the caller has them already (placebos)."""
    if panel is None:
        panel = wide_panel(spec.data, outcome=spec.outcome, unit=spec.unit, time=spec.time, treated=spec.treated,
                           treatment_time=spec.treatment_time, donors=spec.donors, min_pre=1)
    if len(panel.treated) != 1:
        raise ValueError(
            f"synthetic_control takes one treated unit, got {len(panel.treated)}: {panel.treated}; fit them one "
            "at a time, or use research_kit.synth.synthetic_did for several treated units."
        )
    pre = panel.pre_times
    opt_periods = pre.tolist() if spec.optimize_period is None else list(spec.optimize_period)
    opt_idx = np.flatnonzero(np.isin(panel.times, opt_periods))
    treated_name = panel.treated[0]
    if spec.predictors is None:
        X = panel.Y[:, opt_idx].T  # outcomes as predictors, equal weights, unscaled: W minimises the MSPE
        labels = [f"{spec.outcome}({t})" for t in panel.times[opt_idx]]
        v = np.full(len(labels), 1.0 / len(labels))
        w = simplex_least_squares(X[:, :-1], X[:, -1], v, inner=_inner(spec))
        search_info = "none"
    else:
        if table is None:
            table = predictor_table(spec, panel)
        labels = list(table.index)
        bad_t = [lab for lab in labels if not np.isfinite(table.loc[lab, treated_name])]
        if bad_t:
            raise ValueError(f"the treated unit {treated_name!r} has no value for predictor(s) {bad_t} in their periods.")
        donors_ok = table.columns[: panel.n_control][table.iloc[:, : panel.n_control].notna().all(axis=0)].tolist()
        if len(donors_ok) < panel.n_control:
            dropped = [u for u in panel.controls if u not in set(donors_ok)]
            warn_user(f"{len(dropped)} donor(s) dropped for missing predictor values: {dropped}.", DroppedDonorsWarning)
            spec2 = replace(spec, donors=tuple(donors_ok))
            return _fit(spec2)
        X = table.to_numpy(dtype=float)
        flat = [lab for lab, row in zip(labels, X[:, :-1], strict=True) if np.ptp(row) == 0]
        if flat:
            raise ValueError(f"predictor(s) {flat} do not vary across donors; remove them.")
        X0s, x1s, _ = scale_predictors(X[:, :-1], X[:, -1])
        Z = panel.Y[:, opt_idx].T
        fixed = _resolve_v(spec.predictor_weights, labels)
        if fixed is None:
            vf = fit_v(X0s, x1s, Z[:, :-1], Z[:, -1], search=spec.v_search, seed=spec.seed, inner=_inner(spec))
            v, w = vf.v, vf.w
            search_info = f"{spec.v_search} ({vf.start}, {vf.method})"
        else:
            v = fixed
            w = simplex_least_squares(X0s, x1s, v, inner=_inner(spec))
            search_info = "fixed"
    Yc, y1 = panel.Y[:-1], panel.Y[-1]
    synth = w @ Yc
    gap = y1 - synth
    n_pre = panel.n_pre
    pre_mspe = float(np.mean(gap[:n_pre] ** 2))
    post_mspe = float(np.mean(gap[n_pre:] ** 2))
    opt_mspe = float(np.mean(gap[opt_idx] ** 2))
    pre_sd = float(np.std(y1[:n_pre])) if n_pre > 1 else np.inf
    if n_pre > 1 and np.sqrt(pre_mspe) > pre_sd:
        warn_user(
            f"the synthetic control fits {treated_name!r} poorly before treatment (pre-period RMSPE "
            f"{np.sqrt(pre_mspe):.3g} exceeds the standard deviation {pre_sd:.3g} of its own pre-period outcome); "
            "the treated unit may lie outside the donors' range — check the donor pool and predictors.",
            PoorPreFitWarning,
        )
    post = np.arange(panel.Y.shape[1]) >= n_pre
    paths = pd.DataFrame({"time": panel.times, "treated": y1, "synthetic": synth, "gap": gap, "post": post})
    weights = pd.Series(w, index=pd.Index(panel.controls, name=spec.unit), name="weight")
    pweights = pd.Series(v, index=pd.Index(labels, name="predictor"), name="v")
    if spec.predictors is None:
        Xb = panel.Y[:, opt_idx].T
    else:
        Xb = X
    balance = pd.DataFrame({"treated": Xb[:, -1], "synthetic": Xb[:, :-1] @ w, "donor_mean": Xb[:, :-1].mean(axis=1)},
                           index=pd.Index(labels, name="predictor"))
    att = float(gap[n_pre:].mean())
    ratio = float(np.sqrt(post_mspe / pre_mspe)) if pre_mspe > 0 else np.inf
    info = {
        "treated": treated_name, "treatment_time": spec.treatment_time, "n_donors": panel.n_control,
        "pre_periods": n_pre, "post_periods": int(post.sum()), "pre_rmspe": float(np.sqrt(pre_mspe)),
        "post_rmspe": float(np.sqrt(post_mspe)), "rmspe_ratio": ratio, "loss_v": opt_mspe,
        "predictors": "outcomes" if spec.predictors is None else ", ".join(labels),
        "v_search": search_info,
    }
    base = Result.from_arrays(["ATT"], [att], [np.nan], nobs=int(panel.Y.size), estimator="synthetic_control",
                              info=info)
    return SyntheticControlResult(table=base.table, nobs=base.nobs, estimator=base.estimator, term=base.term,
                                  info=base.info, extra={}, weights=weights, predictor_weights=pweights, paths=paths,
                                  balance=balance, spec=spec)


def synthetic_control(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treated: Any,
    treatment_time: Any,
    predictors: Sequence[PredictorLike] | None = None,
    predictor_period: Sequence[Any] | None = None,
    optimize_period: Sequence[Any] | None = None,
    donors: Sequence[Any] | None = None,
    predictor_weights: Literal["nested", "equal"] | Mapping[str, float] | Sequence[float] = "nested",
    v_search: VSearch = "global",
    seed: int | None = 0,
) -> SyntheticControlResult:
    """Synthetic control for one treated unit (Abadie, Diamond & Hainmueller 2010).

    Parameters
    ----------
    df
        Long panel, one row per unit and period.
    outcome, unit, time
        Column names.
    treated
        Identifier of the treated unit (a value of ``unit``).
    treatment_time
        First treated period (a value of ``time``); earlier periods are pre-treatment.
    predictors
        Predictors to match: column names (mean over ``predictor_period``),
        ``(column, periods)`` pairs such as ``("cigsale", 1988)`` or
        ``("beer", range(1984, 1989))``, or :class:`Predictor` objects. Lagged
        outcomes are predictors like any other column. ``None`` matches the
        pre-treatment outcomes directly (W minimises their MSPE).
    predictor_period
        Default averaging period of predictors given without periods (R
        ``time.predictors.prior``); default the whole pre-treatment period.
    optimize_period
        Pre-treatment periods whose outcome MSPE V minimises (R
        ``time.optimize.ssr``); default all of them.
    donors
        Donor pool; default every other unit.
    predictor_weights
        ``"nested"`` (default) chooses V by the nested optimisation; ``"equal"``
        weighs the scaled predictors equally; or give the weights (a mapping from
        predictor label, or a sequence in predictor order).
    v_search
        ``"global"`` (default): R ``Synth``'s local searches plus a seeded
        differential-evolution search, keeping the lowest MSPE; ``"synth"``: only
        ``Synth``'s searches (faster; matches R ``Synth``/``tidysynth``).
    seed
        Seed of the global search (the result is deterministic given the seed).

    Returns
    -------
    SyntheticControlResult
        ``ATT`` (mean post-treatment gap), ``weights`` (donor -> weight),
        ``predictor_weights`` (V), ``paths`` (time, treated, synthetic, gap,
        post), ``balance`` (predictor means), pre/post RMSPE in ``info``;
        ``plot()``, ``placebo_test()``, ``in_time_placebo()``.

    Examples
    --------
    >>> from research_kit import synth
    >>> from research_kit.simulate.digital_rmb_demo import digital_rmb_panel
    >>> d = digital_rmb_panel(seed=1)
    >>> s = synth.synthetic_control(d.panel, outcome="merchant_share", unit="county", time="month",
    ...                                treated=d.treated, treatment_time=d.treatment_time)
    >>> round(float(s.weights.sum()), 6)
    1.0
    """
    check_option("v_search", v_search, ("global", "synth"))
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(df).__name__}.")
    if isinstance(predictors, (str, Predictor)):
        predictors = [predictors]
    specs = None if predictors is None else tuple(Predictor.coerce(p) for p in predictors)
    if specs is not None and not specs:
        raise ValueError("predictors is empty; pass None to match the pre-treatment outcomes, or list predictors.")
    cols = [unit, time, outcome] + ([] if specs is None else [p.column for p in specs])
    for c in cols:
        if c not in df.columns:
            raise KeyError(f"column {c!r} is not in the data; available columns: {list(df.columns)}.")
    data = df.loc[:, list(dict.fromkeys(cols))]
    times = np.sort(pd.unique(df[time]))
    pos = locate_period(times, treatment_time)
    if pos is None:
        raise ValueError(
            f"treatment_time={treatment_time!r} is not a period of column {time!r}; periods run from {times[0]!r} "
            f"to {times[-1]!r}. Pass the first treated period."
        )
    treatment_time = times[pos]
    pre = times[:pos]
    pp = None if predictor_period is None else _period_tuple("predictor_period", predictor_period, pre, "pre-treatment period")
    op = None if optimize_period is None else _period_tuple("optimize_period", optimize_period, pre, "pre-treatment period")
    spec = _Spec(data=data, outcome=outcome, unit=unit, time=time, treated=treated, treatment_time=treatment_time,
                 predictors=specs, predictor_period=pp, optimize_period=op,
                 donors=None if donors is None else tuple(as_unit_list(donors)),
                 predictor_weights=predictor_weights, v_search=v_search, seed=seed)
    return _fit(spec)
