"""Study: power and minimum detectable effects of the FX-loans evaluation (task 2).

Text, tables and figures of ``notebooks/06_power_fx_loans.ipynb``. The design is
calibrated on the FX-loans analysis panel (SYNTHETIC demo data), and the
staggered design is simulated with :func:`research_kit.simulate.staggered_panel`.

* :mod:`._data` -- the calibration on the FX-loans panel (:func:`calibrate`);
* :mod:`._estimate` -- the designs and the simulation (:func:`simulate`);
* :mod:`._paper` -- text, tables and figures in Chinese and English.
"""

from research_kit.studies.power_fx._data import *  # noqa: F403
from research_kit.studies.power_fx._data import __all__ as _data_all
from research_kit.studies.power_fx._estimate import *  # noqa: F403
from research_kit.studies.power_fx._estimate import __all__ as _estimate_all
from research_kit.studies.power_fx._paper import *  # noqa: F403
from research_kit.studies.power_fx._paper import __all__ as _paper_all

__all__ = [*_data_all, *_estimate_all, *_paper_all]
