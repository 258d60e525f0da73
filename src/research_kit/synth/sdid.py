"""Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021).

A port of R ``synthdid`` (``synthdid_estimate``, ``sc_estimate``,
``did_estimate`` and ``vcov``) for a block design: the treated units start
treatment together at ``treatment_time``.

* Unit weights ω solve a ridge-penalised synthetic-control problem on the
  pre-treatment periods, with an intercept (a unit fixed effect), penalty
  ``ζ_ω = (N_tr T_post)^{1/4} σ̂`` where σ̂ is the standard deviation of the
  first differences of the control outcomes before treatment; time weights λ
  solve the analogous problem across pre-treatment periods (``ζ_λ = 10⁻⁶ σ̂``).
  Both use the Frank–Wolfe solver of ``synthdid`` with its two-round
  sparsification (:mod:`research_kit.synth._fw`).
* ``τ̂ = (−ω, 1/N_tr)' Y (−λ, 1/T_post)``: a doubly weighted DiD.
* ``method="sc"`` (λ = 0, no intercept, ζ_ω = 10⁻⁶ σ̂) and ``method="did"``
  (uniform weights) give ``synthdid``'s comparison estimators.
* Standard errors: ``"placebo"`` (Algorithm 4: controls reassigned at random
  as placebo-treated, weights re-estimated), ``"jackknife"`` (Algorithm 3, fixed
  weights; needs two or more treated units) and ``"bootstrap"`` (Algorithm 2;
  needs two or more treated units). Intervals are normal, as in ``synthdid``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from research_kit.results import Result
from research_kit.synth._data import WidePanel, check_option, locate_period, wide_panel
from research_kit.synth._fw import sc_weight_fw, sc_weight_fw_batch, sparsify

__all__ = ["SyntheticDiDResult", "synthetic_did"]

Method = Literal["sdid", "sc", "did"]
SEMethod = Literal["placebo", "jackknife", "bootstrap", "none"]
_ESTIMATOR = {"sdid": "synthetic_did", "sc": "synthetic_control_synthdid", "did": "did_synthdid"}


@dataclass(frozen=True)
class _Opts:
    """Options fixed by the original fit and reused by every replication (R ``attr(estimate, 'opts')``)."""

    zeta_omega: float
    zeta_lambda: float
    omega_intercept: bool
    lambda_intercept: bool
    update_omega: bool
    update_lambda: bool
    min_decrease: float
    noise_level: float = np.nan
    max_iter: int = 10_000
    max_iter_pre_sparsify: int = 100


def _options(Y: np.ndarray, N0: int, T0: int, method: str, zeta_omega: float | None = None,
             zeta_lambda: float | None = None) -> tuple[_Opts, np.ndarray, np.ndarray]:
    """Options and starting weights of ``synthdid_estimate`` / ``sc_estimate`` / ``did_estimate``."""
    N, T = Y.shape
    N1, T1 = N - N0, T - T0
    noise = float(np.std(np.diff(Y[:N0, :T0], axis=1), ddof=1))
    zl = 1e-6 * noise if zeta_lambda is None else zeta_lambda
    if method == "sc":
        zo = 1e-6 * noise if zeta_omega is None else zeta_omega
        o = _Opts(zeta_omega=zo, zeta_lambda=zl, omega_intercept=False, lambda_intercept=True, update_omega=True,
                  update_lambda=False, min_decrease=1e-5 * noise, noise_level=noise)
        return o, np.zeros(T0), np.full(N0, 1.0 / N0)
    zo = (N1 * T1) ** 0.25 * noise if zeta_omega is None else zeta_omega
    upd = method == "sdid"
    o = _Opts(zeta_omega=zo, zeta_lambda=zl, omega_intercept=True, lambda_intercept=True, update_omega=upd,
              update_lambda=upd, min_decrease=1e-5 * noise, noise_level=noise)
    return o, np.full(T0, 1.0 / T0), np.full(N0, 1.0 / N0)


def _collapsed(Y: np.ndarray, N0: int, T0: int) -> np.ndarray:
    """R ``collapsed.form`` for a batch (B x N x T) -> B x (N0 + 1) x (T0 + 1)."""
    top = np.concatenate([Y[:, :N0, :T0], Y[:, :N0, T0:].mean(axis=2, keepdims=True)], axis=2)
    bot = np.concatenate([Y[:, N0:, :T0].mean(axis=1, keepdims=True),
                          Y[:, N0:, T0:].mean(axis=(1, 2))[:, None, None]], axis=2)
    return np.concatenate([top, bot], axis=1)


def _solve(problems: np.ndarray, zeta: float, intercept: bool, init: np.ndarray, o: _Opts) -> np.ndarray:
    """Two-round Frank–Wolfe with sparsification (R ``synthdid_estimate``), batched."""
    if problems.shape[0] == 1:
        x, _ = sc_weight_fw(problems[0], zeta, intercept=intercept, init=init[0], min_decrease=o.min_decrease,
                            max_iter=o.max_iter_pre_sparsify)
        x, _ = sc_weight_fw(problems[0], zeta, intercept=intercept, init=sparsify(x), min_decrease=o.min_decrease,
                            max_iter=o.max_iter)
        return x[None]
    x, _ = sc_weight_fw_batch(problems, zeta, intercept=intercept, init=init, min_decrease=o.min_decrease,
                              max_iter=o.max_iter_pre_sparsify)
    x, _ = sc_weight_fw_batch(problems, zeta, intercept=intercept, init=sparsify(x), min_decrease=o.min_decrease,
                              max_iter=o.max_iter)
    return x


def _estimate_batch(Y: np.ndarray, N0: int, T0: int, o: _Opts, lam: np.ndarray, omega: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimates for a batch of panels (B x N x T) sharing N0 and T0; ``lam``/``omega`` are fixed values or starts."""
    B, N, T = Y.shape
    N1, T1 = N - N0, T - T0
    Yc = _collapsed(Y, N0, T0)
    if o.update_lambda:
        lam = _solve(Yc[:, :N0, :], o.zeta_lambda, o.lambda_intercept, lam, o)
    if o.update_omega:
        omega = _solve(np.transpose(Yc[:, :, :T0], (0, 2, 1)), o.zeta_omega, o.omega_intercept, omega, o)
    uw = np.concatenate([-omega, np.full((B, N1), 1.0 / N1)], axis=1)
    tw = np.concatenate([-lam, np.full((B, T1), 1.0 / T1)], axis=1)
    tau = np.einsum("bn,bnt,bt->b", uw, Y, tw)
    return tau, lam, omega


