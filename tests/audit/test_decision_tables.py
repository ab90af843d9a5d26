"""`audit verify` checks every table the app reads as a decision against the audit log:
cases, case events, findings, rebuttals, documents, judgements, screenings and list
versions. Each tamper below is what an insider with database access might do; the
chain itself stays intact, so only the decision-table check can catch it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from flscreen import audit
from flscreen.cli.main import app
from flscreen.lists.service import import_list
from flscreen.matching.judgements import record_judgement
from flscreen.policy import cases, decide, load_policy
from flscreen.policy.records import record_screening
from flscreen.store import Store, open_store
from tests.policy.conftest import SHIPMENT, VERSIONS, path, source, trace, uflpa_hit

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample"
runner = CliRunner()


def _desk(store: Store, docs: Path) -> str:
    """One of everything: a list import, a judgement, a detained case worked to release."""
    import_list(store, SAMPLE / "lists" / "uflpa_entity_list.html", "uflpa", actor="officer.lee")
    docs.parent.mkdir(parents=True, exist_ok=True)
    evidence = docs.parent / "isotope.pdf"
    evidence.write_bytes(b"%PDF-1.4 O-18 profile: Fergana valley")
    policy = load_policy("uflpa")
    t = trace(path(source("list", "P-GIN", **uflpa_hit())))
    with store.begin() as conn:
        j = record_judgement(
            conn,
            query_name="Aksu Huafu Colour Spinning",
            list_name="uflpa",
            entry_id="uflpa-aksu-huafu-color-spinning-co-ltd",
            verdict="match",
            decided_by="analyst.wu",
            reason="same USCC on the mill certificate",
        )
        audit.append(conn, "judgement", j, j.decided_by, subject=j.party_key)
        _, case = record_screening(
            conn,
            decide(t, SHIPMENT, policy, list_versions=VERSIONS),
            t,
            policy,
            actor="screener",
            run_id="r1",
        )
        assert case is not None
        cases.assign(conn, case.case_id, "officer.lee", "supervisor", "desk rota")
        cases.transition(conn, case.case_id, "under_review", "officer.lee", "rebuttal received")
        (doc,) = cases.attach(
            conn,
            docs,
            [evidence],
            "isotope_test",
            "Acme Imports",
            case_ref=case.case_id,
            statement="The lint is Uzbek.",
        )
        cases.record_finding(
            conn, case.case_id, "applicability", "lint from Uzbekistan", [doc.id], "officer.lee"
        )
        cases.transition(conn, case.case_id, "released", "officer.lee", "not subject")
    return case.case_id


TAMPERS = [
    # (what an insider runs, what verify must name)
    ("UPDATE cases SET state = 'open'", "state is 'open', the audit log says 'released'"),
    ("UPDATE cases SET verdict = 'review'", "verdict is 'review'"),
    ("UPDATE cases SET assignee = 'mallory'", "assignee is 'mallory'"),
    ("UPDATE cases SET detained_at = NULL", "detained_at is None"),
    (
        "UPDATE case_events SET reason = 'looks fine' WHERE to_state = 'released'",
        "reason is 'looks fine'",
    ),
    ("UPDATE case_events SET actor = 'mallory' WHERE to_state = 'open'", "actor is 'mallory'"),
    (
        "INSERT INTO case_events (case_pk, from_state, to_state, actor, at, reason, "
        "clear_and_convincing, audit_seq, audit_hash) SELECT case_pk, from_state, to_state, "
        "actor, at, reason, clear_and_convincing, audit_seq, audit_hash FROM case_events "
        "WHERE to_state = 'released'",
        "which another row cites",
    ),
    ("UPDATE case_findings SET statement = 'nothing found'", "statement is 'nothing found'"),
    ("DELETE FROM case_findings", "logged a finding that is no longer stored"),
    ("UPDATE rebuttals SET statement = 'withdrawn'", "statement is 'withdrawn'"),
    ("UPDATE evidence_documents SET filename = 'forged.pdf'", "filename is 'forged.pdf'"),
    ("UPDATE evidence_documents SET sha256 = '" + "0" * 64 + "'", "sha256 is '0000"),
    ("UPDATE match_judgements SET decided_by = 'someone'", "decided_by is 'someone'"),
    ("UPDATE match_judgements SET verdict = 'no_match'", "verdict is 'no_match'"),
    ("DELETE FROM match_judgements", "no longer stored (deleted)"),
    (
        "INSERT INTO match_judgements (party_key, query_name, list_name, entry_id, verdict, "
        "decided_by, decided_at) VALUES ('k', 'Acme', 'uflpa', 'x', 'no_match', 'm', 'now')",
        "no audit record logged it",
    ),
    ("UPDATE screenings SET outcome = 'clear'", "outcome is 'clear'"),
    ("UPDATE screenings SET list_versions = '{}'", "list_versions is {}"),
    ("UPDATE list_versions SET entry_count = 1", "entry_count is 1"),
    ("UPDATE list_versions SET sha256 = 'ab'", "sha256 is 'ab'"),
    (
        "DELETE FROM list_version_entries WHERE entry_id = "
        "'uflpa-aksu-huafu-color-spinning-co-ltd'",
        "no longer add up to the digest",
    ),
    (
        "UPDATE list_entry_bodies SET body = body || ' ' WHERE content_hash = "
        "(SELECT MIN(content_hash) FROM list_entry_bodies)",
        "no longer match their content hash",
    ),
]


@pytest.mark.parametrize(("sql", "named"), TAMPERS, ids=[t[0][:48] for t in TAMPERS])
def test_every_decision_table_is_checked(
    store: Store, tmp_path: Path, sql: str, named: str
) -> None:
    _desk(store, tmp_path / "documents")
    with store.connect() as conn:
        clean = audit.verify_store(conn, tmp_path / "documents")
    assert clean["ok"], clean
    with store.begin() as conn:
        conn.execute(sa.text(sql))
    with store.connect() as conn:
        result = audit.verify_store(conn, tmp_path / "documents")
    assert result["broken"] is None  # the chain is untouched: only the tables changed
    assert not result["ok"]
    assert any(named in p for p in result["decisions"]), result["decisions"]


def test_cli_verify_no_longer_says_intact_after_a_release_is_forged(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    store = open_store(cli_env["FLSCREEN_DB_URL"])
    case_id = _desk(store, Path(cli_env["FLSCREEN_HOME"]) / "documents")
    with store.begin() as conn:
        # undo the release, then forge a different one without a record
        conn.execute(sa.text("UPDATE cases SET state = 'excluded'"))
    store.dispose()
    assert runner.invoke(app, ["case", "list", "--json"]).stdout.count('"excluded"') == 1
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "intact:" not in result.stdout
    assert f"case {case_id}: state is 'excluded'" in result.output
    data = json.loads(runner.invoke(app, ["audit", "verify", "--json"]).stdout)
    assert data["ok"] is False and data["broken"] is None and len(data["decisions"]) == 1


def test_list_imports_are_audited(store: Store) -> None:
    outcome = import_list(store, SAMPLE / "lists" / "uflpa_entity_list.html", "uflpa", actor="o")
    again = import_list(store, SAMPLE / "lists" / "uflpa_entity_list.html", "uflpa", actor="o")
    assert again.unchanged  # nothing new: nothing logged
    with store.connect() as conn:
        (rec,) = list(audit.iter_records(conn))
    assert rec.kind == "lists.import" and rec.actor == "o" and rec.subject == "list:uflpa"
    assert rec.data["version"] == 1 and rec.data["entry_count"] == outcome.entry_count
    assert rec.data["sha256"] == outcome.sha256
