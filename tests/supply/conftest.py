from __future__ import annotations

from pathlib import Path

import pytest

SAMPLE = (
    Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample" / "supply"
)


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE
