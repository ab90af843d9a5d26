"""The analyst pages: screen a name, locate an address, read lists, shipments and cases.

Every view builds its dict from the same services as the REST API
(:mod:`flscreen.services`); ``/ui/x.json`` returns that dict. The pages share the
app's state, permissions and uploads with the API through :mod:`flscreen.http`, and
never call an API route.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from flscreen.errors import FlscreenError, InvalidInput, Problem
from flscreen.http.auth import audit_read, public, requires, scope_of
from flscreen.http.documents import attach_from_form, serve_document
from flscreen.http.state import AppState, get_state
from flscreen.http.uploads import import_from_upload
from flscreen.identity.roles import Permission, Principal, transition_permission
from flscreen.lists.detect import FORMATS
from flscreen.matching import DEFAULT_THRESHOLD
from flscreen.matching import Query as MatchQuery
from flscreen.policy import bundled_policies
from flscreen.policy import cases as case_rules
from flscreen.records import read_records
from flscreen.region import LocateQuery
from flscreen.reports import tabular
from flscreen.reports.build import documented_chain
from flscreen.reports.dossier import chart_svg
from flscreen.reports.rows import MATCH_COLUMNS, match_rows
from flscreen.services import audit as audit_service
from flscreen.services import cases as cases_service
from flscreen.services import lists as lists_service
from flscreen.services import matching as matching_service
from flscreen.services import region as region_service
from flscreen.services import shipments as shipment_service

from .pages import download, error_page, page, render

router = APIRouter()

State = Annotated[AppState, Depends(get_state)]
Text = Annotated[str | None, Query(max_length=2000)]
P = Permission


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


@page(router, "/ui/", "home.html.j2")
def home(
    request: Request, state: State, principal: Annotated[Principal, requires(P.SIGNED_IN)]
) -> dict[str, Any]:
    """Overview: the lists in the store, shipments by verdict and cases by state (what the
    signed-in role may see of them)."""
    scope = scope_of(state, principal)
    with state.store.connect() as conn:
        lists = lists_service.lists_overview(conn)["lists"] if principal.can(P.LISTS_READ) else []
        by_state = cases_service.cases_by_state(conn, scope) if principal.can(P.CASES_READ) else {}
    shipped = (
        shipment_service.list_shipments(state.store, state.graphs, limit=1, scope=scope)
        if principal.can(P.SHIPMENTS_READ)
        else {"by_verdict": {}}
    )
    return {
        "shipments": {
            "total": sum(shipped["by_verdict"].values()),
            "by_verdict": shipped["by_verdict"],
        },
        "lists": [
            {"list": x["list"], "latest": x["latest"], "entries": x["versions"][-1]["entries"]}
            for x in lists
        ],
        "cases": {"total": sum(by_state.values()), "by_state": by_state},
    }


@page(router, "/ui/screen", "screen.html.j2")
def screen(
    request: Request,
    state: State,
    _: Annotated[Principal, requires(P.MATCH)],
    name: Text = None,
    country: Text = None,
    uscc: Annotated[
        str | None, Query(max_length=100, description="Registration id (USCC).")
    ] = None,
    lists: Annotated[list[str] | None, Query(alias="list")] = None,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    """Screen one name (optional country and USCC) against the lists: hits with the
    features that explain them and the list versions they come from."""
    q_name, q_country, q_uscc = _blank(name), _blank(country), _blank(uscc)
    query = {
        "name": q_name,
        "country": q_country,
        "uscc": q_uscc,
        "lists": lists or [],
        "threshold": threshold,
        "limit": limit,
    }
    with state.store.connect() as conn:
        available = [x["list"] for x in lists_service.lists_overview(conn)["lists"]]
    out: dict[str, Any] = {
        "query": query,
        "available_lists": available,
        "default_threshold": DEFAULT_THRESHOLD,
        "result": None,
    }
    if q_name is None:
        return out
    matched = matching_service.match_queries(
        state.store,
        state.matchers,
        [
            MatchQuery(
                id="-",
                name=q_name,
                country=q_country,
                registration_id=q_uscc,
            )
        ],
        lists,
        threshold,
        limit,
    )
    out["result"] = matched["results"][0]
    out["lists_used"] = matched["lists"]
    out["entries"] = matched["entries"]
    out["algorithm"] = matched["algorithm"]
    return out


@router.get("/ui/batch", include_in_schema=False, dependencies=[requires(P.MATCH)])
def batch_form(request: Request) -> Response:
    """Screen a whole supplier file: the upload form."""
    state = get_state(request)
    return render(
        request, "batch.html.j2", {"result": None, "max": state.limits.max_records}, with_json=False
    )


@router.post("/ui/batch", include_in_schema=False, dependencies=[requires(P.MATCH)])
async def batch_screen(request: Request) -> Response:
    """Screen an uploaded supplier CSV or JSON-lines file (the columns of ``flscreen match``)
    and show one row per supplier with its best hit; ``POST /match`` gives the same as JSON."""
    state = get_state(request)
    try:
        if not same_origin(request):
            raise InvalidInput([Problem("form", "refused: the form was posted from another site")])
        form = await request.form(max_files=1)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput([Problem("form", "choose a supplier file", field="file")])
        fmt = form.get("format")
        label = Path(upload.filename).name
        suffix = ".jsonl" if label.lower().endswith((".jsonl", ".ndjson", ".json")) else ".csv"
        with tempfile.TemporaryDirectory(prefix="flscreen-batch-") as tmp:
            path = Path(tmp) / f"suppliers{suffix}"
            path.write_bytes(await upload.read())
            await form.close()
            try:
                rows = [r for _, r in read_records(str(path), ("id", "name"), ("aliases",))]
            except InvalidInput as exc:
                raise InvalidInput(
                    [
                        Problem(label, p.message.replace(str(path), label), p.row, p.field)
                        for p in exc.problems
                    ]
                ) from None
        if len(rows) > state.limits.max_records:
            raise InvalidInput(
                [
                    Problem(
                        label,
                        f"{len(rows)} suppliers; at most {state.limits.max_records} per file here "
                        "(the CLI takes any number: flscreen match FILE)",
                    )
                ]
            )
        queries = _suppliers(label, rows)
        matched = await run_in_threadpool(
            matching_service.match_queries, state.store, state.matchers, queries, None, None, 3
        )
    except FlscreenError as exc:
        return error_page(request, exc)
    if fmt in tabular.FORMATS:
        table = match_rows(zip(queries, matched["results"], strict=True))
        return download(table, str(fmt), "matches", MATCH_COLUMNS)
    names = {q.id: q.name for q in queries}
    result = {
        "file": label,
        "rows": [{**r, "name": names[r["id"]]} for r in matched["results"]],
        "matched": matched["matched"],
        "lists": matched["lists"],
        "entries": matched["entries"],
    }
    return render(
        request,
        "batch.html.j2",
        {"result": result, "max": state.limits.max_records},
        with_json=False,
    )


def _suppliers(label: str, rows: list[dict[str, Any]]) -> list[MatchQuery]:
    """The supplier file's rows as queries (``flscreen match`` reads the same records), or
    every problem with them, each naming its row."""
    if not rows:
        raise InvalidInput([Problem(label, "no suppliers in the file")])
    found = [matching_service.read_party(label, i, r) for i, r in enumerate(rows, start=1)]
    problems = [p for f in found if isinstance(f, list) for p in f]
    if problems:
        raise InvalidInput(problems)
    return [f for f in found if not isinstance(f, list)]


@page(router, "/ui/locate", "locate.html.j2")
def locate(
    request: Request,
    _: Annotated[Principal, requires(P.LOCATE)],
    address: Text = None,
    uscc: Annotated[str | None, Query(max_length=100)] = None,
    postal_code: Annotated[str | None, Query(max_length=40)] = None,
    phone: Annotated[str | None, Query(max_length=60)] = None,
    name: Text = None,
    country: Text = None,
) -> dict[str, Any]:
    """Tell whether an address (and USCC, postal code, phone, company name) is in
    Xinjiang, listing every signal and what it points to."""
    query = {
        "address": _blank(address),
        "uscc": _blank(uscc),
        "postal_code": _blank(postal_code),
        "phone": _blank(phone),
        "name": _blank(name),
        "country": _blank(country),
    }
    out: dict[str, Any] = {"query": query, "result": None}
    if not any(query.values()):
        return out
    located = region_service.locate_queries(
        [
            LocateQuery(
                id="-",
                address=query["address"],
                postal_code=query["postal_code"],
                phone=query["phone"],
                registration_id=query["uscc"],
                name=query["name"],
                country=query["country"],
            )
        ]
    )
    out["result"] = located["results"][0]
    out["algorithm"] = located["algorithm"]
    return out


@page(router, "/ui/lists", "lists.html.j2")
def lists_page(
    request: Request, state: State, _: Annotated[Principal, requires(P.LISTS_READ)]
) -> dict[str, Any]:
    """Every list and its versions."""
    with state.store.connect() as conn:
        out = lists_service.lists_overview(conn)
    out["formats"] = list(FORMATS)
    return out


@page(router, "/ui/lists/{name}", "list.html.j2")
def list_page(
    request: Request,
    state: State,
    _: Annotated[Principal, requires(P.LISTS_READ)],
    name: str,
    version: Annotated[int | None, Query(ge=1)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """One list: its versions (with links to each diff) and a page of a version's entries,
    optionally only those whose id or a name contains ``q``."""
    with state.store.connect() as conn:
        versions = lists_service.list_versions(conn, name)
        entries = lists_service.list_entries(conn, name, version, limit, offset, q=_blank(q))
    return {**versions, "page": entries}


@page(router, "/ui/lists/{name}/diff", "diff.html.j2")
def diff_page(
    request: Request,
    state: State,
    _: Annotated[Principal, requires(P.LISTS_READ)],
    name: str,
    from_version: Annotated[int | None, Query(alias="from", ge=0)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1)] = None,
) -> dict[str, Any]:
    """What changed between two versions of a list (default: the last two)."""
    with state.store.connect() as conn:
        return lists_service.list_diff(conn, name, from_version, to_version)


def _shipment_rows(out: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for s in out["shipments"]:
        latest = s.get("latest") or {}
        main = latest.get("main_reason") or {}
        rows.append(
            {
                "shipment": s["shipment"],
                "date": s["date"],
                "product": s["product"],
                "hs_code": s["hs_code"],
                "quantity": s["quantity"],
                "unit": s["unit"],
                "value": s["value"],
                "declared_origin": s["declared_origin"],
                "importer": s["importer"]["name"] or s["importer"]["id"],
                "exporter": s["exporter"]["name"] or s["exporter"]["id"],
                "manufacturer": s["manufacturer"]["name"] or s["manufacturer"]["id"],
                "verdict": latest.get("verdict", "unscreened"),
                "policy": latest.get("policy"),
                "policy_version": latest.get("policy_version"),
                "screened_at": latest.get("screened_at"),
                "main_reason": main.get("code"),
                "reason_text": main.get("text"),
                "case": s.get("case"),
            }
        )
    return rows


@page(router, "/ui/shipments", "shipments.html.j2", rows=_shipment_rows)
def shipments_page(
    request: Request,
    state: State,
    principal: Annotated[Principal, requires(P.SHIPMENTS_READ)],
    verdict: Annotated[str | None, Query()] = None,
    policy: Annotated[str | None, Query()] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Shipments with their latest verdict, main reason and open case."""
    out = shipment_service.list_shipments(
        state.store,
        state.graphs,
        policy=_blank(policy),
        verdict=_blank(verdict),
        limit=limit,
        offset=offset,
        scope=scope_of(state, principal),
    )
    out["filter"] = {"verdict": _blank(verdict), "policy": _blank(policy)}
    out["policies"] = bundled_policies()
    return out


