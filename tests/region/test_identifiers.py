"""USCC check characters, postal codes and phone numbers."""

from __future__ import annotations

import random

import pytest
from rigour.ids import USCC

from flscreen.region.identifiers import (
    USCC_ALPHABET,
    parse_phone,
    parse_postal,
    parse_uscc,
    uscc_check_char,
)


def test_check_character_agrees_with_rigour() -> None:
    rng = random.Random(5)
    for _ in range(500):
        first17 = (
            "91"
            + f"{rng.randint(110000, 659999)}"
            + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        )
        code = first17 + uscc_check_char(first17)
        assert USCC.is_valid(code), code
        wrong = first17 + next(c for c in "0123456789AB" if c != code[-1])
        assert not USCC.is_valid(wrong)
        assert parse_uscc(wrong) is not None and not parse_uscc(wrong).valid  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("raw", "code", "valid"),
    [
        ("91110000600037341L", "91110000600037341L", True),  # stdnum's documented example
        ("9111 0000 6000 3734 1L", "91110000600037341L", True),  # spaced
        ("USCC: 91110000600037341L", "91110000600037341L", True),  # labelled
        ("统一社会信用代码：91110000600037341L", "91110000600037341L", True),
        ("91110000600037341l", "91110000600037341L", True),  # lower case
        ("91110000600037341K", "91110000600037341K", False),  # wrong check character
    ],
)
def test_parse_uscc(raw: str, code: str, valid: bool) -> None:
    reading = parse_uscc(raw)
    assert reading is not None
    assert (reading.code, reading.valid, reading.division) == (code, valid, code[2:8])


# GB 32100 allows letters in the first two places (N for agricultural bodies, Y
# for others), stricter than stdnum; characters 3-8 are always digits.
@pytest.mark.parametrize("raw", ["", "12345", "91A10000600037341L", "9111000060003734IL"])
def test_not_a_uscc(raw: str) -> None:
    assert parse_uscc(raw) is None  # I, O, Z, S, V are not in the alphabet


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("830000", "830000"), ("邮编：８３００１１", "830011"), ("1234567", None), ("83 00 00", None)],
)
def test_parse_postal(raw: str, expected: str | None) -> None:
    assert parse_postal(raw) == expected


@pytest.mark.parametrize(
    ("raw", "kind", "area", "explicit"),
    [
        ("0991-1234567", "xinjiang", "0991", False),
        ("+86 991 1234567", "xinjiang", "0991", True),
        ("+86 (0)998 2345678", "xinjiang", "0998", True),
        ("0086 903 1234567", "xinjiang", "0903", True),
        ("(0909) 222 3333", "xinjiang", "0909", False),
        ("021-12345678", "china_fixed", "021", False),
        ("0755 8888 9999", "china_fixed", "0755", False),
        ("+86 138 0013 8000", "mobile", None, True),
        ("13800138000", "mobile", None, False),
        ("+7 727 123 4567", "foreign", None, False),  # Almaty
        ("0991-1234567 ext 12", "xinjiang", "0991", False),
        ("0991-1234567 / 0991-7654321", "xinjiang", "0991", False),
    ],
)
def test_parse_phone(raw: str, kind: str, area: str | None, explicit: bool) -> None:
    reading = parse_phone(raw)
    assert reading is not None
    assert (reading.kind, reading.area_code, reading.explicit_china) == (kind, area, explicit)


def test_too_short_for_a_phone() -> None:
    assert parse_phone("12-34") is None
