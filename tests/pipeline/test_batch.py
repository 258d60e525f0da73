"""Batch execution on the local pool: parallel runs, cache, failures, fresh kernels, worker deaths, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import nbformat
import pytest

from research_kit import cli, pipeline
from research_kit.pipeline import batch, hashing

from pipeline_fixtures import set_data_marker, write_studies


def _statuses(report: pipeline.BuildReport) -> dict[str, str]:
    return {o.variant: o.status for o in report.outcomes}


def _paper(root: Path, variant: str, suffix: str = ".ipynb") -> Path:
    return root / "reports" / "papers" / "demo" / f"{variant}{suffix}"


def _tables(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if "text/markdown" in o.get("data", {})]


def test_parallel_run_cache_and_force(fake_project: Path) -> None:
    root = fake_project
    write_studies(root, {"a": {"x": 1, "label": "甲"}, "b": {"x": 2, "label": "乙"}, "c": {"x": 3, "label": "丙"}})
    plans: list[tuple[int, int]] = []
    seen: list[str] = []
    report = pipeline.run_studies(root=root, workers=2, on_plan=lambda n, k: plans.append((n, k)),
                                  on_done=lambda o: seen.append(o.variant))
    assert _statuses(report) == {"a": "ok", "b": "ok", "c": "ok"} and plans == [(3, 3)] and sorted(seen) == ["a", "b", "c"]
    assert "| x | 2 |" in _tables(_paper(root, "b"))[0] and "| data | v1 |" in _tables(_paper(root, "b"))[0]
    meta = nbformat.read(_paper(root, "b"), as_version=4).metadata["research_kit"]
    assert meta["parameters"] == {"x": 2, "label": "乙"} and meta["title"] == "测试论文 乙 2"
    log = (root / "reports" / "logs" / "demo" / "b.log").read_text(encoding="utf-8")
    assert "demo/b" in log and "cache key:" in log and ": ok" in log
    workers = {json.loads((root / "reports/.cache/runs/demo" / f"{v}.json").read_text())["key"] for v in "abc"}
    assert len(workers) == 3  # one key per parameter set

    before = {v: _paper(root, v).read_bytes() for v in "abc"}
    again = pipeline.run_studies(root=root, workers=2, on_plan=lambda n, k: plans.append((n, k)))
    assert _statuses(again) == {"a": "cached", "b": "cached", "c": "cached"} and plans[-1] == (3, 0)
    # (how fast a no-change run is, is measured by benchmarks/pipeline_bench.py, not here)
    assert {v: _paper(root, v).read_bytes() for v in "abc"} == before

    forced = pipeline.run_studies(root=root, workers=2, force=True)
    assert _statuses(forced) == {"a": "ok", "b": "ok", "c": "ok"}


@pytest.fixture
def pool() -> Iterator[pipeline.LocalPool]:
    shared = pipeline.LocalPool(2)  # one pool for the runs of a test: its processes start once
    yield shared
    shared.shutdown()


def test_what_invalidates_the_cache(fake_project: Path, monkeypatch: pytest.MonkeyPatch,
                                    pool: pipeline.LocalPool) -> None:
    root = fake_project
    assert _statuses(pipeline.run_studies(root=root, pool=pool)) == {"a": "ok", "b": "ok"}
    # a parameter of one variant
    write_studies(root, {"a": {"x": 1, "label": "甲"}, "b": {"x": 5, "label": "乙"}})
    assert _statuses(pipeline.run_studies(root=root, pool=pool)) == {"a": "cached", "b": "ok"}
    # the data: processed manifest (its time stamp alone does not count) and the raw files it names
    manifest = root / "data/processed/manifest.json"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("v1-time", "v1-later"), encoding="utf-8")
    assert _statuses(pipeline.run_studies(root=root, pool=pool)) == {"a": "cached", "b": "cached"}
    (root / "data/raw/input.csv").write_text("a,b\n1,3\n", encoding="utf-8")
    assert _statuses(pipeline.run_studies(root=root, pool=pool)) == {"a": "ok", "b": "ok"}
    set_data_marker(root, "v2")
    assert _statuses(pipeline.run_studies(root=root, pool=pool)) == {"a": "ok", "b": "ok"}
    assert "| data | v2 |" in _tables(_paper(root, "a"))[0]
    # the research_kit source tree (the version string does not change while developing)
    monkeypatch.setattr(batch, "source_tree_hash", lambda: "edited-source")
    assert _statuses(pipeline.run_studies(root=root, pool=pool)) == {"a": "ok", "b": "ok"}
    monkeypatch.undo()
    # the notebook
    nb = root / "notebooks/fake.ipynb"
    nb.write_text(nb.read_text(encoding="utf-8").replace("测试论文", "测试报告"), encoding="utf-8")
    assert _statuses(pipeline.run_studies(root=root, pool=pool)) == {"a": "ok", "b": "ok"}
    # an edited paper is not trusted
    _paper(root, "a").write_text(_paper(root, "a").read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert _statuses(pipeline.run_studies(root=root, pool=pool)) == {"a": "ok", "b": "cached"}


def test_source_tree_hash_follows_the_package_files(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "a.py").write_text("x = 1\n")
    (pkg / "sub" / "b.py").write_text("y = 2\n")
    (pkg / "__pycache__").mkdir()
    first = hashing.source_tree_hash(pkg)
    (pkg / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"compiled")
    hashing._source_tree_hash.cache_clear()
    assert hashing.source_tree_hash(pkg) == first  # byte code does not count
    (pkg / "sub" / "b.py").write_text("y = 3\n")
    hashing._source_tree_hash.cache_clear()
    assert hashing.source_tree_hash(pkg) != first


def test_a_failing_variant_does_not_stop_the_others_and_keeps_its_last_good_paper(
        fake_project: Path, pool: pipeline.LocalPool) -> None:
    root = fake_project
    assert _statuses(pipeline.run_studies(root=root, pool=pool)) == {"a": "ok", "b": "ok"}
    good = _paper(root, "b").read_bytes()
    write_studies(root, {"a": {"x": 7, "label": "甲"}, "b": {"x": 2, "label": "乙", "fail": True}})
    report = pipeline.run_studies(root=root, pool=pool)
    assert _statuses(report) == {"a": "ok", "b": "failed"}
    (failed,) = report.failed
    assert "ValueError" in failed.error and "boom 乙" in failed.error
    assert failed.path == _paper(root, "b", ".failed.ipynb") and _paper(root, "b").read_bytes() == good
    nb = nbformat.read(failed.path, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0]["ename"] == "ValueError"
    log = (root / "reports/logs/demo/b.log").read_text(encoding="utf-8")
    assert "boom 乙" in log and "the last good paper stays in place" in log
    assert "| x | 7 |" in _tables(_paper(root, "a"))[0]
    # the failed variant is not cached: the next run tries it again
    assert _statuses(pipeline.run_studies(root=root, pool=pool)) == {"a": "cached", "b": "failed"}
    # the site keeps serving the last good version of b, marked stale
    site = pipeline.render_site(root, formats=("html",))
    status = {p.variant: p.status for p in site.papers}
    assert status == {"a": "ok", "b": "stale"}
    page = (root / "reports/_site/demo/b.html").read_text(encoding="utf-8")
    assert "| x | 2 |" not in page and "<td" in page and ">2<" in page  # the table of the good run (x = 2)


def test_every_kernel_is_fresh_even_when_started_ahead(fake_project: Path) -> None:
    # One worker runs four notebooks one after the other with kernels started ahead;
    # each notebook asserts that the global its predecessor set does not exist.
    write_studies(fake_project, {f"v{i}": {"x": i} for i in range(4)})
    report = pipeline.run_studies(root=fake_project, workers=1)
    assert _statuses(report) == {f"v{i}": "ok" for i in range(4)}, report.summary()
    logs = [(fake_project / f"reports/logs/demo/v{i}.log").read_text(encoding="utf-8") for i in range(4)]
    assert sum("started ahead" in log for log in logs) >= 3  # the start-up was hidden


def test_a_dying_worker_is_retried_then_reported(fake_project: Path, tmp_path: Path) -> None:
    marker = tmp_path / "killed-once"
    write_studies(fake_project, {"once": {"kill_marker": str(marker)}, "always": {"kill_always": True},
                                 "fine": {"x": 3}})
    report = pipeline.run_studies(root=fake_project, workers=2)
    status = _statuses(report)
    assert marker.exists() and status["once"] == "ok" and status["fine"] == "ok", report.summary()
    assert status["always"] == "failed" and len(report.outcomes) == 3
    (dead,) = report.failed
    assert "worker process died" in dead.error and dead.attempts == 3
    assert dead.path.name == "always.failed.ipynb" and dead.path.is_file()  # the failure is visible on the site


def test_bad_parameters_are_rejected_before_anything_runs(fake_project: Path) -> None:
    write_studies(fake_project, {"a": {"x": "one"}})
    with pytest.raises(pipeline.ParameterError, match=r"parameter 'x' must be int .* got 'one'"):
        pipeline.run_studies(root=fake_project)
    write_studies(fake_project, {"a": {"y": 1}})
    with pytest.raises(pipeline.ParameterError, match=r"unknown parameter\(s\) \['y'\]"):
        pipeline.run_studies(root=fake_project)
    assert not (fake_project / "reports" / "papers").exists()


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("studies:\n  demo:\n    notebook: notebooks/fake.ipynb\n    variants:\n      a: {}\n      a: {x: 2}\n",
     "listed twice"),
    ("studies:\n  demo:\n    notebook: ../outside.ipynb\n    variants:\n      a: {}\n", "outside the project"),
    ("studies:\n  demo:\n    notebook: notebooks/fake.ipynb\n    varaints:\n      a: {}\n", "unknown key"),
    ("studies:\n  demo:\n    notebook: notebooks/fake.ipynb\n    variants:\n      " + "x" * 101 + ": {}\n",
     "at most 100"),
])
def test_studies_yaml_mistakes_are_named(fake_project: Path, yaml_text: str, message: str) -> None:
    (fake_project.parent / "outside.ipynb").write_bytes((fake_project / "notebooks/fake.ipynb").read_bytes())
    (fake_project / "studies.yaml").write_text(yaml_text, encoding="utf-8")
    with pytest.raises(pipeline.ParameterError, match=message):
        pipeline.load_studies(fake_project)


def test_cli_run_exits_non_zero_and_names_the_failure(fake_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_studies(fake_project, {"good": {"x": 1}, "bad": {"fail": True}})
    code = cli.main(["--root", str(fake_project), "run", "demo", "--workers", "2"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "demo/bad" in err and "failed" in err
    assert "1 done, 0 cached, 1 failed" in out and "FAILED demo/bad" in out and "bad.log" in out
    code = cli.main(["--root", str(fake_project), "run", "demo", "--variant", "good"])
    out, _ = capsys.readouterr()
    assert code == 0 and "0 done, 1 cached, 0 failed" in out


def test_cli_custom_variant_names_cannot_escape(fake_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--root", str(fake_project), "run", "demo", "-p", "x=4", "--name", "../../evil"])
    assert code == 2 and "may only contain" in capsys.readouterr().err
    code = cli.main(["--root", str(fake_project), "run", "demo", "-p", "x=4", "-p", "label=../../乙"])
    assert code == 0
    made = sorted(p.name for p in (fake_project / "reports/papers/demo").iterdir())
    assert made == ["label-乙_x-4.ipynb"]  # the name made from the values keeps only safe characters
    code = cli.main(["--root", str(fake_project), "run", "demo", "-p", "x=four"])
    assert code == 2 and "parameter 'x' must be int" in capsys.readouterr().err
