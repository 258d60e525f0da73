"""Raw demo files of the digital-RMB, hedging-guarantee and financing-cost studies.

``python -m research_kit.simulate.study_raw`` writes them to ``data/raw/studies/`` (or ``--out``),
in the shapes statistical offices and banks deliver (GBK or UTF-8 CSV, Chinese headers, amounts
in 亿元/万元/万美元, months such as ``2022年4月``). Every file is SYNTHETIC except
``ecny_pilot_areas.csv``, the list of e-CNY pilot areas transcribed from the People's Bank of
China announcements (see :data:`ECNY_PILOT_AREAS`). The studies read these files only through
``research_kit.data.load`` after ``research-kit prepare``.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["ECNY_PILOT_AREAS", "STUDY_RAW_FILES", "write_study_raw"]

_PBOC_2020 = "人民银行2020年4月公布首批试点地区（2019年末启动）"
_PBOC_2020B = "人民银行2020年10月增加第二批试点地区"
_PBOC_2022 = "人民银行2022年3月31日数字人民币研发试点工作座谈会，2022年4月2日公布"
_PRESS_2022 = "2022年底扩大试点范围（媒体报道，人民银行2022年9月曾预告四省扩容）；用真实数据前应以人民银行公告核实月份"

#: e-CNY pilot areas (area, province, scope, first month, batch, source). REAL facts, transcribed from the
#: PBoC announcements (2020-04, 2020-10, 2022-04-02; reported e.g. by 中经网 2022-04-06) and press reports
#: of the end-2022 extension (Workers' Daily, via third-party reprints); the month of that last batch is
#: given as 2022-12 and should be checked against the PBoC's own notice before real data are used.
ECNY_PILOT_AREAS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("深圳市", "广东省", "城市", "2020-04", "第一批", _PBOC_2020),
    ("苏州市", "江苏省", "城市", "2020-04", "第一批", _PBOC_2020),
    ("雄安新区", "河北省", "城市", "2020-04", "第一批", _PBOC_2020),
    ("成都市", "四川省", "城市", "2020-04", "第一批", _PBOC_2020),
    ("北京冬奥会场景", "北京市", "场景", "2020-04", "第一批", _PBOC_2020),
    ("上海市", "上海市", "城市", "2020-10", "第二批", _PBOC_2020B),
    ("海南省", "海南省", "省域", "2020-10", "第二批", _PBOC_2020B),
    ("长沙市", "湖南省", "城市", "2020-10", "第二批", _PBOC_2020B),
    ("西安市", "陕西省", "城市", "2020-10", "第二批", _PBOC_2020B),
    ("青岛市", "山东省", "城市", "2020-10", "第二批", _PBOC_2020B),
    ("大连市", "辽宁省", "城市", "2020-10", "第二批", _PBOC_2020B),
    ("天津市", "天津市", "城市", "2022-04", "第三批", _PBOC_2022),
    ("重庆市", "重庆市", "城市", "2022-04", "第三批", _PBOC_2022),
    ("广州市", "广东省", "城市", "2022-04", "第三批", _PBOC_2022),
    ("福州市", "福建省", "城市", "2022-04", "第三批", _PBOC_2022),
    ("厦门市", "福建省", "城市", "2022-04", "第三批", _PBOC_2022),
    ("杭州市", "浙江省", "城市", "2022-04", "第三批（亚运会承办城市）", _PBOC_2022),
    ("宁波市", "浙江省", "城市", "2022-04", "第三批（亚运会承办城市）", _PBOC_2022),
    ("温州市", "浙江省", "城市", "2022-04", "第三批（亚运会承办城市）", _PBOC_2022),
    ("湖州市", "浙江省", "城市", "2022-04", "第三批（亚运会承办城市）", _PBOC_2022),
    ("绍兴市", "浙江省", "城市", "2022-04", "第三批（亚运会承办城市）", _PBOC_2022),
    ("金华市", "浙江省", "城市", "2022-04", "第三批（亚运会承办城市）", _PBOC_2022),
    ("北京市", "北京市", "城市", "2022-04", "第三批（冬奥会场景转为试点地区）", _PBOC_2022),
    ("张家口市", "河北省", "城市", "2022-04", "第三批（冬奥会场景转为试点地区）", _PBOC_2022),
    ("广东省", "广东省", "省域", "2022-12", "第四批", _PRESS_2022),
    ("江苏省", "江苏省", "省域", "2022-12", "第四批", _PRESS_2022),
    ("河北省", "河北省", "省域", "2022-12", "第四批", _PRESS_2022),
    ("四川省", "四川省", "省域", "2022-12", "第四批", _PRESS_2022),
    ("济南市", "山东省", "城市", "2022-12", "第四批", _PRESS_2022),
    ("南宁市", "广西壮族自治区", "城市", "2022-12", "第四批", _PRESS_2022),
    ("防城港市", "广西壮族自治区", "城市", "2022-12", "第四批", _PRESS_2022),
    ("昆明市", "云南省", "城市", "2022-12", "第四批", _PRESS_2022),
    ("西双版纳傣族自治州", "云南省", "城市", "2022-12", "第四批", _PRESS_2022),
)

#: Files written under ``studies/`` of the raw folder, in the order :func:`write_study_raw` returns them.
STUDY_RAW_FILES: tuple[str, ...] = (
    "studies/ecny_pilot_areas.csv",
    "studies/digital_rmb_cities.csv",
    "studies/digital_rmb_true_effects.csv",
    "studies/financing_cost_panel.csv",
    "studies/financing_cost_truth.csv",
    "studies/hedging_guarantee_firms.csv",
    "studies/hedging_guarantee_truth.csv",
)

BANK_ZH = {"boc": "中国银行", "icbc": "工商银行", "ccb": "建设银行", "abc": "农业银行", "jhb": "金华银行", "rcb": "农商银行"}


def _zh_month(ts: pd.Timestamp) -> str:
    return f"{ts.year}年{ts.month}月"


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _pilot_areas_csv() -> bytes:
    rows = [(a, p, s, _zh_month(pd.Timestamp(m)), b, src) for a, p, s, m, b, src in ECNY_PILOT_AREAS]
    return _csv(["试点地区", "所在省份", "范围", "纳入试点时间", "批次", "依据"], rows).encode("utf-8")


def _digital_rmb_files(seed: int) -> dict[str, bytes]:
    from research_kit.simulate.synth import digital_rmb_city_panel

    d = digital_rmb_city_panel(seed=seed)
    p = d.panel
    rows = [(c, pr, _zh_month(m), f"{r:.2f}", f"{o:.2f}", f"{pop:.1f}")
            for c, pr, m, r, o, pop in zip(p["city"], p["province"], p["month"], p["retail_sales"],
                                           p["online_sales"], p["population"])]
    cities = _csv(["城市", "省份", "月份", "社会消费品零售总额(亿元)", "网上零售额(亿元)", "常住人口(万人)"], rows)
    t = d.truth
    truth = _csv(["城市", "月份", "人均社零真实效应(元)", "人均网零真实效应(元)"],
                 [(c, f"{m:%Y-%m}", f"{a:.4f}", f"{b:.4f}") for c, m, a, b in
                  zip(t["city"], t["month"], t["te_retail_pc"], t["te_online_pc"])])
    return {"studies/digital_rmb_cities.csv": cities.encode("gbk"),
            "studies/digital_rmb_true_effects.csv": truth.encode("utf-8-sig")}


def _financing_files(seed: int) -> dict[str, bytes]:
    from research_kit.data.counties import COUNTIES
    from research_kit.simulate.panel_iv import QUARTER_START, financing_cost_demo

    d = financing_cost_demo(600, n_quarters=16, seed=seed)
    p = d.panel
    names = COUNTIES["name_zh"]
    end_month = {k: _zh_month((QUARTER_START + (k - 1)).end_time.to_period("M").to_timestamp())
                 for k in sorted(p["t"].unique())}
    rows = [(f, end_month[t], names[c], BANK_ZH[b], f"{r:.3f}", f"{np.exp(lc):,.2f}", f"{np.exp(le):,.2f}",
             f"{z1:.3f}", f"{z2:.3f}")
            for f, t, c, b, r, lc, le, z1, z2 in zip(p["firm_id"], p["t"], p["county"], p["bank"], p["loan_rate"],
                                                     p["log_credit"], p["log_exports"], p["relending"],
                                                     p["rediscount"])]
    panel = _csv(["企业编号", "报告期", "县市区", "主办银行", "贷款利率(%)", "贷款余额(万元)", "出口收汇(万美元)",
                  "主办行再贷款额度(占贷款%)", "主办行再贴现额度(占贷款%)"], rows)
    truth = _csv(["参数", "真实值", "说明"],
                 [("rate_effect", f"{d.truth['rate_effect']:.6f}", "贷款利率每 1 个百分点对贷款余额（对数）的效应"),
                  ("export_effect", f"{d.truth['export_effect']:.6f}", "出口收汇（对数）对贷款余额（对数）的效应")])
    return {"studies/financing_cost_panel.csv": panel.encode("gbk"),
            "studies/financing_cost_truth.csv": truth.encode("utf-8")}


def _hedging_files(seed: int) -> dict[str, bytes]:
    from research_kit.data.counties import COUNTIES
    from research_kit.simulate._raw import SECTOR_ZH
    from research_kit.simulate.rd import smallfirm_guarantee_demo

    d = smallfirm_guarantee_demo(4000, seed=seed)
    f = d.firms
    names = COUNTIES["name_zh"]
    rows = [(i, names[c], SECTOR_ZH[s], f"{r:,.1f}", f"{x:,.2f}", e, a, f"{h21:.2f}", g, f"{h:.2f}", f"{loss:.3f}")
            for i, c, s, r, x, e, a, h21, g, h, loss in zip(
                f["firm_id"], f["county"], f["sector"], f["revenue"], f["export_receipts"], f["employees"],
                f["firm_age"], f["hedge_ratio_2021"], f["guaranteed"], f["hedge_ratio"], f["fx_loss"])]
    firms = _csv(["企业编号", "县市区", "行业", "上年营业收入(万元)", "上年出口收汇(万美元)", "从业人员(人)", "成立年限(年)",
                  "2021年避险比例(%)", "办理避险担保", "避险比例(%)", "汇兑损失(占收汇%)"], rows)
    notes = {"window": "真实效应的计算范围：真实营业收入距门槛不超过该值（万元）",
             "first_stage": "门槛附近符合条件企业的担保办理率", "late_hedge_ratio": "担保对办理企业避险比例的效应（百分点）",
             "late_fx_loss": "担保对办理企业汇兑损失的效应（百分点）", "itt_hedge_ratio": "符合条件对避险比例的效应（百分点）",
             "itt_fx_loss": "符合条件对汇兑损失的效应（百分点）"}
    truth = _csv(["参数", "真实值", "说明"], [(k, f"{v:.6f}", notes[k]) for k, v in d.truth.items()])
    return {"studies/hedging_guarantee_firms.csv": firms.encode("gbk"),
            "studies/hedging_guarantee_truth.csv": truth.encode("utf-8")}


def write_study_raw(directory: str | os.PathLike[str], *, seed: int = 20221230) -> list[Path]:
    """Write the studies' raw demo files (SYNTHETIC, except the pilot list) under ``directory``.

    The same ``seed`` writes the same bytes. Returns the paths in :data:`STUDY_RAW_FILES` order.
    Register them afterwards with ``research-kit manifest``.
    """
    out = Path(directory)
    files = {"studies/ecny_pilot_areas.csv": _pilot_areas_csv(), **_digital_rmb_files(seed),
             **_financing_files(20230301), **_hedging_files(seed)}
    written = []
    for rel in STUDY_RAW_FILES:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[rel])
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    from research_kit import paths

    parser = argparse.ArgumentParser(prog="python -m research_kit.simulate.study_raw",
                                     description="Write the studies' synthetic raw demo files.")
    parser.add_argument("--out", default=None, help="raw folder (default: the project's data/raw)")
    parser.add_argument("--seed", type=int, default=20221230)
    args = parser.parse_args(argv)
    for path in write_study_raw(args.out if args.out is not None else paths.raw_dir(), seed=args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
