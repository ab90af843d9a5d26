"""An analyst's match judgement lands in the audit log through flscreen.audit.append."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from flscreen.cli.main import app

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample"
runner = CliRunner()


def test_judgement_is_audited(cli_env: dict[str, str]) -> None:
    lists = runner.invoke(
        app, ["lists", "import", str(SAMPLE / "lists" / "uflpa_entity_list.html"), "-l", "uflpa"]
    )
    assert lists.exit_code == 0, lists.output
    judged = runner.invoke(
        app,
        [
            "judge",
            "--name", "Aksu Huafu Colour Spinning",
            "--entry", "uflpa:uflpa-aksu-huafu-color-spinning-co-ltd",
            "--verdict", "match",
            "--by", "analyst.wu",
            "--reason", "same USCC on the mill certificate",
        ],
    )  # fmt: skip
    assert judged.exit_code == 0, judged.output
    log = runner.invoke(app, ["audit", "log", "--kind", "judgement"])
    (record,) = [json.loads(line) for line in log.stdout.splitlines()]
    assert record["actor"] == "analyst.wu"
    assert record["payload"]["entry_id"] == "uflpa-aksu-huafu-color-spinning-co-ltd"
    assert record["payload"]["verdict"] == "match"
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
