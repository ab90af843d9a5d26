"""The locate command: JSON lines and CSV in, one JSON line out per record; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from flscreen.cli.main import app

runner = CliRunner()


def test_jsonl_file_to_output_file(tmp_path: Path) -> None:
    src = tmp_path / "suppliers.jsonl"
    src.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"id": "s1", "address": "上海市静安区乌鲁木齐中路100号"},
                {"id": "s2", "address": "Shache County, Kashgar", "postal_code": 844700},
                {"id": "s3", "name": "Bole Trading"},
            ]
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["locate", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["s1", "s2", "s3"]
    assert [r["status"] for r in rows] == ["elsewhere", "xinjiang", "unknown"]
    assert rows[0]["in_xinjiang"] is False and rows[1]["in_xinjiang"] is True
    assert rows[2]["in_xinjiang"] is None
    assert rows[1]["division_code"] == "653125"
    assert rows[1]["signals"] and set(rows[1]["signals"][0]) == {"kind", "value", "detail"}
    assert set(rows[0]) == {
        "id",
        "in_xinjiang",
        "status",
        "confidence",
        "division_code",
        "division_name",
        "xpcc",
        "signals",
    }


def test_csv_from_stdin() -> None:
    data = 'id,address,phone,country\nA,"Aksu, Pavlodar",,Kazakhstan\nB,,+86 993 1234567,\n'
    result = runner.invoke(app, ["locate", "-"], input=data)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert [x["status"] for x in lines] == ["elsewhere", "xinjiang"]


def test_single_address_prints_every_signal() -> None:
    result = runner.invoke(
        app, ["locate", "--address", "新疆生产建设兵团第八师一四三团", "--phone", "0993-1234567"]
    )
    assert result.exit_code == 0, result.output
    assert "xinjiang" in result.stdout
    assert "XPCC" in result.stdout
    assert "address" in result.stdout and "phone" in result.stdout


def test_bad_input_exits_2_with_row(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": "1", "address": "x"}\nnot json\n{"address": "no id"}\n')
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["locate", str(src), "-o", str(out)])
    assert result.exit_code == 2
    assert "row 2" in result.output and "row 3" in result.output
    assert not out.exists()  # no partial write


def test_wrong_field_type_is_named(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": "1", "address": {"street": "a"}}\n')
    result = runner.invoke(app, ["locate", str(src)])
    assert result.exit_code == 2
    assert "address" in result.output and "row 1" in result.output


def test_missing_file_and_no_arguments() -> None:
    assert runner.invoke(app, ["locate", "/nonexistent/file.csv"]).exit_code == 2
    result = runner.invoke(app, ["locate"])
    assert result.exit_code == 2
    assert "nothing to locate" in result.output


def test_long_input_streams_every_record(tmp_path: Path) -> None:
    """Above the progress-bar threshold every record still comes out, in order."""
    rows = ["id,address"] + [f"r{i},{'喀什市' if i % 2 else '上海市'}" for i in range(1200)]
    src = tmp_path / "big.csv"
    src.write_text("\n".join(rows), encoding="utf-8")
    out = tmp_path / "big.jsonl"
    result = runner.invoke(app, ["locate", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == [f"r{i}" for i in range(1200)]
    assert [x["status"] for x in lines[:2]] == ["elsewhere", "xinjiang"]


def test_headers_in_other_case_and_common_aliases() -> None:
    data = "id,Address,USCC,Tel,Country\nA,上海市,,,CN\nB,,,+86 998 1234567,\n"
    result = runner.invoke(app, ["locate", "-"], input=data)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert [x["status"] for x in lines] == ["elsewhere", "xinjiang"]


def test_address_parts_in_their_own_columns_count() -> None:
    data = (
        "id,street,city,province\n"
        "A,Urumqi Road 5,Qingdao,Shandong\n"  # the street is named after Ürümqi; the city is not
        "B,Renmin Road 5,Kashgar,Xinjiang\n"
    )
    result = runner.invoke(app, ["locate", "-"], input=data)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert [x["status"] for x in lines] == ["elsewhere", "xinjiang"]


def test_list_of_strings_is_joined(tmp_path: Path) -> None:
    src = tmp_path / "ftm.jsonl"
    src.write_text('{"id": "1", "address": ["Room 5, Tuanjie Road", "Hotan, Xinjiang"]}\n')
    result = runner.invoke(app, ["locate", str(src)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0])["status"] == "xinjiang"
