"""Every estimate of the FX-loans paper, computed once per run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from research_kit import data
from research_kit.results import Result
from research_kit.studies.fx_loans._data import OUTCOMES, truth_by_event_time, truth_overall

__all__ = ["FxEstimates", "cell_panel", "data_is_synthetic", "estimate", "event_frame"]


def event_frame(result: Result) -> pd.DataFrame:
    """Event-time rows (terms ``e=k``) of an event-study Result as a DataFrame."""
    tab = result.tidy()
    tab = tab.loc[tab["term"].str.startswith("e=")].copy()
    tab["event_time"] = tab["term"].str.slice(2).astype(float).astype(int)
    return tab[["event_time", "estimate", "std_error", "conf_low", "conf_high"]].reset_index(drop=True)


@dataclass(frozen=True)
class FxEstimates:
    """Everything the FX-loans paper reports, computed once."""

    county: str
    outcome: str
    estimator: str
    control_group: str
    leads: int
    lags: int
    twfe: Result
    cs: Result
    cs_dynamic: Result
    es_twfe: Result
    sa: Result
    imputation: Result
    imputation_att: Result
    truth_att: float
    truth_event: pd.DataFrame
    n_businesses: int
    synthetic: bool
    wild: Result | None = None
    bacon: pd.DataFrame | None = None
    honest: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headline(self) -> Result:
        return self.cs if self.estimator == "callaway_santanna" else self.twfe

    @property
    def robust(self) -> dict[str, Result]:
        """The heterogeneity-robust overall estimates, by estimator key."""
        return {"callaway_santanna": self.cs, "sun_abraham": self.sa_att, "imputation": self.imputation_att}

    @property
    def sa_att(self) -> Result:
        """Sun–Abraham overall ATT (its ``ATT`` row) as a one-term Result."""
        return _one_term(self.sa, "ATT", "sun_abraham")


def _one_term(r: Result, term: str, estimator: str) -> Result:
    row = r.tidy().set_index("term").loc[term]
    return Result.from_arrays(["ATT"], [row["estimate"]], [row["std_error"]], nobs=r.nobs, estimator=estimator,
                              conf_low=[row["conf_low"]], conf_high=[row["conf_high"]], p_values=[row["p_value"]],
                              info={k: v for k, v in r.info.items() if k in ("cluster", "n_clusters", "control_group")})


def cell_panel(panel: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """County × bank cell means by month (treatment is assigned to cells), keeping cells observed every month."""
    cells = (panel.groupby(["county", "bank", "t"], observed=True)
             .agg(y=(outcome, "mean"), treated=("treated", "max")).reset_index())
    cells["cell"] = cells["county"].astype(str) + "/" + cells["bank"].astype(str)
    n_t = panel["t"].nunique()
    full = cells.groupby("cell")["t"].transform("size") == n_t
    return cells.loc[full].reset_index(drop=True)


def estimate(panel: pd.DataFrame, *, outcome: str = "fx_loan_balance", estimator: str = "callaway_santanna",
             control_group: Literal["never", "not_yet"] = "not_yet", leads: int = 12, lags: int = 24, cluster: str = "business_id",
             alpha: float = 0.05, seed: int = 0, county: str | None = None, bootstrap_reps: int = 9999) -> FxEstimates:
    """Every estimate of the paper for one outcome.

    TWFE and its event study; Callaway–Sant'Anna (simple and dynamic), Sun–Abraham and
    the imputation estimator (heterogeneity-robust); the wild cluster bootstrap of TWFE
    with the counties as clusters (all of Jinhua only); the Goodman-Bacon decomposition of
    the TWFE estimate on county × bank cells; relative-magnitudes sensitivity (Rambachan–Roth)
    of the Sun–Abraham event study.
    """
    import warnings

    from research_kit import did
    from research_kit.inference import bootstrap

    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}; got {outcome!r}.")
    if estimator not in ("callaway_santanna", "twfe"):
        raise ValueError(f"estimator must be 'callaway_santanna' or 'twfe'; got {estimator!r}.")
    if cluster not in ("business_id", "county"):
        raise ValueError(f"cluster must be 'business_id' or 'county'; got {cluster!r}.")
    if panel.empty:
        raise ValueError("the analysis panel is empty: check the county parameter and the processed data.")
    common: dict[str, Any] = dict(outcome=outcome, unit="business_id", time="t")
    tw = did.twfe(panel, **common, treat="treated", cluster=cluster)
    es = did.event_study(panel, **common, cohort="cohort", method="twfe", leads=leads, lags=lags, cluster=cluster,
                         control_group=control_group)
    cs = did.callaway_santanna(panel, **common, cohort="cohort", control_group=control_group, method="reg",
                               cluster=cluster, alpha=alpha, seed=seed, unbalanced="pairwise")
    has_never = bool((panel["cohort"] == 0).any())
    sa = did.sun_abraham(panel, **common, cohort="cohort", leads=leads, lags=lags, cluster=cluster,
                         control_group="never" if has_never else "last_cohort")
    with warnings.catch_warnings():
        # businesses first observed after their bank started the programme have no untreated month to
        # impute from; the paper states the count (imputation.info) instead of a warning in the text
        warnings.simplefilter("ignore", did.NotImputableWarning)
        imp = did.imputation(panel, **common, cohort="cohort", leads=leads, lags=lags, cluster=cluster)
        imp_all = did.imputation(panel, **common, cohort="cohort", leads=1, lags=None, cluster=cluster)
    counties = panel["county"].unique()
    county_txt = county or ("all" if len(counties) > 1 else str(counties[0]))
    wild = None
    if len(counties) > 1:
        wild = bootstrap.wild_bootstrap_twfe(panel, **common, treat="treated", cluster="county", weights="webb",
                                             reps=bootstrap_reps, seed=seed, level=1 - alpha)
    cells = cell_panel(panel, outcome)
    bacon = None
    if cells["treated"].nunique() == 2 and cells["cell"].nunique() > 2:
        bacon = did.bacon_decomposition(cells, outcome="y", unit="cell", time="t", treat="treated")
    honest = did.honest_did(sa, target="average", alpha=alpha)
    return FxEstimates(
        county=county_txt, outcome=outcome, estimator=estimator, control_group=control_group, leads=leads,
        lags=lags, twfe=tw, cs=cs.aggregate("simple"), cs_dynamic=cs.aggregate("dynamic", min_e=-leads, max_e=lags),
        es_twfe=es, sa=sa, imputation=imp, imputation_att=_one_term(imp_all, "ATT", "imputation"),
        truth_att=truth_overall(panel, outcome),
        truth_event=truth_by_event_time(panel, outcome, leads=leads, lags=lags),
        n_businesses=int(panel["business_id"].nunique()), synthetic=data_is_synthetic(),
        wild=wild, bacon=bacon, honest=honest,
        extra={"cs_pretest": cs.info.get("pretest"), "n_cells": int(cells["cell"].nunique())},
    )




def data_is_synthetic(root: str | os.PathLike[str] | None = None) -> bool:
    """True if any dataset this study reads is declared ``synthetic`` in the catalog."""
    cat = data.load_catalog(root)
    return any(cat[name].synthetic for name in ("businesses", "fx_loans", "rollout"))
