"""Turn a trace into a verdict under a policy: pure, deterministic, explained.

Every finding in the trace becomes a :class:`Reason` whose outcome the policy
sets; the verdict is the most severe reason. A finding never vanishes: one that
does not raise the presumption stays as a 'clear' reason saying why, so the
officer sees everything the screen saw.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flscreen.model.lists import ListVersionRef
from flscreen.model.supply import Shipment
from flscreen.model.trace import Gap, MassBalanceFinding, Step, TaintedPath, TraceResult
from flscreen.policy.schema import SEVERITY, ListRule, Outcome, Policy, Sector, SourceRule
from flscreen.policy.verdict import Reason, Verdict

KIND_LABEL = {
    "region": "Xinjiang location",
    "list": "list entry",
    "ownership": "ownership by a listed party",
    "xpcc": "XPCC link",
}


# Codes whose outcome comes from the policy's routing of an unproven finding.
ROUTED = frozenset(
    {"list_other", "list_other_section", "list_section_unknown", "ownership_below_threshold"}
)


def worst(outcomes: list[Outcome]) -> Outcome:
    """The most severe outcome, 'clear' for none."""
    best: Outcome = "clear"
    for o in outcomes:
        if SEVERITY[o] > SEVERITY[best]:
            best = o
    return best


def _first(data: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        value = data.get(key)
        if value not in (None, "", [], ()):
            return value
    return None


def _norm_section(text: str) -> str:
    return "".join(text.split()).lower()


def section_matches(program: str, section: str) -> bool:
    """'UFLPA 2(d)(2)(B)(iv)' is in section '2(d)(2)(B)(iv)', not in '2(d)(2)(B)(i)'."""
    prog, sec = _norm_section(program), _norm_section(section)
    return prog == sec or fnmatch.fnmatchcase(prog, "*" + sec) or prog.startswith(sec + " ")


def list_ref(
    evidence: Mapping[str, Any],
    versions: Mapping[str, ListVersionRef],
    dates: Mapping[tuple[str, int], str] | None = None,
) -> dict[str, Any]:
    """The list entry a 'list' taint rests on, with list name, version and date.

    Tracing engines name these facts a little differently; read the usual keys
    and fill the date from the list versions the screen used.
    """
    hit = evidence.get("hit")
    data: dict[str, Any] = {**(hit if isinstance(hit, Mapping) else {}), **evidence}
    name = _first(data, "list", "list_name")
    version = _first(data, "list_version", "version")
    ref = versions.get(str(name)) if name is not None else None
    programs = _first(data, "programs", "sections", "section", "program") or []
    if isinstance(programs, str):
        programs = [programs]
    date = _first(data, "list_date", "imported_at")
    if date is None and ref is not None and version in (None, ref.version):
        date = ref.imported_at
    if date is None and dates and name is not None and version is not None:
        # an older version than the latest: its own import date
        date = dates.get((str(name), int(version)))
    return {
        "list": name,
        "list_version": version if version is not None else (ref.version if ref else None),
        "list_date": date,
        "entry_id": _first(data, "entry_id", "id"),
        "entry_name": _first(data, "entry_name", "name"),
        "matched_name": _first(data, "matched_name"),
        "score": _first(data, "score"),
        "sections": sorted(str(p) for p in programs),
        "sources": sorted(str(s) for s in data.get("sources") or ()),
        "listed_on": _first(data, "listed_on"),
    }


def _step_dict(step: Step, names: Mapping[str, str]) -> dict[str, Any]:
    # Written out rather than dataclasses.asdict: this runs for every step of every
    # path of every shipment, and asdict's deep copy dominated a batch screen.
    return {
        "transaction_id": step.transaction_id,
        "supplier_id": step.supplier_id,
        "buyer_id": step.buyer_id,
        "material": step.material,
        "quantity": step.quantity,
        "unit": step.unit,
        "date": step.date,
        "documents": list(step.documents),
        # The tracing engine may already name the parties; a caller's names win.
        "supplier_name": names.get(step.supplier_id) or step.supplier_name,
        "buyer_name": names.get(step.buyer_id) or step.buyer_name,
        "supplier_facility_id": step.supplier_facility_id,
        "share_of_input": step.share_of_input,
        "kind": step.kind,
        "provenance": step.provenance,
    }


def _name(party_id: str, names: Mapping[str, str]) -> str:
    name = names.get(party_id)
    return f"{name} ({party_id})" if name and name != party_id else party_id


def _where(path: TaintedPath, shipment: Shipment, names: Mapping[str, str]) -> str:
    party = path.source.party_id
    if party == shipment.manufacturer_id:
        role = "the manufacturer"
    elif party == shipment.exporter_id:
        role = "the exporter"
    else:
        hops = len(path.steps)
        role = f"a supplier {hops} step{'s' if hops != 1 else ''} upstream of the manufacturer"
    where = f"{_name(party, names)}, {role}"
    if path.source.facility_id:
        where += f" (facility {path.source.facility_id})"
    return where


def _share_text(share: float | None) -> str:
    if share is None:
        return "share of the input unknown"
    return f"{share:.1%} of the input by quantity"


def _is_direct(path: TaintedPath, shipment: Shipment) -> bool:
    return path.source.party_id in (shipment.manufacturer_id, shipment.exporter_id)


def _rule_outcome(rule: SourceRule | ListRule, direct: bool) -> Outcome:
    if direct and rule.direct_outcome is not None:
        return rule.direct_outcome
    return rule.outcome


def _matching(values: Sequence[str], patterns: Sequence[str]) -> str | None:
    """The first value some pattern matches (case-insensitive shell patterns)."""
    for value in values:
        low = value.lower()
        if any(fnmatch.fnmatchcase(low, p.lower()) for p in patterns):
            return value
    return None


def _list_rules_for(policy: Policy, ref: Mapping[str, Any]) -> list[tuple[ListRule, str]]:
    """The policy's list rules an entry falls under, each with why: the list's name as
    imported, the dataset that published the entry, or one of its programmes."""
    name = ref.get("list")
    names = [str(name)] if name is not None else []
    out = []
    for r in policy.sources.lists:
        if (hit := _matching(names, r.lists)) is not None:
            out.append((r, f"list {hit}"))
        elif (hit := _matching(ref.get("sources") or [], r.sources)) is not None:
            out.append((r, f"source dataset {hit}"))
        elif (hit := _matching(ref.get("sections") or [], r.programs)) is not None:
            out.append((r, f"programme {hit}"))
    return out


def _ownership_share(evidence: Mapping[str, Any]) -> tuple[float | None, bool]:
    """(share in percent that decides, controlled) from the ownership evidence.

    Ownership taints through a chain the way OFAC's 50% rule does: a party owned
    enough by a blocked party is itself blocked, so shares are not multiplied
    along a chain; the weakest hop decides. At the last hop the shares of
    several tainted owners add up (``aggregate_share``).
    """
    share = _first(evidence, "effective_share", "aggregate_share", "share")
    owners = evidence.get("owners")
    links = [o for o in owners if isinstance(o, Mapping)] if isinstance(owners, list) else []
    control = bool(evidence.get("control")) or any(bool(o.get("control")) for o in links)
    chain = evidence.get("chain")
    hops = [c for c in chain if isinstance(c, Mapping)] if isinstance(chain, list) else []
    if hops:
        # Each earlier hop must itself have passed on the taint.
        upstream = hops[:-1] if share is not None else hops
        hop_shares = [100.0 if c.get("control") else c.get("share") for c in upstream]
        if any(s is None for s in hop_shares):
            weakest: float | None = None
        else:
            weakest = min((float(s) for s in hop_shares if s is not None), default=None)
        if share is None:
            share = weakest
            control = False
        elif weakest is not None:
            share = min(float(share), weakest)
    return (float(share) if share is not None else None, control)


def _classify_path(
    path: TaintedPath,
    shipment: Shipment,
    policy: Policy,
    versions: Mapping[str, ListVersionRef],
    dates: Mapping[tuple[str, int], str] | None = None,
) -> tuple[str, Outcome, str, dict[str, Any]]:
    """(code, outcome, short finding, extra evidence) for one path under the policy's rules.

    The outcome here is the presumption outcome; a risk-based policy rescales it.
    """
    src = path.source
    direct = _is_direct(path, shipment)
    routing = policy.routing
    possible = src.confidence == "possible"
    extra: dict[str, Any] = {}
    if src.kind == "region":
        rule = policy.sources.region
        if rule is None or not rule.enabled:
            return ("region_not_in_policy", "clear", "the policy does not act on location", extra)
        if possible:
            return ("region_conflict", routing.region_conflict, "location signals conflict", extra)
        return ("region_xinjiang", _rule_outcome(rule, direct), "located in Xinjiang", extra)
    if src.kind == "xpcc":
        rule = policy.sources.xpcc
        if rule is None or not rule.enabled:
            return ("xpcc_not_in_policy", "clear", "the policy does not act on XPCC links", extra)
        if possible:
            return ("xpcc_possible", routing.possible_match, "possible XPCC link", extra)
        return ("xpcc", _rule_outcome(rule, direct), "part of or linked to the XPCC", extra)
    if src.kind == "ownership":
        orule = policy.sources.ownership
        if orule is None or not orule.enabled:
            return ("ownership_not_in_policy", "clear", "the policy does not act on ownership", {})
        share, control = _ownership_share(src.evidence)
        extra = {"ownership_share": share, "control": control, "policy_min_share": orule.min_share}
        meets = share is not None and (
            share >= orule.min_share if orule.inclusive else share > orule.min_share
        )
        if orule.control_counts and control:
            meets = True
        if possible:
            return ("ownership_possible", routing.possible_match, "possibly owned", extra)
        if not meets:
            op = ">=" if orule.inclusive else ">"
            return (
                "ownership_below_threshold",
                routing.ownership_below_threshold,
                f"owned {share if share is not None else 'an unknown share'}% by a listed party, "
                f"the policy needs {op} {orule.min_share:g}% or control",
                extra,
            )
        return ("ownership_listed", _rule_outcome(orule, direct), "owned or controlled", extra)
    # list
    ref = list_ref(src.evidence, versions, dates)
    extra = {"list": ref}
    named = _list_rules_for(policy, ref)
    if not named:
        return ("list_other", routing.other_list, "on a list this policy does not name", extra)
    rules = [r for r, _why in named]
    why = {r.label: w for r, w in named}
    sections: list[str] = ref["sections"]
    fitting = [
        r
        for r in rules
        if not r.sections or any(section_matches(p, s) for p in sections for s in r.sections)
    ]
    if not fitting:
        if not sections:
            return (
                "list_section_unknown",
                routing.section_unknown,
                "on a policy list, but the entry names no section",
                extra,
            )
        return (
            "list_other_section",
            routing.other_list,
            f"on {rules[0].label} under {', '.join(sections)}, a section the policy does not name",
            extra,
        )
    lrule = max(fitting, key=lambda r: SEVERITY[_rule_outcome(r, direct)])
    extra["rule"] = lrule.label
    extra["recognised_by"] = why[lrule.label]
    score = ref.get("score")
    if possible:
        if score is not None and float(score) < policy.thresholds.possible_match_min_score:
            return ("list_possible_low", "clear", "a weak possible match below threshold", extra)
        return ("list_possible", routing.possible_match, f"possibly on {lrule.label}", extra)
    code = "list_entity_direct" if direct else "list_entity_upstream"
    found = f"on {lrule.label}"
    if not why[lrule.label].startswith("list "):
        found += f" (recognised by its {why[lrule.label]})"
    return (code, _rule_outcome(lrule, direct), found, extra)


def _list_phrase(ref: Mapping[str, Any]) -> str:
    if not ref.get("list"):
        return ""
    bits = f" [{ref['list']} v{ref.get('list_version')}"
    if ref.get("entry_id"):
        bits += f", entry {ref['entry_id']}"
    if ref.get("entry_name"):
        bits += f" '{ref['entry_name']}'"
    if ref.get("sections"):
        bits += f", {', '.join(ref['sections'])}"
    return bits + "]"


def _risk(
    path: TaintedPath, shipment: Shipment, policy: Policy, sector: Sector | None
) -> tuple[float, dict[str, Any]]:
    """Severity x confidence x share (x sector and volume factors): the EU FLR's
    Article 14(2) weighing of scale and severity, volume and the suspect part's share."""
    risk = policy.risk
    assert risk is not None
    share = path.share if path.share is not None else risk.unknown_share
    factor = risk.priority_sector_factor if sector is not None else 1.0
    large = (
        risk.volume_value_at is not None
        and shipment.value is not None
        and shipment.value >= risk.volume_value_at
    )
    volume = risk.volume_factor if large else 1.0
    score = (
        (risk.severity[path.source.kind] * risk.confidence_weight[path.source.confidence] * share)
        * factor
        * volume
    )
    return min(score, 1.0), {
        "severity": risk.severity[path.source.kind],
        "confidence_weight": risk.confidence_weight[path.source.confidence],
        "share_used": share,
        "sector_factor": factor,
        "volume_factor": volume,
        "risk": round(min(score, 1.0), 6),
    }