def _sum_normalize(x: np.ndarray) -> np.ndarray:
    s = x.sum()
    return x / s if s != 0 else np.full(x.size, 1.0 / x.size)


def _placebo_draws(Y: np.ndarray, N0: int, T0: int, o: _Opts, lam: np.ndarray, omega: np.ndarray, reps: int,
                   rng: np.random.Generator) -> np.ndarray:
    N1 = Y.shape[0] - N0
    n0 = N0 - N1
    perms = np.stack([rng.permutation(N0) for _ in range(reps)])
    Yb = Y[perms]  # reps x N0 x T: the last N1 controls play the treated
    om0 = np.stack([_sum_normalize(omega[p[:n0]]) for p in perms])
    lam0 = np.repeat(lam[None], reps, axis=0)
    tau, _, _ = _estimate_batch(Yb, n0, T0, o, lam0, om0)
    return tau


def _bootstrap_draws(Y: np.ndarray, N0: int, T0: int, o: _Opts, lam: np.ndarray, omega: np.ndarray, reps: int,
                     rng: np.random.Generator) -> np.ndarray:
    N = Y.shape[0]
    draws: list[np.ndarray] = []
    while len(draws) < reps:
        ind = np.sort(rng.integers(0, N, size=N))
        n0 = int(np.sum(ind < N0))
        if 0 < n0 < N:
            draws.append(ind)
    groups: dict[int, list[np.ndarray]] = {}
    for ind in draws:
        groups.setdefault(int(np.sum(ind < N0)), []).append(ind)
    out: list[np.ndarray] = []
    for n0, inds in groups.items():
        Yb = np.stack([Y[i] for i in inds])
        om0 = np.stack([_sum_normalize(omega[i[i < N0]]) for i in inds])
        lam0 = np.repeat(lam[None], len(inds), axis=0)
        tau, _, _ = _estimate_batch(Yb, n0, T0, o, lam0, om0)
        out.append(tau)
    return np.concatenate(out)


