"""Benchmark flscreen.region.locate against cpca and jionlp on a labelled set from real data.

The set is composed from ../shared/data (never copied into the repo):
- positives: every Xinjiang township and XPCC regiment (xinjiang_townships.csv)
  written as an address in Chinese or English order, simplified or traditional,
  with or without the region name, half- or full-width digits; the BuzzFeed
  detention-facility list's towns and prefectures; the SHU machine-translated
  company addresses; the GEM coal-plant units with their sponsors;
- negatives: the Open Supply Hub fixture suppliers (with their country field)
  and every county of China outside Xinjiang written the same ways, one in
  eight on a street named after a Xinjiang place (新疆路, Urumqi Road...);
- traps: hand-written cases of every kind in the brief.

Accuracy is binary: status "xinjiang" against the label. The peers read the
address text only (no USCC, phone or country), so flscreen is also scored on
the address alone. Run: nice -n 10 .venv/bin/python bench/region.py
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import opencc

from flscreen.region import LocateQuery, locate
from flscreen.region.gazetteer import cn_number, load
from flscreen.region.identifiers import USCC_ALPHABET, uscc_check_char

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
XJ_PROVINCE = "新疆维吾尔自治区"


@dataclass(frozen=True)
class Case:
    query: LocateQuery
    label: bool
    source: str


STREETS = [
    ("人民路", "Renmin Road"),
    ("解放北路", "Jiefang North Road"),
    ("团结路", "Tuanjie Road"),
    ("建设路", "Jianshe Road"),
    ("友好南路", "Youhao South Road"),
    ("北京路", "Beijing Road"),  # pairing-assistance street names inside Xinjiang
    ("上海路", "Shanghai Road"),
    ("深圳大道", "Shenzhen Avenue"),
    ("天津路", "Tianjin Road"),
    ("迎宾大道", "Yingbin Avenue"),
]
XJ_NAMED_STREETS = [
    ("新疆路", "Xinjiang Road"),
    ("乌鲁木齐中路", "Urumqi Middle Road"),
    ("乌鲁木齐北路", "Wulumuqi North Road"),
    ("和田路", "Hetian Road"),
    ("伊犁路", "Yili Road"),
    ("喀什路", "Kashgar Road"),
    ("阿克苏路", "Aksu Road"),
    ("库尔勒路", "Korla Street"),
]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

TRAPS: list[tuple[str, str | None, bool]] = [
    ("上海市静安区乌鲁木齐中路100号", None, False),
    ("上海市静安区乌鲁木齐北路218号", None, False),
    ("No. 100 Urumqi Middle Road, Jing'an District, Shanghai", None, False),
    ("218 Wulumuqi Bei Lu, Jingan, Shanghai, China", None, False),
    ("Xinjiang Road, Jing'an, Shanghai", None, False),
    ("上海市新疆路", None, False),
    ("山东省青岛市市北区新疆路8号", None, False),
    ("No. 8 Xinjiang Road, Shibei District, Qingdao, Shandong", None, False),
    ("上海市长宁区和田路", None, False),
    ("Hetian Road, Zhabei District, Shanghai", None, False),
    ("Yili Road, Changning District, Shanghai", None, False),
    ("上海市长宁区伊犁路", None, False),
    ("Aksu, Kazakhstan", None, False),
    ("Aksu, Pavlodar Region", "Kazakhstan", False),
    ("Aksu", "KZ", False),
    ("Aksu, Isparta", "Turkey", False),
    ("Altai Krai, Russia", None, False),
    ("Gorno-Altaysk, Altai Republic", "Russia", False),
    ("Altai, Mongolia", None, False),
    ("Inner Mongolia Yili Industrial Group, Jinshan Development Zone, Hohhot", None, False),
    ("内蒙古呼和浩特市金山开发区伊利工业园区", None, False),
    ("Yili Group, Hohhot, Inner Mongolia", None, False),
    ("广东省汕尾市陆河县河田镇", None, False),
    ("Hetian Town, Luhe County, Shanwei, Guangdong", None, False),
    ("Hetian Town, Guangdong Province", None, False),
    ("Xinji City, Hebei Province", None, False),
    ("河北省辛集市", None, False),
    ("Xinji, Shijiazhuang, Hebei", None, False),
    ("Xinjiang County, Yuncheng, Shanxi", None, False),
    ("Bole, Addis Ababa, Ethiopia", None, False),
    ("Bole", "Ethiopia", False),
    ("Bole", None, False),  # too little to decide: must not say Xinjiang
    ("Dongguan, Guangdong (geocoded 43.8, 87.6)", None, False),
    ("深圳市宝安区", None, False),
    ("苏州市和田玉专卖店", None, False),
    ("北京市朝阳区新疆大厦", None, False),
    ("Ranchi, Jharkhand 834001", "India", False),
    ("第一师范大学", None, False),
    ("Aral, Kyzylorda Region", "Kazakhstan", False),
    # positives that look like traps
    ("新疆维吾尔自治区乌鲁木齐市上海路", None, True),
    ("Shanghai Road, Yining, Ili Prefecture, Xinjiang", None, True),
    ("XUAR", None, True),
    ("Sinkiang", None, True),
    ("East Turkistan", None, True),
    ("Urumqі, Xinjiang", None, True),  # Cyrillic і
    ("乌鲁木齐市沙依巴克区１２号", None, True),  # full-width digits
    ("143rd Regiment, 8th Agricultural Division, XPCC", None, True),
    ("兵团一四三团", None, True),
    ("Nongliushi, Wujiaqu", None, True),
]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _title_pinyin(pinyin: str) -> str:
    return pinyin.replace(" ", "").title()


class Composer:
    """Writes addresses the way supplier files do, with a fixed seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.s2t = opencc.OpenCC("s2t")
        self.gaz = load()
        self.latin: dict[str, list[str]] = defaultdict(list)
        variants = ROOT / "src" / "flscreen" / "resources" / "gazetteer" / "variants.csv"
        for row in _read(variants):
            if row["strength"] != "weak" and row["variant"].isascii():
                self.latin[row["code"]].append(row["variant"])
        for code, div in self.gaz.divisions.items():
            if div.pinyin:
                self.latin[code].append(_title_pinyin(div.pinyin))

    def en(self, code: str) -> str:
        return self.rng.choice(self.latin.get(code) or [self.gaz.divisions[code].short])

    def zh(self, chain: list[str], street: str) -> str:
        num = str(self.rng.randint(1, 999))
        form = self.rng.randrange(4)
        if form == 1:
            chain = chain[-2:]  # no province, no prefecture: county and town only
        text = "".join(chain) + street + num + "号"
        if form == 2:
            return str(self.s2t.convert(text))
        if form == 3:
            return text.translate(FULLWIDTH)
        return text


