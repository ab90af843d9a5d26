"""Supply-chain tracing: from a shipment upstream to every taint source and gap.

``SupplyGraph.from_package(pkg, annotations)`` (or ``load_graph(conn)``) builds
the graph; ``trace_shipment(graph, shipment_id, config)`` returns a
``TraceResult`` in milliseconds; ``flscreen.batch`` runs the same over every
shipment as SQL on DuckDB or Spark.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from flscreen.model.trace import TraceResult
from flscreen.trace.config import TraceConfig, load_config
from flscreen.trace.graph import SupplyGraph
from flscreen.trace.memory import trace_shipment
from flscreen.trace.taint import TaintIndex, build_taint_index


def load_graph(conn: Connection) -> SupplyGraph:
    """The graph of every supply record in the store, with the current annotations and
    the supply edges inferred from trade records (marked as such: flscreen.trade.graph)."""
    from flscreen.supply import store
    from flscreen.trade.graph import with_trade

    pkg, annotations = with_trade(conn, store.load_package(conn), store.load_annotations(conn))
    return SupplyGraph.from_package(pkg, annotations)


def trace_all(graph: SupplyGraph, config: TraceConfig | None = None) -> list[TraceResult]:
    """Every shipment traced in memory (small stores; use flscreen.batch for large ones)."""
    config = config or load_config()
    return [trace_shipment(graph, sid, config) for sid in sorted(graph.shipments)]


__all__ = [
    "SupplyGraph",
    "TaintIndex",
    "TraceConfig",
    "build_taint_index",
    "load_config",
    "load_graph",
    "trace_all",
    "trace_shipment",
]
