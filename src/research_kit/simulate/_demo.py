"""The synthetic Jinhua FX-loan demo panel (task 2 of the plan).

See :func:`fx_loans_demo` for the data-generating process and its calibration.
Everything here is SYNTHETIC: no number describes a real business or bank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from research_kit.simulate._staggered import _check_int

__all__ = [
    "DemoData",
    "fx_loans_demo",
    "MONTHS",
    "BANKS",
    "SECTORS",
    "SIZES",
    "COUNTY_POPULATION",
    "ADOPTION_MONTHS",
    "ROLLOUT_PLAN",
    "TARGET_BALANCE_2025",
]

#: Months of the panel: 2019-01 ... 2025-12, month starts (84 months).
MONTHS: pd.DatetimeIndex = pd.date_range("2019-01-01", "2025-12-01", freq="MS").astype("datetime64[ns]")
N_MONTHS = len(MONTHS)

#: Plan target (金政发〔2022〕38号, task 2): USD 300 million of FX loans to
#: individual businesses by 2025 = 30,000 万美元.
TARGET_BALANCE_2025 = 30_000.0

#: Synthetic population of export-oriented individual businesses per county
#: (the sampling frame the weights expand to; 48,000 in all).
COUNTY_POPULATION: dict[str, int] = {
    "330702": 3_500,  # 婺城区
    "330703": 3_000,  # 金东区
    "330723": 1_500,  # 武义县
    "330726": 2_500,  # 浦江县
    "330727": 700,  # 磐安县
    "330781": 1_800,  # 兰溪市
    "330782": 26_000,  # 义乌市
    "330783": 4_000,  # 东阳市
    "330784": 5_000,  # 永康市
}
_COUNTY_CODES = tuple(COUNTY_POPULATION)

BANKS: tuple[str, ...] = ("boc", "icbc", "ccb", "abc", "jhb", "rcb")
_BANK_SHARE = np.array([0.14, 0.14, 0.13, 0.14, 0.15, 0.30])

SECTORS: tuple[str, ...] = ("small_commodities", "hardware", "textiles", "electronics", "food", "other")
# share, export scale, take-up, loan amount, cost shift (pp), access shift (prob.)
_SECTOR_PARAMS = np.array(
    [
        [0.35, 1.0, 1.25, 1.2, -0.2, 0.05],
        [0.18, 1.1, 1.10, 1.0, 0.0, 0.03],
        [0.15, 0.9, 1.00, 1.0, 0.2, 0.00],
        [0.12, 1.2, 1.10, 1.1, -0.1, 0.02],
        [0.08, 0.6, 0.50, 0.7, 0.5, -0.05],
        [0.12, 0.7, 0.60, 0.8, 0.4, -0.04],
    ]
)

SIZES: tuple[str, ...] = ("micro", "small")
# population share, sample share, median annual exports (万美元), take-up, cost shift, access shift
_SIZE_PARAMS = np.array(
    [
        [0.80, 0.65, 18.0, 0.90, 0.8, 0.00],
        [0.20, 0.35, 90.0, 1.35, -0.6, 0.15],
    ]
)

#: The six months in which county × bank cells start the programme.
ADOPTION_MONTHS: tuple[str, ...] = ("2023-03", "2023-09", "2024-03", "2024-09", "2025-03", "2025-09")
#: Effect multiplier of each adoption wave (early adopters lend more).
_WAVE_MULTIPLIER = np.array([1.3, 1.15, 1.0, 0.9, 0.8, 0.7])

#: Roll-out design: county → adoption wave (1-6, index into ADOPTION_MONTHS + 1)
#: for the banks in BANKS order; None = not offered by 2025-12.
ROLLOUT_PLAN: dict[str, tuple[int | None, ...]] = {
    "330782": (1, 1, 2, 2, 1, 3),  # 义乌市 first (2023-03), all six banks by 2024-03
    "330784": (2, 3, 3, 4, 3, None),  # 永康市
    "330783": (2, 3, 4, 4, 4, 6),  # 东阳市
    "330702": (3, 3, 4, 5, 3, None),  # 婺城区
    "330703": (3, 4, 5, 5, 4, None),  # 金东区
    "330781": (4, 5, 6, None, 5, None),  # 兰溪市
    "330726": (4, 5, None, 6, 5, None),  # 浦江县
    "330723": (5, 6, None, None, 6, None),  # 武义县
    "330727": (6, None, None, None, None, None),  # 磐安县
}

# Scale of FX loans: loan = K * wave multiplier * sector factor * S**0.9 (S in 万美元).
# K is set so that the expected weighted 2025-12 balance is TARGET_BALANCE_2025
# (see fx_loans_demo, "Calibration").
_LOAN_SCALE = 0.076
# Loans are sized on at most 150 万美元 of annual exports (a single-borrower limit).
_LOAN_BASIS_CAP = 150.0

_SEASON = np.array([1.00, 0.62, 0.95, 1.00, 1.02, 1.03, 1.02, 1.03, 1.05, 1.08, 1.10, 1.10])
_SEASON = _SEASON / _SEASON.mean()


@dataclass(frozen=True, repr=False)
class DemoData:
    """The demo tables, with the columns and dtypes of the processed datasets.

    Attributes
    ----------
    businesses : pandas.DataFrame
        business_id, county, sector, size, bank, registered, weight, exports_last_year.
    loans : pandas.DataFrame
        business_id, month, export_receipts, fx_loan_balance, financing_cost, loan_access.
    rollout : pandas.DataFrame
        county, bank, start_month (NaT = not offered by 2025-12), note.
    truth : pandas.DataFrame
        business_id, month, te_fx_loan_balance, te_financing_cost, te_loan_access.
    """

    businesses: pd.DataFrame
    loans: pd.DataFrame
    rollout: pd.DataFrame
    truth: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"DemoData(SYNTHETIC; businesses={len(self.businesses)}, loans={len(self.loans)}, "
            f"rollout={len(self.rollout)}, truth={len(self.truth)})"
        )

    def panel(self) -> pd.DataFrame:
        """Join the four tables into one analysis panel (one row per loans row).

        Adds ``time`` (1 = 2019-01 ... 84 = 2025-12, int16), ``cohort`` (the
        ``time`` of the programme start at the business's bank in its county,
        0 = never), ``treated`` (int8) and the true effects (0 where
        untreated), so :func:`true_att` and the DiD estimators apply directly.

        Examples
        --------
        >>> from research_kit.simulate import fx_loans_demo, true_att
        >>> p = fx_loans_demo(300, seed=1).panel()
        >>> int(p.loc[p["cohort"] > 0, "cohort"].min())  # 2023-03, Yiwu's first banks
        51
        >>> true_att(p, effect="te_loan_access") > 0
        True
        """
        b = self.businesses.drop(columns=["registered"])
        r = self.rollout[["county", "bank", "start_month"]]
        p = self.loans.merge(b, on="business_id", how="left").merge(r, on=["county", "bank"], how="left")
        p.insert(2, "time", _month_index(p["month"]).astype(np.int16))
        start = p.pop("start_month")
        cohort = np.where(start.isna(), 0, _month_index(start.fillna(MONTHS[0])))
        p["cohort"] = cohort.astype(np.int16)
        p["treated"] = ((p["cohort"] > 0) & (p["time"] >= p["cohort"])).astype(np.int8)
        p = p.merge(self.truth, on=["business_id", "month"], how="left")
        for col in ("te_fx_loan_balance", "te_financing_cost", "te_loan_access"):
            p[col] = p[col].fillna(0.0)
        return p


def _month_index(months: pd.Series) -> np.ndarray:
    """1 for 2019-01, 84 for 2025-12."""
    m = pd.DatetimeIndex(months)
    return np.asarray((m.year - 2019) * 12 + m.month, dtype=np.int64)


def _allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Largest-remainder allocation of ``total`` proportional to ``weights``."""
    spare = total - minimum * len(weights)
    quota = spare * weights / weights.sum()
    out = np.floor(quota).astype(np.int64)
    order = np.argsort(-(quota - out), kind="stable")
    out[order[: spare - out.sum()]] += 1
    return out + minimum


