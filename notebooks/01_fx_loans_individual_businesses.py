# %% [markdown] tags=["remove"]
# # 个体工商户国内外汇贷款：试点效果评估 / FX loans to individual businesses
#
# Exploration view. The published paper is this notebook executed by `research-kit run fx_loans`
# and rendered without code; prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language.

# %% tags=["parameters"]
county: str = "all"  # county to evaluate: all of Jinhua or one county; one of "all", "婺城区", "金东区", "兰溪市", "东阳市", "义乌市", "永康市", "浦江县", "武义县", "磐安县"
outcome: str = "fx_loan_balance"  # fx_loan_balance (万美元) | financing_cost (%) | loan_access (0/1)
estimator: str = "callaway_santanna"  # headline estimator: "callaway_santanna" or "twfe"
control_group: str = "not_yet"  # comparison businesses: "never" or "not_yet" treated
leads: int = 12  # months before the programme start shown in the event study
lags: int = 24  # months after the programme start shown in the event study
cluster: str = "business_id"  # clustering level of standard errors: "business_id" or "county"
seed: int = 20221230  # random seed (recorded in the appendix; used by bootstrap draws)
bootstrap_reps: int = 9999  # wild cluster bootstrap draws (counties as clusters; all of Jinhua only)
lang: str = "zh"  # paper language; one of "zh", "en"
alpha: float = 0.05  # 1 - confidence level of intervals

# %%
import research_kit as rk
from research_kit.studies import fx_loans as study

params = dict(county=county, outcome=outcome, estimator=estimator, control_group=control_group, leads=leads,
              lags=lags, cluster=cluster, seed=seed, bootstrap_reps=bootstrap_reps, lang=lang, alpha=alpha)
rk.report.use_theme()
panel = study.analysis_panel(county)
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
# 由于各银行、各县开办时间不同（义乌市首批试点，其余地区分批扩大），我们使用交错开办的双重差分设计，
# 把尚未开办（或从未开办）地区与银行的个体工商户作为对照。

# %% [markdown] tags=["lang-en"]
# ## 1 Question and policy background
#
# Task 2 of the *Implementation Plan of the Jinhua Open-Economy Financial Services Reform Pilot* (Jin Zheng Fa [2022] No. 38)
# is to expand domestic foreign-currency (FX) loans to individual businesses: to use the low cost and exchange-rate hedging
# of domestic FX loans, to let banks lend idle FX funds to individual businesses with genuine goods-trade backgrounds, and to
# widen the set of banks that offer these loans. One of the plan's 2025 targets is USD 300 million of FX loans to individual businesses.
#
# The question of this paper: once a bank starts the programme in a county, how much do the FX loan balance, the financing
# cost and loan access of the individual businesses banking there change? Banks and counties started at different times
# (Yiwu first, the others in later waves), so we use a staggered difference-in-differences design in which businesses whose
# bank has not yet (or never) started the programme in their county are the comparison group.

# %% [markdown] tags=["lang-zh"]
# ## 2 数据

# %% [markdown] tags=["lang-en"]
# ## 2 Data

# %%
rk.report.markdown(study.data_paragraph(panel, lang=lang))
rk.report.table(study.descriptives(panel, lang=lang), index=True, digits=2, caption=study.caption("descriptives", lang))

# %%
study.balance_table(panel, lang=lang)

# %%
study.fx_by_county_sector(panel, lang=lang)

# %%
rk.report.show(study.rollout_figure(lang=lang), caption=study.caption("rollout", lang))

# %%
rk.report.show(study.trends_figure(panel, outcome, lang=lang), caption=study.caption("trends", lang, outcome=outcome))

# %% [markdown] tags=["lang-zh"]
# ## 3 方法
#
# 基准设定是双向固定效应（TWFE）回归 $Y_{it} = \alpha_i + \lambda_t + \beta D_{it} + \varepsilon_{it}$，其中 $D_{it}$ 表示个体工商户 $i$ 的开户银行在 $t$ 月已在其所在县开办业务。
# 当开办时间交错、且效应随开办时间增长时，TWFE 的 $\beta$ 会把较早开办的个体当作较晚开办者的对照，估计值可能偏离任何有意义的平均效应（Goodman-Bacon, 2021）。
# 因此我们以 Callaway 和 Sant'Anna（2021）的组别—时期平均处理效应 $ATT(g,t)=E[Y_t(g)-Y_t(0)\mid G=g]$ 为主要估计量：每个开办批次 $g$ 只与尚未开办（或从未开办）的个体比较，再按批次规模加权汇总为总体效应和事件研究（动态）效应。
# 我们同时报告 Sun 和 Abraham（2021）的交互加权估计与 Borusyak、Jaravel 和 Spiess（2024）的插补估计，并用 Goodman-Bacon 分解说明 TWFE 与它们的差异。
# 标准误基于影响函数或聚类稳健方差，按所设层级聚类；以 9 个县为聚类时使用野聚类自助法（Cameron、Gelbach 和 Miller, 2008）。
# 对平行趋势假设，我们报告开办前系数的联合检验，并按 Rambachan 和 Roth（2023）的相对幅度约束分析结论对偏离的敏感性。

