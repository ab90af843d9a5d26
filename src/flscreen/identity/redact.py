"""What a tenant-scoped reader is shown of a screening: other tenants' shipment ids out.

A mass-balance finding balances a manufacturer's whole output in a period, so its
``transactions`` list every sale of the period, shipments of other importers buying
from the same manufacturer included (and its ``outputs`` total counts them). The
stored screening keeps them unchanged (the audit chain hashes it); every service
that hands a screening or a trace to a reader (the verdict answer, the shipment and
its trace, the case, the dossier) passes it through :func:`redact_screening` or
:func:`redact_json` with the reader's :class:`~flscreen.identity.scope.Scope` first.

For a restricted scope every id in a ``transactions`` (or ``input_transactions``)
list that is neither one of the tenant's own shipments nor a supply transaction
becomes :data:`FOREIGN_SHIPMENT`, one placeholder per id. Totals stay: an importer may
learn how much the manufacturer sold, which the finding needs, never to whom. An id
the query layer cannot place (another tenant's shipment hidden by row-level
security) is redacted too. Unrestricted scopes (officers, analysts, auditors) get
the very objects they passed in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen.policy.records import StoredScreening
from flscreen.policy.verdict import Verdict
from flscreen.supply import store as supply_store

from .scope import Scope

FOREIGN_SHIPMENT = "another importer's shipment"
ID_LISTS = frozenset({"transactions", "input_transactions"})
"""Keys whose lists name sales and purchases: supply transactions and shipments."""

_CHUNK = 500
T = TypeVar("T")


def _listed_ids(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ID_LISTS and isinstance(item, list | tuple):
                found.update(x for x in item if isinstance(x, str))
            else:
                _listed_ids(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _listed_ids(item, found)


def _present(conn: Connection, column: sa.ColumnElement[str], ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found.update(conn.execute(sa.select(column).where(column.in_(chunk))).scalars())
    return found


def hidden_ids(conn: Connection, scope: Scope | None, data: Iterable[Any]) -> frozenset[str]:
    """The ids listed in ``data``'s ``transactions`` lists that ``scope`` may not read:
    none when unrestricted; otherwise every id that is not one of the tenant's
    shipments, unless it is a supply transaction and no other tenant's shipment."""
    if scope is None or scope.importer_ids is None:
        return frozenset()
    listed: set[str] = set()
    for item in data:
        _listed_ids(item, listed)
    if not listed:
        return frozenset()
    ids = sorted(listed)
    ship = supply_store.shipments
    own: set[str] = set()
    shipments: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            sa.select(ship.c.shipment_id, ship.c.importer_id).where(
                ship.c.shipment_id.in_(ids[start : start + _CHUNK])
            )
        )
        for shipment_id, importer_id in rows:
            shipments.add(shipment_id)
            if importer_id in scope.importer_ids:
                own.add(shipment_id)
    sales = _present(conn, supply_store.transactions.c.transaction_id, ids)
    return frozenset(listed - own - (sales - shipments))


def _replaced(value: T, hidden: frozenset[str]) -> T:
    out: Any = value
    if isinstance(value, dict):
        out = {
            key: [FOREIGN_SHIPMENT if x in hidden else x for x in item]
            if key in ID_LISTS and isinstance(item, list | tuple)
            else _replaced(item, hidden)
            for key, item in value.items()
        }
    elif isinstance(value, list):
        out = [_replaced(item, hidden) for item in value]
    elif isinstance(value, tuple):
        out = tuple(_replaced(item, hidden) for item in value)
    return out  # type: ignore[no-any-return]


def redact_json(conn: Connection, scope: Scope | None, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a verdict or trace dict) as ``scope`` may read it: a copy with other
    tenants' shipment ids replaced, or ``data`` itself when nothing is hidden."""
    hidden = hidden_ids(conn, scope, [data])
    return _replaced(data, hidden) if hidden else data


def redact_screening(
    conn: Connection, scope: Scope | None, screening: StoredScreening
) -> StoredScreening:
    """The stored screening as ``scope`` may read it (its verdict's evidence and its
    trace redacted); the stored row is never touched."""
    verdict = screening.verdict.to_dict()
    hidden = hidden_ids(conn, scope, [verdict, screening.trace])
    if not hidden:
        return screening
    return dataclasses.replace(
        screening,
        verdict=Verdict.from_dict(_replaced(verdict, hidden)),
        trace=_replaced(screening.trace, hidden),
    )
