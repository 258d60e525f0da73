"""Placebo inference for synthetic controls (Abadie, Diamond & Hainmueller 2010, 2015).

*In space*: the synthetic control is refitted for every donor as if it had been
treated, using the other donors (never the treated unit) and the same
predictors and options. The treated unit's post/pre RMSPE ratio is ranked
among all units; the permutation p-value is the share of units whose ratio is
at least the treated unit's. Placebos whose pre-treatment fit is poor can be
excluded (ADH 2010 discard placebos with a pre-period MSPE more than 20, 5 or 2
times California's; here the cutoff is on the RMSPE, so those are
``sqrt(20)``, ``sqrt(5)`` and ``sqrt(2)``).

*In time*: the fit is repeated with a fake treatment time inside the
pre-treatment period, on data before the real treatment; a gap that opens at
the fake time casts doubt on the design.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from research_kit.results import Result
from research_kit.synth._data import DroppedDonorsWarning, WidePanel, check_option, locate_period, wide_panel
from research_kit.synth.control import (
    PoorPreFitWarning,
    Predictor,
    PredictorLike,
    SyntheticControlResult,
    TreatedUnitFacts,
    _fit,
    _Spec,
    predictor_table,
)

__all__ = ["PlaceboResult", "in_time_placebo", "placebo_test"]


@dataclass(frozen=True, eq=False, repr=False)
class PlaceboResult(TreatedUnitFacts):
    """In-space placebo test: the table's ``ATT`` row carries the permutation p-value.

    ``placebos`` has one row per unit (the treated unit first): ``unit``,
    ``treated``, ``pre_rmspe``, ``post_rmspe``, ``ratio`` (post/pre RMSPE),
    ``att`` (mean post-treatment gap), ``rank`` (1 = largest ratio among the
    included units) and ``excluded``; ``gaps`` holds every unit's gap path
    (periods x units).
    """

    placebos: pd.DataFrame = field(default_factory=pd.DataFrame)
    gaps: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rank(self) -> int:
        """The treated unit's rank among the included units (1 = largest ratio)."""
        return int(self.info["rank"])

    @property
    def n_units(self) -> int:
        """Units in the permutation distribution (the treated unit and the donors kept)."""
        return int(self.info["n_units"])

    @property
    def n_excluded(self) -> int:
        """Donors left out for a poor pre-treatment fit (see :attr:`pre_rmspe_cutoff`)."""
        return int(self.info["n_excluded"])

    @property
    def pre_rmspe_cutoff(self) -> float | None:
        """Donors whose pre-treatment RMSPE exceeds this multiple of the treated unit's are left out (None: all kept)."""
        c = self.info.get("pre_rmspe_cutoff")
        return None if c is None else float(c)

    def plot(self, ax: Any = None, *, kind: Literal["gaps", "ratios"] = "gaps", lang: Literal["zh", "en"] = "zh",
             ylabel: str = "", **kwargs: Any) -> Any:
        """The treated gap against the placebo cloud (``"gaps"``) or the RMSPE ratios (``"ratios"``)."""
        from research_kit.report import synth_plots as _plots  # the plotting layer, at call time

        check_option("kind", kind, ("gaps", "ratios"))
        treated = self.treated
        if kind == "ratios":
            return _plots.ratio_plot(self.placebos, treated=treated, ax=ax, lang=lang, **kwargs)
        excluded = self.placebos.loc[self.placebos["excluded"], "unit"].tolist()
        return _plots.placebo_gaps_plot(self.gaps, treated=treated, start=self.treatment_time,
                                        excluded=excluded, ax=ax, lang=lang, ylabel=ylabel)


def _summary(res: SyntheticControlResult, unit: Any, is_treated: bool) -> dict[str, Any]:
    return {"unit": unit, "treated": is_treated, "pre_rmspe": res.pre_rmspe, "post_rmspe": res.post_rmspe,
            "ratio": res.rmspe_ratio, "att": res.estimate}


def _progress_default() -> bool:
    """A bar only where someone watches: stderr is a terminal and no test runner is active."""
    return bool(getattr(sys.stderr, "isatty", lambda: False)()) and "PYTEST_CURRENT_TEST" not in os.environ


_Job = tuple[_Spec, WidePanel | None, pd.DataFrame | None]


def _placebo_fit(job: _Job) -> SyntheticControlResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PoorPreFitWarning)
        return _fit(*job)