def _risk_outcome(score: float, policy: Policy) -> Outcome:
    risk = policy.risk
    assert risk is not None
    if risk.exclude_at is not None and score >= risk.exclude_at:
        return "exclude"
    if score >= risk.detain_at:
        return "detain"
    if score >= risk.review_at:
        return "review"
    return "clear"


def _path_reason(
    path: TaintedPath,
    shipment: Shipment,
    policy: Policy,
    versions: Mapping[str, ListVersionRef],
    names: Mapping[str, str],
    sector: Sector | None,
    dates: Mapping[tuple[str, int], str] | None = None,
) -> tuple[Reason, float | None]:
    code, outcome, finding, extra = _classify_path(path, shipment, policy, versions, dates)
    src = path.source
    evidence: dict[str, Any] = {
        "source": {
            "kind": src.kind,
            "party_id": src.party_id,
            "party_name": names.get(src.party_id),
            "facility_id": src.facility_id,
            "confidence": src.confidence,
            "detail": src.detail,
            "evidence": src.evidence,
        },
        "path": [_step_dict(s, names) for s in path.steps],
        "transactions": [s.transaction_id for s in path.steps if s.transaction_id],
        "documents": sorted({d for s in path.steps for d in s.documents}),
        "share": path.share,
        **extra,
    }
    list_bit = _list_phrase(extra["list"]) if "list" in extra else ""
    risk_score: float | None = None
    text = (
        f"{_where(path, shipment, names)}: {finding}{list_bit}; "
        f"{KIND_LABEL[src.kind]} ({src.confidence}), {_share_text(path.share)}."
    )
    inferred = path.evidence == "inferred" or any(s.kind == "inferred" for s in path.steps)
    if inferred and outcome != "clear":
        code, outcome, text = _inferred(path, code, outcome, text, policy, evidence)
    if path.share is not None and path.share <= 0:
        return Reason(code + "_no_share", "clear", text + " No quantity passed.", evidence), None
    if (
        outcome != "clear"
        and path.share is not None
        and path.share < policy.thresholds.min_share
        and src.confidence == "confirmed"
    ):
        evidence["policy_min_share"] = policy.thresholds.min_share
        text += f" Below the policy's minimum share of {policy.thresholds.min_share:.1%}."
        outcome = "review" if SEVERITY[outcome] > SEVERITY["review"] else outcome
        code += "_below_min_share"
    if policy.approach == "risk_based" and outcome != "clear":
        score, detail = _risk(path, shipment, policy, sector)
        evidence["risk"] = detail
        if src.confidence == "possible" or code in ROUTED or inferred:
            # Unproven: the policy's routing decides, not the score (which stays as
            # evidence but does not count towards the shipment's risk).
            detail["counted"] = False
            text += f" Risk {score:.2f} if confirmed; routed to {outcome} until it is."
        else:
            # A confirmed taint is never cleared by a small share: the share ranks
            # the risk, it does not excuse it.
            risk_score = score
            outcome = worst([_risk_outcome(score, policy), "review"])
            text += f" Risk {score:.2f} (severity x confidence x share" + (
                " x priority sector)." if sector else ")."
            )
    return Reason(code, outcome, text, evidence), risk_score


