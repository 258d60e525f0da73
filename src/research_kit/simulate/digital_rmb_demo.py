"""SYNTHETIC county panel for the digital RMB pilot demo (task 16 of the plan, 数字人民币试点).

:func:`digital_rmb_panel` simulates, month by month, the share of merchants that
accept digital RMB (``merchant_share``, %) and the digital RMB wallets opened
per 1,000 residents (``wallets_per_1000``) in one Jinhua county that pilots the
programme and in donor counties of Jinhua and the rest of Zhejiang that do not.
Everything is SYNTHETIC: the county names are real, no number describes them.

Data-generating process (a linear factor model, the setting synthetic controls
are built for). For county ``i`` and month ``t = 0, 1, ...``:

* a national roll-out curve ``f_t = 1 / (1 + exp(-(t - 36) / 9))`` (e-CNY
  acceptance spreads everywhere, fastest around 2023);
* county loadings: digital-commerce intensity ``a_i ~ U(0.55, 1.0)``, a trend
  loading ``b_i ~ N(0, 1)``, a Spring-festival campaign loading ``c_i ~ U(0.5, 1.5)``
  (消费红包 campaigns in January and February) and a level ``α_i ~ N(0, 1)``;
* ``merchant_share(0) = 3 + 75 a_i f_t + 4 b_i t / 72 + 1.5 c_i s_t + α_i + ε``
  with ``ε ~ N(0, 0.7²)``, clipped to [0, 100];
* ``wallets_per_1000(0) = 20 + 420 a_i f_t^1.3 + 25 b_i t / 72 + 12 c_i s_t + 5 α_i + ε``,
  ``ε ~ N(0, 6²)``;
* predictors measured every month: ``mobile_pay_share`` (% of merchants taking
  any QR payment), ``online_retail_share`` (% of retail sales online) and
  ``retail_sales_pc`` (万元 per resident per year), each a noisy function of
  the loadings.

The pilot county's loadings sit inside the donors' range (65th percentile of
``a``, medians of ``b`` and ``α``, ``c = 1``), so a synthetic control can reproduce it. From the
pilot month its outcomes rise by a known effect
``τ_t = effect × (1 − exp(−(t − t0 + 1) / 6))`` (merchant share, percentage
points; wallets: ``6 × effect`` per 1,000), stored in ``te_<outcome>``.

Examples
--------
>>> from research_kit.simulate.digital_rmb_demo import digital_rmb_panel
>>> d = digital_rmb_panel(seed=1)
>>> d.treated, str(d.treatment_time.date())
('义乌市', '2023-01-01')
>>> int(d.panel["county"].nunique())
25
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["CITY_CANDIDATES", "CITY_OUTCOMES", "DIGITAL_RMB_OUTCOMES", "JINHUA_COUNTIES", "OTHER_ZHEJIANG_COUNTIES", "CityPanelDemo",
           "DigitalRmbDemo", "digital_rmb_city_panel", "digital_rmb_panel"]

#: The nine county-level divisions of Jinhua (Chinese name, English name).
JINHUA_COUNTIES: tuple[tuple[str, str], ...] = (
    ("婺城区", "Wucheng"), ("金东区", "Jindong"), ("武义县", "Wuyi"), ("浦江县", "Pujiang"), ("磐安县", "Pan'an"),
    ("兰溪市", "Lanxi"), ("义乌市", "Yiwu"), ("东阳市", "Dongyang"), ("永康市", "Yongkang"),
)

#: Counties elsewhere in Zhejiang used as donors (Chinese name, English name, prefecture).
OTHER_ZHEJIANG_COUNTIES: tuple[tuple[str, str, str], ...] = (
    ("诸暨市", "Zhuji", "绍兴市"), ("嵊州市", "Shengzhou", "绍兴市"), ("新昌县", "Xinchang", "绍兴市"),
    ("海宁市", "Haining", "嘉兴市"), ("桐乡市", "Tongxiang", "嘉兴市"), ("德清县", "Deqing", "湖州市"),
    ("长兴县", "Changxing", "湖州市"), ("安吉县", "Anji", "湖州市"), ("龙游县", "Longyou", "衢州市"),
    ("江山市", "Jiangshan", "衢州市"), ("常山县", "Changshan", "衢州市"), ("缙云县", "Jinyun", "丽水市"),
    ("松阳县", "Songyang", "丽水市"), ("永嘉县", "Yongjia", "温州市"), ("瑞安市", "Rui'an", "温州市"),
    ("乐清市", "Yueqing", "温州市"), ("临海市", "Linhai", "台州市"), ("温岭市", "Wenling", "台州市"),
    ("天台县", "Tiantai", "台州市"), ("象山县", "Xiangshan", "宁波市"), ("宁海县", "Ninghai", "宁波市"),
    ("余姚市", "Yuyao", "宁波市"), ("桐庐县", "Tonglu", "杭州市"), ("建德市", "Jiande", "杭州市"),
)

#: Outcomes of the demo and the scale of their true effect relative to ``effect``.
DIGITAL_RMB_OUTCOMES: dict[str, float] = {"merchant_share": 1.0, "wallets_per_1000": 6.0}


@dataclass(frozen=True)
class DigitalRmbDemo:
    """The simulated panel and its design."""

    panel: pd.DataFrame
    treated: str
    treatment_time: pd.Timestamp
    effect: float
    seed: int

    def true_att(self, outcome: str = "merchant_share") -> float:
        """Mean true effect over the pilot county's post-pilot months."""
        d = self.panel
        return float(d.loc[(d["county"] == self.treated) & (d["month"] >= self.treatment_time), f"te_{outcome}"].mean())

    def true_path(self, outcome: str = "merchant_share") -> pd.Series:
        """The pilot county's true effect by month (0 before the pilot)."""
        d = self.panel.loc[self.panel["county"] == self.treated]
        return pd.Series(d[f"te_{outcome}"].to_numpy(), index=d["month"].to_numpy(), name="truth")


