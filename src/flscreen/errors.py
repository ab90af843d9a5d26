"""One root error for the project, and the one error type bad input raises.

Callers catch :class:`FlscreenError`; the CLI prints :class:`InvalidInput` as a
paragraph (exit 2) and the API returns it as 422. Infrastructure failures are
wrapped in :class:`StoreError` with context (``raise ... from exc``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input: where it is and what is wrong."""

    source: str
    """File name, URL or "-" for stdin; "" when there is no file."""
    message: str
    row: int | None = None
    """1-based line or record number in the source, when known."""
    field: str | None = None

    def to_dict(self) -> dict[str, str | int | None]:
        """The one shape of a problem everywhere JSON is written (API errors, import
        outcomes, ``--json`` output): ``{source, row, field, message}``."""
        return {
            "source": self.source,
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = self.source or "input"
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


class FlscreenError(Exception):
    """Root of every error flscreen raises on purpose."""


class InvalidInput(FlscreenError):
    """Input or configuration that cannot be used; lists every problem found."""

    def __init__(self, problems: Iterable[Problem] | str, source: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(source=source, message=problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render())

    def render(self, limit: int = 20) -> str:
        """A readable paragraph; long lists are cut with a count of the rest."""
        shown = [str(p) for p in self.problems[:limit]]
        rest = len(self.problems) - len(shown)
        if rest > 0:
            shown.append(f"... and {rest} more problem(s)")
        return "\n".join(shown) if shown else "invalid input"


class UnsupportedMedia(InvalidInput):
    """A request body in a media type the endpoint does not read (HTTP 415)."""


class NotFound(FlscreenError):
    """A named thing (list, version, shipment, case) does not exist."""


class StoreError(FlscreenError):
    """The database could not be reached or refused an operation."""


class Tampered(FlscreenError):
    """Stored evidence no longer matches the hash it was recorded with."""