def _jackknife_draws(Y: np.ndarray, N0: int, T0: int, lam: np.ndarray, omega: np.ndarray) -> np.ndarray:
    """Leave-one-unit-out estimates with the weights held fixed (R ``jackknife_se`` with weights)."""
    N, T = Y.shape
    u = np.empty(N)
    for i in range(N):
        keep = np.delete(np.arange(N), i)
        n0 = int(np.sum(keep < N0))
        om = _sum_normalize(omega[keep[keep < N0]])
        n1 = keep.size - n0
        uw = np.concatenate([-om, np.full(n1, 1.0 / n1)])
        tw = np.concatenate([-lam, np.full(T - T0, 1.0 / (T - T0))])
        u[i] = uw @ Y[keep] @ tw
    return u


@dataclass(frozen=True)
class _SDIDSpec:
    """The matrices and options of a fit (for the in-time placebo)."""

    Y: np.ndarray
    N0: int
    T0: int
    times: np.ndarray
    controls: list[Any]
    treated: list[Any]
    unit: str
    time: str
    method: str
    opts: _Opts
    level: float


@dataclass(frozen=True, eq=False, repr=False)
class SyntheticDiDResult(Result):
    """SDID (or its SC/DiD variants): the ``ATT`` table plus weights, paths and the effect curve."""

    unit_weights: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    time_weights: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    paths: pd.DataFrame = field(default_factory=pd.DataFrame)
    effect_curve: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    replicates: np.ndarray = field(default_factory=lambda: np.empty(0))
    spec: _SDIDSpec | None = field(default=None, repr=False)

    @property
    def weights(self) -> pd.Series:
        """Unit weights ω (alias, as for :class:`~research_kit.synth.SyntheticControlResult`)."""
        return self.unit_weights

    def plot(self, ax: Any = None, *, lang: Literal["zh", "en"] = "zh", ylabel: str = "", **kwargs: Any) -> Any:
        """Treated mean against the weighted control path, with the time weights at the bottom."""
        from research_kit.report import synth_plots as _plots  # the plotting layer, at call time

        return _plots.sdid_plot(self.paths, self.time_weights, ax=ax, lang=lang, ylabel=ylabel)

    def in_time_placebo(self, fake_time: Any = None) -> SyntheticDiDResult:
        """The estimator on the pre-treatment periods only, with a fake treatment time (R ``synthdid_placebo``).

        ``fake_time`` defaults to the period that leaves the same share of
        (pre-treatment) periods untreated as the real design: period index
        ``floor(T0 * T0 / T)``. The penalties ζ are those of the original fit, as
        in ``synthdid``; no standard error is computed.
        """
        sp = self.spec
        if sp is None:
            raise ValueError("this result carries no fit specification; fit it with research_kit.synth.synthetic_did.")
        pre = sp.times[: sp.T0]
        if fake_time is None:
            t0 = int(np.floor(sp.T0 * sp.T0 / sp.Y.shape[1]))
        else:
            pos = locate_period(pre, fake_time)
            if pos is None:
                raise ValueError(f"fake_time={fake_time!r} must be a pre-treatment period ({pre[0]!r} to {pre[-1]!r}).")
            t0 = pos
        if t0 < 2:
            raise ValueError("the fake treatment time must leave at least two earlier periods.")
        Ypre = sp.Y[:, : sp.T0]
        o, lam0, om0 = _options(Ypre, sp.N0, t0, sp.method, zeta_omega=sp.opts.zeta_omega,
                                zeta_lambda=sp.opts.zeta_lambda)
        tau, lam, omega = _estimate_batch(Ypre[None], sp.N0, t0, o, lam0[None], om0[None])
        fake = _build(Ypre, sp.N0, t0, pre, sp.controls, sp.treated, sp.unit, sp.time, sp.method, o,
                      float(tau[0]), lam[0], omega[0], np.nan, np.empty(0), "none", None, None, sp.level)
        return replace(fake, info={**fake.info, "placebo": "in-time", "fake_time": pre[t0],
                                   "actual_treatment_time": sp.times[sp.T0]})


