"""The plotting layer draws in the theme's context: no global rcParams change, CJK glyphs kept after it."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import research_kit as rk  # noqa: E402
from research_kit.did._example import small_staggered_panel  # noqa: E402
from research_kit.report.theme import theme_rc  # noqa: E402
from research_kit.results import Result  # noqa: E402


def _rc() -> dict:
    return {k: str(v) for k, v in mpl.rcParams.items()}


def _result() -> Result:
    return Result.from_arrays(["义乌市", "永康市"], [0.5, -0.2], [0.1, 0.2], nobs=100, estimator="test")


@pytest.fixture()
def pristine():
    with mpl.rc_context():  # whatever other tests did globally is undone afterwards
        mpl.rcdefaults()
        yield


def test_theme_context_restores_everything(pristine) -> None:
    before = _rc()
    with rk.report.theme_context():
        assert mpl.rcParams["axes.unicode_minus"] is False
        assert mpl.rcParams["font.family"] == theme_rc()["font.family"]
    assert _rc() == before


@pytest.mark.parametrize("draw", [
    lambda: _result().plot(),
    lambda: rk.did.bacon_plot(rk.did.bacon_decomposition(small_staggered_panel(), outcome="y", unit="id", time="t",
                                                         treat="d"), lang="zh"),
    lambda: rk.report.coef_plot(_result(), labels={"义乌市": "义乌（处理）"}),
])
def test_library_plots_change_no_global_setting_and_keep_cjk_glyphs(pristine, draw) -> None:
    before = _rc()
    out = draw()
    assert _rc() == before, "a plotting function changed matplotlib's global rcParams"
    fig = out if hasattr(out, "savefig") else out.figure
    family = theme_rc()["font.family"][0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s) DejaVu Sans" would raise
        fig.canvas.draw()  # drawn after the theme's context ended, as a notebook displays it
    ax = fig.axes[0]
    texts = [ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()]
    assert texts and all(t.get_fontfamily()[0] == family for t in texts)
    plt.close(fig)
