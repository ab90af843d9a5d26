"""Where a party or facility is: an answer with every signal behind it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Status = Literal["xinjiang", "elsewhere", "unknown", "conflict"]


@dataclass(frozen=True, slots=True)
class Signal:
    """One observation: kind (address, uscc, postal_code, phone, name, country), the
    value seen, and a sentence saying what it indicates."""

    kind: str
    value: str
    detail: str
    division_code: str | None = None
    in_xinjiang: bool | None = None
    """True/False: points to or away from Xinjiang; None: reported but not counted."""
    weight: float = 0.0
    """How much this signal alone tells, in [0, 1)."""
    xpcc: bool = False
    """Points to the XPCC (a division, regiment or XPCC city)."""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    in_xinjiang: bool | None
    status: Status
    confidence: float
    division_code: str | None
    division_name: str | None
    xpcc: bool
    signals: tuple[Signal, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["signals"] = [s.to_dict() for s in self.signals]
        return data
