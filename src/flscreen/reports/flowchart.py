"""The supply-chain flow chart as inline SVG: raw material at the top, importer at the bottom.

Drawn in Python (no layout engine): each party sits in the tier of its
longest distance upstream from the importer; edges that lie on a tainted path are red,
the party a taint comes from has a red border; paths only to possible sources
(review) are amber, gaps amber and dashed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

NODE_W, NODE_H = 190, 46
LINE_H = 12
"""A node grows by a line of this height for each more line its longest name needs."""
NAME_LINES = 3
TEXT_W = NODE_W - 12
COL_GAP, ROW_GAP = 34, 16
MARGIN = 16
RED, GREY, AMBER = "#c0392b", "#6b7280", "#b7791f"
FONT = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'DejaVu Sans', sans-serif"


@dataclass(frozen=True, slots=True)
class Edge:
    supplier: str
    buyer: str
    label: str
    tainted: bool = False
    """On a path to a confirmed source: red."""
    gap: bool = False
    possible: bool = False
    """On a path only to possible sources (review): amber, solid."""
    ownership: bool = False
    """An ownership link (owner above owned), not a sale: dotted."""
    detail: str = ""
    """Quantity and share of the buyer's inputs ("120,000 kg · 60%"), under the label."""


@dataclass
class Chart:
    names: Mapping[str, str]
    edges: list[Edge] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    """Parties a confirmed taint comes from."""
    possible_sources: set[str] = field(default_factory=set)
    gap_parties: set[str] = field(default_factory=set)
    roles: dict[str, str] = field(default_factory=dict)
    """party id -> 'importer', 'exporter', 'manufacturer'."""


def _depths(sink: str, edges: Iterable[Edge]) -> dict[str, int]:
    """Longest distance upstream of ``sink`` (so a chain reads top to bottom), cycle-safe."""
    upstream: dict[str, set[str]] = defaultdict(set)
    nodes: set[str] = {sink}
    for e in edges:
        if e.supplier != e.buyer:
            upstream[e.buyer].add(e.supplier)
        nodes.update((e.supplier, e.buyer))
    depth: dict[str, int] = {sink: 0}
    frontier = [sink]
    limit = len(nodes)
    # Bellman-Ford style relaxation bounded by the node count: cycles cannot loop forever.
    for _ in range(limit):
        changed = []
        for node in frontier:
            for sup in upstream.get(node, ()):
                d = depth[node] + 1
                if d > depth.get(sup, -1) and d <= limit:
                    depth[sup] = d
                    changed.append(sup)
        if not changed:
            break
        frontier = sorted(set(changed))
    for n in nodes:
        depth.setdefault(n, 0)
    return depth


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _char_w(ch: str) -> float:
    """Width at font size 10, bold: a CJK character a full em, Latin about 0.62 em."""
    return 10.0 if unicodedata.east_asian_width(ch) in "WF" else 6.2


def wrap_name(name: str, width: float = TEXT_W, lines: int = NAME_LINES) -> list[str]:
    """``name`` on as many lines as it needs of ``width`` pixels, up to ``lines``: Latin
    broken at spaces, Chinese anywhere; only a name longer than that ends in "…"."""
    pieces = re.findall(
        r"[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+", name
    )
    out: list[str] = [""]
    used = 0.0
    for piece in pieces:
        w = sum(_char_w(c) for c in piece.rstrip())
        if out[-1] and used + w > width:
            out.append("")
            used = 0.0
        while w > width:  # one word wider than the box: split it
            cut, acc = 0, 0.0
            while cut < len(piece) and acc + _char_w(piece[cut]) <= width - used:
                acc += _char_w(piece[cut])
                cut += 1
            cut = max(cut, 1)
            out[-1] += piece[:cut]
            out.append("")
            used = 0.0
            piece = piece[cut:]
            w = sum(_char_w(c) for c in piece.rstrip())
        out[-1] += piece
        used += sum(_char_w(c) for c in piece)
    out = [line.strip() for line in out if line.strip()] or [""]
    if len(out) > lines:
        out = out[:lines]
        last = out[-1]
        while last and sum(_char_w(c) for c in last + "…") > width:
            last = last[:-1]
        out[-1] = last.rstrip() + "…"
    return out


