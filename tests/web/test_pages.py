"""The analyst pages: each renders the facts an officer needs, and its .json is the same data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from flscreen.store import Store
from flscreen.web.pages import markdown_lite
from tests.api.seed import SAMPLE_SUPPLY, bearer, make_client, seed_lists, seed_supply


def sign_in(c: TestClient, username: str) -> str:
    """Sign in through the login form as a browser does; the page's CSRF token."""
    r = c.post(
        "/ui/login",
        data={"username": username, "password": f"{username}-password", "next": "/ui/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/ui/").text)
    assert token is not None
    return token.group(1)


@pytest.fixture
def web(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """An officer's browser: signed in with the session cookie, no API token."""
    seed_lists(store)
    seed_supply(store)
    with make_client(db_url, tmp_path, who=None) as c:
        r = c.post("/screen", json={"policy": "uflpa"}, headers=bearer(c, "officer"))
        assert r.status_code == 200
        c.csrf = sign_in(c, "officer.li")  # type: ignore[attr-defined]
        yield c


def form(c: TestClient, **fields: str) -> dict[str, str]:
    """Form fields with the session's CSRF token, as the pages' forms carry it."""
    return {"csrf_token": c.csrf, **fields}  # type: ignore[attr-defined]


def _text(html: str) -> str:
    """Visible text, tags dropped, whitespace squeezed: what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_page_renders_and_its_json_matches(web: TestClient) -> None:
    pages = [
        "/ui/",
        "/ui/screen?name=Hoshine+Silicon",
        "/ui/locate?address=新疆阿克苏",
        "/ui/lists",
        "/ui/lists/uflpa",
        "/ui/shipments",
        "/ui/shipments/S-1001",
        "/ui/cases",
        "/ui/cases/CASE-000001",
        "/ui/audit",
        "/ui/api",
    ]
    for url in pages:
        page = web.get(url)
        assert page.status_code == 200, url
        assert page.headers["content-type"].startswith("text/html")
        assert "/ui/static/style.css" in page.text  # bundled CSS, no CDN
        assert "http://" not in page.text and "https://" not in page.text, url
        # The page links its own JSON twin, which answers with the same service data.
        link = re.search(r'href="([^"]+\.json[^"]*)"', page.text)
        assert link is not None, url
        data = web.get(link.group(1).replace("&amp;", "&"))
        assert data.status_code == 200 and isinstance(data.json(), dict), url
    assert web.get("/ui/static/style.css").status_code == 200


def test_screen_page_shows_hits_features_and_list_versions(web: TestClient) -> None:
    html = web.get("/ui/screen", params={"name": "新疆中泰化学股份有限公司"}).text
    text = _text(html)
    assert "match" in text
    assert "Xinjiang Zhongtai Chemical" in text
    assert "my-watchlist v1" in text  # the list and version each hit comes from
    assert "name_literal" in text  # the features that explain the score
    data = web.get("/ui/screen.json", params={"name": "新疆中泰化学股份有限公司"}).json()
    assert data["result"]["match"] is True
    assert data["result"]["hits"][0]["list_version"] == 1
    # A blank form is just the form.
    assert web.get("/ui/screen.json").json()["result"] is None


def test_locate_page_lists_signals(web: TestClient) -> None:
    params = {"address": "No. 88 Urumqi Middle Road, Jing'an District, Shanghai"}
    text = _text(web.get("/ui/locate", params=params).text)
    assert "elsewhere" in text
    assert "not evidence of location" in text  # the street-name trap, explained


def test_list_and_diff_pages(web: TestClient) -> None:
    text = _text(web.get("/ui/lists/uflpa").text)
    assert "Hoshine Silicon Industry" in text and "v1" in text
    csv = "id,name,country,schema\nn-1,New Listed Textile Co.,cn,company\n"
    r = web.post(
        "/lists/uflpa/import",
        files={"file": ("more.csv", csv.encode())},
        headers=bearer(web, "admin"),
    )
    assert r.status_code == 200, r.text
    diff = web.get("/ui/lists/uflpa/diff.json").json()
    assert (diff["from"], diff["to"]) == (1, 2)
    assert [e["entry_id"] for e in diff["added"]] == ["n-1"]
    text = _text(web.get("/ui/lists/uflpa/diff").text)
    assert "1 added" in text and "New Listed Textile Co." in text


def test_shipment_page_shows_verdict_paths_and_dossier_links(web: TestClient) -> None:
    html = web.get("/ui/shipments/S-1001").text
    text = _text(html)
    assert "detain" in text
    assert "Aksu Huafu Color Spinning" in text
    assert "T-A05" in text and "D-A05-INV" in text  # steps cite transactions and documents
    assert 'href="/shipments/S-1001/dossier?format=pdf"' in html
    assert 'href="/shipments/S-1001/dossier?format=html"' in html
    shipments = _text(web.get("/ui/shipments").text)
    assert "S-2001" in shipments and "solar module" in shipments


def test_case_page_form_moves_the_case(web: TestClient) -> None:
    page = web.get("/ui/cases/CASE-000001").text
    assert 'action="/ui/cases/CASE-000001/transition"' in page
    r = web.post(
        "/ui/cases/CASE-000001/transition",
        data=form(web, to="awaiting_importer", reason="asked for invoices"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    text = _text(web.get("/ui/cases/CASE-000001").text)
    assert "awaiting importer" in text and "asked for invoices" in text
    assert "officer.li" in text  # the actor is who signed in, not a form field
    # A refused move is shown with the reason, not a traceback.
    r = web.post("/ui/cases/CASE-000001/transition", data=form(web, to="released", reason="x"))
    assert r.status_code == 422 and "released" in r.text


def test_cross_site_form_post_is_refused(web: TestClient) -> None:
    r = web.post(
        "/ui/cases/CASE-000001/transition",
        data=form(web, to="awaiting_importer", reason="y"),
        headers={"origin": "http://evil.example"},
    )
    assert r.status_code == 403 and "cross-site request refused" in r.text
    # Without the page's CSRF token the same-site post is refused too.
    r = web.post(
        "/ui/cases/CASE-000001/transition", data={"to": "awaiting_importer", "reason": "y"}
    )
    assert r.status_code == 403 and "CSRF token" in r.text
    assert web.get("/ui/cases/CASE-000001.json").json()["state"] == "open"


def test_names_are_escaped(web: TestClient) -> None:
    html = web.get("/ui/screen", params={"name": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_missing_things_render_an_html_404(web: TestClient) -> None:
    r = web.get("/ui/shipments/NOPE")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "NOPE" in r.text
    assert web.get("/ui/lists/nope.json").status_code == 404
    assert web.get("/ui/lists/nope.json").json()["error"] == "not_found"


def test_judgement_buttons_change_the_next_screen(web: TestClient) -> None:
    name = "Xinjiang Zhongtai Chemical Company"
    data = web.get("/ui/screen.json", params={"name": name}).json()
    hit = data["result"]["hits"][0]
    page = web.get("/ui/screen", params={"name": name}).text
    assert 'action="/ui/judge"' in page and 'value="no-match"' in page
    r = web.post(
        "/ui/judge",
        data=form(
            web,
            name=name,
            list=hit["list"],
            entry_id=hit["entry_id"],
            verdict="no-match",
            reason="registry shows a different company",
            back=f"/ui/screen?name={name}",
        ),
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/screen?")
    again = web.get("/ui/screen.json", params={"name": name}).json()["result"]
    assert (hit["list"], hit["entry_id"]) in {
        (h["list"], h["entry_id"]) for h in again["suppressed"]
    }
    # The judgement is in the audit trail by who signed in, and the trail still verifies.
    assert web.get("/audit/verify").json()["ok"] is True
    log = web.get("/audit/log", params={"kind": "judgement"}).json()["records"]
    assert log[0]["actor"] == "officer.li"
    # A judgement without a verdict is refused with the reason.
    r = web.post(
        "/ui/judge",
        data=form(web, name=name, list=hit["list"], entry_id=hit["entry_id"], verdict=""),
    )
    assert r.status_code == 422 and "expected match or no-match" in r.text


def test_case_page_upload_and_list_import_forms(web: TestClient) -> None:
    r = web.post(
        "/ui/cases/CASE-000001/documents",
        data=form(web, kind="mill_certificate", statement="Lint is US."),
        files=[("file", ("cert.txt", b"mill certificate 42"))],
        follow_redirects=False,
    )
    assert r.status_code == 303
    text = _text(web.get("/ui/cases/CASE-000001").text)
    assert "Lint is US." in text and "cert.txt" in text

    csv = "id,name,country,schema\nw-1,Shanghai Example Trading Co.,cn,company\n"
    # Importing lists is the admin's: the officer's form post is refused...
    r = web.post(
        "/ui/lists/import",
        data=form(web, list="watch", format=""),
        files={"file": ("watch.csv", csv.encode())},
    )
    assert r.status_code == 403 and "lists.import" in r.text
    web.csrf = sign_in(web, "admin")  # type: ignore[attr-defined]
    r = web.post(
        "/ui/lists/import",
        data=form(web, list="watch", format=""),
        files={"file": ("watch.csv", csv.encode())},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/ui/lists/watch"
    assert "Shanghai Example Trading Co." in _text(web.get("/ui/lists/watch").text)
    r = web.post("/ui/lists/import", data=form(web, list="watch"), files={"file": ("", b"")})
    assert r.status_code == 422


def test_audit_page_shows_the_chain_and_a_break(web: TestClient, store: Store) -> None:
    text = _text(web.get("/ui/audit").text)
    assert "Chain intact" in text and "screening" in text
    only = web.get("/ui/audit.json", params={"subject": "CASE-000001"}).json()
    assert only["records"] and {r["subject"] for r in only["records"]} == {"CASE-000001"}
    with store.begin() as conn:  # delete one record, as an insider might
        conn.execute(sa.text("DELETE FROM audit_log WHERE seq = 3"))
    text = _text(web.get("/ui/audit").text)
    assert "Chain broken at record" in text


def test_api_page_documents_every_endpoint_offline(web: TestClient) -> None:
    data = web.get("/ui/api.json").json()
    paths = {(e["method"], e["path"]) for e in data["endpoints"]}
    assert {("POST", "/match"), ("POST", "/lists/{name}/import"), ("GET", "/audit/verify")} <= paths
    match = next(e for e in data["endpoints"] if e["path"] == "/match")
    assert "1,000 records" in match["description"]  # the docstring is the documentation
    assert "/ui/" not in {e["path"][:4] for e in data["endpoints"]}  # pages are not the API


def test_package_upload_form(store: Store, db_url: str, tmp_path: Path) -> None:
    seed_lists(store)
    with make_client(db_url, tmp_path) as c:
        assert 'action="/ui/shipments/import' in c.get("/ui/shipments").text
        files = [("file", (p.name, p.read_bytes())) for p in sorted(SAMPLE_SUPPLY.glob("*.csv"))]
        r = c.post("/ui/shipments/import?screen=uflpa", files=files, follow_redirects=False)
        assert r.status_code == 303
        data = c.get("/ui/shipments.json").json()
        assert data["by_verdict"] == {"clear": 1, "detain": 3, "review": 3}
        bad = [("file", ("shipments.csv", b"shipment_id,importer_id\nS-9,NOBODY\n"))]
        r = c.post("/ui/shipments/import", files=bad)
        assert r.status_code == 422 and "shipments.csv" in r.text


def test_supplier_file_page(web: TestClient) -> None:
    assert 'action="/ui/batch"' in web.get("/ui/batch").text
    csv = (
        "id,name,country\n"
        "s1,新疆中泰化学股份有限公司,CN\n"
        "s2,Saigon Garment Export JSC,VN\n"
        "s3,Zhongtai Securities Co. Ltd,CN\n"
    )
    r = web.post("/ui/batch", data=form(web), files={"file": ("suppliers.csv", csv.encode())})
    assert r.status_code == 200
    text = _text(r.text)
    assert "suppliers.csv: 1 of 3 matched" in text
    assert "Xinjiang Zhongtai Chemical" in text
    # A file with a row missing its name: refused with the file and line.
    r = web.post("/ui/batch", data=form(web), files={"file": ("bad.csv", b"id,name\nx,\n")})
    assert r.status_code == 422 and "bad.csv, row 2" in _text(r.text)
    # A file with a header and no supplier: refused, not a server error.
    r = web.post("/ui/batch", data=form(web), files={"file": ("none.csv", b"id,name\n")})
    assert r.status_code == 422 and "no suppliers" in _text(r.text)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Send `text/csv`.", "<p>Send <code>text/csv</code>.</p>"),
        # Markup in a docstring is shown, never run.
        ("a <script> b", "<p>a &lt;script&gt; b</p>"),
        (
            "* **lists**: one\n  two\n* cases",
            "<ul><li><strong>lists</strong>: one two</li><li>cases</li></ul>",
        ),
        ("first\nline\n\nsecond", "<p>first line</p><p>second</p>"),
    ],
)
def test_markdown_lite(text: str, html: str) -> None:
    assert str(markdown_lite(text)) == html


def test_home_tallies(web: TestClient) -> None:
    home = web.get("/ui/index.json").json()
    # The sample package: three detained and three for review open a case each.
    assert home["cases"] == {"total": 6, "by_state": {"open": 6}}
    assert home["shipments"] == {
        "total": 7,
        "by_verdict": {"clear": 1, "detain": 3, "review": 3},
    }
    assert {x["list"] for x in home["lists"]} == {"uflpa", "ofac-sdn", "my-watchlist"}


def test_unknown_page_is_html_and_unknown_api_route_is_json(web: TestClient) -> None:
    page = web.get("/ui/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text
    api = web.get("/no-such-endpoint")
    assert api.status_code == 404 and api.json()["error"] == "not_found"
    assert web.get("/ui/static/none.css").status_code == 404


def test_pages_carry_security_headers(web: TestClient) -> None:
    page = web.get("/ui/shipments")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in web.get("/shipments").headers  # the API's JSON