@page(router, "/ui/shipments/{shipment_id}", "shipment.html.j2")
def shipment_page(
    request: Request,
    state: State,
    principal: Annotated[Principal, requires(P.SHIPMENTS_READ)],
    shipment_id: str,
    policy: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    """One shipment: its verdict and reasons, the flow chart of its supply chain (the
    dossier's, with quantities and shares on the sales), every traced path with its
    steps and documents, gaps, mass-balance shortfalls, and links to the dossier."""
    out = shipment_service.shipment_detail(
        state.store, state.graphs, shipment_id, _blank(policy), scope_of(state, principal)
    )
    graph = state.graphs.get(state.store)
    svg = chart_svg(
        graph.shipment(shipment_id),
        out["trace"],
        documented_chain(graph, shipment_id),
        {pid: p.name for pid, p in graph.parties.items()},
    )
    # Inline in HTML an <svg> needs no namespace (the page names no outside address).
    out["flow_chart"] = svg.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)
    _group_shared_steps(out["trace"].get("paths", ()))
    return out


def _group_shared_steps(paths: list[dict[str, Any]]) -> None:
    """Mark on each path the earlier path it shares its first steps with, and how many
    (``shared: {"path", "steps"}``), so the page lists those steps once, not per path."""
    for i, p in enumerate(paths):
        ids = [s.get("transaction_id") for s in p.get("steps", ())]
        best = (0, 0)
        for j in range(i):
            other = [s.get("transaction_id") for s in paths[j].get("steps", ())]
            n = 0
            while n < min(len(ids), len(other)) and ids[n] is not None and ids[n] == other[n]:
                n += 1
            if n > best[1]:
                best = (j + 1, n)
        p["shared"] = {"path": best[0], "steps": best[1]} if best[1] else None


