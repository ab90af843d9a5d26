"""Identifier signals: the unified social credit code, postal codes, telephone numbers.

Each parser takes the raw field and returns a small reading (or None when the
value is not that kind of identifier at all); locate() turns readings into Signals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flscreen.region.text import clean

# GB 32100-2015: 18 characters over an alphabet of 31 (no I, O, Z, S, V); the
# last is a check character with weights 3^i mod 31.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$")


def uscc_check_char(first17: str) -> str:
    """The check character GB 32100-2015 computes for the first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


@dataclass(frozen=True, slots=True)
class UsccReading:
    code: str
    """The compact 18-character code."""
    valid: bool
    """The check character is right."""
    division: str
    """Characters 3-8: the registering authority's division code."""


def parse_uscc(raw: str) -> UsccReading | None:
    """Read a USCC; None when the value does not have its shape (not a USCC at all)."""
    compact = re.sub(r"[\s\-./]", "", clean(raw)).upper()
    # "USCC: 9165..." or "统一社会信用代码9165...": take the one 18-character run.
    runs = [run for run in re.findall(r"[0-9A-Z]+", compact) if _USCC_SHAPE.match(run)]
    if not runs:
        return None
    code = runs[0]
    return UsccReading(code, uscc_check_char(code[:17]) == code[17], code[2:8])


def parse_postal(raw: str) -> str | None:
    """The first six-digit group (full-width digits allowed), else None."""
    m = re.search(r"(?<!\d)(\d{6})(?!\d)", clean(raw))
    return m.group(1) if m else None


# Fixed-line area codes of Xinjiang and the prefecture each serves.
XJ_AREA_CODES: dict[str, tuple[str, str]] = {
    "0990": ("650200", "Karamay"),
    "0991": ("650100", "Ürümqi"),
    "0992": ("654003", "Kuytun"),
    "0993": ("659001", "Shihezi"),
    "0994": ("652300", "Changji"),
    "0995": ("650400", "Turpan"),
    "0996": ("652800", "Bayingolin (Korla)"),
    "0997": ("652900", "Aksu"),
    "0998": ("653100", "Kashgar"),
    "0999": ("654000", "Ili (Ghulja)"),
    "0901": ("654200", "Tacheng"),
    "0902": ("650500", "Hami"),
    "0903": ("653200", "Hotan"),
    "0906": ("654300", "Altay"),
    "0908": ("653000", "Kizilsu (Artux)"),
    "0909": ("652700", "Bortala (Bole)"),
}


@dataclass(frozen=True, slots=True)
class PhoneReading:
    number: str
    """National number with trunk 0 (fixed line) or the 11-digit mobile."""
    explicit_china: bool
    """Written with +86 / 0086: the number is Chinese whatever the record's country."""
    kind: str
    """'xinjiang', 'china_fixed', 'mobile' or 'unknown'."""
    area_code: str | None = None


def parse_phone(raw: str) -> PhoneReading | None:
    """Read the first phone number; None when there are too few digits to be one."""
    text = clean(raw)
    first = re.split(r"[,;/]|\bext\b|转", text)[0]
    digits = re.sub(r"\D", "", first)
    if len(digits) < 7:
        return None
    stripped = first.strip()
    explicit = False
    if stripped.startswith("+"):
        if not digits.startswith("86"):
            return PhoneReading(digits, False, "foreign")
        digits, explicit = digits[2:], True
    elif digits.startswith("0086"):
        digits, explicit = digits[4:], True
    elif digits.startswith("86") and len(digits) >= 12:
        digits, explicit = digits[2:], True
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return PhoneReading(digits, explicit, "mobile")
    if explicit and not digits.startswith("0"):
        digits = "0" + digits
    if not digits.startswith("0") or not 10 <= len(digits) <= 12:
        return PhoneReading(digits, explicit, "unknown")
    area = digits[:4]
    if area.startswith(("099", "090")):
        return PhoneReading(digits, explicit, "xinjiang", area)
    if digits[1] in "123456789":
        code = digits[:3] if digits[1] in "12" else digits[:4]
        return PhoneReading(digits, explicit, "china_fixed", code)
    return PhoneReading(digits, explicit, "unknown")