def _check_county(treated: str) -> str:
    names = {zh: zh for zh, _ in JINHUA_COUNTIES} | {en.lower(): zh for zh, en in JINHUA_COUNTIES}
    names |= {zh[:-1]: zh for zh, _ in JINHUA_COUNTIES}
    key = str(treated).strip()
    hit = names.get(key) or names.get(key.lower())
    if hit is None:
        raise ValueError(
            f"treated={treated!r} is not a Jinhua county; choose one of {[zh for zh, _ in JINHUA_COUNTIES]}."
        )
    return hit


def digital_rmb_panel(
    *,
    treated: str = "义乌市",
    start: str = "2020-01",
    periods: int = 72,
    treatment_time: str = "2023-01",
    n_other: int = 16,
    effect: float = 10.0,
    seed: int = 0,
) -> DigitalRmbDemo:
    """Simulate the SYNTHETIC digital RMB pilot panel (see the module docstring).

    Parameters
    ----------
    treated
        The pilot county, a Jinhua county (Chinese or English name).
    start, periods
        First month and number of months.
    treatment_time
        Pilot start month; must leave at least 12 months before and 6 after.
    n_other
        Donor counties from the rest of Zhejiang (0–24), besides the other eight Jinhua counties.
    effect
        Long-run effect on the merchant acceptance share (percentage points).
    seed
        Random seed; the panel is a deterministic function of the arguments.

    Returns
    -------
    DigitalRmbDemo
        ``panel`` (one row per county and month: county, county_en, prefecture,
        month, t, pilot, treated, the outcomes, predictors and ``te_<outcome>``).
    """
    treated = _check_county(treated)
    if isinstance(periods, bool) or not isinstance(periods, (int, np.integer)) or periods < 24:
        raise ValueError(f"periods must be an integer >= 24, got {periods!r}.")
    if isinstance(n_other, bool) or not isinstance(n_other, (int, np.integer)) or not 0 <= n_other <= len(OTHER_ZHEJIANG_COUNTIES):
        raise ValueError(f"n_other must be an integer from 0 to {len(OTHER_ZHEJIANG_COUNTIES)}, got {n_other!r}.")
    months = pd.date_range(pd.Timestamp(start), periods=int(periods), freq="MS")
    t0_ts = pd.Timestamp(treatment_time)
    if t0_ts not in months:
        raise ValueError(f"treatment_time={treatment_time!r} is not one of the simulated months "
                         f"({months[0]:%Y-%m} to {months[-1]:%Y-%m}).")
    t0 = int(months.get_loc(t0_ts))
    if t0 < 12 or periods - t0 < 6:
        raise ValueError("treatment_time must leave at least 12 months before the pilot and 6 after it.")
    rng = np.random.default_rng(seed)
    counties = [(zh, en, "金华市") for zh, en in JINHUA_COUNTIES] + list(OTHER_ZHEJIANG_COUNTIES[:n_other])
    n = len(counties)
    is_t = np.array([zh == treated for zh, _, _ in counties])
    a = rng.uniform(0.55, 1.0, n)
    b = rng.normal(0.0, 1.0, n)
    c = rng.uniform(0.5, 1.5, n)
    alpha = rng.normal(0.0, 1.0, n)
    a[is_t] = np.quantile(a[~is_t], 0.65)
    b[is_t] = np.median(b[~is_t])
    c[is_t] = 1.0
    alpha[is_t] = np.median(alpha[~is_t])
    t = np.arange(periods, dtype=float)
    f = 1.0 / (1.0 + np.exp(-(t - 36.0) / 9.0))
    season = np.isin(months.month, (1, 2)).astype(float)
    trend = t / 72.0
    eps1 = rng.normal(0.0, 0.7, (n, periods))
    eps2 = rng.normal(0.0, 6.0, (n, periods))
    share0 = (3.0 + 75.0 * np.outer(a, f) + 4.0 * np.outer(b, trend) + 1.5 * np.outer(c, season)
              + alpha[:, None] + eps1)
    wallets0 = (20.0 + 420.0 * np.outer(a, f ** 1.3) + 25.0 * np.outer(b, trend) + 12.0 * np.outer(c, season)
                + 5.0 * alpha[:, None] + eps2)
    post = t >= t0
    tau = np.where(post, effect * (1.0 - np.exp(-(t - t0 + 1.0) / 6.0)), 0.0)
    te_share = np.outer(is_t, tau)
    te_wallets = DIGITAL_RMB_OUTCOMES["wallets_per_1000"] * te_share
    share = np.clip(share0 + te_share, 0.0, 100.0)
    te_share = share - np.clip(share0, 0.0, 100.0)  # the effect as realised after clipping
    wallets = np.maximum(wallets0 + te_wallets, 0.0)
    mobile = 60.0 + 30.0 * a[:, None] + 5.0 * trend[None, :] + 1.5 * b[:, None] + rng.normal(0.0, 1.0, (n, periods))
    online = 10.0 + 25.0 * a[:, None] + 3.0 * b[:, None] + 2.0 * trend[None, :] + rng.normal(0.0, 1.0, (n, periods))
    retail = 3.0 + 2.5 * a[:, None] + 0.3 * b[:, None] + 0.4 * trend[None, :] + rng.normal(0.0, 0.15, (n, periods))
    rows = pd.DataFrame({
        "county": np.repeat([zh for zh, _, _ in counties], periods),
        "county_en": np.repeat([en for _, en, _ in counties], periods),
        "prefecture": np.repeat([p for _, _, p in counties], periods),
        "month": np.tile(months, n),
        "t": np.tile(np.arange(1, periods + 1), n),
        "pilot": np.repeat(is_t.astype(int), periods),
        "treated": (np.repeat(is_t, periods) & np.tile(post, n)).astype(int),
        "merchant_share": share.ravel().round(3),
        "wallets_per_1000": wallets.ravel().round(2),
        "mobile_pay_share": mobile.ravel().round(3),
        "online_retail_share": online.ravel().round(3),
        "retail_sales_pc": retail.ravel().round(4),
        "te_merchant_share": te_share.ravel(),
        "te_wallets_per_1000": te_wallets.ravel(),
    })
    return DigitalRmbDemo(panel=rows, treated=treated, treatment_time=t0_ts, effect=float(effect), seed=int(seed))