@router.post("/ui/screen-shipments", include_in_schema=False)
async def screen_form(
    request: Request, principal: Annotated[Principal, requires(P.SCREEN)]
) -> Response:
    """The shipments pages' form: screen one shipment (or all) under a policy."""
    state = get_state(request)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    shipment = _blank(fields.get("shipment"))
    try:
        if not same_origin(request):
            raise InvalidInput([Problem("form", "refused: the form was posted from another site")])
        await run_in_threadpool(
            shipment_service.screen,
            state.store,
            fields.get("policy") or "uflpa",
            [shipment] if shipment else None,
            principal.label(),
            state.graphs,
        )
    except FlscreenError as exc:
        return error_page(request, exc)
    target = f"/ui/shipments/{quote(shipment)}" if shipment else "/ui/shipments"
    return RedirectResponse(target, status_code=303)


@page(router, "/ui/cases", "cases.html.j2", rows=lambda out: out["cases"])
def cases_page(
    request: Request,
    state: State,
    principal: Annotated[Principal, requires(P.CASES_READ)],
    case_state: Annotated[str | None, Query(alias="state")] = None,
    shipment: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    """Cases, oldest first, filtered by state or shipment."""
    with state.store.connect() as conn:
        out = cases_service.list_cases(
            conn, _blank(case_state), _blank(shipment), scope_of(state, principal)
        )
    out["filter"] = {"state": _blank(case_state), "shipment": _blank(shipment)}
    return out


@page(router, "/ui/queue", "queue.html.j2", rows=lambda out: out["cases"])
def queue_page(
    request: Request,
    state: State,
    principal: Annotated[Principal, requires(P.CASES_READ)],
    case_state: Annotated[str | None, Query(alias="state")] = None,
    assignee: Annotated[str | None, Query(max_length=255)] = None,
    unassigned: bool = False,
) -> dict[str, Any]:
    """The work queue: open cases by state, assignee and age with the detention clock
    (days held against the policy's limit), overdue ones first."""
    with state.store.connect() as conn:
        out = cases_service.work_queue(
            conn, _blank(case_state), _blank(assignee), unassigned, scope_of(state, principal)
        )
    out["filter"] = {
        "state": _blank(case_state),
        "assignee": _blank(assignee),
        "unassigned": unassigned,
    }
    return out


@page(router, "/ui/cases/{case_id}", "case.html.j2")
def case_page(
    request: Request,
    state: State,
    principal: Annotated[Principal, requires(P.CASES_READ)],
    case_id: str,
) -> dict[str, Any]:
    """A case: its verdict's reasons, history, rebuttals and documents, and a form to
    move it to an allowed state."""
    with state.store.connect() as conn:
        out = cases_service.case_json(conn, case_id, scope_of(state, principal))
    audit_read(state, principal, "case.read", out["case"])
    out["document_kinds"] = list(case_rules.DOCUMENT_KINDS)
    return out


@router.get("/ui/documents/{document_id}", include_in_schema=False)
def document_download(
    state: State,
    document_id: int,
    principal: Annotated[Principal, requires(P.DOCUMENTS_READ)],
) -> Response:
    """A case or transaction document, downloaded from the case and shipment pages (the
    same checks as ``GET /documents/{id}``: scope, hash first, attachment, audited)."""
    return serve_document(state, principal, document_id)


@page(router, "/ui/audit", "audit.html.j2", rows=lambda out: out["records"])
def audit_page(
    request: Request,
    state: State,
    _: Annotated[Principal, requires(P.AUDIT_READ)],
    subject: Annotated[str | None, Query()] = None,
    kind: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    """The audit trail: is the chain intact, and the newest records (by subject or kind)."""
    with state.store.connect() as conn:
        verified = audit_service.verify_audit(conn, state.documents_dir)
        records = audit_service.audit_records(conn, _blank(subject), _blank(kind), 200)
    return {
        "verify": verified,
        "records": records,
        "filter": {"subject": _blank(subject), "kind": _blank(kind)},
    }


@page(router, "/ui/api", "api.html.j2")
def api_page(request: Request, _: Annotated[Principal, requires(P.SIGNED_IN)]) -> dict[str, Any]:
    """The REST API's endpoints with their descriptions and parameters, from the app's
    own OpenAPI document, readable offline (the Swagger UI at /docs loads from a CDN)."""
    spec = request.app.openapi()
    endpoints = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            if "pages" in op.get("tags", ()):
                continue
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "tag": (op.get("tags") or ["other"])[0],
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "in": p.get("in"),
                            "required": bool(p.get("required")),
                            "description": p.get("description")
                            or p.get("schema", {}).get("description", ""),
                        }
                        for p in op.get("parameters", ())
                    ],
                    "body": "requestBody" in op,
                }
            )
    return {
        "title": spec.get("info", {}).get("title"),
        "version": spec.get("info", {}).get("version"),
        "description": spec.get("info", {}).get("description", ""),
        "endpoints": endpoints,
    }


