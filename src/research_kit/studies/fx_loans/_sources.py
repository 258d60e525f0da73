"""The FX-loans paper's data sources and trade outcomes.

How the ledger, registry, SAFE and hedging records matched the sample, and the programme's effects on export receipts and on
the share of receipts hedged (Callaway–Sant'Anna, as the headline estimate).

Every number comes from :func:`linked_sources` or an estimator; nothing is typed in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from research_kit.report.labels import Lang
from research_kit.report.tables import Table, format_number, table
from research_kit.results import Result
from research_kit.studies.fx_loans._data import LABELS, TRADE_OUTCOMES, labels, linked_sources, truth_overall

__all__ = [
    "TradeEffects", "linkage_paragraph", "linkage_table", "trade_effects", "trade_paragraph",
    "trade_table",
]

_OUTCOME = {
    "export_receipts": LABELS["export_receipts"],
    "hedged_share": {"zh": "收汇套保比例", "en": "Share of receipts hedged"},
}
_PHRASE_EN = {"export_receipts": "export receipts (USD 10k)", "hedged_share": "the share of receipts hedged"}
_LINKS = {
    "ledger_registry": {"zh": "贷款台账（借据）↔ 主体名录", "en": "Loan ledger ↔ registry"},
    "sample_registry": {"zh": "样本个体工商户 ↔ 主体名录", "en": "Sample businesses ↔ registry"},
    "ledger_sample": {"zh": "贷款台账（借据）↔ 样本", "en": "Loan ledger ↔ sample"},
    "safe_sample": {"zh": "外汇收支（主体-月）↔ 样本", "en": "SAFE receipts (entity-months) ↔ sample"},
    "hedges_sample": {"zh": "套保合约 ↔ 样本", "en": "Hedging contracts ↔ sample"},
}


def linkage_table(*, lang: Lang = "zh", root: str | os.PathLike[str] | None = None) -> Table:
    """One row per link: rows, matched share, codes normalized, 注册号 mapped, invalid codes (counts only)."""
    lab = labels(lang)
    rows = []
    for key, rep in linked_sources(root=root).reports.items():
        rows.append({
            lab.pick(zh="匹配", en="Link"): _LINKS[key][lang],
            lab.pick(zh="行数", en="Rows"): rep.n_left,
            lab.pick(zh="匹配率", en="Matched"): rep.match_rate_left,
            lab.pick(zh="代码经规范化", en="Codes normalized"): rep.normalized_left,
            lab.pick(zh="注册号转换", en="Old registration no. mapped"): rep.mapped_left,
            lab.pick(zh="无效代码", en="Invalid codes"): rep.invalid_left,
            lab.pick(zh="代码缺失", en="Missing codes"): rep.missing_left,
        })
    return table(pd.DataFrame(rows), digits=1, percent=[lab.pick(zh="匹配率", en="Matched")],
                 caption=lab.pick(zh="数据来源的匹配情况（按统一社会信用代码）",
                                  en="How the sources matched (by unified social credit code)"),
                 notes=[lab.pick(zh="匹配率为左侧数据中与右侧匹配的行所占比例；未匹配的行不进入分析，但在此计数。",
                                 en="Matched: share of the left-hand rows with a partner on the right; unmatched rows "
                                    "are left out of the analysis and counted here.")])


def linkage_paragraph(*, lang: Lang = "zh", root: str | os.PathLike[str] | None = None) -> str:
    """How the outcomes were built from the sources, with the match counts."""
    lab = labels(lang)
    links = linked_sources(root=root)
    led, safe = links.reports["ledger_registry"], links.reports["safe_sample"]
    sample = links.reports["ledger_sample"]
    agree = format_number(links.balance_agreement, percent=True, digits=1)
    return lab.pick(
        zh=f"外汇贷款余额由人民银行的贷款台账（{links.n_loans:,} 笔借据）和还款记录（{links.n_repayments:,} 笔）逐笔计算："
           f"每笔借据自放款日起计入余额，至全部还清或到期日止；欧元贷款按申报的月度汇率折算为美元。"
           f"借款人代码经规范化（全角、空格、大小写）并将旧注册号按主体名录转换为统一社会信用代码后，"
           f"{led.match_rate_left:.1%} 的借据与主体名录匹配，其中 {sample.matched_left:,} 笔属于样本个体工商户；"
           f"{led.invalid_left:,} 笔借据的代码无效。出口收汇取自外汇局收支数据（{safe.n_left:,} 个主体-月，"
           f"{safe.match_rate_left:.1%} 属于样本），套保比例为当月到期套保合约名义本金占当月收汇的比例。"
           f"由台账计算的月末余额与银行月报余额一致的主体-月占 {agree}。",
        en=f"FX-loan balances are computed loan by loan from the PBoC ledger ({links.n_loans:,} loans) and its "
           f"repayments ({links.n_repayments:,}): a loan counts from its issue date until it is repaid in full or "
           f"matures; euro loans are converted to US dollars at the declared monthly rates. After normalizing the "
           f"borrower codes (full-width characters, spaces, case) and mapping old registration numbers to USCCs "
           f"through the registry, {led.match_rate_left:.1%} of the loans match the registry, {sample.matched_left:,} "
           f"of them belong to sampled businesses; {led.invalid_left:,} loans carry an invalid code. Export "
           f"receipts come from SAFE ({safe.n_left:,} entity-months, {safe.match_rate_left:.1%} in the sample); the "
           f"hedged share is the notional of hedging contracts maturing in a month over that month's receipts. "
           f"The ledger's month-end balances equal the banks' monthly reports in {agree} of business-months.",
    )


@dataclass(frozen=True)
class TradeEffects:
    """Callaway–Sant'Anna simple ATT per trade outcome, with the simulated truth (NaN for real data)."""

    results: dict[str, Result]
    truth: dict[str, float]
    synthetic: bool


