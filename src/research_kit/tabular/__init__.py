"""From a data frame to arrays: the primitives shared by the estimators and by inference.

* :mod:`research_kit.tabular.encode` -- input checks that name the column and what to
  do, key encoding (units, periods, cohorts), the panel index and the wide layout;
* :mod:`research_kit.tabular.within` -- the exact two-way (unit and period) within
  transformation.

It sits below :mod:`research_kit.inference` and the estimators and imports neither.
"""
