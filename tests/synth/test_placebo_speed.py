"""The faster synthetic-control machinery gives the same numbers as before.

* The inner problem (donor weights for given predictor weights V) is solved with its
  set-up shared across V and the Lawson-Hanson solver called directly; its weights
  must equal, bit for bit, those of the original formulation (copied below from
  commit 4f60e42, ``research_kit/synth/_qp.py``), which calls ``scipy.optimize.nnls``.
* Placebo fits in several processes give the same table as in one.
* The progress bar appears when asked for, and not by default under a test runner.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from research_kit import synth
from research_kit.synth._qp import _InnerW, _Loss, _v_from

DATA = Path(__file__).parent / "data"


def _reference_simplex_least_squares(X0: np.ndarray, x1: np.ndarray, v: np.ndarray | None = None) -> np.ndarray:
    """research_kit/synth/_qp.py at commit 4f60e42 (before the speed-up), verbatim."""
    X0 = np.asarray(X0, dtype=float)
    x1 = np.asarray(x1, dtype=float)
    k, J = X0.shape
    sv = np.ones(k) if v is None else np.sqrt(np.clip(np.asarray(v, dtype=float), 0.0, None))
    C = sv[:, None] * (x1[:, None] - X0)
    scale = float(np.sqrt(np.mean(C * C))) if C.size else 1.0
    big = 1e4 * (scale if scale > 0 else 1.0)
    A = np.vstack([C, np.full((1, J), big)])
    b = np.zeros(k + 1)
    b[-1] = big
    w, _ = optimize.nnls(A, b, maxiter=50 * (J + k + 1))
    total = w.sum()
    if not np.isfinite(total) or total <= 0:
        return np.full(J, 1.0 / J)
    w = w / total
    w[w < 1e-12] = 0.0
    return w / w.sum()


@pytest.mark.parametrize("seed", range(5))
def test_inner_solver_equals_the_original_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    k, J, T = 7, 38, 19
    X0, x1 = rng.normal(size=(k, J)), rng.normal(size=k)
    Z0, z1 = rng.normal(size=(T, J)), rng.normal(size=T)
    inner, loss = _InnerW(X0, x1), _Loss(X0, x1, Z0, z1)
    for _ in range(50):
        p = rng.random(k) * rng.integers(0, 2, k)  # zeros included
        v = _v_from(p)
        ref = _reference_simplex_least_squares(X0, x1, v)
        assert np.array_equal(inner.solve(v), ref)
        r = z1 - Z0 @ ref
        assert loss(p) == float(r @ r) / T
    assert np.array_equal(inner.solve(None), _reference_simplex_least_squares(X0, x1))


@pytest.fixture(scope="module")
def outcome_fit() -> synth.SyntheticControlResult:
    d = pd.read_csv(DATA / "smoking.csv")
    return synth.synthetic_control(d, outcome="cigsale", unit="state", time="year", treated="California",
                                   treatment_time=1989)


def test_placebos_in_processes_equal_the_serial_ones(outcome_fit):
    one = outcome_fit.placebo_test(n_jobs=1)
    two = outcome_fit.placebo_test(n_jobs=2)
    pd.testing.assert_frame_equal(one.placebos, two.placebos, check_exact=True)
    pd.testing.assert_frame_equal(one.gaps, two.gaps, check_exact=True)
    assert one.p_value == two.p_value
    with pytest.raises(ValueError, match="n_jobs"):
        outcome_fit.placebo_test(n_jobs=0)


def test_progress_bar_only_when_asked(outcome_fit, capsys):
    outcome_fit.placebo_test()
    assert "placebos" not in capsys.readouterr().err  # default: off under a test runner (and off without a TTY)
    outcome_fit.placebo_test(progress=True)
    assert "placebos" in capsys.readouterr().err
