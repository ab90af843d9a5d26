"""The dossier renders the facts an officer needs, as HTML and as a PDF whose text carries them."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from flscreen.model.trace import Gap, MassBalanceFinding
from flscreen.policy import cases, decide, load_policy
from flscreen.policy.records import latest_screening, record_screening
from flscreen.reports.dossier import DossierData, PartyView, build_chart, render_html, render_pdf
from flscreen.store import Store
from tests.policy.conftest import (
    CHAIN,
    NAMES,
    SHIPMENT,
    VERSIONS,
    add_transactions,
    path,
    source,
    trace,
    uflpa_hit,
)

PARTIES = {
    "P-IMP": PartyView("P-IMP", "Acme Apparel Imports LLC", country="US"),
    "P-EXP": PartyView("P-EXP", "Saigon Export Co.", country="VN"),
    "P-GAR": PartyView("P-GAR", "Saigon Garment JSC", country="VN", address="Binh Duong"),
    "P-MILL": PartyView("P-MILL", "Hanoi Fabric Mill", country="VN"),
    "P-SPIN": PartyView("P-SPIN", "常州棉纺有限公司", country="CN", address="江苏省常州市"),
    "P-GIN": PartyView(
        "P-GIN",
        "新疆阿克苏棉业有限公司",
        aliases=("Xinjiang Aksu Cotton Co., Ltd.",),
        country="CN",
        address="新疆阿克苏地区阿克苏市",
        registration_id="91652901MA77XXXX0X",
        location={
            "status": "xinjiang",
            "division_code": "652901",
            "division_name": "阿克苏市 Aksu",
            "xpcc": False,
            "signals": ["address: 阿克苏市 (Aksu, Xinjiang)", "uscc: division 652901"],
        },
        hits=(
            {
                "list_name": "us_dhs_uflpa",
                "list_version": 3,
                "entry_id": "uflpa-aksu-huafu",
                "name": "Aksu Huafu Textiles Co.",
                "matched_name": "Aksu Huafu Textiles Co.",
                "score": 0.97,
                "status": "match",
                "programs": ["2(d)(2)(B)(iv)"],
                "listed_on": "2023-06-12",
            },
        ),
    ),
}


@pytest.fixture
def data(store: Store, tmp_path: Path) -> DossierData:
    policy = load_policy("uflpa")
    gap = Gap("P-MILL", "cotton yarn", "unknown_supplier", "yarn bought from 'trader'", ())
    mb = MassBalanceFinding(
        "P-SPIN", "F-SPIN", "cotton yarn", "2026", 5300.0, 5400.0, 0.85, 1052.9, "kg"
    )
    t = trace(
        path(source("list", "P-GIN", **uflpa_hit()), share=0.35), gaps=(gap,), mass_balance=(mb,)
    )
    verdict = decide(t, SHIPMENT, policy, list_versions=VERSIONS, party_names=NAMES)
    doc = tmp_path / "isotope.pdf"
    doc.write_bytes(b"isotope report")
    with store.begin() as conn:
        add_transactions(conn, "T-1")
        _, case = record_screening(conn, verdict, t, policy, actor="screener", run_id="r1")
        assert case is not None
        cases.transition(conn, case.case_id, "awaiting_importer", "officer.lee", "CF-28 sent")
        cases.attach(
            conn,
            tmp_path / "docs",
            [doc],
            "isotope_test",
            "Acme Apparel Imports LLC",
            case_ref=case.case_id,
            transaction_id="T-1",
            statement="Lint is Australian.",
        )
    with store.connect() as conn:
        screening = latest_screening(conn, SHIPMENT.shipment_id)
        case = cases.get_case(conn, case.case_id)
        return DossierData(
            shipment=SHIPMENT,
            screening=screening,
            parties=PARTIES,
            chain=[{**s.__dict__} if hasattr(s, "__dict__") else _step(s) for s in CHAIN],
            documents={"INV-3": {"kind": "invoice", "sha256": "f" * 64}},
            attached=cases.documents_of_transactions(conn, ["T-1"]),
            case=case,
            events=cases.history(conn, case),
            rebuttals=cases.rebuttals_of_case(conn, case),
            case_documents=cases.documents_of_case(conn, case),
            policy_title=policy.title,
            generated_at="2026-06-10T08:00:00Z",
        )


def _step(step: object) -> dict[str, object]:
    fields = ("transaction_id", "supplier_id", "buyer_id", "material", "quantity", "unit", "date")
    out: dict[str, object] = {f: getattr(step, f) for f in fields}
    out["documents"] = list(step.documents)  # type: ignore[attr-defined]
    return out


def test_flow_chart_marks_the_tainted_path_red(data: DossierData) -> None:
    svg = build_chart(data)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    # ginner -> spinner -> mill -> garment maker -> exporter -> importer: all tainted hops red
    assert svg.count('class="edge tainted"') == 5
    assert 'class="node tainted"' in svg and "新疆阿克苏棉业有限公司" in svg
    assert "undocumented cotton yarn" in svg  # the gap is drawn, dashed


def test_html_carries_every_section(data: DossierData) -> None:
    html = render_html(data)
    for needle in (
        "Executive summary",
        "The trace found 1 path(s) to 1 confirmed source(s) (listed); 1 undocumented input(s); "
        "1 mass-balance shortfall(s).",
        "DETAIN".lower(),
        "list_entity_upstream",
        "新疆阿克苏棉业有限公司",
        "阿克苏市 Aksu",
        "us_dhs_uflpa v3, entry uflpa-aksu-huafu",
        "T-3",
        "1,052.9",
        "unknown supplier",
        "uflpa version 2026.1",
        "CF-28 sent",
        "Lint is Australian.",
        "isotope_test",
        'href="#case"',
    ):
        assert needle in html, needle


def test_pdf_text_carries_the_key_facts(data: DossierData) -> None:
    pdf = render_pdf(render_html(data))
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    squashed = "".join(text.split())
    for needle in (
        "ENT-2026-0001",
        "DETAIN",
        "list_entity_upstream",
        "AksuHuafuTextilesCo.",
        "新疆阿克苏棉业有限公司",  # CJK survives: a CJK font was embedded
        "us_dhs_uflpa",
        "2026.1",
        "CASE-",
        "awaiting_importer",
        "1,052.9",
    ):
        assert needle in squashed, needle
    assert len(reader.pages) >= 2


def test_ownership_is_drawn_owner_above_owned(data: DossierData) -> None:
    """A party possibly owned by a listed holding: a dotted amber link from the owner."""
    owned = path(
        source(
            "ownership",
            "P-MILL",
            "possible",
            chain=[{"owner": "P-HOLD", "owned": "P-MILL", "share": 50.0, "control": False,
                    "owner_name": "Huafu Holdings (HK)"}],
        ),
        steps=CHAIN[:1],
    )  # fmt: skip
    trace_ = {**data.screening.trace, "paths": [dataclasses.asdict(owned)]}
    data.screening = dataclasses.replace(data.screening, trace=trace_)
    svg = build_chart(data)
    assert "owns 50%" in svg and "Huafu Holdings (HK)" in svg
    assert 'stroke-dasharray="2,3"' in svg
    assert "P-HOLD" in render_html(data)  # the owner is listed among the parties
