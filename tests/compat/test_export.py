"""`flscreen export`: the store as FollowTheMoney entities that followthemoney reads back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.types import registry
from typer.testing import CliRunner

from flscreen.cli.main import app

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample"
runner = CliRunner()


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _entities(path: Path) -> dict[str, Any]:
    """Every line through followthemoney's model (unknown schema or property raises)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        proxy = model.get_proxy(json.loads(line), cleaned=False)
        assert proxy.id is not None and proxy.id not in out
        out[proxy.id] = proxy
    return out


def test_export_writes_lists_supply_and_verdicts_as_ftm(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    _ok("lists", "import", str(SAMPLE / "lists" / "uflpa_entity_list.html"), "--list", "uflpa")
    _ok("screen", str(SAMPLE / "supply"), "--output", str(tmp_path / "v.jsonl"), "--actor", "ana")
    target = tmp_path / "out.ftm.json"
    _ok("export", "--output", str(target))
    entities = _entities(target)
    by_schema: dict[str, list[Any]] = {}
    for proxy in entities.values():
        by_schema.setdefault(proxy.schema.name, []).append(proxy)
    assert {
        "Company",
        "Sanction",
        "Ownership",
        "EconomicActivity",
        "Risk",
        "Similar",
        "Address",
    } <= set(by_schema)

    # Every reference points at an entity in the same export.
    dangling = [
        (proxy.id, prop.name, value)
        for proxy in entities.values()
        for prop, value in proxy.itervalues()
        if prop.type == registry.entity and value not in entities
    ]
    assert dangling == []

    # A listing cites its list version; a verdict its policy and reasons.
    hoshine = next(
        p
        for p in by_schema["Company"]
        if "Hoshine Silicon Industry (Shanshan) Co., Ltd" in p.get("name")
    )
    listing = next(s for s in by_schema["Sanction"] if hoshine.id in s.get("entity"))
    assert "uflpa version 1 (sha256 " in listing.first("summary")
    risks = {r.first("entity"): r for r in by_schema["Risk"]}
    s2001 = risks["shipment-S-2001"]
    assert s2001.first("status") in {"detain", "exclude"}
    assert s2001.first("authority").startswith("uflpa ")
    assert any("list_entity_upstream" in r and "uflpa v1" in r for r in s2001.get("reason"))
    # The list hit a verdict rests on: supplier party -> list entry, with its score.
    hits = [s for s in by_schema["Similar"] if s.first("match") == hoshine.id]
    assert hits and float(hits[0].first("confidenceScore")) >= 0.8
    assert entities[hits[0].first("candidate")].schema.name == "Company"


def test_export_of_one_part_and_bad_part(cli_env: dict[str, str], tmp_path: Path) -> None:
    _ok("lists", "import", str(SAMPLE / "lists" / "my_watchlist.csv"), "--list", "my-watchlist")
    target = tmp_path / "lists.ftm.json"
    _ok("export", "--part", "lists", "--output", str(target))
    schemata = {p.schema.name for p in _entities(target).values()}
    assert schemata <= {"Company", "Organization", "Sanction", "LegalEntity", "Ownership"}
    refused = runner.invoke(
        app, ["export", "--part", "casez", "--output", str(tmp_path / "x.json")]
    )
    assert refused.exit_code != 0 and "unknown part 'casez'" in refused.output
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "x.json.part").exists()
