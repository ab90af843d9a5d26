"""Firm resolution on bill-of-lading spellings: what joins, what stays apart, and why."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from flscreen.batch.engines import DuckDBEngine
from flscreen.trade import sql
from flscreen.trade.engine import load_rows
from flscreen.trade.infer import resolve_firms
from flscreen.trade.resolve import (
    AddressSig,
    Cluster,
    address_key,
    addresses_disagree,
    variant_key,
)

NANTONG = "{} Jiefang Road, Textile Industrial Park, Nantong, Jiangsu, China"
SHAOXING = "906 Harbor Road, Binhai Industrial Park, Shaoxing, Zhejiang, China"


def _sig(address: str) -> AddressSig:
    return AddressSig.of(address_key(address))


@pytest.mark.parametrize(
    ("a", "b", "disagree"),
    [
        # one address abbreviated and upper-cased
        (NANTONG.format(12), "12 JIEFANG RD, TEXTILE IND PARK, NANTONG, JIANGSU, CHINA", False),
        # the same park, another house number: another firm's gate
        (NANTONG.format(12), NANTONG.format(14), True),
        # another city altogether
        (NANTONG.format(12), SHAOXING, True),
        # a room number added: the house number is still shared
        (NANTONG.format(12), "Room 1201, " + NANTONG.format(12), False),
        # an address in Chinese script is not compared with one in Latin script
        (NANTONG.format(12), "江苏省南通市解放路12号", False),
    ],
)
def test_addresses_disagree(a: str, b: str, disagree: bool) -> None:
    assert addresses_disagree(_sig(a), _sig(b), 0.6) is disagree


def _rows(spellings: Sequence[tuple[str, str, str, str, str]]) -> list[tuple[object, ...]]:
    """tr_rec rows: one shipment per (shipper, address, buyer, buyer address, country)."""
    out: list[tuple[object, ...]] = []
    for i, (shipper, s_addr, buyer, b_addr, b_country) in enumerate(spellings):
        bill = f"BL{i:04d}"
        out.append(
            (f"{bill}#1", bill, 20000 + i, "2024-10-04", shipper, s_addr or None, "CN", buyer,
             b_addr or None, b_country, None, None, "520512", "COTTON YARN", 20000.0)
        )  # fmt: skip
    return out


def _firms(rows: list[tuple[object, ...]], algorithm: str) -> list[Cluster]:
    engine = DuckDBEngine()
    try:
        load_rows(engine, "tr_rec", sql.RECORD_COLUMNS, rows)
        return resolve_firms(engine, sql.Params(algorithm=algorithm))
    finally:
        engine.close()


def _firm_of(firms: list[Cluster]) -> dict[tuple[str, str], str]:
    return {(v.name, v.address): c.firm_id for c in firms for v in c.variants}


BUYER = ("Hai Phong Weaving Co., Ltd.", "Lot C4, Dinh Vu Industrial Zone, Hai Phong, Vietnam", "VN")


def _two_phats() -> list[tuple[object, ...]]:
    """Two spinners both called Phat Cotton Spinning, in Nantong and Shaoxing, each spelt
    three ways, and one address-less spelling between them."""
    nantong = NANTONG.format(133)
    return _rows(
        [
            ("Phat Cotton Spinning Co., Ltd.", nantong, *BUYER),
            ("PHAT COTTON SPINNING CO LTD", nantong.upper().replace("ROAD", "RD"), *BUYER),
            ("Phat Coton Spinning Company Limited", nantong, *BUYER),
            ("Phat Cotton Spinning Co., Ltd.", SHAOXING, *BUYER),
            ("Phat Cotton Spinning CO LTD", SHAOXING.replace("Road", "RD"), *BUYER),
            ("PHAT COTTON SPINNING COMPANY LIMITED", "", *BUYER),
        ]
    )


CURRENT = ("trade-firms-v2", "trade-firms-v3")
"""v3 keeps v2's decisions on every case here; it blocks and scores once per name."""


