"""Text folding for place lookup: one form for full-width, homoglyph and accented input.

Evasion and sloppy data both put places in odd forms (full-width digits,
Cyrillic look-alikes, zero-width characters, Ürümqi with or without marks);
every lookup key and every scanned text goes through the same folds here.
"""

from __future__ import annotations

import re
import unicodedata

from flscreen.normalize.text import HOMOGLYPHS

# Cyrillic and Greek letters that render like Latin ones (the classic evasion):
# the same reviewed table the name normaliser uses, applied here as one fast
# translate over the whole text because place lookup runs on every record.
_HOMOGLYPHS = str.maketrans(HOMOGLYPHS)

_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_MARKS = re.compile(r"[\u0300-\u036f]")
# Letters with no decomposition that still need a plain form (Turkic and Uyghur Latin).
_SPECIAL = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "ə": "e", "ğ": "g"})
_APOSTROPHES = re.compile("['’‘`´ʼ]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def clean(text: str) -> str:
    """NFKC (full-width to ASCII), invisible characters out, homoglyphs to Latin."""
    if text.isascii():
        return text  # nothing to fold; the common case in English-order files
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_HOMOGLYPHS)


def fold_latin(text: str) -> str:
    """Lower-case Latin without accents or apostrophes (Ürümqi -> urumqi, Bo'ertala -> boertala).

    Length may change, so callers scan the folded text rather than map offsets back.
    """
    if text.isascii():
        return _APOSTROPHES.sub("", text.lower())
    text = unicodedata.normalize("NFKD", text.lower())
    text = _MARKS.sub("", text).translate(_SPECIAL)
    return _APOSTROPHES.sub("", text)


def latin_key(text: str) -> str:
    """The lookup key of a Latin name: folded letters only ("Sin Kiang" -> "sinkiang")."""
    return "".join(ch for ch in fold_latin(clean(text)) if "a" <= ch <= "z")


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None
