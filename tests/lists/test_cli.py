"""The `flscreen lists` CLI contract that users and later issues script against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flscreen.cli import lists_cmd
from flscreen.lists.samples import SAMPLE_DIR

runner = CliRunner()


@pytest.fixture
def app(cli_env: dict[str, str]) -> typer.Typer:
    root = typer.Typer()
    lists_cmd.register(root)
    root.command("noop")(lambda: None)  # keep "lists" a sub-command, as in the real app
    return root


def run(app: typer.Typer, *args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    # Rich wraps stderr at the terminal width; compare messages with spaces collapsed.
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


def test_import_show_entries_unchanged(app: typer.Typer) -> None:
    page = str(SAMPLE_DIR / "uflpa_entity_list.html")
    code, out, _ = run(app, "lists", "import", page, "--list", "uflpa")
    assert code == 0 and "uflpa: version 1 created (21 entries" in out
    code, out, _ = run(app, "lists", "import", page, "--list", "uflpa")
    assert code == 0 and out.strip() == "uflpa: unchanged (same content as version 1)"
    code, out, _ = run(app, "lists", "show")
    assert code == 0 and "uflpa_entity_list.html" in out and "uflpa-html" in out
    code, out, _ = run(app, "lists", "show", "--json")
    shown = json.loads(out)["lists"]
    assert shown[0]["list"] == "uflpa" and shown[0]["versions"][0]["entries"] == 21
    code, out, _ = run(app, "lists", "entries", "uflpa", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 21 and rows[0]["list"] == "uflpa" and rows[0]["version"] == 1
    assert any(r["name"] == "Xinjiang Goens Energy Technology Co., Ltd." for r in rows)


def test_import_from_stdin_then_diff_json(app: typer.Typer) -> None:
    v1 = (
        b"id,name,country\n"
        b"x1,Hetian Taida Apparel Co. Ltd.,cn\n"
        b"x2,Hetian Haolin Hair Accessories Co. Ltd.,cn\n"
    )
    v2 = (
        b"id,name,country\n"
        b"x1,Hetian Taida Apparel Co.,cn\n"
        b"x3,Lop County Meixin Hair Products Co. Ltd.,cn\n"
    )
    assert run(app, "lists", "import", "-", "--list", "wro", stdin=v1)[0] == 0
    code, out, _ = run(app, "lists", "import", "-", "--list", "wro", "--format", "csv", stdin=v2)
    assert code == 0 and "version 2 created" in out
    code, out, _ = run(app, "lists", "diff", "wro", "--json")
    data = json.loads(out)
    assert set(data) == {"list", "from", "to", "added", "removed", "changed"}
    assert data["changed"][0]["entry_id"] == "x1"
    assert data["changed"][0]["fields"]["name"] == {
        "from": "Hetian Taida Apparel Co. Ltd.",
        "to": "Hetian Taida Apparel Co.",
    }
    code, out, _ = run(app, "lists", "diff", "wro", "--from", "1", "--to", "2")
    assert "1 added, 1 removed, 1 changed" in out


def test_bad_input_exits_2_with_one_message(app: typer.Typer, tmp_path: Path) -> None:
    code, _out, err = run(
        app,
        "lists",
        "import",
        str(SAMPLE_DIR / "ofac_sdn" / "sdn.csv"),
        "--list",
        "x",
        "--format",
        "ftm",
    )
    assert code == 2
    assert "looks like the OFAC SDN CSV" in err and "Traceback" not in err
    bad = tmp_path / "dups.csv"
    bad.write_text("id,name\n1,A Co\n1,B Co\n")
    code, _out, err = run(app, "lists", "import", str(bad), "--list", "x", "--strict")
    assert code == 2 and "row 3" in err
    code, _out, err = run(app, "lists", "entries", "nothing")
    assert code == 2 and "no list named 'nothing'" in err
    code, out, err = run(app, "lists", "import", str(bad), "--list", "x")
    assert code == 0 and "1 skipped" in out and "duplicate id" in err


def test_entries_table_is_capped_but_counts_all(app: typer.Typer) -> None:
    page = str(SAMPLE_DIR / "uflpa_entity_list.html")
    assert run(app, "lists", "import", page, "--list", "uflpa")[0] == 0
    code, out, _ = run(app, "lists", "entries", "uflpa", "--limit", "3")
    assert code == 0
    assert out.rstrip().endswith("21 entries (3 shown; --json or --limit for all)")


def test_update_with_a_config_of_local_urls(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(SAMPLE_DIR / "my_watchlist.csv", root / "watch.csv")
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = tmp_path / "lists.yml"
        url = f"http://127.0.0.1:{server.server_address[1]}/watch.csv"
        config.write_text(f"defaults: false\nlists:\n  watch: {{url: '{url}', format: csv}}\n")
        monkeypatch.setenv("FLSCREEN_LISTS_CONFIG", str(config))
        code, out, err = run(app, "lists", "update")
        assert code == 0 and "watch: version 1 created (4 entries" in out
        assert f"fetching watch from {url}" in err
        code, out, _ = run(app, "lists", "update", "--list", "watch")
        assert out.strip() == "watch: unchanged (same content as version 1)"
    finally:
        server.shutdown()
        server.server_close()
