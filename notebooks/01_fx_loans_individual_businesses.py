# %% [markdown] tags=["remove"]
# # 个体工商户国内外汇贷款：试点效果评估 / FX loans to individual businesses
#
# Exploration view. The published paper is this notebook executed by `research-kit run fx_loans`
# and rendered without code; prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language.

# %% tags=["parameters"]
county: str = "all"  # county to evaluate: all of Jinhua or one county; one of "all", "婺城区", "金东区", "兰溪市", "东阳市", "义乌市", "永康市", "浦江县", "武义县", "磐安县"
outcome: str = "fx_loan_balance"  # main outcome of the event study and diagnostics: fx_loan_balance (万美元) | financing_cost (%) | loan_access (0/1); the headline table has all three
estimator: str = "callaway_santanna"  # headline estimator: "callaway_santanna" or "twfe"
control_group: str = "not_yet"  # comparison businesses: "never" or "not_yet" treated
leads: int = 12  # months before the programme start shown in the event study
lags: int = 24  # months after the programme start shown in the event study
cluster: str = "cell"  # clustering level of standard errors: "cell" (county x bank, where the programme starts), "county" or "business_id"
seed: int = 20221230  # random seed (recorded in the appendix; used by bootstrap draws)
bootstrap_reps: int = 9999  # bootstrap draws: wild cluster bootstrap of TWFE and multiplier bootstrap of Callaway-Sant'Anna
lang: str = "zh"  # paper language; one of "zh", "en"
alpha: float = 0.05  # 1 - confidence level of intervals

# %%
import research_kit as rk
from research_kit.studies import fx_loans as study

params = dict(county=county, outcome=outcome, estimator=estimator, control_group=control_group, leads=leads,
              lags=lags, cluster=cluster, seed=seed, bootstrap_reps=bootstrap_reps, lang=lang, alpha=alpha)
rk.report.use_theme()
panel = study.with_cells(study.analysis_panel(county))  # + the county x bank cell (clustering level)
est = study.estimate(panel, outcome=outcome, estimator=estimator, control_group=control_group, leads=leads,
                     lags=lags, cluster=cluster, alpha=alpha, seed=seed, bootstrap_reps=bootstrap_reps)
rk.report.front_matter(**study.front_matter(est, lang=lang))

# %%
rk.report.markdown(study.data_notice(lang))

# %% [markdown] tags=["lang-zh"]
# ## 1 研究问题与政策背景
#
# 《金华市开放经济金融服务改革创新试点实施方案》（金政发〔2022〕38号）第 2 项任务提出“推广个体工商户国内外汇贷款融资”：
# 发挥国内外汇贷款的低成本和汇率避险功能，支持银行盘活闲置外汇资金，向具有真实货物贸易背景的个体工商户发放外币贷款，
# 并扩大经办银行范围。方案的主要目标之一是到 2025 年向个体工商户发放外汇贷款 3 亿美元。
#
# 本文回答的问题是：一家银行在一个县（市、区）开办这项业务之后，其开户的个体工商户的外汇贷款余额、融资成本和获得贷款的情况发生了多大变化？
# 三项结果分别对应方案的三个意图：扩大外汇贷款规模、降低融资成本、让更多个体工商户获得贷款。
# 由于各银行、各县开办时间不同，我们使用交错开办的双重差分设计，把尚未开办（或从未开办）地区与银行的个体工商户作为对照。

# %% [markdown] tags=["lang-en"]
# ## 1 Question and policy background
#
# Task 2 of the *Implementation Plan of the Jinhua Open-Economy Financial Services Reform Pilot* (Jin Zheng Fa [2022] No. 38)
# is to expand domestic foreign-currency (FX) loans to individual businesses: to use the low cost and exchange-rate hedging
# of domestic FX loans, to let banks lend idle FX funds to individual businesses with genuine goods-trade backgrounds, and to
# widen the set of banks that offer these loans. One of the plan's 2025 targets is USD 300 million of FX loans to individual businesses.
#
# The question of this paper: once a bank starts the programme in a county, how much do the FX loan balance, the financing
# cost and loan access of the individual businesses banking there change? The three outcomes match the plan's three aims:
# more FX lending, cheaper finance, and more businesses with a loan. Banks and counties started at different times, so we use
# a staggered difference-in-differences design in which businesses whose bank has not yet (or never) started the programme
# in their county are the comparison group.

# %% [markdown] tags=["lang-zh"]
# ## 2 数据

# %% [markdown] tags=["lang-en"]
# ## 2 Data

# %%
rk.report.markdown(study.data_paragraph(panel, lang=lang))
rk.report.table(study.descriptives(panel, lang=lang), index=True, digits=2, caption=study.caption("descriptives", lang))

# %%
rk.report.markdown(study.linkage_paragraph(lang=lang))
study.linkage_table(lang=lang)

# %%
study.balance_table(panel, lang=lang)

# %%
rk.report.markdown(study.balance_paragraph(panel, lang=lang))

# %%
study.fx_by_county_sector(panel, lang=lang)

# %%
rk.report.show(study.rollout_figure(lang=lang), caption=study.caption("rollout", lang))

# %%
rk.report.show(study.trends_figure(panel, outcome, lang=lang), caption=study.caption("trends", lang, outcome=outcome))

# %% [markdown] tags=["lang-zh"]
# ## 3 识别策略

# %% [markdown] tags=["lang-en"]
# ## 3 Identification

