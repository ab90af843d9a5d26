"""Every JSON answer is described in /openapi.json by a response model
(flscreen.api.answers), and the models describe the services' dicts without
reshaping them."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from flscreen.api import create_app
from flscreen.api.answers import ANSWER, Answer

NO_MODEL: dict[str, str] = {}
"""JSON routes without a model, each with why: none now. A route added without one
fails the test until it declares its model (or is listed here, with why)."""

PAGES = "pages"
"""A page's ``.json`` is its template's data (the API endpoint beside it is the contract)."""


def _json_answers(op: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        content.get("schema", {})
        for code, response in op["responses"].items()
        if code.startswith("2")
        for media, content in response.get("content", {}).items()
        if media == "application/json"
    ]


def test_every_json_route_declares_a_response_model() -> None:
    spec = create_app("sqlite://").openapi()
    bare = set()
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            answers = _json_answers(op)
            if not answers or PAGES in op.get("tags", ()):
                continue  # a file, an HTML page, a dossier; or a page's data
            if not any("$ref" in json.dumps(schema) for schema in answers):
                bare.add(f"{method.upper()} {path}")
    assert sorted(bare - NO_MODEL.keys()) == [], "declare response_model=answers.X"
    assert sorted(NO_MODEL.keys() - bare) == [], "modelled now: drop it from NO_MODEL"


def test_file_routes_say_their_media_type() -> None:
    spec = create_app("sqlite://").openapi()
    export = spec["paths"]["/ui/cases.csv"]["get"]["responses"]["200"]["content"]
    assert list(export) == ["text/csv; charset=utf-8"]


def test_an_answer_keeps_what_the_service_sent_and_adds_nothing() -> None:
    class Row(Answer):
        n: int | float
        note: str | None = None

    class Page(Answer):
        rows: list[Row]

    app = FastAPI()

    @app.get("/page", response_model=Page, **ANSWER)
    def page() -> dict[str, Any]:
        return {"rows": [{"n": 5, "later": [1]}, {"n": 0.5, "note": None}], "total": 2}

    # 5 stays 5 (not 5.0), an unnamed field reaches the client, an absent one is not added
    assert TestClient(app).get("/page").json() == {
        "rows": [{"n": 5, "later": [1]}, {"n": 0.5, "note": None}],
        "total": 2,
    }
    assert TestClient(app).get("/page").text.count("5.0") == 0