MAX_PER_TIER = 8
"""Beyond this many parties in one tier, the untainted ones are drawn as one box."""


def _collapse(
    chart: Chart, tiers: dict[int, list[str]], edges: list[Edge]
) -> tuple[dict[int, list[str]], list[Edge], dict[str, str]]:
    """Keep every party that matters (sources, gaps, roles, ends of tainted or possible
    hops) and up to ``MAX_PER_TIER`` in all per tier; fold the rest of a tier into one
    '... and N more' box so a chain with hundreds of farms still fits a page."""
    marked = set(chart.sources) | set(chart.possible_sources) | set(chart.gap_parties)
    marked |= set(chart.roles)
    for e in edges:
        if e.tainted or e.possible or e.gap:
            marked.update((e.supplier, e.buyer))
    folded: dict[str, str] = {}
    names = dict(chart.names)
    out: dict[int, list[str]] = {}
    for tier, nodes in tiers.items():
        if len(nodes) <= MAX_PER_TIER:
            out[tier] = nodes
            continue
        keep = [n for n in nodes if n in marked]
        rest = [n for n in nodes if n not in marked]
        room = max(MAX_PER_TIER - len(keep) - 1, 0)
        keep += rest[:room]
        dropped = rest[room:]
        if len(dropped) == 1:
            keep.append(dropped[0])
        elif dropped:
            box = f"+{len(dropped)} more (tier {tier + 1})"
            names[box] = f"… and {len(dropped)} more"
            for n in dropped:
                folded[n] = box
            keep.append(box)
        out[tier] = keep
    if not folded:
        return tiers, edges, names
    merged: dict[tuple[str, str, str], Edge] = {}
    for e in edges:
        sup, buy = folded.get(e.supplier, e.supplier), folded.get(e.buyer, e.buyer)
        key = (sup, buy, e.label)
        old = merged.get(key)
        merged[key] = Edge(
            sup,
            buy,
            e.label,
            e.tainted or bool(old and old.tainted),
            e.gap or bool(old and old.gap),
            e.possible or bool(old and old.possible),
            e.ownership or bool(old and old.ownership),
            detail="" if old else e.detail,  # several folded sales: no one figure
        )
    return out, sorted(merged.values(), key=lambda e: (e.supplier, e.buyer, e.label)), names


