# %% [markdown]
# # 教程：双重差分 / Tutorial: difference-in-differences
#
# Public data: R `did`'s `mpdta` (Callaway and Sant'Anna 2021), shipped as `rk.datasets.mpdta()`.
# Each estimate is printed next to the published reference, then the common mistakes and their messages.

# %%
import warnings

import research_kit as rk

mpdta = rk.datasets.mpdta()
mpdta.head()

# %% [markdown]
# ## Callaway–Sant'Anna
# Reference: R `did` 2.5.0, `att_gt(yname="lemp", tname="year", idname="countyreal", gname="first.treat",
# xformla=~1, data=mpdta, bstrap=FALSE)` then `aggte(type="simple")`: ATT −0.0399512751551763 (se 0.0120340127701854).

# %%
cs = rk.did.callaway_santanna(mpdta, outcome="lemp", unit="countyreal", time="year", cohort="first.treat")
simple = cs.aggregate("simple")
print(simple)
R_ATT, R_SE = -0.0399512751551763, 0.0120340127701854
print(f"difference from R did: estimate {simple.estimate - R_ATT:.1e}, se {simple.std_error - R_SE:.1e}")
assert abs(simple.estimate - R_ATT) < 1e-10 and abs(simple.std_error - R_SE) < 1e-10

# %%
cs.group_time.head()

# %% [markdown]
# ## Event study and TWFE
# Reference for TWFE: pyfixest `feols("lemp ~ treat_post | countyreal + year", vcov={"CRV1": "countyreal"})`:
# −0.036548936674067 (se 0.0132651554293389).

# %%
panel = mpdta.assign(treat_post=((mpdta["first.treat"] > 0) & (mpdta["year"] >= mpdta["first.treat"])).astype(int))
tw = rk.did.twfe(panel, outcome="lemp", unit="countyreal", time="year", treat="treat_post")
print(repr(tw))
assert abs(tw.estimate - (-0.036548936674067)) < 1e-8

dyn = cs.aggregate("dynamic")
ax = dyn.plot()  # an event-time result draws its event-study plot; returns the Axes

# %% [markdown]
# ## Common mistakes and what they say

# %%
def show_error(call):
    try:
        call()
    except (TypeError, ValueError, KeyError) as err:
        print(f"{type(err).__name__}: {err}")


text = mpdta.assign(year=mpdta["year"].astype(str), **{"first.treat": mpdta["first.treat"].astype(str)})
show_error(lambda: rk.did.callaway_santanna(text, outcome="lemp", unit="countyreal", time="year",
                                            cohort="first.treat", control_group="not_yet"))
minus_one = mpdta.assign(**{"first.treat": mpdta["first.treat"].replace(0, -1)})
show_error(lambda: rk.did.callaway_santanna(minus_one, outcome="lemp", unit="countyreal", time="year",
                                            cohort="first.treat"))
show_error(lambda: rk.did.callaway_santanna(mpdta, outcome=["lemp"], unit="countyreal", time="year",
                                            cohort="first.treat"))