def same_origin(request: Request) -> bool:
    """A form post must come from this app's own pages (a cross-site page cannot move
    a case through the analyst's browser)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # non-browser clients send neither
    return urlsplit(origin).netloc == request.url.netloc


async def _case_form(
    request: Request, case_id: str, act: Callable[[AppState, FormData], object]
) -> Response:
    """Run one of the case page's forms (refusing a post from another site), then show
    the case again, or the refusal with every problem."""
    state = get_state(request)
    form = await request.form()
    try:
        if not same_origin(request):
            raise InvalidInput([Problem("form", "refused: the form was posted from another site")])
        await run_in_threadpool(act, state, form)
    except FlscreenError as exc:
        return error_page(request, exc)
    return RedirectResponse(f"/ui/cases/{quote(case_id)}", status_code=303)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _transition(
    principal: Principal, state: AppState, case_id: str, form: FormData
) -> dict[str, Any]:
    principal.require(transition_permission(_text(form, "to").strip()))
    return cases_service.transition_case(
        state.store, case_id, _text(form, "to"), principal.label(), _text(form, "reason")
    )


@router.post("/ui/cases/{case_id}/transition", include_in_schema=False)
async def case_transition_form(
    request: Request,
    case_id: str,
    principal: Annotated[Principal, requires(P.CASES_PREPARE)],
) -> Response:
    """The case page's form: move the case (deciding moves need an officer)."""
    return await _case_form(
        request, case_id, lambda state, form: _transition(principal, state, case_id, form)
    )


