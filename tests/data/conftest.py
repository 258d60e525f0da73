"""Fixtures for the data-layer tests (helpers live in data_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from data_fixtures import Project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = Project(tmp_path / "proj")
    p.write()
    return p
