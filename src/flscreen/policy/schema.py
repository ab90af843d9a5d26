"""The shape of a presumption policy file, validated once at the boundary.

A policy is data (YAML shipped in ``policies/`` or a user's copy): it says which
taint sources raise the presumption, how uncertain findings are routed, which
HS codes are priority sectors and what the thresholds are. :func:`decide` reads
only these validated objects.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

Outcome = Literal["clear", "review", "detain", "exclude"]
OUTCOMES: tuple[Outcome, ...] = ("clear", "review", "detain", "exclude")
SEVERITY: dict[str, int] = {o: i for i, o in enumerate(OUTCOMES)}

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_HS = re.compile(r"^[0-9]{2,10}$")


def normalize_hs(code: str) -> str:
    """Digits only: '8541.42' and '8541 42' both become '854142'."""
    return re.sub(r"[\s.\-]", "", code)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRule(_Strict):
    """What a confirmed taint of one kind means; ``direct_outcome`` applies when the
    tainted party is the shipment's own manufacturer or exporter."""

    enabled: bool = True
    outcome: Outcome
    direct_outcome: Outcome | None = None


class OwnershipRule(SourceRule):
    """Ownership by a listed party: at least ``min_share`` percent (``inclusive``
    decides whether exactly the threshold counts), or control when ``control_counts``."""

    min_share: float = Field(default=50.0, ge=0, le=100)
    inclusive: bool = True
    control_counts: bool = True


