"""Find the divisions an address names, in Chinese or English order, and pick the best reading.

Scanning is dictionary lookup, not a loop over names: Chinese text is matched
greedily (longest key first) at each character that starts a key; Latin text is
tokenised and runs of up to five tokens are joined and looked up ("Wu Lu Mu Qi"
and "Urumqi" meet as "wulumuqi" and "urumqi"). Each mention keeps every
division it may name; the reading chosen is the one most other mentions agree
with (a county and its prefecture support each other), so word order does not
matter and a province named elsewhere outweighs a lone street name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import rigour.territories as territories

from flscreen.region.gazetteer import Candidate, Division, Gazetteer, cn_number, load
from flscreen.region.text import fold_latin

# What may follow a place name to make it a street, a building or a product
# named after the place (乌鲁木齐中路 in Shanghai, 新疆路 in Qingdao, 和田玉 jade).
_ZH_STREET_AFTER = re.compile(
    r"^[东西南北中]?[一二三四五六七八九十]?(?:路|街|大街|大道|巷|弄|胡同|里弄)"
    r"|^(?:大厦|饭店|酒店|宾馆|餐厅|餐馆|菜馆|办事处|驻)"
)
# Products named after a place (和田玉 jade, 若羌红枣 dates) follow a bare name,
# never a full one: 新和县玉奇喀特乡 is a township, not jade.
_ZH_PARK_AFTER = re.compile(r"^(?:工业园|产业园|园区|科技园|援疆|经济开发区|开发区)")
_ZH_PRODUCT_AFTER = re.compile(r"^(?:玉|大枣|红枣|枣|棉花)")
# Words every city has (工业园区, 开发区, 经济技术开发区): a few townships are
# registered under such a bare name (于田县's and 阿拉尔市's 工业园区), so the word
# alone would place an address in a town it never named. Never a place on its
# own; at most the park of a city the address names (see _refine_generic).
_ZH_GENERIC = re.compile(
    r"^[东西南北中]?(?:国家级?|省级|自治区级?)?"
    r"(?:经济技术|高新技术产业|高新技术|高新|经济|工业|轻工业|产业|特色产业|科技|农业科技|物流"
    r"|农业|现代农业|新材料|综合保税|保税|出口加工|化工|循环经济)*"
    r"(?:开发区|园区|工业园区|工业园|产业园|科技园|新区|工业区|经济区|经济新区|开发园区)"
    r"(?:街道|街道办事处|管委会|管理委员会|生活区)?$"
)
# Endings of full division names; not 州 alone, which ends 杭州 and 广州 too.
_ZH_ADMIN_END = (*"省市县区旗镇乡盟团场", "自治州")
_LATIN_DIRECTIONS = frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "middle",
        "mid",
        "central",
        "n",
        "s",
        "e",
        "w",
        "zhong",
        "bei",
        "nan",
        "dong",
        "xi",
        "upper",
        "lower",
        "1st",
        "2nd",
        "3rd",
        "4th",
        "first",
        "second",
        "third",
    ]
)
_LATIN_STREETS = frozenset(
    [
        "road",
        "rd",
        "street",
        "st",
        "str",
        "avenue",
        "ave",
        "av",
        "lu",
        "jie",
        "dajie",
        "dadao",
        "lane",
        "ln",
        "boulevard",
        "blvd",
        "alley",
        "hutong",
        "zhonglu",
        "beilu",
        "nanlu",
        "donglu",
        "xilu",
        "restaurant",
        "hotel",
        "building",
        "mansion",
        "plaza",
        "melon",  # products named after a place: Hami melon, Hotan jade
        "melons",
        "jade",
    ]
)
# Words after a name that say which kind of division it is ("Aksu Prefecture").
_LATIN_ADMIN = {
    "city": {"prefecture", "county"},
    "shi": {"prefecture", "county"},
    "county": {"county"},
    "xian": {"county"},
    "prefecture": {"prefecture"},
    "region": {"prefecture", "province"},
    "diqu": {"prefecture"},
    "zhou": {"prefecture"},
    "district": {"county", "prefecture"},
    "qu": {"county"},
    "province": {"province"},
    "sheng": {"province"},
    "autonomous": {"prefecture", "county", "province"},
}
_LATIN_PARK = frozenset(("industrial", "park", "zone", "aid", "economic", "science", "hi"))
# Latin words of a park's name ("Gongye Yuanqu", "Industrial Park"): "yuanqu"
# is also 垣曲县's pinyin, but after "gongye" it is a park, not that county.
_LATIN_GENERIC = frozenset(
    (
        *("industrial", "industry", "park", "development", "zone", "economic", "and"),
        *("technological", "technology", "hi", "high", "tech", "new", "area", "science"),
        *("free", "trade", "export", "processing", "bonded", "logistics", "kaifa", "kaifaqu"),
        *("gongye", "yuan", "yuanqu", "qu", "gaoxin", "jingji", "jishu", "chanye", "keji"),
        *("wuliu", "nongye", "xinqu", "zonghe", "baoshui"),
    )
)
_LATIN_LOWER = frozenset(("town", "township", "village", "zhen", "xiang", "cun", "community"))
_LATIN_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_WORD = re.compile(f"[{_LATIN_LETTERS}]+(?:['’][{_LATIN_LETTERS}]+)*|\\d+")
_HAS_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_HAS_LATIN = re.compile(r"[A-Za-z]")
_HAS_ARABIC = re.compile(r"[\u0600-\u06ff]")

# Country names that may appear inside an address; two-letter codes and names
# that are also ordinary words or US states are left out on purpose.
_NOT_COUNTRY_WORDS = frozenset({"georgia", "jersey", "chad", "jordan", "china", "guinea"})


@functools.cache
def _foreign_countries() -> dict[str, str]:
    """Folded key -> English name for every country except China (rigour's territories)."""
    out: dict[str, str] = {}
    for t in territories.get_territories():
        if not t.is_country or t.code.startswith("cn") or t.code in {"hk", "mo", "tw"}:
            continue
        for name in {t.name, t.full_name}:
            key = "".join(ch for ch in fold_latin(name) if "a" <= ch <= "z")
            if len(key) >= 4 and key not in _NOT_COUNTRY_WORDS:
                out[key] = t.name
    for extra, name in {
        "usa": "United States",
        "unitedstates": "United States",
        "uk": "United Kingdom",
        "russia": "Russia",
        "southkorea": "South Korea",
        "vietnam": "Vietnam",
        "turkiye": "Turkey",
    }.items():
        out[extra] = name
    return out


_ZH_FOREIGN = {
    "哈萨克斯坦": "Kazakhstan",
    "吉尔吉斯斯坦": "Kyrgyzstan",
    "俄罗斯": "Russia",
    "蒙古国": "Mongolia",
    "乌兹别克斯坦": "Uzbekistan",
    "塔吉克斯坦": "Tajikistan",
    "巴基斯坦": "Pakistan",
    "越南": "Vietnam",
    "孟加拉": "Bangladesh",
    "柬埔寨": "Cambodia",
    "印度尼西亚": "Indonesia",
    "马来西亚": "Malaysia",
    "泰国": "Thailand",
    "土耳其": "Turkey",
    "美国": "United States",
    "日本": "Japan",
    "韩国": "South Korea",
}

_ZH_FOREIGN_RE = re.compile("|".join(_ZH_FOREIGN))
_JAPANESE = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]+|県|東京都|大阪府|京都府|北海道")

