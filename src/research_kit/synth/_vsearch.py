"""The outer searches over V, compiled where scipy spends its time, with scipy's iterates.

The nested optimisation of :mod:`research_kit.synth._qp` runs scipy's Nelder--Mead,
BFGS and differential evolution on the outcome MSPE of W(V). Each evaluation of
that loss takes a few microseconds (:mod:`research_kit.synth._simplex`); scipy's
own bookkeeping per step took ten times as long. The two searches here are
scipy's algorithms step for step -- same starting points, coefficients, random
draws, arithmetic, ordering and stopping rules, so the same iterates (the tests
compare them exactly) -- with the arithmetic of a step compiled.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

from research_kit.synth._simplex import SimplexState, _loss

__all__ = ["differential_evolution", "nelder_mead"]


@njit(cache=True)
def _nm_iteration(sim: np.ndarray, fsim: np.ndarray, coef: np.ndarray, D: np.ndarray, Z0: np.ndarray,
                  z1: np.ndarray, S: np.ndarray, mbox: np.ndarray, w: np.ndarray) -> bool:
    """One iteration of scipy's Nelder--Mead on a sorted simplex, with the same arithmetic; True if converged.

    ``coef`` = (rho, chi, psi, sigma, xatol, fatol). The caller sorts the simplex
    with ``numpy.argsort`` between iterations, as scipy does (its order of ties
    is numpy's).
    """
    N = sim.shape[1]
    rho, chi, psi, sigma, xatol, fatol = coef[0], coef[1], coef[2], coef[3], coef[4], coef[5]
    mx = 0.0
    for j in range(1, N + 1):
        for i in range(N):
            d = abs(sim[j, i] - sim[0, i])
            if d > mx:
                mx = d
    if mx <= xatol:
        mf = 0.0
        for j in range(1, N + 1):
            d = abs(fsim[0] - fsim[j])
            if d > mf:
                mf = d
        if mf <= fatol:
            return True
    xbar = sim[0].copy()
    for j in range(1, N):
        for i in range(N):
            xbar[i] = xbar[i] + sim[j, i]
    for i in range(N):
        xbar[i] = xbar[i] / N
    last = sim[N].copy()
    xr = np.empty(N)
    for i in range(N):
        xr[i] = (1 + rho) * xbar[i] - rho * last[i]
    fxr = _loss(D, Z0, z1, xr, S, mbox, w)
    if fxr < fsim[0]:
        xe = np.empty(N)
        rc = rho * chi
        for i in range(N):
            xe[i] = (1 + rc) * xbar[i] - rc * last[i]
        fxe = _loss(D, Z0, z1, xe, S, mbox, w)
        if fxe < fxr:
            sim[N] = xe
            fsim[N] = fxe
        else:
            sim[N] = xr
            fsim[N] = fxr
    elif fxr < fsim[N - 1]:
        sim[N] = xr
        fsim[N] = fxr
    else:
        doshrink = False
        if fxr < fsim[N]:
            xc = np.empty(N)
            pr = psi * rho
            for i in range(N):
                xc[i] = (1 + pr) * xbar[i] - pr * last[i]
            fxc = _loss(D, Z0, z1, xc, S, mbox, w)
            if fxc <= fxr:
                sim[N] = xc
                fsim[N] = fxc
            else:
                doshrink = True
        else:
            xcc = np.empty(N)
            for i in range(N):
                xcc[i] = (1 - psi) * xbar[i] + psi * last[i]
            fxcc = _loss(D, Z0, z1, xcc, S, mbox, w)
            if fxcc < fsim[N]:
                sim[N] = xcc
                fsim[N] = fxcc
            else:
                doshrink = True
        if doshrink:
            for j in range(1, N + 1):
                for i in range(N):
                    sim[j, i] = sim[0, i] + sigma * (sim[j, i] - sim[0, i])
                fsim[j] = _loss(D, Z0, z1, sim[j], S, mbox, w)
    return False


def nelder_mead(loss: Callable[[np.ndarray], float], state: SimplexState, Z0: np.ndarray, z1: np.ndarray,
                x0: np.ndarray, *, maxiter: int, xatol: float, fatol: float, adaptive: bool) -> tuple[np.ndarray, float]:
    """``scipy.optimize.minimize(loss, x0, method="Nelder-Mead", options=...)`` with the iterations compiled.

    The same initial simplex, coefficients, steps, order of the simplex
    (``numpy.argsort``) and stopping rules as scipy (``maxfev`` unlimited, no
    bounds); the first simplex is evaluated by ``loss`` (which remembers
    values), the iterations by the compiled loss of ``state``. Returns (x, f).
    """
    x0 = np.asarray(x0, dtype=float).ravel()
    N = x0.size
    if adaptive:
        dim = float(N)
        coef = np.array([1, 1 + 2 / dim, 0.75 - 1 / (2 * dim), 1 - 1 / dim, xatol, fatol], dtype=float)
    else:
        coef = np.array([1, 2, 0.5, 0.5, xatol, fatol], dtype=float)
    sim = np.empty((N + 1, N))
    sim[0] = x0
    for k in range(N):
        y = np.array(x0, copy=True)
        y[k] = (1 + 0.05) * y[k] if y[k] != 0 else 0.00025
        sim[k + 1] = y
    fsim = np.array([loss(sim[k].copy()) for k in range(N + 1)], dtype=float)
    for _ in range(2):  # scipy sorts twice before the first iteration
        ind = np.argsort(fsim)
        sim = np.take(sim, ind, 0)
        fsim = np.take(fsim, ind, 0)
    iterations = 1
    while iterations < maxiter:
        if _nm_iteration(sim, fsim, coef, state.D, Z0, z1, state.S, state.mbox, state.w):
            break
        iterations += 1
        ind = fsim.argsort()
        sim = sim[ind]
        fsim = fsim[ind]
    return sim[0], float(np.min(fsim))


def differential_evolution(loss: Callable[[np.ndarray], float], k: int, *, popsize: int, maxiter: int, tol: float,
                           rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """``scipy.optimize.differential_evolution(loss, [(0, 1)] * k, popsize=, maxiter=, tol=, polish=False, rng=)``.

    The same algorithm, random draws and arithmetic as scipy's defaults (strategy
    ``best1bin``, mutation dithered in (0.5, 1), recombination 0.7, Latin
    hypercube start, immediate updating), without its per-trial overhead.
    Returns (x, f) of the best member.
    """
    n_pop = max(5, popsize * max(1, k))
    segsize = 1.0 / n_pop
    samples = segsize * rng.uniform(size=(n_pop, k)) + np.linspace(0.0, 1.0, n_pop, endpoint=False)[:, np.newaxis]
    pop = np.zeros_like(samples)
    for j in range(k):
        order = rng.permutation(range(n_pop))
        pop[:, j] = samples[order, j]
    scale_arg1, scale_arg2 = 0.5 * (0.0 + 1.0), abs(0.0 - 1.0)  # bounds (0, 1), as scipy scales them

    def scaled(trial: np.ndarray) -> np.ndarray:
        return scale_arg1 + (trial - 0.5) * scale_arg2

    energies = np.squeeze([loss(x) for x in scaled(pop)]).astype(float).reshape(n_pop)

    def promote() -> None:
        best = int(np.argmin(energies))
        energies[[0, best]] = energies[[best, 0]]
        pop[[0, best], :] = pop[[best, 0], :]

    promote()
    index = np.arange(n_pop)
    trial = np.empty(k)
    mask = np.empty(k, dtype=np.bool_)
    integers, shuffle, uniform = rng.integers, rng.shuffle, rng.uniform
    for _ in range(maxiter):
        scale = float(uniform(0.5, 1))
        for cand in range(n_pop):
            fill_point = int(integers(k))  # = rng_integers(rng, k) in scipy
            shuffle(index)
            r0, r1 = [i for i in index[:6].tolist() if i != cand][:2]
            params = np.empty(k)
            oob = _de_trial(pop, cand, r0, r1, scale, uniform(size=k), fill_point, trial, mask, params)
            if oob:
                trial[mask] = uniform(size=oob)
                params = scaled(trial)
            energy = loss(params)
            if energy <= energies[cand]:
                pop[cand] = trial
                energies[cand] = energy
                if energy <= energies[0]:
                    promote()
        if np.std(energies) <= 0 + tol * np.abs(np.mean(energies)):
            break
    return scaled(pop[0]), float(energies[0])


@njit(cache=True)
def _de_trial(pop: np.ndarray, cand: int, r0: int, r1: int, scale: float, u: np.ndarray, fill_point: int,
              trial: np.ndarray, mask: np.ndarray, params: np.ndarray) -> int:
    """The best1bin trial vector of scipy into ``trial`` (binomial crossover at 0.7) and its scaled value into ``params``.

    Returns the number of entries outside [0, 1] (then ``params`` is to be recomputed after they are redrawn).
    """
    oob = 0
    for i in range(trial.size):
        if u[i] < 0.7 or i == fill_point:
            trial[i] = pop[0, i] + scale * (pop[r0, i] - pop[r1, i])
        else:
            trial[i] = pop[cand, i]
        mask[i] = trial[i] > 1 or trial[i] < 0
        if mask[i]:
            oob += 1
        params[i] = 0.5 + (trial[i] - 0.5) * 1.0
    return oob
