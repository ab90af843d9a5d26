"""Response models of the yente-compatible and reconciliation routes, so /openapi.json
documents every answer. Field names and types follow yente 5 (``yente.data.common``,
``yente.data.freebase``); flscreen's own additions are optional fields beside them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ListVersionCited(BaseModel):
    """The list version an entity was read from."""

    name: str
    version: int
    sha256: str


class EntityResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str
    caption: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[Any]] = Field(
        description="FtM property values; with ?nested, linked entities as objects."
    )
    datasets: list[str] = []
    referents: list[str] = []
    target: bool = False
    first_seen: str | None = None
    last_seen: str | None = None
    last_change: str | None = None
    list_: ListVersionCited | None = Field(
        None, alias="list", description="flscreen: the list version read."
    )


class FeatureResult(BaseModel):
    detail: str | None
    score: float
    query: str | None = None
    candidate: str | None = None


class ScoredEntityResponse(EntityResponse):
    score: float
    match: bool
    explanations: dict[str, FeatureResult]
    features: dict[str, float] = Field(
        {}, description="flscreen: the explanations' scores as a flat map."
    )
    matched_name: str | None = Field(None, description="flscreen: which name scored best.")
    judgement: str | None = Field(None, description="flscreen: an analyst's recorded decision.")


class TotalSpec(BaseModel):
    value: int
    relation: str = "eq"


class EntityMatches(BaseModel):
    status: int = 200
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: dict[str, Any]


class ListSearched(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    list_: str = Field(alias="list")
    version: int
    sha256: str


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    limit: int
    matcher: dict[str, Any] | None = Field(
        None, description="flscreen: algorithm, threshold, cutoff."
    )
    lists: list[ListSearched] = Field([], description="flscreen: every list version searched.")


class SearchFacetItem(BaseModel):
    name: str
    label: str
    count: int = 1


class SearchFacet(BaseModel):
    label: str
    values: list[SearchFacetItem]


class SearchResponse(BaseModel):
    limit: int
    offset: int = 0
    total: TotalSpec
    results: list[EntityResponse]
    facets: dict[str, SearchFacet]


class CatalogResponse(BaseModel):
    datasets: list[dict[str, Any]]
    current: list[str]
    outdated: list[str]
    index_stale: bool = False


class AlgorithmResponse(BaseModel):
    algorithms: list[dict[str, Any]]
    default: str
    best: str


class FreebaseType(BaseModel):
    id: str
    name: str
    description: str | None = None


class FreebaseCandidate(BaseModel):
    id: str
    name: str
    description: str | None = None
    type: list[FreebaseType]
    score: float | None
    match: bool | None
    features: list[dict[str, Any]] = []


class FreebaseEntityResult(BaseModel):
    result: list[FreebaseCandidate]


class FreebaseExtendResponse(BaseModel):
    meta: list[dict[str, str]]
    rows: dict[str, dict[str, list[dict[str, str]]]]


class FreebaseSuggestResponse(BaseModel):
    code: str = "/api/status/ok"
    status: str = "200 OK"
    prefix: str
    result: list[dict[str, Any]]


class FreebaseExtendPropertiesResponse(BaseModel):
    limit: int
    type: str
    properties: list[dict[str, str]]


class FreebaseService(BaseModel):
    service_url: str
    service_path: str


class FreebaseManifestView(BaseModel):
    url: str


class FreebaseManifestPreview(BaseModel):
    url: str
    width: int
    height: int


class FreebaseManifestSuggest(BaseModel):
    entity: FreebaseService
    type: FreebaseService
    property: FreebaseService


class FreebaseManifestSetting(BaseModel):
    name: str
    label: str
    type: str
    default: int | str
    help_text: str
    choices: list[dict[str, Any]]


class FreebaseManifestExtend(BaseModel):
    propose_properties: FreebaseService
    propose_settings: list[FreebaseManifestSetting]


class FreebaseManifest(BaseModel):
    """The Reconciliation API's service manifest (what OpenRefine reads first)."""

    versions: list[str]
    name: str
    identifierSpace: str
    schemaSpace: str
    documentation: str
    batchSize: int
    view: FreebaseManifestView
    preview: FreebaseManifestPreview
    suggest: FreebaseManifestSuggest
    extend: FreebaseManifestExtend
    defaultTypes: list[FreebaseType]
