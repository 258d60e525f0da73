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
accepts unknown parameters silently). Study and variant names, which become
file names (``reports/papers/<study>/<variant>.ipynb``, ``reports/logs/...``),
may only hold letters, digits, Chinese characters, ``_`` and ``-`` (at most 100
characters), so no value can escape the output folder; a notebook must lie
inside the project; a study entry may only hold the keys ``notebook``, ``task``
and ``variants``; a name used twice in ``studies.yaml`` is an error (YAML would
silently keep the last one).

The parameters a notebook declares are read with papermill once per notebook
version and remembered in ``reports/.cache/parameters.json`` (by the notebook's
sha256), so a build that changes nothing does not import papermill.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from research_kit import paths

__all__ = ["Study", "Variant", "load_studies", "notebook_parameters", "validate_parameters", "parse_cli_value",
           "ParameterError", "check_name", "declared_choices", "study_parameters"]

_NAME = re.compile(r"[A-Za-z0-9_\-\u4e00-\u9fff]+\Z")  # \Z, not $: "$" also matches before a final newline


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


_STUDY_KEYS = frozenset({"notebook", "task", "variants"})
MAX_NAME = 100


def check_name(name: str, what: str) -> str:
    """Reject names that would escape the output folder or are awkward as file names."""
    if isinstance(name, str) and any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in name):
        bad = next(ch for ch in name if ord(ch) < 32 or 127 <= ord(ch) < 160)
        raise ParameterError(f"{what} {name!r} contains the control character {bad!r}; names become file names "
                             "under reports/papers/: use letters, digits, Chinese characters, '_' and '-'.")
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name in {".", ".."}:
        raise ParameterError(
            f"{what} {name!r} may only contain letters, digits, Chinese characters, '_' and '-' "
            "(it becomes a file name under reports/papers/)."
        )
    if len(name) > MAX_NAME:
        raise ParameterError(f"{what} {name[:20]!r}… has {len(name)} characters; at most {MAX_NAME} "
                             "(it becomes a file name under reports/papers/).")
    return name


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key used twice in one mapping."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise ParameterError(f"studies.yaml line {key_node.start_mark.line + 1}: {key!r} is listed twice; "
                                 "each study and variant name must be unique.")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def load_studies(root: str | os.PathLike[str] | None = None) -> dict[str, Study]:
    """Read ``studies.yaml`` and validate every variant against its notebook."""
    file = paths.studies_file(root)
    if not file.is_file():
        raise FileNotFoundError(f"{file} not found: it lists the studies to build (see README).")
    spec = yaml.load(file.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
    project = paths.project_root(root)
    cache = paths.reports_dir(root) / ".cache" / "parameters.json"
    studies: dict[str, Study] = {}
    for sname, s in (spec.get("studies") or {}).items():
        check_name(sname, "study name")
        if not isinstance(s, dict) or "notebook" not in s:
            raise ParameterError(f"{file.name}: study {sname!r} needs a 'notebook:' entry (and 'variants:').")
        extra = sorted(set(s) - _STUDY_KEYS)
        if extra:
            raise ParameterError(f"{file.name}: study {sname!r} has unknown key(s) {extra}; "
                                 f"allowed: {sorted(_STUDY_KEYS)}.")
        nb = (project / str(s["notebook"])).resolve()
        if not nb.is_relative_to(project):
            raise ParameterError(f"{file.name}: study {sname!r} names notebook {s['notebook']!r}, outside the "
                                 f"project {project}; notebooks live under notebooks/.")
        if not nb.is_file():
            raise FileNotFoundError(f"{file}: study {sname!r} names notebook {s['notebook']!r}, which does not exist.")
        declared = notebook_parameters(nb, cache=cache)
        variants = []
        for vname, params in (s.get("variants") or {}).items():
            check_name(vname, f"{file.name}: variant name of study {sname!r}")
            variants.append(Variant(sname, vname, validate_parameters(params or {}, declared, where=f"{file.name}: {sname}/{vname}")))
        studies[sname] = Study(sname, nb, str(s.get("task", "")), tuple(variants))
    return studies


def notebook_parameters(notebook: str | os.PathLike[str], *,
                        cache: str | os.PathLike[str] | None = None) -> dict[str, dict[str, Any]]:
    """Names, types and defaults of the notebook's ``parameters`` cell.

    With ``cache`` (a JSON file), the answer is remembered by the notebook's sha256.
    """
    sha = hashlib.sha256(Path(notebook).read_bytes()).hexdigest()
    store: dict[str, Any] = {}
    if cache is not None:
        try:
            store = json.loads(Path(cache).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            store = {}
        if isinstance(store.get(sha), dict) and store[sha]:
            return {name: dict(p) for name, p in store[sha].items()}
    import papermill as pm

    found = pm.inspect_notebook(str(notebook))
    if not found:
        raise ParameterError(f"{notebook} has no cell tagged 'parameters'.")
    result = {name: {k: v for k, v in dict(p).items()} for name, p in found.items()}
    if cache is not None:
        store = store if isinstance(store, dict) else {}
        store[sha] = result
        target = Path(cache)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(store, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(tmp, target)
    return result


_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "float": (float, int), "bool": (bool,),
                                       "list": (list,), "dict": (dict,)}


_LITERAL = r"""(?:"[^"\n]*"|'[^'\n]*'|[-+]?\d+(?:\.\d+)?|True|False)"""
_CHOICES = re.compile(rf"\bone of\s*:?\s*(?P<values>{_LITERAL}(?:\s*,\s*{_LITERAL})*)\s*$", re.IGNORECASE)


def declared_choices(spec: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The allowed values a ``parameters`` cell declares for one parameter, or None.

    The comment of a parameter line ends with ``one of`` and the allowed values as Python
    literals (quoted strings, numbers, True/False) separated by commas, e.g.
    ``lang: str = "zh"  # paper language; one of "zh", "en"``.

    Examples
    --------
    >>> declared_choices({"help": 'paper language; one of "zh", "en"'})
    ('zh', 'en')
    >>> declared_choices({"help": "one of Jinhua's nine counties"}) is None
    True
    """
    m = _CHOICES.search(str(spec.get("help") or ""))
    if not m:
        return None
    return tuple(ast.literal_eval("[" + m["values"] + "]"))


def _show(values: tuple[Any, ...]) -> str:
    return ", ".join(repr(v) for v in values)


def validate_parameters(params: Mapping[str, Any], declared: Mapping[str, Mapping[str, Any]], *, where: str = "") -> dict[str, Any]:
    """Check names, types and declared allowed values; return the parameters (ints accepted for floats)."""
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
        value = float(value) if tname == "float" else value
        choices = declared_choices(declared[name])
        if choices is not None and value not in choices:
            raise ParameterError(
                f"{prefix}parameter {name!r} must be one of {_show(choices)} (as declared in the notebook's "
                f"parameters cell); got {value!r}."
            )
        out[name] = value
    return out


def study_parameters(study: str, root: str | os.PathLike[str] | None = None) -> tuple[Study, dict[str, dict[str, Any]]]:
    """A study of ``studies.yaml`` and the parameters its notebook declares (read through the cache)."""
    studies = load_studies(root)
    if study not in studies:
        raise ParameterError(f"unknown study {study!r}; studies.yaml lists {sorted(studies)}.")
    s = studies[study]
    cache = paths.reports_dir(root) / ".cache" / "parameters.json"
    return s, notebook_parameters(s.notebook, cache=cache)


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
