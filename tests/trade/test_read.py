"""Reading trade records: header aliases, a column map, typed values, every bad row named."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flscreen.errors import InvalidInput
from flscreen.trade.read import parse_date, parse_hs, read_trade_file

HEADER = (
    "BOL Number,Arrival Date,Shipper,Shipper Address,Consignee,HS Code,Goods Shipped,Weight (lb)"
)


def _write(tmp_path: Path, text: str, name: str = "bl.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sample_reads_with_every_field(trade_sample: Path) -> None:
    records = read_trade_file(str(trade_sample / "bills_of_lading.csv"))
    assert len(records) == 10
    first = records[0]
    assert first.bill_number == "MEDUHN4410221"
    assert first.arrival_date == "2025-12-18" and first.shipment_date == "2025-11-24"
    assert first.shipper_country == "US" and first.consignee_country == "VN"
    assert first.port_of_lading == "Houston" and first.vessel == "MSC ALINA"
    assert first.container_count == 12
    assert first.hs_codes == ("520100",)
    assert first.gross_weight_kg == pytest.approx(301450)
    to_order = records[2]
    assert to_order.consignee_name == "TO ORDER"
    assert to_order.notify_name == "Minh Phat Spinning Co., Ltd."
    han = records[3]
    assert han.shipper_name == "阿克苏华孚色纺有限公司"


def test_aliases_and_pounds(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER + "\n"
        'B1,2026/03/01,Acme Spinning Ltd,"1 Mill Rd, Hanoi, Vietnam",Buyer Inc,'
        '"5205.12; 5205.13",COTTON YARN,"2,204.62"\n',
    )
    [r] = read_trade_file(str(path))
    assert r.arrival_date == "2026-03-01"
    assert r.hs_codes == ("520512", "520513")
    assert r.weight_unit == "lb"
    assert r.gross_weight_kg == pytest.approx(1000.0, rel=1e-4)
    assert r.record_id == "B1#1"


def test_lines_of_one_bill_get_their_own_ids(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bill_number,shipment_date,shipper_name,consignee_name\n"
        "B7,2026-01-02,A Ltd,B Inc\nB7,2026-01-02,A Ltd,B Inc\n",
    )
    assert [r.record_id for r in read_trade_file(str(path))] == ["B7#1", "B7#2"]


def test_every_bad_row_is_named_and_nothing_returned(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER + "\n"
        "B1,2026-13-45,A Ltd,,B Inc,5205,yarn,10\n"  # impossible date
        "B2,2026-01-01,,,B Inc,5205,yarn,10\n"  # no shipper
        "B3,2026-01-01,A Ltd,,B Inc,52X5,yarn,-4\n"  # bad HS code and negative weight
        "B4,2026-01-01,A Ltd,,B Inc,5205,yarn,10\n",  # fine
    )
    with pytest.raises(InvalidInput) as info:
        read_trade_file(str(path))
    text = info.value.render()
    assert f"{path}, row 2, field 'Arrival Date': '2026-13-45' is not a date" in text
    assert f"{path}, row 3, field 'Shipper': shipper_name is empty" in text
    assert "row 4, field 'HS Code': '52X5' is not an HS code" in text
    assert "row 4, field 'Weight (lb)': '-4' is not a non-negative number" in text
    assert "row 5" not in text


def test_missing_columns_name_the_fix(tmp_path: Path) -> None:
    path = _write(tmp_path, "BOL_NO,ETA,FROM,TO\nB1,2026-01-01,A,B\n")
    with pytest.raises(InvalidInput) as info:
        read_trade_file(str(path))
    text = info.value.render()
    assert "row 1" in text and "shipper_name, consignee_name" in text
    assert "--column-map" in text
    mapped = read_trade_file(
        str(path), {"bill_number": "BOL_NO", "shipper_name": "FROM", "consignee_name": "TO"}
    )
    assert mapped[0].shipper_name == "A" and mapped[0].arrival_date == "2026-01-01"


def test_column_map_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "BOL_NO,ETA,FROM,TO\nB1,2026-01-01,A,B\n")
    with pytest.raises(InvalidInput) as info:
        read_trade_file(str(path), {"shiper_name": "FROM", "consignee_name": "RECEIVER"})
    text = info.value.render()
    assert "unknown field 'shiper_name'" in text
    assert "column 'RECEIVER', which the file lacks" in text


def test_parquet_and_semicolon_csv(tmp_path: Path, trade_sample: Path) -> None:
    out = tmp_path / "bl.parquet"
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{trade_sample / 'bills_of_lading.csv'}', all_varchar=true))"
        f" TO '{out}' (FORMAT parquet)"
    )
    from_parquet = read_trade_file(str(out))
    from_csv = read_trade_file(str(trade_sample / "bills_of_lading.csv"))
    assert [r.to_dict() | {"source": "", "row": 0} for r in from_parquet] == [
        r.to_dict() | {"source": "", "row": 0} for r in from_csv
    ]
    semi = _write(tmp_path, "bill_number;arrival_date;shipper;consignee\nB1;2026-01-01;A;B\n")
    assert read_trade_file(str(semi))[0].consignee_name == "B"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-04", "2026-03-04"),
        ("2026-03-04T10:00:00", "2026-03-04"),
        ("20260304", "2026-03-04"),
        ("04 Mar 2026", "2026-03-04"),
        ("03/04/2026", None),  # day/month order unknowable: refused, not guessed
        ("soon", None),
    ],
)
def test_dates(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_hs_codes() -> None:
    assert parse_hs("6109.10.0012|6110") == (("6109100012", "6110"), None)
    assert parse_hs("61")[1] is not None  # a chapter alone is not a code
