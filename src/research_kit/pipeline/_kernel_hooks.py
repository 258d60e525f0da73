"""IPython extension loaded by every kernel the pipeline starts: record the text drawn in figures.

A figure reaches the paper as pixels, and the render-time disclosure scan reads
text. So the kernel records the text of every matplotlib text artist it draws
(titles, axis and tick labels, legends, annotations, table cells), **before**
the figure is rasterized: ``matplotlib.text.Text.draw`` is wrapped when
matplotlib is first imported (an import hook; kernels that never plot pay
nothing). At the end of each cell, after the inline backend has drawn the
cell's figures, the texts drawn during the cell are attached to the cell as one
``display_data`` output of MIME type :data:`FIGURE_TEXT_MIME`, which the
renderer ignores and :func:`research_kit.report.identifiers.check_no_microdata`
scans. Figures saved with ``savefig`` and shown as images are drawn by
matplotlib too, so their text is recorded the same way.

The kernel is started with ``--IPKernelApp.extensions=research_kit.pipeline._kernel_hooks``.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import sys
from typing import Any

__all__ = ["EXTENSION", "FIGURE_TEXT_MIME", "load_ipython_extension", "install_text_recorder"]

EXTENSION = "research_kit.pipeline._kernel_hooks"
#: MIME type of the figure-text outputs (same value as ``research_kit.report.identifiers.FIGURE_TEXT_MIME``).
FIGURE_TEXT_MIME = "application/vnd.research-kit.figure-text+json"

_drawn: list[str] = []
_PATCHED = "_research_kit_records_text"


def _patch(module: Any) -> None:
    """Wrap ``matplotlib.text.Text.draw`` so every drawn, visible, non-empty text is recorded."""
    text_cls = module.Text
    if getattr(text_cls.draw, _PATCHED, False):
        return
    original = text_cls.draw

    @functools.wraps(original)
    def draw(self: Any, renderer: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            if self.get_visible():
                value = self.get_text()
                if value:
                    _drawn.append(str(value))
        except Exception:  # noqa: BLE001 - recording must never break a figure
            pass
        return original(self, renderer, *args, **kwargs)

    setattr(draw, _PATCHED, True)
    text_cls.draw = draw


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patch ``matplotlib.text`` right after it is imported (once)."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != "matplotlib.text":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_patch(module: Any) -> None:
            exec_module(module)
            _patch(module)

        loader.exec_module = exec_and_patch  # type: ignore[method-assign]
        return spec


def install_text_recorder() -> None:
    """Record figure text from now on (patch now if matplotlib is imported, else when it is)."""
    if "matplotlib.text" in sys.modules:
        _patch(sys.modules["matplotlib.text"])
    elif not any(isinstance(f, _PatchOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())


def take_drawn() -> list[str]:
    """The distinct texts drawn since the last call (in drawing order), and forget them."""
    seen = list(dict.fromkeys(_drawn))
    _drawn.clear()
    return seen


def load_ipython_extension(ip: Any) -> None:
    """Install the recorder and publish each cell's figure text as an output of that cell."""
    install_text_recorder()

    def publish() -> None:
        texts = take_drawn()
        if texts:
            from IPython.display import display

            display({FIGURE_TEXT_MIME: {"texts": texts}}, raw=True)

    def keep_last() -> None:  # run after the inline backend's flush_figures, which draws the cell's figures
        try:
            ip.events.unregister("post_execute", publish)
        except ValueError:
            pass
        ip.events.register("post_execute", publish)

    ip.events.register("pre_execute", keep_last)
    ip.events.register("post_execute", publish)
