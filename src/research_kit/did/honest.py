"""Sensitivity of event-study conclusions to violations of parallel trends (Rambachan and Roth 2023).

Relative-magnitudes restriction ``Delta^RM(Mbar)``: the post-treatment violation of
parallel trends between consecutive periods is at most ``Mbar`` times the largest
pre-treatment one,

``|delta_{t+1} - delta_t| <= Mbar * max_{s<0} |delta_{s+1} - delta_s|`` for every ``t >= 0``,

with the event-study coefficients ``beta = tau + delta`` (``tau_pre = 0``) normalised to
0 in the reference period ``e = -1``. For ``theta = l' tau_post``:

* **Identified set** (exact, closed form). Given ``beta``, ``delta_pre = beta_pre`` is known, so
  ``m = max_s |delta_{s+1} - delta_s|`` over the ``T_pre`` pre-period differences (the last one
  is ``0 - beta_{-2}``) is known and every post difference lies in ``[-Mbar m, Mbar m]``;
  writing ``delta_t`` as a sum of differences, ``l' delta_post`` ranges over
  ``+- Mbar m sum_u |L_u|`` with ``L_u = sum_{t >= u} l_t``. The identified set is
  ``l' beta_post +- Mbar m sum_u |L_u|`` (the union over the polyhedral pieces
  ``Delta^RM_{s,+-}`` of HonestDiD collapses to this interval).
* **Robust confidence interval** (``method="sup-t projection"``, conservative). The identified
  set depends on ``beta`` only through ``z = (D beta_pre, l' beta_post)`` (``D``: the pre-period
  first differences). With ``c`` the 1 - alpha sup-t critical value of ``z`` (simulated,
  fixed seed, 200,000 draws), the CI is the union of identified sets over the simultaneous
  band for ``z``:
  ``l' beta_hat_post +- (c se(l' beta_post) + Mbar sum_u |L_u| max_s (|D_s beta_hat_pre| + c se(D_s beta_pre)))``.
  It covers ``theta`` with probability >= 1 - alpha whenever ``delta`` is in ``Delta^RM(Mbar)``.
  For ``Mbar = 0`` it is the original interval ``l' beta_hat_post +- z_{1-alpha/2} se``.

Not implemented: HonestDiD's conditional-least-favorable hybrid ("C-LF", Andrews, Roth and
Pakes 2023) that ``createSensitivityResults_relativeMagnitudes`` reports. The projection CI
contains it but is wider: on HonestDiD's Medicaid example at ``Mbar = 1`` the C-LF interval is
[0.0170, 0.0720] and ours [-0.0071, 0.0999] (see ``tests/did/test_honest.py``).

Examples
--------
>>> import numpy as np
>>> b = np.array([0.01, -0.005, 0.0, 0.05, 0.06])  # e = -4, -3, -2 (e = -1 is the reference), 0, 1
>>> tab = honest_rm(b, np.eye(5) * 1e-4, num_pre=3, num_post=2, mbar=(0, 1))
>>> tab[["mbar", "id_lb", "id_ub"]].round(4).values.tolist()
[[0.0, 0.05, 0.05], [1.0, 0.035, 0.065]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["honest_did", "honest_plot", "honest_rm", "rm_identified_set"]

METHOD = "sup-t projection"
_SIM_DRAWS = 200_000
_SIM_SEED = 20230901


def _first_differences(num_pre: int) -> np.ndarray:
    """``D`` (num_pre x num_pre): the pre-period differences, the last one to the reference (0)."""
    D = np.zeros((num_pre, num_pre))
    for s in range(num_pre):
        D[s, s] = -1.0
        if s + 1 < num_pre:
            D[s, s + 1] = 1.0
    return D


def _check_l(l_vec: Any, num_post: int) -> np.ndarray:
    lv = np.full(num_post, 0.0) if l_vec is None else np.asarray(l_vec, dtype=float).ravel()
    if l_vec is None:
        lv[0] = 1.0
    if lv.shape != (num_post,):
        raise ValueError(f"l_vec has {lv.size} entries; it needs one per post-treatment period ({num_post}).")
    return lv


def _post_weight(lv: np.ndarray) -> float:
    """``sum_u |L_u|`` with ``L_u = sum_{t >= u} l_t``: the worst-case ``l' delta_post`` per unit of slope bound."""
    return float(np.abs(np.cumsum(lv[::-1])[::-1]).sum())


