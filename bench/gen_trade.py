"""Seeded generator of synthetic bills of lading with ground truth (firms, edges, transshipment).

Firms in the cotton chain (Xinjiang and other Chinese spinners, mills in Vietnam,
Bangladesh, Thailand and China, garment makers in Cambodia, Vietnam and Bangladesh,
US importers, traders in Malaysia, Singapore and Thailand) ship to their regular
buyers month after month. Every firm is written several ways, as real bills are.
World Trade Daily ("The ABCs of U.S. Customs Data", part 1, 2013) lists for one
importer "Amer. Bus. Corp.", "American Business Corporation, Inc.", "American
Business Corp." and "American Business Corporati"; forwarders key bills by hand
from booking requests, misspelt consignee names among the errors. Generated:
case, punctuation, equivalent legal forms ('Co., Ltd.' / 'CO LTD' / 'Company
Limited'), a dropped or doubled letter, 'Intl' for 'International', names cut at
a 35-character field (UN/EDIFACT NAD an..35), abbreviated addresses ('RD', 'IND
PARK'), an address left out, a consignee 'TO ORDER' with the buyer as notify
party. Not generated: forwarders named in place of the parties, suppressed
(blank) parties, names running into the address lines. Hard negatives: firms
sharing a name stem in one country ('Hengda Spinning' and 'Hengda Garment'), and
traders that pass on yarn from non-Xinjiang spinners. Planted transshipment: a
trader receives yarn from a Xinjiang spinner and ships about the same weight on
to a mill in another country 10-60 days later.

Ground truth: ``truth[(name, address, country)]`` is the firm of every spelling
as a record writes it; ``planted`` the (trader, buyer) pairs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

XJ = [("Aksu", "Xinjiang"), ("Kashgar", "Xinjiang"), ("Korla", "Xinjiang"),
      ("Shihezi", "Xinjiang"), ("Urumqi", "Xinjiang"), ("Hotan", "Xinjiang")]  # fmt: skip
CITIES = {
    "CN": [("Nantong", "Jiangsu"), ("Shaoxing", "Zhejiang"), ("Qingdao", "Shandong"),
           ("Foshan", "Guangdong"), ("Changzhou", "Jiangsu")],
    "VN": [("Ben Cat", "Binh Duong"), ("Hai Phong", ""), ("Bien Hoa", "Dong Nai"),
           ("Nam Dinh", "")],
    "BD": [("Gazipur", "Dhaka"), ("Chittagong", ""), ("Narayanganj", "")],
    "KH": [("Phnom Penh", ""), ("Sihanoukville", "")],
    "TH": [("Chonburi", ""), ("Samut Prakan", "")],
    "MY": [("Prai", "Penang"), ("Johor Bahru", "Johor"), ("Klang", "Selangor")],
    "SG": [("Singapore", "")],
    "US": [("Los Angeles", "CA"), ("New York", "NY"), ("Charlotte", "NC")],
}  # fmt: skip
COUNTRY = {"CN": "China", "VN": "Vietnam", "BD": "Bangladesh", "KH": "Cambodia",
           "TH": "Thailand", "MY": "Malaysia", "SG": "Singapore", "US": "USA"}  # fmt: skip
LEGAL = {
    "CN": [["Co., Ltd.", "CO LTD", "Company Limited", "Co.,Ltd"]],
    "VN": [["Co., Ltd.", "CO LTD", "Company Limited"], ["JSC", "Joint Stock Company"]],
    "BD": [["Ltd.", "LTD", "Limited"]],
    "KH": [["Co., Ltd.", "CO LTD", "Company Limited"]],
    "TH": [["Co., Ltd.", "CO LTD", "Company Limited"]],
    "MY": [["Sdn. Bhd.", "SDN BHD", "Sendirian Berhad"]],
    "SG": [["Pte. Ltd.", "PTE LTD", "Private Limited"]],
    "US": [["Inc.", "INC", "Incorporated"], ["LLC", "L.L.C."]],
}
INDUSTRY = {
    "spinner": ["Cotton Spinning", "Spinning", "Yarn", "Textile Spinning"],
    "mill": ["Weaving", "Textile", "Knitting Mill", "Fabrics"],
    "garment": ["Garment", "Apparel", "Fashion Garment", "Knitwear"],
    "importer": ["Apparel", "Brands", "Outfitters", "Clothing"],
    "trader": ["Trading", "International Trading", "Import Export", "Textile Trading"],
}
GOODS = {
    "cotton yarn": (["100% COTTON YARN NE 30/1 CARDED", "COMBED COTTON YARN NE 40/1",
                     "COTTON YARN FOR KNITTING", "OE YARN 100 PCT COTTON"], "520512"),
    "cotton fabric": (["100% COTTON WOVEN FABRIC", "GREIGE FABRIC COTTON 40X40",
                       "COTTON KNITTED FABRIC JERSEY"], "520811"),
    "cotton t-shirts": (["MENS 100% COTTON T-SHIRTS", "LADIES KNITTED T SHIRTS COTTON",
                         "COTTON TEE SHIRTS"], "610910"),
}  # fmt: skip
SYLLABLES = [
    "an",
    "bao",
    "chang",
    "da",
    "fa",
    "feng",
    "guo",
    "hai",
    "heng",
    "hua",
    "jia",
    "jin",
    "kang",
    "li",
    "long",
    "ming",
    "nan",
    "ping",
    "qi",
    "rui",
    "sheng",
    "tai",
    "tian",
    "wei",
    "xin",
    "xing",
    "yang",
    "yi",
    "yu",
    "zhong",
    "hong",
    "minh",
    "phat",
    "thanh",
    "viet",
    "duc",
    "hoa",
    "lan",
    "son",
    "tan",
    "phu",
    "kim",
    "sai",
    "ruby",
    "delta",
    "lotus",
    "ocean",
    "summit",
    "pacific",
    "sunrise",
    "golden",
    "royal",
    "eastern",
    "crown",
    "star",
]
STREETS = ["Jiefang", "Renmin", "Industrial", "Zhongshan", "Le Loi", "Nguyen Hue", "Harbor",
           "Ring", "Export", "Tan Thuan", "Dinh Vu", "Jalan Perusahaan", "Station"]  # fmt: skip
START = dt.date(2025, 1, 1)
NAME_FIELD = 35
"""Party names cut at 35 characters (UN/EDIFACT NAD party name, an..35)."""


@dataclass
class Firm:
    fid: str
    role: str
    country: str
    xinjiang: bool
    name: str
    legal: list[str]
    address: str
    spellings: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class TradeSet:
    firms: list[Firm]
    rows: list[tuple[Any, ...]]
    truth: dict[tuple[str, str, str], str]
    planted: set[tuple[str, str]]
    edges: set[tuple[str, str, str]]

    @property
    def xinjiang(self) -> set[str]:
        return {f.fid for f in self.firms if f.xinjiang}


def _stem(rng: random.Random) -> str:
    n = rng.choice((1, 2, 2))
    return " ".join(rng.choice(SYLLABLES).capitalize() for _ in range(n))


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i] + word[i:]


def _spellings(rng: random.Random, f: Firm) -> list[tuple[str, str]]:
    """The canonical spelling first, then 2-5 variants as clerks write them."""
    base = f"{f.name} {f.legal[0]}"
    out = [(base, f.address)]
    for _ in range(rng.randint(2, 5)):
        name = f"{f.name} {rng.choice(f.legal)}"
        addr = f.address
        r = rng.random()
        if r < 0.25:
            name = name.upper()
        elif r < 0.4:
            name = name.replace(".", "").replace(",", "")
        elif r < 0.55:
            words = f.name.split()
            j = rng.randrange(len(words))
            words[j] = _typo(rng, words[j])
            name = " ".join(words) + " " + rng.choice(f.legal)
        elif r < 0.65:
            name = name.replace("International", "Intl").replace("Textile", "Textiles")
        if len(name) > NAME_FIELD and rng.random() < 0.3:
            name = name[:NAME_FIELD].rstrip(" ,.")  # cut at the field's length
        if rng.random() < 0.4:
            addr = addr.replace("Road", "RD").replace("Industrial Park", "IND PARK")
        if rng.random() < 0.3:
            addr = addr.upper()
        if rng.random() < 0.1:
            addr = ""  # some exports leave the address out
        out.append((name, addr))
    return list(dict.fromkeys(out))


def _firm(rng: random.Random, fid: str, role: str, country: str, xj: bool, stem: str) -> Firm:
    city, province = rng.choice(XJ if xj else CITIES[country])
    where = ", ".join(x for x in (city, province, COUNTRY[country]) if x)
    address = (
        f"{rng.randint(1, 999)} {rng.choice(STREETS)} Road, "
        f"{rng.choice(['Textile', 'Hi-Tech', 'Export', 'Binhai'])} Industrial Park, {where}"
    )
    name = f"{stem} {rng.choice(INDUSTRY[role])}"
    f = Firm(fid, role, country, xj, name, rng.choice(LEGAL[country]), address)
    f.spellings = _spellings(rng, f)
    return f


Sink = Callable[[list[tuple[Any, ...]]], None]
CHUNK = 100_000


def generate(n_firms: int, seed: int = 7, months: int = 12, sink: Sink | None = None) -> TradeSet:
    """About ``n_firms`` firms and ~14 records per firm, with ground truth.

    With ``sink``, records go to it in chunks of ``CHUNK`` instead of ``TradeSet.rows``
    (10M records as Python tuples would not fit in memory).
    """
    rng = random.Random(seed)
    count = 0
    mix = [("spinner", "CN", 0.06, True), ("spinner", "CN", 0.10, False),
           ("mill", "VN", 0.08, False), ("mill", "BD", 0.06, False), ("mill", "CN", 0.06, False),
           ("mill", "TH", 0.03, False), ("garment", "KH", 0.12, False),
           ("garment", "VN", 0.12, False), ("garment", "BD", 0.12, False),
           ("importer", "US", 0.17, False), ("trader", "MY", 0.04, False),
           ("trader", "SG", 0.02, False), ("trader", "TH", 0.02, False)]  # fmt: skip
    firms: list[Firm] = []
    stems: dict[str, list[str]] = {}
    for role, country, share, xj in mix:
        for _ in range(max(2, round(n_firms * share))):
            pool = stems.setdefault(country, [])
            # one firm in ten shares a name stem with another firm of its country
            stem = rng.choice(pool) if pool and rng.random() < 0.1 else _stem(rng)
            pool.append(stem)
            firms.append(_firm(rng, f"F{len(firms):06d}", role, country, xj, stem))
    by_role: dict[str, list[Firm]] = {}
    for f in firms:
        by_role.setdefault(f.role, []).append(f)
    xj_spin = [f for f in by_role["spinner"] if f.xinjiang]
    cn_spin = [f for f in by_role["spinner"] if not f.xinjiang]
    rows: list[tuple[Any, ...]] = []
    truth: dict[tuple[str, str, str], str] = {}
    edges: set[tuple[str, str, str]] = set()
    planted: set[tuple[str, str]] = set()

    def ship(s: Firm, b: Firm, material: str, day: dt.date, kg: float) -> dt.date:
        nonlocal count
        goods, hs = GOODS[material]
        sname, saddr = rng.choice(s.spellings[:1] * 2 + s.spellings)
        bname, baddr = rng.choice(b.spellings[:1] * 2 + b.spellings)
        bill = f"BL{count:09d}"
        count += 1
        cons, caddr, nname, naddr = bname, baddr, None, None
        if rng.random() < 0.05:
            cons, caddr, nname, naddr = "TO ORDER", "", bname, baddr
            truth[(bname, baddr, b.country)] = b.fid
            truth[(bname, baddr, "")] = b.fid
        truth[(sname, saddr, s.country)] = s.fid
        if nname is None:
            truth[(bname, baddr, b.country)] = b.fid
        arrival = day + dt.timedelta(days=rng.randint(8, 30))
        rows.append(
            (f"{bill}#1", bill, (arrival - dt.date(1970, 1, 1)).days, arrival.isoformat(),
             sname, saddr or None, s.country, cons, caddr or None, b.country, nname, naddr,
             hs, rng.choice(goods), round(kg, 1))
        )  # fmt: skip
        edges.add((s.fid, b.fid, material))
        if sink is not None and len(rows) >= CHUNK:
            sink(rows)
            rows.clear()
        return arrival

    def regular(s: Firm, b: Firm, material: str) -> None:
        for m in range(months):
            if rng.random() < 0.6:
                day = START + dt.timedelta(days=30 * m + rng.randint(0, 25))
                ship(s, b, material, day, rng.uniform(10_000, 60_000))

    for mill in by_role["mill"]:
        for sp in rng.sample(cn_spin, min(2, len(cn_spin))):
            regular(sp, mill, "cotton yarn")
        if mill.country != "CN" and rng.random() < 0.3:
            regular(rng.choice(xj_spin), mill, "cotton yarn")  # direct, not transshipment
    for g in by_role["garment"]:
        for mill in rng.sample(by_role["mill"], 2):
            regular(mill, g, "cotton fabric")
    for imp in by_role["importer"]:
        for g in rng.sample(by_role["garment"], 2):
            regular(g, imp, "cotton t-shirts")
    mills_abroad = [m for m in by_role["mill"] if m.country != "CN"]
    # per trader country, the mills abroad it can sell to (built once: a list per trader
    # made 800,000 firms quadratic)
    elsewhere = {
        c: [m for m in mills_abroad if m.country != c]
        for c in {t.country for t in by_role["trader"]}
    }
    for t in by_role["trader"]:
        buyer = rng.choice(elsewhere[t.country])
        # half the traders pass on Xinjiang yarn (planted); the others Chinese yarn
        source = rng.choice(xj_spin if rng.random() < 0.5 else cn_spin)
        if source.xinjiang:
            planted.add((t.fid, buyer.fid))
        for m in range(0, months, 2):
            day = START + dt.timedelta(days=30 * m + rng.randint(0, 10))
            kg = rng.uniform(20_000, 60_000)
            arrived = ship(source, t, "cotton yarn", day, kg)
            later = arrived + dt.timedelta(days=rng.randint(10, 60))
            ship(t, buyer, "cotton yarn", later, kg * rng.uniform(0.85, 1.1))
    if sink is not None:
        sink(rows)
        rows.clear()
    return TradeSet(firms, rows, truth, planted, edges)


def iter_rows(ts: TradeSet) -> Iterator[tuple[Any, ...]]:
    yield from ts.rows


def write(n_firms: int, seed: int, out: Path) -> TradeSet:
    """Records to ``out/records.csv`` (``tr_rec`` columns, ``\\N`` for NULL), ground truth
    to ``truth.csv`` (name, address, country, firm) and ``planted.csv`` (trader, buyer)."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "records.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)

        def sink(rows: list[tuple[Any, ...]]) -> None:
            writer.writerows(["\\N" if v is None else v for v in row] for row in rows)

        ts = generate(n_firms, seed, sink=sink)
    _write_csv(out / "truth.csv", ((*k, f) for k, f in ts.truth.items()))
    _write_csv(out / "planted.csv", sorted(ts.planted))
    return ts


def _write_csv(path: Path, rows: Iterable[tuple[Any, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="write generated trade records to a folder")
    parser.add_argument("--firms", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    write(args.firms, args.seed, args.out)
