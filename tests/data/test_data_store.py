"""Atomic writes, the processed manifest, the raw MANIFEST and load()."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from data_fixtures import REPO, Project, snapshot

from research_kit.data import (
    DataValidationError,
    StaleDataWarning,
    UnknownDatasetError,
    load,
    prepare,
    read_raw_manifest,
    sha256_file,
    write_raw_manifest,
)
from research_kit.data import preparation


def _fail_on_call(n: int):
    calls = {"n": 0}
    real = preparation._write_parquet

    def write(frame: pd.DataFrame, path) -> None:
        calls["n"] += 1
        if calls["n"] == n:
            path.write_bytes(b"PAR1 half-written")
            raise OSError("disk full (simulated)")
        real(frame, path)

    return write


def test_exception_mid_write_leaves_processed_unchanged(project: Project, monkeypatch):
    prepare(project.root)
    before = snapshot(project.processed)
    project.cell("businesses", 0, "抽样权数", "999")  # valid, so outputs would change
    project.write()
    monkeypatch.setattr(preparation, "_write_parquet", _fail_on_call(2))
    with pytest.raises(OSError, match="disk full"):
        prepare(project.root)
    assert snapshot(project.processed) == before  # also: no temporary folder left behind


def test_exception_while_moving_into_place_rolls_back(project: Project, monkeypatch):
    prepare(project.root)
    before = snapshot(project.processed)
    project.cell("businesses", 0, "抽样权数", "999")
    project.write()
    real_replace = os.replace
    moves = {"n": 0}

    def flaky_replace(src, dst):
        src = os.fspath(src)
        if ".prepare-tmp-" in src and f"{os.sep}previous{os.sep}" not in src:  # a new file moving into place
            moves["n"] += 1
            if moves["n"] == 3:
                raise OSError("simulated failure while moving files into place")
        return real_replace(src, dst)

    monkeypatch.setattr(preparation.os, "replace", flaky_replace)
    with pytest.raises(OSError, match="moving files into place"):
        prepare(project.root)
    monkeypatch.undo()
    assert moves["n"] == 3
    assert snapshot(project.processed) == before


def test_killed_mid_write_leaves_outputs_and_next_run_cleans_up(project: Project):
    prepare(project.root)
    before = snapshot(project.processed)
    script = textwrap.dedent(
        f"""
        import os
        from research_kit.data import preparation, prepare
        real = preparation._write_parquet
        calls = []
        def write(frame, path):
            calls.append(path)
            real(frame, path)
            if len(calls) == 2:
                os._exit(9)  # killed: no exception handler, no finally
        preparation._write_parquet = write
        prepare({str(project.root)!r})
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == 9, done.stderr.decode()
    after = snapshot(project.processed)
    leftovers = {k for k in after if k not in before}
    assert leftovers and all(k.startswith(".prepare-tmp-") for k in leftovers)
    assert {k: v for k, v in after.items() if k in before} == before  # final files untouched
    prepare(project.root)
    assert not any(k.startswith(".prepare-tmp-") for k in snapshot(project.processed))


def test_manifest_is_deterministic_apart_from_timestamp(project: Project):
    prepare(project.root)
    first = snapshot(project.processed)
    prepare(project.root)
    second = snapshot(project.processed)
    assert first.keys() == second.keys()
    for name in first:
        if name != "manifest.json":
            assert first[name] == second[name], name
    m1, m2 = json.loads(first["manifest.json"]), json.loads(second["manifest.json"])
    m1.pop("generated_at"), m2.pop("generated_at")
    assert m1 == m2


