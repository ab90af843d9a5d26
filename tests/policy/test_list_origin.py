"""A UFLPA listing is recognised by who published it, whatever the list was named at
import: OpenSanctions' FtM export of the UFLPA Entity List screens like the DHS page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from flscreen.cli.main import app
from flscreen.lists.base import ParseContext
from flscreen.lists.ftm import parse as parse_ftm
from flscreen.lists.uflpa_html import parse as parse_dhs

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample"
DHS_PAGE = SAMPLE / "lists" / "uflpa_entity_list.html"
runner = CliRunner()


def opensanctions_export(path: Path) -> Path:
    """The sample DHS page as OpenSanctions publishes it (crawler us_dhs_uflpa): a
    party with ``datasets`` and the topic 'sanction', and a Sanction entity whose
    programme is the page's heading and section, words that never say 'UFLPA'."""
    lines = []
    for _row, entry in parse_dhs(DHS_PAGE, ParseContext(str(DHS_PAGE))):
        eid = f"us-uflpa-{entry.entry_id}"
        lines.append(
            {
                "id": eid,
                "schema": "Company" if entry.schema == "company" else "Organization",
                "caption": entry.name,
                "datasets": ["us_dhs_uflpa"],
                "properties": {
                    "name": [entry.name],
                    "alias": list(entry.aliases),
                    "country": ["cn"],
                    "topics": ["sanction"],
                },
            }
        )
        for n, section in enumerate(entry.programs):
            lines.append(
                {
                    "id": f"{eid}-sanction-{n}",
                    "schema": "Sanction",
                    "datasets": ["us_dhs_uflpa"],
                    "properties": {
                        "entity": [eid],
                        "authority": ["Forced Labor Enforcement Task Force"],
                        "program": [
                            "Entities that mine, produce, or manufacture wholly or in part "
                            f"goods with forced labor - Section {section}"
                        ],
                        "startDate": [entry.listed_on] if entry.listed_on else [],
                    },
                }
            )
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return path


def _screen(list_path: Path, list_name: str, out: Path) -> dict[str, dict[str, Any]]:
    for path, name in ((list_path, list_name), (SAMPLE / "lists" / "ofac_sdn", "ofac_sdn")):
        done = runner.invoke(app, ["lists", "import", str(path), "--list", name])
        assert done.exit_code == 0, done.output
    result = runner.invoke(app, ["screen", str(SAMPLE / "supply"), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {row["shipment"]: row for row in rows}


def test_ftm_export_keeps_its_dataset_and_no_topic_as_programme(tmp_path: Path) -> None:
    path = opensanctions_export(tmp_path / "entities.ftm.json")
    entries = [e for _row, e in parse_ftm(path, ParseContext(str(path)))]
    assert entries and all(e.sources == ("us_dhs_uflpa",) for e in entries)
    # 'sanction' is OpenSanctions' classification, not a section of any law
    assert not any("sanction" in e.programs for e in entries)
    assert all(p.endswith(")") for e in entries for p in e.programs)


def test_opensanctions_uflpa_export_detains_like_the_dhs_page(
    cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Named at import as nothing a pattern on 'uflpa' would catch.
    export = opensanctions_export(tmp_path / "entities.ftm.json")
    from_ftm = _screen(export, "opensanctions-targets", tmp_path / "ftm.jsonl")
    # The same entities from the DHS page, in a store of their own.
    monkeypatch.setenv("FLSCREEN_HOME", str(tmp_path / "home-dhs"))
    monkeypatch.setenv("FLSCREEN_DB_URL", f"sqlite:///{tmp_path / 'dhs.db'}")
    from_dhs = _screen(DHS_PAGE, "uflpa", tmp_path / "dhs.jsonl")

    assert sorted(from_ftm) == sorted(from_dhs)
    assert {s: r["verdict"] for s, r in from_ftm.items()} == {
        s: r["verdict"] for s, r in from_dhs.items()
    }
    # cotton laundered through a trader and Hoshine polysilicon upstream: both detain
    assert from_ftm["S-1003"]["verdict"] == from_ftm["S-2001"]["verdict"] == "detain"
    listed = next(r for r in from_ftm["S-1003"]["reasons"] if r["code"] == "list_entity_upstream")
    assert listed["outcome"] == "detain"
    assert listed["evidence"]["list"]["list"] == "opensanctions-targets"
    assert listed["evidence"]["list"]["sources"] == ["us_dhs_uflpa"]
    assert listed["evidence"]["recognised_by"] == "source dataset us_dhs_uflpa"
    assert "recognised by its source dataset us_dhs_uflpa" in listed["text"]
    # and nothing of the kind is claimed when the list name already says it
    dhs = next(r for r in from_dhs["S-1003"]["reasons"] if r["code"] == "list_entity_upstream")
    assert dhs["evidence"]["recognised_by"] == "list uflpa"
    assert "recognised by" not in dhs["text"]


def test_same_dataset_without_a_section_is_reviewed_not_cleared(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A targets export without its Sanction entities says who listed the entity but
    not under which section: the policy names every section, so it routes to review."""
    export = opensanctions_export(tmp_path / "full.ftm.json")
    parties = [
        line
        for line in export.read_bytes().splitlines()
        if orjson.loads(line)["schema"] != "Sanction"
    ]
    bare = tmp_path / "targets.ftm.json"
    bare.write_bytes(b"\n".join(parties) + b"\n")
    rows = _screen(bare, "os", tmp_path / "v.jsonl")
    codes = {r["code"] for r in rows["S-1003"]["reasons"]}
    assert "list_section_unknown" in codes
    assert "list_other" not in codes