def _inferred(
    path: TaintedPath,
    code: str,
    outcome: Outcome,
    text: str,
    policy: Policy,
    evidence: dict[str, Any],
) -> tuple[str, Outcome, str]:
    """A path through an inferred trade edge: routed (never proof), its bills named."""
    bills = sorted({d for s in path.steps if s.kind == "inferred" for d in s.documents})
    evidence["evidence"] = "inferred"
    evidence["bills_of_lading"] = bills
    routed = policy.routing.inferred
    if SEVERITY[routed] < SEVERITY[outcome]:
        outcome = routed
    hops = sum(1 for s in path.steps if s.kind == "inferred")
    text += (
        f" The path rests on {hops} supply edge(s) inferred from trade records, not declared "
        f"(bills of lading {', '.join(bills) or 'none held'}): routed to {outcome} until the "
        "importer documents or rules out that supply."
    )
    return "inferred_" + code, outcome, text


def _gap_reason(gap: Gap, policy: Policy, names: Mapping[str, str]) -> Reason:
    return Reason(
        "supply_gap",
        policy.routing.gap,
        f"Undocumented chain: {gap.material} at {_name(gap.party_id, names)} "
        f"({gap.reason.replace('_', ' ')}): {gap.detail}",
        {
            "party_id": gap.party_id,
            "party_name": names.get(gap.party_id),
            "material": gap.material,
            "reason": gap.reason,
            "detail": gap.detail,
            "path": [_step_dict(s, names) for s in gap.steps],
            "transactions": [s.transaction_id for s in gap.steps if s.transaction_id],
        },
    )


