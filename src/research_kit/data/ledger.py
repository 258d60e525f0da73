"""From a loan-by-loan ledger (借据) and its repayments to an entity × month panel.

:func:`ledger_to_panel` is vectorized (NumPy + one grouped cumulative sum): 5
million loans take seconds (``benchmarks/ledger_benchmark.py``).

Rules
-----
* A loan counts from the end of its issue day. It stops counting at the end of
  the day a repayment record brings its repayments up to its amount (repaid in
  full), or at the end of its maturity day if no repayment record closes it.
  A loan closed by a repayment *after* its maturity (repaid late) stays
  outstanding, as an overdue loan, until that repayment (``overdue="until_repaid"``,
  the default; ``overdue="maturity"`` drops every loan at its maturity).
* ``balance`` is the sum over the entity's outstanding loans of amount minus
  repayments so far, at the end of the month; ``issued`` the amounts issued in the
  month; ``repaid`` the amount that left the balance in the month (repayment
  records, plus any unpaid remainder of a loan that reaches its end without a
  closing repayment). So ``balance = previous balance + issued - repaid`` in one
  currency.
* Repayments beyond a loan's amount, repayments before its issue date or of an
  unknown loan, a maturity before the issue date and duplicate loan ids are errors
  that name the loans.
* Every month from the entity's first issue (or ``start``) to ``end`` is a row;
  months with nothing outstanding have zeros.
* Currency: amounts stay in their currency unless a ``currency`` column, a
  ``rates`` table and a target ``to`` are given; several currencies without them
  are an error (never a silent sum). Balances convert at the month's rate, flows at
  the rate of the month they happen in.

Examples
--------
>>> import pandas as pd
>>> from research_kit.data import ledger_to_panel
>>> loans = pd.DataFrame({"firm": ["A", "A"], "loan": ["L1", "L2"],
...     "issued": ["2023-01-10", "2023-02-20"], "due": ["2023-12-31", "2023-03-15"], "amount": [100.0, 50.0]})
>>> pays = pd.DataFrame({"loan": ["L1"], "date": ["2023-02-05"], "paid": [30.0]})
>>> ledger_to_panel(loans, pays, entity="firm", loan_id="loan", issue_date="issued", maturity_date="due",
...     amount="amount", repay_date="date", repay_amount="paid", end="2023-04")
  entity    month  balance  issued  repaid  n_outstanding
0      A  2023-01    100.0   100.0     0.0              1
1      A  2023-02    120.0    50.0    30.0              2
2      A  2023-03     70.0     0.0    50.0              1
3      A  2023-04     70.0     0.0     0.0              1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from research_kit.data.normalize import ParseError, parse_date, parse_month

__all__ = ["LedgerError", "ledger_to_panel"]

_SHOW = 5


class LedgerError(ValueError):
    """A loan ledger or repayment table that cannot be turned into balances (the message names the loans)."""


def _show(values: Sequence[object] | np.ndarray, n: int = _SHOW) -> str:
    vals = list(values)
    text = ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in vals[:n])
    return text + (f" … (+{len(vals) - n} more)" if len(vals) > n else "")


def _column(frame: pd.DataFrame, name: str, table: str) -> pd.Series:
    if name not in frame.columns:
        raise LedgerError(f"{table} has no column {name!r}; its columns are: {', '.join(map(str, frame.columns))}")
    return frame[name]


def _days(values: pd.Series, *, what: str, ids: pd.Series) -> np.ndarray:
    """Dates → int64 days since 1970-01-01 (NaT → minimum int64), parsing Chinese dates where needed."""
    if pd.api.types.is_datetime64_any_dtype(values):
        arr = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    elif isinstance(values.dtype, pd.PeriodDtype):
        arr = values.dt.start_time.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    else:
        codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
        parsed = np.empty(len(uniques), dtype="datetime64[D]")
        bad: list[object] = []
        for i, u in enumerate(uniques):
            try:
                parsed[i] = np.datetime64(parse_date(u), "D")
            except ParseError:
                bad.append(u)
        if bad:
            rows = ids[pd.Series(values.astype(object)).isin(bad).to_numpy()]
            raise LedgerError(f"{what}: {len(bad)} value(s) are not dates ({_show(bad)}), in loan(s) {_show(rows)}; "
                              "expected e.g. 2023年1月5日 or 2023-01-05")
        arr = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
        arr[codes >= 0] = parsed[codes[codes >= 0]]
    missing = np.isnat(arr)
    if missing.any():
        raise LedgerError(f"{what} is missing for loan(s) {_show(ids[missing])}; every row needs a date")
    return arr.astype(np.int64)


def _amounts(values: pd.Series, *, what: str, ids: pd.Series) -> np.ndarray:
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(x) | (x < 0)
    if bad.any():
        raise LedgerError(f"{what} must be a number ≥ 0; loan(s) {_show(ids[bad])} have {_show(values[bad])}")
    return x


def _as_hashable(values: pd.Series) -> np.ndarray:
    """Values as a NumPy array pandas hashes fast: integers stay integers, text becomes objects."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(values.cat.categories.dtype)
    if pd.api.types.is_integer_dtype(values.dtype):
        return values.to_numpy(dtype=np.int64)
    return values.to_numpy(dtype=object)


