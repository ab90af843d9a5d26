"""Units of measure: which dimension a unit belongs to and its factor to the base unit.

The table lives in ``resources/supply/units.yml`` (reviewed data, loaded once).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

UNITS_FILE = Path(__file__).resolve().parents[1] / "resources" / "supply" / "units.yml"


@dataclass(frozen=True, slots=True)
class Unit:
    name: str
    dimension: str
    """mass, count, length, area, volume, power."""
    base: str
    factor: float
    """Multiply a quantity in this unit by ``factor`` to get base units."""


def normalize_unit_name(unit: str) -> str:
    """The lookup key for a unit as written: trimmed, lower case, spaces as underscores."""
    return "_".join(unit.strip().lower().replace(".", "").split())


@functools.cache
def unit_table() -> dict[str, Unit]:
    """Every known unit by normalised name."""
    data = yaml.safe_load(UNITS_FILE.read_text(encoding="utf-8"))
    table: dict[str, Unit] = {}
    for dimension, spec in data.items():
        base = str(spec["base"])
        for name, factor in spec["units"].items():
            key = normalize_unit_name(str(name))
            table[key] = Unit(key, str(dimension), base, float(factor))
    return table


def parse_unit(unit: str | None) -> Unit | None:
    """The unit named by ``unit``, or None when it is empty or not in the table."""
    if not unit:
        return None
    return unit_table().get(normalize_unit_name(unit))


def to_base(quantity: float, unit: str | None) -> tuple[float, str] | None:
    """``quantity`` in its dimension's base unit, e.g. (2.5, 't') -> (2500.0, 'kg')."""
    parsed = parse_unit(unit)
    if parsed is None:
        return None
    return quantity * parsed.factor, parsed.base