def _mass_balance_reason(
    finding: MassBalanceFinding, policy: Policy, names: Mapping[str, str]
) -> Reason | None:
    if finding.shortfall <= 0:
        return None
    required = finding.required
    if required is None:  # a finding from before ranges: outputs at the one yield
        y = finding.yield_factor
        required = finding.outputs / y if y else finding.outputs
    ratio = finding.shortfall / required if required > 0 else 1.0
    evidence = {
        "party_id": finding.party_id,
        "facility_id": finding.facility_id,
        "material": finding.material,
        "input_material": finding.input_material,
        "period": finding.period,
        "inputs": finding.inputs,
        "outputs": finding.outputs,
        "yield_factor": finding.yield_factor,
        "shortfall": finding.shortfall,
        "unit": finding.unit,
        "transactions": list(finding.transactions),
        "required_inputs": required,
        "shortfall_ratio": ratio,
        "output_unit": finding.output_unit,
        "rule": finding.rule_text,
        "input_transactions": list(finding.input_transactions),
    }
    evidence["party_name"] = names.get(finding.party_id)
    where = _name(finding.party_id, names)
    if finding.facility_id:
        where += f" facility {finding.facility_id}"
    text = (
        f"Mass balance at {where}, {finding.material}, {finding.period}: outputs need "
        f"{required:,.1f} {finding.unit} of input ({finding.rule_text}), documented "
        f"inputs are {finding.inputs:,.1f} {finding.unit}; {finding.shortfall:,.1f} {finding.unit} "
        f"({ratio:.1%}) unexplained."
    )
    if ratio < policy.thresholds.mass_balance_tolerance:
        return Reason(
            "mass_balance_within_tolerance",
            "clear",
            f"{text} Within the policy's {policy.thresholds.mass_balance_tolerance:.0%} tolerance.",
            evidence,
        )
    return Reason("mass_balance_shortfall", policy.routing.mass_balance, text, evidence)


