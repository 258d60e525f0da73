"""Study: the FX-hedging guarantee for small firms and its eligibility threshold.

Task 19 of the Jinhua pilot plan (小微企业和个体工商户汇率避险担保增信政策).

Eligibility. The Zhejiang guarantee (agreements signed since 2022) is for small and micro firms as
classified by 工信部联企业〔2011〕300号. For a wholesale firm with at least 20 employees that
classification is a revenue threshold: operating revenue below 5,000 万元 makes it small. The RD
compares exporting wholesale firms just below the threshold (eligible) with those just above it (medium-
sized, not eligible), with the running variable ``5000 - revenue`` of the year before the agreement.
The sharp RD estimates the effect of eligibility (intention to treat); the fuzzy RD, with take-up as the
treatment, the effect of the guarantee on the firms that take it up. The covariate-adjusted estimate
(rdrobust ``covs=``) accompanies every headline estimate. The inputs are read through
``research_kit.data.load`` (``hedging_guarantee_firms``; synthetic demo data with their truth in
``hedging_guarantee_truth``).

* :mod:`._data` -- the firms and the truth (:func:`load_data`, :func:`simulate`);
* :mod:`._estimate` -- every estimate, computed once (:func:`estimate`);
* :mod:`._paper` -- text, tables and figures in Chinese and English.
"""

from research_kit.studies.hedging_rd._data import *  # noqa: F403
from research_kit.studies.hedging_rd._data import __all__ as _data_all
from research_kit.studies.hedging_rd._estimate import *  # noqa: F403
from research_kit.studies.hedging_rd._estimate import __all__ as _estimate_all
from research_kit.studies.hedging_rd._paper import *  # noqa: F403
from research_kit.studies.hedging_rd._paper import __all__ as _paper_all

__all__ = [*_data_all, *_estimate_all, *_paper_all]
