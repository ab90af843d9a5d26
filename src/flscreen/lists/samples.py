"""The small sample lists bundled with flscreen, for the demo and first steps.

They are real listed names in the official formats, but only a few of them:
use ``flscreen lists update`` for the complete official lists.
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "resources" / "sample" / "lists"


def sample_lists() -> list[tuple[str, Path, str]]:
    """(list name, path, format) of each bundled sample, in a sensible import order."""
    return [
        ("uflpa", SAMPLE_DIR / "uflpa_entity_list.html", "uflpa-html"),
        ("ofac-sdn", SAMPLE_DIR / "ofac_sdn", "ofac-csv"),
        ("my-watchlist", SAMPLE_DIR / "my_watchlist.csv", "csv"),
    ]