def _round2(x: np.ndarray) -> np.ndarray:
    """Round to cents so the value equals the parsed ``%.2f`` text exactly."""
    return np.rint(x * 100.0) / 100.0


def _rollout_table() -> pd.DataFrame:
    rows = []
    for code in sorted(ROLLOUT_PLAN):
        for bank, wave in zip(BANKS, ROLLOUT_PLAN[code]):
            if wave is None:
                start, note = pd.NaT, "截至2025年12月未开办"
            else:
                start = pd.Timestamp(ADOPTION_MONTHS[wave - 1] + "-01")
                note = "首批试点" if wave == 1 else f"第{wave}批扩大经办银行"
            rows.append((code, bank, start, note))
    return pd.DataFrame(rows, columns=["county", "bank", "start_month", "note"]).astype(
        {
            "county": "str",
            "bank": pd.CategoricalDtype(BANKS),
            "start_month": "datetime64[ns]",
            "note": "str",
        }
    )


def _county_factor(rng: np.random.Generator, rho: float = 0.6) -> np.ndarray:
    """County × month AR(1) factor with unit variance, shape (9, N_MONTHS)."""
    e = rng.standard_normal((len(_COUNTY_CODES), N_MONTHS))
    z = np.empty_like(e)
    z[:, 0] = e[:, 0]
    for m in range(1, N_MONTHS):
        z[:, m] = rho * z[:, m - 1] + np.sqrt(1.0 - rho**2) * e[:, m]
    return z


