"""Study: the pilot's evaluation system — 2025 targets and milestones from departments' filings.

Text, tables and figures of ``notebooks/04_targets_2025_dashboard.ipynb``. The paper reads
only the processed filings (``indicator_filings``) and the definitions in ``data/targets/``;
it simulates nothing. An indicator without filed data is reported as such.

* :mod:`._data` -- the plan's 2025 targets table (:func:`load_targets`);
* :mod:`._estimate` -- the assessment of the filings in force on a date (:func:`assess`, :func:`run`);
* :mod:`._paper` -- text, tables and figures in Chinese and English.
"""

from research_kit.studies.targets._data import *  # noqa: F403
from research_kit.studies.targets._data import __all__ as _data_all
from research_kit.studies.targets._estimate import *  # noqa: F403
from research_kit.studies.targets._estimate import __all__ as _estimate_all
from research_kit.studies.targets._paper import *  # noqa: F403
from research_kit.studies.targets._paper import __all__ as _paper_all

__all__ = [*_data_all, *_estimate_all, *_paper_all]
