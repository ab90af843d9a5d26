"""The flow chart lays out any chain, including traders selling back and forth."""

from __future__ import annotations

import re

from flscreen.reports.flowchart import Chart, Edge, render_svg


def test_cycle_between_traders_terminates_and_draws_everyone() -> None:
    # yarn resold between two traders both ways, as round-tripping does
    edges = [
        Edge("FARM", "GIN", "seed cotton", tainted=True),
        Edge("GIN", "T1", "cotton lint", tainted=True),
        Edge("T1", "T2", "cotton lint"),
        Edge("T2", "T1", "cotton lint"),
        Edge("T2", "MILL", "cotton lint"),
        Edge("MILL", "IMP", "fabric"),
    ]
    chart = Chart({"FARM": "阿克苏农场", "IMP": "Importer"}, edges, sources={"FARM"})
    svg = render_svg(chart, "IMP")
    for node in ("FARM", "GIN", "T1", "T2", "MILL", "IMP"):
        assert f">{node}<" in svg or f">{node} ·" in svg
    assert svg.count('class="edge tainted"') == 2
    assert "阿克苏农场" in svg


def test_names_are_escaped() -> None:
    chart = Chart({"A": "Smith & <Sons>"}, [Edge("A", "B", "x<y")])
    svg = render_svg(chart, "B")
    assert "Smith &amp; &lt;Sons&gt;" in svg and "x&lt;y" in svg


def test_a_lone_importer_still_renders() -> None:
    svg = render_svg(Chart({}, []), "IMP")
    assert svg.startswith("<svg") and ">IMP<" in svg


def test_hundreds_of_clean_farms_fold_into_one_box_but_tainted_ones_stay() -> None:
    farms = [f"FARM{i:03d}" for i in range(300)]
    edges = [Edge(f, "GIN", "seed cotton", tainted=(f == "FARM123")) for f in farms]
    edges += [Edge("GIN", "MILL", "lint", tainted=True), Edge("MILL", "IMP", "fabric")]
    svg = render_svg(Chart({}, edges, sources={"FARM123"}), "IMP")
    assert ">FARM123<" in svg  # the Xinjiang farm is drawn
    assert "… and 293 more" in svg  # 300 - 1 tainted - 6 shown
    assert svg.count('<g class="node') == 8 + 3  # a tier of 8, then gin, mill, importer
    width = int(re.search(r'width="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    assert width < 2000  # eight boxes wide, not three hundred


def test_long_names_wrap_inside_their_box_instead_of_being_cut() -> None:
    names = {
        "SPIN": "Aksu Huafu Color Spinning Co., Ltd.",
        "FARM": "新疆生产建设兵团第八师一四三团棉花种植基地有限责任公司",
        "IMP": "Northwind Apparel Inc.",
    }
    edges = [Edge("FARM", "SPIN", "seed cotton", tainted=True), Edge("SPIN", "IMP", "yarn")]
    svg = render_svg(Chart(names, edges, sources={"FARM"}), "IMP")
    bold = re.findall(r'<text[^>]*font-weight="bold">([^<]*)</text>', svg)
    assert "…" not in "".join(bold)  # before, both were cut at 26 characters
    drawn = re.sub(r"\s+", "", "".join(bold))
    for name in names.values():  # the whole name, in order, over its lines
        assert re.sub(r"\s+", "", name) in drawn, name
    height = int(re.search(r'<rect[^>]* height="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    assert height > 46  # the boxes grew a line for the two-line names
    lines = re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-weight="bold">([^<]*)<', svg)
    for _x, line in lines:  # each line fits the box (CJK a full em at font size 10)
        assert sum(10 if "\u4e00" <= c <= "\u9fff" else 6.2 for c in line) <= 190 - 12
