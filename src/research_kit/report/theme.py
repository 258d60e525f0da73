"""One seaborn/matplotlib theme for every figure, with CJK glyphs.

The CJK font comes from the ``mplfonts`` wheel (Noto Sans CJK SC), which the
project's own set-up installs, so Chinese labels render as real glyphs on any
machine without system fonts. :func:`use_theme` is idempotent.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path





import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib import font_manager  # noqa: E402

__all__ = ["use_theme", "cjk_font_path", "PALETTE", "CJK_FAMILY"]

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


def use_theme(*, context: str = "paper", font_scale: float = 1.1) -> None:
    """Apply the project theme (fonts with CJK glyphs, page sizes, palette)."""
    family = _register_font()
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE, font_scale=font_scale)
    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [family, "DejaVu Sans"],
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
