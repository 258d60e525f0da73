"""Session set-up shared by every test folder.

Study tests read the shipped demo data through ``rk.data.load``; on a fresh clone ``data/processed`` is
empty, so it is prepared once here (a no-op when nothing under ``data/`` changed since the last prepare).
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _processed_demo_data() -> None:
    from research_kit.pipeline import prepare_if_needed

    prepare_if_needed(REPO)
