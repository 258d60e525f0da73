"""Chinese and English labels: one dictionary, passed explicitly.

``Labels(lang)`` looks up a key and returns its text in that language;
unknown keys raise, so a missing translation is caught by the tests rather than
printed as a raw key in a paper.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["Labels", "LABELS", "Lang", "check_lang", "lower_first"]

Lang = Literal["zh", "en"]

LABELS: dict[str, dict[str, str]] = {
    # variables
    "treated": {"zh": "处理组", "en": "Treated"},
    "treat": {"zh": "处理", "en": "Treatment"},
    "ATT": {"zh": "平均处理效应（ATT）", "en": "Average treatment effect on the treated (ATT)"},
    # estimators
    "twfe": {"zh": "双向固定效应（TWFE）", "en": "Two-way fixed effects (TWFE)"},
    "callaway_santanna": {"zh": "Callaway–Sant'Anna", "en": "Callaway–Sant'Anna"},
    "two_by_two": {"zh": "2×2 双重差分", "en": "2×2 difference-in-differences"},
    "synthetic_control": {"zh": "合成控制法", "en": "Synthetic control"},
    "synthetic_did": {"zh": "合成双重差分（SDID）", "en": "Synthetic difference-in-differences (SDID)"},
    "sun_abraham": {"zh": "Sun–Abraham 交互加权", "en": "Sun–Abraham interaction-weighted"},
    "imputation": {"zh": "插补估计（BJS）", "en": "Imputation (Borusyak–Jaravel–Spiess)"},
    "rdd": {"zh": "断点回归", "en": "Regression discontinuity"},
    "truth": {"zh": "真实效应（模拟）", "en": "True effect (simulated)"},
    # table rows and headers
    "estimate": {"zh": "估计值", "en": "Estimate"},
    "std_error": {"zh": "标准误", "en": "Std. error"},
    "conf_int": {"zh": "95% 置信区间", "en": "95% CI"},
    "p_value": {"zh": "p 值", "en": "p-value"},
    "nobs": {"zh": "观测数", "en": "Observations"},
    "n_clusters": {"zh": "聚类数", "en": "Clusters"},
    "cluster": {"zh": "聚类层级", "en": "Clustered by"},
    "fixed_effects": {"zh": "固定效应", "en": "Fixed effects"},
    "control_group": {"zh": "对照组", "en": "Control group"},
    "never": {"zh": "从未处理", "en": "never treated"},
    "not_yet": {"zh": "尚未处理", "en": "not yet treated"},
    "last_cohort": {"zh": "最晚开办批次", "en": "last-treated cohort"},
    "r2": {"zh": "R²", "en": "R²"},
    "yes": {"zh": "是", "en": "Yes"},
    "no": {"zh": "否", "en": "No"},
    "unit": {"zh": "个体", "en": "Unit"},
    "business_id": {"zh": "经营主体", "en": "Business"},
    "county": {"zh": "县（市、区）", "en": "County"},
    "bank": {"zh": "银行", "en": "Bank"},
    "sector": {"zh": "行业", "en": "Sector"},
    "month": {"zh": "月份", "en": "Month"},
    "event_time": {"zh": "相对开办月份", "en": "Months since programme start"},
    "cohort": {"zh": "开办批次", "en": "Adoption cohort"},
    "never_treated": {"zh": "未开办", "en": "Never treated"},
    "statistic": {"zh": "统计量", "en": "Statistic"},
    "term": {"zh": "项", "en": "Term"},
    "mean": {"zh": "均值", "en": "Mean"},
    "sd": {"zh": "标准差", "en": "Std. dev."},
    "n_businesses": {"zh": "经营主体数", "en": "Businesses"},
    "n_obs": {"zh": "主体-月观测数", "en": "Business-months"},
    "share_treated": {"zh": "已开办占比", "en": "Share treated"},
    "pointwise_ci": {"zh": "逐点 95% 置信区间", "en": "Pointwise 95% CI"},
    "parameter": {"zh": "参数", "en": "Parameter"},
    "value": {"zh": "取值", "en": "Value"},
    "file": {"zh": "文件", "en": "File"},
    "rows": {"zh": "行数", "en": "Rows"},
    "package": {"zh": "软件包", "en": "Package"},
    "version": {"zh": "版本", "en": "Version"},
    "weighted_total": {"zh": "加权总额", "en": "Weighted total"},
    "suppressed": {"zh": "（抑制）", "en": "(suppressed)"},
}


def check_lang(lang: str) -> Lang:
    """Return ``lang`` if it is ``"zh"`` or ``"en"``, else raise a clear error."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' (default) or 'en'; got {lang!r}.")
    return lang  # type: ignore[return-value]


@dataclass(frozen=True)
class Labels:
    """Look up labels in one language.

    Examples
    --------
    >>> Labels("en")("estimate")
    'Estimate'
    >>> Labels("zh", extra={"y": {"zh": "结果", "en": "Outcome"}})("y")
    '结果'
    """

    lang: Lang = "zh"
    extra: Mapping[str, Mapping[str, str]] | None = None

    def __post_init__(self) -> None:
        check_lang(self.lang)

    def __call__(self, key: str) -> str:
        """The text of ``key`` in this language; an unknown key raises ``KeyError``."""
        for table in (self.extra or {}, LABELS):
            if key in table:
                return table[key][self.lang]
        raise KeyError(f"No {self.lang!r} label for {key!r}: add it to research_kit.report.labels.LABELS or pass extra=.")

    def get(self, key: str, default: str | None = None) -> str:
        """The text of ``key``, or ``default`` (the key itself when None) if it has none."""
        try:
            return self(key)
        except KeyError:
            return key if default is None else default

    def pick(self, *, zh: str, en: str) -> str:
        """Choose between two texts by language."""
        return zh if self.lang == "zh" else en


def lower_first(text: str) -> str:
    """Lower-case a label for use inside an English sentence, keeping acronyms.

    >>> lower_first("FX loan balance (USD 10k)")
    'FX loan balance (USD 10k)'
    >>> lower_first("Financing cost (%)")
    'financing cost (%)'
    """
    first = text.split(" ", 1)[0]
    return text if first.isupper() or not first[:1].isupper() else text[:1].lower() + text[1:]
