"""The shipment page's flow chart: quantities and shares on the sales; inferred paths
(trade records, never declared) are never drawn or coloured as confirmed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from flscreen.cli.main import app as cli
from tests.api.seed import make_client

from .test_queue import api  # noqa: F401  (the screened sample package)

runner = CliRunner()


def _svg(html: str) -> str:
    start = html.index('<svg class="flowchart"')
    return html[start : html.index("</svg>", start)]


def test_shipment_page_draws_the_chain_with_quantities_and_shares(api: TestClient) -> None:  # noqa: F811
    html = api.get("/ui/shipments/S-1001").text
    svg = _svg(html)
    details = re.findall(r'<text class="edge-detail"[^>]*>([^<]*)</text>', svg)
    trace = api.get("/shipments/S-1001").json()["trace"]
    expected = set()
    for p in trace["paths"]:
        for s in p["steps"]:
            qty = f"{s['quantity']:,.0f} {s['unit']}"
            expected.add(f"{qty} · {s['share_of_input']:.0%}")
    assert expected and expected <= set(details), (expected, details)
    assert "60 t · 60%" in details  # Aksu Huafu's yarn: 60% of Hengda's input
    assert "120,000 pcs" in details  # the shipped goods themselves
    # The listed spinner's sale is on a confirmed path: red.
    assert 'class="edge tainted"' in svg
    assert "Aksu Huafu" in svg


def test_an_inferred_path_is_not_coloured_as_confirmed(
    cli_env: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    sample = Path(__file__).resolve().parents[2] / "src/flscreen/resources/sample/trade"
    assert runner.invoke(cli, ["supply", "import", str(sample / "package")]).exit_code == 0
    assert (
        runner.invoke(cli, ["trade", "import", str(sample / "bills_of_lading.csv")]).exit_code == 0
    )
    assert runner.invoke(cli, ["trade", "infer"]).exit_code == 0
    screened = runner.invoke(cli, ["screen", "-o", "-"])
    assert screened.exit_code == 0, screened.output
    with make_client(db_url, tmp_path) as c:
        detail = c.get("/shipments/S-HL-01").json()
        inferred = [p for p in detail["trace"]["paths"] if p["evidence"] == "inferred"]
        assert inferred and all(p["source"]["confidence"] == "confirmed" for p in inferred)
        html = c.get("/ui/shipments/S-HL-01").text
    found = re.findall(r'<article class="path (\w+)">\s*<h3>(.*?)</h3>', html, re.S)
    articles = [(colour, h) for colour, h in found if h.startswith("Path ")]  # not gaps
    assert len(articles) == len(detail["trace"]["paths"])
    for (colour, heading), p in zip(articles, detail["trace"]["paths"], strict=True):
        if p["evidence"] == "inferred":
            assert colour == "warn" and "inferred from trade records" in heading
    svg = _svg(html)
    assert 'class="edge tainted"' not in svg and 'class="node tainted"' not in svg
    assert json.dumps(detail["trace"]["tainted"]) == "false"


def test_paths_that_share_steps_list_them_once(api: TestClient) -> None:  # noqa: F811
    paths = api.get("/shipments/S-1001").json()["trace"]["paths"]
    first = paths[0]["steps"][0]["transaction_id"]  # the spinner's yarn to the mill
    assert sum(1 for p in paths if p["steps"][0]["transaction_id"] == first) > 3
    html = api.get("/ui/shipments/S-1001").text
    listed = html[html.index("<h2>Trace now") :]
    assert listed.count(f"<code>{first}</code>") == 1  # was once per path
    assert "Steps 1–2 as in path 1" in listed
    # Every transaction on a path is still listed, once.
    every = {s["transaction_id"] for p in paths for s in p["steps"]}
    assert all(listed.count(f"<code>{tx}</code>") >= 1 for tx in every)
    shared = api.get("/ui/shipments/S-1001.json").json()["trace"]["paths"]
    assert shared[0]["shared"] is None and shared[1]["shared"] == {"path": 1, "steps": 2}
