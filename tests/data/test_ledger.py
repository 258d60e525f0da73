"""ledger_to_panel against balances computed by hand (each case states its arithmetic),
and against a loan-by-loan, month-end-by-month-end reference written here with plain loops."""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd
import pytest

from research_kit.data import LedgerError, ledger_to_panel

COLS = dict(entity="firm", loan_id="loan", issue_date="issued", maturity_date="due", amount="amount",
            repay_date="date", repay_amount="paid")


def _loans(*rows):
    return pd.DataFrame(rows, columns=["firm", "loan", "issued", "due", "amount"])


def _pays(*rows):
    return pd.DataFrame(rows, columns=["loan", "date", "paid"])


def _run(loans, pays=None, **kw):
    return ledger_to_panel(loans, pays, **{**COLS, **kw})


def _series(panel, col, firm="A"):
    p = panel.loc[panel["entity"] == firm]
    return dict(zip(p["month"].astype(str), p[col].tolist()))


def test_partial_repayments():
    # 100 issued 10 Jan; 30 repaid 15 Mar; 20 repaid on 31 May (a month's last day counts in that month).
    p = _run(_loans(("A", "L1", "2023-01-10", "2023-12-31", 100.0)),
             _pays(("L1", "2023-03-15", 30.0), ("L1", "2023-05-31", 20.0)), end="2023-06")
    assert _series(p, "balance") == {"2023-01": 100, "2023-02": 100, "2023-03": 70, "2023-04": 70, "2023-05": 50, "2023-06": 50}
    assert _series(p, "repaid") == {"2023-01": 0, "2023-02": 0, "2023-03": 30, "2023-04": 0, "2023-05": 20, "2023-06": 0}
    assert _series(p, "issued")["2023-01"] == 100 and sum(_series(p, "issued").values()) == 100
    assert set(_series(p, "n_outstanding").values()) == {1}
    assert str(p["month"].dtype) == "period[M]"
    assert list(p.columns) == ["entity", "month", "balance", "issued", "repaid", "n_outstanding"]


def test_early_repayment_in_full_leaves_zero_months_present():
    # 50 issued on 31 Jan (outstanding at January's end), repaid in full on 1 Mar, maturity in December.
    p = _run(_loans(("A", "L1", "2023-01-31", "2023-12-31", 50.0)), _pays(("L1", "2023-03-01", 50.0)), end="2023-05")
    assert _series(p, "balance") == {"2023-01": 50, "2023-02": 50, "2023-03": 0, "2023-04": 0, "2023-05": 0}
    assert _series(p, "n_outstanding") == {"2023-01": 1, "2023-02": 1, "2023-03": 0, "2023-04": 0, "2023-05": 0}


def test_late_repayment_stays_outstanding_until_repaid_or_drops_at_maturity():
    # 80 issued 15 Jan, due 10 Mar, repaid in full 20 May (overdue in March and April).
    loans, pays = _loans(("A", "L1", "2023-01-15", "2023-03-10", 80.0)), _pays(("L1", "2023-05-20", 80.0))
    p = _run(loans, pays, end="2023-06")
    assert _series(p, "balance") == {"2023-01": 80, "2023-02": 80, "2023-03": 80, "2023-04": 80, "2023-05": 0, "2023-06": 0}
    assert _series(p, "repaid")["2023-05"] == 80
    q = _run(loans, pays, end="2023-06", overdue="maturity")
    assert _series(q, "balance") == {"2023-01": 80, "2023-02": 80, "2023-03": 0, "2023-04": 0, "2023-05": 0, "2023-06": 0}
    assert _series(q, "repaid") == {"2023-01": 0, "2023-02": 0, "2023-03": 80, "2023-04": 0, "2023-05": 0, "2023-06": 0}


def test_unclosed_loans_end_at_maturity_with_the_remainder_as_repaid():
    # L1: 40 from 1 Feb, due 30 Apr (its last day: gone at April's end), never repaid.
    # L2: 60 from 1 Jan, 10 repaid 10 Feb, due 15 Mar: 50 left in February, leaves in March.
    p = _run(_loans(("A", "L1", "2023-02-01", "2023-04-30", 40.0), ("A", "L2", "2023-01-01", "2023-03-15", 60.0)),
             _pays(("L2", "2023-02-10", 10.0)), end="2023-05")
    assert _series(p, "balance") == {"2023-01": 60, "2023-02": 90, "2023-03": 40, "2023-04": 0, "2023-05": 0}
    assert _series(p, "repaid") == {"2023-01": 0, "2023-02": 10, "2023-03": 50, "2023-04": 40, "2023-05": 0}
    assert _series(p, "n_outstanding") == {"2023-01": 1, "2023-02": 2, "2023-03": 1, "2023-04": 0, "2023-05": 0}


