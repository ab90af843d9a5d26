"""Evidence documents, for the API and the pages alike: attached from an upload form
(``POST /cases/{id}/documents`` and the case page), and served as downloads (``GET
/documents/{id}`` and the pages' links) with the same checks on both (scope, hash first,
attachment, the read audited)."""

from __future__ import annotations

import base64
import mimetypes
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from flscreen.identity.roles import Principal
from flscreen.policy.cases import StoredDocument
from flscreen.services import cases as cases_service

from .auth import audit_read, scope_of
from .state import AppState
from .uploads import received_documents


async def attach_from_form(
    request: Request, state: AppState, principal: Principal, case_id: str
) -> dict[str, Any]:
    """Store a documents form's files on a case (:func:`received_documents`), supplied by
    ``principal`` (an importer: its own tenant's cases only)."""
    scope = scope_of(state, principal)
    async with received_documents(request) as (fields, paths):
        return await run_in_threadpool(
            cases_service.attach_documents,
            state.store,
            state.documents_dir,
            case_id,
            paths,
            fields["kind"].strip(),
            principal.label(),
            (fields.get("statement") or "").strip() or None,
            fields.get("transaction") or None,
            scope,
        )


def document_response(doc: StoredDocument, body: bytes) -> Response:
    """The file as an attachment: its type guessed from its name, never sniffed or run.

    ``Repr-Digest`` (RFC 9530) carries the sha256 it was recorded with, so a client
    can check the bytes too.
    """
    media = mimetypes.guess_type(doc.filename)[0] or "application/octet-stream"
    ascii_name = doc.filename.encode("ascii", "replace").decode().replace('"', "_") or "document"
    digest = base64.b64encode(bytes.fromhex(doc.sha256)).decode()
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(doc.filename)}",
            "X-Content-Type-Options": "nosniff",
            # An uploaded HTML or SVG file must not run script in the app's origin.
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Repr-Digest": f"sha-256=:{digest}:",
            "Cache-Control": "private, no-store",
        },
    )


def serve_document(
    state: AppState, principal: Principal, document_id: int, case_id: str | None = None
) -> Response:
    """The document if ``principal`` may see it (an importer: its own cases' only), its
    hash checked; the download is logged in the audit trail as a read."""
    with state.store.connect() as conn:
        doc, body = cases_service.read_document(
            conn, state.documents_dir, document_id, case_id, scope_of(state, principal)
        )
    audit_read(
        state,
        principal,
        "document.read",
        doc.case_id or doc.transaction_id or f"document:{doc.id}",
        {"document": doc.id, "sha256": doc.sha256},
    )
    return document_response(doc, body)
