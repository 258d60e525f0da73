"""A Dask worker plugin that unpacks the project's data bundle on every worker, including restarted ones.

Scattered data dies with the workers that hold it (and the tasks that need it
are then cancelled); a plugin is kept by the scheduler and set up again on
every worker that starts later, such as one a nanny restarts after a crash.
Imported only when a Dask scheduler is used.
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from research_kit.pipeline._worker import materialize_bundle

__all__ = ["BundlePlugin"]


class BundlePlugin(WorkerPlugin):
    """Unpack ``bundle`` (sha256 ``digest``) into ``$TMPDIR/research-kit-bundles/<digest>`` when a worker starts."""

    def __init__(self, bundle: bytes, digest: str) -> None:
        self.bundle = bundle
        self.digest = digest
        self.name = f"research-kit-bundle-{digest[:16]}"

    def setup(self, worker: Any) -> None:
        materialize_bundle(self.bundle, self.digest)
