"""Response models: what each endpoint answers, so ``/openapi.json`` documents it.

They describe the dicts the services return (:mod:`flscreen.services`, in the CLI's
``--json`` shapes); they do not reshape them. Every model keeps fields it does not
name (``extra="allow"``: a newer field reaches clients before its description does)
and the routes answer with ``response_model_exclude_unset``, so a field the service
did not send is not added. Numbers stay as the service wrote them (``int | float``:
a quantity of 5 is not turned into 5.0). Deep evidence (a reason's evidence, a trace
step) is described as an object: its keys vary with the reason's code.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Number = int | float
Json = dict[str, Any]


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


ANSWER: dict[str, Any] = {"response_model_exclude_unset": True}
"""Route options every answer model is declared with (see the module docstring)."""


# --- health ------------------------------------------------------------------------


class Health(Answer):
    status: str = Field(description="'ok' when the store answers.")
    version: str = Field(description="flscreen's version.")
    store: str = Field(description="The store's dialect (sqlite or postgresql).")


# --- session -------------------------------------------------------------------------


class Me(Answer):
    user: str
    role: str = Field(description="admin, officer, analyst, auditor or importer.")
    tenant: str | None = Field(description="An importer's tenant; null for every other role.")
    via: str = Field(description="How the caller signed in: session, oidc or token.")
    permissions: list[str] = Field(description="What the role may do, sorted.")
    csrf_token: str | None = Field(
        default=None, description="With a session cookie: send it as X-CSRF-Token on POSTs."
    )


class SignedIn(Me):
    csrf_token: str = Field(description="Send it as X-CSRF-Token on every POST of the session.")


class SignedOut(Answer):
    signed_out: bool
    end_session_url: str | None = Field(
        description="Where to send the browser to end the OpenID provider's session too."
    )


# --- lists ---------------------------------------------------------------------------


class ListVersion(Answer):
    version: int
    entries: int | None = Field(description="Entries in this version.")
    imported_at: str
    retrieved_at: str | None = Field(description="When the source was fetched.")
    source: str = Field(description="The file or URL the version was read from.")
    format: str | None
    sha256: str = Field(description="Hash of the version's entries.")


class ListVersions(Answer):
    list_: str = Field(alias="list")
    latest: int
    versions: list[ListVersion] = Field(description="Oldest first.")


class ListsOverview(Answer):
    lists: list[ListVersions]


class EntrySummary(Answer):
    entry_id: str
    schema_: str | None = Field(alias="schema", description="person, company, ...")
    name: str
    aliases: list[str]


class ListEntries(Answer):
    list_: str = Field(alias="list")
    version: int
    total: int = Field(description="Entries in the version (or matching ``q``).")
    offset: int
    limit: int
    q: str | None
    entries: list[Json] = Field(description="Entry summaries (``raw``: the stored entries).")


class ListDiff(Answer):
    list_: str = Field(alias="list")
    from_: int | None = Field(alias="from", description="Null when diffing from nothing.")
    to: int
    added: list[Json]
    removed: list[Json]
    changed: list[Json] = Field(description="Each with the fields that changed.")


class ListImport(Answer):
    list_: str = Field(alias="list")
    version: int | None
    unchanged: bool = Field(description="The file equals the latest version: none added.")
    latest: int | None
    entries: int
    skipped: int
    format: str | None
    sha256: str | None
    problems: list[Json] = Field(description="Rows skipped, with file, row, field and why.")
    warnings: list[Json]
    rescreen: Json | None = Field(
        default=None, description="Parties and shipments whose answers changed."
    )


# --- shipments -----------------------------------------------------------------------


class PartyRef(Answer):
    id: str
    name: str | None


class MainReason(Answer):
    code: str
    outcome: str
    text: str


class VerdictSummary(Answer):
    verdict: str
    policy: str
    policy_version: str
    screening: int
    screened_at: str
    reasons: int = Field(description="How many reasons the verdict gives.")
    main_reason: MainReason | None


class ShipmentFacts(Answer):
    shipment: str
    date: str
    product: str
    hs_code: str
    quantity: Number
    unit: str
    value: Number | None
    declared_origin: str | None
    importer: PartyRef
    exporter: PartyRef
    manufacturer: PartyRef
    documents: list[str]


class ShipmentRow(ShipmentFacts):
    latest: VerdictSummary | None = Field(description="Null when never screened.")
    case: str | None = Field(description="The open case, if any.")


class ShipmentList(Answer):
    total: int
    offset: int
    limit: int
    by_verdict: dict[str, int] = Field(description="Every shipment's latest verdict, tallied.")
    shipments: list[ShipmentRow]


class Reason(Answer):
    code: str
    outcome: str
    text: str
    evidence: Json = Field(description="List entry and version, signals, path, gap ...")


class Verdict(Answer):
    shipment: str
    verdict: str = Field(description="clear, review, detain or exclude.")
    reasons: list[Reason]
    policy: str
    policy_version: str
    list_versions: dict[str, Json] = Field(description="The list versions it rests on.")


class StoredVerdict(Verdict):
    screening: int
    screened_at: str
    actor: str
    case: str | None
    stale: list[Json] = Field(description="Lists with a newer version since.")
    stale_note: str | None


class Trace(Answer):
    shipment: str
    tainted: bool
    paths: list[Json] = Field(description="Each with its source, steps and share.")
    gaps: list[Json]
    mass_balance: list[Json]
    unlisted_paths: int = Field(description="Routes found beyond ``max_paths``.")


class ShipmentDetail(ShipmentFacts):
    verdict: StoredVerdict | None = Field(description="The latest; null when never screened.")
    trace: Trace
    screenings: list[Json] = Field(description="Earlier screenings, newest first.")
    documents_attached: list[Json]
    policies: list[str]


class ScreenedShipment(Verdict):
    screening: int
    case: str | None


class ScreenRun(Answer):
    policy: str
    policy_version: str
    screened: int
    by_verdict: dict[str, int]
    results: list[ScreenedShipment]


class PackageImport(Answer):
    """The import id, its source and the shipments it brought; the count per package
    table (``parties``, ``transactions``, ...) rides beside them."""

    import_: int = Field(alias="import")
    source: str
    shipment_ids: list[str]
    screened: ScreenRun | None = Field(default=None, description="With ``screen=POLICY``.")


# --- cases ---------------------------------------------------------------------------


class Case(Answer):
    case: str = Field(description="CASE-000001")
    shipment: str
    state: str
    verdict: str
    policy: str
    policy_version: str
    opened_at: str
    updated_at: str
    screening: int
    assignee: str | None
    detained_at: str | None


class CaseList(Answer):
    cases: list[Case]
    states: list[str]


class QueuedCase(Case):
    age_days: Number | None
    detained_days: Number | None
    limit_days: int | None
    overdue: bool


class Queue(Answer):
    cases: list[QueuedCase]
    total: int
    overdue: int
    states: list[str]


class Document(Answer):
    id: int
    sha256: str
    kind: str
    filename: str
    size: int
    supplied_by: str
    case: str | None
    transaction: str | None
    rebuttal: int | None
    added_at: str


class CaseDetail(Case):
    allowed_next: list[str]
    held: bool = Field(description="The goods are held (a detain or exclude verdict).")
    findings: list[Json]
    reasons: list[Reason]
    list_versions: dict[str, Json]
    history: list[Json] = Field(description="Who moved the case, when and why.")
    rebuttals: list[Json]
    documents: list[Document]


class Attached(Answer):
    attached: list[Document]


# --- audit ---------------------------------------------------------------------------


class AuditVerify(Answer):
    ok: bool
    records: int
    head: str | None = Field(description="The newest record's hash.")
    broken: Json | None = Field(description="The first record that does not chain.")
    decisions: list[str] = Field(description="Decision rows the chain does not vouch for.")
    documents: list[str] = Field(description="Stored documents missing or altered.")


class AuditRecord(Answer):
    seq: int
    at: str
    kind: str
    actor: str
    subject: str | None
    payload: Json
    hash: str


class AuditLog(Answer):
    records: list[AuditRecord] = Field(description="Newest first.")


# --- matching, region, policies --------------------------------------------------------


class ListRef(Answer):
    list_: str = Field(alias="list")
    version: int
    sha256: str


class PartyMatch(Answer):
    id: str
    match: bool = Field(description="A hit reaches the threshold or an analyst confirmed it.")
    hits: list[Json] = Field(description="Best first, each with the features that explain it.")


class MatchAnswer(Answer):
    results: list[PartyMatch] = Field(description="One `flscreen match` JSON line per party.")
    matched: int
    entries: int = Field(description="List entries matched against.")
    lists: list[ListRef]
    algorithm: str


class Located(Answer):
    id: str
    in_xinjiang: bool | None
    status: str = Field(description="xinjiang, elsewhere, unknown or conflict.")
    confidence: Number | None
    signals: list[Json]


class LocateAnswer(Answer):
    results: list[Located] = Field(description="One `flscreen locate` JSON line per record.")
    counts: dict[str, int] = Field(description="Records by status.")
    algorithm: str


class Judgement(Answer):
    id: int
    party_key: str | None
    query_name: str | None
    list_: str = Field(alias="list")
    entry_id: str
    verdict: str
    by: str
    at: str
    reason: str | None
    list_version: int | None = Field(description="The list version it was made against.")
    entry_name: str | None


class PolicySummary(Answer):
    name: str
    version: str
    title: str
    jurisdiction: str
    status: str
    approach: str
    legal_basis: list[str]


class PolicyList(Answer):
    policies: list[PolicySummary]


class PolicyCheck(PolicySummary):
    valid: bool
