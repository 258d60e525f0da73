"""Indicator filings: the register of targets and milestones, the reporting template, intake and history.

* :func:`load_definitions` — ``data/targets/`` (targets, milestones, exchange rates);
* :func:`write_template` — the XLSX departments fill in (``research-kit targets template``);
* :func:`read_filings` — validation of the filled files in ``data/raw/indicators/`` (run by ``prepare``);
* :func:`latest_as_of` — the filings in force on a date (revisions supersede earlier values);
* :func:`fx_loan_issuance` — the FX-loan indicator computed from loan balances.
"""

from research_kit.data.indicators.definitions import (
    Definitions,
    UnitError,
    convert_value,
    definitions_files,
    load_definitions,
)
from research_kit.data.indicators.fx import FX_INDICATOR, fx_loan_issuance, fx_loan_issuance_total
from research_kit.data.indicators.intake import FILING_COLUMNS, FilingsResult, latest_as_of, read_filings
from research_kit.data.indicators.template import CITY, COLUMNS, SHEET, write_template

__all__ = [
    "CITY",
    "COLUMNS",
    "FILING_COLUMNS",
    "FX_INDICATOR",
    "SHEET",
    "Definitions",
    "FilingsResult",
    "UnitError",
    "convert_value",
    "definitions_files",
    "fx_loan_issuance",
    "fx_loan_issuance_total",
    "latest_as_of",
    "load_definitions",
    "read_filings",
    "write_template",
]
