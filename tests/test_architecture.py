"""The layers of ../shared/DESIGN.md, held by the imports of src/research_kit (read with ``ast``).

Layers, top to bottom; an import goes down, or stays within its layer::

    cli, lab -> pipeline -> studies -> report -> estimators -> inference -> tabular -> results -> _validation

* estimators: did, synth, rd, panel, iv, timeseries, power (they may import each other);
* ``tabular`` (data frame -> arrays: checks, key encoding, demeaning) sits below
  ``inference`` because both the estimators and the bootstrap use it;
* ``data`` and ``paths`` sit beside: imported by cli, pipeline, studies, report
  (provenance) and simulate, never by an estimator, inference, tabular or results;
  they import nothing but each other and ``_validation``;
* ``simulate`` sits beside too: it imports no estimator and nothing above them
  (only data, paths and the layers below the estimators); the studies, the CLI and
  ``power`` (simulated power) use it;
* ``studies`` is the one place of study-specific code: no generic package (anything but
  studies, simulate, pipeline, cli and lab) imports it, and every study is a package split
  into ``_data`` (inputs), ``_estimate`` (numbers) and ``_paper`` (text, tables, figures),
  next to the shared ``studies/_common.py``;
* one exception: a result's ``.plot()`` (and the lazy plot names of an estimator
  package) may import the plotting modules of ``report`` inside a function, at call
  time -- never at module level.

Every import counts: module level, inside functions, under ``TYPE_CHECKING``,
relative or absolute. The rules are tested on a synthetic package too, so the test
is known to fail on a violating import.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "research_kit"

ESTIMATORS = frozenset({"did", "synth", "rd", "panel", "iv", "timeseries", "power"})
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"cli", "lab"}),  # lab: the JupyterLab helpers (parameter check), a front end like the CLI
    frozenset({"pipeline"}),
    frozenset({"studies"}),
    frozenset({"report"}),
    ESTIMATORS,
    frozenset({"inference"}),
    frozenset({"tabular"}),
    frozenset({"results"}),
    frozenset({"_validation", "datasets"}),  # datasets: public reference data (pandas only)
)
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}
BESIDE = frozenset({"data", "paths"})
BESIDE_USERS = frozenset({"cli", "lab", "pipeline", "studies", "report", "simulate", "data", "paths"})
SIMULATE_USERS = frozenset({"cli", "lab", "pipeline", "studies", "power"})
#: The plotting layer: what a ``.plot()`` may import at call time.
PLOTTING = frozenset({
    "report.figures", "report.theme", "report.did_plots", "report.rd_plots", "report.power_plots",
    "report.synth_plots", "report.dashboard",
})


@dataclass(frozen=True)
class Import:
    module: str  # importing module, relative to the package ("did.twfe", "cli", "__init__")
    target: str  # imported module or name, relative to the package ("report.theme", "paths")
    line: int
    deferred: bool  # inside a function (runs at call time)

    @property
    def source_part(self) -> str:
        return self.module.split(".")[0]

    @property
    def target_part(self) -> str:
        return self.target.split(".")[0]

    def __str__(self) -> str:
        where = "in a function" if self.deferred else "at module level"
        return f"{self.module} (line {self.line}) imports {self.target} {where}"


def _module_name(path: Path, root: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts), is_package


def package_imports(root: Path, package: str = "research_kit") -> list[Import]:
    """Every import of ``package`` by a module under ``root`` (the package directory)."""
    found: list[Import] = []
    for path in sorted(root.rglob("*.py")):
        module, is_package = _module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        deferred_nodes: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                deferred_nodes.update(id(n) for n in ast.walk(node) if n is not node)
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: resolve against this module's package
                    base = [package, *module.split(".")] if module != "__init__" else [package]
                    if not is_package:
                        base = base[:-1]
                    base = base[: len(base) - node.level + 1]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                # "from research_kit.report import did_plots" imports research_kit.report.did_plots (a module or
                # a name of research_kit.report: either way it is what the rules look at)
                targets = [f"{stem}.{a.name}" for a in node.names]
            for t in targets:
                if t == package or not t.startswith(package + "."):
                    continue
                found.append(Import(module, t[len(package) + 1:], node.lineno, id(node) in deferred_nodes))
    return found


def _plotting(target: str) -> bool:
    return any(target == p or target.startswith(p + ".") for p in PLOTTING)


def violation(imp: Import) -> str | None:
    """Why ``imp`` breaks the layers, or None."""
    a, b = imp.source_part, imp.target_part
    if a == b or a == "__init__":
        return None
    if b in BESIDE:
        return None if a in BESIDE_USERS else f"{a} may not import {b} (data and paths are never used by {a})"
    if a in BESIDE:
        return None if b == "_validation" else f"{a} may import only data, paths and _validation, not {b}"
    if b == "simulate":
        return None if a in SIMULATE_USERS else f"{a} may not import simulate"
    if a == "simulate":
        ok = b in RANK and RANK[b] > RANK["did"]
        return None if ok else f"simulate may not import {b} (it imports no estimator and nothing above them)"
    if a not in RANK or b not in RANK:
        return f"{a} or {b} is in no layer of DESIGN.md: add it to tests/test_architecture.py"
    if RANK[b] >= RANK[a]:
        return None
    if imp.deferred and (a in ESTIMATORS or a == "results") and _plotting(imp.target):
        return None  # a .plot() calls the plotting layer at call time
    return f"{a} is below {b}: an import only goes down"


def violations(imports: list[Import]) -> list[str]:
    return [f"{imp}: {why}" for imp in imports if (why := violation(imp)) is not None]


# ------------------------------------------------------------------------------------------ the package


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    found = package_imports(SRC)
    assert len(found) > 300, "the import scan found too little: is SRC right?"
    return found


def test_every_top_level_module_has_a_place() -> None:
    names = {p.stem if p.is_file() else p.name for p in SRC.iterdir()
             if (p.suffix == ".py" or (p / "__init__.py").is_file()) and p.stem != "__init__"}
    placed = set(RANK) | BESIDE | {"simulate"}
    assert names - placed == set(), f"modules in no layer: {sorted(names - placed)}"


def test_imports_follow_the_layers(imports: list[Import]) -> None:
    assert violations(imports) == []


def test_inference_knows_no_estimator_and_estimators_read_no_files(imports: list[Import]) -> None:
    # spelled out, as DESIGN.md states them (the layer test covers them too)
    bad = [str(i) for i in imports
           if (i.source_part in {"inference", "tabular"} and i.target_part in ESTIMATORS)
           or (i.source_part in ESTIMATORS | {"inference", "tabular", "results"} and i.target_part in BESIDE)
           or (i.source_part == "simulate" and i.target_part in ESTIMATORS)]
    assert bad == []


def test_estimators_import_the_plotting_layer_only_at_call_time(imports: list[Import]) -> None:
    eager = [str(i) for i in imports if i.source_part in ESTIMATORS | {"results"} and i.target_part == "report"
             and not i.deferred]
    assert eager == []


def test_no_module_names_collide() -> None:
    """A name says one thing: no module stem appears twice (``_panel``, ``_paper``, ``studies`` did)."""
    stems: dict[str, list[str]] = {}
    for path in SRC.rglob("*.py"):
        if path.stem in {"__init__", "__main__"}:
            continue
        if path.parent.parent == SRC / "studies" and path.stem in STUDY_PARTS:
            continue  # the layout of every study (test_every_study_is_split_into_data_estimate_paper)
        stems.setdefault(path.stem.lstrip("_"), []).append(str(path.relative_to(SRC)))
    for path in SRC.rglob("__init__.py"):
        if path.parent != SRC:
            stems.setdefault(path.parent.name.lstrip("_"), []).append(str(path.parent.relative_to(SRC)) + "/")
    clashes = {k: v for k, v in stems.items() if len(v) > 1 and k not in ALLOWED_SAME_STEM}
    assert clashes == {}


#: Stems shared on purpose: the same role inside different packages (a package's own results, estimators,
#: private helpers, data preparation). Not a pass for new clashes: a new stem here needs a reason.
ALLOWED_SAME_STEM = {
    "common",  # panel/_common.py, rd/_common.py, studies/_common.py: each family's shared private helpers
    "data",  # data/ (the data layer); synth/_data.py, the synthetic-control inputs
    "estimators",  # iv/estimators.py, panel/estimators.py
    "indicators",  # data/indicators/ reads the departments' filings; simulate/indicators.py makes demo series
    "results",  # results.py (the one Result type) and iv/results.py (IV-specific results)
    "targets",  # timeseries/targets.py (the table's checks), studies/targets/ (the targets study)
}


# ------------------------------------------------------------------------------------------ the studies

#: The modules of every study package: inputs, numbers, text (each re-exported by the package).
STUDY_PARTS = ("_data", "_estimate", "_paper")
#: What may import ``studies``: the studies themselves and the layers that run them (and the demo generators).
STUDY_USERS = frozenset({"studies", "simulate", "pipeline", "cli", "lab", "__init__"})
#: Modules of ``studies/`` that are not a study.
STUDIES_SHARED = frozenset({"__init__.py", "_common.py"})


def study_violations(imports: list[Import]) -> list[str]:
    """Imports of a study by a generic package (the rules of the layers aside)."""
    return [f"{i}: {i.source_part} is generic and may not import a study" for i in imports
            if i.target_part == "studies" and i.source_part not in STUDY_USERS]


def unsplit_studies(root: Path) -> list[str]:
    """Studies under ``root/studies`` that are not a package with ``_data``, ``_estimate`` and ``_paper``."""
    bad = []
    for entry in sorted((root / "studies").iterdir()):
        if entry.name in STUDIES_SHARED or entry.name.startswith((".", "__pycache__")):
            continue
        if entry.is_file():
            if entry.suffix == ".py":
                bad.append(f"studies/{entry.name}: a single-file study; split it into a package with "
                           f"{', '.join(p + '.py' for p in STUDY_PARTS)}")
            continue
        missing = [p + ".py" for p in STUDY_PARTS if not (entry / f"{p}.py").is_file()]
        if not (entry / "__init__.py").is_file() or missing:
            bad.append(f"studies/{entry.name}/: missing {', '.join(missing) or '__init__.py'}")
    return bad


def test_no_generic_package_imports_a_study(imports: list[Import]) -> None:
    assert study_violations(imports) == []


def test_every_study_is_split_into_data_estimate_paper() -> None:
    studies = [p for p in (SRC / "studies").iterdir() if p.is_dir() and (p / "__init__.py").is_file()]
    assert len(studies) >= 6, "the scan found too few studies: is SRC right?"
    assert unsplit_studies(SRC) == []


# ------------------------------------------------------------------------------------------ the rules


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "research_kit"
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        for parent in p.relative_to(root).parents:
            init = root / parent / "__init__.py"
            if not init.exists():
                init.write_text("", encoding="utf-8")
    return root


CLEAN = {
    "cli.py": "from research_kit import pipeline, data\n",
    "pipeline/run.py": "from research_kit.studies import fx\nfrom research_kit import paths\n",
    "studies/fx.py": "import research_kit.did\nfrom research_kit.report.tables import table\nimport research_kit.simulate\n",
    "report/tables.py": "from research_kit.results import Result\nfrom research_kit import paths\n",
    "did/twfe.py": "from research_kit.inference import wald_test\nfrom research_kit.tabular.encode import check_missing\n"
                   "def plot():\n    from research_kit.report.did_plots import bacon_plot\n",
    "inference/bootstrap.py": "from research_kit.tabular.within import TwoWayDemeaner\nfrom ..results import Result\n",
    "results.py": "def plot(self):\n    from research_kit.report.figures import coef_plot\n",
    "simulate/_raw.py": "from research_kit.data import counties\nfrom research_kit.results import Result\n",
}


def test_a_clean_synthetic_tree_passes(tmp_path: Path) -> None:
    found = package_imports(_tree(tmp_path, CLEAN))
    assert len(found) == 17
    assert violations(found) == []


@pytest.mark.parametrize("rel, text, expected", [
    ("inference/bootstrap.py", "from research_kit.did.twfe import _numeric\n", "inference is below did"),
    ("inference/multitest.py", "def f():\n    from research_kit.did import twfe\n", "inference is below did"),
    ("tabular/encode.py", "from research_kit.inference import warn_user\n", "tabular is below inference"),
    ("timeseries/targets.py", "from research_kit import paths\n", "timeseries may not import paths"),
    ("did/load.py", "import research_kit.data.loading\n", "did may not import data"),
    ("simulate/indicators.py", "def f():\n    from research_kit.timeseries import load_targets\n",
     "simulate may not import timeseries"),
    ("did/bacon.py", "from research_kit.report.labels import Labels\n", "did is below report"),
    ("did/bacon.py", "from research_kit.report.theme import use_theme\n", "did is below report"),  # module level
    ("did/bacon.py", "def f():\n    from research_kit.report.tables import table\n", "did is below report"),
    ("results.py", "from research_kit.report import figures\n", "results is below report"),
    ("report/tables.py", "from research_kit.studies import fx\n", "report is below studies"),
    ("studies/fx.py", "from research_kit.pipeline import run\n", "studies is below pipeline"),
    ("pipeline/run.py", "from research_kit import cli\n", "pipeline is below cli"),
    ("data/catalog.py", "from research_kit.results import Result\n", "data may import only"),
    ("rd/plot.py", "from ..report import rd_plots\n", "rd is below report"),  # relative, module level
    ("synth/new.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from research_kit.studies import x\n",
     "synth is below studies"),
    ("newthing/x.py", "from research_kit.did import twfe\n", "in no layer"),
])
def test_a_violating_import_fails(tmp_path: Path, rel: str, text: str, expected: str) -> None:
    found = package_imports(_tree(tmp_path, {**CLEAN, rel: text}))
    bad = violations(found)
    assert len(bad) == 1 and expected in bad[0], bad


STUDY_TREE = {
    "studies/_common.py": "from research_kit.report.labels import Labels\n",
    "studies/fx/__init__.py": "from research_kit.studies.fx._paper import *\n",
    "studies/fx/_data.py": "from research_kit import data\n",
    "studies/fx/_estimate.py": "from research_kit.studies.fx._data import x\nimport research_kit.did\n",
    "studies/fx/_paper.py": "from research_kit.studies._common import fmt\nfrom research_kit.studies.fx._estimate import y\n",
    "pipeline/run.py": "from research_kit.studies import fx\n",
    "cli.py": "def f():\n    from research_kit.studies.fx import assess\n",
    "simulate/fx_demo.py": "def f():\n    from research_kit.studies import fx\n",  # the demo generators may
}


def test_a_clean_study_tree_passes(tmp_path: Path) -> None:
    root = _tree(tmp_path, STUDY_TREE)
    assert study_violations(package_imports(root)) == []
    assert unsplit_studies(root) == []


@pytest.mark.parametrize("rel, text", [
    ("report/labels.py", "from research_kit.studies.fx import LABELS\n"),  # study labels in the generic labels
    ("timeseries/targets.py", "def f():\n    from research_kit.studies import fx\n"),
    ("data/indicators.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import research_kit.studies.fx\n"),
    ("did/twfe.py", "from ..studies.fx import _estimate\n"),  # relative
])
def test_a_generic_package_importing_a_study_fails(tmp_path: Path, rel: str, text: str) -> None:
    bad = study_violations(package_imports(_tree(tmp_path, {**STUDY_TREE, rel: text})))
    assert len(bad) == 1 and "may not import a study" in bad[0], bad


@pytest.mark.parametrize("files, expected", [
    ({"studies/rmb.py": "x = 1\n"}, "studies/rmb.py: a single-file study"),
    ({"studies/rmb/__init__.py": "", "studies/rmb/_data.py": "", "studies/rmb/_paper.py": ""},
     "studies/rmb/: missing _estimate.py"),
    ({"studies/rmb/__init__.py": "", "studies/rmb/analysis.py": ""}, "missing _data.py, _estimate.py, _paper.py"),
])
def test_an_unsplit_study_fails(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    bad = unsplit_studies(_tree(tmp_path, {**STUDY_TREE, **files}))
    assert len(bad) == 1 and expected in bad[0], bad


# ------------------------------------------------------------------------------------------ moved modules


@pytest.mark.parametrize("old, new", [
    ("research_kit.bootstrap", "research_kit.inference.bootstrap"),
    ("research_kit.multitest", "research_kit.inference.multitest"),
    ("research_kit.simulate.rd", "research_kit.simulate.hedging_demo"),
    ("research_kit.simulate.synth", "research_kit.simulate.digital_rmb_demo"),
    ("research_kit.pipeline.studies", "research_kit.pipeline.study_config"),
])
def test_moved_modules_keep_their_old_import_path(old: str, new: str) -> None:
    import importlib
    import subprocess
    import sys

    assert importlib.import_module(old) is importlib.import_module(new)
    assert importlib.import_module(old).__spec__.name == new  # the module keeps its own identity
    # in a fresh interpreter, the old path imported first
    code = f"import {old} as m, sys; print(m.__name__, sys.modules['{old}'] is sys.modules['{new}'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [new, "True"]
