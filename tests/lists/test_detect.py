"""Format guessing, and refusing a file that is not what --format says."""

from __future__ import annotations

from pathlib import Path

import pytest

from flscreen.errors import InvalidInput
from flscreen.lists.detect import detect_format, sniff
from flscreen.lists.samples import SAMPLE_DIR
from tests.conftest import FIXTURES

LISTS = FIXTURES / "lists"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (LISTS / "uflpa_sample.ftm.jsonl", "ftm"),
        (SAMPLE_DIR / "uflpa_entity_list.html", "uflpa-html"),
        (SAMPLE_DIR / "ofac_sdn", "ofac-csv"),
        (SAMPLE_DIR / "ofac_sdn" / "sdn.csv", "ofac-csv"),
        # OFAC's companions alone are recognised so the message can say what to do.
        (SAMPLE_DIR / "ofac_sdn" / "alt.csv", "ofac-alt"),
        (SAMPLE_DIR / "ofac_sdn" / "add.csv", "ofac-add"),
        (SAMPLE_DIR / "my_watchlist.csv", "csv"),
        (LISTS / "uk_sanctions_list_sample.csv", "uk-csv"),
        (LISTS / "eu_fsf_sample.xml", "eu-xml"),
    ],
)
def test_sniff(path: Path, expected: str) -> None:
    assert sniff(path) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"PK\x03\x04rest-of-zip", "zip"),
        # An Excel workbook is read by the plain-list reader.
        (b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml", "csv"),
        (b"%PDF-1.7", "pdf"),
        (b'<?xml version="1.0"?><sdnList xmlns="x"></sdnList>', "ofac-xml"),
        (b'{"name": "x"}\n', "json-lines"),
        (b"raw_cell_text,section,effective_date\n", "uflpa-csv"),
        (b"ent_num,sdn_name,sdn_type,programs\n", "ofac-csv"),
        (b"ent_num,sdn_name,sdn_type,alias_type,alias_name\n", "ofac-aliases"),
        (b'[{"ent_num": "1", "sdn_name": "X"}]', "ofac-json"),
        (b"company_id,city\n1,Urumqi\n", "csv-unknown"),
    ],
)
def test_sniff_content(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "file"
    path.write_bytes(content)
    assert sniff(path) == expected


def test_wrong_format_names_what_it_looks_like() -> None:
    sdn = SAMPLE_DIR / "ofac_sdn" / "sdn.csv"
    with pytest.raises(InvalidInput) as info:
        detect_format(sdn, "sdn.csv", "ftm")
    message = str(info.value)
    assert "looks like the OFAC SDN CSV" in message
    assert "not FollowTheMoney entities as JSON lines" in message
    assert "--format ofac-csv" in message


def test_unreadable_format_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "alt.csv"
    path.write_bytes((SAMPLE_DIR / "ofac_sdn" / "alt.csv").read_bytes())
    with pytest.raises(InvalidInput, match=r"import the folder or the sdn\.csv"):
        detect_format(path, "alt.csv")


def test_unknown_format_name() -> None:
    with pytest.raises(InvalidInput, match="unknown format 'ods'"):
        detect_format(SAMPLE_DIR / "my_watchlist.csv", "x", "ods")
