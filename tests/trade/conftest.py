from __future__ import annotations

from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample" / "trade"


@pytest.fixture
def trade_sample() -> Path:
    """The bundled sample: bills_of_lading.csv and a supply package that omits a tier."""
    return SAMPLE
