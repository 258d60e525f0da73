# %% [markdown] tags=["remove"]
# # 融资成本与开放型企业的银行信贷 / Financing cost and bank credit of open-economy firms
#
# Exploration view. The published paper is this notebook executed with papermill and rendered without code;
# prose cells tagged `lang-zh` / `lang-en` appear only in papers of that language. The shipped data are synthetic.

# %% tags=["parameters"]
instruments: str = "both"  # instruments for the loan rate: "both" (relending + rediscount quotas) or "relending"
se: str = "clustered"  # standard errors of the panel estimators: "clustered" (by firm) or "driscoll_kraay"
lang: str = "zh"  # language of the paper: "zh" or "en"

# %%
import research_kit as rk
from research_kit.studies import financing_cost as study

params = dict(instruments=instruments, se=se, lang=lang)
rk.report.use_theme()
data = study.load_data()
synthetic = bool(data.truth)
est = study.estimate(data, instruments=instruments, se=se)
rk.report.front_matter(**study.front_matter(est, lang=lang, synthetic=synthetic))

# %%
rk.report.markdown(study.data_notice(synthetic, lang))

# %% [markdown] tags=["lang-zh"]
# ## 1 研究问题与政策背景
#
# 《金华市开放经济金融服务改革创新试点实施方案》第 1 项任务提出“开展境内外双循环一体化融资创新”：用好央行再贷款、再贴现等货币政策工具，
# 促进开放经济企业境内外低成本融资。政策能否奏效，取决于一个基本参数：企业的贷款利率下降之后，它们会多借多少钱？
#
# 直接比较利率不同的企业会得到有偏的答案：经营更好的企业既能拿到更低的利率，也借得更多；而当企业遇到好的订单（信贷需求上升）时，
# 它会多借钱，银行也可能相应提高利率。本文用面板数据消除企业不随时间变化的差异，并用主办银行获得的再贷款、再贴现额度作为利率的工具变量，
# 尝试分离出利率对贷款的因果效应；这一做法成立的条件在第 3 节说明。

# %% [markdown] tags=["lang-en"]
# ## 1 Question and policy background
#
# Task 1 of the *Implementation Plan of the Jinhua Open-Economy Financial Services Reform Pilot* is to innovate integrated
# domestic and overseas financing: to use central-bank relending and rediscounting to lower the financing cost of open-economy
# firms. Whether this works depends on one basic parameter: when a firm's loan rate falls, how much more does it borrow?
#
# Comparing firms with different rates gives a biased answer: better firms both get lower rates and borrow more, and a firm
# with good orders (higher credit demand) borrows more while its bank may charge more. We use panel data to remove the firms'
# time-invariant differences, and the relending and rediscount quotas of the firm's main bank as instruments for the rate, to
# try to isolate the causal effect of the rate on credit; Section 3 states when this works.

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
# ## 3 方法与识别
#
# 记企业 $i$ 在季度 $t$ 的贷款余额（对数）为 $y_{it}$、贷款利率为 $r_{it}$，模型为
# $y_{it} = \beta r_{it} + \gamma x_{it} + \alpha_i + \lambda_t + u_{it}$，其中 $x_{it}$ 为出口收汇（对数），$\alpha_i$、$\lambda_t$ 为企业和季度效应。
# $\beta$ 是对数系数：利率下降 1 个百分点使贷款余额变化 $100(e^{-\beta}-1)$%，置信区间的两端按同一公式换算。
# 我们依次报告混合最小二乘、随机效应、双向固定效应，并用 Hausman 检验 [@hausman1978] 和聚类稳健的 Mundlak 检验 [@mundlak1978] 判断企业效应是否与利率相关。
# 固定效应只能消除不随时间变化的差异；若信贷需求冲击同时影响 $r_{it}$ 和 $u_{it}$，仍需工具变量。
#
# 再贷款、再贴现额度作为工具变量要满足两个条件。一是相关性：主办行获得的额度越多，资金成本越低，贷款利率越低（图 1、表 3 的一阶段检验）。
# 二是排除性约束：额度只通过利率影响企业贷款，且与企业的信贷需求无关。后一条件在现实中并不当然成立。
# 支农支小再贷款、普惠小微再贷款等工具多采用“先贷后借”：银行先按优惠利率向符合条件的企业发放贷款，再凭贷款台账向人民银行申请资金，
# 因此银行实际提用的再贷款金额跟随贷款需求；把它作为工具变量，会把需求冲击误当作利率效应。
# 本文因此使用每季度核定的额度（而非实际提用金额），并假定额度由人民银行按银行的规模和政策导向分配，不随当季企业需求调整。
# 以下任一情形都会破坏这一假定：（1）额度按银行申报的需求或上季度的投放核定，额度跟随需求；
# （2）获得额度的银行同时放宽了非价格条件（授信额度、抵押要求、审批速度），额度通过利率以外的渠道影响贷款；
# （3）额度集中投向外贸等特定行业，而这些行业的需求恰好同期变化。第 4 节的检验只能发现第（1）种情形中滞后的部分。
# 在消除企业和季度效应后做两阶段最小二乘（固定效应两阶段最小二乘），标准误按企业聚类；我们报告一阶段 F 统计量和偏决定系数（工具变量强度）、
# 过度识别检验和利率外生性检验。

