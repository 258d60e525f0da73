"""Issue 15: the pipeline faults and publishing mistakes that used to let a user down, each held by a test.

Kill tests start ``research-kit build`` as a child process with a unique token in its environment; every
process it starts inherits the environment, so ``/proc/*/environ`` shows who is still alive after the kill.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import nbformat
import pytest

from research_kit import cli, pipeline
from research_kit.pipeline import batch, hashing

from pipeline_fixtures import ROOT, fake_notebook, write_studies

P = importlib.import_module("research_kit.pipeline.publish")
RK = [sys.executable, "-m", "research_kit.cli"]
SRC = str(Path(importlib.import_module("research_kit").__file__).resolve().parents[1])  # the research_kit under test


def _statuses(report: pipeline.BuildReport) -> dict[str, str]:
    return {o.variant: o.status for o in report.outcomes}


def _survivors(token: str) -> list[str]:
    """Command lines of live processes whose environment holds ``token``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if token.encode() in (proc / "environ").read_bytes():
                state = next((l for l in (proc / "status").read_text().splitlines() if l.startswith("State:")), "")
                if "zombie" not in state:
                    found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:120])
        except OSError:
            continue
    return found


def _wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temporary folder with a short path: kernels put IPC sockets in it (at most 107 bytes per path)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="rk15-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _start_build(root: Path, token: str, tmp: Path, env_extra: dict[str, str] | None = None,
                 *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RK_KILL_TEST": token, "RESEARCH_KIT_ROOT": str(root), "PYTHONPATH": SRC,
           "TMPDIR": str(tmp), **(env_extra or {})}
    return subprocess.Popen([*RK, "--root", str(root), "build", "--formats", "html", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _sleepy_project(root: Path) -> None:
    nb = fake_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(float(os.environ.get('RK_SLEEP', '0')))"))
    nbformat.write(nb, root / "notebooks" / "fake.ipynb")


# ---------------------------------------------------------------------------- orphans and temporary folders

@pytest.mark.slow
def test_killing_the_build_mid_run_leaves_no_process(fake_project: Path, short_tmp: Path) -> None:
    _sleepy_project(fake_project)
    write_studies(fake_project, {f"v{i}": {"x": i} for i in range(4)})
    token = uuid.uuid4().hex
    build = _start_build(fake_project, token, short_tmp, {"RK_SLEEP": "120"}, "--workers", "2")
    try:
        # pool workers and their kernels (started ahead, and running notebooks) are up
        _wait_for(lambda: sum("ipykernel" in c for c in _survivors(token)) >= 2, 400, "two kernels")
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        _wait_for(lambda: not _survivors(token), 20, "every process of the build to exit")
    finally:
        if build.poll() is None:
            build.kill()
    from research_kit.pipeline import _lifeline

    tmp = short_tmp
    assert [p.name for p in tmp.glob("rk-kernels-*")], "the killed workers' folders are there until the next run"
    removed = _lifeline.clean_stale_tempdirs(tmp)  # what the next run does first
    assert removed and not list(tmp.glob("rk-*"))


@pytest.mark.slow
def test_killing_the_build_while_pagefind_runs_leaves_no_process(fake_project: Path, tmp_path: Path,
                                                                 short_tmp: Path) -> None:
    slow = tmp_path / "bin" / "pagefind_extended"  # a stand-in that indexes for two minutes
    slow.parent.mkdir()
    slow.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(120)\n", encoding="utf-8")
    slow.chmod(0o755)
    token = uuid.uuid4().hex
    build = _start_build(fake_project, token, short_tmp, {"PAGEFIND_BINARY_PATH": str(slow)}, "--workers", "1")
    try:
        _wait_for(lambda: any("pagefind_extended" in c for c in _survivors(token)), 400, "pagefind")
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        _wait_for(lambda: not _survivors(token), 20, "every process of the build to exit")
    finally:
        if build.poll() is None:
            build.kill()


def test_a_successful_run_leaves_no_temporary_folder(fake_project: Path, short_tmp: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    tmp = short_tmp
    monkeypatch.setenv("TMPDIR", str(tmp))  # the spawned workers read it
    monkeypatch.setattr("tempfile.tempdir", str(tmp))  # this process has read it already
    stale = tmp / "rk-kernels-999999999-dead"  # left by a killed worker: its lock is free
    stale.mkdir()
    (stale / ".owner.lock").write_text("")
    assert _statuses(pipeline.run_studies(root=fake_project, workers=2)) == {"a": "ok", "b": "ok"}
    assert not stale.exists()
    assert not [p.name for p in tmp.iterdir() if p.name.startswith("rk-")]


def test_a_held_temporary_folder_is_not_cleaned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from research_kit.pipeline import _lifeline

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    mine = _lifeline.private_tempdir()
    assert _lifeline.clean_stale_tempdirs(tmp_path) == [] and mine.is_dir()  # its owner (this process) is alive


# ---------------------------------------------------------------------------- the build lock

def test_a_refused_concurrent_build_writes_nothing(tmp_path: Path) -> None:
    import fcntl

    sys.path.insert(0, str(ROOT / "tests" / "data"))
    try:
        from data_fixtures import Project  # a project with the real catalog and small raw files
    finally:
        sys.path.remove(str(ROOT / "tests" / "data"))
    root = tmp_path / "project"
    project = Project(root)
    project.write()
    (root / "studies.yaml").write_text("studies: {}\n", encoding="utf-8")
    (root / "reports").mkdir()
    with open(root / "reports" / ".build.lock", "a") as held:  # another build holds the lock
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
        with pytest.raises(pipeline.BuildLockedError, match="another research-kit build"):
            pipeline.build(root=root, formats=("html",))
        assert cli.main(["--root", str(root), "prepare"]) == 2
        assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before
    assert not list((root / "data" / "processed").glob("*.parquet"))


# ---------------------------------------------------------------------------- change detection

def test_an_edit_that_keeps_size_and_mtime_is_noticed(fake_project: Path) -> None:
    raw = fake_project / "data" / "raw" / "input.csv"
    assert _statuses(pipeline.run_studies(root=fake_project, workers=1)) == {"a": "ok", "b": "ok"}
    st = raw.stat()
    raw.write_text("a,b\n1,3\n", encoding="utf-8")  # same size
    os.utime(raw, ns=(st.st_atime_ns, st.st_mtime_ns))  # modification time put back
    assert raw.stat().st_size == st.st_size and raw.stat().st_mtime_ns == st.st_mtime_ns
    assert _statuses(pipeline.run_studies(root=fake_project, workers=1)) == {"a": "ok", "b": "ok"}


def test_file_hasher_rehashes_on_ctime_and_survives_a_touch(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_bytes(b"1,2\n")
    store = tmp_path / "hashes.json"
    hasher = hashing.FileHasher(store)
    first = hasher(f)
    hasher.save()
    st = f.stat()
    f.write_bytes(b"1,3\n")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert hashing.FileHasher(store)(f) != first
    os.utime(f)  # touched only: hashed again, same content, same hash
    assert hashing.FileHasher(store)(f) == hashing.sha256_bytes(b"1,3\n")


# ---------------------------------------------------------------------------- removed studies, exit status

def _two_studies(root: Path, *, with_old: bool) -> None:
    lines = ["studies:"]
    for name in (["demo", "old"] if with_old else ["demo"]):
        lines += [f"  {name}:", "    notebook: notebooks/fake.ipynb", '    task: "2"', "    variants:",
                  '      a: {"x": 1}']
    (root / "studies.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_removed_studies_and_failed_custom_runs_leave_the_site(fake_project: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = fake_project
    _two_studies(root, with_old=True)
    assert cli.main(["--root", str(root), "build", "--formats", "html", "--workers", "1"]) == 0
    assert (root / "reports/_site/old/a.html").is_file()
    # a failed custom run of a listed study
    assert cli.main(["--root", str(root), "run", "demo", "-p", "fail=true", "--name", "probe"]) == 1
    _two_studies(root, with_old=False)
    code = cli.main(["--root", str(root), "build", "--formats", "html", "--workers", "1"])
    out = capsys.readouterr().out
    site = json.loads((root / "reports/_site/manifest.json").read_text(encoding="utf-8"))
    assert [(p["study"], p["variant"], p["status"]) for p in site["papers"]] == [("demo", "a", "ok")]
    assert not (root / "reports/_site/old").exists() and "0 failed" in out and code == 0
    assert (root / "reports/archive/old/a.ipynb").is_file()  # the last good paper is kept, off the site
    assert (root / "reports/archive/demo/probe.failed.ipynb").is_file()


def test_build_exits_non_zero_whenever_it_reports_a_failure(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from research_kit.pipeline.render import PaperReport, SiteReport

    failed = PaperReport("s", "v", "t", "failed", Path("x"))
    report = batch.BuildReport(site=SiteReport(Path("site"), Path("site/index.html"), (failed,), 0.1))
    monkeypatch.setattr(pipeline, "build", lambda **kw: report)
    assert cli.main(["build"]) == 1
    assert "s/v (failed)" in capsys.readouterr().err and report.any_failure


# ---------------------------------------------------------------------------- names

@pytest.mark.parametrize("name", ["ok\n", "ok\r", "a\tb", "ok\x00", "ok\x7f", "\x1b[31mred"])
def test_names_with_control_characters_are_refused(fake_project: Path, name: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from research_kit.pipeline.study_config import ParameterError, check_name

    with pytest.raises(ParameterError, match="control character"):
        check_name(name, "--name")
    assert cli.main(["--root", str(fake_project), "run", "demo", "-p", "x=4", "--name", name]) == 2
    assert "control character" in capsys.readouterr().err
    assert not (fake_project / "reports" / "papers").exists()


# ---------------------------------------------------------------------------- publish

def _site(root: Path, text: str) -> None:
    site = root / "reports" / "_site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("inside", ["reports/_site/pub", "reports/pub", "reports"])
def test_publish_inside_reports_is_refused(tmp_path: Path, inside: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "project"
    _site(root, "v1")
    with pytest.raises(pipeline.PublishError, match="inside the project's"):
        pipeline.publish(root / inside, root=root)
    assert cli.main(["--root", str(root), "publish", "--to", str(root / inside)]) == 2
    err = capsys.readouterr().err
    assert "inside the project's" in err and "Traceback" not in err and len(err) < 1000
    assert sorted(p.name for p in (root / "reports").iterdir()) == ["_site"]
    assert [p.name for p in (root / "reports/_site").iterdir()] == ["index.html"]


def test_publish_target_under_a_file_gives_a_clean_message(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "project"
    _site(root, "v1")
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    target = tmp_path / "a-file" / "www"
    with pytest.raises(pipeline.PublishError, match="a-file is a file, not a folder"):
        pipeline.publish(target, root=root)
    assert cli.main(["--root", str(root), "publish", "--to", str(target)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Traceback" not in err


def test_rollback_follows_the_publish_log(tmp_path: Path) -> None:
    root, web = tmp_path / "project", tmp_path / "www"
    ids = {}
    for step in ["v1", "v2", "rollback", "v3", "rollback"]:
        if step == "rollback":
            pipeline.rollback(web)
        else:
            _site(root, step)
            ids[step] = pipeline.publish(web, root=root).name
    assert (web / "current" / "index.html").read_text(encoding="utf-8") == "v1"  # not v2, which was withdrawn
    with pytest.raises(pipeline.PublishError, match="nothing to roll back to"):
        pipeline.rollback(web)
    pipeline.rollback(web, version=ids["v3"])
    assert pipeline.rollback(web).name == ids["v1"]


def test_rollback_without_a_log_goes_by_version_id(tmp_path: Path) -> None:
    root, web = tmp_path / "project", tmp_path / "www"
    for text in ("v1", "v2"):
        _site(root, text)
        pipeline.publish(web, root=root)
    (web / "publish.log").unlink()
    pipeline.rollback(web)
    assert (web / "current" / "index.html").read_text(encoding="utf-8") == "v1"


# ---------------------------------------------------------------------------- byte-identical rebuilds

def test_font_subsets_are_byte_identical_across_processes() -> None:
    code = ("import base64; from research_kit.pipeline import _fonts; "
            "print(base64.b64encode(_fonts.subset_woff('中文字体测试')).decode())")
    env = {**os.environ, "PYTHONPATH": SRC}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    time.sleep(1.1)  # fontTools would write the current second into head.modified
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert first and first == second
