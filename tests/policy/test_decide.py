"""decide(): each finding becomes a reason with evidence; the worst reason decides."""

from __future__ import annotations

import dataclasses
import json
import random

import pytest

from flscreen.model.trace import Gap, MassBalanceFinding
from flscreen.policy import decide, load_policy
from tests.policy.conftest import (
    CHAIN,
    NAMES,
    SHIPMENT,
    VERSIONS,
    path,
    source,
    trace,
    uflpa_hit,
)

UFLPA = load_policy("uflpa")
EU = load_policy("eu-flr")
UK = load_policy("uk-proposed")


def codes(verdict: object) -> list[str]:
    return [r.code for r in verdict.reasons]  # type: ignore[attr-defined]


def test_clean_trace_is_clear_and_says_what_was_checked() -> None:
    v = decide(trace(), SHIPMENT, UFLPA, list_versions=VERSIONS, party_names=NAMES)
    assert v.outcome == "clear"
    # the priority-sector note stays, and the 'nothing found' reason says against what
    assert codes(v) == ["no_taint_found", "priority_sector"]
    assert "2 list version(s)" in v.reasons[0].text
    assert v.list_versions["us_dhs_uflpa"]["version"] == 3
    assert (v.policy, v.policy_version) == ("uflpa", UFLPA.version)


@pytest.mark.parametrize(
    ("policy_name", "tainted_path", "expected_outcome", "expected_code"),
    [
        # Xinjiang ginner three steps up: the statute's geographic presumption
        ("uflpa", path(source("region", "P-GIN", status="xinjiang")), "detain", "region_xinjiang"),
        # signals disagree (Xinjiang phone, Jiangsu address): a person must look
        ("uflpa", path(source("region", "P-GIN", "possible")), "review", "region_conflict"),
        # UFLPA entity upstream, section (iv): presumption
        ("uflpa", path(source("list", "P-GIN", **uflpa_hit())), "detain", "list_entity_upstream"),
        # the manufacturer itself is listed: nothing left to trace
        (
            "uflpa",
            path(source("list", "P-GAR", **uflpa_hit("UFLPA 2(d)(2)(B)(i)")), steps=()),
            "exclude",
            "list_entity_direct",
        ),
        # a possible match is never cleared
        (
            "uflpa",
            path(source("list", "P-GIN", "possible", **uflpa_hit())),
            "review",
            "list_possible",
        ),
        # an SDN entry under an Iran programme is not a forced-labour presumption, but not clear
        (
            "uflpa",
            path(source("list", "P-GIN", list="us_ofac_sdn", entry_id="s1", programs=["IRAN"])),
            "review",
            "list_other_section",
        ),
        # a Xinjiang sanctions programme on the SDN list raises it
        (
            "uflpa",
            path(source("list", "P-GIN", list="us_ofac_sdn", entry_id="s2", programs=["GLOMAG"])),
            "detain",
            "list_entity_upstream",
        ),
        # a list the policy has never heard of
        (
            "uflpa",
            path(source("list", "P-GIN", list="acme_watch", entry_id="w1")),
            "review",
            "list_other",
        ),
        # a UFLPA entry with no section given cannot be placed: review
        (
            "uflpa",
            path(source("list", "P-GIN", list="us_dhs_uflpa", entry_id="u9")),
            "review",
            "list_section_unknown",
        ),
        # exactly 50%: OFAC's rule counts it ("50 percent or more") ...
        ("uflpa", path(source("ownership", "P-SPIN", share=50.0)), "detain", "ownership_listed"),
        # ... the UK's "more than 50%" does not, unless control is shown
        (
            "uk-proposed",
            path(source("ownership", "P-SPIN", share=50.0)),
            "review",
            "ownership_below_threshold",
        ),
        (
            "uk-proposed",
            path(source("ownership", "P-SPIN", share=30.0, control=True)),
            "detain",
            "ownership_listed",
        ),
        # 80% of a party that owns 60%: each hop passes the taint on (shares not multiplied)
        (
            "uflpa",
            path(source("ownership", "P-SPIN", chain=[{"share": 80.0}, {"share": 60.0}])),
            "detain",
            "ownership_listed",
        ),
        # an upstream hop of 40% does not pass it on
        (
            "uflpa",
            path(source("ownership", "P-SPIN", chain=[{"share": 40.0}, {"share": 60.0}])),
            "review",
            "ownership_below_threshold",
        ),
        # the tracing engine's shape: two listed owners of 30% each add up to 60%
        (
            "uk-proposed",
            path(
                source(
                    "ownership",
                    "P-SPIN",
                    aggregate_share=60.0,
                    owners=[{"share": 30.0, "control": False}, {"share": 30.0, "control": False}],
                    chain=[{"share": 30.0, "control": False}],
                )
            ),
            "detain",
            "ownership_listed",
        ),
        ("uflpa", path(source("xpcc", "P-GIN")), "detain", "xpcc"),
        ("uflpa", path(source("xpcc", "P-GAR"), steps=()), "exclude", "xpcc"),
        # the manufacturer itself is in Xinjiang
        ("uflpa", path(source("region", "P-GAR"), steps=()), "exclude", "region_xinjiang"),
        # the UK proposal detains for proof instead
        ("uk-proposed", path(source("region", "P-GAR"), steps=()), "detain", "region_xinjiang"),
    ],
)
def test_taint_sources_under_presumption(
    policy_name: str, tainted_path: object, expected_outcome: str, expected_code: str
) -> None:
    policy = load_policy(policy_name)
    v = decide(trace(tainted_path), SHIPMENT, policy, list_versions=VERSIONS, party_names=NAMES)  # type: ignore[arg-type]
    assert v.outcome == expected_outcome
    assert v.reasons[0].code == expected_code


