#!/usr/bin/env python3
"""Generate src/flscreen/resources/gazetteer/divisions.csv from public division data.

Inputs (../shared/data/gazetteer, see its SOURCES.md):
- xinjiang_divisions.csv: Xinjiang's province, prefecture and county rows (GB/T 2260).
- xinjiang_townships.csv (xiangyuecn level 4, with pinyin) and
  xinjiang_townships_nbs2023_modood.csv (NBS 2023): township-level rows, XPCC regiments.
- china_divisions_level3_pinyin_xiangyuecn.csv: every other province, prefecture
  and county of China, with pinyin, so an address can be placed elsewhere.

Plus one hand-written table below: the XPCC and its fourteen divisions, which have
no GB/T 2260 code (their ids are "XPCC" and "XPCC-01" .. "XPCC-14").

Traditional forms come from OpenCC (s2t); pinyin from the sources, else pypinyin.
English and Uyghur-Latin variants are NOT generated: they are the reviewed,
hand-written table resources/gazetteer/variants.csv, which this script checks.

Run: .venv/bin/python scripts/build_gazetteer.py [--data ../shared/data/gazetteer]
The output is committed after review; the package never reads ../shared/data.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

import opencc
from pypinyin import lazy_pinyin

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "flscreen" / "resources" / "gazetteer"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "gazetteer"

# The XPCC's divisions (师) and the county-level city each one administers
# together with it (师市合一). Public facts; the 11th (construction) and 12th
# divisions are seated in Ürümqi and have no city of their own.
XPCC_DIVISIONS: list[tuple[int, str, str]] = [
    (1, "第一师", "659002"),  # Aral / Alar 阿拉尔市
    (2, "第二师", "659006"),  # Tiemenguan 铁门关市
    (3, "第三师", "659003"),  # Tumxuk 图木舒克市
    (4, "第四师", "659008"),  # Kokdala 可克达拉市
    (5, "第五师", "659007"),  # Shuanghe 双河市
    (6, "第六师", "659004"),  # Wujiaqu 五家渠市
    (7, "第七师", "659010"),  # Huyanghe 胡杨河市
    (8, "第八师", "659001"),  # Shihezi 石河子市
    (9, "第九师", "659012"),  # Baiyang 白杨市
    (10, "第十师", "659005"),  # Beitun 北屯市
    (11, "第十一师", "650100"),  # construction division, Ürümqi
    (12, "第十二师", "650100"),  # Ürümqi
    (13, "第十三师", "659011"),  # Xinxing 新星市 (Hami)
    (14, "第十四师", "659009"),  # Kunyu 昆玉市 (Hotan)
]

FIELDS = ["code", "level", "parent", "name", "short", "aliases", "hant", "pinyin", "xpcc", "source"]

# Short source tags, spelled out in resources/gazetteer/SOURCES.md.
SRC_XJ = "xj"  # xinjiang_divisions.csv
SRC_TOWN = "xy4"  # xiangyuecn level 4 (2023.240319.250114)
SRC_NBS = "nbs"  # modood NBS 2023
SRC_CN = "xy3"  # xiangyuecn AreaCity-JsSpider-StatsGov commit 1ec05808
SRC_HAND = "hand"  # hand-written table in this script

_REGIMENT_PREFIX = re.compile(
    r"^(?:新疆)?(?:兵团)?(?:农?[一二三四五六七八九十]+师|第[一二三四五六七八九十]+师)?"
)


def _code6(raw: str) -> str:
    """xiangyuecn ids are 2/4/6 digits; pad to the 6-digit GB/T 2260 form."""
    return raw.ljust(6, "0")


def _pinyin(text: str) -> str:
    return " ".join(lazy_pinyin(text))


def _short_township(name: str, given: str) -> str:
    """Regiments lose their 兵团/农N师 prefix (一四三团); others keep the source's short."""
    if "团" in name or "兵团" in name:
        stripped = _REGIMENT_PREFIX.sub("", name)
        return stripped or name
    return given or name


