"""The synthetic microdata sources agree with the FX demo they are built from: the ledger
gives back every balance to the cent, SAFE every receipt, the registry every exit; and they
contain the cases real ledgers have (partial, early, late repayments; 注册号; code variants)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import research_kit as rk
from research_kit.simulate import fx_microdata_demo


@pytest.fixture(scope="module")
def both():
    return fx_microdata_demo(300, seed=11)


def test_ledger_reproduces_every_balance(both) -> None:
    demo, micro = both
    led, rep = rk.data.link(micro.ledger, micro.registry, on=("borrower_code", "uscc"),
                            mapping=micro.registry[["registration_number", "uscc"]])
    bal = rk.data.ledger_to_panel(led, micro.repayments, entity="link_key", loan_id="loan_id", issue_date="issue_date",
                                  maturity_date="maturity_date", amount="amount", repay_date="date",
                                  repay_amount="amount", currency="currency", rates=micro.rates, to="USD", end="2025-12")
    bal["month"] = bal["month"].dt.start_time
    loans = demo.loans.assign(uscc=demo.loans["business_id"].map(micro.uscc).astype(str))
    m = loans.merge(bal.astype({"entity": str}), left_on=["uscc", "month"], right_on=["entity", "month"], how="left")
    np.testing.assert_allclose(m["balance"].fillna(0.0), m["fx_loan_balance"], atol=1e-9, rtol=0)
    assert rep.mapped_left > 0 and rep.normalized_left > 0 and rep.invalid_left >= 5
    # the sample's loans are all USD; EUR loans exist (outside the sample) and need the rate table
    assert set(micro.ledger["currency"]) == {"USD", "EUR"}
    with pytest.raises(rk.data.LedgerError, match="currencies"):
        rk.data.ledger_to_panel(led, micro.repayments, entity="link_key", loan_id="loan_id", issue_date="issue_date",
                                maturity_date="maturity_date", amount="amount", repay_date="date",
                                repay_amount="amount", currency="currency")


def test_ledger_has_partial_early_and_late_repayments(both) -> None:
    _, micro = both
    r = micro.repayments.merge(micro.ledger[["loan_id", "amount", "maturity_date"]], on="loan_id",
                               suffixes=("", "_loan")).sort_values(["loan_id", "date"])
    r["cum"] = r.groupby("loan_id")["amount"].cumsum()
    closing = r.loc[np.isclose(r["cum"], r["amount_loan"])]
    partial = r.loc[r["cum"] < r["amount_loan"] - 1e-9]
    assert len(partial) > 50
    assert (closing["date"] < closing["maturity_date"]).sum() > 50  # early
    assert (closing["date"] > closing["maturity_date"]).sum() > 5  # late
    assert (r.groupby("loan_id")["amount"].sum() <= r.groupby("loan_id")["amount_loan"].first() + 1e-9).all()
    codes = micro.ledger["borrower_code"].astype(str)
    assert codes.str.fullmatch(r"\d{15}").any()  # 注册号
    assert codes.str.contains(" ").any() and codes.str.contains(r"[a-z]").any() and codes.str.contains("[０-９]").any()


def test_safe_registry_and_hedging_agree_with_the_demo(both) -> None:
    demo, micro = both
    loans = demo.loans.assign(uscc=demo.loans["business_id"].map(micro.uscc))
    m = loans.merge(micro.safe, on=["uscc", "month"], how="left")
    np.testing.assert_array_equal(m["receipts"].fillna(0.0), m["export_receipts"])
    reg = micro.registry.set_index("uscc")
    last_seen = loans.groupby("uscc")["month"].max()
    exited = reg["deregistered"].reindex(last_seen.index).dropna()
    assert len(exited) > 5 and (exited > last_seen.reindex(exited.index) + pd.offsets.MonthEnd(1)).all()
    assert reg["registration_number"].notna().any()
    t = micro.truth
    assert (t["te_export_receipts"] == 0).all() and t["te_hedged_share"].between(0, 1).all()
    assert (t["te_hedged_share"] > 0).mean() > 0.1
    assert micro.hedges["maturity_date"].ge(micro.hedges["trade_date"]).all()
    assert rk.data.validate_uscc(micro.registry["uscc"], check_org_code=True).all()
