"""Link parties and facilities to list entries (matching) and places (region).

The two answers are stored per party and facility with the versions they
rest on (list versions searched, matcher algorithm, region algorithm), so a
trace can cite them and a later list update cannot rewrite an old answer.
The matching and locating functions are passed in (``Annotator``): tests use
small fakes, ``supply import`` and :func:`reannotate` use the real modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from flscreen.model.supply import (
    Annotation,
    Annotations,
    Facility,
    ListHitFact,
    LocationFact,
    Party,
    SupplyPackage,
)
from flscreen.store import Store
from flscreen.supply import store as supply_store

if TYPE_CHECKING:
    from flscreen.model.region import Location


@dataclass(frozen=True, slots=True)
class Subject:
    """What matching and locating see of a party or facility."""

    id: str
    kind: str
    """'party' or 'facility'."""
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    address: str | None = None
    registration_id: str | None = None
    postal_code: str | None = None
    phone: str | None = None


MatchFn = Callable[[Subject], Sequence[ListHitFact]]
LocateFn = Callable[[Subject], LocationFact | None]


@dataclass(frozen=True)
class Annotator:
    """The matching and locating steps, with the versions their answers rest on."""

    match: MatchFn
    locate: LocateFn
    list_versions: tuple[str, ...] = ()
    matcher: str | None = None
    gazetteer: str | None = None


def subjects(pkg: SupplyPackage) -> list[Subject]:
    out = [_party_subject(p) for p in pkg.parties]
    out += [_facility_subject(f) for f in pkg.facilities]
    return out


def _party_subject(p: Party) -> Subject:
    return Subject(
        p.party_id,
        "party",
        p.name,
        p.aliases,
        p.country,
        p.address,
        p.registration_id,
        p.postal_code,
        p.phone,
    )


def _facility_subject(f: Facility) -> Subject:
    return Subject(
        f.facility_id, "facility", f.name, (), f.country, f.address, None, f.postal_code, f.phone
    )


def annotate_package(
    pkg: SupplyPackage, annotator: Annotator, now: str | None = None
) -> Annotations:
    """Match and locate every party and facility of ``pkg``."""
    stamp = now or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    found = Annotations()
    for subject in subjects(pkg):
        ann = Annotation(
            subject_kind="party" if subject.kind == "party" else "facility",
            subject_id=subject.id,
            hits=tuple(annotator.match(subject)),
            location=annotator.locate(subject),
            list_versions=annotator.list_versions,
            matcher=annotator.matcher,
            gazetteer=annotator.gazetteer,
            annotated_at=stamp,
        )
        bucket = found.parties if subject.kind == "party" else found.facilities
        bucket[subject.id] = ann
    return found


def real_annotator(conn: Connection) -> Annotator:
    """Matching against the latest stored list versions, and region's ``locate``.

    Facilities are located but not matched by name when they carry a plant
    name rather than a legal name; both are matched here because lists name
    industrial parks and plants too (e.g. Lop County Hair Product Industrial Park).
    """
    from flscreen.lists.store import iter_entries, latest_versions
    from flscreen.matching import ALGORITHM as MATCHER
    from flscreen.matching import Matcher, Query
    from flscreen.matching.judgements import load_judgements
    from flscreen.region import ALGORITHM as REGION
    from flscreen.region import LocateQuery, locate

    entries = list(iter_entries(conn))
    by_key = {(ref.list_name, e.entry_id): e for ref, e in entries}
    versions = tuple(sorted(f"{n}@{r.version}" for n, r in latest_versions(conn).items()))
    matcher = Matcher.build(entries, load_judgements(conn)) if entries else None

    def match(subject: Subject) -> list[ListHitFact]:
        if matcher is None:
            return []
        result = matcher.match(
            Query(
                id=subject.id,
                name=subject.name,
                aliases=subject.aliases,
                country=subject.country,
                address=subject.address,
                registration_id=subject.registration_id,
            )
        )
        out = []
        for hit in result.hits:
            entry = by_key.get((hit.list, hit.entry_id))
            out.append(
                ListHitFact(
                    entry_id=hit.entry_id,
                    list_name=hit.list,
                    list_version=hit.list_version,
                    name=hit.name,
                    matched_name=hit.matched_name,
                    score=round(hit.score, 4),
                    status="match" if hit.match else "possible",
                    programs=entry.programs if entry else (),
                    listed_on=entry.listed_on if entry else None,
                    sources=entry.sources if entry else (),
                )
            )
        return out

    def where(subject: Subject) -> LocationFact:
        loc = locate(
            LocateQuery(
                id=subject.id,
                address=subject.address,
                postal_code=subject.postal_code,
                phone=subject.phone,
                registration_id=subject.registration_id,
                name=subject.name,
                country=subject.country,
            )
        )
        return location_fact(loc)

    return Annotator(match, where, versions, MATCHER, REGION)


def location_fact(loc: Location) -> LocationFact:
    """What supply records keep of a region answer (also used for trade firms)."""
    return LocationFact(
        status=loc.status,
        xpcc=loc.xpcc,
        division_code=loc.division_code,
        division_name=loc.division_name,
        confidence=round(loc.confidence, 4),
        signals=tuple(f"{s.kind}: {s.value} ({s.detail})" for s in loc.signals),
    )


def reannotate(store: Store, annotator: Annotator | None = None) -> Annotations:
    """Annotate every stored party and facility again (e.g. after a list update).

    The new answers become current; earlier ones stay in the store as history.
    """
    with store.begin() as conn:
        pkg = supply_store.load_package(conn)
        found = annotate_package(pkg, annotator or real_annotator(conn))
        supply_store.save_annotations(conn, found)
    return found