class ListRule(_Strict):
    """Entries of one list, in the named sections or programmes (empty: every entry),
    raise ``outcome``.

    Which entries are on the list is said three ways, any of which suffices (all
    shell-style patterns, case-insensitive): ``lists`` on the list's name as imported,
    ``sources`` on the dataset that published the entry (an OpenSanctions export names
    e.g. 'us_dhs_uflpa'), ``programs`` on the entry's programmes ('UFLPA Entity List
    2(d)(2)(B)(i)'). A list imported under any name is still recognised by its origin.
    """

    label: str = Field(min_length=1)
    sources: list[str] = Field(default_factory=list)
    programs: list[str] = Field(default_factory=list)
    # After sources and programs, so its check can see them.
    lists: list[str] = Field(default_factory=list, validate_default=True)
    sections: list[str] = Field(default_factory=list)
    outcome: Outcome
    direct_outcome: Outcome | None = None

    @field_validator("lists")
    @classmethod
    def _names_its_entries(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if not (value or info.data.get("sources") or info.data.get("programs")):
            raise ValueError("name the list by 'lists', 'sources' or 'programs' (at least one)")
        return value


class Sources(_Strict):
    region: SourceRule | None = None
    xpcc: SourceRule | None = None
    ownership: OwnershipRule | None = None
    lists: list[ListRule] = Field(default_factory=list)


class Routing(_Strict):
    """Where findings that prove nothing yet go: never to 'clear' by default."""

    possible_match: Outcome = "review"
    """A possible (not confirmed) list match or XPCC link."""
    region_conflict: Outcome = "review"
    """Location signals that disagree (e.g. Xinjiang phone code, Shanghai address)."""
    section_unknown: Outcome = "review"
    """A hit on a policy list whose entry does not say its section."""
    other_list: Outcome = "review"
    """A hit on a list or programme the policy does not name (e.g. an Iran SDN entry)."""
    ownership_below_threshold: Outcome = "review"
    gap: Outcome = "review"
    mass_balance: Outcome = "review"
    inferred: Outcome = "review"
    """A taint path that rests on a supply edge inferred from trade records (bills of
    lading), not declared: never proof, at most this (and no more than the source's rule)."""

    @model_validator(mode="after")
    def _nothing_routes_to_exclude(self) -> Routing:
        # An unproven finding may hold goods for review or detention, never bar them.
        for name, value in self:
            if value == "exclude":
                raise ValueError(f"{name}: an unconfirmed finding cannot route to 'exclude'")
        return self


class Thresholds(_Strict):
    min_share: float = Field(default=0.0, ge=0, le=1)
    """A path whose known share is below this is noted but does not raise the
    presumption; 0 means any share above zero counts ('wholly or in part')."""
    mass_balance_tolerance: float = Field(default=0.0, ge=0, le=1)
    """Shortfalls below this fraction of the required input are measurement noise."""
    possible_match_min_score: float = Field(default=0.0, ge=0, le=1)
    """Possible list matches scoring below this are noted, not routed."""


class Sector(_Strict):
    name: str = Field(min_length=1)
    hs: list[str] = Field(min_length=1)
    """HS headings or subheadings (prefixes); dots and spaces are ignored."""
    source: str = Field(min_length=1)
    """Where the sector and its codes come from."""

    @field_validator("hs")
    @classmethod
    def _hs_codes(cls, value: list[str]) -> list[str]:
        bad = [code for code in value if not _HS.match(normalize_hs(code))]
        if bad:
            raise ValueError(f"not HS codes (2 to 10 digits): {', '.join(map(repr, bad))}")
        return value


class RiskModel(_Strict):
    """Risk-based scoring (EU FLR): severity of the source kind times confidence times
    the suspect part's share, raised for priority sectors, compared with thresholds."""

    severity: dict[Literal["region", "list", "ownership", "xpcc"], float]
    confidence_weight: dict[Literal["confirmed", "possible"], float]
    unknown_share: float = Field(default=1.0, ge=0, le=1)
    priority_sector_factor: float = Field(default=1.0, ge=1)
    volume_value_at: float | None = Field(default=None, gt=0)
    """Shipments declared at or above this value weigh more (Art. 14(2)(b): volume)."""
    volume_factor: float = Field(default=1.0, ge=1)
    review_at: float = Field(gt=0)
    detain_at: float = Field(gt=0)
    exclude_at: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> RiskModel:
        if self.detain_at < self.review_at:
            raise ValueError("detain_at must not be below review_at")
        if self.exclude_at is not None and self.exclude_at < self.detain_at:
            raise ValueError("exclude_at must not be below detain_at")
        for kind in ("region", "list", "ownership", "xpcc"):
            if kind not in self.severity:
                raise ValueError(f"severity: missing a weight for {kind!r}")
        for conf in ("confirmed", "possible"):
            if conf not in self.confidence_weight:
                raise ValueError(f"confidence_weight: missing a weight for {conf!r}")
        return self


class ExceptionRule(_Strict):
    requires_clear_and_convincing: bool = False
    """Granting an exception needs the officer's recorded finding that the evidence
    is clear and convincing (UFLPA section 3(b))."""
    requires_documents: bool = True


class Detention(_Strict):
    """How long held goods may wait for a decision, and what releases them.

    Goods held on a detain or exclude verdict leave detention only by a recorded
    finding: an applicability finding (the law does not apply: goods and inputs have
    no link to the region or a listed entity) or an exception (see ``exception``).
    """

    limit_days: int = Field(default=30, ge=1, le=3650)
    """Days from detention to a decision before the case is overdue on the work queue."""
    applicability_requires_documents: bool = True
    """An applicability finding must cite at least one document on the case."""


class Policy(_Strict):
    name: str
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    jurisdiction: str = Field(min_length=1)
    status: Literal["in_force", "adopted", "proposal", "custom"]
    legal_basis: list[str] = Field(min_length=1)
    approach: Literal["presumption", "risk_based"]
    sources: Sources
    routing: Routing = Routing()
    thresholds: Thresholds = Thresholds()
    priority_sectors: list[Sector] = Field(default_factory=list)
    risk: RiskModel | None = None
    exception: ExceptionRule = ExceptionRule()
    detention: Detention = Detention()
    notes: list[str] = Field(default_factory=list)
    # HS code -> sector, filled as shipments are screened (a screen sees few codes).
    _sectors: dict[str, Sector | None] = PrivateAttr(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("use lower-case letters, digits, '-', '_' or '.' (e.g. 'uflpa')")
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: object) -> object:
        # YAML reads 2024.1 as a float; a version is a label, keep it as written.
        return str(value) if isinstance(value, int | float) else value

    @model_validator(mode="after")
    def _approach_fits(self) -> Policy:
        if self.approach == "risk_based" and self.risk is None:
            raise ValueError("a risk_based policy needs a 'risk' section")
        if self.approach == "presumption" and self.risk is not None:
            raise ValueError("a presumption policy takes no 'risk' section")
        return self

    def case_rules(self) -> dict[str, object]:
        """What a case keeps of this policy when it opens (its ``exception_rule``):
        what an exception and an applicability finding need, and the detention limit."""
        return {
            **self.exception.model_dump(),
            "applicability_requires_documents": self.detention.applicability_requires_documents,
            "detention_limit_days": self.detention.limit_days,
        }

    def sector_of(self, hs_code: str) -> Sector | None:
        """The priority sector whose code prefixes ``hs_code``, the longest prefix winning."""
        cache = self._sectors
        if hs_code not in cache:
            code = normalize_hs(hs_code)
            best: tuple[int, Sector] | None = None
            for sector in self.priority_sectors:
                for prefix in sector.hs:
                    p = normalize_hs(prefix)
                    if code.startswith(p) and (best is None or len(p) > best[0]):
                        best = (len(p), sector)
            cache[hs_code] = best[1] if best else None
        return cache[hs_code]
