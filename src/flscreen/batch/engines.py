"""One small executor per engine: run statements, fetch rows, load input tables.

DuckDB is embedded and the default; Spark (pyspark, local mode unless a
session is given) is imported only when asked for.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from flscreen.batch.inputs import SCHEMAS, rows_as_text
from flscreen.batch.sql import DUCKDB, SPARK, Dialect, Table
from flscreen.errors import FlscreenError

SPARK_HINT = (
    "the spark engine needs pyspark and a Java runtime: pip install 'flscreen[spark]' "
    "(or pip install pyspark) and install Java 17"
)


class Engine(Protocol):
    dialect: Dialect

    def execute(self, sql: str) -> None: ...

    def create(self, table: Table) -> None: ...

    def drop(self, name: str) -> None: ...

    def fetch(self, sql: str) -> Iterator[tuple[Any, ...]]: ...

    def load(self, tables: Mapping[str, Sequence[tuple[Any, ...]]]) -> None: ...

    def close(self) -> None: ...


def _write_csv(folder: Path, name: str, rows: Sequence[tuple[Any, ...]]) -> Path:
    path = folder / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c for c, _ in SCHEMAS[name]])
        writer.writerows(rows_as_text(rows))
    return path


def _read_csv_sql(path: Path, name: str) -> str:
    cols = ", ".join(f"'{c}': '{t}'" for c, t in SCHEMAS[name])
    return (
        f"SELECT * FROM read_csv('{path}', header=true, nullstr='\\N', "
        f"columns={{{cols}}}, quote='\"', escape='\"')"
    )


class DuckDBEngine:
    """DuckDB in this process; ``database`` ':memory:' by default."""

    dialect = DUCKDB

    def __init__(
        self,
        database: str = ":memory:",
        memory_limit: str | None = None,
        threads: int | None = None,
        temp_directory: str | None = None,
    ) -> None:
        import duckdb

        self.con = duckdb.connect(database)
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if temp_directory:
            self.con.execute(f"SET temp_directory = '{temp_directory}'")
        self.con.execute("SET preserve_insertion_order = false")

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def create(self, table: Table) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {table.name} AS {table.select}")

    def drop(self, name: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def fetch(self, sql: str) -> Iterator[tuple[Any, ...]]:
        # its own cursor: several result streams may be read side by side
        cursor = self.con.cursor().execute(sql)
        while True:
            rows = cursor.fetchmany(10_000)
            if not rows:
                return
            yield from rows

    def load(self, tables: Mapping[str, Sequence[tuple[Any, ...]]]) -> None:
        with tempfile.TemporaryDirectory(prefix="flscreen-batch-") as tmp:
            for name, rows in tables.items():
                path = _write_csv(Path(tmp), name, rows)
                self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {_read_csv_sql(path, name)}")

    def export_parquet(self, folder: Path, names: Sequence[str]) -> dict[str, Path]:
        out = {}
        for name in names:
            path = folder / f"{name}.parquet"
            self.con.execute(f"COPY {name} TO '{path}' (FORMAT parquet)")
            out[name] = path
        return out

    def close(self) -> None:
        self.con.close()


def spark_session(master: str = "local[2]", memory: str = "4g", partitions: int = 8) -> Any:
    """A local SparkSession tuned for one machine (few shuffle partitions)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise FlscreenError(SPARK_HINT) from exc
    try:
        session = (
            SparkSession.builder.master(master)
            .appName("flscreen-trace")
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.driver.memory", memory)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.adaptive.enabled", "true")
            .getOrCreate()
        )
    except Exception as exc:  # a missing Java runtime surfaces as various errors
        raise FlscreenError(f"{SPARK_HINT} ({exc})") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine:
    """Spark SQL; tables are loaded through Parquet files written by DuckDB."""

    dialect = SPARK

    def __init__(self, spark: Any | None = None) -> None:
        self.spark = spark or spark_session()
        self._tmp = tempfile.TemporaryDirectory(prefix="flscreen-spark-")

    def execute(self, sql: str) -> None:
        self.spark.sql(sql)

    def create(self, table: Table) -> None:
        # A local checkpoint cuts the lineage: each hop reads the previous hop's
        # rows, not its plan, so iterations stay cheap and tables can be dropped.
        frame = self.spark.sql(table.select).localCheckpoint(eager=True)
        frame.createOrReplaceTempView(table.name)

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)

    def fetch(self, sql: str) -> Iterator[tuple[Any, ...]]:
        for row in self.spark.sql(sql).toLocalIterator():
            yield tuple(row)

    def load(self, tables: Mapping[str, Sequence[tuple[Any, ...]]]) -> None:
        staging = DuckDBEngine()
        try:
            staging.load(tables)
            paths = staging.export_parquet(Path(self._tmp.name), list(tables))
        finally:
            staging.close()
        self.load_parquet(paths)

    def load_parquet(self, paths: Mapping[str, Path]) -> None:
        for name, path in paths.items():
            frame = self.spark.read.parquet(str(path)).localCheckpoint(eager=True)
            frame.createOrReplaceTempView(name)

    def close(self) -> None:
        self._tmp.cleanup()
