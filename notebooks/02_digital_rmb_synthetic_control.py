# %% [markdown] tags=["remove"]
# # 数字人民币试点：城市层面的合成控制 / Digital RMB pilot: a city-level synthetic control
#
# Exploration view. The published paper is this notebook executed by `research-kit run digital_rmb` and rendered without
# code; prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language.

# %% tags=["parameters"]
outcome: str = "retail_pc"  # retail_pc (retail sales per resident, yuan/month) | online_pc (online retail sales per resident)
v_search: str = "global"  # search for the predictor weights V: "global" (robust) or "synth" (R Synth's, faster)
pre_rmspe_cutoff: float = 2.0  # placebo test: drop donors whose pre-pilot RMSPE exceeds this multiple of the treated city's
in_time_months: int = 12  # in-time placebo: pretend the pilot started this many months earlier
reps: int = 200  # placebo replications of the SDID and DiD standard errors
seed: int = 20221230  # random seed of the placebo replications and of the V search (recorded in the appendix)
lang: str = "zh"  # paper language: "zh" (default) or "en"

# %%
import research_kit as rk
from research_kit.studies import digital_rmb as study

params = dict(outcome=outcome, v_search=v_search, pre_rmspe_cutoff=pre_rmspe_cutoff, in_time_months=in_time_months,
              reps=reps, seed=seed, lang=lang)
rk.report.use_theme()
data = study.load_data()
est = study.estimate(data, outcome=outcome, v_search=v_search, pre_rmspe_cutoff=pre_rmspe_cutoff,
                     in_time_months=in_time_months, reps=reps, seed=seed)
rk.report.front_matter(**study.front_matter(est, lang=lang))

# %%
rk.report.markdown(study.data_notice(data.synthetic, lang))

# %% [markdown] tags=["lang-zh"]
# ## 1 研究问题与政策背景
#
# 《金华市开放经济金融服务改革创新试点实施方案》（金政发〔2022〕38号）第 16 项任务提出“开展数字人民币试点”：推动数字人民币融入开放经济金融服务体系，
# 在专业市场、境内商品交易、进口商品零售、物流运输、贸易保险服务、政务民生等领域支持使用数字人民币；
# 组织开展数字人民币消费红包活动，“带动形成消费热点，促进扩大内需”。方案的目标之一是到 2025 年全市 80% 的商户支持数字人民币收款。
#
# 2022 年 3 月 31 日，人民银行把浙江省承办亚运会的 6 个城市（杭州、宁波、温州、湖州、绍兴、金华）列为数字人民币试点地区。
# 此后金华市 9 个县（市、区）全部属于试点地区，市内不存在未试点的县（市、区），按县比较无法得到有效的对照组。
# 本文因此在城市层面提问：成为试点地区之后，金华市的居民消费（人均社会消费品零售额）和网上零售比没有试点时高出多少？
# 受理商户数、钱包数等试点指标只在试点地区统计，不能用来与未试点城市比较；消费和网上零售在所有城市都有统计，是方案“促进扩大内需”目标的直接度量。

# %% [markdown] tags=["lang-en"]
# ## 1 Question and policy background
#
# Task 16 of the *Implementation Plan of the Jinhua Open-Economy Financial Services Reform Pilot* (Jin Zheng Fa [2022] No. 38)
# is the digital RMB pilot: to bring the digital RMB (e-CNY) into open-economy financial services, to support its use in
# specialised markets, domestic commodity trade, imported-goods retail, logistics, trade insurance and public services, and to
# run digital RMB consumption red-packet campaigns that "create consumption hot spots and expand domestic demand". One of the
# plan's 2025 targets is that 80% of the city's merchants accept digital RMB payments.
#
# On 31 March 2022 the People's Bank of China made the six Zhejiang cities hosting the Asian Games (Hangzhou, Ningbo, Wenzhou,
# Huzhou, Shaoxing and Jinhua) e-CNY pilot areas. From then on all nine counties of Jinhua are pilot areas; no county of the
# city is untreated, so a comparison of counties has no valid control group. This paper therefore asks the question at the
# city level: once it became a pilot area, how much higher were Jinhua's consumption (retail sales per resident) and online
# retail than they would have been without the pilot? Pilot indicators such as accepting merchants or wallets are recorded only
# in pilot areas and cannot be compared with other cities; consumption and online retail are recorded everywhere and measure
# the plan's aim of expanding domestic demand directly.

# %% [markdown] tags=["lang-zh"]
# ## 2 数据与对照城市

# %% [markdown] tags=["lang-en"]
# ## 2 Data and comparison cities

