"""Normalizers: parametrized tables of input → expected, and of bad input → error kind."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from research_kit.data import (
    COUNTIES,
    COUNTY_CODES,
    ParseError,
    convert_amount,
    county_code,
    county_name,
    parse_amount,
    parse_month,
    parse_number,
    to_halfwidth,
)


@pytest.mark.parametrize(
    ("value", "unit", "default_unit", "expected"),
    [
        ("12.5", "万元", None, 12.5),
        (12.5, "万元", None, 12.5),
        (3, "元", "万元", 30000.0),
        ("12.5万元", "元", None, 125000.0),
        ("12.5万元", "万元", "元", 12.5),
        ("3000元", "万元", "元", 0.3),
        ("0.1亿元", "万元", None, 1000.0),
        ("2千元", "元", None, 2000.0),
        ("1.5百万元", "万元", None, 150.0),
        ("1,234,567.89", "元", None, 1234567.89),
        ("1,234.50", "万美元", None, 1234.5),
        ("１２３，４５６．７", "元", None, 123456.7),
        ("１２３，４５６．７", "万元", "元", 12.34567),
        ("１２．５万元", "元", None, 125000.0),
        ("  -3.5 ", "万元", None, -3.5),
        ("－3.5", "万元", None, -3.5),
        ("−3.5", "万元", None, -3.5),
        ("+7", "元", None, 7.0),
        (".5", "元", None, 0.5),
        ("1e3", "元", None, 1000.0),
        ("12.5 万元", "元", None, 125000.0),
        ("500美元", "万美元", None, 0.05),
        ("2万美元", "美元", None, 20000.0),
        ("1.2亿美元", "万美元", None, 12000.0),
        ("100 USD", "美元", None, 100.0),
        ("100RMB", "元", None, 100.0),
        ("", "元", None, math.nan),
        ("  ", "元", None, math.nan),
        (None, "元", None, math.nan),
        (np.nan, "元", None, math.nan),
    ],
)
def test_parse_amount(value, unit, default_unit, expected):
    got = parse_amount(value, unit=unit, default_unit=default_unit)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("value", "unit", "default_unit", "kind", "fragment"),
    [
        ("12.5万元", "万美元", None, "currency_mismatch", "currency mismatch"),
        ("300美元", "元", None, "currency_mismatch", "never converted between currencies"),
        ("5", "美元", "元", "currency_mismatch", "currency mismatch"),
        ("abc", "元", None, "not_a_number", "is not a number"),
        ("1,23", "元", None, "thousands_separator", "thousands separator"),
        ("12,34.5", "元", None, "thousands_separator", "thousands separator"),
        ("12.5千", "元", None, "unknown_unit", "unknown unit '千'"),
        ("12.5 EUR", "元", None, "unknown_unit", "unknown unit 'EUR'"),
        ("1.2.3", "元", None, "not_a_number", "is not a number"),
        (True, "元", None, "not_a_number", "boolean"),
    ],
)
def test_parse_amount_errors(value, unit, default_unit, kind, fragment):
    with pytest.raises(ParseError, match=fragment) as info:
        parse_amount(value, unit=unit, default_unit=default_unit)
    assert info.value.kind == kind


def test_parse_amount_unknown_declared_unit():
    with pytest.raises(ValueError, match="unknown unit 'kg'"):
        parse_amount("3", unit="kg")


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        (12.5, "万元", "元", 125000.0),
        (125000.0, "元", "万元", 12.5),
        (3.0, "亿元", "万元", 30000.0),
        (7.0, "万美元", "万美元", 7.0),
        (np.array([1.0, 2.5]), "万美元", "美元", np.array([10000.0, 25000.0])),
    ],
)
def test_convert_amount(value, from_unit, to_unit, expected):
    np.testing.assert_array_equal(convert_amount(value, from_unit=from_unit, to_unit=to_unit), expected)


def test_convert_amount_refuses_currency_change():
    with pytest.raises(ParseError, match="currency mismatch") as info:
        convert_amount(1.0, from_unit="元", to_unit="美元")
    assert info.value.kind == "currency_mismatch"


@pytest.mark.parametrize(
    ("value", "percent", "expected"),
    [("１，２３４．５", False, 1234.5), ("5.2%", True, 5.2), ("５．２％", True, 5.2), (" 36 ", False, 36.0), (0, False, 0.0)],
)
def test_parse_number(value, percent, expected):
    assert parse_number(value, percent=percent) == expected


@pytest.mark.parametrize(("value", "percent"), [("5.2%", False), ("12万元", False), ("x", True)])
def test_parse_number_errors(value, percent):
    with pytest.raises(ParseError):
        parse_number(value, percent=percent)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023年1月", "2023-01-01"),
        ("2023年01月", "2023-01-01"),
        ("2023 年 1 月", "2023-01-01"),
        ("２０２３年１２月", "2023-12-01"),
        ("2023年1月份", "2023-01-01"),
        ("2016年5月", "2016-05-01"),
        ("2023-01", "2023-01-01"),
        ("2023-1", "2023-01-01"),
        ("2023/1", "2023-01-01"),
        ("2023/01", "2023-01-01"),
        ("2023M01", "2023-01-01"),
        ("2023m1", "2023-01-01"),
        ("2023M12", "2023-12-01"),
        ("202301", "2023-01-01"),
        ("202312", "2023-12-01"),
        ("202301.0", "2023-01-01"),
        ("2023-01-31", "2023-01-01"),
        ("2023/2/28", "2023-02-01"),
        ("2023-03-15 00:00:00", "2023-03-01"),
        ("20230115", "2023-01-01"),
        ("2023年1月31日", "2023-01-01"),
        (202301, "2023-01-01"),
        (202301.0, "2023-01-01"),
        (44927, "2023-01-01"),  # Excel serial day number of 2023-01-01
        (45016.5, "2023-03-01"),  # 2023-03-31 12:00
        (dt.datetime(2023, 3, 1), "2023-03-01"),
        (dt.datetime(2023, 3, 17, 8, 30), "2023-03-01"),
        (dt.date(2024, 2, 29), "2024-02-01"),
        (pd.Timestamp("2025-12-31"), "2025-12-01"),
        (np.datetime64("2019-07-04"), "2019-07-01"),
    ],
)
def test_parse_month(value, expected):
    got = parse_month(value)
    assert got == pd.Timestamp(expected)
    assert got.day == 1


@pytest.mark.parametrize("value", [None, "", "  ", np.nan, pd.NaT, "NULL"])
def test_parse_month_missing_is_nat(value):
    assert parse_month(value) is pd.NaT


@pytest.mark.parametrize(
    ("value", "kind", "fragment"),
    [
        ("2023年13月", "impossible_month", "month 13 does not exist"),
        ("2023-00", "impossible_month", "month 0 does not exist"),
        ("2023M13", "impossible_month", "month 13"),
        ("202313", "impossible_month", "month 13"),
        ("2023-02-30", "impossible_month", "day 30 does not exist"),
        ("1023-01", "impossible_month", "year 1023 is out of range"),
        ("2023年", "not_a_month", "is not a month"),
        ("一月", "not_a_month", "is not a month"),
        ("2023.01", "not_a_month", "is not a month"),
        ("Jan 2023", "not_a_month", "is not a month"),
        (12345678, "not_a_month", "is not a month"),
        (True, "not_a_month", "is not a month"),
    ],
)
def test_parse_month_errors(value, kind, fragment):
    with pytest.raises(ParseError, match=fragment) as info:
        parse_month(value)
    assert info.value.kind == kind


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("婺城区", "330702"),
        ("金东区", "330703"),
        ("兰溪市", "330781"),
        ("东阳市", "330783"),
        ("义乌市", "330782"),
        ("永康市", "330784"),
        ("浦江县", "330726"),
        ("武义县", "330723"),
        ("磐安县", "330727"),
        ("义乌", "330782"),
        ("磐安", "330727"),
        ("金东", "330703"),
        ("金华市义乌市", "330782"),
        ("金华市金东区", "330703"),
        ("浙江省金华市义乌市", "330782"),
        ("浙江省金华市婺城区", "330702"),
        ("金华义乌", "330782"),
        (" 义乌市 ", "330782"),
        ("义乌市\u3000", "330782"),
        ("Yiwu", "330782"),
        ("PAN'AN", "330727"),
        ("Panan", "330727"),
        ("330784", "330784"),
        (330784, "330784"),
        (330784.0, "330784"),
    ],
)
def test_county_code(name, code):
    assert county_code(name) == code


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("金华县", "unknown county '金华县'"), ("金华市", "is the prefecture"), ("杭州市", "unknown county"), ("330100", "unknown county"), ("", "missing")],
)
def test_county_code_errors(name, fragment):
    with pytest.raises(ParseError, match=fragment):
        county_code(name)


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("330702", "婺城区", "Wucheng"),
        ("330703", "金东区", "Jindong"),
        ("330723", "武义县", "Wuyi"),
        ("330726", "浦江县", "Pujiang"),
        ("330727", "磐安县", "Pan'an"),
        ("330781", "兰溪市", "Lanxi"),
        ("330782", "义乌市", "Yiwu"),
        ("330783", "东阳市", "Dongyang"),
        ("330784", "永康市", "Yongkang"),
    ],
)
def test_county_name_and_table(code, zh, en):
    assert county_name(code) == zh
    assert county_name(code, lang="zh") == zh
    assert county_name(code, lang="en") == en
    assert COUNTIES.loc[code, "name_zh"] == zh
    assert COUNTIES.loc[code, "name_en"] == en
    assert county_code(zh) == code


def test_counties_table_shape():
    assert list(COUNTIES.index) == sorted(COUNTY_CODES)
    assert len(COUNTIES) == 9
    assert list(COUNTIES["code"]) == list(COUNTIES.index)
    assert list(COUNTIES.columns) == ["code", "name_zh", "name_en", "short_zh", "type_en"]


def test_county_name_rejects_unknown_lang():
    with pytest.raises(ValueError, match="lang must be one of 'zh', 'en'; got 'fr'"):
        county_name("330782", lang="fr")  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "expected"), [("１２３，４５６．７", "123,456.7"), ("（万美元）", "(万美元)"), ("ＧＴ０１", "GT01")])
def test_to_halfwidth(text, expected):
    assert to_halfwidth(text) == expected