def rm_identified_set(
    beta: Sequence[float] | np.ndarray, *, num_pre: int, num_post: int, mbar: float, l_vec: Any = None
) -> tuple[float, float]:
    """Identified set of ``l' tau_post`` under ``Delta^RM(mbar)`` given the population coefficients ``beta``.

    ``beta`` stacks the pre-period coefficients (``e = -num_pre-1 .. -2``; ``e = -1`` is the
    omitted reference) and the post-period ones (``e = 0 .. num_post-1``).

    Examples
    --------
    >>> [round(v, 6) for v in rm_identified_set([0.0, 0.02, 0.1], num_pre=2, num_post=1, mbar=2)]
    [0.06, 0.14]
    """
    b = np.asarray(beta, dtype=float).ravel()
    _check_sizes(b.size, num_pre, num_post)
    lv = _check_l(l_vec, num_post)
    m = float(np.max(np.abs(_first_differences(num_pre) @ b[:num_pre])))
    centre = float(lv @ b[num_pre:])
    half = float(mbar) * m * _post_weight(lv)
    return centre - half, centre + half


def _check_sizes(k: int, num_pre: int, num_post: int) -> None:
    if num_pre < 1 or num_post < 1:
        raise ValueError(f"num_pre={num_pre}, num_post={num_post}: need at least one pre- and one post-period "
                         "coefficient besides the reference period.")
    if k != num_pre + num_post:
        raise ValueError(f"betahat has {k} entries but num_pre + num_post = {num_pre + num_post}; give the "
                         "event-study coefficients without the reference period.")


_CRITICAL_CACHE: dict[tuple[bytes, float], float] = {}


def _sup_t_critical(corr: np.ndarray, alpha: float) -> float:
    """``c`` with ``P(max_k |Z_k| <= c) = 1 - alpha`` for ``Z ~ N(0, corr)`` (simulated, fixed seed; cached)."""
    key = (np.round(corr, 12).tobytes(), float(alpha))
    if key not in _CRITICAL_CACHE:
        if len(_CRITICAL_CACHE) > 256:
            _CRITICAL_CACHE.clear()
        _CRITICAL_CACHE[key] = _simulate_critical(corr, alpha)
    return _CRITICAL_CACHE[key]


def _simulate_critical(corr: np.ndarray, alpha: float) -> float:
    rng = np.random.default_rng(_SIM_SEED)
    w, U = np.linalg.eigh(corr)
    root = U * np.sqrt(np.clip(w, 0.0, None))
    Z = rng.standard_normal((_SIM_DRAWS, corr.shape[0])) @ root.T
    return float(np.quantile(np.abs(Z).max(axis=1), 1 - alpha))