# --------------------------------------------------------------------------- city-level design (real pilot list)
#: Prefecture-level cities of the SYNTHETIC city panel: (Chinese name, English name, province, resident
#: population in 10k, 2019). Jinhua, 22 candidate donors in provinces without any e-CNY pilot area up to
#: 2022-12 (and not bordering Zhejiang), and eight cities that the donor-pool rules must exclude (Jinhua's
#: neighbours, another Zhejiang city, pilot cities and a city of a province-wide pilot).
CITY_CANDIDATES: tuple[tuple[str, str, str, float], ...] = (
    ("金华市", "Jinhua", "浙江省", 705.0),
    ("合肥市", "Hefei", "安徽省", 937.0), ("芜湖市", "Wuhu", "安徽省", 364.0), ("蚌埠市", "Bengbu", "安徽省", 329.0),
    ("安庆市", "Anqing", "安徽省", 417.0), ("阜阳市", "Fuyang", "安徽省", 820.0), ("滁州市", "Chuzhou", "安徽省", 399.0),
    ("南昌市", "Nanchang", "江西省", 625.0), ("赣州市", "Ganzhou", "江西省", 897.0), ("九江市", "Jiujiang", "江西省", 460.0),
    ("宜春市", "Yichun", "江西省", 500.0), ("吉安市", "Ji'an", "江西省", 446.0),
    ("武汉市", "Wuhan", "湖北省", 1232.0), ("宜昌市", "Yichang", "湖北省", 401.0), ("襄阳市", "Xiangyang", "湖北省", 526.0),
    ("荆州市", "Jingzhou", "湖北省", 523.0),
    ("郑州市", "Zhengzhou", "河南省", 1260.0), ("洛阳市", "Luoyang", "河南省", 706.0), ("南阳市", "Nanyang", "河南省", 971.0),
    ("许昌市", "Xuchang", "河南省", 438.0),
    ("太原市", "Taiyuan", "山西省", 530.0), ("贵阳市", "Guiyang", "贵州省", 598.0), ("遵义市", "Zunyi", "贵州省", 660.0),
    ("衢州市", "Quzhou", "浙江省", 228.0), ("丽水市", "Lishui", "浙江省", 251.0), ("台州市", "Taizhou", "浙江省", 662.0),
    ("嘉兴市", "Jiaxing", "浙江省", 540.0), ("长沙市", "Changsha", "湖南省", 1005.0), ("济南市", "Jinan", "山东省", 920.0),
    ("南通市", "Nantong", "江苏省", 773.0), ("苏州市", "Suzhou", "江苏省", 1275.0),
)