def test_list_reason_cites_entry_version_date_path_and_documents() -> None:
    v = decide(
        trace(path(source("list", "P-GIN", **uflpa_hit("UFLPA 2(d)(2)(B)(iv)")), share=0.3)),
        SHIPMENT,
        UFLPA,
        list_versions=VERSIONS,
        party_names=NAMES,
    )
    ev = v.reasons[0].evidence
    assert ev["list"]["list"] == "us_dhs_uflpa"
    assert ev["list"]["list_version"] == 3
    assert ev["list"]["list_date"] == "2026-08-04T09:00:00Z"  # filled from the version used
    assert ev["list"]["entry_id"] == "uflpa-aksu-huafu"
    assert ev["transactions"] == ["T-3", "T-2", "T-1"]
    assert ev["documents"] == ["BL-3", "INV-2", "INV-3", "MC-1"]
    assert ev["path"][2]["supplier_name"] == "新疆阿克苏棉业有限公司"
    assert ev["share"] == 0.3
    text = v.reasons[0].text
    assert "新疆阿克苏棉业有限公司 (P-GIN)" in text and "3 steps upstream" in text
    assert "30.0% of the input" in text and "us_dhs_uflpa v3" in text


def test_list_cited_by_trace_but_not_passed_is_still_recorded() -> None:
    hit = uflpa_hit(list="cbp_wro", list_version=2, imported_at="2026-01-01")
    v = decide(trace(path(source("list", "P-GIN", **hit))), SHIPMENT, UFLPA, list_versions=VERSIONS)
    assert v.list_versions["cbp_wro"] == {"version": 2, "imported_at": "2026-01-01", "sha256": None}
    assert v.outcome == "detain"  # WRO rule has no sections: any entry counts


def test_gaps_and_mass_balance_route_to_review_with_evidence() -> None:
    gap = Gap(
        "P-SPIN", "cotton lint", "unknown_supplier", "lint bought from 'local trader'", CHAIN[1:2]
    )
    mb = MassBalanceFinding(
        "P-SPIN", "F-SPIN", "cotton lint", "2026-Q1", 5300.0, 5400.0, 0.85, 1052.9, "kg"
    )
    v = decide(trace(gaps=(gap,), mass_balance=(mb,)), SHIPMENT, UFLPA, party_names=NAMES)
    assert v.outcome == "review"
    assert codes(v)[:2] == ["mass_balance_shortfall", "supply_gap"]
    mb_reason = v.reasons[0]
    assert mb_reason.evidence["shortfall"] == 1052.9
    assert mb_reason.evidence["required_inputs"] == pytest.approx(5400 / 0.85)
    assert "unexplained" in mb_reason.text and "F-SPIN" in mb_reason.text
    assert v.reasons[1].evidence["transactions"] == ["T-2"]


def test_small_shortfall_within_tolerance_is_noted_not_routed() -> None:
    # 1% short against a 2% tolerance (weighing and moisture losses)
    mb = MassBalanceFinding(
        "P-SPIN", None, "cotton lint", "2026-Q1", 990.0, 850.0, 0.85, 10.0, "kg"
    )
    v = decide(trace(mass_balance=(mb,)), SHIPMENT, UFLPA)
    assert v.outcome == "clear"
    assert "mass_balance_within_tolerance" in codes(v)


def test_no_de_minimis_under_uflpa() -> None:
    v = decide(trace(path(source("region", "P-GIN"), share=0.001)), SHIPMENT, UFLPA)
    assert v.outcome == "detain"