@pytest.mark.parametrize("algorithm", CURRENT)
def test_an_address_less_spelling_does_not_chain_two_firms(algorithm: str) -> None:
    firm = _firm_of(_firms(_two_phats(), algorithm))
    nantong = {firm[k] for k in firm if "Nantong" in k[1] or "NANTONG" in k[1]}
    shaoxing = {firm[k] for k in firm if "Shaoxing" in k[1] or "SHAOXING" in k[1]}
    assert len(nantong) == 1 and len(shaoxing) == 1, "each spinner's spellings are one firm"
    assert nantong != shaoxing, "two addresses that disagree are two firms"
    loose = firm[("PHAT COTTON SPINNING COMPANY LIMITED", "")]
    assert loose in nantong | shaoxing, "the address-less spelling joins one of them"


def test_v1_chains_them_which_is_why_v2_exists() -> None:
    firm = _firm_of(_firms(_two_phats(), "trade-firms-v1"))
    phats = {fid for (name, _), fid in firm.items() if "phat" in name.lower()}
    assert len(phats) == 1


@pytest.mark.parametrize("algorithm", CURRENT)
def test_a_misspelt_rare_word_joins_at_the_same_address_and_a_shared_stem_does_not(
    algorithm: str,
) -> None:
    addr = NANTONG.format(718)
    other = NANTONG.format(40)
    firms = _firms(
        _rows(
            [
                ("Chang Spinning Co., Ltd.", addr, *BUYER),
                ("CHAG SPINNING CO LTD", addr.upper(), *BUYER),
                ("Lottus Heng Knitwear Co., Ltd.", NANTONG.format(175), *BUYER),
                ("Lotus Heng Knitwear Company Limited", NANTONG.format(175), *BUYER),
                # a hard negative: the same stem, another trade, another gate
                ("Chang Garment Co., Ltd.", other, *BUYER),
                ("Chang Garment CO LTD", "", *BUYER),
            ]
        ),
        algorithm,
    )
    firm = _firm_of(firms)
    assert firm[("Chang Spinning Co., Ltd.", addr)] == firm[("CHAG SPINNING CO LTD", addr.upper())]
    assert (
        firm[("Lottus Heng Knitwear Co., Ltd.", NANTONG.format(175))]
        == firm[("Lotus Heng Knitwear Company Limited", NANTONG.format(175))]
    )
    assert firm[("Chang Garment Co., Ltd.", other)] != firm[("Chang Spinning Co., Ltd.", addr)]
    assert firm[("Chang Garment CO LTD", "")] != firm[("Chang Spinning Co., Ltd.", addr)]
    joined = next(c for c in firms if len(c.variants) > 1 and "Chang" in c.representative.name)
    explanation = joined.explanation()
    assert explanation["algorithm"] == algorithm
    assert {p["rule"] for p in explanation["pairs"]} <= {"name", "name+address"}
    assert all(p["name_similarity"] >= 0.75 for p in explanation["pairs"])


OTHER_BUYER = (
    "Dhaka Knit Composite Ltd.",
    "Plot 7, Gazipur Road, Gazipur, Dhaka, Bangladesh",
    "BD",
)


@pytest.mark.parametrize("algorithm", CURRENT)
@pytest.mark.parametrize("home", ["Nantong", "Shaoxing"])
def test_an_address_less_spelling_joins_the_firm_it_shares_partners_with(
    home: str, algorithm: str
) -> None:
    """Two spinners of one name, each with its own buyer; the address-less spelling
    ships to one of the two buyers and joins that buyer's supplier, whichever it is."""
    nantong = NANTONG.format(133)
    mine = BUYER if home == "Nantong" else OTHER_BUYER
    rows = _rows(
        [
            ("Phat Cotton Spinning Co., Ltd.", nantong, *BUYER),
            ("PHAT COTTON SPINNING CO LTD", nantong.upper(), *BUYER),
            ("Phat Cotton Spinning Co., Ltd.", SHAOXING, *OTHER_BUYER),
            ("Phat Cotton Spinning CO LTD", SHAOXING.upper(), *OTHER_BUYER),
            ("PHAT COTTON SPINNING COMPANY LIMITED", "", *mine),
        ]
    )
    firm = _firm_of(_firms(rows, algorithm))
    address = nantong if home == "Nantong" else SHAOXING
    assert (
        firm[("PHAT COTTON SPINNING COMPANY LIMITED", "")]
        == firm[("Phat Cotton Spinning Co., Ltd.", address)]
    )