def test_over_repayment_is_an_error_naming_the_loan():
    with pytest.raises(LedgerError, match=r"'L9': repaid 11 of 10"):
        _run(_loans(("A", "L1", "2023-01-01", "2023-06-30", 5.0), ("B", "L9", "2023-01-01", "2023-06-30", 10.0)),
             _pays(("L9", "2023-02-01", 6.0), ("L9", "2023-03-01", 5.0), ("L1", "2023-02-01", 5.0)))


@pytest.mark.parametrize("loans,pays,match", [
    (_loans(("A", "L1", "2023-01-01", "2023-06-30", 5.0)), _pays(("L7", "2023-02-01", 1.0)), "unknown loan.*'L7'"),
    (_loans(("A", "L1", "2023-03-01", "2023-06-30", 5.0)), _pays(("L1", "2023-02-01", 1.0)), "before the issue date.*'L1'"),
    (_loans(("A", "L1", "2023-03-01", "2023-06-30", 5.0), ("B", "L1", "2023-03-01", "2023-06-30", 5.0)), None,
     "more than once.*'L1'"),
    (_loans(("A", "L1", "2023-03-01", "2023-01-31", 5.0)), None, "maturity before issue.*'L1'"),
    (_loans(("A", "L1", "2023年3月", "2023-06-30", 5.0)), None, "not dates.*'L1'"),
    (_loans(("A", "L1", "2023-03-01", "2023-06-30", -5.0)), None, "≥ 0.*'L1'"),
])
def test_bad_ledgers_are_errors_naming_the_loan(loans, pays, match):
    with pytest.raises(LedgerError, match=match):
        _run(loans, pays)


def test_chinese_dates_crossing_month_ends_start_and_first_issue():
    # A: 10 on 31 Dec 2022 (counts at December's end), due 1 Feb 2023 (gone at February's first day's end).
    # B: first loan in March → B's rows start in March. start=2023-01 drops A's December row only.
    p = _run(_loans(("A", "L1", "2022年12月31日", "2023年2月1日", 10.0), ("B", "L2", "2023年3月5日", "2023年9月5日", 7.0),
                    ("A", "L3", "2023年1月31日", "2023年3月1日", 3.0)), start="2023-01", end="2023-04")
    assert _series(p, "balance", "A") == {"2023-01": 13, "2023-02": 3, "2023-03": 0, "2023-04": 0}
    assert _series(p, "issued", "A") == {"2023-01": 3, "2023-02": 0, "2023-03": 0, "2023-04": 0}
    assert _series(p, "balance", "B") == {"2023-03": 7, "2023-04": 7}
    full = _run(_loans(("A", "L1", "2022年12月31日", "2023年2月1日", 10.0)), end="2023-01")
    assert _series(full, "balance") == {"2022-12": 10, "2023-01": 10}


def test_usd_loan_converted_with_a_declared_rate_table():
    # C holds a CNY loan of 700 (万元, issued 5 Jan) and a USD loan of 100 (万美元, issued 20 Jan,
    # 40 repaid 15 Feb). USD→CNY 7.0 / 7.1 / 7.2 in Jan / Feb / Mar:
    # Jan 700 + 100×7.0 = 1400; Feb 700 + 60×7.1 = 1126; Mar 700 + 60×7.2 = 1132.
    loans = pd.DataFrame({"firm": ["C", "C"], "loan": ["R1", "U1"], "ccy": ["CNY", "USD"],
                          "issued": ["2023-01-05", "2023-01-20"], "due": ["2023-12-31", "2023-06-30"], "amount": [700.0, 100.0]})
    pays = _pays(("U1", "2023-02-15", 40.0))
    rates = pd.DataFrame({"currency": "USD", "month": ["2023-01", "2023-02", "2023-03"], "rate": [7.0, 7.1, 7.2]})
    p = _run(loans, pays, currency="ccy", rates=rates, to="CNY", end="2023-03")
    np.testing.assert_allclose(list(_series(p, "balance", "C").values()), [1400, 1126, 1132], rtol=1e-12)
    np.testing.assert_allclose(list(_series(p, "issued", "C").values()), [1400, 0, 0], rtol=1e-12)
    np.testing.assert_allclose(list(_series(p, "repaid", "C").values()), [0, 284, 0], rtol=1e-12)
    assert p.attrs["currency"] == "CNY"
    with pytest.raises(LedgerError, match=r"2 currencies \(CNY, USD\).*never"):
        _run(loans, pays, currency="ccy")
    with pytest.raises(LedgerError, match=r"no exchange rate to CNY.*\('USD', '2023-03'\)"):
        _run(loans, pays, currency="ccy", rates=rates.iloc[:2], to="CNY", end="2023-03")
    usd_only = _run(loans.iloc[[1]], pays, currency="ccy", end="2023-02")  # one currency: no conversion needed
    assert _series(usd_only, "balance", "C") == {"2023-01": 100, "2023-02": 60} and usd_only.attrs["currency"] == "USD"


