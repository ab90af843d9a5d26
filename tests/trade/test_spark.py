"""The trade SQL on Spark (local mode) gives the DuckDB answers: firms, edges, flags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flscreen.batch.engines import DuckDBEngine, Engine, SparkEngine
from flscreen.trade import sql
from flscreen.trade.engine import load_rows
from flscreen.trade.infer import Inference, load_records, region_locator, resolve_and_infer
from flscreen.trade.read import read_trade_file
from tests.batch import test_batch_spark
from tests.trade.test_resolve import _two_phats

pytestmark = pytest.mark.spark
spark_engine = test_batch_spark.spark_engine
"""The Spark session fixture of the batch tests (one JVM for both)."""


def _answers(inf: Inference) -> dict[str, Any]:
    """Everything the inference decides, in a form two engines can be compared on."""
    return {
        "firms": sorted(
            (
                c.firm_id,
                sorted((v.name, v.address, v.country) for v in c.variants),
                sorted(
                    (p["a"], p["b"], p["rule"], p["name_similarity"], p["shared_partners"])
                    for p in c.merges
                ),
            )
            for c in inf.firms
        ),
        "edges": [
            (e.edge_id, e.records, e.first_date, e.last_date, round(e.weight_kg or 0, 3), e.bills)
            for e in inf.edges
        ],
        "transshipment": sorted(
            (f.firm, f.buyer, f.material, f.period, round(f.inbound_kg, 3), f.min_lag)
            for f in inf.transshipment
        ),
    }


def _run(engine: Engine, load: Callable[[Engine], None]) -> dict[str, Any]:
    load(engine)
    return _answers(resolve_and_infer(engine, region_locator()))


def test_spark_resolves_and_infers_as_duckdb(spark_engine: SparkEngine, trade_sample: Path) -> None:
    records = read_trade_file(str(trade_sample / "bills_of_lading.csv"))

    def sample(engine: Engine) -> None:
        load_records(engine, records)

    def phats(engine: Engine) -> None:
        load_rows(engine, "tr_rec", sql.RECORD_COLUMNS, _two_phats())

    answers = []
    for load in (sample, phats):
        duck = DuckDBEngine()
        try:
            expected = _run(duck, load)
        finally:
            duck.close()
        assert _run(spark_engine, load) == expected
        answers.append(expected)
    # there is something to agree on: the sample's transshipment through Penang, and
    # the two Phat spinners kept apart (two spinners and their buyer)
    assert [t[2] for t in answers[0]["transshipment"]] == ["cotton yarn"]
    assert len(answers[1]["firms"]) == 3