@pytest.mark.parametrize("algorithm", CURRENT)
def test_names_alike_with_other_legal_forms_need_an_address_to_join(algorithm: str) -> None:
    la = "508 Ring Road, Hi-Tech Industrial Park, Charlotte, NC, USA"
    rows = _rows(
        [
            ("Rui Apparel Inc.", la, *BUYER),
            ("RUI APPAREL INC", "", *BUYER),
            ("Rui Apparel L.L.C.", "", *BUYER),
        ]
    )
    firm = _firm_of(_firms(rows, algorithm))
    assert firm[("RUI APPAREL INC", "")] == firm[("Rui Apparel Inc.", la)]
    assert firm[("Rui Apparel L.L.C.", "")] != firm[("Rui Apparel Inc.", la)]


def test_v3_joins_one_name_and_address_as_a_unit_and_says_so() -> None:
    """Spellings with one name key, address key and legal form are joined as they stand;
    a spelling a letter off, without an address, joins on its name alone."""
    addr = NANTONG.format(718)
    firms = _firms(
        _rows(
            [
                ("Chang Sheng Spinning Co., Ltd.", addr, *BUYER),
                ("CHANG SHENG SPINNING CO LTD", addr.upper().replace("ROAD", "RD"), *BUYER),
                ("Chang Sheng Spinning Company Limited", addr, *BUYER),
                ("Chang Shheng Spinning Co., Ltd.", "", *BUYER),
            ]
        ),
        "trade-firms-v3",
    )
    firm = next(c for c in firms if "Chang" in c.representative.name)
    assert len(firm.variants) == 4
    explanation = firm.explanation()
    assert "one flscreen name key, address key and legal form" in explanation["text"]
    by_rule = {(p["blocked_on"], p["rule"]) for p in explanation["pairs"]}
    assert ("=key+address", "name+address") in by_rule
    typo = next(p for p in explanation["pairs"] if "Shheng" in p["a"] + p["b"])
    assert typo["rule"] == "name" and typo["name_similarity"] >= 0.9


def test_v3_two_firms_of_one_name_at_two_gates_stay_apart() -> None:
    rows = _rows(
        [
            ("Hengda Spinning Co., Ltd.", NANTONG.format(12), *BUYER),
            ("HENGDA SPINNING CO LTD", NANTONG.format(12).upper(), *BUYER),
            ("Hengda Spinning Co., Ltd.", NANTONG.format(14), *BUYER),
            ("Hengda Spinning Company Limited", NANTONG.format(14), *BUYER),
        ]
    )
    firm = _firm_of(_firms(rows, "trade-firms-v3"))
    assert (
        firm[("Hengda Spinning Co., Ltd.", NANTONG.format(12))]
        == firm[("HENGDA SPINNING CO LTD", NANTONG.format(12).upper())]
    )
    assert (
        firm[("Hengda Spinning Co., Ltd.", NANTONG.format(14))]
        == firm[("Hengda Spinning Company Limited", NANTONG.format(14))]
    )
    assert (
        firm[("Hengda Spinning Co., Ltd.", NANTONG.format(12))]
        != firm[("Hengda Spinning Co., Ltd.", NANTONG.format(14))]
    )


