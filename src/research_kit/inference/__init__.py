"""Inference shared by every estimator; works on arrays and knows no estimator.

* :mod:`research_kit.inference.variance` -- cluster-robust (CR1), HC1, two-way
  clustered and influence-function variances, Wald tests, the few-clusters warning;
* :mod:`research_kit.inference.bootstrap` -- the wild cluster bootstrap
  (also reachable as ``research_kit.bootstrap``);
* :mod:`research_kit.inference.multitest` -- Holm/Bonferroni/BH adjustments and the
  Romano-Wolf stepdown (also reachable as ``research_kit.multitest``).

The names of :mod:`~research_kit.inference.variance` are importable from here.
"""

from __future__ import annotations

import importlib
from typing import Any

from research_kit.inference.variance import (
    FEW_CLUSTERS,
    FewClustersWarning,
    cluster_codes,
    cluster_robust_vcov,
    cluster_sums,
    hc1_vcov,
    influence_function_se,
    twoway_cluster_vcov,
    wald_test,
    warn_few_clusters,
    warn_user,
)

__all__ = [
    "FEW_CLUSTERS",
    "FewClustersWarning",
    "bootstrap",
    "cluster_codes",
    "cluster_robust_vcov",
    "cluster_sums",
    "hc1_vcov",
    "influence_function_se",
    "multitest",
    "twoway_cluster_vcov",
    "variance",
    "wald_test",
    "warn_few_clusters",
    "warn_user",
]


def __getattr__(name: str) -> Any:
    if name in ("bootstrap", "multitest", "variance"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
