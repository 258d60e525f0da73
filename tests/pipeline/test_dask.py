"""Execution on a real dask.distributed cluster (LocalCluster with two worker processes behind nannies).

The workers get the notebooks inside the jobs and the data as a bundle: the notebooks
below read the data from the folder the bundle was unpacked into, not from the project.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import nbformat
import pytest

from research_kit import pipeline

from pipeline_fixtures import write_studies

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    import dask

    # One retry after a worker death, then KilledWorker: keeps the failure test short.
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        lc = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                      host="127.0.0.1", silence_logs=50)
    try:
        yield lc
    finally:
        lc.close()


def _markdown(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
                     if "text/markdown" in o.get("data", {}))


def test_variants_run_on_the_cluster_with_shipped_data(fake_project: Path, cluster: object) -> None:
    write_studies(fake_project, {"a": {"x": 1}, "b": {"x": 2}, "c": {"x": 3}})
    report = pipeline.run_studies(root=fake_project, scheduler=cluster.scheduler_address)  # type: ignore[attr-defined]
    assert {o.variant: o.status for o in report.outcomes} == {"a": "ok", "b": "ok", "c": "ok"}, report.summary()
    text = _markdown(fake_project / "reports/papers/demo/b.ipynb")
    assert "| data | v1 |" in text and "| x | 2 |" in text
    assert "数据目录 project" not in text  # the kernel read the unpacked bundle, not the client's folder
    log = (fake_project / "reports/logs/demo/b.log").read_text(encoding="utf-8")
    assert "data bundle:" in log and "research-kit-bundles" in log
    workers = {o.worker for o in report.outcomes}
    assert len(workers) >= 1 and all("pid" in w for w in workers)
    # unchanged: nothing is sent to the cluster
    again = pipeline.run_studies(root=fake_project, scheduler=cluster.scheduler_address)  # type: ignore[attr-defined]
    assert [o.status for o in again.outcomes] == ["cached"] * 3


def test_shared_folder_mode_checks_the_data_the_workers_see(fake_project: Path, cluster: object) -> None:
    write_studies(fake_project, {"a": {"x": 1}})
    report = pipeline.run_studies(root=fake_project, scheduler=cluster.scheduler_address,  # type: ignore[attr-defined]
                                  shared_fs=True)
    assert [o.status for o in report.outcomes] == ["ok"]
    assert "数据目录 project" in _markdown(fake_project / "reports/papers/demo/a.ipynb")


def test_a_worker_dying_mid_run_is_retried_or_reported(fake_project: Path, cluster: object, tmp_path: Path) -> None:
    # Two runs, so that a worker killed by one variant cannot also use up the retries of the others
    # (with one thread per worker and allowed-failures=1, co-scheduled tasks share a worker's death).
    marker = tmp_path / "killed-once"
    write_studies(fake_project, {"once": {"kill_marker": str(marker)}, "fine": {"x": 5}})
    report = pipeline.run_studies(root=fake_project, scheduler=cluster.scheduler_address)  # type: ignore[attr-defined]
    status = {o.variant: o.status for o in report.outcomes}
    assert marker.exists(), "the first attempt of 'once' should have killed its worker"
    assert status == {"once": "ok", "fine": "ok"}, report.summary()  # retried after the death

    write_studies(fake_project, {"always": {"kill_always": True}})
    report = pipeline.run_studies(root=fake_project, scheduler=cluster.scheduler_address)  # type: ignore[attr-defined]
    assert len(report.outcomes) == 1, report.summary()  # nothing silently missing
    (dead,) = report.failed
    assert dead.variant == "always" and "KilledWorker" in dead.error
    assert (fake_project / "reports/papers/demo/always.failed.ipynb").is_file()
    assert "KilledWorker" in (fake_project / "reports/logs/demo/always.log").read_text(encoding="utf-8")


def test_workers_with_another_research_kit_are_refused(fake_project: Path, cluster: object,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from research_kit.pipeline import hashing

    # Only this process sees another source tree; the workers compute theirs as they are.
    monkeypatch.setattr(hashing, "source_tree_hash", lambda top=None: "0" * 64)
    with pytest.raises(pipeline.WorkerMismatchError, match="another research_kit"):
        pipeline.DaskPool(cluster.scheduler_address, root=fake_project)  # type: ignore[attr-defined]
