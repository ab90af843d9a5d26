"""Cases open on review/detain verdicts, move only along allowed transitions, and keep
documents by sha256; everything lands in the audit log."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from flscreen import audit
from flscreen.errors import InvalidInput, NotFound
from flscreen.policy import cases, decide, load_policy
from flscreen.policy.records import latest_screening, record_screening
from flscreen.store import Store
from tests.policy.conftest import (
    SHIPMENT,
    VERSIONS,
    add_transactions,
    path,
    source,
    trace,
    uflpa_hit,
)

UFLPA = load_policy("uflpa")


def _screen(store: Store, tainted: bool = True, policy_name: str = "uflpa", shipment=SHIPMENT):  # type: ignore[no-untyped-def]
    policy = load_policy(policy_name)
    t = trace(path(source("list", "P-GIN", **uflpa_hit()))) if tainted else trace()
    t = dataclasses.replace(t, shipment=shipment.shipment_id)
    verdict = decide(t, shipment, policy, list_versions=VERSIONS)
    with store.begin() as conn:
        return record_screening(conn, verdict, t, policy, actor="screener", run_id="run-1")


@pytest.fixture
def evidence_files(tmp_path: Path) -> list[Path]:
    a = tmp_path / "isotope-report.pdf"
    a.write_bytes(b"%PDF-1.4 oxygen isotope test: origin consistent with Uzbekistan")
    b = tmp_path / "mill-cert.pdf"
    b.write_bytes(b"%PDF-1.4 mill certificate lot 2026-117")
    return [a, b]


def test_detain_opens_a_case_and_clear_does_not(store: Store) -> None:
    sid, case = _screen(store)
    assert case is not None and case.state == "open" and case.verdict == "detain"
    assert case.case_id == f"CASE-{case.pk:06d}"
    other = dataclasses.replace(SHIPMENT, shipment_id="ENT-CLEAN")
    _, none = _screen(store, tainted=False, shipment=other)
    assert none is None
    # a second screen of the same shipment joins the open case instead of opening another
    sid2, again = _screen(store)
    assert again is not None and again.case_id == case.case_id and sid2 != sid
    with store.connect() as conn:
        assert len(cases.list_cases(conn)) == 1
        stored = latest_screening(conn, SHIPMENT.shipment_id)
        assert stored.id == sid2 and stored.verdict.outcome == "detain"
        assert stored.trace["paths"][0]["source"]["party_id"] == "P-GIN"
        (event,) = cases.history(conn, case)
        assert (event.from_state, event.to_state, event.actor) == (None, "open", "screener")


def test_transitions_record_actor_time_reason(
    store: Store, evidence_files: list[Path], tmp_path: Path
) -> None:
    _, case = _screen(store)
    assert case is not None
    with store.begin() as conn:
        cases.transition(
            conn, case.case_id, "awaiting_importer", "officer.lee",
            "CF-28 request for supply-chain records sent", at="2026-06-01T10:00:00Z",
        )  # fmt: skip
        (doc,) = cases.attach(
            conn,
            tmp_path / "d",
            evidence_files[1:],
            "mill_certificate",
            "Acme",
            case_ref=case.case_id,
        )
        cases.transition(
            conn, case.case_id, "under_review", "officer.lee",
            "importer answered with mill certificates", at="2026-06-02T10:00:00Z",
        )  # fmt: skip
        cases.record_finding(
            conn, case.case_id, "applicability",
            "cotton traced to Uzbekistan, no XUAR input", [doc.id], "officer.lee",
        )  # fmt: skip
        cases.transition(
            conn, case.case_id, "released", "officer.lee",
            "applicability review: cotton traced to Uzbekistan, no XUAR input",
            at="2026-06-03T10:00:00Z",
        )  # fmt: skip
    with store.connect() as conn:
        final = cases.get_case(conn, str(case.pk))  # the number works as well as the id
        events = cases.history(conn, final)
        report = audit.verify(conn, cases.audit_anchors(conn))
        release = list(audit.iter_records(conn, subject=case.case_id))[-1]
    assert final.state == "released"
    assert [(e.from_state, e.to_state) for e in events] == [
        (None, "open"),
        ("open", "awaiting_importer"),
        ("awaiting_importer", "under_review"),
        ("under_review", "released"),
    ]
    assert events[3].reason.startswith("applicability review")
    assert events[3].at == "2026-06-03T10:00:00Z" and events[3].actor == "officer.lee"
    assert release.data["finding"] is not None  # the release names the finding it rests on
    # screening, open, two transitions, document, finding, release
    assert report.ok and report.records == 7


@pytest.mark.parametrize(
    ("path_", "to", "message"),
    [
        ([], "exception_granted", "cannot go from open to exception_granted"),
        (["excluded", "under_review", "excluded"], "released", "allowed: under_review"),
        (["awaiting_importer"], "released", "cannot go from awaiting_importer to released"),
        ([], "approved", "unknown state 'approved'"),
    ],
)
def test_forbidden_transitions_are_refused(
    store: Store, path_: list[str], to: str, message: str
) -> None:
    _, case = _screen(store)
    assert case is not None
    with store.begin() as conn:
        for state in path_:
            cases.transition(conn, case.case_id, state, "officer", "step")
    with pytest.raises(InvalidInput, match=message), store.begin() as conn:
        cases.transition(conn, case.case_id, to, "officer", "try")


def test_refusal_lists_every_problem_and_writes_nothing(store: Store) -> None:
    _, case = _screen(store)
    assert case is not None
    with store.begin() as conn:
        cases.transition(conn, case.case_id, "under_review", "officer", "rebuttal received")
    with pytest.raises(InvalidInput) as info, store.begin() as conn:
        cases.transition(conn, case.case_id, "exception_granted", " ", "")
    text = info.value.render()
    assert "'actor'" in text and "'reason'" in text and "exception finding" in text
    assert "--" not in text  # API and page users see field names, not CLI flags
    with pytest.raises(InvalidInput) as info, store.begin() as conn:
        cases.record_finding(conn, case.case_id, "exception", "", [99], "")
    text = info.value.render()
    assert "not attached to this case" in text and "clear and convincing" in text
    assert "'statement'" in text and "'actor'" in text
    with store.connect() as conn:
        assert cases.get_case(conn, case.case_id).state == "under_review"
        assert audit.verify(conn).records == 3


def test_uflpa_exception_needs_clear_and_convincing_finding(
    store: Store, evidence_files: list[Path], tmp_path: Path
) -> None:
    _, case = _screen(store)
    assert case is not None
    docs_dir = tmp_path / "home" / "documents"
    with store.begin() as conn:
        cases.transition(conn, case.case_id, "under_review", "officer", "exception requested")
        docs = cases.attach(
            conn,
            docs_dir,
            evidence_files,
            "isotope_test",
            "Acme Imports LLC",
            case_ref=case.case_id,
            statement="The lint is Uzbek; isotope tests and mill certificates attached.",
        )
    with pytest.raises(InvalidInput, match="exception finding"), store.begin() as conn:
        cases.transition(conn, case.case_id, "exception_granted", "officer", "evidence reviewed")
    ids = [d.id for d in docs]
    with pytest.raises(InvalidInput, match="clear and convincing"), store.begin() as conn:
        cases.record_finding(conn, case.case_id, "exception", "isotopes rebut it", ids, "officer")
    with store.begin() as conn:
        found = cases.record_finding(
            conn,
            case.case_id,
            "exception",
            "isotope results and complete records rebut the presumption",
            ids,
            "officer.lee",
            clear_and_convincing=True,
        )
        granted = cases.transition(
            conn, case.case_id, "exception_granted", "officer.lee", "exception granted"
        )
    with store.connect() as conn:
        last = cases.history(conn, granted)[-1]
        assert cases.findings_of_case(conn, granted) == [found]
    assert granted.state == "exception_granted" and last.clear_and_convincing


def test_uk_proposal_exception_needs_documents_but_no_finding_of_convincing(
    store: Store, evidence_files: list[Path], tmp_path: Path
) -> None:
    _, case = _screen(store, policy_name="uk-proposed")
    assert case is not None
    with store.begin() as conn:
        cases.transition(conn, case.case_id, "under_review", "officer", "proof requested")
        with pytest.raises(InvalidInput, match="must cite the documents"):
            cases.record_finding(conn, case.case_id, "exception", "proof given", [], "officer")
        (doc,) = cases.attach(
            conn, tmp_path / "d", evidence_files[:1], "audit", "Acme", case_ref="1"
        )
        cases.record_finding(conn, case.case_id, "exception", "proof given", [doc.id], "officer")
        done = cases.transition(conn, case.case_id, "exception_granted", "officer", "proof given")
    assert done.state == "exception_granted"


def test_documents_stored_once_by_sha256(
    store: Store, evidence_files: list[Path], tmp_path: Path
) -> None:
    _, case = _screen(store)
    assert case is not None
    docs_dir = tmp_path / "documents"
    with store.begin() as conn:
        add_transactions(conn, "T-3")
        first = cases.attach(
            conn, docs_dir, evidence_files, "mill_certificate", "Acme", case_ref=case.case_id
        )
        # the same invoice again, this time filed against a transaction
        second = cases.attach(
            conn, docs_dir, evidence_files[:1], "invoice", "Hanoi Fabric Mill", transaction_id="T-3"
        )
    assert second[0].sha256 == first[0].sha256
    stored = sorted(p.name for p in docs_dir.iterdir())
    assert stored == sorted({d.sha256 for d in first})
    assert (docs_dir / first[0].sha256).read_bytes() == evidence_files[0].read_bytes()
    with store.connect() as conn:
        on_case = cases.documents_of_case(conn, case)
        by_tx = cases.documents_of_transactions(conn, ["T-3", "T-9"])
    assert [d.kind for d in on_case] == ["mill_certificate", "mill_certificate"]
    assert [d.supplied_by for d in by_tx["T-3"]] == ["Hanoi Fabric Mill"]


def test_rebuttal_groups_documents_with_a_statement(
    store: Store, evidence_files: list[Path], tmp_path: Path
) -> None:
    _, case = _screen(store)
    assert case is not None
    with store.begin() as conn:
        cases.attach(
            conn,
            tmp_path / "d",
            evidence_files,
            "isotope_test",
            "Acme",
            case_ref=case.case_id,
            statement="Our spinner switched to Australian lint in January 2026.",
        )
    with store.connect() as conn:
        (rebuttal,) = cases.rebuttals_of_case(conn, case)
        kinds = [r.kind for r in audit.iter_records(conn, subject=case.case_id)]
    assert rebuttal.statement.startswith("Our spinner")
    assert {d.filename for d in rebuttal.documents} == {"isotope-report.pdf", "mill-cert.pdf"}
    assert kinds == ["case.open", "rebuttal", "document", "document"]


def test_bad_attachment_lists_every_problem_and_stores_nothing(
    store: Store, tmp_path: Path
) -> None:
    _, case = _screen(store)
    assert case is not None
    with pytest.raises(InvalidInput) as info, store.begin() as conn:
        cases.attach(
            conn,
            tmp_path / "d",
            [tmp_path / "nope.pdf"],
            "selfie",
            "",
            case_ref=case.case_id,
            statement=" ",
            transaction_id="T-404",
        )
    text = info.value.render()
    for bit in (
        "file not found",
        "unknown kind 'selfie'",
        "who supplied",
        "statement is empty",
        "no transaction 'T-404'",
    ):
        assert bit in text
    assert not (tmp_path / "d").exists()
    with store.connect() as conn, pytest.raises(NotFound):
        cases.get_case(conn, "CASE-999999")
    with store.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM evidence_documents")).scalar_one()
    assert n == 0


def test_stored_trace_is_the_trace_as_json() -> None:
    from flscreen.model.trace import Gap, MassBalanceFinding
    from flscreen.policy.records import trace_to_dict
    from tests.policy.conftest import CHAIN

    t = trace(
        path(source("list", "P-GIN", **uflpa_hit())),
        gaps=(Gap("P-MILL", "cotton yarn", "no_supplier", "none", CHAIN[:1]),),
        mass_balance=(MassBalanceFinding("P-SPIN", None, "yarn", "2026", 1, 2, 0.85, 1.4, "kg"),),
    )
    assert json.dumps(trace_to_dict(t), sort_keys=True) == json.dumps(t.to_dict(), sort_keys=True)


def test_a_changed_verdict_is_noted_on_the_open_case(store: Store) -> None:
    _, case = _screen(store)  # detain: case opened
    assert case is not None
    _, same = _screen(store, tainted=False)  # the listing was withdrawn: now clear
    assert same is not None and same.case_id == case.case_id
    with store.connect() as conn:
        events = cases.history(conn, same)
        now = cases.get_case(conn, case.case_id)
    assert now.state == "open" and now.verdict == "clear"
    assert (
        events[-1].reason.startswith("re-screened") and "now clear, was detain" in events[-1].reason
    )
    assert (events[-1].from_state, events[-1].to_state) == ("open", "open")