def build_cases(seed: int = 7) -> list[Case]:
    comp = Composer(seed)
    rng, gaz = comp.rng, comp.gaz
    cases: list[Case] = []

    def add(source: str, label: bool, **fields: str | None) -> None:
        cases.append(Case(LocateQuery(f"{source}-{len(cases)}", **fields), label, source))

    for row in _read(DATA / "gazetteer" / "xinjiang_townships.csv"):
        county = gaz.divisions.get(row["county_code"][:6])
        if county is None:
            continue
        pref = gaz.divisions.get(county.parent)
        if pref is not None and pref.level != "prefecture":
            pref = None
        street_zh, street_en = rng.choice(STREETS)
        if rng.random() < 0.5:
            chain = [XJ_PROVINCE] * (rng.random() < 0.6)
            chain += [d.name for d in (pref, county) if d is not None] + [row["name_zh"]]
            add("townships", True, address=comp.zh(chain, street_zh))
            continue
        m = re.search(r"([一二三四五六七八九十零〇]+)团", row["name_zh"])
        number = cn_number(m.group(1)) if m and row["is_xpcc_regiment_or_farm"] == "1" else None
        if number is not None:
            town = rng.choice([f"{_ordinal(number)} Regiment", f"{number} Tuan"])
        else:
            town = _title_pinyin(row["pinyin"]) + rng.choice([" Town", " Township", ""])
        parts = [f"No. {rng.randint(1, 999)} {street_en}", town]
        parts.append(comp.en(county.code) + rng.choice([" County", " City", ""]))
        if pref is not None:
            parts.append(comp.en(pref.code) + rng.choice([" Prefecture", ""]))
        if rng.random() < 0.5:
            parts.append(rng.choice(["Xinjiang", "Xinjiang, China", "XUAR", "Xinjiang Uygur AR"]))
        add("townships", True, address=", ".join(parts))

    for row in _read(DATA / "facilities" / "xinjiang_detention_facilities_buzzfeed_2021.csv"):
        town, pref_name = row["town"].strip(), row["prefecture"].strip()
        if not town or not pref_name:
            continue
        text = rng.choice(
            [
                f"{town}, {pref_name}, Xinjiang",
                f"{town}, {pref_name}",
                f"{town} County, {pref_name} Prefecture, Xinjiang Uyghur Autonomous Region",
            ]
        )
        add("facilities", True, address=text)

    shu = DATA / "supply_chain" / "shu_xuar_addresses_machine_translated_sample.csv"
    for row in _read(shu):
        add(
            "shu_addresses", row["in_xinjiang"] == "1", address=row["address_en_machine_translated"]
        )

    for row in _read(DATA / "supply_chain" / "gem_coal_plant_units_xinjiang_2019.csv"):
        add(
            "gem_coal",
            True,
            address=f"{row['plant']}, {row['subnational_unit']}",
            name=row["sponsor"],
            country=row["country"],
        )

    # Harder positives: the coal plant's own name only ("Guodian Kuqa power
    # station"), as a shipping document might give it; some name no place at all.
    for row in _read(DATA / "supply_chain" / "gem_coal_plant_units_xinjiang_2019.csv"):
        add("gem_plant_name_only", True, address=row["plant"], name=row["sponsor"])

    # OFAC SDN addresses and places of birth in China: real, messy, mostly negatives.
    xj_links = {
        r["ent_num"]: r["xinjiang_link"]
        for r in _read(DATA / "ofac_sdn" / "sdn_xinjiang_related.csv")
    }
    for row in _read(DATA / "ofac_sdn" / "sdn_china_linked.csv"):
        link = xj_links.get(row["ent_num"], "")
        for piece in row["addresses"].split(" | "):
            if "China" in piece or "Hong Kong" in piece:
                add("ofac_sdn", "address" in link, address=piece)
        for pob in re.findall(r"POB ([^;]+)", row["remarks"]):
            if "China" in pob:
                # A place of birth is labelled by the region it names (the SDN text
                # says "Xinjiang" outright); the Xinjiang link is about the person.
                add("ofac_sdn", "place_of_birth" in link or "Xinjiang" in pob, address=pob)

    for row in _read(DATA / "facilities" / "opensupplyhub_fixture_supplier_lists.csv"):
        add(
            "opensupplyhub", False, address=row["address"], name=row["name"], country=row["country"]
        )

    rows = _read(DATA / "gazetteer" / "china_divisions_level3_pinyin_xiangyuecn.csv")
    by_id = {r["id"]: r for r in rows}
    for row in rows:
        if row["deep"] != "2" or row["id"].startswith(("65", "91")):
            continue
        pref_row = by_id.get(row["pid"])
        prov = by_id.get(pref_row["pid"]) if pref_row else None
        if pref_row is None or prov is None:
            continue
        street_zh, street_en = rng.choice(XJ_NAMED_STREETS if rng.random() < 0.125 else STREETS)
        if rng.random() < 0.5:
            chain = [prov["ext_name"], pref_row["ext_name"], row["ext_name"]]
            if chain[0] == chain[1]:
                chain = chain[1:]
            add("china_counties", False, address=comp.zh(chain, street_zh))
            continue
        parts = [
            f"No. {rng.randint(1, 999)} {street_en}",
            _title_pinyin(row["pinyin"]) + rng.choice([" County", " District", ""]),
            _title_pinyin(pref_row["pinyin"]) + rng.choice([" City", ""]),
        ]
        if rng.random() < 0.7:
            parts.append(_title_pinyin(prov["pinyin"]) + rng.choice([" Province", ""]))
        if rng.random() < 0.3:
            parts.append("China")
        add("china_counties", False, address=", ".join(parts))

    for text, country, label in TRAPS:
        add("traps", label, address=text, country=country)

    # Identifiers alone: a valid USCC for every Xinjiang county and XPCC city, as
    # many for counties elsewhere, and Xinjiang codes with a wrong check character
    # (which must not be trusted).
    xj = [d for d in gaz.divisions.values() if d.xinjiang and d.level == "county"]
    other = [
        d
        for d in gaz.divisions.values()
        if not d.xinjiang and d.level == "county" and len(d.code) == 6 and d.code.isdigit()
    ]
    for div in xj:
        add("uscc", True, registration_id=make_uscc(div.code, rng))
        bad = make_uscc(div.code, rng)
        add("uscc", False, registration_id=bad[:-1] + ("1" if bad[-1] == "0" else "0"))
    for div in rng.sample(other, len(xj)):
        add("uscc", False, registration_id=make_uscc(div.code, rng))
    return cases