@pytest.mark.parametrize(
    ("cut", "whole"),
    [
        ("Bao Jia Knitting Mill Company Limit", "Bao Jia Knitting Mill Co., Ltd."),
        ("Bao Star Cotton Spinning Company Li", "BAO STAR COTTON SPINNING CO LTD"),
        ("BAO INTERNATIONAL TRADING PRIVATE L", "Bao Intl Trading Pte. Ltd."),
    ],
)
def test_a_name_cut_at_the_field_length_keys_as_the_whole_name(cut: str, whole: str) -> None:
    assert variant_key(1, cut, "", "CN").tokens == variant_key(2, whole, "", "CN").tokens


def test_a_short_name_ending_like_a_legal_form_keeps_its_word() -> None:
    assert variant_key(1, "Heng Li", "", "CN").tokens == ("heng", "li")
    assert "lim" in variant_key(1, "Lim Lim", "", "MY").tokens


def test_name_keys_in_worker_processes_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    from flscreen.trade import resolve

    names = [row[4] for row in _two_phats()] + ["阿克苏华孚色纺有限公司", "Sheng Brands L.L.C."]
    monkeypatch.setattr(resolve, "PARALLEL_MIN", 0)
    assert resolve.name_tokens_many(names, workers=2) == resolve.name_tokens_many(names)


def test_workers_give_the_same_firms_and_locations(
    monkeypatch: pytest.MonkeyPatch, trade_sample: Path
) -> None:
    from flscreen.trade import infer, resolve
    from flscreen.trade.read import read_trade_file

    monkeypatch.setattr(resolve, "PARALLEL_MIN", 0)
    monkeypatch.setattr(infer, "PARALLEL_LOCATE_MIN", 0)
    records = read_trade_file(str(trade_sample / "bills_of_lading.csv"))
    answers = []
    for workers in (1, 2):
        engine = DuckDBEngine()
        try:
            infer.load_records(engine, records)
            inf = infer.resolve_and_infer(engine, infer.region_locator(), workers=workers)
        finally:
            engine.close()
        firms = sorted((c.firm_id, sorted(v.vid for v in c.variants)) for c in inf.firms)
        answers.append((firms, inf.locations))
    assert answers[0] == answers[1]
    assert any(loc.status == "xinjiang" for loc in answers[0][1].values())


def test_v3_blocks_a_name_a_letter_off_and_skips_units_at_other_gates() -> None:
    """'Chang Spinning' meets 'Chag Spinning' on the one-letter-off key alone (no shared
    word pair, no address); two units of one name whose house numbers are disjoint are
    not paired at all (the address veto would refuse them)."""
    rows = _rows(
        [
            ("Chang Spinning Co., Ltd.", NANTONG.format(12), *BUYER),
            ("CHAG SPINNING CO LTD", "", *BUYER),
            ("Chang Spinning Co., Ltd.", NANTONG.format(14), *BUYER),
            # 'spinning' in more names than a rare word is
            *[(f"{stem} Spinning Co., Ltd.", SHAOXING, *BUYER) for stem in OTHER_STEMS],
        ]
    )
    engine = DuckDBEngine()
    try:
        load_rows(engine, "tr_rec", sql.RECORD_COLUMNS, rows)
        resolve_firms(engine, sql.Params(algorithm="trade-firms-v3"))
        blocks = {b for (b,) in engine.fetch("SELECT blocked_on FROM tr_ncand")}
        names = dict(engine.fetch("SELECT vid, name FROM tr_var"))
        units = [(names[a], names[b]) for a, b in engine.fetch("SELECT va, vb FROM tr_ucand")]
    finally:
        engine.close()
    assert "~chag" in blocks
    assert ("Chang Spinning Co., Ltd.", "Chang Spinning Co., Ltd.") not in units
    chang = [u for u in units if "cha" in u[0].lower() and "cha" in u[1].lower()]
    assert len(chang) == 2, "the address-less spelling meets both gates' units"


OTHER_STEMS = ("Ming", "Hua", "Kang", "Rui", "Tian", "Wei", "Xin")
