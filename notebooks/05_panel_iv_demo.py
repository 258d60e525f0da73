# %% [markdown] tags=["remove"]
# # 融资成本与开放型企业的银行信贷 / Financing cost and bank credit of open-economy firms
#
# Exploration view. The published paper is this notebook executed with papermill and rendered without code;
# prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language. The data are synthetic.

# %% tags=["parameters"]
n_firms: int = 600  # number of synthetic firms in the panel
n_quarters: int = 16  # number of quarters, from 2021Q1
true_effect: float = -0.25  # simulated true effect of one percentage point of loan rate on log credit
instruments: str = "both"  # instruments for the loan rate: "both" (relending + rediscount) or "relending"
se: str = "clustered"  # standard errors of the panel estimators: "clustered" (by firm) or "driscoll_kraay"
seed: int = 20230301  # random seed of the simulation (recorded in the appendix)
lang: str = "zh"  # paper language; one of "zh", "en"

# %%
import research_kit as rk
from research_kit.studies import financing_cost as study

params = dict(n_firms=n_firms, n_quarters=n_quarters, true_effect=true_effect, instruments=instruments, se=se,
              seed=seed, lang=lang)
rk.report.use_theme()
data = study.simulate(n_firms, n_quarters=n_quarters, rate_effect=true_effect, seed=seed)
est = study.estimate(data, instruments=instruments, se=se)
rk.report.front_matter(**study.front_matter(est, lang=lang))

# %%
rk.report.markdown(study.data_notice(lang))

# %% [markdown] tags=["lang-zh"]
# ## 1 研究问题与政策背景
#
# 《金华市开放经济金融服务改革创新试点实施方案》第 1 项任务提出“开展境内外双循环一体化融资创新”：用好央行再贷款、再贴现等货币政策工具，
# 促进开放经济企业境内外低成本融资。政策能否奏效，取决于一个基本参数：企业的贷款利率下降之后，它们会多借多少钱？
#
# 直接比较利率不同的企业会得到有偏的答案：经营更好的企业既能拿到更低的利率，也借得更多；而当企业遇到好的订单（信贷需求上升）时，
# 它会多借钱，银行也可能相应提高利率。本文用面板数据消除企业不随时间变化的差异，并用主办银行获得的再贷款、再贴现资金作为利率的工具变量，
# 分离出利率对贷款的因果效应。

# %% [markdown] tags=["lang-en"]
# ## 1 Question and policy background
#
# Task 1 of the *Implementation Plan of the Jinhua Open-Economy Financial Services Reform Pilot* is to innovate integrated
# domestic and overseas financing: to use central-bank relending and rediscounting to lower the financing cost of open-economy
# firms. Whether this works depends on one basic parameter: when a firm's loan rate falls, how much more does it borrow?
#
# Comparing firms with different rates gives a biased answer: better firms both get lower rates and borrow more, and a firm
# with good orders (higher credit demand) borrows more while its bank may charge more. We use panel data to remove the firms'
# time-invariant differences, and the relending and rediscount funds of the firm's main bank as instruments for the rate,
# to isolate the causal effect of the rate on credit.

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
# 记企业 $i$ 在季度 $t$ 的贷款余额（对数）为 $y_{it}$、贷款利率为 $r_{it}$，模型为
# $y_{it} = \beta r_{it} + \gamma x_{it} + \alpha_i + \lambda_t + u_{it}$，其中 $x_{it}$ 为出口收汇（对数），$\alpha_i$、$\lambda_t$ 为企业和季度效应。
# 我们依次报告混合 OLS、随机效应、双向固定效应，并用 Hausman 检验和聚类稳健的 Mundlak 检验判断企业效应是否与利率相关。
# 固定效应只能消除不随时间变化的差异；若信贷需求冲击同时影响 $r_{it}$ 和 $u_{it}$，仍需工具变量。
# 主办行的再贷款、再贴现资金降低该行的资金成本和贷款利率，但与单个企业的信贷需求无关，因此作为 $r_{it}$ 的工具变量，
# 在消除企业和季度效应后做两阶段最小二乘（固定效应 2SLS），标准误按企业聚类。我们报告一阶段 F 统计量和偏 $R^2$（工具变量强度）、
# 过度识别检验和利率外生性检验。

