"""Interpretive sentences chosen from a run's numbers, in Chinese and English.

Every function here takes numbers (or small frames of numbers) and returns the
sentence that those numbers support, with one branch per case; each branch is
tested in ``tests/report/test_claims.py`` with inputs that reach it. Papers
call these functions instead of writing a verdict ("significant", "consistent
with parallel trends", "robust") into their prose.

Conventions used by the verdicts
--------------------------------
* Significance: a two-sided interval at ``level`` that excludes zero.
* Joint pre-trend tests (Wald, chi-squared): a test is *uninformative* when its
  statistic or p-value is missing, when it has at least as many restrictions as
  clusters (a cluster-robust covariance of ``q`` coefficients from ``G`` clusters
  has rank at most ``G``, so it is singular for ``q >= G``), or when the statistic
  sits so far in the lower tail of its null distribution that a correct
  covariance would almost never produce it (``p > 1 - 1e-4``, e.g. 73.7 on 384 df).
  Such a test is reported but never cited as evidence.
* Relative magnitudes (Rambachan and Roth 2023): the breakdown value of ``Mbar``
  is the smallest ``Mbar`` whose robust interval includes zero; ``Mbar = 1`` is
  the benchmark "post-period violations as large as the largest pre-period one".
* Balance (Imbens and Rubin 2015, ch. 14; Austin 2009): ``|standardised difference|``
  above 0.25 is a serious imbalance, above 0.1 a notable one; a variance ratio
  outside ``[0.5, 2]`` is a difference in spread that a comparison of means hides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from research_kit.report.labels import Labels, Lang, check_lang
from research_kit.report.tables import format_number

__all__ = [
    "SMD_SERIOUS", "SMD_NOTABLE", "VR_BOUNDS", "UNINFORMATIVE_P",
    "p_text", "significance", "significance_class", "pretrend_status", "PretrendVerdict", "pretrend_verdict", "pretrend_sentence",
    "parallel_trends_caveat", "breakdown_sentence", "coverage_sentence", "balance_flags", "balance_sentence",
    "cluster_inference_sentence", "BaconGap", "bacon_gap", "bacon_gap_sentence", "estimand_reason", "join_names",
]

SMD_SERIOUS = 0.25  # Imbens and Rubin (2015), ch. 14
SMD_NOTABLE = 0.10  # Austin (2009)
VR_BOUNDS = (0.5, 2.0)
UNINFORMATIVE_P = 1 - 1e-4

Significance = Literal["positive", "negative", "zero", "unknown"]
PretrendStatus = Literal["reject", "no_reject", "uninformative"]


def _f(x: float, digits: int = 2) -> str:
    return format_number(float(x), digits=digits)


def join_names(names: Sequence[str], lang: Lang = "zh") -> str:
    """'A', 'A and B', 'A, B and C' (zh: 'A、B 和 C')."""
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if lang == "zh":
        return "、".join(names[:-1]) + "和" + names[-1]
    return ", ".join(names[:-1]) + " and " + names[-1]


def p_text(p: float) -> str:
    """``p < 0.001``, ``p = 0.036`` or ``p > 0.999`` (language-neutral)."""
    if p is None or not np.isfinite(p):
        return "p = –"
    if p < 0.001:
        return "p < 0.001"
    if p > 0.999:
        return "p > 0.999"
    return f"p = {p:.3f}"


# --------------------------------------------------------------------------- significance
def significance_class(conf_low: float, conf_high: float) -> Significance:
    """Sign of an interval relative to zero: ``positive``, ``negative``, ``zero`` (includes 0) or ``unknown``."""
    if conf_low is None or conf_high is None or not (np.isfinite(conf_low) and np.isfinite(conf_high)):
        return "unknown"
    if conf_low > 0:
        return "positive"
    if conf_high < 0:
        return "negative"
    return "zero"


def significance(conf_low: float, conf_high: float, *, level: float = 0.95, lang: Lang = "zh") -> str:
    """Clause stating what the interval says about the sign of the effect.

    Examples
    --------
    >>> significance(0.1, 0.5, lang="en")
    'positive and statistically significant at the 5% level (the 95% interval excludes zero)'
    >>> significance(-0.1, 0.5, lang="en")
    'not statistically distinguishable from zero at the 5% level (the 95% interval includes zero)'
    """
    check_lang(lang)
    lab = Labels(lang)
    lv = int(round(100 * level))
    sig = int(round(100 * (1 - level)))
    kind = significance_class(conf_low, conf_high)
    if kind == "positive":
        return lab.pick(zh=f"在 {sig}% 水平上显著为正（{lv}% 置信区间不含零）",
                        en=f"positive and statistically significant at the {sig}% level (the {lv}% interval excludes zero)")
    if kind == "negative":
        return lab.pick(zh=f"在 {sig}% 水平上显著为负（{lv}% 置信区间不含零）",
                        en=f"negative and statistically significant at the {sig}% level (the {lv}% interval excludes zero)")
    if kind == "zero":
        return lab.pick(zh=f"在 {sig}% 水平上与零无显著差异（{lv}% 置信区间包含零）",
                        en=f"not statistically distinguishable from zero at the {sig}% level (the {lv}% interval includes zero)")
    return lab.pick(zh="无法判断显著性（没有可用的置信区间）", en="of unknown significance (no interval could be computed)")


# --------------------------------------------------------------------------- pre-trend tests
def pretrend_status(statistic: float, df: float, p_value: float, *, n_clusters: int | None = None,
                    alpha: float = 0.05) -> tuple[PretrendStatus, str]:
    """Classify one joint pre-trend test: (status, reason) with reason one of
    ``missing``, ``rank``, ``lower_tail`` (uninformative) or ``""``."""
    if n_clusters is not None and df >= n_clusters:
        return "uninformative", "rank"
    if statistic is None or p_value is None or not (np.isfinite(statistic) and np.isfinite(p_value)):
        return "uninformative", "missing"
    if p_value > UNINFORMATIVE_P:
        return "uninformative", "lower_tail"
    return ("reject" if p_value < alpha else "no_reject"), ""


@dataclass(frozen=True)
class PretrendVerdict:
    """Joint pre-trend tests sorted into rejecting, not rejecting and uninformative."""

    status: PretrendStatus  # reject if any informative test rejects; uninformative if none is informative
    rejecting: list[tuple[str, float]] = field(default_factory=list)  # (name, p)
    not_rejecting: list[tuple[str, float]] = field(default_factory=list)
    uninformative: list[tuple[str, str, float, int]] = field(default_factory=list)  # (name, reason, stat, df)
    alpha: float = 0.05


def pretrend_verdict(tests: Sequence[tuple[str, Mapping[str, float] | None]], *,
                     n_clusters: Mapping[str, int] | int | None = None, alpha: float = 0.05) -> PretrendVerdict:
    """Sort named joint tests (dicts with ``statistic``, ``df``, ``p_value``; None = not computed).

    ``n_clusters`` is the number of clusters behind each test's covariance (one number for all,
    or a mapping by name).
    """
    rej, norej, uninf = [], [], []
    for name, t in tests:
        t = t or {}
        g = n_clusters.get(name) if isinstance(n_clusters, Mapping) else n_clusters
        stat, df, p = t.get("statistic", float("nan")), t.get("df", 0), t.get("p_value", float("nan"))
        status, reason = pretrend_status(stat, df, p, n_clusters=g, alpha=alpha)
        if status == "reject":
            rej.append((name, float(p)))
        elif status == "no_reject":
            norej.append((name, float(p)))
        else:
            uninf.append((name, reason, float(stat) if stat is not None else float("nan"), int(df or 0)))
    status: PretrendStatus = "reject" if rej else ("no_reject" if norej else "uninformative")
    return PretrendVerdict(status, rej, norej, uninf, alpha)


def _uninformative_clause(v: PretrendVerdict, lang: Lang) -> str:
    if not v.uninformative:
        return ""
    lab = Labels(lang)
    parts = []
    by_reason: dict[str, list[tuple[str, float, int]]] = {}
    for name, reason, stat, df in v.uninformative:
        by_reason.setdefault(reason, []).append((name, stat, df))
    for reason, items in by_reason.items():
        names = join_names([n for n, _, _ in items], lang)
        dfs = "、".join(str(d) for _, _, d in items) if lang == "zh" else ", ".join(str(d) for _, _, d in items)
        if reason == "missing":
            parts.append(lab.pick(zh=f"{names}的检验因协方差矩阵奇异无法计算",
                                  en=f"the {names} tests cannot be computed (singular covariance)"))
        elif reason == "rank":
            parts.append(lab.pick(zh=f"{names}的检验约束数（{dfs}）不少于聚类数，协方差矩阵必然奇异",
                                  en=f"the {names} tests have as many restrictions ({dfs}) as clusters or more, so "
                                     f"their covariance is necessarily singular"))
        else:
            stats_ = join_names([f"{_f(st)}（自由度 {d}）" if lang == "zh" else f"{_f(st)} on {d} df"
                                 for _, st, d in items], lang)
            parts.append(lab.pick(
                zh=f"{names}的检验统计量（{stats_}）远低于原假设下的正常取值，说明其协方差被高估或近乎奇异",
                en=f"the {names} statistics ({stats_}) are far below anything a correct covariance would "
                   f"produce under the null, so the covariance is overstated or near-singular"))
    return lab.pick(zh="；".join(parts) + "，因此这些检验没有信息量，不作为证据。",
                    en="; ".join(parts) + ": these tests are uninformative and are not used as evidence.")


def pretrend_sentence(v: PretrendVerdict, *, lang: Lang = "zh", ref: str = "") -> str:
    """What the joint pre-trend tests show (``ref``: e.g. ``"（表 4）"`` / ``" (Table 4)"``)."""
    check_lang(lang)
    lab = Labels(lang)
    a = int(round(100 * v.alpha))
    if v.status == "reject":
        names = join_names([f"{n}（{p_text(p)}）" if lang == "zh" else f"{n} ({p_text(p)})" for n, p in v.rejecting], lang)
        head = lab.pick(zh=f"开办前系数的联合检验中，{names}在 {a}% 水平上拒绝“开办前效应均为零”{ref}，这是不利于平行趋势假设的证据。",
                        en=f"Among the joint tests of the pre-programme coefficients, {names} reject that they are all "
                           f"zero at the {a}% level{ref}: evidence against parallel trends.")
        if v.not_rejecting:
            others = join_names([f"{n}（{p_text(p)}）" if lang == "zh" else f"{n} ({p_text(p)})" for n, p in v.not_rejecting], lang)
            head += lab.pick(zh=f"{others}不拒绝，但这不抵消上述拒绝。",
                             en=f" {others} do not reject, which does not offset the rejections.")
    elif v.status == "no_reject":
        ps = [p for _, p in v.not_rejecting]
        names = join_names([n for n, _ in v.not_rejecting], lang)
        rng = p_text(ps[0]) if len(ps) == 1 else f"p = {min(ps):.3f}–{max(ps):.3f}"
        head = lab.pick(zh=f"有信息量的联合检验（{names}）均不拒绝“开办前效应均为零”（{rng}）{ref}；这与平行趋势相符，但检验功效有限，不能证明该假设成立。",
                        en=f"The informative joint tests ({names}) do not reject that the pre-programme effects are all "
                           f"zero ({rng}){ref}; this is consistent with parallel trends, but such tests have limited "
                           f"power and cannot establish it.")
    else:
        head = lab.pick(zh=f"开办前系数的联合检验均没有信息量{ref}，无法为平行趋势假设提供支持或反对的证据。",
                        en=f"None of the joint tests of the pre-programme coefficients is informative{ref}, so they "
                           f"give no evidence for or against parallel trends.")
    tail = _uninformative_clause(v, lang)
    if not tail:
        return head
    return head + tail if lang == "zh" else head + " " + _cap(tail)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def parallel_trends_caveat(v: PretrendVerdict, *, lang: Lang = "zh") -> str:
    """The caveat-section bullet on parallel trends, consistent with the tests actually run."""
    check_lang(lang)
    lab = Labels(lang)
    if v.status == "reject":
        names = join_names([n for n, _ in v.rejecting], lang)
        return lab.pick(
            zh=f"平行趋势假设无法直接检验，而本样本中 {names} 的开办前联合检验在 {int(round(100 * v.alpha))}% 水平上拒绝了开办前效应均为零："
               "开办前各月的估计值并非都接近零。结论因此依赖于开办后偏离有限这一更强的假设，其程度见敏感性分析。",
            en=f"Parallel trends cannot be tested directly, and here the joint pre-programme "
               f"{'test' if len(v.rejecting) == 1 else 'tests'} of {names} {'rejects' if len(v.rejecting) == 1 else 'reject'} "
               f"that the pre-programme effects are all zero at the {int(round(100 * v.alpha))}% level: the "
               "pre-programme estimates are not all close to zero. The conclusions therefore rest on post-programme "
               "violations being limited; the sensitivity analysis shows how limited they must be.")
    if v.status == "no_reject":
        return lab.pick(
            zh="平行趋势假设无法直接检验；有信息量的开办前联合检验不拒绝它，这与该假设相符，但不能证明它成立。",
            en="Parallel trends cannot be tested directly; the informative joint pre-programme tests do not reject it, "
               "which is consistent with it but does not prove it.")
    return lab.pick(
        zh="平行趋势假设无法直接检验，本样本中的开办前联合检验也没有信息量；结论完全依赖于该假设，应结合敏感性分析阅读。",
        en="Parallel trends cannot be tested directly, and the joint pre-programme tests in this sample are "
           "uninformative; the conclusions rest entirely on the assumption and should be read with the sensitivity analysis.")


# --------------------------------------------------------------------------- relative magnitudes
def breakdown_sentence(breakdown: float, *, grid_max: float, search_max: float, lang: Lang = "zh",
                       ref: str = "") -> str:
    """What the breakdown value of ``Mbar`` means.

    ``breakdown`` is the smallest ``Mbar`` whose robust interval includes zero: ``0`` when even
    exact parallel trends leave zero in the interval, ``inf`` when the interval excludes zero up to
    ``search_max``; ``grid_max`` is the largest ``Mbar`` of the table shown.
    """
    check_lang(lang)
    lab = Labels(lang)
    if not np.isfinite(breakdown) and breakdown is not None and not math.isnan(breakdown):
        return lab.pick(
            zh=f"在所检查的全部范围内（M̄ 直至 {search_max:g}），开办后平均效应的稳健置信区间都不包含零{ref}：只有当开办后对平行趋势的偏离超过开办前最大月度偏离的 {search_max:g} 倍时，结论才可能被推翻。",
            en=f"The robust interval for the average post-programme effect excludes zero for every M̄ up to "
               f"{search_max:g}{ref}: overturning the conclusion would take post-programme violations of parallel trends "
               f"more than {search_max:g} times the largest pre-programme month-to-month violation.")
    if breakdown is None or math.isnan(breakdown) or breakdown <= 0:
        return lab.pick(
            zh=f"即使假定平行趋势完全成立（M̄ = 0），开办后平均效应的稳健置信区间也包含零{ref}；该结论不具备对趋势偏离的稳健性。",
            en=f"Even with parallel trends holding exactly (M̄ = 0) the robust interval for the average "
               f"post-programme effect includes zero{ref}; the conclusion has no margin against violations.")
    b = f"{breakdown:.2f}"
    if breakdown <= 1:
        meaning = lab.pick(
            zh=f"也就是说，开办后偏离只需达到开办前最大月度偏离的 {b} 倍（不超过开办前已观察到的偏离）就足以使区间包含零，结论较为脆弱。",
            en=f"Post-programme violations only {b} times the largest pre-programme month-to-month violation — no larger "
               f"than violations already seen before the programme — would be enough to include zero: the conclusion is fragile.")
    else:
        meaning = lab.pick(
            zh=f"也就是说，只有当开办后的偏离超过开办前最大月度偏离的 {b} 倍时，区间才会包含零；偏离与开办前所见同等大小（M̄ = 1）时结论仍成立。",
            en=f"Only post-programme violations more than {b} times the largest pre-programme month-to-month violation "
               f"would bring zero into the interval; violations as large as those seen before the programme (M̄ = 1) "
               f"leave the conclusion intact.")
    if breakdown > grid_max:
        head = lab.pick(
            zh=f"表中直至 M̄ = {grid_max:g} 的稳健置信区间均不包含零{ref}；在表外继续搜索，使区间首次包含零的临界值为 M̄ = {b}。",
            en=f"Up to M̄ = {grid_max:g}, the largest value in the table, every robust interval excludes zero{ref}; "
               f"searching beyond the table, the breakdown value at which the interval first includes zero is M̄ = {b}.")
    else:
        head = lab.pick(
            zh=f"使开办后平均效应的稳健置信区间首次包含零的临界值为 M̄ = {b}{ref}。",
            en=f"The breakdown value at which the robust interval for the average post-programme effect first "
               f"includes zero is M̄ = {b}{ref}.")
    return head + ("" if lang == "zh" else " ") + meaning


# --------------------------------------------------------------------------- coverage of a known truth
def coverage_sentence(truth: float, intervals: Sequence[tuple[str, float, float]], *, lang: Lang = "zh",
                      reason: str = "", digits: int = 3) -> str:
    """Which intervals cover a simulated true effect; ``reason`` explains a miss (required when none covers)."""
    check_lang(lang)
    lab = Labels(lang)
    covered = [n for n, lo, hi in intervals if lo <= truth <= hi]
    missed = [n for n, lo, hi in intervals if not lo <= truth <= hi]
    tv = _f(truth, digits)
    if not missed:
        return lab.pick(zh=f"全部 {len(intervals)} 个置信区间（{join_names(covered, lang)}）都覆盖了真实效应 {tv}。",
                        en=f"All {len(intervals)} intervals ({join_names(covered, lang)}) cover the true effect of {tv}.")
    if covered:
        s = lab.pick(zh=f"{join_names(covered, lang)} 的置信区间覆盖了真实效应 {tv}，{join_names(missed, lang)} 的没有覆盖。",
                     en=f"The intervals of {join_names(covered, lang)} cover the true effect of {tv}; those of "
                        f"{join_names(missed, lang)} do not.")
    else:
        s = lab.pick(zh=f"没有一个置信区间覆盖真实效应 {tv}。", en=f"None of the intervals covers the true effect of {tv}.")
    return s + (("" if lang == "zh" else " ") + reason if reason else "")


# --------------------------------------------------------------------------- balance
def balance_flags(frame: pd.DataFrame, *, smd_serious: float = SMD_SERIOUS, smd_notable: float = SMD_NOTABLE,
                  vr_bounds: tuple[float, float] = VR_BOUNDS) -> dict[str, list[tuple[str, float]]]:
    """Covariates of a :func:`~research_kit.report.balance_frame` outside the conventional bounds.

    Returns ``{"serious": [(var, smd)], "notable": [(var, smd)], "variance": [(var, ratio)]}``.
    """
    out: dict[str, list[tuple[str, float]]] = {"serious": [], "notable": [], "variance": []}
    for var, row in frame.iterrows():
        smd, vr = row.get("std_diff", np.nan), row.get("var_ratio", np.nan)
        if np.isfinite(smd) and abs(smd) > smd_serious:
            out["serious"].append((str(var), float(smd)))
        elif np.isfinite(smd) and abs(smd) > smd_notable:
            out["notable"].append((str(var), float(smd)))
        if np.isfinite(vr) and not vr_bounds[0] <= vr <= vr_bounds[1]:
            out["variance"].append((str(var), float(vr)))
    return out


def balance_sentence(frame: pd.DataFrame, *, labels: Mapping[str, str] | None = None, lang: Lang = "zh",
                     ref: str = "", groups: tuple[str, str] | None = None) -> str:
    """Name the covariates whose standardised difference or variance ratio is outside the conventional bounds."""
    check_lang(lang)
    lab = Labels(lang)
    labels = labels or {}
    flags = balance_flags(frame)

    def names(items: list[tuple[str, float]], what: str) -> str:
        return join_names([f"{labels.get(v, v)}（{what} {_f(x)}）" if lang == "zh" else f"{labels.get(v, v)} ({what} {_f(x)})"
                           for v, x in items], lang)

    smd_name, vr_name = lab.pick(zh="标准化差异", en="standardised difference"), lab.pick(zh="方差比", en="variance ratio")
    parts = []
    if flags["serious"]:
        parts.append(lab.pick(zh=f"{names(flags['serious'], smd_name)}的标准化差异绝对值超过 {SMD_SERIOUS:g}，属于严重不平衡",
                              en=f"{names(flags['serious'], smd_name)} differ by more than {SMD_SERIOUS:g} standard "
                                 f"deviations, a serious imbalance"))
    if flags["notable"]:
        parts.append(lab.pick(zh=f"{names(flags['notable'], smd_name)}的标准化差异绝对值在 {SMD_NOTABLE:g} 与 {SMD_SERIOUS:g} 之间，值得注意",
                              en=f"{names(flags['notable'], smd_name)} differ by between {SMD_NOTABLE:g} and "
                                 f"{SMD_SERIOUS:g} standard deviations, a notable imbalance"))
    if flags["variance"]:
        parts.append(lab.pick(zh=f"{names(flags['variance'], vr_name)}的方差比超出 [{VR_BOUNDS[0]:g}, {VR_BOUNDS[1]:g}]，两组的离散程度不同",
                              en=f"{names(flags['variance'], vr_name)} have a variance ratio outside "
                                 f"[{VR_BOUNDS[0]:g}, {VR_BOUNDS[1]:g}], so the two groups differ in spread"))
    if not parts:
        return lab.pick(
            zh=f"所有变量的标准化差异绝对值均不超过 {SMD_NOTABLE:g}、方差比均在 [{VR_BOUNDS[0]:g}, {VR_BOUNDS[1]:g}] 之内{ref}，两组在基线上大致平衡。",
            en=f"Every standardised difference is within ±{SMD_NOTABLE:g} and every variance ratio within "
               f"[{VR_BOUNDS[0]:g}, {VR_BOUNDS[1]:g}]{ref}: the groups are balanced at baseline.")
    consequence = lab.pick(
        zh="双重差分只要求趋势平行、不要求水平相同，个体固定效应吸收了水平差异；但基线差异较大时，两组趋势相同的假设更值得怀疑。",
        en="Difference-in-differences needs parallel trends, not equal levels — unit fixed effects absorb level "
           "differences — but large baseline differences make parallel trends less plausible.")
    return (lab.pick(zh=f"基线平衡表{ref}中，" + "；".join(parts) + "。",
                     en=f"In the baseline balance table{ref}, " + "; ".join(parts) + ".")
            + ("" if lang == "zh" else " ") + consequence)


# --------------------------------------------------------------------------- clustered inference
def cluster_inference_sentence(n_clusters: int, *, cluster_name: str, lang: Lang = "zh") -> str:
    """Whether inference clustered on ``cluster_name`` is possible and how reliable it is, by number of clusters.

    Branches: one cluster (impossible), few (< 42: conventional clustered errors unreliable, a bootstrap
    over clusters is used), enough.
    """
    check_lang(lang)
    lab = Labels(lang)
    if n_clusters < 2:
        return lab.pick(zh=f"样本只有 1 个{cluster_name}，无法以{cluster_name}为聚类进行推断。",
                        en=f"The sample has a single {cluster_name}, so inference clustered by {cluster_name} is not possible.")
    if n_clusters < 42:
        return lab.pick(zh=f"以{cluster_name}为聚类时只有 {n_clusters} 个聚类，常规聚类稳健标准误可能偏小，因此另用按聚类抽取的自助法推断。",
                        en=f"Clustering by {cluster_name} leaves only {n_clusters} clusters, too few for conventional "
                           f"cluster-robust standard errors, so a bootstrap over clusters is used as well.")
    return lab.pick(zh=f"以{cluster_name}为聚类时有 {n_clusters} 个聚类，聚类稳健标准误的常规近似是可用的。",
                    en=f"Clustering by {cluster_name} gives {n_clusters} clusters, enough for the usual cluster-robust approximation.")


# --------------------------------------------------------------------------- Goodman-Bacon
FORBIDDEN = ("Later vs Earlier Treated", "Later vs Always Treated")


@dataclass(frozen=True)
class BaconGap:
    """Decomposition of ``twfe_unit - robust`` into three additive parts.

    ``twfe_unit - robust = aggregation + forbidden + weighting``, with
    ``forbidden = twfe_cells - b_c = w_f (b_f - b_c)`` (the forbidden comparisons' pull on the
    cell-level TWFE; the two forms agree by Goodman-Bacon's identity ``twfe_cells = sum w_k b_k``),
    ``weighting = b_c - robust`` (the variance-weighted clean comparisons against the
    cohort-size-weighted robust estimate) and ``aggregation = twfe_unit - twfe_cells``.
    """

    twfe_unit: float
    twfe_cells: float
    robust: float
    weight_forbidden: float
    mean_forbidden: float
    mean_clean: float

    @property
    def gap(self) -> float:
        return self.twfe_unit - self.robust

    @property
    def forbidden(self) -> float:
        """``twfe_cells - b_c``, which the Bacon identity makes equal to ``w_f (b_f - b_c)``."""
        return self.twfe_cells - self.mean_clean if self.weight_forbidden > 0 else 0.0

    @property
    def weighting(self) -> float:
        return self.mean_clean - self.robust

    @property
    def aggregation(self) -> float:
        return self.twfe_unit - self.twfe_cells


def bacon_gap(summary: pd.DataFrame, *, twfe_unit: float, twfe_cells: float, robust: float) -> BaconGap:
    """Build a :class:`BaconGap` from :func:`research_kit.did.bacon_summary` (columns type, weight, avg_est)."""
    s = summary.set_index("type")
    forb = s.loc[s.index.isin(FORBIDDEN)]
    clean = s.loc[~s.index.isin(FORBIDDEN)]
    wf = float(forb["weight"].sum())
    bf = float((forb["weight"] * forb["avg_est"]).sum() / wf) if wf > 0 else float("nan")
    wc = float(clean["weight"].sum())
    bc = float((clean["weight"] * clean["avg_est"]).sum() / wc) if wc > 0 else float("nan")
    return BaconGap(twfe_unit, twfe_cells, robust, wf, bf, bc)


def bacon_gap_sentence(g: BaconGap, *, robust_name: str, unit_name: str, cell_name: str, lang: Lang = "zh",
                       digits: int = 3, tolerance: float = 0.0) -> str:
    """Where the TWFE–robust gap comes from, in three parts, with the dominant part named.

    ``tolerance``: a gap smaller than this (e.g. a tenth of the robust standard error) is "no gap".
    """
    check_lang(lang)
    lab = Labels(lang)
    d = lambda x: _f(x, digits)  # noqa: E731
    if abs(g.gap) <= tolerance or g.gap == 0:
        return lab.pick(zh=f"{unit_name}层面的 TWFE 估计（{d(g.twfe_unit)}）与 {robust_name}（{d(g.robust)}）几乎相同，没有需要分解的差异。",
                        en=f"The {unit_name}-level TWFE estimate ({d(g.twfe_unit)}) and {robust_name} ({d(g.robust)}) "
                           f"are almost equal; there is no gap to decompose.")
    share = {k: v / g.gap for k, v in (("forbidden", g.forbidden), ("weighting", g.weighting),
                                         ("aggregation", g.aggregation))}
    pct = {k: f"{100 * v:.0f}%" for k, v in share.items()}
    if g.weight_forbidden > 0:
        forb = lab.pick(
            zh=f"以较早开办者作对照的“不当比较”占权重的 {g.weight_forbidden:.1%}，平均估计为 {d(g.mean_forbidden)}，而其余“干净”比较的加权平均为 {d(g.mean_clean)}；"
               f"不当比较因此使{cell_name}层面的 TWFE 变化 {d(g.forbidden)}，占差距的 {pct['forbidden']}",
            en=f"the forbidden comparisons (earlier adopters as controls) carry {g.weight_forbidden:.1%} of the weight "
               f"with an average of {d(g.mean_forbidden)}, against {d(g.mean_clean)} for the clean comparisons, so they "
               f"move the {cell_name}-level TWFE by {d(g.forbidden)}, {pct['forbidden']} of the gap")
    else:
        forb = lab.pick(zh="分解中没有以较早开办者作对照的不当比较，这一部分为零",
                        en="the decomposition has no forbidden comparison, so that part is zero")
    weighting = lab.pick(
        zh=f"干净比较按处理变量方差加权（处于样本中段开办的批次权重更大），其平均值与按批次规模加权的 {robust_name} 相差 {d(g.weighting)}，占 {pct['weighting']}",
        en=f"the clean comparisons are weighted by the variance of treatment (cohorts starting mid-panel count more), "
           f"and their average differs from {robust_name}, which weights cohorts by size, by {d(g.weighting)}, {pct['weighting']}")
    aggregation = lab.pick(
        zh=f"分解针对的是{cell_name}月度均值上的 TWFE 回归（{d(g.twfe_cells)}，各单元等权、面板平衡），它与{unit_name}层面的 TWFE（{d(g.twfe_unit)}，各{unit_name}等权、面板不平衡）相差 {d(g.aggregation)}，占 {pct['aggregation']}",
        en=f"the decomposition is of the TWFE regression on {cell_name} monthly means ({d(g.twfe_cells)}: cells weighted "
           f"equally, balanced panel), which differs from the {unit_name}-level TWFE ({d(g.twfe_unit)}: {unit_name}es "
           f"weighted equally, unbalanced panel) by {d(g.aggregation)}, {pct['aggregation']}")
    main = max(share, key=lambda k: abs(share[k]))
    minor_forbidden = abs(share["forbidden"]) < 0.25
    main_txt = {
        "forbidden": lab.pick(zh="差距主要来自不当比较。", en="The gap comes mainly from the forbidden comparisons."),
        "weighting": (lab.pick(zh="差距主要来自加权方式的不同，而不是不当比较。",
                               en="The gap comes mainly from the different weighting, not from the forbidden comparisons.")
                      if minor_forbidden else
                      lab.pick(zh="差距主要来自加权方式的不同，不当比较的贡献次之但也不小。",
                               en="The gap comes mainly from the different weighting, with a smaller but sizeable "
                                  "contribution from the forbidden comparisons.")),
        "aggregation": lab.pick(zh="差距主要来自单元汇总与个体层面回归的不同，分解对这一部分不作解释。",
                                en="The gap comes mainly from the difference between the cell-level and the "
                                   "individual-level regression, which the decomposition does not explain."),
    }[main]
    head = lab.pick(zh=f"{unit_name}层面的 TWFE 估计（{d(g.twfe_unit)}）与 {robust_name}（{d(g.robust)}）相差 {d(g.gap)}。可分为三部分：",
                    en=f"The {unit_name}-level TWFE estimate ({d(g.twfe_unit)}) differs from {robust_name} "
                       f"({d(g.robust)}) by {d(g.gap)}, in three parts: ")
    if lang == "zh":
        return head + f"（一）{forb}；（二）{weighting}；（三）{aggregation}。" + main_txt
    return head + f"(i) {forb}; (ii) {weighting}; (iii) {aggregation}. " + main_txt


# --------------------------------------------------------------------------- why an interval misses the truth
def estimand_reason(truth: float, own: Sequence[tuple[str, float, float, float]], *, lang: Lang = "zh",
                    digits: int = 3) -> str:
    """Why intervals miss a simulated truth, from each estimator's own estimand.

    ``own``: (name, estimand, conf_low, conf_high), the estimand being the estimator applied to the
    true effects themselves (the average it targets in this sample). Branches: every interval covers
    its own estimand (the miss is a difference of estimand), or some do not (estimation error or a
    failure of the design's assumptions).
    """
    check_lang(lang)
    lab = Labels(lang)
    if not own:
        return ""
    vals = [e for _, e, _, _ in own]
    rng = _f(vals[0], digits) if len(vals) == 1 else f"{_f(min(vals), digits)}–{_f(max(vals), digits)}"
    bad = [n for n, e, lo, hi in own if not lo <= e <= hi]
    if not bad:
        return lab.pick(
            zh=f"原因在于估计目标不同：把同样的估计量直接用于真实效应本身，得到的是它们各自所估计的平均值（{rng}），各置信区间都覆盖了自己的估计目标；"
               f"真实效应 {_f(truth, digits)} 是另一种平均，二者之差不是估计误差。",
            en=f"The reason is a difference of estimand: applied to the true effects themselves, the same estimators give "
               f"the averages they target ({rng}), and each interval covers its own target; the true effect of "
               f"{_f(truth, digits)} is a different average, so the gap is not estimation error.")
    return lab.pick(
        zh=f"把同样的估计量直接用于真实效应本身得到 {rng}，而 {join_names(bad, lang)} 的置信区间连自己的估计目标也没有覆盖：这是抽样误差或识别假设不成立造成的偏差，而不只是估计目标的差别。",
        en=f"Applied to the true effects themselves the same estimators give {rng}, and the intervals of "
           f"{join_names(bad, lang)} miss even their own target: this is sampling error or bias from a failed "
           f"assumption, not only a difference of estimand.")
