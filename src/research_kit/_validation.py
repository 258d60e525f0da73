"""Checks of user options shared by every module (one place for one message)."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Hashable
from typing import Any, Iterable

__all__ = ["as_pandas", "check_option", "warn_user"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def check_option(name: str, value: Any, allowed: Iterable[Any]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``allowed``, listing the allowed values.

    Examples
    --------
    >>> check_option("method", "reg", ("dr", "ipw", "reg"))
    >>> check_option("method", "ols", ("dr", "ipw", "reg"))
    Traceback (most recent call last):
    ...
    ValueError: method='ols' is not supported; choose one of 'dr', 'ipw', 'reg'.
    """
    allowed = tuple(allowed)
    if not isinstance(value, Hashable) or value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name}={value!r} is not supported; choose one of {choices}.")


def warn_user(message: str, category: type[Warning]) -> None:
    """Emit a warning attributed to the first caller outside ``research_kit``.

    The warning then points at the user's line (their notebook cell or script),
    whatever the depth of library calls in between.
    """
    frame = sys._getframe(1)
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level - 1 if frame is None else level)


# --------------------------------------------------------------------- clusters


def as_pandas(df: Any, name: str = "data") -> Any:
    """Return ``df`` as a pandas DataFrame: pandas as is, polars and pyarrow tables converted.

    Anything else is refused with a message that names its type and says what to pass.

    Examples
    --------
    >>> import pandas as pd
    >>> as_pandas(pd.DataFrame({"y": [1.0]})).shape
    (1, 1)
    >>> as_pandas([1, 2])
    Traceback (most recent call last):
    ...
    TypeError: data must be a pandas DataFrame (or a polars DataFrame / pyarrow Table, converted for you); got builtins.list.
    """
    import pandas as pd

    if isinstance(df, pd.DataFrame):
        return df
    module = type(df).__module__.split(".")[0]
    if module in ("polars", "pyarrow") and hasattr(df, "to_pandas"):
        return df.to_pandas()
    raise TypeError(f"{name} must be a pandas DataFrame (or a polars DataFrame / pyarrow Table, converted for you); "
                    f"got {type(df).__module__}.{type(df).__name__}.")