#: Outcomes of the city panel (per resident per month, yuan) and the scale of their true effect.
CITY_OUTCOMES: dict[str, float] = {"retail_pc": 1.0, "online_pc": 0.5}


@dataclass(frozen=True)
class CityPanelDemo:
    """The SYNTHETIC city panel: raw-shaped totals and the true effects."""

    panel: pd.DataFrame  # city, province, month, retail_sales, online_sales (亿元), population (万人)
    truth: pd.DataFrame  # city, month, te_retail_pc, te_online_pc (元 per resident), treated city's pilot months
    treated: str
    treatment_time: pd.Timestamp
    effect: float
    seed: int


def digital_rmb_city_panel(*, treated: str = "金华市", start: str = "2019-01", periods: int = 72,
                           treatment_time: str = "2022-04", effect: float = 60.0, seed: int = 0) -> CityPanelDemo:
    """Simulate the SYNTHETIC city-level digital RMB panel (monthly, per-resident retail and online sales).

    Data-generating process, for city ``i`` and month ``t = 0, 1, ...`` (every number invented):

    * per-resident retail sales without the pilot (元 per month)
      ``y0 = b_i (1 + g_i t/72 + k_i c_t + h_i s_m) (1 + ε)``, ``ε ~ N(0, 0.01²)``, with a national
      epidemic factor ``c_t`` (falls in 2020-02/03, 2022-04/05 and 2022-12/2023-01), a month-of-year
      factor ``s_m``, level ``b_i`` (log-normal around 2,400 元), growth ``g_i ~ U(0.1, 0.5)`` and loadings
      ``k_i, h_i ~ U(0.6, 1.4)``;
    * per-resident online sales ``o_i y0 (1 + q_i t/72) (1 + ε')`` with ``o_i ~ U(0.25, 0.75)``,
      ``q_i ~ U(0.3, 0.9)``;
    * the treated city has the 60th percentile of the levels and the medians of the loadings, so a
      weighted average of donors can reproduce it; from ``treatment_time`` its outcomes rise by
      ``τ_t = effect (1 - exp(-(t - t0 + 1)/6))`` 元 (online: ``0.5 τ_t``), the true effects in ``truth``.
    * totals (亿元) = per-resident value × population / 10⁴, rounded to 0.01 亿元; population (万人)
      grows by a city-specific 0–1% a year and changes each January.

    Examples
    --------
    >>> d = digital_rmb_city_panel(seed=1)
    >>> d.panel["city"].nunique(), str(d.treatment_time.date())
    (31, '2022-04-01')
    """
    names = [c for c, _, _, _ in CITY_CANDIDATES]
    if treated not in names:
        raise ValueError(f"treated={treated!r} is not a city of the panel; choose one of {names}.")
    if isinstance(periods, bool) or not isinstance(periods, (int, np.integer)) or periods < 36:
        raise ValueError(f"periods must be an integer >= 36, got {periods!r}.")
    months = pd.date_range(pd.Timestamp(start), periods=int(periods), freq="MS")
    t0_ts = pd.Timestamp(treatment_time)
    if t0_ts not in months:
        raise ValueError(f"treatment_time={treatment_time!r} is not one of the simulated months "
                         f"({months[0]:%Y-%m} to {months[-1]:%Y-%m}).")
    t0 = int(months.get_loc(t0_ts))
    if t0 < 24 or periods - t0 < 6:
        raise ValueError("treatment_time must leave at least 24 months before the pilot and 6 after it.")
    rng = np.random.default_rng(seed)
    n, T = len(CITY_CANDIDATES), int(periods)
    is_t = np.array([c == treated for c in names])
    b = np.exp(np.log(2400.0) + 0.3 * rng.standard_normal(n))
    g, k, h = rng.uniform(0.1, 0.5, n), rng.uniform(0.6, 1.4, n), rng.uniform(0.6, 1.4, n)
    o, q = rng.uniform(0.25, 0.75, n), rng.uniform(0.3, 0.9, n)
    for arr, val in ((b, np.quantile(b[~is_t], 0.6)), (g, np.median(g[~is_t])), (k, np.median(k[~is_t])),
                     (h, np.median(h[~is_t])), (o, np.median(o[~is_t])), (q, np.median(q[~is_t]))):
        arr[is_t] = val
    shocks = {"2020-02": -0.30, "2020-03": -0.15, "2020-04": -0.06, "2022-04": -0.06, "2022-05": -0.04,
              "2022-12": -0.08, "2023-01": -0.03}
    c = np.array([shocks.get(f"{m:%Y-%m}", 0.0) for m in months])
    season_m = {1: 0.07, 2: -0.03, 3: -0.04, 4: -0.03, 5: 0.0, 6: 0.01, 7: -0.03, 8: -0.03, 9: 0.0, 10: 0.03,
                11: 0.04, 12: 0.08}
    s = np.array([season_m[m.month] for m in months])
    trend = np.arange(T) / 72.0
    y0 = b[:, None] * (1 + np.outer(g, trend) + np.outer(k, c) + np.outer(h, s)) * (1 + 0.01 * rng.standard_normal((n, T)))
    on0 = o[:, None] * y0 * (1 + np.outer(q, trend)) * (1 + 0.015 * rng.standard_normal((n, T)))
    tt = np.arange(T)
    tau = np.where(tt >= t0, float(effect) * (1.0 - np.exp(-(tt - t0 + 1.0) / 6.0)), 0.0)
    te_retail = np.outer(is_t, tau) * CITY_OUTCOMES["retail_pc"]
    te_online = np.outer(is_t, tau) * CITY_OUTCOMES["online_pc"]
    pop0 = np.array([p for _, _, _, p in CITY_CANDIDATES])
    growth = rng.uniform(0.0, 0.01, n)
    years = np.array([m.year - months[0].year for m in months])
    pop = np.round(pop0[:, None] * (1 + growth[:, None]) ** years[None, :], 1)
    retail = np.round((y0 + te_retail) * pop / 1e4, 2)
    online = np.round((on0 + te_online) * pop / 1e4, 2)
    provinces = [p for _, _, p, _ in CITY_CANDIDATES]
    panel = pd.DataFrame({
        "city": np.repeat(names, T), "province": np.repeat(provinces, T), "month": np.tile(months, n),
        "retail_sales": retail.ravel(), "online_sales": online.ravel(), "population": pop.ravel(),
    })
    post = tt >= t0
    truth = pd.DataFrame({"city": treated, "month": months[post], "te_retail_pc": te_retail[is_t][0, post],
                          "te_online_pc": te_online[is_t][0, post]})
    return CityPanelDemo(panel=panel, truth=truth, treated=treated, treatment_time=t0_ts, effect=float(effect),
                         seed=int(seed))
