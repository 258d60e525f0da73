"""Inputs of the digital RMB study: the city panel (per-resident outcomes), the pilot list, the donor pool."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from research_kit.simulate.digital_rmb_demo import CITY_CANDIDATES

__all__ = ["CITY_EN", "CityData", "donor_pool", "load_data", "NEIGHBOURS", "OUTCOMES", "pilot_month", "PROVINCE_EN", "TREATED"]


OUTCOMES = ("retail_pc", "online_pc")
TREATED = "金华市"
#: Prefecture-level cities bordering each treated city (spill-overs: kept out of the donor pool).
NEIGHBOURS: dict[str, tuple[str, ...]] = {"金华市": ("杭州市", "绍兴市", "台州市", "丽水市", "衢州市")}

CITY_EN: dict[str, str] = {zh: en for zh, en, _, _ in CITY_CANDIDATES} | {
    "杭州市": "Hangzhou", "绍兴市": "Shaoxing", "宁波市": "Ningbo", "温州市": "Wenzhou", "湖州市": "Huzhou",
    "深圳市": "Shenzhen", "雄安新区": "Xiong'an", "成都市": "Chengdu", "北京冬奥会场景": "Beijing Winter Olympics venues",
    "上海市": "Shanghai", "海南省": "Hainan", "西安市": "Xi'an", "青岛市": "Qingdao", "大连市": "Dalian",
    "天津市": "Tianjin", "重庆市": "Chongqing", "广州市": "Guangzhou", "福州市": "Fuzhou", "厦门市": "Xiamen",
    "北京市": "Beijing", "张家口市": "Zhangjiakou", "广东省": "Guangdong", "江苏省": "Jiangsu", "河北省": "Hebei",
    "四川省": "Sichuan", "南宁市": "Nanning", "防城港市": "Fangchenggang", "昆明市": "Kunming",
    "西双版纳傣族自治州": "Xishuangbanna",
}
PROVINCE_EN = {"浙江省": "Zhejiang", "安徽省": "Anhui", "江西省": "Jiangxi", "湖北省": "Hubei", "河南省": "Henan",
               "山西省": "Shanxi", "贵州省": "Guizhou", "湖南省": "Hunan", "山东省": "Shandong", "江苏省": "Jiangsu"}


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class CityData:
    """The study's inputs: the city panel (per-resident outcomes added), the pilot list, the truth."""

    panel: pd.DataFrame  # city, province, month, retail_sales, online_sales, population, retail_pc, online_pc
    pilots: pd.DataFrame  # area, province, scope, start_month, batch, basis
    truth: pd.DataFrame | None  # city, month, te_retail_pc, te_online_pc (synthetic data only)
    synthetic: bool


def _per_resident(cities: pd.DataFrame) -> pd.DataFrame:
    p = cities.copy()
    p["city"] = p["city"].astype(str)
    # microsecond months: the synth module's period lists (ndarray.tolist) need datetime, not int, elements
    p["month"] = p["month"].astype("datetime64[us]")
    scale = 1e8 / (p["population"].astype(float) * 1e4)  # 亿元 / 万人 -> 元 per resident
    p["retail_pc"] = p["retail_sales"].astype(float) * scale
    p["online_pc"] = p["online_sales"].astype(float) * scale
    return p.sort_values(["city", "month"]).reset_index(drop=True)


def load_data(root: str | os.PathLike[str] | None = None) -> CityData:
    """Read the city panel, the pilot list and (for synthetic data) the true effects via ``rk.data.load``."""
    from research_kit import data

    cities = data.load("digital_rmb_cities", root=root)
    pilots = data.load("ecny_pilot_areas", root=root)
    synthetic = bool(cities.attrs.get("synthetic", False))
    truth = None
    if synthetic:
        truth = data.load("digital_rmb_true_effects", root=root)
        truth = truth.assign(city=truth["city"].astype(str))
    return CityData(panel=_per_resident(cities), pilots=pilots, truth=truth, synthetic=synthetic)


def pilot_month(pilots: pd.DataFrame, city: str) -> pd.Timestamp:
    """The month ``city`` became a pilot area (an error naming the city when it never did)."""
    hit = pilots.loc[pilots["area"] == city, "start_month"]
    if hit.empty:
        raise ValueError(f"{city!r} is not in the pilot list (dataset ecny_pilot_areas); it has no pilot date.")
    return pd.Timestamp(hit.min())


def donor_pool(panel: pd.DataFrame, pilots: pd.DataFrame, *, treated: str = TREATED) -> pd.DataFrame:
    """Role of every city of the panel: treated, donor, or the first rule that excludes it.

    Rules, in order, with "by the end of the sample" meaning a pilot month not after the panel's last month:
    ``pilot`` (the city itself is a pilot area), ``province_pilot`` (its province became a pilot area as a
    whole), ``neighbour`` (it borders the treated city, :data:`NEIGHBOURS`), ``same_province`` (same
    province as the treated city: provincial promotion of the pilot). Returns columns city, province,
    status, pilot_month (NaT where none).
    """
    end = panel["month"].max()
    cities = panel.drop_duplicates("city")[["city", "province"]].reset_index(drop=True)
    if treated not in set(cities["city"]):
        raise ValueError(f"treated city {treated!r} is not in the panel; cities: {sorted(cities['city'])}.")
    live = pilots.loc[pilots["start_month"] <= end]
    own = live.groupby("area")["start_month"].min()
    prov = live.loc[live["scope"] == "province"].groupby("province")["start_month"].min()
    t_prov = cities.loc[cities["city"] == treated, "province"].iloc[0]
    neighbours = set(NEIGHBOURS.get(treated, ()))
    status, when = [], []
    for city, province in zip(cities["city"], cities["province"]):
        if city == treated:
            status.append("treated")
            when.append(own.get(city, pd.NaT))
        elif city in own.index:
            status.append("pilot")
            when.append(own[city])
        elif province in prov.index:
            status.append("province_pilot")
            when.append(prov[province])
        elif city in neighbours:
            status.append("neighbour")
            when.append(pd.NaT)
        elif province == t_prov:
            status.append("same_province")
            when.append(pd.NaT)
        else:
            status.append("donor")
            when.append(pd.NaT)
    return cities.assign(status=status, pilot_month=pd.to_datetime(when))
