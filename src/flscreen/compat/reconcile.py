"""The W3C Reconciliation Service API (version 0.2, as yente serves it to OpenRefine).

A spreadsheet column of supplier names becomes a batch of queries
(``{"q0": {"query": "...", "type": "Company", "properties": [{"pid":
"country", "v": "cn"}]}}``); each is answered with candidates scored by
flscreen's matcher. Suggest, preview and data extension let OpenRefine pick
types and properties and pull list data back into the sheet.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from followthemoney import model
from followthemoney.property import Property
from followthemoney.schema import Schema
from followthemoney.types import registry
from pydantic import BaseModel, RootModel, ValidationError
from sqlalchemy.engine import Connection

from flscreen.errors import InvalidInput, NotFound, Problem
from flscreen.matching import Matcher

from .ftm import FTM_SCHEMA, ExampleError, read_example
from .yente import (
    Filters,
    fetch_entity,
    hit_entities_many,
    match_defaults,
    search_entities,
    to_query,
)

BASE_SCHEMA = "LegalEntity"
MAX_BATCH = 100
MATCHABLE = tuple(sorted(set(FTM_SCHEMA.values())))
"""The types flscreen's lists hold (what a query's ``type`` may be)."""
PROPERTY_ALIASES = {
    "uscc": "registrationNumber",
    "usc": "registrationNumber",
    "jurisdiction": "country",
}
"""Short property ids a spreadsheet user types, beside FtM's names and qnames."""


class ReconPropertyFilter(BaseModel):
    pid: str
    v: str | list[str]


class ReconQuery(BaseModel):
    query: str | None = None
    type: str | list[str] | None = None
    limit: int = 5
    properties: list[ReconPropertyFilter] = []


ReconBatch = RootModel[dict[str, ReconQuery]]


def _schema(name: str) -> Schema:
    schema = model.get(name)
    if schema is None:
        raise InvalidInput([Problem("query", f"invalid type {name!r}", field="type")])
    return schema


def type_json(schema: Schema) -> dict[str, Any]:
    return {
        "id": schema.name,
        "name": schema.plural,
        "description": schema.description or schema.label,
    }


def manifest(base_url: str, dataset: str, query_string: str = "") -> dict[str, Any]:
    """The service manifest OpenRefine reads when a user adds the service URL."""
    service = f"{base_url.rstrip('/')}/reconcile/{dataset}"
    qs = f"?{query_string}" if query_string else ""
    # The card for a candidate, also where a click on it goes; it carries the key too.
    preview = f"{service}/preview?id={{{{id}}}}" + (f"&{query_string}" if query_string else "")
    return {
        "versions": ["0.2"],
        "name": f"flscreen: {dataset}",
        "identifierSpace": "https://followthemoney.tech/explorer/",
        "schemaSpace": "https://followthemoney.tech/explorer/schemata/",
        "documentation": f"{base_url.rstrip('/')}/docs",
        "batchSize": 10,
        "view": {"url": preview},
        "preview": {"url": preview, "width": 430, "height": 300},
        "suggest": {
            "entity": {"service_url": service, "service_path": f"/suggest/entity{qs}"},
            "type": {"service_url": service, "service_path": f"/suggest/type{qs}"},
            "property": {"service_url": service, "service_path": f"/suggest/property{qs}"},
        },
        "extend": {
            "propose_properties": {"service_url": service, "service_path": f"/extend/property{qs}"},
            "propose_settings": [
                {
                    "name": "limit",
                    "label": "Limit",
                    "type": "number",
                    "default": 0,
                    "help_text": "Maximum number of values to return per row (0 for no limit).",
                    "choices": [],
                }
            ],
        },
        "defaultTypes": [type_json(_schema(n)) for n in MATCHABLE],
    }


def resolve_property(schema: Schema, pid: str) -> Property | None:
    """An FtM property from what a client sends: a qname (``Thing:country``), a name
    (``country``) or a short alias (``uscc``)."""
    prop = model.get_qname(pid)
    if prop is not None:
        return schema.get(prop.name) or prop
    name = pid.split(":", 1)[-1]
    name = PROPERTY_ALIASES.get(name.lower(), name)
    return schema.get(name)


def parse_batch(data: str) -> dict[str, ReconQuery]:
    try:
        batch = ReconBatch.model_validate_json(data).root
    except ValidationError as exc:
        problems = [
            Problem("queries", e["msg"], field=".".join(str(p) for p in e["loc"]))
            for e in exc.errors()
        ]
        raise InvalidInput(problems) from None
    if len(batch) > MAX_BATCH:
        raise InvalidInput(
            [Problem("queries", f"too many queries in one batch (limit: {MAX_BATCH})")]
        )
    return batch


def reconcile_queries(
    conn: Connection, matcher: Matcher | None, batch: Mapping[str, ReconQuery]
) -> dict[str, Any]:
    """Answer each query with scored candidates: ``{"q0": {"result": [...]}}``."""
    threshold, cutoff = match_defaults(None, None)
    hits = {}
    problems = []
    for key, q in batch.items():
        type_name = q.type if isinstance(q.type, str) else (q.type[0] if q.type else BASE_SCHEMA)
        schema = _schema(type_name)
        properties: dict[str, list[str]] = {}
        if q.query:
            properties["name"] = [q.query]
        for flt in q.properties:
            prop = resolve_property(schema, flt.pid)
            if prop is None:
                continue
            values = flt.v if isinstance(flt.v, list) else [flt.v]
            properties.setdefault(prop.name, []).extend(values)
        try:
            example = read_example(schema.name, properties)
        except ExampleError as exc:
            problems.append(Problem("queries", str(exc), field=key))
            continue
        hits[key] = (
            matcher.match(
                to_query(key, example), threshold=threshold, limit=q.limit, review_threshold=cutoff
            ).hits
            if matcher is not None
            else ()
        )
    if problems:
        raise InvalidInput(problems)
    scored = hit_entities_many(conn, hits, threshold, cutoff, Filters())
    return {key: {"result": [_candidate(e) for e in scored[key]]} for key in batch}


