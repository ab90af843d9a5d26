"""The root command imports a command's module only when that command runs."""

from __future__ import annotations

import importlib
import subprocess
import sys

import typer

from flscreen.cli import main


def test_command_map_names_what_each_module_registers() -> None:
    """Every module in COMMANDS registers exactly the commands the map gives it, and
    every command module is in the map (a new command must be added to COMMANDS)."""
    registered: dict[str, str] = {}
    for module_name in sorted(set(main.COMMANDS.values())):
        holder = typer.Typer()
        importlib.import_module(f"flscreen.cli.{module_name}").register(holder)
        for name in typer.main.get_group(holder).commands:
            registered[name] = module_name
    assert registered == main.COMMANDS


def test_match_does_not_import_other_commands() -> None:
    """`flscreen match --help` loads the matching command, not tracing, cases or the API."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from flscreen.cli.main import app\n"
        "r = CliRunner().invoke(app, ['match', '--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('flscreen.'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "flscreen.cli.match_cmd" in out
    for heavy in (
        "flscreen.cli.trace_cmd",
        "flscreen.cli.case_cmd",
        "flscreen.api.app",
        "flscreen.trace",
        "flscreen.policy",
    ):
        assert heavy not in out, heavy


def test_lists_import_still_saves_the_index(cli_env: dict[str, str]) -> None:
    """`flscreen lists import` in a fresh process (only `lists` loaded) still runs the
    hooks the match and screen commands register: the index is saved for the next match."""
    import os
    from pathlib import Path

    sample = Path(main.__file__).parents[1] / "resources" / "sample" / "lists"
    subprocess.run(
        [sys.executable, "-m", "flscreen.cli.main", "lists", "import",
         str(sample / "uflpa_entity_list.html"), "--list", "uflpa"],
        env={**os.environ, **cli_env},
        capture_output=True,
        check=True,
    )  # fmt: skip
    index = Path(cli_env["FLSCREEN_HOME"]) / "index"
    assert [p for p in index.iterdir() if (p / "meta.json").exists()]
