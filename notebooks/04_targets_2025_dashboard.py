# %% [markdown] tags=["remove"]
# # 2025 年量化目标进展监测 / Tracking the plan's 2025 targets
#
# Exploration view. The published paper is this notebook executed by `research-kit run targets_2025`
# and rendered without code; prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language.

# %% tags=["parameters"]
lang: str = "zh"  # paper language; one of "zh", "en"
as_of: str = "2025-06"  # last month of data used ("YYYY-MM"; at most 2025-12)
seed: int = 20221230  # random seed of the synthetic indicator series
criterion: str = "aicc"  # information criterion that picks each indicator's model: "aicc", "aic" or "bic"

# %%
import research_kit as rk
from research_kit.studies import targets as study

params = dict(lang=lang, as_of=as_of, seed=seed, criterion=criterion)
rk.report.use_theme()
run = study.run(as_of=as_of, seed=seed, criterion=criterion)
rk.report.front_matter(**study.front_matter(run, lang=lang))

# %%
rk.report.markdown(study.data_notice(lang))

# %% [markdown] tags=["lang-zh"]
# ## 1 目标与口径
#
# 《金华市开放经济金融服务改革创新试点实施方案》（金政发〔2022〕38号）“主要目标”部分提出了力争到 2025 年实现的 23 项量化目标，
# 涵盖投融资结算、金融基础设施和金融服务创新。本文把每一项目标与一个月度或季度指标序列对应起来，并按目标的口径计算跟踪量：
# **期末值**（如上市企业数、个体工商户外汇贷款余额）取 2025 年 12 月的数值；**累计值**（如“系统直连”业务规模）把窗口内各期的流量相加；
# **年均增长**（外贸企业贸易融资额）比较 2025 年全年合计与基期年份合计；**占比**（如支持数字人民币收款的商户占比）取期末百分比。
# 方案没有说明一些流量指标按年度还是累计计算，本文采用的口径及理由见 `data/targets/README.md`。

# %% [markdown] tags=["lang-en"]
# ## 1 Targets and measures
#
# The *Implementation Plan of the Jinhua Open-Economy Financial Services Reform Pilot* (Jin Zheng Fa [2022] No. 38) sets, in its
# main-targets section, 23 quantitative targets to be reached by 2025, covering investment, financing and settlement, financial
# infrastructure and innovation in financial services. We pair each target with a monthly or quarterly indicator series and track
# the quantity the target refers to: a **level** (e.g. listed firms, the balance of FX loans to individual businesses) is the value
# in December 2025; a **cumulative** target (e.g. the direct-link business) adds up the flows of its window; **annual growth**
# (trade finance) compares the 2025 total with the base year; a **share** (e.g. merchants accepting digital RMB) is the percentage
# at the end of 2025. Where the plan does not say whether a flow is annual or cumulative, the reading we take, and why, is in
# `data/targets/README.md`.

# %% [markdown] tags=["lang-zh"]
# ## 2 进展

# %% [markdown] tags=["lang-en"]
# ## 2 Progress

# %%
rk.report.markdown(study.summary_paragraph(run, lang=lang))
study.status_table(run, lang=lang)

# %%
rk.report.show(study.dashboard_figure(run, lang=lang), caption=study.caption("dashboard", lang))

# %% [markdown] tags=["lang-zh"]
# ## 3 方法
#
# 对每个指标序列，我们用 statsmodels 拟合三个加性误差指数平滑（ETS）状态空间模型——简单指数平滑 ETS(A,N,N)、线性趋势 ETS(A,A,N)
# 和阻尼趋势 ETS(A,Ad,N)——并按 AICc 选择一个。所选模型给出未来各期取值的联合正态预测分布：预测均值及其协方差矩阵
# $\Sigma = \sigma^2 \Psi\Psi'$（$\Psi$ 为新息权重构成的下三角矩阵）。跟踪量是序列的线性函数 $c + a'Y$（期末值取一个分量，累计值把窗口内已观测流量与预测流量相加），
# 因此其预测分布为 $N(c + a'\mu,\ a'\Sigma a)$，达标概率为 $P = 1 - \Phi\big((\text{目标} - c - a'\mu)/\sqrt{a'\Sigma a}\big)$。
# $P \ge 80\%$ 记为“进展顺利”，$40\% \le P < 80\%$ 为“存在风险”，$P < 40\%$ 为“明显滞后”；累计目标若已由观测值达到则记为“已完成”。
# 这些阈值是本工具包的约定，并非方案的规定。预测区间不含参数估计的不确定性（与 statsmodels 一致），因此偏窄。

# %% [markdown] tags=["lang-en"]
# ## 3 Method
#
# For each indicator series we fit three additive-error exponential-smoothing (ETS) state-space models with statsmodels — simple
# exponential smoothing ETS(A,N,N), linear trend ETS(A,A,N) and damped trend ETS(A,Ad,N) — and keep the one with the smallest AICc.
# The selected model gives a joint normal forecast of the future values: the forecast means and their covariance
# $\Sigma = \sigma^2 \Psi\Psi'$ ($\Psi$ the lower-triangular matrix of innovation weights). The tracked quantity is a linear
# function $c + a'Y$ of the series (one value for a level; observed plus forecast flows of the window for a cumulative target),
# so its forecast is $N(c + a'\mu,\ a'\Sigma a)$ and the probability of reaching the target is
# $P = 1 - \Phi\big((\text{target} - c - a'\mu)/\sqrt{a'\Sigma a}\big)$. We call a target on track when $P \ge 80\%$, at risk
# when $40\% \le P < 80\%$ and off track when $P < 40\%$; a cumulative target already met by observed flows is achieved. The
# thresholds are conventions of this toolkit, not of the plan. The prediction intervals ignore the uncertainty of the estimated
# parameters (as statsmodels' do) and are therefore somewhat narrow.

# %% [markdown] tags=["lang-zh"]
# ## 4 检验：模拟序列的实际结果

# %% [markdown] tags=["lang-en"]
# ## 4 Check: what the simulated series did

# %%
rk.report.markdown(study.realised_paragraph(run, lang=lang))
study.realised_table(run, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ## 5 注意事项
#
# - 指标序列为模拟数据，状态判断只用于演示方法；接入真实统计数据后，同一流程给出真实的判断。
# - 三项“落地 1 家”的里程碑目标（QFLP 试点企业、新增商业保理公司和融资租赁公司）没有可以预测的序列，应按台账跟踪。
# - 模型只外推历史趋势，不包含政策调整或外部冲击；距离截止日期越远，预测区间越宽。
# - 部分流量目标的口径（年度或累计）是本文的解读，改变口径会改变判断。

# %% [markdown] tags=["lang-en"]
# ## 5 Caveats
#
# - The indicator series are simulated, so the ratings only illustrate the method; with real statistics the same pipeline gives real ratings.
# - The three one-firm milestones (a QFLP pilot firm, a new factoring company and a new leasing company) have no series to forecast and are tracked by record.
# - The models extrapolate past trends; they know nothing of policy changes or shocks, and the further the deadline, the wider the intervals.
# - Whether some flow targets are annual or cumulative is our reading of the plan; another reading changes the rating.

# %% [markdown] tags=["lang-zh"]
# ## 附录：运行记录

# %% [markdown] tags=["lang-en"]
# ## Appendix: provenance

# %%
for t in rk.report.provenance_tables(rk.report.provenance(params, datasets=[]), lang=lang):
    if len(t.body):  # this paper reads no processed dataset: its one input file is listed below
        display(t)
study.inputs_table(lang=lang)
