"""The same batch SQL on Spark (local mode) gives the DuckDB answers. Slow start: few cases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flscreen.batch import DuckDBEngine, SparkEngine, run_batch_on_graph
from flscreen.trace import SupplyGraph, TraceConfig, load_config
from tests.batch.randomnet import normalize, random_network

pytestmark = pytest.mark.spark


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[SparkEngine]:
    pytest.importorskip("pyspark")
    from flscreen.batch.engines import spark_session

    try:
        session = spark_session(memory="1g", partitions=2)
    except Exception as exc:  # no Java runtime on this machine
        pytest.skip(f"Spark cannot start: {exc}")
    engine = SparkEngine(session)
    yield engine
    engine.close()
    session.stop()


def test_spark_matches_duckdb_on_sample_and_random(
    spark_engine: SparkEngine, sample_graph: SupplyGraph, config: TraceConfig
) -> None:
    sample = list(run_batch_on_graph(sample_graph, config, spark_engine))
    assert [normalize(r) for r in sample] == [
        normalize(r) for r in run_batch_on_graph(sample_graph, config, DuckDBEngine())
    ]
    assert [r.shipment for r in sample if r.tainted] == ["S-1001", "S-1003", "S-1006", "S-2001"]
    graph, cfg = random_network(7), load_config(lookback_days=400)
    spark = [normalize(r) for r in run_batch_on_graph(graph, cfg, spark_engine)]
    assert spark == [normalize(r) for r in run_batch_on_graph(graph, cfg, DuckDBEngine())]
    assert any(r["taint"] for r in spark)
