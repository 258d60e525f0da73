# %% [markdown] tags=["remove"]
# # 试点目标与里程碑评价 / Targets and milestones of the pilot
#
# Exploration view. The published paper is this notebook executed by `research-kit run targets_2025`
# and rendered without code; prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language.
# It reads only the processed indicator filings (`research-kit prepare`); nothing is simulated here.

# %% tags=["parameters"]
lang: str = "zh"  # paper language; one of "zh", "en"
as_of: str = "latest"  # filing date YYYY-MM-DD: use the filings made up to it; "latest": all filings
criterion: str = "aicc"  # information criterion that picks each indicator's forecasting model; one of "aicc", "aic", "bic"

# %%
import research_kit as rk
from research_kit.studies import targets as study

params = dict(lang=lang, as_of=as_of, criterion=criterion)
rk.report.use_theme()
run = study.run(as_of=as_of, criterion=criterion)
rk.report.front_matter(**study.front_matter(run, lang=lang))

# %%
rk.report.markdown(study.data_notice(run, lang))

# %% [markdown] tags=["lang-zh"]
# ## 1 目标、里程碑与口径
#
# 《金华市开放经济金融服务改革创新试点实施方案》（金政发〔2022〕38号）提出了力争到 2025 年实现的量化目标，以及若干有时间要求的里程碑（如跨国公司本外币一体化资金池试点 2023 年底前落地、跨境贸易投资高水平开放试点获批、金融集聚区建设节点、每年不少于 20 亿元的财政竞争性存放资金）。各责任单位按统一的填报模板按季度报送，本文只使用已报送并通过校验的数据；同一指标、同一县、同一报告期再次报送时以后报为准，早先的数值保留在历史记录中。
#
# 跟踪量按目标的口径计算：**期末值**取报告期末的数值；**累计值**把窗口内各期的发生额相加；**年均增长**比较 2025 年全年合计与基期年份合计；**占比**取期末百分比。方案没有说明一些流量指标按年度还是累计计算，本文采用的口径及理由随目标定义一并列出。

# %% [markdown] tags=["lang-en"]
# ## 1 Targets, milestones and measures
#
# The *Implementation Plan of the Jinhua Open-Economy Financial Services Reform Pilot* (Jin Zheng Fa [2022] No. 38) sets quantitative targets for 2025 and dated milestones (the multinational cash-pool pilot by end-2023, approval of the high-level opening pilot, construction milestones of the finance clusters, at least CNY 2 billion of fiscal competitive deposits every year). The responsible units file quarterly on one template; this paper uses only filings that passed validation. A later filing of the same indicator, county and period supersedes the earlier one, which stays in the history.
#
# The tracked quantity follows the target: a **level** is the value at the end of the period, a **cumulative** target adds up the flows of its window, **annual growth** compares the 2025 total with the base year, a **share** is the percentage at the end. Where the plan does not say whether a flow is annual or cumulative, the reading taken, and why, is stated with the target's definition.

# %% [markdown] tags=["lang-zh"]
# ## 2 进展

# %% [markdown] tags=["lang-en"]
# ## 2 Progress

# %%
rk.report.markdown(study.summary_paragraph(run, lang=lang))
study.status_table(run, lang=lang)

# %%
rk.report.show(study.progress_figure(run, lang=lang), caption=study.caption("progress", lang))

# %%
rk.report.show(study.detail_figure(run, lang=lang), caption=study.caption("detail", lang))

# %%
rk.report.markdown(study.fx_indicator_sentence(run, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 3 里程碑

# %% [markdown] tags=["lang-en"]
# ## 3 Milestones

# %%
study.milestone_table(run, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ## 4 年度评价：按牵头单位和县（市、区）

# %% [markdown] tags=["lang-en"]
# ## 4 Annual assessment: by lead unit and by county

# %%
study.unit_table(run, lang=lang)

# %%
study.county_table(run, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ## 5 与上期相比的变化

# %% [markdown] tags=["lang-en"]
# ## 5 What changed since the last report

# %%
rk.report.markdown(study.changes_paragraph(run, lang=lang))
study.changes_table(run, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ## 6 方法
#
# 对每个目标，把各期填报值（分县指标为九个县之和，只用九县都已报送的报告期）组成季度序列，用 statsmodels 拟合三个加性误差指数平滑状态空间模型（水平模型、线性趋势、阻尼趋势），按 AICc 选择一个，预测到 2025 年末。跟踪量是序列的线性函数，其预测分布为正态，达标概率为 $P = 1 - \Phi\big((\text{目标} - c - a'\mu)/\sqrt{a'\Sigma a}\big)$。$P \ge 80\%$ 记为“进展顺利”；只有当 $P < 40\%$、95% 预测区间整体低于目标、预测值比目标低 5% 以上且期末类目标尚未达到时，才记为“明显滞后”；其余为“存在风险”。已由实际值达到的累计目标记为“已达标”。这些阈值是本工具的约定，并非方案的规定。

# %% [markdown] tags=["lang-en"]
# ## 6 Method
#
# For each target the filed values (for county-level indicators the sum of the nine counties, only for periods all nine filed) form a quarterly series. We fit three additive-error exponential-smoothing state-space models with statsmodels (level, linear trend, damped trend), keep the one with the smallest AICc and forecast to the end of 2025. The tracked quantity is linear in the series, so its forecast is normal and the probability of reaching the target is $P = 1 - \Phi\big((\text{target} - c - a'\mu)/\sqrt{a'\Sigma a}\big)$. A target is on track when $P \ge 80\%$; off track only when $P < 40\%$, the whole 95% interval is below the target, the forecast is more than 5% short and a level target is not already met; at risk otherwise. A cumulative target met by observed values is achieved. The thresholds are conventions of this toolkit, not of the plan.

# %%
rk.report.markdown(study.uncertainty_paragraph(run, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 7 注意事项
#
# - 模型只外推已报送数据的趋势，不包含政策调整或外部冲击；距离截止日期越远，预测区间越宽。
# - 部分流量目标的口径（年度或累计）是本文的解读，改变口径会改变判断。
# - 分县评价的基准是按基期份额分解的全市目标，方案本身没有分县目标。

# %% [markdown] tags=["lang-en"]
# ## 7 Caveats
#
# - The models extrapolate the filed data; they know nothing of policy changes or shocks, and the further the deadline, the wider the intervals.
# - Whether some flow targets are annual or cumulative is our reading of the plan; another reading changes the rating.
# - The county benchmark splits the city target by base-period shares; the plan sets no county targets.

# %% [markdown] tags=["lang-zh"]
# ## 附录：运行记录

# %% [markdown] tags=["lang-en"]
# ## Appendix: provenance

# %%
for t in rk.report.provenance_tables(rk.report.provenance(params, datasets=[]), lang=lang):
    if len(t.body):  # the inputs (definitions and filings) are listed in the next table
        display(t)
study.inputs_table(run, lang=lang)
