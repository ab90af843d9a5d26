"""locate(): every signal a record carries, combined into one Location.

Each signal points to Xinjiang, to elsewhere, or to nothing, with a weight in
[0, 1). Weights on one side combine as independent evidence (1 - prod(1 - w)).
A side at 0.5 or more decides; both sides at 0.5 or more is a "conflict" for a
person to review (a Shanghai address with a Xinjiang USCC), never a silent guess.
Neither side at 0.5 is "unknown": a lone ambiguous word ("Bole", "Aksu") does not decide.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import rigour.territories as territories

from flscreen.model.region import Location, Signal, Status
from flscreen.region.address import AddressReading, Mention, read_address, scan
from flscreen.region.gazetteer import Division, Gazetteer, load
from flscreen.region.identifiers import XJ_AREA_CODES, parse_phone, parse_postal, parse_uscc
from flscreen.region.text import clean, has_cjk

ALGORITHM = "region-v1"
DECIDE = 0.5


@dataclass(frozen=True, slots=True)
class LocateQuery:
    """One party or facility as a supplier file describes it."""

    id: str
    address: str | None = None
    postal_code: str | None = None
    phone: str | None = None
    registration_id: str | None = None
    name: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class _Country:
    china: bool | None
    """True: mainland China; False: anywhere else; None: not given or not recognised."""
    label: str
    xinjiang: bool = False


# "新 疆 乌 鲁 木 齐": spaces between Chinese characters carry no meaning.
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_CHINA_WORDS = re.compile(r"\b(china|prc|mainland)\b|中国|中华人民共和国|大陆")


@functools.lru_cache(maxsize=4096)
def _read_country(raw: str | None) -> _Country:
    if raw is None or not raw.strip():
        return _Country(None, "")
    text = clean(raw).strip()
    if len(text) > 80:  # not a country name; do not feed a page of text to the lookup
        return _Country(None, text[:80])
    territory = territories.lookup_territory(text)
    if territory is None and _CHINA_WORDS.search(text.lower()):
        territory = territories.get_territory("cn")
    if territory is None:
        return _Country(None, text)
    code = territory.code
    if code == "cn" or code.startswith("cn-"):
        return _Country(True, territory.name, xinjiang=code == "cn-xj")
    return _Country(False, territory.name)


def _weight(score: float) -> float:
    """Map a summed mention score to a weight: 0.3 -> 0.38, 0.6 -> 0.62, 1.0 -> 0.80."""
    return 1.0 - math.exp(-1.6 * score)


def _describe(div: Division) -> str:
    return div.display


def _address_signals(
    kind: str, value: str, reading: AddressReading, china: bool | None
) -> list[Signal]:
    """Turn one address reading into signals: the deciding side, and what it outweighed."""
    out: list[Signal] = []
    xj_score = reading.xinjiang_score
    if china is False and not reading.strong_xinjiang:
        # A weak token ("Aksu", "Altai") in a record from another country is a namesake.
        if reading.xinjiang is not None:
            out.append(
                Signal(
                    kind,
                    " / ".join(dict.fromkeys(reading.xinjiang_support)),
                    f"ignored: {reading.xinjiang.name} is a weak name and the record's "
                    "country is not China",
                )
            )
        xj_score = 0.0
    el_score = reading.elsewhere_score
    xj_names, el_names = set(reading.xinjiang_support), set(reading.elsewhere_support)
    if reading.xinjiang is not None and xj_score > 0 and el_score > 0:
        if xj_names <= el_names and el_score > xj_score:
            # The same words read better as a place elsewhere ("Xinjiang County,
            # Yuncheng, Shanxi" is 新绛县): one reading per word.
            out.append(_outweighed(kind, reading, toward_xj=True))
            xj_score = 0.0
        elif el_names <= xj_names and xj_score > el_score:
            out.append(_outweighed(kind, reading, toward_xj=False))
            el_score = 0.0
        elif reading.elsewhere_anchor and not reading.strong_xinjiang:
            # A province or country named outright outranks ambiguous Xinjiang words.
            out.append(
                Signal(
                    kind,
                    " / ".join(dict.fromkeys(reading.xinjiang_support)),
                    f"outweighed: {reading.xinjiang.name} is ambiguous and the address names "
                    f"{_elsewhere_label(reading)}",
                )
            )
            xj_score = 0.0
        elif el_score < 0.6 * xj_score:
            out.append(_outweighed(kind, reading, toward_xj=False))
            el_score = 0.0
        elif xj_score < 0.6 * el_score:
            out.append(_outweighed(kind, reading, toward_xj=True))
            xj_score = 0.0
    if reading.xinjiang is not None and xj_score > 0:
        div = reading.xinjiang
        out.append(
            Signal(
                kind,
                " / ".join(dict.fromkeys(reading.xinjiang_support)),
                f"names {_describe(div)} in Xinjiang"
                + (" (XPCC)" if div.xpcc else "")
                + f"; agreeing names: {len(set(reading.xinjiang_support))}",
                division_code=div.code,
                in_xinjiang=True,
                weight=round(_weight(xj_score), 3),
                xpcc=div.xpcc,
            )
        )
    if el_score > 0:
        div_el = reading.elsewhere
        code = div_el.code if div_el is not None and reading.foreign is None else None
        out.append(
            Signal(
                kind,
                " / ".join(dict.fromkeys(reading.elsewhere_support)),
                f"names {_elsewhere_label(reading)}, outside Xinjiang",
                division_code=code,
                in_xinjiang=False,
                weight=round(_weight(el_score), 3),
            )
        )
    used = set(reading.xinjiang_support) | set(reading.elsewhere_support)
    for m in reading.mentions:
        if m.generic and m.surface not in used:
            out.append(
                Signal(kind, m.surface, "a word every city has (a park or zone): names no place")
            )
        elif m.named_after and m.candidates:
            out.append(
                Signal(
                    kind,
                    m.surface,
                    f"{'park' if m.park else 'street, building or product'} named after "
                    f"{m.candidates[0][0].name}: not evidence of location",
                )
            )
    return out


def _elsewhere_label(reading: AddressReading) -> str:
    if reading.foreign is not None:
        return reading.foreign
    if reading.elsewhere is not None:
        return _describe(reading.elsewhere)
    return "a place outside Xinjiang"


def _outweighed(kind: str, reading: AddressReading, toward_xj: bool) -> Signal:
    """A reading that lost: reported so a reviewer sees what else the words could mean."""
    if toward_xj and reading.xinjiang is not None:
        words = " / ".join(dict.fromkeys(reading.xinjiang_support))
        return Signal(
            kind,
            words,
            f"outweighed: could be {reading.xinjiang.name} in Xinjiang, but "
            f"{_elsewhere_label(reading)} has more support",
        )
    words = " / ".join(dict.fromkeys(reading.elsewhere_support))
    lost = reading.elsewhere.name if reading.elsewhere is not None else "a place elsewhere"
    won = reading.xinjiang.name if reading.xinjiang is not None else "Xinjiang"
    return Signal(
        kind, words, f"outweighed: could be {lost} outside Xinjiang, but {won} has more support"
    )


def _uscc_signal(raw: str, gaz: Gazetteer) -> Signal:
    reading = parse_uscc(raw)
    if reading is None:
        return Signal("uscc", raw, "not a unified social credit code (18 characters); not used")
    if not reading.valid:
        return Signal("uscc", reading.code, "check character is wrong: the code is not trusted")
    div_code = reading.division
    if div_code.startswith("66"):
        return Signal(
            "uscc",
            reading.code,
            f"registered under code {div_code}: 66 is no province's code; the XPCC's "
            "own registration authorities use it",
            division_code="XPCC",
            in_xinjiang=True,
            weight=0.9,
            xpcc=True,
        )
    div = gaz.divisions.get(div_code)
    former = ""
    if div is None and div_code in gaz.historic:
        # Codes change (吐鲁番地区 652100 became 吐鲁番市 650400 in 2015); a USCC keeps
        # the code of the authority that issued it.
        name, current = gaz.historic[div_code]
        former = f"; {div_code} is the former code of {name}"
        div = gaz.divisions.get(current) if current else None
    div = div or gaz.divisions.get(div_code[:4] + "00") or gaz.divisions.get(div_code[:2] + "0000")
    if div is None:
        return Signal(
            "uscc",
            reading.code,
            f"registering division {div_code} is national or unknown; says nothing of place",
        )
    if div.xinjiang:
        return Signal(
            "uscc",
            reading.code,
            f"registered in {_describe(div)} (characters 3-8: {div_code}{former})",
            division_code=div.code,
            in_xinjiang=True,
            weight=0.9,
            xpcc=div.xpcc,
        )
    return Signal(
        "uscc",
        reading.code,
        f"registered in {_describe(div)}, outside Xinjiang (characters 3-8: {div_code})",
        division_code=div.code,
        in_xinjiang=False,
        weight=0.8,
    )


def _postal_signal(raw: str, china: bool | None, china_context: bool) -> Signal | None:
    code = parse_postal(raw)
    if code is None:
        return Signal("postal_code", raw, "not a six-digit postal code; not used")
    if china is False:
        return Signal("postal_code", code, "ignored: the record's country is not China")
    if code.startswith(("83", "84")):
        # Without a Chinese context 83xxxx/84xxxx is also India's Jharkhand and Bihar.
        weight = 0.6 if china_context else 0.4
        return Signal(
            "postal_code",
            code,
            "Xinjiang postal code (83xxxx-84xxxx)"
            + ("" if china_context else "; nothing else says China, so it counts for less"),
            in_xinjiang=True,
            weight=weight,
        )
    return Signal(
        "postal_code",
        code,
        "postal code outside Xinjiang's 83xxxx-84xxxx range",
        in_xinjiang=False,
        weight=0.4 if china_context else 0.2,
    )


def _phone_signal(raw: str, china: bool | None, china_context: bool, gaz: Gazetteer) -> Signal:
    reading = parse_phone(raw)
    if reading is None:
        return Signal("phone", raw, "too few digits for a telephone number; not used")
    if reading.kind == "foreign":
        return Signal("phone", raw, "international number outside China (+86 absent)")
    if china is False and not reading.explicit_china:
        return Signal("phone", raw, "ignored: the record's country is not China and no +86")
    if reading.kind == "mobile":
        return Signal("phone", raw, "mobile number: carries no region")
    sure = china_context or reading.explicit_china
    if reading.kind == "xinjiang" and reading.area_code is not None:
        code, label = XJ_AREA_CODES.get(reading.area_code, (None, "Xinjiang"))
        div = gaz.divisions.get(code) if code else None
        return Signal(
            "phone",
            raw,
            f"area code {reading.area_code} is {label}, Xinjiang",
            division_code=div.code if div else None,
            in_xinjiang=True,
            weight=0.6 if sure else 0.4,
            xpcc=bool(div and div.xpcc),
        )
    if reading.kind == "china_fixed":
        return Signal(
            "phone",
            raw,
            f"area code {reading.area_code} is outside Xinjiang",
            in_xinjiang=False,
            weight=0.45 if sure else 0.2,
        )
    return Signal("phone", raw, "no Chinese area code recognised")


_NAME_PAREN = re.compile(r"[（(]([^）)]{2,12})[）)]")
_XPCC_WORDS = re.compile(
    r"兵团|\bxpcc\b|\bbingtuan\b|production\s+and\s+construction\s+corp", re.IGNORECASE
)


def _name_signals(raw: str, gaz: Gazetteer) -> list[Signal]:
    """A Chinese company name starts with its place of registration (新疆华孚, Hotan Taida)."""
    text = clean(raw).strip()
    out: list[Signal] = []
    if _XPCC_WORDS.search(text):
        div = gaz.divisions["XPCC"]
        out.append(
            Signal(
                "name",
                raw,
                "names the XPCC (新疆生产建设兵团, Bingtuan)",
                division_code=div.code,
                in_xinjiang=True,
                weight=0.8,
                xpcc=True,
            )
        )
        return out
    head = re.sub(r"^(?:中国|中國|china\s+)", "", text, flags=re.IGNORECASE)
    mentions = scan(head[:24], gaz)
    first: Mention | None = None
    where = "begins with"
    for m in mentions:
        # Street rules do not apply to names: 新疆路桥 (Xinjiang Road & Bridge) is
        # a Xinjiang company, not a road.
        if m.candidates and m.start == 0 and not m.generic:
            first = m
            break
    if first is None:
        for paren in _NAME_PAREN.findall(text):
            inner = scan(paren, gaz)
            if inner and inner[0].candidates and inner[0].start == 0:
                first, where = inner[0], "names in brackets"
                break
    if first is None:
        return out + _name_inner_signal(text, gaz)
    div, strength = first.candidates[0]
    if div.depth >= 4:
        return out
    if div.xinjiang:
        if first.surface.isascii():
            # Pinyin brand names often equal a county's (Tuo Li shoes, 托里): only
            # a distinctive Latin name (Xinjiang, Hotan, Korla) counts as a place.
            weight = 0.6 if strength >= 0.85 else 0.3
        else:
            # Two characters (和硕, 喀什) are often a brand: 和硕 is Pegatron, in
            # Shanghai. A full or longer name (新疆, 阿克苏, 莎车县) decides.
            weight = 0.7 if strength >= 0.85 else 0.45 if strength >= 0.6 else 0.3
        out.append(
            Signal(
                "name",
                first.surface,
                f"company name {where} {_describe(div)}"
                + ("" if weight >= DECIDE else " (an ambiguous name: not enough alone)"),
                division_code=div.code,
                in_xinjiang=True,
                weight=weight,
                xpcc=div.xpcc,
            )
        )
    else:
        # A company named after another province may well run a plant in
        # Xinjiang (Sichuan Yongxiang's Fukang power station): a hint, never decisive.
        weight = 0.3
        out.append(
            Signal(
                "name",
                first.surface,
                f"company name {where} {_describe(div)}, outside Xinjiang",
                division_code=div.code,
                in_xinjiang=False,
                weight=weight,
            )
        )
    return out


def _name_inner_signal(text: str, gaz: Gazetteer) -> list[Signal]:
    """A distinctive Xinjiang name inside a company name (SDIC Xinjiang Lithium, China
    Cotton Group Xinjiang Cotton): the usual form of a subsidiary, but a hint only."""
    for m in scan(text, gaz):
        if m.named_after or not m.candidates:
            continue
        div, strength = m.candidates[0]
        if div.xinjiang and strength >= 0.85 and div.depth <= 3:
            return [
                Signal(
                    "name",
                    m.surface,
                    f"company name contains {_describe(div)} (a subsidiary's usual form; "
                    "not enough alone)",
                    division_code=div.code,
                    in_xinjiang=True,
                    weight=0.45,
                    xpcc=div.xpcc,
                )
            ]
    return []


def _combine(weights: list[float]) -> float:
    rest = 1.0
    for w in weights:
        rest *= 1.0 - w
    return 1.0 - rest


_PRIORITY = {"address": 0, "uscc": 1, "name": 2, "phone": 3, "postal_code": 4, "country": 5}


def locate(query: LocateQuery) -> Location:
    """Where the record says the party is, with every signal; pure and fast."""
    gaz = load()
    country = _read_country(query.country)
    signals: list[Signal] = []
    if country.label:
        if country.xinjiang:
            signals.append(
                Signal(
                    "country",
                    query.country or "",
                    "country field names Xinjiang",
                    "650000",
                    in_xinjiang=True,
                    weight=0.8,
                )
            )
        elif country.china is False:
            signals.append(
                Signal(
                    "country",
                    query.country or "",
                    f"record's country is {country.label}: China-only signals "
                    "(postal code, area code, weak place names) are not used",
                    in_xinjiang=False,
                    weight=0.8,
                )
            )
        elif country.china is None:
            signals.append(Signal("country", country.label, "country not recognised; not used"))
    china_context = country.china is True
    if query.address and query.address.strip():
        text = _CJK_GAP.sub("", clean(query.address))
        reading = read_address(text)
        china_context = (
            china_context
            or has_cjk(text)
            or (
                (reading.xinjiang is not None or reading.elsewhere is not None)
                and reading.foreign is None
            )
        )
        signals.extend(_address_signals("address", query.address, reading, country.china))
    if query.registration_id and query.registration_id.strip():
        uscc = _uscc_signal(query.registration_id, gaz)
        signals.append(uscc)
        china_context = china_context or uscc.in_xinjiang is not None
    if query.name and query.name.strip():
        if country.china is False:
            signals.append(Signal("name", query.name, "ignored: the record's country is not China"))
        else:
            signals.extend(_name_signals(query.name, gaz))
    if query.phone and query.phone.strip():
        signals.append(_phone_signal(query.phone, country.china, china_context, gaz))
    if query.postal_code and query.postal_code.strip():
        postal = _postal_signal(query.postal_code, country.china, china_context)
        if postal is not None:
            signals.append(postal)
    return _decide(query.id, signals, gaz)


def _decide(record_id: str, signals: list[Signal], gaz: Gazetteer) -> Location:
    yes = [s for s in signals if s.in_xinjiang is True]
    no = [s for s in signals if s.in_xinjiang is False]
    p_yes = _combine([s.weight for s in yes])
    p_no = _combine([s.weight for s in no])
    status: Status
    if p_yes >= DECIDE and p_no >= DECIDE:
        status, in_xj, confidence, side = "conflict", None, min(p_yes, p_no), yes
    elif p_yes >= DECIDE:
        status, in_xj, side = "xinjiang", True, yes
        confidence = p_yes * (1.0 - p_no)
    elif p_no >= DECIDE:
        status, in_xj, side = "elsewhere", False, no
        confidence = p_no * (1.0 - p_yes)
    else:
        status, in_xj, confidence = "unknown", None, 0.0
        side = yes if p_yes >= p_no else no
    division: Division | None = None
    for s in sorted(side, key=lambda s: (_PRIORITY.get(s.kind, 9), -s.weight)):
        if s.division_code and s.division_code in gaz.divisions:
            division = gaz.divisions[s.division_code]
            break
    xpcc = any(s.xpcc for s in yes) and status in {"xinjiang", "conflict"}
    return Location(
        id=record_id,
        in_xinjiang=in_xj,
        status=status,
        confidence=round(min(confidence, 0.999), 3),
        division_code=division.code if division else None,
        division_name=division.display if division else None,
        xpcc=xpcc,
        signals=tuple(signals),
    )
