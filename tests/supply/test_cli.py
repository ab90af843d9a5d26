"""`flscreen supply import` and `flscreen trace` from the command line, on both backends."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from flscreen.cli.main import app

runner = CliRunner()


def test_rejected_package_writes_nothing(
    cli_env: dict[str, str], sample_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(sample_dir, bad)
    text = (bad / "transactions.csv").read_text(encoding="utf-8").replace(",600,t,", ",-600,t,")
    (bad / "transactions.csv").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["supply", "import", str(bad)])
    assert result.exit_code == 2
    assert "transactions.csv, row 2, field 'quantity': negative quantity: -600" in result.output
    assert "Traceback" not in result.output
    shown = runner.invoke(app, ["supply", "show", "--json"])
    assert json.loads(shown.stdout)["counts"]["transactions"] == 0


def test_import_then_trace(cli_env: dict[str, str], sample_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["supply", "import", str(sample_dir), "--json"])
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["counts"]["transactions"] == 26
    # region reads the Xinjiang addresses even before any list is imported
    assert "CN-AKS-GIN" in outcome["in_xinjiang"]
    assert "IMP-NW" not in outcome["in_xinjiang"]

    traced = runner.invoke(app, ["trace", "S-1003", "--json"])
    assert traced.exit_code == 0, traced.output
    data = json.loads(traced.stdout)
    assert set(data) == {"shipment", "tainted", "paths", "gaps", "mass_balance", "unlisted_paths"}
    assert data["tainted"] is True
    suppliers = [[s["supplier_id"] for s in p["steps"]] for p in data["paths"]]
    # laundered through the Kyrgyz trader, still reaches the Aksu spinner
    assert ["VN-HAIPHONG", "KG-SILKROAD", "CN-AKS-HUAFU"] in suppliers

    human = runner.invoke(app, ["trace", "S-1004"])
    assert human.exit_code == 0
    assert "unknown_supplier" in human.stdout and "shortfall" in human.stdout

    out = tmp_path / "all.jsonl"
    batch = runner.invoke(app, ["trace", "--all", "--engine", "memory", "--output", str(out)])
    assert batch.exit_code == 0, batch.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["shipment"] for r in lines] == sorted(r["shipment"] for r in lines)
    assert {r["shipment"] for r in lines if r["tainted"]} >= {"S-1001", "S-1003", "S-2001"}

    duck = tmp_path / "duck.jsonl"
    batch = runner.invoke(app, ["trace", "--all", "--output", str(duck)])  # DuckDB by default
    assert batch.exit_code == 0, batch.output
    duck_lines = [json.loads(line) for line in duck.read_text(encoding="utf-8").splitlines()]
    assert [(r["shipment"], r["tainted"], r["gaps"]) for r in duck_lines] == [
        (r["shipment"], r["tainted"], r["gaps"]) for r in lines
    ]

    missing = runner.invoke(app, ["trace", "S-9999"])
    assert missing.exit_code == 2 and "S-9999" in missing.output
