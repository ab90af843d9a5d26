"""A small stand-in for matching and region so supply and trace tests do not depend on them.

The rules are deliberately simple and visible: exact (case-folded) name or
alias equality against a few real listed names; 'Xinjiang' read from
obvious address words. Behaviour of the real modules is tested in their own
suites and by tests/supply/test_annotate_real.py.
"""

from __future__ import annotations

from flscreen.model.supply import ListHitFact, LocationFact
from flscreen.supply.annotate import Annotator, Subject

LISTED = {
    # name (case-folded) -> (entry id, list, primary name)
    "aksu huafu color spinning co., ltd.": (
        "uflpa-aksu-huafu",
        "uflpa",
        "Aksu Huafu Color Spinning Co., Ltd.",
    ),
    "huafu fashion co., ltd.": ("uflpa-huafu-fashion", "uflpa", "Huafu Fashion Co."),
    "hoshine silicon industry (shanshan) co., ltd": (
        "uflpa-hoshine-shanshan",
        "uflpa",
        "Hoshine Silicon Industry (Shanshan) Co., Ltd",
    ),
    "xinjiang daqo new energy co., ltd.": (
        "uflpa-daqo",
        "uflpa",
        "Xinjiang Daqo New Energy Co., Ltd.",
    ),
}
POSSIBLE = {
    "huafu holdings (hong kong) ltd.": ("uflpa-huafu-fashion", "uflpa", "Huafu Fashion Co."),
}
XJ_WORDS = ("新疆", "xinjiang", "urumqi", "乌鲁木齐")
XPCC_WORDS = ("石河子", "兵团", "一四三团", "shihezi")


def fake_match(subject: Subject) -> list[ListHitFact]:
    hits = []
    for name in (subject.name, *subject.aliases):
        key = name.casefold()
        for table, status, score in ((LISTED, "match", 0.97), (POSSIBLE, "possible", 0.7)):
            if key in table:
                entry_id, list_name, primary = table[key]
                hits.append(
                    ListHitFact(entry_id, list_name, 3, primary, name, score, status)  # type: ignore[arg-type]
                )
    return hits[:1]


def fake_locate(subject: Subject) -> LocationFact | None:
    text = (subject.address or "").casefold()
    if not text:
        return LocationFact("unknown")
    if any(w in text for w in XJ_WORDS):
        xpcc = any(w in text for w in XPCC_WORDS)
        return LocationFact("xinjiang", xpcc, "65", "新疆维吾尔自治区", 0.9, (f"address: {text}",))
    return LocationFact("elsewhere", False, None, None, 0.8, ())


FAKE = Annotator(fake_match, fake_locate, ("uflpa@3",), "fake-matcher-v1", "fake-region-v1")
