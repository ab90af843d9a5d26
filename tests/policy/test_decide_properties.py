"""Properties of decide() over random traces: order never matters, the verdict is the
worst reason, and nothing unproven is ever cleared."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from flscreen.model.trace import Gap, MassBalanceFinding, TaintedPath
from flscreen.policy import decide, load_policy
from flscreen.policy.schema import SEVERITY
from tests.policy.conftest import CHAIN, SHIPMENT, VERSIONS, path, source, trace

POLICIES = [load_policy(n) for n in ("uflpa", "eu-flr", "uk-proposed")]
PARTIES = ["P-GIN", "P-SPIN", "P-MILL", "P-GAR", "P-EXP"]

evidence_for = {
    "region": st.fixed_dictionaries({"status": st.sampled_from(["xinjiang", "conflict"])}),
    "xpcc": st.fixed_dictionaries({"basis": st.just("location")}),
    "ownership": st.fixed_dictionaries(
        {"aggregate_share": st.sampled_from([30.0, 50.0, 60.0, 100.0]), "control": st.booleans()}
    ),
    "list": st.fixed_dictionaries(
        {
            "list": st.sampled_from(["uflpa", "ofac_sdn", "acme_watch", "cbp_wro"]),
            "list_version": st.integers(1, 3),
            "entry_id": st.sampled_from(["e1", "e2", "e3"]),
            "programs": st.sampled_from([[], ["2(d)(2)(B)(i)"], ["GLOMAG"], ["IRAN"]]),
            "score": st.floats(0.5, 1.0),
        }
    ),
}


@st.composite
def tainted_paths(draw: st.DrawFn) -> TaintedPath:
    kind = draw(st.sampled_from(sorted(evidence_for)))
    src = source(
        kind,
        draw(st.sampled_from(PARTIES)),
        draw(st.sampled_from(["confirmed", "possible"])),
        **draw(evidence_for[kind]),
    )
    steps = CHAIN[: draw(st.integers(0, len(CHAIN)))]
    share = draw(st.one_of(st.none(), st.floats(0.0, 1.0)))
    return path(src, share=share, steps=steps)


gaps = st.builds(
    Gap,
    st.sampled_from(PARTIES),
    st.sampled_from(["cotton lint", "cotton yarn"]),
    st.sampled_from(["no_supplier", "unknown_supplier"]),
    st.just("undocumented"),
)
findings = st.builds(
    MassBalanceFinding,
    st.sampled_from(PARTIES),
    st.none(),
    st.just("cotton yarn"),
    st.just("2026"),
    st.floats(0, 1e6),
    st.floats(1, 1e6),
    st.just(0.85),
    st.floats(-10, 1e5),
    st.just("kg"),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(tainted_paths(), max_size=6),
    st.lists(gaps, max_size=3),
    st.lists(findings, max_size=2),
    st.sampled_from(POLICIES),
    st.randoms(use_true_random=False),
)
def test_decide_properties(paths, gap_list, mb, policy, rnd) -> None:  # type: ignore[no-untyped-def]
    t = trace(*paths, gaps=tuple(gap_list), mass_balance=tuple(mb))
    v = decide(t, SHIPMENT, policy, list_versions=VERSIONS)
    # the same inputs in another order give the same verdict, byte for byte
    shuffled = list(paths)
    rnd.shuffle(shuffled)
    again = decide(
        trace(*shuffled, gaps=tuple(reversed(gap_list)), mass_balance=tuple(reversed(mb))),
        SHIPMENT,
        policy,
        list_versions=VERSIONS,
    )
    assert json.dumps(again.to_dict(), sort_keys=True) == json.dumps(v.to_dict(), sort_keys=True)
    # the verdict is the worst reason, and reasons come worst first
    assert v.outcome == max((r.outcome for r in v.reasons), key=SEVERITY.__getitem__)
    assert v.reasons[0].outcome == v.outcome
    # nothing unproven is cleared: a possible source, a gap or a real shortfall means review+
    unproven = any(p.source.confidence == "possible" and (p.share is None or p.share > 0)
                   for p in paths)  # fmt: skip
    if unproven or gap_list:
        assert SEVERITY[v.outcome] >= SEVERITY["review"]
    # every raised reason carries evidence
    for r in v.reasons:
        if r.outcome != "clear":
            assert r.evidence and r.text
    assert v.policy == policy.name and v.list_versions.keys() >= VERSIONS.keys()
