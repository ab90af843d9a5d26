"""flscreen: forced-labour import screening as a Python library.

The main entry points, imported lazily so that ``import flscreen`` stays fast
(the matcher, the gazetteer and FastAPI load only when first used)::

    import flscreen

    store = flscreen.open_store("sqlite:///screening.db")
    flscreen.import_list(store, "uflpa.html", "uflpa")
    with store.connect() as conn:
        matcher = flscreen.Matcher.build(flscreen.iter_entries(conn))
    result = matcher.match(flscreen.Query(id="S1", name="新疆中泰化学股份有限公司"))
    where = flscreen.locate(flscreen.LocateQuery(id="F1", address="新疆阿克苏地区"))

docs/api.md's "Python API" section runs a longer example end to end.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # errors
    "FlscreenError": "flscreen.errors",
    "InvalidInput": "flscreen.errors",
    "NotFound": "flscreen.errors",
    "Problem": "flscreen.errors",
    "StoreError": "flscreen.errors",
    # store
    "Store": "flscreen.store",
    "open_store": "flscreen.store",
    # lists
    "ListEntry": "flscreen.model.lists",
    "ListVersionRef": "flscreen.model.lists",
    "import_list": "flscreen.lists.service",
    "iter_entries": "flscreen.lists.store",
    "latest_versions": "flscreen.lists.store",
    "diff_versions": "flscreen.lists.versions",
    # matching
    "Matcher": "flscreen.matching",
    "Query": "flscreen.matching",
    "MatchResult": "flscreen.model.matching",
    "record_judgement": "flscreen.matching.judgements",
    "load_judgements": "flscreen.matching.judgements",
    # region
    "LocateQuery": "flscreen.region",
    "Location": "flscreen.model.region",
    "locate": "flscreen.region",
    # supply chains and tracing
    "load_package": "flscreen.supply",
    "import_package": "flscreen.services.supply",
    "SupplyGraph": "flscreen.trace",
    "load_graph": "flscreen.trace",
    "load_trace_config": "flscreen.trace",
    "trace_shipment": "flscreen.trace",
    "TraceResult": "flscreen.model.trace",
    # policy, cases, audit
    "screen_store": "flscreen.policy.screening",
    "Policy": "flscreen.policy",
    "Verdict": "flscreen.policy",
    "decide": "flscreen.policy",
    "load_policy": "flscreen.policy",
    "bundled_policies": "flscreen.policy",
    "verify_audit": "flscreen.audit",
    # adapters
    "create_app": "flscreen.api",
}
_RENAMED = {"verify_audit": "verify", "load_trace_config": "load_config"}

__all__ = [
    "FlscreenError",
    "InvalidInput",
    "ListEntry",
    "ListVersionRef",
    "LocateQuery",
    "Location",
    "MatchResult",
    "Matcher",
    "NotFound",
    "Policy",
    "Problem",
    "Query",
    "Store",
    "StoreError",
    "SupplyGraph",
    "TraceResult",
    "Verdict",
    "__version__",
    "bundled_policies",
    "create_app",
    "decide",
    "diff_versions",
    "import_list",
    "import_package",
    "iter_entries",
    "latest_versions",
    "load_graph",
    "load_judgements",
    "load_package",
    "load_policy",
    "load_trace_config",
    "locate",
    "open_store",
    "record_judgement",
    "screen_store",
    "trace_shipment",
    "verify_audit",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from flscreen.api import create_app
    from flscreen.audit import verify as verify_audit
    from flscreen.errors import FlscreenError, InvalidInput, NotFound, Problem, StoreError
    from flscreen.lists.service import import_list
    from flscreen.lists.store import iter_entries, latest_versions
    from flscreen.lists.versions import diff_versions
    from flscreen.matching import Matcher, Query
    from flscreen.matching.judgements import load_judgements, record_judgement
    from flscreen.model.lists import ListEntry, ListVersionRef
    from flscreen.model.matching import MatchResult
    from flscreen.model.region import Location
    from flscreen.model.trace import TraceResult
    from flscreen.policy import Policy, Verdict, bundled_policies, decide, load_policy
    from flscreen.policy.screening import screen_store
    from flscreen.region import LocateQuery, locate
    from flscreen.services.supply import import_package
    from flscreen.store import Store, open_store
    from flscreen.supply import load_package
    from flscreen.trace import SupplyGraph, load_graph, trace_shipment
    from flscreen.trace import load_config as load_trace_config


def __getattr__(name: str) -> Any:
    """Import an entry point's module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'flscreen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