def honest_rm(
    betahat: Sequence[float] | np.ndarray,
    sigma: np.ndarray,
    *,
    num_pre: int,
    num_post: int,
    mbar: Sequence[float] = (0, 0.5, 1, 1.5, 2),
    l_vec: Any = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Relative-magnitudes sensitivity table from event-study coefficients and their covariance.

    Parameters
    ----------
    betahat
        Coefficients for ``e = -num_pre-1 .. -2`` and ``e = 0 .. num_post-1`` (reference ``e = -1`` omitted),
        as HonestDiD's ``betahat``.
    sigma
        Their covariance matrix.
    num_pre, num_post
        Numbers of pre- and post-period coefficients.
    mbar
        Values of ``Mbar``.
    l_vec
        Weights of the target ``theta = l' tau_post``; default the first post period.
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns mbar, lb, ub (robust CI), method, id_lb, id_ub (identified set at ``betahat``);
        ``attrs["original"]`` holds the usual CI ``(lb, ub)`` of ``theta``.

    Examples
    --------
    >>> import numpy as np
    >>> tab = honest_rm([0.0, 0.01, 0.05], np.diag([1e-4, 1e-4, 1e-4]), num_pre=2, num_post=1, mbar=(0, 1))
    >>> bool((tab["lb"] <= tab["id_lb"]).all() and (tab["ub"] >= tab["id_ub"]).all())
    True
    """
    b = np.asarray(betahat, dtype=float).ravel()
    _check_sizes(b.size, num_pre, num_post)
    V = np.asarray(sigma, dtype=float)
    if V.shape != (b.size, b.size):
        raise ValueError(f"sigma has shape {V.shape}; it must be {b.size} x {b.size} like betahat.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r} must be between 0 and 1, e.g. 0.05.")
    mbars = np.asarray(list(mbar), dtype=float)
    if mbars.size == 0 or np.any(mbars < 0) or np.any(~np.isfinite(mbars)):
        raise ValueError(f"mbar={list(mbar)!r}: give one or more finite values >= 0, e.g. (0, 0.5, 1, 1.5, 2).")
    lv = _check_l(l_vec, num_post)
    D = _first_differences(num_pre)
    # z = (D beta_pre, l' beta_post): its covariance, correlation and sup-t critical value
    Lz = np.zeros((num_pre + 1, b.size))
    Lz[:num_pre, :num_pre] = D
    Lz[num_pre, num_pre:] = lv
    Vz = Lz @ V @ Lz.T
    sz = np.sqrt(np.clip(np.diag(Vz), 0.0, None))
    if sz[-1] <= 0:
        raise ValueError("the target l' beta_post has zero variance; check sigma and l_vec.")
    safe = np.where(sz > 0, sz, 1.0)
    c = _sup_t_critical(Vz / np.outer(safe, safe), alpha)
    z_hat = Lz @ b
    theta, se_theta = float(z_hat[-1]), float(sz[-1])
    w = _post_weight(lv)
    m_hat = float(np.max(np.abs(z_hat[:num_pre])))
    m_band = float(np.max(np.abs(z_hat[:num_pre]) + c * sz[:num_pre]))
    z1 = float(stats.norm.ppf(1 - alpha / 2))
    rows = []
    for mb in mbars:
        half = z1 * se_theta if mb == 0 else c * se_theta + mb * w * m_band
        rows.append({"mbar": float(mb), "lb": theta - half, "ub": theta + half, "method": METHOD,
                     "id_lb": theta - mb * w * m_hat, "id_ub": theta + mb * w * m_hat})
    out = pd.DataFrame(rows)
    out.attrs["original"] = (theta - z1 * se_theta, theta + z1 * se_theta)
    out.attrs["critical_value"] = c
    out.attrs["alpha"] = alpha
    return out


def honest_did(
    event_study_result: Any,
    *,
    mbar: Sequence[float] = (0, 0.5, 1, 1.5, 2),
    target: str = "e=0",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Relative-magnitudes sensitivity of an event study (TWFE or Sun–Abraham, reference period -1).

    Parameters
    ----------
    event_study_result
        Result of ``rk.did.event_study(..., method="twfe", reference=-1)``: it carries the
        coefficient covariance (``extra["vcov_matrix"]``) that the analysis needs.
    mbar
        Values of ``Mbar`` (post violations at most ``Mbar`` times the largest pre one).
    target
        ``"e=k"`` for the effect ``k`` periods after treatment, or ``"average"`` for the
        mean of the post-period effects in the window.
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        mbar, lb, ub, method, id_lb, id_ub; ``attrs["original"]`` the usual CI.

    Examples
    --------
    >>> import research_kit as rk
    >>> from research_kit.did._example import small_staggered_panel
    >>> es = rk.did.event_study(small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g")
    >>> honest_did(es, mbar=(0, 1))["mbar"].tolist()
    [0.0, 1.0]
    """
    info = getattr(event_study_result, "info", {}) or {}
    extra = getattr(event_study_result, "extra", {}) or {}
    if "vcov_matrix" not in extra or "event_time" not in extra:
        raise NotImplementedError(
            "honest_did needs the event-study covariance matrix, which rk.did.event_study(..., method='twfe') "
            "stores; for other estimators call honest_rm(betahat, sigma, num_pre=, num_post=) directly "
            "(Callaway-Sant'Anna needs a universal base period for this analysis)."
        )
    if info.get("reference", -1) != -1:
        raise ValueError(f"the event study uses reference period {info.get('reference')}; the relative-magnitudes "
                         "analysis needs reference=-1 (the period just before treatment).")
    tab = extra["event_time"]
    est = tab.loc[tab["std_error"].notna()].sort_values("event_time")
    events = est["event_time"].to_numpy()
    V = np.asarray(extra["vcov_matrix"], dtype=float)
    terms = list(event_study_result.tidy()["term"]) if hasattr(event_study_result, "tidy") else []
    if V.shape == (len(events) + 1, len(events) + 1) and terms and terms[-1] == "ATT":
        V = V[:-1, :-1]  # Sun-Abraham / imputation append the overall ATT after the event times
    if V.shape != (len(events), len(events)) or not np.allclose(np.sqrt(np.diag(V)), est["std_error"], rtol=1e-8):
        raise ValueError("the event study's covariance matrix does not match its coefficient table.")
    pre, post = events[events < -1], events[events >= 0]
    expected = np.r_[np.arange(-len(pre) - 1, -1), np.arange(len(post))]
    if len(pre) < 1 or len(post) < 1 or not np.array_equal(events, expected):
        raise ValueError(f"event times {events.tolist()} must run consecutively from a lead to a lag around the "
                         "reference -1, with at least one pre- and one post-period; set leads= and lags=.")
    if target == "average":
        lv = np.full(len(post), 1.0 / len(post))
    elif isinstance(target, str) and target.startswith("e=") and target[2:].lstrip("-").isdigit():
        k = int(target[2:])
        if k not in set(post.tolist()):
            raise ValueError(f"target={target!r}: post-period effects are e=0..e={post.max()}.")
        lv = (post == k).astype(float)
    else:
        raise ValueError(f"target={target!r} is not supported; use 'e=0', 'e=1', ... or 'average'.")
    out = honest_rm(est["estimate"].to_numpy(), V, num_pre=len(pre), num_post=len(post), mbar=mbar, l_vec=lv,
                    alpha=alpha)
    out.attrs["target"] = target
    return out


def honest_plot(table: pd.DataFrame, *, original: tuple[float, float] | None = None, lang: str = "zh",
                ax: Any = None) -> Any:
    """Robust intervals against ``Mbar`` beside the original interval (HonestDiD's sensitivity plot).

    Returns the matplotlib Figure. ``original`` defaults to ``table.attrs["original"]``.

    Examples
    --------
    >>> import numpy as np
    >>> tab = honest_rm([0.0, 0.01, 0.05], np.eye(3) * 1e-4, num_pre=2, num_post=1, mbar=(0.5, 1))
    >>> fig = honest_plot(tab, lang="en")
    >>> fig.axes[0].get_xlabel().endswith("(relative magnitude)")
    True
    """
    import matplotlib.pyplot as plt

    from research_kit.report.labels import Labels, check_lang

    lab = Labels(check_lang(lang), extra={
        "x": {"zh": r"$\bar{M}$（相对幅度）", "en": r"$\bar{M}$ (relative magnitude)"},
        "y": {"zh": "效应的置信区间", "en": "Confidence interval for the effect"},
        "orig": {"zh": "原始区间", "en": "Original"},
        "robust": {"zh": "稳健区间（sup-t 投影）", "en": "Robust (sup-t projection)"},
        "idset": {"zh": "识别集", "en": "Identified set"},
    })
    if ax is None:
        fig, ax = plt.subplots()
    else:
        fig = ax.figure
    orig = original if original is not None else table.attrs.get("original")
    mb = table["mbar"].to_numpy(dtype=float)
    step = float(np.min(np.diff(np.unique(mb)))) if np.unique(mb).size > 1 else 0.5
    if orig is not None:
        x0 = mb.min() - step
        ax.vlines(x0, orig[0], orig[1], color="0.4", lw=2.5, label=lab("orig"))
        ax.set_xticks(np.r_[x0, mb], [lab("orig")] + [f"{m:g}" for m in mb])
    ax.vlines(mb, table["lb"], table["ub"], color="C0", lw=2.5, label=lab("robust"))
    if {"id_lb", "id_ub"} <= set(table.columns):
        ax.vlines(mb + 0.12 * step, table["id_lb"], table["id_ub"], color="C1", lw=1.5, label=lab("idset"))
    ax.axhline(0.0, color="0.6", lw=0.8, ls="--")
    ax.set_xlabel(lab("x"))
    ax.set_ylabel(lab("y"))
    ax.legend(loc="best", frameon=False)
    return fig
