"""`flscreen case ...` and `flscreen audit verify` through the CLI, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from flscreen.cli.main import app
from flscreen.policy import decide, load_policy
from flscreen.policy.records import record_screening
from flscreen.store import open_store
from tests.policy.conftest import SHIPMENT, VERSIONS, path, source, trace, uflpa_hit

runner = CliRunner()


def _detained_case(db_url: str) -> str:
    policy = load_policy("uflpa")
    t = trace(path(source("list", "P-GIN", **uflpa_hit())))
    store = open_store(db_url)
    with store.begin() as conn:
        _, case = record_screening(
            conn,
            decide(t, SHIPMENT, policy, list_versions=VERSIONS),
            t,
            policy,
            actor="screener",
            run_id="r1",
        )
    store.dispose()
    assert case is not None
    return case.case_id


def test_case_workflow_end_to_end(cli_env: dict[str, str], tmp_path: Path) -> None:
    case_id = _detained_case(cli_env["FLSCREEN_DB_URL"])
    listed = runner.invoke(app, ["case", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout.splitlines()[0])["state"] == "open"

    moved = runner.invoke(
        app,
        [
            "case",
            "transition",
            case_id,
            "--to",
            "under_review",
            "--actor",
            "officer.lee",
            "--reason",
            "importer requested an exception",
        ],
    )
    assert moved.exit_code == 0 and "now under_review" in moved.stdout

    report = tmp_path / "isotope.pdf"
    report.write_bytes(b"%PDF-1.4 isotope")
    attached = runner.invoke(
        app,
        [
            "case",
            "attach",
            case_id,
            str(report),
            "--kind",
            "isotope_test",
            "--supplied-by",
            "Acme Imports",
            "--statement",
            "Cotton is Australian.",
        ],
    )
    assert attached.exit_code == 0, attached.output
    assert "rebuttal recorded" in attached.stdout
    stored = Path(cli_env["FLSCREEN_HOME"]) / "documents"
    assert len(list(stored.iterdir())) == 1

    # an exception under UFLPA without the officer's finding is refused, exit 2
    refused = runner.invoke(
        app,
        [
            "case", "transition", case_id, "--to", "exception_granted",
            "--actor", "officer.lee", "--reason", "evidence reviewed",
        ],
    )  # fmt: skip
    assert refused.exit_code == 2
    assert "exception finding" in refused.output and "Traceback" not in refused.output
    doc_id = json.loads(runner.invoke(app, ["case", "show", case_id, "--json"]).stdout)[
        "documents"
    ][0]["id"]
    finding = ["case", "finding", case_id, "--kind", "exception", "--actor", "officer.lee"]
    finding += ["--statement", "isotope tests and full records rebut it"]
    weak = runner.invoke(app, [*finding, "--document", str(doc_id)])
    assert weak.exit_code == 2 and "clear and convincing" in weak.output
    found = runner.invoke(app, [*finding, "--document", str(doc_id), "--clear-and-convincing"])
    assert found.exit_code == 0, found.output

    granted = runner.invoke(
        app,
        [
            "case", "transition", case_id, "--to", "exception_granted",
            "--actor", "officer.lee", "--reason", "exception granted on the finding",
        ],
    )  # fmt: skip
    assert granted.exit_code == 0, granted.output

    shown = runner.invoke(app, ["case", "show", case_id, "--json"])
    data = json.loads(shown.stdout)
    assert [h["to"] for h in data["history"]] == ["open", "under_review", "exception_granted"]
    assert data["history"][-1]["clear_and_convincing"] is True
    assert data["rebuttals"][0]["statement"] == "Cotton is Australian."
    assert data["reasons"][0]["code"] == "list_entity_upstream"

    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "intact: 7 record(s)" in ok.stdout


def test_audit_verify_names_the_tampered_record(cli_env: dict[str, str]) -> None:
    case_id = _detained_case(cli_env["FLSCREEN_DB_URL"])
    moved = runner.invoke(
        app,
        ["case", "transition", case_id, "--to", "excluded", "--actor", "o", "--reason", "listed"],
    )
    assert moved.exit_code == 0, moved.output
    engine = sa.create_engine(open_store(cli_env["FLSCREEN_DB_URL"]).engine.url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2"))
    engine.dispose()
    broken = runner.invoke(app, ["audit", "verify", "--json"])
    assert broken.exit_code == 1
    assert json.loads(broken.stdout)["broken"]["seq"] == 2


def test_bad_input_exits_2_with_a_message(cli_env: dict[str, str]) -> None:
    case_id = _detained_case(cli_env["FLSCREEN_DB_URL"])
    for args, says in [
        (["case", "show", "CASE-424242"], "no case"),
        (
            ["case", "transition", case_id, "--to", "shipped", "--actor", "o", "--reason", "r"],
            "unknown state",
        ),
        (
            [
                "case",
                "attach",
                case_id,
                "/nonexistent.pdf",
                "--kind",
                "invoice",
                "--supplied-by",
                "x",
            ],
            "file not found",
        ),
        (["case", "list", "--state", "pending"], "unknown state"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert says in result.output and "Traceback" not in result.output


def test_audit_verify_rehashes_stored_documents(cli_env: dict[str, str], tmp_path: Path) -> None:
    case_id = _detained_case(cli_env["FLSCREEN_DB_URL"])
    report = tmp_path / "audit.pdf"
    report.write_bytes(b"%PDF-1.4 social audit")
    attached = runner.invoke(
        app, ["case", "attach", case_id, str(report), "--kind", "audit", "--supplied-by", "x"]
    )
    assert attached.exit_code == 0, attached.output
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    (stored,) = (Path(cli_env["FLSCREEN_HOME"]) / "documents").iterdir()
    stored.write_bytes(b"%PDF-1.4 a different audit")
    altered = runner.invoke(app, ["audit", "verify", "--json"])
    assert altered.exit_code == 1
    data = json.loads(altered.stdout)
    assert data["broken"] is None and data["decisions"] == []
    assert "audit.pdf" in data["documents"][0]
    assert "altered" in data["documents"][0]
    stored.unlink()
    missing = runner.invoke(app, ["audit", "verify"])
    assert missing.exit_code == 1 and "missing" in missing.output


def test_audit_verify_catches_an_altered_stored_verdict(cli_env: dict[str, str]) -> None:
    """Rewriting a verdict in the screenings table (say detain -> clear) is caught:
    the audit record holds the digest of the verdict as decided."""
    _detained_case(cli_env["FLSCREEN_DB_URL"])
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    engine = sa.create_engine(open_store(cli_env["FLSCREEN_DB_URL"]).engine.url)
    with engine.begin() as conn:
        text = conn.execute(sa.text("SELECT verdict FROM screenings WHERE id = 1")).scalar_one()
        forged = text.replace('"verdict":"detain"', '"verdict":"clear"')
        assert forged != text
        conn.execute(
            sa.text("UPDATE screenings SET verdict = :v, outcome = 'clear' WHERE id = 1"),
            {"v": forged},
        )
    engine.dispose()
    result = runner.invoke(app, ["audit", "verify", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["broken"] is None  # the chain itself is intact ...
    assert "screening 1" in data["decisions"][0] and "verdict" in data["decisions"][0]


def test_attach_to_a_transaction_outside_any_case(cli_env: dict[str, str], tmp_path: Path) -> None:
    from tests.policy.conftest import add_transactions

    store = open_store(cli_env["FLSCREEN_DB_URL"])
    with store.begin() as conn:
        add_transactions(conn, "T-77")
    store.dispose()
    bl = tmp_path / "bl.pdf"
    bl.write_bytes(b"%PDF-1.4 bill of lading HLCU 1234")
    done = runner.invoke(
        app,
        ["case", "attach-transaction", "T-77", str(bl), "--kind", "bill_of_lading",
         "--supplied-by", "Hanoi Fabric Mill"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "T-77: attached bl.pdf (bill_of_lading)" in done.stdout
    unknown = runner.invoke(
        app,
        ["case", "attach-transaction", "T-78", str(bl), "--kind", "invoice", "--supplied-by", "x"],
    )
    assert unknown.exit_code == 2 and "no transaction 'T-78'" in unknown.output
    log = runner.invoke(app, ["audit", "log", "--subject", "T-77"])
    assert json.loads(log.stdout)["payload"]["kind"] == "bill_of_lading"


def test_case_show_json_is_the_api_answer(cli_env: dict[str, str]) -> None:
    """`case show --json` and `GET /cases/{id}` are one use case: the same fields, the same
    values (the stale-list warning and the audit sequence of each step included)."""
    from flscreen.services.cases import case_detail

    case_id = _detained_case(cli_env["FLSCREEN_DB_URL"])
    shown = json.loads(runner.invoke(app, ["case", "show", case_id, "--json"]).stdout)
    store = open_store(cli_env["FLSCREEN_DB_URL"])
    with store.connect() as conn:
        answered = json.loads(json.dumps(case_detail(conn, case_id).to_dict()))
    store.dispose()
    assert shown == answered
    assert {"held", "stale", "list_versions", "exception_rule"} <= shown.keys()
    assert shown["held"] is True and shown["history"][0]["audit_seq"] is not None
