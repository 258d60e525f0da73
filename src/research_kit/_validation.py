"""Checks of user options shared by every module (one place for one message)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Iterable

__all__ = ["check_option"]


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
