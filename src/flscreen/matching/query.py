"""What a caller screens: a party as a user or a customs record names it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flscreen.normalize.names import normalize_name


@dataclass(frozen=True, slots=True)
class Query:
    """One party to screen; only ``id`` and ``name`` are required.

    ``schema`` is 'person' for people (names compared in any order, Chinese
    read as surname + given name), 'company'/'organization' or None (unknown).
    """

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    address: str | None = None
    registration_id: str | None = None
    schema: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for n in (self.name, *self.aliases):
            if isinstance(n, str) and n.strip() and n not in seen:
                seen[n] = None
        return tuple(seen)


_ID_CLEAN = re.compile(r"[^0-9A-Za-z]")


def clean_registration_id(value: str | None) -> str | None:
    """An identifier as compared: upper-case letters and digits only; None if nothing left."""
    if not value:
        return None
    out = _ID_CLEAN.sub("", value).upper()
    return out or None


def party_key(name: str, registration_id: str | None = None) -> str:
    """The key a judgement is stored under: normalised core name, '|', cleaned registration id.

    The name part is :func:`flscreen.normalize.names.normalize_name` (legal
    forms dropped, script-independent), so "Xinjiang Zhongtai Chemical Co.,
    Ltd." and "XINJIANG ZHONGTAI CHEMICAL COMPANY LIMITED" share one key and a
    judgement made on one applies to the other. The registration id keeps two
    different parties with one name apart when the caller knows their ids.
    """
    core = normalize_name(name) or name.strip().lower()
    return f"{core}|{clean_registration_id(registration_id) or ''}"


def query_party_key(query: Query) -> str:
    return party_key(query.name, query.registration_id)
