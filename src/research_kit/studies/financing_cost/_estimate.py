"""Estimates of the financing-cost study: panel estimators and fixed-effects 2SLS, computed once."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from research_kit import iv, panel
from research_kit.results import Result
from research_kit.simulate.panel_iv import FinancingCostData
from research_kit.studies.financing_cost._data import ENTITY, TIME

__all__ = ["demand_check", "estimate", "FinancingEstimates", "INSTRUMENTS", "within_two_way"]


INSTRUMENTS = {"both": ("relending", "rediscount"), "relending": ("relending",)}


def demand_check(p: pd.DataFrame) -> Result:
    """Falsification check of the instruments: the bank's relending quota on its borrowers' lagged credit growth.

    Bank × quarter means; regression with bank and quarter effects and heteroskedasticity-robust standard
    errors. Under "lend first, borrow afterwards" (先贷后借: banks lend first and draw relending funds
    afterwards), quotas that follow demand show up as a positive coefficient.
    """
    g = p.groupby(["bank", TIME], as_index=False)[["relending", "log_credit"]].mean().sort_values(["bank", TIME])
    g["lag_growth"] = g.groupby("bank")["log_credit"].diff().groupby(g["bank"]).shift(1)
    g = g.dropna(subset=["lag_growth"]).reset_index(drop=True)
    return panel.fe(g, "relending ~ lag_growth", entity="bank", time=TIME, time_effects=True, cov_type="robust")


def within_two_way(df: pd.DataFrame, columns: list[str], *, entity: str = ENTITY, time: str = TIME) -> pd.DataFrame:
    """Two-way (entity and period) demeaned columns of a balanced panel, with the entity column kept.

    In a balanced panel ``x - mean_i(x) - mean_t(x) + mean(x)`` removes both sets
    of effects exactly, so 2SLS on the demeaned data is fixed-effects 2SLS.
    """
    sizes = df.groupby(entity)[time].nunique()
    if sizes.nunique() != 1 or int(sizes.iloc[0]) != df[time].nunique():
        raise ValueError("within_two_way needs a balanced panel (every entity observed in every period).")
    x = df[columns].astype(float)
    out = x - x.groupby(df[entity]).transform("mean") - x.groupby(df[time]).transform("mean") + x.mean()
    out[entity] = df[entity].to_numpy()
    return out


@dataclass(frozen=True)
class FinancingEstimates:
    """Everything the paper reports, computed once."""

    pooled: Result
    re: Result
    fe: Result
    fe_iv: iv.IVResult
    variances: dict[str, Result]
    hausman: Result
    mundlak: Result
    truth: dict[str, float] | None
    demand_check: Result
    n_firms: int
    n_quarters: int
    options: dict[str, Any]


def estimate(data: FinancingCostData, *, instruments: Literal["both", "relending"] = "both",
             se: Literal["clustered", "driscoll_kraay"] = "clustered") -> FinancingEstimates:
    """Pooled OLS, random effects, two-way FE, FE-2SLS, the variance comparison and the specification tests."""
    if instruments not in INSTRUMENTS:
        raise ValueError(f"instruments must be one of {list(INSTRUMENTS)}; got {instruments!r}.")
    if se not in ("clustered", "driscoll_kraay"):
        raise ValueError(f"se must be 'clustered' or 'driscoll_kraay'; got {se!r}.")
    p = data.panel
    cov: dict[str, Any] = {"cluster": ENTITY} if se == "clustered" else {"cov_type": "driscoll_kraay"}
    rhs = "loan_rate + log_exports"
    pooled = panel.pooled(p, f"log_credit ~ 1 + {rhs} + C(t)", entity=ENTITY, time=TIME, **cov)
    re_ = panel.re(p, f"log_credit ~ 1 + {rhs} + C(t)", entity=ENTITY, time=TIME, **cov)
    fe = panel.fe(p, f"log_credit ~ {rhs}", entity=ENTITY, time=TIME, time_effects=True, **cov)
    specs: tuple[tuple[str, panel.CovType, str | None], ...] = (
        ("unadjusted", "unadjusted", None), ("robust", "robust", None), ("clustered", "clustered", ENTITY),
        ("driscoll_kraay", "driscoll_kraay", None),
    )
    variances: dict[str, Result] = {
        name: panel.fe(p, f"log_credit ~ {rhs}", entity=ENTITY, time=TIME, time_effects=True, cov_type=ct,
                       cluster=cl)
        for name, ct, cl in specs
    }
    z = INSTRUMENTS[instruments]
    dm = within_two_way(p, ["log_credit", "loan_rate", "log_exports", *z])
    fe_iv = iv.tsls(dm, f"log_credit ~ 0 + log_exports + [loan_rate ~ {' + '.join(z)}]", cluster=ENTITY,
                    debiased=True)
    # Hausman: classical variances, both scaled by the RE error variance (Stata's sigmamore), which
    # keeps V_FE - V_RE positive definite when RE is misspecified; quarter effects in both models.
    fe_u = panel.fe(p, f"log_credit ~ {rhs}", entity=ENTITY, time=TIME, time_effects=True)
    re_u = panel.re(p, f"log_credit ~ 1 + {rhs} + C(t)", entity=ENTITY, time=TIME)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", panel.HausmanWarning)  # reported through info["positive_definite"]
        haus = panel.hausman(fe_u, re_u, sigma="efficient")
    mund = panel.mundlak(p, f"log_credit ~ 1 + {rhs} + C(t)", entity=ENTITY, time=TIME)
    return FinancingEstimates(
        pooled=pooled, re=re_, fe=fe, fe_iv=fe_iv, variances=variances, hausman=haus, mundlak=mund,
        truth=dict(data.truth) or None, demand_check=demand_check(p), n_firms=int(p[ENTITY].nunique()), n_quarters=int(p[TIME].nunique()),
        options={"instruments": instruments, "se": se},
    )
