"""Load Python rows into the batch engines (DuckDB, Spark) under a given schema.

The executors themselves are :mod:`flscreen.batch.engines`; this adds tables
whose schema the trade domain names, staged through a CSV file (DuckDB) and
Parquet (Spark), so neither engine needs pandas or pyarrow.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from flscreen.batch.engines import DuckDBEngine, Engine, SparkEngine

Schema = Sequence[tuple[str, str]]
NULL = "\\N"


def _cell(value: Any) -> Any:
    return NULL if value is None else value


def _csv(folder: Path, name: str, schema: Schema, rows: Iterable[Sequence[Any]]) -> Path:
    path = folder / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c for c, _ in schema])
        writer.writerows([_cell(v) for v in row] for row in rows)
    return path


def _read_sql(path: Path, schema: Schema) -> str:
    cols = ", ".join(f"'{c}': '{t}'" for c, t in schema)
    return (
        f"SELECT * FROM read_csv('{path}', header=true, nullstr='\\N', "
        f"columns={{{cols}}}, quote='\"', escape='\"')"
    )


def load_rows(engine: Engine, name: str, schema: Schema, rows: Iterable[Sequence[Any]]) -> None:
    """Create (or replace) table ``name`` with ``schema`` from ``rows`` on ``engine``."""
    with tempfile.TemporaryDirectory(prefix="flscreen-trade-") as tmp:
        path = _csv(Path(tmp), name, schema, rows)
        if isinstance(engine, DuckDBEngine):
            engine.con.execute(f"CREATE OR REPLACE TABLE {name} AS {_read_sql(path, schema)}")
            return
        if isinstance(engine, SparkEngine):
            staging = DuckDBEngine()
            try:
                staging.con.execute(f"CREATE TABLE {name} AS {_read_sql(path, schema)}")
                out = staging.export_parquet(Path(engine._tmp.name), [name])
            finally:
                staging.close()
            engine.load_parquet(out)
            return
    raise TypeError(f"no loader for engine {type(engine).__name__}")  # pragma: no cover


def copy_table(source: DuckDBEngine, target: Engine, name: str) -> None:
    """Copy a DuckDB table into ``target`` (Spark: through Parquet) under the same name."""
    if target is source:
        return
    if isinstance(target, SparkEngine):
        out = source.export_parquet(Path(target._tmp.name), [name])
        target.load_parquet(out)
        return
    if isinstance(target, DuckDBEngine):
        with tempfile.TemporaryDirectory(prefix="flscreen-trade-") as tmp:
            path = source.export_parquet(Path(tmp), [name])[name]
            target.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM '{path}'")
        return
    raise TypeError(f"no loader for engine {type(target).__name__}")  # pragma: no cover
