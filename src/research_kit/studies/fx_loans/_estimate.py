"""Every estimate of the FX-loans paper, computed once per run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from research_kit import data
from research_kit.results import Result
from research_kit.studies.fx_loans._data import OUTCOMES, truth_by_event_time, truth_overall

__all__ = ["BREAKDOWN_MAX", "CLUSTERS", "MIN_SECTOR_BUSINESSES", "QUESTION_OUTCOMES", "FxEstimates", "OutcomeEstimates", "cell_panel", "data_is_synthetic", "estimate",
           "event_frame", "pre_mean_test", "sector_effects", "with_cells"]


def event_frame(result: Result) -> pd.DataFrame:
    """Event-time rows (terms ``e=k``) of an event-study Result as a DataFrame."""
    tab = result.tidy()
    tab = tab.loc[tab["term"].str.startswith("e=")].copy()
    tab["event_time"] = tab["term"].str.slice(2).astype(float).astype(int)
    return tab[["event_time", "estimate", "std_error", "conf_low", "conf_high"]].reset_index(drop=True)


@dataclass(frozen=True)
class OutcomeEstimates:
    """The four overall estimates of one outcome (the headline table), with its truth."""

    outcome: str
    twfe: Result
    cs: Result
    sa_att: Result
    imputation_att: Result
    truth_att: float
    #: Callaway–Sant'Anna simple ATT with the cluster multiplier bootstrap (R ``did``), clustered at ``boot_level``
    cs_boot: Result | None = None
    boot_level: str | None = None
    #: each estimator applied to the true effects (its own estimand in this sample); synthetic data only
    estimands: dict[str, float] = field(default_factory=dict)

    @property
    def robust(self) -> dict[str, Result]:
        return {"callaway_santanna": self.cs, "sun_abraham": self.sa_att, "imputation": self.imputation_att}


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
    #: Callaway-Sant'Anna's joint pre-trend Wald test (statistic, df, p_value), None without pre-periods
    cs_pretest: dict[str, Any] | None = None
    #: county x bank cells of the decomposition panel (treated-variation cells) and of the whole panel
    n_cells: int = 0
    n_cells_all: int = 0
    #: the cell-level TWFE estimate that the Goodman-Bacon decomposition decomposes
    twfe_cells: float | None = None
    #: clusters of each estimator's standard errors
    n_clusters: dict[str, int] = field(default_factory=dict)
    #: treated business-months without any comparison (share and the truth with / without them)
    no_comparison: dict[str, Any] = field(default_factory=dict)
    #: effects by sector (one row per sector), None when not estimated
    sectors: pd.DataFrame | None = None
    #: 1-df tests of the mean pre-period coefficient, by estimator
    pre_mean: dict[str, Any] = field(default_factory=dict)
    #: every outcome of the question (the main one included), in :data:`OUTCOMES` order
    outcomes: dict[str, OutcomeEstimates] = field(default_factory=dict)
    #: smallest Mbar whose robust interval for the average post effect includes 0 (0: already at Mbar = 0;
    #: inf: not up to ``BREAKDOWN_MAX``)
    breakdown: float = float("nan")
    #: event times whose Sun-Abraham standard error could not be estimated (then no sensitivity analysis)
    honest_missing_se: tuple[int, ...] = ()
    cluster: str = "cell"
    n_counties: int = 1

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

    @property
    def main(self) -> OutcomeEstimates:
        return self.outcomes[self.outcome]


#: the three outcomes the paper's question names (FX-loan balance, financing cost, loan access)
QUESTION_OUTCOMES = ("fx_loan_balance", "financing_cost", "loan_access")

#: upper end of the search for the breakdown value of Mbar
BREAKDOWN_MAX = 10.0


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


def with_cells(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel with a ``cell`` column (county × bank: the level at which the programme starts)."""
    if "cell" in panel.columns:
        return panel
    return panel.assign(cell=panel["county"].astype(str) + "/" + panel["bank"].astype(str))


CLUSTERS = ("cell", "county", "business_id")


