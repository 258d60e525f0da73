# %% [markdown] tags=["remove"]
# # 小微企业汇率避险担保增信：断点回归 / FX-hedging guarantee for small firms: regression discontinuity
#
# Exploration view. The published paper is this notebook executed by `research-kit run hedging_rd` and rendered
# without code; prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language.

# %% tags=["parameters"]
outcome: str = "hedge_ratio"  # hedge_ratio (% of FX receipts hedged) | fx_loss (FX loss, % of receipts)
bwselect: str = "mserd"  # bandwidth selector: mserd | msetwo | msesum | cerrd | certwo | ...
kernel: str = "triangular"  # kernel: triangular | epanechnikov | uniform
p: int = 1  # order of the local polynomial (1 means local linear)
level: float = 0.95  # confidence level of intervals
lang: str = "zh"  # paper language: "zh" (default) or "en"

# %%
import research_kit as rk
from research_kit.studies import hedging_rd as study

params = dict(outcome=outcome, bwselect=bwselect, kernel=kernel, p=p, level=level, lang=lang)
rk.report.use_theme()
data = study.load_data()
est = study.estimate(data, outcome=outcome, kernel=kernel, bwselect=bwselect, p=p, level=level)
rk.report.front_matter(**study.front_matter(est, lang=lang))

# %%
rk.report.markdown(study.data_notice(bool(data.truth), lang))

# %% [markdown] tags=["lang-zh"]
# ## 1 研究问题与政策背景
#
# 《金华市开放经济金融服务改革创新试点实施方案》（金政发〔2022〕38号）第 19 项任务提出“建立汇率避险政府性融资担保增信服务机制”：
# 发挥政府性融资担保体系作用，出台小微企业和个体工商户汇率避险担保增信政策，为符合条件的小微企业和个体工商户提供汇率避险担保服务，
# 降低办理成本，引导小微企业合理运用汇率避险工具。方案的主要目标之一是到 2025 年小微企业汇率避险率达到 30%。
#
# 资格规则。2022 年以来签订的汇率避险担保协议面向小微企业，小微企业按《中小企业划型标准规定》（工信部联企业〔2011〕300号）划型。
# 该规定按行业以从业人员和营业收入划型：批发业中，从业人员 20 人及以上且营业收入 5000 万元及以上的为中型企业；
# 工业中，从业人员 300 人及以上且营业收入 2000 万元及以上的为中型企业。对从业人员不少于 20 人的批发企业，能否获得担保只取决于上年营业收入是否低于 5000 万元。
# 本文的断点回归假定的正是这一规则：比较营业收入略低于 5000 万元（小型，可获得担保）和略高于 5000 万元（中型，不能获得担保）的出口批发企业。
# 两侧紧邻的企业在其他方面相近，比较它们的汇率避险比例和汇兑损失，即可识别担保资格（以及担保本身）在门槛处的因果效应。
# 工业出口企业可在 2000 万元门槛处做同样的分析（需从业人员不少于 300 人的样本）；个体工商户不按这一规定划型，不在本设计之内。

# %% [markdown] tags=["lang-en"]
# ## 1 Question and policy background
#
# Task 19 of the *Implementation Plan of the Jinhua Open-Economy Financial Services Reform Pilot* (Jin Zheng Fa [2022] No. 38)
# is to build a government-backed guarantee service for FX hedging: the government financing-guarantee system is to offer
# small and micro firms and individual businesses that meet the conditions a guarantee for their FX hedging, lowering its
# cost and encouraging small firms to hedge. One of the plan's 2025 targets is an FX hedging rate of 30% among small and micro firms.
#
# The eligibility rule. The guarantee agreements signed since 2022 are for small and micro firms as classified by the MIIT
# rule on the size classification of small and medium enterprises (No. 300 of 2011). The rule classifies by sector on
# employees and operating revenue: a wholesale firm with at least 20 employees and revenue of at least 50 million yuan is
# medium-sized; an industrial firm with at least 300 employees and revenue of at least 20 million yuan is medium-sized. For a
# wholesale firm with at least 20 employees, eligibility therefore depends only on whether last year's revenue was below
# 50 million yuan. This is the rule the regression discontinuity assumes: it compares exporting wholesale firms with revenue just
# below 50 million yuan (small, eligible) with those just above (medium-sized, not eligible). Firms on either side of the
# threshold are otherwise alike, so comparing their hedging ratios and FX losses identifies the causal effect of eligibility
# (and of the guarantee itself) at the threshold. Industrial exporters can be studied the same way at the 20-million threshold
# (with firms of at least 300 employees); individual businesses are not classified by this rule and are outside this design.

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
# 记驱动变量为 $X_i$（5000 万元减上年营业收入），资格 $Z_i = 1\{X_i > 0\}$，是否办理担保为 $D_i$，结果变量为 $Y_i$。
# 精确断点估计门槛处结果的跳跃 $\tau_Y = \lim_{x\downarrow 0} E[Y\mid X=x] - \lim_{x\uparrow 0} E[Y\mid X=x]$，即“符合条件”的效应；
# 由于并非所有符合条件的企业都办理担保，模糊断点用担保办理率的跳跃 $\tau_D$ 相除，$\tau_Y/\tau_D$ 为担保对门槛附近“符合条件即办理”企业的局部平均处理效应。
#
# 两侧的条件期望用核加权的局部线性回归估计，带宽按均方误差最优的原则由数据选择 [@calonico2014]；
# 由于这一带宽下的估计存在一阶偏差，置信区间采用稳健偏差校正方法：减去用二阶局部多项式估计的偏差，并在标准误中计入偏差估计的抽样误差。
# 我们同时报告在局部回归中加入前定协变量（企业成立年限、从业人数、2021 年避险比例）的估计 [@calonico2019]：协变量在门槛处连续时，它不改变估计对象、只提高精度；
# 若某个协变量在门槛处跳跃，两种估计的差异说明这一跳跃对结论的影响有多大。驱动变量的密度检验见 Cattaneo、Jansson 和 Ma [@cattaneo2020]。