def synthetic_did(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treated: Any,
    treatment_time: Any,
    method: Method = "sdid",
    se: SEMethod = "placebo",
    reps: int = 200,
    seed: int | None = 0,
    level: float = 0.95,
    donors: Any = None,
    vcov: SEMethod | None = None,
) -> SyntheticDiDResult:
    """Synthetic difference-in-differences for units treated together from ``treatment_time``.

    Parameters
    ----------
    df
        Balanced long panel, one row per unit and period.
    outcome, unit, time
        Column names.
    treated
        Identifier of the treated unit, or a sequence of them.
    treatment_time
        First treated period; at least two periods must precede it.
    method
        ``"sdid"`` (default), or ``synthdid``'s comparison estimators ``"sc"``
        (synthetic control without intercept) and ``"did"`` (uniform weights).
    se
        ``"placebo"`` (default; works with one treated unit, needs more controls
        than treated units), ``"jackknife"`` or ``"bootstrap"`` (two or more
        treated units), or ``"none"``.
    reps
        Replications of the placebo or bootstrap standard error.
    seed
        Seed of the replications (default 0: the same call gives the same draws; None: fresh entropy).
    level
        Confidence level of the normal interval ``τ̂ ± z se``.
    donors
        Control units; default every untreated unit.
    vcov
        The shared vocabulary's name for ``se`` (the variance type), with the same spellings.

    Returns
    -------
    SyntheticDiDResult
        ``ATT`` with standard error and interval; ``unit_weights`` (ω),
        ``time_weights`` (λ), ``paths`` (time, treated, synthetic, gap, post),
        ``effect_curve`` (per post-treatment period), ``replicates``.

    Examples
    --------
    >>> from research_kit import synth
    >>> from research_kit.simulate.digital_rmb_demo import digital_rmb_panel
    >>> d = digital_rmb_panel(seed=1)
    >>> r = synth.synthetic_did(d.panel, outcome="merchant_share", unit="county", time="month",
    ...                            treated=d.treated, treatment_time=d.treatment_time, reps=50, seed=1)
    >>> r.term
    'ATT'
    """
    if vcov is not None:
        if se != "placebo" and se != vcov:
            raise ValueError(f"vcov={vcov!r} and se={se!r} disagree; pass one of the two.")
        se = vcov
    check_option("method", method, ("sdid", "sc", "did"))
    check_option("se", se, ("placebo", "jackknife", "bootstrap", "none"))
    if isinstance(reps, bool) or not isinstance(reps, (int, np.integer)) or reps < 2:
        raise ValueError(f"reps must be an integer >= 2, got {reps!r}.")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}.")
    panel: WidePanel = wide_panel(df, outcome=outcome, unit=unit, time=time, treated=treated,
                                  treatment_time=treatment_time, donors=donors, min_pre=2)
    Y, N0, T0 = panel.Y, panel.n_control, panel.n_pre
    N1 = Y.shape[0] - N0
    o, lam0, om0 = _options(Y, N0, T0, method)
    tau_b, lam_b, om_b = _estimate_batch(Y[None], N0, T0, o, lam0[None], om0[None])
    tau, lam, omega = float(tau_b[0]), lam_b[0], om_b[0]

    rng = np.random.default_rng(seed)
    reps_out = np.empty(0)
    if se == "placebo":
        if N0 <= N1:
            raise ValueError(f"se='placebo' needs more control units ({N0}) than treated units ({N1}); "
                             "use se='jackknife' or 'bootstrap'.")
        reps_out = _placebo_draws(Y, N0, T0, o, lam, omega, reps, rng)
        se_val = float(np.std(reps_out))  # = sqrt((B-1)/B) * sd, as synthdid
    elif se in ("jackknife", "bootstrap"):
        if N1 < 2:
            raise ValueError(f"se={se!r} needs at least two treated units (got one); with one treated unit "
                             "use se='placebo'.")
        if se == "jackknife":
            if np.count_nonzero(omega) == 1:
                raise ValueError("se='jackknife' is undefined when a single control has all the weight; "
                                 "use se='placebo' or 'bootstrap'.")
            reps_out = _jackknife_draws(Y, N0, T0, lam, omega)
            n = reps_out.size
            se_val = float(np.sqrt((n - 1) / n * (n - 1) * np.var(reps_out, ddof=1)))
        else:
            reps_out = _bootstrap_draws(Y, N0, T0, o, lam, omega, reps, rng)
            se_val = float(np.std(reps_out))
    else:
        se_val = np.nan

    return _build(Y, N0, T0, panel.times, panel.controls, panel.treated, unit, time, method, o, tau, lam, omega,
                  se_val, reps_out, se, reps, seed, level)