def _overall(panel: pd.DataFrame, outcome: str, *, control_group: Literal["never", "not_yet"], leads: int, lags: int, cluster: str,
             alpha: float, seed: int) -> tuple[Result, Any, Result, Result]:  # (twfe, CS result, SA, imputation)
    """TWFE, CS (simple), SA (ATT row) and imputation (all horizons) for one outcome."""
    import warnings

    from research_kit import did

    common: dict[str, Any] = dict(outcome=outcome, unit="business_id", time="t")
    tw = did.twfe(panel, **common, treat="treated", cluster=cluster)
    cs = did.callaway_santanna(panel, **common, cohort="cohort", control_group=control_group, method="reg",
                               cluster=cluster, level=1 - alpha, seed=seed, unbalanced="pairwise")
    has_never = bool((panel["cohort"] == 0).any())
    sa = did.sun_abraham(panel, **common, cohort="cohort", leads=leads, lags=lags, cluster=cluster,
                         control_group="never" if has_never else "last_cohort")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", did.NotImputableWarning)
        imp = did.imputation(panel, **common, cohort="cohort", leads=1, lags=None, cluster=cluster)
    return tw, cs, sa, imp


def pre_mean_test(result: Result) -> dict[str, float] | None:
    """Wald test (1 df) that the mean of the pre-period event-study coefficients (reference -1 left out) is zero.

    One restriction, so it stays informative when there are fewer clusters than pre-period coefficients
    (where the joint test's covariance is singular).
    """
    import numpy as np

    from research_kit.inference import wald_test

    tab, cov = result.event_time, result.covariance
    if tab is None or cov is None:
        return None
    est = tab.loc[tab["std_error"].notna()].sort_values("event_time")
    V = cov
    k = len(est)
    if V.shape[0] == k + 1:
        V = V[:k, :k]  # Sun-Abraham / imputation append the overall ATT
    if V.shape != (k, k):
        return None
    pre = (est["event_time"] < -1).to_numpy()
    if not pre.any():
        return None
    lv = pre / pre.sum()
    return wald_test(np.array([float(lv @ est["estimate"].to_numpy())]), np.array([[float(lv @ V @ lv)]]))


#: sectors with fewer businesses than this get no separate estimate
MIN_SECTOR_BUSINESSES = 60


def sector_effects(panel: pd.DataFrame, outcome: str, *, control_group: Literal["never", "not_yet"] = "not_yet", cluster: str = "cell",
                   alpha: float = 0.05, min_businesses: int = MIN_SECTOR_BUSINESSES) -> pd.DataFrame:
    """Callaway–Sant'Anna simple ATT by sector (each sector's businesses on their own).

    Columns: sector, n_businesses, estimate, conf_low, conf_high, truth (mean true effect over the
    sector's treated business-months; NaN without a truth column). Sectors with fewer than
    ``min_businesses`` businesses, or whose estimate cannot be computed, are left out.
    """
    from research_kit import did

    rows = []
    for sector, sub in with_cells(panel).groupby("sector", observed=True):
        n = int(sub["business_id"].nunique())
        if n < min_businesses or sub["treated"].nunique() < 2:
            continue
        try:
            r = _quiet(did.callaway_santanna, sub, outcome=outcome, unit="business_id", time="t", cohort="cohort",
                       control_group=control_group, method="reg", cluster=cluster, level=1 - alpha,
                       unbalanced="pairwise").aggregate("simple")
        except ValueError:
            continue
        te = f"te_{outcome}"
        truth = float(sub.loc[sub["treated"] == 1, te].mean()) if te in sub.columns else float("nan")
        rows.append({"sector": str(sector), "n_businesses": n, "estimate": r.estimate, "conf_low": r.conf_low,
                     "conf_high": r.conf_high, "truth": truth})
    return pd.DataFrame(rows, columns=["sector", "n_businesses", "estimate", "conf_low", "conf_high", "truth"])