def make_uscc(division: str, rng: random.Random) -> str:
    """A USCC registered at ``division`` with a correct check character."""
    body = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    first17 = "91" + division + body
    return first17 + uscc_check_char(first17)


def conflict_cases(seed: int = 11, count: int = 300) -> list[LocateQuery]:
    """Addresses elsewhere in China given with a USCC registered in Xinjiang."""
    rng = random.Random(seed)
    gaz = load()
    xj = [d for d in gaz.divisions.values() if d.xinjiang and d.level == "county"]
    other = [
        d
        for d in gaz.divisions.values()
        if not d.xinjiang and d.level == "county" and len(d.code) == 6 and d.code.isdigit()
    ]
    out = []
    for i in range(count):
        here = rng.choice(other)
        address = (
            "".join(dict.fromkeys(reversed(here.chain)))
            if rng.random() < 0.5
            else (
                f"No. {rng.randint(1, 99)} Renmin Road, {_title_pinyin(here.pinyin)}, "
                f"{_title_pinyin(gaz.divisions[here.province].pinyin)} Province"
            )
        )
        out.append(
            LocateQuery(
                f"c{i}", address=address, registration_id=make_uscc(rng.choice(xj).code, rng)
            )
        )
    return out


Predictor = Callable[[list[Case]], list[bool]]