def _candidate(entity: Mapping[str, Any]) -> dict[str, Any]:
    schema = _schema(entity["schema"])
    return {
        "id": entity["id"],
        "name": entity["caption"],
        "description": f"{schema.label} on {', '.join(entity['datasets'])}",
        "type": [type_json(schema)],
        "score": entity["score"],
        "match": entity["match"],
        "features": [{"id": k, "value": v} for k, v in entity["features"].items()],
    }


def _prefix_match(prefix: str, *labels: str | None) -> bool:
    p = prefix.strip().lower()
    return not p or any(label and p in label.lower() for label in labels)


def suggest_types(prefix: str) -> dict[str, Any]:
    result = [
        type_json(_schema(n)) for n in MATCHABLE if _prefix_match(prefix, n, _schema(n).label)
    ]
    return {"code": "/api/status/ok", "status": "200 OK", "prefix": prefix, "result": result}


def suggest_properties(prefix: str) -> dict[str, Any]:
    seen: dict[str, dict[str, Any]] = {}
    for name in MATCHABLE:
        for prop in _schema(name).properties.values():
            if prop.hidden or prop.type == registry.entity or prop.qname in seen:
                continue
            if _prefix_match(prefix, prop.name, prop.label):
                seen[prop.qname] = {
                    "id": prop.qname,
                    "name": prop.label,
                    "description": prop.description,
                }
    result = list(seen.values())[:20]
    return {"code": "/api/status/ok", "status": "200 OK", "prefix": prefix, "result": result}


def suggest_entities(
    conn: Connection, matcher: Matcher | None, prefix: str, limit: int
) -> dict[str, Any]:
    """Entities whose names match what the user has typed so far (the matcher, with a
    low cutoff: a suggestion box is for finding)."""
    found = []
    if matcher is not None and prefix.strip():
        found = search_entities(conn, matcher, [], prefix, _schema("Thing"), [], Filters())
    result = [
        {
            "id": e["id"],
            "name": e["caption"],
            "description": _schema(e["schema"]).label,
            "type": [type_json(_schema(e["schema"]))],
        }
        for e in found[:limit]
    ]
    return {"code": "/api/status/ok", "status": "200 OK", "prefix": prefix, "result": result}


def extend_properties(type_name: str, limit: int = 0) -> dict[str, Any]:
    schema = _schema(type_name)
    props = [
        {"id": p.name, "name": p.label}
        for p in schema.properties.values()
        if not p.hidden and p.type != registry.entity
    ]
    featured = [p for p in props if p["id"] in schema.featured]
    rest = sorted((p for p in props if p["id"] not in schema.featured), key=lambda p: p["name"])
    chosen = featured + rest
    if limit > 0:
        chosen = chosen[:limit]
    return {"limit": limit, "type": schema.name, "properties": chosen}


class ExtendProperty(BaseModel):
    id: str
    settings: dict[str, Any] = {}


class ExtendQuery(BaseModel):
    ids: list[str]
    properties: list[ExtendProperty]


def extend(conn: Connection, data: str) -> dict[str, Any]:
    """Data extension: the requested properties of each id, read from its list."""
    try:
        query = ExtendQuery.model_validate_json(data)
    except ValidationError as exc:
        problems = [
            Problem("extend", e["msg"], field=".".join(str(p) for p in e["loc"]))
            for e in exc.errors()
        ]
        raise InvalidInput(problems) from None
    if len(query.ids) > MAX_BATCH:
        raise InvalidInput([Problem("extend", f"too many ids in one batch (limit: {MAX_BATCH})")])
    meta: dict[str, dict[str, str]] = {}
    rows: dict[str, dict[str, list[dict[str, str]]]] = {i: {} for i in query.ids}
    for entity_id in query.ids:
        try:
            entity = fetch_entity(conn, entity_id, nested=False)
        except NotFound:
            continue
        schema = _schema(entity["schema"])
        row: dict[str, list[dict[str, str]]] = {}
        for qprop in query.properties:
            prop = schema.get(qprop.id)
            if prop is None:
                continue
            meta.setdefault(qprop.id, {"id": prop.name, "name": prop.label})
            values = [str(v) for v in entity["properties"].get(prop.name, [])]
            limit = int(qprop.settings.get("limit", 0) or 0)
            if limit > 0:
                values = values[:limit]
            if qprop.settings.get("render", "caption") == "caption":
                values = [prop.type.caption(v) or v for v in values]
            row[qprop.id] = [{"str": v} for v in values]
        rows[entity_id] = row
    return {"meta": list(meta.values()), "rows": rows}


def preview_html(conn: Connection, entity_id: str) -> str:
    """A small card OpenRefine shows on hover: names, country, list and version."""
    entity = fetch_entity(conn, entity_id, nested=False)
    props: Mapping[str, Sequence[Any]] = entity["properties"]
    esc = html.escape
    lines = [
        f"<h3>{esc(entity['caption'])}</h3>",
        f"<p>{esc(entity['schema'])} on {esc(', '.join(entity['datasets']))} "
        f"(version {entity['list']['version']})</p>",
        "<dl>",
    ]
    for prop in ("alias", "country", "registrationNumber", "address", "program", "topics"):
        values = props.get(prop)
        if values:
            lines.append(f"<dt>{esc(prop)}</dt><dd>{esc('; '.join(str(v) for v in values))}</dd>")
    lines.append("</dl>")
    return "<!doctype html><meta charset=utf-8><title>preview</title>" + "".join(lines)