# %% [markdown] tags=["lang-en"]
# ## 3 Method
#
# Let $X_i$ be the running variable (50 million yuan minus last year's revenue, in 10k yuan), $Z_i = 1\{X_i > 0\}$ eligibility,
# $D_i$ take-up of the guarantee and $Y_i$ the outcome. The sharp RD estimates the jump of the outcome at the threshold,
# $\tau_Y = \lim_{x\downarrow 0} E[Y\mid X=x] - \lim_{x\uparrow 0} E[Y\mid X=x]$, the effect of eligibility. Not every eligible
# firm takes the guarantee up, so the fuzzy RD divides by the jump in take-up $\tau_D$: $\tau_Y/\tau_D$ is the local average
# effect of the guarantee on firms near the threshold that take it up once eligible.
#
# The conditional means on each side are estimated by kernel-weighted local linear regression, with the bandwidth that minimises
# the mean squared error chosen from the data [@calonico2014]. At that bandwidth the estimate has a first-order bias, so the
# confidence intervals are robust bias-corrected: the bias estimated by a local quadratic fit is subtracted and its sampling
# error enters the standard error. We also report estimates with predetermined covariates (firm age, employees, the 2021 hedging
# ratio) in the local regressions [@calonico2019]: when the covariates are continuous at the threshold this changes precision,
# not the estimand; when one jumps, the difference between the two estimates shows how much the jump matters. The density test
# of the running variable follows Cattaneo, Jansson and Ma [@cattaneo2020].

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
# ## 6 与 30% 目标的关系

# %% [markdown] tags=["lang-en"]
# ## 6 The 30% target

# %%
rk.report.markdown(study.target_paragraph(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 7 注意事项
#
# - 断点回归只识别营业收入接近 5000 万元的企业的效应；规模更小的小微企业效应可能不同，不能直接外推。
# - 识别要求企业不能精确操纵申报的营业收入以跨过门槛。密度检验不显著与此相符，但不能证明不存在操纵；划型所用营业收入若取自税务或审计数据，操纵空间更小。
# - 模糊断点估计的是“符合条件即办理”企业的效应；未办理担保的企业若办理，效应可能不同。
# - 本文数据为模拟数据，效应为虚构；使用真实数据时，应按担保协议签订时实际采用的划型口径（行业、年度、营业收入或从业人员）定义驱动变量和断点。

# %% [markdown] tags=["lang-en"]
# ## 7 Caveats
#
# - RD identifies the effect for firms with revenue near 50 million yuan; smaller firms may respond differently, and the estimate does not carry over to them directly.
# - Identification requires that firms cannot precisely manipulate reported revenue to cross the threshold. An insignificant density test is consistent with this but does not prove it; revenue taken from tax or audited accounts leaves less room for manipulation.
# - The fuzzy RD estimates the effect on firms that take the guarantee up once eligible; firms that do not take it up might respond differently if they did.
# - The data are synthetic and the effects invented; with real data, define the running variable and the cutoff by the classification actually applied when the agreements were signed (sector, year, revenue or employees).

# %% [markdown] tags=["lang-zh"]
# ## 附录：运行记录

# %% [markdown] tags=["lang-en"]
# ## Appendix: provenance

# %%
rk.report.markdown(study.provenance_note(est, lang=lang))
for t in rk.report.provenance_tables(rk.report.provenance(params, datasets=["hedging_guarantee_firms",
                                                                            "hedging_guarantee_truth"]), lang=lang):
    display(t)
