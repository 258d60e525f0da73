# %% [markdown]
# # 教程：断点回归 / Tutorial: regression discontinuity
#
# Public data: the `rdrobust` Senate example (`rk.datasets.senate()`).
# Reference: Stata `rdrobust vote margin`: conventional 7.4141 (se 1.4587), robust 95% CI [4.0937, 10.9193].

# %%
import research_kit as rk

senate = rk.datasets.senate()
r = rk.rd.rdd(senate, outcome="vote", running="margin", cutoff=0.0)
print(r.summary())
assert round(r.estimate, 4) == 7.4141  # the headline: conventional estimate ...
assert (round(r.conf_low, 4), round(r.conf_high, 4)) == (4.0937, 10.9193)  # ... with the robust interval

# %%
ax = r.plot()

# %% [markdown]
# ## Common mistakes

# %%
try:
    rk.rd.rdd(senate, outcome="vote", running="margin", cutoff=200.0)
except (ValueError, KeyError) as err:
    print(f"{type(err).__name__}: {err}")
