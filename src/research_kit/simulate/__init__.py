"""Synthetic panels with known true effects, for the demo studies and for tests.

Everything this module makes is SYNTHETIC and says so wherever it is written.

* :func:`fx_loans_demo` — the Jinhua demo: a monthly panel (2019-01 … 2025-12)
  of individual businesses in the nine counties, with a staggered county × bank
  roll-out of FX loans to individual businesses (task 2 of the plan) and the
  true effects, calibrated to the plan's 2025 target of USD 300 million.
* :func:`fx_microdata_demo` — the same businesses as the sources a study gets: loan
  ledger and repayments, entity registry, SAFE receipts, hedging contracts, rates.
* :func:`write_demo_raw` — write that panel in the raw formats of
  ``docs/demo_data_contract.md`` (what ``data/raw/`` ships), byte-reproducibly.
* :func:`staggered_panel` — benchmark-scale staggered-adoption panels
  (1,000,000 units × 24 periods in a few seconds).
* :func:`true_att` — the truth aggregates estimates are compared with.

Regenerate the shipped raw data with ``python -m research_kit.simulate``.

Examples
--------
>>> from research_kit.simulate import staggered_panel, true_att
>>> df = staggered_panel(2000, 12, effect="dynamic", seed=3)
>>> list(df.columns)
['unit', 'time', 'cohort', 'cluster', 'y', 'true_effect']
>>> true_att(df, by="event_time").iloc[0]
np.float64(1.0)
"""

from __future__ import annotations

from research_kit.simulate._demo import (
    ADOPTION_MONTHS,
    BANKS,
    COUNTY_POPULATION,
    MONTHS,
    ROLLOUT_PLAN,
    SECTORS,
    SIZES,
    TARGET_BALANCE_2025,
    DemoData,
    fx_loans_demo,
)
from research_kit.simulate._staggered import AttBy, EffectKind, default_cohorts, staggered_panel, true_att
from research_kit.simulate._raw import RAW_FILES, write_demo_raw
from research_kit.simulate.microdata import MicroData, fx_microdata_demo
from research_kit.simulate.indicators import target_indicators_demo
from research_kit.simulate.panel_iv import FinancingCostData, financing_cost_demo
from research_kit.simulate.digital_rmb_demo import DigitalRmbDemo, digital_rmb_panel
from research_kit.simulate.hedging_demo import CCT_MODEL1_JUMP, HedgingRDData, hedging_guarantee_demo, rd_data

__all__ = [
    "CCT_MODEL1_JUMP",
    "DigitalRmbDemo",
    "digital_rmb_panel",
    "FinancingCostData",
    "HedgingRDData",
    "financing_cost_demo",
    "target_indicators_demo",
    "hedging_guarantee_demo",
    "rd_data",
    "DemoData",
    "fx_loans_demo",
    "fx_microdata_demo",
    "MicroData",
    "write_demo_raw",
    "staggered_panel",
    "true_att",
    "default_cohorts",
    "EffectKind",
    "AttBy",
    "RAW_FILES",
    "MONTHS",
    "BANKS",
    "SECTORS",
    "SIZES",
    "COUNTY_POPULATION",
    "ADOPTION_MONTHS",
    "ROLLOUT_PLAN",
    "TARGET_BALANCE_2025",
]
