"""Fixtures shared by the course-tooling tests."""
from pathlib import Path

import pytest

from academy import modules

TEST_COURSE = Path(__file__).parent / "modules"


@pytest.fixture
def test_modules_on_path(monkeypatch):
    """Let academy.exercises() find the test-only modules (90, 91) next to the course's own."""
    monkeypatch.setenv(modules.MODULE_PATH_ENV, str(TEST_COURSE))
