"""Serve a page and its ``.json`` from one view (the datasette way).

A view returns a plain dict built from the services (:mod:`flscreen.services`);
:func:`page` registers it twice: ``/ui/x`` renders the dict with a jinja2
template, ``/ui/x.json`` returns the same dict as JSON. Errors on an HTML page
render as an HTML error page with the same status the API would answer; on
``.json`` they take the API's JSON shape.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import markupsafe
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from flscreen.errors import FlscreenError, StoreError
from flscreen.http.auth import csrf_token, current_principal, note_refusal
from flscreen.http.errors import UNREACHABLE, error_body
from flscreen.reports import tabular

TEMPLATES = Path(__file__).parent / "templates"

View = Callable[..., dict[str, Any]]

OUTCOME_CLASS = {
    "clear": "ok",
    "review": "warn",
    "detain": "bad",
    "exclude": "bad",
    "xinjiang": "bad",
    "conflict": "warn",
    "elsewhere": "ok",
    "unknown": "muted",
}


def _fmt_score(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else "-"


def _qty(value: Any) -> str:
    """1200000.0 -> '1,200,000'; 0.85 -> '0.85': quantities as people write them."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "" if value is None else str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def _inline(text: str) -> str:
    text = str(markupsafe.escape(text))
    return _BOLD.sub(r"<strong>\1</strong>", _CODE.sub(r"<code>\1</code>", text))


def markdown_lite(text: str | None) -> markupsafe.Markup:
    """The little Markdown docstrings use (paragraphs, `code`, **bold**, * bullets) as
    HTML, everything else escaped: enough to read the API's own descriptions."""
    blocks = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith(("* ", "- ")):
            items: list[str] = []
            for line in lines:
                if line.startswith(("* ", "- ")):
                    items.append(line[2:])
                elif items:
                    items[-1] += " " + line
            blocks.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
        else:
            blocks.append(f"<p>{_inline(' '.join(lines))}</p>")
    return markupsafe.Markup("".join(blocks))


def _short(value: Any, size: int = 12) -> str:
    text = "" if value is None else str(value)
    return text[:size]


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["score"] = _fmt_score
    env.filters["short"] = _short
    env.filters["qty"] = _qty
    env.filters["md"] = markdown_lite
    env.globals["outcome_class"] = lambda v: OUTCOME_CLASS.get(str(v), "")
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    with_json: bool = True,
    exports: bool = False,
) -> HTMLResponse:
    """Render ``template`` with the view's dict as ``data`` plus the page's own links
    (its JSON twin and, with ``exports``, its CSV and XLSX downloads)."""
    path = request.url.path
    query = urlencode(list(request.query_params.multi_items()))
    tail = f"?{query}" if query else ""
    base = path + "index" if path.endswith("/") else path
    json_url = base + ".json" + tail if with_json else None
    export_urls = {fmt: f"{base}.{fmt}{tail}" for fmt in tabular.FORMATS} if exports else {}
    html = (
        environment()
        .get_template(template)
        .render(
            data=context,
            path=path,
            json_url=json_url,
            export_urls=export_urls,
            request=request,
            me=current_principal(request),
            csrf=csrf_token(request),
        )
    )
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, exc: FlscreenError) -> HTMLResponse:
    note_refusal(request, exc)  # another tenant's object, refused inside a view
    status, body = error_body(exc)
    return render(request, "error.html.j2", {"status": status, **body}, status=status)


Rows = Callable[[dict[str, Any]], list[dict[str, Any]]]
"""The table a list page shows, as flat rows for a spreadsheet (see :func:`page`)."""


def download(
    rows: list[dict[str, Any]], fmt: str, name: str, columns: Sequence[str] | None = None
) -> Response:
    """``rows`` as a CSV or XLSX attachment named ``name.fmt`` (formula-leading cells
    neutralised by :mod:`flscreen.reports.tabular`)."""
    body, media = tabular.export(rows, fmt, columns, sheet=name)
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)


def page(
    router: APIRouter, path: str, template: str, rows: Rows | None = None, **route: Any
) -> Callable[[View], View]:
    """Register ``view`` at ``path`` (HTML) and ``path + '.json'`` (the same dict as JSON);
    with ``rows``, also ``path + '.csv'`` and ``path + '.xlsx'``: the page's table as a
    spreadsheet, under the same permission and with the same query parameters.

    The view must take ``request: Request``; its other parameters are FastAPI query
    and path parameters, parsed and validated once for every route.
    """

    def register(view: View) -> View:
        # Resolved here, in the view's module: FastAPI would evaluate string
        # annotations in this module's globals otherwise.
        signature = inspect.signature(view, eval_str=True)
        assert "request" in signature.parameters, f"{view.__name__} must take request"

        @functools.wraps(view)
        def as_json(*args: Any, **kwargs: Any) -> Response:
            return JSONResponse(view(*args, **kwargs))

        @functools.wraps(view)
        def as_html(*args: Any, **kwargs: Any) -> Response:
            request: Request = kwargs["request"]
            try:
                context = view(*args, **kwargs)
            except FlscreenError as exc:
                return error_page(request, exc)
            except UNREACHABLE as exc:
                problem = StoreError(f"the store did not answer ({type(exc).__name__})")
                return error_page(request, problem)
            return render(request, template, context, exports=rows is not None)

        as_json.__signature__ = signature  # type: ignore[attr-defined]
        as_html.__signature__ = signature  # type: ignore[attr-defined]
        doc = (view.__doc__ or "").strip()
        json_path = path.rstrip("/") + ".json" if path != "/ui/" else "/ui/index.json"
        # The .json route first: "/ui/x/{id}" would otherwise take "ID.json" as the id.
        router.add_api_route(
            json_path,
            as_json,
            methods=["GET"],
            summary=doc.splitlines()[0] if doc else None,
            description=doc,
            tags=["pages"],
            **route,
        )
        if rows is not None:
            name = path.rstrip("/").rsplit("/", 1)[-1] or "export"
            for fmt in tabular.FORMATS:
                router.add_api_route(
                    f"{path.rstrip('/')}.{fmt}",
                    _as_file(view, signature, rows, fmt, name),
                    methods=["GET"],
                    summary=f"{doc.splitlines()[0] if doc else name} ({fmt.upper()})",
                    description=f"The page's table as {fmt.upper()}, formula-leading cells "
                    "neutralised (a leading apostrophe).",
                    tags=["pages"],
                    response_class=Response,
                    responses={200: {"content": {tabular.MEDIA_TYPES[fmt]: {}}}},
                    **route,
                )
        router.add_api_route(
            path, as_html, methods=["GET"], include_in_schema=False, response_class=HTMLResponse
        )
        return view

    return register


def _as_file(
    view: View, signature: inspect.Signature, rows: Rows, fmt: str, name: str
) -> Callable[..., Response]:
    @functools.wraps(view)
    def as_file(*args: Any, **kwargs: Any) -> Response:
        return download(rows(view(*args, **kwargs)), fmt, name)

    as_file.__signature__ = signature  # type: ignore[attr-defined]
    return as_file
