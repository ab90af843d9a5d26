"""The layering, read from the source: the pages (flscreen.web) never import the REST
API (flscreen.api), the API imports the pages only where it mounts them, and what both
share (flscreen.http) and the use cases (flscreen.services) import neither; a service
knows nothing of HTTP, and the core (every other package) knows none of them. Imports
are read with ast, so a lazy import inside a function, or one made for typing only,
counts as much as one at the top of a module."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import flscreen

ROOT = Path(flscreen.__file__).parent

ALLOWED = {
    ("flscreen.api.app", "flscreen.web"): (
        "create_app mounts the pages (with_web=True) and routes the sign-in pages"
    ),
}
"""(importer, imported): why this one crossing is allowed. Each must still happen: an
entry nothing needs any more fails the test, so the list only shrinks."""


def module_name(path: Path) -> str:
    parts = ["flscreen", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, relative imports resolved, lazy ones included."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            # "from flscreen import api" imports flscreen.api
            yield from (f"{base}.{alias.name}" for alias in node.names)


def sources(source: str) -> list[Path]:
    """The files of a package, or the one file of a module."""
    where = ROOT / source.removeprefix("flscreen.").replace(".", "/")
    return sorted(where.rglob("*.py")) if where.is_dir() else [where.with_suffix(".py")]


def crossings(source: str, forbidden: tuple[str, ...]) -> set[tuple[str, str]]:
    """(importer, imported) for every module under ``source`` importing a forbidden one."""
    found = set()
    for path in sources(source):
        for target in imports_of(path):
            if any(target == f or target.startswith(f + ".") for f in forbidden):
                imported = next(
                    (t for (i, t) in ALLOWED if i == module_name(path) and target.startswith(t)),
                    target,
                )
                found.add((module_name(path), imported))
    return found


ADAPTERS = ("flscreen.api", "flscreen.web", "flscreen.cli")
EDGE = (*ADAPTERS, "flscreen.http", "flscreen.services")
FRAMEWORKS = ("fastapi", "starlette", "typer")
CORE = sorted(
    f"flscreen.{p.stem}"
    for p in ROOT.iterdir()
    if (p.suffix == ".py" or (p / "__init__.py").exists())
    and not p.name.startswith("_")
    and f"flscreen.{p.stem}" not in EDGE
)
"""Every package and module below the adapters (the domain, store, reports, compat's
protocol logic, settings)."""

LAYERS = [
    ("flscreen.web", ("flscreen.api", "flscreen.cli")),
    ("flscreen.api", ("flscreen.web", "flscreen.cli")),
    ("flscreen.http", ADAPTERS),
    ("flscreen.services", (*ADAPTERS, "flscreen.http")),
    ("flscreen.services", FRAMEWORKS),
    *((core, (*EDGE, *FRAMEWORKS)) for core in CORE),
]


@pytest.mark.parametrize(("source", "forbidden"), LAYERS, ids=[s for s, _ in LAYERS])
def test_layer_imports_point_inward(source: str, forbidden: tuple[str, ...]) -> None:
    found = crossings(source, forbidden)
    unexplained = sorted(found - ALLOWED.keys())
    assert not unexplained, f"{source} must not import {', '.join(forbidden)}: {unexplained}"


def test_every_allowed_crossing_is_still_needed() -> None:
    found = set().union(*(crossings(s, f) for s, f in LAYERS))
    assert not sorted(ALLOWED.keys() - found), "drop these from ALLOWED: nothing imports them"


def test_the_walk_sees_lazy_and_relative_imports() -> None:
    # the check would pass vacuously if it missed imports inside functions or "from .."
    web = ROOT / "web" / "views.py"
    assert "flscreen.services.matching" in set(imports_of(web))
    assert "flscreen.web" in set(imports_of(ROOT / "api" / "app.py"))
    assert "flscreen.http.auth" in set(imports_of(ROOT / "http" / "documents.py"))
    # ... and imports made for typing only (AppState.oidc once imported the API's client)
    assert "flscreen.http.oidc" in set(imports_of(ROOT / "http" / "state.py"))


def test_the_core_is_walked() -> None:
    assert {"flscreen.policy", "flscreen.trace", "flscreen.audit", "flscreen.settings"} <= set(CORE)
    assert not set(CORE) & set(EDGE)
    assert all(sources(core) for core in CORE)
