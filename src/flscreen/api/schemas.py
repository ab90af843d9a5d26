"""Request bodies: pydantic models live here, at the boundary, and nowhere in the core.

Field names follow the CLI contracts (``flscreen match``, ``flscreen locate``,
``flscreen case transition``), so a JSON line a user pipes to the CLI is a valid
record here too.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flscreen.services.matching import PartyRecord, ShortText, as_text

from .strict import StrictBody

MatchRecord = PartyRecord
"""One party to screen (flscreen.services.matching.PartyRecord: the CLI reads the same)."""


class MatchRequest(StrictBody):
    """Parties to screen and how: the same options as ``flscreen match``."""

    records: list[MatchRecord] = Field(min_length=1)
    lists: list[ShortText] | None = Field(
        default=None, description="Match against these lists only (default: all)."
    )
    threshold: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Match threshold (default: the matcher's)."
    )
    limit: int = Field(default=10, ge=1, le=100, description="Hits per party.")


class LocateRecord(BaseModel):
    """One party or facility: {id, address?, postal_code?, phone?, registration_id?, name?,
    country?}."""

    model_config = ConfigDict(extra="ignore")

    id: ShortText | None = Field(
        default=None, description="Your id for the record (default: its position, from 1)."
    )
    address: ShortText | None = None
    postal_code: ShortText | None = None
    phone: ShortText | None = None
    registration_id: ShortText | None = Field(
        default=None, description="Unified social credit code or other registration id."
    )
    name: ShortText | None = None
    country: ShortText | None = None

    @field_validator(
        "id", "address", "postal_code", "phone", "registration_id", "name", "country", mode="before"
    )
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return as_text(value)


class LocateRequest(StrictBody):
    records: list[LocateRecord] = Field(min_length=1)


class TransitionRequest(StrictBody):
    """Move a case: the same fields as ``flscreen case transition``."""

    to: ShortText = Field(description="The new state.")
    reason: ShortText = Field(description="Why (recorded).")


class FindingRequest(StrictBody):
    """An officer's finding on a case, as ``flscreen case finding`` records it."""

    kind: ShortText = Field(description="applicability (the law does not apply) or exception.")
    statement: ShortText = Field(description="What the evidence shows (recorded).")
    documents: list[int] = Field(
        default_factory=list,
        max_length=1000,
        description="Ids of the case's documents the finding rests on.",
    )
    clear_and_convincing: bool = Field(
        default=False,
        description="The evidence is clear and convincing (an exception under uflpa needs it).",
    )


class AssignRequest(StrictBody):
    """Assign or reassign a case."""

    to: ShortText | None = Field(description="Who works the case (null: nobody).")
    note: ShortText = Field(default="", description="Why (recorded).")


class ScreenRequest(StrictBody):
    """Screen stored shipments under a policy, as ``flscreen screen`` does."""

    policy: ShortText = Field(default="uflpa", description="uflpa, eu-flr or uk-proposed.")
    shipments: list[ShortText] | None = Field(
        default=None, max_length=100_000, description="Only these shipments (default: all)."
    )


class JudgementRequest(StrictBody):
    """An analyst's decision that a party is (or is not) a list entry."""

    name: ShortText = Field(min_length=1, description="The party's name as screened.")
    list: ShortText = Field(min_length=1)
    entry_id: ShortText = Field(min_length=1)
    verdict: ShortText = Field(description="match or no-match.")
    reason: ShortText | None = None
    registration_id: ShortText | None = None
