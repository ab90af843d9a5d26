"""DuckDB batch = in-memory trace = networkx reference, on the sample and random networks."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flscreen.batch import DuckDBEngine, from_graph, run_batch, run_batch_on_graph, write_batch
from flscreen.batch.sql import DUCKDB, SPARK, edges_sql, feeds_sql, hop_sql, step_sql
from flscreen.model.trace import TraceResult
from flscreen.trace import SupplyGraph, TraceConfig, load_config, trace_shipment
from tests.batch.randomnet import (
    collapse,
    networkx_shares,
    normalize,
    random_network,
    routes,
    same_routes,
)

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
    # the route cites every transaction and its documents
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
        assert same_routes(batch[sid], memory), sid
        assert collapse(batch[sid]) == pytest.approx(reference[sid], abs=1e-5), sid
    engine.close()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(0, 10**6),
    size=st.integers(2, 7),
    max_paths=st.integers(1, 40),
    max_depth=st.integers(1, 6),
)
def test_every_route_is_the_in_memory_route(
    seed: int, size: int, max_paths: int, max_depth: int
) -> None:
    """On any generated network and any cap, the batch lists the routes the desk sees:
    the same first ``max_paths`` routes, shares, count beyond the cap, gaps and their routes."""
    config = CONFIG.replace(max_paths=max_paths, max_depth=max_depth)
    graph = random_network(seed, size)
    batch = {r.shipment: r for r in run_batch_on_graph(graph, config)}
    assert set(batch) == set(graph.shipments)
    for sid in graph.shipments:
        memory = trace_shipment(graph, sid, config)
        assert routes(batch[sid])["listed"].keys() == routes(memory)["listed"].keys(), sid
        assert same_routes(batch[sid], memory), (sid, routes(batch[sid]), routes(memory))
        assert len(memory.paths) <= max_paths


def test_cap_lists_the_first_routes_and_counts_the_rest() -> None:
    # seed 16 at size 7 has a shipment with 20 routes: a cap of 5 must bite there
    graph = random_network(16, 7)
    full = {r.shipment: r for r in run_batch_on_graph(graph, CONFIG)}
    capped_config = CONFIG.replace(max_paths=5)
    capped = {r.shipment: r for r in run_batch_on_graph(graph, capped_config)}
    bitten = [sid for sid, r in full.items() if len(r.paths) > 5]
    assert bitten, "no shipment has more than 5 routes: the case shows nothing"
    for sid in graph.shipments:
        everything, first = full[sid], capped[sid]
        assert everything.unlisted_paths == 0
        assert len(first.paths) + first.unlisted_paths == len(everything.paths), sid
        # the listed routes are the first of the complete list, in the same order
        assert [p.steps for p in first.paths] == [p.steps for p in everything.paths[:5]], sid
        limit = [g for g in first.gaps if g.reason == "path_limit"]
        if sid in bitten:
            assert first.unlisted_paths == len(everything.paths) - 5
            assert limit and f"{first.unlisted_paths:,} more" in limit[0].detail
        else:
            assert not limit
        assert same_routes(first, trace_shipment(graph, sid, capped_config)), sid


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
    step_duck, step_spark = step_sql(DUCKDB, 3, 30, 50), step_sql(SPARK, 3, 30, 50)
    assert "ASOF JOIN" in feeds_sql(DUCKDB, 30).select
    assert "ASOF" not in feeds_sql(SPARK, 30).select
    assert "FROM fl_front_3" in step_duck.select and step_duck.name == "fl_step_next"
    assert "list_contains(" in step_duck.select and "array_contains(" in step_spark.select
    # each group keeps its 50 first routes
    assert "CASE WHEN kind = 0 THEN 50 ELSE 1 END" in step_duck.select
    assert "lambda r:" in step_duck.select and "r -> " in step_spark.select
    # one hop: edges, same-day cycles, the moved groups, then the next frontier and paths
    hop = hop_sql(DUCKDB, 3, 30, 50)
    assert [t.name for t in hop] == [
        "fl_step_edge",
        "fl_step_cycle",
        "fl_step_next",
        "fl_front_4",
        "fl_path_4",
    ]
    assert "list_prepend(" in hop[-1].select and "JOIN fl_path_3" in hop[-1].select
    assert "concat(array(" in hop_sql(SPARK, 3, 30, 50)[-1].select


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


def test_route_steps_carry_the_hop_shares(sample_graph: SupplyGraph, config: TraceConfig) -> None:
    batch = {r.shipment: r for r in run_batch_on_graph(sample_graph, config)}
    for sid, result in batch.items():
        memory = trace_shipment(sample_graph, sid, config)

        # every step as the dossier prints it: documents, facility, share of input
        def described(r: TraceResult) -> list[str]:
            return sorted(repr((p.source.kind, p.source.party_id, p.steps)) for p in r.paths)

        assert described(result) == described(memory), sid
        assert same_routes(result, memory), sid


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
    assert same_routes(batch, memory)
    assert sum(p.share or 0 for p in batch.paths) <= 1.0


@pytest.mark.parametrize("equal_lots", [True, False])
def test_dense_network_lists_the_same_first_routes(equal_lots: bool, tmp_path: Path) -> None:
    """Six Xinjiang farms selling to one ginner, then six lots at each tier to one spinner,
    mill and the manufacturer: 6^4 = 1,296 routes to the shipment, far past a cap of 40
    (and past the point where the in-memory tracer trims what it keeps). With equal lots
    every share ties and the order falls to the transactions; with unequal lots, routes
    meeting the same lot sizes in another order tie too."""
    from flscreen.model.supply import Annotations
    from tests.trace.test_rules import graph, txn, xinjiang

    def qty(k: int) -> float:
        return 10.0 if equal_lots else 10.0 + k

    txns = []
    farms = [f"FARM{i}" for i in range(6)]
    for i, farm in enumerate(farms):
        txns.append(txn(f"A{i}", farm, "GIN", "seed cotton", qty(i), "2026-01-0" + str(i + 1)))
    tiers = [("GIN", "SPIN", "cotton lint", 2), ("SPIN", "MILL", "cotton yarn", 3)]
    tiers.append(("MILL", "M", "cotton fabric", 4))
    for name, (seller, buyer, material, month) in zip("BCD", tiers, strict=True):
        for k in range(6):
            txns.append(
                txn(f"{name}{k}", seller, buyer, material, qty(k), f"2026-0{month}-0{k + 1}")
            )
    ann = Annotations(parties={f: xinjiang("party", f) for f in farms})
    g = graph(txns, ann=ann)
    config = CONFIG.replace(max_paths=40)
    [batch] = run_batch_on_graph(g, config)
    memory = trace_shipment(g, "S", config)
    assert len(memory.paths) == 40 and memory.unlisted_paths == 6**4 - 40
    assert same_routes(batch, memory)
    assert [p.steps for p in batch.paths] == [p.steps for p in memory.paths]
    out = tmp_path / "trace.jsonl"  # ties ordered by the transactions in SQL too
    write_batch(DuckDBEngine(), from_graph(g, config), config, out)
    assert out.read_bytes().split(b"\n") == [*_python_lines(g, config), b""]


def _python_lines(graph: SupplyGraph, config: TraceConfig) -> list[bytes]:
    """The JSON lines of run_batch's TraceResults, as orjson renders them."""
    import orjson

    return [orjson.dumps(r) for r in run_batch(DuckDBEngine(), from_graph(graph, config), config)]


