"""Synthetic regression discontinuity data with known true effects.

Everything made here is SYNTHETIC.

* :func:`rd_data` -- cross-sections for tests: the sharp design is model 1 of
  the simulations in Calonico, Cattaneo and Titiunik (2014, Econometrica,
  Section 5), calibrated to Lee's (2008) U.S. House data (true jump 0.04); the
  fuzzy design keeps that running variable and adds a binary treatment taken up
  by an endogenous choice, with a constant true effect.
* :func:`hedging_guarantee_demo` -- the demo of task 19 of the Jinhua plan
  (小微企业汇率避险担保增信): small firms, a hypothetical eligibility threshold in
  prior-year export receipts, take-up of the FX-hedging guarantee among eligible
  firms, and the hedging ratio and FX losses with their potential outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from research_kit.simulate._demo import COUNTY_POPULATION, SECTORS
from research_kit.simulate._staggered import _check_int, check_choice

__all__ = ["CCT_MODEL1_JUMP", "WHOLESALE_MEDIUM_REVENUE", "HedgingRDData", "hedging_guarantee_demo", "rd_data",
           "smallfirm_guarantee_demo"]

#: True jump at the cutoff of model 1 of Calonico, Cattaneo and Titiunik (2014): 0.52 - 0.48.
CCT_MODEL1_JUMP = 0.04

# Model 1 of CCT (2014), fitted to Lee (2008): fifth-order polynomials on each side.
_LEE_LEFT = np.array([0.48, 1.27, 7.18, 20.21, 21.54, 7.33])
_LEE_RIGHT = np.array([0.52, 0.84, -3.00, 7.99, -9.01, 3.56])
_LEE_SIGMA = 0.1295
# Fuzzy design: a smooth, moderately curved mean function (continuous at the cutoff).
_FUZZY_MU = np.array([0.5, 0.8, -0.6, 0.4])


def _poly(coef: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.polynomial.polynomial.polyval(x, coef)


def rd_data(
    n: int,
    *,
    design: Literal["sharp", "fuzzy"] = "sharp",
    effect: float = 0.5,
    first_stage: float = 0.6,
    seed: int | None = 0,
) -> pd.DataFrame:
    """A cross-section for RD with a known jump at the cutoff 0.

    Parameters
    ----------
    n
        Number of units.
    design
        ``"sharp"``: CCT (2014) model 1, ``x = 2 Beta(2, 4) - 1``,
        ``y = mu_-(x)`` below 0 and ``mu_+(x)`` at or above 0 plus N(0, 0.1295²)
        noise; the true jump is :data:`CCT_MODEL1_JUMP` (``effect`` is ignored).
        ``"fuzzy"``: the same ``x``; units take up treatment ``d`` with
        probability 0.1 below the cutoff and ``0.1 + first_stage`` at or above it,
        by a choice driven by an unobserved ``u`` that also enters the outcome:
        ``y = 0.5 + 0.8 x - 0.6 x² + 0.4 x³ + effect * d + 0.1 u + e``.
        The true effect of ``d`` at the cutoff is ``effect``, the true jump of
        ``d`` is ``first_stage``.
    seed
        Random seed (default 0, as every function of research_kit that draws random numbers).

    Returns
    -------
    pandas.DataFrame
        Columns ``x``, ``y`` (and ``d`` for fuzzy), and ``z`` (a covariate that is
        smooth at the cutoff and predicts ``y``).

    Examples
    --------
    >>> df = rd_data(500, seed=1)
    >>> list(df.columns), round(float(df["x"].min()), 2) >= -1
    (['x', 'y', 'z'], True)
    """
    n = _check_int("n", n, 50)
    check_choice("design", design, ("sharp", "fuzzy"))
    if not 0 < first_stage <= 0.9:
        raise ValueError(f"first_stage must be in (0, 0.9]; got {first_stage!r}.")
    rng = np.random.default_rng(seed)
    x = 2 * rng.beta(2, 4, size=n) - 1
    z = rng.normal(size=n)
    e = _LEE_SIGMA * (0.6 * z + 0.8 * rng.normal(size=n))  # z explains part of the noise
    right = x >= 0
    if design == "sharp":
        y = np.where(right, _poly(_LEE_RIGHT, x), _poly(_LEE_LEFT, x)) + e
        return pd.DataFrame({"x": x, "y": y, "z": z})
    u = rng.normal(size=n)
    # choice: units with a low unobserved u take up more, and a low u also means a low y (endogenous take-up)
    p_take = np.where(right, 0.1 + first_stage, 0.1)
    d = (u < norm.ppf(p_take)).astype(float)
    y = _poly(_FUZZY_MU, x) + effect * d + 0.1 * u + e
    return pd.DataFrame({"x": x, "y": y, "d": d, "z": z})


@dataclass(frozen=True, repr=False)
class HedgingRDData:
    """Synthetic small firms around the guarantee eligibility threshold, and the true effects.

    Attributes
    ----------
    firms : pandas.DataFrame
        One row per firm; see :func:`hedging_guarantee_demo`.
    truth : dict
        True effects at the threshold (sample analogues from the simulated
        potential outcomes of firms within ``truth["window"]`` of it):
        ``first_stage`` (jump in take-up), ``late_<outcome>`` (effect of the
        guarantee on firms that take it up when eligible), ``itt_<outcome>``
        (effect of eligibility), for ``hedge_ratio`` and ``fx_loss``.
    threshold : float
        The eligibility threshold (万美元 of prior-year export receipts).
    """

    firms: pd.DataFrame
    truth: dict[str, float]
    threshold: float

    def __repr__(self) -> str:
        return f"HedgingRDData(SYNTHETIC; firms={len(self.firms)}, threshold={self.threshold:g})"


def hedging_guarantee_demo(
    n_firms: int = 4000,
    *,
    threshold: float = 50.0,
    take_up: float = 0.6,
    effect_hedge: float = 15.0,
    manipulation: float = 0.0,
    seed: int | None = 0,
) -> HedgingRDData:
    """Small firms, a guarantee-eligibility threshold and FX hedging (SYNTHETIC).

    Data-generating process (every number is invented for the demo):

    * prior-year export receipts ``R`` (万美元) are log-normal (median 45,
      log-sd 0.9); a firm is *eligible* for the FX-hedging guarantee if
      ``R >= threshold`` (a hypothetical rule: the guarantee requires a regular
      trade background). ``running = R - threshold``.
    * a latent hedging propensity ``u`` ~ N(0, 1) raises both the baseline
      hedging ratio and the chance of taking up the guarantee (selection);
      eligible firms take it up with probability ``Phi(Phi^-1(take_up) + 0.5 u)``;
      ineligible firms cannot get it (one-sided non-compliance).
    * hedging ratio (% of FX receipts hedged by forwards/options), without the
      guarantee ``y0 = clip(6 + 4 log(1 + R/10) + 3 u + sector + N(0, 5²), 0, 100)``,
      with it ``y1 = clip(y0_latent + effect_hedge, 0, 100)``.
    * FX loss (% of receipts) ``= 2.0 s (1 - hedge/100) + N(0, 0.3²)`` with the
      firm's exposure ``s`` ~ U(0.6, 1.4): hedging reduces losses.
    * predetermined covariates, smooth at the threshold: firm age, employees,
      the 2021 hedging ratio (before the policy), sector and county.
    * with ``manipulation > 0`` that share of firms just below the threshold
      (within 10 万美元) report receipts just above it (up to 3 万美元 above):
      bunching that the density test should detect.

    Parameters
    ----------
    n_firms
        Number of firms.
    threshold
        Eligibility threshold in 万美元 of prior-year export receipts.
    take_up
        Take-up probability of an eligible firm with average propensity.
    effect_hedge
        Effect of the guarantee on the (latent) hedging ratio, percentage points.
    manipulation
        Share (0-1) of firms just below the threshold that misreport to become eligible.
    seed
        Random seed (default 0, as every function of research_kit that draws random numbers).

    Returns
    -------
    HedgingRDData
        ``firms`` columns: firm_id, county, sector, export_receipts, running,
        eligible, guaranteed, hedge_ratio, fx_loss, firm_age, employees,
        hedge_ratio_2021, te_hedge_ratio, te_fx_loss, complier.

    Examples
    --------
    >>> d = hedging_guarantee_demo(2000, seed=1)
    >>> bool((d.firms.loc[d.firms["running"] < 0, "guaranteed"] == 0).all())
    True
    >>> 10 < d.truth["late_hedge_ratio"] <= 15
    True
    """
    n = _check_int("n_firms", n_firms, 200)
    if not 0 < take_up < 1:
        raise ValueError(f"take_up must be a probability in (0, 1); got {take_up!r}.")
    if not 0 <= manipulation <= 1:
        raise ValueError(f"manipulation must be a share in [0, 1]; got {manipulation!r}.")
    if not threshold > 0:
        raise ValueError(f"threshold must be positive (万美元); got {threshold!r}.")
    rng = np.random.default_rng(seed)
    counties = np.array(list(COUNTY_POPULATION))
    w = np.array(list(COUNTY_POPULATION.values()), dtype=float)
    county = rng.choice(counties, size=n, p=w / w.sum())
    sector_idx = rng.choice(len(SECTORS), size=n, p=[0.35, 0.18, 0.15, 0.12, 0.08, 0.12])
    sector = np.array(SECTORS)[sector_idx]
    sector_shift = np.array([1.0, 0.0, -0.5, 2.0, -2.0, -1.0])[sector_idx]
    receipts = np.exp(np.log(45.0) + 0.9 * rng.normal(size=n))
    true_receipts = receipts.copy()
    if manipulation > 0:
        near = (receipts >= threshold - 10) & (receipts < threshold)
        movers = near & (rng.random(n) < manipulation)
        receipts = np.where(movers, threshold + rng.uniform(0, 3, n), receipts)
    u = rng.normal(size=n)
    age = np.clip(3 + 2.5 * np.log1p(true_receipts / 10) + rng.gamma(2.0, 2.0, n), 1, None).round(0)
    employees = np.maximum(1, np.round(np.exp(1.2 + 0.45 * np.log1p(true_receipts) + 0.4 * rng.normal(size=n))))
    latent0 = 6 + 4 * np.log1p(true_receipts / 10) + 3 * u + sector_shift + 5 * rng.normal(size=n)
    hedge_2021 = np.clip(0.7 * latent0 - 2 + 3 * rng.normal(size=n), 0, 100)
    y0 = np.clip(latent0, 0, 100)
    y1 = np.clip(latent0 + effect_hedge, 0, 100)
    exposure = rng.uniform(0.6, 1.4, n)
    noise_loss = 0.3 * rng.normal(size=n)
    loss0 = 2.0 * exposure * (1 - y0 / 100) + noise_loss
    loss1 = 2.0 * exposure * (1 - y1 / 100) + noise_loss
    eligible = (receipts >= threshold).astype(np.int64)
    complier = (rng.random(n) < norm.cdf(norm.ppf(take_up) + 0.5 * u)).astype(np.int64)
    guaranteed = eligible * complier
    firms = pd.DataFrame({
        "firm_id": np.arange(1, n + 1),
        "county": county,
        "sector": sector,
        "export_receipts": receipts,
        "running": receipts - threshold,
        "eligible": eligible,
        "guaranteed": guaranteed,
        "hedge_ratio": np.where(guaranteed == 1, y1, y0),
        "fx_loss": np.where(guaranteed == 1, loss1, loss0),
        "firm_age": age.astype(np.int64),
        "employees": employees.astype(np.int64),
        "hedge_ratio_2021": hedge_2021,
        "te_hedge_ratio": y1 - y0,
        "te_fx_loss": loss1 - loss0,
        "complier": complier,
    })
    window = 5.0
    near = np.abs(true_receipts - threshold) < window
    comp = near & (complier == 1)
    truth = {
        "window": window,
        "first_stage": float(complier[near].mean()),
        "late_hedge_ratio": float((y1 - y0)[comp].mean()),
        "late_fx_loss": float((loss1 - loss0)[comp].mean()),
        "itt_hedge_ratio": float(((y1 - y0) * complier)[near].mean()),
        "itt_fx_loss": float(((loss1 - loss0) * complier)[near].mean()),
    }
    return HedgingRDData(firms=firms, truth=truth, threshold=float(threshold))


#: Revenue threshold (万元) of a medium-sized wholesale firm under 工信部联企业〔2011〕300号: a wholesale firm with
#: at least 20 employees and revenue of 5,000 万元 or more is medium-sized; below it, small or micro.
WHOLESALE_MEDIUM_REVENUE = 5000.0


def smallfirm_guarantee_demo(
    n_firms: int = 4000,
    *,
    take_up: float = 0.6,
    effect_hedge: float = 15.0,
    manipulation: float = 0.0,
    seed: int | None = 0,
) -> HedgingRDData:
    """Exporting wholesale firms around the small-firm revenue threshold and FX hedging (SYNTHETIC).

    The eligibility rule is the real one in shape: the FX-hedging guarantee is for small and micro firms as
    classified by 工信部联企业〔2011〕300号; a wholesale firm with at least 20 employees (all firms here) is
    small if its operating revenue of the year before the agreement is below 5,000 万元
    (:data:`WHOLESALE_MEDIUM_REVENUE`). The running variable is ``running = 5000 - revenue`` (万元), so
    eligible firms have ``running > 0``. Every number is invented:

    * revenue ``R`` (万元) log-normal with median 5,000 and log-sd 0.5; export receipts (万美元)
      ``R s / 7`` with export share ``s ~ U(0.3, 0.9)``;
    * a latent hedging propensity ``u ~ N(0, 1)`` raises the baseline hedging ratio and take-up; eligible
      firms take the guarantee up with probability ``Phi(Phi^-1(take_up) + 0.5 u)``, others cannot;
    * hedging ratio (% of FX receipts hedged) without the guarantee
      ``y0 = clip(8 + 6 log(R/5000) + 4 u + sector + N(0, 5²), 0, 100)``, with it
      ``y1 = clip(latent + effect_hedge, 0, 100)``; FX loss (% of receipts)
      ``2 e (1 - hedge/100) + N(0, 0.3²)``, exposure ``e ~ U(0.6, 1.4)``;
    * predetermined covariates smooth in revenue: firm age, employees, the 2021 hedging ratio;
    * ``manipulation``: that share of firms with revenue within 300 万元 above the threshold report
      revenue just below it (bunching the density test should detect).

    Examples
    --------
    >>> d = smallfirm_guarantee_demo(2000, seed=1)
    >>> bool((d.firms.loc[d.firms["running"] <= 0, "guaranteed"] == 0).all())
    True
    """
    n = _check_int("n_firms", n_firms, 200)
    if not 0 < take_up < 1:
        raise ValueError(f"take_up must be a probability in (0, 1); got {take_up!r}.")
    if not 0 <= manipulation <= 1:
        raise ValueError(f"manipulation must be a share in [0, 1]; got {manipulation!r}.")
    thr = WHOLESALE_MEDIUM_REVENUE
    rng = np.random.default_rng(seed)
    counties = np.array(list(COUNTY_POPULATION))
    w = np.array(list(COUNTY_POPULATION.values()), dtype=float)
    county = rng.choice(counties, size=n, p=w / w.sum())
    sector_idx = rng.choice(len(SECTORS), size=n, p=[0.35, 0.18, 0.15, 0.12, 0.08, 0.12])
    sector = np.array(SECTORS)[sector_idx]
    sector_shift = np.array([1.0, 0.0, -0.5, 2.0, -2.0, -1.0])[sector_idx]
    true_rev = np.exp(np.log(thr) + 0.5 * rng.normal(size=n))
    revenue = true_rev.copy()
    if manipulation > 0:
        near = (true_rev >= thr) & (true_rev < thr + 300)
        movers = near & (rng.random(n) < manipulation)
        revenue = np.where(movers, thr - rng.uniform(1, 100, n), revenue)
    share = rng.uniform(0.3, 0.9, n)
    receipts = true_rev * share / 7.0
    u = rng.normal(size=n)
    lr = np.log(true_rev / thr)
    age = np.clip(9 + 3.0 * lr + rng.gamma(2.0, 2.0, n), 1, None).round(0)
    employees = np.maximum(20, np.round(np.exp(np.log(60) + 0.6 * lr + 0.35 * rng.normal(size=n))))
    latent0 = 8 + 6 * lr + 4 * u + sector_shift + 5 * rng.normal(size=n)
    hedge_2021 = np.clip(0.7 * latent0 - 2 + 3 * rng.normal(size=n), 0, 100)
    y0 = np.clip(latent0, 0, 100)
    y1 = np.clip(latent0 + effect_hedge, 0, 100)
    exposure = rng.uniform(0.6, 1.4, n)
    noise_loss = 0.3 * rng.normal(size=n)
    loss0 = 2.0 * exposure * (1 - y0 / 100) + noise_loss
    loss1 = 2.0 * exposure * (1 - y1 / 100) + noise_loss
    eligible = (revenue < thr).astype(np.int64)
    complier = (rng.random(n) < norm.cdf(norm.ppf(take_up) + 0.5 * u)).astype(np.int64)
    guaranteed = eligible * complier
    firms = pd.DataFrame({
        "firm_id": [f"Q{i + 1:05d}" for i in range(n)],
        "county": county,
        "sector": sector,
        "revenue": revenue,
        "export_receipts": receipts,
        "running": thr - revenue,
        "eligible": eligible,
        "guaranteed": guaranteed,
        "hedge_ratio": np.where(guaranteed == 1, y1, y0),
        "fx_loss": np.where(guaranteed == 1, loss1, loss0),
        "firm_age": age.astype(np.int64),
        "employees": employees.astype(np.int64),
        "hedge_ratio_2021": hedge_2021,
    })
    window = 300.0
    near = np.abs(true_rev - thr) < window
    comp = near & (complier == 1)
    truth = {
        "window": window,
        "first_stage": float(complier[near].mean()),
        "late_hedge_ratio": float((y1 - y0)[comp].mean()),
        "late_fx_loss": float((loss1 - loss0)[comp].mean()),
        "itt_hedge_ratio": float(((y1 - y0) * complier)[near].mean()),
        "itt_fx_loss": float(((loss1 - loss0) * complier)[near].mean()),
    }
    return HedgingRDData(firms=firms, truth=truth, threshold=thr)
