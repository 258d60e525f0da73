r"""Forecasts of one indicator series with their joint distribution.

A small set of linear Gaussian state-space models is fitted with statsmodels
and the one with the smallest information criterion is kept:

* ``"ANN"``  ETS(A,N,N), simple exponential smoothing (local level);
* ``"AAN"``  ETS(A,A,N), Holt's linear trend;
* ``"AAdN"`` ETS(A,Ad,N), damped trend;
* ``"LLT"``  the structural local linear trend model
  (:class:`statsmodels.tsa.statespace.structural.UnobservedComponents`).

ETS models are fitted by :class:`statsmodels.tsa.exponential_smoothing.ets.ETSModel`
with estimated initial states; their likelihood is not comparable with the
diffuse likelihood of the structural model, so one selection uses one family.

Besides the per-period forecast (which equals statsmodels' ``get_prediction`` /
``get_forecast``), :func:`fit_forecast` returns the *joint* covariance of the
``h`` future values, needed for sums of future values (cumulative targets):

* ETS, innovations form (Hyndman et al. 2008, ch. 6):
  :math:`y_{n+j} - \hat y_{n+j} = \sum_{i=1}^{j} \psi_{j-i} e_{n+i}` with
  :math:`\psi_0 = 1` and :math:`\psi_k = \alpha` (ANN), :math:`\alpha + k\beta` (AAN),
  :math:`\alpha + \beta(\phi + \dots + \phi^k)` (AAdN), so
  :math:`\Sigma = \sigma^2 \Psi\Psi'`;
* state space: :math:`\operatorname{Cov}(y_{n+j}, y_{n+k}) = Z T^{k-j} P_{n+j} Z' + H 1\{j = k\}`
  with :math:`P_{n+j+1} = T P_{n+j} T' + RQR'` from the filtered
  :math:`P_{n+1|n}`.

Parameter uncertainty is ignored, as in statsmodels' prediction intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from research_kit.timeseries.targets import check_choice

__all__ = ["ETS_MODELS", "MIN_OBS", "Criterion", "Forecast", "ForecastFitWarning", "ModelName", "fit_forecast"]

ModelName = Literal["ANN", "AAN", "AAdN", "LLT"]
Criterion = Literal["aicc", "aic", "bic"]

ETS_MODELS: dict[str, tuple[str | None, bool]] = {"ANN": (None, False), "AAN": ("add", False), "AAdN": ("add", True)}
#: Fewest observations a model is fitted to (about twice its parameters plus two).
MIN_OBS: dict[str, int] = {"ANN": 6, "AAN": 10, "AAdN": 12, "LLT": 8}


class ForecastFitWarning(UserWarning):
    """A candidate model failed to fit or its optimiser did not converge."""


@dataclass(frozen=True)
class Forecast:
    """The selected model's forecast of the next ``h`` periods.

    Attributes
    ----------
    model
        Name of the selected model (see :data:`ModelName`).
    mean
        Forecast means, shape ``(h,)``.
    cov
        Joint covariance of the ``h`` future values, shape ``(h, h)``.
    criteria
        One row per candidate: ``model``, ``aic``, ``aicc``, ``bic``, ``selected``
        (failed or skipped candidates have NaN criteria and a ``message``).
    results
        The fitted statsmodels results of the selected model.
    """

    model: str
    mean: np.ndarray
    cov: np.ndarray
    criteria: pd.DataFrame
    results: Any = field(repr=False)

    @property
    def std_error(self) -> np.ndarray:
        """Standard deviation of each future value."""
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))


def _ets_fit(y: pd.Series, name: str) -> Any:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    trend, damped = ETS_MODELS[name]
    return ETSModel(y, error="add", trend=trend, damped_trend=damped).fit(disp=False)


def _llt_fit(y: pd.Series) -> Any:
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    return UnobservedComponents(y, level="local linear trend").fit(disp=False)


def ets_psi(name: str, h: int, alpha: float, beta: float = 0.0, phi: float = 1.0) -> np.ndarray:
    r"""Innovation weights :math:`\psi_0 = 1, \psi_1, ..., \psi_{h-1}` of an additive ETS model.

    Examples
    --------
    >>> ets_psi("AAN", 3, alpha=0.5, beta=0.1).tolist()
    [1.0, 0.6, 0.7]
    """
    k = np.arange(1, h, dtype=float)
    if name == "ANN":
        c = np.full(h - 1, alpha)
    elif name == "AAN":
        c = alpha + beta * k
    elif name == "AAdN":
        c = alpha + beta * (phi * (1.0 - phi**k) / (1.0 - phi) if phi != 1.0 else k)
    else:
        raise ValueError(f"ets_psi: unknown ETS model {name!r}; expected one of {list(ETS_MODELS)}.")
    return np.r_[1.0, c]


def _ets_joint(res: Any, name: str, h: int) -> tuple[np.ndarray, np.ndarray]:
    mean = np.asarray(res.forecast(h), dtype=float)
    beta = float(res.smoothing_trend) if name != "ANN" else 0.0
    phi = float(res.damping_trend) if name == "AAdN" else 1.0
    psi = ets_psi(name, h, float(res.smoothing_level), beta, phi)
    idx = np.subtract.outer(np.arange(h), np.arange(h))
    Psi = np.where(idx >= 0, psi[np.clip(idx, 0, None)], 0.0)
    return mean, float(res.mse) * Psi @ Psi.T


def _statespace_joint(res: Any, h: int) -> tuple[np.ndarray, np.ndarray]:
    fr = res.filter_results
    a = np.asarray(fr.predicted_state[:, -1], dtype=float)
    P = np.asarray(fr.predicted_state_cov[:, :, -1], dtype=float)
    Z = np.asarray(fr.design[0, :, 0], dtype=float)  # one observed series: Z is a row
    T = fr.transition[:, :, 0]
    R = fr.selection[:, :, 0]
    RQR = R @ fr.state_cov[:, :, 0] @ R.T
    H = float(fr.obs_cov[0, 0, 0])
    means, Ps, states = [], [], a
    for _ in range(h):
        means.append(float(Z @ states))
        Ps.append(P)
        states, P = T @ states, T @ P @ T.T + RQR
    cov = np.empty((h, h))
    for j in range(h):
        M = Ps[j]
        for k in range(j, h):
            cov[j, k] = cov[k, j] = float(Z @ M @ Z) + (H if j == k else 0.0)
            M = T @ M
    return np.asarray(means), cov


def fit_forecast(
    y: pd.Series | np.ndarray,
    h: int,
    *,
    models: Sequence[ModelName] = ("ANN", "AAN", "AAdN"),
    criterion: Criterion = "aicc",
) -> Forecast:
    """Fit the candidate models to ``y``, keep the best by ``criterion`` and forecast ``h`` periods.

    Parameters
    ----------
    y
        The observed series, oldest first, without missing values.
    h
        Number of periods to forecast (at least 1).
    models
        Candidates; all ETS (``"ANN"``, ``"AAN"``, ``"AAdN"``) or only ``"LLT"``.
        A candidate is skipped when ``y`` has fewer than :data:`MIN_OBS` values.
    criterion
        ``"aicc"`` (default), ``"aic"`` or ``"bic"``, from statsmodels' results.

    Returns
    -------
    Forecast

    Raises
    ------
    ValueError
        For missing values, unknown or mixed model families, ``h < 1``, or when
        no candidate could be fitted.

    Examples
    --------
    >>> import numpy as np
    >>> y = 10 + np.cumsum(np.random.default_rng(0).normal(0.5, 1.0, 48))
    >>> f = fit_forecast(y, 6)
    >>> f.model in {"ANN", "AAN", "AAdN"}, f.cov.shape
    (True, (6, 6))
    """
    check_choice("criterion", criterion, get_args(Criterion))
    models = tuple(models)
    if not models:
        raise ValueError("models is empty; pass at least one of 'ANN', 'AAN', 'AAdN', 'LLT'.")
    for m in models:
        check_choice("model", m, get_args(ModelName))
    if "LLT" in models and len(models) > 1:
        raise ValueError(
            f"models {list(models)} mix ETS models with the structural local linear trend 'LLT'; their information "
            "criteria are not comparable (estimated vs diffuse initial states). Use ETS models only, or ('LLT',)."
        )
    if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1:
        raise ValueError(f"h must be a positive integer number of periods; got {h!r}.")
    values = np.asarray(y, dtype=float)
    if values.ndim != 1 or np.isnan(values).any():
        raise ValueError("y must be one series without missing values; fill or drop the gaps first.")
    ys = pd.Series(values)  # RangeIndex: statsmodels' prediction needs a pandas index
    rows, fits = [], {}
    for name in models:
        row: dict[str, Any] = {"model": name, "aic": np.nan, "aicc": np.nan, "bic": np.nan, "message": ""}
        if len(values) < MIN_OBS[name]:
            row["message"] = f"skipped: {len(values)} observations, needs {MIN_OBS[name]}"
            rows.append(row)
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = _llt_fit(ys) if name == "LLT" else _ets_fit(ys, name)
            except (ValueError, np.linalg.LinAlgError) as exc:
                row["message"] = f"failed: {exc}"
                rows.append(row)
                continue
        notes = sorted({str(w.message).splitlines()[0] for w in caught if "converge" in str(w.message).lower()})
        row.update(aic=float(res.aic), aicc=float(res.aicc), bic=float(res.bic), message="; ".join(notes))
        if not np.isfinite(row[criterion]):
            row["message"] = (row["message"] + "; " if row["message"] else "") + f"{criterion} not finite"
        else:
            fits[name] = res
        rows.append(row)
    crit = pd.DataFrame(rows)
    if not fits:
        raise ValueError(f"no candidate model could be fitted to a series of {len(values)} values: "
                         + "; ".join(f"{r['model']}: {r['message']}" for r in rows))
    best = min(fits, key=lambda n: crit.loc[crit["model"] == n, criterion].iloc[0])
    crit["selected"] = crit["model"] == best
    res = fits[best]
    note = crit.loc[crit["model"] == best, "message"].iloc[0]
    if note:
        warnings.warn(f"the selected model {best} was fitted with a warning ({note}); check its forecast.",
                      ForecastFitWarning, stacklevel=2)
    mean, cov = _statespace_joint(res, h) if best == "LLT" else _ets_joint(res, best, h)
    return Forecast(model=best, mean=mean, cov=cov, criteria=crit, results=res)
