# %% [markdown] tags=["remove"]
# # 数字人民币试点的合成控制评估 / Digital RMB pilot: a synthetic control evaluation
#
# Exploration view. The published paper is this notebook executed by `research-kit run digital_rmb` and rendered without
# code; prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language.

# %% tags=["parameters"]
treated: str = "义乌市"  # pilot county: one of Jinhua's nine county-level divisions (Chinese or English name)
outcome: str = "merchant_share"  # merchant_share (% of merchants accepting digital RMB) | wallets_per_1000 (per 1,000 residents)
treatment_time: str = "2023-01"  # first pilot month (YYYY-MM), between 2021-01 and 2025-06
true_effect: float = 10.0  # long-run effect built into the SYNTHETIC data (percentage points of the merchant share)
v_search: str = "global"  # search for the predictor weights V: "global" (robust) or "synth" (R Synth's, faster)
pre_rmspe_cutoff: float = 2.0  # placebo test: drop donors whose pre-pilot RMSPE exceeds this multiple of the pilot county's
in_time_months: int = 12  # in-time placebo: pretend the pilot started this many months earlier
reps: int = 200  # placebo replications of the SDID and DiD standard errors
seed: int = 20221230  # random seed of the simulated data and of the replications (recorded in the appendix)
lang: str = "zh"  # paper language; one of "zh", "en"

# %%
import research_kit as rk
from research_kit.studies import digital_rmb as study

params = dict(treated=treated, outcome=outcome, treatment_time=treatment_time, true_effect=true_effect,
              v_search=v_search, pre_rmspe_cutoff=pre_rmspe_cutoff, in_time_months=in_time_months, reps=reps,
              seed=seed, lang=lang)
rk.report.use_theme()
demo = study.simulate(treated=treated, treatment_time=treatment_time, effect=true_effect, seed=seed)
est = study.estimate(demo, outcome=outcome, v_search=v_search, pre_rmspe_cutoff=pre_rmspe_cutoff,
                     in_time_months=in_time_months, reps=reps, seed=seed)
rk.report.front_matter(**study.front_matter(est, lang=lang))

# %%
rk.report.markdown(study.data_notice(lang))

# %% [markdown] tags=["lang-zh"]
# ## 1 研究问题与政策背景
#
# 《金华市开放经济金融服务改革创新试点实施方案》（金政发〔2022〕38号）第 16 项任务提出“开展数字人民币试点”：推动数字人民币融入开放经济金融服务体系，
# 在专业市场、境内商品交易、进口商品零售、物流运输、贸易保险服务、政务民生等领域支持使用数字人民币，组织数字人民币消费红包活动，
# 推动应用场景数量、钱包开立数量和交易量快速增长。方案的目标之一是到 2025 年全市 80% 的商户支持数字人民币收款。
#
# 本文回答的问题是：一个县（市、区）率先开展试点之后，当地受理数字人民币的商户比例（或钱包开立数量）比没有试点时高出多少？
# 只有一个试点县，无法用大量处理单位做比较；合成控制法用未试点县的加权平均构造一个“合成试点县”，使其在试点前与试点县的走势和特征尽量一致，
# 试点后两者之差即为试点效应的估计。

# %% [markdown] tags=["lang-en"]
# ## 1 Question and policy background
#
# Task 16 of the *Implementation Plan of the Jinhua Open-Economy Financial Services Reform Pilot* (Jin Zheng Fa [2022] No. 38)
# is the digital RMB pilot: to bring the digital RMB (e-CNY) into open-economy financial services; to support its use in
# specialised markets, domestic commodity trade, imported-goods retail, logistics, trade insurance and public services; to
# run digital RMB consumption red-packet campaigns; and to grow the number of use cases, wallets and transactions quickly.
# One of the plan's 2025 targets is that 80% of the city's merchants accept digital RMB payments.
#
# The question of this paper: once one county starts the pilot, how much higher is the share of its merchants that accept
# digital RMB (or the number of wallets opened) than it would have been without the pilot? With a single pilot county there
# is no large treated group to compare; the synthetic control method builds a "synthetic pilot county" as a weighted average
# of counties that do not pilot, chosen so that it tracks the pilot county before the pilot, and reads the effect off the gap
# between the two afterwards.

# %% [markdown] tags=["lang-zh"]
# ## 2 数据

# %% [markdown] tags=["lang-en"]
# ## 2 Data

