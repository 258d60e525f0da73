"""Public reference data shipped with the package, for examples, tutorials and checks.

* :func:`mpdta` — R ``did``'s minimum-wage panel (Callaway and Sant'Anna 2021): 500 US counties,
  2003–2007, ``lemp`` (log teen employment), ``first.treat`` (0 = never treated).
* :func:`prop99` — Abadie, Diamond and Hainmueller (2010): 39 US states, 1970–2000, per-capita
  cigarette sales and predictors; California is treated from 1989.
* :func:`senate` — Cattaneo, Frandsen and Titiunik (2015), the ``rdrobust`` example: US Senate
  elections, ``margin`` (Democratic margin of victory at t) and ``vote`` (vote share at t + 2).

These are real public data (provenance in ``datasets/README.md``), not the project's synthetic
demo data.

Examples
--------
>>> import research_kit as rk
>>> rk.datasets.mpdta().shape
(2500, 6)
>>> rk.datasets.prop99()["state"].nunique(), rk.datasets.senate().shape[0]
(39, 1390)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["mpdta", "prop99", "senate"]

_HERE = Path(__file__).resolve().parent


def mpdta() -> pd.DataFrame:
    """R ``did``'s ``mpdta``: year, countyreal, lpop, lemp, first.treat, treat (2,500 rows)."""
    return pd.read_csv(_HERE / "mpdta.csv")


def prop99() -> pd.DataFrame:
    """ADH (2010) Proposition 99 panel: state, year, cigsale, lnincome, beer, age15to24, retprice."""
    df = pd.read_csv(_HERE / "smoking.csv")
    df["year"] = df["year"].astype(int)
    return df


def senate() -> pd.DataFrame:
    """The ``rdrobust`` Senate data: margin (running variable, cutoff 0) and vote, with covariates."""
    return pd.read_csv(_HERE / "rdrobust_senate.csv")