_ORDINALS = {
    w: i
    for i, w in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
        ],
        start=1,
    )
}
_PINYIN_NUMBERS = {
    "yi": 1,
    "er": 2,
    "san": 3,
    "si": 4,
    "wu": 5,
    "liu": 6,
    "qi": 7,
    "ba": 8,
    "jiu": 9,
    "shi": 10,
    "shiyi": 11,
    "shier": 12,
    "shisan": 13,
    "shisi": 14,
}
_ZH_DIVISION = re.compile(r"(?:第|农)([一二三四五六七八九十]{1,3})师(?![范傅生兄姐弟妹长])")
_ZH_REGIMENT = re.compile(
    r"(?<![集社剧乐])([一二三四五六七八九十零〇]{2,4}|\d{2,3})团(?![结队委体购伙聚员长部拜])"
)
_LATIN_REGIMENT = re.compile(
    r"\b(?:(\d{1,3})(?:st|nd|rd|th)?\s*(regiment|tuan)|(regiment|tuan)\s*(?:no\.?\s*)?(\d{1,3}))\b"
)
_LATIN_DIVISION = re.compile(
    r"\b(?:(\d{1,2})(?:st|nd|rd|th)|(" + "|".join(_ORDINALS) + r"))\s+(agricultural\s+)?division\b"
    r"|\bagricultural\s+division\s+(?:no\.?\s*)?(\d{1,2})\b"
    r"|\bnong\s?(" + "|".join(sorted(_PINYIN_NUMBERS, key=len, reverse=True)) + r")\s?shi\b"
)