@pytest.mark.parametrize(
    ("share", "confidence", "expected"),
    [
        (0.4, "confirmed", "detain"),  # 1.0 x 1.0 x 0.4 x 1.5 (apparel) = 0.6
        (0.1, "confirmed", "review"),  # 0.15: above review, below detain
        (0.001, "confirmed", "review"),  # tiny share ranks low but a known taint is not cleared
        (None, "confirmed", "detain"),  # unknown share counts as the whole product
        (0.05, "possible", "review"),  # possible: routed to review whatever the risk
        (1.0, "possible", "review"),  # ... even when it would score high if confirmed
    ],
)
def test_eu_risk_based_weighs_share(share: float | None, confidence: str, expected: str) -> None:
    v = decide(trace(path(source("region", "P-GIN", confidence), share=share)), SHIPMENT, EU)
    assert v.outcome == expected
    assert "risk" in v.reasons[0].evidence
    # only confirmed findings count towards the shipment's risk score
    assert (v.risk_score is not None) == (confidence == "confirmed")


def test_eu_outside_priority_sector_weighs_less() -> None:
    car_parts = dataclasses.replace(SHIPMENT, hs_code="8708.99")
    v = decide(trace(path(source("list", "P-GIN", **uflpa_hit()), share=0.25)), car_parts, EU)
    assert v.risk_score == pytest.approx(0.9 * 0.25)
    assert v.outcome == "review"
    v2 = decide(trace(path(source("list", "P-GIN", **uflpa_hit()), share=0.25)), SHIPMENT, EU)
    assert v2.outcome == "detain"  # x1.5 for apparel


def test_same_inputs_same_verdict_whatever_the_order() -> None:
    paths = [
        path(source("region", "P-GIN")),
        path(source("list", "P-SPIN", "possible", **uflpa_hit())),
        path(source("ownership", "P-MILL", share=70.0)),
        path(source("list", "P-GIN", list="us_ofac_sdn", entry_id="s1", programs=["IRAN"])),
    ]
    gaps = (Gap("P-MILL", "cotton yarn", "no_supplier", "no purchase recorded"),)
    first = decide(trace(*paths, gaps=gaps), SHIPMENT, UFLPA, list_versions=VERSIONS)
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(paths)
        again = decide(trace(*paths, gaps=gaps), SHIPMENT, UFLPA, list_versions=VERSIONS)
        assert json.dumps(again.to_dict()) == json.dumps(first.to_dict())
    # worst first
    assert [r.outcome for r in first.reasons][:2] == ["detain", "detain"]


def test_verdict_json_contract() -> None:
    v = decide(trace(path(source("region", "P-GIN"))), SHIPMENT, UFLPA, list_versions=VERSIONS)
    data = json.loads(json.dumps(v.to_dict()))
    assert {"shipment", "verdict", "reasons", "policy", "policy_version", "list_versions"} <= set(
        data
    )
    assert set(data["reasons"][0]) >= {"code", "text", "evidence"}
    assert type(v).from_dict(data) == v


def test_names_from_the_trace_steps_when_none_are_given() -> None:
    named = tuple(dataclasses.replace(s, supplier_name=NAMES[s.supplier_id]) for s in CHAIN)
    v = decide(trace(path(source("region", "P-GIN"), steps=named)), SHIPMENT, UFLPA)
    assert v.reasons[0].text.startswith("新疆阿克苏棉业有限公司 (P-GIN)")
    assert v.reasons[0].evidence["path"][0]["supplier_name"] == "Hanoi Fabric Mill"


def test_eu_large_shipments_weigh_more() -> None:
    car_parts = dataclasses.replace(SHIPMENT, hs_code="8708.99", value=50_000.0)
    big = dataclasses.replace(car_parts, value=2_500_000.0)
    t = trace(path(source("list", "P-GIN", **uflpa_hit()), share=0.3))
    small_v, big_v = decide(t, car_parts, EU), decide(t, big, EU)
    assert small_v.risk_score == pytest.approx(0.9 * 0.3)
    assert big_v.risk_score == pytest.approx(0.9 * 0.3 * 1.2)
    assert (small_v.outcome, big_v.outcome) == ("review", "detain")
    assert big_v.reasons[0].evidence["risk"]["volume_factor"] == 1.2


def test_evidence_citing_an_older_list_version_gets_that_versions_date() -> None:
    hit = uflpa_hit(list="us_dhs_uflpa", list_version=2)  # latest passed in is v3
    t = trace(path(source("list", "P-GIN", **hit)))
    undated = decide(t, SHIPMENT, UFLPA, list_versions=VERSIONS)
    assert undated.reasons[0].evidence["list"]["list_date"] is None  # not v3's date
    dated = decide(
        t,
        SHIPMENT,
        UFLPA,
        list_versions=VERSIONS,
        version_dates={("us_dhs_uflpa", 2): "2026-05-14T08:00:00Z"},
    )
    assert dated.reasons[0].evidence["list"]["list_date"] == "2026-05-14T08:00:00Z"
