"""SYNTHETIC microdata behind the FX-loan demo, in the shapes the institutions send.

:func:`fx_microdata_demo` takes the businesses, months and balances of
:func:`research_kit.simulate.fx_loans_demo` (same ``n_businesses`` and ``seed``)
and writes them as the sources a real study starts from:

* **loan ledger** (PBoC 借据): one row per loan, borrower by USCC or, at some
  banks, by the old 15-digit 注册号; some codes in lower case, full-width or with
  spaces. For each sampled business the loans and repayments are built from its
  monthly balance path (cents): when the balance rises a loan is issued for the
  difference (6- or 12-month term); when it falls the oldest loans are repaid
  first (partial and early repayments); a loan reaching maturity is repaid then
  (sometimes a few days late) and refinanced by a new loan if the balance needs
  it; a business that exits repays everything the month after its last month.
  So ``ledger_to_panel`` gives back exactly the ``fx_loan_balance`` of the
  monthly file, and the stored true effects remain the truth of the panel.
  Pre-2019 balances of existing holders come from loans issued in 2018.
  The ledger also holds loans to entities outside the sample (enterprises with
  USD and EUR loans, some registered outside Jinhua, a few with mistyped codes).
* **repayments**: loan id, date, amount.
* **entity registry** (market regulation): USCC, old 注册号 (entities registered
  before October 2015), name, type (个体工商户 / 企业), county, sector,
  registration and deregistration dates; sampled businesses that exit are
  deregistered the month after their last month.
* **SAFE receipts**: USCC × month receipts (the monthly file's export receipts,
  for every active month) and payments, 万美元; months with neither are absent.
* **hedging contracts**: forwards and options; each hedges the receipts of the
  month it matures in. About 10% of businesses hedge 20–60% of receipts; a
  business that takes up a programme FX loan raises its hedged share by
  ``0.35 × (1 − 0.6^(d+1))`` (``d`` = months since take-up, at most 0.95).
* **exchange rates**: EUR → USD by month (the declared table the ledger's EUR
  loans need).
* **truth**: ``te_export_receipts`` (0: the programme does not move exports in this
  simulation) and ``te_hedged_share`` (the hedged share with the programme minus
  without, measured as the panel measures it) per treated business-month.

Everything here is SYNTHETIC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from research_kit.data.counties import COUNTIES
from research_kit.data.uscc import USCC_CHARS, org_code_check_digit, registration_number_check_digit, uscc_check_digit
from research_kit.simulate._demo import BANKS, MONTHS, SECTORS, DemoData, _simulate_demo

__all__ = ["MicroData", "fx_microdata_demo"]

_ORG_CHARS = np.array(list(USCC_CHARS))
_NAME_CHARS = list("鑫华达盛兴隆丰源泰宏发利顺恒佳美新远金永嘉润福瑞祥和通安康益誉晟")
_SECTOR_WORD = {"small_commodities": "日用品", "hardware": "五金", "textiles": "服饰", "electronics": "电子",
                "food": "食品", "other": "贸易"}
_OUTSIDE_COUNTIES = ("330102", "330106", "330206", "330302", "330602")  # Hangzhou, Ningbo, Wenzhou, Shaoxing
_USCC_REFORM = pd.Timestamp("2015-10-01")  # codes issued from then on; older entities also keep a 注册号
_M0 = MONTHS[0]


@dataclass(frozen=True, repr=False)
class MicroData:
    """The SYNTHETIC source tables (English columns; :mod:`research_kit.simulate._raw` writes them in Chinese).

    Attributes
    ----------
    uscc : pandas.Series
        business_id → USCC of each sampled business.
    ledger, repayments, registry, safe, hedges, rates, truth : pandas.DataFrame
    """

    uscc: pd.Series
    ledger: pd.DataFrame
    repayments: pd.DataFrame
    registry: pd.DataFrame
    safe: pd.DataFrame
    hedges: pd.DataFrame
    rates: pd.DataFrame
    truth: pd.DataFrame

    def __repr__(self) -> str:
        return (f"MicroData(SYNTHETIC; loans={len(self.ledger)}, repayments={len(self.repayments)}, "
                f"registry={len(self.registry)}, safe={len(self.safe)}, hedges={len(self.hedges)})")


def _uscc(rng: np.random.Generator, kind: str, county: str) -> str:
    body = "MA" + "".join(rng.choice(_ORG_CHARS, 6))
    first17 = "9" + kind + county + body + org_code_check_digit(body)
    return first17 + uscc_check_digit(first17)


def _registration_number(rng: np.random.Generator, county: str, kind: str) -> str:
    digits = county + ("6" if kind == "2" else "0") + "".join(rng.choice(list("0123456789"), 7))
    return digits + registration_number_check_digit(digits)


def _name(rng: np.random.Generator, county: str, sector: str, kind: str) -> str:
    place = COUNTIES.loc[county, "name_zh"] if county in COUNTIES.index else "杭州市"
    core = "".join(rng.choice(_NAME_CHARS, 2))
    if kind == "2":
        return f"{place}{core}{_SECTOR_WORD[sector]}{rng.choice(['商行', '经营部', '贸易商行'])}"
    return f"{place}{core}{_SECTOR_WORD[sector]}有限公司"


def _day(month: int, day: int) -> pd.Timestamp:
    """Month index (0 = 2019-01, negative = 2018) and day → date."""
    return pd.Timestamp(year=2019 + month // 12, month=month % 12 + 1, day=day)


class _Ledger:
    """Loans and repayments, built in order."""

    def __init__(self) -> None:
        self.loans: list[tuple] = []
        self.repays: list[tuple] = []

    def issue(self, entity: int, month: int, day: int, cents: int, term: int, currency: str = "USD") -> list:
        loan_id = f"WD{2019 + month // 12}{len(self.loans) + 1:07d}"
        mature = (month + term, day)
        self.loans.append((loan_id, entity, _day(month, day), _day(*mature), cents, currency))
        return [loan_id, cents, mature[0], day]  # id, remaining cents, maturity month, maturity day

    def repay(self, loan: list, month: int, day: int, cents: int) -> None:
        self.repays.append((loan[0], _day(month, day), cents))
        loan[1] -= cents


def _business_loans(book: _Ledger, i: int, path: np.ndarray, first: int, last: int, rng: np.random.Generator) -> None:
    """Loans whose month-end balances are ``path`` (cents) in months first..last, 0 after."""
    open_: list[list] = []
    start = first
    if first == 0 and path[0] > 0:  # a pre-2019 holder: the balance comes from 2018 loans
        open_.append(book.issue(i, int(rng.integers(-6, 0)), int(rng.integers(1, 23)), int(path[0]), 12))
        start = 1
    for t in range(start, min(last + 1, len(MONTHS) - 1) + 1):
        target = int(path[t]) if t <= last else 0
        for loan in [ln for ln in open_ if ln[2] == t]:  # maturity: repaid then (10%: 1-6 days late)
            late = int(rng.integers(1, 7)) if rng.random() < 0.1 else 0
            book.repay(loan, t, loan[3] + late, loan[1])
            open_.remove(loan)
        held = sum(ln[1] for ln in open_)
        if target > held:
            lo = 6 if t == first else 1  # after the registration day
            open_.append(book.issue(i, t, int(rng.integers(lo, 23)), target - held, int(rng.choice([6, 12]))))
        elif target < held:
            need, day = held - target, int(rng.integers(1, 21))
            for loan in list(open_):
                pay = min(need, loan[1])
                book.repay(loan, t, day, pay)
                need -= pay
                if loan[1] == 0:
                    open_.remove(loan)
                if need == 0:
                    break


def _other_loans(book: _Ledger, i: int, enterprise: bool, rng: np.random.Generator) -> None:
    """Loans to an entity outside the sample: repaid in full (some early, some late), partly, or not yet."""
    for _ in range(int(rng.integers(1, 5))):
        month, day = int(rng.integers(0, len(MONTHS) - 3)), int(rng.integers(1, 23))
        currency = "EUR" if enterprise and rng.random() < 0.25 else "USD"
        cents = int(np.rint(np.exp(rng.normal(np.log(80 if enterprise else 15), 0.6)) * 100))
        loan = book.issue(i, month, day, cents, int(rng.choice([6, 12])), currency)
        kind = rng.random()
        if kind < 0.35:  # partial then full at maturity
            part = cents // int(rng.integers(2, 5))
            book.repay(loan, month + 1 + int(rng.integers(0, 3)), int(rng.integers(1, 29)), part)
            if loan[2] < len(MONTHS):
                book.repay(loan, loan[2], loan[3], loan[1])
        elif kind < 0.55:  # early, in full
            book.repay(loan, month + int(rng.integers(1, 4)), int(rng.integers(1, 29)), cents)
        elif kind < 0.65 and loan[2] + 2 < len(MONTHS):  # late, in full
            book.repay(loan, loan[2] + int(rng.integers(1, 3)), int(rng.integers(1, 29)), cents)
        # otherwise: no repayment record; it leaves the balance at maturity


def _rates() -> pd.DataFrame:
    m = np.arange(-12, len(MONTHS))
    eur = 1.12 - 0.06 * np.sin(m / 14.0) - 0.04 * (m > 38) + 0.03 * (m > 60)
    months = pd.DatetimeIndex([_day(int(k), 1) for k in m])
    return pd.DataFrame({"month": months, "currency": "EUR", "rate": np.round(eur, 4)})


def fx_microdata_demo(n_businesses: int = 1200, *, seed: int = 20221230) -> tuple[DemoData, MicroData]:
    """The FX-loan demo and its SYNTHETIC source tables (see the module docstring).

    Parameters
    ----------
    n_businesses, seed : int
        As :func:`research_kit.simulate.fx_loans_demo`; the first element returned is that demo.

    Returns
    -------
    (DemoData, MicroData)

    Examples
    --------
    >>> demo, micro = fx_microdata_demo(150, seed=3)
    >>> micro.uscc.str.match(r"^92\\d{6}MA").all(), micro.ledger["currency"].isin(["USD", "EUR"]).all()
    (np.True_, np.True_)
    """
    demo, sim = _simulate_demo(n_businesses, seed)
    rng = np.random.default_rng([seed, 2])
    b = demo.businesses
    n = len(b)
    counties = b["county"].to_numpy(dtype=object)
    sectors = b["sector"].astype(str).to_numpy(dtype=object)
    uscc = np.array([_uscc(rng, "2", c) for c in counties], dtype=object)
    while len(set(uscc)) < n:  # practically never (31^6 bodies per county)
        uscc = np.array([_uscc(rng, "2", c) for c in counties], dtype=object)
    reg_day = rng.integers(1, 6, size=n)
    registered = pd.DatetimeIndex([ts + pd.Timedelta(days=int(d) - 1) for ts, d in zip(b["registered"], reg_day)])
    first, last = sim["first"], sim["last"]
    exits = last < len(MONTHS) - 1
    dereg = [_day(int(t) + 1, int(rng.integers(21, 29))) if e else pd.NaT for t, e in zip(last, exits)]
    old_no = [_registration_number(rng, c, "2") if r < _USCC_REFORM else None for c, r in zip(counties, registered)]
    names = [_name(rng, c, s, "2") for c, s in zip(counties, sectors)]

    # --- entities outside the sample -----------------------------------------------------------
    n_o = max(40, n // 4)
    enterprise = rng.random(n_o) < 0.6
    outside = rng.random(n_o) < 0.2
    o_county = np.where(outside, rng.choice(_OUTSIDE_COUNTIES, n_o), rng.choice(COUNTIES.index.to_numpy(), n_o))
    o_sector = rng.choice(np.array(SECTORS, dtype=object), n_o)
    o_kind = np.where(enterprise, "1", "2")
    o_uscc = np.array([_uscc(rng, k, c) for k, c in zip(o_kind, o_county)], dtype=object)
    o_reg = pd.DatetimeIndex([_day(int(k), int(rng.integers(1, 29))) for k in rng.integers(-150, 60, n_o)])
    o_old = [_registration_number(rng, c, k) if r < _USCC_REFORM else None for c, k, r in zip(o_county, o_kind, o_reg)]
    o_names = [_name(rng, c, s, k) for c, s, k in zip(o_county, o_sector, o_kind)]
    o_dereg = [_day(int(rng.integers(60, 84)), 28) if rng.random() < 0.05 else pd.NaT for _ in range(n_o)]

    # --- ledger ----------------------------------------------------------------------------------
    book = _Ledger()
    cents = np.rint(sim["balance"] * 100).astype(np.int64)
    for i in range(n):
        if cents[i, first[i]:last[i] + 1].any():
            _business_loans(book, i, cents[i], int(first[i]), int(last[i]), rng)
    borrowers_o = np.flatnonzero(rng.random(n_o) < 0.6)
    for j in borrowers_o:
        _other_loans(book, n + j, bool(enterprise[j]), rng)
    loans = pd.DataFrame(book.loans, columns=["loan_id", "entity", "issue_date", "maturity_date", "cents", "currency"])
    ent = loans["entity"].to_numpy()
    sample = ent < n
    all_uscc = np.concatenate([uscc, o_uscc])
    all_old = np.array(old_no + o_old, dtype=object)
    code = all_uscc[ent].copy()
    bank_idx = np.where(sample, b["bank"].cat.codes.to_numpy()[np.minimum(ent, n - 1)], rng.integers(0, len(BANKS), len(ent)))
    by_number = (np.asarray(BANKS)[bank_idx] == "rcb") & pd.notna(all_old[ent])  # rural banks still key on 注册号
    code[by_number] = all_old[ent][by_number]
    flaw = rng.random(len(code))
    code = np.array([c.lower() if f < 0.03 else c.translate(_FULLWIDTH) if f < 0.06 else
                     f"{c[:8]} {c[8:]}" if f < 0.09 else c for c, f in zip(code, flaw)], dtype=object)
    typo = np.flatnonzero(~sample)[:5]  # five loans outside the sample carry a mistyped code
    code[typo] = [c[:-1] + ("0" if c[-1] != "0" else "1") for c in code[typo]]
    all_county = np.concatenate([counties, o_county])
    ledger = pd.DataFrame({
        "loan_id": loans["loan_id"],
        "borrower_name": np.array(names + o_names, dtype=object)[ent],
        "borrower_code": code,
        "bank": pd.Categorical.from_codes(bank_idx, categories=list(BANKS)),
        "county": all_county[ent],
        "issue_date": loans["issue_date"].astype("datetime64[ns]"),
        "maturity_date": loans["maturity_date"].astype("datetime64[ns]"),
        "currency": loans["currency"],
        "amount": loans["cents"] / 100.0,
        "rate": np.round(np.where(loans["currency"] == "EUR", rng.uniform(2.0, 4.5, len(loans)),
                                  rng.uniform(3.0, 5.5, len(loans))), 2),
    })
    repayments = pd.DataFrame(book.repays, columns=["loan_id", "date", "cents"])
    repayments = pd.DataFrame({"loan_id": repayments["loan_id"], "date": repayments["date"].astype("datetime64[ns]"),
                               "amount": repayments["cents"] / 100.0})
    repayments = repayments.loc[repayments["date"] <= MONTHS[-1] + pd.offsets.MonthEnd(0)].reset_index(drop=True)

    # --- registry: the sample and the Jinhua entities outside it ----------------------------------
    inside = ~outside
    registry = pd.DataFrame({
        "uscc": np.concatenate([uscc, o_uscc[inside]]),
        "registration_number": np.array(old_no + [o for o, k in zip(o_old, inside) if k], dtype=object),
        "name": np.array(names + [o for o, k in zip(o_names, inside) if k], dtype=object),
        "entity_type": np.concatenate([np.full(n, "individual"), np.where(enterprise[inside], "enterprise", "individual")]),
        "county": np.concatenate([counties, o_county[inside]]),
        "sector": np.concatenate([sectors, o_sector[inside]]),
        "registered": np.concatenate([registered.to_numpy(), o_reg[inside].to_numpy()]).astype("datetime64[ns]"),
        "deregistered": pd.DatetimeIndex(dereg + [d for d, k in zip(o_dereg, inside) if k]).astype("datetime64[ns]"),
    })

    # --- SAFE receipts and payments ----------------------------------------------------------------
    active, exports = sim["active"], sim["exports"]
    importer = rng.random(n) < 0.3
    pay = np.where(importer[:, None] & active, np.rint(exports * rng.uniform(0.1, 0.4, exports.shape) * 100) / 100, 0.0)
    rows, cols = np.nonzero(active & ((exports > 0) | (pay > 0)))
    safe = pd.DataFrame({"uscc": uscc[rows], "month": MONTHS[cols], "receipts": exports[rows, cols], "payments": pay[rows, cols]})
    o_trade = np.flatnonzero(rng.random(n_o) < 0.5)
    o_rows = [(o_uscc[j], MONTHS[m], round(float(rng.lognormal(np.log(20), 0.8)), 2), 0.0)
              for j in o_trade for m in range(int(rng.integers(0, 60)), len(MONTHS))]
    safe = pd.concat([safe, pd.DataFrame(o_rows, columns=safe.columns)], ignore_index=True)

    # --- hedging: share of each month's receipts hedged by contracts maturing that month -----------
    hedger = rng.random(n) < 0.10
    r0 = np.where(hedger, rng.uniform(0.2, 0.6, n), 0.0)[:, None] * np.ones_like(exports)
    r1 = np.where(sim["borrowing"], np.minimum(0.95, r0 + 0.35 * sim["ramp_own"]), r0)
    share_rate = np.where(sim["treated"], r1, r0)

    def measured(rate: np.ndarray) -> np.ndarray:
        notional = np.minimum(np.rint(rate * exports * 100) / 100, exports)
        return np.where(exports > 0, notional / np.where(exports > 0, exports, 1.0), 0.0), notional

    share1, _ = measured(r1)
    share0, _ = measured(r0)
    _, notional = measured(share_rate)
    rows, cols = np.nonzero(active & (notional >= 0.01))
    k = len(rows)
    trade_month = np.maximum(cols - rng.integers(1, 4, k), first[rows])
    same = trade_month == cols  # first month of a business: traded and maturing within the month
    trade_day = np.where(same, rng.integers(6, 15, k), rng.integers(6, 29, k))
    mature_day = np.where(same, rng.integers(15, 29, k), rng.integers(1, 29, k))
    hedges = pd.DataFrame({
        "contract_id": [f"TB{i + 1:07d}" for i in range(k)],
        "uscc": uscc[rows],
        "bank": pd.Categorical.from_codes(b["bank"].cat.codes.to_numpy()[rows], categories=list(BANKS)),
        "trade_date": pd.DatetimeIndex([_day(int(m), int(d)) for m, d in zip(trade_month, trade_day)]),
        "product": np.where(rng.random(k) < 0.2, "option", "forward"),
        "notional": notional[rows, cols],
        "maturity_date": pd.DatetimeIndex([_day(int(m), int(d)) for m, d in zip(cols, mature_day)]),
    })
    hedges["trade_date"] = hedges["trade_date"].astype("datetime64[ns]")
    hedges["maturity_date"] = hedges["maturity_date"].astype("datetime64[ns]")

    # --- truth of the new outcomes, on the treated business-months of the demo's truth -------------
    ids = pd.Index(b["business_id"])
    ti = ids.get_indexer(demo.truth["business_id"])
    tm = ((demo.truth["month"].dt.year - 2019) * 12 + demo.truth["month"].dt.month - 1).to_numpy()
    truth = pd.DataFrame({
        "business_id": demo.truth["business_id"],
        "month": demo.truth["month"],
        "te_export_receipts": np.zeros(len(ti)),
        "te_hedged_share": (share1 - share0)[ti, tm],
    })
    micro = MicroData(
        uscc=pd.Series(uscc, index=ids, name="uscc"),
        ledger=ledger, repayments=repayments, registry=registry, safe=safe, hedges=hedges, rates=_rates(), truth=truth,
    )
    return demo, micro


_FULLWIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"})
