"""Saving packages and annotations: round trip, replacement, history, nothing on rejection."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from flscreen.model.supply import ListHitFact
from flscreen.store import Store
from flscreen.supply import load_package
from flscreen.supply import store as supply_store
from flscreen.supply.annotate import Annotator, annotate_package, reannotate
from flscreen.supply.tables import TABLES
from tests.supply.fakes import FAKE

TODAY = dt.date(2026, 11, 27)


def test_package_round_trip(store: Store, sample_dir: Path) -> None:
    pkg = load_package(sample_dir, today=TODAY)
    with store.begin() as conn:
        supply_store.save_package(conn, pkg, "sample")
    with store.connect() as conn:
        back = supply_store.load_package(conn)
    key = {
        "parties": "party_id",
        "facilities": "facility_id",
        "transactions": "transaction_id",
        "shipments": "shipment_id",
        "documents": "document_id",
    }
    for table, attr in key.items():
        assert sorted(getattr(pkg, table), key=lambda r: getattr(r, attr)) == getattr(back, table)
    assert sorted(pkg.ownership, key=lambda o: (o.owner_id, o.owned_id)) == sorted(
        back.ownership, key=lambda o: (o.owner_id, o.owned_id)
    )
    assert sorted(pkg.bom, key=lambda b: (b.product, b.material)) == sorted(
        back.bom, key=lambda b: (b.product, b.material)
    )


def test_reimport_replaces_records_with_the_same_id(store: Store, sample_dir: Path) -> None:
    pkg = load_package(sample_dir, today=TODAY)
    with store.begin() as conn:
        supply_store.save_package(conn, pkg, "first")
    fixed = dataclasses.replace(pkg.transactions[0], quantity=601.0)
    pkg.transactions[0] = fixed
    with store.begin() as conn:
        supply_store.save_package(conn, pkg, "correction")
    with store.connect() as conn:
        back = {t.transaction_id: t for t in supply_store.load_package(conn).transactions}
        assert back[fixed.transaction_id].quantity == 601.0
        assert len(back) == len(pkg.transactions)
        assert [i["source"] for i in supply_store.list_imports(conn)] == ["first", "correction"]


def test_failed_write_leaves_nothing(store: Store, sample_dir: Path) -> None:
    pkg = load_package(sample_dir, today=TODAY)
    with pytest.raises(RuntimeError), store.begin() as conn:
        supply_store.save_package(conn, pkg, "half")
        raise RuntimeError("annotation failed half-way")
    with store.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(supply_store.parties)).scalar_one()
            == 0
        )
        assert supply_store.list_imports(conn) == []


def test_reannotation_keeps_history_and_versions(store: Store, sample_dir: Path) -> None:
    pkg = load_package(sample_dir, today=TODAY)
    with store.begin() as conn:
        supply_store.save_package(conn, pkg, "sample")
        supply_store.save_annotations(
            conn, annotate_package(pkg, FAKE, now="2026-11-01T00:00:00+00:00")
        )

    # a list update: version 4 also lists the Kyrgyz trader
    def match_v4(subject):  # type: ignore[no-untyped-def]
        hits = list(FAKE.match(subject))
        if subject.id == "KG-SILKROAD":
            hits.append(
                ListHitFact(
                    "x1", "uflpa", 4, "Silk Road Textile Trading LLC", subject.name, 0.95, "match"
                )
            )
        return [dataclasses.replace(h, list_version=4) for h in hits]

    updated = Annotator(match_v4, FAKE.locate, ("uflpa@4",), FAKE.matcher, FAKE.gazetteer)
    reannotate(store, updated)
    with store.connect() as conn:
        current = supply_store.load_annotations(conn)
        history = supply_store.annotation_history(conn, "party", "CN-AKS-HUAFU")
    assert current.parties["KG-SILKROAD"].hits[0].list_version == 4
    assert current.parties["CN-AKS-HUAFU"].list_versions == ("uflpa@4",)
    assert [h.list_versions for h in history] == [("uflpa@3",), ("uflpa@4",)]
    assert history[0].hits[0].list_version == 3  # the old answer is kept as it was
    assert current.facilities["F-AKS-HUAFU"].location is not None
    assert current.facilities["F-AKS-HUAFU"].location.status == "xinjiang"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_record_is_described_once(name: str) -> None:
    """The spec's stored columns are exactly the model's fields and the stored table's
    columns: a field added to one place and not the others fails here."""
    spec = TABLES[name]
    fields = [f.name for f in dataclasses.fields(spec.record)]
    assert [c.attribute for c in spec.stored_columns] == fields
    table = supply_store.RECORD_TABLES[name]
    assert [c.name for c in table.columns] == [*fields, "import_id"]
    assert [c.name for c in table.primary_key] == [
        c.attribute for c in spec.columns if c.name in spec.key
    ]
