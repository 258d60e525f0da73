"""Study: financing cost and bank credit of open-economy firms.

Task 1 of the Jinhua pilot plan (开展境内外双循环一体化融资创新: use central-bank relending and rediscounting to lower firms' financing costs).

How much more bank credit does a firm take when its loan rate falls by one
percentage point? Panel estimators (pooled OLS, random effects, two-way fixed
effects) and fixed-effects 2SLS with the main bank's relending and rediscount
funds as instruments for the loan rate, on the synthetic panel of
:func:`research_kit.simulate.panel_iv.financing_cost_demo` (known truth).

* :mod:`._data` -- the panel and its truth (:func:`load_data`, :func:`simulate`);
* :mod:`._estimate` -- every estimate, computed once (:func:`estimate`);
* :mod:`._paper` -- text, tables and figures in Chinese and English.
"""

from research_kit.studies.financing_cost._data import *  # noqa: F403
from research_kit.studies.financing_cost._data import __all__ as _data_all
from research_kit.studies.financing_cost._estimate import *  # noqa: F403
from research_kit.studies.financing_cost._estimate import __all__ as _estimate_all
from research_kit.studies.financing_cost._paper import *  # noqa: F403
from research_kit.studies.financing_cost._paper import __all__ as _paper_all

__all__ = [*_data_all, *_estimate_all, *_paper_all]