# %% [markdown] tags=["lang-en"]
# ## 3 Method
#
# The benchmark is the two-way fixed-effects (TWFE) regression $Y_{it} = \alpha_i + \lambda_t + \beta D_{it} + \varepsilon_{it}$, where $D_{it}$ indicates that business $i$'s bank had started the programme in its county by month $t$.
# With staggered adoption and effects that grow over time, TWFE uses early adopters as controls for late adopters and $\beta$ can be far from any meaningful average effect (Goodman-Bacon, 2021).
# Our main estimator is therefore the group-time average treatment effect of Callaway and Sant'Anna (2021), $ATT(g,t)=E[Y_t(g)-Y_t(0)\mid G=g]$: each adoption cohort $g$ is compared only with businesses not yet (or never) treated, and the $ATT(g,t)$ are aggregated, weighted by cohort size, into an overall effect and an event-study (dynamic) profile.
# We also report the interaction-weighted estimator of Sun and Abraham (2021) and the imputation estimator of Borusyak, Jaravel and Spiess (2024), and use the Goodman-Bacon decomposition to explain how TWFE differs from them.
# Standard errors come from influence functions or cluster-robust variances at the chosen level; with the 9 counties as clusters we use the wild cluster bootstrap (Cameron, Gelbach and Miller, 2008).
# For parallel trends we report joint tests of the pre-programme coefficients and the sensitivity of the conclusions to violations bounded by relative magnitudes (Rambachan and Roth, 2023).

# %% [markdown] tags=["lang-zh"]
# ## 4 结果
#
# ### 4.1 平均处理效应

# %% [markdown] tags=["lang-en"]
# ## 4 Results
#
# ### 4.1 Average effects

# %%
rk.report.markdown(study.results_paragraph(est, lang=lang))
study.results_table(est, lang=lang)

# %%
rk.report.markdown(study.wild_paragraph(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ### 4.2 事件研究与平行趋势

# %% [markdown] tags=["lang-en"]
# ### 4.2 Event study and parallel trends

# %%
rk.report.show(study.event_study_figure(est, lang=lang), caption=study.caption("event_study", lang, outcome=outcome))

# %%
rk.report.markdown(study.pretrend_paragraph(est, lang=lang))
study.pretrend_table(est, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ### 4.3 TWFE 为何不同：Goodman-Bacon 分解

# %% [markdown] tags=["lang-en"]
# ### 4.3 Why TWFE differs: the Goodman-Bacon decomposition

# %%
rk.report.markdown(study.bacon_paragraph(est, lang=lang))
study.bacon_table(est, lang=lang)

# %%
rk.report.show(study.bacon_figure(est, lang=lang), caption=study.caption("bacon_figure", lang))

# %% [markdown] tags=["lang-zh"]
# ### 4.4 对平行趋势偏离的敏感性

# %% [markdown] tags=["lang-en"]
# ### 4.4 Sensitivity to violations of parallel trends

# %%
rk.report.markdown(study.honest_paragraph(est, lang=lang))
study.honest_table(est, lang=lang)

# %%
rk.report.show(study.honest_figure(est, lang=lang), caption=study.caption("honest_figure", lang))

# %% [markdown] tags=["lang-zh"]
# ### 4.5 与模拟真实效应的比较

# %% [markdown] tags=["lang-en"]
# ### 4.5 Comparison with the simulated truth

# %%
rk.report.markdown(study.truth_paragraph(est, lang=lang))
study.truth_table(est, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ## 5 注意事项
#
# - 平行趋势假设无法直接检验；事件研究中开办前各月的估计值接近零，与该假设相符，但不能证明它成立。
# - 业务按“银行 × 县”开办，同一县内的个体工商户受共同冲击影响；按个体聚类的标准误可能偏小。县只有 9 个，因此以县为聚类时我们用野聚类自助法推断，而不依赖常规聚类标准误。
# - 面板不平衡（新登记、退出、缺失月份）：每个 $ATT(g,t)$ 只使用在两个比较月份都有记录的个体；插补估计不使用在开办后才首次出现的个体；Goodman-Bacon 分解要求平衡面板，因此使用县 × 银行单元的月度均值。
# - 效应只对已开办业务的银行客户成立，不能直接外推到尚未开办的地区。

# %% [markdown] tags=["lang-en"]
# ## 5 Caveats
#
# - Parallel trends cannot be tested directly; the pre-programme event-study estimates are close to zero, which is consistent with it but does not prove it.
# - The programme starts by bank × county, and businesses in a county share common shocks, so standard errors clustered by business may be too small. With only 9 counties, county-clustered inference relies on the wild cluster bootstrap rather than on conventional clustered standard errors.
# - The panel is unbalanced (new registrations, exits, missing months): each $ATT(g,t)$ uses the businesses observed in both months it compares; the imputation estimator leaves out businesses first observed after their bank started the programme; the Goodman-Bacon decomposition, which needs a balanced panel, uses county × bank cell means.
# - The effects describe customers of banks that started the programme; they do not carry over directly to areas that have not.

# %% [markdown] tags=["lang-zh"]
# ## 附录：运行记录

# %% [markdown] tags=["lang-en"]
# ## Appendix: provenance

# %%
for t in rk.report.provenance_tables(rk.report.provenance(params), lang=lang):
    display(t)