def _common_time_effects() -> dict[str, np.ndarray]:
    m = np.arange(N_MONTHS)
    covid = np.ones(N_MONTHS)
    covid[[13, 14, 15]] = [0.55, 0.75, 0.85]  # 2020-02 ... 2020-04
    knots = np.array([0, 12, 17, 36, 48, 60, 83])  # 2019-01, 2020-01, 2020-06, 2022-01, 2023-01, 2024-01, 2025-12
    cost = np.interp(m, knots, [0.0, -0.2, -0.6, -0.9, -1.3, -1.6, -2.0])
    access = 0.08 * m / (N_MONTHS - 1)
    access[[13, 14, 15]] -= 0.06
    return {
        "exports": _SEASON[m % 12] * 1.06 ** (m / 12.0) * covid,
        "cost": cost,
        "access": access,
    }


def fx_loans_demo(n_businesses: int = 1200, *, seed: int = 20221230) -> DemoData:
    """Simulate the demo panel of FX loans to individual businesses in Jinhua.

    SYNTHETIC data for the demo studies of task 2 of the plan (个体工商户国内外汇
    贷款): a monthly panel, 2019-01 to 2025-12, of individual businesses in the
    nine counties of Jinhua, with a staggered roll-out of the FX-loan
    programme by county × bank and known true effects.

    **Sample.** A stratified sample from a synthetic frame of 48,000
    export-oriented individual businesses (:data:`COUNTY_POPULATION`): county
    sample sizes ∝ population^0.7 (Yiwu is under-, Pan'an over-sampled), 35% of
    each county's sample small (20% of the population), 65% micro. The weight
    is the stratum population over the stratum sample size, so weighted sums
    estimate frame totals. Sector and bank are drawn independently of county
    and size, so every business characteristic is independent of the
    roll-out cohort.

    **Roll-out.** :data:`ROLLOUT_PLAN`: Yiwu's 中国银行, 工商银行 and 金华银行
    start in 2023-03 (the plan is dated 2022-12); other cells follow in five
    more waves (2023-09 ... 2025-09); 15 of the 54 cells, mostly the rural
    commercial banks, never start by 2025-12 (about a fifth of businesses are
    never treated). Treated = month ≥ the start at the business's bank in
    its county; exposure ``e`` = months since that start.

    **Untreated outcomes** (business effects + common time effects +
    county × month shocks; ``z`` is a county × month AR(1) factor, ρ = 0.6):

    * export receipts (万美元): ``S_i/12 × season × 1.06^years × covid ×
      exp(0.08 z) × lognormal noise`` with 4% zero months; ``S_i`` is lognormal
      (σ = 0.6) around 18 (micro) or 90 (small) 万美元 a year, scaled by
      sector, and ten times that for the 3% market-procurement traders (so
      a few register entries exceed 1,000 万美元); untouched by the programme.
      The register's ``exports_last_year`` is the business's 2022 total
      (0 if registered later), a pre-programme covariate;
    * FX loan balance: 0, except 3% of businesses with a pre-existing balance
      of 3–8% of ``S_i`` (× exp(0.05 z) × lognormal noise, as below);
    * financing cost (% a year): about 8 + size and sector shifts + a business
      effect (sd 1.3) − a common decline of 2 pp over 2019–2025 + 0.15 z + noise;
    * loan access: Bernoulli with latent probability 0.42 + size and sector
      shifts + business effect (sd 0.12) + a common rise of 0.08 + 0.03 z,
      clipped to [0.02, 0.98] (1 for holders of FX loans).

    **Effects.** A business in a treated cell takes up an FX loan with
    probability ``0.25 × sector × size × (S_i/30)^0.2`` (≤ 0.9), after a
    geometric lag (mean 9 months) from the start or its registration; its
    balance then builds up as ``A_i (1 − 0.6^{d+1})`` (``d`` = months since
    take-up; × the balance shocks ``exp(0.05 z)`` and a monthly lognormal
    noise, sd 0.1) with ``A_i = K × wave × sector × min(S_i, 150)^0.9 ×
    lognormal(sd 0.25)`` (loans are sized on at most 150 万美元 of exports); the wave
    multiplier falls from 1.3 (2023-03) to 0.7 (2025-09). Takers' financing
    cost falls by about 1 pp (× wave, larger for bigger exporters) and their
    loan access becomes certain; every business in a treated cell gains a
    small competition effect (−0.15 pp cost, +0.03 access probability,
    growing with ``e``). Effects thus grow with exposure and differ by
    cohort, sector and export size, so a naive TWFE regression is biased.
    ``truth`` holds, for each observed treated business-month, the
    treated-minus-untreated potential outcome (for loan access, the
    difference of the latent probabilities).

    **Flaws.** 15% of businesses register after 2019-01 (they enter the
    panel then), 8% exit before 2025-12, and 2% of the remaining
    business-months are missing at random; county names in the raw register
    have variants (see :func:`write_demo_raw`).

    **Calibration.** The plan targets USD 300 million (3亿美元 = 30,000 万美元)
    of FX loans to individual businesses by 2025; we read it as the 2025-12
    balance of the frame, estimated by the weighted sum (by ``weight``) of
    ``fx_loan_balance`` in 2025-12. The behavioural parameters were set
    first (about a quarter of businesses in treated cells borrow by 2025-12,
    some 9,000 of the frame's 48,000, with a mean balance near 3 万美元, i.e.
    USD 30,000); the pre-existing balances add about 3,000 万美元. The scale
    ``K = 0.076`` was then chosen so that the *expected* weighted 2025-12
    balance is 30,000 万美元: the mean over 8 seeds of 20,000 businesses is
    29,890 万美元 (sd 880 across seeds, mostly the Yiwu × month shock). With
    1,200 businesses the sampling sd is about 2,700 万美元 (9%); the shipped
    default (1,200 businesses, seed 20221230) gives 32,578 万美元 (+8.6%).
    ``tests/test_simulate.py`` checks the default within ±15% and the mean of
    4 × 5,000 businesses within ±12%.

    Parameters
    ----------
    n_businesses : int, default 1200
        Sample size (100 ... 999,999); the weights scale with it.
    seed : int, default 20221230
        Seed of the random generator (the plan's date); the same arguments
        always give the same data.

    Returns
    -------
    DemoData
        Frozen holder of ``businesses``, ``loans``, ``rollout`` and ``truth``.

    Raises
    ------
    ValueError
        If ``n_businesses`` is not an integer in 100 ... 999,999.

    Examples
    --------
    >>> from research_kit.simulate import fx_loans_demo
    >>> demo = fx_loans_demo(200, seed=7)
    >>> demo.businesses["county"].nunique(), demo.rollout.shape
    (9, (54, 4))
    >>> demo.loans["month"].min().strftime("%Y-%m"), demo.loans["month"].max().strftime("%Y-%m")
    ('2019-01', '2025-12')
    """
    return _simulate_demo(n_businesses, seed)[0]