def sort_reasons(reasons: list[Reason]) -> list[Reason]:
    """Worst first, then by code and text; reasons that tie on those are ordered by
    their evidence's canonical JSON (rare, and costly to compute for every reason)."""
    reasons = sorted(reasons, key=lambda r: (-SEVERITY[r.outcome], r.code, r.text))
    out: list[Reason] = []
    i = 0
    while i < len(reasons):
        j = i + 1
        head = reasons[i]
        while j < len(reasons) and (reasons[j].outcome, reasons[j].code, reasons[j].text) == (
            head.outcome,
            head.code,
            head.text,
        ):
            j += 1
        group = reasons[i:j]
        out.extend(sorted(group, key=Reason.sort_key) if len(group) > 1 else group)
        i = j
    return out


def versions_used(
    reasons: Iterable[Reason], versions: Mapping[str, ListVersionRef]
) -> dict[str, dict[str, Any]]:
    """Every list the screen consulted, plus any a reason cites that was not passed in."""
    used: dict[str, dict[str, Any]] = {
        name: {"version": ref.version, "imported_at": ref.imported_at, "sha256": ref.sha256}
        for name, ref in versions.items()
    }
    for reason in reasons:
        ref = reason.evidence.get("list")
        if not isinstance(ref, dict):
            continue
        name = ref.get("list")
        if name and name not in used:
            used[str(name)] = {
                "version": ref["list_version"],
                "imported_at": ref["list_date"],
                "sha256": None,
            }
    return dict(sorted(used.items()))


