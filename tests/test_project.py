"""The project's set-up files agree with each other and with the README."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
CONDA_ONLY = {"python", "pip", "quarto"}


def _pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(meta["dependencies"]) + list(meta["optional-dependencies"]["test"])
    return {Requirement(r).name.lower(): str(Requirement(r).specifier) for r in reqs}


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e"):
                continue
            m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", item)
            assert m, item
            out[m.group(1).lower()] = m.group(2).replace(" ", "")
    return out


def test_environment_yml_names_the_same_packages_as_pyproject() -> None:
    py = _pyproject_requirements()
    conda = {k: v for k, v in _conda_requirements().items() if k not in CONDA_ONLY}
    assert set(py) == set(conda), f"only in pyproject: {set(py) - set(conda)}; only in environment.yml: {set(conda) - set(py)}"
    assert py == conda, "lower bounds differ between pyproject.toml and environment.yml"


def test_environment_yml_lists_quarto() -> None:
    assert "quarto" in _conda_requirements()


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, flags=re.S)
    assert blocks, "README has no command block"
    first = blocks[0].strip().splitlines()
    commands = [line.strip() for line in first if line.strip() and not line.strip().startswith("#")]
    assert commands == ["make build", "make test"], commands
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, flags=re.M), ".ci/run must run the README's test command"


def test_console_script_and_typed_marker() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["scripts"]["research-kit"] == "research_kit.cli:main"
    assert (ROOT / "src" / "research_kit" / "py.typed").is_file()


def test_installed_versions_meet_the_tested_lower_bounds() -> None:
    from importlib.metadata import version

    from packaging.version import Version

    for name, spec in _pyproject_requirements().items():
        if spec:
            assert Version(version(name)) in Requirement(f"{name}{spec}").specifier, name
