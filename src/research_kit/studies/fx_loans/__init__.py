"""Flagship study: domestic foreign-currency loans to individual businesses
(task 2 of the Jinhua pilot plan, 个体工商户国内外汇贷款).

The programme starts at a bank in a county at a given month (the roll-out
table); a business is treated from the month its main bank offers the
programme in its county. The notebook ``notebooks/01_fx_loans_individual_businesses.ipynb``
calls these functions only:

* :mod:`._data` — the analysis panel, timing, truth, descriptive aggregates;
* :mod:`._estimate` — every estimate, computed once (:func:`estimate`);
* :mod:`._paper` — text, tables and figures in Chinese and English;
* :mod:`._sources` — how the ledger, registry, SAFE and hedging records matched, and the
  effects on export receipts and on the share of receipts hedged.
"""

from research_kit.studies.fx_loans._data import *  # noqa: F403
from research_kit.studies.fx_loans._data import __all__ as _data_all
from research_kit.studies.fx_loans._estimate import *  # noqa: F403
from research_kit.studies.fx_loans._estimate import __all__ as _estimate_all
from research_kit.studies.fx_loans._paper import *  # noqa: F403
from research_kit.studies.fx_loans._paper import __all__ as _paper_all
from research_kit.studies.fx_loans._sources import *  # noqa: F403
from research_kit.studies.fx_loans._sources import __all__ as _sources_all

__all__ = [*_data_all, *_estimate_all, *_paper_all, *_sources_all]
