"""Evidence documents, served as downloads with their hash checked on the way out."""

from __future__ import annotations

import base64
import mimetypes
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from flscreen.errors import NotFound
from flscreen.identity.roles import Permission, Principal
from flscreen.policy import cases
from flscreen.policy.cases import StoredDocument

from .. import services
from ..auth import audit_read, requires, scope_of
from ..state import AppState, get_state

router = APIRouter(tags=["cases"])

State = Annotated[AppState, Depends(get_state)]
Reader = Annotated[Principal, requires(Permission.DOCUMENTS_READ)]
DocumentId = Annotated[int, Path(ge=1, description="The document's id (listed on its case).")]


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


def serve(
    state: AppState, principal: Principal, document_id: int, case_id: str | None = None
) -> Response:
    """The document if ``principal`` may see it (an importer: its own cases' only), its
    hash checked; the download is logged in the audit trail as a read."""
    scope = scope_of(state, principal)
    with state.store.connect() as conn:
        doc = cases.get_document(conn, document_id)
        if not scope.unrestricted:
            if doc.case_id is None:
                raise NotFound(f"no document {document_id}")
            services.scoped_case(conn, doc.case_id, scope)
        doc, body = cases.read_document(conn, state.documents_dir, document_id, case_id)
    audit_read(
        state,
        principal,
        "document.read",
        doc.case_id or doc.transaction_id or f"document:{doc.id}",
        {"document": doc.id, "sha256": doc.sha256},
    )
    return document_response(doc, body)


@router.get("/documents/{document_id}", response_class=Response)
def get_document(document_id: DocumentId, state: State, principal: Reader) -> Response:
    """Download a stored document (case or transaction evidence) as an attachment. Its
    sha256 is checked first: an altered file is refused with 409, a missing one is 404.
    An importer sees its own cases' documents only; every download is audited."""
    return serve(state, principal, document_id)


@router.get("/cases/{case_id}/documents/{document_id}", response_class=Response)
def get_case_document(
    case_id: str, document_id: DocumentId, state: State, principal: Reader
) -> Response:
    """Download one of a case's documents (404 if it is not that case's), hash checked."""
    return serve(state, principal, document_id, case_id)