# %% [markdown] tags=["lang-en"]
# ## 3 Method and identification
#
# With $y_{it}$ the log loan balance of firm $i$ in quarter $t$ and $r_{it}$ its loan rate, the model is
# $y_{it} = \beta r_{it} + \gamma x_{it} + \alpha_i + \lambda_t + u_{it}$, where $x_{it}$ is log export receipts and $\alpha_i$, $\lambda_t$
# are firm and quarter effects. $\beta$ is a log coefficient: a one percentage point lower rate changes the loan balance by
# $100(e^{-\beta}-1)$%, and the interval ends are converted by the same formula. We report pooled OLS, random effects and two-way
# fixed effects, and use the Hausman test [@hausman1978] and the cluster-robust Mundlak test [@mundlak1978] to ask whether the
# firm effects are correlated with the rate. Fixed effects remove only time-invariant differences; if credit-demand shocks move
# both $r_{it}$ and $u_{it}$, an instrument is needed.
#
# Relending and rediscount quotas must meet two conditions to be instruments. Relevance: the more quota the main bank receives,
# the lower its funding cost and its loan rates (Figure 1 and the first stage in Table 3). The exclusion restriction: quotas
# affect firms' credit only through the rate and are unrelated to firms' credit demand. The second does not hold automatically.
# Relending for agriculture and small firms and inclusive small-business relending mostly work "lend first, borrow afterwards":
# banks first lend to eligible firms at preferential rates and then draw central-bank funds against those loans, so the
# relending a bank actually draws follows loan demand; used as an instrument, it would pass demand shocks off as a rate effect.
# This paper therefore uses the quota set each quarter (not the amount drawn) and assumes that the PBoC allocates quotas by the
# banks' size and policy priorities, not by the quarter's demand of their borrowers. Any of the following breaks the assumption:
# (1) quotas set on the banks' declared demand or last quarter's lending, so that they follow demand; (2) banks that receive
# quota also relax non-price terms (credit lines, collateral, approval speed), so that quotas act through channels other than
# the rate; (3) quotas aimed at particular sectors, such as exporters, whose demand moves at the same time. The check in Section 4
# can detect only the lagged part of case (1). After removing firm and quarter effects we run two-stage least squares
# (fixed-effects 2SLS) with standard errors clustered by firm, and report the first-stage F statistic and partial $R^2$
# (instrument strength), the over-identification test and the test of the exogeneity of the rate.

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

# %%
rk.report.markdown(study.exclusion_paragraph(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# 表 4 比较双向固定效应估计在四种标准误下的推断。同一县内的企业受共同冲击影响（截面相关），按企业聚类的标准误不考虑这一点；
# Driscoll–Kraay 标准误 [@driscoll1998] 对截面相关和序列相关都稳健，在季度数较多时更可靠。

# %% [markdown] tags=["lang-en"]
# Table 4 compares inference on the two-way fixed-effects estimate under four kinds of standard errors. Firms in a county
# share common shocks (cross-sectional dependence), which standard errors clustered by firm ignore; Driscoll–Kraay standard
# errors [@driscoll1998] are robust to both cross-sectional and serial correlation and are the more reliable the more quarters there are.

# %%
study.variance_table(est, lang=lang)

# %%
rk.report.markdown(study.truth_paragraph(est, lang=lang))

# %% [markdown] tags=["lang-zh"]
# ## 5 注意事项
#
# - 工具变量的有效性依赖排除性约束（第 3 节）：在“先贷后借”下，实际提用的再贷款金额跟随贷款需求，不能作为工具变量；核定额度也可能跟随需求，
#   或伴随非价格条件的放松。使用真实数据时，应取得人民银行分支机构按银行、按季度核定额度的记录，并核实额度的分配规则。
# - 过度识别检验只能说明两个工具变量给出的估计彼此一致，不能证明它们有效：若两者因同一原因（例如都随信贷需求变化）而无效，检验也不会拒绝。
# - 估计值是对利率受再贷款额度影响的企业的局部平均效应，不一定适用于利率由其他因素决定的企业。
# - 季度数有限时，Driscoll–Kraay 标准误本身也有较大抽样误差。

# %% [markdown] tags=["lang-en"]
# ## 5 Caveats
#
# - The instruments are only as good as the exclusion restriction (Section 3): under "lend first, borrow afterwards" the relending
#   a bank draws follows loan demand and cannot be an instrument; quotas may also follow demand or come with looser non-price
#   terms. With real data, obtain the PBoC branch's records of quotas by bank and quarter and check how they were allocated.
# - The over-identification test can only show that the two instruments agree with each other, not that they are valid: if both
#   are invalid for the same reason (both following credit demand, say), the test does not reject.
# - The estimate is a local average effect for firms whose rates respond to their bank's relending quota; it need not carry over
#   to firms whose rates are set by other factors.
# - With few quarters, Driscoll–Kraay standard errors are themselves imprecise.

# %% [markdown] tags=["lang-zh"]
# ## 附录：运行记录

# %% [markdown] tags=["lang-en"]
# ## Appendix: provenance

# %%
rk.report.markdown(study.provenance_note(est, lang=lang))
for t in rk.report.provenance_tables(rk.report.provenance(params, datasets=["financing_cost_panel", "financing_cost_truth"]),
                                     lang=lang):
    display(t)
