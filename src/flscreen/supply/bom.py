"""Bills of materials as conversion factors: how much of an input one unit of output takes.

A declaration counts garments by the piece, fabric by the kg and cotton by the
tonne; tracing and mass balance need to compare them. Each BOM line gives the
gross input (losses included) per unit of output, in the input's and the
output's base units (kg per pcs, pcs per pcs, kg per carton); a chain of lines
multiplies (a module takes 60 wafers, a wafer 0.012 kg of polysilicon: 0.72 kg
per module). A step with no quantity keeps the unit dimension (1:1), which is
how materials of one dimension without a stated factor were compared before.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flscreen.model.supply import BomLine
from flscreen.supply.units import parse_unit


def material_key(material: str) -> str:
    """How materials are compared: trimmed, lower case, single spaces."""
    return " ".join(material.strip().lower().split())


@dataclass(frozen=True, slots=True)
class Factor:
    """Gross input per unit of output, in base units, with the dimensions it holds for.

    ``input_dim``/``output_dim`` None means "the same dimension on both sides" (a step
    without a stated quantity): the factor is then 1 and converts nothing across units.
    """

    value: float
    input_dim: str | None = None
    output_dim: str | None = None
    declared: bool = False
    """True when a bill-of-materials quantity gave it (else it is the 1:1 default)."""

    def then(self, lower: Factor) -> Factor | None:
        """This step (output <- middle) followed by ``lower`` (middle <- input), or None
        when the middle material's units do not line up."""
        if (
            self.input_dim is not None
            and lower.output_dim is not None
            and self.input_dim != lower.output_dim
        ):
            return None
        return Factor(
            self.value * lower.value,
            lower.input_dim if lower.input_dim is not None else self.input_dim,
            self.output_dim if self.output_dim is not None else lower.output_dim,
            self.declared or lower.declared,
        )

    def accepts(self, input_dim: str | None) -> bool:
        """Whether a purchase measured in ``input_dim`` can be converted by this factor."""
        return self.input_dim is None or self.input_dim == input_dim


IDENTITY = Factor(1.0)


def line_factor(line: BomLine, product_dim: str | None = None) -> Factor:
    """The factor of one BOM line (1:1 when it states no quantity); a line without
    ``per`` is per base unit of ``product_dim``, the dimension the product is counted in."""
    if line.quantity is None:
        return IDENTITY
    unit = parse_unit(line.unit)
    per = parse_unit(line.per) if line.per else None
    if unit is None:
        return IDENTITY
    gross = line.quantity / line.yield_ if line.yield_ else line.quantity
    value = gross * unit.factor / (per.factor if per else 1.0)
    return Factor(value, unit.dimension, per.dimension if per else product_dim, True)


@dataclass
class BillOfMaterials:
    """Direct inputs per product and their factors, with chains and closures cached."""

    direct: dict[str, dict[str, Factor]]
    """Product key -> input key -> factor, in the order the lines came."""

    def __post_init__(self) -> None:
        self._closure: dict[str, frozenset[str]] = {}
        self._chain: dict[tuple[str, str], Factor | None] = {}

    @classmethod
    def build(
        cls, lines: Iterable[BomLine], counted_in: Mapping[str, str] | None = None
    ) -> BillOfMaterials:
        """``counted_in``: product key -> the dimension it is usually counted in (from
        shipments and sales), for lines that do not say what their quantity is per."""
        counted_in = counted_in or {}
        direct: dict[str, dict[str, Factor]] = defaultdict(dict)
        for line in lines:
            product, material = material_key(line.product), material_key(line.material)
            if material != product:
                direct[product].setdefault(material, line_factor(line, counted_in.get(product)))
        return cls(dict(direct))

    def inputs(self, product: str) -> tuple[str, ...]:
        return tuple(self.direct.get(product, ()))

    def closure(self, material: str) -> frozenset[str]:
        """``material`` and every material its bill of materials needs, transitively."""
        cached = self._closure.get(material)
        if cached is not None:
            return cached
        seen = {material}
        stack = [material]
        while stack:
            for child in self.direct.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        result = frozenset(seen)
        self._closure[material] = result
        return result

    def chain(self, product: str, material: str) -> Factor | None:
        """Gross ``material`` per unit of ``product`` through the shortest BOM path whose
        units line up; IDENTITY for the product itself; None when no path converts."""
        key = (product, material)
        if key in self._chain:
            return self._chain[key]
        found: Factor | None = IDENTITY if product == material else None
        if found is None:
            frontier: list[tuple[str, Factor]] = [(product, IDENTITY)]
            seen = {product}
            while frontier and found is None:
                nxt: list[tuple[str, Factor]] = []
                for node, acc in frontier:
                    for child, step in self.direct.get(node, {}).items():
                        combined = acc.then(step)
                        if combined is None:
                            continue
                        if child == material:
                            found = combined
                            break
                        if child not in seen:
                            seen.add(child)
                            nxt.append((child, combined))
                    if found is not None:
                        break
                frontier = nxt
        self._chain[key] = found
        return found

    def equivalent(
        self, product: str, material: str, quantity: float | None, dimension: str | None
    ) -> tuple[float, str | None] | None:
        """A purchase of ``quantity`` (base units of ``dimension``) of ``material`` as the
        amount of ``product`` it can make, with that amount's dimension; None if the
        bill of materials cannot convert it."""
        if quantity is None:
            return None
        factor = self.chain(product, material)
        if factor is None or not factor.accepts(dimension) or factor.value <= 0:
            return None
        return quantity / factor.value, factor.output_dim or dimension


def counted_in(quantities: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """Material key -> the dimension it is most often counted in, from (material, unit)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for material, unit in quantities:
        parsed = parse_unit(unit)
        if parsed is not None:
            seen[material_key(material)][parsed.dimension] += 1
    return {m: c.most_common(1)[0][0] for m, c in seen.items()}