def _placebo_jobs(result: SyntheticControlResult, v_search: str | None, *, shared: bool = True,
                  inner: str | None = None) -> list[_Job]:
    """One refit per donor, as if it had been treated, with the other donors.

    ``shared=True`` lays out the outcome matrix and the predictor table once for
    every unit and hands each placebo its rows and columns (the donor matrices
    differ by one column); the values are those each refit would compute
    itself. ``shared=False`` (the reference) lets every refit start from the long data.
    """
    spec = result.spec
    assert spec is not None
    donors = list(result.weights.index)
    specs = [replace(spec, treated=j, donors=tuple(u for u in donors if u != j), v_search=v_search or spec.v_search,
                     inner=inner or spec.inner) for j in donors]
    if not shared:
        return [(ps, None, None) for ps in specs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedDonorsWarning)
        full = wide_panel(spec.data, outcome=spec.outcome, unit=spec.unit, time=spec.time,
                          treated=result.treated, treatment_time=spec.treatment_time, donors=tuple(donors))
    table = None if spec.predictors is None else predictor_table(spec, full)
    pos = {u: i for i, u in enumerate(full.units)}
    jobs: list[_Job] = []
    for j, ps in zip(donors, specs, strict=True):
        order = [u for u in donors if u != j] + [j]
        panel = replace(full, Y=full.Y[[pos[u] for u in order]], units=order, n_control=len(order) - 1)
        jobs.append((ps, panel, None if table is None else table.loc[:, order]))
    return jobs