def render_svg(chart: Chart, sink: str) -> str:
    """An SVG string for ``chart``; ``sink`` is the last party (the importer), at the bottom.

    Tiers run top to bottom (raw material first) so a long chain fits a portrait page.
    """
    edges = sorted(set(chart.edges), key=lambda e: (e.supplier, e.buyer, e.label))
    depth = _depths(sink, edges)
    max_d = max(depth.values(), default=0)
    tiers: dict[int, list[str]] = defaultdict(list)
    for node in sorted(depth, key=lambda n: (chart.names.get(n, n), n)):
        tiers[max_d - depth[node]].append(node)
    tiers, edges, names = _collapse(chart, tiers, edges)
    chart = Chart(
        names,
        edges,
        chart.sources,
        chart.possible_sources,
        chart.gap_parties,
        chart.roles,
    )
    wrapped = {node: wrap_name(names.get(node, node)) for nodes in tiers.values() for node in nodes}
    node_h = NODE_H + LINE_H * (max((len(v) for v in wrapped.values()), default=1) - 1)
    widest = max(len(v) for v in tiers.values())
    width = MARGIN * 2 + widest * NODE_W + (widest - 1) * ROW_GAP
    pos: dict[str, tuple[float, float]] = {}
    for tier, nodes in tiers.items():
        row_w = len(nodes) * NODE_W + (len(nodes) - 1) * ROW_GAP
        x0 = (width - row_w) / 2
        for i, node in enumerate(nodes):
            pos[node] = (x0 + i * (NODE_W + ROW_GAP), MARGIN + tier * (node_h + COL_GAP))
    height = MARGIN * 2 + (max_d + 1) * node_h + max_d * COL_GAP
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" viewBox="0 0 {width:.0f}'
        f' {height}" width="{width:.0f}" height="{height}" font-family="{escape(FONT)}"'
        ' font-size="10">',
        "<defs>",
        *(
            f'<marker id="arrow-{n}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7"'
            f' markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
            for n, c in (("red", RED), ("grey", GREY), ("amber", AMBER))
        ),
        "</defs>",
    ]
    # Tainted edges drawn last so they sit on top.
    for e in sorted(edges, key=lambda e: (e.tainted, e.supplier, e.buyer, e.label)):
        if e.supplier not in pos or e.buyer not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e.supplier], pos[e.buyer]
        sx, sy = x1 + NODE_W / 2, y1 + node_h
        tx, ty = x2 + NODE_W / 2, y2
        if ty <= sy:  # same or upward tier (a loop): enter from the side
            tx, ty = x2 + NODE_W, y2 + node_h / 2
        if e.tainted:
            colour, name = RED, "red"
        elif e.gap or e.possible:
            colour, name = AMBER, "amber"
        else:
            colour, name = GREY, "grey"
        dash = ' stroke-dasharray="5,3"' if e.gap and not e.tainted else ""
        if e.ownership:
            dash = ' stroke-dasharray="2,3"'
        w = 2.2 if e.tainted else (1.8 if e.possible else 1.2)
        my = (sy + ty) / 2
        out.append(
            f'<path class="edge{" tainted" if e.tainted else ""}" d="M{sx:.1f},{sy:.1f}'
            f' C{sx:.1f},{my:.1f} {tx:.1f},{my:.1f} {tx:.1f},{ty:.1f}" fill="none"'
            f' stroke="{colour}" stroke-width="{w}"{dash} marker-end="url(#arrow-{name})"/>'
        )
        out.append(
            f'<text x="{(sx + tx) / 2 + 4:.0f}" y="{my + 3:.0f}" fill="{colour}"'
            f' font-size="8">{escape(_short(e.label, 26))}</text>'
        )
        if e.detail:
            out.append(
                f'<text class="edge-detail" x="{(sx + tx) / 2 + 4:.0f}" y="{my + 12:.0f}"'
                f' fill="{colour}" font-size="7">{escape(_short(e.detail, 34))}</text>'
            )
    for node, (x, y) in sorted(pos.items()):
        tainted = node in chart.sources
        amber = node in chart.gap_parties or node in chart.possible_sources
        stroke = RED if tainted else (AMBER if amber else GREY)
        fill = "#fdecea" if tainted else "#ffffff"
        role = chart.roles.get(node)
        lines = wrapped.get(node) or wrap_name(chart.names.get(node, node))
        name_lines = "".join(
            f'<text x="{x + 6:.1f}" y="{y + 18 + LINE_H * i:.1f}" font-weight="bold">'
            f"{escape(line)}</text>"
            for i, line in enumerate(lines)
        )
        out.append(
            f'<g class="node{" tainted" if tainted else ""}"><rect x="{x:.1f}" y="{y:.1f}"'
            f' width="{NODE_W}" height="{node_h}" rx="5" fill="{fill}" stroke="{stroke}"'
            f' stroke-width="{2 if tainted else 1}"/>{name_lines}'
            f'<text x="{x + 6:.1f}" y="{y + node_h - 12:.1f}" fill="#444">'
            f"{escape(_short(node + (' · ' + role if role else ''), 32))}</text></g>"
        )
    out.append("</svg>")
    return "".join(out)
