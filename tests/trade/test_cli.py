"""`flscreen trade import` and `flscreen trade infer` on the bundled sample, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from flscreen.cli.main import app
from flscreen.settings import load_settings
from flscreen.store import open_store
from flscreen.trade import store as tstore

runner = CliRunner()


def _count(table: sa.Table) -> int:
    store = open_store(load_settings().db_url)
    with store.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    store.dispose()
    return int(n)


def test_bad_file_writes_nothing(
    cli_env: dict[str, str], trade_sample: Path, tmp_path: Path
) -> None:
    text = (trade_sample / "bills_of_lading.csv").read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace(",62300,KG,", ",62300,BUSHELS,"), encoding="utf-8")
    result = runner.invoke(app, ["trade", "import", str(bad)])
    assert result.exit_code == 2
    # (the message wraps at the terminal width, so compare it unwrapped)
    assert "row 3, field 'Weight Unit': unknown weight unit 'BUSHELS'" in " ".join(
        result.output.split()
    )
    assert "Traceback" not in result.output
    assert _count(tstore.records) == 0


def test_import_twice_does_not_duplicate(cli_env: dict[str, str], trade_sample: Path) -> None:
    path = str(trade_sample / "bills_of_lading.csv")
    for _ in range(2):
        result = runner.invoke(app, ["trade", "import", path])
        assert result.exit_code == 0, result.output
    assert _count(tstore.records) == 10


def test_infer_on_the_sample(cli_env: dict[str, str], trade_sample: Path) -> None:
    assert runner.invoke(app, ["supply", "import", str(trade_sample / "package")]).exit_code == 0
    assert (
        runner.invoke(app, ["trade", "import", str(trade_sample / "bills_of_lading.csv")]).exit_code
        == 0
    )
    result = runner.invoke(app, ["trade", "infer", "-o", "-"])
    assert result.exit_code == 0, result.output
    flags = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = {(f["kind"], f["party_id"]) for f in flags}
    # the Xinjiang spinner the package leaves out, upstream of the declared spinner
    assert ("undeclared_xinjiang_upstream", "VN-MPS") in kinds
    # the Thai mill is declared cross-border but ships on no record held
    assert ("declared_supplier_no_records", "TH-SIAM") in kinds
    # declared suppliers that do ship are not flagged
    assert ("declared_supplier_no_records", "VN-SWV") not in kinds
    [ts] = [f for f in flags if f["kind"] == "transshipment"]
    assert "PENANG YARN TRADING" in ts["detail"] and ts["evidence"]["material"] == "cotton yarn"
    [up] = [f for f in flags if f["kind"] == "undeclared_xinjiang_upstream"]
    bills = up["evidence"]["path"][0]["bills"]
    assert bills == ["SGNHPH0260117", "SGNHPH0260204", "SGNHPH0260219"]

    listed = runner.invoke(app, ["trade", "firms"])
    assert listed.exit_code == 0
    assert _count(tstore.firms) == 9
    firm_id = up["firm_id"]
    shown = json.loads(runner.invoke(app, ["trade", "firms", firm_id]).stdout)
    # three spellings (one in Chinese) are one firm, located in Xinjiang, each join explained
    assert len(shown["names"]) == 3
    # the Latin spellings agree on name and address; the Chinese one, its address in
    # another script, joins on its name alone
    pairs = shown["explanation"]["pairs"]
    assert {p["rule"] for p in pairs} == {"name", "name+address"}
    [alone] = [p for p in pairs if p["rule"] == "name"]
    assert not (alone["a"].isascii() and alone["b"].isascii())
    assert len(shown["explanation"]["pairs"]) == 2
    assert shown["location"]["status"] == "xinjiang"
    assert shown["parties"] == []