def _run_fits(specs: list[_Job], n_jobs: int, progress: bool) -> list[SyntheticControlResult]:
    """Fit every placebo, in ``n_jobs`` processes (forked; serial where that is not possible), with a bar."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(specs), desc="placebos", unit="fit", file=sys.stderr, leave=False)
    try:
        if n_jobs > 1 and len(specs) > 1:
            try:
                import multiprocessing as mp

                ctx = mp.get_context("fork")
                with ctx.Pool(min(n_jobs, len(specs))) as pool:
                    out = []
                    for fit in pool.imap(_placebo_fit, specs):
                        out.append(fit)
                        if bar is not None:
                            bar.update()
                    return out
            except (ValueError, OSError, AssertionError):  # no fork here, or a daemonic process (a Dask worker)
                pass
        out = []
        for pspec in specs:
            out.append(_placebo_fit(pspec))
            if bar is not None:
                bar.update()
        return out
    finally:
        if bar is not None:
            bar.close()


def placebo_test(
    result: SyntheticControlResult,
    *,
    pre_rmspe_cutoff: float | None = None,
    v_search: Literal["global", "synth"] | None = None,
    n_jobs: int = 1,
    progress: bool | None = None,
) -> PlaceboResult:
    """In-space permutation inference for a synthetic control.

    Parameters
    ----------
    result
        The fit of the treated unit.
    pre_rmspe_cutoff
        Exclude placebos whose pre-treatment RMSPE exceeds this multiple of the
        treated unit's (None keeps all).
    v_search
        Search for the predictor weights in the placebo fits; default that of
        ``result`` (``"synth"`` is faster).
    n_jobs
        Processes for the placebo fits (the same numbers whatever the number);
        falls back to one where processes cannot be started (e.g. on a Dask
        worker).
    progress
        Show a progress bar over the placebo fits; default: only when standard
        error is a terminal and no test runner is active (so not in papermill
        runs, notebooks' saved output or tests).

    Returns
    -------
    PlaceboResult
        ``p_value`` = share of included units with a post/pre RMSPE ratio at
        least the treated unit's; ``statistic`` = the treated unit's ratio;
        ``info["p_value_att"]`` = share with an absolute mean post-treatment gap
        at least the treated unit's.

    Notes
    -----
    The outcome matrix and the predictor table are built once and shared by the
    placebo fits; each fit runs the same search as a fit of that unit with
    :func:`~research_kit.synth.synthetic_control` would (same numbers).

    Examples
    --------
    >>> from research_kit.simulate.digital_rmb_demo import digital_rmb_panel
    >>> from research_kit import synth
    >>> d = digital_rmb_panel(seed=1)
    >>> s = synth.synthetic_control(d.panel, outcome="merchant_share", unit="county", time="month",
    ...                                treated=d.treated, treatment_time=d.treatment_time)
    >>> p = s.placebo_test()
    >>> p.p_value <= 1.0
    True
    """
    spec = result.spec
    if spec is None:
        raise ValueError("this result carries no fit specification; fit it with research_kit.synth.synthetic_control.")
    if pre_rmspe_cutoff is not None and not pre_rmspe_cutoff > 0:
        raise ValueError(f"pre_rmspe_cutoff must be positive (e.g. 2 or 5), got {pre_rmspe_cutoff!r}.")
    if v_search is not None:
        check_option("v_search", v_search, ("global", "synth"))
    if not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive number of processes, got {n_jobs!r}.")
    jobs = _placebo_jobs(result, v_search)
    fits = _run_fits(jobs, int(n_jobs), _progress_default() if progress is None else bool(progress))
    return _placebo_result(result, fits, pre_rmspe_cutoff)


def _reference_placebo(result: SyntheticControlResult, *, pre_rmspe_cutoff: float | None = None,
                       v_search: Literal["global", "synth"] | None = None, inner: str = "nnls") -> PlaceboResult:
    """The straightforward placebo test: every refit from the long data, one after another.

    With ``inner="nnls"`` it is the algorithm before the speed-up (benchmarks and tests
    compare against it); with ``inner="active_set"`` the refits use the fast inner solver.
    """
    jobs = _placebo_jobs(result, v_search, shared=False, inner=inner)
    return _placebo_result(result, _run_fits(jobs, 1, False), pre_rmspe_cutoff)


def _placebo_result(result: SyntheticControlResult, fits: list[SyntheticControlResult],
                    pre_rmspe_cutoff: float | None) -> PlaceboResult:
    """The permutation table, p-values and gap paths of the treated fit and its placebo fits."""
    spec = result.spec
    assert spec is not None
    treated = result.treated
    donors = list(result.weights.index)
    rows = [_summary(result, treated, True)]
    gaps = {treated: result.gap}
    for j, fit in zip(donors, fits, strict=True):
        rows.append(_summary(fit, j, False))
        gaps[j] = fit.gap
    table = pd.DataFrame(rows)
    if pre_rmspe_cutoff is None:
        table["excluded"] = False
    else:
        table["excluded"] = (~table["treated"]) & (table["pre_rmspe"] > pre_rmspe_cutoff * result.pre_rmspe)
    inc = table.loc[~table["excluded"]]
    ratio_t = float(table.loc[0, "ratio"])
    att_t = abs(float(table.loc[0, "att"]))
    p = float(np.mean(inc["ratio"].to_numpy() >= ratio_t))
    p_att = float(np.mean(np.abs(inc["att"].to_numpy()) >= att_t))
    table["rank"] = np.nan
    table.loc[inc.index, "rank"] = inc["ratio"].rank(ascending=False, method="min").to_numpy()
    gap_frame = pd.DataFrame(gaps)
    gap_frame.index.name = spec.time
    info = {
        "treated": treated, "treatment_time": spec.treatment_time, "n_placebos": len(donors),
        "n_excluded": int(table["excluded"].sum()), "pre_rmspe_cutoff": pre_rmspe_cutoff,
        "rmspe_ratio": ratio_t, "rank": int(table.loc[0, "rank"]), "n_units": len(inc),
        "p_value_att": p_att, "inference": "in-space placebo (permutation)",
    }
    base = Result.from_arrays(["ATT"], [result.estimate], [np.nan], nobs=result.nobs, estimator="synthetic_control_placebo",
                              p_values=[p], info=info)
    tab = base.table.copy()
    tab["statistic"] = ratio_t
    return PlaceboResult(table=tab, nobs=base.nobs, estimator=base.estimator, term=base.term, info=base.info,
                         placebos=table, gaps=gap_frame)


def in_time_placebo(
    result: SyntheticControlResult,
    fake_time: Any,
    *,
    predictors: Sequence[PredictorLike] | None = None,
) -> SyntheticControlResult:
    """Refit with a fake treatment time, on the data before the real treatment.

    Parameters
    ----------
    result
        The fit to backdate.
    fake_time
        A pre-treatment period to use as the placebo treatment time.
    predictors
        Predictors of the placebo fit; default those of ``result``, which must
        then all be measured before ``fake_time`` (predictors without periods
        are averaged over the new pre-period automatically).

    Returns
    -------
    SyntheticControlResult
        Its ``ATT`` is the mean gap between ``fake_time`` and the real treatment;
        it should be close to zero. ``info["placebo"] = "in-time"``.
    """
    spec = result.spec
    if spec is None:
        raise ValueError("this result carries no fit specification; fit it with research_kit.synth.synthetic_control.")
    times = np.sort(pd.unique(spec.data[spec.time]))
    pre = times[times < spec.treatment_time]
    pos = locate_period(pre, fake_time)
    if pos is None or pos == 0:
        first = pre[1] if len(pre) > 1 else None
        raise ValueError(
            f"fake_time={fake_time!r} must be a pre-treatment period after the first one ({first!r} to {pre[-1]!r})."
        )
    fake_time = pre[pos]
    specs = spec.predictors if predictors is None else tuple(Predictor.coerce(p) for p in predictors)
    if specs is not None:
        late = [p.label for p in specs if p.periods is not None and any(t >= fake_time for t in p.periods)]
        if late:
            raise ValueError(
                f"predictor(s) {late} are measured at or after fake_time={fake_time!r}; pass predictors= measured "
                "before the fake treatment time."
            )

    def _clip(periods: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
        if periods is None:
            return None
        kept = tuple(t for t in periods if t < fake_time)
        return kept or None

    data = spec.data.loc[spec.data[spec.time] < spec.treatment_time]
    pspec = replace(spec, data=data, treatment_time=fake_time, predictors=specs,
                    predictor_period=_clip(spec.predictor_period), optimize_period=_clip(spec.optimize_period))
    fit = _fit(pspec)
    return replace(fit, info={**fit.info, "placebo": "in-time", "actual_treatment_time": spec.treatment_time})