def _reference(loans: pd.DataFrame, pays: pd.DataFrame, months: pd.PeriodIndex) -> dict:
    """Loop over loans and month ends: amount − repayments up to the month end, while outstanding."""
    out: dict = {}
    for loan in loans.itertuples(index=False):
        mine = pays.loc[pays["loan"] == loan.loan].sort_values("date")
        cum = mine["paid"].cumsum()
        closing = mine.loc[cum >= loan.amount - 1e-9, "date"]
        end = closing.iloc[0] if len(closing) else loan.due
        for m in months:
            month_end = pd.Timestamp(m.year, m.month, calendar.monthrange(m.year, m.month)[1])
            if loan.issued <= month_end < end:
                owed = loan.amount - mine.loc[mine["date"] <= month_end, "paid"].sum()
                out[(loan.firm, str(m))] = out.get((loan.firm, str(m)), 0.0) + owed
    return out


def test_random_ledger_matches_a_loop_reference_and_the_flow_identity():
    rng = np.random.default_rng(12)
    n = 150
    issued = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    due = issued + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    loans = pd.DataFrame({"firm": rng.choice(list("ABCDEFGH"), n), "loan": [f"L{i}" for i in range(n)],
                          "issued": issued, "due": due, "amount": np.round(rng.uniform(1, 100, n), 2)})
    rows = []
    for loan in loans.itertuples(index=False):
        left = loan.amount
        for _ in range(rng.integers(0, 4)):  # partial, early, late and full repayments
            day = loan.issued + pd.Timedelta(days=int(rng.integers(0, 500)))
            paid = round(min(left, float(rng.uniform(0, loan.amount))) if rng.random() < 0.7 else left, 2)
            left = round(left - paid, 2)
            rows.append((loan.loan, day, paid))
    pays = pd.DataFrame(rows, columns=["loan", "date", "paid"])
    p = _run(loans, pays, end="2024-12")
    ref = _reference(loans, pays, pd.period_range("2022-01", "2024-12", freq="M"))
    got = {(str(e), str(m)): b for e, m, b in zip(p["entity"], p["month"], p["balance"]) if abs(b) > 1e-9}
    assert got.keys() == {k for k, v in ref.items() if abs(v) > 1e-9}
    np.testing.assert_allclose([got[k] for k in sorted(got)], [ref[k] for k in sorted(got)], atol=1e-9)
    prev = p.groupby("entity", observed=True)["balance"].shift(1).fillna(0.0)
    np.testing.assert_allclose(p["balance"], prev + p["issued"] - p["repaid"], atol=1e-9)
    # Every month from the entity's first issue to the end is a row.
    span = p.groupby("entity", observed=True)["month"].agg(["min", "max", "size"])
    first = loans.groupby("firm")["issued"].min().dt.to_period("M")
    assert (span["min"] == first.reindex(span.index.astype(str)).to_numpy()).all()
    assert (span["max"] == pd.Period("2024-12", "M")).all()
    assert (span["size"] == [(pd.Period("2024-12", "M") - m).n + 1 for m in span["min"]]).all()


def test_empty_ledger_integer_ids_and_categorical_entities():
    loans = pd.DataFrame({"firm": pd.Categorical(["B", "A"], categories=["B", "A"]), "loan": [7, 8],
                          "issued": pd.to_datetime(["2023-05-01", "2023-06-15"]),
                          "due": pd.to_datetime(["2023-09-01", "2023-12-31"]), "amount": [5.0, 4.0]})
    p = _run(loans, _pays((7, "2023-06-01", 2.0)), end="2023-07")
    # entities come back sorted (A before B) whatever the categorical's order
    assert p["entity"].astype(str).tolist() == ["A", "A", "B", "B", "B"]
    assert _series(p, "balance", "B") == {"2023-05": 5, "2023-06": 3, "2023-07": 3}
    assert _series(p, "balance", "A") == {"2023-06": 4, "2023-07": 4}
    empty = _run(loans.iloc[:0], end="2023-07")
    assert empty.empty and list(empty.columns) == ["entity", "month", "balance", "issued", "repaid", "n_outstanding"]
    assert _run(loans, end="2023-03").empty  # nothing issued by the end