# %%
rk.report.markdown(study.data_paragraph(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 3 方法
#
# 设试点县为单位 1、对照县为 $j = 2, \dots, J+1$，试点始于 $T_0 + 1$ 期。合成控制是对照县的加权平均，权重 $W = (w_2, \dots, w_{J+1})$ 满足 $w_j \ge 0$、$\sum_j w_j = 1$，
# 使试点县与合成县在试点前的预测变量 $X_1$、$X_0$（移动支付受理率、网络零售占比、人均零售额的试点前均值，以及试点前 18、6、1 个月的结果变量）尽量接近：
# $W^*(V) = \arg\min_W (X_1 - X_0 W)' V (X_1 - X_0 W)$。预测变量权重 $V$（对角矩阵）按 Abadie、Diamond 和 Hainmueller（2010）的嵌套优化选取，使试点前各月结果变量的均方预测误差最小。
# 效应估计为试点后各月试点县与合成县之差的平均值。
#
# 合成控制没有抽样意义上的标准误。推断采用置换（安慰剂）检验：把每个对照县依次当作试点县、用其余对照县构造合成控制，
# 比较各县试点后与试点前均方根预测误差（RMSPE）之比；试点县之比在所有县中的排位给出置换检验 p 值。时间安慰剂检验把试点时间人为提前，检验在真实试点前是否已出现差距。
# 作为对照，我们还报告合成双重差分（SDID，Arkhangelsky 等，2021）：它同时估计单位权重和时间权重，并允许试点县与合成县之间存在固定的水平差异，
# 其标准误由安慰剂重抽样得到；以及等权重的双重差分（DiD）。

# %% [markdown] tags=["lang-en"]
# ## 3 Method
#
# Let unit 1 be the pilot county and $j = 2, \dots, J+1$ the donor counties; the pilot starts in period $T_0 + 1$. The synthetic
# control is a weighted average of donors with weights $W = (w_2, \dots, w_{J+1})$, $w_j \ge 0$, $\sum_j w_j = 1$, chosen to match
# the pilot county's pre-pilot predictors $X_1$ with the donors' $X_0$ (pre-pilot means of the mobile-payment acceptance rate,
# the online share of retail sales and retail sales per resident, and the outcome 18, 6 and 1 months before the pilot):
# $W^*(V) = \arg\min_W (X_1 - X_0 W)' V (X_1 - X_0 W)$. The diagonal predictor weights $V$ come from the nested optimisation of
# Abadie, Diamond and Hainmueller (2010): they minimise the mean squared prediction error of the outcome over the pre-pilot
# months. The effect estimate is the average gap between the pilot county and its synthetic control after the pilot.
#
# A synthetic control has no sampling standard error. Inference is by permutation (placebo) tests: each donor in turn is
# treated as the pilot county and given a synthetic control built from the other donors, and the ratio of post- to pre-pilot
# root mean squared prediction error (RMSPE) is compared across counties; the pilot county's rank gives the permutation
# p-value. An in-time placebo moves the pilot start earlier to check that no gap opens before the real pilot. For comparison
# we report synthetic difference-in-differences (SDID; Arkhangelsky et al., 2021), which estimates unit and time weights and
# allows a constant level difference between the pilot county and its synthetic control, with placebo standard errors, and
# equally weighted difference-in-differences (DiD).

# %% [markdown] tags=["lang-zh"]
# ## 4 结果

# %% [markdown] tags=["lang-en"]
# ## 4 Results

# %%
rk.report.markdown(study.results_paragraph(est, lang=lang))
rk.report.show(study.paths_figure(est, lang=lang), caption=study.figure_caption("paths", est, lang))

# %%
display(study.weights_table(est, lang=lang))
display(study.balance_table(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ### 4.1 安慰剂检验

# %% [markdown] tags=["lang-en"]
# ### 4.1 Placebo tests

# %%
rk.report.markdown(study.placebo_paragraph(est, lang=lang))
rk.report.show(study.placebo_figure(est, lang=lang), caption=study.figure_caption("placebo", est, lang))

# %%
rk.report.markdown(study.in_time_paragraph(est, lang=lang))
rk.report.show(study.in_time_figure(est, lang=lang), caption=study.figure_caption("in_time", est, lang))

# %% [markdown] tags=["lang-zh"]
# ### 4.2 其他估计方法与模拟真实效应

# %% [markdown] tags=["lang-en"]
# ### 4.2 Other estimators and the simulated true effect

# %%
display(study.estimates_table(est, lang=lang))
rk.report.show(study.sdid_figure(est, lang=lang), caption=study.figure_caption("sdid", est, lang))
rk.report.markdown(study.truth_paragraph(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 5 注意事项
#
# - 合成控制假定试点县在未试点时的走势可以由对照县的加权平均再现；试点前拟合良好是这一假定的必要条件，但不能证明它成立。
# - 对照县不能受到试点的影响。若试点县的商户、消费者或平台业务外溢到邻近县，对照县的结果也会变化，估计的效应会偏小（或偏大）。
# - 置换检验的 p 值最小只能是对照县数加一的倒数；对照县较少时检验功效有限。
# - 浙江省在 2022 年后整体纳入数字人民币试点范围，真实数据中“未试点”对照县可能并不存在；本文使用的是模拟数据，仅演示方法。

# %% [markdown] tags=["lang-en"]
# ## 5 Caveats
#
# - The synthetic control assumes that a weighted average of donors reproduces what the pilot county would have done without
#   the pilot; a good pre-pilot fit is necessary for that, but does not prove it.
# - Donors must not be affected by the pilot. If merchants, consumers or platforms of the pilot county spill over into
#   neighbouring counties, the donors' outcomes move too and the estimated effect is biased.
# - The smallest attainable permutation p-value is one over the number of donors plus one; with few donors the test has little power.
# - Zhejiang as a whole joined the digital RMB pilot after 2022, so truly untreated donor counties may not exist in real data;
#   this paper uses simulated data to demonstrate the method.

# %% [markdown] tags=["lang-zh"]
# ## 附录：运行记录

# %% [markdown] tags=["lang-en"]
# ## Appendix: provenance

# %%
rk.report.markdown(study.simulation_note(est, lang=lang))
for t in rk.report.provenance_tables(rk.report.provenance(params, datasets=[]), lang=lang):
    display(t)