@dataclass(slots=True)  # not frozen: built several times per record, and never shared
class Mention:
    """A stretch of the address that may name a division (or a foreign country)."""

    surface: str
    candidates: tuple[Candidate, ...]
    named_after: bool = False
    """Part of a street, building or product name: reported, never counted."""
    foreign: str | None = None
    """A non-Chinese country named in the text."""
    rule: str = "name"
    start: int = 0
    """Offset of the surface in the scanned text."""
    norm: str = ""
    """The surface as looked up (folded Latin letters, or the Chinese key)."""
    park: bool = False
    """Followed by "Industrial Park"/工业园: inside Xinjiang such parks are named
    after the province or city that funds them (Shenzhen Industrial Park, Kashgar)."""
    generic: bool = False
    """A word every city has (工业园区, "Gongye Yuanqu"): never counted as a place."""


@dataclass(frozen=True, slots=True)
class AddressReading:
    """The outcome for one text: the best reading on each side, with its support."""

    xinjiang: Division | None
    xinjiang_score: float
    xinjiang_support: tuple[str, ...]
    elsewhere: Division | None
    elsewhere_score: float
    elsewhere_support: tuple[str, ...]
    foreign: str | None
    mentions: tuple[Mention, ...]
    strong_xinjiang: bool
    """The Xinjiang side rests on at least one unambiguous name (not only "Aksu")."""
    elsewhere_anchor: bool
    """The other side names a province, prefecture or country outright."""


def scan(text: str, gaz: Gazetteer | None = None) -> list[Mention]:
    """Every mention in a cleaned text (see text.clean), Chinese and Latin."""
    gaz = gaz or load()
    out: list[Mention] = []
    if _HAS_CJK.search(text) or _HAS_ARABIC.search(text):
        out.extend(_scan_zh(text, gaz))
    if _HAS_LATIN.search(text):
        out.extend(_scan_latin(text, gaz))
    return out


def _scan_zh(text: str, gaz: Gazetteer) -> list[Mention]:
    out: list[Mention] = []
    spans: list[tuple[int, int]] = []
    zh, lengths = gaz.zh, gaz.zh_lengths
    i, n = 0, len(text)
    while i < n:
        options = lengths.get(text[i])
        if not options:
            i += 1
            continue
        end = 0
        for length in options:
            if i + length > n:
                continue  # the text ends first: text[i : i + length] would repeat a shorter key
            key = text[i : i + length]
            cands = zh.get(key)
            if cands is None or (end and not key.endswith(_ZH_ADMIN_END)):
                continue
            if _is_arabic_letter(key[0]) and (
                (i > 0 and _is_arabic_letter(text[i - 1]))
                or (i + length < n and _is_arabic_letter(text[i + length]))
            ):
                continue  # Uyghur names match whole words only
            if not key.endswith(_ZH_ADMIN_END):
                # 乌鲁木齐中路, 新疆路, 和田玉: a bare name followed by a street or
                # product word. A full name (奎屯市东路街道) is never a street's.
                after = text[i + length : i + length + 4]
                named_after = bool(_ZH_STREET_AFTER.match(after) or _ZH_PRODUCT_AFTER.match(after))
                park = bool(_ZH_PARK_AFTER.match(after))
            else:
                named_after = park = False
            generic = _ZH_GENERIC.match(key) is not None
            out.append(
                Mention(key, cands, named_after, start=i, norm=key, park=park, generic=generic)
            )
            spans.append((i, i + length))
            end = end or i + length
            if cands[0][1] > 0.3:
                break
            # A township's full name may begin with its county's (达坂城区盐湖街道):
            # keep looking for a shorter full name (达坂城区, not 杭州 in 杭州路街道).
        i = end or i + 1
    for found in _ZH_FOREIGN_RE.finditer(text):
        name = found.group(0)
        out.append(Mention(name, (), foreign=_ZH_FOREIGN[name], start=found.start(), norm=name))
    japanese = _JAPANESE.search(text)
    if japanese:
        # Kana or 県 (Chinese writes 县/縣): a Japanese address, where 和田 is Wada.
        out.append(Mention(japanese.group(0), (), foreign="Japan", start=japanese.start()))
    for m in _ZH_DIVISION.finditer(text) if "师" in text else ():
        number = cn_number(m.group(1))
        div = gaz.xpcc_divisions.get(number) if number else None
        if div is not None and not _inside(m.span(), spans):
            out.append(Mention(m.group(0), ((div, 0.8),), rule="xpcc_division", start=m.start()))
    for m in _ZH_REGIMENT.finditer(text) if "团" in text else ():
        number = cn_number(m.group(1))
        if number is None or _inside(m.span(), spans):
            continue
        regs = gaz.regiments.get(number, ())
        if regs:
            cands = tuple((r, 0.8) for r in regs)
            out.append(Mention(m.group(0), cands, rule="regiment", start=m.start()))
    return out


