"""Study configuration (``studies.yaml``) and parameter validation.

``studies.yaml`` lists each study (a notebook) and its variants (parameter
sets)::

    studies:
      fx_loans:
        notebook: notebooks/01_fx_loans_individual_businesses.ipynb
        task: "2"
        variants:
          jinhua: {county: all}
          yiwu: {county: 义乌市}

Parameters are checked against the notebook's ``parameters`` cell before
anything runs: unknown names and wrong types are rejected (papermill itself
accepts unknown parameters silently), and variant names, which become file
names, may not contain path separators.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from research_kit import paths

__all__ = ["Study", "Variant", "load_studies", "notebook_parameters", "validate_parameters", "parse_cli_value",
           "ParameterError", "check_name"]

_NAME = re.compile(r"^[A-Za-z0-9_\-\u4e00-\u9fff]+$")


class ParameterError(ValueError):
    """A parameter set does not fit the notebook's parameters cell."""


@dataclass(frozen=True)
class Variant:
    study: str
    name: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class Study:
    name: str
    notebook: Path
    task: str = ""
    variants: tuple[Variant, ...] = field(default_factory=tuple)


def check_name(name: str, what: str) -> str:
    """Reject names that would escape the output folder or are awkward as file names."""
    if not isinstance(name, str) or not _NAME.match(name) or name in {".", ".."}:
        raise ParameterError(
            f"{what} {name!r} may only contain letters, digits, Chinese characters, '_' and '-' "
            "(it becomes a file name under reports/papers/)."
        )
    return name


def load_studies(root: str | os.PathLike[str] | None = None) -> dict[str, Study]:
    """Read ``studies.yaml`` and validate every variant against its notebook."""
    file = paths.studies_file(root)
    if not file.is_file():
        raise FileNotFoundError(f"{file} not found: it lists the studies to build (see README).")
    spec = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    studies: dict[str, Study] = {}
    for sname, s in (spec.get("studies") or {}).items():
        check_name(sname, "study name")
        nb = paths.project_root(root) / s["notebook"]
        if not nb.is_file():
            raise FileNotFoundError(f"{file}: study {sname!r} names notebook {s['notebook']!r}, which does not exist.")
        declared = notebook_parameters(nb)
        variants = []
        for vname, params in (s.get("variants") or {}).items():
            check_name(vname, f"{file.name}: variant name of study {sname!r}")
            variants.append(Variant(sname, vname, validate_parameters(params or {}, declared, where=f"{file.name}: {sname}/{vname}")))
        studies[sname] = Study(sname, nb, str(s.get("task", "")), tuple(variants))
    return studies


def notebook_parameters(notebook: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Names, types and defaults of the notebook's ``parameters`` cell."""
    import papermill as pm

    found = pm.inspect_notebook(str(notebook))
    if not found:
        raise ParameterError(f"{notebook} has no cell tagged 'parameters'.")
    return {name: dict(p) for name, p in found.items()}


_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "float": (float, int), "bool": (bool,),
                                       "list": (list,), "dict": (dict,)}


def validate_parameters(params: Mapping[str, Any], declared: Mapping[str, Mapping[str, Any]], *, where: str = "") -> dict[str, Any]:
    """Check names and types; return the parameters (ints accepted for floats)."""
    prefix = f"{where}: " if where else ""
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ParameterError(f"{prefix}unknown parameter(s) {unknown}; the notebook declares {sorted(declared)}.")
    out: dict[str, Any] = {}
    for name, value in params.items():
        tname = str(declared[name].get("inferred_type_name") or "None")
        allowed = _TYPES.get(tname)
        if allowed is not None:
            ok = isinstance(value, allowed) and not (tname in {"int", "float"} and isinstance(value, bool))
            if not ok:
                raise ParameterError(
                    f"{prefix}parameter {name!r} must be {tname} (as in the notebook's parameters cell); "
                    f"got {value!r} ({type(value).__name__})."
                )
        out[name] = float(value) if tname == "float" else value
    return out


def parse_cli_value(name: str, raw: str, declared: Mapping[str, Mapping[str, Any]]) -> Any:
    """Turn a ``-p name=value`` string into the type the notebook declares."""
    if name not in declared:
        raise ParameterError(f"unknown parameter {name!r}; the notebook declares {sorted(declared)}.")
    tname = str(declared[name].get("inferred_type_name") or "None")
    if tname == "str":
        return raw
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ParameterError(f"parameter {name!r}: cannot parse {raw!r} as {tname}.") from exc
    if tname == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return value
