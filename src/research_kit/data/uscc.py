"""Entity codes of Chinese registries: the 18-character unified social credit code
(统一社会信用代码, USCC, GB 32100-2015) and the 15-digit registration number of
the market-regulation registry (注册号, GS 15-2006).

* :func:`validate_uscc` — length, character set and check digit (position 18),
  and optionally the organization-code check digit of positions 9–17 (GB 11714);
* :func:`normalize_code` — full-width characters, spaces, hyphens and lower case
  removed, as codes arrive from bank and customs systems;
* :func:`uscc_check_digit`, :func:`org_code_check_digit`,
  :func:`registration_number_check_digit` — the standards' algorithms, for
  building and testing codes.

GB 32100-2015: characters ``0-9 A-H J-N P-R T-U W-Y`` (31 symbols; I, O, Z, S,
V are not used) have values 0–30 in that order; position ``i`` (1–17) has weight
``3**(i-1) mod 31``; the check character has value ``31 - (Σ value·weight mod 31)``
(31 → 0). GB 11714-1997: the 8-character organization-code body (digits and
letters, letter value = 10 + its place in A–Z) with weights 3 7 9 10 5 8 4 2;
check ``11 - (Σ mod 11)``, 10 → ``X``, 11 → ``0``. GS 15-2006: the 15th digit of
a 注册号 is an ISO 7064 MOD 11,10 check digit of the first 14.

Examples
--------
>>> import pandas as pd
>>> from research_kit.data import validate_uscc
>>> validate_uscc(pd.Series(["914403001922038216", "914403001922038217", "９１４４０３００１９２２０３８２１６"])).tolist()
[True, False, True]
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = [
    "USCC_CHARS",
    "normalize_code",
    "org_code_check_digit",
    "registration_number_check_digit",
    "uscc_check_digit",
    "validate_registration_number",
    "validate_uscc",
]

#: The 31 characters of GB 32100-2015, in value order (0–30).
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(USCC_CHARS)}
_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_RE = re.compile(rf"[{USCC_CHARS}]{{18}}")
_JUNK = re.compile(r"[\s\-_./·]+")


def normalize_code(value: object) -> object:
    """A code as the registry writes it: half-width, upper case, no spaces or hyphens.

    Missing values (None, NaN, blank) come back as ``None``.

    Examples
    --------
    >>> normalize_code(" ９２３３０７８２ma2e-0k1h3e ")
    '92330782MA2E0K1H3E'
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, np.integer)):
        value = str(int(value))
    elif isinstance(value, float) and value.is_integer():  # 15-digit numbers read as floats by a spreadsheet
        value = str(int(value))
    text = _JUNK.sub("", unicodedata.normalize("NFKC", str(value))).upper()
    return text or None


def uscc_check_digit(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are ``first17`` (GB 32100-2015).

    Examples
    --------
    >>> uscc_check_digit("91440300192203821")
    '6'
    """
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError(f"expected 17 characters from {USCC_CHARS!r}; got {first17!r}")
    total = sum(_VALUE[c] * int(w) for c, w in zip(first17, _WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


def org_code_check_digit(body: str) -> str:
    """The 9th character of an organization code with 8-character ``body`` (GB 11714-1997).

    Examples
    --------
    >>> org_code_check_digit("19220382")
    '1'
    """
    if len(body) != 8 or not body.isalnum() or not body.isascii():
        raise ValueError(f"expected 8 digits or capital letters; got {body!r}")
    total = sum((int(c) if c.isdigit() else ord(c.upper()) - 55) * w for c, w in zip(body, _ORG_WEIGHTS))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def registration_number_check_digit(first14: str) -> str:
    """The 15th digit of a 注册号 whose first 14 digits are ``first14`` (ISO 7064 MOD 11,10).

    Examples
    --------
    >>> n = "33078260012345"
    >>> validate_registration_number(pd.Series([n + registration_number_check_digit(n)])).tolist()
    [True]
    """
    if len(first14) != 14 or not first14.isdigit():
        raise ValueError(f"expected 14 digits; got {first14!r}")
    p = 10
    for ch in first14:
        s = (p + int(ch)) % 10 or 10
        p = (2 * s) % 11
    return str((11 - p) % 10)


def _uscc_valid(code: object, check_org_code: bool) -> bool:
    if not isinstance(code, str) or _USCC_RE.fullmatch(code) is None:
        return False
    if uscc_check_digit(code[:17]) != code[17]:
        return False
    if check_org_code:
        return org_code_check_digit(code[8:16]) == code[16]
    return True


def validate_uscc(series: pd.Series, *, normalize: bool = True, check_org_code: bool = False) -> pd.Series:
    """Whether each value is a valid unified social credit code (GB 32100-2015).

    Checks the length (18), the character set (``0-9 A-H J-N P-R T-U W-Y``) and
    the check character (position 18). With ``check_org_code=True`` also the
    organization-code check digit of positions 9–17 (GB 11714-1997), which codes
    issued since 2015 satisfy; older codes converted from an organization code
    also do, but it is off by default because some registries assign the
    segment otherwise.

    Parameters
    ----------
    series : pandas.Series
        Codes (any dtype). Missing values are invalid.
    normalize : bool, default True
        Normalize first (:func:`normalize_code`: full-width → half-width, upper
        case, spaces and hyphens removed); ``False`` checks the values as given.
    check_org_code : bool, default False
        Also check positions 9–17 as an organization code.

    Returns
    -------
    pandas.Series of bool
        Same index as ``series``, named ``series.name``.

    Examples
    --------
    >>> validate_uscc(pd.Series(["91330782MA2E0K1H3E", "91330782MA2E0K1H3X", "123"])).tolist()
    [True, False, False]
    """
    if not isinstance(series, pd.Series):
        series = pd.Series(series)
    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    ok = np.array([_uscc_valid(normalize_code(u) if normalize else u, check_org_code) for u in uniques], dtype=bool)
    out = np.zeros(len(series), dtype=bool)
    present = codes >= 0
    out[present] = ok[codes[present]]
    return pd.Series(out, index=series.index, name=series.name)


def validate_registration_number(series: pd.Series, *, normalize: bool = True) -> pd.Series:
    """Whether each value is a 15-digit 注册号 with a valid ISO 7064 MOD 11,10 check digit.

    Examples
    --------
    >>> validate_registration_number(pd.Series(["330782600123456", "330782600123454"])).tolist()
    [True, False]
    """
    if not isinstance(series, pd.Series):
        series = pd.Series(series)

    def ok(v: object) -> bool:
        code = normalize_code(v) if normalize else v
        return isinstance(code, str) and len(code) == 15 and code.isdigit() and (
            registration_number_check_digit(code[:14]) == code[14]
        )

    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    good = np.array([ok(u) for u in uniques], dtype=bool)
    out = np.zeros(len(series), dtype=bool)
    out[codes >= 0] = good[codes[codes >= 0]]
    return pd.Series(out, index=series.index, name=series.name)
