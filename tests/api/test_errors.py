"""One table maps flscreen errors to HTTP statuses; every error body has one shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flscreen.api import Limits
from flscreen.errors import FlscreenError, InvalidInput, NotFound, Problem, StoreError
from flscreen.http.errors import error_body
from flscreen.store import open_store

from .seed import bearer, make_client


@pytest.mark.parametrize(
    ("exc", "status", "kind"),
    [
        (InvalidInput([Problem("f.csv", "bad", row=3, field="name")]), 422, "invalid_input"),
        (NotFound("no list 'x'"), 404, "not_found"),
        (StoreError("database down"), 503, "store_unavailable"),
        # The root type is a client error, not a crash.
        (FlscreenError("something refused"), 400, "error"),
    ],
)
def test_error_table(exc: FlscreenError, status: int, kind: str) -> None:
    got_status, body = error_body(exc)
    assert (got_status, body["error"]) == (status, kind)
    assert set(body) == {"error", "message", "problems"}


def test_invalid_input_lists_every_problem_with_its_place() -> None:
    exc = InvalidInput(
        [Problem("body", "missing required value", row=2, field="name"), Problem("x", "y")]
    )
    _, body = error_body(exc)
    assert body["problems"] == [
        {"source": "body", "row": 2, "field": "name", "message": "missing required value"},
        {"source": "x", "row": None, "field": None, "message": "y"},
    ]


def test_bad_json_is_422_naming_where_it_breaks(client: TestClient) -> None:
    r = client.post(
        "/match",
        content=b'{"records": [{"name": "x"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid_input"
    assert "not valid JSON" in body["problems"][0]["message"]
    assert "line 1" in body["problems"][0]["message"]


def test_validation_names_the_record_and_field(client: TestClient) -> None:
    r = client.post(
        "/match",
        json={"records": [{"id": "a", "name": "Acme"}, {"id": "b"}, {"id": "c", "name": "  "}]},
    )
    assert r.status_code == 422
    problems = r.json()["problems"]
    # Both bad records reported at once, by their 1-based position.
    assert [(p["row"], p["field"]) for p in problems] == [(2, "name"), (3, "name")]


def test_wrong_types_in_a_typed_endpoint_are_422(client: TestClient) -> None:
    r = client.get("/lists/uflpa/entries", params={"limit": "many"})
    assert r.status_code == 422
    assert r.json()["problems"][0]["source"] == "query"
    assert r.json()["problems"][0]["field"] == "limit"


@pytest.mark.parametrize(
    "path", ["/lists/nope/versions", "/lists/nope/diff", "/lists/nope/entries", "/cases/CASE-9"]
)
def test_unknown_things_are_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    assert "nope" in r.json()["message"] or "CASE-9" in r.json()["message"]


def test_unknown_route_is_json_404(client: TestClient) -> None:
    r = client.get("/no/such/route")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"


def test_record_cap_and_body_cap(db_url: str, tmp_path: Path) -> None:
    limits = Limits(max_records=3, max_body_bytes=2000)
    with make_client(db_url, tmp_path, limits) as c:
        r = c.post("/locate", json=[{"address": f"addr {i}"} for i in range(4)])
        assert r.status_code == 422
        assert "at most 3" in r.json()["problems"][0]["message"]
        r = c.post("/locate", json=[{"address": "x" * 3000}])
        assert r.status_code == 413
        assert r.json()["error"] == "too_large"


def test_chunked_body_over_the_cap_is_refused(db_url: str, tmp_path: Path) -> None:
    """A body without Content-Length is counted as it streams."""
    limits = Limits(max_body_bytes=1000)

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b" " * 500

    with make_client(db_url, tmp_path, limits) as c:
        r = c.post("/locate", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413


def test_unreachable_database_is_503(tmp_path: Path) -> None:
    with make_client(f"sqlite:///{tmp_path / 'ok.db'}", tmp_path) as c:
        # Swap in a store whose server does not exist (nothing listens on port 1).
        dead = open_store("postgresql://nobody@127.0.0.1:1/none", migrate=False)
        c.app.state.flscreen.store = dead  # type: ignore[attr-defined]
        for path in ("/healthz", "/lists", "/cases"):
            r = c.get(path)
            assert r.status_code == 503, path
            assert r.json()["error"] == "store_unavailable"


def test_uploads_have_their_own_cap(db_url: str, tmp_path: Path) -> None:
    limits = Limits(max_body_bytes=500, max_upload_bytes=5000)
    csv = "id,name\n" + "".join(f"e{i},Example Trading Company {i}\n" for i in range(100))
    assert 500 < len(csv) < 5000
    with make_client(db_url, tmp_path, limits, who="admin") as c:
        # A list file over the JSON cap but under the upload cap is imported...
        r = c.post("/lists/own/import", files={"file": ("own.csv", csv.encode())})
        assert r.status_code == 200, r.text
        # ...a bigger one is refused before it is read, and so is a large JSON body.
        big = csv * 3
        r = c.post("/lists/own/import", files={"file": ("own.csv", big.encode())})
        assert r.status_code == 413
        r = c.post("/match", json=[{"name": "x" * 400}, {"name": "y" * 400}])
        assert r.status_code == 413


_PROBLEM_KEYS = {"source", "row", "field", "message"}


@pytest.mark.parametrize(
    ("path", "body", "media"),
    [
        ("/match", '{"records": [{"id": "1", "name": "Hoshine"}]}', "text/plain"),
        ("/match", "<records><record name='Hoshine'/></records>", "application/xml"),
        ("/locate", '{"address": "新疆阿克苏"}', "application/x-www-form-urlencoded"),
        ("/screen", '{"policy": "uflpa"}', "text/plain"),
        ("/judgements", '{"name": "x"}', "text/csv"),
        ("/policies/check", "name: uflpa", "application/json"),
    ],
)
def test_a_wrong_content_type_is_415_naming_what_the_endpoint_reads(
    listed: TestClient, path: str, body: str, media: str
) -> None:
    r = listed.post(path, content=body, headers={"Content-Type": media})
    assert r.status_code == 415, r.text
    data = r.json()
    assert data["error"] == "unsupported_media_type"
    (problem,) = data["problems"]
    assert set(problem) == _PROBLEM_KEYS and problem["field"] == "content-type"
    assert media in problem["message"]
    # What it does read: JSON here, or YAML for a policy file.
    assert ("yaml" if path == "/policies/check" else "application/json") in problem["message"]


def test_declared_content_types_are_read(listed: TestClient) -> None:
    as_csv = listed.post(
        "/match", content="id,name\n1,Hoshine Silicon\n", headers={"Content-Type": "text/csv"}
    )
    assert as_csv.status_code == 200 and as_csv.json()["results"][0]["id"] == "1"
    utf8 = listed.post(
        "/locate",
        content='{"address": "新疆阿克苏"}'.encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert utf8.status_code == 200
    spec = listed.get("/openapi.json").json()
    assert "text/csv" in spec["paths"]["/match"]["post"]["requestBody"]["content"]


def test_an_import_outcome_lists_problems_in_the_error_shape(client: TestClient) -> None:
    rows = "id,name,aliases,country,schema,programs\nsup-1,Acme,,cn,company,\nsup-9,,,cn,company,\n"
    admin = bearer(client, "admin")
    r = client.post("/lists/own/import", files={"file": ("own.csv", rows.encode())}, headers=admin)
    assert r.status_code == 200, r.text
    (problem,) = r.json()["problems"]
    assert set(problem) == _PROBLEM_KEYS and problem["row"] == 3
    assert r.json()["warnings"] == []
    refused = client.post(
        "/lists/other/import",
        params={"strict": True},
        files={"file": ("own.csv", rows.encode())},
        headers=admin,
    )
    assert refused.status_code == 422
    assert all(set(p) == _PROBLEM_KEYS for p in refused.json()["problems"])


def test_api_messages_name_api_fields_not_cli_flags(listed: TestClient) -> None:
    answers = [
        listed.post("/screen", json={"policy": "uflpa"}),  # no shipments yet
        listed.get("/lists/uflpa/diff", params={"from": 1, "to": 1}),
        listed.get("/cases", params={"state": "closed"}),
        listed.get("/cases/CASE-999999"),
        listed.get("/lists/nope/versions"),
        listed.post(
            "/lists/own/import",
            params={"strict": True},
            headers=bearer(listed, "admin"),
            files={
                "file": (
                    "own.csv",
                    b"id,name,aliases,country,schema,programs\nsup-9,,,cn,company,\n",
                )
            },
        ),
    ]
    for r in answers:
        assert 400 <= r.status_code < 500, r.text
        text = r.json()["message"] + " ".join(p["message"] for p in r.json()["problems"])
        assert "--" not in text, text  # no CLI flag (--state, --strict, --from)
    assert "strict" in answers[-1].json()["message"]
    assert answers[1].json()["problems"][0]["field"] == "from"
