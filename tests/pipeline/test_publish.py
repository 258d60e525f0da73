"""Publishing: versioned folders, an atomically swapped `current` link, pruning, rollback, interruptions."""

from __future__ import annotations

import importlib
import os
import shutil
import threading
from pathlib import Path

import pytest

from research_kit import cli, pipeline

P = importlib.import_module("research_kit.pipeline.publish")  # the package's `publish` name is a function


def _site(root: Path, text: str, *, pages: int = 20) -> None:
    """A fake rendered site whose every file names its version (a reader can check consistency)."""
    site = root / "reports" / "_site"
    shutil.rmtree(site, ignore_errors=True)
    (site / "s").mkdir(parents=True)
    (site / "index.html").write_text(text, encoding="utf-8")
    for i in range(pages):
        (site / "s" / f"p{i}.html").write_text(text * 200, encoding="utf-8")


def test_publish_keeps_versions_and_rolls_back(tmp_path: Path) -> None:
    root, web = tmp_path / "project", tmp_path / "www"
    ids = []
    for n in range(4):
        _site(root, f"v{n}")
        ids.append(pipeline.publish(web, root=root, keep=3).name)
    assert (web / "current").is_symlink() and os.readlink(web / "current") == f"versions/{ids[-1]}"
    assert (web / "current" / "index.html").read_text(encoding="utf-8") == "v3"
    kept = pipeline.published_versions(web)
    assert [v.id for v in kept] == ids[1:] and [v.current for v in kept] == [False, False, True]

    back = pipeline.rollback(web)
    assert back.name == ids[2] and (web / "current" / "index.html").read_text(encoding="utf-8") == "v2"
    pipeline.rollback(web)
    assert (web / "current" / "index.html").read_text(encoding="utf-8") == "v1"
    with pytest.raises(pipeline.PublishError, match="nothing to roll back to"):
        pipeline.rollback(web)
    pipeline.rollback(web, version=ids[3])
    assert (web / "current" / "index.html").read_text(encoding="utf-8") == "v3"
    log = (web / "publish.log").read_text(encoding="utf-8").splitlines()
    assert len(log) == 7 and '"action": "rollback"' in log[-1]


def test_pruning_never_removes_the_current_version(tmp_path: Path) -> None:
    root, web = tmp_path / "project", tmp_path / "www"
    _site(root, "old")
    first = pipeline.publish(web, root=root, keep=1)
    _site(root, "new")
    pipeline.publish(web, root=root, keep=1)
    assert [v.id for v in pipeline.published_versions(web)][-1] != first.name
    assert not first.exists()  # keep=1: only the current one


def test_interrupted_publish_leaves_the_previous_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, web = tmp_path / "project", tmp_path / "www"
    _site(root, "good")
    pipeline.publish(web, root=root)
    _site(root, "half")
    real = shutil.copy2
    copied: list[str] = []

    def dying_copy(src: str, dst: str, **kw: object) -> object:
        copied.append(src)
        if len(copied) == 5:
            raise KeyboardInterrupt  # e.g. Ctrl-C or a full disk half-way through the copy
        return real(src, dst, **kw)

    monkeypatch.setattr(shutil, "copy2", dying_copy)
    with pytest.raises(KeyboardInterrupt):
        pipeline.publish(web, root=root)
    monkeypatch.undo()
    assert (web / "current" / "index.html").read_text(encoding="utf-8") == "good"
    assert all((web / "current" / "s" / f"p{i}.html").read_text(encoding="utf-8").startswith("good")
               for i in range(20))
    assert not list((web / "versions").glob(".incoming-*"))  # removed right away, or by the next publish
    pipeline.publish(web, root=root)
    assert (web / "current" / "index.html").read_text(encoding="utf-8") == "half"


def test_a_reader_never_sees_a_half_published_site(tmp_path: Path) -> None:
    root, web = tmp_path / "project", tmp_path / "www"
    _site(root, "v0")
    pipeline.publish(web, root=root, keep=2)
    stop = threading.Event()
    seen: set[str] = set()
    problems: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                base = (web / "current").resolve(strict=True)  # what a web server does per request
                version = (base / "index.html").read_text(encoding="utf-8")
                pages = {(base / "s" / f"p{i}.html").read_text(encoding="utf-8")[:len(version)] for i in range(20)}
            except FileNotFoundError as exc:  # a version pruned while this reader was inside it
                if (web / "current").resolve() == base:
                    problems.append(f"current version lost a file: {exc}")
                continue
            seen.add(version)
            if pages != {version}:
                problems.append(f"mixed versions: {version} {sorted(pages)[:3]}")

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for n in range(1, 12):
        _site(root, f"v{n}")
        pipeline.publish(web, root=root, keep=2)
    stop.set()
    for t in threads:
        t.join()
    assert not problems, problems[:3]
    assert len(seen) >= 2  # the readers did watch the site change


def test_refuses_a_folder_it_did_not_publish(tmp_path: Path) -> None:
    root, web = tmp_path / "project", tmp_path / "www"
    _site(root, "v")
    web.mkdir()
    (web / "index.html").write_text("an older site written in place", encoding="utf-8")
    with pytest.raises(pipeline.PublishError, match="did not publish"):
        pipeline.publish(web, root=root)
    assert (web / "index.html").read_text(encoding="utf-8") == "an older site written in place"


def test_cli_publish_list_and_rollback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, web = tmp_path / "project", tmp_path / "www"
    (root / "notebooks").mkdir(parents=True)
    for n in range(2):
        _site(root, f"v{n}")
        assert cli.main(["--root", str(root), "publish", "--to", str(web)]) == 0
    assert "published" in capsys.readouterr().out
    assert cli.main(["--root", str(root), "publish", "--to", str(web), "--list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 2 and listing[1].startswith("*")
    assert cli.main(["--root", str(root), "publish", "--to", str(web), "--rollback"]) == 0
    assert (web / "current" / "index.html").read_text(encoding="utf-8") == "v0"
    assert cli.main(["--root", str(root), "publish", "--to", str(tmp_path / "nothing"), "--rollback"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_new_ids_sort_in_publish_order() -> None:
    assert P._new_id(["99999999T999999999999-ffffff"]) > "99999999T999999999999-ffffff"
