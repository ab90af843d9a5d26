"""The saved, memory-mapped index: same answers as a fresh build, never stale."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flscreen.cli.main import app
from flscreen.matching import Matcher, Query, persist
from flscreen.matching.persist import index_key, load_matcher, prune, save_matcher
from flscreen.model.lists import ListEntry
from tests.matching.conftest import ENTRIES, UFLPA

runner = CliRunner()

QUERIES = [
    "Xinjiang Zhongtai Chemical Co., Ltd.",
    "新疆中泰化学股份有限公司",
    "Xinjiang Zhnogtai Chemcial Co Ltd",
    "Hailun Zhu",
    "XPCC",
    "Daqo",
    "Sunrise Trading Co",
    "Zhongtai Securities Co., Ltd.",
    "Hepian Jinxiu Carpet Industry Co., Ltd.",  # read against the saved words as written
]


def _answers(m: Matcher) -> list[list[tuple[str, float, tuple[str, ...]]]]:
    out = []
    for q in QUERIES:
        r = m.match(Query(id="q", name=q), review_threshold=0.0)
        out.append([(h.entry_id, h.score, tuple(f.detail for f in h.features)) for h in r.hits])
    return out


def test_saved_index_answers_as_the_built_one(tmp_path: Path) -> None:
    built = Matcher.build(ENTRIES)
    folder = save_matcher(built, tmp_path / "idx")
    loaded = load_matcher(folder)
    assert len(loaded) == len(built) and loaded.n_names == built.n_names
    assert _answers(loaded) == _answers(built)
    assert loaded.by_entry.get(("uflpa", "zhongtai")) == built.by_entry.get(("uflpa", "zhongtai"))
    assert loaded.by_entry.get(("uflpa", "no-such-entry")) is None


def test_saved_index_is_read_by_another_process(tmp_path: Path) -> None:
    """Key hashes are the same in every process (Python's hash() is salted per process)."""
    folder = save_matcher(Matcher.build(ENTRIES), tmp_path / "idx")
    code = (
        "import sys, json; from flscreen.matching.persist import load_matcher;"
        "from flscreen.matching import Query;"
        f"m = load_matcher({str(folder)!r});"
        "r = m.match(Query(id='q', name='Xinjiang Zhongtia Chemical'));"
        "print(json.dumps([h.entry_id for h in r.hits if h.match]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout) == ["zhongtai"]


def test_key_changes_with_a_list_version() -> None:
    v4 = dataclasses.replace(UFLPA, version=4, sha256="2" * 64)
    assert index_key([UFLPA]) != index_key([v4])
    assert index_key([UFLPA, v4]) == index_key([v4, UFLPA])  # order of lists is irrelevant


def test_key_changes_with_the_matching_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """An index built by other normaliser or index code is never read back."""
    before = index_key([UFLPA])
    monkeypatch.setattr(persist, "code_digest", lambda: "0" * 64)
    assert index_key([UFLPA]) != before


def test_prune_keeps_the_most_recent(tmp_path: Path) -> None:
    m = Matcher.build([(UFLPA, ListEntry("a", "company", "Alpha Textile Co."))])
    for i in range(6):
        save_matcher(m, tmp_path / f"i{i}")
    prune(tmp_path, keep=2)
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 2


def _import(path: Path, rows: list[str]) -> None:
    path.write_text("id,name,schema\n" + "\n".join(rows) + "\n", encoding="utf-8")
    done = runner.invoke(app, ["lists", "import", str(path), "--list", "own", "--format", "csv"])
    assert done.exit_code == 0, done.output


def _match(name: str) -> dict[str, object]:
    done = runner.invoke(app, ["match", "--name", name, "--json"])
    assert done.exit_code == 0, done.output
    line = next(x for x in done.output.splitlines() if x.startswith("{"))
    return json.loads(line)  # type: ignore[no-any-return]


@pytest.mark.usefixtures("cli_env")
def test_new_list_version_is_matched_at_once(tmp_path: Path) -> None:
    """Issue 12: a stale index is never used. Import, match (index saved), import a new
    version with a new entry: the next match sees it, from a new index folder."""
    home = Path(str(tmp_path / "home"))
    csv = tmp_path / "own.csv"
    _import(csv, ['zt,"Xinjiang Zhongtai Chemical Co., Ltd.",company'])
    first = _match("Xinjiang Zhongtai Chemical")
    assert first["match"] is True
    assert not _match("Sunrise Textile Co., Ltd.")["match"]
    folders = {p.name for p in (home / "index").iterdir() if p.is_dir()}
    assert len(folders) == 1  # built at import, reused by both matches
    _import(
        csv,
        [
            'zt,"Xinjiang Zhongtai Chemical Co., Ltd.",company',
            'sr,"Sunrise Textile Co., Ltd.",company',
        ],
    )
    second = _match("Sunrise Textile Co., Ltd.")
    assert second["match"] is True
    hit = second["hits"][0]  # type: ignore[index]
    assert hit["entry_id"] == "sr" and hit["list_version"] == 2
    assert {p.name for p in (home / "index").iterdir() if p.is_dir()} - folders


@pytest.mark.usefixtures("cli_env")
def test_judgement_after_the_index_was_saved_is_honoured(tmp_path: Path) -> None:
    """Judgements are read fresh: a saved index never hides a decision."""
    _import(tmp_path / "own.csv", ['zt,"Xinjiang Zhongtai Chemical Co., Ltd.",company'])
    assert _match("Zhongtai Chem Trading")["match"] in (True, False)
    done = runner.invoke(
        app,
        [
            "judge",
            "--name",
            "Zhongtai Chem Trading",
            "--entry",
            "own:zt",
            "--verdict",
            "no-match",
            "--by",
            "analyst@example.org",
        ],
    )
    assert done.exit_code == 0, done.output
    after = _match("Zhongtai Chem Trading")
    assert after["match"] is False and after["suppressed"]