@pytest.mark.parametrize("seed", range(12))
def test_lines_rendered_in_sql_are_the_python_rendering(seed: int, tmp_path: Path) -> None:
    """write_batch renders the JSON lines in SQL: byte for byte the lines orjson makes of
    run_batch's results, on the seeded networks, with the cap biting or not, and cut into
    slices of a few result rows or written at once."""
    graph = random_network(seed)
    out = tmp_path / "trace.jsonl"
    for max_paths, slice_rows in ((10, 400_000), (2, 5)):
        config = CONFIG.replace(max_paths=max_paths)
        expected = _python_lines(graph, config)
        counts = write_batch(
            DuckDBEngine(), from_graph(graph, config), config, out, slice_rows=slice_rows
        )
        assert out.read_bytes().split(b"\n") == [*expected, b""], (seed, max_paths)
        assert counts["shipments"] == len(graph.shipments)
        assert counts["tainted"] == sum(b'"tainted":true' in line for line in expected)
        assert counts["paths"] == sum(line.count(b'"evidence":"declared"') for line in expected)
        assert not list(tmp_path.glob("*.part*"))


def test_sample_lines_rendered_in_sql(
    sample_graph: SupplyGraph, config: TraceConfig, tmp_path: Path
) -> None:
    """The sample package (documents, facilities, unknown suppliers, shortfalls and
    missing conversions) renders to the same bytes in SQL as in Python."""
    out = tmp_path / "trace.jsonl"
    write_batch(DuckDBEngine(), from_graph(sample_graph, config), config, out)
    assert out.read_bytes().split(b"\n") == [*_python_lines(sample_graph, config), b""]