# %%
rk.report.markdown(study.identification_paragraphs(panel, est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 4 方法
#
# 基准设定是双向固定效应（TWFE）回归 $Y_{it} = \alpha_i + \lambda_t + \beta D_{it} + \varepsilon_{it}$，其中 $D_{it}$ 表示个体工商户 $i$ 的开户银行在 $t$ 月已在其所在县开办业务。
# 当开办时间交错、且效应随开办时间增长时，TWFE 的 $\beta$ 会把较早开办的个体当作较晚开办者的对照，估计值可能偏离任何有意义的平均效应（Goodman-Bacon[@goodmanbacon2021]）。
# 因此我们以 Callaway 和 Sant'Anna[@callaway2021] 的组别—时期平均处理效应 $ATT(g,t)=E[Y_t(g)-Y_t(0)\mid G=g]$ 为主要估计量：每个开办批次 $g$ 只与尚未开办（或从未开办）的个体比较，再按批次规模加权汇总为总体效应和事件研究（动态）效应。
# 我们同时报告 Sun 和 Abraham[@sun2021] 的交互加权估计与 Borusyak、Jaravel 和 Spiess[@borusyak2024] 的插补估计，并用 Goodman-Bacon 分解分析 TWFE 与它们的差距来自何处。
#
# 对平行趋势假设，我们报告开办前系数的联合检验，并按 Rambachan 和 Roth[@rambachan2023] 的相对幅度约束分析结论对偏离的敏感性，报告使结论不再成立的临界值 $\bar{M}$。

# %% [markdown] tags=["lang-en"]
# ## 4 Method
#
# The benchmark is the two-way fixed-effects (TWFE) regression $Y_{it} = \alpha_i + \lambda_t + \beta D_{it} + \varepsilon_{it}$, where $D_{it}$ indicates that business $i$'s bank had started the programme in its county by month $t$.
# With staggered adoption and effects that grow over time, TWFE uses early adopters as controls for late adopters and $\beta$ can be far from any meaningful average effect [@goodmanbacon2021].
# Our main estimator is therefore the group-time average treatment effect of @callaway2021, $ATT(g,t)=E[Y_t(g)-Y_t(0)\mid G=g]$: each adoption cohort $g$ is compared only with businesses not yet (or never) treated, and the $ATT(g,t)$ are aggregated, weighted by cohort size, into an overall effect and an event-study (dynamic) profile.
# We also report the interaction-weighted estimator of @sun2021 and the imputation estimator of @borusyak2024, and use the Goodman-Bacon decomposition to trace where the gap between TWFE and them comes from.
#
# For parallel trends we report joint tests of the pre-programme coefficients and the sensitivity of the conclusions to violations bounded by relative magnitudes [@rambachan2023], including the breakdown value of $\bar{M}$ at which the conclusion no longer holds.

# %%
rk.report.markdown(study.method_inference_paragraph(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 5 结果
#
# ### 5.1 三项结果的平均效应

# %% [markdown] tags=["lang-en"]
# ## 5 Results
#
# ### 5.1 Average effects on the three outcomes

# %%
rk.report.markdown(study.results_paragraph(est, lang=lang))
study.results_table(est, lang=lang)

# %%
trade = study.trade_effects(panel, control_group=control_group, alpha=alpha, seed=seed, cluster=cluster,
                           synthetic=est.synthetic)
rk.report.markdown(study.trade_paragraph(trade, lang=lang))
study.trade_table(trade, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ### 5.2 事件研究与平行趋势

# %% [markdown] tags=["lang-en"]
# ### 5.2 Event study and parallel trends

# %%
rk.report.show(study.event_study_figure(est, lang=lang), caption=study.caption("event_study", lang, outcome=outcome))

# %%
rk.report.markdown(study.pretrend_paragraph(est, lang=lang))
study.pretrend_table(est, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ### 5.3 按开办层级的推断

# %% [markdown] tags=["lang-en"]
# ### 5.3 Inference at the level of assignment

# %%
rk.report.markdown(study.inference_paragraph(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ### 5.4 TWFE 为何不同：Goodman-Bacon 分解

# %% [markdown] tags=["lang-en"]
# ### 5.4 Why TWFE differs: the Goodman-Bacon decomposition

# %%
rk.report.markdown(study.bacon_paragraph(est, lang=lang))
study.bacon_table(est, lang=lang)

# %%
rk.report.show(study.bacon_figure(est, lang=lang), caption=study.caption("bacon_figure", lang))

# %% [markdown] tags=["lang-zh"]
# ### 5.5 对平行趋势偏离的敏感性

# %% [markdown] tags=["lang-en"]
# ### 5.5 Sensitivity to violations of parallel trends

# %%
rk.report.markdown(study.honest_paragraph(est, lang=lang))
study.honest_table(est, lang=lang)

# %%
rk.report.show(study.honest_figure(est, lang=lang), caption=study.caption("honest_figure", lang))

# %% [markdown] tags=["lang-zh"]
# ### 5.6 与模拟真实效应的比较

# %% [markdown] tags=["lang-en"]
# ### 5.6 Comparison with the simulated truth

# %%
rk.report.markdown(study.truth_paragraph(est, lang=lang))
study.truth_table(est, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ### 5.7 按行业的差异

# %% [markdown] tags=["lang-en"]
# ### 5.7 Differences by sector

# %%
rk.report.markdown(study.sector_paragraph(est, lang=lang))
study.sector_table(est, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ## 6 结论与政策含义

# %% [markdown] tags=["lang-en"]
# ## 6 Conclusion and policy implications

# %%
rk.report.markdown(study.conclusion_paragraphs(panel, est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 7 注意事项

# %% [markdown] tags=["lang-en"]
# ## 7 Caveats

# %%
rk.report.markdown(study.caveats(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 附录：运行记录

# %% [markdown] tags=["lang-en"]
# ## Appendix: provenance

# %%
for t in rk.report.provenance_tables(rk.report.provenance(params), lang=lang):
    display(t)
