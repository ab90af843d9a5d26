"""Held goods leave detention only by a recorded finding with its evidence: every pair
of states under every policy, and the finding must postdate the verdict it answers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from flscreen.errors import InvalidInput
from flscreen.policy import cases, decide, load_policy
from flscreen.policy.records import record_screening
from flscreen.store import Store
from tests.policy.conftest import SHIPMENT, VERSIONS, path, source, trace, uflpa_hit

POLICIES = ("uflpa", "eu-flr", "uk-proposed")

# How to reach each state from a fresh case; "finding:<kind>" records that finding first.
REACH: dict[str, list[str]] = {
    "open": [],
    "awaiting_importer": ["awaiting_importer"],
    "under_review": ["under_review"],
    "excluded": ["excluded"],
    "released": ["under_review", "finding:applicability", "released"],
    "exception_granted": ["under_review", "finding:exception", "exception_granted"],
}
assert set(REACH) == set(cases.STATES)


def _case(store: Store, policy_name: str, n: int, confidence: str = "confirmed") -> cases.Case:
    policy = load_policy(policy_name)
    t = trace(path(source("list", "P-GIN", confidence, **uflpa_hit())))
    t = dataclasses.replace(t, shipment=f"ENT-{policy_name}-{n}")
    shipment = dataclasses.replace(SHIPMENT, shipment_id=t.shipment)
    verdict = decide(t, shipment, policy, list_versions=VERSIONS)
    with store.begin() as conn:
        _, case = record_screening(conn, verdict, t, policy, actor="screener", run_id=f"r{n}")
    assert case is not None
    return case


def _finding(store: Store, case: cases.Case, kind: str, doc: Path) -> None:
    with store.begin() as conn:
        (stored,) = cases.attach(
            conn, doc.parent / "docs", [doc], "isotope_test", "Acme", case_ref=case.case_id
        )
        cases.record_finding(
            conn,
            case.case_id,
            kind,
            "isotope profile and full records: lint from Uzbekistan",
            [stored.id],
            "officer",
            clear_and_convincing=kind == "exception",
        )


def _move(store: Store, case: cases.Case, to: str) -> cases.Case:
    with store.begin() as conn:
        return cases.transition(conn, case.case_id, to, "officer", f"to {to}")


@pytest.mark.parametrize("policy_name", POLICIES)
def test_every_pair_of_states_needs_its_finding(
    store: Store, policy_name: str, tmp_path: Path
) -> None:
    doc = tmp_path / "isotope.pdf"
    doc.write_bytes(b"%PDF-1.4 O-18 profile: Fergana valley")
    n = 0
    for start, steps in REACH.items():
        for target in cases.STATES:
            n += 1
            case = _case(store, policy_name, n)
            assert case.verdict in cases.HELD_VERDICTS and case.held, case.verdict
            for step in steps:
                if step.startswith("finding:"):
                    _finding(store, case, step.removeprefix("finding:"), doc)
                else:
                    case = _move(store, case, step)
            assert case.state == start
            legal = target in cases.TRANSITIONS[start]
            needs = cases.FINDING_FOR.get(target)
            label = f"{policy_name}: {start} -> {target}"
            if not legal or needs is not None:
                with pytest.raises(InvalidInput):
                    _move(store, case, target)
                with store.connect() as conn:
                    assert cases.get_case(conn, case.case_id).state == start, label
            if legal and needs is not None:
                _finding(store, case, needs, doc)
            if legal:
                assert _move(store, case, target).state == target, label


def test_release_straight_from_open_with_nothing_is_refused(store: Store) -> None:
    case = _case(store, "uflpa", 1)
    with pytest.raises(InvalidInput, match="applicability finding") as info, store.begin() as c:
        cases.transition(c, case.case_id, "released", "officer", "looks fine")
    assert info.value.problems[0].field == "finding"


def test_applicability_finding_needs_documents_of_this_case(store: Store, tmp_path: Path) -> None:
    case = _case(store, "uflpa", 1)
    other = _case(store, "uflpa", 2)
    doc = tmp_path / "bl.pdf"
    doc.write_bytes(b"%PDF-1.4 bill of lading")
    with store.begin() as conn:
        (foreign,) = cases.attach(
            conn, tmp_path / "d", [doc], "bill_of_lading", "Acme", case_ref=other.case_id
        )
    for cited, message in (([], "must cite the documents"), ([foreign.id], "not attached")):
        with pytest.raises(InvalidInput, match=message), store.begin() as conn:
            cases.record_finding(conn, case.case_id, "applicability", "no XUAR input", cited, "o")
    with pytest.raises(InvalidInput, match="exception only"), store.begin() as conn:
        cases.record_finding(
            conn, other.case_id, "applicability", "x", [foreign.id], "o", clear_and_convincing=True
        )


def test_a_new_verdict_needs_a_fresh_finding(store: Store, tmp_path: Path) -> None:
    policy = load_policy("uflpa")
    case = _case(store, "uflpa", 1)
    doc = tmp_path / "a.pdf"
    doc.write_bytes(b"%PDF-1.4 audit")
    _finding(store, case, "applicability", doc)
    # a re-screen changes the verdict (here: exclude) after the finding was made
    t = dataclasses.replace(
        trace(path(source("list", "P-GIN", **uflpa_hit()), steps=())), shipment=case.shipment_id
    )
    shipment = dataclasses.replace(SHIPMENT, shipment_id=case.shipment_id, manufacturer_id="P-GIN")
    verdict = decide(t, shipment, policy, list_versions=VERSIONS)
    with store.begin() as conn:
        record_screening(conn, verdict, t, policy, actor="screener", run_id="r2")
        changed = cases.get_case(conn, case.case_id)
    assert changed.verdict != case.verdict
    with pytest.raises(InvalidInput, match="applicability finding"):
        _move(store, case, "released")
    _finding(store, case, "applicability", doc)
    assert _move(store, case, "released").state == "released"


def test_a_review_case_may_be_released_with_a_reason(store: Store) -> None:
    case = _case(store, "uflpa", 1, confidence="possible")
    assert case.verdict == "review" and not case.held
    assert _move(store, case, "released").state == "released"
    other = _case(store, "uflpa", 2, confidence="possible")
    with pytest.raises(InvalidInput, match="exception finding"):
        _move(store, _move(store, other, "under_review"), "exception_granted")


def test_work_queue_puts_overdue_detentions_first(store: Store) -> None:
    from datetime import UTC, datetime

    held = _case(store, "uflpa", 1)
    review = _case(store, "uflpa", 2, confidence="possible")
    with store.begin() as conn:
        cases.assign(conn, review.case_id, "officer.ng", "supervisor")
        early = cases.work_queue(conn, now=datetime.now(UTC))
        late = cases.work_queue(conn, now=datetime(2099, 1, 1, tzinfo=UTC))
    assert {r["case"] for r in early} == {held.case_id, review.case_id}
    assert not any(r["overdue"] for r in early)
    first = late[0]
    assert first["case"] == held.case_id and first["overdue"] and first["limit_days"] == 30
    assert late[1]["detained_days"] is None and late[1]["assignee"] == "officer.ng"