def _is_arabic_letter(ch: str) -> bool:
    return "\u0620" <= ch <= "\u06ff"


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


@functools.cache
def _latin_index() -> tuple[dict[str, tuple[tuple[Candidate, ...], str | None]], frozenset[str]]:
    """Place keys and country keys in one dict, plus every prefix of a key.

    The prefix set lets the scanner stop extending a run of tokens as soon as
    no key can start that way, so most words cost one set lookup.
    """
    index: dict[str, tuple[tuple[Candidate, ...], str | None]] = {}
    for key, country in _foreign_countries().items():
        index[key] = ((), country)
    for key, cands in load().latin.items():
        index[key] = (cands, None)
    prefixes = {key[:n] for key in index for n in range(1, len(key) + 1)}
    return index, frozenset(prefixes)


_SUFFIX_AT_END = re.compile(
    r"(?:shi|xian|qu|city|county|diqu|zhou|sheng|province|zhen|lu|road|jie|street)\b"
)


def _has_glued(low: str) -> bool:
    """Whether some word ends in a suffix after four letters (cheap test before splitting)."""
    for m in _SUFFIX_AT_END.finditer(low):
        start = m.start()
        if start >= 4 and low[start - 4 : start].isalpha():
            return True
    return False


_GLUED = re.compile(
    r"^([a-z]{4,}?)(shi|xian|qu|city|county|diqu|zhou|sheng|province|zhen|lu|road|jie|street)$"
)


def _tokens(
    text: str, index: Mapping[str, object], prefixes: frozenset[str]
) -> tuple[list[str], list[tuple[int, int]]]:
    """Folded words of ``text`` and their spans in it, so evidence quotes the original.

    A suffix written onto a name is split off (URUMQISHI -> urumqi shi,
    XINJIANGLU -> xinjiang lu); both parts keep the word's span.
    """
    low = text.lower()
    if text.isascii() and not _has_glued(low):
        # The common case, kept to few calls: lower-casing keeps offsets.
        found = list(_WORD.finditer(low))
        words = [m.group() for m in found]
        tokens = [w.replace("'", "") for w in words] if "'" in low else words
        return tokens, [m.span() for m in found]
    if text.isascii():
        pairs = [(m.group(0).replace("'", ""), m.span()) for m in _WORD.finditer(low)]
    else:
        pairs = [(fold_latin(m.group(0)), m.span()) for m in _WORD.finditer(text)]
    out_tokens: list[str] = []
    out_spans: list[tuple[int, int]] = []
    for token, span in pairs:
        if len(token) > 5 and token not in prefixes and token[:4] in prefixes:
            glued = _GLUED.match(token)
            if glued and glued.group(1) in index:
                out_tokens.extend(glued.groups())
                out_spans.extend((span, span))
                continue
        out_tokens.append(token)
        out_spans.append(span)
    return out_tokens, out_spans


