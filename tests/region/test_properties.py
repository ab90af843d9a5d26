"""Property tests: locate never raises, whatever text a supplier file holds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flscreen.region import LocateQuery, locate
from flscreen.region.text import latin_key

# Mix arbitrary Unicode with the characters that matter here (CJK place names,
# digits, road words) so the scanner's interesting paths are reached.
pieces = st.sampled_from(
    [
        "新疆",
        "乌鲁木齐",
        "路",
        "团",
        "一四三",
        "第八师",
        "Urumqi",
        " Road",
        "Aksu",
        "+86",
        "0991",
        "83",
        "上海市",
        "Kazakhstan",
        "143rd Regiment",
        "（",
        "）",
        "\u200b",
        "ｘ",
    ]
)
texts = st.one_of(st.text(max_size=80), st.lists(pieces, max_size=12).map("".join))
maybe = st.one_of(st.none(), texts)


@settings(max_examples=300, deadline=None)
@given(address=maybe, postal=maybe, phone=maybe, reg=maybe, name=maybe, country=maybe)
def test_locate_never_raises(
    address: str | None,
    postal: str | None,
    phone: str | None,
    reg: str | None,
    name: str | None,
    country: str | None,
) -> None:
    loc = locate(LocateQuery("p", address, postal, phone, reg, name, country))
    assert loc.status in {"xinjiang", "elsewhere", "unknown", "conflict"}
    assert 0.0 <= loc.confidence < 1.0
    assert (loc.in_xinjiang is True) == (loc.status == "xinjiang")
    assert (loc.in_xinjiang is False) == (loc.status == "elsewhere")


@given(st.text(max_size=40))
def test_latin_key_is_idempotent(text: str) -> None:
    assert latin_key(latin_key(text)) == latin_key(text)
