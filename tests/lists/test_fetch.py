"""`lists update`: fetch configured URLs (a local server on 127.0.0.1, never the internet)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flscreen.errors import InvalidInput
from flscreen.lists.fetch import DEFAULT_SOURCES, FetchError, load_sources, update_lists
from flscreen.lists.samples import SAMPLE_DIR
from flscreen.lists.store import latest_versions
from flscreen.store import Store


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A folder of saved list copies served on 127.0.0.1 (any free port)."""
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(SAMPLE_DIR / "uflpa_entity_list.html", root / "uflpa-entity-list")
    for name in ("sdn.csv", "alt.csv", "add.csv"):
        shutil.copy(SAMPLE_DIR / "ofac_sdn" / name, root / name.upper())
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def _config(tmp_path: Path, base: str) -> Path:
    config = tmp_path / "lists.yml"
    config.write_text(
        "defaults: false\n"
        "lists:\n"
        f"  uflpa: {{url: '{base}/uflpa-entity-list', format: uflpa-html}}\n"
        "  ofac-sdn:\n"
        "    format: ofac-csv\n"
        "    files:\n"
        f"      sdn.csv: {base}/SDN.CSV\n"
        f"      alt.csv: {base}/ALT.CSV\n"
        f"      add.csv: {base}/ADD.CSV\n"
    )
    return config


def test_update_fetches_imports_and_then_reports_unchanged(
    store: Store, served: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = served
    sources = load_sources(_config(tmp_path, base))
    outcomes = list(update_lists(store, sources))
    assert [(o.list_name, o.version) for o in outcomes] == [("uflpa", 1), ("ofac-sdn", 1)]
    with store.connect() as conn:
        latest = latest_versions(conn)
    # The version records the URL and when it was retrieved.
    assert latest["uflpa"].source == f"{base}/uflpa-entity-list"
    assert latest["ofac-sdn"].source == f"{base}/SDN.CSV"
    assert latest["uflpa"].retrieved_at
    again = list(update_lists(store, sources, only="uflpa"))
    assert [o.unchanged for o in again] == [True]
    # The publisher changes the page: a new version.
    page = root / "uflpa-entity-list"
    page.write_text(
        page.read_text().replace(
            "Camel Group Co., Ltd.", "Camel Group Co., Ltd. (including one alias: Camel Group)"
        )
    )
    [changed] = list(update_lists(store, sources, only="uflpa"))
    assert changed.version == 2


def test_a_failed_download_does_not_stop_the_others(
    store: Store, served: tuple[str, Path], tmp_path: Path
) -> None:
    base, _root = served
    config = tmp_path / "lists.yml"
    config.write_text(
        "defaults: false\nlists:\n"
        f"  gone: {{url: '{base}/missing.csv', format: csv}}\n"
        f"  uflpa: {{url: '{base}/uflpa-entity-list', format: uflpa-html}}\n"
    )
    outcomes = []
    with pytest.raises(FetchError, match=r"gone: .*missing\.csv: HTTP 404"):
        for outcome in update_lists(store, load_sources(config)):
            outcomes.append(outcome)
    assert [o.list_name for o in outcomes] == ["uflpa"]


def test_sources_config_and_env_overrides(tmp_path: Path) -> None:
    assert set(load_sources()) == set(DEFAULT_SOURCES)
    env = {"FLSCREEN_LIST_URL_UK_SANCTIONS": "http://127.0.0.1:1/uk.csv"}
    assert load_sources(None, env)["uk-sanctions"].url == "http://127.0.0.1:1/uk.csv"
    config = tmp_path / "c.yml"
    config.write_text("lists:\n  uflpa: {url: 'http://127.0.0.1:1/page'}\n")
    sources = load_sources(config)
    # Overriding the URL keeps the default format and the other defaults.
    assert sources["uflpa"].format == "uflpa-html" and "eu-fsf" in sources
    config.write_text("lists:\n  mine: {url: 'http://127.0.0.1:1/x', format: ods}\n")
    with pytest.raises(InvalidInput, match="format 'ods'"):
        load_sources(config)
    with pytest.raises(InvalidInput, match="no configured source for list 'nope'"):
        list(update_lists(None, load_sources(), only="nope"))  # type: ignore[arg-type]