def _build(Y: np.ndarray, N0: int, T0: int, times: np.ndarray, controls: list[Any], treated: list[Any], unit: str,
           time: str, method: str, o: _Opts, tau: float, lam: np.ndarray, omega: np.ndarray, se_val: float,
           reps_out: np.ndarray, se: str, reps: int | None, seed: int | None, level: float) -> SyntheticDiDResult:
    """Assemble the result (paths, effect curve, table)."""
    N, T = Y.shape
    N1, T1 = N - N0, T - T0
    Yco, Ytr = Y[:N0], Y[N0:].mean(axis=0)
    sc_path = omega @ Yco
    offset = float(lam @ (Ytr[:T0] - sc_path[:T0]))
    synthetic = sc_path + offset
    post = np.arange(T) >= T0
    paths = pd.DataFrame({"time": times, "treated": Ytr, "synthetic": synthetic, "gap": Ytr - synthetic,
                          "post": post})
    curve = pd.Series(Ytr[T0:] - synthetic[T0:], index=pd.Index(times[T0:], name=time), name="effect")
    info = {
        "method": method, "se_method": se, "reps": reps if se in ("placebo", "bootstrap") else None,
        "seed": seed, "treated": treated[0] if N1 == 1 else ", ".join(map(str, treated)),
        "n_treated": N1, "n_control": N0, "pre_periods": T0, "post_periods": T1, "treatment_time": times[T0],
        "noise_level": o.noise_level, "zeta_omega": o.zeta_omega, "zeta_lambda": o.zeta_lambda,
    }
    base = Result.from_arrays(["ATT"], [tau], [se_val], nobs=int(N * T), estimator=_ESTIMATOR[method], level=level,
                              info=info)
    spec = _SDIDSpec(Y=Y, N0=N0, T0=T0, times=times, controls=list(controls), treated=list(treated), unit=unit,
                     time=time, method=method, opts=o, level=level)
    return SyntheticDiDResult(
        table=base.table, nobs=base.nobs, estimator=base.estimator, term=base.term, info=base.info, extra={},
        unit_weights=pd.Series(omega, index=pd.Index(controls, name=unit), name="omega"),
        time_weights=pd.Series(lam, index=pd.Index(times[:T0], name=time), name="lambda"),
        paths=paths, effect_curve=curve, replicates=reps_out, spec=spec,
    )
