# %% [markdown]
# # 教程：结果表格与图 / Tutorial: tables and figures
#
# One table for several estimators, in Markdown (and HTML / LaTeX / Word through the pipeline).

# %%
import research_kit as rk

mpdta = rk.datasets.mpdta()
panel = mpdta.assign(treat_post=((mpdta["first.treat"] > 0) & (mpdta["year"] >= mpdta["first.treat"])).astype(int))
tw = rk.did.twfe(panel, outcome="lemp", unit="countyreal", time="year", treat="treat_post")
cs = rk.did.callaway_santanna(mpdta, outcome="lemp", unit="countyreal", time="year", cohort="first.treat")
table = rk.report.regression_table([tw, cs.aggregate("simple")], lang="en")
print(table.to_markdown())

# %%
print(repr(tw))
tw.summary()

# %% [markdown]
# Plots never change your matplotlib settings; event-time results draw event-study plots.

# %%
fig = rk.report.event_study_plot({"Callaway-Sant'Anna": cs.aggregate("dynamic")}, lang="en",
                                 xlabel="Years since the minimum-wage increase")
