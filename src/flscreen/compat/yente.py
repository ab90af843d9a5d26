"""yente's answers, built from flscreen's lists and matcher.

Clients written for OpenSanctions' yente (scripts, the yente-client package,
spreadsheets) speak `/match/{dataset}`, `/search/{dataset}`, `/entities/{id}`
and `/catalog`. Each imported list is a dataset and ``default`` holds them all.
The answers keep yente 5's fields and add flscreen's own beside them (the list
version an entity was read from, the explained features of a score) so
nothing a yente client reads changes meaning.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from followthemoney import EntityProxy, model
from followthemoney.types import registry
from normality import slugify_text
from sqlalchemy.engine import Connection

from flscreen.errors import InvalidInput, NotFound, Problem
from flscreen.lists import store as lists_store
from flscreen.matching import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    DEFAULT_THRESHOLD,
    Algorithm,
    Query,
    get_algorithm,
)
from flscreen.model.lists import ListEntry, ListVersionRef
from flscreen.model.matching import MatchHit

from .ftm import (
    ExampleQuery,
    entity_id,
    entry_entity,
    link_entities,
    sanction_entity,
    split_entity_id,
)

DEFAULT_DATASET = "default"
"""The collection of every list, as yente's ``default``."""
ALIASES = ("best", "default")
"""yente's aliases: both name flscreen's default algorithm."""


def algorithm_names() -> tuple[str, ...]:
    """Names a client may ask for: every registered algorithm, the default first, and
    yente's aliases. Any other name is refused, as yente refuses it."""
    others = sorted(n for n in ALGORITHMS if n != DEFAULT_ALGORITHM.name)
    return (DEFAULT_ALGORITHM.name, *others, *ALIASES)


FEATURE_DOCS = "docs/clients.md#features"
"""Where each feature is described (yente's feature docs carry a URL)."""
MAX_BATCH = 100
"""Queries per ``/match`` request (yente's default MAX_BATCH)."""


# --- datasets -----------------------------------------------------------------------


def dataset_name(list_name: str) -> str:
    """The yente dataset name of a list: FtM allows only lower-case letters, digits and
    '_' (``ofac-sdn`` is ``ofac_sdn``); paths accept either spelling."""
    return slugify_text(list_name, sep="_") or list_name


def _resolve(latest: Mapping[str, ListVersionRef], names: Iterable[str]) -> set[str]:
    by_name = {dataset_name(n): n for n in latest} | {n: n for n in latest}
    return {by_name[n] for n in names if n in by_name}


