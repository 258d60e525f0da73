# %% [markdown]
# # 教程：合成控制 / Tutorial: synthetic control
#
# Public data: Abadie, Diamond and Hainmueller (2010), Proposition 99 (`rk.datasets.prop99()`).
# Reference: ADH (2010) Table 2 donor weights (Utah .334, Nevada .234, Montana .199, Colorado .164,
# Connecticut .069); synthetic DiD −15.6 (Arkhangelsky et al. 2021, Table 1).

# %%
import research_kit as rk

smoking = rk.datasets.prop99()
predictors = [("lnincome", range(1980, 1989)), ("retprice", range(1980, 1989)), ("age15to24", range(1980, 1989)),
              ("beer", range(1984, 1989)), ("cigsale", 1975), ("cigsale", 1980), ("cigsale", 1988)]
sc = rk.synth.synthetic_control(smoking, outcome="cigsale", unit="state", time="year", treated="California",
                                treatment_time=1989, predictors=predictors)
print(repr(sc))
ADH = {"Utah": 0.334, "Nevada": 0.234, "Montana": 0.199, "Colorado": 0.164, "Connecticut": 0.069}
top = sc.weights.sort_values(ascending=False).head(5)
for state, w in top.items():
    print(f"{state:12s} ours {w:.3f}  ADH {ADH.get(state, float('nan')):.3f}")
assert all(abs(sc.weights[s] - w) < 0.005 for s, w in ADH.items())

# %%
ax = sc.plot(lang="en")

# %% [markdown]
# ## Synthetic difference-in-differences

# %%
sdid = rk.synth.synthetic_did(smoking, outcome="cigsale", unit="state", time="year", treated="California",
                              treatment_time=1989)
print(repr(sdid))
assert abs(sdid.estimate - (-15.6)) < 0.05

# %% [markdown]
# ## Common mistakes

# %%
try:
    rk.synth.synthetic_control(smoking, outcome="cigsale", unit="state", time="year", treated="Californie",
                               treatment_time=1989)
except (ValueError, KeyError) as err:
    print(f"{type(err).__name__}: {err}")
