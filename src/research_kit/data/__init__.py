"""Data layer: catalog, readers, normalization, validation, ``prepare`` and ``load``.

Examples
--------
>>> import research_kit as rk
>>> rk.data.parse_amount("12.5万元", unit="元")
125000.0
>>> rk.data.county_name(rk.data.county_code("义乌"), lang="en")
'Yiwu'
>>> report = rk.data.prepare()                                  # doctest: +SKIP
>>> panel = rk.data.load("fx_loans")                            # doctest: +SKIP
"""

from __future__ import annotations

from research_kit.data.catalog import (
    Catalog,
    CatalogError,
    ColumnSpec,
    DatasetSpec,
    ForeignKey,
    ReaderOptions,
    UnknownDatasetError,
    load_catalog,
)
from research_kit.data.counties import COUNTIES, COUNTY_CODES, county_code, county_name
from research_kit.data.ledger import LedgerError, ledger_to_panel
from research_kit.data.link import MatchReport, link
from research_kit.data.loading import StaleDataWarning, identifier_values, load, loaded_datasets
from research_kit.data.manifest import read_raw_manifest, sha256_file, write_raw_manifest
from research_kit.data.normalize import (
    UNITS,
    ParseError,
    convert_amount,
    is_missing,
    parse_amount,
    parse_date,
    parse_month,
    parse_number,
    to_halfwidth,
)
from research_kit.data.preparation import DatasetReport, PrepareReport, prepare
from research_kit.data.readers import ReadError, detect_encoding, read_table
from research_kit.data.uscc import normalize_code, validate_registration_number, validate_uscc
from research_kit.data.validate import DataValidationError, Problem

__all__ = [
    "COUNTIES",
    "COUNTY_CODES",
    "UNITS",
    "Catalog",
    "CatalogError",
    "ColumnSpec",
    "DataValidationError",
    "DatasetReport",
    "DatasetSpec",
    "LedgerError",
    "MatchReport",
    "ForeignKey",
    "ParseError",
    "PrepareReport",
    "Problem",
    "ReadError",
    "ReaderOptions",
    "StaleDataWarning",
    "identifier_values",
    "UnknownDatasetError",
    "convert_amount",
    "county_code",
    "county_name",
    "detect_encoding",
    "is_missing",
    "ledger_to_panel",
    "link",
    "load",
    "loaded_datasets",
    "load_catalog",
    "normalize_code",
    "parse_amount",
    "parse_date",
    "parse_month",
    "parse_number",
    "prepare",
    "read_raw_manifest",
    "read_table",
    "sha256_file",
    "to_halfwidth",
    "validate_registration_number",
    "validate_uscc",
    "write_raw_manifest",
]
