"""Deterministic fault injection for the crash tests of the build.

A test sets ``RESEARCH_KIT_FAULT`` to the name of a point (one of :data:`POINTS`)
and ``RESEARCH_KIT_FAULT_MARK`` to a file path. The first process that reaches
that point writes the mark file and then waits there until it is killed, so the
test kills the build at a known point instead of racing it. Without the
variable, :func:`point` does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ENV = "RESEARCH_KIT_FAULT"
MARK = "RESEARCH_KIT_FAULT_MARK"
POINTS = ("paper-render", "site-assembly")
"""``paper-render``: a paper is rendered in its ``.tmp-*`` cache folder, not yet moved in.
``site-assembly``: the new site is complete in ``reports/._site.tmp-*``, not yet swapped in."""


def point(name: str) -> None:
    """Stop here (mark, then wait to be killed) if ``RESEARCH_KIT_FAULT`` names this point."""
    if os.environ.get(ENV) != name:
        return
    mark = os.environ.get(MARK)
    if mark:
        Path(mark).write_text(f"{name} {os.getpid()}\n", encoding="utf-8")
    while True:  # the test kills the process group
        time.sleep(1)
