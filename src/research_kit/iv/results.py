"""The IV result type: a :class:`~research_kit.results.Result` with instrument diagnostics.

:class:`IVResult` adds methods over the linearmodels fit it keeps in
``extra["linearmodels"]``:

* :meth:`IVResult.first_stage` -- per endogenous regressor: first-stage R²,
  partial R², Shea's partial R², and the F statistic of the excluded
  instruments (Wald / q with the model's variance type and a small-sample
  correction, as Stata's ``estat firststage`` and R ``ivreg`` report it);
* :meth:`IVResult.first_stage_regression` -- the first-stage regression as a Result;
* :meth:`IVResult.overid` -- over-identification tests (Sargan, Basmann,
  Wooldridge's robust score test, Anderson–Rubin, Basmann F);
* :meth:`IVResult.endogeneity` -- Durbin, Wu–Hausman, Wooldridge's regression
  and score tests of the exogeneity of the endogenous regressors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from linearmodels import IV2SLS
from scipy import stats

from research_kit.panel._common import (
    LinearModelsResult,
    check_option,
    hypothesis_result,
    quiet_linearmodels,
    to_result,
)
from research_kit.results import Result

__all__ = ["EndogeneityMethod", "IVResult", "OveridMethod"]

OveridMethod = Literal["sargan", "basmann", "wooldridge", "anderson_rubin", "basmann_f"]
EndogeneityMethod = Literal["durbin", "wu_hausman", "wooldridge_regression", "wooldridge_score"]

_OVERID = {
    "sargan": "sargan",
    "basmann": "basmann",
    "wooldridge": "wooldridge_overid",
    "anderson_rubin": "anderson_rubin",
    "basmann_f": "basmann_f",
}
_ENDOG = {
    "durbin": "durbin",
    "wu_hausman": "wu_hausman",
    "wooldridge_regression": "wooldridge_regression",
    "wooldridge_score": "wooldridge_score",
}


def _from_wald(name: str, test: Any, nobs: int, info: dict[str, Any]) -> Result:
    """A linearmodels WaldTestStatistic as a one-row test Result."""
    df_denom = getattr(test, "df_denom", None)
    if df_denom is not None:
        return hypothesis_result(name, float(test.stat), df=(float(test.df), float(df_denom)), nobs=nobs,
                                 distribution="F", null=str(test.null), info=info)
    return hypothesis_result(name, float(test.stat), df=int(test.df), nobs=nobs, null=str(test.null), info=info)


@dataclass(frozen=True, eq=False, repr=False)
class IVResult(LinearModelsResult):
    """Estimates of an instrumental-variables model, with instrument diagnostics.

    ``info`` holds ``endog``, ``instruments``, ``exog``, ``cov_type``,
    ``cluster``, ``n_clusters``, ``r2``, ``first_stage_f`` and ``partial_r2``
    (dicts keyed by endogenous regressor), ``cragg_donald_f`` and, for LIML,
    ``kappa``; ``extra["linearmodels"]`` is linearmodels' results object.
    """

    @property
    def instruments(self) -> tuple[str, ...]:
        """The excluded instruments."""
        return tuple(map(str, self.info.get("instruments") or ()))

    @property
    def _lm(self) -> Any:
        return self.fit

    def first_stage(self) -> pd.DataFrame:
        """First-stage diagnostics, one row per endogenous regressor.

        Columns: ``r2`` (first-stage R²), ``partial_r2`` (of the excluded
        instruments, after partialling out the exogenous regressors),
        ``shea_r2`` (Shea's partial R²), ``f_stat`` (F statistic that the
        excluded instruments' coefficients are all zero, computed with the
        model's variance type with the small-sample correction), ``f_df1``,
        ``f_df2`` and ``f_pvalue`` (from F(df1, df2)).
        """
        cached = self.extra.get("_first_stage")
        if isinstance(cached, pd.DataFrame):
            return cached.copy()
        return _first_stage_table(self._lm, self.extra["_cov_kwargs"])

    def first_stage_regression(self, endog: str | None = None) -> Result:
        """The first-stage regression of ``endog`` (default: the first) on the exogenous regressors and instruments."""
        lm = self._lm
        names = list(lm.model.endog.cols)
        endog = names[0] if endog is None else endog
        check_option("endog", endog, names)
        fs = _first_stage_fit(lm, endog, self.extra["_cov_kwargs"])
        diag = self.first_stage().loc[endog]
        info = {
            "dependent": endog,
            "instruments": tuple(lm.model.instruments.cols),
            "cov_type": self.info.get("cov_type"),
            "cluster": self.info.get("cluster"),
            "r2": float(fs.rsquared),
            "partial_r2": float(diag["partial_r2"]),
            "shea_r2": float(diag["shea_r2"]),
            "f_stat": float(diag["f_stat"]),
            "f_pvalue": float(diag["f_pvalue"]),
            "f_df": (int(diag["f_df1"]), int(diag["f_df2"])),
        }
        instr = [str(c) for c in lm.model.instruments.cols]
        return to_result(fs, estimator="first_stage", term=instr[0], debiased=True, info=info)

    def overid(self, method: OveridMethod = "sargan") -> Result:
        """Test of the over-identifying restrictions (H0: all instruments are valid).

        ``"sargan"`` (n R² of the IV residuals on the instruments; homoskedastic),
        ``"basmann"``, ``"wooldridge"`` (Wooldridge's score test, robust to
        heteroskedasticity), ``"anderson_rubin"`` (LIML's n ln(kappa)),
        ``"basmann_f"``. Needs more instruments than endogenous regressors.
        """
        check_option("method", method, tuple(_OVERID))
        lm = self._lm
        n_instr, n_endog = len(lm.model.instruments.cols), len(lm.model.endog.cols)
        if n_instr <= n_endog:
            raise ValueError(
                f"the model is exactly identified ({n_instr} excluded instrument(s) for {n_endog} endogenous "
                "regressor(s)); over-identification tests need more instruments than endogenous regressors."
            )
        with quiet_linearmodels():
            test = getattr(lm, _OVERID[method])
        return _from_wald(f"overid_{method}", test, int(lm.nobs), {"method": method})

    def endogeneity(self, method: EndogeneityMethod = "durbin", variables: str | list[str] | None = None) -> Result:
        """Test that the endogenous regressors are in fact exogenous (H0: OLS is consistent).

        ``"durbin"`` (chi-squared) and ``"wu_hausman"`` (F) assume homoskedastic
        errors and can test a subset ``variables``; ``"wooldridge_regression"``
        (the control-function t / Wald test on the first-stage residuals, with
        the model's variance type) and ``"wooldridge_score"`` (robust) test all.
        """
        check_option("method", method, tuple(_ENDOG))
        lm = self._lm
        if variables is not None:
            if method not in ("durbin", "wu_hausman"):
                raise ValueError(f"variables= is only available with method 'durbin' or 'wu_hausman', not {method!r}.")
            wanted = [variables] if isinstance(variables, str) else list(variables)
            for v in wanted:
                check_option("variables", v, list(lm.model.endog.cols))
            variables = wanted
        with quiet_linearmodels():
            attr = getattr(lm, _ENDOG[method])
            test = attr(variables) if method in ("durbin", "wu_hausman") else attr
        return _from_wald(f"endogeneity_{method}", test, int(lm.nobs), {"method": method, "variables": variables})


def _first_stage_fit(lm: Any, endog: str, cov_kwargs: dict[str, Any]) -> Any:
    """OLS of one endogenous regressor on the exogenous regressors and the instruments."""
    model = lm.model
    X = pd.concat([model.exog.pandas, model.instruments.pandas], axis=1)
    y = model.endog.pandas[endog]
    w = model.weights.pandas.iloc[:, 0]
    w = None if np.allclose(w.to_numpy(float), 1.0) else w
    with quiet_linearmodels():
        return IV2SLS(y, X, None, None, weights=w).fit(debiased=True, **cov_kwargs)


def _first_stage_table(lm: Any, cov_kwargs: dict[str, Any]) -> pd.DataFrame:
    model = lm.model
    instr = [str(c) for c in model.instruments.cols]
    q = len(instr)
    with quiet_linearmodels():
        diag = lm.first_stage.diagnostics
    rows = []
    for endog in model.endog.cols:
        fs = _first_stage_fit(lm, str(endog), cov_kwargs)
        b = fs.params[instr].to_numpy(float)
        V = fs.cov.loc[instr, instr].to_numpy(float)
        f_stat = float(b @ np.linalg.solve(V, b)) / q
        df2 = int(fs.df_resid)
        rows.append(
            {
                "endog": str(endog),
                "r2": float(diag.loc[endog, "rsquared"]),
                "partial_r2": float(diag.loc[endog, "partial.rsquared"]),
                "shea_r2": float(diag.loc[endog, "shea.rsquared"]),
                "f_stat": f_stat,
                "f_df1": q,
                "f_df2": df2,
                "f_pvalue": float(stats.f.sf(f_stat, q, df2)),
            }
        )
    return pd.DataFrame(rows).set_index("endog")