def decide(
    trace: TraceResult,
    shipment: Shipment,
    policy: Policy,
    *,
    list_versions: Mapping[str, ListVersionRef] | None = None,
    party_names: Mapping[str, str] | None = None,
    version_dates: Mapping[tuple[str, int], str] | None = None,
) -> Verdict:
    """The verdict on ``shipment`` under ``policy``, from its ``trace``.

    ``list_versions`` are the lists the screen consulted (recorded in the
    verdict, and used to date list evidence); ``version_dates`` ((list, version)
    -> import date) dates evidence that cites an older version; ``party_names``
    only make the reason texts readable. Same inputs give the same verdict, reasons in the
    same order.
    """
    versions = dict(list_versions or {})
    names = dict(party_names or {})
    for step in (
        *(s for p in trace.paths for s in p.steps),
        *(s for g in trace.gaps for s in g.steps),
    ):
        if step.supplier_name:
            names.setdefault(step.supplier_id, step.supplier_name)
        if step.buyer_name:
            names.setdefault(step.buyer_id, step.buyer_name)
    sector = policy.sector_of(shipment.hs_code)
    reasons: list[Reason] = []
    risks: list[float] = []
    for path in trace.paths:
        reason, risk = _path_reason(path, shipment, policy, versions, names, sector, version_dates)
        reasons.append(reason)
        if risk is not None:
            risks.append(risk)
    reasons.extend(_gap_reason(g, policy, names) for g in trace.gaps)
    for finding in trace.mass_balance:
        mb = _mass_balance_reason(finding, policy, names)
        if mb is not None:
            reasons.append(mb)
    if sector is not None:
        reasons.append(
            Reason(
                "priority_sector",
                "clear",
                f"HS {shipment.hs_code} is in the priority sector '{sector.name}' "
                f"({sector.source}).",
                {"hs_code": shipment.hs_code, "sector": sector.name, "source": sector.source},
            )
        )
    outcome = worst([r.outcome for r in reasons])
    if outcome == "clear":
        reasons.append(
            Reason(
                "no_taint_found",
                "clear",
                f"No path to Xinjiang, the XPCC or a listed party, no gap and no mass-balance "
                f"shortfall upstream of {_name(shipment.manufacturer_id, names)}, "
                f"against {len(versions)} list version(s).",
                {
                    "manufacturer_id": shipment.manufacturer_id,
                    "exporter_id": shipment.exporter_id,
                    "paths": len(trace.paths),
                    "gaps": len(trace.gaps),
                    "mass_balance_findings": len(trace.mass_balance),
                },
            )
        )
    reasons = sort_reasons(reasons)
    return Verdict(
        shipment=shipment.shipment_id,
        outcome=outcome,
        reasons=tuple(reasons),
        policy=policy.name,
        policy_version=policy.version,
        list_versions=versions_used(reasons, versions),
        sector=sector.name if sector else None,
        risk_score=round(max(risks), 6) if risks else None,
    )
