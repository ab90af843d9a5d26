"""The match, judge and judgements commands on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flscreen.cli.main import app

DATA = Path(__file__).parent / "data"
runner = CliRunner()


@pytest.fixture
def imported(cli_env: dict[str, str]) -> dict[str, str]:
    result = runner.invoke(app, ["lists", "import", str(DATA / "watchlist.csv"), "--list", "own"])
    assert result.exit_code == 0, result.output
    return cli_env


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_match_csv_to_jsonl(imported: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "hits.jsonl"
    result = runner.invoke(app, ["match", str(DATA / "suppliers.csv"), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in _lines(out.read_text("utf-8"))}
    assert list(rows) == ["s1", "s2", "s3", "s4", "s5"]
    assert rows["s1"]["match"] is True
    hit = rows["s1"]["hits"][0]  # type: ignore[index]
    assert hit["entry_id"] == "zt" and hit["list"] == "own" and hit["list_version"] == 1
    assert {"name", "matched_name", "score", "features"} <= set(hit)
    assert any(f["name"] == "name_pinyin" for f in hit["features"])
    assert rows["s2"]["match"] is False  # 晨光文具 is not Chenguang Biotech
    assert rows["s3"]["match"] is True  # legal form spelled out, brackets gone
    assert rows["s4"]["match"] is False and rows["s4"]["hits"] == []
    # a trading name that shares nothing but the USCC: the identifier decides
    s5 = rows["s5"]["hits"][0]  # type: ignore[index]
    assert s5["entry_id"] == "zt" and any(f["name"] == "identifier_match" for f in s5["features"])


def test_match_stdin_jsonl_and_list_filter(imported: dict[str, str]) -> None:
    line = json.dumps({"id": "p1", "name": "Hailun Zhu", "schema": "person"})
    result = runner.invoke(app, ["match", "-", "--list", "own", "--limit", "1"], input=line + "\n")
    assert result.exit_code == 0, result.output
    (row,) = _lines(result.stdout)
    assert row["match"] is True and row["hits"][0]["entry_id"] == "zhu"  # type: ignore[index]


def test_threshold_moves_the_line(imported: dict[str, str]) -> None:
    line = json.dumps({"id": "p1", "name": "新疆中泰化学股份有限公司"})
    strict = runner.invoke(app, ["match", "-", "--threshold", "0.99"], input=line)
    (row,) = _lines(strict.stdout)
    assert row["match"] is False  # a pinyin reading is never proof at 0.99
    assert row["hits"]  # but the hit is still shown


def test_single_name_explains(imported: dict[str, str]) -> None:
    result = runner.invoke(app, ["match", "--name", "合盛硅业(鄯善)有限公司"])
    assert result.exit_code == 0, result.output
    assert "MATCH" in result.stdout
    assert "Hesheng" in result.stdout and "硅业→silicon ind" in result.stdout
    assert "name_token_overlap_weighted" in result.stdout


def test_judgement_is_honoured_next_run(imported: dict[str, str]) -> None:
    line = json.dumps({"id": "x", "name": "Xinjiang Zhongtai Chemical Trading Co."})
    before = _lines(runner.invoke(app, ["match", "-"], input=line).stdout)[0]
    assert before["hits"]
    result = runner.invoke(
        app,
        [
            "judge",
            "--name",
            "XINJIANG ZHONGTAI CHEMICAL TRADING COMPANY LIMITED",
            "--entry",
            "own:zt",
            "--verdict",
            "no-match",
            "--by",
            "analyst@example.com",
            "--reason",
            "Shanghai reseller, verified registration",
        ],
    )
    assert result.exit_code == 0, result.output
    after = _lines(runner.invoke(app, ["match", "-"], input=line).stdout)[0]
    assert after["match"] is False and after["hits"] == []
    assert after["suppressed"][0]["entry_id"] == "zt"  # type: ignore[index]
    listed = _lines(runner.invoke(app, ["judgements"]).stdout)
    assert listed[0]["by"] == "analyst@example.com" and listed[0]["verdict"] == "no_match"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["match"], None, "nothing to match"),
        (["match", "-"], '{"id": "a"}\n', "field 'name'"),
        (["match", "-"], '{"id": "a", "name": ["x"]}\n', "expected text"),
        (["match", "-"], "{not json\n", "not valid JSON"),
        (["match", "--name", "x", "--threshold", "2"], None, "--threshold"),
        (["match", "nowhere.csv"], None, "file not found"),
        (["match", "--name", "x", "--list", "nope"], None, "nope"),  # unknown list
        (
            ["judge", "--name", "x", "--entry", "own", "--verdict", "yes", "--by", "me"],
            None,
            "LIST:ENTRY_ID",
        ),
        (
            ["judge", "--name", "x", "--entry", "own:zt", "--verdict", "maybe", "--by", "me"],
            None,
            "match or no-match",
        ),
        (
            ["judge", "--name", "x", "--entry", "own:nope", "--verdict", "match", "--by", "me"],
            None,
            "no entry",
        ),
    ],
)
def test_bad_input_exits_2(
    imported: dict[str, str], args: list[str], stdin: str | None, message: str
) -> None:
    result = runner.invoke(app, args, input=stdin)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_no_lists_is_a_clear_error(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["match", "--name", "Xinjiang Zhongtai"])
    assert result.exit_code == 2
    assert "import a list first" in result.output


def test_a_gb18030_supplier_file_is_read_as_lists_import_reads_it(
    imported: dict[str, str], tmp_path: Path
) -> None:
    """A supplier CSV saved on Chinese Windows: `lists import` keeps its rows (read as
    GB18030, noted); `match` reads the same bytes the same way instead of refusing."""
    rows = [("g1", "新疆中泰化学股份有限公司"), ("g2", "Pacific Blue Textiles")]
    data = b"id,name\n" + "".join(f"{i},{n}\n" for i, n in rows).encode("gb18030")
    assert b"\xd0\xc2\xbd\xae" in data  # 新疆 in GB18030: not UTF-8
    path = tmp_path / "suppliers-gbk.csv"
    path.write_bytes(data)
    as_list = runner.invoke(app, ["lists", "import", str(path), "--list", "gbk"])
    assert as_list.exit_code == 0, as_list.output
    result = runner.invoke(app, ["match", str(path), "--list", "own"])
    assert result.exit_code == 0, result.output
    found = {r["id"]: r for r in _lines(result.stdout)}
    assert list(found) == ["g1", "g2"]
    assert found["g1"]["match"] is True
    assert found["g1"]["hits"][0]["entry_id"] == "zt"  # type: ignore[index]
    assert "read as GB18030" in result.stderr and "row 2" in result.stderr
    # Against the list imported from the same bytes, each row finds itself, by the
    # same name: both commands read the file alike.
    same = runner.invoke(app, ["match", str(path), "--list", "gbk"])
    for rid, name in rows:
        (best, *_) = {r["id"]: r for r in _lines(same.stdout)}[rid]["hits"]  # type: ignore[misc]
        assert (best["entry_id"], best["name"]) == (rid, name)
