"""Study configuration and parameter validation (before anything executes)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from research_kit.pipeline import ParameterError, load_studies, notebook_parameters, parse_cli_value, validate_parameters
from research_kit.pipeline.study_config import check_name

ROOT = Path(__file__).resolve().parents[2]
NB = ROOT / "notebooks" / "01_fx_loans_individual_businesses.ipynb"


@pytest.fixture(scope="module")
def declared() -> dict:
    return notebook_parameters(NB)


def test_notebook_declares_typed_parameters(declared: dict) -> None:
    assert {"county", "outcome", "estimator", "control_group", "leads", "lags", "seed", "lang", "alpha"} <= set(declared)
    assert declared["leads"]["inferred_type_name"] == "int"
    assert declared["alpha"]["inferred_type_name"] == "float"
    assert declared["county"]["inferred_type_name"] == "str"


def test_every_parameter_has_a_comment() -> None:
    nb = nbformat.read(NB, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    lines = [line for line in cell.source.splitlines() if line.strip()]
    assert all(":" in line and "=" in line and "#" in line for line in lines), lines


def test_notebooks_are_committed_without_outputs() -> None:
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for c in nb.cells:
            if c.cell_type == "code":
                assert not c.outputs and c.execution_count is None, path


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"countyy": "all"}, r"unknown parameter\(s\) \['countyy'\]"),
        ({"leads": "12"}, r"parameter 'leads' must be int .* got '12' \(str\)"),
        ({"leads": True}, r"parameter 'leads' must be int"),
        ({"alpha": "0.1"}, r"parameter 'alpha' must be float"),
        ({"county": 3}, r"parameter 'county' must be str"),
    ],
)
def test_bad_parameters_are_rejected(declared: dict, params: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        validate_parameters(params, declared)


def test_good_parameters_pass_and_ints_become_floats(declared: dict) -> None:
    out = validate_parameters({"alpha": 1, "county": "义乌市", "leads": 6}, declared)
    assert out == {"alpha": 1.0, "county": "义乌市", "leads": 6} and isinstance(out["alpha"], float)


@pytest.mark.parametrize(("name", "raw", "expected"), [("leads", "6", 6), ("alpha", "0.1", 0.1), ("alpha", "1", 1.0),
                                                       ("county", "义乌市", "义乌市"), ("county", "123", "123")])
def test_cli_values_take_the_declared_type(declared: dict, name: str, raw: str, expected: object) -> None:
    value = parse_cli_value(name, raw, declared)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("bad", ["../evil", "a/b", "..", "x y", "a\\b", ""])
def test_names_cannot_escape_the_output_folder(bad: str) -> None:
    with pytest.raises(ParameterError, match="may only contain"):
        check_name(bad, "variant name")


def test_shipped_studies_yaml_is_valid() -> None:
    studies = load_studies(ROOT)
    assert "fx_loans" in studies and len(studies["fx_loans"].variants) >= 2


def test_studies_yaml_with_unknown_parameter_fails(tmp_path: Path) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "a.ipynb").write_bytes(NB.read_bytes())
    (tmp_path / "studies.yaml").write_text(
        "studies:\n  s:\n    notebook: notebooks/a.ipynb\n    variants:\n      v: {lagz: 3}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"studies.yaml: s/v: unknown parameter\(s\) \['lagz'\]"):
        load_studies(tmp_path)


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_every_parameter_line_is_understood_by_papermill(path: Path) -> None:
    # papermill silently skips lines it cannot parse (e.g. a comment holding " = "); such a
    # parameter would then escape type validation.
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    names = [line.split(":")[0].strip() for line in cell.source.splitlines() if line.strip() and not line.startswith("#")]
    assert sorted(notebook_parameters(path)) == sorted(names)
