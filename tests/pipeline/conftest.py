"""Fixtures of the pipeline tests (helpers live in pipeline_fixtures.py)."""

from pipeline_fixtures import fake_project  # noqa: F401