# %%
rk.report.markdown(study.data_paragraph(est, lang=lang))
display(study.pilot_table(data, lang=lang))
display(study.donor_table(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 3 方法与识别
#
# 设金华市为单位 1、对照城市为 $j = 2, \dots, J+1$，试点始于 $T_0 + 1$ 期。合成控制是对照城市的加权平均，权重 $W = (w_2, \dots, w_{J+1})$ 满足 $w_j \ge 0$、$\sum_j w_j = 1$，
# 使金华市与合成金华市在试点前的预测变量 $X_1$、$X_0$（另一结果变量的试点前均值，以及试点前 18、6、1 个月的结果变量）尽量接近：
# $W^*(V) = \arg\min_W (X_1 - X_0 W)' V (X_1 - X_0 W)$；预测变量权重 $V$ 按嵌套优化选取，使试点前各月结果变量的均方预测误差最小 [@abadie2010]。
# 效应估计为试点后各月金华市与合成金华市之差的平均值。合成控制没有抽样意义上的标准误，推断采用置换检验：把每个对照城市依次当作试点城市，
# 比较各城市试点后与试点前均方根预测误差之比；时间安慰剂检验把试点时间人为提前。作为对照，我们还报告合成双重差分 [@arkhangelsky2021]，
# 它同时估计城市权重和时间权重并允许固定的水平差异，标准误由安慰剂重抽样得到；以及等权重的双重差分。
#
# 识别要求：没有试点时，金华市的消费走势能由对照城市的加权平均再现。威胁主要有三类。
# 第一，同时发生的其他变化：金华市成为试点正是因为承办亚运会，2023 年 9—10 月的亚运会及其筹办投入、同期的消费券和疫情防控政策都会计入估计的“试点效应”；
# 第二，溢出：与金华相邻的城市和浙江省其他城市可能受试点或全省推广的影响，因此被排除在供体池之外（表 2）；
# 第三，对照城市日后成为试点：供体池只保留样本期内从未列入试点的城市，真实数据更新时必须按最新的试点名单重新筛选。
# 另一种可行的设计是在金华市内部比较试点措施的强度和时间（受理场景、商户推广进度），它需要按县或按商户的试点推进记录。

# %% [markdown] tags=["lang-en"]
# ## 3 Method and identification
#
# Let unit 1 be Jinhua and $j = 2, \dots, J+1$ the donor cities; the pilot starts in period $T_0 + 1$. The synthetic control is a
# weighted average of donors with weights $W = (w_2, \dots, w_{J+1})$, $w_j \ge 0$, $\sum_j w_j = 1$, chosen to match Jinhua's
# pre-pilot predictors $X_1$ with the donors' $X_0$ (the pre-pilot mean of the other outcome and the outcome 18, 6 and 1 months
# before the pilot): $W^*(V) = \arg\min_W (X_1 - X_0 W)' V (X_1 - X_0 W)$, with the predictor weights $V$ from the nested
# optimisation that minimises the pre-pilot mean squared prediction error of the outcome [@abadie2010]. The effect estimate is
# the average gap between Jinhua and its synthetic control after the pilot starts. A synthetic control has no sampling standard
# error; inference is by permutation: each donor in turn is treated as the pilot city and the ratios of post- to pre-pilot root
# mean squared prediction error are compared; an in-time placebo moves the pilot start earlier. For comparison we report
# synthetic difference-in-differences [@arkhangelsky2021], which estimates city and time weights and allows a constant level
# difference, with placebo standard errors, and equally weighted difference-in-differences.
#
# Identification requires that, without the pilot, a weighted average of donors reproduces Jinhua's consumption path. There are
# three main threats. First, concurrent changes: Jinhua became a pilot area because it hosted Asian Games events, and the Games
# (September–October 2023) with their preparations, consumption vouchers and pandemic policies over the same months all enter
# the estimated "pilot effect". Second, spill-overs: cities bordering Jinhua and the rest of Zhejiang may be affected by the
# pilot or its province-wide promotion, so they are kept out of the donor pool (Table 2). Third, donors that later become pilot
# areas: the pool keeps only cities never listed during the sample, and must be re-screened against the latest list when real
# data are updated. An alternative design compares the intensity and timing of the pilot's measures within Jinhua (acceptance
# scenarios, merchant roll-out); it needs records of the pilot's progress by county or merchant.

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
# ## 5 结论

# %% [markdown] tags=["lang-en"]
# ## 5 Conclusion

# %%
rk.report.markdown(study.conclusion_paragraph(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 6 注意事项
#
# - 合成控制假定金华市在未试点时的走势可以由对照城市的加权平均再现；试点前拟合良好是这一假定的必要条件，但不能证明它成立。
# - 置换检验的 p 值最小只能是参与比较的城市数的倒数；对照城市较少时检验功效有限。
# - 试点名单中 2022 年底一批的月份依据媒体报道，使用真实数据前应以人民银行公告核实；若对照城市此后被列入试点，应从供体池中剔除。

# %% [markdown] tags=["lang-en"]
# ## 6 Caveats
#
# - The synthetic control assumes that a weighted average of donors reproduces what Jinhua would have done without the pilot; a
#   good pre-pilot fit is necessary for that, but does not prove it.
# - The smallest attainable permutation p-value is one over the number of cities compared; with few donors the test has little power.
# - The month of the end-2022 batch of pilot areas comes from press reports and should be checked against the PBoC notice before
#   real data are used; a donor city listed later must leave the pool.

# %% [markdown] tags=["lang-zh"]
# ## 附录：运行记录

# %% [markdown] tags=["lang-en"]
# ## Appendix: provenance

# %%
rk.report.markdown(study.provenance_note(est, lang=lang))
for t in rk.report.provenance_tables(rk.report.provenance(params, datasets=["digital_rmb_cities", "ecny_pilot_areas",
                                                                            "digital_rmb_true_effects"]), lang=lang):
    display(t)