def _document_ids(form: FormData) -> list[int]:
    ids = []
    for value in form.getlist("documents"):
        if not isinstance(value, str) or not value.strip().isdigit():
            raise InvalidInput([Problem("form", "not a document id", field="documents")])
        ids.append(int(value))
    return ids


@router.post("/ui/cases/{case_id}/findings", include_in_schema=False)
async def case_finding_form(
    request: Request,
    case_id: str,
    principal: Annotated[Principal, requires(P.CASES_DECIDE)],
) -> Response:
    """The case page's finding form: an applicability or exception finding."""
    return await _case_form(
        request,
        case_id,
        lambda state, form: cases_service.record_finding(
            state.store,
            case_id,
            _text(form, "kind"),
            _text(form, "statement"),
            _document_ids(form),
            principal.label(),
            _text(form, "clear_and_convincing") in {"on", "true", "1", "yes"},
        ),
    )


@router.post("/ui/cases/{case_id}/assign", include_in_schema=False)
async def case_assign_form(
    request: Request,
    case_id: str,
    principal: Annotated[Principal, requires(P.CASES_ASSIGN)],
) -> Response:
    """The case page's assign form (blank: nobody)."""
    return await _case_form(
        request,
        case_id,
        lambda state, form: cases_service.assign_case(
            state.store,
            case_id,
            _text(form, "to") or None,
            principal.label(),
            _text(form, "note"),
        ),
    )