def scope(
    latest: Mapping[str, ListVersionRef],
    dataset: str,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> list[str]:
    """The lists a request covers: the dataset (one list, or ``default`` for all),
    narrowed to ``include`` when given, without ``exclude``."""
    if dataset == DEFAULT_DATASET:
        names = sorted(latest)
    else:
        names = sorted(_resolve(latest, [dataset]))
        if not names:
            known = ", ".join([DEFAULT_DATASET, *sorted(dataset_name(n) for n in latest)])
            raise NotFound(f"no dataset named {dataset!r} (datasets: {known})")
    if include:
        names = [n for n in names if n in _resolve(latest, include)]
    dropped = _resolve(latest, exclude)
    return [n for n in names if n not in dropped]


def matcher_lists(latest: Mapping[str, ListVersionRef], names: Sequence[str]) -> list[str] | None:
    """The ``lists`` to ask the matcher cache for: None when the scope is every list,
    so ``default`` shares the matcher flscreen's own ``/match`` built."""
    return None if set(names) == set(latest) else list(names)


def check_algorithm(name: str) -> Algorithm:
    """The algorithm a client named, or a clear refusal naming those offered."""
    if name not in algorithm_names():
        raise InvalidInput(
            [
                Problem(
                    "query",
                    f"unknown algorithm {name!r}; this server offers "
                    f"{', '.join(algorithm_names())}",
                    field="algorithm",
                )
            ]
        )
    return get_algorithm(name)


def dataset_json(ref: ListVersionRef) -> dict[str, Any]:
    """One list as a yente catalog dataset."""
    return {
        "name": dataset_name(ref.list_name),
        "title": ref.list_name,
        "summary": f"{ref.list_name} as imported into flscreen from {ref.source}",
        "version": str(ref.version),
        "updated_at": ref.imported_at,
        "last_export": ref.retrieved_at or ref.imported_at,
        "entity_count": ref.entry_count,
        "thing_count": ref.entry_count,
        "load": True,
        "children": [],
        "resources": [],
        "tags": [],
        "deprecated": False,
        "namespace": False,
        "index_version": f"{ref.version}-{ref.sha256[:12]}",
        "flscreen": {"format": ref.format, "sha256": ref.sha256, "source": ref.source},
    }


def catalog(latest: Mapping[str, ListVersionRef]) -> dict[str, Any]:
    """``GET /catalog``: each list, and ``default`` over them all."""
    refs = [latest[n] for n in sorted(latest)]
    newest = max((r.imported_at for r in refs), default=None)
    default = {
        "name": DEFAULT_DATASET,
        "title": "All lists",
        "summary": "Every list imported into this flscreen store",
        "version": "-".join(f"{r.list_name}.{r.version}" for r in refs) or None,
        "updated_at": newest,
        "entity_count": sum(r.entry_count or 0 for r in refs),
        "load": True,
        "children": [dataset_name(r.list_name) for r in refs],
        "resources": [],
        "tags": [],
        "deprecated": False,
        "namespace": False,
    }
    names = [DEFAULT_DATASET, *(dataset_name(r.list_name) for r in refs)]
    return {
        "datasets": [default, *(dataset_json(r) for r in refs)],
        "current": names,
        "outdated": [],
        "index_stale": False,
    }


# --- entities -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryDates:
    first_seen: str | None
    last_change: str | None


def entry_dates(
    conn: Connection, list_name: str, entry_ids: Iterable[str]
) -> dict[str, EntryDates]:
    """When each entry first appeared in the list, and when its content last changed:
    the import time of the earliest version holding it, and of the earliest holding
    its current body (entries unchanged across versions share a body hash)."""
    wanted = list(dict.fromkeys(entry_ids))
    if not wanted:
        return {}
    lve = lists_store.list_version_entries
    lv = lists_store.list_versions
    lt = lists_store.lists_table
    version_id, _ = lists_store.resolve_version(conn, list_name)
    current = (
        sa.select(lve.c.entry_id, lve.c.content_hash)
        .where(lve.c.version_id == version_id, lve.c.entry_id.in_(wanted))
        .subquery()
    )
    history = (
        sa.select(lve.c.entry_id, lve.c.content_hash, lv.c.imported_at)
        .join(lv, lv.c.id == lve.c.version_id)
        .join(lt, lt.c.id == lv.c.list_id)
        .where(lt.c.name == list_name, lve.c.entry_id.in_(wanted))
        .subquery()
    )
    stmt = (
        sa.select(
            history.c.entry_id,
            sa.func.min(history.c.imported_at),
            sa.func.min(
                sa.case(
                    (history.c.content_hash == current.c.content_hash, history.c.imported_at),
                    else_=None,
                )
            ),
        )
        .join(current, current.c.entry_id == history.c.entry_id)
        .group_by(history.c.entry_id)
    )
    return {row[0]: EntryDates(row[1], row[2]) for row in conn.execute(stmt)}


@lru_cache(maxsize=20_000)
def _entity_core(
    ref: ListVersionRef, entry: ListEntry
) -> tuple[str, str, str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """(id, caption, schema, properties) of an entry's FtM entity. An entry of a list
    version never changes, so the FtM work (cleaning every value) is done once."""
    proxy = entry_entity(ref, entry)
    props = tuple((k, tuple(v)) for k, v in proxy.properties.items())
    return str(proxy.id), proxy.caption, proxy.schema.name, props


def entity_json(
    ref: ListVersionRef,
    entry: ListEntry,
    dates: EntryDates | None = None,
    nested: dict[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """A yente ``EntityResponse``: the entry as an FtM entity, plus where it was read."""
    ftm_id, caption, schema, props = _entity_core(ref, entry)
    properties: dict[str, list[Any]] = {k: list(v) for k, v in props}
    for prop, values in (nested or {}).items():
        properties.setdefault(prop, []).extend(values)
    raw_id = entry.raw.get("id") if entry.raw else None
    return {
        "id": ftm_id,
        "caption": caption,
        "schema": schema,
        "properties": properties,
        "datasets": [dataset_name(ref.list_name)],
        "referents": [raw_id] if isinstance(raw_id, str) and raw_id != ftm_id else [],
        "target": True,
        "first_seen": (dates.first_seen if dates else None) or ref.imported_at,
        "last_seen": ref.imported_at,
        "last_change": (dates.last_change if dates else None) or ref.imported_at,
        "list": {"name": ref.list_name, "version": ref.version, "sha256": ref.sha256},
    }


def _proxy_json(proxy: EntityProxy) -> dict[str, Any]:
    return {
        "id": proxy.id,
        "caption": proxy.caption,
        "schema": proxy.schema.name,
        "properties": {k: list(v) for k, v in proxy.properties.items()},
    }


def nested_links(conn: Connection, ref: ListVersionRef, entry: ListEntry) -> dict[str, list[Any]]:
    """The listing and the links of an entry, nested the way yente nests adjacent
    entities: a reverse property (``sanctions``, ``ownershipOwner``...) holding the
    link entity, whose far side is the other party's entity."""
    out: dict[str, list[Any]] = {}
    listing = sanction_entity(ref, entry)
    sanction = _proxy_json(listing)
    sanction["properties"].pop("entity", None)
    out["sanctions"] = [sanction]
    own_id = entity_id(ref.list_name, entry.entry_id)
    for link in link_entities(ref, entry):
        data = _proxy_json(link.proxy)
        for prop_name, values in link.proxy.properties.items():
            prop = link.proxy.schema.get(prop_name)
            if prop is None or prop.reverse is None:
                continue
            if own_id in values:
                out.setdefault(prop.reverse.name, []).append(data)
                data["properties"].pop(prop_name)
            else:
                data["properties"][prop_name] = [
                    _other_json(conn, ref, link.stub, v) for v in values
                ]
    return out


def _other_json(
    conn: Connection, ref: ListVersionRef, stub: EntityProxy | None, other: str
) -> dict[str, Any] | str:
    if stub is not None and stub.id == other:
        return _proxy_json(stub)
    found = split_entity_id(other, [ref.list_name])
    if found is None:
        return other
    try:
        other_ref, other_entry = lists_store.get_entry(conn, ref.list_name, found[1], ref.version)
    except NotFound:
        return other
    return _proxy_json(entry_entity(other_ref, other_entry))


def fetch_entity(conn: Connection, value: str, nested: bool = True) -> dict[str, Any]:
    """``GET /entities/{id}``: the entry in the latest version of its list."""
    latest = lists_store.latest_versions(conn)
    found = split_entity_id(value, latest)
    if found is None:
        raise NotFound(f"no entity {value!r}")
    ref, entry = lists_store.get_entry(conn, found[0], found[1])
    dates = entry_dates(conn, ref.list_name, [entry.entry_id]).get(entry.entry_id)
    links = nested_links(conn, ref, entry) if nested else None
    return entity_json(ref, entry, dates, links)


# --- matching ------------------------------------------------------------------------


def to_query(key: str, example: ExampleQuery) -> Query:
    return Query(
        id=key,
        name=example.names[0],
        aliases=example.names[1:],
        country=example.country,
        address=example.address,
        registration_id=example.registration_id,
        schema=example.flscreen_schema,
    )


@dataclass(frozen=True, slots=True)
class Filters:
    """yente's result filters, applied to scored hits."""

    topics: tuple[str, ...] = ()
    exclude_schema: tuple[str, ...] = ()
    changed_since: str | None = None

    def keep(self, entity: Mapping[str, Any]) -> bool:
        if self.exclude_schema and entity["schema"] in self.exclude_schema:
            return False
        if self.topics:
            have = set(entity["properties"].get("topics", ()))
            if not have.intersection(self.topics):
                return False
        return not (self.changed_since and str(entity["last_change"]) < self.changed_since)


def scored_entity(
    ref: ListVersionRef, entry: ListEntry, hit: MatchHit, dates: EntryDates | None, threshold: float
) -> dict[str, Any]:
    """A yente ``ScoredEntityResponse``; ``explanations`` and ``features`` come from
    flscreen's explained features, ``match`` from the threshold or a judgement."""
    data = entity_json(ref, entry, dates)
    data["score"] = hit.score
    data["match"] = hit.match or (hit.judgement is None and hit.score >= threshold)
    data["explanations"] = {
        f.name: {"detail": f.detail, "score": f.score, "query": None, "candidate": None}
        for f in hit.features
    }
    data["features"] = {f.name: f.score for f in hit.features}
    data["matched_name"] = hit.matched_name
    data["judgement"] = hit.judgement
    return data


EntryKey = tuple[str, int, str]
"""(list, version, entry id): one entry of one list version."""


def load_entries(
    conn: Connection, keys: Iterable[EntryKey]
) -> dict[EntryKey, tuple[ListVersionRef, ListEntry]]:
    """Entries by (list, version, id), one query per list version and chunk."""
    by_version: dict[tuple[str, int], list[str]] = {}
    for list_name, version, entry_id in dict.fromkeys(keys):
        by_version.setdefault((list_name, version), []).append(entry_id)
    lve = lists_store.list_version_entries
    bodies = lists_store.list_entry_bodies
    out: dict[EntryKey, tuple[ListVersionRef, ListEntry]] = {}
    for (list_name, version), ids in by_version.items():
        version_id, ref = lists_store.resolve_version(conn, list_name, version)
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                sa.select(lve.c.entry_id, bodies.c.body)
                .join(bodies, bodies.c.content_hash == lve.c.content_hash)
                .where(lve.c.version_id == version_id, lve.c.entry_id.in_(ids[start : start + 500]))
            )
            for entry_id, body in rows:
                out[(list_name, version, entry_id)] = (ref, lists_store.decode_body(body))
    return out


def hit_entities_many(
    conn: Connection,
    hits_by_key: Mapping[str, Sequence[MatchHit]],
    threshold: float,
    cutoff: float,
    filters: Filters,
) -> dict[str, list[dict[str, Any]]]:
    """For each query, its hits at or above ``cutoff`` (or confirmed) that pass
    ``filters``, as scored entities read from the list version each hit cites; the
    entries and their dates are read once for the whole batch."""
    wanted = {
        k: [h for h in hits if h.score >= cutoff or h.judgement == "match"]
        for k, hits in hits_by_key.items()
    }
    all_hits = [h for hits in wanted.values() for h in hits]
    entries = load_entries(conn, ((h.list, h.list_version, h.entry_id) for h in all_hits))
    by_list: dict[str, list[str]] = {}
    for hit in all_hits:
        by_list.setdefault(hit.list, []).append(hit.entry_id)
    dates = {name: entry_dates(conn, name, ids) for name, ids in by_list.items()}
    out: dict[str, list[dict[str, Any]]] = {}
    for key, hits in wanted.items():
        found = []
        for hit in hits:
            loaded = entries.get((hit.list, hit.list_version, hit.entry_id))
            if loaded is None:
                continue
            ref, entry = loaded
            scored = scored_entity(ref, entry, hit, dates[hit.list].get(hit.entry_id), threshold)
            if filters.keep(scored):
                found.append(scored)
        out[key] = found
    return out


def hit_entities(
    conn: Connection,
    hits: Sequence[MatchHit],
    threshold: float,
    cutoff: float,
    filters: Filters,
) -> list[dict[str, Any]]:
    """:func:`hit_entities_many` for one query."""
    return hit_entities_many(conn, {"": hits}, threshold, cutoff, filters)[""]


def match_defaults(
    threshold: float | None, cutoff: float | None, algorithm: Algorithm = DEFAULT_ALGORITHM
) -> tuple[float, float]:
    """(threshold, cutoff): the algorithm's match threshold, and its review band as the
    cutoff so possible matches come back flagged ``match: false``; a cutoff is never
    above the threshold (as in yente)."""
    thr = algorithm.threshold if threshold is None else threshold
    cut = algorithm.review_threshold if cutoff is None else cutoff
    return thr, min(cut, thr)


def algorithm_docs() -> dict[str, Any]:
    """``GET /algorithms`` in yente's shape: every registered algorithm with its name
    features (each described by the first paragraph of its docstring) and its
    tunables as ``config`` (value and description)."""
    from flscreen.matching.features import NAME_FEATURES

    docs: dict[str, Any] = {}
    for fn in NAME_FEATURES:
        doc = " ".join((fn.__doc__ or fn.__name__).split("\n\n")[0].split())
        docs[fn.__name__] = {
            "description": doc,
            "coefficient": 1.0,
            "url": f"{FEATURE_DOCS}#{fn.__name__}",
        }
    algos = []
    for name in algorithm_names()[: -len(ALIASES)]:
        algo = ALGORITHMS[name]
        algos.append(
            {
                "name": algo.name,
                "description": algo.description,
                "features": docs,
                "docs": {
                    "name": algo.name,
                    "description": algo.description,
                    "config": algo.config(),
                    "features": docs,
                },
            }
        )
    default = DEFAULT_ALGORITHM.name
    return {"algorithms": algos, "default": default, "best": default}


# --- search ---------------------------------------------------------------------------


def facets(entities: Sequence[Mapping[str, Any]], wanted: Sequence[str]) -> dict[str, Any]:
    """yente's facet counts (countries, topics, datasets, schema) over ``entities``."""
    labels = {
        "countries": "Countries",
        "topics": "Topics",
        "datasets": "Data sources",
        "schema": "Types",
    }
    out: dict[str, Any] = {}
    for facet in wanted:
        counts: Counter[str] = Counter()
        for e in entities:
            if facet == "countries":
                counts.update(e["properties"].get("country", ()))
            elif facet == "topics":
                counts.update(e["properties"].get("topics", ()))
            elif facet == "datasets":
                counts.update(e["datasets"])
            elif facet == "schema":
                counts[e["schema"]] += 1
        out[facet] = {
            "label": labels.get(facet, facet),
            "values": [
                {"name": name, "label": _facet_label(facet, name), "count": n}
                for name, n in counts.most_common()
            ],
        }
    return out


def _facet_label(facet: str, value: str) -> str:
    if facet == "countries":
        return registry.country.caption(value) or value
    return value


SEARCH_CUTOFF = 0.5
"""Lowest score a search result may have: a search box is for finding, so it reaches
below the review band."""
SEARCH_CANDIDATES = 100


def search_entities(
    conn: Connection,
    matcher: Any,
    names: Sequence[str],
    q: str,
    schema: Any,
    countries: Sequence[str],
    filters: Filters,
) -> list[dict[str, Any]]:
    """Entities for ``GET /search``: the matcher's hits for ``q`` best first, or every
    entity of the lists when ``q`` is empty; then yente's schema, country and
    topic filters."""
    found: list[dict[str, Any]]
    if matcher is not None and q.strip():
        result = matcher.match(
            Query(id="search", name=q.strip()),
            threshold=DEFAULT_THRESHOLD,
            limit=SEARCH_CANDIDATES,
            review_threshold=SEARCH_CUTOFF,
        )
        found = hit_entities(conn, result.hits, DEFAULT_THRESHOLD, SEARCH_CUTOFF, filters)
    else:
        found = []
        for ref, entry in lists_store.iter_entries(conn, list(names)):
            data = entity_json(ref, entry)
            if filters.keep(data):
                found.append(data)
    wanted_countries = set(countries)
    out = []
    for data in found:
        entity_schema = model.get(data["schema"])
        if entity_schema is None or not entity_schema.is_a(schema):
            continue
        if wanted_countries and not wanted_countries & set(data["properties"].get("country", ())):
            continue
        out.append(data)
    return out
