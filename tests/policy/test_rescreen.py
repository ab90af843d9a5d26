"""rescreen(): after a list update, what changed is reported, recorded and audited."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from flscreen import audit
from flscreen.model.supply import Annotation, Annotations, ListHitFact
from flscreen.policy import load_policy
from flscreen.policy.cases import list_cases
from flscreen.policy.records import latest_screening
from flscreen.policy.screening import rescreen, screen_store
from flscreen.services.supply import import_package
from flscreen.store import Store
from flscreen.supply import store as supply_store

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample"


def _list_party(party_id: str, entry: str) -> object:
    """A stand-in for re-annotation: the party now matches a newly listed entry."""

    def reannotate(store: Store) -> Annotations:
        with store.begin() as conn:
            found = supply_store.load_annotations(conn)
            old = found.parties.get(party_id) or Annotation("party", party_id)
            hit = ListHitFact(entry, "uflpa", 2, "Newly Listed Co.", "Newly Listed Co.", 0.99,
                              "match", ("2(d)(2)(B)(v)",), "2026-11-01")  # fmt: skip
            found.parties[party_id] = dataclasses.replace(old, hits=(*old.hits, hit))
            supply_store.save_annotations(
                conn, Annotations(parties={party_id: found.parties[party_id]})
            )
            return supply_store.load_annotations(conn)

    return reannotate


def test_rescreen_reports_new_listing_and_opens_a_case(store: Store) -> None:
    import_package(store, str(SAMPLE / "supply"))
    screen_store(store, load_policy("uflpa"), actor="ana", shipment_ids=["S-1002"])
    with store.connect() as conn:
        assert latest_screening(conn, "S-1002").verdict.outcome == "clear"
    report = rescreen(
        store,
        actor="list-bot",
        trigger={"list": "uflpa"},
        reannotate=_list_party("VN-SGE", "u-99"),  # type: ignore[arg-type]
    )
    assert report.screened == 1
    assert [p["id"] for p in report.parties] == ["VN-SGE"]
    assert report.parties[0]["added"] == [["uflpa", "u-99", "match"]]
    (change,) = report.shipments
    # the manufacturer itself is now listed: the presumption's direct outcome
    assert (change["shipment"], change["before"], change["after"]) == ("S-1002", "clear", "exclude")
    with store.connect() as conn:
        assert latest_screening(conn, "S-1002").verdict.outcome == "exclude"
        assert [c.shipment_id for c in list_cases(conn)] == ["S-1002"]
        kinds = [r.kind for r in audit.iter_records(conn)]
        assert kinds[-1] == "rescreen"
        assert audit.verify(conn).ok


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_nothing_changed_records_nothing(store: Store, engine: str) -> None:
    import_package(store, str(SAMPLE / "supply"))
    screen_store(store, load_policy("uflpa"), actor="ana")
    with store.connect() as conn:
        before = audit.verify(conn).records
    # the batch engine (used for large stores) agrees with the memory engine's verdicts
    report = rescreen(store, reannotate=lambda s: _same(s), engine=engine)
    assert not report.changed and report.screened == 7
    with store.connect() as conn:
        assert audit.verify(conn).records == before


def test_custom_policy_shipments_need_the_policy_passed(store: Store, tmp_path: Path) -> None:
    text = (SAMPLE.parents[1] / "policy" / "policies" / "uflpa.yml").read_text(encoding="utf-8")
    mine = tmp_path / "acme.yml"
    mine.write_text(text.replace("name: uflpa", "name: acme"), encoding="utf-8")
    acme = load_policy(str(mine))
    import_package(store, str(SAMPLE / "supply"))
    screen_store(store, acme, actor="ana", shipment_ids=["S-1002"])
    skipped = rescreen(store, reannotate=_list_party("VN-SGE", "u-1"))  # type: ignore[arg-type]
    assert skipped.screened == 0 and not skipped.shipments and skipped.parties
    done = rescreen(store, policies=[acme], reannotate=_list_party("VN-SGE", "u-2"))  # type: ignore[arg-type]
    assert done.screened == 1 and done.shipments[0]["policy"] == "acme"


def _same(store: Store) -> Annotations:
    with store.connect() as conn:
        return supply_store.load_annotations(conn)


def test_empty_supply_store_skips_reannotation(store: Store) -> None:
    """A list import into a store with no supply data must not pay for re-annotation."""

    def must_not_run(_: Store) -> Annotations:
        raise AssertionError("re-annotated an empty supply store")

    report = rescreen(store, reannotate=must_not_run)
    assert not report.changed and report.screened == 0