def build(data: Path) -> list[dict[str, str]]:
    s2t = opencc.OpenCC("s2t")
    rows: dict[str, dict[str, str]] = {}

    def add(row: dict[str, str]) -> None:
        hant = {s2t.convert(row["name"]), s2t.convert(row["short"])}
        hant -= {row["name"], row["short"], ""}
        row["hant"] = "|".join(sorted(hant))
        rows[row["code"]] = row

    with (data / "xinjiang_divisions.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            code = r["code"]
            if code == "659000":  # a statistical grouping, not a place
                continue
            short = r["short_name_zh"] or ("新疆" if code == "650000" else r["name_zh"])
            add(
                {
                    "code": code,
                    "level": r["level"],
                    "parent": r["parent_code"] if r["parent_code"] != "659000" else "650000",
                    "name": r["name_zh"],
                    "short": short,
                    "aliases": "",
                    "pinyin": r["pinyin"] or _pinyin(short),
                    "xpcc": r["is_xpcc_city"] or "0",
                    "source": SRC_XJ,
                }
            )

    towns: dict[str, dict[str, str]] = {}
    with (data / "xinjiang_townships.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            towns[r["code"]] = {
                "code": r["code"],
                "level": "township",
                "parent": r["county_code"][:6],
                "name": r["name_zh"],
                "short": _short_township(r["name_zh"], r["short_name_zh"]),
                "aliases": "",
                "pinyin": r["pinyin"],
                "xpcc": r["is_xpcc_regiment_or_farm"] if "兵团" in r["name_zh"] else "0",
                "source": SRC_TOWN,
            }
    with (data / "xinjiang_townships_nbs2023_modood.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            name = r["name"]
            have = towns.get(r["code"])
            if have is not None:
                if name != have["name"]:
                    have["aliases"] = name
                continue
            short = _short_township(name, "")
            towns[r["code"]] = {
                "code": r["code"],
                "level": "township",
                "parent": r["areaCode"],
                "name": name,
                "short": short,
                "aliases": "",
                "pinyin": _pinyin(short),
                "xpcc": "1" if "兵团" in name else "0",
                "source": SRC_NBS,
            }
    for town in towns.values():
        # Regiments named like 一四三团 are XPCC even without the 兵团 prefix.
        if re.fullmatch(r"[一二三四五六七八九十零〇]+团(?:场)?", town["short"]):
            town["xpcc"] = "1"
            town["level"] = "regiment"
        elif town["xpcc"] == "1":
            town["level"] = "regiment"
        if town["parent"] not in rows:
            print(f"warning: township {town['code']} has unknown parent", file=sys.stderr)
        add(town)

    add(
        {
            "code": "XPCC",
            "level": "xpcc",
            "parent": "650000",
            "name": "新疆生产建设兵团",
            "short": "兵团",
            "aliases": "生产建设兵团|新疆兵团",
            "pinyin": "bing tuan",
            "xpcc": "1",
            "source": SRC_HAND,
        }
    )
    for number, name, seat in XPCC_DIVISIONS:
        add(
            {
                "code": f"XPCC-{number:02d}",
                "level": "xpcc_division",
                "parent": "XPCC",
                "name": "新疆生产建设兵团" + name,
                "short": name,
                "aliases": f"兵团{name}|{seat}",
                "pinyin": _pinyin(name),
                "xpcc": "1",
                "source": SRC_HAND,
            }
        )

    with (data / "china_divisions_level3_pinyin_xiangyuecn.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            raw = r["id"]
            if raw.startswith(("65", "91")):  # Xinjiang comes from the rows above; 91 = abroad
                continue
            deep = int(r["deep"])
            code = _code6(raw)
            parent = "" if deep == 0 else _code6(r["pid"])
            full = r["ext_name"]
            if full in {"市辖区", "县"}:
                continue
            add(
                {
                    "code": code,
                    "level": ("province", "prefecture", "county")[deep],
                    "parent": parent,
                    "name": full,
                    "short": r["name"],
                    "aliases": "",
                    "pinyin": r["pinyin"],
                    "xpcc": "0",
                    "source": SRC_CN,
                }
            )
    # Municipalities list their districts under a 4-digit "city" row that mirrors
    # the province (北京/北京市); keep it so parents resolve.
    return sorted(rows.values(), key=lambda row: (row["code"][:2], row["code"]))


def historic_codes(data: Path, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Xinjiang codes no longer in use (吐鲁番地区 652100 before 2015, 米泉市 652303...).

    A USCC keeps the code of the authority that issued it, so old codes still
    turn up; each is mapped to the current division of the same name, if any.
    """
    current = {r["name"]: r["code"] for r in rows if r["code"].startswith("65")}
    out = []
    path = data / "xinjiang_codes_english_cnid_validator.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            code, name = r["code"].strip(), r["name_zh"].strip()
            if r["in_current_nbs2023"].strip() != "0" or name in {"市辖区", "市区"}:
                continue
            if any(row["code"] == code for row in rows):
                continue
            out.append({"code": code, "name": name, "current": current.get(name, "")})
    return out


def check_variants(rows: list[dict[str, str]]) -> list[str]:
    """Every reviewed variant must name a code the gazetteer has."""
    codes = {r["code"] for r in rows}
    problems = []
    with (OUT_DIR / "variants.csv").open(encoding="utf-8") as fh:
        for line_no, r in enumerate(csv.DictReader(fh), start=2):
            if r["code"] not in codes:
                problems.append(f"variants.csv row {line_no}: unknown code {r['code']}")
            if r["strength"] not in {"strong", "medium", "weak"}:
                problems.append(f"variants.csv row {line_no}: bad strength {r['strength']}")
    return problems


def render(data: Path) -> dict[str, str]:
    """File name -> the CSV text the build produces (so a test can compare without writing)."""
    rows = build(data)
    out: dict[str, str] = {}
    for name, fields, records in (
        ("divisions.csv", FIELDS, rows),
        ("historic_codes.csv", ["code", "name", "current"], historic_codes(data, rows)),
    ):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        out[name] = buffer.getvalue()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    files = render(args.data)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT_DIR / name).write_text(text, encoding="utf-8")
    problems = check_variants(build(args.data))
    for p in problems:
        print(p, file=sys.stderr)
    print(f"wrote {', '.join(files)} to {OUT_DIR}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
