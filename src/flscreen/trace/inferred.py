"""Mark what rests on inferred trade edges, whichever engine traced (memory or SQL).

An inferred edge (a transaction of kind 'inferred', flscreen.trade.graph: "A shipped
cotton yarn to B", read from bills of lading) is evidence of its own kind. A path with
one inferred hop keeps its source (an Aksu spinner is still in Xinjiang) but is never
proof of taint: ``tainted`` counts declared paths only, and the policy routes inferred
ones (``routing.inferred``).
"""

from __future__ import annotations

from dataclasses import replace

from flscreen.model.trace import Evidence, Step, TaintedPath, TraceResult

INFERRED = "inferred"


def is_inferred(step: Step) -> bool:
    return step.kind == INFERRED


def mark_inferred(result: TraceResult) -> TraceResult:
    """``result`` with inferred paths marked and ``tainted`` from declared paths only."""
    if not any(is_inferred(s) for p in result.paths for s in p.steps) and not any(
        is_inferred(s) for g in result.gaps for s in g.steps
    ):
        return result
    paths: list[TaintedPath] = []
    for p in result.paths:
        kind: Evidence = "inferred" if any(is_inferred(s) for s in p.steps) else "declared"
        paths.append(p if p.evidence == kind else replace(p, evidence=kind))
    paths.sort(key=lambda p: p.evidence == "inferred")  # stable: declared first, order kept
    # A gap is about the declared chain: that an undeclared firm's own inputs are not
    # documented is no news (``flscreen trade infer`` flags the firm itself).
    gaps = tuple(g for g in result.gaps if not (g.steps and is_inferred(g.steps[-1])))
    tainted = any(p.source.confidence == "confirmed" and p.evidence == "declared" for p in paths)
    return replace(result, tainted=tainted, paths=tuple(paths), gaps=gaps)
