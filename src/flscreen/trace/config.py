"""Tracing configuration: look-back, ownership threshold, materials, yields.

Defaults come from ``resources/supply/trace.yml``; a caller may pass another
file or override fields. Pure data: nothing here reads the environment.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from flscreen.errors import InvalidInput, Problem
from flscreen.supply.bom import material_key

DEFAULT_CONFIG_FILE = Path(__file__).resolve().parents[1] / "resources" / "supply" / "trace.yml"
PERIODS = ("year", "quarter", "month")


@dataclass(frozen=True, slots=True)
class Yield:
    """kg of output per kg of input for one material step, as a range (weaving 0.90-0.95):
    a facility inside the range has nothing to explain."""

    input: str
    output: str
    low: float
    high: float

    @property
    def factor(self) -> float:
        """The best yield allowed: the one a mass balance gives the benefit of."""
        return self.high


@dataclass(frozen=True)
class TraceConfig:
    lookback_days: int = 365
    """Each hop looks back at most this many days from the sale (or shipment) it feeds."""
    ownership_threshold: float = 50.0
    """Percent at or above which ownership by listed parties (summed) taints."""
    max_depth: int = 16
    max_paths: int = 10_000
    period: str = "year"
    mass_balance_tolerance: float = 0.0
    """Shortfalls below this share of the required input are noise (on top of the ranges)."""
    sector_keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    materials: Mapping[str, tuple[str | None, bool]] = field(default_factory=dict)
    """material key -> (sector or None, raw)."""
    raw_producer_kinds: frozenset[str] = frozenset()
    unknown_party_names: frozenset[str] = frozenset()
    yields: tuple[Yield, ...] = ()

    def sector(self, material: str) -> str | None:
        """The priority sector of ``material`` (cotton, polysilicon, ...), or None."""
        return _sector(self, material_key(material))

    def is_raw(self, material: str) -> bool:
        entry = self.materials.get(material_key(material))
        return bool(entry and entry[1])

    def is_unknown_name(self, name: str) -> bool:
        key = re.sub(r"[\s().,_-]+", " ", name.strip().lower()).strip()
        return key in self.unknown_party_names or not key

    def yields_into(self, output: str) -> tuple[Yield, ...]:
        key = material_key(output)
        return tuple(y for y in self.yields if y.output == key)

    def yield_range(self, input_: str, output: str) -> tuple[float, float] | None:
        """(lowest, highest) yield configured for making ``output`` from ``input_``."""
        table = _yield_table(self.yields)
        return table.get((input_, output))

    def replace(self, **changes: Any) -> TraceConfig:
        return dataclasses.replace(self, **changes)


@functools.lru_cache(maxsize=64)
def _yield_table(yields: tuple[Yield, ...]) -> dict[tuple[str, str], tuple[float, float]]:
    return {(y.input, y.output): (y.low, y.high) for y in yields}


def _parse_yield(spec: Mapping[str, Any]) -> tuple[float, float]:
    """A yield as a number (a point), [low, high], 'low-high' or 'low%-high%', or min/max."""
    value = spec.get("yield")
    if value is None and "min" in spec and "max" in spec:
        value = [spec["min"], spec["max"]]
    if isinstance(value, str):
        text = value.replace("%", "").replace(" ", "")
        parts = text.split("-") if "-" in text[1:] else [text]
        numbers = [float(p) for p in parts]
        if "%" in value:
            numbers = [n / 100 for n in numbers]
        value = numbers
    if isinstance(value, int | float) and not isinstance(value, bool):
        low = high = float(value)
    elif isinstance(value, list | tuple) and len(value) == 2:
        low, high = (float(v) for v in value)
    else:
        raise ValueError
    if not 0 < low <= high <= 1.5:
        raise ValueError
    return low, high


@functools.lru_cache(maxsize=4096)
def _sector_cached(keywords: tuple[tuple[str, tuple[str, ...]], ...], key: str) -> str | None:
    for sector, words in keywords:
        if any(w in key for w in words):
            return sector
    return None


def _sector(config: TraceConfig, key: str) -> str | None:
    entry = config.materials.get(key)
    if entry is not None:
        return entry[0]
    return _sector_cached(tuple(config.sector_keywords.items()), key)


def config_from_dict(data: Mapping[str, Any], source: str = "<config>") -> TraceConfig:
    """Build a config, reporting every bad value with its key."""
    problems: list[Problem] = []

    def number(key: str, default: float, low: float, high: float) -> float:
        value = data.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            problems.append(Problem(source, f"expected a number in [{low:g}, {high:g}]", field=key))
            return default
        return float(value)

    period = str(data.get("period", "year"))
    if period not in PERIODS:
        problems.append(
            Problem(source, f"period must be one of {', '.join(PERIODS)}", field="period")
        )
    materials: dict[str, tuple[str | None, bool]] = {}
    for name, spec in (data.get("materials") or {}).items():
        spec = spec or {}
        sector = spec.get("sector")
        materials[material_key(str(name))] = (
            str(sector) if sector else None,
            bool(spec.get("raw")),
        )
    yields: list[Yield] = []
    for i, spec in enumerate(data.get("yields") or [], start=1):
        try:
            low, high = _parse_yield(spec)
            yields.append(
                Yield(material_key(spec["input"]), material_key(spec["output"]), low, high)
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            problems.append(
                Problem(
                    source,
                    "a yield needs input, output and yield: a number or a range "
                    "[low, high] within (0, 1.5], low <= high",
                    row=i,
                    field="yields",
                )
            )
    keywords = {
        str(sector): tuple(str(w).lower() for w in words)
        for sector, words in (data.get("sector_keywords") or {}).items()
    }
    config = TraceConfig(
        lookback_days=int(number("lookback_days", 365, 1, 36500)),
        ownership_threshold=number("ownership_threshold", 50.0, 0.0001, 100),
        max_depth=int(number("max_depth", 16, 1, 1000)),
        max_paths=int(number("max_paths", 10_000, 1, 10_000_000)),
        period=period if period in PERIODS else "year",
        mass_balance_tolerance=number("mass_balance_tolerance", 0.0, 0, 1),
        sector_keywords=keywords,
        materials=materials,
        raw_producer_kinds=frozenset(str(k).lower() for k in data.get("raw_producer_kinds") or ()),
        unknown_party_names=frozenset(
            str(n).lower() for n in data.get("unknown_party_names") or ()
        ),
        yields=tuple(yields),
    )
    if problems:
        raise InvalidInput(problems)
    return config


def load_config(path: str | Path | None = None, **overrides: Any) -> TraceConfig:
    """The defaults, overlaid by the YAML file at ``path`` (top-level keys), then ``overrides``."""
    data = dict(_default_data())
    if path is not None:
        data.update(_read(Path(path)))
    data.update({k: v for k, v in overrides.items() if v is not None})
    return config_from_dict(data, str(path or DEFAULT_CONFIG_FILE.name))


@functools.cache
def _default_data() -> dict[str, Any]:
    return _read(DEFAULT_CONFIG_FILE)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read trace config {path}: {exc}", source=str(path)) from None
    if not isinstance(data, dict):
        raise InvalidInput("a trace config is a YAML mapping", source=str(path))
    return data


def period_of(date: str, period: str) -> str:
    """The mass-balance period an ISO date falls in: '2026', '2026-Q2' or '2026-05'."""
    if period == "month":
        return date[:7]
    if period == "quarter":
        return f"{date[:4]}-Q{(int(date[5:7]) - 1) // 3 + 1}"
    return date[:4]