def test_manifest_content(project: Project):
    prepare(project.root)
    manifest = json.loads((project.processed / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == 1
    assert set(manifest) == {"schema_version", "catalog_sha256", "research_kit_version", "generated_at", "datasets",
                             "raw_manifest"}
    assert manifest["raw_manifest"] is False  # no data/raw/MANIFEST in this project: nothing to miss later
    assert sorted(manifest["datasets"]) == ["businesses", "fx_loans", "rollout", "true_effects"]
    fx = manifest["datasets"]["fx_loans"]
    assert fx["inputs"] == [{"path": "data/raw/fx_loans_monthly.csv.gz", "sha256": sha256_file(project.raw / "fx_loans_monthly.csv.gz")}]
    assert fx["output"] == "data/processed/fx_loans.parquet"
    assert fx["output_sha256"] == sha256_file(project.processed / "fx_loans.parquet")
    assert fx["rows"] == 6 and fx["synthetic"] is True


def test_partial_prepare_keeps_other_manifest_entries(project: Project):
    prepare(project.root)
    old = json.loads((project.processed / "manifest.json").read_text(encoding="utf-8"))["datasets"]
    prepare(project.root, names=["rollout"])
    new = json.loads((project.processed / "manifest.json").read_text(encoding="utf-8"))["datasets"]
    assert new == old


def test_write_raw_manifest_format_and_check(project: Project):
    path = write_raw_manifest(project.root)
    lines = path.read_text(encoding="utf-8").splitlines()
    names = ["businesses.csv", "fx_loans_monthly.csv.gz", "fx_programme_rollout.xlsx", "true_effects.parquet"]
    assert lines == [f"{sha256_file(project.raw / n)}  {n}" for n in names]
    entries, problems = read_raw_manifest(project.root)
    assert problems == [] and sorted(entries) == names
    prepare(project.root)  # everything registered and unchanged


def test_write_raw_manifest_refuses_changed_files_unless_allowed(project: Project):
    write_raw_manifest(project.root)
    before = (project.raw / "MANIFEST").read_bytes()
    project.cell("fx_loans", 0, "获得贷款", "0")
    project.write()
    with pytest.raises(DataValidationError, match="raw data is immutable") as info:
        write_raw_manifest(project.root)
    assert [(p.file, p.message) for p in info.value.problems] == [
        ("data/raw/fx_loans_monthly.csv.gz", "registered raw file changed (sha256 differs)")
    ]
    assert (project.raw / "MANIFEST").read_bytes() == before
    write_raw_manifest(project.root, allow_changed=True)
    prepare(project.root)


def test_new_delivery_is_registered(project: Project):
    write_raw_manifest(project.root)
    (project.raw / "fx_loans_2026.csv").write_bytes((project.raw / "businesses.csv").read_bytes())
    write_raw_manifest(project.root)  # a new file is not a change
    entries, _ = read_raw_manifest(project.root)
    assert "fx_loans_2026.csv" in entries


def test_malformed_raw_manifest_line(project: Project):
    write_raw_manifest(project.root)
    with open(project.raw / "MANIFEST", "a", encoding="utf-8") as fh:
        fh.write("not-a-hash businesses.csv\n")
    with pytest.raises(DataValidationError) as info:
        prepare(project.root)
    (problem,) = info.value.problems
    assert (problem.file, problem.rows) == ("data/raw/MANIFEST", (5,))
    assert "malformed MANIFEST line" in problem.message


def test_load_missing_processed_tells_to_prepare(project: Project):
    with pytest.raises(FileNotFoundError, match="Run `research-kit prepare`"):
        load("fx_loans", project.root)


def test_load_unknown_name_suggests(project: Project):
    with pytest.raises(UnknownDatasetError, match="unknown dataset 'fx_loan'.*Did you mean 'fx_loans'"):
        load("fx_loan", project.root)
    with pytest.raises(UnknownDatasetError):
        prepare(project.root, names=["nope"])


def test_load_dtypes_and_attrs(project: Project):
    prepare(project.root)
    fx = load("fx_loans", project.root)
    assert fx.dtypes.astype(str).to_dict() == {
        "business_id": "category", "month": "datetime64[ns]", "export_receipts": "float64",
        "fx_loan_balance": "float64", "financing_cost": "float64", "loan_access": "int64",
    }
    # Entity keys: dictionary-encoded in the Parquet file, sorted categories, no re-encoding on load.
    import pyarrow.parquet as pq

    schema = pq.read_schema(project.root / "data" / "processed" / "fx_loans.parquet")
    assert str(schema.field("business_id").type).startswith("dictionary<values=string")
    cats = list(fx["business_id"].cat.categories)
    assert cats == sorted(cats) and fx["business_id"].isna().sum() == 0
    assert fx.attrs["synthetic"] is True
    assert fx.attrs["units"]["fx_loan_balance"] == "万美元"
    biz = load("businesses", project.root)
    assert list(biz["bank"].cat.categories) == ["boc", "icbc", "ccb", "abc", "jhb", "rcb"]
    assert fx[["business_id", "month"]].equals(fx[["business_id", "month"]].sort_values(["business_id", "month"]))


def test_load_warns_when_raw_changed_since_prepare(project: Project):
    prepare(project.root)
    project.cell("fx_loans", 0, "获得贷款", "0")
    project.write()
    with pytest.warns(StaleDataWarning, match="fx_loans_monthly.csv.gz changed since the last prepare"):
        load("fx_loans", project.root)


def test_validation_error_pickles_and_report_prints(project: Project):
    import pickle

    report = prepare(project.root)
    assert str(report).splitlines()[0] == "prepared 4 dataset(s) → data/processed/manifest.json"
    assert "  fx_loans: 6 rows → data/processed/fx_loans.parquet [synthetic]" in str(report)
    project.cell("businesses", 1, "县市区", "金华县")
    project.write()
    with pytest.raises(DataValidationError) as info:
        prepare(project.root)
    again = pickle.loads(pickle.dumps(info.value))
    assert again.problems == info.value.problems and str(again) == str(info.value)


@pytest.mark.skipif(not (REPO / "data" / "raw" / "businesses.csv").is_file(), reason="demo raw data not generated")
def test_shipped_demo_data_validates():
    report = prepare(REPO, dry_run=True)  # writes nothing
    assert [d.name for d in report.datasets][:4] == ["businesses", "fx_loans", "rollout", "true_effects"]
    assert {"loan_ledger", "loan_repayments", "entity_registry", "safe_receipts", "hedging_contracts", "fx_rates",
            "true_effects_trade"} <= {d.name for d in report.datasets}
    assert "indicator_filings" in {d.name for d in report.datasets}
    assert report["rollout"].rows == 54
    # every shipped dataset is synthetic except the list of e-CNY pilot areas (real facts, PBoC announcements)
    assert [d.name for d in report.datasets if not d.synthetic] == ["ecny_pilot_areas"]


def test_provenance_lists_the_datasets_the_paper_loaded(project: Project, monkeypatch):
    from research_kit.data import loading
    from research_kit.report import provenance

    prepare(project.root)
    monkeypatch.setattr(loading, "_LOADED", {})  # a fresh kernel: nothing loaded yet
    every = {f["dataset"] for f in provenance({}, root=project.root)["files"]}
    assert len(every) > 2  # nothing loaded: every prepared dataset, never an empty table
    load("fx_loans", project.root)
    load("businesses", project.root)
    load("fx_loans", project.root)
    assert loading.loaded_datasets() == ("fx_loans", "businesses")
    files = provenance({}, root=project.root)["files"]
    assert {f["dataset"] for f in files} == {"fx_loans", "businesses"}
    # an explicit list wins
    assert {f["dataset"] for f in provenance({}, datasets=["businesses"], root=project.root)["files"]} == {"businesses"}
