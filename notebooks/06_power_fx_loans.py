# %% [markdown] tags=["remove"]
# # 外汇贷款试点评估的统计功效 / Power analysis for the FX-loans evaluation
#
# Exploration view. The published paper is this notebook executed by `research-kit run power_fx`
# and rendered without code; prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language.

# %% tags=["parameters"]
lang: str = "zh"  # paper language; one of "zh", "en"
outcome: str = "fx_loan_balance"  # fx_loan_balance (万美元) | financing_cost (%) | loan_access (0/1)
n_clusters: int = 9  # clusters of the design (9 counties, or 54 bank x county cells)
icc: float = 0.05  # floor of the design's intra-cluster correlation; the design uses max(icc, the panel's estimate)
alpha: float = 0.05  # size of the two-sided test
power: float = 0.8  # target power of the minimum detectable effect
n_pre: int = 12  # months observed before the programme starts
n_post: int = 12  # months observed after it starts
sim_reps: int = 4000  # simulated panels, one stack for every effect size; 4000 keeps each Monte Carlo SE at most 0.008
seed: int = 20221230  # random seed of the simulation

# %%
import research_kit as rk
from research_kit.studies import fx_loans
from research_kit.studies import power_fx as study

params = dict(lang=lang, outcome=outcome, n_clusters=n_clusters, icc=icc, alpha=alpha, power=power, n_pre=n_pre,
              n_post=n_post, sim_reps=sim_reps, seed=seed)
design = dict(n_clusters=n_clusters, icc=icc, alpha=alpha, power=power, n_pre=n_pre, n_post=n_post)
rk.report.use_theme()
cal = study.calibrate(fx_loans.analysis_panel(), outcome)
rk.report.front_matter(**study.front_matter(cal, lang=lang, **design))

# %%
rk.report.markdown(study.data_notice(lang))

# %% [markdown] tags=["lang-zh"]
# ## 1 问题
#
# 第 2 项任务的效果评估（见外汇贷款研究）比较已开办与尚未开办业务的银行 × 县中的个体工商户。业务按县或银行 × 县开办，
# 同一县内的主体受共同冲击影响，同一主体各月的结果高度相关；因此评估能可靠检出多大的效应，取决于聚类的数量、组内相关和序列相关，
# 而不只是主体的数量。本文在评估之前回答：给定这些设计参数，多大的效应能以 80% 的概率被检出（最小可检测效应）？
# 功效分析只用于设计评估；评估完成后，用估计值计算的“事后功效”不提供置信区间以外的信息，本文不报告。

# %% [markdown] tags=["lang-en"]
# ## 1 Question
#
# The evaluation of task 2 (see the FX loan paper) compares individual businesses in bank × county cells that have started the
# programme with those that have not yet. The programme starts by county or by bank × county, businesses of a county share common
# shocks, and a business's outcomes are strongly correlated from month to month; so how large an effect the evaluation can reliably
# detect depends on the number of clusters, the intra-cluster correlation and the serial correlation — not only on the number of
# businesses. Before the evaluation, this paper asks: given these design parameters, how large must an effect be to be detected
# with 80% probability (the minimum detectable effect, MDE)? Power analysis serves the design of an evaluation; "post-hoc power"
# computed from an estimate adds nothing to its confidence interval and is not reported here.

# %% [markdown] tags=["lang-zh"]
# ## 2 标定

# %% [markdown] tags=["lang-en"]
# ## 2 Calibration

