from __future__ import annotations

import datetime as dt

import pytest

from flscreen.supply import load_package
from flscreen.supply.annotate import annotate_package
from flscreen.trace import SupplyGraph, TraceConfig, load_config
from tests.supply.conftest import SAMPLE
from tests.supply.fakes import FAKE


@pytest.fixture(scope="session")
def sample_graph() -> SupplyGraph:
    """The bundled sample, annotated by the visible fake matcher/locator."""
    pkg = load_package(SAMPLE, today=dt.date(2026, 11, 27))
    return SupplyGraph.from_package(
        pkg, annotate_package(pkg, FAKE, now="2026-11-27T00:00:00+00:00")
    )


@pytest.fixture(scope="session")
def config() -> TraceConfig:
    return load_config()
