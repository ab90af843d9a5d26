"""DuckDB batch = in-memory trace = networkx reference, on the sample and random networks."""

from __future__ import annotations

import pytest

from flscreen.batch import DuckDBEngine, run_batch_on_graph
from flscreen.batch.sql import DUCKDB, SPARK, edges_sql, feeds_sql, step_sql
from flscreen.model.trace import TraceResult
from flscreen.trace import SupplyGraph, TraceConfig, load_config, trace_shipment
from tests.batch.randomnet import collapse, networkx_shares, normalize, random_network

CONFIG = load_config(lookback_days=400)


def test_sample_matches_in_memory(sample_graph: SupplyGraph, config: TraceConfig) -> None:
    batch = list(run_batch_on_graph(sample_graph, config))
    assert [r.shipment for r in batch] == sorted(sample_graph.shipments)
    for r in batch:
        assert normalize(r) == normalize(trace_shipment(sample_graph, r.shipment, config)), (
            r.shipment
        )
    by_id = {r.shipment: r for r in batch}
    laundered = next(p for p in by_id["S-1003"].paths if p.source.kind == "list")
    # the witness route cites every transaction and its documents
    assert [s.transaction_id for s in laundered.steps] == ["T-C03", "T-C02", "T-C01"]
    assert laundered.steps[1].documents == ("D-C02-INV", "D-C02-COO")
    assert by_id["S-1004"].mass_balance[0].input_material == "cotton lint"


@pytest.mark.parametrize("seed", range(12))
def test_random_networks_agree(seed: int) -> None:
    graph = random_network(seed)
    engine = DuckDBEngine()
    batch = {r.shipment: r for r in run_batch_on_graph(graph, CONFIG, engine)}
    reference = networkx_shares(graph, CONFIG)
    assert set(batch) == set(graph.shipments)
    for sid in graph.shipments:
        memory = trace_shipment(graph, sid, CONFIG)
        assert normalize(batch[sid]) == normalize(memory), sid
        assert collapse(batch[sid]) == pytest.approx(reference[sid], abs=1e-5), sid
    engine.close()


def test_random_networks_are_not_trivial() -> None:
    """The cases above must include tainted shipments, gaps and shortfalls to mean anything."""
    tainted = gaps = shortfalls = 0
    for seed in range(12):
        graph = random_network(seed)
        for sid in graph.shipments:
            r = trace_shipment(graph, sid, CONFIG)
            tainted += r.tainted
            gaps += bool(r.gaps)
            shortfalls += bool(r.mass_balance)
    assert tainted >= 5 and gaps >= 5 and shortfalls >= 3, (tainted, gaps, shortfalls)


def test_sql_is_generated_per_dialect() -> None:
    duck = edges_sql(DUCKDB, 30)
    spark = edges_sql(SPARK, 30)
    assert duck.name == spark.name == "fl_edge"
    assert "dn.day - 30 AND dn.day" in duck.select and "dn.day - 30 AND dn.day" in spark.select
    step_duck, step_spark = step_sql(DUCKDB, 3, 30), step_sql(SPARK, 3, 30)
    assert "ASOF JOIN" in feeds_sql(DUCKDB, 30).select
    assert "ASOF" not in feeds_sql(SPARK, 30).select
    assert "FROM fl_front_3" in step_duck.select and step_duck.name == "fl_front_4"
    assert "arg_max(struct_pack(" in step_duck.select and "list_prepend(" in step_duck.select
    assert "max_by(named_struct(" in step_spark.select and "concat(array(" in step_spark.select


@pytest.mark.parametrize("seed", range(4))
def test_depth_limit_is_the_same_on_both_engines(seed: int) -> None:
    # three hops reach spinners but not ginners or farms: both engines must stop alike
    config = CONFIG.replace(max_depth=3)
    graph = random_network(seed)
    batch = {r.shipment: r for r in run_batch_on_graph(graph, config)}
    for sid in graph.shipments:
        memory = trace_shipment(graph, sid, config)
        assert normalize(batch[sid]) == normalize(memory), sid
        assert all(len(p.steps) <= 3 for p in memory.paths)


def test_witness_steps_carry_the_hop_shares(sample_graph: SupplyGraph, config: TraceConfig) -> None:
    batch = {r.shipment: r for r in run_batch_on_graph(sample_graph, config)}
    for sid, result in batch.items():
        memory = trace_shipment(sample_graph, sid, config)

        # the sample has one route per source and first hop: the witness is that route
        def routes(r: TraceResult) -> list[str]:
            return sorted(repr((p.source.kind, p.source.party_id, p.steps)) for p in r.paths)

        assert routes(result) == routes(memory), sid


def test_same_day_cycle_does_not_inflate_shares() -> None:
    from flscreen.model.supply import Annotations
    from tests.trace.test_rules import CHAIN, graph, txn, xinjiang

    # lint from a Xinjiang ginner reaches the spinner, which trades yarn back and forth
    # with a trader on one day: the loop must not count the ginner's share twice
    ann = Annotations(parties={"GIN": xinjiang("party", "GIN")})
    txns = [
        *CHAIN,
        txn("T3", "TRADER", "SPIN", "cotton yarn", 5, "2026-03-01"),
        txn("T4", "SPIN", "TRADER", "cotton yarn", 5, "2026-03-01"),
        txn("T5", "GIN", "SPIN", "cotton lint", 10, "2026-02-01"),
    ]
    g = graph(txns, ann=ann)
    [batch] = run_batch_on_graph(g, CONFIG)
    memory = trace_shipment(g, "S", CONFIG)
    assert normalize(batch) == normalize(memory)
    assert sum(p.share or 0 for p in batch.paths) <= 1.0
