"""Estimates of the digital RMB study: synthetic control with placebos, synthetic DiD and DiD, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from research_kit.studies.digital_rmb._data import OUTCOMES, TREATED, CityData, donor_pool, pilot_month
from research_kit.synth import PlaceboResult, SyntheticControlResult, SyntheticDiDResult

__all__ = ["estimate", "predictors", "RmbEstimates"]


def predictors(outcome: str, treatment_time: Any) -> list[Any]:
    """The other outcome's pre-pilot mean and the outcome 18, 6 and 1 months before the pilot."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}; got {outcome!r}.")
    t0 = pd.Timestamp(treatment_time)
    other = [o for o in OUTCOMES if o != outcome]
    return other + [(outcome, t0 - pd.DateOffset(months=m)) for m in (18, 6, 1)]


@dataclass(frozen=True)
class RmbEstimates:
    """Everything the paper reports, computed once."""

    data: CityData
    pool: pd.DataFrame
    treated: str
    treatment_time: pd.Timestamp
    outcome: str
    sc: SyntheticControlResult
    placebo: PlaceboResult
    in_time: SyntheticControlResult
    sdid: SyntheticDiDResult
    did: SyntheticDiDResult
    truth: float | None
    in_time_months: int
    pre_mean: float  # treated city's pre-pilot mean outcome


def estimate(data: CityData, *, outcome: str = "retail_pc", treated: str = TREATED,
             v_search: Literal["global", "synth"] = "global", pre_rmspe_cutoff: float | None = 2.0,
             in_time_months: int = 12, reps: int = 200, seed: int = 0) -> RmbEstimates:
    """Synthetic control (in-space and in-time placebos), SDID and DiD of the treated city against the donors."""
    from research_kit import synth

    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}; got {outcome!r}.")
    pool = donor_pool(data.panel, data.pilots, treated=treated)
    keep = set(pool.loc[pool["status"].isin(["treated", "donor"]), "city"])
    if len(keep) < 3:
        raise ValueError(f"only {len(keep) - 1} donor cities remain after the exclusion rules; a synthetic "
                         "control needs several never-piloted cities in the panel.")
    t0 = pilot_month(data.pilots, treated)
    panel = data.panel.loc[data.panel["city"].isin(keep)].reset_index(drop=True)
    kw: dict[str, Any] = {"outcome": outcome, "unit": "city", "time": "month", "treated": treated, "treatment_time": t0}
    sc = synth.synthetic_control(panel, predictors=predictors(outcome, t0), v_search=v_search, seed=seed, **kw)
    placebo = sc.placebo_test(pre_rmspe_cutoff=pre_rmspe_cutoff)
    fake = t0 - pd.DateOffset(months=int(in_time_months))
    in_time = sc.in_time_placebo(fake, predictors=predictors(outcome, fake))
    sdid = synth.synthetic_did(panel, method="sdid", se="placebo", reps=reps, seed=seed, **kw)
    did = synth.synthetic_did(panel, method="did", se="placebo", reps=reps, seed=seed, **kw)
    truth = None
    if data.truth is not None:
        t = data.truth.loc[(data.truth["city"] == treated) & (data.truth["month"] >= t0), f"te_{outcome}"]
        truth = float(t.mean()) if len(t) else None
    pre = panel.loc[(panel["city"] == treated) & (panel["month"] < t0), outcome]
    return RmbEstimates(data=data, pool=pool, treated=treated, treatment_time=t0, outcome=outcome, sc=sc,
                        placebo=placebo, in_time=in_time, sdid=sdid, did=did, truth=truth,
                        in_time_months=int(in_time_months), pre_mean=float(pre.mean()))
