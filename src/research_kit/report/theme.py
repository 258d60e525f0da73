"""One seaborn/matplotlib theme for every figure, with CJK glyphs.

The CJK font comes from the ``mplfonts`` wheel (Noto Sans CJK SC), which the
project's own set-up installs, so Chinese labels render as real glyphs on any
machine without system fonts. The library draws inside :func:`theme_context` (a
``with`` block; see :func:`themed`) and changes no global setting;
:func:`use_theme` applies the theme globally, for a notebook's own figures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib import font_manager

__all__ = ["use_theme", "theme_context", "theme_rc", "themed", "cjk_font_path", "PALETTE", "CJK_FAMILY"]

F = TypeVar("F", bound=Callable[..., Any])

CJK_FAMILY = "Noto Sans CJK SC"
# Okabe–Ito colour-blind-safe palette.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the CJK font file shipped by the ``mplfonts`` package.

    Raises
    ------
    FileNotFoundError
        If ``mplfonts`` is not installed (run the project's set-up: ``make setup``).
    """
    try:
        import mplfonts
    except ImportError as exc:  # pragma: no cover - set-up installs it
        raise FileNotFoundError(
            "The CJK font package 'mplfonts' is not installed; run `make setup` "
            "(or `pip install mplfonts`) so Chinese labels render as glyphs."
        ) from exc
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.is_file():  # pragma: no cover
        raise FileNotFoundError(f"CJK font not found at {path}; reinstall mplfonts.")
    return path


@lru_cache(maxsize=1)
def _register_font() -> str:
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def theme_rc(*, context: str = "paper", font_scale: float = 1.1) -> dict[str, Any]:
    """The project theme as matplotlib rc parameters (seaborn whitegrid + context, CJK font, palette).

    ``font.family`` names the CJK font itself (not the generic ``sans-serif``), so a
    text drawn after the theme is left keeps its glyphs.
    """
    from cycler import cycler

    family = _register_font()
    rc: dict[str, Any] = {**sns.axes_style("whitegrid"), **sns.plotting_context(context, font_scale=font_scale)}
    rc.update(
        {
            "font.family": [family, "DejaVu Sans"],
            "font.sans-serif": [family, "DejaVu Sans"],
            "axes.prop_cycle": cycler(color=PALETTE),
            "axes.unicode_minus": False,
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
        }
    )
    return rc


@contextmanager
def theme_context(*, context: str = "paper", font_scale: float = 1.1) -> Iterator[None]:
    """Apply the project theme inside a ``with`` block only; the global rcParams are left as they were.

    Examples
    --------
    >>> import matplotlib as mpl, matplotlib.pyplot as plt
    >>> before = dict(mpl.rcParams)
    >>> with theme_context():
    ...     fig, ax = plt.subplots()
    >>> dict(mpl.rcParams) == before
    True
    >>> plt.close(fig)
    """
    with mpl.rc_context(theme_rc(context=context, font_scale=font_scale)):
        yield


def _figures(out: Any) -> list[Any]:
    """The figures behind a plotting function's return value (Figure, Axes or an array of Axes)."""
    items = out.flat if hasattr(out, "flat") else [out]
    figs = []
    for item in items:
        fig = item if hasattr(item, "axes") and hasattr(item, "savefig") else getattr(item, "figure", None)
        if fig is not None and all(fig is not f for f in figs):
            figs.append(fig)
    return figs


def themed(fn: F) -> F:
    """Decorator of the plotting layer: draw inside :func:`theme_context`, then create the figure's ticks
    there too (matplotlib creates them lazily; later ones copy the first), so the figure keeps the
    theme after the ``with`` block ends and no global setting changes."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with theme_context():
            out = fn(*args, **kwargs)
            for fig in _figures(out):
                for ax in fig.axes:
                    for axis in (ax.xaxis, ax.yaxis):
                        axis.get_major_ticks()
                        axis.get_minor_ticks()
        return out

    return wrapper  # type: ignore[return-value]


def use_theme(*, context: str = "paper", font_scale: float = 1.1) -> None:
    """Apply the project theme globally (for a notebook's own figures; the library uses :func:`theme_context`)."""
    plt.rcParams.update(theme_rc(context=context, font_scale=font_scale))
