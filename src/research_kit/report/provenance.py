"""Provenance appendix: parameters, data files, package versions, commit, date, seed."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
from collections.abc import Mapping
from importlib import metadata
from typing import Any

import pandas as pd

from research_kit import paths
from research_kit.report.labels import Labels, Lang
from research_kit.report.tables import Table, table

__all__ = ["provenance", "provenance_tables", "git_commit", "PACKAGES"]

COMMIT_ENV = "RESEARCH_KIT_COMMIT"

PACKAGES = ("research_kit", "numpy", "pandas", "scipy", "statsmodels", "linearmodels", "matplotlib",
            "seaborn", "papermill", "pyarrow", "rdrobust", "rddensity")


def git_commit(root: str | os.PathLike[str] | None = None) -> str:
    """The git commit of the project (with ``+dirty`` if the tree has changes), or ``unknown``.

    ``RESEARCH_KIT_COMMIT`` overrides it: the pipeline sets it for kernels that run
    away from the checkout (Dask workers receive a data bundle without ``.git``).
    """
    given = os.environ.get(COMMIT_ENV, "").strip()
    if given:
        return given
    top = paths.project_root(root)
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=top, capture_output=True, text=True, timeout=10)
        if sha.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=top,
                               capture_output=True, text=True, timeout=10)
        return sha.stdout.strip()[:12] + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def provenance(parameters: Mapping[str, Any], *, datasets: list[str] | None = None,
               root: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Collect the facts of this run.

    ``datasets`` names the processed datasets whose input files the appendix lists; by default the
    ones :func:`research_kit.data.load` returned in this process (the paper's own inputs), or every
    dataset when nothing was loaded through it.
    """
    if datasets is None:
        from research_kit.data.loading import loaded_datasets

        datasets = list(loaded_datasets()) or None
    manifest_path = paths.processed_dir(root) / "manifest.json"
    files: list[dict[str, Any]] = []
    if manifest_path.is_file():
        man = json.loads(manifest_path.read_text(encoding="utf-8"))
        for name, entry in sorted((man.get("datasets") or {}).items()):
            if datasets is not None and name not in datasets:
                continue
            for inp in entry.get("inputs", []):
                files.append({"dataset": name, "file": inp.get("path", ""), "sha256": inp.get("sha256", ""),
                              "rows": entry.get("rows")})
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    versions["python"] = platform.python_version()
    return {
        "parameters": dict(parameters),
        "files": files,
        "versions": versions,
        "commit": git_commit(root),
        "date": _dt.date.today().isoformat(),
        "seed": parameters.get("seed"),
    }


def provenance_tables(prov: Mapping[str, Any], *, lang: Lang = "zh") -> list[Table]:
    """Three tables for the appendix: parameters, data files, software."""
    lab = Labels(lang)
    par = pd.DataFrame({lab("parameter"): list(prov["parameters"].keys()),
                        lab("value"): [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
                                       for v in prov["parameters"].values()]})
    files = pd.DataFrame(prov["files"]) if prov["files"] else pd.DataFrame(columns=["dataset", "file", "sha256", "rows"])
    files = files.rename(columns={"dataset": lab.pick(zh="数据集", en="Dataset"), "file": lab("file"), "rows": lab("rows")})
    if "sha256" in files:
        files["sha256"] = files["sha256"].str.slice(0, 16) + "…"
    soft = pd.DataFrame({lab("package"): list(prov["versions"].keys()), lab("version"): list(prov["versions"].values())})
    soft.loc[len(soft)] = ["git commit", prov["commit"]]
    soft.loc[len(soft)] = [lab.pick(zh="运行日期", en="Run date"), prov["date"]]
    return [
        table(par, caption=lab.pick(zh="运行参数", en="Run parameters")),
        table(files, caption=lab.pick(zh="数据文件（sha256 前 16 位）", en="Data files (first 16 hex digits of sha256)")),
        table(soft, caption=lab.pick(zh="软件版本", en="Software versions")),
    ]
