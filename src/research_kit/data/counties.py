"""The nine county-level divisions of Jinhua and their stable 6-digit codes.

Codes are the official administrative division codes, stored as strings
(``"330782"``), never as integers. Names are accepted in every form the
source files use: the full name (``义乌市``), the short form (``义乌``), with
the prefecture or province prefixed (``金华市义乌市``, ``浙江省金华市义乌市``),
the English name (``Yiwu``) and the code itself.

Examples
--------
>>> from research_kit.data import county_code, county_name, COUNTIES
>>> county_code("浙江省金华市义乌市")
'330782'
>>> county_name("330782", lang="en")
'Yiwu'
>>> COUNTIES.loc["330727", "name_zh"]
'磐安县'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

import pandas as pd

from research_kit.data.normalize import ParseError, is_missing

__all__ = ["COUNTIES", "COUNTY_CODES", "county_code", "county_name"]

# code, Chinese name, English name, English type
_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("330702", "婺城区", "Wucheng", "district"),
    ("330703", "金东区", "Jindong", "district"),
    ("330723", "武义县", "Wuyi", "county"),
    ("330726", "浦江县", "Pujiang", "county"),
    ("330727", "磐安县", "Pan'an", "county"),
    ("330781", "兰溪市", "Lanxi", "county-level city"),
    ("330782", "义乌市", "Yiwu", "county-level city"),
    ("330783", "东阳市", "Dongyang", "county-level city"),
    ("330784", "永康市", "Yongkang", "county-level city"),
)

#: The county table, indexed by code (also a column): ``code``, ``name_zh``, ``name_en``,
#: ``short_zh``, ``type_en``. Treat it as read-only.
COUNTIES: pd.DataFrame = pd.DataFrame(
    {
        "code": pd.array([r[0] for r in _ROWS], dtype="str"),
        "name_zh": [r[1] for r in _ROWS],
        "name_en": [r[2] for r in _ROWS],
        "short_zh": [r[1][:-1] for r in _ROWS],
        "type_en": [r[3] for r in _ROWS],
    },
    index=pd.Index([r[0] for r in _ROWS], dtype="str"),
)

#: The nine codes in ascending order.
COUNTY_CODES: tuple[str, ...] = tuple(r[0] for r in _ROWS)

_PREFIXES = re.compile(r"^(?:浙江省|浙江)?(?:金华市|金华)?")


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, zh, en, _ in _ROWS:
        table[code] = code
        table[zh] = code
        table[zh[:-1]] = code
        table[en.lower()] = code
        table[en.lower().replace("'", "")] = code
    return table


_LOOKUP = _lookup()
_EXPECTED = "one of the 9 county-level divisions of Jinhua: " + ", ".join(r[1] for r in _ROWS)


def county_code(name: Any) -> str:
    """Return the 6-digit code of a Jinhua county-level division.

    Parameters
    ----------
    name : str or int
        ``义乌市``, ``义乌``, ``金华市义乌市``, ``浙江省金华市义乌市``, ``Yiwu``,
        or the code itself (``"330782"`` or ``330782``). Whitespace and
        full-width characters are tolerated.

    Returns
    -------
    str
        The code, e.g. ``"330782"``.

    Raises
    ------
    ParseError
        If the value is blank or names no Jinhua county-level division.

    Examples
    --------
    >>> county_code("金华市金东区")
    '330703'
    >>> county_code(330784)
    '330784'
    """
    if is_missing(name):
        raise ParseError("county is missing", kind="missing", value=name)
    if isinstance(name, (int, float)) and not isinstance(name, bool) and float(name).is_integer():
        text = str(int(name))
    else:
        text = unicodedata.normalize("NFKC", str(name))
    text = re.sub(r"\s+", "", text).strip()
    key = text.lower()
    if key in _LOOKUP:
        return _LOOKUP[key]
    stripped = _PREFIXES.sub("", text)
    if stripped and stripped.lower() in _LOOKUP:
        return _LOOKUP[stripped.lower()]
    if stripped in ("", "市") and text.startswith(("金华", "浙江")):
        raise ParseError(
            f"{name!r} is the prefecture (or province), not a county-level division; "
            f"expected {_EXPECTED}",
            kind="unknown_county",
            value=name,
        )
    raise ParseError(f"unknown county {name!r}; expected {_EXPECTED}", kind="unknown_county", value=name)


def county_name(code: Any, lang: Literal["zh", "en"] = "zh") -> str:
    """Return the Chinese or English name of a county-level division.

    Parameters
    ----------
    code : str or int
        A code such as ``"330782"`` (any form :func:`county_code` accepts also works).
    lang : {"zh", "en"}
        ``"zh"`` gives ``义乌市``, ``"en"`` gives ``Yiwu``.

    Examples
    --------
    >>> county_name("330727"), county_name("330727", lang="en")
    ('磐安县', "Pan'an")
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be one of 'zh', 'en'; got {lang!r}")
    resolved = county_code(code)
    return str(COUNTIES.loc[resolved, "name_zh" if lang == "zh" else "name_en"])