# %% [markdown] tags=["lang-en"]
# ## 3 Method
#
# With $y_{it}$ the log loan balance of firm $i$ in quarter $t$ and $r_{it}$ its loan rate, the model is
# $y_{it} = \beta r_{it} + \gamma x_{it} + \alpha_i + \lambda_t + u_{it}$, where $x_{it}$ is log export receipts and $\alpha_i$, $\lambda_t$
# are firm and quarter effects. We report pooled OLS, random effects and two-way fixed effects, and use the Hausman test and
# the cluster-robust Mundlak test to ask whether the firm effects are correlated with the rate.
# Fixed effects remove only time-invariant differences; if credit-demand shocks move both $r_{it}$ and $u_{it}$, an instrument
# is needed. The relending and rediscount funds of the main bank lower the bank's funding cost and loan rates but are unrelated
# to an individual firm's credit demand, so they instrument $r_{it}$ in two-stage least squares after removing the firm and
# quarter effects (fixed-effects 2SLS), with standard errors clustered by firm. We report the first-stage F statistic and
# partial $R^2$ (instrument strength), the over-identification test and the test of the exogeneity of the rate.

# %% [markdown] tags=["lang-zh"]
# ## 4 结果

# %% [markdown] tags=["lang-en"]
# ## 4 Results

# %%
rk.report.markdown(study.results_paragraph(est, lang=lang))
study.results_table(est, lang=lang)

# %%
rk.report.show(study.estimates_figure(est, lang=lang), caption=study.caption("estimates", lang))

# %%
rk.report.markdown(study.tests_paragraph(est, lang=lang))
study.tests_table(est, lang=lang)

# %% [markdown] tags=["lang-zh"]
# 表 3 比较双向固定效应估计在四种标准误下的推断。同一县内的企业受共同冲击影响（截面相关），按企业聚类的标准误不考虑这一点；
# Driscoll–Kraay 标准误对截面相关和序列相关都稳健，在季度数较多时更可靠。

# %% [markdown] tags=["lang-en"]
# Table 3 compares inference on the two-way fixed-effects estimate under four kinds of standard errors. Firms in a county
# share common shocks (cross-sectional dependence), which standard errors clustered by firm ignore; Driscoll–Kraay standard
# errors are robust to both cross-sectional and serial correlation and are the more reliable the more quarters there are.

# %%
study.variance_table(est, lang=lang)

# %%
rk.report.markdown(study.truth_paragraph(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 5 注意事项
#
# - 工具变量的有效性依赖排除性约束：再贷款、再贴现资金只通过利率影响企业贷款。若获得再贷款的银行同时放松了其他贷款条件（额度、抵押），
#   估计值会混入这些渠道的效应。过度识别检验只能在两个工具变量都有效时给出一致结论，不能证明它们有效。
# - 估计值是对利率受再贷款资金影响的企业的局部平均效应，不一定适用于利率由其他因素决定的企业。
# - 季度数有限时，Driscoll–Kraay 标准误本身也有较大抽样误差。

# %% [markdown] tags=["lang-en"]
# ## 5 Caveats
#
# - The validity of the instruments rests on the exclusion restriction: relending and rediscount funds affect firms' credit only
#   through the rate. If banks that receive relending funds also relax other lending terms (limits, collateral), the estimate
#   mixes in those channels. The over-identification test can only show that the two instruments agree, not that they are valid.
# - The estimate is a local average effect for firms whose rates respond to their bank's relending funds; it need not carry over
#   to firms whose rates are set by other factors.
# - With few quarters, Driscoll–Kraay standard errors are themselves imprecise.

# %% [markdown] tags=["lang-zh"]
# ## 附录：运行记录

# %% [markdown] tags=["lang-en"]
# ## Appendix: provenance

# %%
for t in rk.report.provenance_tables(rk.report.provenance(params), lang=lang):
    display(t)
