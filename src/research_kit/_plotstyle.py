"""``@themed``: plotting functions draw in the project theme without changing the user's rcParams.

The theme (seaborn style, palette, CJK font) is applied inside ``matplotlib.rc_context`` for the
duration of the call only; the user's ``matplotlib.rcParams`` are the same afterwards. The theme
module is imported at call time, so estimator modules can decorate their ``plot`` functions without
importing the reporting layer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["themed"]

F = TypeVar("F", bound=Callable[..., Any])


def themed(fn: F) -> F:
    """Run ``fn`` with the project's theme applied in an ``rc_context`` (no global side effects)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib.pyplot as plt

        from research_kit.report.theme import use_theme

        with plt.rc_context():
            use_theme()
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
