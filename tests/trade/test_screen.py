"""Inferred trade edges in tracing, the policy and the dossier: their own kind, never proof."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flscreen.cli.main import app
from flscreen.model.trace import Step
from flscreen.policy import decide, load_policy
from flscreen.trace.inferred import mark_inferred
from tests.policy.conftest import CHAIN, NAMES, SHIPMENT, VERSIONS, path, source, trace, uflpa_hit

runner = CliRunner()
UFLPA = load_policy("uflpa")


def _inferred_chain() -> tuple[Step, ...]:
    # the ginner -> spinner hop read from bills of lading instead of declared
    *declared, last = CHAIN
    hop = dataclasses.replace(last, kind="inferred", documents=("BL:SGN1", "BL:SGN2"))
    return (*declared, hop)


@pytest.mark.parametrize(
    ("src", "declared_outcome"),
    [
        (source("region", "P-GIN", status="xinjiang"), "detain"),
        (source("list", "P-GIN", **uflpa_hit()), "detain"),
    ],
)
def test_an_inferred_path_routes_to_review_where_a_declared_one_detains(
    src: object, declared_outcome: str
) -> None:
    declared = decide(trace(path(src)), SHIPMENT, UFLPA, list_versions=VERSIONS)  # type: ignore[arg-type]
    assert declared.outcome == declared_outcome
    p = dataclasses.replace(path(src, steps=_inferred_chain()), evidence="inferred")  # type: ignore[arg-type]
    v = decide(trace(p), SHIPMENT, UFLPA, list_versions=VERSIONS, party_names=NAMES)
    assert v.outcome == "review"
    [reason] = [r for r in v.reasons if r.code.startswith("inferred_")]
    assert reason.outcome == "review"
    assert reason.evidence["evidence"] == "inferred"
    assert reason.evidence["bills_of_lading"] == ["BL:SGN1", "BL:SGN2"]
    assert "BL:SGN1, BL:SGN2" in reason.text and "not declared" in reason.text
    assert reason.evidence["path"][-1]["kind"] == "inferred"


def test_the_policy_may_route_inferred_paths_elsewhere_but_never_above_the_rule() -> None:
    p = dataclasses.replace(
        path(source("region", "P-GIN", status="xinjiang"), steps=_inferred_chain()),
        evidence="inferred",
    )
    hold = UFLPA.model_copy(
        update={"routing": UFLPA.routing.model_copy(update={"inferred": "detain"})}
    )
    assert decide(trace(p), SHIPMENT, hold, list_versions=VERSIONS).outcome == "detain"
    possible = dataclasses.replace(p, source=source("region", "P-GIN", "possible"))
    # a conflicting location routes to review; inferring the hop cannot raise that
    assert decide(trace(possible), SHIPMENT, hold, list_versions=VERSIONS).outcome == "review"


def _screen(trade_sample: Path, engine: str) -> dict[str, object]:
    assert runner.invoke(app, ["supply", "import", str(trade_sample / "package")]).exit_code == 0
    bills = str(trade_sample / "bills_of_lading.csv")
    assert runner.invoke(app, ["trade", "import", bills]).exit_code == 0
    assert runner.invoke(app, ["trade", "infer"]).exit_code == 0
    result = runner.invoke(app, ["screen", "--engine", engine, "-o", "-"])
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.stdout.splitlines() if x.startswith("{")]
    data: dict[str, object] = json.loads(line)
    return data


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_screen_routes_the_omitted_xinjiang_tier_to_review_with_its_bills(
    cli_env: dict[str, str], trade_sample: Path, engine: str
) -> None:
    verdict = _screen(trade_sample, engine)
    assert verdict["verdict"] == "review"
    reasons = verdict["reasons"]
    assert isinstance(reasons, list)
    inferred = [r for r in reasons if r["code"] == "inferred_region_xinjiang"]
    bills = sorted(b for r in inferred for b in r["evidence"]["bills_of_lading"])
    three = ["BL:SGNHPH0260117", "BL:SGNHPH0260204", "BL:SGNHPH0260219"]
    if engine == "memory":
        # two inferred edges (January; February) from the Aksu spinner into the declared
        # spinner, each a path (the SQL engine reports one path per source and route)
        assert len(inferred) == 2 and bills == three
    else:
        assert inferred and set(bills) <= set(three)
    for r in inferred:
        assert r["outcome"] == "review"
        steps = r["evidence"]["path"]
        # KH-PPG <- VN-SWV <- VN-MPS declared, then the undeclared hop from Aksu
        assert [s["kind"] for s in steps] == ["documented", "documented", "inferred"]
        assert steps[-1]["buyer_id"] == "VN-MPS" and "AKSU" in steps[-1]["supplier_name"]
    # nothing is 'confirmed' or worse on inferred evidence alone
    assert {r["outcome"] for r in reasons} <= {"review", "clear"}
    # the entry's own bill (garment maker -> importer) is no new supply to balance
    assert "missing_conversion" not in json.dumps(reasons)
    # the undeclared Chinese firm's own upstream is no gap of the declaration
    assert not [r for r in reasons if r["code"] == "supply_gap" and "AKSU" in r["text"]]


def test_dossier_shows_the_bills_of_lading_behind_each_inferred_edge(
    cli_env: dict[str, str], trade_sample: Path, tmp_path: Path
) -> None:
    _screen(trade_sample, "memory")
    out = tmp_path / "d.html"
    result = runner.invoke(app, ["dossier", "S-HL-01", "-f", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "through supply inferred from trade records, not declared (3 bill(s) of lading)" in html
    assert "confirmed source(s)" not in html
    # each bill with what it says: shipper, consignee (or notify party), route, date, goods, weight
    assert (
        "BL:SGNHPH0260204 (bill of lading: Aksu Huafu Colour Spinning Co. Ltd. -&gt; TO ORDER, "
        "notify Minh Phat Spinning Co., Ltd., Qingdao -&gt; Cat Lai, arrived 2026-02-04"
    ) in html
    assert "41,200 kg" in html and "阿克苏华孚色纺有限公司" in html


def test_a_trace_without_inferred_steps_is_left_as_it_was() -> None:
    t = trace(path(source("region", "P-GIN", status="xinjiang")))
    assert mark_inferred(t) is t and t.tainted
