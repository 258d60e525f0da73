# %% [markdown] tags=["remove"]
# # 小微企业汇率避险担保增信：断点回归 / FX-hedging guarantee for small firms: regression discontinuity
#
# Exploration view. The published paper is this notebook executed by `research-kit run hedging_rd` and rendered
# without code; prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language.

# %% tags=["parameters"]
n_firms: int = 4000  # number of synthetic small exporting firms
threshold: float = 50.0  # eligibility threshold: prior-year export receipts in 万美元 (hypothetical rule)
take_up: float = 0.6  # probability that an eligible firm with average hedging propensity takes up the guarantee
manipulation: float = 0.0  # share of firms just below the threshold that misreport to qualify (0 means none)
outcome: str = "hedge_ratio"  # hedge_ratio (% of FX receipts hedged) | fx_loss (FX loss, % of receipts)
bwselect: str = "mserd"  # bandwidth selector: mserd | msetwo | msesum | cerrd | certwo | ...
kernel: str = "triangular"  # kernel: triangular | epanechnikov | uniform
p: int = 1  # order of the local polynomial (1 means local linear)
level: float = 0.95  # confidence level of intervals
seed: int = 20221230  # random seed of the synthetic data
lang: str = "zh"  # paper language; one of "zh", "en"

# %%
import research_kit as rk
from research_kit.studies import hedging_rd as study

params = dict(n_firms=n_firms, threshold=threshold, take_up=take_up, manipulation=manipulation, outcome=outcome,
              bwselect=bwselect, kernel=kernel, p=p, level=level, seed=seed, lang=lang)
rk.report.use_theme()
data = study.simulate(n_firms, threshold=threshold, take_up=take_up, manipulation=manipulation, seed=seed)
est = study.estimate(data, outcome=outcome, kernel=kernel, bwselect=bwselect, p=p, level=level)
rk.report.front_matter(**study.front_matter(est, lang=lang))

# %%
rk.report.markdown(study.data_notice(lang))

# %% [markdown] tags=["lang-zh"]
# ## 1 研究问题与政策背景
#
# 《金华市开放经济金融服务改革创新试点实施方案》（金政发〔2022〕38号）第 19 项任务提出“建立汇率避险政府性融资担保增信服务机制”：
# 发挥政府性融资担保体系作用，出台小微企业和个体工商户汇率避险担保增信政策，为符合条件的小微企业和个体工商户提供汇率避险担保服务，
# 降低办理成本，引导小微企业合理运用汇率避险工具。方案的主要目标之一是到 2025 年小微企业汇率避险率达到 30%。
#
# 担保只提供给“符合条件”的企业。若资格由一个可观测的门槛决定（本文假设为上年出口收汇不低于某一金额），
# 门槛两侧紧邻的企业在其他方面相近，只是一侧可以获得担保、另一侧不能。比较门槛两侧企业的汇率避险比例和汇兑损失，
# 即可识别担保资格（以及担保本身）在门槛处的因果效应：这就是断点回归设计。

# %% [markdown] tags=["lang-en"]
# ## 1 Question and policy background
#
# Task 19 of the *Implementation Plan of the Jinhua Open-Economy Financial Services Reform Pilot* (Jin Zheng Fa [2022] No. 38)
# is to build a government-backed guarantee service for FX hedging: the government financing-guarantee system is to offer
# small and micro firms and individual businesses that meet the conditions a guarantee for their FX hedging, lowering its
# cost and encouraging small firms to hedge. One of the plan's 2025 targets is an FX hedging rate of 30% among small and micro firms.
#
# The guarantee goes only to firms that qualify. When eligibility is set by an observable threshold (here, as an assumption,
# a minimum of prior-year export receipts), firms just above and just below it are alike except that one side can get the
# guarantee and the other cannot. Comparing their hedging ratios and FX losses identifies the causal effect of eligibility
# (and of the guarantee itself) at the threshold: a regression discontinuity design.

# %% [markdown] tags=["lang-zh"]
# ## 2 数据

# %% [markdown] tags=["lang-en"]
# ## 2 Data

# %%
rk.report.markdown(study.data_paragraph(data, lang=lang))
study.descriptives(data, lang=lang)

# %%
rk.report.show(study.first_stage_figure(data, lang=lang), caption=study.caption("first_stage", lang))

