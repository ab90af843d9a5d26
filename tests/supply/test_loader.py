"""Loading and validating supply packages: three formats, every problem reported at once."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from flscreen.errors import InvalidInput
from flscreen.supply import load_package, package_from_dict
from flscreen.supply.tables import TABLES
from flscreen.supply.units import to_base
from flscreen.supply.validate import uscc_check_char, uscc_problem

TODAY = dt.date(2026, 11, 27)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])


def copy_sample(sample_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "pkg"
    shutil.copytree(sample_dir, target)
    return target


def edit(folder: Path, table: str, row_id: str, field: str, value: str) -> None:
    """Set ``field`` of the row whose first cell is ``row_id``."""
    header, rows = read_csv(folder / f"{table}.csv")
    col = header.index(field)
    hits = [r for r in rows if r[0] == row_id]
    assert hits, row_id
    hits[0][col] = value
    write_csv(folder / f"{table}.csv", header, rows)


def test_sample_package_loads(sample_dir: Path) -> None:
    pkg = load_package(sample_dir, today=TODAY)
    assert len(pkg.parties) == 33
    assert len(pkg.shipments) == 7
    assert {s.shipment_id for s in pkg.shipments} >= {"S-1001", "S-1003", "S-2001"}
    by_id = {p.party_id: p for p in pkg.parties}
    assert by_id["CN-AKS-HUAFU"].aliases == (
        "阿克苏华孚色纺有限公司",
        "Aksu Huafu Textiles Co., Ltd.",
    )
    t = {t.transaction_id: t for t in pkg.transactions}["T-A01"]
    assert t.documents == ("D-A01-INV", "D-A01-WB") and t.quantity == 600 and t.unit == "t"


def _as_xlsx(folder: Path, target: Path) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in TABLES:
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        header, rows = read_csv(path)
        sheet = wb.create_sheet(name)
        sheet.append(header)
        for row in rows:
            cells: list[object] = list(row)
            if "date" in header and row[header.index("date")]:
                # Spreadsheets hold dates as dates, not text.
                cells[header.index("date")] = dt.date.fromisoformat(row[header.index("date")])
            if "quantity" in header and row[header.index("quantity")]:
                cells[header.index("quantity")] = float(row[header.index("quantity")])
            sheet.append(cells)
    wb.save(target)


def _as_json(folder: Path, target: Path) -> None:
    data: dict[str, list[dict[str, object]]] = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if path.exists():
            header, rows = read_csv(path)
            data[name] = [
                {
                    h: (v.split("|") if h in ("aliases", "documents") and v else v)
                    for h, v in zip(header, r, strict=True)
                    if v
                }
                for r in rows
            ]
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_xlsx_and_json_give_the_same_package(sample_dir: Path, tmp_path: Path) -> None:
    csv_pkg = load_package(sample_dir, today=TODAY)
    _as_xlsx(sample_dir, tmp_path / "package.xlsx")
    _as_json(sample_dir, tmp_path / "package.json")
    assert load_package(tmp_path / "package.xlsx", today=TODAY) == csv_pkg
    assert load_package(tmp_path / "package.json", today=TODAY) == csv_pkg


# (table, row id, field, new value, expected field, words in the message)
BAD_CELLS = [
    ("transactions", "T-A05", "supplier_id", "CN-NOBODY", "supplier_id", "unknown party"),
    ("transactions", "T-A05", "quantity", "-60", "quantity", "negative quantity"),
    # (a material counted in metres here and tonnes elsewhere is no longer refused: the
    # bill of materials converts, and a missing factor is a gap the trace reports)
    ("shipments", "S-1001", "unit", "bales", "unit", "unknown unit"),
    ("transactions", "T-A07", "unit", "bales", "unit", "unknown unit"),
    ("transactions", "T-A07", "date", "2027-01-05", "date", "in the future"),
    ("transactions", "T-A07", "date", "2026-13-01", "date", "not a date"),
    ("transactions", "T-A07", "quantity", "forty", "quantity", "not a number"),
    ("transactions", "T-A07", "documents", "D-A07-INV|D-MISSING", "documents", "unknown document"),
    # the facility exists but belongs to the buyer, not the seller
    (
        "transactions",
        "T-A07",
        "supplier_facility_id",
        "F-HENGDA-MILL",
        "supplier_facility_id",
        "operated by",
    ),
    ("transactions", "T-A07", "buyer_id", "CN-WX-SPIN", "buyer_id", "same party"),
    ("shipments", "S-1001", "manufacturer_id", "CN-GHOST", "manufacturer_id", "unknown party"),
    ("shipments", "S-1001", "value", "-1", "value", "negative value"),
    ("ownership", "HK-HUAFU-HOLD", "share", "160", "share", "not a percentage"),
    # last character changed: the check character no longer fits
    (
        "parties",
        "CN-HENGDA",
        "registration_id",
        "91320612MA1T4P8R6X",
        "registration_id",
        "check character",
    ),
    ("parties", "CN-HENGDA", "name", "", "name", "missing required value"),
    ("facilities", "F-WX-SPIN", "operator_id", "CN-NOBODY", "operator_id", "unknown party"),
    ("documents", "D-A01-INV", "sha256", "abc", "sha256", "not a sha-256"),
    # a bundled document whose digest no longer matches its file
    ("documents", "D-B01-BL", "sha256", "0" * 64, "sha256", "has sha-256"),
]


@pytest.mark.parametrize(
    ("table", "row_id", "field", "value", "expected_field", "words"), BAD_CELLS
)
def test_each_problem_names_file_row_and_field(
    sample_dir: Path,
    tmp_path: Path,
    table: str,
    row_id: str,
    field: str,
    value: str,
    expected_field: str,
    words: str,
) -> None:
    folder = copy_sample(sample_dir, tmp_path)
    edit(folder, table, row_id, field, value)
    _header, rows = read_csv(folder / f"{table}.csv")
    line = 2 + [r[0] for r in rows].index(row_id)
    with pytest.raises(InvalidInput) as caught:
        load_package(folder, today=TODAY)
    problems = caught.value.problems
    assert any(
        p.source == f"{table}.csv"
        and p.row == line
        and p.field == expected_field
        and words in p.message.lower()
        for p in problems
    ), [str(p) for p in problems]


def test_every_problem_is_reported_together(sample_dir: Path, tmp_path: Path) -> None:
    folder = copy_sample(sample_dir, tmp_path)
    edit(folder, "transactions", "T-A01", "quantity", "-5")
    edit(folder, "transactions", "T-B03", "date", "2030-01-01")
    edit(folder, "shipments", "S-1002", "exporter_id", "VN-NOBODY")
    header, rows = read_csv(folder / "parties.csv")
    write_csv(folder / "parties.csv", header, [*rows, rows[0]])  # duplicate id
    with pytest.raises(InvalidInput) as caught:
        load_package(folder, today=TODAY)
    text = str(caught.value)
    assert "negative quantity" in text
    assert "2030-01-01 is in the future" in text
    assert "unknown party 'VN-NOBODY'" in text
    assert "duplicate party_id 'IMP-NW' (first at parties.csv row 2)" in text
    assert len(caught.value.problems) == 4


def test_xlsx_problems_name_sheet_and_row(sample_dir: Path, tmp_path: Path) -> None:
    folder = copy_sample(sample_dir, tmp_path)
    edit(folder, "transactions", "T-A02", "buyer_id", "CN-NOBODY")
    _as_xlsx(folder, tmp_path / "bad.xlsx")
    with pytest.raises(InvalidInput) as caught:
        load_package(tmp_path / "bad.xlsx", today=TODAY)
    where = {(p.source, p.row, p.field) for p in caught.value.problems}
    # the unknown buyer, and the buyer facility that now belongs to someone else
    assert where == {
        ("bad.xlsx[transactions]", 3, "buyer_id"),
        ("bad.xlsx[transactions]", 3, "buyer_facility_id"),
    }


def test_missing_column_and_unknown_table(sample_dir: Path, tmp_path: Path) -> None:
    folder = copy_sample(sample_dir, tmp_path)
    header, rows = read_csv(folder / "bom.csv")
    write_csv(folder / "bom.csv", header[1:], [r[1:] for r in rows])
    (folder / "suppliers.csv").write_text("id\n1\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_package(folder, today=TODAY)
    text = str(caught.value)
    assert "bom.csv, field 'product': required column missing" in text
    assert "unknown table 'suppliers'" in text


def test_json_in_memory_package_needs_parties() -> None:
    with pytest.raises(InvalidInput, match="no parties table"):
        package_from_dict({"transactions": []}, today=TODAY)


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        (2.5, "t", (2500.0, "kg")),
        (2.5, "MT", (2500.0, "kg")),  # metric tons as customs entries write them
        (100, "lbs", (45.359237, "kg")),
        (3, "吨", (3000.0, "kg")),
        (2, "dozen", (24.0, "pcs")),
        (1, "bales", None),  # bale weights differ by country: not convertible
    ],
)
def test_unit_table(quantity: float, unit: str, expected: tuple[float, str] | None) -> None:
    result = to_base(quantity, unit)
    if expected is None:
        assert result is None
    else:
        assert result is not None
        assert result[0] == pytest.approx(expected[0]) and result[1] == expected[1]


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("91350100M000100Y43", True),  # the worked example of GB 32100-2015
        ("91350100M000100Y44", False),
        ("91650100MA77R4Q1C", None),  # 17 characters: not shaped like a USCC, not judged
    ],
)
def test_uscc_check_character(code: str, valid: bool | None) -> None:
    problem = uscc_problem(code)
    if valid is None or valid:
        assert problem is None
    else:
        assert problem is not None and "Y43"[-1] in problem
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_bundled_json_schema_is_current_and_fits_the_sample(
    sample_dir: Path, tmp_path: Path
) -> None:
    from flscreen.supply.tables import package_schema

    bundled = sample_dir.parents[1] / "supply" / "package.schema.json"
    schema = json.loads(bundled.read_text(encoding="utf-8"))
    assert schema == package_schema()
    _as_json(sample_dir, tmp_path / "package.json")
    data = json.loads((tmp_path / "package.json").read_text(encoding="utf-8"))
    data["$schema"] = schema["$id"]  # a package may name its schema
    assert set(data) <= set(schema["properties"])
    for table, records in data.items():
        if table == "$schema":
            continue
        spec = schema["properties"][table]["items"]
        for record in records:
            assert set(spec["required"]) <= set(record), (table, record)
            assert set(record) <= set(spec["properties"]), (table, record)