def _simulate_demo(n_businesses: int, seed: int) -> tuple[DemoData, dict[str, np.ndarray]]:
    """:func:`fx_loans_demo` and the full business × month matrices behind it (every month,
    observed or not), which :mod:`research_kit.simulate.microdata` turns into loan ledgers,
    registry entries and trade records. Same random draws as before this split."""
    n = _check_int("n_businesses", n_businesses, 100)
    if n > 999_999:
        raise ValueError(f"n_businesses must be at most 999,999 (6-digit ids GT000001...); got {n}")
    rng = np.random.default_rng(seed)
    time_fx = _common_time_effects()
    rollout = _rollout_table()

    # --- sample design: deterministic allocation, then shuffled --------------------
    pop = np.array(list(COUNTY_POPULATION.values()), dtype=np.float64)
    n_c = _allocate(n, pop**0.7, minimum=2)
    n_small = np.clip(np.rint(_SIZE_PARAMS[1, 1] * n_c), 1, n_c - 1).astype(np.int64)
    n_strata = np.stack([n_c - n_small, n_small], axis=1)  # (county, size)
    weight_strata = pop[:, None] * _SIZE_PARAMS[:, 0][None, :] / n_strata
    ci = np.repeat(np.repeat(np.arange(len(pop)), 2), n_strata.ravel())
    si = np.repeat(np.tile(np.arange(2), len(pop)), n_strata.ravel())
    order = rng.permutation(n)
    ci, si = ci[order], si[order]
    weight = _round2(weight_strata[ci, si])
    bank = rng.choice(len(BANKS), size=n, p=_BANK_SHARE)
    sector = rng.choice(len(SECTORS), size=n, p=_SECTOR_PARAMS[:, 0])
    sec, siz = _SECTOR_PARAMS[sector], _SIZE_PARAMS[si]

    # --- business effects -------------------------------------------------------------
    scale = siz[:, 2] * sec[:, 1] * np.exp(0.6 * rng.standard_normal(n))  # annual exports S_i
    scale[rng.random(n) < 0.03] *= 10.0  # market-procurement traders (市场采购贸易)
    late = rng.random(n) < 0.15
    first = np.where(late, rng.integers(1, 78, size=n), 0)  # 2019-02 ... 2025-06
    reg_offset = rng.integers(0, 169, size=n)  # 2005-01 ... 2019-01
    exits = rng.random(n) < 0.08
    lo = first + 6
    last = np.where(exits & (lo <= 82), lo + np.floor(rng.random(n) * (83 - lo)).astype(np.int64), N_MONTHS - 1)
    holder = rng.random(n) < 0.03
    baseline = scale * rng.uniform(0.03, 0.08, size=n)
    p_take = np.minimum(0.25 * sec[:, 2] * siz[:, 3] * (scale / 30.0) ** 0.2, 0.9)
    taker = rng.random(n) < p_take
    lag = rng.geometric(1.0 / 9.0, size=n) - 1
    amount_noise = np.exp(0.25 * rng.standard_normal(n) - 0.25**2 / 2)
    cost_noise = np.exp(0.25 * rng.standard_normal(n) - 0.25**2 / 2)
    cost_i = 8.0 + siz[:, 4] + sec[:, 4] + 1.3 * rng.standard_normal(n)
    access_i = 0.42 + siz[:, 5] + sec[:, 5] + 0.12 * rng.standard_normal(n)

    # --- treatment ----------------------------------------------------------------------
    wave_of_cell = np.array(
        [[0 if w is None else w for w in ROLLOUT_PLAN[c]] for c in _COUNTY_CODES], dtype=np.int64
    )
    wave = wave_of_cell[ci, bank]  # 0 = never
    adopt_month = np.array([(int(a[:4]) - 2019) * 12 + int(a[5:]) - 1 for a in ADOPTION_MONTHS])
    adopt = np.where(wave > 0, adopt_month[np.maximum(wave, 1) - 1], N_MONTHS + 1_000)
    wave_mult = np.where(wave > 0, _WAVE_MULTIPLIER[np.maximum(wave, 1) - 1], 0.0)
    loan_amount = _LOAN_SCALE * wave_mult * sec[:, 3] * np.minimum(scale, _LOAN_BASIS_CAP) ** 0.9 * amount_noise
    cost_cut = 1.0 * wave_mult * (scale / 25.0) ** 0.15 * cost_noise
    take_up = np.maximum(adopt, first) + lag

    m = np.arange(N_MONTHS)[None, :]
    active = (m >= first[:, None]) & (m <= last[:, None])
    observed = active & (rng.random((n, N_MONTHS)) >= 0.02)
    treated = m >= adopt[:, None]
    exposure = np.where(treated, m - adopt[:, None], 0)
    d = m - take_up[:, None]
    borrowing = treated & taker[:, None] & (d >= 0)
    ramp_cell = np.where(treated, 1.0 - np.exp(-(exposure + 1) / 9.0), 0.0)
    ramp_own = np.where(borrowing, 1.0 - 0.6 ** (np.maximum(d, 0) + 1), 0.0)
    z = _county_factor(rng)[ci]

    # --- outcomes -------------------------------------------------------------------------
    exports = (scale / 12.0)[:, None] * time_fx["exports"][None, :] * np.exp(0.08 * z - 0.0032)
    exports *= np.exp(0.3 * rng.standard_normal((n, N_MONTHS)) - 0.045)
    exports[rng.random((n, N_MONTHS)) < 0.04] = 0.0
    exports = _round2(exports)
    exports_last_year = _round2(np.where(active[:, 36:48], exports[:, 36:48], 0.0).sum(axis=1))

    shock_b = np.exp(0.05 * z + 0.1 * rng.standard_normal((n, N_MONTHS)) - 0.00625)
    y0_bal = np.where(holder[:, None], baseline[:, None] * shock_b, 0.0)
    te_bal = loan_amount[:, None] * ramp_own * shock_b

    cost0 = cost_i[:, None] + time_fx["cost"][None, :] + 0.15 * z + 0.35 * rng.standard_normal((n, N_MONTHS))
    cost1 = cost0 - 0.15 * ramp_cell - cost_cut[:, None] * ramp_own
    cost0, cost1 = np.clip(cost0, 0.5, 36.0), np.clip(cost1, 0.5, 36.0)

    p0 = np.clip(access_i[:, None] + time_fx["access"][None, :] + 0.03 * z, 0.02, 0.98)
    p0[holder] = 1.0
    p1 = np.where(borrowing, 1.0, np.minimum(p0 + 0.03 * ramp_cell, 1.0))
    u_access = rng.random((n, N_MONTHS))

    # --- assemble ---------------------------------------------------------------------------
    ids = np.array([f"GT{i:06d}" for i in range(1, n + 1)], dtype=object)
    rows, cols = np.nonzero(observed)
    tr = treated[rows, cols]
    month = MONTHS[cols]
    loans = pd.DataFrame(
        {
            "business_id": pd.array(ids[rows], dtype="str"),
            "month": month,
            "export_receipts": exports[rows, cols],
            "fx_loan_balance": _round2((y0_bal + te_bal)[rows, cols]),
            "financing_cost": _round2(np.where(treated, cost1, cost0)[rows, cols]),
            "loan_access": (u_access < np.where(treated, p1, p0))[rows, cols].astype(np.int64),
        }
    )
    truth = pd.DataFrame(
        {
            "business_id": pd.array(ids[rows[tr]], dtype="str"),
            "month": month[tr],
            "te_fx_loan_balance": te_bal[rows[tr], cols[tr]],
            "te_financing_cost": (cost1 - cost0)[rows[tr], cols[tr]],
            "te_loan_access": (p1 - p0)[rows[tr], cols[tr]],
        }
    )
    reg_months = pd.date_range("2005-01-01", MONTHS[-1], freq="MS").astype("datetime64[ns]")
    registered = reg_months[np.where(late, 168 + first, reg_offset)]  # 168 = 2019-01
    businesses = pd.DataFrame(
        {
            "business_id": pd.array(ids, dtype="str"),
            "county": pd.array(np.array(_COUNTY_CODES, dtype=object)[ci], dtype="str"),
            "sector": pd.Categorical.from_codes(sector, categories=list(SECTORS)),
            "size": pd.Categorical.from_codes(si, categories=list(SIZES)),
            "bank": pd.Categorical.from_codes(bank, categories=list(BANKS)),
            "registered": registered,
            "weight": weight,
            "exports_last_year": exports_last_year,
        }
    )
    internals = {
        "balance": _round2(y0_bal + te_bal), "exports": exports, "active": active, "observed": observed,
        "treated": treated, "borrowing": borrowing, "ramp_own": ramp_own, "first": first, "last": last,
        "scale": scale, "holder": holder, "county_index": ci, "size_index": si, "sector_index": sector,
    }
    return DemoData(businesses=businesses, loans=loans, rollout=rollout, truth=truth), internals