def _codes(first: pd.Series, second: pd.Series) -> np.ndarray:
    """Integer codes of the values of ``first`` then ``second`` in one factorization (-1 = missing)."""
    a, b = _as_hashable(first), _as_hashable(second)
    if a.dtype != b.dtype:
        a, b = a.astype(object), b.astype(object)
    codes, _ = pd.factorize(np.concatenate([a, b]))
    return codes


def _entity_codes(ent: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes and sorted uniques of the entity column; a categorical's codes are used as they are."""
    if isinstance(ent.dtype, pd.CategoricalDtype):
        cats = ent.cat.categories
        codes = ent.cat.codes.to_numpy().astype(np.int64)
        if cats.is_monotonic_increasing:
            return codes, cats
        order = np.argsort(np.asarray(cats, dtype=object)) if cats.dtype == object else np.argsort(cats.to_numpy())
        rank = np.empty(len(cats), dtype=np.int64)
        rank[order] = np.arange(len(cats))
        return rank[codes], cats[order]
    codes, uniques = pd.factorize(_as_hashable(ent))
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    return rank[codes], pd.Index(uniques[order])


def _month_of(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 → months since 1970-01 (the pandas monthly Period ordinal)."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_bound(value: object, what: str) -> int:
    try:
        if isinstance(value, pd.Period):
            ts = value.start_time
        else:
            ts = parse_month(value)
    except ParseError as exc:
        raise LedgerError(f"{what}={value!r} is not a month ({exc}); use e.g. '2025-12'") from None
    if pd.isna(ts):
        raise LedgerError(f"{what} is missing")
    return (ts.year - 1970) * 12 + ts.month - 1


def _rate_lookup(rates: pd.DataFrame, to: str) -> dict[tuple[str, int], float]:
    need = {"currency", "month", "rate"}
    if not isinstance(rates, pd.DataFrame) or not need <= set(rates.columns):
        got = list(rates.columns) if isinstance(rates, pd.DataFrame) else type(rates).__name__
        raise LedgerError(f"rates must be a DataFrame with columns currency, month, rate ({to} per unit); got {got}")
    month = np.array([_month_bound(m, "rates.month") for m in rates["month"]], dtype=np.int64)
    rate = pd.to_numeric(rates["rate"], errors="coerce").to_numpy(dtype=float)
    if (~np.isfinite(rate) | (rate <= 0)).any():
        raise LedgerError(f"rates.rate must be positive numbers; found {_show(rates['rate'][~(rate > 0)])}")
    keys = list(zip(rates["currency"].astype(str), month.tolist()))
    dup = pd.Series(keys).duplicated()
    if dup.any():
        raise LedgerError(f"rates has more than one rate for (currency, month) {_show(pd.Series(keys)[dup])}")
    return dict(zip(keys, rate.tolist()))


def ledger_to_panel(
    loans: pd.DataFrame,
    repayments: pd.DataFrame | None = None,
    *,
    entity: str,
    loan_id: str,
    issue_date: str,
    maturity_date: str,
    amount: str,
    repay_loan_id: str | None = None,
    repay_date: str | None = None,
    repay_amount: str | None = None,
    start: object = None,
    end: object = None,
    freq: Literal["M"] = "M",
    currency: str | None = None,
    rates: pd.DataFrame | None = None,
    to: str | None = None,
    overdue: Literal["until_repaid", "maturity"] = "until_repaid",
    tolerance: float = 1e-6,
) -> pd.DataFrame:
    """Month-end balances and monthly flows per entity from a loan ledger and its repayments.

    Parameters
    ----------
    loans : pandas.DataFrame
        One row per loan (借据).
    repayments : pandas.DataFrame, optional
        One row per repayment (partial, early, late); none means every loan runs to maturity.
    entity, loan_id, issue_date, maturity_date, amount : str
        Columns of ``loans``. Dates may be datetimes or text such as ``2023年1月5日``.
    repay_loan_id, repay_date, repay_amount : str, optional
        Columns of ``repayments`` (``repay_loan_id`` defaults to ``loan_id``;
        the other two are required when ``repayments`` is given). Repayments are in
        the currency and unit of their loan.
    start, end : month, optional
        First and last month of the panel (``"2019-01"``, a Timestamp or Period).
        ``end`` defaults to the last month with an issue or repayment. Loans issued
        before ``start`` still count in the balances.
    freq : {"M"}
        Months (the only frequency so far).
    currency : str, optional
        Column of ``loans`` with each loan's currency code (e.g. ``USD``, ``EUR``).
    rates : pandas.DataFrame, optional
        Declared exchange rates: columns ``currency``, ``month``, ``rate`` (units
        of ``to`` per unit of ``currency``). Required for every currency other than
        ``to`` in every month where it has a balance or a flow.
    to : str, optional
        Currency of the result.
    overdue : {"until_repaid", "maturity"}
        Whether a loan repaid in full after its maturity stays outstanding until
        that repayment (default) or leaves the balance at maturity.
    tolerance : float
        Repayments may exceed the amount by this much (rounding) before it is an
        error; a loan whose repayments come within it of the amount is closed.

    Returns
    -------
    pandas.DataFrame
        ``entity`` (categorical), ``month`` (``period[M]``), ``balance`` (month
        end), ``issued``, ``repaid`` (flows), ``n_outstanding`` (loans outstanding
        at month end), sorted by entity and month. ``attrs["currency"]`` is ``to``
        (or the single currency, or None).

    Raises
    ------
    LedgerError
        Naming the loans: repaid beyond their amount, repaid before issue,
        unknown loan ids in the repayments, duplicate ids, missing or unreadable
        dates, maturity before issue, several currencies without ``to`` and
        ``rates``, a rate missing for a currency and month.

    Examples
    --------
    >>> loans = pd.DataFrame({"firm": ["A", "B"], "loan": ["L1", "L2"], "ccy": ["USD", "EUR"],
    ...     "issued": ["2023年1月5日", "2023年1月20日"], "due": ["2023年3月5日", "2024年1月20日"], "amt": [10.0, 20.0]})
    >>> rates = pd.DataFrame({"currency": "EUR", "month": ["2023-01", "2023-02"], "rate": [1.08, 1.07]})
    >>> p = ledger_to_panel(loans, entity="firm", loan_id="loan", issue_date="issued", maturity_date="due",
    ...     amount="amt", currency="ccy", rates=rates, to="USD", end="2023-02")
    >>> p[["entity", "month", "balance"]].to_string(index=False)
    'entity   month  balance\\n     A 2023-01     10.0\\n     A 2023-02     10.0\\n     B 2023-01     21.6\\n     B 2023-02     21.4'
    """
    if freq not in ("M", "ME"):
        raise ValueError(f"freq must be 'M' (months); got {freq!r}")
    if overdue not in ("until_repaid", "maturity"):
        raise ValueError(f"overdue must be 'until_repaid' or 'maturity'; got {overdue!r}")
    if not isinstance(loans, pd.DataFrame):
        raise TypeError(f"loans must be a pandas DataFrame; got {type(loans).__name__}")
    ids = _column(loans, loan_id, "loans").reset_index(drop=True)
    if ids.isna().any():
        raise LedgerError(f"loans[{loan_id!r}] is missing in row(s) {_show(np.flatnonzero(ids.isna()))}")
    has_repayments = repayments is not None and len(repayments) > 0
    rid = (_column(repayments, repay_loan_id or loan_id, "repayments").reset_index(drop=True)
           if has_repayments else ids.iloc[:0])
    # One hash pass over all loan ids (loans, then repayments): duplicates and the repayment → loan map.
    id_codes = _codes(ids, rid)
    n_ids = int(id_codes.max(initial=-1)) + 1
    loan_codes = id_codes[: len(ids)]
    seen = np.bincount(loan_codes, minlength=n_ids)
    if (seen > 1).any():
        dup = seen[loan_codes] > 1
        raise LedgerError(f"loan id(s) appear more than once in loans[{loan_id!r}]: {_show(pd.unique(ids[dup]))}; "
                          "each loan (借据) must be one row — sum or drop the duplicates")
    ent = _column(loans, entity, "loans").reset_index(drop=True)
    if ent.isna().any():
        raise LedgerError(f"loans[{entity!r}] is missing for loan(s) {_show(ids[ent.isna()])}")
    issue = _days(_column(loans, issue_date, "loans").reset_index(drop=True), what=f"loans[{issue_date!r}]", ids=ids)
    mature = _days(_column(loans, maturity_date, "loans").reset_index(drop=True), what=f"loans[{maturity_date!r}]", ids=ids)
    amt = _amounts(_column(loans, amount, "loans").reset_index(drop=True), what=f"loans[{amount!r}]", ids=ids)
    early = mature < issue
    if early.any():
        raise LedgerError(f"maturity before issue date for loan(s) {_show(ids[early])}; check {maturity_date!r}")
    n = len(ids)

    # --- currencies ---------------------------------------------------------------------------
    if currency is not None:
        ccy_raw = _column(loans, currency, "loans").reset_index(drop=True)
        if ccy_raw.isna().any():
            raise LedgerError(f"loans[{currency!r}] is missing for loan(s) {_show(ids[ccy_raw.isna()])}")
        ccy_code, ccy_names = pd.factorize(ccy_raw.astype(str).str.strip(), sort=True)
        ccy_names = list(ccy_names)
    else:
        ccy_code, ccy_names = np.zeros(n, dtype=np.int64), [None]
    if to is None and len(ccy_names) > 1:
        raise LedgerError(f"loans are in {len(ccy_names)} currencies ({', '.join(ccy_names)}); balances are never "
                          "summed across currencies: pass to='USD' (say) and rates=a table of currency, month, rate")
    if to is not None and currency is None:
        raise LedgerError("to= needs currency= (the column of loans holding each loan's currency)")
    if rates is not None and to is None:
        raise LedgerError("rates= given without to=: name the currency to convert into")
    lookup = _rate_lookup(rates, to) if rates is not None and to is not None else {}

    # --- repayments ---------------------------------------------------------------------------
    if has_repayments:
        if repay_date is None or repay_amount is None:
            raise LedgerError("repayments given: pass repay_date= and repay_amount= (their column names)")
        position = np.full(n_ids, -1, dtype=np.int64)
        position[loan_codes] = np.arange(len(ids))
        rep_codes = id_codes[len(ids):]
        which = np.where(rep_codes >= 0, position[np.maximum(rep_codes, 0)], -1)
        unknown = which < 0
        if unknown.any():
            raise LedgerError(f"repayments of unknown loan(s) {_show(pd.unique(rid[unknown]))}: not in "
                              f"loans[{loan_id!r}]; add the loans or drop these repayments")
        rday = _days(_column(repayments, repay_date, "repayments").reset_index(drop=True),
                     what=f"repayments[{repay_date!r}]", ids=rid)
        ramt = _amounts(_column(repayments, repay_amount, "repayments").reset_index(drop=True),
                        what=f"repayments[{repay_amount!r}]", ids=rid)
        before = rday < issue[which]
        if before.any():
            raise LedgerError(f"repayment before the issue date of loan(s) {_show(pd.unique(rid[before]))}")
        order = np.lexsort((rday, which))
        which, rday, ramt = which[order], rday[order], ramt[order]
        total = np.bincount(which, weights=ramt, minlength=n)
        over = total > amt + tolerance
        if over.any():
            k = np.flatnonzero(over)
            detail = "; ".join(f"{ids[i]!r}: repaid {total[i]:,.6g} of {amt[i]:,.6g}" for i in k[:_SHOW])
            raise LedgerError(f"repayments exceed the amount of {len(k)} loan(s) — {detail}"
                              f"{' …' if len(k) > _SHOW else ''}. Check the repayment table for double entries "
                              "or interest booked as principal")
        cs = np.cumsum(ramt)
        first = np.r_[0, np.flatnonzero(np.diff(which)) + 1]
        counts = np.diff(np.r_[first, len(which)])
        cum = cs - np.repeat(cs[first] - ramt[first], counts)
        closes = cum >= amt[which] - tolerance
        closed_loans, pos = np.unique(which[closes], return_index=True)
        close_day = np.full(n, np.iinfo(np.int64).max)
        close_day[closed_loans] = rday[closes][pos]
    else:
        which = np.array([], dtype=np.int64)
        rday = np.array([], dtype=np.int64)
        ramt = np.array([], dtype=float)
        close_day = np.full(n, np.iinfo(np.int64).max)
    closed = close_day < np.iinfo(np.int64).max
    end_day = np.where(closed, close_day, mature)
    if overdue == "maturity":
        end_day = np.minimum(end_day, mature)
    counted = rday <= end_day[which]
    which, rday, ramt = which[counted], rday[counted], ramt[counted]
    remainder = amt - np.bincount(which, weights=ramt, minlength=n)
    remainder[np.abs(remainder) <= tolerance] = 0.0

    # --- the month grid ----------------------------------------------------------------------
    m_issue, m_end, m_repay = _month_of(issue), _month_of(end_day), _month_of(rday)
    last = _month_bound(end, "end") if end is not None else int(max(m_issue.max(initial=-10**9), m_repay.max(initial=-10**9)))
    first_out = _month_bound(start, "start") if start is not None else None
    e_code, e_uniques = _entity_codes(ent)
    n_ent = len(e_uniques)
    keep = m_issue <= last
    first_e = np.full(n_ent, np.iinfo(np.int64).max)
    np.minimum.at(first_e, e_code[keep], m_issue[keep])
    has = first_e <= last
    length = np.where(has, last - first_e + 1, 0)
    offset = np.cumsum(length) - length
    rows = int(length.sum())
    row_ent = np.repeat(np.arange(n_ent), length)
    row_month = np.arange(rows) - np.repeat(offset, length) + np.repeat(np.where(has, first_e, 0), length)

    def at(e: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ok = m <= last
        return offset[e[ok]] + (m[ok] - first_e[e[ok]]), ok

    r_issue, ok_i = at(e_code, m_issue)
    r_end, ok_e = at(e_code, m_end)
    r_rep, ok_r = at(e_code[which], m_repay)
    count = np.bincount(r_issue, minlength=rows) - np.bincount(r_end, minlength=rows)
    n_out = pd.Series(count).groupby(row_ent, sort=False).cumsum().to_numpy()
    balance = np.zeros(rows)
    issued = np.zeros(rows)
    repaid = np.zeros(rows)
    missing_rates: list[tuple[str, str]] = []
    out_mask = row_month >= first_out if first_out is not None else np.ones(rows, dtype=bool)
    for c, name in enumerate(ccy_names):
        sel = ccy_code == c
        iss_c = np.bincount(r_issue, weights=np.where(sel, amt, 0.0)[ok_i], minlength=rows).astype(float)
        rep_c = np.bincount(r_rep, weights=np.where(sel[which], ramt, 0.0)[ok_r], minlength=rows).astype(float)
        rep_c += np.bincount(r_end, weights=np.where(sel, remainder, 0.0)[ok_e], minlength=rows)
        bal_c = pd.Series(iss_c - rep_c).groupby(row_ent, sort=False).cumsum().to_numpy(copy=True)
        bal_c[np.abs(bal_c) <= tolerance * 1e-3] = 0.0
        if to is None or name == to:
            balance += bal_c
            issued += iss_c
            repaid += rep_c
            continue
        active = ((bal_c != 0) | (iss_c != 0) | (rep_c != 0)) & out_mask
        months = np.unique(row_month[active])
        rate_by_month = np.full(len(months), np.nan)
        for j, mo in enumerate(months.tolist()):
            rate_by_month[j] = lookup.get((str(name), mo), np.nan)
        gaps = months[np.isnan(rate_by_month)]
        missing_rates += [(str(name), str(pd.Period(ordinal=int(mo), freq="M"))) for mo in gaps]
        if gaps.size:
            continue
        rate_row = np.zeros(rows)
        rate_row[active] = rate_by_month[np.searchsorted(months, row_month[active])]
        balance += bal_c * rate_row
        issued += iss_c * rate_row
        repaid += rep_c * rate_row
    if missing_rates:
        raise LedgerError(f"no exchange rate to {to} for {len(missing_rates)} currency-month(s) with balances or flows: "
                          f"{_show(missing_rates, 10)}; add them to rates (columns currency, month, rate)")
    frame = pd.DataFrame({
        "entity": pd.Categorical.from_codes(row_ent, categories=pd.Index(e_uniques)),
        "month": pd.PeriodIndex.from_ordinals(row_month, freq="M"),
        "balance": balance,
        "issued": issued,
        "repaid": repaid,
        "n_outstanding": n_out.astype(np.int64),
    }, copy=False)
    if first_out is not None:
        frame = frame.loc[out_mask].reset_index(drop=True)
    frame.attrs["currency"] = to if to is not None else ccy_names[0]
    return frame