@router.post("/ui/lists/import", include_in_schema=False)
async def list_import_form(
    request: Request, principal: Annotated[Principal, requires(P.LISTS_IMPORT)]
) -> Response:
    """The lists page's upload form: import a file as the next version of a list."""
    state = get_state(request)
    try:
        if not same_origin(request):
            raise InvalidInput([Problem("form", "refused: the form was posted from another site")])
        form = await request.form(max_files=1)
        name = str(form.get("list") or "").strip()
        fmt = str(form.get("format") or "").strip() or None
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput([Problem("form", "choose a file to import", field="file")])
        with tempfile.TemporaryDirectory(prefix="flscreen-upload-") as tmp:
            label = Path(upload.filename).name
            target = Path(tmp) / (label.replace("/", "_") or "upload")
            with target.open("wb") as out:
                while chunk := await upload.read(1 << 20):
                    out.write(chunk)
            await form.close()
            await run_in_threadpool(
                lists_service.import_file,
                state.store,
                name,
                target,
                label,
                fmt,
                False,
                principal.label(),
            )
    except FlscreenError as exc:
        return error_page(request, exc)
    return RedirectResponse(f"/ui/lists/{quote(name)}", status_code=303)


@router.post("/ui/shipments/import", include_in_schema=False)
async def package_import_form(
    request: Request, principal: Annotated[Principal, requires(P.SHIPMENTS_IMPORT)]
) -> Response:
    """The shipments page's upload form: import a supply package, screen it if asked."""
    if not same_origin(request):
        exc = InvalidInput([Problem("form", "refused: the form was posted from another site")])
        return error_page(request, exc)
    state = get_state(request)
    policy = _blank(request.query_params.get("screen"))
    try:
        await import_from_upload(request, state, principal, policy)
    except FlscreenError as exc:
        return error_page(request, exc)
    return RedirectResponse("/ui/shipments", status_code=303)


@router.post("/ui/judge", include_in_schema=False)
async def judge_form(
    request: Request, principal: Annotated[Principal, requires(P.JUDGE)]
) -> Response:
    """The screen page's buttons: record that the screened name is (not) a list entry,
    then show the screen again, where the judgement now applies."""
    state = get_state(request)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        if not same_origin(request):
            raise InvalidInput([Problem("form", "refused: the form was posted from another site")])
        await run_in_threadpool(
            matching_service.judge_json,
            state.store,
            fields.get("name", ""),
            fields.get("list", ""),
            fields.get("entry_id", ""),
            fields.get("verdict", ""),
            principal.label(),
            _blank(fields.get("reason")),
            _blank(fields.get("uscc")),
        )
    except FlscreenError as exc:
        return error_page(request, exc)
    back = fields.get("back") or "/ui/screen"
    if not back.startswith("/ui/"):
        back = "/ui/screen"
    return RedirectResponse(back, status_code=303)


@router.post("/ui/cases/{case_id}/documents", include_in_schema=False)
async def case_documents_form(
    request: Request,
    case_id: str,
    principal: Annotated[Principal, requires(P.DOCUMENTS_ATTACH)],
) -> Response:
    """The case page's upload form: attach documents (and a rebuttal statement)."""
    if not same_origin(request):
        exc = InvalidInput([Problem("form", "refused: the form was posted from another site")])
        return error_page(request, exc)
    state = get_state(request)
    try:
        await attach_from_form(request, state, principal, case_id)
    except FlscreenError as exc:
        return error_page(request, exc)
    return RedirectResponse(f"/ui/cases/{quote(case_id)}", status_code=303)


@router.get("/", include_in_schema=False, dependencies=[public()])
def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)