def _scan_latin(text: str, gaz: Gazetteer) -> list[Mention]:
    index, prefixes = _latin_index()
    tokens, spans = _tokens(text, index, prefixes)
    out: list[Mention] = []
    i, n = 0, len(tokens)
    while i < n:
        if tokens[i] not in prefixes:  # most words start no name (digits never do)
            i += 1
            continue
        joined = ""
        hit: tuple[int, tuple[tuple[Candidate, ...], str | None]] | None = None
        for j in range(i, min(n, i + gaz.latin_max_tokens)):
            token = tokens[j]
            if token.isdigit():
                break
            joined += token
            if joined not in prefixes:
                break
            entry = index.get(joined)
            if entry is not None:
                hit = (j + 1, entry)
        if hit is None:
            i += 1
            continue
        j, (cands, country) = hit
        begin, finish = spans[i][0], spans[j - 1][1]
        surface, norm = text[begin:finish], "".join(tokens[i:j])
        if country is not None:
            out.append(Mention(surface, (), foreign=country, start=begin, norm=norm))
        elif _latin_generic(tokens, i, j):
            out.append(Mention(surface, (), start=begin, norm=norm, generic=True))
        else:
            nxt = tokens[j : j + 2]
            named_after = bool(nxt) and (
                nxt[0] in _LATIN_STREETS
                or (nxt[0] in _LATIN_DIRECTIONS and len(nxt) > 1 and nxt[1] in _LATIN_STREETS)
            )
            if not named_after and nxt and nxt[0] in _LATIN_LOWER:
                # "Panjin Town" is a township, not 盘锦市: a county or larger reading
                # of the same word counts for half.
                cands = tuple((d, s * 0.5 if d.depth <= 3 else s) for d, s in cands)
            elif not named_after and nxt and nxt[0] in _LATIN_ADMIN:
                levels = _LATIN_ADMIN[nxt[0]]
                # "Aksu Prefecture": the suffix fits the division, so it is
                # more than a bare word; it still cannot beat a province named.
                # A weak word ("Aksu": also Aksu District in Kazakhstan) gains a
                # little, never enough to decide alone.
                cands = tuple(
                    (d, max(s, min(0.4 if s <= 0.3 else 0.8, s + 0.3)))
                    if d.level in levels and s > 0.2
                    else (d, s)
                    for d, s in cands
                )
            park = bool(nxt) and nxt[0] in _LATIN_PARK
            out.append(Mention(surface, cands, named_after, start=begin, norm=norm, park=park))
        i = j
    # The number rules read lower-cased text; offsets stay those of ``text`` when
    # it is ASCII, else the folded form is quoted.
    folded = text.lower() if text.isascii() else fold_latin(text)
    has_regiment = "regiment" in folded or "tuan" in folded
    for m in _LATIN_REGIMENT.finditer(folded) if has_regiment else ():
        reg_number = int(m.group(1) or m.group(4))
        regs = gaz.regiments.get(reg_number, ())
        strength = 0.7 if (m.group(2) or m.group(3)) == "tuan" else 0.6
        if regs and reg_number >= 10:
            cands = tuple((r, strength) for r in regs)
            out.append(Mention(_quote(text, folded, m), cands, rule="regiment", start=m.start()))
    has_division = "division" in folded or "nong" in folded
    for m in _LATIN_DIVISION.finditer(folded) if has_division else ():
        if m.group(5):
            number: int | None = _PINYIN_NUMBERS[m.group(5)]
            strength = 0.8
        else:
            raw = m.group(1) or m.group(4)
            number = int(raw) if raw else _ORDINALS.get(m.group(2) or "")
            agricultural = bool(m.group(3)) or bool(m.group(4))
            strength = 0.8 if agricultural else 0.35
        div = gaz.xpcc_divisions.get(number) if number else None
        if div is not None:
            out.append(
                Mention(
                    _quote(text, folded, m),
                    ((div, strength),),
                    rule="xpcc_division",
                    start=m.start(),
                )
            )
    return out


