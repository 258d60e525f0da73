"""USCC / 注册号 check digits (codes built with the standards' algorithms, written out here
independently of research_kit) and rk.data.link's normalization and match report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research_kit.data import link, normalize_code, validate_registration_number, validate_uscc

# GB 32100-2015, Table: characters and their values; weights of positions 1-17 as printed in the standard.
CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]  # GB 11714-1997


def build_uscc(rng: np.random.Generator) -> str:
    """A code as GB 32100 builds it: 9 (工商) + 1/2 (企业/个体工商户) + a Jinhua division + organization code + check."""
    head = "9" + rng.choice(["1", "2"]) + rng.choice(["330702", "330782", "330784"])
    body = "".join(rng.choice(list("0123456789ABCDEFGHJKLMNPQRTUWXY"), 8))
    s = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS))
    c9 = 11 - s % 11
    org = body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
    first17 = head + org
    check = CHARS[(31 - sum(CHARS.index(c) * w for c, w in zip(first17, WEIGHTS)) % 31) % 31]
    return first17 + check


def build_registration_number(rng: np.random.Generator) -> str:
    """GS 15-2006: 6-digit division + 8-digit sequence + ISO 7064 MOD 11,10 check digit."""
    digits = "330782" + "".join(rng.choice(list("0123456789"), 8))
    p = 10
    for d in digits:
        s = (p + int(d)) % 10 or 10
        p = 2 * s % 11
    return digits + str((11 - p) % 10)


def test_built_codes_validate_and_every_single_substitution_and_adjacent_swap_is_caught():
    rng = np.random.default_rng(32100)
    codes = [build_uscc(rng) for _ in range(200)]
    assert validate_uscc(pd.Series(codes), check_org_code=True).all()
    bad = []
    for code in codes[:40]:
        for i in range(18):
            for c in rng.choice(list(CHARS.replace(code[i], "")), 3):
                bad.append(code[:i] + c + code[i + 1:])
        bad += [code[:i] + code[i + 1] + code[i] + code[i + 2:] for i in range(17) if code[i] != code[i + 1]]
    assert not validate_uscc(pd.Series(bad)).any()


def test_published_codes_of_large_companies():
    # Alibaba (China) Co., Ltd.; Huawei Technologies Co., Ltd.; Shenzhen Tencent Computer Systems Co., Ltd.
    real = pd.Series(["91330100716105852F", "914403001922038216", "9144030071526726XG"])
    assert validate_uscc(real, check_org_code=True).all()


def test_format_rules_and_normalization():
    good = "91330100716105852F"
    s = pd.Series([good, good.lower(), "９１３３０１００７１６１０５８５２Ｆ", " 9133 0100-7161 0585 2F ", good[:17],
                   good + "0", "91330100716105852I", None, np.nan, "", 913301007161058520])
    assert validate_uscc(s).tolist() == [True, True, True, True, False, False, False, False, False, False, False]
    assert validate_uscc(s, normalize=False).tolist()[:4] == [True, False, False, False]
    # I, O, S, V, Z are not in the character set, even where they would "fit" a checksum
    assert not validate_uscc(pd.Series(["O1330100716105852F", "9133010071610585SF"])).any()
    assert normalize_code("ｇｔ－００１") == "GT001" and normalize_code(float("nan")) is None
    out = validate_uscc(pd.Series([good], index=[7], name="code"))
    assert out.index.tolist() == [7] and out.name == "code" and out.dtype == bool


def test_registration_numbers():
    rng = np.random.default_rng(15)
    codes = [build_registration_number(rng) for _ in range(100)]
    assert validate_registration_number(pd.Series(codes)).all()
    wrong = [c[:14] + str((int(c[14]) + 1) % 10) for c in codes]
    assert not validate_registration_number(pd.Series(wrong)).any()
    # ISO 7064 MOD 11,10 catches every single-digit substitution
    sub = [c[:i] + str((int(c[i]) + k) % 10) + c[i + 1:] for c in codes[:10] for i in range(15) for k in (1, 5)]
    assert not validate_registration_number(pd.Series(sub)).any()
    assert not validate_uscc(pd.Series(codes)).any()


@pytest.fixture
def tables():
    rng = np.random.default_rng(1)
    uscc = [build_uscc(rng) for _ in range(5)]
    reg = build_registration_number(rng)
    left = pd.DataFrame({"code": [uscc[0], uscc[1].lower(), " " + uscc[2][:9] + " " + uscc[2][9:],
                                  reg, "91330100716105852X", None, uscc[0]], "x": range(7)})
    right = pd.DataFrame({"uscc": [uscc[0], uscc[1], uscc[2], uscc[3], uscc[4], None],
                          "old": [None, None, None, reg, None, None], "y": range(6)})
    return left, right, uscc, reg


def test_link_normalizes_maps_and_reports(tables):
    left, right, uscc, reg = tables
    merged, rep = link(left, right, on=("code", "uscc"), mapping=right[["old", "uscc"]], names=("台账", "名录"))
    assert len(merged) == 7  # a left link keeps every left row; uscc[0] is unique on the right
    assert merged["_match"].tolist() == ["both", "both", "both", "both", "left_only", "left_only", "both"]
    assert merged["link_key"].tolist()[:4] == [uscc[0], uscc[1], uscc[2], uscc[3]]
    assert merged["link_key"].isna().tolist() == [False] * 5 + [True, False]
    assert (rep.n_left, rep.n_right, rep.matched_left, rep.unmatched_left) == (7, 6, 5, 2)
    assert (rep.matched_right, rep.unmatched_right) == (4, 2)  # uscc[4] and the row without a code
    assert (rep.normalized_left, rep.mapped_left, rep.missing_left, rep.missing_right) == (2, 1, 1, 1)
    assert rep.invalid_left == 1  # the typo'd code; the missing one is counted as missing
    assert rep.duplicates_left == 2 and rep.duplicates_right == 0
    assert rep.dropped_left == 0 and rep.dropped_right == 2
    table = rep.to_frame("zh")
    assert list(table.columns) == ["台账", "名录"] and table.loc["匹配成功", "台账"] == 5
    assert "5" in rep.summary("zh") and "2 unmatched rows" not in rep.summary("en")
    assert uscc[0] not in rep.to_frame("en").to_string()  # counts only, no identifiers


def test_inner_link_counts_what_it_drops_and_missing_codes_never_match(tables):
    left, right, *_ = tables
    merged, rep = link(left, right, on=("code", "uscc"), how="inner")
    assert len(merged) == rep.n_merged == 4  # no mapping: the 注册号 row stays unmatched
    assert rep.dropped_left == 3 and rep.dropped_right == 3
    assert rep.matched_left + rep.dropped_left == rep.n_left
    outer, rep2 = link(left, right, on=("code", "uscc"), how="outer")
    assert len(outer) == rep2.matched_left + rep2.unmatched_left + rep2.unmatched_right
    assert (outer["_match"] == "both").sum() == rep.n_merged


def test_link_errors():
    a = pd.DataFrame({"k": ["1"]})
    with pytest.raises(ValueError, match="how must be one of"):
        link(a, a, on="k", how="cross")
    with pytest.raises(ValueError, match="right has no column 'z'"):
        link(a, a, on=("k", "z"))
    with pytest.raises(ValueError, match="more than one USCC"):
        link(a, a, on="k", mapping=pd.DataFrame({"old": ["1", "1"], "new": ["A", "B"]}))
