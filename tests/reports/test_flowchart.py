"""The flow chart lays out any chain, including traders selling back and forth."""

from __future__ import annotations

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