def _latin_generic(tokens: list[str], i: int, j: int) -> bool:
    """Whether tokens[i:j] are park words next to another park word ("Gongye Yuanqu"),
    and not followed by a division word ("Yuanqu County" is 垣曲县)."""
    if not all(t in _LATIN_GENERIC for t in tokens[i:j]):
        return False
    if j < len(tokens) and tokens[j] in _LATIN_ADMIN:
        return False
    return (i > 0 and tokens[i - 1] in _LATIN_GENERIC) or (
        j < len(tokens) and tokens[j] in _LATIN_GENERIC
    )


def _quote(text: str, folded: str, m: re.Match[str]) -> str:
    """The matched stretch as written, when offsets allow; else as folded."""
    return text[m.start() : m.end()] if len(text) == len(folded) else m.group(0)


def _related(a: Division, b: Division) -> bool:
    """One contains the other, or both belong to the XPCC (a division and its regiment)."""
    return a.code in b.lineage or b.code in a.lineage or (a.xpcc and b.xpcc)


MAX_MENTIONS = 40


def _drop_donor_parks(mentions: list[Mention]) -> list[Mention]:
    """With a Xinjiang place named, a park named after another province is a
    pairing-assistance park (上海工业园, Guangdong Industrial Park), not that province."""
    xj_named = any(
        not m.park and not m.named_after and any(d.xinjiang and s >= 0.6 for d, s in m.candidates)
        for m in mentions
    )
    if not xj_named:
        return mentions
    return [
        replace(m, named_after=True)
        if m.park and not any(d.xinjiang for d, _ in m.candidates)
        else m
        for m in mentions
    ]


# A scored reading: (score, division, supporting surfaces, anchored).
_Scored = tuple[float, Division, tuple[str, ...], bool]


def _score(counted: list[Mention]) -> dict[bool, list[_Scored]]:
    """Every candidate that may stand, scored by the mentions that agree with it, per side."""
    out: dict[bool, list[_Scored]] = {True: [], False: []}
    for idx, m in enumerate(counted):
        for div, strength in m.candidates:
            score = strength
            support = [m.surface]
            anchored = strength >= 0.6
            code, lineage, xpcc = div.code, div.lineage, div.xpcc
            seen = {m.norm}
            for jdx, other in enumerate(counted):
                if jdx == idx:
                    continue
                # The same word again right after ("Aksu, Aksu": city, then
                # prefecture) is the Chinese address form, but not independent
                # evidence: half weight; further away ("Greater Bay ... Shenzhen
                # Bay") it is just a word used twice.
                if other.norm in seen:
                    if abs(jdx - idx) != 1:
                        continue
                    repeat = 0.5
                else:
                    repeat = 1.0
                agree = 0.0
                for d, s in other.candidates:
                    if s > agree and (d.code in lineage or code in d.lineage or (xpcc and d.xpcc)):
                        agree = s
                if agree > 0:
                    score += agree * repeat
                    support.append(other.surface)
                    seen.add(other.norm)
                    anchored = anchored or agree >= 0.6
            if strength <= 0.3 and not anchored and div.depth >= 4:
                continue  # a township or small regiment alone does not place anything
            if strength <= 0.2 and len(support) == 1:
                continue  # a namesake reading nothing else supports (新绛 for "Xinjiang")
            if strength < 0.5 and len(support) == 1 and not div.xinjiang:
                # A county's pinyin alone elsewhere ("Huadian", 桦甸) is mostly a
                # brand or a word; it may support a chain, never start one.
                continue
            out[div.xinjiang].append((score, div, tuple(support), anchored))
    return out


def _named(counted: list[Mention], side: bool) -> list[tuple[Division, ...]]:
    """For each mention that names a division on this side outright, the divisions it may be."""
    out: list[tuple[Division, ...]] = []
    for m in counted:
        strong = tuple(d for d, s in m.candidates if s >= 0.6 and d.xinjiang is side)
        if strong:
            out.append(strong)
    return out


def _consistent(div: Division, named: list[tuple[Division, ...]]) -> bool:
    """Whether ``div`` lies on one line with some reading of every division named."""
    return all(any(_related(div, d) for d in options) for options in named)