def _quiet(fn, *args, **kwargs):
    """Run an estimator with the few-clusters warning silenced (the paper states the cluster count instead)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def estimate(panel: pd.DataFrame, *, outcome: str = "fx_loan_balance", estimator: str = "callaway_santanna",
             control_group: Literal["never", "not_yet"] = "not_yet", leads: int = 12, lags: int = 24, cluster: str = "cell",
             alpha: float = 0.05, seed: int = 0, county: str | None = None, bootstrap_reps: int = 9999,
             outcomes: tuple[str, ...] | None = None, breakdown_tol: float = 0.01,
             cs_bootstrap_reps: int = 999) -> FxEstimates:
    """Every estimate of the paper.

    For every outcome of the question (``outcomes``, default :data:`QUESTION_OUTCOMES`): TWFE, Callaway–Sant'Anna,
    Sun–Abraham and the imputation estimator, clustered at ``cluster`` (default the county × bank
    cell, the level at which the programme starts), and the Callaway–Sant'Anna estimate again with
    R ``did``'s cluster multiplier bootstrap at the county level (at the cell level when the sample
    has one county). For ``outcome``: the event studies, the wild cluster bootstrap of TWFE with the
    counties as clusters (more than one county only), the Goodman-Bacon decomposition of TWFE on
    county × bank cells, the relative-magnitudes sensitivity (Rambachan–Roth) of the Sun–Abraham
    event study and its breakdown value of Mbar.

    ``bootstrap_reps`` draws for the wild cluster bootstrap of TWFE; ``cs_bootstrap_reps`` for the
    multiplier bootstrap of Callaway–Sant'Anna (R ``did``'s default ``biters`` is 1,000).
    """
    from research_kit import did
    from research_kit.inference import bootstrap

    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}; got {outcome!r}.")
    if estimator not in ("callaway_santanna", "twfe"):
        raise ValueError(f"estimator must be 'callaway_santanna' or 'twfe'; got {estimator!r}.")
    if cluster not in CLUSTERS:
        raise ValueError(f"cluster must be one of {list(CLUSTERS)}; got {cluster!r}.")
    if panel.empty:
        raise ValueError("the analysis panel is empty: check the county parameter and the processed data.")
    outcomes = tuple(QUESTION_OUTCOMES if outcomes is None else outcomes)
    if outcome not in outcomes:
        outcomes = (outcome, *outcomes)
    panel = with_cells(panel)
    counties = panel["county"].unique()
    boot_level = "county" if len(counties) > 1 else "cell"
    synthetic = data_is_synthetic()
    common: dict[str, Any] = dict(outcome=outcome, unit="business_id", time="t")

    per_outcome: dict[str, OutcomeEstimates] = {}
    main_fits: tuple[Any, ...] = ()  # (twfe, CS result, SA, imputation) of the headline outcome
    for oc in [o for o in OUTCOMES if o in outcomes]:
        tw, cs, sa, imp_all = _quiet(_overall, panel, oc, control_group=control_group, leads=leads, lags=lags,
                                     cluster=cluster, alpha=alpha, seed=seed)
        boot = _quiet(did.callaway_santanna, panel, outcome=oc, unit="business_id", time="t", cohort="cohort",
                      control_group=control_group, method="reg", cluster=boot_level, level=1 - alpha, seed=seed,
                      unbalanced="pairwise", bootstrap=cs_bootstrap_reps)
        estimands: dict[str, float] = {}
        if synthetic and f"te_{oc}" in panel.columns:
            e_tw, e_cs, e_sa, e_imp = _quiet(_overall, panel, f"te_{oc}", control_group=control_group, leads=leads,
                                             lags=lags, cluster=cluster, alpha=alpha, seed=seed)
            estimands = {"twfe": e_tw.estimate, "callaway_santanna": e_cs.aggregate("simple").estimate,
                         "sun_abraham": _one_term(e_sa, "ATT", "sun_abraham").estimate,
                         "imputation": _one_term(e_imp, "ATT", "imputation").estimate}
        per_outcome[oc] = OutcomeEstimates(
            outcome=oc, twfe=tw, cs=cs.aggregate("simple"), sa_att=_one_term(sa, "ATT", "sun_abraham"),
            imputation_att=_one_term(imp_all, "ATT", "imputation"), truth_att=truth_overall(panel, oc),
            cs_boot=boot.aggregate("simple"), boot_level=boot_level, estimands=estimands)
        if oc == outcome:
            main_fits = (tw, cs, sa, imp_all)
    tw, cs, sa, imp_all = main_fits

    import warnings

    es = _quiet(did.event_study, panel, **common, cohort="cohort", method="twfe", leads=leads, lags=lags,
                cluster=cluster, control_group=control_group)
    with warnings.catch_warnings():
        # businesses first observed after their bank started the programme have no untreated month to
        # impute from; the paper states the count (imputation.info) instead of a warning in the text
        warnings.simplefilter("ignore")
        imp = did.imputation(panel, **common, cohort="cohort", leads=leads, lags=lags, cluster=cluster)
    county_txt = county or ("all" if len(counties) > 1 else str(counties[0]))
    wild = None
    if len(counties) > 1:
        wild = bootstrap.wild_bootstrap_twfe(panel, **common, treat="treated", cluster="county", weights="webb",
                                             reps=bootstrap_reps, seed=seed, level=1 - alpha)
    cells = cell_panel(panel, outcome)
    bacon = None
    twfe_cells = None
    if cells["treated"].nunique() == 2 and cells["cell"].nunique() > 2:
        bacon = did.bacon_decomposition(cells, outcome="y", unit="cell", time="t", treat="treated")
        twfe_cells = float(bacon.twfe)
    honest: pd.DataFrame | None = None
    breakdown: float = float("nan")
    lost = did.event_times_without_se(sa.event_time) if sa.event_time is not None else ()
    if not lost:  # the sensitivity analysis needs the covariance of every event time
        honest = _quiet(did.honest_did, sa, target="average", level=1 - alpha)
        breakdown = _quiet(did.honest_breakdown, sa, target="average", level=1 - alpha, search_max=BREAKDOWN_MAX,
                           tol=breakdown_tol)
        # the C-LF sets are computed on a grid of theta, so near the crossing they can be non-monotone in Mbar by a
        # grid step: the breakdown value never exceeds the smallest Mbar of the table whose interval includes zero
        in_table = honest.loc[(honest["conf_low"] <= 0) & (honest["conf_high"] >= 0), "mbar"]
        if len(in_table):
            breakdown = min(float(breakdown), float(in_table.min()))
    no_comparison = _no_comparison(panel, outcome, control_group)
    n_clusters = {name: int(r.n_clusters or 0) for name, r in
                  (("twfe", es), ("sun_abraham", sa), ("imputation", imp), ("callaway_santanna", cs))}
    return FxEstimates(
        county=county_txt, outcome=outcome, estimator=estimator, control_group=control_group, leads=leads,
        lags=lags, twfe=tw, cs=cs.aggregate("simple"), cs_dynamic=cs.aggregate("dynamic", min_e=-leads, max_e=lags),
        es_twfe=es, sa=sa, imputation=imp, imputation_att=_one_term(imp_all, "ATT", "imputation"),
        truth_att=truth_overall(panel, outcome),
        truth_event=truth_by_event_time(panel, outcome, leads=leads, lags=lags),
        n_businesses=int(panel["business_id"].nunique()), synthetic=synthetic,
        wild=wild, bacon=bacon, honest=honest,
        cs_pretest=cs.pretrend_test, n_cells=int(cells["cell"].nunique()), n_cells_all=int(panel["cell"].nunique()),
        twfe_cells=twfe_cells, n_clusters=n_clusters, no_comparison=no_comparison,
        sectors=sector_effects(panel, outcome, control_group=control_group, cluster=cluster, alpha=alpha),
        pre_mean={"twfe": pre_mean_test(es), "sun_abraham": pre_mean_test(sa)},
        outcomes=per_outcome, breakdown=float(breakdown), honest_missing_se=lost, cluster=cluster, n_counties=int(len(counties)),
    )


def _no_comparison(panel: pd.DataFrame, outcome: str, control_group: Literal["never", "not_yet"]) -> dict[str, Any]:
    """Treated business-months without any comparison business (no never-treated and every cohort started).

    Share of treated business-months from the last start month on when no business is never treated (or
    when ``control_group="never"`` none is); the mean true effect with and without a comparison.
    """
    treated = panel.loc[panel["treated"] == 1]
    has_never = bool((panel["cohort"] == 0).any())
    if has_never or treated.empty:
        return {"share": 0.0, "from_t": None, "truth_with": float("nan"), "truth_without": float("nan")}
    last = int(panel.loc[panel["cohort"] > 0, "cohort"].max())
    without = treated["t"] >= last
    te = f"te_{outcome}"
    mean = lambda m: float(treated.loc[m, te].mean()) if te in treated and m.any() else float("nan")  # noqa: E731
    return {"share": float(without.mean()), "from_t": last, "truth_with": mean(~without), "truth_without": mean(without)}


def data_is_synthetic(root: str | os.PathLike[str] | None = None) -> bool:
    """True if any dataset this study reads is declared ``synthetic`` in the catalog."""
    cat = data.load_catalog(root)
    return any(cat[name].synthetic for name in ("businesses", "fx_loans", "rollout"))