# %% [markdown] tags=["lang-zh"]
# ## 3 方法
#
# 记驱动变量为 $X_i$（上年出口收汇减门槛），资格 $Z_i = 1\{X_i \ge 0\}$，是否办理担保为 $D_i$，结果变量为 $Y_i$。
# 精确断点估计门槛处结果的跳跃 $\tau_Y = \lim_{x\downarrow 0} E[Y\mid X=x] - \lim_{x\uparrow 0} E[Y\mid X=x]$，即“符合条件”的效应；
# 由于并非所有符合条件的企业都办理担保，模糊断点用担保办理率的跳跃 $\tau_D$ 相除，$\tau_Y/\tau_D$ 为担保对门槛附近“符合条件即办理”企业的局部平均处理效应。
#
# 两侧的条件期望用局部线性回归（核加权）估计，带宽按 Calonico、Cattaneo 和 Titiunik（2014）的均方误差最优方法由数据选择；
# 由于均方误差最优带宽下的估计存在一阶偏差，置信区间采用稳健偏差校正方法：减去用二阶局部多项式估计的偏差，并在标准误中计入偏差估计的抽样误差。
# 估计调用参考实现 rdrobust；驱动变量密度检验调用 rddensity（Cattaneo、Jansson 和 Ma，2020）。

# %% [markdown] tags=["lang-en"]
# ## 3 Method
#
# Let $X_i$ be the running variable (prior-year export receipts minus the threshold), $Z_i = 1\{X_i \ge 0\}$ eligibility,
# $D_i$ take-up of the guarantee and $Y_i$ the outcome. The sharp RD estimates the jump of the outcome at the threshold,
# $\tau_Y = \lim_{x\downarrow 0} E[Y\mid X=x] - \lim_{x\uparrow 0} E[Y\mid X=x]$, the effect of eligibility. Not every eligible
# firm takes the guarantee up, so the fuzzy RD divides by the jump in take-up $\tau_D$: $\tau_Y/\tau_D$ is the local average
# effect of the guarantee on firms near the threshold that take it up once eligible.
#
# The conditional means on each side are estimated by kernel-weighted local linear regression, with the MSE-optimal bandwidth
# of Calonico, Cattaneo and Titiunik (2014) chosen from the data. At that bandwidth the estimate has a first-order bias, so
# the confidence intervals are robust bias-corrected: the bias estimated by a local quadratic fit is subtracted and its
# sampling error enters the standard error. The estimates come from the reference implementation rdrobust; the density test
# of the running variable from rddensity (Cattaneo, Jansson and Ma 2020).

# %% [markdown] tags=["lang-zh"]
# ## 4 结果

# %% [markdown] tags=["lang-en"]
# ## 4 Results

# %%
rk.report.show(study.rd_figure(est, lang=lang), caption=study.caption("rd_plot", lang, outcome=outcome))

# %%
rk.report.markdown(study.results_paragraph(est, lang=lang))
study.results_table(est, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ## 5 设计检验

# %% [markdown] tags=["lang-en"]
# ## 5 Validity checks

# %%
rk.report.markdown(study.validity_paragraph(est, lang=lang))
rk.report.show(study.density_figure(est, lang=lang), caption=study.caption("density", lang))

# %%
study.balance_table(est, lang=lang)

# %%
study.placebo_table(est, lang=lang)

# %%
rk.report.show(study.sensitivity_figure(est, lang=lang), caption=study.caption("sensitivity", lang))

# %%
rk.report.markdown(study.truth_paragraph(est, lang=lang))
study.truth_table(est, lang=lang)

# %% [markdown] tags=["lang-zh"]
# ## 6 注意事项
#
# - 断点回归只识别门槛附近企业的效应；远离门槛的企业（规模更小或更大）效应可能不同，不能直接外推。
# - 识别要求企业不能精确操纵申报的出口收汇以跨过门槛。密度检验不显著与此相符，但不能证明不存在操纵；若资格按可核实的收汇数据（如银行结汇记录）认定，操纵空间更小。
# - 模糊断点估计的是“符合条件即办理”企业的效应；未办理担保的企业若办理，效应可能不同。
# - 本文数据为模拟数据，门槛和效应均为虚构；使用真实数据时，应按实际政策的资格条件定义驱动变量和断点。

# %% [markdown] tags=["lang-en"]
# ## 6 Caveats
#
# - RD identifies the effect for firms near the threshold; firms far from it (smaller or larger) may respond differently, and the estimate does not carry over to them directly.
# - Identification requires that firms cannot precisely manipulate reported export receipts to cross the threshold. An insignificant density test is consistent with this but does not prove it; eligibility based on verifiable receipts (bank settlement records) leaves less room for manipulation.
# - The fuzzy RD estimates the effect on firms that take the guarantee up once eligible; firms that do not take it up might respond differently if they did.
# - The data are synthetic and the threshold and effects invented; with real data, define the running variable and the cutoff by the eligibility rule of the actual policy.

# %% [markdown] tags=["lang-zh"]
# ## 附录：运行记录

# %% [markdown] tags=["lang-en"]
# ## Appendix: provenance

# %%
for t in rk.report.provenance_tables(rk.report.provenance(params, datasets=[]), lang=lang):
    display(t)
