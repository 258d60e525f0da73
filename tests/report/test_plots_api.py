"""Plots: no global style side effects, results accepted directly, binned endpoints labelled, Axes returned."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import research_kit as rk  # noqa: E402
from research_kit.did._example import small_staggered_panel  # noqa: E402


@pytest.fixture(scope="module")
def es():
    return rk.did.event_study(small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g", leads=2, lags=2)


def _rc() -> dict:
    return {k: v for k, v in matplotlib.rcParams.items() if k not in {"backend", "backend_fallback"}}


def test_plotting_leaves_the_users_rcparams_unchanged(es) -> None:
    matplotlib.rcParams.update({"font.size": 13.0, "axes.grid": False, "lines.linewidth": 3.0})
    before = _rc()
    figs = [rk.report.event_study_plot(es), rk.report.coef_plot(rk.did.twfe(
        small_staggered_panel(), outcome="y", unit="id", time="t", treat="d")).figure, es.plot().figure]
    assert _rc() == before
    for f in figs:
        plt.close(f)


def test_event_study_plot_takes_results_and_an_xlabel(es) -> None:
    fig = rk.report.event_study_plot({"TWFE": es, "CS": rk.did.event_study(
        small_staggered_panel(), outcome="y", unit="id", time="t", cohort="g", method="callaway_santanna")},
        xlabel="Years since adoption", lang="en")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Years since adoption"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["TWFE", "CS"]
    plt.close(fig)


def test_binned_endpoints_are_labelled(es) -> None:
    fig = rk.report.event_study_plot(es, lang="en")
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0] == "e≤\u22122" and labels[-1] == "e≥2", labels
    plt.close(fig)


def test_result_plot_returns_axes(es) -> None:
    ax = es.plot()
    assert isinstance(ax, plt.Axes)
    _, own = plt.subplots()
    assert es.plot(ax=own) is own
    plt.close("all")


def test_a_result_without_event_times_is_refused_by_event_study_plot() -> None:
    r = rk.did.twfe(small_staggered_panel(), outcome="y", unit="id", time="t", treat="d")
    with pytest.raises(TypeError, match="has no event-time estimates to plot"):
        rk.report.event_study_plot(r)


def test_show_prints_the_caption_in_lab_but_not_in_a_pipeline_run(monkeypatch) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shown: list = []
    monkeypatch.setattr(shell.display_pub, "publish", lambda data, metadata=None, **kw: shown.append(data))
    try:
        monkeypatch.delenv("RESEARCH_KIT_COMMIT", raising=False)
        fig, _ = plt.subplots()
        rk.report.show(fig, caption="图 1：示例")
        assert [sorted(d) for d in shown] == [["image/png", "text/plain"], ["text/markdown", "text/plain"]]
        assert shown[1]["text/markdown"] == "*图 1：示例*"
        shown.clear()
        monkeypatch.setenv("RESEARCH_KIT_COMMIT", "abc")
        fig, _ = plt.subplots()
        rk.report.show(fig, caption="图 1：示例")
        assert [sorted(d) for d in shown] == [["image/png", "text/plain"]]
    finally:
        InteractiveShell.clear_instance()
