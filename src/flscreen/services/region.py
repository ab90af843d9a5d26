"""Locating parties and facilities: is it in Xinjiang, and on what signals; one shape for
`flscreen locate`, ``POST /locate`` and the locate page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flscreen.region import ALGORITHM as REGION_ALGORITHM
from flscreen.region import LocateQuery, locate

from .matching import check_ids


def locate_queries(queries: Sequence[LocateQuery]) -> dict[str, Any]:
    """Locate records: one ``flscreen locate`` JSON line each, and a tally by status."""
    check_ids([q.id for q in queries])
    results = [locate(q).to_dict() for q in queries]
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"results": results, "counts": counts, "algorithm": REGION_ALGORITHM}