def flscreen_full(cases: list[Case]) -> list[bool]:
    return [locate(c.query).status == "xinjiang" for c in cases]


def flscreen_address(cases: list[Case]) -> list[bool]:
    return [
        locate(LocateQuery(c.query.id, address=c.query.address)).status == "xinjiang" for c in cases
    ]


def _cpca() -> Predictor | None:
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import cpca  # type: ignore[import-untyped]
    except ImportError:
        return None

    def predict(cases: list[Case]) -> list[bool]:
        frame = cpca.transform([c.query.address or "" for c in cases])
        return [p == XJ_PROVINCE for p in frame["省"].tolist()]

    return predict


def _jionlp() -> Predictor | None:
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            import jionlp  # type: ignore[import-untyped]
    except ImportError:
        return None

    def predict(cases: list[Case]) -> list[bool]:
        out = []
        for c in cases:
            try:
                result = jionlp.parse_location(c.query.address or "")
            except Exception:  # a peer failing on a record counts as "not Xinjiang"
                result = {}
            out.append(result.get("province") == XJ_PROVINCE)
        return out

    return predict


def score(cases: list[Case], predicted: list[bool]) -> dict[str, tuple[int, int, int]]:
    """Per source: (records, correct, false positives)."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for case, guess in zip(cases, predicted, strict=True):
        for key in (case.source, "ALL"):
            row = table[key]
            row[0] += 1
            row[1] += guess == case.label
            row[2] += guess and not case.label
    return {k: (v[0], v[1], v[2]) for k, v in table.items()}


def timed(predict: Predictor, cases: list[Case], repeat: int = 1) -> tuple[list[bool], float]:
    """Records per CPU second of this process: one core's throughput, whatever else
    the shared machine is running (wall-clock figures swing with other jobs)."""
    predict(cases[::30])  # warm caches (territory names, compiled patterns) on every source
    start = time.process_time()
    result: list[bool] = []
    for _ in range(repeat):
        result = predict(cases)
    elapsed = time.process_time() - start
    return result, len(cases) * repeat / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description="Region benchmark")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--speed-records", type=int, default=200_000)
    parser.add_argument("--show-errors", type=int, default=10)
    args = parser.parse_args()
    if not DATA.exists():
        raise SystemExit(f"real data not found at {DATA}")
    load()  # build the gazetteer indexes before timing
    cases = build_cases(args.seed)
    counts = Counter(c.source for c in cases)
    print(f"labelled set: {len(cases)} records, {sum(c.label for c in cases)} in Xinjiang")
    print("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    systems: dict[str, Predictor | None] = {
        "flscreen (all fields)": flscreen_full,
        "flscreen (address only)": flscreen_address,
        "cpca 0.5 (address)": _cpca(),
        "jionlp 1.5 parse_location (address)": _jionlp(),
    }
    results: dict[str, tuple[dict[str, tuple[int, int, int]], float]] = {}
    for name, predict in systems.items():
        if predict is None:
            print(f"{name}: not installed; skipped")
            continue
        predicted, rate = timed(predict, cases)
        results[name] = (score(cases, predicted), rate)
        if name.startswith("flscreen (all") and args.show_errors:
            wrong = [
                (c, locate(c.query)) for c, p in zip(cases, predicted, strict=True) if p != c.label
            ]
            print(f"\nflscreen errors ({len(wrong)}), first {args.show_errors}:")
            for case, loc in wrong[: args.show_errors]:
                print(
                    f"  [{case.source}] label={case.label} got={loc.status}: {case.query.address!r}"
                )
    sources = [*counts, "ALL"]
    print("\naccuracy (correct / records; FP = said Xinjiang wrongly); rec/s per CPU second")
    header = f"{'system':38}" + "".join(f"{s[:14]:>16}" for s in sources) + f"{'rec/s':>10}"
    print(header)
    for name, (table, rate) in results.items():
        cells = []
        for s in sources:
            n, ok, fp = table.get(s, (0, 0, 0))
            cells.append(f"{ok / n:.3f} fp{fp:<3}".rjust(16) if n else "-".rjust(16))
        print(f"{name:38}" + "".join(cells) + f"{rate:>10.0f}")
    conflicts = conflict_cases()
    statuses = Counter(locate(q).status for q in conflicts)
    print(
        f"\nconflicts: {len(conflicts)} addresses elsewhere with a Xinjiang USCC -> "
        + ", ".join(f"{k} {v}" for k, v in statuses.most_common())
    )
    print()
    # Speed on one core: the whole set cycled to --speed-records records, timed
    # pass by pass; the best pass is the least disturbed by other jobs.
    plain = [replace(c, query=LocateQuery(c.query.id, address=c.query.address)) for c in cases]
    passes = max(1, args.speed_records // len(cases))
    for label, subset in (("all fields", cases), ("address only", plain)):
        rates = [timed(flscreen_full, subset)[1] for _ in range(passes)]
        print(
            f"speed: flscreen locate, {label}, {len(subset) * passes} records in {passes} passes: "
            f"{len(rates) / sum(1 / r for r in rates):,.0f} records per CPU second overall, "
            f"best pass {max(rates):,.0f}"
        )


if __name__ == "__main__":
    main()
