"""Study: the digital RMB (e-CNY) pilot in Jinhua (task 16 of the Jinhua plan, 开展数字人民币试点).

Design. On 2022-03-31 the People's Bank of China made the six Zhejiang cities hosting the Asian
Games, Jinhua among them, e-CNY pilot areas (announced 2022-04-02). Every county of Jinhua is a
pilot area from then on, so no Jinhua county can serve as an untreated comparison. The study is
therefore a city-level synthetic control (and synthetic DiD) of Jinhua against prefecture-level
cities that were never pilot areas during the sample: :func:`donor_pool` removes, from the
candidate cities of the data, every city that was a pilot area (or lay in a province-wide pilot)
by the end of the sample, Jinhua's neighbours and the other cities of Zhejiang (spill-overs and
provincial promotion of the pilot). Pilot areas and their dates come from the dataset
``ecny_pilot_areas`` (PBoC announcements); the outcomes, per-resident retail and online sales,
from ``digital_rmb_cities``. The outcome data shipped with the project are SYNTHETIC
(:func:`research_kit.simulate.digital_rmb_demo.digital_rmb_city_panel`), with their true effects in
``digital_rmb_true_effects``.

* :mod:`._data` -- the city panel, the pilot list, the donor pool (:func:`load_data`, :func:`donor_pool`);
* :mod:`._estimate` -- every estimate, computed once (:func:`estimate`);
* :mod:`._paper` -- text, tables and figures in Chinese and English.
"""

from research_kit.studies.digital_rmb._data import *  # noqa: F403
from research_kit.studies.digital_rmb._data import __all__ as _data_all
from research_kit.studies.digital_rmb._estimate import *  # noqa: F403
from research_kit.studies.digital_rmb._estimate import __all__ as _estimate_all
from research_kit.studies.digital_rmb._paper import *  # noqa: F403
from research_kit.studies.digital_rmb._paper import __all__ as _paper_all

__all__ = [*_data_all, *_estimate_all, *_paper_all]