def _choose(entries: list[_Scored], named: list[tuple[Division, ...]]) -> _Scored | None:
    """The best reading that every division the text names agrees with, as deep as named.

    The highest score wins (on a tie a deeper division refines a related one:
    莎车县 under 喀什地区; an unrelated namesake does not displace it: 南京 stays,
    not 南靖县). A winner that contradicts a division the text names (a park in
    another city) gives way to the best reading that does not. A named division
    under the winner that contradicts nothing named is then taken: "喀什地区
    疏附县" is the county, however much other words support the prefecture.
    """
    best: _Scored | None = None
    for entry in entries:
        if (
            best is None
            or entry[0] > best[0] + 1e-9
            or (
                entry[0] > best[0] - 1e-9
                and entry[1].depth > best[1].depth
                and best[1].code in entry[1].lineage
            )
        ):
            best = entry
    if best is None or not named:
        return best
    if not _consistent(best[1], named):
        fitting = [e for e in entries if _consistent(e[1], named)]
        if not fitting:
            return best  # the text names places that exclude each other: keep the best
        best = max(fitting, key=lambda e: e[0])
    named_codes = {d.code for options in named for d in options}
    top = best[1]
    deeper = [
        e
        for e in entries
        if e[1].depth > top.depth
        and top.code in e[1].lineage
        and e[1].code in named_codes
        and _consistent(e[1], named)
    ]
    if deeper:
        best = max(deeper, key=lambda e: (e[1].depth, e[0]))
    return best


def _refine_generic(chosen: _Scored, mentions: list[Mention]) -> _Scored:
    """A generic word right under the division chosen names that division's park
    (阿拉尔市工业园区); anywhere else it names nothing."""
    under = {
        d.code: (d, m.surface)
        for m in mentions
        if m.generic and not m.named_after
        for d, _ in m.candidates
        if d.parent == chosen[1].code
    }
    if len(under) != 1:
        return chosen
    div, surface = next(iter(under.values()))
    return (chosen[0], div, (*chosen[2], surface), chosen[3])


def resolve(mentions: list[Mention]) -> AddressReading:
    """Score every candidate by the mentions that agree with it; best per side."""
    if any(m.park for m in mentions):
        mentions = _drop_donor_parks(mentions)
    # Scoring compares every pair of mentions; an address has a handful, so a
    # pasted document is cut to its first MAX_MENTIONS rather than slow a batch.
    counted = [m for m in mentions if not m.named_after and not m.generic and m.candidates][
        :MAX_MENTIONS
    ]
    foreign = next((m.foreign for m in mentions if m.foreign), None)
    scored = _score(counted)
    # A side with one reading has nothing to choose between: no consistency to check.
    xj_entries, el_entries = scored[True], scored[False]
    xj = _choose(xj_entries, _named(counted, True) if len(xj_entries) > 1 else [])
    el = _choose(el_entries, _named(counted, False) if len(el_entries) > 1 else [])
    if xj is not None and any(m.generic for m in mentions):
        xj = _refine_generic(xj, mentions)
    el_score = el[0] if el else 0.0
    el_anchor = False
    if el is not None:
        el_anchor = any(
            s >= 0.85 and d.depth <= 3
            for m in counted
            for d, s in m.candidates
            if m.surface in el[2] and not d.xinjiang
        )
    if foreign is not None:
        el_score = max(el_score, 0.9)
        el_anchor = True
    strong_xj = False
    if xj is not None:
        # Only a distinctive name (新疆, Kashgar, Korla) stands against a province or
        # country named outright; "Kashi", "Khorgos" or "Aksu" do not.
        strong_xj = any(
            s >= 0.85 for m in counted for d, s in m.candidates if d.xinjiang and m.surface in xj[2]
        )
    return AddressReading(
        xinjiang=xj[1] if xj else None,
        xinjiang_score=xj[0] if xj else 0.0,
        xinjiang_support=xj[2] if xj else (),
        elsewhere=el[1] if el else None,
        elsewhere_score=el_score,
        elsewhere_support=el[2] if el else ((foreign,) if foreign else ()),
        foreign=foreign,
        mentions=tuple(mentions),
        strong_xinjiang=strong_xj,
        elsewhere_anchor=el_anchor,
    )


def read_address(text: str) -> AddressReading:
    """Scan and resolve a cleaned address text."""
    return resolve(scan(text))
