"""Batch tracing: every shipment as SQL on DuckDB (default, embedded) or Spark.

``run_batch_on_graph(graph, config, engine="duckdb")`` traces every shipment
of an in-memory graph; ``run_batch(engine, inputs, config)`` runs on tables an
engine already holds (the benchmark generates them directly). The SQL comes
from pure functions per dialect (``batch.sql``); each engine is a small
executor (``batch.engines``).
"""

from __future__ import annotations

from collections.abc import Iterator

from flscreen.batch.engines import DuckDBEngine, Engine, SparkEngine
from flscreen.batch.inputs import BatchInputs, from_graph
from flscreen.batch.runner import Progress, run_batch, write_batch
from flscreen.model.trace import TraceResult
from flscreen.trace.config import TraceConfig
from flscreen.trace.graph import SupplyGraph
from flscreen.trace.inferred import mark_inferred


def make_engine(name: str) -> Engine:
    """'duckdb' (in-process) or 'spark' (local SparkSession; pyspark imported lazily)."""
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine()
    raise ValueError(f"unknown engine {name!r}")


def run_batch_on_graph(
    graph: SupplyGraph,
    config: TraceConfig,
    engine: str | Engine = "duckdb",
    progress: Progress | None = None,
) -> Iterator[TraceResult]:
    """Every shipment of ``graph`` traced on ``engine``, in shipment-id order."""
    runner = make_engine(engine) if isinstance(engine, str) else engine
    try:
        for result in run_batch(runner, from_graph(graph, config), config, progress):
            yield mark_inferred(result)
    finally:
        if isinstance(engine, str):
            runner.close()


__all__ = [
    "BatchInputs",
    "DuckDBEngine",
    "Engine",
    "SparkEngine",
    "from_graph",
    "make_engine",
    "run_batch",
    "run_batch_on_graph",
    "write_batch",
]
