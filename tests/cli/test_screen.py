"""`flscreen screen` end to end on the bundled sample: lists, package, verdicts, cases,
audit, dossier, and re-screening after a list update."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from flscreen.cli.main import app

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample"
runner = CliRunner()


def _invoke(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    return result


@pytest.fixture
def screened(cli_env: dict[str, str], tmp_path: Path) -> dict[str, dict[str, Any]]:
    for path, name in (
        (SAMPLE / "lists" / "uflpa_entity_list.html", "uflpa"),
        (SAMPLE / "lists" / "ofac_sdn", "ofac_sdn"),
    ):
        done = _invoke("lists", "import", str(path), "--list", name)
        assert done.exit_code == 0, done.output
    out = tmp_path / "verdicts.jsonl"
    result = _invoke("screen", str(SAMPLE / "supply"), "--output", str(out), "--actor", "ana")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {line["shipment"]: line for line in lines}


def _codes(line: dict[str, Any], outcome: str | None = None) -> set[str]:
    return {r["code"] for r in line["reasons"] if outcome is None or r["outcome"] == outcome}


def test_each_sample_shipment_gets_a_verdict_it_can_defend(
    screened: dict[str, dict[str, Any]],
) -> None:
    assert sorted(screened) == [
        "S-1001", "S-1002", "S-1003", "S-1004", "S-1005", "S-1006", "S-2001",
    ]  # fmt: skip
    for line in screened.values():
        assert set(line) >= {
            "shipment", "verdict", "reasons", "policy", "policy_version", "list_versions",
        }  # fmt: skip
        assert line["policy"] == "uflpa" and line["policy_version"]
        assert set(line["list_versions"]) == {"uflpa", "ofac_sdn"}
        for reason in line["reasons"]:
            assert set(reason) >= {"code", "text", "evidence"} and reason["text"]
    # the clean chain clears
    assert screened["S-1002"]["verdict"] == "clear"
    # cotton laundered through a third-country trader: UFLPA entity and Xinjiang farms upstream
    s1003 = screened["S-1003"]
    assert s1003["verdict"] == "detain"
    listed = next(r for r in s1003["reasons"] if r["code"] == "list_entity_upstream")
    assert listed["evidence"]["list"]["list"] == "uflpa"
    assert listed["evidence"]["list"]["list_version"] == 1
    assert listed["evidence"]["list"]["list_date"]  # dated from the version used
    assert listed["evidence"]["transactions"]  # the path's transactions are cited
    assert "region_xinjiang" in _codes(s1003, "detain")
    # a solar module with Hoshine polysilicon upstream
    assert screened["S-2001"]["verdict"] == "detain"
    # holes and mass-balance shortfalls go to review, never clear
    assert "mass_balance_shortfall" in _codes(screened["S-1004"], "review")
    assert "supply_gap" in _codes(screened["S-1005"], "review")
    assert screened["S-1004"]["verdict"] == screened["S-1005"]["verdict"] == "review"


def test_screening_is_deterministic_and_opens_cases(
    screened: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    again = tmp_path / "again.jsonl"
    assert _invoke("screen", "--output", str(again)).exit_code == 0
    lines = {json.loads(x)["shipment"]: json.loads(x) for x in again.read_text().splitlines()}
    assert lines == screened
    listed = _invoke("case", "list", "--json")
    open_cases = [json.loads(x) for x in listed.stdout.splitlines()]
    # one case per non-clear shipment, not a second one on the re-screen
    assert sorted(c["shipment"] for c in open_cases) == sorted(
        s for s, v in screened.items() if v["verdict"] != "clear"
    )
    verify = _invoke("audit", "verify", "--json")
    assert verify.exit_code == 0 and json.loads(verify.stdout)["ok"]


def test_duckdb_engine_reaches_the_same_verdicts(
    screened: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "duck.jsonl"
    result = _invoke("screen", "--engine", "duckdb", "--output", str(out))
    assert result.exit_code == 0, result.output
    duck = {json.loads(x)["shipment"]: json.loads(x) for x in out.read_text().splitlines()}
    # both engines list the same routes, so the verdicts rest on the same reasons
    assert {s: v["verdict"] for s, v in duck.items()} == {
        s: v["verdict"] for s, v in screened.items()
    }
    assert {s: v["reasons"] for s, v in duck.items()} == {
        s: v["reasons"] for s, v in screened.items()
    }


def test_dossier_of_a_detained_shipment(
    screened: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    html_path = tmp_path / "s1003.html"
    made = _invoke("dossier", "S-1003", "--format", "html", "--output", str(html_path))
    assert made.exit_code == 0, made.output
    html = html_path.read_text(encoding="utf-8")
    assert 'class="edge tainted"' in html and "list_entity_upstream" in html
    by_case = tmp_path / "by-case.html"
    case_id = json.loads(_invoke("case", "list", "--shipment", "S-1003", "--json").stdout)["case"]
    assert _invoke("dossier", case_id, "-f", "html", "-o", str(by_case)).exit_code == 0
    assert "Evidence dossier: shipment S-1003" in by_case.read_text(encoding="utf-8")
    pdf_path = tmp_path / "s1003.pdf"
    assert _invoke("dossier", "S-1003", "--format", "pdf", "-o", str(pdf_path)).exit_code == 0
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    for needle in ("S-1003", "DETAIN", "AksuHuafu", "uflpa", "CASE-", "新疆"):
        assert needle in text, needle


def test_list_update_rescreens_and_reports_changes(
    screened: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    # the importer's own watch list now names the clean chain's manufacturer
    watch = tmp_path / "watch.csv"
    watch.write_text(
        "id,name,country,programs\nw-1,Saigon Garment Export JSC,vn,internal-blocklist\n",
        encoding="utf-8",
    )
    result = _invoke("lists", "import", str(watch), "--list", "acme_watch")
    assert result.exit_code == 0, result.output
    assert "verdict changed" in result.output and "S-1002" in result.output
    assert "hits changed" in result.output and "VN-SGE" in result.output
    log = _invoke("audit", "log", "--kind", "rescreen")
    (record,) = [json.loads(x) for x in log.stdout.splitlines()]
    changed = {s["shipment"]: s for s in record["payload"]["shipments"]}
    assert changed["S-1002"]["before"] == "clear"
    assert changed["S-1002"]["after"] == "review"  # a list the policy does not name: review
    assert record["payload"]["trigger"]["list"] == "acme_watch"
    assert _invoke("audit", "verify").exit_code == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["screen", "--policy", "cbp-2030"], "unknown policy"),
        (["screen", "--policy", "/nonexistent/policy.yml"], "policy file not found"),
        (["screen", "--shipment", "S-9999"], "S-9999"),
        (["dossier", "S-9999"], "not been screened"),
        (["dossier", "S-1003", "--format", "docx"], "unknown format"),
        (["screen", "--engine", "excel"], "unknown engine"),
        (["dossier", "S-1003", "-f", "html", "-o", "/proc/nope/x.html"], "cannot write"),
    ],
)
def test_bad_input_exits_2(screened: dict[str, Any], args: list[str], says: str) -> None:
    result = _invoke(*args)
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output


def test_bad_package_writes_nothing(cli_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "pkg"
    bad.mkdir()
    (bad / "shipments.csv").write_text(
        "shipment_id,importer_id,exporter_id,manufacturer_id,product,hs_code,quantity,unit,"
        "value,declared_origin,date\nS-1,NOBODY,NOBODY,NOBODY,shirts,6109,-5,pcs,1,CN,2026-01-01\n",
        encoding="utf-8",
    )
    result = _invoke("screen", str(bad))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert _invoke("case", "list", "--json").stdout.strip() == ""
    # nothing was imported, so there is nothing to screen: say how to fix it
    empty = _invoke("screen")
    assert empty.exit_code == 2 and "no shipments in the store" in empty.output


def test_policy_commands_let_a_user_start_their_own(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    listed = _invoke("policy", "list")
    assert listed.exit_code == 0
    assert all(n in listed.stdout for n in ("uflpa", "eu-flr", "uk-proposed"))
    shown = _invoke("policy", "show", "uflpa")
    mine = tmp_path / "acme.yml"
    mine.write_text(shown.stdout.replace("name: uflpa", "name: acme"), encoding="utf-8")
    checked = _invoke("policy", "check", str(mine))
    assert checked.exit_code == 0 and "valid policy acme" in checked.stdout
    mine.write_text(shown.stdout.replace("outcome: detain", "outcome: hold"), encoding="utf-8")
    refused = _invoke("policy", "check", str(mine))
    assert refused.exit_code == 2 and "sources.region.outcome" in refused.output
    assert _invoke("policy", "show", "cbp").exit_code == 2


def _imports(db_url: str) -> int:
    from flscreen.store import open_store
    from flscreen.supply.store import imports

    store = open_store(db_url)
    try:
        with store.connect() as conn:
            return len(conn.execute(imports.select()).all())
    finally:
        store.dispose()


def test_screening_an_imported_package_again_does_not_import_it_twice(
    screened: dict[str, Any], cli_env: dict[str, str], tmp_path: Path
) -> None:
    import shutil

    db_url = cli_env["FLSCREEN_DB_URL"]
    assert _imports(db_url) == 1
    again = _invoke("screen", str(SAMPLE / "supply"))
    assert again.exit_code == 0, again.output
    assert "not imported again" in again.stderr and _imports(db_url) == 1
    assert "7 shipment" in again.output or "detain" in again.output  # still screened
    # The same path with a record changed is imported again; unchanged, it is not.
    package = tmp_path / "package"
    shutil.copytree(SAMPLE / "supply", package)
    assert _invoke("screen", str(package)).exit_code == 0 and _imports(db_url) == 2
    assert _invoke("screen", str(package)).exit_code == 0 and _imports(db_url) == 2
    txns = package / "transactions.csv"
    lines = txns.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("quantity")] = str(float(first[header.index("quantity")]) + 1)
    txns.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    changed = _invoke("screen", str(package))
    assert changed.exit_code == 0, changed.output
    assert "imported" in changed.stderr and _imports(db_url) == 3
