"""Evidence documents, served as downloads with their hash checked on the way out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from flscreen.http.auth import requires
from flscreen.http.documents import serve_document
from flscreen.http.state import AppState, get_state
from flscreen.identity.roles import Permission, Principal

router = APIRouter(tags=["cases"])

State = Annotated[AppState, Depends(get_state)]
Reader = Annotated[Principal, requires(Permission.DOCUMENTS_READ)]
DocumentId = Annotated[int, Path(ge=1, description="The document's id (listed on its case).")]


@router.get("/documents/{document_id}", response_class=Response)
def get_document(document_id: DocumentId, state: State, principal: Reader) -> Response:
    """Download a stored document (case or transaction evidence) as an attachment. Its
    sha256 is checked first: an altered file is refused with 409, a missing one is 404.
    An importer sees its own cases' documents only; every download is audited."""
    return serve_document(state, principal, document_id)


@router.get("/cases/{case_id}/documents/{document_id}", response_class=Response)
def get_case_document(
    case_id: str, document_id: DocumentId, state: State, principal: Reader
) -> Response:
    """Download one of a case's documents (404 if it is not that case's), hash checked."""
    return serve_document(state, principal, document_id, case_id)