# %%
rk.report.markdown(study.calibration_paragraph(cal, icc=icc, lang=lang))
study.calibration_table(cal, icc=icc, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ## 3 方法
#
# 设 $J$ 个聚类（一半开办）各有 $m$ 家主体，开办前观测 $n_{pre}$ 个月、开办后 $n_{post}$ 个月。结果为
# $y_{ijt} = a_{ij} + d_t + \beta D_{jt} + c_{jt} + e_{ijt}$，其中县-月冲击 $c_{jt}$ 的方差占比为组内相关系数 $\rho$，两类误差各自服从一阶自回归的序列相关。
# 双重差分估计量等于开办聚类与未开办聚类之间“开办后均值减开办前均值”的差，其方差为
# $V = \sigma^2\,[\,\rho\; a'R_c a + (1-\rho)/m\; a'R_e a\,] / (P(1-P)J)$，
# $a$ 对开办前各期取 $-1/n_{pre}$、开办后各期取 $1/n_{post}$，$R$ 为序列相关矩阵。这是 Burlig、Preonas 和 Woerman 的序列相关稳健方差 [@burlig2020]，
# 聚类间的相关按 Bloom 的设计效应处理 [@bloom1995]；检验使用自由度为 $J-2$ 的 $t$ 分布，最小可检测效应精确求解“功效 = 目标功效”。
# 当序列相关为常数时它退化为 McKenzie 的公式 [@mckenzie2012]。

# %% [markdown] tags=["lang-en"]
# ## 3 Method
#
# Let $J$ clusters (half of them treated) of $m$ businesses each be observed $n_{pre}$ months before and $n_{post}$ months after
# the start, with outcome $y_{ijt} = a_{ij} + d_t + \beta D_{jt} + c_{jt} + e_{ijt}$, where the county-month shock $c_{jt}$ has a
# share $\rho$ (the ICC) of the variance and both errors follow AR(1) serial correlation. The DiD estimate is the difference between
# treated and control clusters in the change from the pre-period mean to the post-period mean, with variance
# $V = \sigma^2\,[\,\rho\; a'R_c a + (1-\rho)/m\; a'R_e a\,] / (P(1-P)J)$,
# where $a$ is $-1/n_{pre}$ before and $1/n_{post}$ after the start and $R$ the serial-correlation matrix. This is the
# serial-correlation-robust variance of Burlig, Preonas and Woerman [@burlig2020], with the between-cluster correlation handled by
# Bloom's design effect [@bloom1995]; the test is a $t$ test with $J-2$ degrees of freedom and the MDE solves "power = target power"
# exactly. With constant serial correlation it reduces to McKenzie's formula [@mckenzie2012].

# %% [markdown] tags=["lang-zh"]
# ## 4 结果

# %% [markdown] tags=["lang-en"]
# ## 4 Results

# %%
rk.report.markdown(study.design_paragraph(cal, lang=lang, **design))
study.design_table(cal, lang=lang, **design)

# %%
rk.report.show(study.analytic_figure(cal, lang=lang, **design), caption=study.caption("analytic", lang))

# %% [markdown] tags=["lang-zh"]
# ### 交错开办：模拟
#
# 上面的公式针对一次性开办的 2×2 设计。业务实际上分批开办，估计量是双向固定效应或 Callaway–Sant'Anna [@callaway2021]，因此我们再模拟交错开办面板、
# 用两种估计量重复估计，以拒绝率度量功效。结果以标准差为单位，处理在主体层面分配，标准误按主体聚类。
# 两种估计量都是结果的线性函数、标准误不随常数效应变化，因此同一组模拟面板可用于所有效应值；重复次数保证每个功效数字的蒙特卡洛标准误不超过 0.01。

# %% [markdown] tags=["lang-en"]
# ### Staggered roll-out: simulation
#
# The formula above is for a 2×2 design with one start date. The programme starts in waves and the estimators are two-way fixed
# effects and Callaway–Sant'Anna [@callaway2021], so we also simulate staggered panels, estimate the effect with both estimators
# many times, and measure power as the rejection rate. Effects are in outcome standard deviations, treatment is assigned to units
# and standard errors are clustered by unit. Both estimators are linear in the outcome and their standard errors do not change
# with a constant effect, so one stack of simulated panels serves every effect size; the number of replications keeps the Monte
# Carlo standard error of every power figure at or below 0.01.

# %%
sim = study.simulate(n_clusters=n_clusters, alpha=alpha, seed=seed, reps=sim_reps, power=power, lang=lang)
rk.report.markdown(study.simulation_paragraph(sim, lang=lang, power=power))
rk.report.show(study.simulation_figure(sim, lang=lang, power=power), caption=study.caption("simulation", lang))
study.mc_table(sim, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ## 5 注意事项
#
# - 标定使用的是模拟演示面板；残差方差包含了开办效应的异质性，组内相关和序列相关对结论影响很大，应以真实数据重新标定。
# - 仅有 9 个县时，按县聚类的检验只有 7 个自由度，最小可检测效应较大；把银行 × 县作为聚类可显著提高功效，但要求各银行的开办时间确实不同。
# - 功效公式假设一半聚类开办、各聚类规模相同；不平衡的设计功效更低。
# - 模拟部分的处理在主体层面分配，与业务按银行 × 县开办不同，只用于比较交错开办下两种估计量的相对效率。

# %% [markdown] tags=["lang-en"]
# ## 5 Caveats
#
# - The calibration uses the synthetic demo panel; the residual variance includes the heterogeneity of the programme effect, and the ICC and the serial correlation drive the answer, so they should be re-estimated on real data.
# - With only 9 counties, a test clustered by county has 7 degrees of freedom and the MDE is large; clustering by bank × county raises power considerably, but needs banks that really start at different times.
# - The formula assumes half of the clusters treated and clusters of equal size; unbalanced designs have less power.
# - In the simulation treatment is assigned to units, not to bank × county cells; it only compares the two estimators under staggered adoption.

# %% [markdown] tags=["lang-zh"]
# ## 附录：运行记录

# %% [markdown] tags=["lang-en"]
# ## Appendix: provenance

# %%
rk.report.markdown(study.provenance_note(sim, lang=lang))
for t in rk.report.provenance_tables(rk.report.provenance(params, datasets=["businesses", "fx_loans", "rollout",
                                                                            "true_effects"]), lang=lang):
    display(t)