def trade_effects(panel: pd.DataFrame, *, control_group: str = "not_yet", alpha: float = 0.05, seed: int = 0,
                  cluster: str = "cell", synthetic: bool = True) -> TradeEffects:
    """The headline estimator (Callaway–Sant'Anna, outcome regression) for each trade outcome.

    Clustered as the paper's main estimates (``cell`` = county × bank, ``county`` or ``business_id``).
    """
    from research_kit import did
    from research_kit.studies.fx_loans._estimate import with_cells

    panel = with_cells(panel)

    results, truth = {}, {}
    for outcome in TRADE_OUTCOMES:
        cs = did.callaway_santanna(panel, outcome=outcome, unit="business_id", time="t", cohort="cohort",
                                   control_group=control_group, method="reg", cluster=cluster, level=1 - alpha,
                                   seed=seed, unbalanced="pairwise")
        results[outcome] = cs.aggregate("simple")
        te = f"te_{outcome}"
        truth[outcome] = truth_overall(panel, outcome) if synthetic and te in panel.columns else float("nan")
    return TradeEffects(results=results, truth=truth, synthetic=synthetic)


def trade_table(eff: TradeEffects, *, lang: Lang = "zh") -> Table:
    lab = labels(lang)
    rows = []
    for outcome, r in eff.results.items():
        row = {lab.pick(zh="结果变量", en="Outcome"): _OUTCOME[outcome][lang], lab("estimate"): r.estimate,
               lab("std_error"): r.std_error,
               lab("conf_int"): f"[{format_number(r.conf_low, digits=3)}, {format_number(r.conf_high, digits=3)}]"}
        if eff.synthetic:
            row[lab("truth")] = eff.truth[outcome]
        rows.append(row)
    return table(pd.DataFrame(rows), digits=3,
                 caption=lab.pick(zh="对出口收汇与收汇套保比例的平均处理效应（Callaway–Sant'Anna）",
                                  en="Average effects on export receipts and on the share of receipts hedged "
                                     "(Callaway–Sant'Anna)"))


def _verdict(outcome: str, r: Result, truth: float, synthetic: bool, lang: Lang) -> str:
    """One sentence per outcome, chosen from the interval: excludes zero or not; covers the truth or not."""
    name = _OUTCOME[outcome][lang]
    est, lo, hi = format_number(r.estimate, digits=3), format_number(r.conf_low, digits=3), format_number(r.conf_high, digits=3)
    signif = r.conf_low > 0 or r.conf_high < 0
    if lang == "zh":
        text = (f"{name}的估计效应为 {est}（95% 置信区间 [{lo}, {hi}]），"
                + ("在统计上显著不为零" if signif else "在统计上与零无显著差异"))
        if synthetic:
            text += "，区间" + ("覆盖" if _covers(r, truth) else "未覆盖") + f"模拟真实效应 {format_number(truth, digits=3)}"
        return text + "。"
    text = f"The estimated effect on {_PHRASE_EN[outcome]} is {est} (95% CI [{lo}, {hi}]), " + (
        "statistically different from zero" if signif else "not statistically different from zero")
    if synthetic:
        text += (", and the interval " + ("covers" if _covers(r, truth) else "does not cover")
                 + f" the simulated true effect of {format_number(truth, digits=3)}")
    return text + "."


def _covers(r: Result, truth: float) -> bool:
    """Whether the confidence interval of ``r`` covers ``truth``."""
    return bool(r.conf_low <= truth <= r.conf_high)


def trade_paragraph(eff: TradeEffects, *, lang: Lang = "zh") -> str:
    """The two sentences of :func:`_verdict`, after one on what the outcomes measure."""
    lab = labels(lang)
    intro = lab.pick(
        zh="外汇贷款可能通过缓解资金约束扩大出口，也可能通过银行配套的远期、期权产品提高收汇的套保比例。",
        en="FX loans could raise exports by easing financing constraints, and raise the share of receipts hedged "
           "through the forwards and options banks sell alongside them.",
    )
    body = (" " if lang == "en" else "").join(
        _verdict(o, r, eff.truth[o], eff.synthetic, lang) for o, r in eff.results.items())
    return intro + (" " if lang == "en" else "") + body
